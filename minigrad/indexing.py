"""Indexing by tensors of indices or masks: gather, scatter, index_select, index_add, take,
masked_select, ...; each rule is an op in ops/indexing.py.

Every function turns PyTorch's (dim, index) arguments into one NumPy integer-array index
`pos` naming the elements it reads or writes, checks what PyTorch checks (index dtype,
shapes, range), and applies a read op (x[pos]), a write op (x with x[pos] := v) or an add
op (x with v added at pos). The in-place forms (`x.scatter_(...)`) are those, written back.
"""
import warnings

import numpy as np

from .autograd.mode import is_grad_enabled
from .dims import _wrap_dim
from .dtypes import bool as bool_, int32, int64
from .functions import cat
from .methods import tensor_method
from .ops import indexing as ix
from .ops import shape as sh
from .tensor import Tensor, _as_tensor

__all__ = ['gather', 'scatter', 'scatter_add', 'scatter_reduce', 'index_select', 'index_add', 'index_fill',
           'index_copy', 'index_put', 'index_put_', 'put', 'take', 'take_along_dim', 'masked_select',
           'masked_scatter']


# ---------------------------------------------------------------- checks

def _index(index, message, error=RuntimeError, int32_too=True):
    """The index tensor's array, if its dtype is one PyTorch takes there (int64, or int32 too)."""
    array = _as_tensor(index)._array
    if array.dtype != int64 and not (int32_too and array.dtype == int32):
        raise error(f'{message}, but got {array.dtype}')
    return array


def _check_range(index, size, dim, error=RuntimeError, negative=False):
    """Every index within [0, size) (or [-size, size) where PyTorch counts from the end)."""
    low = -size if negative else 0
    bad = index[(index < low) | (index >= size)]
    if bad.size:
        raise error(f'index {bad.flat[0]} is out of bounds for dimension {dim} with size {size}')


def _same_dtype(name, input, other):       # noqa: A002 (PyTorch's names)
    if other.dtype != input.dtype:
        raise RuntimeError(f'{name}(): expected self and source to have the same dtype, but got '
                           f'self {input.dtype} and source {other.dtype}')


def _along(name, input, dim, index, src=None):   # noqa: A002
    """gather's and scatter's checks; the integer-array index of the elements along `dim`."""
    index = _index(index, f'{name}(): Expected dtype int32/int64 for index')
    if max(index.ndim, 1) != max(input.ndim, 1):          # a 0-d tensor counts as 1-D
        raise RuntimeError(f'{name}(): Index tensor must have the same number of dimensions as '
                           f'input tensor (index {list(index.shape)}, input {list(input.shape)})')
    shape = input.shape if input.ndim else (1,)
    index = index.reshape(index.shape if index.ndim else (1,))
    dim = _wrap_dim(dim, len(shape))
    for d, n in enumerate(index.shape):
        if d != dim and n > shape[d] or src is not None and n > _dims(src)[d]:
            extra = f' and to be no larger size than src {list(src.shape)}' if src is not None else ''
            raise RuntimeError(f'{name}(): Expected index {list(index.shape)} to be no larger than '
                               f'self {list(input.shape)} apart from dimension {dim}{extra}')
    _check_range(index, shape[dim], dim)
    return sh._along_index(index, dim), dim, index.shape


def _dims(t):
    return t.shape if t.ndim else (1,)


def _as_0d_like(input, out, index=None):   # noqa: A002
    """A 0-d input (and index) was handled as 1-D: its result is 0-d again."""
    index_0d = index is None or _as_tensor(index).ndim == 0
    return out.reshape(()) if input.ndim == 0 and index_0d and out.numel() == 1 else out


def _value(value, input):               # noqa: A002
    """A number as a constant of the input's dtype; a tensor as it is (a 0-d one for index_fill)."""
    if isinstance(value, Tensor):
        return value
    return Tensor._wrap(np.asarray(value, dtype=input.dtype))


# ---------------------------------------------------------------- gather, scatter

