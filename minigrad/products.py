"""Matrix products and matrix-shaped helpers: bmm, addmm, mv, outer, inner, einsum, kron, cross,
diag, diagonal, trace, tril/triu, cdist, dist; the rules are ops in ops/linalg.py (those written
as compositions of other ops say so). `mg.linalg` (linalg.py) holds PyTorch's `torch.linalg`."""
import builtins
import string
import warnings

import numpy as np

from .dims import _wrap_dim
from .dtypes import _promote
from .functions import where
from .methods import tensor_method
from .ops import elementwise as ew
from .ops import linalg as lo
from .tensor import Tensor, _as_tensor

__all__ = ['bmm', 'baddbmm', 'addbmm', 'addmm', 'addmv', 'addr', 'mv', 'outer', 'ger', 'inner',
           'vdot', 'tensordot', 'einsum',
           'kron', 'cross', 'diag', 'diagonal', 'diag_embed', 'trace', 'tril', 'triu', 'cdist',
           'dist']

_NAMES = {np.dtype(np.float32): 'Float', np.dtype(np.float64): 'Double', np.dtype(np.int64): 'Long',
          np.dtype(np.int32): 'Int', np.dtype(np.bool_): 'Bool', np.dtype(np.float16): 'Half'}


def _same_dtype(*tensors):
    """PyTorch's matrix products take no mixed dtypes (float32 with float64 is an error)."""
    first = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != first:
            raise RuntimeError(f'expected scalar type {_NAMES.get(first, first)} but found '
                               f'{_NAMES.get(t.dtype, t.dtype)}')


def _matrix_dtype(name, *tensors):
    """One dtype, and not bool: PyTorch's matrix products have no bool kernel."""
    _same_dtype(*tensors)
    if tensors[0].dtype == np.bool_:
        raise NotImplementedError(f'"{name}" not implemented for \'Bool\'')


def _check_dims(name, **tensors):
    for what, (t, ndim) in tensors.items():
        if t.ndim != ndim:
            raise RuntimeError(f'{name}: {what} must be a {ndim}D tensor, got {t.ndim}D '
                               f'(shape {tuple(t.shape)})')


# ----------------------------------------------------------------- products

@tensor_method
def bmm(input, mat2):                                   # noqa: A002 (PyTorch's names)
    """Batched matrix product: (b, n, m) @ (b, m, p) -> (b, n, p). MatMul's rule (a composition)."""
    _check_dims('bmm', batch1=(input, 3), batch2=(mat2, 3))
    b, n, m = input.shape
    if tuple(mat2.shape[:2]) != (b, m):
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{b}, {m}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].')
    _matrix_dtype('bmm', input, mat2)
    return input @ mat2


@tensor_method
def mv(input, vec):                                     # noqa: A002
    """Matrix-vector product (n, m) @ (m,) -> (n,). MatMul's rule (a composition)."""
    _check_dims('mv', input=(input, 2), vec=(vec, 1))
    _matrix_dtype('addmv_impl_cpu', input, vec)
    return input @ vec


def _scaled_sum(input, product, beta, alpha):
    """beta input + alpha product; beta = 0 ignores input (nan and inf in it too) and gives it a
    zero gradient, as PyTorch."""
    product = product if alpha == 1 else product * alpha
    if beta == 0:                       # `where` with a False mask: input's values never read
        return where(Tensor._wrap(np.zeros((), bool)), input, product)
    return (input if beta == 1 else input * beta) + product


@tensor_method(inplace=True)
def addmm(input, mat1, mat2, *, beta=1, alpha=1):       # noqa: A002
    """beta input + alpha (mat1 @ mat2), input broadcast to (n, p). A composition."""
    _check_dims('addmm', mat1=(mat1, 2), mat2=(mat2, 2))
    _matrix_dtype('addmm_impl_cpu_', input, mat1, mat2)
    return _scaled_sum(input, mat1 @ mat2, beta, alpha)


