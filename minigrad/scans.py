"""Scans and sorting: cumsum, cumprod, diff, sort, topk, median, quantile, searchsorted, histc, ...

Running sums and products are ops of their own (ops/scans.py). Everything that picks elements
(sort, topk, kthvalue, median, mode, cummax, quantile's neighbours) computes the positions in
NumPy, without gradient, then takes the values with a take-along-dim (ops/shape.py's TakeAlong):
the gradient flows to the picked elements only, and twice differentiably.
"""
import builtins

import numpy as np

from . import return_types
from .dims import _reduction_dims, _wrap_dim
from .dtypes import int64
from .functions import cat, where
from .methods import tensor_method
from .ops import scans as sc
from .ops import shape as sh
from .tensor import Tensor, _as_tensor

__all__ = ['cumsum', 'cumprod', 'logcumsumexp', 'diff', 'cummax', 'cummin',
           'sort', 'argsort', 'msort', 'topk', 'kthvalue', 'median', 'nanmedian', 'mode',
           'quantile', 'nanquantile', 'nansum', 'nanmean',
           'searchsorted', 'bucketize', 'histc', 'histogram']


_sort, _topk, _kthvalue = return_types.sort, return_types.topk, return_types.kthvalue
_median_pair, _nanmedian, _mode = return_types.median, return_types.nanmedian, return_types.mode
_cummax, _cummin, _histogram = return_types.cummax, return_types.cummin, return_types.histogram


# ------------------------------------------------------------------ scans

def _scan_input(input, dtype):
    """The input as the scan sees it: cast to `dtype`, or integers and bools to int64 (PyTorch)."""
    if dtype is not None:
        return input.to(np.dtype(dtype))
    return input if input.dtype.kind in 'fc' else input.to(int64)


def _along(op, input, dim, **options):
    """`op` along `dim`; a 0-d tensor as one element (PyTorch accepts dim 0 and -1 for it)."""
    dim = _wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return op.apply(input.reshape(1), dim=0, **options).reshape(())
    return op.apply(input, dim=dim, **options)


@tensor_method(inplace=True)
def cumsum(input, dim, *, dtype=None):
    """out_j = Σ_{k ≤ j} x_k along `dim`; integers and bools give int64, as in PyTorch."""
    return _along(sc.CumSum, _scan_input(input, dtype), dim)


@tensor_method(inplace=True)
def cumprod(input, dim, *, dtype=None):
    """out_j = Π_{k ≤ j} x_k along `dim`; its gradient is right at zeros (ops/scans.py)."""
    return _along(sc.CumProd, _scan_input(input, dtype), dim)


@tensor_method
def logcumsumexp(input, dim):
    """out_j = log Σ_{k ≤ j} exp(x_k) along `dim`, stable for large x."""
    if input.dtype.kind != 'f':
        raise NotImplementedError(f'logcumsumexp() needs a floating point tensor, got {input.dtype} '
                                  f'(PyTorch has no integer version either); use t.float()')
    return _along(sc.LogCumSumExp, input, dim)


@tensor_method
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along `dim`: out_i = x_{i+1} - x_i, n times (for bools,
    x_{i+1} != x_i). `prepend`/`append` are joined to the input first. Composed of indexing and
    subtraction, whose gradients are the differences' own."""
    if input.ndim == 0:
        raise RuntimeError('diff expects input to be at least one-dimensional')
    if n < 0:
        raise RuntimeError(f'order must be non-negative but got {n}')
    dim = _wrap_dim(dim, input.ndim)
    parts = [_as_tensor(p, input) for p in (prepend, input, append) if p is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    head = (slice(None),) * dim
    for _ in range(n):
        later, earlier = x[head + (slice(1, None),)], x[head + (slice(None, -1),)]
        x = later != earlier if x.dtype.kind == 'b' else later - earlier
    return x


def _cumulative_extreme(input, dim, accumulate, pair):
    """(values, indices) of the running extreme along `dim`: the index of its latest
    occurrence, or of the latest nan (which, as in PyTorch, then stays the extreme)."""
    dim = _wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        values, indices = _cumulative_extreme(input.reshape(1), 0, accumulate, pair)
        return pair(values.reshape(()), indices.reshape(()))
    x = input._array
    running = accumulate(x, axis=dim)
    hit = (x == running) | (np.isnan(x) if x.dtype.kind == 'f' else False)
    position = np.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - dim - 1))
    indices = np.maximum.accumulate(np.where(hit, position, 0), axis=dim) if x.size else \
        np.zeros(x.shape, np.int64)
    return pair(sh.TakeAlong.apply(input, indices=indices, dim=dim), Tensor._wrap(indices))


