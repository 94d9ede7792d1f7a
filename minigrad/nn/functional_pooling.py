"""Pooling and resampling as functions: F.max_pool1d/2d, F.avg_pool1d/2d, the adaptive pools,
F.interpolate and F.pixel_shuffle / F.pixel_unshuffle.

max_pool and avg_pool are the ops of minigrad/ops/pooling.py over conv's windows. The rest are
compositions of existing differentiable ops, each with its math here:
  adaptive_avg_pool: output i averages input [⌊i·n/o⌋, ⌈(i+1)·n/o⌉); per dim that is a matrix
      P (o × n) of 1/width's, so y = P_h x P_wᵀ (two matmuls; backward their transposes);
  adaptive_max_pool: the same windows, each max gathered at its argmax (gather's backward);
  interpolate 'nearest': y[i] = x[min(⌊i·scale⌋, n - 1)], an index; 'linear'/'bilinear': y =
      M x per dim, M's row i holding (1 - λ, λ) at (⌊src⌋, ⌊src⌋ + 1), src PyTorch's source index;
  pixel_shuffle: a reshape and a permute.
"""
import math

import numpy as np

from ..ops import conv as conv_ops
from ..ops import pooling as ops
from ..tensor import Tensor
from ._checks import _check_tensor
from .functional_conv import _size, _tuple

__all__ = ['max_pool1d', 'max_pool2d', 'avg_pool1d', 'avg_pool2d', 'adaptive_avg_pool1d',
           'adaptive_avg_pool2d', 'adaptive_max_pool1d', 'adaptive_max_pool2d', 'interpolate',
           'upsample', 'pixel_shuffle', 'pixel_unshuffle']


def _pool_input(input, dims, fn):
    """(N, C, *size) from a batched or unbatched input, and whether a batch dim was added."""
    _check_tensor(input, fn)
    if input.ndim not in (dims + 1, dims + 2) or 0 in input.shape[-dims:]:
        if dims == 1:
            raise RuntimeError(f'{fn}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size '
                               f'for input, but got:{_size(input.shape)}')
        raise RuntimeError(f'{fn}: non-empty 3D or 4D (batch mode) tensor expected for input, but got '
                           f'input of size {_size(input.shape)}')
    return (input.unsqueeze(0), True) if input.ndim == dims + 1 else (input, False)


def _pool_window(input, dims, kernel_size, stride, padding, dilation, ceil_mode):
    """The Window of a pooling, after PyTorch's checks."""
    kernel = _tuple(kernel_size, dims, 'kernel_size')
    stride = kernel if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _tuple(stride, dims, 'stride')
    padding, dilation = _tuple(padding, dims, 'padding'), _tuple(dilation, dims, 'dilation')
    if any(k <= 0 for k in kernel) or any(s <= 0 for s in stride):
        raise RuntimeError('stride should not be zero' if any(s == 0 for s in stride) else
                           f'kernel size should be greater than zero, but got kernel_size={kernel}')
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f'dilation should be greater than zero, but got dilation={dilation}')
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f'pad should be at most half of effective kernel size, but got pad={p}, '
                               f'kernel_size={k} and dilation={d}')
    size = tuple(input.shape[2:])
    w = conv_ops.window(kernel, stride, padding, dilation, size, ceil_mode)
    if any(o <= 0 for o in w.out):
        c = input.shape[1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + size))}). Calculated output "
                           f"size: ({'x'.join(map(str, (c,) + tuple(max(o, 0) for o in w.out)))}). "
                           f"Output size is too small")
    return w


