"""The graph: its nodes (`Op`, one per op applied), the leaves' `AccumulateGrad`, and broadcasting.

An op is a subclass of `Op` with a `forward` on NumPy arrays and a `backward` that maps
the gradient of its output to the gradients of its inputs. `Op.apply` runs forward and,
when an input requires grad, records the node on the output tensor (`y.grad_fn`). The
walk that runs the backwards is in engine.py; the ops themselves are in minigrad/ops/.

This module knows no Tensor class and no op: minigrad/tensor.py hands the Tensor type in
(`graph.Tensor = Tensor`), and replay.py hands in how a rule runs on Tensors (`replay`).
"""
import inspect
import os
import weakref

import numpy as np

from . import mode, versions

Tensor = None           # minigrad.tensor hands the class in: it is built on this module
replay = None           # minigrad.autograd.replay hands itself in: it is built on Tensor
# speed: nodes share one needs_input_grad tuple per pattern of flags instead of each owning a new
# one for the garbage collector to track: 2% of the forward pass of a 20,000-op chain
_patterns = {}
_new = object.__new__
_ndarray = np.ndarray
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Name(str):
    """A node's name, e.g. "MulBackward"; also callable, as PyTorch's `grad_fn.name()`."""

    def __call__(self):
        return str(self)


def _shape_error(name, error, inputs):
    """The message for a NumPy ValueError in `name`'s forward. Shapes that cannot broadcast are
    stated once, with the dimension at fault, as PyTorch does; other errors keep NumPy's words."""
    shapes = [t._array.shape for t in inputs]
    text = str(error)       # NumPy's elementwise words: not einsum's "remapped shapes" and the like
    if 'broadcast together with shapes' in text or 'cannot be broadcast to a single shape' in text:
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            return f'{name}: {_broadcast_fault(shapes)}'
    return f'{name}: {error} (input shapes: {", ".join(str(s) for s in shapes)})'


def _broadcast_fault(shapes):
    """E.g. 'the size of tensor a (4) must match the size of tensor b (5) at non-singleton
    dimension 1 (shapes (3, 4) and (5,))', and how to line them up."""
    ndim = max(len(s) for s in shapes)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    for dim in range(ndim - 1, -1, -1):          # as broadcasting compares them: from the last
        sizes = [(i, s[dim]) for i, s in enumerate(padded) if s[dim] != 1]
        for (i, a), (j, b) in zip(sizes, sizes[1:]):
            if a != b:
                return (f'the size of tensor {_letter(i)} ({a}) must match the size of tensor '
                        f'{_letter(j)} ({b}) at non-singleton dimension {dim} (shapes '
                        f'{" and ".join(str(tuple(s)) for s in shapes)}); sizes are compared '
                        f'from the last dimension back and must be equal or 1: reshape or '
                        f'unsqueeze one of them')
    return f'shapes {" and ".join(str(tuple(s)) for s in shapes)} cannot be broadcast together'


def _letter(i):
    return 'abcdefghijklmnopqrstuvwxyz'[i] if i < 26 else f'#{i}'


class Op:
    """One node of the graph: an op's forward and its backward, side by side.

    Subclasses define
      forward(self, *arrays, **options) -> array   (NumPy in, NumPy out)
      backward(self, grad) -> gradient for each input (a tuple, or one array
                              for a one-input op; None where not needed)
    and keep what backward needs in `self.saved`, which the engine frees after
    use. `self.needs_input_grad[i]` says whether input i wants a gradient; it is
    set before forward, so forward saves, and backward computes, only what is
    asked for. Gradients may have the broadcast shape of the output: the
    engine sums them back to each input's shape.
    Backward must never write into `grad`: the same array may reach other nodes.
    """

    __slots__ = ('_inputs', 'options', 'needs_input_grad', 'saved', 'clock', '__dict__')
    hooks = None        # gradient hooks of the output tensor (see Tensor.register_hook)
    retained = None     # weak reference to the output tensor, if it called retain_grad()
    name = _Name('OpBackward')

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.name = _Name(cls.__name__ + 'Backward')

    @classmethod
    def apply(cls, *inputs, **options):
        """Runs forward on the inputs' arrays; records the node if any input needs a gradient."""
        fn = _new(cls)                  # speed: ops have no __init__ to run
        # Known before forward, so that an op saves only what the wanted gradients need.
        needs = tuple([t._requires_grad for t in inputs]) if mode._grad_enabled else (False,) * len(inputs)
        fn.needs_input_grad = needs = _patterns.setdefault(needs, needs)   # speed: see _patterns
        fn.saved = None                 # forward may save; the walk frees only nodes that did
        try:
            data = fn.forward(*[t._array for t in inputs], **options)
        except ValueError as error:         # NumPy's shape errors, named for the learner
            raise RuntimeError(_shape_error(cls.__name__, error, inputs)) from None
        out = _new(Tensor)              # speed: Tensor._wrap inlined, 4% of a long chain's forward
        out._array = data if type(data) is _ndarray else _array_of(fn, data)
        out._grad = out.grad_fn = out._hooks = None
        out._requires_grad = False
        if True in needs:
            fn._inputs, fn.options = inputs, options
            fn.clock = versions._clock
            if mode._anomaly:
                fn.made_at = mode._user_line()
            out.grad_fn = fn
            out._requires_grad = True
        return out

    @property
    def next_functions(self):
        """PyTorch's edges: a (node, 0) pair per input; a leaf that requires grad
        appears as its `AccumulateGrad` node, an input that does not as (None, 0)."""
        if self._inputs is None:
            return ()
        edges = []
        for t in self._inputs:
            grad_fn, requires_grad = versions._grad_fn_at(t, self)
            edges.append((grad_fn if grad_fn is not None else
                          _accumulator(t) if requires_grad else None, 0))
        return tuple(edges)

    def __repr__(self):
        return f'<{self.name}>'

    @property
    def inputs(self):
        """The tensors this node's op was applied to. A number operand (the 0.5 of `x * 0.5`)
        shows as a tensor of its own: the engine shares one per number between all ops."""
        return None if self._inputs is None else tuple(map(_shown, self._inputs))

    @property
    def rule(self):
        """The derivative this node applies: the first line of its op's docstring."""
        return rule_of(type(self))

    @property
    def source(self):
        """Where this node's forward and backward are written, as 'file:line'."""
        return source_of(type(self))

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    def _missing_gradient(self, create_graph):
        """The gradients a node passes on when none reached it: none (it does not run); a
        custom Function's backward runs on zeros (function.py)."""
        return None

    def backward_graph(self, grad):
        """The same backward rule, run on Tensors so that it records a graph (create_graph=True):
        see replay.py, which hands itself in as `replay`."""
        return replay(self, grad)


