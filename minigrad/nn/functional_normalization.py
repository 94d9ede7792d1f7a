"""Normalisation as functions of minigrad.nn.functional: layer_norm, batch_norm, group_norm,
instance_norm and rms_norm. Each standardises the input over some dims,
x̂ = (x - mean) / √(var + eps) (var the biased variance), then scales and shifts it,
y = weight · x̂ + bias; the math, forward and backward, is one op in minigrad/ops/normalization.py.
"""
import math

import numpy as np

from ..autograd.mode import no_grad
from ..dtypes import finfo
from ..ops import normalization as norm
from ..tensor import Tensor
from ._checks import _check_float, _check_tensor

__all__ = ['layer_norm', 'batch_norm', 'group_norm', 'instance_norm', 'rms_norm']


def _normalized_shape(input, normalized_shape, fn):
    """normalized_shape as a tuple, checked against the input's last dims as PyTorch does."""
    _check_float(input, fn)
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    shape = tuple(int(s) for s in normalized_shape)
    if not shape:
        raise RuntimeError('Expected normalized_shape to be at least 1-dimensional, i.e., containing '
                           'at least one element, but got normalized_shape = []')
    if input._array.shape[input.ndim - len(shape):] != shape or input.ndim < len(shape):
        raise RuntimeError(f'Given normalized_shape={list(shape)}, expected input with shape '
                           f'[*, {", ".join(map(str, shape))}], but got input of size'
                           f'{list(input._array.shape)}')
    return shape


def _params(input, weight, bias, sizes, fn):
    """The inputs of a normalisation op: input, then weight and bias if given (each of `sizes`)."""
    params = []
    for name, p in (('weight', weight), ('bias', bias)):
        if p is None:
            continue
        _check_tensor(p, fn, name)
        if tuple(p._array.shape) != tuple(sizes):
            raise RuntimeError(f'{fn}(): expected {name} of shape {list(sizes)}, got '
                               f'{list(p._array.shape)}')
        params.append(p)
    return params


def _normalize(input, weight, bias, axes, shape, eps, fn, sizes, stats=None):
    params = _params(input, weight, bias, sizes, fn)
    return norm.Normalize.apply(input, *params, axes=axes, eps=float(eps), weight=weight is not None,
                                bias=bias is not None, shape=shape, stats=stats)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean) / √(var + eps) · weight + bias, mean and var over the last
    len(normalized_shape) dims of each sample. See `minigrad.ops.normalization.Normalize`."""
    shape = _normalized_shape(input, normalized_shape, 'layer_norm')
    k = len(shape)
    axes = tuple(range(input.ndim - k, input.ndim))
    return _normalize(input, weight, bias, axes, (1,) * (input.ndim - k) + shape, eps, 'layer_norm',
                      shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / √(mean(x²) + eps) · weight, over the last len(normalized_shape) dims;
    eps=None means the input dtype's machine epsilon (torch.finfo(dtype).eps), as PyTorch.
    See `minigrad.ops.normalization.RMSNormalize`."""
    shape = _normalized_shape(input, normalized_shape, 'rms_norm')
    k = len(shape)
    eps = finfo(input.dtype).eps if eps is None else eps
    params = _params(input, weight, None, shape, 'rms_norm')
    return norm.RMSNormalize.apply(input, *params, axes=tuple(range(input.ndim - k, input.ndim)),
                                   eps=float(eps), weight=weight is not None,
                                   shape=(1,) * (input.ndim - k) + shape)


def _channel_shape(input):
    """Where a per-channel weight sits in the input's dims: (1, C, 1, ...)."""
    return (1, input._array.shape[1]) + (1,) * (input.ndim - 2)


def _update(running, value, momentum):
    """running ← (1 - momentum) · running + momentum · value, in place, as PyTorch."""
    if running is not None:
        with no_grad():
            running.copy_(Tensor._wrap(((1 - momentum) * running._array + momentum * value)
                                       .astype(running._array.dtype)))


