"""Elementwise ops. Inputs broadcast like NumPy; the engine sums each
gradient back to its input's shape, so these rules are written for equal shapes.

Two habits keep every rule exact, also at kinks and under create_graph:
  * a rule that sends the gradient to one branch (clamp, relu, maximum, where) writes
    np.where(mask, grad, 0), not grad * mask: an infinite or nan gradient on the masked
    branch would become nan (inf * 0), where PyTorch gives an exact 0;
  * a guard np.where(bad, 0, f(x)) also guards f's argument, f(np.where(bad, 1, x)):
    replayed on Tensors (create_graph), the unselected branch is differentiated too, and
    an inf or nan there would leak into the second derivative through its zero gradient.
"""
import numpy as np

from ..autograd.graph import Op
from ..dtypes import get_default_dtype


class Clone(Op):
    """d clone(x) = dx   (a copy that stays in the graph)"""
    def forward(self, x):
        return x.copy()

    def backward(self, grad):
        return grad


class Cast(Op):
    """d cast(x) = dx, cast back to x's dtype"""
    def forward(self, x, dtype):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, grad):
        return grad.astype(self.dtype)


class Add(Op):
    """d(a + b) = da + db"""
    def forward(self, a, b):
        return a + b

    def backward(self, grad):
        return grad, grad


class Sub(Op):
    """d(a - b) = da - db"""
    def forward(self, a, b):
        return a - b

    def backward(self, grad):
        return grad, (-grad if self.needs_input_grad[1] else None)


class Mul(Op):
    """d(a * b) = b da + a db"""
    def forward(self, a, b):
        need_a, need_b = self.needs_input_grad
        self.saved = (a if need_b else None, b if need_a else None)    # each serves the other's gradient
        return a * b

    def backward(self, grad):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class Div(Op):
    """d(a / b) = da / b - a / b² db"""
    def forward(self, a, b):
        self.saved = (a if self.needs_input_grad[1] else None, b)
        out = a / b
        if out.dtype == np.float64 and a.dtype.kind in 'biu' and b.dtype.kind in 'biu':
            out = out.astype(get_default_dtype())   # int / int: the default dtype, as in PyTorch
        return out

    def backward(self, grad):
        a, b = self.saved
        need_a, need_b = self.needs_input_grad
        grad_a = grad / b
        return (grad_a if need_a else None), (-grad_a * a / b if need_b else None)


class Neg(Op):
    """d(-a) = -da"""
    def forward(self, a):
        return -a

    def backward(self, grad):
        return -grad


class Pow(Op):
    """d(a ** b) = b a^(b-1) da + a^b ln(a) db"""
    def forward(self, a, b):
        out = a ** b
        # PyTorch saves the power itself only for the exponent's slope: x ** 2 may change in place
        self.saved = (a, b, out) if self.needs_input_grad[1] else (a, b)
        return out

    def backward(self, grad):
        a, b, out = self.saved if len(self.saved) == 3 else (*self.saved, None)
        need_a, need_b = self.needs_input_grad
        grad_a = grad_b = None
        with np.errstate(divide='ignore', invalid='ignore'):     # 0 ** -1 and log(-1), as in PyTorch
            if need_a:
                constant = b == 0               # d a⁰ = 0, also at a = 0 where 0 * 0⁻¹ is nan
                if constant.all() and not need_b:   # a constant derivative, as PyTorch's x ** 0
                    grad_a = np.zeros_like(grad)
                elif constant.any():            # the exponent guarded too: see the docstring
                    grad_a = grad * np.where(constant, 0, b * a ** np.where(constant, 1, b - 1))
                else:
                    grad_a = grad * (b * a ** (b - 1))
            if need_b:                          # 0^b is flat in b for b >= 0; log(a < 0) is nan
                flat = (a == 0) & (b >= 0)
                grad_b = grad * np.where(flat, 0, out * np.log(np.where(flat, 1, a)))
        return grad_a, grad_b