@tensor_method
def cummax(input, dim):
    """(values, indices): the running maximum along `dim`; the gradient goes to the index."""
    return _cumulative_extreme(input, dim, np.maximum.accumulate, _cummax)


@tensor_method
def cummin(input, dim):
    """(values, indices): the running minimum along `dim`; the gradient goes to the index."""
    return _cumulative_extreme(input, dim, np.minimum.accumulate, _cummin)


# ---------------------------------------------------------- sorting

def _order(x, dim, descending):
    """Indices that sort the array `x` along `dim`, stably; nan counts as the largest value
    (last ascending, first descending), as in PyTorch."""
    if not descending:
        return np.argsort(x, axis=dim, kind='stable')
    # a stable ascending sort of the reversed slices, read backwards: ties keep their order
    n = x.shape[dim]
    backwards = np.argsort(sc._flip(x, dim), axis=dim, kind='stable')
    return sc._flip(n - 1 - backwards, dim)


def _picked(input, indices, dim):
    """input's elements at `indices` along `dim` (a TakeAlong: the gradient goes back there)."""
    return sh.TakeAlong.apply(input, indices=indices, dim=dim)


def _no_bool(input, name, error):
    """PyTorch has no bool version of some selections; its error type, then."""
    if input.dtype.kind == 'b':
        raise error(f'{name}() is not implemented for bool tensors (as in PyTorch); use t.int()')


def _one_axis(input, dim):
    """`input` with at least one dim, and `dim` counted from the front."""
    dim = _wrap_dim(dim, input.ndim)
    return (input.reshape(1), 0) if input.ndim == 0 else (input, dim)


@tensor_method
def sort(input, dim=-1, descending=False, *, stable=False):
    """(values, indices) sorted along `dim`. minigrad's sort is always stable (equal elements
    keep their order), which `stable=True` asks of PyTorch's."""
    x, d = _one_axis(input, dim)
    indices = _order(x._array, d, descending)
    values = _picked(x, indices, d)
    if input.ndim == 0:
        return _sort(values.reshape(()), Tensor._wrap(indices.reshape(())))
    return _sort(values, Tensor._wrap(indices))


