"""Random sampling from tensors of probabilities or rates: multinomial, bernoulli, poisson,
and the in-place draws `Tensor.exponential_`, `geometric_`, `cauchy_`, `log_normal_`, `bernoulli_`.
All take `generator=` (see random.py). The samples follow PyTorch's distributions. With
`generator=` an `mg.Generator`, `multinomial` and `exponential_` draw from its PyTorch stream
(`minigrad.random.TorchStream`) as PyTorch's CPU kernels do, so the same seed gives PyTorch's
samples (checked in tests/test_random.py); otherwise, and for the other draws, they are NumPy's: other numbers than in
PyTorch. Samples are constants: they have no gradient (PyTorch's have a zero one).
"""
import math

import numpy as np

from .functions import _into
from .methods import tensor_method
from .random import numpy_generator, torch_stream
from .tensor import Tensor

__all__ = ['multinomial', 'bernoulli', 'poisson']


def _float_input(input, name, kernel):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input._array.dtype.kind != 'f' and kernel is None:
        raise RuntimeError(f'{name} only supports floating-point dtypes for input, got: {input.dtype}')
    if input._array.dtype.kind != 'f':
        raise NotImplementedError(f'"{kernel}" not implemented for {input.dtype}: give it a '
                                  f'floating point tensor, e.g. t.float()')
    return input._array


# ------------------------------------------------------------ multinomial

def _check_distributions(p, num_samples, replacement):
    """PyTorch's checks of multinomial's rows of weights."""
    if p.ndim not in (1, 2):
        raise RuntimeError(f'prob_dist must be 1 or 2 dim, got shape {tuple(p.shape)}')
    if num_samples <= 0:
        raise RuntimeError(f'cannot sample n_sample <= 0 samples (num_samples={num_samples})')
    if not replacement and num_samples > p.shape[-1]:
        raise RuntimeError(f'cannot sample n_sample > prob_dist.size(-1) samples without '
                           f'replacement ({num_samples} > {p.shape[-1]})')
    if not np.all(np.isfinite(p) & (p >= 0)):
        raise RuntimeError('probability tensor contains either `inf`, `nan` or element < 0')
    if p.size and np.any(p.sum(axis=-1) <= 0):
        raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')


@tensor_method
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):    # noqa: A002
    """`num_samples` category indices per row of the weights `input` (1-D, or 2-D: one row per
    distribution), category i drawn with probability input[i] / sum(input): int64, of shape
    (num_samples,) or (rows, num_samples). Without replacement each index is drawn at most once:
    the rows are ranked by `input / E`, E ~ Exponential(1) (the exponential race, as PyTorch
    does); once the nonzero weights are used up, zero-weight indices follow (no error, as in
    PyTorch; minigrad gives them in index order, PyTorch in its topk's order). With `generator=`
    an mg.Generator the samples are PyTorch's for the same seed (`_torch_multinomial`)."""
    p = _float_input(input, 'multinomial', None)
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"multinomial(): argument 'num_samples' must be int, not "
                        f"{type(num_samples).__name__}")
    _check_distributions(p, num_samples, replacement)
    rows = p.reshape(-1, p.shape[-1])
    stream = torch_stream(generator)
    if not rows.size:
        samples = np.zeros((len(rows), num_samples), np.int64)
    elif stream is None:
        rng, rows = numpy_generator(generator), rows.astype(np.float64)
        draw = _with_replacement if replacement else _without_replacement
        samples = draw(rows, num_samples, rng)
    else:
        samples = _torch_multinomial(rows, num_samples, replacement, stream)
    return _into(out, Tensor._wrap(samples.reshape(p.shape[:-1] + (num_samples,))))