@tensor_method
def gather(input, dim, index, *, sparse_grad=False):     # noqa: A002
    """out[i][j][k] = input[index[i][j][k]][j][k] (dim 0): the values at `index` along `dim`;
    the gradient is scatter-added back (a repeated index adds up)."""
    pos, _, _ = _along('gather', input, dim, index)
    return _as_0d_like(input, ix.Gather.apply(input.reshape(_dims(input)), index=pos))


@tensor_method(inplace=True)
def scatter(input, dim, index, src=None, *, value=None, reduce=None):   # noqa: A002
    """input with input[index[i][j]][j] := src[i][j] (dim 0); `src` may be a number (`value`).
    reduce='add' / 'multiply' add or multiply there instead (PyTorch's older form)."""
    if not isinstance(src, Tensor):
        src, value = None, value if src is None else src
    if src is None and value is None:
        raise TypeError('scatter() needs src (a tensor) or value (a number)')
    if src is not None and src.dtype != input.dtype:
        raise RuntimeError(f'scatter(): Expected self.dtype to be equal to src.dtype (self '
                           f'{input.dtype}, src {src.dtype})')
    if reduce not in (None, 'add', 'multiply'):
        raise RuntimeError(f'reduce argument must be either add or multiply, got {reduce!r}.')
    pos, _, shape = _along('scatter', input, dim, index, src)
    values = _value(value, input) if src is None else \
        src.reshape(_dims(src))[tuple(slice(0, n) for n in shape)]
    x = input.reshape(_dims(input))
    if reduce is not None:
        return _as_0d_like(input, _scatter_reduce(x, values, pos, shape, reduce))
    return _as_0d_like(input, ix.Scatter.apply(x, values, view=sh.At(pos)))


def _scatter_reduce(x, values, pos, shape, reduce):
    """Sums or products at the scattered places. No derivative, as in PyTorch (whose
    scatter_add and scatter_reduce have one)."""
    if (x.requires_grad or values.requires_grad) and is_grad_enabled():
        raise RuntimeError(f"the derivative of scatter with reduce={reduce!r} is not implemented "
                           f"(as in PyTorch); use scatter_add")
    if isinstance(values, Tensor) and values.ndim:
        warnings.warn('The reduce argument of torch.scatter with Tensor src is deprecated and will '
                      'be removed in a future PyTorch release. Use torch.scatter_reduce instead '
                      'for more reduction options.', UserWarning, stacklevel=3)
    out = x._array.copy()
    ufunc = np.add if reduce == 'add' else np.multiply
    ufunc.at(out, pos, np.broadcast_to(values._array, shape))
    return Tensor._wrap(out)


@tensor_method(inplace=True)
def scatter_add(input, dim, index, src):    # noqa: A002
    """input with src[i][j] added at input[index[i][j]][j] (dim 0); repeated indices add up."""
    _same_dtype('scatter_add', input, src)
    pos, _, shape = _along('scatter', input, dim, index, src)
    values = src.reshape(_dims(src))[tuple(slice(0, n) for n in shape)]
    return _as_0d_like(input, ix.ScatterAdd.apply(input.reshape(_dims(input)), values, index=pos))


_PADS = {'sum': 0, 'mean': 0, 'prod': 1, 'amax': -np.inf, 'amin': np.inf}


