"""NumPy's functions on Tensors: `np.exp(t)` is `t.exp()`, `np.where(c, a, t)` is a Where op.

NumPy hands every call that involves a Tensor to `Tensor.__array_ufunc__` or
`Tensor.__array_function__`; the tables below map it onto Tensor ops, which record a
graph. They serve two callers: a learner who gives a Tensor to NumPy, and
minigrad/autograd/replay.py, which runs an op's own NumPy forward and backward on
Tensors for `create_graph=True`. The tables are what an op may use (see the `ops`
package docstring, or `python -m minigrad.ops --numpy`).

Functions that are constant almost everywhere (sign, comparisons, isnan, ...)
return plain arrays: their derivative is 0, so they enter the graph as constants.
"""
import sys

import numpy as np

from .autograd import mode
from .ops import elementwise as ew
from .ops import shape as sh
from .dtypes import _promote
from .functions import cat, stack
from . import products
from .tensor import Tensor, _as_tensor


def _arrays(values):
    """Tensors (also inside lists and tuples) as their arrays, for NumPy itself."""
    if isinstance(values, Tensor):
        if values.requires_grad and mode.is_grad_enabled():
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
    # elementwise math (pointwise.py): the ufuncs its ops' rules call
    'log2': lambda a: a.log2(),
    'log10': lambda a: a.log10(),
    'exp2': lambda a: a.exp2(),
    'tan': lambda a: a.tan(),
    'arcsin': lambda a: a.asin(),
    'arccos': lambda a: a.acos(),
    'arctan': lambda a: a.atan(),
    'arctan2': lambda a, b: _as_tensor(a, b).atan2(b),
    'sinh': lambda a: a.sinh(),
    'cosh': lambda a: a.cosh(),
    'arcsinh': lambda a: a.asinh(),
    'arccosh': lambda a: a.acosh(),
    'arctanh': lambda a: a.atanh(),
    'hypot': lambda a, b: _as_tensor(a, b).hypot(b),
    'fmod': lambda a, b: _as_tensor(a, b).fmod(b),
    'remainder': lambda a, b: _as_tensor(a, b).remainder(b),
}

# ufuncs that are constant almost everywhere: computed on the arrays, derivative 0
CONSTANT_UFUNCS = {
    'sign', 'signbit', 'floor', 'ceil', 'trunc', 'rint', 'isnan', 'isinf', 'isfinite',
    'greater', 'greater_equal', 'less', 'less_equal', 'equal', 'not_equal',
    'logical_and', 'logical_or', 'logical_not', 'logical_xor',
    # elementwise math (pointwise.py): remainder's rule
    'floor_divide',
}


REPLAYABLE_UFUNCS = set(UFUNCS) | CONSTANT_UFUNCS


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


def _where(condition, x=None, y=None):
    if x is None and y is None:             # NumPy's one-argument form: np.nonzero
        return np.nonzero(condition._array if isinstance(condition, Tensor) else condition)
    if x is None or y is None:
        raise ValueError('either both or neither of x and y should be given')
    like = x if isinstance(x, Tensor) else y
    condition = condition._array if isinstance(condition, Tensor) else np.asarray(condition)
    return ew.Where.apply(Tensor._wrap(condition.astype(bool)),
                          *_promote(_as_tensor(x, like), _as_tensor(y, like)))


def _clip(a, a_min=None, a_max=None):
    a = _as_tensor(a)
    if isinstance(a_min, Tensor) or np.ndim(a_min):     # a tensor bound: differentiable in it too
        a = a.maximum(_as_tensor(a_min, a))
        a_min = None
    if isinstance(a_max, Tensor) or np.ndim(a_max):
        a = a.minimum(_as_tensor(a_max, a))
        a_max = None
    return a if a_min is None and a_max is None else a.clamp(a_min, a_max)


def _expand_dims(a, axis):
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    shape = list(a.shape)
    for ax in sorted(d % (a.ndim + len(axes)) for d in axes):
        shape.insert(ax, 1)
    return a.reshape(*shape)


def _moveaxis(a, source, destination):
    source = [d % a.ndim for d in np.atleast_1d(source)]
    destination = [d % a.ndim for d in np.atleast_1d(destination)]
    if len(source) != len(destination):
        raise ValueError('`source` and `destination` arguments must have the same number of elements')
    order = [d for d in range(a.ndim) if d not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return a.permute(*order)


def _split(a, indices_or_sections, axis=0):
    n = a.shape[axis]
    if isinstance(indices_or_sections, int):
        if n % indices_or_sections:
            raise ValueError('array split does not result in an equal division')
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


def _concatenate(arrays, axis=0, **_):
    arrays = [_as_tensor(a) for a in arrays]
    if axis is None:                        # NumPy flattens first
        arrays, axis = [a.reshape(-1) for a in arrays], 0
    return cat(arrays, axis)


def _constant_like(fill):
    def like(a, dtype=None, shape=None, **_):
        array = a._array if isinstance(a, Tensor) else np.asarray(a)
        shape = array.shape if shape is None else shape
        return Tensor._wrap(np.full(shape, fill, dtype=array.dtype if dtype is None else dtype))
    return like


def _reduce(method):
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False, **_):
        if out is not None:
            raise TypeError(f'np.{method.lstrip("a")}(tensor, out=...): NumPy cannot write into an '
                            f'array from a minigrad Tensor; use the returned tensor')
        a = _as_tensor(a)
        if dtype is not None:               # NumPy reduces in the dtype asked for
            a = a.to(np.dtype(dtype))
        return getattr(a, method)(**_axis_args(axis, keepdims))
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
    np.broadcast_to: lambda array, shape, **_: array.expand(*np.atleast_1d(shape).tolist()),
    np.concatenate: _concatenate,
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
    # linear algebra
    np.einsum: lambda subscripts, *operands, optimize=False, **_: products.einsum(subscripts, *operands),
    # scans (minigrad/scans.py)
    np.cumsum: lambda a, axis=None, dtype=None, **_: (
        a if axis is not None else a.reshape(-1)).cumsum(axis or 0, dtype=dtype),
    np.cumprod: lambda a, axis=None, dtype=None, **_: (
        a if axis is not None else a.reshape(-1)).cumprod(axis or 0, dtype=dtype),
}


# functions whose result is a view of their argument (writes through one reach the other)
VIEWS = {np.expand_dims, np.squeeze, np.swapaxes, np.moveaxis, np.transpose, np.reshape,
         np.broadcast_to, np.split}


def apply_function(func, args, kwargs):
    """What `np.<func>(...)` with a Tensor among its arguments does."""
    if func in FUNCTIONS:
        return FUNCTIONS[func](*args, **kwargs)
    return func(*_arrays(args), **{k: _arrays(v) for k, v in kwargs.items()})


Tensor._numpy = sys.modules[__name__]     # handed in: minigrad.tensor is below us, cannot import us
