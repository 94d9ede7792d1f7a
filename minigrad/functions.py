"""PyTorch's module-level spellings of Tensor methods: `mg.sum(x, dim=1)` is `x.sum(dim=1)`.

Kept apart from tensor.py because several names (sum, max, min) are Python builtins
that tensor.py itself uses.
"""
from .tensor import Tensor, _as_tensor, _into, maximum, minimum


def is_tensor(obj):
    return isinstance(obj, Tensor)


def add(input, other, *, alpha=1, out=None):    # noqa: A002 (PyTorch's names)
    return _into(out, _as_tensor(input, other).add(other, alpha=alpha))


def sub(input, other, *, alpha=1, out=None):    # noqa: A002
    return _into(out, _as_tensor(input, other).sub(other, alpha=alpha))


def mul(input, other, *, out=None):             # noqa: A002
    return _into(out, _as_tensor(input, other) * other)


def div(input, other, *, out=None):             # noqa: A002
    return _into(out, _as_tensor(input, other) / other)


def neg(input): return -input                                           # noqa: A002
def mm(input, mat2): return input.mm(mat2)                              # noqa: A002
def dot(input, other): return input.dot(other)                          # noqa: A002
def t(input): return input.t()                                          # noqa: A002
def clone(input): return input.clone()                                  # noqa: A002
def numel(input): return input.numel()                                  # noqa: A002
def reshape(input, shape): return input.reshape(shape)                  # noqa: A002
def flatten(input, start_dim=0, end_dim=-1): return input.flatten(start_dim, end_dim)   # noqa: A002
def squeeze(input, dim=None): return input.squeeze(dim)                 # noqa: A002
def unsqueeze(input, dim): return input.unsqueeze(dim)                  # noqa: A002
def transpose(input, dim0, dim1): return input.transpose(dim0, dim1)    # noqa: A002
def sum(input, dim=None, keepdim=False): return input.sum(dim, keepdim)            # noqa: A001 A002
def mean(input, dim=None, keepdim=False): return input.mean(dim, keepdim)          # noqa: A002
def prod(input, dim=None, keepdim=False): return input.prod(dim, keepdim)          # noqa: A002
def amax(input, dim=None, keepdim=False): return input.amax(dim, keepdim)          # noqa: A002
def amin(input, dim=None, keepdim=False): return input.amin(dim, keepdim)          # noqa: A002
def logsumexp(input, dim, keepdim=False): return input.logsumexp(dim, keepdim)     # noqa: A002
def argmax(input, dim=None, keepdim=False): return input.argmax(dim, keepdim)      # noqa: A002
def argmin(input, dim=None, keepdim=False): return input.argmin(dim, keepdim)      # noqa: A002
def var(input, dim=None, unbiased=True, keepdim=False): return input.var(dim, unbiased, keepdim)   # noqa: A002
def std(input, dim=None, unbiased=True, keepdim=False): return input.std(dim, unbiased, keepdim)   # noqa: A002
def norm(input, p='fro', dim=None, keepdim=False): return input.norm(p, dim, keepdim)             # noqa: A002


def max(input, dim=None, keepdim=False):       # noqa: A001 A002
    """max(t): the largest element; max(t, dim): (values, indices); max(a, b): elementwise."""
    if isinstance(dim, Tensor):
        return maximum(input, dim)
    return input.max(dim, keepdim)


def min(input, dim=None, keepdim=False):       # noqa: A001 A002
    """min(t): the smallest element; min(t, dim): (values, indices); min(a, b): elementwise."""
    if isinstance(dim, Tensor):
        return minimum(input, dim)
    return input.min(dim, keepdim)
