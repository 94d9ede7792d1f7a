"""Scans along one dim: running sums, products and log-sum-exps. Each output element combines
the inputs up to its position, so each input's gradient gathers from the outputs from its
position on: a scan's backward is a scan run backwards.

(Sorting and selection, sort/topk/median/cummax..., need no op of their own: their values are
a take-along-dim, ops/shape.py's TakeAlong, whose backward scatter-adds to the picked elements.)
"""
import numpy as np

from ..autograd.graph import Op


def _flip(a, axis):
    """`a` reversed along `axis` (a view; replayable: it is an index)."""
    return a[(slice(None),) * axis + (slice(None, None, -1),)]


def _reverse_cumsum(a, axis):
    """out_k = Σ_{j ≥ k} a_j along `axis`."""
    return _flip(np.cumsum(_flip(a, axis), axis=axis), axis)


class CumSum(Op):
    """d cumsum(x)_j = Σ_{k ≤ j} dx_k, so the gradient is the reversed cumsum of d(out)"""
    def forward(self, x, dim):
        self.dim = dim
        return np.cumsum(x, axis=dim)

    def backward(self, grad):
        return _reverse_cumsum(grad, self.dim)


class CumProd(Op):
    """d cumprod(x)_j = Σ_{k ≤ j} (Π_{i ≤ j, i ≠ k} x_i) dx_k   (without zeros: revcumsum(g·out) / x)

    With zeros (PyTorch's rule), z the first zero of a slice: before z, revcumsum(g·out) / x; at
    z, Σ_{j ≥ z} g_j Π_{i ≤ j, i ≠ z} x_i; after z, x_z · (the same rule for x with x_z := 1),
    which is 0 but has the right derivative in x_z, so that the rule differentiates twice.
    """
    def forward(self, x, dim):
        self.dim = dim
        out = np.cumprod(x, axis=dim)
        self.saved = (x, out)
        return out

    def backward(self, grad):
        x, out = self.saved
        if not (x == 0).any():
            return _reverse_cumsum(grad * out, self.dim) / x
        before, first, to_first, at_first, x1, out1 = self._parts(grad, x, out)
        before1, first1, to_first1, at_first1, _, _ = self._parts(grad, x1, out1)
        later = np.where(before1, to_first1, np.where(first1, at_first1, 0))
        x_z = np.where(first, x, 0).sum(axis=self.dim, keepdims=True)      # 0, but not constant
        return np.where(before, to_first, np.where(first, at_first, x_z * later))

    def _parts(self, grad, x, out):
        """Where each slice is before and at its first zero, the rule there, and x with that
        zero made 1 with its cumprod."""
        zero, dim = x == 0, self.dim
        zeros_so_far = np.cumsum(zero, axis=dim)
        before, first = zeros_so_far == 0, zero & (zeros_so_far == 1)
        # guarded divisor (see ops/elementwise.py's docstring: replay differentiates both branches)
        to_first = _reverse_cumsum(grad * out, dim) / np.where(before, x, 1)
        x1 = np.where(first, 1, x)
        out1 = np.cumprod(x1, axis=dim)
        return before, first, to_first, _reverse_cumsum(grad * out1, dim), x1, out1


def _logcumsumexp(a, axis):
    """log Σ_{k ≤ j} exp(a_k) along `axis`, stably (logaddexp, pairwise, with no overflow).

    NumPy's logaddexp.accumulate cannot be replayed on Tensors (create_graph), so there the
    LogCumSumExp op is applied to the traced tensor itself: the same rule, one level up."""
    if isinstance(a, np.ndarray):
        with np.errstate(invalid='ignore'):         # -inf + -inf stays -inf, as in PyTorch
            return np.logaddexp.accumulate(a, axis=axis)
    return type(a)(LogCumSumExp.apply(a.tensor, dim=axis), True)    # a replay's Traced tensor


class LogCumSumExp(Op):
    """d logcumsumexp(x)_j = Σ_{k ≤ j} exp(x_k - out_j) dx_k

    Backward, stably (PyTorch's way): with g = d(out) split into g⁺ and g⁻,
    dx_k = exp(x_k + revLCSE(log g⁺ - out)_k) - exp(x_k + revLCSE(log g⁻ - out)_k),
    revLCSE the logcumsumexp run from the end: no exp of a large number is ever taken.
    """
    def forward(self, x, dim):
        self.dim = dim
        out = _logcumsumexp(x, dim)
        self.saved = (x, out)
        return out

    def backward(self, grad):
        x, out = self.saved
        lost = out == -np.inf              # all x so far -inf: no gradient there, and no inf - inf
        out = np.where(lost, 0, out)
        return self._part(grad > 0, grad, x, out, lost) - self._part(grad < 0, -grad, x, out, lost)

    def _part(self, sign, grad, x, out, lost):
        """Σ_{j ≥ k} |g_j| exp(x_k - out_j) over the j where g has this sign, in log space."""
        keep = sign & ~lost
        log_grad = np.where(keep, np.log(np.where(keep, grad, 1)) - out, -np.inf)
        with np.errstate(invalid='ignore', over='ignore'):
            return np.exp(x + _flip(_logcumsumexp(_flip(log_grad, self.dim), self.dim), self.dim))
