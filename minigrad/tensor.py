"""The Tensor: a NumPy array, an optional gradient, and the op that made it.

Every differentiable method is one line that applies an op from
`minigrad/ops/`, where its forward and backward stand side by side.
"""
import collections

import numpy as np

from . import autograd
from .ops import activations as act
from .ops import elementwise as ew
from .ops import linalg
from .ops import reductions as red
from .ops import shape as sh

float32, float64, int64 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

_values_indices = collections.namedtuple('values_indices', ['values', 'indices'])


def _to_array(data, dtype=None):
    """Python floats -> float32, ints -> int64, bools -> bool; NumPy input keeps its dtype."""
    if isinstance(data, Tensor):
        data = data._array
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype))
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)
    array = np.array(data)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    elif array.dtype.kind == 'i':
        array = array.astype(np.int64)
    elif array.dtype.kind not in 'bf':
        raise TypeError(f'tensor() expects numbers, (nested) lists of numbers or a NumPy array, '
                        f'got data of NumPy dtype {array.dtype}')
    return array


def _check_can_require_grad(array):
    if array.dtype.kind != 'f':
        raise RuntimeError(f'only Tensors of floating point dtype can require gradients '
                           f'(this one is {array.dtype}); pass dtype=mg.float32 to make one')


class Tensor:
    """A multi-dimensional array that can record the ops applied to it.

    `Tensor(data, requires_grad=False, dtype=None)`: Python floats become
    float32, Python ints int64, bools bool; a NumPy array keeps its dtype.
    """

    __slots__ = ('_array', 'grad', 'requires_grad', 'grad_fn', '_hooks', '_history', '_base',
                 '_accumulator', '__weakref__')
    __array_priority__ = 1000               # ndarray <op> Tensor defers to Tensor

    def __init__(self, data, requires_grad=False, dtype=None):
        self._array = _to_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array, requires_grad=False):
        """A Tensor around `array` without copying or checks (the fast path for internals)."""
        t = cls.__new__(cls)
        t._array = array if type(array) is np.ndarray else np.asarray(array)
        t.grad = None
        t.grad_fn = None
        t._hooks = None
        t.requires_grad = requires_grad
        return t

    # ------------------------------------------------------------ attributes
    @property
    def data(self):
        """This tensor's values as a new Tensor sharing its storage, cut from the graph."""
        return Tensor._wrap(self._array)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f'Tensor.data must be set to a Tensor, got {type(value).__name__}; '
                            f'wrap it: t.data = mg.tensor(values)')
        self._array = value._array

    @property
    def shape(self):
        return self._array.shape

    @property
    def ndim(self):
        return self._array.ndim

    @property
    def dtype(self):
        return self._array.dtype

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def T(self):
        if self.ndim != 2:
            raise ValueError(f'.T expects a 2-D tensor, got {self.ndim}-D; use permute() for other ranks')
        return self.permute(1, 0)

    def item(self):
        if self._array.size != 1:
            raise ValueError(f'item() needs a tensor with one element, got shape {self.shape}')
        return self._array.item()

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._array

    def tolist(self):
        return self._array.tolist()

    def numel(self):
        return self._array.size

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[dim]

    def __len__(self):
        if self.ndim == 0:
            raise TypeError('len() of a 0-d tensor')
        return self.shape[0]

    def __hash__(self):
        return id(self)

    def __bool__(self):
        if self._array.size != 1:
            raise RuntimeError(f'Boolean value of Tensor with {self._array.size} elements is ambiguous; '
                               f'use .any() or .all() on ._array')
        return bool(self._array)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:          # np.exp(t) would silently drop the gradient
            raise RuntimeError("Can't convert a Tensor that requires grad to a NumPy array: "
                               "the result would not be in the graph. Use the tensor's own "
                               "methods (t.exp(), mg.exp(t)) or t.detach().numpy() for the values.")
        return self._array if dtype is None else self._array.astype(dtype)

    # -------------------------------------------------------------- autograd
    def detach(self):
        """The same data, cut from the graph."""
        return Tensor._wrap(self._array)

    def requires_grad_(self, requires_grad=True):
        if requires_grad:
            _check_can_require_grad(self._array)
        elif self.grad_fn is not None:
            raise RuntimeError('you can only change requires_grad flags of leaf tensors; '
                               'use detach() to cut a tensor from the graph')
        self.requires_grad = requires_grad
        return self

    def retain_grad(self):
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            autograd.retain(self)

    def register_hook(self, hook):
        """Calls hook(grad) when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            self.grad_fn.hooks = (self.grad_fn.hooks or []) + [hook]
        else:
            self._hooks = (self._hooks or []) + [hook]
        return hook

    def zero_(self):
        self._array[...] = 0
        return self

    def backward(self, gradient=None, retain_graph=False):
        """Computes d self / d leaf for every leaf that requires grad, adding it to `leaf.grad`."""
        if not self.requires_grad:
            why = ('integer and bool tensors never do' if self.dtype.kind != 'f' else
                   'set requires_grad=True on the inputs you want gradients for, '
                   'and do not compute it under no_grad()')
            raise RuntimeError(f'element 0 of tensors does not require grad and does not have '
                               f'a grad_fn: {why}')
        if gradient is None:
            if self._array.size != 1:
                raise RuntimeError(f'grad can be implicitly created only for scalar outputs; this '
                                   f'tensor has shape {self.shape}: call .sum() first or pass '
                                   f'backward(gradient=...) of that shape')
            grad = np.ones(self.shape, self.dtype)
        else:
            grad = np.asarray(gradient._array if isinstance(gradient, Tensor) else gradient,
                              dtype=self.dtype)
            if grad.shape != self.shape:
                raise RuntimeError(f'backward(gradient=...) needs the shape of the tensor, '
                                   f'{self.shape}, got {grad.shape}')
        autograd.backward(self, grad, retain_graph)

    # ------------------------------------------------------------- operators
    def _lift(self, other):
        """A Python number or array as a constant Tensor; numbers take this tensor's float dtype."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float)) and self._array.dtype.kind == 'f':
            return _constant(other, self._array.dtype)
        return Tensor._wrap(_to_array(other))

    def __add__(self, other):
        return _binary(ew.Add, self, other)

    def __radd__(self, other):
        return _binary(ew.Add, self, other, reflected=True)

    def __sub__(self, other):
        return _binary(ew.Sub, self, other)

    def __rsub__(self, other):
        return _binary(ew.Sub, self, other, reflected=True)

    def __mul__(self, other):
        return _binary(ew.Mul, self, other)

    def __rmul__(self, other):
        return _binary(ew.Mul, self, other, reflected=True)

    def __truediv__(self, other):
        return _binary(ew.Div, self, other)

    def __rtruediv__(self, other):
        return _binary(ew.Div, self, other, reflected=True)

    def __pow__(self, other):
        return _binary(ew.Pow, self, other)

    def __rpow__(self, other):
        return _binary(ew.Pow, self, other, reflected=True)

    def __neg__(self):
        return ew.Neg.apply(self)

    def __matmul__(self, other):
        other = self._lift(other)
        _check_matmul(self.shape, other.shape)
        return linalg.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return self._lift(other).__matmul__(self)

    def _compare(self, other, op):
        other = other._array if isinstance(other, Tensor) else other
        return Tensor._wrap(op(self._array, other))

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __getitem__(self, index):
        return sh.Index.apply(self, index=_to_index(index))

    # ------------------------------------------------------------------ math
    def _float(self):
        """Itself if floating point, else a float32 copy: exp, log, ... of integers give float32 (PyTorch)."""
        return self if self._array.dtype.kind == 'f' else Tensor._wrap(self._array.astype(np.float32))

    def exp(self):
        return ew.Exp.apply(self._float())

    def log(self):
        return ew.Log.apply(self._float())

    def sqrt(self):
        return ew.Sqrt.apply(self._float())

    def abs(self):
        return ew.Abs.apply(self)

    def sin(self):
        return ew.Sin.apply(self._float())

    def cos(self):
        return ew.Cos.apply(self._float())

    def tanh(self):
        return act.Tanh.apply(self._float())

    def sigmoid(self):
        return act.Sigmoid.apply(self._float())

    def relu(self):
        return act.ReLU.apply(self)

    def softmax(self, dim):
        return act.Softmax.apply(self, dim=dim)

    def log_softmax(self, dim):
        return act.LogSoftmax.apply(self, dim=dim)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise ValueError('clamp() needs at least one of min and max')
        return ew.Clamp.apply(self, min=min, max=max)

    def pow(self, exponent):
        return self ** exponent

    def maximum(self, other):
        return _binary(ew.Maximum, self, other)

    def minimum(self, other):
        return _binary(ew.Minimum, self, other)

    # ------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False):
        return red.Sum.apply(self, dim=self._dim(dim), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False):
        if self.dtype.kind != 'f':
            raise RuntimeError(f'mean() needs a floating point tensor, got {self.dtype}; '
                               f'convert first, e.g. mg.tensor(t._array, dtype=mg.float32)')
        return red.Mean.apply(self, dim=self._dim(dim), keepdim=keepdim)

    def var(self, dim=None, unbiased=True, keepdim=False):
        return red.Var.apply(self, dim=self._dim(dim), keepdim=keepdim, unbiased=unbiased)

    def amax(self, dim=None, keepdim=False):
        return red.AMax.apply(self, dim=self._dim(dim), keepdim=keepdim)

    def amin(self, dim=None, keepdim=False):
        return red.AMin.apply(self, dim=self._dim(dim), keepdim=keepdim)

    def logsumexp(self, dim=None, keepdim=False):
        return red.LogSumExp.apply(self, dim=self._dim(dim), keepdim=keepdim)

    def max(self, dim=None, keepdim=False):
        """The largest element, or with `dim` the pair (values, indices) along it."""
        if dim is None:
            return self.amax()
        return self._extreme_along(np.argmax, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        """The smallest element, or with `dim` the pair (values, indices) along it."""
        if dim is None:
            return self.amin()
        return self._extreme_along(np.argmin, dim, keepdim)

    def _extreme_along(self, arg, dim, keepdim):
        indices = np.expand_dims(arg(self._array, axis=dim), dim)
        values = sh.TakeAlong.apply(self, indices=indices, dim=dim)
        if not keepdim:
            values, indices = values.squeeze(dim), indices.squeeze(dim)
        return _values_indices(values, Tensor._wrap(indices))

    def argmax(self, dim=None, keepdim=False):
        return Tensor._wrap(_arg(np.argmax, self._array, dim, keepdim))

    def argmin(self, dim=None, keepdim=False):
        return Tensor._wrap(_arg(np.argmin, self._array, dim, keepdim))

    def _dim(self, dim):
        """Checks a reduction's `dim` against this tensor's rank; lists become tuples."""
        if dim is None:
            return None
        for d in (dim,) if isinstance(dim, int) else dim:
            if not -self.ndim <= d < max(self.ndim, 1):
                raise IndexError(f'Dimension out of range (expected to be in range of '
                                 f'[{-self.ndim}, {self.ndim - 1}], but got {d})')
        return dim if isinstance(dim, int) else tuple(dim)

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape):
        shape = _shape_arg(shape)
        known = int(np.prod([n for n in shape if n != -1]))
        if -1 in shape:
            valid = shape.count(-1) == 1 and known > 0 and self._array.size % known == 0
        else:
            valid = known == self._array.size
        if not valid:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {self._array.size}")
        return sh.Reshape.apply(self, shape=shape)

    view = reshape

    def permute(self, *dims):
        dims = tuple(_wrap_dim(d, self.ndim) for d in _shape_arg(dims))
        if sorted(dims) != list(range(self.ndim)):
            raise RuntimeError(f'permute(): dims {dims} must be a reordering of the '
                               f'{self.ndim} dims of a tensor of shape {self.shape}')
        return sh.Permute.apply(self, dims=dims)

    def transpose(self, dim0, dim1):
        dims = list(range(self.ndim))
        dim0, dim1 = _wrap_dim(dim0, self.ndim), _wrap_dim(dim1, self.ndim)
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return self.permute(*dims)

    def flatten(self, start_dim=0, end_dim=-1):
        start, end = _wrap_dim(start_dim, self.ndim), _wrap_dim(end_dim, self.ndim)
        if start > end:
            raise RuntimeError(f'flatten() has invalid args: start_dim ({start_dim}) cannot come '
                               f'after end_dim ({end_dim})')
        if self.ndim == 0:
            return self.reshape(1)
        shape = self.shape[:start] + (-1,) + self.shape[end + 1:]
        return self.reshape(*shape)

    def unsqueeze(self, dim):
        dim = _wrap_dim(dim, self.ndim + 1)
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim=None):
        dims = range(self.ndim) if dim is None else [dim] if isinstance(dim, int) else dim
        dims = {_wrap_dim(d, self.ndim) for d in dims}
        return self.reshape(*[n for i, n in enumerate(self.shape) if not (i in dims and n == 1)])

    def expand(self, *shape):
        shape = _shape_arg(shape)
        lead = len(shape) - self.ndim
        shape = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        try:
            np.broadcast_shapes(self.shape, shape)
        except ValueError:
            raise RuntimeError(f'expand(): cannot expand shape {self.shape} to {shape}') from None
        return sh.Expand.apply(self, shape=shape)

    # ------------------------------------------------------------------ repr
    def __repr__(self):
        body = _format(self._array)
        extras = []
        if self.dtype not in (float32, int64, bool_):
            extras.append(f'dtype=minigrad.{self.dtype}')
        if self.grad_fn is not None:
            extras.append(f'grad_fn=<{self.grad_fn.name}>')
        elif self.requires_grad:
            extras.append('requires_grad=True')
        return 'tensor(' + ', '.join([body] + extras) + ')'


