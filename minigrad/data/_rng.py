"""Which random generator a data function uses."""
import numpy as np

from ..random import generator


def rng(seed):
    """`seed=None`: minigrad's generator (so `mg.manual_seed` governs it); an int: a fresh,
    independent generator seeded with it; a NumPy Generator is used as given."""
    if seed is None:
        return generator()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, float)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f'seed must be None, an int or a numpy.random.Generator, got {seed!r}')
    return np.random.default_rng(seed)
