"""Linear and Identity layers."""
import math

import numpy as np

from . import functional as F
from . import init
from ..dtypes import get_default_dtype
from .module import Module, Parameter


class Linear(Module):
    """y = x Wᵀ + b, with W of shape (out_features, in_features).

    Initialised as PyTorch does: W and b uniform in ±1/√in_features
    (kaiming_uniform_ with a = √5 for W), so outputs start at roughly the
    scale of the inputs.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))
        self.bias = Parameter(np.empty(out_features, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Draws fresh weights: W by kaiming_uniform_(a=√5), b from U(±1/√fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):                   # noqa: A002 (PyTorch's argument name)
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f'in_features={self.in_features}, out_features={self.out_features}, '
                f'bias={self.bias is not None}')


class Identity(Module):
    """y = x (a placeholder layer; accepts and ignores any constructor arguments)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):                   # noqa: A002
        return input
