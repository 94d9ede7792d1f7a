"""PyTorch's `torch.utils.data`: datasets, samplers, collation and the DataLoader.

    from minigrad.utils.data import DataLoader, TensorDataset, random_split

    ds = TensorDataset(X, y)                                  # X: (N, ...), y: (N,)
    train_ds, val_ds = random_split(ds, [0.8, 0.2])
    for xb, yb in DataLoader(train_ds, batch_size=64, shuffle=True):
        ...

Names, arguments and collation rules are PyTorch's. Differences: loading is
single-process (`num_workers`, `pin_memory` are accepted and ignored); random orders
come from minigrad's generator (`mg.manual_seed`), or an `mg.Generator` or a
`numpy.random.Generator` passed as `generator=`, so they differ from PyTorch's for the same seed.
`minigrad.data` holds synthetic sets and the digits; its `DataLoader(X, y, batch_size, shuffle,
seed)` is a shortcut for `DataLoader(TensorDataset(X, y), ..., generator=mg.Generator().manual_seed(seed))`.
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)

__all__ = ['BatchSampler', 'ChainDataset', 'ConcatDataset', 'DataLoader', 'Dataset',
           'IterableDataset', 'RandomSampler', 'Sampler', 'SequentialSampler', 'StackDataset',
           'Subset', 'SubsetRandomSampler', 'TensorDataset', 'WeightedRandomSampler',
           'default_collate', 'default_convert', 'get_worker_info', 'random_split']