def _with_replacement(rows, n, rng):
    """Inverse transform: the first category whose cumulative probability reaches a uniform draw.
    All rows in one search: row r's cumulative probabilities (0..1] are shifted to (r, r + 1]."""
    cdf = np.cumsum(rows, axis=1)
    cdf = cdf / cdf[:, -1:]
    offsets = np.arange(len(rows), dtype=np.float64)[:, None]
    u = rng.random((len(rows), n)) + offsets
    found = np.searchsorted((cdf + offsets).ravel(), u.ravel(), side='left').reshape(u.shape)
    index = found - np.arange(len(rows))[:, None] * rows.shape[1]
    return np.minimum(index, rows.shape[1] - 1).astype(np.int64)    # u rounded up to r + 1


def _without_replacement(rows, n, rng):
    """The exponential race: the n largest of p_i / E_i, E_i ~ Exponential(1), in order, are a
    draw of n categories without replacement (ties, the zero weights, by index, as PyTorch)."""
    keys = rows / rng.exponential(size=rows.shape)
    return np.argsort(-keys, axis=1, kind='stable')[:, :n].astype(np.int64)


def _torch_multinomial(rows, n, replacement, stream):
    """PyTorch's CPU multinomial on its stream. Without replacement, or for one sample, the
    exponential race (keys p / E in the weights' dtype, E from `_exponentials`, row by row;
    argmax, or the n largest). Otherwise, row by row, n uniforms u (53-bit doubles) each give
    the first category whose normalised cumulative weight reaches u: the cumulative sums are
    taken and divided by the row's total in the weights' dtype, as PyTorch does."""
    if not replacement or n == 1:
        keys = rows / _exponentials(stream, rows.shape, rows.dtype)
        return np.argsort(-keys, axis=1, kind='stable')[:, :n].astype(np.int64)
    cdf = np.cumsum(rows, axis=1, dtype=rows.dtype)
    cdf = (cdf / cdf[:, -1:]).astype(np.float64)
    u = stream.doubles(rows.shape[0] * n).reshape(len(rows), n)
    return _search_rows(cdf, u)


def _search_rows(cdf, u):
    """For each row r and each u[r, j], how many of cdf[r] are < u[r, j] (searchsorted's
    side='left' row by row), for all rows at once and exactly: one sort of the pooled values
    by (row, value, cdf after u on ties), then a count of the cdf entries before each u."""
    rows, k = cdf.shape
    n = u.shape[1]
    values = np.concatenate([cdf.ravel(), u.ravel()])
    row_of = np.concatenate([np.repeat(np.arange(rows), k), np.repeat(np.arange(rows), n)])
    is_cdf = np.arange(values.size) < cdf.size
    order = np.lexsort((is_cdf, values, row_of))
    cdf_before = np.cumsum(is_cdf[order])
    drawn = ~is_cdf[order]
    found = np.empty(u.size, np.int64)
    found[order[drawn] - cdf.size] = cdf_before[drawn] - row_of[order[drawn]] * k
    return np.minimum(found, k - 1).reshape(u.shape)    # u never reaches cdf[-1] = 1; kept safe


def _exponentials(stream, shape, dtype):
    """Exponential(1) draws as PyTorch's CPU exponential_ makes them: -log1p(-u) from a 53-bit
    uniform u per element (in float64, then rounded to `dtype`)."""
    return stream.exponentials(math.prod(shape)).reshape(shape).astype(dtype)


# ------------------------------------------------------------ bernoulli, poisson

@tensor_method
def bernoulli(input, p=None, *, generator=None, out=None):      # noqa: A002
    """1 with probability `input` (elementwise, each in [0, 1]), else 0, in input's dtype; with
    `p` (a float), every element is 1 with probability p instead."""
    probs = _float_input(input, 'bernoulli', 'bernoulli_tensor_cpu_p_')
    if p is not None:
        probs = np.full(probs.shape, _probability(p, 'bernoulli'))
    elif not np.all((probs >= 0) & (probs <= 1)):
        raise RuntimeError(f'bernoulli: expected all probabilities in [0, 1], got values from '
                           f'{np.nanmin(probs)} to {np.nanmax(probs)} (or NaN)')
    draws = numpy_generator(generator).random(probs.shape) < probs
    return _into(out, Tensor._wrap(draws.astype(input._array.dtype)))