class Exp(Op):
    """d exp(x) = exp(x) dx"""
    def forward(self, x):
        self.saved = np.exp(x)
        return self.saved

    def backward(self, grad):
        return grad * self.saved


class Log(Op):
    """d ln(x) = dx / x"""
    def forward(self, x):
        self.saved = x
        return np.log(x)

    def backward(self, grad):
        return grad / self.saved


class Log1p(Op):
    """d ln(1 + x) = dx / (1 + x)"""
    def forward(self, x):
        self.saved = x
        return np.log1p(x)

    def backward(self, grad):
        return grad / (1 + self.saved)


class Expm1(Op):
    """d (eˣ - 1) = eˣ dx"""
    def forward(self, x):
        self.saved = np.expm1(x)
        return self.saved

    def backward(self, grad):
        return grad * (self.saved + 1)


class Sqrt(Op):
    """d sqrt(x) = dx / (2 sqrt(x))"""
    def forward(self, x):
        self.saved = np.sqrt(x)
        return self.saved

    def backward(self, grad):
        with np.errstate(divide='ignore', invalid='ignore'):    # inf at 0, as in PyTorch
            return grad / (2 * self.saved)


class RootOrZero(Op):
    """d √y = dy / (2√y), taken as 0 where y = 0: the subgradient PyTorch uses for std"""
    def forward(self, y):
        zero = y == 0                       # replayed, the saved root has slope 0 there, not inf:
        self.saved = np.where(zero, 0, np.sqrt(np.where(zero, 1, y)))   # a finite 2nd derivative
        return self.saved

    def backward(self, grad):
        root = self.saved
        zero = root == 0                    # the divisor guarded too: see the module docstring
        return np.where(zero, 0, grad / (2 * np.where(zero, 1, root)))


class NormRoot(Op):
    """d √y = dy / (2√y), the factor 1 / (2√y) taken as 0 where y = 0, as PyTorch's 2-norm

    Unlike std's RootOrZero, the gradient is multiplied by that 0, not dropped: an infinite
    gradient (a / x.norm() at x = 0) gives nan, as in PyTorch, where anomaly mode can see it.
    """
    def forward(self, y):
        self.saved = np.sqrt(y)
        return self.saved

    def backward(self, grad):
        root = self.saved
        zero = root == 0
        with np.errstate(invalid='ignore'):     # inf * 0 = nan, as in PyTorch
            return grad * np.where(zero, 0, 0.5 / np.where(zero, 1, root))


class Abs(Op):
    """d |x| = sign(x) dx   (0 at x = 0, as in PyTorch)"""
    grad_tied_to_input = True       # a second derivative of 0, as PyTorch (see autograd/replay.py)

    def forward(self, x):
        self.saved = x
        return np.abs(x)

    def backward(self, grad):
        with np.errstate(invalid='ignore'):     # an infinite grad at 0 gives nan, as in PyTorch
            return grad * sign(self.saved)


def sign(x):
    """sign(x) in x's dtype, with sign(nan) = 0 as in PyTorch (NumPy's is nan)."""
    return (x > 0).astype(x.dtype) - (x < 0)


class Sin(Op):
    """d sin(x) = cos(x) dx"""
    def forward(self, x):
        self.saved = x
        return np.sin(x)

    def backward(self, grad):
        return grad * np.cos(self.saved)


class Cos(Op):
    """d cos(x) = -sin(x) dx"""
    def forward(self, x):
        self.saved = x
        return np.cos(x)

    def backward(self, grad):
        return -grad * np.sin(self.saved)


class Clamp(Op):
    """d clamp(x, lo, hi) = dx where lo <= x <= hi, else 0"""
    def forward(self, x, min=None, max=None):
        self.saved = x
        self.min, self.max = min, max
        return np.clip(x, min, max)

    def backward(self, grad):
        x = self.saved
        inside = np.ones(x.shape, dtype=bool)
        if self.min is not None:
            inside &= x >= self.min
        if self.max is not None:
            inside &= x <= self.max
        return np.where(inside, grad, 0)        # an exact 0 outside, also for an infinite grad


