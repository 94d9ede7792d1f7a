"""Flatten and Unflatten: reshaping as layers, for use in a Sequential."""
import math

from ..dims import _wrap_dim
from .module import Module


class Flatten(Module):
    """Merges dims start_dim..end_dim into one: (N, C, H, W) -> (N, C·H·W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):                   # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f'start_dim={self.start_dim}, end_dim={self.end_dim}'


class Unflatten(Module):
    """Splits dim `dim` into `unflattened_size`: Unflatten(1, (2, 5)) maps (N, 10) to (N, 2, 5).
    One size may be -1, inferred from the others."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f'unflattened_size must be a tuple of ints, but found type '
                            f'{type(unflattened_size).__name__}')
        for i, size in enumerate(unflattened_size):
            if not isinstance(size, int):
                raise TypeError(f'unflattened_size must be tuple of ints, but found element of '
                                f'type {type(size).__name__} at pos {i}')
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):                   # noqa: A002
        shape, ndim = input.shape, input.ndim
        if ndim == 0:
            raise RuntimeError(f'unflatten: Dimension specified as {self.dim} but tensor has no '
                               f'dimensions')
        dim = _wrap_dim(self.dim, ndim)
        sizes = list(self.unflattened_size)
        if sizes.count(-1) > 1:
            raise RuntimeError('unflatten: only one dimension can be inferred')
        known = math.prod(n for n in sizes if n != -1)
        if -1 in sizes and known and shape[dim] % known == 0:
            sizes[sizes.index(-1)] = shape[dim] // known      # given outright: reshape's -1 is
        if math.prod(sizes) != shape[dim] or -1 in sizes:     # ambiguous for 0 elements
            raise RuntimeError(f"unflatten: Provided sizes {list(self.unflattened_size)} don't "
                               f"multiply up to the size of dim {self.dim} ({shape[dim]}) in the "
                               f"input tensor")
        return input.reshape(*shape[:dim], *sizes, *shape[dim + 1:])

    def extra_repr(self):
        return f'dim={self.dim}, unflattened_size={self.unflattened_size}'
