"""Which NumPy Generator a sampler or `random_split` draws from."""
import numpy as np

from ... import random as _random


def numpy_generator(generator):
    """The NumPy Generator behind a `generator=` argument, looked up at the moment of drawing.

    `None` is minigrad's generator (the one `mg.manual_seed` reseeds, so it is looked
    up anew each time); a `numpy.random.Generator` is used as given. An object that
    holds a NumPy Generator in `_generator` or `_rng` (a `torch.Generator`-like wrapper)
    is accepted too.
    """
    if generator is None:
        return _random.generator()
    if isinstance(generator, np.random.Generator):
        return generator
    for name in ('_generator', '_rng'):
        inner = getattr(generator, name, None)
        if isinstance(inner, np.random.Generator):
            return inner
    raise TypeError(f'generator must be None (minigrad\'s generator, seeded by mg.manual_seed) '
                    f'or a numpy.random.Generator such as np.random.default_rng(seed), '
                    f'got {type(generator).__name__}')


def check_generator(generator):
    """Raises the TypeError of `numpy_generator` now, when the object is passed, not at the first draw."""
    if generator is not None:
        numpy_generator(generator)
    return generator
