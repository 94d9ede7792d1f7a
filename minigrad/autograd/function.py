"""PyTorch's protocol for writing your own op: `minigrad.autograd.Function`.

    class Cube(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * 3 * x ** 2       # d x³ = 3x² dx

    y = Cube.apply(x)

`forward` and `backward` work on Tensors (forward runs under no_grad). The
`ctx` they share is the graph node itself (`y.grad_fn`), as in PyTorch.
minigrad's own ops use the array-level base class `Op` in graph.py.
With `create_graph=True`, backward runs with grad mode on, so a backward written with
Tensor ops is itself differentiated.
"""
import numpy as np

from ..tensor import Tensor
from . import mode, versions
from .engine import _FREED, _RELEASED
from .graph import Op, _Name
from .mode import enable_grad, no_grad


class FunctionCtx(Op):
    """The node of a custom Function: the `ctx` its forward and backward receive."""

    _forward_cls = None

    def save_for_backward(self, *tensors):
        """Keeps tensors for backward (read them back with `ctx.saved_tensors`)."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f'save_for_backward can only save tensors (or None), but got '
                                f'{type(t).__name__}; keep other values as attributes: ctx.k = k')
        self.saved = tensors

    @property
    def saved_tensors(self):
        """The tensors given to `save_for_backward`; once backward has freed them (without
        retain_graph), reading them raises, even if none were saved, as in PyTorch."""
        if self.saved is None and self.clock == _RELEASED:
            raise RuntimeError(_FREED)
        return self.saved or ()

    def mark_non_differentiable(self, *tensors):
        """The outputs named here will not require grad (e.g. an argmax computed alongside)."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        """When no gradient reaches the output, backward gets zeros (True, the default) or None."""
        self.materialize = bool(value)

    def _missing_gradient(self, create_graph):
        """backward when no gradient reached the output (PyTorch's materialize_grads): on zeros
        of the output's shape and dtype, or on None after set_materialize_grads(False)."""
        grad = np.zeros(*self.output_meta) if self.__dict__.get('materialize', True) else None
        if create_graph:
            return self.backward_graph(None if grad is None else Tensor._wrap(grad))
        return self.backward(grad)

    def backward_graph(self, grad):
        """The user's backward, recording a graph (create_graph=True): Tensors in, Tensors out."""
        with enable_grad():
            grads = self._forward_cls.backward(self, grad)
        return self._check_gradients(grads, lambda g: g)

    def backward(self, grad):
        """Calls the user's static backward on Tensors; returns arrays for the tensor inputs."""
        with no_grad():
            grads = self._forward_cls.backward(self, None if grad is None else Tensor._wrap(grad))
        return self._check_gradients(grads, lambda g: g._array if isinstance(g, Tensor) else np.asarray(g))

    def _check_gradients(self, grads, convert):
        """One gradient per tensor argument of forward (extra trailing Nones are dropped, as in
        PyTorch), each checked against its input's shape; None for each non-tensor argument."""
        grads = grads if isinstance(grads, tuple) else (grads,)
        expected = len(self.arg_is_tensor)
        if len(grads) > expected and all(g is None for g in grads[expected:]):
            grads = grads[:expected]
        if len(grads) != expected:
            raise RuntimeError(f'function {self.name} returned an incorrect number of gradients '
                               f'(expected {expected}, got {len(grads)}): return '
                               f'one per argument of forward, None for those that need none')
        out = []
        inputs = iter(self._inputs)
        for index, (g, is_tensor) in enumerate(zip(grads, self.arg_is_tensor)):
            if not is_tensor:
                if g is not None:
                    raise RuntimeError(f'function {self.name} returned a gradient different than '
                                       f'None at position {index + 1}, but the corresponding '
                                       f'forward input was not a Variable')
                continue
            t = next(inputs)
            _check_gradient(g, t, index, self.name)
            out.append(None if g is None else convert(g))
        return tuple(out)


def _check_gradient(g, t, index, name):
    """Raises PyTorch's error for a gradient that is not a tensor or cannot fit input `t`: the
    input must broadcast to the gradient's shape (which the engine sums back to the input's)."""
    if g is None:
        return
    if not isinstance(g, (Tensor, np.ndarray, float, int)):
        raise TypeError(f'function {name} returned a gradient of type {type(g).__name__} at index '
                        f'{index}; expected a Tensor (or None)')
    shape = tuple(np.shape(g._array if isinstance(g, Tensor) else g))
    try:
        fits = shape == tuple(t.shape) or np.broadcast_shapes(tuple(t.shape), shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f'Function {name} returned an invalid gradient at index {index} - got '
                           f'{list(shape)} but expected shape compatible with {list(t.shape)}')


class Function:
    """Base class of user-written ops, in PyTorch's protocol (see the module docstring).

    Subclasses define `forward(ctx, *args)` and `backward(ctx, *grad_outputs)` as
    static methods and are used through `MyOp.apply(*args)`. `ctx.save_for_backward`,
    `ctx.saved_tensors` and `ctx.needs_input_grad` are PyTorch's; any other value
    can be kept as an attribute of ctx.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        node = type(cls.__name__ + 'Backward', (FunctionCtx,), {'_forward_cls': cls})
        node.name = _Name(node.__name__)
        cls._backward_cls = node

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError('You must implement the forward function for custom '
                                  'autograd.Function.')

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError('You must implement the backward function for custom '
                                  'autograd.Function (the derivative of forward).')

    @staticmethod
    def setup_context(ctx, inputs, output):
        """PyTorch 2's optional split: forward(*args) without ctx, then this fills ctx."""
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._backward_cls()
        ctx.arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx.saved = ()                          # nothing saved yet; backward frees it (None)
        with no_grad():
            if cls.setup_context is Function.setup_context:
                out = cls.forward(ctx, *args, **kwargs)
            else:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
        if not isinstance(out, Tensor):
            raise TypeError(f'{cls.__name__}.forward must return a Tensor, got {type(out).__name__} '
                            f'(minigrad\'s custom Functions return exactly one tensor)')
        if any(out is a for a in args):         # returned an input: the output is a new tensor
            out = Tensor._wrap(out._array)
        marked = ctx.__dict__.get('non_differentiable', ())
        if mode.is_grad_enabled() and any(ctx.needs_input_grad) and not any(out is t for t in marked):
            if out.dtype.kind != 'f':
                raise RuntimeError(f'{cls.__name__}.forward returned a {out.dtype} tensor, '
                                   f'which cannot carry a gradient; return a floating point one')
            ctx._inputs = tuple(a for a in args if isinstance(a, Tensor))
            ctx.output_meta = (out._array.shape, out._array.dtype)
            ctx.clock = versions._clock
            if mode._anomaly:
                ctx.made_at = mode._user_line()
            out.grad_fn, out._requires_grad = ctx, True
        return out

