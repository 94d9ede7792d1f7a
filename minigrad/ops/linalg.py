"""Linear algebra: matrix products and the fused linear layer."""
import numpy as np

from ..autograd.graph import Op


class MatMul(Op):
    """d(a @ b) = da @ b + a @ db, so grad_a = grad @ bᵀ and grad_b = aᵀ @ grad"""
    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.saved = (a if need_b else None, b if need_a else None)    # each serves the other's gradient
        self.ndims = (a.ndim, b.ndim)
        return a @ b

    def backward(self, grad):
        a, b = self.saved
        a_ndim, b_ndim = self.ndims
        need_a, need_b = self.needs_input_grad
        if a_ndim == 1 and b_ndim == 1:         # dot product
            return (grad * b if need_a else None), (grad * a if need_b else None)
        # A 1-D operand is a row (left) or a column (right) vector; put its axis back.
        if a_ndim == 1:
            grad = np.expand_dims(grad, -2)
            a = None if a is None else a[None, :]
        if b_ndim == 1:
            grad = np.expand_dims(grad, -1)
            b = None if b is None else b[:, None]
        grad_a = grad @ np.swapaxes(b, -1, -2) if need_a else None
        grad_b = np.swapaxes(a, -1, -2) @ grad if need_b else None
        if need_a and a_ndim == 1:
            grad_a = grad_a[..., 0, :]
        if need_b and b_ndim == 1:
            grad_b = grad_b[..., 0]
        return grad_a, grad_b


class Linear(Op):
    """d(x Wᵀ + b) = dx Wᵀ + x dWᵀ + db: grad_x = grad @ W, grad_W = gradᵀ @ x, grad_b = Σ_rows grad"""
    def forward(self, x, weight, bias=None):
        needs = self.needs_input_grad
        self.saved = (x if needs[1] else None, weight if needs[0] else None)   # each serves the other's gradient
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    def backward(self, grad):
        x, weight = self.saved
        needs = self.needs_input_grad
        grad_x = grad @ weight if needs[0] else None
        if grad.ndim != 2:                  # (out,) or (N, *, out): fold leading dims into rows
            rows = int(np.prod(grad.shape[:-1]))    # not -1: a size may be 0
            grad = grad.reshape(rows, grad.shape[-1])
            x = None if x is None else x.reshape(rows, x.shape[-1])
        grad_w = grad.T @ x if needs[1] else None
        grad_b = grad.sum(axis=0) if len(needs) > 2 and needs[2] else None
        return grad_x, grad_w, grad_b
