"""Checks and logic: comparisons as functions, all/any, allclose/isclose/equal, isnan/isinf/isfinite,
the logical ops, nonzero, count_nonzero, unique, bincount. Their results are constants (bool or
integer tensors): nothing here has a derivative.

`minigrad/__init__.py` star-imports this module, so its `__all__` also carries the dtype helpers
written in dtypes.py (finfo, iinfo, get/set_default_dtype) and printing.py's set_printoptions.
"""
import builtins

import numpy as np

from .dims import _numpy_names, _wrap_dim
from .dtypes import _promote, finfo, get_default_dtype, iinfo, set_default_dtype
from .functions import _into
from .methods import tensor_method
from .printing import set_printoptions
from .ops import elementwise as ew
from .tensor import Tensor, _as_tensor

__all__ = ['all', 'any', 'allclose', 'isclose', 'equal', 'isnan', 'isinf', 'isfinite',
           'count_nonzero', 'nonzero', 'logical_and', 'logical_or', 'logical_xor', 'logical_not',
           'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'greater', 'greater_equal', 'less', 'less_equal',
           'not_equal', 'unique', 'bincount', 'is_floating_point', 'is_complex', 'is_nonzero',
           'finfo', 'iinfo', 'get_default_dtype', 'set_default_dtype', 'set_printoptions']


def _tensor(value, name, arg='input'):
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' must be Tensor, not {type(value).__name__}")
    return value


def _broadcast(a, b):
    """The broadcast shape of two arrays, or PyTorch's RuntimeError naming the clashing dim."""
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        pass
    ndim = builtins.max(a.ndim, b.ndim)
    sa, sb = (1,) * (ndim - a.ndim) + a.shape, (1,) * (ndim - b.ndim) + b.shape
    dim = next(i for i in range(ndim) if sa[i] != sb[i] and 1 not in (sa[i], sb[i]))
    raise RuntimeError(f'The size of tensor a ({sa[dim]}) must match the size of tensor b '
                       f'({sb[dim]}) at non-singleton dimension {dim}')


def _operands(input, other):
    """Both operands as arrays in their promoted dtype (a Python number takes the tensor's kind)."""
    a = _as_tensor(input, other if isinstance(other, Tensor) else None)
    b = _as_tensor(other, a)
    if a._array.dtype != b._array.dtype:
        a, b = _promote(a, b)
    _broadcast(a._array, b._array)
    return a._array, b._array


def _truth(array):
    return array if array.dtype.kind == 'b' else array != 0


# ------------------------------------------------------------ comparisons

def _comparison(name, ufunc, symbol):
    """`name(input, other, *, out=None)`, its Tensor method and its in-place form."""
    def compare(input, other, *, out=None):     # noqa: A002 (PyTorch's names)
        return _into(out, Tensor._wrap(np.asarray(ufunc(*_operands(input, other)))))
    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = (f'`input {symbol} other` elementwise, broadcast, compared in the promoted '
                       f'dtype: a bool tensor. In place (`t.{name}_(other)`), t gets 1 or 0.')
    _in_place(compare)
    return tensor_method(compare)


def _in_place(fn):
    """`Tensor.<name>_`: t becomes fn(t, other) as 1 or 0 in t's dtype. Inside a graph the result
    is tied to t's old value and to `other` by a derivative of 0 (PyTorch's EqBackward...)."""
    name = fn.__name__ + '_'

    def compute(old, *others):
        values = Tensor._wrap(fn(old, *others)._array.astype(old._array.dtype))
        tensors = [t for t in (old, *others) if isinstance(t, Tensor) and t.requires_grad]
        return ew.Tied.apply(values, *tensors) if tensors else values

    def method(self, *others):
        return self._inplace(name, compute, *others)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f'In place: `t.{name}(...)` makes t its own `{fn.__name__}(...)`, 1 or 0.'
    tensor_method(method)


eq = _comparison('eq', np.equal, '==')
ne = _comparison('ne', np.not_equal, '!=')
lt = _comparison('lt', np.less, '<')
le = _comparison('le', np.less_equal, '<=')
gt = _comparison('gt', np.greater, '>')
ge = _comparison('ge', np.greater_equal, '>=')
# PyTorch's other names for them
not_equal = _comparison('not_equal', np.not_equal, '!=')
less = _comparison('less', np.less, '<')
less_equal = _comparison('less_equal', np.less_equal, '<=')
greater = _comparison('greater', np.greater, '>')
greater_equal = _comparison('greater_equal', np.greater_equal, '>=')


