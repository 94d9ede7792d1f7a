"""Elementwise math beyond the arithmetic operators: log2, rsqrt, floor, fmod, atan2, erf, lerp, ...
as module functions and Tensor methods (with their in-place `X_`); each rule is an op in
ops/elementwise.py (erf, erfc, erfinv: ops/special.py).

dtypes as in PyTorch: functions of real numbers (log2, tan, erf, ...) give the default float
dtype (float32) for integer and bool inputs; the step functions (floor, ceil, round, trunc,
sign) keep integer dtypes; fmod, remainder and floor_divide of integers stay integers, and
raise on a zero divisor.
This module defines `round`: Python's builtin is not used here after that.
"""
import numpy as np

from .dtypes import _promote
from .methods import _in_place, _install, tensor_method
from .ops import elementwise as ew
from .ops import special
from .tensor import Tensor, _as_tensor, _binary

__all__ = ['log2', 'log10', 'exp2', 'rsqrt', 'reciprocal', 'square', 'sign', 'sgn', 'floor', 'ceil',
           'round', 'trunc', 'fix', 'frac', 'fmod', 'remainder', 'floor_divide', 'true_divide',
           'clip', 'tan', 'asin', 'acos', 'atan', 'arcsin', 'arccos', 'arctan', 'atan2', 'arctan2',
           'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'arcsinh', 'arccosh', 'arctanh', 'erf',
           'erfc', 'erfinv', 'lerp', 'hypot', 'logit', 'addcmul', 'addcdiv', 'nan_to_num', 'xlogy',
           'log1p', 'expm1']


def _not_for(input, name, kinds):
    """PyTorch's NotImplementedError for a dtype its kernel does not take (e.g. floor of bool)."""
    if input.dtype.kind in kinds:
        raise NotImplementedError(f'"{name}" not implemented for {input.dtype}')


# ------------------------------------------------------------- logs and powers

@tensor_method(inplace=True)
def log2(input): return ew.Log2.apply(input._float())                  # noqa: A002 (torch's names)
@tensor_method(inplace=True)
def log10(input): return ew.Log10.apply(input._float())                # noqa: A002
@tensor_method(inplace=True)
def exp2(input): return ew.Exp2.apply(input._float())                  # noqa: A002
@tensor_method(inplace=True)
def rsqrt(input): return ew.Rsqrt.apply(input._float())                # noqa: A002
@tensor_method(inplace=True)
def reciprocal(input): return ew.Reciprocal.apply(input._float())      # noqa: A002


@tensor_method(inplace=True)
def square(input):                              # noqa: A002
    """input ** 2 (a PowBackward node, as in PyTorch); integers stay integers, bool gives int64."""
    return (input.long() if input.dtype.kind == 'b' else input) ** 2


def log1p(input): return input.log1p()                                 # noqa: A002
def expm1(input): return input.expm1()                                 # noqa: A002


for _name in ('log1p', 'expm1', 'sin', 'cos'):      # methods of tensor.py: their in-place forms
    _install(_name + '_', _in_place(getattr(Tensor, _name)))


# ------------------------------------------------------------ step functions

def _step(op, input, name, **options):
    """A step function: integers are their own floor, ceil, round, trunc (a copy, as PyTorch)."""
    _not_for(input, name, 'b')
    if input.dtype.kind in 'iu':
        return Tensor._wrap(input._array.copy())
    return op.apply(input, **options)


@tensor_method(inplace=True)
def floor(input): return _step(ew.Floor, input, 'floor')              # noqa: A002
@tensor_method(inplace=True)
def ceil(input): return _step(ew.Ceil, input, 'ceil')                 # noqa: A002
@tensor_method(inplace=True)
def trunc(input): return _step(ew.Trunc, input, 'trunc')              # noqa: A002
@tensor_method(inplace=True)
def fix(input): return _step(ew.Trunc, input, 'trunc')                # noqa: A002 (trunc's alias)


@tensor_method(inplace=True)
def round(input, *, decimals=0):                # noqa: A001 A002
    """Rounds half to even, to `decimals` decimal places (negative: to tens, hundreds, ...)."""
    if decimals != 0:
        _not_for(input, 'round', 'biu')
        return ew.Round.apply(input, decimals=decimals)
    return _step(ew.Round, input, 'round')