@tensor_method(inplace=True)
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):     # noqa: A002
    """beta input + alpha (batch1 @ batch2), batch by batch. A composition."""
    _matrix_dtype('baddbmm', input, batch1, batch2)
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


@tensor_method(inplace=True)
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):      # noqa: A002
    """beta input + alpha Σ_b (batch1[b] @ batch2[b]). A composition."""
    _matrix_dtype('addbmm', input, batch1, batch2)
    return _scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha)


@tensor_method(inplace=True)
def addmv(input, mat, vec, *, beta=1, alpha=1):         # noqa: A002
    """beta input + alpha (mat @ vec). A composition."""
    _matrix_dtype('addmv_impl_cpu', input, mat, vec)
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


@tensor_method(inplace=True)
def addr(input, vec1, vec2, *, beta=1, alpha=1):        # noqa: A002
    """beta input + alpha outer(vec1, vec2). A composition."""
    _same_dtype(input, vec1, vec2)
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha)


@tensor_method
def outer(input, vec2):                                 # noqa: A002
    """(a ⊗ b)ᵢⱼ = aᵢ bⱼ, of two 1-D tensors: a broadcast product (Mul's rule, a composition)."""
    _check_dims('outer', input=(input, 1), vec2=(_as_tensor(vec2), 1))
    return input.reshape(-1, 1) * vec2


@tensor_method
def ger(input, vec2):                                   # noqa: A002
    """The old name of outer()."""
    return outer(input, vec2)


@tensor_method
def inner(input, other):                                # noqa: A002
    """Σ over the last dims of both: shape input.shape[:-1] + other.shape[:-1]; a scalar
    operand multiplies. Einsum's rule."""
    other = _as_tensor(other, input)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f'inner() the last dimension must match on both input tensors but got '
                           f'shapes {list(input.shape)} and {list(other.shape)}')
    if input.dtype != other.dtype:
        raise RuntimeError('both inputs should have same dtype')
    return einsum('...i,...i->...', input.reshape(*input.shape[:-1], *(1,) * (other.ndim - 1),
                                                  input.shape[-1]), other)


@tensor_method
def vdot(input, other):                                 # noqa: A002
    """Σ aᵢ bᵢ of two 1-D tensors (real: no conjugate). MatMul's rule (a composition)."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f'1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors')
    if input.shape != other.shape:
        raise RuntimeError(f'inconsistent tensor size, expected tensor [{input.shape[0]}] and src '
                           f'[{other.shape[0]}] to have the same number of elements')
    _matrix_dtype('vdot', input, other)
    return input @ other


def tensordot(a, b, dims=2, out=None):
    """Σ over pairs of dims of a and b: dims=n pairs a's last n dims with b's first n; dims=(da, db)
    pairs da[k] with db[k]. Einsum's rule."""
    if out is not None:
        raise TypeError('tensordot(): out= is not supported in minigrad; use the returned tensor')
    if a.dtype != b.dtype:
        raise RuntimeError('both inputs should have same dtype')
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f'tensordot expects dims >= 0, but got dims={dims}')
        dims = (list(range(a.ndim - dims, a.ndim)), list(range(dims)))
    da = [_wrap_dim(d, a.ndim) for d in dims[0]]
    db = [_wrap_dim(d, b.ndim) for d in dims[1]]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f'contracted dimensions need to match, but first has size '
                               f'{a.shape[i]} in dim {i} and second has size {b.shape[j]} in dim {j}')
    left, right = string.ascii_letters[:a.ndim], list(string.ascii_letters[a.ndim:a.ndim + b.ndim])
    for i, j in zip(da, db):
        right[j] = left[i]
    output = [c for k, c in enumerate(left) if k not in da] + [c for k, c in enumerate(right) if k not in db]
    return einsum(f'{left},{"".join(right)}->{"".join(output)}', a, b)


