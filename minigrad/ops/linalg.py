"""Linear algebra: matrix products, the fused linear layer, einsum, diagonals, triangles, the
cross product and the vector norm (the functions that use them: products.py, linalg.py)."""
import math

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
        if x.ndim > 2:      # speed: one 2-D product, not one per leading index (transformer: 2×)
            rows = math.prod(x.shape[:-1])          # not -1: a size may be 0
            out = (x.reshape(rows, x.shape[-1]) @ weight.T).reshape(*x.shape[:-1], weight.shape[0])
        else:
            out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    def backward(self, grad):
        x, weight = self.saved
        needs = self.needs_input_grad
        shape = grad.shape
        if grad.ndim != 2:                  # (out,) or (N, *, out): fold leading dims into rows
            rows = math.prod(grad.shape[:-1])       # not -1: a size may be 0
            grad = grad.reshape(rows, grad.shape[-1])
            x = None if x is None else x.reshape(rows, x.shape[-1])
        grad_x = grad @ weight if needs[0] else None
        if grad_x is not None and len(shape) != 2:
            grad_x = grad_x.reshape(*shape[:-1], weight.shape[1])
        grad_w = grad.T @ x if needs[1] else None
        grad_b = grad.sum(axis=0) if len(needs) > 2 and needs[2] else None
        return grad_x, grad_w, grad_b


# ------------------------------------------------------------------ einsum

class Einsum(Op):
    """d einsum(s, x₁, ..., xₙ) = Σₖ einsum(s with xₖ's term as output, grad, the other x) dxₖ"""
    def forward(self, *operands, equation):
        self.equation, self.shapes = equation, [x.shape for x in operands]
        needs = self.needs_input_grad      # each operand serves the gradients of the others
        self.saved = tuple(x if any(n for j, n in enumerate(needs) if j != i) else None
                           for i, x in enumerate(operands))
        return np.einsum(equation, *operands, optimize=len(operands) > 1)

    def backward(self, grad):
        terms, output = self.equation.split('->')
        terms = terms.split(',')
        return tuple(_einsum_grad(grad, output, terms, self.saved, k, self.shapes[k])
                     if need else None for k, need in enumerate(self.needs_input_grad))


def _einsum_grad(grad, output, terms, operands, k, shape):
    """The gradient of operand k: an einsum over its distinct letters, broadcast along those
    that only it has (summed away in forward), then put on the diagonal of repeated letters."""
    term = terms[k]
    letters = ''.join(dict.fromkeys(term))
    others = [(t, x) for j, (t, x) in enumerate(zip(terms, operands)) if j != k]
    known = set(output).union(*[t for t, _ in others])
    kept = ''.join(c for c in letters if c in known)
    spec = ','.join([output] + [t for t, _ in others]) + '->' + kept
    g = np.einsum(spec, grad, *[x for _, x in others], optimize=len(others) > 0)
    size = dict(zip(term, shape))
    if kept != letters:                 # constant along the letters only this operand had
        g = np.expand_dims(g, tuple(i for i, c in enumerate(letters) if c not in known))
        g = np.broadcast_to(g, tuple(size[c] for c in letters))
    if len(letters) == len(term):
        return g if letters == term else np.transpose(g, [letters.index(c) for c in term])
    full = np.zeros_like(g, shape=shape)    # 'ii': the gradient lives on the diagonal
    full[_diagonal_index(term, letters, size)] = g
    return full


def _diagonal_index(term, letters, size):
    """An index of an array with subscripts `term` that reads it as one with subscripts
    `letters` (its distinct letters): x[index][a, b] = x[a, a, b] for term 'iij'."""
    def arange(c):
        return np.arange(size[c]).reshape([-1 if c == other else 1 for other in letters])
    return tuple(arange(c) for c in term)


# --------------------------------------------------------------- diagonals

