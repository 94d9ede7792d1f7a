"""Weight initialisation, in place, with PyTorch's signatures and formulas.

Why the scale matters: a layer y = W x with n inputs of unit variance gives
outputs of variance n·Var(W). Xavier keeps that near 1 in both directions,
Var(W) = gain² · 2 / (fan_in + fan_out); Kaiming keeps it near 1 forward (or
backward, with mode="fan_out"), Var(W) = gain² / fan, where the gain undoes
what the nonlinearity does to the variance (√2 for ReLU, which zeroes half).
A uniform U(-b, b) has variance b²/3, hence the √3 in the uniform bounds.

Every random function takes PyTorch's `generator=`: None draws from minigrad's
generator, so `mg.manual_seed` makes initialisation reproducible; an `mg.Generator`
(or a NumPy `np.random.Generator`) draws from its own stream.
"""
import math
import warnings

import numpy as np

from ..random import numpy_generator

_LINEAR = ('linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
           'conv_transpose3d')


def calculate_gain(nonlinearity, param=None):
    """The gain for a nonlinearity: 1 (linear, sigmoid), 5/3 (tanh), √2 (relu),
    √(2 / (1 + slope²)) (leaky_relu, slope default 0.01), 3/4 (selu)."""
    if nonlinearity in _LINEAR or nonlinearity == 'sigmoid':
        return 1
    if nonlinearity == 'tanh':
        return 5.0 / 3
    if nonlinearity == 'relu':
        return math.sqrt(2.0)
    if nonlinearity == 'leaky_relu':
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f'negative_slope {param} not a valid number')
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == 'selu':
        return 3.0 / 4
    raise ValueError(f'Unsupported nonlinearity {nonlinearity}')


def _calculate_fan_in_and_fan_out(tensor):
    """fan_in = columns × receptive field, fan_out = rows × receptive field."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 '
                         f'dimensions (got shape {tuple(shape)})')
    receptive = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fill(tensor, values):
    """Writes `values` into the tensor's array, in place, in the tensor's dtype."""
    tensor._array[...] = values
    return tensor


def _check_range(a, b):
    if a > b:
        raise RuntimeError(f'uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}')


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fills with samples of U(a, b)."""
    _check_range(a, b)
    return _fill(tensor, numpy_generator(generator).uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fills with samples of N(mean, std²)."""
    if std < 0:
        raise RuntimeError(f'normal expects std >= 0.0, but found std {std:g}')
    return _fill(tensor, numpy_generator(generator).normal(mean, std, tensor.shape))


def _normal_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fills with samples of N(mean, std²) conditioned on a <= x <= b.

    Draws from N(mean, std²) and redraws what falls outside [a, b] while that is
    likely to land inside (probability p > 0.3); otherwise draws uniformly on [a, b]
    and accepts x with probability exp(-(x - mean)² / 2std²) / its peak on [a, b]
    (rejection sampling), so narrow or far windows cost few rounds too.
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn('mean is more than 2 std from [a, b] in nn.init.trunc_normal_. '
                      'The distribution of values may be incorrect.', stacklevel=2)
    _check_range(a, b)
    rng = numpy_generator(generator)
    inside = _normal_cdf((b - mean) / std) - _normal_cdf((a - mean) / std)
    peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2
    values = np.empty(tensor.shape)
    pending = np.flatnonzero(np.ones(tensor.shape, bool))
    while pending.size:
        if inside > 0.3:
            draws = rng.normal(mean, std, pending.size)
            accepted = (draws >= a) & (draws <= b)
        else:
            draws = rng.uniform(a, b, pending.size)
            log_density = -0.5 * ((draws - mean) / std) ** 2 - peak
            accepted = np.log(rng.uniform(size=pending.size)) <= log_density
        values.flat[pending[accepted]] = draws[accepted]
        pending = pending[~accepted]
    return _fill(tensor, np.clip(values, a, b))


def constant_(tensor, val):
    return _fill(tensor, val)


def zeros_(tensor):
    return _fill(tensor, 0)


def ones_(tensor):
    return _fill(tensor, 1)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(-b, b) with b = gain · √(6 / (fan_in + fan_out))  (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _calculate_correct_fan(tensor, mode):
    """fan_in or fan_out, as `mode` says."""
    mode = mode.lower()
    if mode not in ('fan_in', 'fan_out'):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == 'fan_in' else fan_out


def _kaiming_std(tensor, a, mode, nonlinearity):
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """U(-b, b) with b = gain · √(3 / fan)  (He et al., 2015).

    With the defaults and a = √5 this is nn.Linear's init, b = 1/√fan_in.
    """
    if 0 in tensor.shape:
        warnings.warn('Initializing zero-element tensors is a no-op', stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """N(0, std²) with std = gain / √fan  (He et al., 2015)."""
    if 0 in tensor.shape:
        warnings.warn('Initializing zero-element tensors is a no-op', stacklevel=2)
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def eye_(tensor):
    """Fills a 2-D tensor with the identity matrix (ones on the diagonal of a non-square one)."""
    if tensor.ndim != 2:
        raise ValueError('Only tensors with 2 dimensions are supported')
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """Fills a 3-, 4- or 5-D convolution weight (out, in, *kernel) with the identity: within each
    of `groups`, output channel d reads input channel d at the kernel's centre only."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError('Only tensors with 3, 4, or 5 dimensions are supported')
    if tensor.shape[0] % groups != 0:
        raise ValueError('dim 0 must be divisible by groups')
    per_group = tensor.shape[0] // groups
    channels = np.arange(min(per_group, tensor.shape[1]))
    centre = tuple(size // 2 for size in tensor.shape[2:])
    values = np.zeros(tensor.shape)
    for g in range(groups):
        values[(g * per_group + channels, channels) + centre] = 1
    return _fill(tensor, values)


def orthogonal_(tensor, gain=1, generator=None):
    """Fills with a (semi-)orthogonal matrix times `gain` (Saxe et al., 2013): rows (or
    columns, whichever are fewer) orthonormal; dims after the first are flattened.

    Q of the QR of a standard normal matrix, each column's sign flipped to make R's
    diagonal positive, is uniform (Haar) over the orthogonal matrices (Mezzadri, 2007).
    """
    if tensor.ndim < 2:
        raise ValueError('Only tensors with 2 or more dimensions are supported')
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flattened = numpy_generator(generator).standard_normal((rows, cols))
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fills a 2-D tensor with N(0, std²) samples, then zeroes ceil(sparsity · rows) randomly
    chosen entries of each column (Martens, 2010)."""
    if tensor.ndim != 2:
        raise ValueError('Only tensors with 2 dimensions are supported')
    rng = numpy_generator(generator)
    rows, cols = tensor.shape
    values = rng.normal(0, std, (rows, cols))
    zeroed = rng.random((rows, cols)).argsort(axis=0)[:math.ceil(sparsity * rows)]  # a permutation per column
    values[zeroed, np.arange(cols)] = 0
    return _fill(tensor, values)


def _deprecated(function):
    """PyTorch's old names without the trailing underscore: the same function, with a warning."""
    new, old = function.__name__, function.__name__[:-1]

    def deprecated(*args, **kwargs):
        warnings.warn(f'`nn.init.{old}` is now deprecated in favor of `nn.init.{new}`.', FutureWarning,
                      stacklevel=2)
        return function(*args, **kwargs)
    deprecated.__name__ = deprecated.__qualname__ = old
    deprecated.__doc__ = f'Deprecated: use `nn.init.{new}`.'
    return deprecated


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
