"""train_test_split: hold out data the model never trains on."""
import math

import numpy as np

from ..tensor import Tensor
from ..random import seed_generator


def train_test_split(X, y, test_size=0.2, seed=None, shuffle=True):
    """Returns `X_train, X_test, y_train, y_test`.

    `test_size` is a fraction in (0, 1) (the test part gets ceil(fraction·n)
    rows) or a whole number of rows. Rows are shuffled first unless
    `shuffle=False`. Works on NumPy arrays and Tensors, returning the same kind.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f'X and y must have the same number of rows, got {n} and {len(y)}')
    if isinstance(test_size, float) and 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool) and 0 < test_size < n:
        n_test = int(test_size)
    else:
        raise ValueError(f'test_size must be a fraction in (0, 1) or a whole number of rows in '
                         f'[1, {n - 1}], got {test_size!r}')
    if n - n_test < 1:
        raise ValueError(f'test_size={test_size} leaves no rows to train on ({n} rows in all)')
    order = seed_generator(seed).permutation(n) if shuffle else np.arange(n)
    train, test = order[n_test:], order[:n_test]
    return _take(X, train), _take(X, test), _take(y, train), _take(y, test)


def _take(a, rows):
    if isinstance(a, Tensor):
        return Tensor._wrap(a._array[rows])
    return np.asarray(a)[rows]
