"""DataLoader: mini-batches of (X, y) as Tensors."""
import math

import numpy as np

from ..tensor import Tensor
from ..random import seed_generator as rng


class DataLoader:
    """Iterates over `(xb, yb)` Tensor pairs of `batch_size` rows.

    With `shuffle=True` the rows are visited in a new random order every
    epoch (every `for` loop over the loader); `seed` makes the sequence of
    orders reproducible, `seed=None` uses minigrad's generator. The last batch
    is smaller when `batch_size` does not divide the rows, unless `drop_last`.
    """

    def __init__(self, X, y, batch_size, shuffle=False, seed=None, drop_last=False):
        self.X = X._array if isinstance(X, Tensor) else np.asarray(X)
        self.y = y._array if isinstance(y, Tensor) else np.asarray(y)
        if len(self.X) != len(self.y):
            raise ValueError(f'X and y must have the same number of rows, got {len(self.X)} '
                             f'and {len(self.y)}')
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f'batch_size should be a positive integer value, but got '
                             f'batch_size={batch_size!r}')
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = rng(seed) if shuffle and seed is not None else None

    def __len__(self):
        n = len(self.X)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        X, y, size = self.X, self.y, self.batch_size
        n = len(X)
        stop = n - n % size if self.drop_last else n
        if self.shuffle:
            order = (self._rng if self._rng is not None else rng(None)).permutation(n)
            for start in range(0, stop, size):
                rows = order[start:start + size]
                yield Tensor._wrap(X[rows]), Tensor._wrap(y[rows])
        else:
            for start in range(0, stop, size):     # slices are views: no copying
                yield Tensor._wrap(X[start:start + size]), Tensor._wrap(y[start:start + size])
