"""Samplers, PyTorch's `torch.utils.data.sampler`: which indices a DataLoader fetches, in what order."""
from typing import Generic, TypeVar

import numpy as np

from ...random import numpy_generator

__all__ = ['Sampler', 'SequentialSampler', 'RandomSampler', 'SubsetRandomSampler',
           'WeightedRandomSampler', 'BatchSampler']

T_co = TypeVar('T_co', covariant=True)
_CHUNK = 32     # indices drawn with replacement at a time, as PyTorch: num_samples may be endless


def _in_chunks(total, draw):
    """`total` values, `draw(k)` giving the next k (a NumPy array) at most _CHUNK at a time:
    the same stream as one draw(total) for NumPy's generators, without holding it all."""
    for start in range(0, total, _CHUNK):
        yield from draw(min(_CHUNK, total - start)).tolist()


class Sampler(Generic[T_co]):
    """Base class: subclasses define `__iter__` (indices, or lists of indices) and may define `__len__`."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError(f'Subclasses of Sampler should implement __iter__. '
                                  f'{type(self).__name__} does not')


class SequentialSampler(Sampler[int]):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A fresh random order of the indices each time it is iterated (each epoch).

    `replacement=True` draws `num_samples` indices independently instead. `generator=None`
    draws from minigrad's generator, so `mg.manual_seed(seed)` makes the sequence of
    orders reproducible; or pass an `mg.Generator` or a `numpy.random.Generator`. The orders are not
    PyTorch's for the same seed: the random number generators differ.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        numpy_generator(generator)        # a wrong type fails now, not at the first draw
        if not isinstance(self.replacement, bool):
            raise TypeError(f'replacement should be a boolean value, but got '
                            f'replacement={self.replacement}')
        if not isinstance(self.num_samples, int) or isinstance(self.num_samples, bool) \
                or self.num_samples <= 0:
            raise ValueError(f'num_samples should be a positive integer value, but got '
                             f'num_samples={self.num_samples}')

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        gen = numpy_generator(self.generator)
        if self.replacement:
            yield from _in_chunks(self.num_samples, lambda k: gen.integers(0, n, size=k))
        else:
            for _ in range(self.num_samples // n):
                yield from gen.permutation(n).tolist()
            if self.num_samples % n:
                # PyTorch draws (and drops) a whole permutation here even when nothing is left
                # over; skipping it makes an epoch of a shuffled DataLoader one permutation,
                # the batches minigrad.data.DataLoader(X, y, ..., seed) has always given
                yield from gen.permutation(n).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices, in a fresh random order each time."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator
        numpy_generator(generator)        # a wrong type fails now, not at the first draw

    def __iter__(self):
        for i in numpy_generator(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """`num_samples` indices into `weights`, index i drawn with probability weights[i] / sum(weights)."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f'num_samples should be a positive integer value, but got '
                             f'num_samples={num_samples}')
        if not isinstance(replacement, bool):
            raise ValueError(f'replacement should be a boolean value, but got replacement={replacement}')
        weights = np.asarray(getattr(weights, '_array', weights), dtype=np.float64)
        if weights.ndim != 1:
            raise ValueError(f'weights should be a 1d sequence but given weights have shape '
                             f'{tuple(weights.shape)}')
        if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
            raise RuntimeError('invalid multinomial distribution (weights must be finite, '
                               'non-negative and not all zero)')
        if not replacement and num_samples > np.count_nonzero(weights):
            raise RuntimeError(f'cannot sample n_sample > prob_dist.size(-1) samples without '
                               f'replacement (num_samples={num_samples}, '
                               f'{np.count_nonzero(weights)} non-zero weights)')
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator
        numpy_generator(generator)        # a wrong type fails now, not at the first draw

    def __iter__(self):
        gen = numpy_generator(self.generator)
        p = self.weights / self.weights.sum()
        if not self.replacement:            # at most len(weights) indices: drawn at once
            yield from gen.choice(len(p), size=self.num_samples, replace=False, p=p).tolist()
            return
        cdf = p.cumsum()                    # gen.choice's own steps, its cdf made once
        cdf /= cdf[-1]
        yield from _in_chunks(self.num_samples,
                              lambda k: cdf.searchsorted(gen.random(k), side='right'))

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler[list]):
    """Groups the indices of `sampler` into lists of `batch_size`; the last one is shorter
    unless `drop_last`.

    >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f'batch_size should be a positive integer value, but got '
                             f'batch_size={batch_size}')
        if not isinstance(drop_last, bool):
            raise ValueError(f'drop_last should be a boolean value, but got drop_last={drop_last}')
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