def _max_pool(input, dims, kernel_size, stride, padding, dilation, ceil_mode, return_indices, fn):
    x, added = _pool_input(input, dims, fn)
    w = _pool_window(x, dims, kernel_size, stride, padding, dilation, ceil_mode)
    offset = ops.window_argmax(x._array, w)
    out = ops.MaxPool.apply(x, window=w, offset=offset)
    out = out.squeeze(0) if added else out
    if not return_indices:
        return out
    indices = ops.flat_indices(offset, w).reshape(x.shape[:2] + w.out)
    return out, Tensor._wrap(indices[0] if added else indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Each output the max of a window of `kernel_size` inputs, `stride` (default: kernel_size)
    apart, over an input padded with -inf; indices: each max's position in its input row."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     'max_pool1d')


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Each output the max of a kh × kw window (stride default: kernel_size; -inf padding);
    indices: each max's flat position h·W + w in its input plane, int64, as PyTorch's."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                     'max_pool2d')


def _divisor(w, count_include_pad, divisor_override, dtype):
    """What each window's sum is divided by, per output position (PyTorch's rule): the window
    clipped to the padded input, or (count_include_pad=False) to the input itself."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError('divisor must be not zero')
        return np.asarray(divisor_override, dtype=dtype)
    counts = []
    for k, s, (before, _), n, o in zip(w.kernel, w.stride, w.padding, w.size, w.out):
        start = np.arange(o) * s - before
        end = np.minimum(start + k, n + before)
        counts.append(end - start if count_include_pad else
                      np.minimum(end, n) - np.maximum(start, 0))
    divisor = counts[0]
    for c in counts[1:]:
        divisor = np.multiply.outer(divisor, c)
    return divisor.reshape(-1).astype(dtype)


def _avg_pool(input, dims, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, fn):
    x, added = _pool_input(input, dims, fn)
    if x.dtype.kind != 'f':
        raise RuntimeError(f'"{fn}" not implemented for \'{x.dtype}\'; convert the input, e.g. x.float()')
    w = _pool_window(x, dims, kernel_size, stride, padding, 1, ceil_mode)
    divisor = _divisor(w, count_include_pad, divisor_override, x.dtype)
    out = ops.AvgPool.apply(x, window=w, divisor=divisor)
    return out.squeeze(0) if added else out


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Each output the mean of a window of `kernel_size` inputs (stride default: kernel_size)."""
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 'avg_pool1d')


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Each output the sum of a kh × kw window over its divisor: the window's size (clipped to the
    padded input), its count of real inputs (count_include_pad=False), or divisor_override."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 'avg_pool2d')


# ------------------------------------------------------------ adaptive pools

def _adaptive_input(input, dims, output_size, fn):
    _check_tensor(input, fn)
    if input.ndim not in (dims + 1, dims + 2):
        if dims == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for "
                               f"argument #1 'self' (while checking arguments for {fn})")
        raise RuntimeError(f'{fn}(): Expected 3D or 4D tensor, but got {_size(input.shape)}')
    sizes = (output_size,) * dims if output_size is None or isinstance(output_size, int) \
        else tuple(output_size)
    if len(sizes) != dims:
        raise RuntimeError(f'{fn}: output_size must be {dims}')
    sizes = tuple(n if o is None else int(o) for o, n in zip(sizes, input.shape[-dims:]))
    return sizes


def _bins(n, o):
    """Output i's input range [⌊i·n/o⌋, ⌈(i+1)·n/o⌉), as (starts, ends)."""
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


def _adaptive_avg(input, dims, output_size, fn):
    sizes = _adaptive_input(input, dims, output_size, fn)
    out = input
    for axis, o in zip(range(input.ndim - dims, input.ndim), sizes):
        n = input.shape[axis]
        start, end = _bins(n, o)
        cols = np.arange(n)
        average = ((cols >= start[:, None]) & (cols < end[:, None])) / (end - start)[:, None]
        matrix = Tensor._wrap(average.T.astype(input.dtype))            # (n, o)
        out = (out.transpose(axis, -1) @ matrix).transpose(axis, -1)    # the average along axis
    return out


def adaptive_avg_pool1d(input, output_size):
    """Averages over `output_size` near-equal windows: output i over input [⌊i·n/o⌋, ⌈(i+1)·n/o⌉)."""
    return _adaptive_avg(input, 1, output_size, 'adaptive_avg_pool1d')


def adaptive_avg_pool2d(input, output_size):
    """Averages over an oh × ow grid of near-equal windows (None keeps that input size)."""
    return _adaptive_avg(input, 2, output_size, 'adaptive_avg_pool2d')