@tensor_method(inplace=True)
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):    # noqa: A002
    """input with each place that index points to (along dim) replaced by the sum, prod, mean,
    amax or amin of the src values sent there, and of its own value if include_self.

    (A composition: the values sent to each place are gathered into the rows of a matrix,
    padded with the reduction's identity, and reduced along the rows by sum/prod/amax/amin,
    so each gradient is that reduction's: amax's and amin's shared evenly among ties, prod's
    right at zeros. The rows are written back with index_put.)"""
    if reduce not in _PADS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce!r}")
    _same_dtype('scatter_reduce', input, src)
    pos, dim, shape = _along('scatter', input, dim, index, src)
    x = input.reshape(_dims(input))
    values = src.reshape(_dims(src))[tuple(slice(0, n) for n in shape)]
    targets = np.ravel_multi_index(np.broadcast_arrays(*pos), x.shape).reshape(-1)
    places = np.unique(targets)
    if not places.size:
        return input.clone()
    rows = _rows(places, targets, x.numel(), include_self, x.numel() + targets.size)
    pad = Tensor._wrap(np.array([_pad(reduce, x.dtype)], dtype=x.dtype))
    table = cat([x.reshape(-1), values.reshape(-1), pad])[rows]
    reduced = getattr(table, 'sum' if reduce == 'mean' else reduce)(dim=1)
    if reduce == 'mean':
        counts = Tensor._wrap((rows != x.numel() + targets.size).sum(axis=1).astype(x.dtype))
        reduced = reduced / counts if x.dtype.kind == 'f' else Tensor._wrap(reduced._array // counts._array)
    out = ix.IndexPut.apply(x.reshape(-1), reduced, view=sh.At(places))
    return _as_0d_like(input, out.reshape(x.shape))


def _pad(reduce, dtype):
    """The reduction's identity, in the dtype (integers: their extremes for amax, amin)."""
    pad = _PADS[reduce]
    if np.isfinite(pad) or np.dtype(dtype).kind == 'f':
        return pad
    info = np.iinfo(dtype) if np.dtype(dtype).kind in 'iu' else None
    return (info.min if pad < 0 else info.max) if info else pad > 0


def _rows(places, targets, n_self, include_self, pad_at):
    """Row k: the positions (in cat(x.flat, src.flat, pad)) of the values sent to places[k]
    (x's own first if include_self), padded with `pad_at`."""
    members = np.concatenate([places, targets]) if include_self else targets
    sources = np.concatenate([places, n_self + np.arange(targets.size)]) if include_self \
        else n_self + np.arange(targets.size)
    order = np.argsort(members, kind='stable')
    members, sources = members[order], sources[order]
    group = np.searchsorted(places, members)
    first = np.searchsorted(members, places)
    rank = np.arange(members.size) - first[group]
    rows = np.full((places.size, rank.max() + 1), pad_at)
    rows[group, rank] = sources
    return rows


# ---------------------------------------------------------------- along one dim

def _vector(name, index, size, dim, dtype_message, error=RuntimeError, int32_too=True,
            range_error=RuntimeError):
    """An index_* index: a vector (or one number) of positions along `dim`."""
    index = _index(index, dtype_message, error, int32_too)
    if index.ndim > 1:
        raise IndexError(f'{name}(): Index is supposed to be a vector, got shape {list(index.shape)}')
    index = index.reshape(-1)
    _check_range(index, size, dim, range_error)
    return index


def _at_dim(index, dim):
    return (slice(None),) * dim + (index,)


@tensor_method
def index_select(input, dim, index):        # noqa: A002
    """The slices input[..., index[k], ...] along `dim`, in the order of `index`."""
    x = input.reshape(_dims(input))
    dim = _wrap_dim(dim, x.ndim)
    if input.ndim == 0 and _as_tensor(index).numel() != 1:
        raise RuntimeError(f'index_select(): Index to scalar can have only 1 value, got '
                           f'{_as_tensor(index).numel()} value(s)')
    vector = _vector('index_select', index, x.shape[dim], dim,
                     'index_select(): Expected dtype int32 or int64 for index')
    return _as_0d_like(input, ix.IndexSelect.apply(x, index=_at_dim(vector, dim)))


def _source_along(name, input, dim, index, source, error=RuntimeError):    # noqa: A002
    """index_add's and index_copy's check: one slice of source per index, the rest as input."""
    dim = _wrap_dim(dim, max(input.ndim, 1))
    if source.ndim != input.ndim or source.ndim and any(
            a != b for d, (a, b) in enumerate(zip(source.shape, input.shape)) if d != dim):
        raise RuntimeError(f'{name}(): source {list(source.shape)} and self {list(input.shape)} '
                           f'must have the same shape apart from dimension {dim}')
    count = source.shape[dim] if source.ndim else 1
    if len(index) != count:
        raise error(f'{name}(): Number of indices ({len(index)}) should be equal to '
                    f'source.size(dim): ({count}), for dim: {dim}')
    return dim


@tensor_method(inplace=True)
def index_add(input, dim, index, source, *, alpha=1):   # noqa: A002
    """input with alpha * source[..., k, ...] added at input[..., index[k], ...] along `dim`;
    repeated indices add up. The gradient of source is index_select of the gradient."""
    _same_dtype('index_add', input, source)
    x = input.reshape(_dims(input))
    dim = _wrap_dim(dim, x.ndim)
    index = _vector('index_add_', index, x.shape[dim], dim,
                    'index_add_(): Expected dtype int32/int64 for index')
    _source_along('index_add_', input, dim, index, source)
    values = source.reshape(x.shape[:dim] + (len(index),) + x.shape[dim + 1:])
    if alpha != 1:
        values = values * alpha
    return _as_0d_like(input, sh.IndexAdd.apply(x, values, index=_at_dim(index, dim)))


@tensor_method(inplace=True)
def index_fill(input, dim, index, value):   # noqa: A002
    """input with every slice input[..., index[k], ...] along `dim` set to `value`."""
    x = input.reshape(_dims(input))
    dim = _wrap_dim(dim, x.ndim)
    index = _vector('index_fill_', index, x.shape[dim], dim,
                    'index_fill_(): Expected dtype int64 for index', IndexError, False, IndexError)
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f'index_fill_ only supports a 0-dimensional value tensor, but got tensor '
                           f'with {value.ndim} dimension(s).')
    value = _value(value, input)
    if value.dtype != input.dtype:
        value = value.to(input.dtype)
    return _as_0d_like(input, ix.IndexFill.apply(x, value, view=sh.At(_at_dim(index, dim))))