def _logical(name, ufunc, word):
    def logical(input, other, *, out=None):     # noqa: A002
        a, b = _operands(_tensor(input, name), _tensor(other, name, 'other'))
        return _into(out, Tensor._wrap(np.asarray(ufunc(_truth(a), _truth(b)))))
    logical.__name__ = logical.__qualname__ = name
    logical.__doc__ = (f'`input {word} other` elementwise, each element read as true when nonzero: '
                       f'a bool tensor. In place (`t.{name}_(other)`), t gets 1 or 0.')
    _in_place(logical)
    return tensor_method(logical)


logical_and = _logical('logical_and', np.logical_and, 'and')
logical_or = _logical('logical_or', np.logical_or, 'or')
logical_xor = _logical('logical_xor', np.logical_xor, 'xor')


@tensor_method
def logical_not(input, *, out=None):            # noqa: A002
    """`not input` elementwise (true where an element is 0): a bool tensor."""
    return _into(out, Tensor._wrap(np.asarray(~_truth(_tensor(input, 'logical_not')._array))))


_in_place(logical_not)


# ------------------------------------------------------------ reductions

def _dims(dim, ndim):
    """`dim` (None, an int or a tuple) as NumPy's axis: None for all dims, () for none (PyTorch
    reads `dim=()` as no dim here, unlike sum). Repeated dims raise PyTorch's error."""
    if dim is None:
        return None
    dims = [_wrap_dim(d, ndim) for d in ((dim,) if isinstance(dim, (int, np.integer)) else dim)]
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f'dim {d} appears multiple times in the list of dims')
    return tuple(dims) if ndim else ()


def _all_or_any(reduce, input, dim, keepdim, out):
    array = _tensor(input, reduce.__name__)._array
    result = np.asarray(reduce(_truth(array), axis=_dims(dim, array.ndim), keepdims=keepdim))
    if array.dtype == np.uint8:                 # PyTorch keeps uint8 (its old bool)
        result = result.astype(np.uint8)
    return _into(out, Tensor._wrap(result))


@tensor_method
@_numpy_names               # axis= and keepdims= too, as PyTorch takes them
def all(input, dim=None, keepdim=False, *, out=None):      # noqa: A001 A002
    """True where every element (along `dim`, an int or a tuple) is nonzero; bool (uint8 stays uint8)."""
    return _all_or_any(np.all, input, dim, keepdim, out)


@tensor_method
@_numpy_names
def any(input, dim=None, keepdim=False, *, out=None):      # noqa: A001 A002
    """True where some element (along `dim`, an int or a tuple) is nonzero; bool (uint8 stays uint8)."""
    return _all_or_any(np.any, input, dim, keepdim, out)


@tensor_method
def count_nonzero(input, dim=None):             # noqa: A002
    """How many elements (along `dim`, an int or a tuple; `()` means every dim here, unlike in
    all/any, as in PyTorch) are nonzero: int64."""
    array = _tensor(input, 'count_nonzero')._array
    axes = _dims(dim, array.ndim) or None
    return Tensor._wrap(np.asarray(np.count_nonzero(array, axis=axes), np.int64))


# ----------------------------------------------------------- closeness

@tensor_method
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):     # noqa: A002
    """`|input - other| <= atol + rtol * |other|` elementwise (equal infinities are close; NaNs
    only with equal_nan), computed in the inputs' dtype, which must be the same (PyTorch);
    integers and bools as numbers."""
    a, b = _tensor(input, 'isclose')._array, _tensor(other, 'isclose', 'other')._array
    if a.dtype != b.dtype:
        raise RuntimeError(f'isclose(): {a.dtype} did not match {b.dtype}; convert one, e.g. '
                           f'other.to(input.dtype)')
    for name, value in (('rtol', rtol), ('atol', atol)):
        if value < 0:
            raise RuntimeError(f'{name} must be greater than or equal to zero, but got {value}')
    _broadcast(a, b)
    close = a == b
    if a.dtype.kind in 'fc':
        with np.errstate(invalid='ignore', over='ignore'):
            near = np.abs(a - b) <= a.dtype.type(atol) + a.dtype.type(rtol) * np.abs(b)
        close = close | (near & np.isfinite(a) & np.isfinite(b))
        if equal_nan:
            close = close | (np.isnan(a) & np.isnan(b))
    else:                                       # integers and bools: as numbers, in float64
        a, b = a.astype(np.float64), b.astype(np.float64)
        close = close | (np.abs(a - b) <= atol + rtol * np.abs(b))
    return Tensor._wrap(np.asarray(close))


@tensor_method
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):    # noqa: A002
    """Whether every element of `isclose(input, other, ...)` is true: a Python bool."""
    return builtins.bool(np.all(isclose(input, other, rtol, atol, equal_nan)._array))