def _adaptive_windows(spatial, sizes):
    """Each adaptive window's flat input positions, (*out, widest); a narrower window repeats its
    last position (a repeat cannot change a max, nor which position is its first)."""
    picks = []
    for n, o in zip(spatial, sizes):
        start, end = _bins(n, o)
        widest = int((end - start).max()) if o else 1
        picks.append(np.minimum(start[:, None] + np.arange(widest), end[:, None] - 1))   # (o, widest)
    if len(picks) == 1:
        return picks[0]
    rows, cols = picks
    flat = rows[:, None, :, None] * spatial[1] + cols[None, :, None, :]       # (oh, ow, kh, kw)
    return flat.reshape(sizes + (-1,))


def _adaptive_max(input, dims, output_size, return_indices, fn):
    sizes = _adaptive_input(input, dims, output_size, fn)
    lead = tuple(input.shape[:-dims])
    flat = _adaptive_windows(tuple(input.shape[-dims:]), sizes)
    values = input._array.reshape(lead + (-1,))[..., flat]                 # (*lead, *out, window)
    first = values.argmax(axis=-1)[..., None]           # the first max, as PyTorch's scan finds
    index = np.take_along_axis(np.broadcast_to(flat, values.shape), first, axis=-1)[..., 0]
    index = index.astype(np.int64)
    out = input.reshape(lead + (-1,)).gather(-1, Tensor._wrap(index.reshape(lead + (-1,))))
    out = out.reshape(lead + sizes)
    return (out, Tensor._wrap(index)) if return_indices else out


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """The max over `output_size` near-equal windows (adaptive_avg_pool1d's); indices as max_pool1d's."""
    return _adaptive_max(input, 1, output_size, return_indices, 'adaptive_max_pool1d')


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """The max over an oh × ow grid of near-equal windows; indices as max_pool2d's (h·W + w)."""
    return _adaptive_max(input, 2, output_size, return_indices, 'adaptive_max_pool2d')


# ------------------------------------------------------------ resampling

_MODES = ('nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact')


def _output_sizes(input, size, scale_factor, recompute_scale_factor):
    """Output sizes and, per dim, the scale the source index uses: 1/scale_factor when given
    (and not recomputed), else input size / output size (PyTorch's rule)."""
    dims = input.ndim - 2
    if (size is None) == (scale_factor is None):
        raise ValueError('only one of size or scale_factor should be defined' if size is not None
                         else 'either size or scale_factor should be defined')
    spatial = list(input.shape[2:])
    if size is not None:
        sizes = [int(size)] * dims if isinstance(size, (int, np.integer)) else [int(s) for s in size]
        if len(sizes) != dims:
            raise ValueError(f'Input and output must have the same number of spatial dimensions, but got '
                             f'input with spatial dimensions of {spatial} and output size of '
                             f'{tuple(size)}. Please provide input tensor in (N, C, d1, d2, ...,dK) '
                             f'format and output size in (o1, o2, ...,oK) format.')
        return sizes, [None] * dims
    factors = [float(scale_factor)] * dims if isinstance(scale_factor, (int, float)) \
        else [float(f) for f in scale_factor]
    if len(factors) != dims:
        raise ValueError(f'Input and scale_factor must have the same number of spatial dimensions, but '
                         f'got input with spatial dimensions of {spatial} and scale_factor of shape '
                         f'{tuple(scale_factor)}. Please provide input tensor in (N, C, d1, d2, ...,dK) '
                         f'format and scale_factor in (s1, s2, ...,sK) format.')
    sizes = [int(math.floor(n * f)) for n, f in zip(spatial, factors)]
    return sizes, [None] * dims if recompute_scale_factor else factors


def _nearest(n, o, factor, dtype):
    """Source of each output position: min(⌊i·scale⌋, n - 1), in the input's float precision."""
    scale = dtype.type(1.0 / factor if factor else n / o)
    return np.minimum(np.floor(np.arange(o, dtype=dtype) * scale).astype(np.int64), n - 1)


