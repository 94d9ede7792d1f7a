"""`DataLoader(X, y, batch_size, shuffle, seed)`: a shortcut for PyTorch's DataLoader of a TensorDataset."""
import numpy as np

from ..random import Generator
from ..tensor import Tensor
from ..utils.data import DataLoader as _DataLoader
from ..utils.data import TensorDataset


def DataLoader(X, y, batch_size, shuffle=False, seed=None, drop_last=False):
    """`(xb, yb)` batches of `batch_size` rows of X and y: a shortcut that builds and returns

        from minigrad.utils.data import DataLoader, TensorDataset
        DataLoader(TensorDataset(mg.tensor(X), mg.tensor(y)), batch_size=batch_size,
                   shuffle=shuffle, generator=mg.Generator().manual_seed(seed))

    the PyTorch spelling, which carries over to `torch` unchanged, and gives the same batches.
    With `shuffle=True` the rows come in a new random order every epoch (every `for` loop over
    the loader); `seed` makes the sequence of orders reproducible, `seed=None` draws from
    minigrad's generator (`mg.manual_seed`). The last batch is smaller when `batch_size` does
    not divide the rows, unless `drop_last`. X and y are NumPy arrays or Tensors, shared, not copied.
    """
    X, y = _rows(X), _rows(y)
    if len(X) != len(y):
        raise ValueError(f'X and y must have the same number of rows, got {len(X)} and {len(y)}')
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f'batch_size should be a positive integer value, but got '
                         f'batch_size={batch_size!r}')
    generator = None if seed is None else Generator().manual_seed(seed)
    return _DataLoader(TensorDataset(X, y), batch_size=int(batch_size), shuffle=bool(shuffle),
                       generator=generator, drop_last=bool(drop_last))


def _rows(a):
    """`a` (an array, a Tensor, a list) as a Tensor outside any graph, sharing an array's memory."""
    return Tensor._wrap(a._array if isinstance(a, Tensor) else np.asarray(a))
