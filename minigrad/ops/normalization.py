"""Normalisation: x̂ = (x - mean) / √(var + ε) over some axes, then y = γ x̂ + β, as one node.

LayerNorm takes its statistics over the last dims of each sample, BatchNorm over every dim
but the channel (dim 1), RMSNorm only the mean square. Each is one fused op with the
three-term backward, instead of a chain of mean, sub, mul, sqrt and div nodes: for
x̂ = (x - μ) σ⁻¹ over n elements and g = γ dy (the gradient reaching x̂),

    dx = σ⁻¹ (g - mean(g) - x̂ mean(g x̂))  =  (1/n) σ⁻¹ (n g - Σg - x̂ Σ(g x̂)),

as the mean and the variance depend on every x of the group. γ's gradient is Σ dy x̂ and
β's Σ dy, summed over all but γ's dims. The variance is the biased one (divided by n),
as PyTorch's. Inputs are x, then γ and β when given (`weight`, `bias` say which); `shape`
is where γ and β sit in x's dims (e.g. (1, C, 1, 1) for BatchNorm2d).
"""
import numpy as np

from ..autograd.graph import Op


def _affine_grads(self, grad, xhat):
    """γ's and β's gradients: dy x̂ and dy summed over the dims where γ broadcasts."""
    grads = []
    if self.weight:
        grads.append(_sum_to(grad * xhat, self.shape, self.sizes) if self.needs_input_grad[1] else None)
    if self.bias:
        grads.append(_sum_to(grad, self.shape, self.sizes) if self.needs_input_grad[-1] else None)
    return grads


def _sum_to(a, shape, sizes):
    """a summed over the dims where `shape` is 1, in the parameter's own shape `sizes`."""
    axes = tuple(i for i, (m, n) in enumerate(zip(shape, a.shape)) if m == 1 and n != 1)
    return (a.sum(axis=axes, keepdims=True) if axes else a).reshape(sizes)


def _affine(self, x, params, shape):
    """Keeps which of γ and β came and their shapes; returns them reshaped to broadcast on x."""
    self.weight, self.bias = params[:2]
    self.shape = shape
    arrays = params[2:]
    self.sizes = arrays[0].shape if arrays else None
    return [a.reshape(shape) for a in arrays]


def _scale_shift(self, xhat, gamma_beta):
    y = xhat
    if self.weight:
        y = y * gamma_beta[0]
    if self.bias:
        y = y + gamma_beta[-1]
    return y


class Normalize(Op):
    """d (γ x̂ + β) = γ σ⁻¹ (dx - mean(dx) - x̂ mean(x̂ dx)) + x̂ dγ + dβ, x̂ = (x - mean) / σ over `axes`

    LayerNorm (axes: the last dims), BatchNorm in training (axes: all but dim 1),
    GroupNorm and InstanceNorm (on a reshaped input). σ = √(var + ε), var the biased
    variance. `stats`, a list, receives (mean, var) for a running estimate.
    """
    def forward(self, x, *params, axes, eps, weight, bias, shape, stats=None):
        gamma_beta = _affine(self, x, (weight, bias) + params, shape)
        self.axes = axes
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=axes, keepdims=True)
        rstd = 1 / np.sqrt(var + eps)
        xhat = centred * rstd
        if stats is not None and type(x) is np.ndarray:       # not when replay re-runs forward
            stats.append((mean, var))
        self.saved = (xhat, rstd) + tuple(gamma_beta[:1] if weight else ())
        return _scale_shift(self, xhat, gamma_beta)

    def backward(self, grad):
        xhat, rstd = self.saved[:2]
        g = grad * self.saved[2] if self.weight else grad
        grad_x = None
        if self.needs_input_grad[0]:
            mean_g = g.mean(axis=self.axes, keepdims=True)
            mean_gx = (g * xhat).mean(axis=self.axes, keepdims=True)
            grad_x = rstd * (g - mean_g - xhat * mean_gx)
        return (grad_x, *_affine_grads(self, grad, xhat))


class RMSNormalize(Op):
    """d (γ x / r) = γ r⁻¹ (dx - x̂ mean(x̂ dx)) + x̂ dγ, r = √(mean(x²) + ε), x̂ = x / r over `axes`"""
    def forward(self, x, *params, axes, eps, weight, shape):
        gamma = _affine(self, x, (weight, False) + params, shape)
        self.axes = axes
        rstd = 1 / np.sqrt((x * x).mean(axis=axes, keepdims=True) + eps)
        xhat = x * rstd
        self.saved = (xhat, rstd) + tuple(gamma)
        return _scale_shift(self, xhat, gamma)

    def backward(self, grad):
        xhat, rstd = self.saved[:2]
        g = grad * self.saved[2] if self.weight else grad
        grad_x = None
        if self.needs_input_grad[0]:
            grad_x = rstd * (g - xhat * (g * xhat).mean(axis=self.axes, keepdims=True))
        return (grad_x, *_affine_grads(self, grad, xhat))
