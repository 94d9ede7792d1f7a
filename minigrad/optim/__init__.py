"""Optimizers: turn each parameter's gradient into a step, with PyTorch's update rules.

Usage, exactly as in PyTorch:

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=10)     # optional
    for epoch in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        scheduler.step()

Steps change each parameter in place (the Parameter objects, which the
model holds, stay the same, and their version counter goes up, so a graph
that saved a parameter before `opt.step()` refuses to backpropagate through
the old value), skip parameters whose `.grad` is None, and never modify
`.grad`. With the same start and the same gradients, the trajectory is
PyTorch's (up to float rounding). `state_dict()` / `load_state_dict()` use
PyTorch's layout, so a checkpoint holds `{'model': model.state_dict(),
'optimizer': opt.state_dict()}` as in PyTorch's tutorials.
"""
import math

import numpy as np

from ..autograd import bump_version
from .optimizer import Optimizer, _check  # noqa: F401  (Optimizer: optim.Optimizer)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's form).

        g ← ∇f(θ) (+ λθ with weight_decay λ)
        b ← g on the first step, else μ b + (1 - τ) g      (momentum μ, dampening τ)
        g ← g + μ b if nesterov else b                      (when μ ≠ 0)
        θ ← θ - γ g                                         (lr γ)

    Note the velocity accumulates gradients and lr multiplies it afterwards,
    unlike Sutskever et al., who fold lr into the velocity.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False):
        _check(lr, 'learning rate')
        _check(momentum, 'momentum value')
        _check(weight_decay, 'weight_decay value')
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError('Nesterov momentum requires a momentum and zero dampening')
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov, maximize=maximize))

    def _update_group(self, group):
        lr = group['lr']
        steps = self._gradients(group, group['weight_decay'])
        if group['momentum'] != 0:
            steps = self._with_momentum(group, steps)
        for p, g in steps:
            p._array -= lr * g
            bump_version(p._array, 'optimizer.step')     # one version per change, as in PyTorch

    def _with_momentum(self, group, steps):
        """(param, step direction) with momentum: b ← μ b + (1 - τ) g, then b or g + μ b.
        Every buffer is looked up before any is updated, as PyTorch does, so a parameter
        listed twice in a group (which warns) takes the same steps as in PyTorch."""
        mu, tau, nesterov = group['momentum'], group['dampening'], group['nesterov']
        buffers = [self.state.get(p, {}).get('momentum_buffer')
                   for p in group['params'] if p._grad is not None]
        for (p, g), buf in zip(steps, buffers):
            if buf is None:
                # np.array, not g.copy(): g of a 0-d parameter may be a NumPy scalar (-g, g + λθ),
                # which `buf *= μ` would rebind instead of updating the stored buffer
                buf = self.state.setdefault(p, {})['momentum_buffer'] = np.array(g)
            else:
                buf *= mu
                buf += g if tau == 0 else (1 - tau) * g
            yield p, (g + mu * buf if nesterov else buf)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with PyTorch's update.

        g ← ∇f(θ) (+ λθ with weight_decay λ: an L2 penalty, rescaled by Adam)
        m ← β₁ m + (1 - β₁) g,   v ← β₂ v + (1 - β₂) g²
        m̂ = m / (1 - β₁ᵗ),       v̂ = v / (1 - β₂ᵗ)
        θ ← θ - γ m̂ / (√v̂ + ε)

    With amsgrad, v̂ = v_max / (1 - β₂ᵗ) where v_max ← max(v_max, v) keeps the
    largest uncorrected v seen, as PyTorch computes it.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False):
        _check(lr, 'learning rate')
        _check(eps, 'epsilon value')
        _check(betas[0], 'beta parameter at index 0', high=1.0)
        _check(betas[1], 'beta parameter at index 1', high=1.0)
        _check(weight_decay, 'weight_decay value')
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize))

    _decoupled = False

    def _update_group(self, group):
        lr, (beta1, beta2), eps = group['lr'], group['betas'], group['eps']
        wd, amsgrad = group['weight_decay'], group['amsgrad']
        for p, g in self._gradients(group, 0 if self._decoupled else wd):
            if self._decoupled and wd != 0:
                p._array *= 1 - lr * wd           # AdamW: shrink θ directly, outside Adam's scaling
                bump_version(p._array, 'optimizer.step')     # one version per change, as in PyTorch
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = {'step': 0, 'exp_avg': np.zeros_like(p._array),
                                         'exp_avg_sq': np.zeros_like(p._array)}
            if amsgrad and 'max_exp_avg_sq' not in state:
                state['max_exp_avg_sq'] = np.zeros_like(p._array)
            state['step'] += 1
            t = state['step']
            m, v = state['exp_avg'], state['exp_avg_sq']
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * (g * g)
            if amsgrad:
                np.maximum(state['max_exp_avg_sq'], v, out=state['max_exp_avg_sq'])
                v = state['max_exp_avg_sq']
            denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + eps      # √v̂ + ε
            p._array -= (lr / (1 - beta1 ** t)) * (m / denom)          # γ m̂ / (√v̂ + ε)
            bump_version(p._array, 'optimizer.step')     # one version per change, as in PyTorch


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), PyTorch's update.

        θ ← θ - γλθ        then the Adam step on the raw gradient (no L2 term in g)
    """

    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize)


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), PyTorch's update.

        g ← ∇f(θ) (+ λθ with weight_decay λ)
        v ← α v + (1 - α) g²                            (running mean of g², from 0)
        centered:  ḡ ← α ḡ + (1 - α) g,   ṽ = v - ḡ²    (a running variance instead)
        otherwise: ṽ = v
        momentum μ > 0:  b ← μ b + g / (√ṽ + ε),   θ ← θ - γ b       (b starts at 0)
        otherwise:       θ ← θ - γ g / (√ṽ + ε)

    ε is added after the square root, and v has no bias correction (unlike Adam).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        _check(lr, 'learning rate')
        _check(eps, 'epsilon value')
        _check(momentum, 'momentum value')
        _check(weight_decay, 'weight_decay value')
        _check(alpha, 'alpha value')
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update_group(self, group):
        lr, alpha, eps, mu = group['lr'], group['alpha'], group['eps'], group['momentum']
        for p, g in self._gradients(group, group['weight_decay']):
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = {'step': 0, 'square_avg': np.zeros_like(p._array)}
            if mu > 0 and 'momentum_buffer' not in state:
                state['momentum_buffer'] = np.zeros_like(p._array)
            if group['centered'] and 'grad_avg' not in state:
                state['grad_avg'] = np.zeros_like(p._array)
            state['step'] += 1
            v = state['square_avg']
            v *= alpha
            v += (1 - alpha) * (g * g)
            if group['centered']:
                g_avg = state['grad_avg']
                g_avg += (1 - alpha) * (g - g_avg)      # = α ḡ + (1 - α) g, as PyTorch's lerp_
                avg = np.sqrt(v - g_avg * g_avg)
            else:
                avg = np.sqrt(v)
            avg += eps
            if mu > 0:
                buf = state['momentum_buffer']
                buf *= mu
                buf += g / avg
                p._array -= lr * buf
            else:
                p._array -= lr * (g / avg)
            bump_version(p._array, 'optimizer.step')     # one version per change, as in PyTorch


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), PyTorch's update.

        g ← ∇f(θ) (+ λθ with weight_decay λ)
        γ̃ = γ / (1 + (t - 1) η)                       (lr γ, lr_decay η, step t = 1, 2, ...)
        s ← s + g²                                      (s starts at initial_accumulator_value)
        θ ← θ - γ̃ g / (√s + ε)

    As in PyTorch, every parameter's state exists from the start (so it is in
    `state_dict()` before the first step).
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False):
        _check(lr, 'learning rate')
        _check(lr_decay, 'lr_decay value')
        _check(weight_decay, 'weight_decay value')
        _check(initial_accumulator_value, 'initial_accumulator_value value')
        _check(eps, 'epsilon value')
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      maximize=maximize))

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for p in group['params']:
            self.state[p] = {'step': 0,
                             'sum': np.full_like(p._array, group['initial_accumulator_value'])}

    def _update_group(self, group):
        lr, lr_decay, eps = group['lr'], group['lr_decay'], group['eps']
        for p, g in self._gradients(group, group['weight_decay']):
            state = self.state[p]
            state['step'] += 1
            clr = lr / (1 + (state['step'] - 1) * lr_decay)
            s = state['sum']
            s += g * g
            std = np.sqrt(s)
            std += eps
            p._array -= clr * (g / std)
            bump_version(p._array, 'optimizer.step')     # one version per change, as in PyTorch


from . import lr_scheduler  # noqa: E402,F401  (optim.lr_scheduler)
