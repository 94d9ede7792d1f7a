"""PyTorch's module-level functions: `mg.tensor(...)`, `mg.exp(x)`, `mg.sum(x, dim=1)`, `mg.where(c, a, b)`.

Most are the Tensor method of the same name (`mg.sum(x, dim=1)` is `x.sum(dim=1)`).
They live here, not in tensor.py, because several names (sum, max, min, abs, pow)
are Python builtins: this module's code uses none of those builtins.
"""
import numpy as np

from .autograd.mode import is_grad_enabled
from .dims import _numpy_names, _wrap_dim
from .dtypes import _promote, bool as bool_
from .ops import elementwise as ew
from .ops import shape as sh
from .methods import _install
from .tensor import Tensor, _as_tensor


def tensor(data, *, dtype=None, device=None, requires_grad=False):
    """A new leaf tensor holding a copy of `data` (PyTorch's `torch.tensor`)."""
    if isinstance(data, Tensor):
        data = data._array
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def _into(out, result):
    """PyTorch's `out=`: the result written into `out` (which is returned), or returned as is."""
    if out is None:
        return result
    if out.requires_grad and is_grad_enabled():
        raise RuntimeError('out=... arguments don\'t support automatic differentiation, but one '
                           'of the arguments requires grad; use the returned tensor instead')
    if out._array.shape != result._array.shape:
        out._array = np.empty(result._array.shape, out.dtype)     # resized, as PyTorch does
    out.copy_(result.detach())
    return out


# ------------------------------------------------------------------ math

def exp(input): return input.exp()                                     # noqa: A002 (PyTorch's names)
def log(input): return input.log()                                     # noqa: A002
def sqrt(input): return input.sqrt()                                   # noqa: A002
def abs(input): return input.abs()                                     # noqa: A001 A002
def sin(input): return input.sin()                                     # noqa: A002
def cos(input): return input.cos()                                     # noqa: A002
def tanh(input): return input.tanh()                                   # noqa: A002
def sigmoid(input): return input.sigmoid()                             # noqa: A002
def relu(input): return input.relu()                                   # noqa: A002
def softmax(input, dim): return input.softmax(dim)                     # noqa: A002
def log_softmax(input, dim): return input.log_softmax(dim)             # noqa: A002
def clamp(input, min=None, max=None): return input.clamp(min=min, max=max)   # noqa: A002
def pow(input, exponent): return _as_tensor(input, exponent) ** exponent       # noqa: A001 A002
def maximum(input, other): return _as_tensor(input, other).maximum(other)    # noqa: A002
def minimum(input, other): return _as_tensor(input, other).minimum(other)    # noqa: A002
def neg(input): return -input                                           # noqa: A002


def add(input, other, *, alpha=1, out=None):    # noqa: A002
    return _into(out, _as_tensor(input, other).add(other, alpha=alpha))


def sub(input, other, *, alpha=1, out=None):    # noqa: A002
    return _into(out, _as_tensor(input, other).sub(other, alpha=alpha))


def mul(input, other, *, out=None):             # noqa: A002
    return _into(out, _as_tensor(input, other) * other)


def div(input, other, *, out=None):             # noqa: A002
    return _into(out, _as_tensor(input, other) / other)


def matmul(input, other, *, out=None):          # noqa: A002
    return _into(out, _as_tensor(input, other) @ other)


def mm(input, mat2): return input.mm(mat2)                              # noqa: A002
def dot(input, other): return input.dot(other)                          # noqa: A002


def _where_method(self, condition, other):
    """`t.where(condition, other)`: `mg.where(condition, t, other)`."""
    return where(condition, self, other)


def where(condition, input, other):             # noqa: A002 (PyTorch's argument names)
    """Elementwise `input if condition else other`; the gradient follows the choice."""
    condition = _as_tensor(condition)
    if condition.dtype != bool_:
        raise TypeError(f'where expected condition to be a boolean tensor, got {condition.dtype}')
    like = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    return ew.Where.apply(condition, *_promote(_as_tensor(input, like), _as_tensor(other, like)))