@tensor_method(inplace=True)
def index_copy(input, dim, index, source):  # noqa: A002
    """input with the slice input[..., index[k], ...] along `dim` := source[..., k, ...]."""
    _same_dtype('index_copy', input, source)
    x = input.reshape(_dims(input))
    dim = _wrap_dim(dim, x.ndim)
    index = _vector('index_copy_', index, x.shape[dim], dim,
                    'index_copy_(): Expected a long tensor for index', int32_too=False,
                    range_error=IndexError)
    _source_along('index_copy_', input, dim, index, source, IndexError)
    values = source.reshape(x.shape[:dim] + (len(index),) + x.shape[dim + 1:])
    return _as_0d_like(input, ix.IndexCopy.apply(x, values, view=sh.At(_at_dim(index, dim))))


# ---------------------------------------------------------------- index_put, put, take

def _put_indices(input, indices):          # noqa: A002
    """index_put's indices: a tuple of integer or bool tensors, as x[i0, i1, ...] reads them."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f'index_put(): indices must be a tuple of tensors, got {type(indices).__name__}')
    if len(indices) > input.ndim:
        raise IndexError(f'too many indices for tensor of dimension {input.ndim} (got {len(indices)})')
    pos, dim = [], 0
    for i in indices:
        array = _as_tensor(i)._array
        if array.dtype == bool_:
            pos.extend(np.nonzero(array))
            dim += max(array.ndim, 1)
            continue
        if array.dtype not in (int64, int32):
            raise IndexError(f'tensors used as indices must be long, int, byte or bool tensors, '
                             f'got {array.dtype}')
        _check_range(array, input.shape[dim], dim, IndexError, negative=True)
        pos.append(array)
        dim += 1
    return tuple(pos)


@tensor_method(inplace=True)
def index_put(input, indices, values, accumulate=False):    # noqa: A002
    """input with input[indices] := values (broadcast), or += values with accumulate=True
    (then repeated indices add up). `x.index_put_(indices, v)` is `x[indices] = v`."""
    values = _as_tensor(values, input)
    if values.dtype != input.dtype:
        raise RuntimeError(f'Index put requires the source and destination dtypes match, got '
                           f'{input.dtype} for the destination and {values.dtype} for the source.')
    pos = _put_indices(input, indices)
    if accumulate:
        return ix.IndexPutAccumulate.apply(input, values, index=pos)
    return ix.IndexPut.apply(input, values, view=sh.At(pos))


index_put_ = Tensor.index_put_          # PyTorch has the in-place one as a function too


def _flat_index(name, input, index):       # noqa: A002
    index = _index(index, f'{name}(): Expected a long tensor for index', int32_too=False)
    n = input.numel()
    bad = index[(index < -n) | (index >= n)]
    if bad.size:
        raise IndexError(f'out of range: tried to access index {bad.flat[0]} on a tensor of '
                         f'{n} elements.')
    return index


@tensor_method(inplace=True)
def put(input, index, source, accumulate=False):    # noqa: A002
    """input seen as 1-D, with input[index] := source (or += with accumulate=True)."""
    index = _flat_index('put_', input, index)
    _same_dtype('put', input, source)
    if source.numel() != index.size:
        raise IndexError(f'put_(): Expected source and index to have the same number of '
                           f'elements, but got source.numel() = {source.numel()}, '
                           f'index.numel() = {index.size}')
    flat, values = input.reshape(-1), source.reshape(index.shape)
    if accumulate:
        out = sh.IndexAdd.apply(flat, values, index=index)
    else:
        out = ix.Put.apply(flat, values, view=sh.At(index))
    return out.reshape(input.shape)


@tensor_method
def take(input, index):                     # noqa: A002
    """input seen as 1-D, read at `index`: the result has index's shape."""
    index = _flat_index('take', input, index)
    return ix.Take.apply(input.reshape(-1), index=index)


