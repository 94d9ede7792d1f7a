"""Convolution as im2col + matmul, and its transpose: the chain rule, readable.

im2col ("unfold") copies every window of the (padded) input into a column:
    x (N, C, H, W)  ->  cols (N, C·kh·kw, L),  L = Ho·Wo output positions,
    cols[n, (c, i, j), (p, q)] = xpad[n, c, p·s + i·d, q·s + j·d]
so a convolution is one matrix product per group:
    y[n] = W (O, C·kh·kw) @ cols[n]  (+ b),      y (N, O, Ho, Wo).
Its backward is the transposes of the two steps:
    dW = Σ_n dy[n] @ cols[n]ᵀ,    dcols = Wᵀ @ dy,    dx = col2im(dcols),
col2im ("fold") being im2col's transpose: it adds each column back at its window's place
(a scatter-add: overlapping windows add up), one shifted slice per kernel offset.
A transposed convolution is the same two steps run the other way: y = col2im(Wᵀ @ x).

Im2Col and Col2Im are each other's backward; under create_graph the rules here call them as
ops on the traced tensors (`unfold`, `fold`), so every derivative is differentiable again.
"""
import collections
import math

import numpy as np

from ..autograd.graph import Op

Window = collections.namedtuple('Window', 'kernel stride padding dilation size out')
Window.__doc__ = """Where the windows of an N-d image lie, one entry per spatial dim: kernel sizes,
strides, (before, after) paddings, dilations, the image's unpadded size and the grid of window
positions (the output size). Windows start at 0 of the padded image."""


def window(kernel, stride, padding, dilation, size, ceil_mode=False):
    """The Window of a convolution or pooling over spatial `size`; padding is per dim, an int
    (both sides) or a (before, after) pair. Out: ⌊(n + pads - d(k-1) - 1) / s⌋ + 1, or with
    ceil_mode the ceiling, less one if the last window would start in the right padding."""
    pads, out = [], []
    for k, s, p, d, n in zip(kernel, stride, padding, dilation, size):
        before, after = (p, p) if isinstance(p, int) else p
        span = n + before + after - d * (k - 1) - 1
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= n + before:
            o -= 1
        extra = max(0, (o - 1) * s + d * (k - 1) + 1 - (n + before + after))
        pads.append((before, after + extra))        # ceil_mode's last window reaches past the pad
        out.append(o)
    return Window(tuple(kernel), tuple(stride), tuple(pads), tuple(dilation), tuple(size), tuple(out))


def _padded(x, w, fill=0.0):
    """x with w's padding around its spatial dims (x itself when there is none)."""
    if not any(b or a for b, a in w.padding):
        return x
    n, c = x.shape[:2]
    padded = np.full((n, c) + tuple(s + b + a for s, (b, a) in zip(w.size, w.padding)), fill, dtype=x.dtype)
    padded[(slice(None), slice(None)) + tuple(slice(b, b + s) for s, (b, _) in zip(w.size, w.padding))] = x
    return padded


def _unfold_array(x, w, fill=0.0):
    """im2col on an array: (N, C, *size) -> (N, C·K, L), K the kernel's and L the grid's size."""
    n, c = x.shape[:2]
    x = _padded(x, w, fill)
    strides = x.strides
    view = np.lib.stride_tricks.as_strided(           # read-only view: (N, C, *kernel, *out)
        x, (n, c) + w.kernel + w.out,
        strides[:2] + tuple(st * d for st, d in zip(strides[2:], w.dilation))
        + tuple(st * s for st, s in zip(strides[2:], w.stride)), writeable=False)
    return view.reshape(n, c * math.prod(w.kernel), math.prod(w.out))     # the one copy


def _fold_array(cols, channels, w):
    """col2im on an array: (N, C·K, L) -> (N, C, *size), each column added back at its window."""
    blocks = cols.reshape((cols.shape[0], channels) + w.kernel + w.out)
    return _fold_batch_last(np.ascontiguousarray(np.moveaxis(blocks, 0, -1)), w)


