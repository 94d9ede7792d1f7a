"""Normalisation layers: LayerNorm, RMSNorm, GroupNorm, BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, each
standardising its input, x̂ = (x - mean) / √(var + eps), then scaling and shifting it per
feature, y = weight · x̂ + bias, with weight initialised to ones and bias to zeros.
The functions they call are in nn/functional_normalization.py.
"""
import warnings

import numpy as np

from . import functional as F
from . import init
from ..autograd.mode import no_grad
from ..dtypes import get_default_dtype
from ..tensor import Tensor
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


class _NormBase(Module):
    """What BatchNorm and InstanceNorm share: weight (ones) and bias (zeros) per channel when
    affine; when track_running_stats, the buffers running_mean (zeros), running_var (ones) and
    num_batches_tracked (an int64 count of training batches)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        dtype = _dtype(dtype)
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine and bias else None
        stats = track_running_stats
        self.register_buffer('running_mean', Tensor._wrap(np.zeros(num_features, dtype)) if stats else None)
        self.register_buffer('running_var', Tensor._wrap(np.ones(num_features, dtype)) if stats else None)
        self.register_buffer('num_batches_tracked',
                             Tensor._wrap(np.zeros((), np.int64)) if stats else None)

    def reset_running_stats(self):
        """running_mean to zeros, running_var to ones, num_batches_tracked to 0."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """The running statistics reset; weight to ones, bias to zeros."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def extra_repr(self):
        return (f'{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, '
                f'bias={self.bias is not None}, track_running_stats={self.track_running_stats}')


class _BatchNorm(_NormBase):
    """y = (x - mean) / √(var + eps) · weight + bias per channel (dim 1).

    In training, mean and var (biased) come from the batch (every dim but 1), and the running
    estimates move toward them: r ← (1 - momentum) r + momentum · batch value, with the
    unbiased variance (÷ (n - 1)); momentum=None gives the cumulative average instead
    (momentum = 1 / num_batches_tracked). In eval, the running estimates normalise (the
    batch's own statistics if track_running_stats=False).
    """

    def forward(self, input):                   # noqa: A002
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:           # the cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep else None, self.running_var if keep else None,
                            self.weight, self.bias, use_batch, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs; see _BatchNorm."""

    def _check_input_dim(self, input):          # noqa: A002
        if input.dim() not in (2, 3):
            raise ValueError(f'expected 2D or 3D input (got {input.dim()}D input)')


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs; see _BatchNorm."""

    def _check_input_dim(self, input):          # noqa: A002
        if input.dim() != 4:
            raise ValueError(f'expected 4D input (got {input.dim()}D input)')


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs; see _BatchNorm."""

    def _check_input_dim(self, input):          # noqa: A002
        if input.dim() != 5:
            raise ValueError(f'expected 5D input (got {input.dim()}D input)')


class _InstanceNorm(_NormBase):
    """y = (x - mean) / √(var + eps) · weight + bias, mean and var (biased) per sample and
    channel over the spatial dims. affine and track_running_stats are off by default; with
    the latter, eval mode normalises by the running estimates. An unbatched input works too."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
                 device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)

    def forward(self, input):                   # noqa: A002
        dims = self._no_batch_dims
        if input.dim() not in (dims, dims + 1):
            raise ValueError(f'expected {dims}D or {dims + 1}D input (got {input.dim()}D input)')
        channel_dim = input.dim() - dims
        if input.shape[channel_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={channel_dim} to match num_features "
                                 f"({self.num_features}), but got: {input.shape[channel_dim]}.")
            warnings.warn(f"input's size at dim={channel_dim} does not match num_features. You can "
                          f"silence this warning by not passing in num_features, which is not used "
                          f"because affine=False", stacklevel=2)
        batched = input if input.dim() == dims + 1 else input.unsqueeze(0)
        out = F.instance_norm(batched, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out if input.dim() == dims + 1 else out.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) inputs; see _InstanceNorm."""
    _no_batch_dims = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) inputs; see _InstanceNorm."""
    _no_batch_dims = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or (C, D, H, W) inputs; see _InstanceNorm."""
    _no_batch_dims = 4