def _linear(n, o, factor, align_corners, dtype):
    """The (o × n) matrix of linear interpolation: row i has 1 - λ at ⌊src⌋ and λ at the next,
    src = i·(n-1)/(o-1) (align_corners) or max((i + ½)·scale - ½, 0)."""
    i = np.arange(o, dtype=dtype)
    if align_corners:
        src = i * dtype.type((n - 1) / (o - 1) if o > 1 else 0)
    else:
        src = np.maximum(dtype.type(1.0 / factor if factor else n / o) * (i + dtype.type(0.5))
                         - dtype.type(0.5), 0)
    low = src.astype(np.int64)
    high = low + (low < n - 1)
    lam = np.clip(src - low, 0, 1).astype(dtype)
    matrix = np.zeros((o, n), dtype=dtype)
    rows = np.arange(o)
    np.add.at(matrix, (rows, low), 1 - lam)
    np.add.at(matrix, (rows, high), lam)
    return matrix


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resamples the spatial dims to `size` (or input size × scale_factor, floored).
    'nearest': y[i] = x[min(⌊i·scale⌋, n - 1)]. 'linear' (3-D input) / 'bilinear' (4-D): per dim,
    y = (1 - λ)·x[⌊src⌋] + λ·x[⌊src⌋ + 1], src = i·(n-1)/(o-1) with align_corners, else
    (i + ½)·scale - ½ clamped at 0; scale = 1/scale_factor if given, else n / o."""
    _check_tensor(input, 'interpolate')
    if mode not in _MODES:
        raise NotImplementedError(f'Input Error: Only 3D, 4D and 5D input Tensors supported (got '
                                  f'{input.ndim}D) for the modes: nearest | linear | bilinear | bicubic | '
                                  f'trilinear | lanczos | area | nearest-exact (got {mode})')
    if mode not in ('nearest', 'linear', 'bilinear'):
        raise NotImplementedError(f"interpolate(mode='{mode}'): minigrad has 'nearest', 'linear' and "
                                  f"'bilinear'")
    if antialias:
        raise NotImplementedError('interpolate(antialias=True): minigrad has no antialiasing')
    if mode == 'nearest' and align_corners is not None:
        raise ValueError('align_corners option can only be set with the interpolating modes: '
                         'linear | bilinear | bicubic | trilinear')
    needs = {'linear': 3, 'bilinear': 4}.get(mode)
    if needs is not None and input.ndim != needs:
        raise NotImplementedError(f'Got {input.ndim}D input, but {mode} mode needs {needs}D input')
    if input.ndim < 3:
        raise ValueError(f'Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D)')
    sizes, factors = _output_sizes(input, size, scale_factor, recompute_scale_factor)
    dtype = input._array.dtype if input.dtype.kind == 'f' else np.dtype(np.float32)
    out = input
    for axis, (n, o, f) in enumerate(zip(input.shape[2:], sizes, factors), start=2):
        if mode == 'nearest':
            out = out[(slice(None),) * axis + (Tensor._wrap(_nearest(n, o, f, dtype)),)]
        else:
            matrix = Tensor._wrap(_linear(n, o, f, align_corners, dtype).T.copy())     # (n, o)
            out = (out.transpose(axis, -1) @ matrix).transpose(axis, -1)
    return out


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    """F.interpolate under its old name (deprecated in PyTorch)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) -> (*, C, H·r, W·r): y[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]."""
    _check_tensor(input, 'pixel_shuffle')
    r = int(upscale_factor)
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
                           f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    k = len(lead)
    x = input.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(tuple(lead) + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """pixel_shuffle's inverse: (*, C, H·r, W·r) -> (*, C·r², H, W)."""
    _check_tensor(input, 'pixel_unshuffle')
    r = int(downscale_factor)
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} is not divisible by {r}" if h % r else
                           f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={w} is not divisible by {r}")
    k = len(lead)
    x = input.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(tuple(lead) + (c * r * r, h // r, w // r))