@tensor_method
def equal(input, other):                        # noqa: A002
    """Whether the two tensors have the same shape and the same values (NaN equals nothing): a
    Python bool. Their dtypes may differ."""
    a, b = _tensor(input, 'equal')._array, _tensor(other, 'equal', 'other')._array
    return a.shape == b.shape and builtins.bool(np.all(a == b))


@tensor_method
def isnan(input):                               # noqa: A002
    """True where an element is NaN (never for integers): a bool tensor."""
    return Tensor._wrap(np.asarray(np.isnan(_tensor(input, 'isnan')._array)))


@tensor_method
def isinf(input):                               # noqa: A002
    """True where an element is +inf or -inf: a bool tensor."""
    return Tensor._wrap(np.asarray(np.isinf(_tensor(input, 'isinf')._array)))


@tensor_method
def isfinite(input):                            # noqa: A002
    """True where an element is neither infinite nor NaN: a bool tensor."""
    return Tensor._wrap(np.asarray(np.isfinite(_tensor(input, 'isfinite')._array)))


# -------------------------------------------------------- where and what

@tensor_method
def nonzero(input, *, out=None, as_tuple=False):    # noqa: A002
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, one row per element in
    row-major order; with as_tuple, one 1-D tensor per dim (a 0-d input counts as 1-D)."""
    array = _tensor(input, 'nonzero')._array
    if as_tuple:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(array)))
    return _into(out, Tensor._wrap(np.argwhere(array).astype(np.int64)))


@tensor_method
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The distinct elements (or, with `dim`, the distinct slices along it), in ascending order;
    with return_inverse, where each element went (int64, the input's shape, or its length along
    `dim`); with return_counts, how often each occurs (int64). NaNs are each distinct. PyTorch's
    CPU sorts even when sorted=False, and so does minigrad."""
    array = _tensor(input, 'unique')._array
    axis = None if dim is None else _wrap_dim(dim, array.ndim)
    if axis is not None and array.ndim == 0:
        raise IndexError(f'unique(): dim {dim} is out of range for a 0-d tensor')
    values, inverse, counts = np.unique(array, return_inverse=True, return_counts=True, axis=axis,
                                        equal_nan=False)
    inverse = inverse.reshape(array.shape if axis is None else -1).astype(np.int64)
    extras = [Tensor._wrap(inverse)] * return_inverse + [Tensor._wrap(counts.astype(np.int64))] * return_counts
    return (Tensor._wrap(values), *extras) if extras else Tensor._wrap(values)


@tensor_method
def bincount(input, weights=None, minlength=0):     # noqa: A002
    """How often each of 0, 1, ..., max(input) occurs in the 1-D non-negative integer `input`
    (at least `minlength` counts): int64; with `weights`, the sum of the weights at each value
    (float32 weights give float32, any other dtype float64)."""
    array = _tensor(input, 'bincount')._array
    if array.dtype.kind not in 'iu':
        raise NotImplementedError(f'"bincount_cpu" not implemented for {array.dtype}: give it a '
                                  f'1-d non-negative integer tensor')
    if array.ndim != 1 or (array.size and array.min() < 0):
        raise RuntimeError(f'bincount only supports 1-d non-negative integral inputs (got shape '
                           f'{tuple(array.shape)}{", with negative values" if array.ndim == 1 else ""})')
    if minlength < 0:
        raise RuntimeError(f'minlength should be >= 0, got {minlength}')
    if weights is None:
        return Tensor._wrap(np.bincount(array, minlength=minlength).astype(np.int64))
    w = _tensor(weights, 'bincount', 'weights')._array
    if w.shape != array.shape:
        raise RuntimeError(f'weights should be 1-d and have the same length as input (input: '
                           f'{tuple(array.shape)}, weights: {tuple(w.shape)})')
    dtype = np.float32 if w.dtype == np.float32 else np.float64
    return Tensor._wrap(np.bincount(array, w.astype(np.float64), minlength).astype(dtype))


# ------------------------------------------------------------ tensor checks

def is_floating_point(input):                   # noqa: A002
    """Whether `input`'s dtype is a floating point one (`Tensor.is_floating_point()` as a function)."""
    return _tensor(input, 'is_floating_point').is_floating_point()


@tensor_method
def is_complex(input):                          # noqa: A002
    """Whether `input`'s dtype is a complex one."""
    return _tensor(input, 'is_complex')._array.dtype.kind == 'c'


@tensor_method
def is_nonzero(input):                          # noqa: A002
    """The truth of a one-element tensor (`bool(t)`); PyTorch's error for any other size."""
    size = _tensor(input, 'is_nonzero')._array.size
    if size != 1:
        how = 'no values' if size == 0 else 'more than one value'
        raise RuntimeError(f'Boolean value of Tensor with {how} is ambiguous')
    return builtins.bool(input._array.reshape(()) != 0)