def _fold_batch_last(blocks, w):
    """col2im of columns laid out batch-last, (C, *kernel, *out, N), into (N, C, *size)."""
    channels, n = blocks.shape[0], blocks.shape[-1]
    # speed: batch innermost, so that each slice-add below runs over rows of out·N contiguous
    # numbers instead of out: 8.8 -> 3.4 ms for LeNet's conv2, transposes included
    full = np.zeros((channels,) + tuple(s + b + a for s, (b, a) in zip(w.size, w.padding)) + (n,),
                    dtype=blocks.dtype)
    for offset in np.ndindex(*w.kernel):            # one strided slice-add per kernel offset
        full[(slice(None),) + _place(offset, w)] += blocks[(slice(None),) + offset]
    return _inside_batch_first(full, w)


def _place(offset, w):
    """Where the windows' elements at kernel `offset` lie in the padded image: a strided slice
    per spatial dim, one element per output position."""
    return tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                 for i, d, s, o in zip(offset, w.dilation, w.stride, w.out))


def _inside_batch_first(full, w):
    """(C, *padded, N) -> (N, C, *size): the padding cropped, the batch first again."""
    inside = tuple(slice(b, b + s) for s, (b, _) in zip(w.size, w.padding))
    return np.ascontiguousarray(np.moveaxis(full[(slice(None),) + inside], -1, 0))


def unfold(x, w):
    """im2col of x (an array, or a replay's traced tensor: then the Im2Col op itself)."""
    if isinstance(x, np.ndarray):
        return _unfold_array(x, w)
    return type(x)(Im2Col.apply(x.tensor, window=w), True)


def fold(cols, channels, w):
    """col2im of cols (an array, or a replay's traced tensor: then the Col2Im op itself)."""
    if isinstance(cols, np.ndarray):
        return _fold_array(cols, channels, w)
    return type(cols)(Col2Im.apply(cols.tensor, channels=channels, window=w), True)


class Im2Col(Op):
    """d im2col(x) = col2im(dcols): each window's gradient added back at its place"""
    def forward(self, x, window):
        self.channels, self.window = x.shape[1], window
        return _unfold_array(x, window)

    def backward(self, grad):
        return fold(grad, self.channels, self.window)


class Col2Im(Op):
    """d col2im(cols) = im2col(dx): each column's gradient read back from its window"""
    def forward(self, cols, channels, window):
        self.window = window
        return _fold_array(cols, channels, window)

    def backward(self, grad):
        return unfold(grad, self.window)