autograd.Tensor = Tensor


_constants = {}


def _constant(number, dtype):
    """A Python number as a read-only 0-d constant Tensor of `dtype`. Numbers recur
    (0.5, 2, a learning rate), so each is made once: less work, and fewer objects
    for Python's garbage collector to scan in a deep graph."""
    key = (number, dtype)
    constant = _constants.get(key)
    if constant is None:
        array = np.array(number, dtype=dtype)
        array.flags.writeable = False
        constant = Tensor._wrap(array)
        if number != 0:                     # 0.0 == -0.0 would share a key; zeros are rare
            if len(_constants) >= 1024:
                _constants.clear()
            _constants[key] = constant
    return constant


def _binary(op, a, b, reflected=False):
    """Applies a two-input op to tensor `a` and anything `b` (a tensor, number or array)."""
    b = b if isinstance(b, Tensor) else a._lift(b)
    if a._array.dtype is not b._array.dtype:
        a, b = _promote(a, b)
    return op.apply(b, a) if reflected else op.apply(a, b)


def _promote(a, b):
    """PyTorch's rule for mixed operands: an integer or bool tensor meeting a float one takes its dtype."""
    da, db = a._array.dtype, b._array.dtype
    if da is not db and (da.kind == 'f') != (db.kind == 'f'):
        if da.kind == 'f':
            b = Tensor._wrap(b._array.astype(da))
        else:
            a = Tensor._wrap(a._array.astype(db))
    return a, b


