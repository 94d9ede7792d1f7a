"""Dropout: random zeroing during training, the identity during evaluation; Dropout1d and
Dropout2d zero whole channels, AlphaDropout keeps a selu network's mean and variance."""
from . import functional as F
from .module import Module


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


class Dropout(_DropoutNd):
    """In training, y = x · m / (1 - p) with m_i ~ Bernoulli(1 - p); in eval, y = x.

    Dividing by 1 - p keeps E[y] = x, so the next layer sees the same scale in
    both modes. The gradient flows through the same mask: dy/dx = m / (1 - p). See F.dropout.
    """

    def forward(self, input):                   # noqa: A002
        return F.dropout(input, self.p, self.training, self.inplace)


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