# ------------------------------------------------------------------ shape

def t(input): return input.t()                                          # noqa: A002
def clone(input): return input.clone()                                  # noqa: A002
def numel(input): return input.numel()                                  # noqa: A002
def reshape(input, shape): return input.reshape(shape)                  # noqa: A002
def flatten(input, start_dim=0, end_dim=-1): return input.flatten(start_dim, end_dim)   # noqa: A002
def squeeze(input, dim=None): return input.squeeze(dim)                 # noqa: A002
def unsqueeze(input, dim): return input.unsqueeze(dim)                  # noqa: A002
def transpose(input, dim0, dim1): return input.transpose(dim0, dim1)    # noqa: A002


# ------------------------------------------------------------- reductions

@_numpy_names
def sum(input, dim=None, keepdim=False): return input.sum(dim, keepdim)            # noqa: A001 A002
@_numpy_names
def mean(input, dim=None, keepdim=False): return input.mean(dim, keepdim)          # noqa: A002
@_numpy_names
def prod(input, dim=None, keepdim=False): return input.prod(dim, keepdim)          # noqa: A002
@_numpy_names
def amax(input, dim=None, keepdim=False): return input.amax(dim, keepdim)          # noqa: A002
@_numpy_names
def amin(input, dim=None, keepdim=False): return input.amin(dim, keepdim)          # noqa: A002
@_numpy_names
def logsumexp(input, dim, keepdim=False): return input.logsumexp(dim, keepdim)     # noqa: A002
@_numpy_names
def argmax(input, dim=None, keepdim=False): return input.argmax(dim, keepdim)      # noqa: A002
@_numpy_names
def argmin(input, dim=None, keepdim=False): return input.argmin(dim, keepdim)      # noqa: A002
@_numpy_names
def var(input, dim=None, unbiased=True, keepdim=False): return input.var(dim, unbiased, keepdim)   # noqa: A002
@_numpy_names
def std(input, dim=None, unbiased=True, keepdim=False): return input.std(dim, unbiased, keepdim)   # noqa: A002
def norm(input, p='fro', dim=None, keepdim=False): return input.norm(p, dim, keepdim)             # noqa: A002


@_numpy_names
def max(input, dim=None, keepdim=False):       # noqa: A001 A002
    """max(t): the largest element; max(t, dim): (values, indices); max(a, b): elementwise."""
    if isinstance(dim, Tensor):
        return maximum(input, dim)
    return input.max(dim, keepdim)


@_numpy_names
def min(input, dim=None, keepdim=False):       # noqa: A001 A002
    """min(t): the smallest element; min(t, dim): (values, indices); min(a, b): elementwise."""
    if isinstance(dim, Tensor):
        return minimum(input, dim)
    return input.min(dim, keepdim)


def cat(tensors, dim=0):
    """Joins tensors along an existing dim; each gets back its slice of the gradient."""
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError('cat(): expected a non-empty list of Tensors')      # PyTorch's words
    first = tensors[0]._array.shape
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f'zero-dimensional tensor (at position {i}) cannot be concatenated; '
                               f'use mg.stack to join 0-d tensors into a 1-D one')
    dim = _wrap_dim(dim, len(first))
    for i, t in enumerate(tensors):
        if t.ndim != len(first) or any(a != b for k, (a, b) in enumerate(zip(t._array.shape, first))
                                       if k != dim):
            raise RuntimeError(f'cat(): tensors must have the same shape except in dim {dim}; '
                               f'tensor 0 has shape {first}, tensor {i} has shape {tuple(t.shape)}')
    return sh.Cat.apply(*tensors, dim=dim)


def stack(tensors, dim=0):
    """Joins equal-shaped tensors along a new dim."""
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError('stack expects a non-empty TensorList')           # PyTorch's type and words
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f'stack expects each tensor to be equal size, but got '
                               f'{tuple(tensors[0].shape)} at entry 0 and {tuple(t.shape)} at entry {i}')
    return sh.Stack.apply(*tensors, dim=dim)


_install('where', _where_method)
