"""The reverse-mode engine: the op base class, the backward walk, grad modes.

The engine knows nothing about individual ops. An op is a subclass of
`Function` with a `forward` on NumPy arrays and a `backward` that maps the
gradient of its output to the gradients of its inputs: the chain rule, one
node at a time. Everything op-specific lives in `minigrad/ops/`.
"""
import functools
import weakref

import numpy as np

_grad_enabled = True
_new = object.__new__
_ndarray = np.ndarray
_patterns = {}          # the distinct needs_input_grad tuples, shared by all nodes
Tensor = None           # minigrad.tensor sets this (it imports us, so we cannot import it)


# ---------------------------------------------------------------- grad modes

class _GradMode:
    """Context manager and decorator that sets whether ops record a graph."""

    enabled = True

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Ops run inside `with mg.no_grad():` record no graph (also a decorator)."""
    enabled = False


class enable_grad(_GradMode):
    """Re-enables graph recording inside a `no_grad` block (also a decorator)."""
    enabled = True


def is_grad_enabled():
    """True when ops record the graph needed for `backward()`."""
    return _grad_enabled


# ------------------------------------------------------------------ the node

class Function:
    """One node of the graph: an op's forward and its backward, side by side.

    Subclasses define
      forward(self, *arrays, **options) -> array   (NumPy in, NumPy out)
      backward(self, grad) -> gradient for each input (a tuple, or one array
                              for a one-input op; None where not needed)
    and keep what backward needs in `self.saved`, which the engine frees after
    use. `self.needs_input_grad[i]` says whether input i wants a gradient, so
    backward can skip work nobody asked for. Gradients may have the broadcast
    shape of the output: the engine sums them back to each input's shape.
    Backward must never write into `grad`: the same array may reach other nodes.
    """

    __slots__ = ('inputs', 'needs_input_grad', 'saved', '__dict__')
    hooks = None        # gradient hooks of the output tensor (see Tensor.register_hook)
    retained = None     # weak reference to the output tensor, if it called retain_grad()

    @classmethod
    def apply(cls, *inputs, **options):
        """Runs forward on the inputs' arrays; records the node if any input needs a gradient."""
        fn = cls()
        try:
            data = fn.forward(*[t.data for t in inputs], **options)
        except ValueError as error:         # NumPy's shape errors, named for the learner
            shapes = ', '.join(str(t.shape) for t in inputs)
            raise RuntimeError(f'{cls.__name__}: {error} (input shapes: {shapes})') from None
        out = _new(Tensor)
        out.data = data if type(data) is _ndarray else np.asarray(data)
        out.grad = out.grad_fn = out._hooks = None
        out.requires_grad = False
        if _grad_enabled:
            needs = tuple([t.requires_grad for t in inputs])
            if True in needs:
                fn.inputs = inputs
                fn.needs_input_grad = _patterns.setdefault(needs, needs)   # one tuple per pattern
                out.grad_fn = fn
                out.requires_grad = True
        return out

    @property
    def name(self):
        """PyTorch-style name of the node, e.g. "MulBackward"."""
        return type(self).__name__ + 'Backward'

    @property
    def next_functions(self):
        """The nodes (or leaf tensors) this node sends gradients to."""
        if self.inputs is None:
            return ()
        return tuple(t.grad_fn if t.grad_fn is not None else t for t in self.inputs)

    def __repr__(self):
        return f'<{self.name}>'

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError


# ------------------------------------------------------- broadcasting, once

def sum_to_shape(grad, shape):
    """Sums a broadcast gradient back to `shape` (the adjoint of broadcasting)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    grad = grad.sum(axis=axes, keepdims=True) if axes else grad
    return grad.reshape(shape)


# ----------------------------------------------------------- backward walk

#: Called as observer(node, grad_out, grads_in) for each node the walk visits
#: (used by `minigrad.viz.trace_backward`); empty when nobody is watching.
_observers = []


def _run_hooks(hooks, grad):
    for hook in hooks:
        result = hook(Tensor._wrap(grad))
        if result is not None:
            grad = result.data if isinstance(result, Tensor) else np.asarray(result)
    return grad


_FREED = ('Trying to backward through the graph a second time (or directly access '
          'saved tensors after they have already been freed). Saved intermediate '
          'values of the graph are freed when you call .backward(). Specify '
          'retain_graph=True if you need to backward through the graph a second time.')


def backward(root, grad, retain_graph=False):
    """Propagates `grad` (d root / d root) from `root` to every leaf that requires grad.

    Kahn's algorithm: count each node's consumers, then visit a node only once
    all of them have sent their gradient. Iterative, so depth is unlimited;
    each node is visited once, so time is linear in the graph's size.
    """
    start = root.grad_fn
    if start is None:                       # backward on a leaf: d x / d x
        _accumulate_leaf(root, grad, owned=False)
        return
    if start.inputs is None:
        raise RuntimeError(_FREED)

    consumers = {start: 0}
    stack = [start]
    while stack:
        node = stack.pop()
        if node.inputs is None:
            raise RuntimeError(_FREED)
        for t in node.inputs:
            fn = t.grad_fn
            if fn is not None:
                if fn in consumers:
                    consumers[fn] += 1
                else:
                    consumers[fn] = 1
                    stack.append(fn)

    grads = {start: grad}
    leaf_grads = {}
    ready = [start]
    while ready:
        node = ready.pop()
        inputs = node.inputs
        grad_out = grads.pop(node, None)
        if grad_out is None:                # nothing reached this node: no gradient to pass on
            grads_in = (None,) * len(inputs)
        else:
            if node.hooks:
                grad_out = _run_hooks(node.hooks, grad_out)
            if node.retained is not None and node.retained() is not None:
                _accumulate_leaf(node.retained(), grad_out, owned=False)
            grads_in = node.backward(grad_out)
            if type(grads_in) is not tuple:
                grads_in = (grads_in,)
            for observer in _observers:
                observer(node, grad_out, grads_in)
        for t, g in zip(inputs, grads_in):
            fn = t.grad_fn
            if g is not None and t.requires_grad:
                data = t.data
                if g.shape != data.shape:
                    g = sum_to_shape(g, data.shape)
                if g.dtype is not data.dtype and g.dtype != data.dtype:
                    g = g.astype(data.dtype)
                if fn is None:
                    # A gradient passed through unchanged, or as a view, may be shared.
                    key = id(t)
                    if key in leaf_grads:
                        leaf_grads[key] = (t, leaf_grads[key][1] + g, True)
                    else:
                        leaf_grads[key] = (t, g, g is not grad_out and g.base is None)
                    continue
                grads[fn] = grads[fn] + g if fn in grads else g
            elif fn is None:
                continue
            waiting = consumers[fn] - 1
            consumers[fn] = waiting
            if not waiting:
                ready.append(fn)
        if not retain_graph:
            node.inputs = None
            node.saved = None
    for t, g, fresh in leaf_grads.values():
        _accumulate_leaf(t, g, fresh)


def _accumulate_leaf(t, g, owned):
    """`t.grad += g`, after the tensor's hooks; copies `g` if another tensor may share it."""
    if t._hooks:
        g = _run_hooks(t._hooks, g)
        owned = False
    if t.grad is None:
        t.grad = Tensor._wrap(g if owned else g.copy())
    else:
        t.grad.data = t.grad.data + g


def retain(tensor):
    """Makes a non-leaf tensor keep its `.grad` after backward (weakly, so no cycle)."""
    tensor.grad_fn.retained = weakref.ref(tensor)
