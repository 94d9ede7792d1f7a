"""Activation layers: each is a Module around one function of `nn.functional`.

Most are `_Activation`s: the class names its function, its constructor arguments
(PyTorch's, in PyTorch's order, with its defaults) and which of them its repr shows;
the base binds the arguments, stores them as attributes and calls
`function(input, *arguments)` (all but `inplace`, in order). The math is in
each function's docstring.

`inplace=True` is accepted, as PyTorch's, but computed out of place: the same
result as a new tensor, the input unchanged.
"""
import inspect
import warnings

import numpy as np

from . import functional as F
from ..dtypes import get_default_dtype
from .module import Module, Parameter

_REQUIRED = inspect.Parameter.empty


class _Activation(Module):
    """Stores the constructor's arguments and calls `function(input, *arguments)`.

    `arguments` maps each name to its default (`_REQUIRED` for none); `shown` names the
    ones extra_repr prints as "name=value" (then ", inplace=True" when `show_inplace`).
    """
    function = None
    arguments = {}
    shown = ()
    show_inplace = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        cls.__signature__ = inspect.Signature(
            [inspect.Parameter(name, kind, default=default) for name, default in cls.arguments.items()])
        # what forward passes on, in order (inplace is computed out of place, so not passed)
        cls._passed = tuple(name for name in cls.arguments if name != 'inplace')

    def __init__(self, *args, **kwargs):
        super().__init__()
        try:
            bound = self.__signature__.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f'{type(self).__name__}(): {error}') from None
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            setattr(self, name, value)

    def forward(self, input):                   # noqa: A002 (PyTorch's argument name)
        if not self._passed:                    # speed: 2 µs less per call than building kwargs
            return type(self).function(input)
        return type(self).function(input, *[getattr(self, name) for name in self._passed])

    def extra_repr(self):
        parts = [f'{name}={getattr(self, name)!r}' if isinstance(getattr(self, name), str)
                 else f'{name}={getattr(self, name)}' for name in self.shown]
        if self.show_inplace and getattr(self, 'inplace', False):
            parts.append('inplace=True')
        return ', '.join(parts)


def _activation(name, function, arguments=None, shown=(), show_inplace=True, doc=None):
    """A `_Activation` subclass, for the layers whose only code is that table row."""
    return type(name, (_Activation,), {
        'function': staticmethod(function), 'arguments': arguments or {}, 'shown': shown,
        'show_inplace': show_inplace, '__doc__': doc or f'{name}: see `nn.functional.{function.__name__}`.',
        '__module__': __name__})


_INPLACE = {'inplace': False}

# name, function, arguments with defaults, the arguments its repr shows
ReLU = _activation('ReLU', F.relu, _INPLACE, doc='relu(x) = max(x, 0)')
ReLU6 = _activation('ReLU6', F.relu6, _INPLACE, doc='relu6(x) = min(max(x, 0), 6)')
SELU = _activation('SELU', F.selu, _INPLACE, doc='selu(x) = scale · (x if x > 0 else α (eˣ - 1))')
SiLU = _activation('SiLU', F.silu, _INPLACE, doc='silu(x) = x σ(x)')
Mish = _activation('Mish', F.mish, _INPLACE, doc='mish(x) = x tanh(softplus(x))')
Hardsigmoid = _activation('Hardsigmoid', F.hardsigmoid, _INPLACE, show_inplace=False,
                          doc='hardsigmoid(x) = clip(x / 6 + 1/2, 0, 1)')
Hardswish = _activation('Hardswish', F.hardswish, _INPLACE, show_inplace=False,
                        doc='hardswish(x) = x · clip(x + 3, 0, 6) / 6')
LeakyReLU = _activation('LeakyReLU', F.leaky_relu, {'negative_slope': 0.01, 'inplace': False},
                        ('negative_slope',), doc='leaky_relu(x) = x if x > 0 else negative_slope · x')
ELU = _activation('ELU', F.elu, {'alpha': 1.0, 'inplace': False}, ('alpha',),
                  doc='elu(x) = x if x > 0 else α (eˣ - 1)')
CELU = _activation('CELU', F.celu, {'alpha': 1.0, 'inplace': False}, ('alpha',),
                   doc='celu(x) = x if x > 0 else α (e^(x/α) - 1)')
Threshold = _activation('Threshold', F.threshold,
                        {'threshold': _REQUIRED, 'value': _REQUIRED, 'inplace': False},
                        ('threshold', 'value'), doc='threshold(x) = x if x > threshold else value')
Softplus = _activation('Softplus', F.softplus, {'beta': 1.0, 'threshold': 20.0}, ('beta', 'threshold'),
                       doc='softplus(x) = log(1 + e^(beta·x)) / beta, and x where beta·x > threshold')
