"""Dropout: random zeroing during training, the identity during evaluation; Dropout1d and
Dropout2d zero whole channels, AlphaDropout keeps a selu network's mean and variance."""
import numpy as np

from . import functional as F
from ..random import numpy_generator
from ..tensor import Tensor
from .module import Module


class Dropout(Module):
    """In training, y = x · m / (1 - p) with m_i ~ Bernoulli(1 - p); in eval, y = x.

    Dividing by 1 - p keeps E[y] = x, so the next layer sees the same scale in
    both modes. The gradient flows through the same mask: dy/dx = m / (1 - p).
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')
        self.p = p
        self.inplace = inplace                  # accepted for PyTorch code; the result is the same

    def forward(self, input):                   # noqa: A002
        if not self.training or self.p == 0:
            return input
        x = input._array
        if self.p == 1:
            scaled_mask = np.zeros_like(x)
        else:
            keep = numpy_generator().random(x.shape) >= self.p
            scaled_mask = keep.astype(x.dtype)
            scaled_mask *= 1 / (1 - self.p)
        return input * Tensor._wrap(scaled_mask)

    def extra_repr(self):
        return f'p={self.p}, inplace={self.inplace}'


class _DropoutNd(Module):
    """What the dropouts share: p in [0, 1], inplace (accepted, computed out of place),
    PyTorch's repr; training mode picks dropping, eval mode the identity."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f'p={self.p}, inplace={self.inplace}'


class Dropout1d(_DropoutNd):
    """Whole channels of (N, C, L) or (C, L) inputs zeroed with probability p in training, the
    rest scaled by 1 / (1 - p); the identity in eval. See F.dropout1d."""

    def forward(self, input):                   # noqa: A002
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Whole channels of (N, C, H, W) or (C, H, W) inputs zeroed with probability p in training,
    the rest scaled by 1 / (1 - p); the identity in eval. See F.dropout2d."""

    def forward(self, input):                   # noqa: A002
        return F.dropout2d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for selu networks, keeping zero mean and unit variance (dropped elements take
    selu's saturation value, then an affine rescale); the identity in eval. See F.alpha_dropout."""

    def forward(self, input):                   # noqa: A002
        return F.alpha_dropout(input, self.p, self.training)