@tensor_method
def kron(input, other):                                 # noqa: A002
    """Kronecker product: out[i·m + k, j·n + l] = a[i, j] b[k, l] (any ndim): a broadcast product
    and a reshape (a composition)."""
    a, b = _promote(input, _as_tensor(other, input))
    ndim = builtins.max(a.ndim, b.ndim)
    sa = (1,) * (ndim - a.ndim) + tuple(a.shape)
    sb = (1,) * (ndim - b.ndim) + tuple(b.shape)
    spread_a = [n for s in sa for n in (s, 1)]          # a's dims interleaved with b's
    spread_b = [n for s in sb for n in (1, s)]
    return (a.reshape(*spread_a) * b.reshape(*spread_b)).reshape(*[x * y for x, y in zip(sa, sb)])


# ------------------------------------------------------------------ einsum

def einsum(*args):
    """Σ over the repeated subscripts of the product of the operands, NumPy's and PyTorch's
    notation: 'ij,jk->ik', implicit output ('ij,jk'), '...' for broadcast batch dims, repeated
    subscripts in one operand ('ii->i' is the diagonal); operands as arguments or one list;
    also the sublist form einsum(a, [0, 1], b, [1, 2], [0, 2]). One Einsum node: the gradient
    of each operand is another einsum."""
    equation, operands = _einsum_args(args)
    operands = [_as_tensor(x) for x in operands]
    if not operands:
        raise RuntimeError('einsum(): must provide at least one operand')
    _same_dtype(*operands)
    terms, output = _parse_einsum(equation.replace(' ', ''), operands)
    operands = _einsum_dtype(terms, output, operands)
    sizes = _letter_sizes(terms, operands)
    operands = [x if all(sizes[c] == n for c, n in zip(t, x.shape)) else
                x.expand(*[sizes[c] for c in t]) for t, x in zip(terms, operands)]
    return lo.Einsum.apply(*operands, equation=','.join(terms) + '->' + output)


def _einsum_dtype(terms, output, operands):
    """PyTorch's dtypes for integer and bool operands: a letter summed within one operand is a
    sum (int64); a product summed over letters of several operands keeps the dtype, and is not
    implemented for bool."""
    if operands[0].dtype.kind not in 'biu':
        return operands
    count = {c: sum(c in t for t in terms) for c in set(''.join(terms))}
    if operands[0].dtype == np.bool_ and any(n > 1 and c not in output for c, n in count.items()):
        raise NotImplementedError('einsum(): "bmm" not implemented for \'Bool\'')
    if any(n == 1 and c not in output for c, n in count.items()):
        return [x.long() for x in operands]
    return operands


