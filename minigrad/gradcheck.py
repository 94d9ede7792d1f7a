"""Checks the engine's gradients against central finite differences in float64."""
import numpy as np

from .autograd.engine import grad
from .autograd.mode import enable_grad, no_grad
from .creation import zeros_like
from .functions import cat
from .tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with the finite-difference estimate."""


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """True if backprop through `fn` matches (f(x + eps) - f(x - eps)) / (2 eps).

    Floating-point inputs are copied to float64. An output of more than one
    element is projected on a fixed random direction v, so the check compares
    the vector-Jacobian product vᵀJ, which is what backward computes (a one-element
    output is compared as it is). Raises GradcheckError naming the input, the
    element, both values, the relative error and what was compared, where
    |analytic - numeric| > atol + rtol |numeric| (every element, for small inputs).
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    inputs = tuple(_as_float64(t) for t in inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise GradcheckError('gradcheck: no input has requires_grad=True, so there is nothing to check')
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise GradcheckError(f'gradcheck: fn must return a Tensor, got {type(out).__name__}')
    one = out._array.size == 1
    direction = np.ones(out.shape) if one else np.random.default_rng(0).standard_normal(out.shape)
    if out.requires_grad:                   # else independent of the inputs: every gradient is 0
        out.backward(gradient=direction)

    def projected(x):
        with no_grad():
            return float(np.sum(fn(*inputs)._array * direction))

    for i in checked:
        x = inputs[i]
        analytic = x.grad._array if x.grad is not None else np.zeros_like(x._array)
        numeric = central_differences(lambda: projected(x), x._array, lambda value: eps)
        with np.errstate(invalid='ignore'):          # inf - inf, NaN
            error = np.abs(analytic - numeric)
            # torch.allclose's test: equal (infinities included) or within tolerance; a NaN on
            # either side fails, so a backward that returns NaN never passes.
            bad = ~((analytic == numeric) | (error <= atol + rtol * np.abs(numeric)))
        if bad.any():
            k = np.unravel_index(np.argmax(np.where(bad, error, -1)), x.shape)
            a, n = analytic[k], numeric[k]
            with np.errstate(invalid='ignore'):
                relative = abs(a - n) / max(abs(n), 1e-12)
            raise GradcheckError(_explain(i, x, k, analytic, numeric, relative, one, atol, rtol))
    return True


def _explain(i, x, k, analytic, numeric, relative, one, atol, rtol):
    """The failure message: where, both values, what was compared; each element if few."""
    compared = ('d output / d input' if one else
                'd(v · output) / d input, the output projected on a fixed random vector v\n'
                '  (what backward(gradient=v) computes)')
    lines = [f'gradcheck: gradient of input {i} (shape {tuple(x.shape)}) differs at element '
             f'{tuple(int(j) for j in k)}:',
             f'  analytic {analytic[k]:.6g} (backward), numeric {numeric[k]:.6g} (finite differences)',
             f'  relative error {relative:.3g} (atol={atol}, rtol={rtol})',
             f'  compared: {compared}']
    if analytic.size <= 8:
        lines.append('  element    analytic     numeric')
        for index in np.ndindex(analytic.shape):
            lines.append(f'  {str(index):<9} {analytic[index]:>9.6g} {numeric[index]:>11.6g}')
    return '\n'.join(lines)


def central_differences(evaluate, x, step):
    """d evaluate() / d x, element by element: (f(x + h) - f(x - h)) / 2h with h = step(value),
    perturbing the array `x` in place (and restoring it)."""
    numeric = np.zeros_like(x)
    for k in np.ndindex(x.shape):           # x itself, whatever its strides (a reshape may copy)
        original = x[k]
        h = step(original)
        x[k] = original + h
        plus = evaluate()
        x[k] = original - h
        minus = evaluate()
        x[k] = original
        numeric[k] = (plus - minus) / (2 * h)
    return numeric


def _as_float64(t):
    """A float64 leaf copy of a floating-point tensor; anything else is passed through."""
    if isinstance(t, Tensor) and t.dtype.kind == 'f':
        return Tensor(t._array.astype(np.float64), requires_grad=t.requires_grad)
    return t


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3):
    """True if the derivatives of `fn`'s gradients match finite differences: `gradcheck` of
    the function (inputs, v) -> vᵀJ, computed by backward with create_graph=True.

    `v` is `grad_outputs`, or a fixed random tensor of the output's shape. A backward that
    gives right values once but is cut from the graph fails here: its second derivative
    comes out 0 (or the result does not depend on the inputs at all).
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    inputs = tuple(_as_float64(t) for t in inputs)
    count = len(inputs)
    if grad_outputs is None:
        out = fn(*inputs)
        rng = np.random.default_rng(1)
        grad_outputs = Tensor(rng.standard_normal(out.shape), requires_grad=True)
    grad_outputs = (grad_outputs,) if isinstance(grad_outputs, Tensor) else tuple(grad_outputs)
    grad_outputs = tuple(_as_float64(g) for g in grad_outputs)

    def first_derivative(*args):            # vᵀJ at the inputs, as a differentiable flat tensor
        xs, vs = args[:count], args[count:]
        with enable_grad():        # also when gradcheck evaluates it under no_grad
            outs = fn(*xs)
            wanted = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
            grads = [None] * len(wanted)    # an output independent of the inputs: all 0
            if outs.requires_grad:
                grads = grad(outs, wanted, vs if len(vs) > 1 else vs[0], create_graph=True,
                             allow_unused=True)
            return cat([(zeros_like(x) if g is None else g).reshape(-1)     # unused: 0
                        for g, x in zip(grads, wanted)])

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol)