class DiagonalView:
    """The diagonal x[..., i, ..., i + offset, ...] on dims dim1 < or > dim2, as the last dim:
    a view's `take` / `put` / `of` (see ops/shape.py)."""
    def __init__(self, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2

    def index(self, shape):
        """An all-array index of an array of `shape` that picks the diagonal, laid out as
        np.diagonal lays it out (the other dims in order, then the diagonal)."""
        n1, n2, off = shape[self.dim1], shape[self.dim2], self.offset
        length = max(0, min(n1, n2 - off) if off >= 0 else min(n1 + off, n2))
        rest = [d for d in range(len(shape)) if d not in (self.dim1, self.dim2)]
        place = [1] * (len(rest) + 1)
        index = [None] * len(shape)
        for i, d in enumerate(rest):
            index[d] = np.arange(shape[d]).reshape(place[:i] + [-1] + place[i + 1:])
        diag = np.arange(length).reshape(place[:-1] + [-1])
        index[self.dim1], index[self.dim2] = diag + max(-off, 0), diag + max(off, 0)
        return tuple(index)

    def take(self, a):
        return a[self.index(a.shape)]

    def put(self, a, values):
        a[self.index(a.shape)] = values

    def of(self, t):
        return Diagonal.apply(t, view=self)


class Diagonal(Op):
    """d diagonal(x) = diagonal(dx): the gradient goes back onto the diagonal, 0 elsewhere"""
    def forward(self, x, view, copy=False):
        self.view, self.shape = view, x.shape
        out = np.diagonal(x, view.offset, view.dim1, view.dim2)
        if copy:
            return out.copy()
        if x.flags.writeable:           # NumPy's diagonal is read-only; PyTorch's a view to write to
            out.flags.writeable = True
        return out

    def backward(self, grad):
        full = np.zeros_like(grad, shape=self.shape)
        self.view.put(full, grad)
        return full


class DiagEmbed(Op):
    """d diag_embed(x) = the diagonal of dx (the inverse of Diagonal's rule)"""
    def forward(self, x, view, shape):
        self.view = view
        out = np.zeros_like(x, shape=shape)
        view.put(out, x)
        return out

    def backward(self, grad):
        return self.view.take(grad)


class Triangle(Op):
    """d tril(x) = tril(dx), d triu(x) = triu(dx): the gradient kept where x was"""
    def forward(self, x, keep):
        self.keep = keep                # a constant mask over the last two dims
        return np.where(keep, x, np.zeros_like(x, shape=()))

    def backward(self, grad):
        return np.where(self.keep, grad, 0)


# ------------------------------------------------------------ cross product

def cross3(a, b, axis):
    """a × b along `axis` (of size 3), written with indexing and stack, which replay can run."""
    a, b = np.moveaxis(a, axis, -1), np.moveaxis(b, axis, -1)
    parts = [a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
             a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
             a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]]
    return np.moveaxis(np.stack(parts, axis=-1), -1, axis)


class Cross(Op):
    """d(a × b) = da × b + a × db, so grad_a = b × grad and grad_b = grad × a"""
    def forward(self, a, b, dim):
        need_a, need_b = self.needs_input_grad
        self.saved, self.dim = (a if need_b else None, b if need_a else None), dim
        return cross3(a, b, dim)

    def backward(self, grad):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (cross3(b, grad, self.dim) if need_a else None,
                cross3(grad, a, self.dim) if need_b else None)


# ------------------------------------------------------------------- norms

class VectorNorm(Op):
    """d ‖x‖ₚ = sgn(x) |x|^(p-1) / ‖x‖ₚ^(p-1) dx (x / ‖x‖ for p = 2; 0 where ‖x‖ = 0), as PyTorch

    p = 0 counts non-zeros: no gradient (None, as PyTorch). p = ±inf: the gradient is split
    evenly between the elements of largest (smallest) |x|. p < 1: 0 at elements that are 0.
    `cdist=True` takes PyTorch's cdist rules instead: a zero gradient for p = 0, and for p = inf
    the whole gradient to each element of largest |x|.
    """
    def forward(self, x, ord, dim, keepdim, cdist=False):
        self.ord, self.dim, self.keepdim, self.cdist = ord, dim, keepdim, cdist
        out = _vector_norm(x, ord, dim)
        self.saved = (x, out)
        return out if keepdim else out.squeeze(axis=dim)

    def backward(self, grad):
        x, norm = self.saved
        p = self.ord
        if not self.keepdim:
            grad = np.expand_dims(grad, self.dim)
        if p == 0:
            return np.zeros_like(x) if self.cdist else None
        if p in (np.inf, -np.inf):
            hit = (abs(x) == norm) | (np.isnan(x) & np.isnan(norm))
            count = 1 if self.cdist else hit.sum(axis=self.dim, keepdims=True)
            return np.where(hit, np.sign(x) * grad / count, 0)
        zero = norm == 0                # guarded divisor: see ops/elementwise.py's docstring
        if p < 1:
            scaled = np.sign(x) * np.where(x == 0, 0, abs(np.where(x == 0, 1, x)) ** (p - 1))
            return scaled * grad * norm ** (1 - p)
        scale = np.where(zero, 0, grad / np.where(zero, 1, norm) ** (p - 1))
        if p == 1:
            return np.sign(x) * scale
        if p == 2:
            return x * scale
        scaled = x * abs(x) ** (p - 2) if p > 2 else np.sign(x) * abs(x) ** (p - 1)
        return scaled * scale


def _vector_norm(x, p, dim):
    """‖x‖ₚ over the axes `dim` (a tuple), kept as size-1 dims."""
    if p == 0:
        return (x != 0).sum(axis=dim, keepdims=True).astype(x.dtype)
    if p == np.inf:
        return np.amax(abs(x), axis=dim, keepdims=True)
    if p == -np.inf:
        return np.amin(abs(x), axis=dim, keepdims=True)
    if p == 1:
        return abs(x).sum(axis=dim, keepdims=True)
    if p == 2:
        return np.sqrt((x * x).sum(axis=dim, keepdims=True))
    with np.errstate(divide='ignore'):      # p < 0: 0 ** p is inf, and the norm 0, as in PyTorch
        return (abs(x) ** p).sum(axis=dim, keepdims=True) ** (1 / p)