class RemovableHandle:
    """What `register_hook` returns (PyTorch's torch.utils.hooks.RemovableHandle): `.remove()`
    takes the hook out again; as a context manager, the hook lasts for the `with` block."""

    _next_id = 0

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook       # the list, not its owner: no graph kept alive
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        """Takes the hook out (once; a second remove does nothing, as in PyTorch)."""
        if self._hooks is not None and any(h is self._hook for h in self._hooks):
            del self._hooks[next(i for i, h in enumerate(self._hooks) if h is self._hook)]
        self._hooks = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _array_of(fn, value):
    """A forward's NumPy scalar (a 0-d result) as a 0-d array, which the node saves in its place:
    an in-place change of the output is then seen by the version check, as in PyTorch."""
    array = np.asarray(value)
    share_saved(fn, value, array)
    return array


def share_saved(fn, value, array):
    """Makes node `fn` save `array` wherever it saved `value` (the same numbers); True if it did."""
    saved = getattr(fn, 'saved', None)
    if saved is value:
        fn.saved = array
    elif type(saved) is tuple and any(v is value for v in saved):
        fn.saved = tuple(array if v is value else v for v in saved)
    else:
        return False
    return True


_shared = set()          # ids of the number constants the engine shares (minigrad.tensor adds them)


def _shown(t):
    """`t`, or for a shared number constant a tensor of its own over the same read-only array,
    so that nothing done to what a graph shows can change another computation."""
    return Tensor._wrap(t._array) if id(t) in _shared else t


def rule_of(op_class):
    """The first line of an op class's docstring: the derivative rule it applies."""
    doc = (getattr(op_class, '_forward_cls', op_class).__doc__ or '').strip()
    return doc.splitlines()[0].strip() if doc else ''


def source_of(op_class):
    """'file:line' where an op's backward is written: its class, or the class it inherits
    backward from (the user's Function class, for a custom op). Also takes a function."""
    cls = getattr(op_class, '_forward_cls', None) or next(
        (k for k in getattr(op_class, '__mro__', ()) if 'backward' in vars(k)), op_class)
    try:
        path, line = inspect.getsourcefile(cls), inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return 'an unknown place'
    root = os.path.dirname(_PACKAGE)
    return f'{os.path.relpath(path, root) if path.startswith(root) else path}:{line}'


class AccumulateGrad:
    """The node PyTorch shows for a leaf: backward ends here, adding into `variable.grad`."""

    name = _Name('AccumulateGrad')
    next_functions = ()

    def __init__(self, variable):
        self._variable = weakref.ref(variable)

    @property
    def variable(self):
        return self._variable()

    def __repr__(self):
        return '<AccumulateGrad>'


def _accumulator(leaf):
    """The one AccumulateGrad node of `leaf` (made on first use)."""
    node = getattr(leaf, '_accumulator', None)
    if node is None:
        node = leaf._accumulator = AccumulateGrad(leaf)
    return node


# ------------------------------------------------------- broadcasting, once

def sum_to_shape(grad, shape):
    """d broadcast(x) = dx summed over the broadcast axes, back to x's shape

    The one rule every op shares. An op may return a gradient of its output's broadcast shape; the walk (engine._fit) sums
    it back to each input's shape here, so no op writes this rule itself."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    grad = grad.sum(axis=axes, keepdims=True) if axes else grad
    return grad.reshape(shape)
