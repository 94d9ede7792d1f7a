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


class Generator:
    """PyTorch's `torch.Generator`: a random stream of its own, for `generator=` arguments.

    `mg.Generator().manual_seed(42)` returns the generator, as in PyTorch, so
    `random_split(ds, [0.8, 0.2], generator=mg.Generator().manual_seed(42))` runs unchanged.
    """

    def __init__(self, device='cpu'):
        from .device import check
        check(device, 'Generator')
        self._generator = np.random.default_rng()
        self._seed = None

    def manual_seed(self, seed):
        self._generator, self._seed = np.random.default_rng(seed), seed
        return self

    def initial_seed(self):
        return self._seed


def numpy_generator(generator):
    """The NumPy Generator behind a `generator=` argument: minigrad's own for None."""
    if generator is None:
        return _generator
    if isinstance(generator, Generator):
        return generator._generator
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f'generator= must be an mg.Generator, a NumPy np.random.Generator or None '
                    f'(minigrad\'s generator, seeded by mg.manual_seed), got {type(generator).__name__}')
