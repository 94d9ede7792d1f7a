"""Module hooks: functions called around a module's forward, and when its gradients are known.

    forward pre-hook   hook(module, args) -> None or new args        before forward
    forward hook       hook(module, args, output) -> None or output  after forward
    backward pre-hook  hook(module, grad_output) -> None or new grad_output
    backward hook      hook(module, grad_input, grad_output) -> None or new grad_input

grad_output holds dL/d(each output), grad_input dL/d(each positional input): the chain rule's
two sides of the module. They are caught with tensor hooks: on the outputs, and on a copy of
each input that needs a gradient, made on the way in (so the hook sees the gradient that
reaches the module's input, not the total of the input tensor's other uses).
"""
from ..autograd.graph import RemovableHandle
from ..tensor import Tensor


class Hooks:
    """A module's hook lists; created on the first registration (a module without any pays
    one attribute read per call)."""

    def __init__(self):
        self.forward_pre, self.forward, self.backward_pre, self.backward = [], [], [], []

    def add(self, kind, entry, prepend=False):
        hooks = getattr(self, kind)
        hooks.insert(0, entry) if prepend else hooks.append(entry)
        return RemovableHandle(hooks, entry)


def call(module, args, kwargs):
    """module(*args, **kwargs) with its hooks."""
    hooks = module._hooks
    for hook, with_kwargs in list(hooks.forward_pre):
        result = hook(module, args, kwargs) if with_kwargs else hook(module, args)
        if result is not None and with_kwargs:
            args, kwargs = result
        elif result is not None:
            args = result if isinstance(result, tuple) else (result,)
    watch = _BackwardWatch(module, args) if hooks.backward or hooks.backward_pre else None
    if watch:
        args = watch.inputs
    output = module.forward(*args, **kwargs)
    for hook, with_kwargs in list(hooks.forward):
        result = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        if result is not None:
            output = result
    if watch:
        watch.watch_outputs(output)
    return output


def _needs_grad(t):
    return isinstance(t, Tensor) and t.requires_grad


class _BackwardWatch:
    """Collects one forward's grad_output and grad_input and calls the backward hooks."""

    def __init__(self, module, args):
        self.module, self.grad_output = module, None
        self.inputs = tuple(a.clone() if _needs_grad(a) else a for a in args)
        self.grad_input = [None] * len(args)
        self.waiting = sum(_needs_grad(a) for a in args)
        for i, a in enumerate(self.inputs):
            if _needs_grad(a):
                a.register_hook(lambda grad, i=i: self._input_grad(i, grad))

    def watch_outputs(self, output):
        outputs = output if isinstance(output, (tuple, list)) else (output,)
        self.outputs = [o for o in outputs if _needs_grad(o)]
        self.grad_output = [None] * len(self.outputs)
        self.pending = len(self.outputs)
        for j, o in enumerate(self.outputs):
            o.register_hook(lambda grad, j=j: self._output_grad(j, grad))

    def _output_grad(self, j, grad):
        self.grad_output[j] = grad
        self.pending -= 1
        if self.pending == 0:
            replaced = None
            for hook in list(self.module._hooks.backward_pre):
                result = hook(self.module, tuple(self.grad_output))
                if result is not None:
                    self.grad_output = list(result)
                    replaced = self.grad_output[j]
            if self.waiting == 0:           # no input needs a gradient: PyTorch passes Nones
                self._call_backward_hooks()
            return replaced
        return None

    def _input_grad(self, i, grad):
        self.grad_input[i] = grad
        self.waiting -= 1
        if self.waiting == 0:
            new = self._call_backward_hooks()
            if new is not None:
                if sum(g is not None for g in self.grad_input) > 1:
                    raise RuntimeError('a full backward hook may replace grad_input only for a '
                                       'module with one input that needs a gradient, in minigrad')
                return new[i]
        return None

    def _call_backward_hooks(self):
        new = None
        for hook in list(self.module._hooks.backward):
            result = hook(self.module, tuple(self.grad_input), tuple(self.grad_output))
            if result is not None:
                new = self.grad_input = list(result)
        return new