@tensor_method
def take_along_dim(input, indices, dim=None):   # noqa: A002
    """gather(input, dim, indices) after broadcasting the two (all but `dim`); with dim=None,
    both seen as 1-D. (A composition of expand and gather.)"""
    indices = _as_tensor(indices)
    if indices.dtype != int64:
        raise RuntimeError(f'torch.take_along_dim(): dtype of indices should be Long but got '
                           f'{indices.dtype}')
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    if input.ndim != indices.ndim:
        raise RuntimeError(f'torch.take_along_dim(): input and indices should have the same number '
                           f'of dimensions, but got {input.ndim} dimensions for input, and '
                           f'{indices.ndim} dimensions for indices')
    dim = _wrap_dim(dim, input.ndim)
    shape = list(np.broadcast_shapes(*[tuple(1 if d == dim else n for d, n in enumerate(t.shape))
                                       for t in (input, indices)]))
    shape[dim] = input.shape[dim]
    x = input.expand(*shape)
    shape[dim] = indices.shape[dim]
    return gather(x, dim, Tensor._wrap(np.broadcast_to(indices._array, shape)))


# ---------------------------------------------------------------- masks

def _mask(mask, message):
    mask = _as_tensor(mask)
    if mask.dtype != bool_:
        raise RuntimeError(f'{message}, but got mask with dtype {mask.dtype}')
    return mask._array


def _broadcast_shape(a, b):
    try:
        return np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:
        raise RuntimeError(f'the mask of shape {list(b)} cannot be broadcast with the tensor of '
                           f'shape {list(a)}') from None


@tensor_method
def masked_select(input, mask):             # noqa: A002
    """The elements of input where mask (broadcast with it) is True, as a 1-D tensor."""
    mask = _mask(mask, 'masked_select: expected BoolTensor for mask')
    shape = _broadcast_shape(input.shape, mask.shape)
    x = input.expand(*shape) if tuple(input.shape) != shape else input
    return ix.MaskedSelect.apply(x, index=np.nonzero(np.broadcast_to(mask, shape)))


@tensor_method(inplace=True)
def masked_scatter(input, mask, source):    # noqa: A002
    """input with the places where mask is True filled, in order, from source's first elements."""
    mask = _mask(mask, 'masked_scatter_ only supports boolean masks')
    if source.dtype != input.dtype:
        raise RuntimeError(f'masked_scatter_: expected self and source to have same dtypes but got '
                           f'{input.dtype} and {source.dtype}')
    shape = _broadcast_shape(input.shape, mask.shape) or (1,)      # 0-d: as 1-D
    x = input.expand(*shape) if tuple(input.shape) != shape else input
    pos = np.nonzero(np.broadcast_to(mask, shape))
    count = pos[0].size
    if source.numel() < count:
        raise RuntimeError(f'masked_scatter: Number of elements of source < number of ones in mask '
                           f'({source.numel()} < {count})')
    out = ix.MaskedScatter.apply(x, source.reshape(-1)[:count], view=sh.At(pos))
    return out.reshape(()) if not input.ndim and not mask.ndim else out