def _per_channel_count(input):
    return input._array.size // max(input._array.shape[1], 1) if input.ndim > 1 else 0


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Per channel (dim 1): (x - mean) / √(var + eps) · weight + bias. training=True takes
    mean and var from the batch (all dims but 1) and moves running_mean and running_var
    (if given) toward them by `momentum`, with var's unbiased estimate (÷ (n - 1));
    training=False uses the running statistics. See `minigrad.ops.normalization.Normalize`."""
    _check_float(input, 'batch_norm')
    if input.ndim < 2:
        raise ValueError(f'batch_norm(): expected an input of shape (N, C) or (N, C, ...), got '
                         f'shape {tuple(input._array.shape)}')
    channels = input._array.shape[1]
    for name, r in (('running_mean', running_mean), ('running_var', running_var)):
        if r is not None and tuple(_check_tensor(r, 'batch_norm', name).shape) != (channels,):
            raise RuntimeError(f'batch_norm(): expected {name} of shape [{channels}] (one per '
                               f'channel), got {list(r.shape)}')
    if not training:
        if running_mean is None or running_var is None:
            raise RuntimeError('running_mean and running_var must be defined in evaluation mode')
        return _batch_norm_eval(input, running_mean, running_var, weight, bias, eps)
    n = _per_channel_count(input)
    if n <= 1:
        raise ValueError(f'Expected more than 1 value per channel when training, got input size '
                         f'torch.Size({list(input._array.shape)})')
    stats = [] if running_mean is not None or running_var is not None else None
    axes = (0,) + tuple(range(2, input.ndim))
    out = _normalize(input, weight, bias, axes, _channel_shape(input), eps, 'batch_norm',
                     (channels,), stats)
    if stats:
        mean, var = stats.pop()
        _update(running_mean, mean.reshape(channels), momentum)
        _update(running_var, var.reshape(channels) * (n / (n - 1)), momentum)
    return out


def _batch_norm_eval(input, running_mean, running_var, weight, bias, eps):
    """x · scale + shift, scale = weight / √(running_var + eps), shift = bias - running_mean · scale:
    the running statistics are constants. A composition (Mul, Add)."""
    _params(input, weight, bias, (input._array.shape[1],), 'batch_norm')
    shape = _channel_shape(input)
    dtype = input._array.dtype
    rstd = Tensor._wrap((1 / np.sqrt(running_var._array.astype(dtype) + eps)).astype(dtype))
    mean = Tensor._wrap(running_mean._array.astype(dtype))
    scale = rstd if weight is None else weight * rstd
    shift = -mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(shape) + shift.reshape(shape)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """The C channels split into num_groups groups; each group of each sample normalised over
    its channels and all further dims, then weight · x̂ + bias per channel.
    See `minigrad.ops.normalization.Normalize`."""
    _check_float(input, 'group_norm')
    if input.ndim < 2:
        raise RuntimeError(f'Expected at least 2 dimensions for input tensor but received {input.ndim}')
    n, channels = input._array.shape[:2]
    if num_groups <= 0 or channels % num_groups:
        raise RuntimeError(f'Expected number of channels in input to be divisible by num_groups, '
                           f'but got input of shape {list(input._array.shape)} and num_groups={num_groups}')
    rest = input._array.shape[2:]
    grouped = input.reshape((n, num_groups, channels // num_groups) + rest)
    axes = tuple(range(2, grouped.ndim))
    shape = (1, num_groups, channels // num_groups) + (1,) * len(rest)
    out = _normalize(grouped, weight, bias, axes, shape, eps, 'group_norm', (channels,))
    return out.reshape(input._array.shape)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Each channel of each sample normalised over its spatial dims (dims 2, ...), then
    weight · x̂ + bias per channel. With use_input_stats=False, the running statistics are
    used instead (as batch_norm in eval); otherwise they move toward the batch's per-channel
    averages of the instance statistics. See `minigrad.ops.normalization.Normalize`."""
    _check_float(input, 'instance_norm')
    if input.ndim < 3:
        raise ValueError(f'instance_norm(): expected an input of shape (N, C, L, ...), got '
                         f'shape {tuple(input._array.shape)}')
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    count = math.prod(input._array.shape[2:])
    if count <= 1:
        raise ValueError(f'Expected more than 1 spatial element when training, got input size '
                         f'torch.Size({list(input._array.shape)})')
    stats = [] if running_mean is not None or running_var is not None else None
    out = _normalize(input, weight, bias, tuple(range(2, input.ndim)), _channel_shape(input), eps,
                     'instance_norm', (input._array.shape[1],), stats)
    if stats:
        mean, var = stats.pop()
        channels = input._array.shape[1]
        _update(running_mean, mean.reshape(-1, channels).mean(axis=0), momentum)
        _update(running_var, (var * (count / (count - 1))).reshape(-1, channels).mean(axis=0), momentum)
    return out
