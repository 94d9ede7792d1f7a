"""Activation functions, elementwise except softmax.

Each saves what its derivative needs: tanh, sigmoid and relu their output;
those whose derivative needs the input (leaky_relu, elu, softplus, gelu) save
the input, which costs nothing, as the input tensor outlives the node anyway.
NumPy has no erf, so GELU's comes from `erf`/`erfc` at the end of this file.
"""
import math

import numpy as np

from ..autograd.graph import Op
from ._stable import log_softmax, softmax


def _sigmoid(z):
    """1 / (1 + e^-z) without overflow: e^-|z| never overflows; pick the form that is exact on each side."""
    e = np.exp(np.where(z >= 0, -z, z))     # e^-|z|; not np.abs, whose derivative at 0 is 0
    return np.where(z >= 0, 1, e) / (1 + e)


class Tanh(Op):
    """d tanh(x) = (1 - tanh(x)²) dx"""
    def forward(self, x):
        self.saved = np.tanh(x)
        return self.saved

    def backward(self, grad):
        y = self.saved
        return grad * (1 - y * y)


class Sigmoid(Op):
    """d σ(x) = σ(x) (1 - σ(x)) dx"""
    def forward(self, x):
        self.saved = _sigmoid(x)
        return self.saved

    def backward(self, grad):
        y = self.saved
        return grad * y * (1 - y)


class ReLU(Op):
    """d relu(x) = dx where x > 0, else 0"""
    grad_tied_to_input = True       # a second derivative of 0, as PyTorch (see autograd/replay.py)

    def forward(self, x):
        self.saved = np.maximum(x, 0)
        return self.saved

    def backward(self, grad):
        if np.isfinite(grad).all():         # speed: np.where on a random mask is 5× slower (256×1024:
            return grad * (self.saved > 0)  # 1.2 → 0.23 ms, this check included); but inf·0 is nan:
        return np.where(self.saved <= 0, 0, grad)   # an exact 0 where x <= 0, as PyTorch; nan passes


class LeakyReLU(Op):
    """d leaky_relu(x) = dx where x > 0, else negative_slope dx (so negative_slope at 0, as PyTorch)

    leaky_relu(x) = x where x > 0, else negative_slope x. The input is saved:
    with a negative slope the sign of the output no longer tells the side.
    """
    grad_tied_to_input = True       # a second derivative of 0, as PyTorch (see autograd/replay.py)

    def forward(self, x, negative_slope):
        self.saved = x
        self.negative_slope = negative_slope
        return np.where(x > 0, x, x * negative_slope)

    def backward(self, grad):
        with np.errstate(invalid='ignore'):     # inf * a slope of 0 is nan, as in PyTorch
            return np.where(self.saved > 0, grad, grad * self.negative_slope)


class ELU(Op):
    """d elu(x) = dx where x > 0, else α eˣ dx (so α at 0, as PyTorch)

    elu(x) = x where x > 0, else α (eˣ - 1), with eˣ - 1 as expm1, exact for small x.
    """
    def forward(self, x, alpha):
        self.saved = x
        self.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))    # min: no e^x overflow

    def backward(self, grad):
        x = self.saved
        return np.where(x > 0, grad, grad * (self.alpha * np.exp(np.minimum(x, 0))))


class Softplus(Op):
    """d softplus(x) = σ(βx) dx, and dx where βx > threshold (where softplus(x) is x)

    softplus(x) = log(1 + e^(βx)) / β, a smooth relu; where βx > threshold it
    is replaced by x itself (they differ by less than e^-threshold / β), as PyTorch does.
    """
    def forward(self, x, beta, threshold):
        z = x * beta
        self.saved = x
        self.beta, self.threshold = beta, threshold
        log1p_exp = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))    # log(1 + e^z), no overflow
        with np.errstate(divide='ignore'):                  # beta = 0 gives inf, as in PyTorch
            soft = log1p_exp / beta
        return np.where(z > threshold, x, soft)

    def backward(self, grad):
        z = self.saved * self.beta
        return np.where(z > self.threshold, grad, grad * _sigmoid(z))