def _probability(p, name, low=0.0, high=1.0, closed=True):
    inside = low <= p <= high if closed else low < p < high
    if not inside:
        interval = f'[{low:g}, {high:g}]' if closed else f'({low:g}, {high:g})'
        raise RuntimeError(f'{name} expects p to be in {interval}, but got p={p}')
    return p


@tensor_method
def bernoulli_(self, p=0.5, *, generator=None):
    """Fills this tensor with 1 (probability p, a float or a tensor of probabilities broadcast
    to its shape) or 0."""
    if isinstance(p, Tensor):
        probs = _float_input(p, 'bernoulli_', 'bernoulli_tensor_cpu_p_')
        if not np.all((probs >= 0) & (probs <= 1)):
            raise RuntimeError('bernoulli_: expected all probabilities in p to be in [0, 1]')
        probs = np.broadcast_to(probs, self._array.shape)
    else:
        probs = _probability(p, 'bernoulli_')
    draws = numpy_generator(generator).random(self._array.shape) < probs
    return self._overwrite('bernoulli_', draws.astype(self._array.dtype))



def poisson(input, generator=None):             # noqa: A002
    """Counts drawn from Poisson(rate) for each rate in `input` (non-negative), in input's dtype."""
    rates = _float_input(input, 'poisson', 'poisson_cpu')
    if not np.all(rates >= 0):
        raise RuntimeError('invalid Poisson rate, expected rate to be non-negative')
    return Tensor._wrap(numpy_generator(generator).poisson(rates).astype(rates.dtype))


# ------------------------------------------------------------ in-place draws

def _fill(self, name, draw):
    """Overwrites this floating tensor with `draw(rng-shape)`'s values (PyTorch's in-place draws)."""
    if self._array.dtype.kind != 'f':
        raise RuntimeError(f'{name}: a continuous distribution needs a floating point tensor, '
                           f'got {self.dtype}')
    return self._overwrite(name, draw(self._array.shape))


@tensor_method
def exponential_(self, lambd=1.0, *, generator=None):
    """Fills the tensor with draws from Exponential(lambd): density lambd * exp(-lambd * x), x >= 0."""
    if not lambd > 0:
        raise RuntimeError(f'exponential_ expects lambda > 0.0, but found lambda={lambd}')
    stream = torch_stream(generator)
    if stream is not None:          # PyTorch's draws: (1 / lambd) * -log1p(-u), in float64
        return _fill(self, 'exponential_', lambda shape: _exponentials(stream, shape, np.float64) * (1 / lambd))
    return _fill(self, 'exponential_', lambda shape: numpy_generator(generator).exponential(1 / lambd, shape))


@tensor_method
def geometric_(self, p, *, generator=None):
    """Fills the tensor with draws from Geometric(p): the number of trials up to and including the
    first success, k = 1, 2, ... with probability (1 - p)^(k-1) p. Integer tensors allowed."""
    _probability(p, 'geometric_', closed=False)
    return self._overwrite('geometric_', numpy_generator(generator).geometric(p, self._array.shape))


@tensor_method
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fills the tensor with draws from Cauchy(median, sigma): median + sigma * tan(pi (u - 1/2))."""
    return _fill(self, 'cauchy_',
                 lambda shape: median + sigma * numpy_generator(generator).standard_cauchy(shape))


@tensor_method
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fills the tensor with exp(N(mean, std²)) draws (mean and std are those of the log)."""
    if not std > 0:
        raise RuntimeError(f'log_normal_ expects std > 0.0, but found std={std}')
    return _fill(self, 'log_normal_', lambda shape: numpy_generator(generator).lognormal(mean, std, shape))
