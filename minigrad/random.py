"""The one random number generator behind factories, initialisation, dropout and shuffling."""
import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed):
    """Makes every random draw in minigrad reproducible from `seed`."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def generator():
    """The current NumPy Generator (replaced by `manual_seed`)."""
    return _generator
