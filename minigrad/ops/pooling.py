"""Pooling over windows: the windows are conv's (im2col, minigrad/ops/conv.py), reduced instead
of multiplied. Max pooling keeps each window's largest element and routes the gradient back to
it; average pooling divides each window's sum and spreads the gradient evenly. Both backwards
are col2im of a per-window gradient, as conv's is.
"""
import numpy as np

from ..autograd.graph import Op
from .conv import _unfold_array, fold


def _lowest(dtype):
    """The padding a max never picks: -inf, or an integer type's least value."""
    return -np.inf if dtype.kind == 'f' else np.iinfo(dtype).min


def window_argmax(x, window):
    """Which element of each window is its largest (the first, on ties; NaN wins, as in PyTorch),
    as an offset into the window: (N, C, L) ints from x (N, C, *size). No gradient: an index."""
    n, c = x.shape[:2]
    cols = _unfold_array(x, window, fill=_lowest(x.dtype)).reshape(n, c, -1, int(np.prod(window.out)))
    return cols.argmax(axis=2)


def flat_indices(offset, window):
    """PyTorch's max-pool indices: each max's position in its (unpadded) input plane, row-major
    (h·W + w), int64, from the window offsets of window_argmax."""
    at = np.unravel_index(offset, window.kernel)                   # kernel coordinates
    grid = np.unravel_index(np.arange(offset.shape[-1]), window.out)
    flat = np.zeros(offset.shape, dtype=np.int64)
    for i, o, s, d, (before, _), size in zip(at, grid, window.stride, window.dilation,
                                             window.padding, window.size):
        flat = flat * size + (o * s + i * d - before)
    return flat


class MaxPool(Op):
    """d maxpool(x) = dy at each window's max, added up where windows share it (col2im of one-hots)

    Forward: y = each window's element at `offset` (window_argmax's, found beforehand as
    Tensor.max's indices are: an index has no gradient).
    """
    def forward(self, x, window, offset):
        n, c = x.shape[:2]
        self.window, self.offset, self.channels = window, offset, c
        cols = _unfold_array(x, window, fill=_lowest(x.dtype)).reshape(n, c, -1, offset.shape[-1])
        return np.take_along_axis(cols, offset[:, :, None], axis=2).reshape((n, c) + window.out)

    def backward(self, grad):
        n, c, length = self.offset.shape
        kernel = int(np.prod(self.window.kernel))
        onehot = np.arange(kernel)[:, None] == self.offset[:, :, None, :]     # (N, C, K, L)
        cols = (onehot * grad.reshape(n, c, 1, length)).reshape(n, c * kernel, length)
        return fold(cols, c, self.window)


class AvgPool(Op):
    """d avgpool(x) = dy / divisor spread over each window (col2im), added up where windows overlap

    Forward: y = Σ window / divisor, divisor the window's size, or PyTorch's count of the
    positions inside the input (count_include_pad=False), or divisor_override.
    """
    def forward(self, x, window, divisor):
        n, c = x.shape[:2]
        self.window, self.divisor, self.shape = window, divisor, x.shape
        length = int(np.prod(window.out))
        total = _unfold_array(x, window).reshape(n, c, -1, length).sum(axis=2)
        return (total / divisor).reshape((n, c) + window.out)

    def backward(self, grad):
        n, c = self.shape[:2]
        kernel, length = int(np.prod(self.window.kernel)), int(np.prod(self.window.out))
        share = grad.reshape(n, c, 1, length) / self.divisor
        cols = np.broadcast_to(share, (n, c, kernel, length)).reshape(n, c * kernel, length)
        return fold(cols, c, self.window)
