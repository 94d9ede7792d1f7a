"""PyTorch's `torch.linalg` namespace (its names only): `mg.linalg.vector_norm`, `matrix_norm`,
`norm`, `cross`, `vecdot`, `matmul`, `multi_dot`, `diagonal`."""
import numpy as np

from .dims import _wrap_dim
from .functions import matmul
from .products import cross as _cross, diagonal as _diagonal, vector_norm

__all__ = ['vector_norm', 'matrix_norm', 'norm', 'cross', 'vecdot', 'matmul', 'diagonal', 'multi_dot']


def cross(input, other, *, dim=-1):                     # noqa: A002 (PyTorch's names)
    """The cross product along `dim` (size 3), operands broadcast (mg.cross with dim=-1)."""
    return _cross(input, other, dim=dim)


def vecdot(x, y, *, dim=-1):
    """Σ x y along `dim`, operands broadcast (real tensors: no conjugate). A composition."""
    if x.dtype != y.dtype:
        raise RuntimeError(f'linalg.vecdot: Expected x and y to have the same dtype, but found x of '
                           f'type {x.dtype} and y of type {y.dtype} instead')
    return (x * y).sum(dim)


def multi_dot(tensors, *, out=None):
    """A₁ @ A₂ @ ... @ Aₙ; the first may be a row vector and the last a column vector (1-D).
    Products left to right (PyTorch picks the cheapest order; the values agree up to rounding)."""
    if out is not None:
        raise TypeError('multi_dot(): out= is not supported in minigrad; use the returned tensor')
    if len(tensors) < 2:
        raise RuntimeError(f'multi_dot(): expected at least 2 tensors but got {len(tensors)}')
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            raise RuntimeError(f'multi_dot(): tensor {i} must be ' + ('1D or 2D' if len(allowed) == 2
                               else '2D') + f' but got {t.ndim}D')
    result = tensors[0]
    for t in tensors[1:]:
        result = result @ t
    return result


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal of the last two dims (by default), a view: mg.diagonal with other defaults."""
    return _diagonal(A, offset, dim1, dim2)


def matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None):   # noqa: A002
    """A norm of the matrices on dims `dim`: 'fro' = √(Σ a²); 1 / -1 = the largest / smallest
    column sum of |a|; inf / -inf = the largest / smallest row sum. Compositions of vector_norm,
    sum and amax / amin (ties share the gradient, as PyTorch). 'nuc', 2 and -2 (singular values)
    are not in minigrad."""
    if A.ndim < 2:
        raise RuntimeError('linalg.matrix_norm: The input tensor A must have at least 2 dimensions.')
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f'linalg.matrix_norm: dim must be a 2-tuple. Got {dim}')
    rows, cols = (_wrap_dim(d, A.ndim) for d in dim)
    if rows == cols:
        raise RuntimeError(f'linalg.matrix_norm: dims must be different. Got ({rows}, {cols})')
    if ord == 'fro':
        return vector_norm(A, 2, (rows, cols), keepdim, dtype=dtype)
    if ord in ('nuc', 2, -2):
        raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} needs singular values, which "
                                  f"minigrad does not compute; 'fro', 1, -1, inf and -inf it does")
    if ord not in (1, -1, np.inf, -np.inf):
        raise RuntimeError(f'linalg.matrix_norm: Order {ord} not supported.')
    if dtype is not None:
        A = A.to(np.dtype(dtype))
    if A.dtype.kind != 'f':
        raise RuntimeError(f'linalg.matrix_norm: Expected a floating point or complex tensor as '
                           f'input. Got {A.dtype}')
    summed, kept = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = A.abs().sum(summed, keepdim=True)
    out = sums.amax(kept, keepdim=True) if ord > 0 else sums.amin(kept, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):     # noqa: A002
    """vector_norm or matrix_norm, chosen as PyTorch does: by `dim` (an int: a vector norm, a
    2-tuple: a matrix norm) or, without dim, by A's ndim (1-D or 2-D when ord is given);
    ord=None is the 2-norm of all elements (Frobenius for matrices)."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 2:
            return matrix_norm(A, 'fro' if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) != 1:
            raise RuntimeError(f'linalg.norm: If dim is specified, it must be of length 1 or 2. Got {dim}')
        if isinstance(ord, str):
            raise RuntimeError(f'linalg.norm: ord={ord!r} is a matrix norm; it needs a 2-tuple dim')
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim not in (1, 2):
        raise RuntimeError(f'linalg.norm: If dim is not specified but ord is, the input must be 1D '
                           f'or 2D. Got {A.ndim}D.')
    if A.ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (0, 1), keepdim, dtype=dtype)