@tensor_method
def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort `input` along `dim` (stable, as sort)."""
    return sort(input, dim, descending, stable=stable).indices


@tensor_method
def msort(input):
    """sort(input, dim=0).values"""
    return sort(input, 0).values


@tensor_method
def topk(input, k, dim=-1, largest=True, sorted=True):    # noqa: A002 (PyTorch's name)
    """(values, indices) of the k largest (or smallest) along `dim`, largest first (smallest
    first); minigrad always returns them sorted."""
    _no_bool(input, 'topk', RuntimeError)
    x, d = _one_axis(input, dim)
    if not 0 <= k <= x.shape[d]:
        raise RuntimeError(f'selected index k out of range: k = {k}, but dim {dim} has '
                           f'{x.shape[d]} elements')
    indices = _order(x._array, d, largest)[(slice(None),) * d + (slice(0, k),)]
    values = _picked(x, indices, d)
    if input.ndim == 0:
        return _topk(values.reshape(()), Tensor._wrap(indices.reshape(())))
    return _topk(values, Tensor._wrap(indices))


def _at_rank(input, dim, keepdim, rank, pair):
    """(values, indices) of the element of sorted rank `rank` (an int array, keepdims shape,
    or an int) along `dim`."""
    x, d = _one_axis(input, dim)
    order = _order(x._array, d, False)
    rank = np.broadcast_to(rank, order.shape[:d] + (1,) + order.shape[d + 1:])
    indices = np.take_along_axis(order, rank, axis=d)
    values = _picked(x, indices, d)
    if not keepdim or input.ndim == 0:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return pair(values, Tensor._wrap(indices))


@tensor_method
def kthvalue(input, k, dim=-1, keepdim=False):
    """(values, indices) of the k-th smallest element along `dim` (k counts from 1)."""
    _no_bool(input, 'kthvalue', NotImplementedError)
    x, d = _one_axis(input, dim)
    if not 1 <= k <= x.shape[d]:
        raise RuntimeError(f'kthvalue(): selected number k out of range for dimension {d}: '
                           f'k = {k}, but it has {x.shape[d]} elements')
    return _at_rank(input, dim, keepdim, k - 1, _kthvalue)


def _median_rank(x, d, skip_nan):
    """The sorted rank of the lower median along `d`: of the non-nan values with `skip_nan`;
    else, where a slice holds a nan, the rank of its first nan (PyTorch's median is then nan)."""
    nan = np.isnan(x) if x.dtype.kind == 'f' else np.zeros(x.shape, bool)
    valid = (~nan).sum(axis=d, keepdims=True)
    if skip_nan:
        return np.maximum(valid - 1, 0) // 2
    return np.where(valid < x.shape[d], valid, (x.shape[d] - 1) // 2)


def _median(input, dim, keepdim, skip_nan, name, pair):
    _no_bool(input, name, NotImplementedError)
    if dim is None:                             # of all elements: a 0-d tensor
        flat = input.reshape(-1)
        if flat.numel() == 0:
            return Tensor._wrap(np.array(np.nan, input.dtype))
        rank = _median_rank(flat._array, 0, skip_nan)
        return _at_rank(flat, 0, False, rank, pair).values
    x, d = _one_axis(input, dim)
    if x.shape[d] == 0:
        raise IndexError(f'{name}(): Expected reduction dim {d} to have non-zero size.')
    return _at_rank(input, dim, keepdim, _median_rank(x._array, d, skip_nan), pair)


@tensor_method
def median(input, dim=None, keepdim=False):
    """The lower of the two middle values (of all elements, or (values, indices) along `dim`);
    nan if the values hold a nan. The gradient goes to the one element picked."""
    return _median(input, dim, keepdim, False, 'median', _median_pair)


@tensor_method
def nanmedian(input, dim=None, keepdim=False):
    """median() of the values that are not nan (nan if there are none)."""
    return _median(input, dim, keepdim, True, 'nanmedian', _nanmedian)


@tensor_method
def mode(input, dim=-1, keepdim=False):
    """(values, indices): the most frequent value along `dim` (the smallest of equally frequent
    ones) and an index of it: its last occurrence (PyTorch's may be another one of them)."""
    x, d = _one_axis(input, dim)
    if x.shape[d] == 0:
        raise IndexError(f'mode(): Expected reduction dim {d} to have non-zero size.')
    a = x._array
    order = _order(a, d, False)
    ranked = np.take_along_axis(a, order, axis=d)
    head = (slice(None),) * d
    starts = np.ones(ranked.shape, bool)
    starts[head + (slice(1, None),)] = ranked[head + (slice(1, None),)] != ranked[head + (slice(None, -1),)]
    position = np.arange(a.shape[d]).reshape((-1,) + (1,) * (a.ndim - d - 1))
    run_start = np.maximum.accumulate(np.where(starts, position, 0), axis=d)
    count = position - run_start + 1            # largest at the end of a run: its last occurrence
    best = np.expand_dims(np.argmax(count, axis=d), d)     # the first longest run: the smallest
    return _at_rank(input, dim, keepdim, best, _mode)


# ------------------------------------------------------------ quantiles

_INTERPOLATIONS = ('linear', 'lower', 'higher', 'midpoint', 'nearest')


def _check_quantile(input, q, interpolation, name):
    """q as an array of float64 (0-d or 1-D), after PyTorch's checks."""
    if input.dtype.kind != 'f':
        raise RuntimeError(f'{name}() input tensor must be either float or double dtype, got {input.dtype}')
    if input.numel() == 0:
        raise RuntimeError(f'{name}() input tensor must be non-empty')
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f'{name}() q must be a scalar or 1D tensor, got {q.ndim} dims')
        if q.dtype != input.dtype:
            raise RuntimeError(f'{name}() q tensor must be same dtype as the input tensor '
                               f'({input.dtype}), got {q.dtype}')
    qs = np.asarray(q._array if isinstance(q, Tensor) else q, dtype=np.float64)
    if ((qs < 0) | (qs > 1)).any():
        raise RuntimeError(f'{name}() q must be in the range [0, 1] but got {q}')
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f'{name}() interpolation must be one of linear, lower, higher, midpoint '
                           f'or nearest, but got {interpolation}')
    return qs


def _rank(qs, x, d, skip_nan, interpolation):
    """Each q's (fractional) sorted position along `d`, shape (len(q), ..., 1, ...): q (n - 1)
    over the n non-nan values with `skip_nan`; a slice with a nan (or only nans) points at its
    last, a nan, so that the quantile is nan, as in PyTorch."""
    n = x.shape[d]
    nan = np.isnan(x)
    valid = (~nan).sum(axis=d, keepdims=True) if skip_nan else np.full(nan.any(axis=d, keepdims=True).shape, n)
    spoilt = (valid == 0) if skip_nan else nan.any(axis=d, keepdims=True)
    rank = qs.reshape(qs.shape + (1,) * x.ndim) * (valid - 1)
    rank = np.where(spoilt, n - 1, rank)
    if interpolation == 'lower':
        return np.floor(rank)
    if interpolation == 'higher':
        return np.ceil(rank)
    if interpolation == 'nearest':
        return np.round(rank)                   # half to even, as PyTorch's round
    return rank