class Maximum(Op):
    """d max(a, b) = da where a > b, db where b > a, half each on ties"""
    def forward(self, a, b):
        self.saved = (a, b)
        return np.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved
        return _split(grad, a == b, a < b, a > b, self.needs_input_grad)


class Minimum(Op):
    """d min(a, b) = da where a < b, db where b < a, half each on ties"""
    def forward(self, a, b):
        self.saved = (a, b)
        return np.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved
        return _split(grad, a == b, a > b, a < b, self.needs_input_grad)


def _split(grad, tie, a_loses, b_loses, needs):
    """`grad` to the winner, half to each on a tie, an exact 0 to the loser (as PyTorch: both
    get it where a comparison is false both ways, at a nan)."""
    half = np.where(tie, grad / 2, grad)
    return (np.where(a_loses, 0, half) if needs[0] else None,
            np.where(b_loses, 0, half) if needs[1] else None)


class Where(Op):
    """d where(c, a, b) = da where c, db elsewhere"""
    def forward(self, cond, a, b):
        self.saved = cond
        return np.where(cond, a, b)

    def backward(self, grad):
        cond = self.saved
        _, need_a, need_b = self.needs_input_grad
        zero = np.zeros((), dtype=grad.dtype)
        return (None,
                np.where(cond, grad, zero) if need_a else None,
                np.where(cond, zero, grad) if need_b else None)


class Tied(Op):
    """d tied(g, x...) = dg + 0 dx: g itself, tied to the inputs x by a derivative of 0

    Made by replay (create_graph) for an op with `grad_tied_to_input`: PyTorch computes
    the gradients of relu, leaky_relu, abs, l1 and nll as functions of the inputs whose own
    derivative is 0 (threshold_backward, sgn, ...), so there the first derivative requires
    grad and the second is 0, where a constant would make it an error.
    """
    def forward(self, g, *xs):
        self.like = [(x.shape, x.dtype) for x in xs]
        return g

    def backward(self, grad):
        return (grad,) + tuple(np.zeros_like(grad, shape=shape, dtype=dtype)
                               for shape, dtype in self.like)


# ------------------------------------------------------------ elementwise math (pointwise.py)
# Each op's forward and backward use only the NumPy listed by `python -m minigrad.ops --numpy`
# (numpy_api.py maps the ufuncs added for this family onto these ops), so all replay.

LN2, LN10 = np.log(2.0), np.log(10.0)


class Log2(Op):
    """d log₂(x) = dx / (x ln 2)"""
    def forward(self, x):
        self.saved = x
        return np.log2(x)

    def backward(self, grad):
        return grad / (self.saved * LN2)


class Log10(Op):
    """d log₁₀(x) = dx / (x ln 10)"""
    def forward(self, x):
        self.saved = x
        return np.log10(x)

    def backward(self, grad):
        return grad / (self.saved * LN10)


class Exp2(Op):
    """d 2ˣ = 2ˣ ln 2 dx"""
    def forward(self, x):
        self.saved = np.exp2(x)
        return self.saved

    def backward(self, grad):
        return grad * (self.saved * LN2)


class Rsqrt(Op):
    """d x^(-1/2) = -x^(-3/2) / 2 dx"""
    def forward(self, x):
        with np.errstate(divide='ignore'):          # 1 / √0 = inf, as in PyTorch
            self.saved = 1 / np.sqrt(x)
        return self.saved

    def backward(self, grad):
        out = self.saved
        return grad * (-0.5 * out * out * out)


class Reciprocal(Op):
    """d (1 / x) = -dx / x²"""
    def forward(self, x):
        with np.errstate(divide='ignore'):
            self.saved = 1 / x
        return self.saved

    def backward(self, grad):
        out = self.saved
        return -grad * (out * out)