def _wrap_dim(dim, ndim):
    """`dim` counted from the front; an IndexError in PyTorch's words when it is out of range."""
    rank = max(ndim, 1)                 # a 0-d tensor accepts dim 0 and -1, as in PyTorch
    if not -rank <= dim < rank:
        raise IndexError(f'Dimension out of range (expected to be in range of '
                         f'[{-rank}, {rank - 1}], but got {dim})')
    return dim % rank


def _shape_arg(shape):
    """Accepts f(2, 3) and f((2, 3)) alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def _to_index(index):
    """Tensors and lists in an index become NumPy arrays."""
    if isinstance(index, tuple):
        return tuple(_to_index(i) for i in index)
    if isinstance(index, Tensor):
        return index._array
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _arg(arg, data, dim, keepdim):
    if dim is None:
        out = np.asarray(arg(data))
        return out.reshape((1,) * data.ndim) if keepdim else out
    return arg(data, axis=dim, keepdims=keepdim)


def _check_matmul(a, b):
    if not a or not b:
        raise RuntimeError(f'matmul: both arguments need at least 1 dimension, got shapes {a} and {b}')
    inner_a = a[-1]
    inner_b = b[-2] if len(b) > 1 else b[0]
    if inner_a != inner_b:
        raise RuntimeError(f'matmul: shapes {a} and {b} cannot be multiplied '
                           f'({inner_a} columns on the left, {inner_b} rows on the right)')


def _format(data):
    """The array part of repr, in PyTorch's style: `1.`, `1.5000`, `1.0000e-05`."""
    if data.dtype.kind != 'f':
        return np.array2string(data, separator=', ', prefix='tensor(')
    finite = data[np.isfinite(data)]
    integral = finite.size == 0 or np.all(finite == np.round(finite))
    magnitude = np.abs(finite[finite != 0]) if finite.size else finite
    # PyTorch's switch: a range wider than 1000x, or values above 1e8 or below 1e-4
    scientific = magnitude.size and (magnitude.max() / magnitude.min() > 1000
                                     or magnitude.max() > 1e8 or magnitude.min() < 1e-4)
    if scientific:
        fmt = '{:.4e}'.format
    elif integral:
        fmt = lambda v: f'{v:.0f}.' if np.isfinite(v) else f'{v}'    # noqa: E731
    else:
        fmt = '{:.4f}'.format
    width = max((len(fmt(v)) for v in data.flat), default=0)
    formatter = {'float_kind': lambda v: fmt(v).rjust(width)}
    return np.array2string(data, separator=', ', prefix='tensor(', formatter=formatter)