def _quantile(input, q, dim, keepdim, interpolation, skip_nan, name):
    qs = _check_quantile(input, q, interpolation, name)
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, input.ndim)
    x, d = (x.reshape(1), 0) if x.ndim == 0 else (x, d)
    ranked = sort(x, d).values                  # nan last
    rank = _rank(qs.reshape(-1), x._array, d, skip_nan, interpolation)
    ranked = ranked.unsqueeze(0).expand(rank.shape[0], *ranked.shape)   # one copy per q
    low, high = np.floor(rank).astype(np.int64), np.ceil(rank).astype(np.int64)
    below, above = _picked(ranked, low, d + 1), _picked(ranked, high, d + 1)
    if interpolation == 'midpoint':
        out = below + (above - below) * 0.5
    else:                                       # linear (the others have low == high)
        weight = Tensor._wrap((rank - low).astype(input.dtype))
        out = below + (above - below) * weight
    out = _quantile_shape(out, input, dim, d, keepdim)
    return out if qs.ndim else out.squeeze(0)


def _quantile_shape(out, input, dim, d, keepdim):
    """(len(q), *input's shape without `dim`), or with it kept as 1 (all kept, for dim=None)."""
    if not keepdim:
        return out.squeeze(d + 1) if out.ndim > 1 else out
    if dim is None:
        return out.reshape(out.shape[0], *(1,) * input.ndim)
    return out if input.ndim else out.reshape(out.shape[0])


@tensor_method
def quantile(input, q, dim=None, keepdim=False, *, interpolation='linear'):
    """The q-th quantiles along `dim` (of all elements by default), interpolated between the two
    sorted neighbours of rank q (n - 1); a q tensor gives a leading dim of its length. nan where
    the values hold a nan. Composed of sort and arithmetic: the gradient goes to the neighbours."""
    return _quantile(input, q, dim, keepdim, interpolation, False, 'quantile')


@tensor_method
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation='linear'):
    """quantile() of the values that are not nan."""
    return _quantile(input, q, dim, keepdim, interpolation, True, 'nanquantile')


# --------------------------------------------------------- nan reductions

def _not_nan(input):
    """input with its nans as 0 (a Where: their gradient is 0)."""
    if input.dtype.kind != 'f':
        return input
    return where(Tensor._wrap(np.isnan(input._array)), 0.0, input)


@tensor_method
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Σ x over `dim`, the nans counted as 0 (and given gradient 0)."""
    x = input if dtype is None else input.to(np.dtype(dtype))
    return _not_nan(x).sum(dim, keepdim)


@tensor_method
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean over `dim` of the values that are not nan: nansum / their count."""
    x = input if dtype is None else input.to(np.dtype(dtype))
    if x.dtype.kind != 'f':
        raise RuntimeError(f'nanmean(): expected input to have floating point or complex dtype '
                           f'but got {x.dtype}')
    dims = _reduction_dims(dim, x.ndim)
    count = (~np.isnan(x._array)).sum(axis=dims, keepdims=keepdim)
    with np.errstate(invalid='ignore', divide='ignore'):
        return _not_nan(x).sum(dim, keepdim) / Tensor._wrap(count.astype(x.dtype))


# --------------------------------------------------- searching and counting

