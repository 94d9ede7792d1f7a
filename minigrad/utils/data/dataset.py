"""Datasets, PyTorch's `torch.utils.data.dataset`: `Dataset`, `TensorDataset`, `Subset`, ... and `random_split`."""
import bisect
import itertools
import math
import warnings
from typing import Generic, TypeVar

import numpy as np

from ...tensor import Tensor
from ...random import numpy_generator

__all__ = ['Dataset', 'IterableDataset', 'TensorDataset', 'StackDataset', 'ConcatDataset',
           'ChainDataset', 'Subset', 'random_split']

T_co = TypeVar('T_co', covariant=True)


class Dataset(Generic[T_co]):
    """A map from keys (usually 0 .. len-1) to samples.

    Subclasses define `__getitem__(self, index)` returning one sample and, for
    `DataLoader`'s default samplers, `__len__(self)` returning how many there are.
    `a + b` is `ConcatDataset([a, b])`.
    """

    def __getitem__(self, index):
        raise NotImplementedError(
            f'Subclasses of Dataset should implement __getitem__. {type(self).__name__} does '
            f'not: define __getitem__(self, index) returning the sample at that index'
            f'{_misspelled(type(self), "getitem")}')

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A stream of samples: subclasses define `__iter__`. `a + b` is `ChainDataset([a, b])`."""

    def __iter__(self):
        raise NotImplementedError(f'Subclasses of IterableDataset should implement __iter__. '
                                  f'{type(self).__name__} does not')

    def __add__(self, other):
        return ChainDataset([self, other])


def _misspelled(cls, word):
    """' (found get_item: ...)' when the class has a method whose name looks like the missing dunder."""
    names = [n for n in dir(cls) if word in n.replace('_', '').lower()
             and not (n.startswith('__') and n.endswith('__')) and callable(getattr(cls, n, None))]
    return f' (found {", ".join(names)}: the name must be __{word}__)' if names else ''


class TensorDataset(Dataset):
    """Sample `i` is `tuple(t[i] for t in tensors)`; every tensor has the same first dimension."""

    def __init__(self, *tensors):
        if not tensors:
            raise IndexError('TensorDataset needs at least one tensor, e.g. TensorDataset(X, y)')
        for k, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                hint = (': wrap it with mg.tensor(...) first' if isinstance(t, (np.ndarray, list, tuple))
                        else '')
                raise TypeError(f'TensorDataset expects Tensors, got {type(t).__name__} at '
                                f'position {k}{hint}')
            if t.ndim == 0:
                raise IndexError(f'TensorDataset needs tensors with a first dimension to index; '
                                 f'the tensor at position {k} is 0-d')
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise AssertionError('Size mismatch between tensors: their first dimensions are '
                                 + ', '.join(str(t.shape[0]) for t in tensors)
                                 + ' (shapes ' + ', '.join(str(tuple(t.shape)) for t in tensors) + ')')
        self.tensors = tensors

    def __getitem__(self, index):
        if isinstance(index, (int, np.integer, slice)) and not isinstance(index, bool):
            # Plain indices on tensors outside the graph: a view, as t[index] gives, without an op node.
            return tuple(t[index] if t.requires_grad else Tensor._wrap(t._array[index])
                         for t in self.tensors)
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class StackDataset(Dataset):
    """Samples of several equally long datasets side by side: a tuple (`*args`) or a dict (`**kwargs`)."""

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError('Supported either ``tuple``- (via ``args``) or ``dict``- (via ``kwargs``) '
                             'like input/output, but both types are given.')
        if not args and not kwargs:
            raise ValueError('At least one dataset should be passed')
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(self._length != len(d) for d in parts):
            raise ValueError('Size mismatch between datasets: lengths '
                             + ', '.join(str(len(d)) for d in parts))
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """Several map-style datasets one after another."""

    @staticmethod
    def cumsum(sequence):
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets):
        super().__init__()
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError('datasets should not be an empty iterable')
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError('ConcatDataset does not support IterableDataset '
                                     '(chain iterable datasets with ChainDataset or +)')
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError('absolute value of index should not exceed dataset length')
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        if which == len(self.datasets):
            raise IndexError(f'index {idx} is out of range for a ConcatDataset of length {len(self)}')
        offset = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - offset]


class ChainDataset(IterableDataset):
    """Several iterable datasets one after another, chained on the fly."""

    def __init__(self, datasets):
        super().__init__()
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError('ChainDataset only supports IterableDataset')
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError('ChainDataset only supports IterableDataset')
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order: `Subset(ds, idx)[i]` is `ds[idx[i]]`."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        if type(self).__getitem__ is not Subset.__getitem__ and type(self).__getitems__ is Subset.__getitems__:
            # PyTorch's rule: DataLoader fetches batches through __getitems__
            raise NotImplementedError(
                f'{type(self).__name__} overrides __getitem__ but not __getitems__. When subclassing '
                f'Subset and overriding __getitem__, you must also override __getitems__ to ensure '
                f'DataLoader works correctly with your custom logic. A simple implementation:\n\n'
                f'def __getitems__(self, indices):\n    return [self.__getitem__(idx) for idx in indices]')

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        if callable(getattr(self.dataset, '__getitems__', None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Splits `dataset` into non-overlapping `Subset`s of the given lengths, in a random order.

    `lengths` are sample counts summing to `len(dataset)`, or fractions summing to 1:
    then each split gets floor(fraction * len(dataset)) samples and what is left over
    is handed out one at a time, round-robin from the first split (PyTorch's rule:
    10 samples at [0.25, 0.75] give 3 and 7). `generator`: `None` draws from
    minigrad's generator (`mg.manual_seed` makes the split reproducible), or an
    `mg.Generator` or a `numpy.random.Generator`. The order differs from PyTorch's for the same seed:
    the random number generators are different.
    """
    numpy_generator(generator)            # a wrong type fails before any work
    lengths = list(lengths)
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f'Fraction at index {i} is not between 0 and 1')
            counts.append(math.floor(n * frac))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f'Length of split at index {i} is 0. This might result in an empty dataset.',
                              stacklevel=2)
    if sum(lengths) != n:
        hint = ('; fractions must sum to 1' if any(not float(x).is_integer() for x in lengths)
                else '')
        raise ValueError(f'Sum of input lengths does not equal the length of the input dataset! '
                         f'(lengths {lengths} sum to {sum(lengths)}, the dataset has {n} samples{hint})')
    if any(not float(x).is_integer() or x < 0 for x in lengths):
        raise ValueError(f'lengths must be non-negative whole numbers or fractions summing to 1, '
                         f'got {lengths}')
    lengths = [int(x) for x in lengths]
    order = numpy_generator(generator).permutation(n).tolist()
    return [Subset(dataset, order[end - length:end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]
