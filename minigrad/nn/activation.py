"""Activation layers: each is a Module wrapper around one op."""
import warnings

from . import functional as F
from .module import Module


class ReLU(Module):
    """relu(x) = max(x, 0)

    `inplace=True` is accepted, as PyTorch's, but computed out of place: the
    same result as a new tensor, the input unchanged (so too LeakyReLU and ELU).
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):                   # noqa: A002
        return F.relu(input)

    def extra_repr(self):
        return 'inplace=True' if self.inplace else ''


class LeakyReLU(Module):
    """leaky_relu(x) = x if x > 0 else negative_slope · x"""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):                   # noqa: A002
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f'negative_slope={self.negative_slope}' + (', inplace=True' if self.inplace else '')


class ELU(Module):
    """elu(x) = x if x > 0 else alpha · (eˣ - 1)"""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):                   # noqa: A002
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f'alpha={self.alpha}' + (', inplace=True' if self.inplace else '')


class Softplus(Module):
    """softplus(x) = log(1 + e^(beta·x)) / beta, and x where beta·x > threshold"""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):                   # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f'beta={self.beta}, threshold={self.threshold}'


class GELU(Module):
    """gelu(x) = x · Φ(x), Φ the standard normal cdf (approximate='tanh': via tanh)"""

    def __init__(self, approximate='none'):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):                   # noqa: A002
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f'approximate={self.approximate!r}'


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e⁻ˣ)"""

    def forward(self, input):                   # noqa: A002
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) = (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ)"""

    def forward(self, input):                   # noqa: A002
        return F.tanh(input)


def _implicit_dim(name, ndim):
    warnings.warn(f'Implicit dimension choice for {name} has been deprecated. Change the call '
                  f'to include dim=X as an argument (dim=-1 for the class scores of each row).',
                  stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


class _AlongDim(Module):
    """What Softmax and LogSoftmax share: `function(input, dim)` with PyTorch's implicit dim."""
    function = None

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):                   # noqa: A002
        dim = self.dim if self.dim is not None else _implicit_dim(self.function.__name__, input.ndim)
        return self.function(input, dim)

    def extra_repr(self):
        return f'dim={self.dim}'


class Softmax(_AlongDim):
    """softmax(x)_i = exp(x_i) / Σ_j exp(x_j), along `dim`."""
    function = staticmethod(F.softmax)


class LogSoftmax(_AlongDim):
    """log_softmax(x)_i = x_i - log Σ_j exp(x_j), along `dim`."""
    function = staticmethod(F.log_softmax)
