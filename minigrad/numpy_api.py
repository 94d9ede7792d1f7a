"""NumPy's functions on Tensors: how one derivative rule serves arrays and graphs.

Every op in `minigrad/ops/` is written against NumPy's API (`x * y`, `np.exp(x)`,
`np.where(c, a, b)`, `x.sum(axis=..., keepdims=True)`). Given arrays, that is plain
NumPy: the fast path of ordinary backward. When `backward(create_graph=True)` needs
a gradient that is itself differentiable, it runs the same forward and backward on
the op's input Tensors, each seen through `Traced` (below): NumPy hands every call
on them to `__array_ufunc__` / `__array_function__`, and the tables map it onto
Tensor ops, which record a graph. One derivative rule, two ways to run it.

The same tables serve a plain Tensor given to NumPy (`np.exp(t)` is `t.exp()`).

Functions that are constant almost everywhere (sign, comparisons, isnan, ...)
return plain arrays: their derivative is 0, so they enter the graph as constants.
"""
import numpy as np

from . import autograd
from .ops import elementwise as ew
from .ops import shape as sh
from .tensor import Tensor, _as_tensor, _promote, cat, stack


def _arrays(values):
    """Tensors (also inside lists and tuples) as their arrays, for NumPy itself."""
    if isinstance(values, Tensor):
        if values.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError("this NumPy function has no derivative in minigrad, so it cannot take "
                               "a tensor that requires grad (the result would not be in the graph); "
                               "use the tensor's own methods, or t.detach().numpy() for the values")
        return values._array
    if isinstance(values, (list, tuple)):
        return type(values)(_arrays(v) for v in values)
    return values


def _logaddexp(a, b):
    a = _as_tensor(a, b)
    peak = a.maximum(b)
    return peak + (-(a - b).abs()).exp().log1p()


def _copysign(a, b):
    a = _as_tensor(a)
    return _where(np.signbit(b._array if isinstance(b, Tensor) else b), -a.abs(), a.abs())


# ufuncs with a derivative: name -> Tensor function
UFUNCS = {
    'add': lambda a, b: _as_tensor(a, b) + b,
    'subtract': lambda a, b: _as_tensor(a, b) - b,
    'multiply': lambda a, b: _as_tensor(a, b) * b,
    'divide': lambda a, b: _as_tensor(a, b) / b,
    'power': lambda a, b: _as_tensor(a, b) ** b,
    'matmul': lambda a, b: _as_tensor(a, b) @ b,
    'negative': lambda a: -a,
    'positive': lambda a: a,
    'exp': lambda a: a.exp(),
    'log': lambda a: a.log(),
    'log1p': lambda a: a.log1p(),
    'expm1': lambda a: a.expm1(),
    'sqrt': lambda a: a.sqrt(),
    'square': lambda a: a * a,
    'reciprocal': lambda a: 1 / a,
    'absolute': lambda a: a.abs(),
    'sin': lambda a: a.sin(),
    'cos': lambda a: a.cos(),
    'tanh': lambda a: a.tanh(),
    'maximum': lambda a, b: _as_tensor(a, b).maximum(b),
    'minimum': lambda a, b: _as_tensor(a, b).minimum(b),
    'logaddexp': _logaddexp,
    'copysign': _copysign,
}

# ufuncs that are constant almost everywhere: computed on the arrays, derivative 0
CONSTANT_UFUNCS = {
    'sign', 'signbit', 'floor', 'ceil', 'trunc', 'rint', 'isnan', 'isinf', 'isfinite',
    'greater', 'greater_equal', 'less', 'less_equal', 'equal', 'not_equal',
    'logical_and', 'logical_or', 'logical_not', 'logical_xor',
}


def apply_ufunc(ufunc, method, inputs, kwargs):
    """What `np.<ufunc>(...)` with a Tensor among `inputs` does."""
    name = ufunc.__name__
    if method == '__call__' and not kwargs:
        if name in UFUNCS:
            return UFUNCS[name](*inputs)
        if name in CONSTANT_UFUNCS:
            return ufunc(*[x._array if isinstance(x, Tensor) else x for x in inputs])
    out = kwargs.get('out')
    if out is not None and any(isinstance(o, Tensor) for o in out):
        raise TypeError(f"NumPy cannot write into a minigrad Tensor (out=...); use the tensor's own "
                        f"in-place methods, e.g. t += x or t.add_(x)")
    return getattr(ufunc, method)(*_arrays(inputs), **kwargs)


# ---------------------------------------------------------------- functions

def _axis_args(axis, keepdims):
    return dict(dim=axis if not isinstance(axis, list) else tuple(axis), keepdim=bool(keepdims))