_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_PI = math.sqrt(2 / math.pi)
_KAPPA = 0.044715
_TAIL = 1e4             # beyond it the Gaussian factors are exactly 0 or 1; clipping avoids overflow


class GELU(Op):
    """d gelu(x) = (Φ(x) + x φ(x)) dx, Φ and φ the standard normal cdf and density

    gelu(x) = x Φ(x), Φ(x) = ½ erfc(-x/√2) = ½ (1 + erf(x/√2)). Written with
    erfc, Φ keeps its relative accuracy far into the left tail, where
    1 + erf(x/√2) would cancel to a few digits (PyTorch's form).
    """
    def forward(self, x):
        cdf = 0.5 * erfc(x * -_SQRT1_2)
        self.saved = (x, cdf)
        with np.errstate(invalid='ignore'):                 # gelu(-inf) = -inf · 0 = nan, as PyTorch
            return x * cdf

    def backward(self, grad):
        x, cdf = self.saved
        clipped = np.clip(x, -_TAIL, _TAIL)
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * clipped * clipped)
        with np.errstate(invalid='ignore'):                 # ±inf · 0 = nan, as PyTorch
            return grad * (cdf + x * pdf)


class GELUTanh(Op):
    """d gelu(x) = (s + 2 x s (1 - s) u'(x)) dx,  s = σ(2u), u = √(2/π) (x + 0.044715 x³)

    The 'tanh' approximation gelu(x) ≈ ½ x (1 + tanh u), written as x σ(2u)
    (the same, since ½ (1 + tanh u) = σ(2u)), which does not cancel for x ≪ 0;
    u'(x) = √(2/π) (1 + 3 · 0.044715 x²).
    """
    def forward(self, x):
        clipped = np.clip(x, -_TAIL, _TAIL)                 # x³ would overflow for |x| > 5e102
        s = _sigmoid(2 * _SQRT_2_PI * (clipped + _KAPPA * clipped * clipped * clipped))
        self.saved = (x, s)
        with np.errstate(invalid='ignore'):                 # gelu(-inf) = -inf · 0 = nan, as PyTorch
            return x * s

    def backward(self, grad):
        x, s = self.saved
        clipped = np.clip(x, -_TAIL, _TAIL)
        du = _SQRT_2_PI * (1 + 3 * _KAPPA * clipped * clipped)
        with np.errstate(invalid='ignore'):                 # ±inf · 0 = nan, as PyTorch
            return grad * (s + 2 * x * s * (1 - s) * du)


class Softmax(Op):
    """d softmax(x)_i = s_i (dx_i - Σ_j s_j dx_j)"""
    def forward(self, x, dim):
        self.dim = dim
        self.saved = softmax(x, dim)                    # stably: see _stable.py
        return self.saved

    def backward(self, grad):
        s = self.saved
        return s * (grad - (grad * s).sum(axis=self.dim, keepdims=True))


class LogSoftmax(Op):
    """d log_softmax(x)_i = dx_i - Σ_j softmax(x)_j dx_j"""
    def forward(self, x, dim):
        self.dim = dim
        self.saved = log_softmax(x, dim)                # stably: see _stable.py
        return self.saved

    def backward(self, grad):
        probs = np.exp(self.saved)                      # softmax(x)
        return grad - probs * grad.sum(axis=self.dim, keepdims=True)


# ------------------------------------------------- more elementwise activations
# (issue: the torch.nn.functional family) Each saves its input, or what its derivative reads.

class SiLU(Op):
    """d silu(x) = σ(x) (1 + x (1 - σ(x))) dx

    silu(x) = x σ(x), the 'swish' activation.
    """
    def forward(self, x):
        s = _sigmoid(x)
        self.saved = (x, s)
        return x * s

    def backward(self, grad):
        x, s = self.saved
        return grad * (s * (1 + x * (1 - s)))