# -------------------------------------------- the same ops as module functions

def tensor(data, requires_grad=False, dtype=None):
    """Same as `Tensor(data, requires_grad, dtype)`."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _as_tensor(x, like=None):
    if isinstance(x, Tensor):
        return x
    return like._lift(x) if like is not None else Tensor._wrap(_to_array(x))


def exp(x): return x.exp()
def log(x): return x.log()
def sqrt(x): return x.sqrt()
def abs(x): return x.abs()                     # noqa: A001 (mirrors torch.abs)
def sin(x): return x.sin()
def cos(x): return x.cos()
def tanh(x): return x.tanh()
def sigmoid(x): return x.sigmoid()
def relu(x): return x.relu()
def softmax(x, dim): return x.softmax(dim)
def log_softmax(x, dim): return x.log_softmax(dim)
def clamp(x, min=None, max=None): return x.clamp(min=min, max=max)   # noqa: A002
def pow(x, exponent): return _as_tensor(x, exponent if isinstance(exponent, Tensor) else None) ** exponent  # noqa: A001
def maximum(a, b): return _as_tensor(a, b).maximum(b)
def minimum(a, b): return _as_tensor(a, b).minimum(b)
def matmul(a, b): return _as_tensor(a, b) @ b


def cat(tensors, dim=0):
    """Joins tensors along an existing dim; each gets back its slice of the gradient."""
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError('cat() needs a non-empty list of tensors')
    first = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.ndim != len(first) or any(a != b for k, (a, b) in enumerate(zip(t.shape, first))
                                       if k != dim % len(first)):
            raise RuntimeError(f'cat(): tensors must have the same shape except in dim {dim}; '
                               f'tensor 0 has shape {first}, tensor {i} has shape {t.shape}')
    return sh.Cat.apply(*tensors, dim=dim)


def stack(tensors, dim=0):
    """Joins equal-shaped tensors along a new dim."""
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError('stack() needs a non-empty list of tensors')
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f'stack expects each tensor to be equal size, but got '
                               f'{tensors[0].shape} at entry 0 and {t.shape} at entry {i}')
    return sh.Stack.apply(*tensors, dim=dim)


def where(condition, input, other):             # noqa: A002 (PyTorch's argument names)
    """Elementwise `input if condition else other`; the gradient follows the choice."""
    condition = _as_tensor(condition)
    if condition.dtype != bool_:
        raise TypeError(f'where expected condition to be a boolean tensor, got {condition.dtype}')
    like = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    return ew.Where.apply(condition, *_promote(_as_tensor(input, like), _as_tensor(other, like)))
