"""Pooling over windows: the windows are conv's (im2col, minigrad/ops/conv.py), reduced instead
of multiplied. Max pooling keeps each window's largest element and routes the gradient back to
it (a scatter-add at the maxima's indices, as PyTorch's); average pooling divides each window's
sum and spreads the gradient evenly (col2im of a per-window gradient, as conv's backward).
"""
import math

import numpy as np

from ..autograd.graph import Op
from .conv import _padded, _place, _unfold_array, fold


def _lowest(dtype):
    """The padding a max never picks: -inf, or an integer type's least value."""
    return -np.inf if dtype.kind == 'f' else np.iinfo(dtype).min


def window_argmax(x, window):
    """Which element of each window is its largest, as an offset into the window: (N, C, L) ints
    from x (N, C, *size). The first of equal maxima wins; a NaN wins, and a later NaN over an
    earlier one, as PyTorch's `val > max || isnan(val)` scan. No gradient: an index."""
    n, c = x.shape[:2]
    x = _padded(x, window, fill=_lowest(x.dtype))
    every = (slice(None), slice(None))
    kernel = math.prod(window.kernel)
    best = x[every + _place((0,) * len(window.kernel), window)].copy()
    offset = np.zeros(best.shape, dtype=np.uint8 if kernel < 256 else np.int64)
    # speed: arithmetic on each kernel offset's strided view of x, not argmax along an axis of the
    # unfolded windows nor np.where (branchy on random masks): 6.6 -> 2.0 ms for LeNet's first pool
    for k, at in enumerate(np.ndindex(*window.kernel)):
        v = x[every + _place(at, window)]
        better = (v > best) | (v != v)
        np.maximum(best, v, out=best)
        offset += better * (k - offset)         # k where better, else unchanged (mod 256 is fine)
    return offset.reshape(n, c, -1)


def flat_indices(offset, window):
    """Each max's position in its input plane, row-major (h·W + w), from the window offsets of
    window_argmax: PyTorch's max-pool indices, int64. (A window of nothing but -inf, padding
    included, points at its first input element, as PyTorch's.)"""
    kernel = np.unravel_index(np.arange(math.prod(window.kernel)), window.kernel)
    grid = np.unravel_index(np.arange(offset.shape[-1]), window.out)
    flat = np.zeros(offset.shape, dtype=np.int64)
    for i, o, s, d, (before, _), size in zip(kernel, grid, window.stride, window.dilation,
                                             window.padding, window.size):
        # speed: per dim, a lookup in a table of kernel offsets, not unravel_index of every max
        at = (o * s - before)[None, None, :] + (i * d)[offset]
        flat = flat * size + np.clip(at, 0, size - 1)
    return flat


class MaxPool(Op):
    """d maxpool(x) = dy at each window's max, added up where windows share it (a scatter-add)

    Forward: y = x at each window's max, found beforehand by window_argmax (`offset`), as
    Tensor.max's indices are: where the max is has no gradient.
    """
    def forward(self, x, window, offset):
        n, c = x.shape[:2]
        plane = math.prod(window.size)              # each max's place in x, flattened
        self.shape = x.shape
        self.at = (flat_indices(offset, window) + (np.arange(n * c) * plane).reshape(n, c, 1)).reshape(-1)
        return x.reshape(-1)[self.at].reshape((n, c) + window.out)

    def backward(self, grad):
        full = np.zeros_like(grad, shape=(math.prod(self.shape),))
        np.add.at(full, self.at, grad.reshape(-1))          # maxima shared by windows add up
        return full.reshape(self.shape)


class AvgPool(Op):
    """d avgpool(x) = dy / divisor spread over each window (col2im), added up where windows overlap

    Forward: y = Σ window / divisor, divisor the window's size, or PyTorch's count of the
    positions inside the input (count_include_pad=False), or divisor_override.
    """
    def forward(self, x, window, divisor):
        n, c = x.shape[:2]
        self.window, self.divisor, self.shape = window, divisor, x.shape
        length = math.prod(window.out)
        total = _unfold_array(x, window).reshape(n, c, -1, length).sum(axis=2)
        return (total / divisor).reshape((n, c) + window.out)

    def backward(self, grad):
        n, c = self.shape[:2]
        kernel, length = math.prod(self.window.kernel), math.prod(self.window.out)
        share = grad.reshape(n, c, 1, length) / self.divisor
        cols = np.broadcast_to(share, (n, c, kernel, length)).reshape(n, c * kernel, length)
        return fold(cols, c, self.window)
