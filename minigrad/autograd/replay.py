"""How `create_graph=True` runs an op's own derivative rule on Tensors: the replay.

One op, end to end. `Tanh` (minigrad/ops/elementwise.py) is written for arrays:

    def forward(self, x):                    # x: the input's array
        self.saved = y = np.tanh(x)
        return y
    def backward(self, grad):                # grad: d loss / d y, an array
        return grad * (1 - self.saved ** 2)  # d tanh(x) = (1 - tanh²x) dx

Ordinary backward calls `backward` on arrays: plain NumPy, fast. With create_graph=True
the gradient must itself be a Tensor in a graph, so the walk calls `replay(node, grad)`
instead, which
  1. re-runs the op's forward on its input Tensors, each seen through `Traced`, so that
     what forward saves (`y`) is a Tensor in the graph too, not a bare array;
  2. runs the same `backward` on `Traced(grad)`.
`Traced` wraps a Tensor behind NumPy's interface: `np.tanh(x)` reaches its
`__array_ufunc__`, `grad * (...)` its `__mul__`, and each maps onto the Tensor op of the
same name (the tables in minigrad/numpy_api.py), which records a node. The result is
`grad * (1 - y ** 2)` as a graph of Mul, Sub and Pow nodes over `y = Tanh(x)`: a
second backward differentiates it. One rule, two ways to run it; no op writes its
derivative twice.

The contract this puts on an op: its forward and backward may use only the NumPy that
the tables map (`python -m minigrad.ops --numpy` lists it). Anything else fails here
with an error naming the op and the call, instead of silently cutting the graph.

Ties: an op with `grad_tied_to_input = True` (relu, leaky_relu, abs, l1, nll) has gradients
that PyTorch computes as a function of the input with derivative 0; replay ties each to its
input by a `Tied` node (minigrad/ops/elementwise.py), so the first derivative requires grad and
the second is 0, as there, instead of a constant whose derivative is an error.

Writes: `out[i] = v` or `out -= v` on an array the rule itself just made (and of which no
view was taken) becomes an out-of-place op (SetView) whose result takes the array's place:
no version logging, no view bookkeeping. Writes on anything else (an input, a view) go
through the Tensor's full in-place machinery, which keeps views right.
"""
import numpy as np

from .. import numpy_api
from ..ops import elementwise as ew
from ..ops import shape as sh
from ..tensor import Tensor, _as_tensor
from . import graph
from .mode import enable_grad


class NotReplayable(Exception):
    """An op's rule used NumPy that replay cannot run on Tensors (see the module docstring)."""


def replay(node, grad):
    """`node`'s backward rule run on Tensors, recording a graph: forward re-run if the op
    saved values, then backward on the gradient (see the module docstring)."""
    grad = grad if isinstance(grad, Tensor) else Tensor._wrap(np.asarray(grad))
    with enable_grad():
        op = node
        try:
            if getattr(node, 'saved', None) is not None:
                op = type(node)()
                op.needs_input_grad = node.needs_input_grad
                _as_output_of(node, op.forward(*[Traced(t) for t in node._inputs], **node.options))
            grads = _unwrap(op.backward(Traced(grad)))
        except NotReplayable as error:
            raise RuntimeError(
                f'{node.name} cannot be differentiated twice (create_graph=True): its forward or '
                f'backward ({graph.source_of(type(node))}) calls {error}, which minigrad cannot '
                f'run on Tensors. Write it with the NumPy listed by `python -m minigrad.ops --numpy`.'
            ) from None
        return _tied(grads, node._inputs) if getattr(node, 'grad_tied_to_input', False) else grads


def _tied(grads, inputs):
    """Each gradient tied to the inputs that require grad by a Tied node (see the module
    docstring)."""
    xs = [x for x in inputs if x.requires_grad]

    def tie(g):             # a rule may give a constant array: all inputs ignored, say
        return ew.Tied.apply(g if isinstance(g, Tensor) else Tensor._wrap(g), *xs)
    if not isinstance(grads, tuple):
        return tie(grads)
    return tuple(None if g is None else tie(g) for g in grads)