def _einsum_args(args):
    """(equation, operands) from einsum's two calling forms."""
    if not args:
        raise TypeError('einsum(): missing the equation')
    if isinstance(args[0], str):
        operands = args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = operands[0]
        return args[0], list(operands)
    def letters(sublist):
        return ''.join('...' if s is Ellipsis else string.ascii_letters[s] for s in sublist)
    pairs, out = args[:len(args) // 2 * 2], args[len(args) // 2 * 2:]
    equation = ','.join(letters(s) for s in pairs[1::2])
    return equation + ('->' + letters(out[0]) if out else ''), list(pairs[0::2])


def _parse_einsum(equation, operands):
    """Terms and output with '...' replaced by letters of their own and the output made explicit."""
    inputs, arrow, output = equation.partition('->')
    terms = inputs.split(',')
    if len(terms) != len(operands):
        more = 'more' if len(operands) > len(terms) else 'fewer'
        raise RuntimeError(f'einsum(): {more} operands were provided than specified in the equation '
                           f'{equation!r} ({len(operands)} operands, {len(terms)} terms)')
    spare = [c for c in string.ascii_letters if c not in equation]
    lead = 0
    for i, (t, x) in enumerate(zip(terms, operands)):
        if any(not (c.isalpha() or c == '.') for c in t) or t.count('.') not in (0, 3):
            raise RuntimeError(f'einsum(): invalid subscript given at index {i} in the equation {equation!r}')
        named = len(t) - (3 if '...' in t else 0)
        if named > x.ndim or ('...' not in t and named != x.ndim):
            raise RuntimeError(f'einsum(): the number of subscripts in the equation ({named}) does not '
                               f'match the number of dimensions ({x.ndim}) for operand {i}'
                               + ('' if '...' in t else ' and no ellipsis was given'))
        lead = builtins.max(lead, x.ndim - named if '...' in t else 0)
    batch = ''.join(spare[:lead])
    terms = [t.replace('...', batch[len(batch) - (x.ndim - len(t) + 3):] if x.ndim - len(t) + 3 else '')
             for t, x in zip(terms, operands)]
    if not arrow:
        once = sorted(c for c in set(''.join(terms)) if ''.join(terms).count(c) == 1 and c not in batch)
        return terms, batch + ''.join(once)
    output = output.replace('...', batch)
    for c in output:
        if c not in ''.join(terms) or output.count(c) > 1:
            raise RuntimeError(f'einsum(): output subscript {c} ' + (
                'appears more than once in the output' if output.count(c) > 1 else
                'does not appear in the equation for any input operand'))
    return terms, output


def _letter_sizes(terms, operands):
    """Each letter's size; a size-1 dim broadcasts against another operand's (as PyTorch)."""
    sizes = {}
    for i, (t, x) in enumerate(zip(terms, operands)):
        mine = {}
        for c, n in zip(t, x.shape):
            if mine.setdefault(c, n) != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {mine[c]}")
        for c, n in mine.items():
            seen = sizes.setdefault(c, n)
            if seen != n and 1 not in (seen, n):
                raise RuntimeError(f'einsum(): subscript {c} has size {n} for operand {i} which does '
                                   f'not broadcast with previously seen size {seen}')
            sizes[c] = builtins.max(seen, n) if 1 in (seen, n) else n
    return sizes


# --------------------------------------------------------- cross, diagonals

@tensor_method
def cross(input, other, dim=None):                      # noqa: A002
    """The cross product along `dim` (size 3), operands broadcast; without dim, the first dim of
    size 3 (deprecated in PyTorch, which warns). One Cross node."""
    other = _as_tensor(other, input)
    _same_dtype(input, other)
    if input.ndim != other.ndim:
        raise RuntimeError(f'linalg.cross: inputs must have the same number of dimensions, got '
                           f'{input.ndim} and {other.ndim}')
    shape = np.broadcast_shapes(input.shape, other.shape)
    if dim is None:
        warnings.warn('Using torch.cross without specifying the dim arg is deprecated. Please either '
                      'pass the dim explicitly or simply use torch.linalg.cross.', UserWarning, 2)
        dim = next((d for d, n in enumerate(shape) if n == 3), None)
        if dim is None or input.shape[dim] != 3 or other.shape[dim] != 3:
            raise RuntimeError('no dimension of size 3 in input')
    dim = _wrap_dim(dim, len(shape))
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f'linalg.cross: inputs dimension {dim} must have length 3. Got '
                           f'{input.shape[dim]} and {other.shape[dim]}')
    input, other = (t if tuple(t.shape) == shape else t.expand(*shape) for t in (input, other))
    return lo.Cross.apply(input, other, dim=dim)


def _diagonal_view(input, offset, dim1, dim2):
    ndim = input.ndim
    d1, d2 = _wrap_dim(dim1, ndim), _wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f'diagonal dimensions cannot be identical {dim1}, {dim2}')
    return lo.DiagonalView(offset, d1, d2)


@tensor_method
def diagonal(input, offset=0, dim1=0, dim2=1):          # noqa: A002
    """The diagonal x[i, i + offset] of the dims dim1, dim2, as the last dim: a view (writes
    to it reach input, as in PyTorch). One Diagonal node."""
    view = _diagonal_view(input, offset, dim1, dim2)
    return input._viewed(lo.Diagonal.apply(input, view=view), view)