@tensor_method(inplace=True)
def sign(input):                                # noqa: A002
    """-1, 0 or 1 in input's dtype (0 for nan, as in PyTorch); bool stays bool."""
    return Tensor._wrap(input._array.copy()) if input.dtype.kind == 'b' else ew.Sign.apply(input)


@tensor_method(inplace=True)
def sgn(input):                                 # noqa: A002
    """sign(input), for real tensors (a SgnBackward node)."""
    return Tensor._wrap(input._array.copy()) if input.dtype.kind == 'b' else ew.Sgn.apply(input)


@tensor_method(inplace=True)
def frac(input):                                # noqa: A002
    """input - trunc(input): the fractional part, with input's sign."""
    _not_for(input, 'frac', 'biu')
    return ew.Frac.apply(input)


# -------------------------------------------------------------- division

@tensor_method(inplace=True)
def fmod(input, other):                         # noqa: A002
    """The remainder of input / other with the dividend's sign (C's fmod): fmod(-7, 2) = -1."""
    return _binary(ew.Fmod, _as_tensor(input, other), other)


@tensor_method(inplace=True)
def remainder(input, other):                    # noqa: A002
    """The remainder with the divisor's sign (Python's %): remainder(-7, 2) = 1."""
    return _binary(ew.Remainder, _as_tensor(input, other), other)


@tensor_method(inplace=True)
def floor_divide(input, other):                 # noqa: A002
    """floor(input / other), Python's //; not differentiable (its backward raises, as PyTorch's)."""
    return _binary(ew._FloorDivide, _as_tensor(input, other), other)


@tensor_method(inplace=True)
def true_divide(input, other):                  # noqa: A002
    """input / other: div (integers give float32)."""
    return _as_tensor(input, other) / other


@tensor_method(inplace=True)
def clip(input, min=None, max=None):            # noqa: A002
    """clamp's alias: min and max may be numbers or tensors."""
    return input.clamp(min, max)


# ----------------------------------------------------------- trigonometry

@tensor_method(inplace=True)
def tan(input): return ew.Tan.apply(input._float())                    # noqa: A002
@tensor_method(inplace=True)
def asin(input): return ew.Asin.apply(input._float())                  # noqa: A002
@tensor_method(inplace=True)
def acos(input): return ew.Acos.apply(input._float())                  # noqa: A002
@tensor_method(inplace=True)
def atan(input): return ew.Atan.apply(input._float())                  # noqa: A002
@tensor_method(inplace=True)
def arcsin(input): return ew.Asin.apply(input._float())                # noqa: A002 (asin's alias)
@tensor_method(inplace=True)
def arccos(input): return ew.Acos.apply(input._float())                # noqa: A002
@tensor_method(inplace=True)
def arctan(input): return ew.Atan.apply(input._float())                # noqa: A002
@tensor_method(inplace=True)
def sinh(input): return ew.Sinh.apply(input._float())                  # noqa: A002
@tensor_method(inplace=True)
def cosh(input): return ew.Cosh.apply(input._float())                  # noqa: A002
@tensor_method(inplace=True)
def asinh(input): return ew.Asinh.apply(input._float())                # noqa: A002
@tensor_method(inplace=True)
def acosh(input): return ew.Acosh.apply(input._float())                # noqa: A002
@tensor_method(inplace=True)
def atanh(input): return ew.Atanh.apply(input._float())                # noqa: A002
@tensor_method(inplace=True)
def arcsinh(input): return ew.Asinh.apply(input._float())              # noqa: A002
@tensor_method(inplace=True)
def arccosh(input): return ew.Acosh.apply(input._float())              # noqa: A002
@tensor_method(inplace=True)
def arctanh(input): return ew.Atanh.apply(input._float())              # noqa: A002


@tensor_method(inplace=True)
def atan2(input, other):                        # noqa: A002
    """The angle of the point (other, input): atan(input / other) in the right quadrant."""
    return _binary(ew.Atan2, _as_tensor(input, other)._float(), other)


@tensor_method(inplace=True)
def arctan2(input, other):                      # noqa: A002
    """atan2's alias."""
    return _binary(ew.Atan2, _as_tensor(input, other)._float(), other)


@tensor_method(inplace=True)
def hypot(input, other):                        # noqa: A002
    """√(input² + other²), without overflow in the squares."""
    a, b = _promote(input, _as_tensor(other, input))
    _not_for(a, 'hypot', 'biu')
    return ew.Hypot.apply(a, b)


