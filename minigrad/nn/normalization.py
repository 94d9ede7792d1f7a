"""Normalisation layers: LayerNorm, RMSNorm, GroupNorm (and the batch norms), each
standardising its input, x̂ = (x - mean) / √(var + eps), then scaling and shifting it per
feature, y = weight · x̂ + bias, with weight initialised to ones and bias to zeros.
The functions they call are in nn/functional_normalization.py.
"""
import numpy as np

from . import functional as F
from . import init
from ..dtypes import get_default_dtype
from .module import Module, Parameter


def _dtype(dtype):
    return np.dtype(get_default_dtype() if dtype is None else dtype)


def _tuple(shape):
    return tuple(int(s) for s in shape) if isinstance(shape, (tuple, list)) else (int(shape),)


class LayerNorm(Module):
    """y = (x - mean) / √(var + eps) · weight + bias, mean and var (biased) over the last
    len(normalized_shape) dims of each sample; weight and bias have shape normalized_shape
    (ones and zeros at first), when elementwise_affine (bias only if bias=True)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape = _tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = _dtype(dtype)
        self.weight = Parameter(np.ones(self.normalized_shape, dtype)) if elementwise_affine else None
        self.bias = (Parameter(np.zeros(self.normalized_shape, dtype)) if elementwise_affine and bias
                     else None)

    def reset_parameters(self):
        """weight to ones, bias to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):                   # noqa: A002 (PyTorch's argument name)
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f'{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, '
                f'bias={self.bias is not None}')


class RMSNorm(Module):
    """y = x / √(mean(x²) + eps) · weight, over the last len(normalized_shape) dims;
    eps=None means the input dtype's machine epsilon (torch.finfo(dtype).eps)."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.weight = (Parameter(np.ones(self.normalized_shape, _dtype(dtype))) if elementwise_affine
                       else None)

    def reset_parameters(self):
        """weight to ones."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f'{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}'


class GroupNorm(Module):
    """The num_channels channels (dim 1) split into num_groups groups; each group of each
    sample standardised over its channels and the further dims, then weight · x̂ + bias per
    channel (ones and zeros at first) when affine (bias only if bias=True)."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *,
                 bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f'num_channels ({num_channels}) must be divisible by num_groups ({num_groups})')
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        dtype = _dtype(dtype)
        self.weight = Parameter(np.ones(num_channels, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dtype)) if affine and bias else None

    def reset_parameters(self):
        """weight to ones, bias to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):                   # noqa: A002
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f'{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, '
                f'bias={self.bias is not None}')