@tensor_method
def diag_embed(input, offset=0, dim1=-2, dim2=-1):      # noqa: A002
    """Tensors whose diagonal (offset, on dims dim1, dim2 of the result) is input's last dim,
    zeros elsewhere. One DiagEmbed node (its gradient is the diagonal back)."""
    ndim = input.ndim + 1
    d1, d2 = _wrap_dim(dim1, ndim), _wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f'diagonal dimensions cannot be identical {dim1}, {dim2}')
    n = (input.shape[-1] if input.ndim else 1) + builtins.abs(offset)
    rest = iter(input.shape[:-1])
    shape = tuple(n if d in (d1, d2) else next(rest) for d in range(ndim))
    return lo.DiagEmbed.apply(input.reshape(1) if not input.ndim else input,
                              view=lo.DiagonalView(offset, d1, d2), shape=shape)


@tensor_method
def diag(input, diagonal=0):                            # noqa: A002
    """1-D: the square matrix with input on its `diagonal` (DiagEmbed); 2-D: that diagonal of
    input, as a copy (Diagonal)."""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim != 2:
        raise RuntimeError(f'diag(): Supports 1D or 2D tensors. Got {input.ndim}D')
    return lo.Diagonal.apply(input, view=lo.DiagonalView(diagonal, 0, 1), copy=True)


@tensor_method
def trace(input):                                       # noqa: A002
    """Σᵢ xᵢᵢ of a matrix (integers sum to int64): the diagonal's sum, a composition."""
    if input.ndim != 2:
        raise RuntimeError(f'trace: expected a matrix, but got tensor with dim {input.ndim}')
    if input.dtype == np.bool_:
        raise NotImplementedError('"trace" not implemented for \'Bool\'')
    out = diagonal(input).sum()
    return out.long() if out.dtype.kind in 'biu' and out.dtype != np.int64 else out


def _triangle(input, diagonal, lower):
    if input.ndim < 2:
        raise RuntimeError(f'{"tril" if lower else "triu"}: input tensor must have at least 2 '
                           f'dimensions, got {input.ndim}')
    n, m = input.shape[-2:]
    keep = np.tri(n, m, diagonal, dtype=bool) if lower else ~np.tri(n, m, diagonal - 1, dtype=bool)
    return lo.Triangle.apply(input, keep=keep)


@tensor_method(inplace=True)
def tril(input, diagonal=0):                            # noqa: A002
    """The lower triangle of the last two dims: x[..., i, j] where j - i <= diagonal, else 0."""
    return _triangle(input, diagonal, True)


@tensor_method(inplace=True)
def triu(input, diagonal=0):                            # noqa: A002
    """The upper triangle of the last two dims: x[..., i, j] where j - i >= diagonal, else 0."""
    return _triangle(input, diagonal, False)


# ---------------------------------------------------------------- distances

_COMPUTE_MODES = ('use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist',
                  'donot_use_mm_for_euclid_dist')


def cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'):
    """‖x1[..., i, :] - x2[..., j, :]‖ₚ for every pair: shape (..., P, R). A composition: for p = 2
    through matrix products (‖a‖² + ‖b‖² - 2 a·b, as PyTorch when P or R > 25, or with
    compute_mode='use_mm_for_euclid_dist'), else the VectorNorm op on the differences."""
    for name, x in (('X1', x1), ('X2', x2)):
        if x.ndim < 2:
            raise RuntimeError(f'cdist only supports at least 2D tensors, {name} got: {x.ndim}D')
        if x.dtype.kind != 'f':
            raise RuntimeError(f'cdist only supports floating-point dtypes, {name} got: '
                               f'{_NAMES.get(x.dtype, x.dtype)}')
    _same_dtype(x1, x2)
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f'X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} '
                           f'X2: {x2.shape[-1]}')
    if p < 0:
        raise RuntimeError('cdist only supports non-negative p values')
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f'{compute_mode} is not a valid value for compute_mode')
    use_mm = compute_mode == 'use_mm_for_euclid_dist' or (
        compute_mode == 'use_mm_for_euclid_dist_if_necessary' and (x1.shape[-2] > 25 or x2.shape[-2] > 25))
    if p == 2 and use_mm:
        square = ((x1 * x1).sum(-1, keepdim=True) + (x2 * x2).sum(-1).unsqueeze(-2)
                  - 2 * (x1 @ x2.transpose(-1, -2)))
        return ew.RootOrZero.apply(square.clamp(min=0))     # gradient 0 at distance 0
    differences = x1.unsqueeze(-2) - x2.unsqueeze(-3)     # PyTorch's cdist rules at 0 and ties:
    return lo.VectorNorm.apply(differences, ord=float(p), dim=(differences.ndim - 1,),  # see the op
                               keepdim=False, cdist=True)


@tensor_method
def dist(input, other, p=2):                            # noqa: A002
    """‖input - other‖ₚ, operands broadcast: vector_norm of the difference (a composition)."""
    other = _as_tensor(other, input)
    if input.dtype.kind != 'f' or other.dtype.kind != 'f':
        bad = input.dtype if input.dtype.kind != 'f' else other.dtype
        raise RuntimeError(f'norm(): input dtype should be either floating point or complex. Got '
                           f'{_NAMES.get(bad, bad)} instead.')
    a, b = _promote(input, other)
    return vector_norm(a - b, p)


# ------------------------------------------------------------------- norms
# (mg.linalg.vector_norm; here because cdist and dist build on it)

def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):     # noqa: A002
    """‖x‖ₚ = (Σ |xᵢ|ᵖ)^(1/p) over `dim` (all by default); ord 0 counts non-zeros, ±inf is the
    largest / smallest |xᵢ|. One VectorNorm node, whose gradient is PyTorch's (0 where the norm
    is 0)."""
    if not isinstance(x, Tensor):
        raise TypeError(f'linalg.vector_norm(): argument \'x\' must be Tensor, not {type(x).__name__}')
    if x.dtype.kind != 'f':
        raise RuntimeError(f'linalg.vector_norm: Expected a floating point or complex tensor as '
                           f'input. Got {_NAMES.get(x.dtype, x.dtype)}')
    if dtype is not None:
        if np.dtype(dtype).kind != 'f':
            raise RuntimeError(f'linalg.vector_norm: dtype should be floating point or complex, but '
                               f'got {_NAMES.get(np.dtype(dtype), dtype)}')
        x = x.to(np.dtype(dtype))
    if isinstance(ord, str) or isinstance(ord, bool):
        raise TypeError(f'linalg.vector_norm(): argument \'ord\' must be a number, not {ord!r}')
    ord = float(ord)
    dims = _norm_dims(dim, x.ndim)
    if (ord < 0 or ord == np.inf) and 0 in x.shape:   # max and min have no value over nothing
        empty = [d for d in dims if x.shape[d] == 0]
        if empty or dim is None:
            where = f'on the selected dimension {empty[0]} because the dimension is empty' if empty \
                else 'on an empty tensor because'
            raise RuntimeError(f'linalg.vector_norm cannot compute the {ord:g} norm {where} (the '
                               f'operation does not have an identity)')
    return lo.VectorNorm.apply(x, ord=ord, dim=dims, keepdim=keepdim)


def _norm_dims(dim, ndim):
    """`dim` as a tuple of distinct dims counted from the front (all dims for None or ())."""
    if dim is None or not isinstance(dim, int) and len(dim) == 0:
        return tuple(range(ndim))
    dims = tuple(_wrap_dim(d, ndim) for d in ((dim,) if isinstance(dim, int) else dim))
    if len(set(dims)) != len(dims):
        raise RuntimeError(f'dim {dim} appears multiple times in the list of dims')
    return dims if ndim else ()