def _grouped(a, groups):
    """(N, G·R, L) seen as (N, G, R, L): each group's rows."""
    return a.reshape(a.shape[0], groups, a.shape[1] // groups, a.shape[2])


def _bias_grad(grad):
    return grad.sum(axis=tuple(i for i in range(grad.ndim) if i != 1))


class Conv(Op):
    """d conv(x, W) + b: dW = Σₙ dy·colsᵀ, dx = col2im(Wᵀ·dy), db = Σ dy over batch and positions

    Forward: cols = im2col(x) (N, G, C/G·K, L); y = W (G, O/G, C/G·K) @ cols (+ b).
    """
    def forward(self, x, weight, *bias, window, groups):
        n, out = x.shape[0], weight.shape[0]
        cols = _grouped(unfold(x, window), groups)
        w = weight.reshape(groups, out // groups, cols.shape[2])
        self.saved = (cols if self.needs_input_grad[1] else None, w if self.needs_input_grad[0] else None)
        self.shapes, self.window, self.groups = (x.shape[1], weight.shape), window, groups
        y = w @ cols                                                    # (N, G, O/G, L)
        if bias:            # in place on an array (fresh: nobody else sees it); replay adds anew
            y += bias[0].reshape(groups, out // groups, 1)
        return y.reshape((n, out) + window.out)

    def backward(self, grad):
        cols, w = self.saved
        channels, weight_shape = self.shapes
        n, groups = grad.shape[0], self.groups
        g = _grouped(grad.reshape(n, grad.shape[1], -1), groups)       # (N, G, O/G, L)
        needs = self.needs_input_grad
        grad_x = _input_grad(w, g, channels, self.window) if needs[0] else None
        # speed: dWᵀ = cols·dyᵀ, not dW = dy·colsᵀ: OpenBLAS runs LeNet's conv2 shapes 4x faster
        grad_w = np.swapaxes((cols @ np.swapaxes(g, 2, 3)).sum(axis=0), 1, 2).reshape(weight_shape) \
            if needs[1] else None
        grad_b = _bias_grad(grad) if len(needs) > 2 and needs[2] else None
        return grad_x, grad_w, grad_b


def _input_grad(w, g, channels, window):
    """Conv's dx = col2im(Wᵀ·dy), w (G, O/G, C/G·K), g = dy (N, G, O/G, L)."""
    n, groups, length = g.shape[0], g.shape[1], g.shape[3]
    if not isinstance(g, np.ndarray):           # replay: the same, in ops it can differentiate
        return fold((np.swapaxes(w, 1, 2) @ g).reshape(n, -1, length), channels, window)
    # speed: dy batch-last, one matmul per group and kernel offset, each product added at once at
    # its offset's place (col2im fused in): no columns the size of im2col's are ever made, and each
    # slice-add runs over rows of out·N contiguous numbers: 8.8 -> 3.0 ms for LeNet's conv2
    batch_last = np.ascontiguousarray(np.moveaxis(g, 0, -1)).reshape(groups, g.shape[2], length * n)
    per_offset = np.moveaxis(w.reshape(groups, w.shape[1], channels // groups, -1), -1, 0)
    full = np.zeros((channels,) + tuple(s + b + a for s, (b, a) in zip(window.size, window.padding))
                    + (n,), dtype=g.dtype)
    for k, offset in enumerate(np.ndindex(*window.kernel)):
        product = np.swapaxes(per_offset[k], 1, 2) @ batch_last                  # (G, C/G, L·N)
        full[(slice(None),) + _place(offset, window)] += product.reshape((channels,) + window.out + (n,))
    return _inside_batch_first(full, window)


class ConvTranspose(Op):
    """d conv_transpose(x, W) + b: dx = W·im2col(dy), dW = Σₙ x·im2col(dy)ᵀ, db = Σ dy

    Conv's input gradient run forward, and its backward is conv's forward. Forward: y = col2im(Wᵀ (G, O/G·K, C/G) @ x (N, G, C/G, L)) (+ b); window.out is x's size.
    """
    def forward(self, x, weight, *bias, window, groups):
        n, channels = x.shape[:2]
        xs = _grouped(x.reshape(n, channels, -1), groups)               # (N, G, C/G, L)
        w = weight.reshape(groups, channels // groups, -1)              # (G, C/G, O/G·K)
        self.saved = (xs if self.needs_input_grad[1] else None, w if self.needs_input_grad[0] else None)
        self.shapes, self.window, self.groups = (x.shape, weight.shape), window, groups
        out = weight.shape[1] * groups
        y = fold((np.swapaxes(w, 1, 2) @ xs).reshape(n, -1, xs.shape[3]), out, window)
        if bias:
            y = y + bias[0].reshape((out,) + (1,) * len(window.out))
        return y

    def backward(self, grad):
        xs, w = self.saved
        x_shape, weight_shape = self.shapes
        window, groups = self.window, self.groups
        gcols = _grouped(unfold(grad, window), groups)                  # (N, G, O/G·K, L)
        needs = self.needs_input_grad
        grad_x = (w @ gcols).reshape(x_shape) if needs[0] else None
        grad_w = (xs @ np.swapaxes(gcols, 2, 3)).sum(axis=0).reshape(weight_shape) if needs[1] else None
        grad_b = _bias_grad(grad) if len(needs) > 2 and needs[2] else None
        return grad_x, grad_w, grad_b