class _Flat(Op):
    """Shared by the step functions: a derivative of 0 everywhere (PyTorch's, also at the jumps)."""
    def backward(self, grad):
        return np.zeros_like(grad)


class Sign(_Flat):
    """d sign(x) = 0"""
    def forward(self, x):
        return sign(x)


class Sgn(_Flat):
    """d sgn(x) = 0   (sign, for real tensors)"""
    def forward(self, x):
        return sign(x)


class Floor(_Flat):
    """d floor(x) = 0"""
    def forward(self, x):
        return np.floor(x)


class Ceil(_Flat):
    """d ceil(x) = 0"""
    def forward(self, x):
        return np.ceil(x)


class Trunc(_Flat):
    """d trunc(x) = 0"""
    def forward(self, x):
        return np.trunc(x)


class Round(_Flat):
    """d round(x, decimals) = 0   (half to even, as PyTorch and NumPy)"""
    def forward(self, x, decimals=0):
        return np.round(x, decimals)


class Frac(Op):
    """d (x - trunc(x)) = dx"""
    def forward(self, x):
        return x - np.trunc(x)

    def backward(self, grad):
        return grad


def _check_integer_divisor(a, b):
    if a.dtype.kind == 'b' and b.dtype.kind == 'b':     # PyTorch has no kernel for bools here
        raise NotImplementedError('fmod, remainder and floor_divide are not implemented for two '
                                  'bool tensors; convert one first, e.g. t.long()')
    if a.dtype.kind in 'biu' and b.dtype.kind in 'biu' and (b == 0).any():
        raise RuntimeError('ZeroDivisionError')     # PyTorch's words for an integer x / 0


class Fmod(Op):
    """d fmod(a, b) = da - trunc(a / b) db   (the remainder takes a's sign)"""
    def forward(self, a, b):
        _check_integer_divisor(a, b)
        self.saved = (a, b) if self.needs_input_grad[1] else None
        return np.fmod(a, b)

    def backward(self, grad):
        if not self.needs_input_grad[1]:
            return grad, None
        a, b = self.saved
        with np.errstate(divide='ignore', invalid='ignore'):
            return grad, -grad * np.trunc(a / b)


class Remainder(Op):
    """d remainder(a, b) = da - (a // b) db   (the remainder takes b's sign, as Python's %)

    a // b is Python's floor division (-1 for 5.5 // -inf), as PyTorch's.
    """
    def forward(self, a, b):
        _check_integer_divisor(a, b)
        self.saved = (a, b) if self.needs_input_grad[1] else None
        with np.errstate(invalid='ignore'):
            mod = np.fmod(a, b)                     # PyTorch's formula: fmod, moved into b's sign
            return np.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)

    def backward(self, grad):
        if not self.needs_input_grad[1]:
            return grad, None
        a, b = self.saved
        with np.errstate(divide='ignore', invalid='ignore'):
            return grad, -grad * np.floor_divide(a, b)


class _FloorDivide(Op):
    """floor(a / b), Python's //: no derivative (its backward raises, as PyTorch's), so no rule in
    the derivative table"""
    def forward(self, a, b):
        _check_integer_divisor(a, b)
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.floor_divide(a, b)

    def backward(self, grad):
        raise RuntimeError('derivative for aten::floor_divide is not implemented')


_FloorDivide.name = type(Op.name)('FloorDivideBackward')


class Tan(Op):
    """d tan(x) = (1 + tan²x) dx"""
    def forward(self, x):
        self.saved = np.tan(x)
        return self.saved

    def backward(self, grad):
        out = self.saved
        return grad * (1 + out * out)


class Asin(Op):
    """d asin(x) = dx / √(1 - x²)"""
    def forward(self, x):
        self.saved = x
        return np.arcsin(x)

    def backward(self, grad):
        x = self.saved
        with np.errstate(divide='ignore', invalid='ignore'):    # inf at ±1, nan beyond (PyTorch)
            return grad / np.sqrt(1 - x * x)


