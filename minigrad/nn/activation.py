"""Activation layers: each is a Module wrapper around one op."""
import warnings

from . import functional as F
from .module import Module


class ReLU(Module):
    """relu(x) = max(x, 0)"""

    def forward(self, input):                   # noqa: A002
        return F.relu(input)


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