def _as_array(x):
    return x._array if isinstance(x, Tensor) else np.asarray(x)


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None):
    """For each value, the index at which inserting it into `sorted_sequence` (along its last dim)
    keeps it sorted: before equal elements, or after them with right=True / side='right'.
    An N-D sequence holds one sorted row per row of `values` (their leading dims agree)."""
    if side is not None and side not in ('left', 'right'):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side is not None and right and side == 'left':
        raise RuntimeError('torch.searchsorted(): side and right can\'t be set to opposites, got '
                           'side of left while right was True')
    right = right or side == 'right'
    seq, v = _as_array(sorted_sequence), _as_array(values)
    if sorter is not None:
        seq = np.take_along_axis(seq, _as_array(sorter), axis=-1)
    if seq.ndim > 1 and seq.shape[:-1] != v.shape[:-1]:
        raise RuntimeError(f'torch.searchsorted(): boundaries tensor should be 1 dimension or the '
                           f'first N-1 dimensions of boundaries tensor and input value tensor must '
                           f'match, but we got boundaries tensor {list(seq.shape)} and input value '
                           f'tensor {list(v.shape)}')
    if seq.ndim <= 1:
        out = np.searchsorted(seq.reshape(-1), v, side='right' if right else 'left')
    else:                                       # row by row, as counts: O(rows · n · m) memory
        before = np.less_equal if right else np.less
        out = before(seq[..., None, :], v[..., :, None]).sum(axis=-1)
    return Tensor._wrap(np.asarray(out, np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """For each element, the index of its bucket among the 1-D `boundaries`:
    boundaries[i-1] < x <= boundaries[i] (with right=True, boundaries[i-1] <= x < boundaries[i])."""
    edges = _as_array(boundaries)
    if edges.ndim != 1:
        raise RuntimeError(f'boundaries tensor must be 1 dimension, but got dim({edges.ndim})')
    return searchsorted(edges, input, out_int32=out_int32, right=right)


def _check_float(input, name):
    if input.dtype.kind != 'f':
        raise NotImplementedError(f'{name}() needs a floating point tensor, got {input.dtype} '
                                  f'(PyTorch has no integer version either); use t.float()')


@tensor_method
def histc(input, bins=100, min=0, max=0):          # noqa: A002 (PyTorch's names)
    """Counts of the elements in `bins` equal-width bins from min to max (elements outside are
    not counted; max itself is in the last bin). min = max = 0: the data's own range. No gradient."""
    _check_float(input, 'histc')
    if bins <= 0:
        raise RuntimeError(f'torch.histc: bins must be > 0, but got {bins}')
    x = input._array
    low, high = builtins.float(min), builtins.float(max)
    if low == high and x.size:
        low, high = builtins.float(x.min()), builtins.float(x.max())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError(f'torch.histc: max must be larger than min, got min {min} and max {max}')
    return Tensor._wrap(_histc_counts(x.reshape(-1), bins, low, high).astype(x.dtype))


def _histc_counts(x, bins, low, high):
    """PyTorch's histc binning: bin ⌊(x - min) · bins / (max - min)⌋ in x's dtype (no search
    among edges, so its float32 rounding decides), max itself in the last bin."""
    low, high = np.asarray(low, x.dtype), np.asarray(high, x.dtype)
    inside = x[(x >= low) & (x <= high)]
    position = ((inside - low) * np.asarray(bins, x.dtype) / (high - low)).astype(np.int64)
    return np.bincount(np.minimum(position, bins - 1), minlength=bins)


def _linspace(low, high, steps, dtype):
    """PyTorch's linspace in `dtype`: the first half counted up from low, the second down from
    high, each rounded once (a fused multiply-add: here in long double), so that the edges are
    PyTorch's to the last bit and a value on an edge falls in the same bin."""
    low, high = np.asarray(low, dtype), np.asarray(high, dtype)
    step = np.asarray((high - low) / (steps - 1), dtype).astype(np.longdouble)
    i = np.arange(steps).astype(np.longdouble)
    values = np.where(i < steps // 2, low.astype(np.longdouble) + step * i,
                      high.astype(np.longdouble) - step * (steps - 1 - i))
    return values.astype(dtype)


@tensor_method
def histogram(input, bins, *, range=None, weight=None, density=False):    # noqa: A002
    """(hist, bin_edges): counts (or summed weights; a density with density=True) in `bins`
    equal-width bins over `range` (the data's by default), or in the bins whose edges a 1-D
    tensor gives. The last bin includes its right edge. No gradient."""
    _check_float(input, 'histogram')
    x = input._array.reshape(-1)
    if isinstance(bins, Tensor):
        if bins.dtype != input.dtype:
            raise RuntimeError(f'histogram(): input tensor and bins tensors should have the same '
                               f'dtype, but got input with dtype {input.dtype} and bins with dtype '
                               f'{bins.dtype}')
        edges = bins._array
    else:
        low, high = range if range is not None else (
            (builtins.float(x.min()), builtins.float(x.max())) if x.size else (0.0, 1.0))
        if low == high:                         # no width: one unit around it, as PyTorch
            low, high = low - 0.5, high + 0.5
        edges = _linspace(low, high, bins + 1, x.dtype)
    edges = edges.astype(x.dtype)
    w = None if weight is None else _as_array(weight).reshape(-1)
    hist = np.histogram(x, bins=edges, weights=w, density=density)[0]
    return _histogram(Tensor._wrap(hist.astype(x.dtype)), Tensor._wrap(edges))