class Acos(Op):
    """d acos(x) = -dx / √(1 - x²)"""
    def forward(self, x):
        self.saved = x
        return np.arccos(x)

    def backward(self, grad):
        x = self.saved
        with np.errstate(divide='ignore', invalid='ignore'):
            return -grad / np.sqrt(1 - x * x)


class Atan(Op):
    """d atan(x) = dx / (1 + x²)"""
    def forward(self, x):
        self.saved = x
        return np.arctan(x)

    def backward(self, grad):
        x = self.saved
        return grad / (1 + x * x)


class Atan2(Op):
    """d atan2(a, b) = (b da - a db) / (a² + b²)   (0 at a = b = 0, as in PyTorch)"""
    def forward(self, a, b):
        self.saved = (a, b)
        return np.arctan2(a, b)

    def backward(self, grad):
        a, b = self.saved
        square = a * a + b * b
        zero = square == 0                  # the divisor guarded too: see the module docstring
        scale = np.where(zero, 0, grad / np.where(zero, 1, square))
        need_a, need_b = self.needs_input_grad
        return (scale * b if need_a else None), (-scale * a if need_b else None)


class Sinh(Op):
    """d sinh(x) = cosh(x) dx"""
    def forward(self, x):
        self.saved = x
        return np.sinh(x)

    def backward(self, grad):
        return grad * np.cosh(self.saved)


class Cosh(Op):
    """d cosh(x) = sinh(x) dx"""
    def forward(self, x):
        self.saved = x
        return np.cosh(x)

    def backward(self, grad):
        return grad * np.sinh(self.saved)


class Asinh(Op):
    """d asinh(x) = dx / √(x² + 1)"""
    def forward(self, x):
        self.saved = x
        return np.arcsinh(x)

    def backward(self, grad):
        x = self.saved
        return grad / np.sqrt(x * x + 1)


class Acosh(Op):
    """d acosh(x) = dx / √(x² - 1)"""
    def forward(self, x):
        self.saved = x
        return np.arccosh(x)

    def backward(self, grad):
        x = self.saved
        with np.errstate(divide='ignore', invalid='ignore'):    # inf at 1, nan below (PyTorch)
            return grad / np.sqrt(x * x - 1)


class Atanh(Op):
    """d atanh(x) = dx / (1 - x²)"""
    def forward(self, x):
        self.saved = x
        return np.arctanh(x)

    def backward(self, grad):
        x = self.saved
        with np.errstate(divide='ignore'):
            return grad / (1 - x * x)


class Lerp(Op):
    """d lerp(a, b, w) = (1 - w) da + w db + (b - a) dw   (lerp = a + w (b - a))"""
    def forward(self, a, b, w):
        need_a, need_b, need_w = self.needs_input_grad
        self.saved = (a if need_w else None, b if need_w else None, w if need_a or need_b else None)
        gap = b - a                             # PyTorch's two forms: exact at w = 0 and w = 1
        return np.where(abs(w) < 0.5, a + w * gap, b - gap * (1 - w))

    def backward(self, grad):
        a, b, w = self.saved
        need_a, need_b, need_w = self.needs_input_grad
        return ((grad * (1 - w) if need_a else None), (grad * w if need_b else None),
                (grad * (b - a) if need_w else None))