def _as_output_of(node, out):
    """The re-run output as `node`'s own (PyTorch's saved output unpacks with its grad_fn), so
    a gradient through what backward saved of it meets the output's hooks and retain_grad."""
    if isinstance(out, Traced) and out.tensor.grad_fn is not None and not any(
            out.tensor is t for t in node._inputs):
        out.tensor.grad_fn = node


graph.replay = replay            # handed in: the graph module is below us and cannot import us


# ------------------------------------------------- Tensors as NumPy sees them

def _unwrap(x):
    if isinstance(x, Traced):
        return x.tensor
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    return x


def _made(x, fresh=True):
    """A result of the rule's own computation as Traced: fresh unless it is a view."""
    if isinstance(x, Tensor):
        return Traced(x, fresh)
    if isinstance(x, (list, tuple)):
        return type(x)(_made(v, fresh) for v in x)
    return x


def _binary(method):
    def op(self, other):
        return Traced(getattr(self.tensor, method)(_unwrap(other)), fresh=True)
    return op


def _compare(ufunc):
    def op(self, other):                    # a mask: constant, derivative 0
        other = other.tensor._array if isinstance(other, Traced) else other
        return ufunc(self.tensor._array, other)
    return op


def _inplace(method, binary):
    def op(self, other):
        if self.fresh:                      # nobody else sees this array: a new one will do
            return Traced(getattr(self.tensor, binary)(_unwrap(other)), fresh=True)
        getattr(self.tensor, method)(_unwrap(other))
        return self
    return op


def _view(method):
    def op(self, *args, **kwargs):
        self.fresh = False                  # a view of it is out: writes must reach the view
        return Traced(getattr(self.tensor, method)(*args, **kwargs))
    return op


