"""Dropout as functions: dropout (elementwise), dropout1d and dropout2d (whole channels),
alpha_dropout (for selu networks). Each multiplies by a random mask drawn with minigrad's
generator (mg.manual_seed), a composition (Mul by a constant): d y = mask · dx.

`inplace=True` is accepted and computed out of place (the same result, as a new tensor),
as minigrad's relu does.
"""
import math
import warnings

import numpy as np

from ..random import numpy_generator
from ..tensor import Tensor
from ._checks import _check_float

__all__ = ['dropout', 'dropout1d', 'dropout2d', 'alpha_dropout']


def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')


def _keep(input, p, mask_shape):
    """The Bernoulli(1 - p) keep-mask, in the input's dtype, of mask_shape."""
    return (numpy_generator().random(mask_shape) >= p).astype(input.dtype)


def _drop(input, p, training, mask_shape, fn):
    """input · mask / (1 - p), mask ~ Bernoulli(1 - p) of mask_shape (broadcast over the rest)."""
    _check_float(input, fn)
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        return input * Tensor._wrap(np.zeros((), dtype=input.dtype))
    return input * Tensor._wrap(_keep(input, p, mask_shape) / np.asarray(1 - p, dtype=input.dtype))


def dropout(input, p=0.5, training=True, inplace=False):
    """Each element zeroed with probability p, the rest scaled by 1 / (1 - p) (so E[y] = x);
    the identity when training=False."""
    return _drop(input, p, training, input._array.shape, 'dropout')


def _channels(input, p, training, fn):
    """Whole channels (dims 0 and 1: sample, channel) zeroed together."""
    shape = input._array.shape
    return _drop(input, p, training, shape[:2] + (1,) * (len(shape) - 2), fn)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout of (N, C, L) or (C, L) inputs: each channel zeroed whole with
    probability p, the rest scaled by 1 / (1 - p)."""
    _check_float(input, 'dropout1d')
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f'dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. '
                           f'Note that dropout1d exists to provide channel-wise dropout on inputs with 1 '
                           f'spatial dimension, a channel dimension, and an optional batch dimension '
                           f'(i.e. 2D or 3D inputs).')
    if input.ndim == 2:
        return _channels(input.unsqueeze(0), p, training, 'dropout1d').squeeze(0)
    return _channels(input, p, training, 'dropout1d')


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout of (N, C, H, W) inputs: each channel zeroed whole with probability p.
    A 3-D input is taken as (N, C, L), as PyTorch does (with its warning)."""
    _check_float(input, 'dropout2d')
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(f'dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated '
                      f'and will result in an error in a future release. To retain the behavior and '
                      f'silence this warning, please use dropout instead. Note that dropout2d exists to '
                      f'provide channel-wise dropout on inputs with 2 spatial dimensions, a channel '
                      f'dimension, and an optional batch dimension (i.e. 3D or 4D inputs).',
                      UserWarning, stacklevel=2)
    if input.ndim == 3:
        warnings.warn('dropout2d: Received a 3D input to dropout2d and assuming that channel-wise '
                      '1D dropout behavior is desired - input is interpreted as shape (N, C, L), where '
                      'C is the channel dim. This behavior will change in a future release to interpret '
                      'the input as one without a batch dimension, i.e. shape (C, H, W). To maintain the '
                      '1D channel-wise dropout behavior, please switch to using dropout1d instead.',
                      UserWarning, stacklevel=2)
    if input.ndim < 2:
        raise RuntimeError(f'dropout2d: feature dropout requires at least 2 dimensions in the input, '
                           f'got {input.ndim}')
    return _channels(input, p, training, 'dropout2d')


_SELU_SATURATION = 1.7580993408473766       # -selu(-inf) = scale · alpha


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for selu networks: dropped elements are set to selu's saturation -α' and the
    result is affinely rescaled, a (x m + α' (m - 1)) + a α' p with a = 1/√((α'² p + 1)(1 - p)),
    which keeps zero mean and unit variance."""
    _check_float(input, 'alpha_dropout')
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    if p == 1:
        return input * Tensor._wrap(np.zeros((), dtype=input.dtype))
    keep = _keep(input, p, input._array.shape)
    alpha = _SELU_SATURATION
    a = 1 / math.sqrt((alpha * alpha * p + 1) * (1 - p))
    shift = ((keep - 1) * (alpha * a) + alpha * a * p).astype(input.dtype)
    return input * Tensor._wrap((keep * a).astype(input.dtype)) + Tensor._wrap(shift)