class Hypot(Op):
    """d √(a² + b²) = (a da + b db) / √(a² + b²)"""
    def forward(self, a, b):
        out = np.hypot(a, b)
        self.saved = (a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        need_a, need_b = self.needs_input_grad
        with np.errstate(divide='ignore', invalid='ignore'):    # nan at 0 / 0, as in PyTorch
            scale = grad / out
        return (scale * a if need_a else None), (scale * b if need_b else None)


class Logit(Op):
    """d ln(x / (1 - x)) = dx / (x (1 - x)) in [eps, 1 - eps], else 0 (nan outside [0, 1] if no eps)

    With eps, x is clamped to [eps, 1 - eps] first; both outside values are PyTorch's.
    """
    def forward(self, x, eps=None):
        self.saved, self.eps = x, eps
        z = x if eps is None else np.clip(x, eps, 1 - eps)
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.log(z / (1 - z))

    def backward(self, grad):
        x, eps = self.saved, self.eps
        outside = (x < 0) | (x > 1) if eps is None else (x < eps) | (x > 1 - eps)
        safe = np.where(outside, 0.5, x)        # guarded too: see the module docstring
        with np.errstate(divide='ignore', invalid='ignore'):
            inside = grad / (safe * (1 - safe))
        return np.where(outside, np.nan if eps is None else 0, inside)


class Addcmul(Op):
    """d(x + v a b) = dx + v b da + v a db"""
    def forward(self, x, a, b, value=1):
        _, need_a, need_b = self.needs_input_grad
        self.saved, self.value = (a if need_b else None, b if need_a else None), value
        return x + value * a * b

    def backward(self, grad):
        a, b = self.saved
        need_x, need_a, need_b = self.needs_input_grad
        scaled = grad * self.value
        return ((grad if need_x else None), (scaled * b if need_a else None),
                (scaled * a if need_b else None))


class Addcdiv(Op):
    """d(x + v a / b) = dx + v da / b - v a / b² db"""
    def forward(self, x, a, b, value=1):
        self.saved = (a if self.needs_input_grad[2] else None, b)
        self.value = value
        return x + value * a / b

    def backward(self, grad):
        a, b = self.saved
        need_x, need_a, need_b = self.needs_input_grad
        scaled = grad * self.value / b
        return ((grad if need_x else None), (scaled if need_a else None),
                (-scaled * a / b if need_b else None))


class NanToNum(Op):
    """d nan_to_num(x) = dx where x is finite, 0 where it was replaced"""
    def forward(self, x, nan=0.0, posinf=None, neginf=None):
        self.saved = np.isfinite(x)
        return np.where(np.isnan(x), nan, np.where(x == np.inf, posinf,
                                                   np.where(x == -np.inf, neginf, x)))

    def backward(self, grad):
        return np.where(self.saved, grad, 0)


class Xlogy(Op):
    """d (x ln y) = ln(y) dx + x / y dy   (ln(y) taken as 0 where x = 0 and y <= 0, as PyTorch)

    x ln y is 0 where x = 0, unless y is nan.
    """
    def forward(self, x, y):
        self.saved = (x, y)
        zero = (x == 0) & ~np.isnan(y)
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.where(zero, 0, x * np.log(np.where(zero, 1, y)))

    def backward(self, grad):
        x, y = self.saved
        need_x, need_y = self.needs_input_grad
        flat = (x == 0) & (y <= 0)              # PyTorch's: ln y, but 0 where x = 0 and y <= 0
        with np.errstate(divide='ignore', invalid='ignore'):
            return ((np.where(flat, 0, grad * np.log(np.where(flat, 1, y))) if need_x else None),
                    (grad * x / y if need_y else None))


class ClampBy(Op):
    """d clamp(x, lo, hi) = dx where lo <= x <= hi, dlo where x < lo, dhi where x > hi
    (hi wins where lo > hi, as in PyTorch; a missing bound is ±inf or the integer extreme)"""
    def forward(self, x, lo, hi):
        self.saved = (x, lo, hi)
        return np.minimum(np.maximum(x, lo), hi)

    def backward(self, grad):
        x, lo, hi = self.saved
        need_x, need_lo, need_hi = self.needs_input_grad
        crossed = lo > hi
        return (np.where((x >= lo) & (x <= hi), grad, 0) if need_x else None,
                np.where((x < lo) & ~crossed, grad, 0) if need_lo else None,
                np.where((x > hi) | crossed, grad, 0) if need_hi else None)