class Traced:
    """A Tensor behind NumPy's interface, for running an op's own forward and backward on
    Tensors: `x.sum(axis=0, keepdims=True)`, `x.max(axis=1)`, `x.astype(...)`, `x.size`,
    `np.where(...)` mean what they mean for arrays, and every result is a Tensor in the graph.
    `fresh`: the rule made this array itself and no view of it exists."""

    __slots__ = ('tensor', 'fresh')
    __array_priority__ = 2000

    def __init__(self, tensor, fresh=False):
        self.tensor, self.fresh = tensor, fresh

    shape = property(lambda self: tuple(self.tensor._array.shape))
    ndim = property(lambda self: self.tensor._array.ndim)
    dtype = property(lambda self: self.tensor._array.dtype)
    size = property(lambda self: self.tensor._array.size)
    base = None

    @property
    def T(self):
        return self.transpose()

    __add__, __radd__ = _binary('__add__'), _binary('__radd__')
    __sub__, __rsub__ = _binary('__sub__'), _binary('__rsub__')
    __mul__, __rmul__ = _binary('__mul__'), _binary('__rmul__')
    __truediv__, __rtruediv__ = _binary('__truediv__'), _binary('__rtruediv__')
    __pow__, __rpow__ = _binary('__pow__'), _binary('__rpow__')
    __matmul__, __rmatmul__ = _binary('__matmul__'), _binary('__rmatmul__')
    __iadd__, __isub__ = _inplace('__iadd__', '__add__'), _inplace('__isub__', '__sub__')
    __imul__, __itruediv__ = _inplace('__imul__', '__mul__'), _inplace('__itruediv__', '__truediv__')
    __lt__, __le__ = _compare(np.less), _compare(np.less_equal)
    __gt__, __ge__ = _compare(np.greater), _compare(np.greater_equal)
    __eq__, __ne__ = _compare(np.equal), _compare(np.not_equal)
    __hash__ = object.__hash__

    def __neg__(self):
        return Traced(-self.tensor, fresh=True)

    def __abs__(self):
        return Traced(self.tensor.abs(), fresh=True)

    def __len__(self):
        return len(self.tensor)

    def __getitem__(self, index):
        item = self.tensor[_unwrap(index)]
        view = np.may_share_memory(item._array, self.tensor._array)   # advanced indexing copies
        if view:
            self.fresh = False
        return Traced(item, fresh=not view)

    def __setitem__(self, index, value):
        index, value = _unwrap(index), _unwrap(value)
        if self.fresh:                      # out of place: the written copy takes its place
            value = _as_tensor(value, self.tensor)
            self.tensor = sh.SetView.apply(self.tensor, value.to(self.tensor.dtype),
                                           view=sh.At(index))
        else:
            self.tensor[index] = value

    def __array__(self, dtype=None, copy=None):
        raise NotReplayable('np.asarray (or writes a traced value into a NumPy array); build the '
                            'result with np.zeros_like(x, shape=...) instead')

    def __getattr__(self, name):            # only reached for names Traced does not define
        raise NotReplayable(f'the array method .{name}()')

    def sum(self, axis=None, dtype=None, keepdims=False):
        return Traced(self.tensor.sum(**numpy_api._axis_args(axis, keepdims)), fresh=True)

    def mean(self, axis=None, dtype=None, keepdims=False):
        return Traced(self.tensor.mean(**numpy_api._axis_args(axis, keepdims)), fresh=True)

    def max(self, axis=None, keepdims=False):
        return Traced(self.tensor.amax(**numpy_api._axis_args(axis, keepdims)), fresh=True)

    def min(self, axis=None, keepdims=False):
        return Traced(self.tensor.amin(**numpy_api._axis_args(axis, keepdims)), fresh=True)

    def prod(self, axis=None, keepdims=False):
        return Traced(self.tensor.prod(**numpy_api._axis_args(axis, keepdims)), fresh=True)

    def reshape(self, *shape):
        return _view('reshape')(self, *shape)

    def squeeze(self, axis=None):
        return _view('squeeze')(self, axis)

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list, np.ndarray)) else axes
        return _view('permute')(self, *([int(a) for a in axes] or range(self.ndim)[::-1]))

    def astype(self, dtype, copy=True):
        dtype = np.dtype(dtype)
        if dtype.kind != 'f':               # integers and booleans: constants, derivative 0
            return self.tensor._array.astype(dtype)
        return Traced(self.tensor.to(dtype), fresh=True)

    def copy(self):
        return Traced(self.tensor.clone(), fresh=True)

    def any(self, *args, **kwargs):
        return self.tensor._array.any(*args, **kwargs)

    def all(self, *args, **kwargs):
        return self.tensor._array.all(*args, **kwargs)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == 'at' and ufunc is np.add:          # np.add.at(full, index, values)
            full, index, values = inputs
            full.tensor = sh.IndexAdd.apply(full.tensor, _unwrap(values), index=_unwrap(index))
            return None
        name = ufunc.__name__
        if method != '__call__' or kwargs or name not in numpy_api.REPLAYABLE_UFUNCS:
            call = f'np.{name}' + (f'.{method}' if method != '__call__' else '')
            raise NotReplayable(call + (f' with {", ".join(kwargs)}=' if kwargs else ''))
        return _made(numpy_api.apply_ufunc(ufunc, method, _unwrap(inputs), {}))

    def __array_function__(self, func, types, args, kwargs):
        if func not in numpy_api.FUNCTIONS:
            raise NotReplayable(f'np.{func.__name__}')
        result = numpy_api.apply_function(func, _unwrap(args),
                                          {k: _unwrap(v) for k, v in kwargs.items()})
        if func in numpy_api.VIEWS:         # a view: neither it nor its source is fresh
            for arg in args:
                if isinstance(arg, Traced):
                    arg.fresh = False
            return _made(result, fresh=False)
        return _made(result)


def replayable_numpy():
    """What an op's forward and backward may use, by kind: {kind: [names]}."""
    methods = sorted(name for name in vars(Traced) if not name.startswith('_')
                     and name not in ('tensor', 'fresh'))
    operators = ['x + y', 'x - y', 'x * y', 'x / y', 'x ** y', 'x @ y', '-x', 'abs(x)',
                 'x < y (and <=, >, >=, ==, !=: constant masks)', 'x[index]', 'x[index] = v',
                 'x += y (and -=, *=, /=)', 'len(x)']
    return {
        'ufuncs with a derivative': [f'np.{n}' for n in sorted(numpy_api.UFUNCS)],
        'ufuncs that are constant (derivative 0)': [f'np.{n}' for n in
                                                    sorted(numpy_api.CONSTANT_UFUNCS)],
        'functions': sorted(f'np.{f.__name__}' for f in numpy_api.FUNCTIONS) + ['np.add.at'],
        'array methods and attributes': methods,
        'operators': operators,
    }
