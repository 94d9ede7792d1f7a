"""Which random generator a draw uses: the one helper behind every `generator=` and `seed=` argument.

Factories, `Tensor.normal_`/`uniform_`/`random_`, `nn.init`, dropout, `utils.data`
(samplers, `random_split`, `DataLoader`) and `mg.data` (synthetic sets, split,
loader) all ask `numpy_generator` for the NumPy Generator to draw from.
"""
import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed):
    """Makes every random draw in minigrad reproducible from `seed`."""
    global _generator
    _generator = np.random.default_rng(seed)
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


def numpy_generator(generator=None, *, seeds=False):
    """The NumPy Generator to draw from for a `generator=` argument, looked up at the moment of drawing.

    None: minigrad's default generator (the one `mg.manual_seed` replaces, so it is
    looked up anew each time); an `mg.Generator`: its own stream; a NumPy
    `np.random.Generator`: itself; an object holding one in `_generator` or `_rng`
    (a `torch.Generator`-like wrapper): that one. With `seeds=True` (mg.data's `seed=`
    arguments) an int is a seed too: a new generator of its own, seeded with it.
    Anything else raises a TypeError that says what is accepted.
    """
    if generator is None:
        return _generator
    if isinstance(generator, Generator):
        return generator._generator
    if isinstance(generator, np.random.Generator):
        return generator
    if seeds and isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(generator)
    for name in ('_generator', '_rng'):
        inner = getattr(generator, name, None)
        if isinstance(inner, np.random.Generator):
            return inner
    what = 'seed= must be an int,' if seeds else 'generator= must be'
    raise TypeError(f"{what} an mg.Generator, a NumPy np.random.Generator (class numpy.random.Generator, "
                    f"made by np.random.default_rng(seed)) or None for minigrad's own generator "
                    f"(seeded by mg.manual_seed); got {generator!r}")


def seed_generator(seed=None):
    """mg.data's `seed=`: `numpy_generator(seed, seeds=True)` (an int seeds a generator of its own)."""
    return numpy_generator(seed, seeds=True)


def generator():
    """minigrad's default NumPy Generator, `numpy_generator(None)` (kept for code that imports it)."""
    return numpy_generator(None)
