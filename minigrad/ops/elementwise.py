"""Elementwise ops. Inputs broadcast like NumPy; the engine sums each
gradient back to its input's shape, so these rules are written for equal shapes."""
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
        self.saved = (a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved
        need_a, need_b = self.needs_input_grad
        grad_a = grad_b = None
        with np.errstate(divide='ignore', invalid='ignore'):     # 0 ** -1 and log(-1), as in PyTorch
            if need_a:
                slope = b * a ** (b - 1)
                if np.any(b == 0):              # d a⁰ = 0, also at a = 0 where 0 * 0⁻¹ is nan
                    slope = np.where(b == 0, 0, slope)
                grad_a = grad * slope
            if need_b:                          # 0^b is flat in b for b >= 0; log(a < 0) is nan
                grad_b = grad * np.where((a == 0) & (b >= 0), 0, out * np.log(a))
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
        return grad / (2 * self.saved)


class RootOrZero(Op):
    """d √y = dy / (2√y), taken as 0 where y = 0: the subgradient PyTorch uses for norm and std"""
    def forward(self, y):
        self.saved = np.sqrt(y)
        return self.saved

    def backward(self, grad):
        root = self.saved
        with np.errstate(divide='ignore', invalid='ignore'):
            return np.where(root == 0, 0, grad / (2 * root))


class Abs(Op):
    """d |x| = sign(x) dx   (0 at x = 0, as in PyTorch)"""
    def forward(self, x):
        self.saved = x
        return np.abs(x)

    def backward(self, grad):
        return grad * np.sign(self.saved)


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
        return grad * inside


class Maximum(Op):
    """d max(a, b) = da where a > b, db where b > a, half each on ties"""
    def forward(self, a, b):
        self.saved = (a, b)
        return np.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved
        share_a = (a > b) + 0.5 * (a == b)
        return _split(grad, share_a, self.needs_input_grad)


class Minimum(Op):
    """d min(a, b) = da where a < b, db where b < a, half each on ties"""
    def forward(self, a, b):
        self.saved = (a, b)
        return np.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved
        share_a = (a < b) + 0.5 * (a == b)
        return _split(grad, share_a, self.needs_input_grad)


def _split(grad, share_a, needs):
    """Sends the `share_a` fraction of `grad` to a and the rest to b."""
    share_a = share_a.astype(grad.dtype)
    return (grad * share_a if needs[0] else None), (grad * (1 - share_a) if needs[1] else None)


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
