"""Dropout: random zeroing during training, the identity during evaluation."""
import numpy as np

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