def _where(condition, x, y):
    like = x if isinstance(x, Tensor) else y
    condition = condition._array if isinstance(condition, Tensor) else np.asarray(condition)
    return ew.Where.apply(Tensor._wrap(condition.astype(bool)),
                          *_promote(_as_tensor(x, like), _as_tensor(y, like)))


def _clip(a, a_min=None, a_max=None):
    a = _as_tensor(a)
    if a_min is not None and np.ndim(_arrays(a_min)):
        a = a.maximum(a_min)
        a_min = None
    if a_max is not None and np.ndim(_arrays(a_max)):
        a = a.minimum(a_max)
        a_max = None
    return a if a_min is None and a_max is None else a.clamp(a_min, a_max)


def _expand_dims(a, axis):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    shape = list(a.shape)
    for ax in sorted(d % (a.ndim + len(axes)) for d in axes):
        shape.insert(ax, 1)
    return a.reshape(*shape)


def _moveaxis(a, source, destination):
    order = [d for d in range(a.ndim) if d != source % a.ndim]
    order.insert(destination % a.ndim, source % a.ndim)
    return a.permute(*order)


def _split(a, indices_or_sections, axis=0):
    n = a.shape[axis]
    if isinstance(indices_or_sections, int):
        step = n // indices_or_sections
        bounds = list(range(step, n, step))[:indices_or_sections - 1]
    else:
        bounds = list(indices_or_sections)
    starts, stops = [0] + bounds, bounds + [n]
    index = [slice(None)] * a.ndim
    pieces = []
    for start, stop in zip(starts, stops):
        index[axis] = slice(start, stop)
        pieces.append(a[tuple(index)])
    return pieces


def _constant_like(fill):
    def like(a, dtype=None, shape=None, **_):
        array = a._array if isinstance(a, Tensor) else np.asarray(a)
        shape = array.shape if shape is None else shape
        return Tensor._wrap(np.full(shape, fill, dtype=array.dtype if dtype is None else dtype))
    return like


def _reduce(method):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, **_):
        return getattr(_as_tensor(a), method)(**_axis_args(axis, keepdims))
    return reduce


FUNCTIONS = {
    np.where: _where,
    np.clip: _clip,
    np.expand_dims: _expand_dims,
    np.squeeze: lambda a, axis=None: a.squeeze(axis),
    np.swapaxes: lambda a, axis1, axis2: a.transpose(axis1, axis2),
    np.moveaxis: _moveaxis,
    np.transpose: lambda a, axes=None: a.permute(*(axes or range(a.ndim)[::-1])),
    np.reshape: lambda a, newshape=None, shape=None, **_: a.reshape(shape or newshape),
    np.broadcast_to: lambda array, shape, **_: array.expand(*shape),
    np.concatenate: lambda arrays, axis=0, **_: cat([_as_tensor(a) for a in arrays], axis),
    np.stack: lambda arrays, axis=0, **_: stack([_as_tensor(a) for a in arrays], axis),
    np.split: _split,
    np.sum: _reduce('sum'),
    np.mean: _reduce('mean'),
    np.max: _reduce('amax'),
    np.amax: _reduce('amax'),
    np.min: _reduce('amin'),
    np.amin: _reduce('amin'),
    np.take_along_axis: lambda arr, indices, axis: sh.TakeAlong.apply(
        arr, indices=_arrays(indices), dim=axis),
    np.zeros_like: _constant_like(0),
    np.ones_like: _constant_like(1),
    np.empty_like: _constant_like(0),
    np.copy: lambda a, **_: a.clone(),
    np.size: lambda a, axis=None: a._array.size if axis is None else a._array.shape[axis],
    np.shape: lambda a: a._array.shape,
    np.ndim: lambda a: a._array.ndim,
}


def apply_function(func, args, kwargs):
    """What `np.<func>(...)` with a Tensor among its arguments does."""
    if func in FUNCTIONS:
        return FUNCTIONS[func](*args, **kwargs)
    return func(*_arrays(args), **{k: _arrays(v) for k, v in kwargs.items()})


# ------------------------------------------------- Tensors as NumPy sees them

def _unwrap(x):
    if isinstance(x, Traced):
        return x.tensor
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    return x


def _wrap(x):
    if isinstance(x, Tensor):
        return Traced(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_wrap(v) for v in x)
    return x


def _binary(method):
    def op(self, other):
        return Traced(getattr(self.tensor, method)(_unwrap(other)))
    return op


