"""The error function and its kin: erf, erfc, erfinv (minigrad/pointwise.py makes them functions
and methods). NumPy has no erf: it is computed here from W. J. Cody's rational approximations,
vectorised, accurate to float64; erfinv is Newton's method on it. As every op's, the code uses
only the NumPy that replay can run on Tensors (`python -m minigrad.ops --numpy`).
"""
import numpy as np

from ..autograd.graph import Op

TWO_OVER_ROOT_PI = 2 / np.sqrt(np.pi)
HALF_ROOT_PI = np.sqrt(np.pi) / 2


class Erf(Op):
    """d erf(x) = 2/√π exp(-x²) dx"""
    def forward(self, x):
        self.saved = x
        return erf_and_erfc(x)[0]

    def backward(self, grad):
        x = self.saved
        return grad * (TWO_OVER_ROOT_PI * np.exp(-x * x))


class Erfc(Op):
    """d erfc(x) = -2/√π exp(-x²) dx"""
    def forward(self, x):
        self.saved = x
        return erf_and_erfc(x)[1]

    def backward(self, grad):
        x = self.saved
        return grad * (-TWO_OVER_ROOT_PI * np.exp(-x * x))


# W. J. Cody's rational approximations (Math. Comp. 23, 1969), relative error below 1e-16:
# erf(x) = x R(x²) for |x| <= 0.46875; erfc(x) = exp(-x²) R(x) for |x| <= 4, and
# exp(-x²)/x (1/√π + R(1/x²)/x²) beyond. Each R is a ratio of polynomials (numerator, denominator).
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
_ERFC_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
           2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
           2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERFC_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
           1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
           3.43936767414372164e03, 1.23033935480374942e03)
_ERFC_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
           1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERFC_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
           6.05183413124413191e-2, 2.33520497626869185e-3)


def _ratio(t, num, den):
    """(num[-1] tⁿ + ... ) / (tⁿ + ...) in Cody's nesting: num has one more coefficient than den."""
    top, bottom = num[-1] * t, t + den[0]
    top += num[0]                               # speed: in place, no new array per step: -25%
    top *= t                                    # at 1,000 elements (on Tensors, replay makes new)
    bottom *= t
    for p, q in zip(num[1:len(den) - 1], den[1:-1]):
        top += p
        top *= t
        bottom += q
        bottom *= t
    top += num[len(den) - 1]
    bottom += den[-1]
    top /= bottom
    return top


def erf_and_erfc(x):
    """erf(x) and erfc(x), both to float64 accuracy (float32 inputs are computed in float64),
    vectorised: each branch of Cody's approximation that some element needs runs on the whole
    array, and np.where chooses."""
    work = x if x.dtype == np.float64 else x.astype(np.float64)
    y = abs(work)
    with np.errstate(invalid='ignore'):         # inf / inf in the branch not chosen for inf
        erf_near_0 = work * _ratio(y * y, _ERF_A, _ERF_B)
    near_0 = y <= 0.46875
    if near_0.all():                            # speed: the tail's 30 array ops skipped
        return erf_near_0.astype(x.dtype), (1 - erf_near_0).astype(x.dtype)
    erfc_abs = _erfc_tail(y)
    negative = work < 0
    erf = np.where(near_0, erf_near_0, np.where(negative, erfc_abs - 1, 1 - erfc_abs))
    erfc = np.where(near_0, 1 - erf_near_0, np.where(negative, 2 - erfc_abs, erfc_abs))
    return erf.astype(x.dtype), erfc.astype(x.dtype)


def _erfc_tail(y):
    """erfc(y) for y >= 0.46875 (anything for smaller y)."""
    y = np.where(y > 40, 40, y)                 # erfc(40) is 0 in float64; keeps inf - inf away
    tail = _ratio(y, _ERFC_C, _ERFC_D)
    if (y > 4).any():                           # speed: most inputs never get there
        far = np.where(y > 4, y, 5)             # 1 / far² stays finite where y is small
        w = 1 / (far * far)
        tail = np.where(y > 4, (0.5641895835477563 - w * _ratio(w, _ERFC_P, _ERFC_Q)) / far, tail)
    head = np.trunc(y * 16) / 16                # exp(-y²) as exp(-head²) exp(-rest): exact head²
    return np.exp(-head * head) * np.exp(-(y - head) * (y + head)) * tail


class ErfInv(Op):
    """d erfinv(x) = √π/2 exp(erfinv(x)²) dx"""
    def forward(self, x):
        self.saved = erfinv(x)
        return self.saved

    def backward(self, grad):
        y = self.saved
        with np.errstate(over='ignore'):        # inf at ±1, as in PyTorch
            return grad * (HALF_ROOT_PI * np.exp(y * y))



def erfinv(x):
    """The y with erf(y) = x: Winitzki's closed-form guess (error ~1e-3), then Newton steps on
    erf(y) = |x|, or on erfc(y) = 1 - |x| above 0.5, where erf(y) - |x| would cancel. The last
    step also gives the derivative, exactly, when replayed (create_graph): whatever the guess's."""
    a = abs(x if x.dtype == np.float64 else x.astype(np.float64))
    inside = a < 1
    z = np.where(inside, a, 0.5)                # guarded: see the module docstring
    log_1_z2 = np.log((1 - z) * (1 + z))
    t = 2 / (np.pi * 0.147) + log_1_z2 / 2
    y = np.sqrt(np.sqrt(t * t - log_1_z2 / 0.147) - t)
    upper, rest = z > 0.5, 1 - z                # 1 - z is exact for z in [0.5, 1]
    for _ in range(4):                          # quadratic: 1e-3, 1e-6, 1e-12, below 1e-16
        erf, erfc = erf_and_erfc(y)
        miss = np.where(upper, rest - erfc, erf - z)
        with np.errstate(over='ignore', invalid='ignore'):
            y = y - miss * (HALF_ROOT_PI * np.exp(y * y))
    with np.errstate(invalid='ignore'):
        y = np.where(inside, y, np.where(a == 1, np.inf, np.nan))
    return np.copysign(y, x).astype(x.dtype)
