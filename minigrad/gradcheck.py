"""Checks the engine's gradients against central finite differences in float64."""
import numpy as np

from .autograd import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with the finite-difference estimate."""


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """True if backprop through `fn` matches (f(x + eps) - f(x - eps)) / (2 eps).

    Floating-point inputs are copied to float64. A non-scalar output is
    projected on a fixed random direction v, so the check compares the
    vector-Jacobian product vᵀJ, which is what backward computes.
    Raises GradcheckError naming the input, the element, both values and the
    relative error where |analytic - numeric| > atol + rtol |numeric|.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    inputs = tuple(_as_float64(t) for t in inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise GradcheckError('gradcheck: no input has requires_grad=True, so there is nothing to check')
    out = fn(*inputs)
    if not isinstance(out, Tensor) or not out.requires_grad:
        raise GradcheckError('gradcheck: the output does not depend on any input that requires grad')
    direction = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(gradient=direction)

    def projected(x):
        with no_grad():
            return float(np.sum(fn(*inputs)._array * direction))

    for i in checked:
        x = inputs[i]
        analytic = x.grad._array if x.grad is not None else np.zeros_like(x._array)
        numeric = np.zeros_like(x._array)
        flat = x._array.reshape(-1)           # a view: writing it perturbs x
        for k in range(flat.size):
            original = flat[k]
            flat[k] = original + eps
            plus = projected(x)
            flat[k] = original - eps
            minus = projected(x)
            flat[k] = original
            numeric.flat[k] = (plus - minus) / (2 * eps)
        error = np.abs(analytic - numeric)
        bad = error > atol + rtol * np.abs(numeric)
        if bad.any():
            k = np.unravel_index(np.argmax(np.where(bad, error, -1)), x.shape)
            a, n = analytic[k], numeric[k]
            relative = abs(a - n) / max(abs(n), 1e-12)
            raise GradcheckError(
                f'gradcheck: gradient of input {i} (shape {tuple(x.shape)}) differs at element '
                f'{tuple(int(j) for j in k)}: analytic {a:.6g}, numeric {n:.6g}, '
                f'relative error {relative:.3g} (atol={atol}, rtol={rtol})')
    return True


def _as_float64(t):
    """A float64 leaf copy of a floating-point tensor; anything else is passed through."""
    if isinstance(t, Tensor) and t.dtype.kind == 'f':
        return Tensor(t._array.astype(np.float64), requires_grad=t.requires_grad)
    return t