def _compare(ufunc):
    def op(self, other):                    # a mask: constant, derivative 0
        other = other.tensor._array if isinstance(other, Traced) else other
        return ufunc(self.tensor._array, other)
    return op


def _inplace(method):
    def op(self, other):
        getattr(self.tensor, method)(_unwrap(other))
        return self
    return op


class Traced:
    """A Tensor behind NumPy's interface, for running an op's own forward and backward on
    Tensors: `x.sum(axis=0, keepdims=True)`, `x.max(axis=1)`, `x.astype(...)`, `x.size`,
    `np.where(...)` mean what they mean for arrays, and every result is a Tensor in the graph."""

    __slots__ = ('tensor',)
    __array_priority__ = 2000

    def __init__(self, tensor):
        self.tensor = tensor

    shape = property(lambda self: tuple(self.tensor._array.shape))
    ndim = property(lambda self: self.tensor._array.ndim)
    dtype = property(lambda self: self.tensor._array.dtype)
    size = property(lambda self: self.tensor._array.size)
    base = None

    @property
    def T(self):
        return Traced(self.tensor.permute(*range(self.ndim)[::-1]))

    __add__, __radd__ = _binary('__add__'), _binary('__radd__')
    __sub__, __rsub__ = _binary('__sub__'), _binary('__rsub__')
    __mul__, __rmul__ = _binary('__mul__'), _binary('__rmul__')
    __truediv__, __rtruediv__ = _binary('__truediv__'), _binary('__rtruediv__')
    __pow__, __rpow__ = _binary('__pow__'), _binary('__rpow__')
    __matmul__, __rmatmul__ = _binary('__matmul__'), _binary('__rmatmul__')
    __iadd__, __isub__ = _inplace('__iadd__'), _inplace('__isub__')
    __imul__, __itruediv__ = _inplace('__imul__'), _inplace('__itruediv__')
    __lt__, __le__ = _compare(np.less), _compare(np.less_equal)
    __gt__, __ge__ = _compare(np.greater), _compare(np.greater_equal)
    __eq__, __ne__ = _compare(np.equal), _compare(np.not_equal)
    __hash__ = object.__hash__

    def __neg__(self):
        return Traced(-self.tensor)

    def __abs__(self):
        return Traced(self.tensor.abs())

    def __len__(self):
        return len(self.tensor)

    def __getitem__(self, index):
        return Traced(self.tensor[_unwrap(index)])

    def __setitem__(self, index, value):
        self.tensor[_unwrap(index)] = _unwrap(value)

    def __array__(self, dtype=None, copy=None):
        raise TypeError('an op wrote a traced Tensor into a NumPy array, which would cut it from '
                        'the graph; build the result with np.zeros_like(x, shape=...) instead')

    def sum(self, axis=None, dtype=None, keepdims=False):
        return Traced(self.tensor.sum(**_axis_args(axis, keepdims)))

    def mean(self, axis=None, dtype=None, keepdims=False):
        return Traced(self.tensor.mean(**_axis_args(axis, keepdims)))

    def max(self, axis=None, keepdims=False):
        return Traced(self.tensor.amax(**_axis_args(axis, keepdims)))

    def min(self, axis=None, keepdims=False):
        return Traced(self.tensor.amin(**_axis_args(axis, keepdims)))

    def prod(self, axis=None, keepdims=False):
        return Traced(self.tensor.prod(**_axis_args(axis, keepdims)))

    def reshape(self, *shape):
        return Traced(self.tensor.reshape(*shape))

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list, np.ndarray)) else axes
        return Traced(self.tensor.permute(*[int(a) for a in axes] or range(self.ndim)[::-1]))

    def squeeze(self, axis=None):
        return Traced(self.tensor.squeeze(axis))

    def astype(self, dtype, copy=True):
        dtype = np.dtype(dtype)
        return Traced(self.tensor.to(dtype)) if dtype.kind == 'f' else self.tensor._array.astype(dtype)

    def copy(self):
        return Traced(self.tensor.clone())

    def any(self, *args, **kwargs):
        return self.tensor._array.any(*args, **kwargs)

    def all(self, *args, **kwargs):
        return self.tensor._array.all(*args, **kwargs)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == 'at' and ufunc is np.add:          # np.add.at(full, index, values)
            full, index, values = inputs
            full.tensor = sh.IndexAdd.apply(full.tensor, _unwrap(values), index=_unwrap(index))
            return None
        return _wrap(apply_ufunc(ufunc, method, _unwrap(inputs), _unwrap(kwargs)))

    def __array_function__(self, func, types, args, kwargs):
        return _wrap(apply_function(func, _unwrap(args), {k: _unwrap(v) for k, v in kwargs.items()}))