def _softplus(x):
    """log(1 + eˣ) without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


class Mish(Op):
    """d mish(x) = (tanh(sp) + x σ(x) (1 - tanh(sp)²)) dx,  sp = softplus(x)

    mish(x) = x tanh(softplus(x)); d softplus(x) = σ(x).
    """
    def forward(self, x):
        t = np.tanh(_softplus(x))
        self.saved = (x, t)
        return x * t

    def backward(self, grad):
        x, t = self.saved
        return grad * (t + x * _sigmoid(x) * (1 - t * t))


class Hardtanh(Op):
    """d hardtanh(x) = dx where min_val < x < max_val, else 0

    hardtanh(x) = clip(x, min_val, max_val); relu6 is hardtanh(x, 0, 6). At the two
    kinks the gradient is 0, as PyTorch's.
    """
    grad_tied_to_input = True       # a second derivative of 0, as PyTorch (see autograd/replay.py)

    def forward(self, x, min_val, max_val):
        self.saved = x
        self.min_val, self.max_val = min_val, max_val
        return np.minimum(np.maximum(x, min_val), max_val)

    def backward(self, grad):
        x = self.saved
        return np.where((x > self.min_val) & (x < self.max_val), grad, 0)


class CELU(Op):
    """d celu(x) = s dx where x > 0, else s (α/β) e^(x/β) dx

    s · (x where x > 0, else α (e^(x/β) - 1)): celu is β = α, s = 1; selu is β = 1 with
    α ≈ 1.6733, s ≈ 1.0507. The op's arguments: alpha = α, inner = β, scale = s.
    """
    def forward(self, x, alpha, inner, scale):
        self.saved = x
        self.alpha, self.inner, self.scale = alpha, inner, scale
        negative = alpha * np.expm1(np.minimum(x, 0) / inner)     # min: no e^x overflow
        return scale * np.where(x > 0, x, negative)

    def backward(self, grad):
        x = self.saved
        slope = np.where(x > 0, 1, (self.alpha / self.inner) * np.exp(np.minimum(x, 0) / self.inner))
        return grad * (self.scale * slope)


class Softsign(Op):
    """d softsign(x) = dx / (1 + |x|)²

    softsign(x) = x / (1 + |x|).
    """
    def forward(self, x):
        self.saved = 1 + np.abs(x)
        return x / self.saved

    def backward(self, grad):
        d = self.saved
        return grad / (d * d)


class LogSigmoid(Op):
    """d log σ(x) = (1 - σ(x)) dx = σ(-x) dx

    log σ(x) = -softplus(-x), computed without overflow for any x.
    """
    def forward(self, x):
        self.saved = x
        return -_softplus(-x)

    def backward(self, grad):
        return grad * _sigmoid(-self.saved)


class Hardsigmoid(Op):
    """d hardsigmoid(x) = dx / 6 where -3 < x < 3, else 0

    hardsigmoid(x) = clip(x / 6 + 1/2, 0, 1).
    """
    grad_tied_to_input = True       # a second derivative of 0, as PyTorch (see autograd/replay.py)

    def forward(self, x):
        self.saved = x
        return np.minimum(np.maximum(x / 6 + 0.5, 0), 1)

    def backward(self, grad):
        x = self.saved
        return np.where((x > -3) & (x < 3), grad / 6, 0)


class Hardswish(Op):
    """d hardswish(x) = 0 for x <= -3, (2x + 3) / 6 dx for -3 < x < 3, dx for x >= 3

    hardswish(x) = x · clip(x + 3, 0, 6) / 6; at the kinks ±3, PyTorch's one-sided slopes.
    """
    def forward(self, x):
        self.saved = x
        return x * np.minimum(np.maximum(x + 3, 0), 6) / 6

    def backward(self, grad):
        x = self.saved
        slope = np.where(x <= -3, 0, np.where(x < 3, (2 * x + 3) / 6, 1))
        return grad * slope


# ------------------------------------------------------------------ erf, erfc
# W. J. Cody's rational Chebyshev approximations, one per interval of |x|:
#   |x| <= 0.46875:      erf(x)  = x P(x²) / Q(x²)
#   0.46875 < |x| <= 4:  erfc(x) = e^(-x²) P(x) / Q(x)
#   |x| > 4:             erfc(x) = e^(-x²) / x (1/√π - t P(t) / Q(t)),  t = 1 / x²
# W. J. Cody, "Rational Chebyshev approximations for the error function",
# Math. Comp. 23 (1969) 631-637; coefficients from his Fortran routine CALERF
# (netlib.org/specfun/erf), listed here highest power first for Horner's rule.
# In float64 the relative error stays below 1e-15 wherever the result is a normal number
# (tests/test_nn_functional.py checks it against math.erf and math.erfc).

_NEAR = ((1.85777706184603153e-1, 3.16112374387056560e00, 1.13864154151050156e02,
          3.77485237685302021e02, 3.20937758913846947e03),
         (1.0, 2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03))
_MIDDLE = ((2.15311535474403846e-8, 5.64188496988670089e-1, 8.88314979438837594e00,
            6.61191906371416295e01, 2.98635138197400131e02, 8.81952221241769090e02,
            1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03),
           (1.0, 1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
            1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
            3.43936767414372164e03, 1.23033935480374942e03))
_FAR = ((1.63153871373020978e-2, 3.05326634961232344e-1, 3.60344899949804439e-1,
         1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4),
        (1.0, 2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
         6.05183413124413191e-2, 2.33520497626869185e-3))
_INV_SQRT_PI = 5.6418958354775628695e-1
_NEAR_END, _MIDDLE_END, _UNDERFLOW = 0.46875, 4.0, 27.3    # erfc(27.3) < 5e-324, the least float64


def _rational(coefficients, t):
    """P(t) / Q(t) by Horner's rule; coefficients = (P's, Q's), highest power first."""
    p, q = coefficients
    num, den = p[0], q[0]
    for a, b in zip(p[1:], q[1:]):
        num = num * t + a
        den = den * t + b
    return num / den