GELU = _activation('GELU', F.gelu, {'approximate': 'none'}, ('approximate',),
                   doc='gelu(x) = x · Φ(x), Φ the standard normal cdf (approximate="tanh": via tanh)')
GLU = _activation('GLU', F.glu, {'dim': -1}, ('dim',), doc='glu(a, b) = a σ(b), the halves along dim')
Sigmoid = _activation('Sigmoid', F.sigmoid, doc='σ(x) = 1 / (1 + e⁻ˣ)')
Tanh = _activation('Tanh', F.tanh, doc='tanh(x) = (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ)')
LogSigmoid = _activation('LogSigmoid', F.logsigmoid, doc='logsigmoid(x) = log σ(x)')
Softsign = _activation('Softsign', F.softsign, doc='softsign(x) = x / (1 + |x|)')
Tanhshrink = _activation('Tanhshrink', F.tanhshrink, doc='tanhshrink(x) = x - tanh(x)')


class Hardtanh(_Activation):
    """hardtanh(x) = clip(x, min_val, max_val)"""
    function = staticmethod(F.hardtanh)
    arguments = {'min_val': -1.0, 'max_val': 1.0, 'inplace': False, 'min_value': None, 'max_value': None}
    shown = ('min_val', 'max_val')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for old in ('min_value', 'max_value'):      # PyTorch's deprecated spellings
            if self.__dict__.pop(old) is not None:
                warnings.warn(f'keyword argument `{old}` is deprecated and rename to `{old[:-2]}`',
                              FutureWarning, stacklevel=2)
                setattr(self, old[:-2], kwargs[old])
        if not self.max_val > self.min_val:
            raise AssertionError(f'max_val ({self.max_val}) must be greater than min_val ({self.min_val})')

    def forward(self, input):                   # noqa: A002
        return F.hardtanh(input, self.min_val, self.max_val)


class _Shrink(_Activation):
    """Hardshrink and Softshrink: repr shows lambd alone, as PyTorch's does."""
    arguments = {'lambd': 0.5}

    def extra_repr(self):
        return f'{self.lambd}'


class Hardshrink(_Shrink):
    """hardshrink(x) = x if |x| > lambd else 0"""
    function = staticmethod(F.hardshrink)


class Softshrink(_Shrink):
    """softshrink(x) = x - lambd if x > lambd, x + lambd if x < -lambd, else 0"""
    function = staticmethod(F.softshrink)


class RReLU(_Activation):
    """rrelu(x) = x if x >= 0 else a · x, a ~ U(lower, upper) per element in training,
    a = (lower + upper) / 2 in eval"""
    arguments = {'lower': 1. / 8, 'upper': 1. / 3, 'inplace': False}
    shown = ('lower', 'upper')

    def forward(self, input):                   # noqa: A002
        return F.rrelu(input, self.lower, self.upper, self.training)


class PReLU(Module):
    """prelu(x) = x if x > 0 else a · x, with a learned: one slope (num_parameters=1) or one
    per channel (dim 1 of the input), each initialised to `init`."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        self.weight = Parameter(np.empty(num_parameters, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        self.weight._array[...] = self.init

    def forward(self, input):                   # noqa: A002
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f'num_parameters={self.num_parameters}'


def _implicit_dim(name, ndim):
    warnings.warn(f'Implicit dimension choice for {name} has been deprecated. Change the call '
                  f'to include dim=X as an argument (dim=-1 for the class scores of each row).',
                  stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


class _AlongDim(Module):
    """What Softmax, LogSoftmax and Softmin share: `function(input, dim)` with PyTorch's implicit dim."""
    function = None

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):                   # noqa: A002
        dim = self.dim if self.dim is not None else _implicit_dim(self.function.__name__, input.ndim)
        return self.function(input, dim)

    def extra_repr(self):
        return f'dim={self.dim}'


class Softmax(_AlongDim):
    """softmax(x)_i = exp(x_i) / Σ_j exp(x_j), along `dim`."""
    function = staticmethod(F.softmax)


class LogSoftmax(_AlongDim):
    """log_softmax(x)_i = x_i - log Σ_j exp(x_j), along `dim`."""
    function = staticmethod(F.log_softmax)


class Softmin(_AlongDim):
    """softmin(x)_i = exp(-x_i) / Σ_j exp(-x_j), along `dim`."""
    function = staticmethod(F.softmin)


class Softmax2d(Module):
    """softmax over the channels (dim -3) at each location of a (C, H, W) or (N, C, H, W) input."""

    def forward(self, input):                   # noqa: A002
        if input.ndim not in (3, 4):
            raise ValueError(f'Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead')
        return F.softmax(input, -3)
