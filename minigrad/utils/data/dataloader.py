"""DataLoader, PyTorch's `torch.utils.data.DataLoader`, loading in the main process.

`num_workers`, `pin_memory`, `timeout`, `worker_init_fn`, `multiprocessing_context`,
`prefetch_factor`, `persistent_workers`, `pin_memory_device` and `in_order` are
accepted (and checked as PyTorch checks them) so that PyTorch code runs unchanged,
but loading always happens in the calling process, one batch at a time, as PyTorch
does with `num_workers=0`: no worker processes are started, `worker_init_fn` is
never called, and there is no pinned memory (minigrad runs on the CPU).
"""
import itertools
from typing import Generic, TypeVar

import numpy as np

from ...tensor import Tensor
from ...random import numpy_generator
from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset, Subset, TensorDataset, _misspelled
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ['DataLoader', 'default_collate', 'default_convert', 'get_worker_info']

T_co = TypeVar('T_co', covariant=True)


def get_worker_info():
    """`None`: minigrad loads data in the main process only (PyTorch's answer there too)."""
    return None


class _InfiniteConstantSampler(Sampler):
    """The 'indices' of an IterableDataset: `None`, for ever (PyTorch's)."""

    def __iter__(self):
        while True:
            yield None


class DataLoader(Generic[T_co]):
    """Iterates over a dataset in batches, collated by `collate_fn` (default: `default_collate`).

    `DataLoader(dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
    num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
    worker_init_fn=None, multiprocessing_context=None, generator=None, *,
    prefetch_factor=None, persistent_workers=False, pin_memory_device='', in_order=True)`,
    PyTorch's arguments and rules:

    - `dataset`: map-style (`__getitem__` and `__len__`: a `Dataset` subclass,
      `TensorDataset`, a list, a Tensor) or an `IterableDataset`.
    - `shuffle=True`: a new random order every epoch (every `for` loop over the loader),
      drawn from minigrad's generator, so `mg.manual_seed(seed)` makes the sequence of
      epochs reproducible; `generator=` an `mg.Generator` (or a `numpy.random.Generator`) to use instead. The
      orders are not PyTorch's for the same seed (different random number generators).
    - `batch_size=None` turns batching off: each sample comes as it is, NumPy arrays made
      Tensors (`default_convert`). `drop_last=True` drops a last, smaller batch.
    - `len(loader)` is the number of batches.
    - Worker processes, pinned memory and timeouts are accepted and ignored: loading is
      single-process (as PyTorch with `num_workers=0`; `worker_init_fn` is never called).
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device='',
                 in_order=True):
        prefetch_factor = _check_worker_options(num_workers, timeout, prefetch_factor,
                                                persistent_workers, multiprocessing_context)
        numpy_generator(generator)        # a wrong type fails now, not at the first epoch
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            _check_iterable_dataset(dataset, shuffle, sampler, batch_sampler)
        else:
            shuffle = bool(shuffle)
            _check_map_style(dataset, needs_len=sampler is None and batch_sampler is None)
        batch_size, drop_last = _check_batching(batch_size, shuffle, sampler, batch_sampler,
                                                drop_last)
        if sampler is None:
            sampler = _default_sampler(dataset, self._iterable, shuffle, generator)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._initialized = True

    def __setattr__(self, attr, val):
        if self.__dict__.get('_initialized') and attr in (
                'batch_size', 'batch_sampler', 'sampler', 'drop_last', 'dataset', 'persistent_workers'):
            raise ValueError(f'{attr} attribute should not be set after {type(self).__name__} is '
                             f'initialized (make a new DataLoader instead)')
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        return _SingleProcessDataLoaderIter(self)

    def __len__(self):
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else -(-length // self.batch_size)
            return length
        return len(self._index_sampler)


def _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers,
                          multiprocessing_context):
    """PyTorch's checks of the multiprocessing options (accepted, then ignored: loading is
    single-process). Returns prefetch_factor, 2 by default with workers, as PyTorch."""
    if num_workers < 0:
        raise ValueError('num_workers option should be non-negative; use num_workers=0 to '
                         'disable multiprocessing.')
    if timeout < 0:
        raise ValueError('timeout option should be non-negative')
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError('prefetch_factor option could only be specified in multiprocessing.'
                         'let num_workers > 0 to enable multiprocessing, otherwise set '
                         'prefetch_factor to None.')
    elif num_workers > 0 and prefetch_factor is None:
        prefetch_factor = 2
    elif prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError('prefetch_factor option should be non-negative')
    if persistent_workers and num_workers == 0:
        raise ValueError('persistent_workers option needs num_workers > 0')
    if multiprocessing_context is not None and num_workers == 0:
        raise ValueError(f'multiprocessing_context can only be used with multi-process loading '
                         f'(num_workers > 0), but got num_workers={num_workers}')
    return prefetch_factor


def _check_iterable_dataset(dataset, shuffle, sampler, batch_sampler):
    """An IterableDataset chooses its own order: no shuffle or sampler, and an __iter__."""
    if shuffle not in {False, None}:
        raise ValueError(f'DataLoader with IterableDataset: expected unspecified shuffle '
                         f'option, but got shuffle={shuffle}')
    if sampler is not None:
        raise ValueError(f'DataLoader with IterableDataset: expected unspecified sampler '
                         f'option, but got sampler={sampler}')
    if batch_sampler is not None:
        raise ValueError(f'DataLoader with IterableDataset: expected unspecified '
                         f'batch_sampler option, but got batch_sampler={batch_sampler}')
    if type(dataset).__iter__ is IterableDataset.__iter__:
        raise NotImplementedError(f'{type(dataset).__name__} is an IterableDataset but '
                                  f'defines no __iter__: define __iter__(self) yielding '
                                  f'the samples{_misspelled(type(dataset), "iter")}')


def _check_batching(batch_size, shuffle, sampler, batch_sampler, drop_last):
    """PyTorch's rules for combining the batching options. Returns (batch_size, drop_last):
    with a batch_sampler, that sampler does the batching (None, False)."""
    if sampler is not None and shuffle:
        raise ValueError('sampler option is mutually exclusive with shuffle')
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError('batch_sampler option is mutually exclusive with batch_size, '
                             'shuffle, sampler, and drop_last')
        return None, False
    if batch_size is None:
        if drop_last:
            raise ValueError('batch_size=None option disables auto-batching and is mutually '
                             'exclusive with drop_last')
    else:
        _check_batch_size(batch_size)
    return batch_size, drop_last


def _default_sampler(dataset, iterable, shuffle, generator):
    """The order of the samples when no sampler is given."""
    if iterable:
        return _InfiniteConstantSampler()
    if shuffle:
        return RandomSampler(dataset, generator=generator)
    return SequentialSampler(dataset)


def _check_batch_size(batch_size):
    if isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size > 0:
        return
    hint = ''
    if isinstance(batch_size, (Tensor, np.ndarray, list, tuple)):
        hint = ('. DataLoader takes one dataset: to pair inputs X with targets y, pass '
                'TensorDataset(X, y) (minigrad.data.DataLoader(X, y, batch_size) is a shortcut for '
                'that)')
    shown = f'<a {type(batch_size).__name__}>' if hint else f'{batch_size}'
    raise ValueError(f'batch_size should be a positive integer value, but got batch_size={shown}{hint}')


def _check_map_style(dataset, needs_len):
    """Clear errors, at construction, for a dataset that cannot be indexed or measured."""
    cls = type(dataset)
    name = cls.__name__
    has_getitems = callable(getattr(dataset, '__getitems__', None))
    if isinstance(dataset, Dataset):
        if cls.__getitem__ is Dataset.__getitem__ and not has_getitems:
            hint = _misspelled(cls, 'getitem')
            if not hint and hasattr(cls, '__iter__'):
                hint = (' (it defines __iter__: a dataset that streams its samples should subclass '
                        'IterableDataset instead)')
            raise NotImplementedError(f'Subclasses of Dataset should implement __getitem__. {name} '
                                      f'does not: define __getitem__(self, index) returning the '
                                      f'sample at that index{hint}')
    elif not hasattr(cls, '__getitem__') and not has_getitems:
        raise TypeError(f'DataLoader needs a dataset it can index (dataset[i]), got a {name}. '
                        f'A stream of samples should be an IterableDataset subclass')
    if needs_len and not hasattr(cls, '__len__'):
        raise TypeError(f'DataLoader needs len(dataset) to know which indices to draw, but {name} '
                        f'defines no __len__{_misspelled(cls, "len")}: define __len__(self) returning '
                        f'the number of samples (or pass a sampler, or make it an IterableDataset)')


def _tensor_dataset_batch(dataset, indices):
    """default_collate of the samples of a TensorDataset (possibly under Subsets) at `indices`,
    in one indexing per tensor: the same list of stacked Tensors. `None` where that shortcut
    does not apply."""
    # speed: an epoch of 1024 samples of 64 features in batches of 32: 0.4 ms, against 5.8 ms
    # through default_collate
    while type(dataset) is Subset:
        if not isinstance(dataset.indices, (list, tuple, range, np.ndarray)):
            return None
        indices = [dataset.indices[i] for i in indices]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or any(t.requires_grad for t in dataset.tensors):
        return None
    rows = np.asarray(indices)
    if rows.ndim != 1 or rows.size == 0 or rows.dtype.kind not in 'iu':
        return None
    return [Tensor._wrap(t._array[rows]) for t in dataset.tensors]


class _SingleProcessDataLoaderIter:
    """One epoch over a DataLoader: `next()` gives the next batch."""

    def __init__(self, loader):
        self._loader = loader
        self._dataset = loader.dataset
        self._auto_collation = loader._auto_collation
        self._collate_fn = loader.collate_fn
        self._num_yielded = 0
        if loader._iterable:
            self._dataset_iter = iter(loader.dataset)
            self._ended = False
        else:
            self._sampler_iter = iter(loader._index_sampler)

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)

    def __next__(self):
        data = self._next_iterable() if self._loader._iterable else self._next_map()
        self._num_yielded += 1
        return data

    def _next_map(self):
        index = next(self._sampler_iter)
        dataset = self._dataset
        if not self._auto_collation:
            return self._collate_fn(dataset[index])
        if self._collate_fn is default_collate:
            batch = _tensor_dataset_batch(dataset, index)
            if batch is not None:
                return batch
        if callable(getattr(dataset, '__getitems__', None)):
            data = dataset.__getitems__(index)
        else:
            data = [dataset[i] for i in index]
        return self._collate_fn(data)

    def _next_iterable(self):
        if not self._auto_collation:
            return self._collate_fn(next(self._dataset_iter))
        if self._ended:
            raise StopIteration
        size = self._loader.batch_size
        data = list(itertools.islice(self._dataset_iter, size))
        if len(data) < size:
            self._ended = True
            if not data or self._loader.drop_last:
                raise StopIteration
        return self._collate_fn(data)