def _exp_minus_square(y):
    """e^(-y²) to full precision: with s = y cut to a multiple of 1/16, s² is exact and
    y² = s² + (y - s)(y + s), so the rounding of y² never reaches the exponent."""
    s = np.trunc(16 * y) / 16
    return np.exp(-s * s) * np.exp(-(y - s) * (y + s))


def _erfc_beyond_near(y):
    """erfc(y) for y > 0.46875 (also inf and nan), elementwise."""
    out = np.zeros_like(y)                      # 0 from 27.3 on, where erfc(y) underflows
    out[np.isnan(y)] = np.nan
    middle = y <= _MIDDLE_END
    ym = y[middle]
    out[middle] = _exp_minus_square(ym) * _rational(_MIDDLE, ym)
    far = (y > _MIDDLE_END) & (y < _UNDERFLOW)
    yf = y[far]
    t = 1 / (yf * yf)
    out[far] = _exp_minus_square(yf) * (_INV_SQRT_PI - t * _rational(_FAR, t)) / yf
    return out


def erf(x):
    """The error function (2/√π) ∫₀ˣ e^(-t²) dt of a float array, elementwise (Cody's method)."""
    x = x if hasattr(x, 'dtype') else np.asarray(x)     # arrays, and Tensors traced by create_graph
    y = np.abs(x)
    out = np.empty_like(y)
    near = y <= _NEAR_END
    xn = x[near]
    out[near] = xn * _rational(_NEAR, xn * xn)
    rest = ~near
    out[rest] = np.copysign(1 - _erfc_beyond_near(y[rest]), x[rest])
    return out


def erfc(x):
    """1 - erf(x) of a float array, elementwise, keeping its relative accuracy where it is
    tiny (to x = 27.3, past which it underflows to 0), by Cody's method."""
    x = x if hasattr(x, 'dtype') else np.asarray(x)     # arrays, and Tensors traced by create_graph
    y = np.abs(x)
    out = np.empty_like(y)
    near = y <= _NEAR_END
    xn = x[near]
    out[near] = 1 - xn * _rational(_NEAR, xn * xn)
    rest = ~near
    tail = _erfc_beyond_near(y[rest])
    out[rest] = np.where(x[rest] < 0, 2 - tail, tail)     # erfc(-y) = 2 - erfc(y)
    return out
