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
            out = out.astype(np.float32)        # int / int gives float32, as in PyTorch
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
