"""Optimizers: turn each parameter's gradient into a step, with PyTorch's update rules.

Usage, exactly as in PyTorch:

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for xb, yb in loader:
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()

Steps change each parameter in place (the Parameter objects, which the
model holds, stay the same), skip parameters whose `.grad` is None, and never
modify `.grad`. With the same start and the same gradients, the trajectory is
PyTorch's (up to float rounding).
"""
import math

import numpy as np

from .autograd import enable_grad
from .tensor import Tensor


class Optimizer:
    """Holds parameter groups (dicts of "params" and hyper-parameters) and per-parameter state.

    `opt.param_groups[0]["lr"] = 0.01` changes the learning rate between steps.
    """

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError('params argument given to the optimizer should be an iterable of '
                            'Tensors or dicts, but got a single Tensor; wrap it in a list: [t]')
        if callable(params) and not hasattr(params, '__iter__'):
            raise TypeError('params argument given to the optimizer should be an iterable of '
                            f'Tensors or dicts, but got {type(params).__name__}; did you mean '
                            'model.parameters() (with the parentheses)?')
        self.defaults = defaults
        self.state = {}                         # param -> dict of buffers (keyed by identity)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError('optimizer got an empty parameter list (a model.parameters() '
                             'generator can be used only once: call it again for a second optimizer)')
        if not isinstance(groups[0], dict):
            groups = [{'params': groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Adds a dict with "params" and optional hyper-parameters (others take the defaults)."""
        params = param_group['params']
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f'optimizer can only optimize Tensors, but one of the params is '
                                f'{type(p).__name__}')
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (it is computed from other "
                                 "tensors); optimize the leaves it comes from, or .detach() it "
                                 "and set requires_grad_(True)")
        known = {id(p) for g in self.param_groups for p in g['params']}
        if any(id(p) in known for p in params):
            raise ValueError('some parameters appear in more than one parameter group')
        group = dict(self.defaults)
        group.update(param_group)
        group['params'] = params
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Forgets the gradients (sets `.grad` to None, PyTorch's default) before the next backward."""
        for group in self.param_groups:
            for p in group['params']:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad._array = np.zeros_like(p.grad._array)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; `closure` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        return loss

    def _update_group(self, group):
        raise NotImplementedError

    @staticmethod
    def _gradients(group, weight_decay):
        """(param, g) for each param of the group that has a gradient: g = ±∇ (minus under
        maximize) + weight_decay·θ, always a new array, so `.grad` is left untouched."""
        for p in group['params']:
            if p.grad is None:
                continue
            g = p.grad._array
            if group['maximize']:
                g = -g
            if weight_decay != 0:
                g = g + weight_decay * p._array
            yield p, g

    def __repr__(self):
        lines = [type(self).__name__ + ' (']
        for i, group in enumerate(self.param_groups):
            lines.append(f'Parameter Group {i}')
            lines += [f'    {key}: {group[key]}' for key in sorted(group) if key != 'params']
        return '\n'.join(lines + [')'])


def _check(value, name, low=0.0, high=None):
    if not low <= value or (high is not None and not value < high):
        raise ValueError(f'Invalid {name}: {value}')


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
        lr, mu, tau = group['lr'], group['momentum'], group['dampening']
        nesterov = group['nesterov']
        for p, g in self._gradients(group, group['weight_decay']):
            if mu != 0:
                state = self.state.get(p)
                if state is None:
                    buf = g.copy()
                    self.state[p] = {'momentum_buffer': buf}
                else:
                    buf = state['momentum_buffer']
                    buf *= mu
                    buf += g if tau == 0 else (1 - tau) * g
                g = g + mu * buf if nesterov else buf
            p._array -= lr * g


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
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = {'step': 0, 'exp_avg': np.zeros_like(p._array),
                                         'exp_avg_sq': np.zeros_like(p._array)}
                if amsgrad:
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
            # θ -= (γ / (1 - β₁ᵗ)) · m / (√v / √(1 - β₂ᵗ) + ε), reusing one scratch array.
            step = np.sqrt(v)
            step /= math.sqrt(1 - beta2 ** t)
            step += eps
            np.divide(m, step, out=step)
            step *= lr / (1 - beta1 ** t)
            p._array -= step


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), PyTorch's update.

        θ ← θ - γλθ        then the Adam step on the raw gradient (no L2 term in g)
    """

    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize)