# ---------------------------------------------------------------- special

@tensor_method(inplace=True)
def erf(input): return special.Erf.apply(input._float())                    # noqa: A002
@tensor_method(inplace=True)
def erfc(input): return special.Erfc.apply(input._float())                  # noqa: A002
@tensor_method(inplace=True)
def erfinv(input): return special.ErfInv.apply(input._float())              # noqa: A002


@tensor_method(inplace=True)
def logit(input, eps=None):                     # noqa: A002
    """ln(p / (1 - p)), p = input clamped to [eps, 1 - eps] when eps is given."""
    return ew.Logit.apply(input._float(), eps=eps)


@tensor_method(inplace=True)
def xlogy(input, other):                        # noqa: A002
    """input * ln(other), 0 where input is 0 (unless other is nan)."""
    return _binary(ew.Xlogy, _as_tensor(input, other)._float(), other)


@tensor_method(inplace=True)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):      # noqa: A002
    """nan, +inf and -inf replaced by `nan`, `posinf`, `neginf` (default: the dtype's largest
    and lowest finite values)."""
    if input.dtype.kind != 'f':
        return Tensor._wrap(input._array.copy())
    info = np.finfo(input.dtype)
    return ew.NanToNum.apply(input, nan=nan, posinf=info.max if posinf is None else posinf,
                             neginf=info.min if neginf is None else neginf)


# ------------------------------------------------------ blends of tensors

@tensor_method(inplace=True)
def lerp(input, end, weight):                   # noqa: A002
    """input + weight (end - input): a straight line from input (weight 0) to end (weight 1)."""
    _not_for(input, 'lerp', 'biu')
    if end.dtype != input.dtype:
        raise RuntimeError(f'expected dtype {input.dtype} for `end` but got dtype {end.dtype}')
    if isinstance(weight, Tensor) and weight.dtype != input.dtype:
        if weight.ndim:
            raise RuntimeError(f'expected dtype {input.dtype} for `weight` but got dtype '
                               f'{weight.dtype}')
        weight = weight.to(input.dtype)         # a 0-d weight is converted (PyTorch)
    return ew.Lerp.apply(input, end, _as_tensor(weight, input))


def _common(*tensors):
    """The tensors converted to the dtype they promote to together."""
    first = tensors[0]
    for t in tensors[1:]:
        first, _ = _promote(first, t)
    dtype = first.dtype
    return [t if t.dtype == dtype else t.to(dtype) for t in tensors]


@tensor_method(inplace=True)
def addcmul(input, tensor1, tensor2, *, value=1):      # noqa: A002
    """input + value * tensor1 * tensor2, one node."""
    x, a, b = _common(input, _as_tensor(tensor1, input), _as_tensor(tensor2, input))
    if x.dtype.kind != 'f':
        value = int(value)                      # an integer result: value is cast, as in PyTorch
    return ew.Addcmul.apply(x, a, b, value=value)


@tensor_method(inplace=True)
def addcdiv(input, tensor1, tensor2, *, value=1):      # noqa: A002
    """input + value * tensor1 / tensor2, one node; tensor1 and tensor2 may not both be integers."""
    tensor1, tensor2 = _as_tensor(tensor1, input), _as_tensor(tensor2, input)
    if tensor1.dtype.kind != 'f' and tensor2.dtype.kind != 'f':
        raise RuntimeError('Integer division with addcdiv is no longer supported: give tensor1 or '
                           f'tensor2 a floating point dtype (got {tensor1.dtype} and '
                           f'{tensor2.dtype})')
    return ew.Addcdiv.apply(*_common(input, tensor1, tensor2), value=value)


# ------------------------------------------------------------- operators
# PyTorch's % is remainder and // is floor_divide (Python's rules, on either side and in place).

def _reflected_remainder(self, other): return remainder(other, self)
def _reflected_floor_divide(self, other): return floor_divide(other, self)


for _name, _method in (('__mod__', remainder), ('__rmod__', _reflected_remainder),
                       ('__imod__', Tensor.remainder_), ('__floordiv__', floor_divide),
                       ('__rfloordiv__', _reflected_floor_divide),
                       ('__ifloordiv__', Tensor.floor_divide_)):
    _install(_name, _method)
