"""Reductions over `dim` (None, an int or a tuple; negative dims count from the end).
Backward first restores the reduced axes (`keepdim`) so the gradient broadcasts."""
import math
import warnings

import numpy as np

from ..autograd.graph import Op
from ._stable import logsumexp
from .shape import _along_index


def _restore(grad, x_ndim, dim, keepdim):
    """Re-inserts the reduced axes into `grad` as size-1 axes (a view, no copy)."""
    if keepdim or dim is None and grad.ndim == x_ndim:
        return grad
    if dim is None:
        return grad.reshape((1,) * x_ndim)
    axes = (dim,) if isinstance(dim, int) else dim
    return np.expand_dims(grad, tuple(a % x_ndim for a in axes)) if x_ndim else grad


def _spread(grad, shape):
    """`grad` copied to every position of `shape`."""
    # speed: for a (64, 10) gradient this takes 0.8 µs; np.broadcast_to takes 2.4 µs, and its
    # read-only view would be copied again before it could become a leaf's .grad
    if not isinstance(grad, np.ndarray):        # a Tensor (create_graph): broadcast in the graph
        return np.broadcast_to(grad, shape)
    out = np.empty(shape, dtype=grad.dtype)
    out[...] = grad
    return out


def _count(shape, dim):
    """How many elements each output element of a reduction over `dim` combines."""
    if dim is None:
        return math.prod(shape)
    axes = (dim,) if isinstance(dim, int) else dim
    return math.prod([shape[a] for a in axes])


class Sum(Op):
    """d Σ x = Σ dx: every element gets the incoming gradient"""
    def forward(self, x, dim=None, keepdim=False):
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        return x.sum(axis=dim, keepdims=keepdim)

    def backward(self, grad):
        grad = _restore(grad, len(self.shape), self.dim, self.keepdim)
        return _spread(grad, self.shape)


class Mean(Op):
    """d mean(x) = dx / n, n the number of elements averaged"""
    def forward(self, x, dim=None, keepdim=False):
        self.shape, self.dim, self.keepdim = x.shape, dim, keepdim
        self.count = _count(x.shape, dim)
        return x.mean(axis=dim, keepdims=keepdim)

    def backward(self, grad):
        grad = _restore(grad, len(self.shape), self.dim, self.keepdim)
        return _spread(grad / self.count, self.shape)


class Var(Op):
    """d var(x) = 2 (x - mean(x)) dx / (n - 1)   (n with unbiased=False)"""
    def forward(self, x, dim=None, keepdim=False, unbiased=True):
        self.dim, self.keepdim = dim, keepdim
        centered = x - x.mean(axis=dim, keepdims=True)
        n = _count(x.shape, dim)
        self.divisor = max(n - 1, 0) if unbiased else n
        if self.divisor == 0:
            warnings.warn(f'var(): degrees of freedom is <= 0 ({n} element(s) per variance with '
                          f'unbiased={unbiased}), so the result is nan; pass unbiased=False or '
                          f'reduce over more elements', UserWarning, stacklevel=4)
        self.saved = x                  # as PyTorch: an in-place change of x is then an error
        with np.errstate(divide='ignore', invalid='ignore'):
            return (centered * centered).sum(axis=dim, keepdims=keepdim) / self.divisor

    def backward(self, grad):
        x = self.saved
        centered = x - x.mean(axis=self.dim, keepdims=True)
        grad = _restore(grad, centered.ndim, self.dim, self.keepdim)
        scale = 2 / self.divisor if self.divisor else np.nan     # nan for no degrees of freedom, as in PyTorch
        return grad * scale * centered


class _Extreme(Op):
    """Shared by amax/amin: the gradient goes to the extreme, split evenly on ties."""
    reduce = None

    def forward(self, x, dim=None, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        out = self.reduce(x, axis=dim, keepdims=keepdim)
        self.saved = (x, out)
        return out

    def backward(self, grad):
        x, out = self.saved
        out = _restore(out, x.ndim, self.dim, self.keepdim)
        grad = _restore(grad, x.ndim, self.dim, self.keepdim)
        hit = x == out
        share = grad / hit.sum(axis=self.dim, keepdims=True)
        return np.where(hit, share, 0)          # an exact 0 elsewhere, also for an infinite grad


class AMax(_Extreme):
    """d amax(x) = dx at the maximum (ties share it evenly)"""
    reduce = staticmethod(np.max)


class AMin(_Extreme):
    """d amin(x) = dx at the minimum (ties share it evenly)"""
    reduce = staticmethod(np.min)


class _AtIndex(Op):
    """Shared by max(dim)/min(dim): the gradient goes to the one index the forward returned."""
    def forward(self, x, indices, dim, keepdim=False):
        self.shape, self.indices, self.dim, self.keepdim = x.shape, indices, dim, keepdim
        values = np.take_along_axis(x, indices, axis=dim)      # indices keep the dim: (.., 1, ..)
        return values if keepdim else values.squeeze(axis=dim)

    def backward(self, grad):
        full = np.zeros_like(grad, shape=self.shape)
        full[_along_index(self.indices, self.dim)] = _restore(grad, len(self.shape), self.dim,
                                                              self.keepdim)
        return full


class Max(_AtIndex):
    """d max(x, dim).values = dx at the returned index along dim (one index, also on ties)"""


class Min(_AtIndex):
    """d min(x, dim).values = dx at the returned index along dim (one index, also on ties)"""


class LogSumExp(Op):
    """d log Σ exp(x) = softmax(x) dx"""
    def forward(self, x, dim=None, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        out = logsumexp(x, dim)                         # stably, the dims kept: see _stable.py
        self.saved = (x, out)
        return out if keepdim else out.squeeze(axis=dim)

    def backward(self, grad):
        x, out = self.saved
        grad = _restore(grad, x.ndim, self.dim, self.keepdim)
        return grad * np.exp(x - out)


class Prod(Op):
    """d Π x = Σ_i (Π_{j≠i} x_j) dx_i   (Π / x_i without zeros; with one zero, only it gets Π of the others)"""
    def forward(self, x, dim=None, keepdim=False):
        self.dim, self.keepdim = dim, keepdim
        out = x.prod(axis=dim, keepdims=keepdim)
        self.saved = (x, out)           # both, as PyTorch: an in-place change of either is an error
        return out

    def backward(self, grad):
        x, out = self.saved
        grad = _restore(grad, x.ndim, self.dim, self.keepdim)
        out = _restore(out, x.ndim, self.dim, self.keepdim)
        zero = x == 0
        zeros = zero.sum(axis=self.dim, keepdims=True)                        # per product
        others = np.where(zero, 1, x).prod(axis=self.dim, keepdims=True)      # Π of the non-zero
        slope = np.where(zeros == 0, out / np.where(zero, 1, x),               # as PyTorch computes it
                         np.where(zero & (zeros == 1), others, 0))
        return grad * slope
