"""Derivatives of whole functions, as PyTorch's `torch.autograd.functional` computes them.

    mg.autograd.functional.jacobian(f, x)        # d f(x) / d x, shape f(x).shape + x.shape
    mg.autograd.functional.hessian(f, x)         # the Jacobian of the gradient of a scalar f
    mg.autograd.functional.vjp(f, x, v)          # vᵀ J, one backward pass
    mg.autograd.functional.jvp(f, x, v)          # J v, by differentiating a vjp (two backward passes)
    mg.autograd.functional.hvp(f, x, v)          # H v, a backward pass through a backward pass

Each is built from `mg.autograd.grad`; the Hessian ones need `create_graph=True`, that
is, a backward pass that records its own graph.
"""
import numpy as np

from .engine import grad as _grad
from ..creation import zeros_like
from ..functions import stack
from ..tensor import Tensor


def _as_tuple(values, name):
    """(tuple of Tensors, whether the caller gave a single Tensor)."""
    single = isinstance(values, Tensor)
    values = (values,) if single else tuple(values)
    for v in values:
        if not isinstance(v, Tensor):
            raise TypeError(f'The {name} given to a minigrad.autograd.functional function must be '
                            f'a Tensor or a tuple of Tensors, but one of them is {type(v).__name__}')
    return values, single


def _prepare(inputs, create_graph):
    """Inputs to differentiate at: new leaves that require grad (kept in the graph if create_graph)."""
    return tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(True)
                 for x in inputs)


def _finish(values, single, create_graph):
    values = tuple(v if v is None or create_graph else v.detach() for v in values)
    return values[0] if single else values


# PyTorch's words when strict=True finds a derivative missing (None) or constant (under
# create_graph), by the stage that found it: a backward pass, the double-backward trick of
# jvp, or the second pass of vhp and hvp.
_INDEPENDENT = {
    'back': 'The output of the user-provided function is independent of input {i}.',
    'gradient': 'The output of the user-provided function is independent of input {i}.',
    'back_trick': 'The gradient with respect to the input is independent of entry {i} in the '
                  'grad_outputs when using the double backward trick to compute forward mode '
                  'gradients.',
    'double_back': 'The jacobian of the user-provided function is independent of input {i}.',
    'double_back_trick': 'The hessian of the user-provided function is independent of entry {i} '
                         'in the grad_jacobian. This is not allowed in strict mode as it prevents '
                         'from using the double backward trick to replace forward mode AD.',
}
_CONSTANT = 'The {what} of the user-provided function is independent of input {i}.'
_GRADIENT_CONSTANT = ('While computing the hessian, found that the jacobian of the user-provided '
                      'function with respect to input {i} is independent of the input. This is not '
                      'allowed in strict mode. You should ensure that your function is twice '
                      'differentiable and that the jacobian depends on the inputs (this would be '
                      'violated by a linear function for example).')


def _check_outputs(outputs, strict):
    """strict=True: every output must depend on the inputs (PyTorch's words)."""
    for i, out in enumerate(outputs if strict else ()):
        if not out.requires_grad:
            raise RuntimeError(f'Output {i} of the user-provided function does not require '
                               f'gradients. The outputs must be computed in a differentiable '
                               f'manner from the input when running in strict mode.')


def _grads(outputs, inputs, grad_outputs, create_graph, strict, stage='back'):
    """d outputs / d inputs contracted with grad_outputs; zeros for unused inputs unless strict,
    which refuses them, and under create_graph also a derivative that is a constant."""
    pairs = [(out, g) for out, g in zip(outputs, grad_outputs) if out.requires_grad]
    found = [None] * len(inputs)
    if pairs:
        found = _grad([out for out, _ in pairs], inputs, [g for _, g in pairs],
                      retain_graph=True, create_graph=create_graph, allow_unused=True)
    for i, g in enumerate(found if strict else ()):
        if g is None:
            message = _INDEPENDENT[stage].format(i=i)
            raise RuntimeError(message + ('' if stage == 'double_back_trick'
                                          else ' This is not allowed in strict mode.'))
        if stage == 'gradient' and not g.requires_grad:    # the first pass of a hessian
            raise RuntimeError(_GRADIENT_CONSTANT.format(i=i))
        if create_graph and not g.requires_grad and stage != 'gradient':
            what = 'hessian' if stage.startswith('double') else 'jacobian'
            raise RuntimeError(_CONSTANT.format(what=what, i=i) + ' This is not allowed in '
                               'strict mode when create_graph=True.')
    return tuple(zeros_like(x) if g is None else g for g, x in zip(found, inputs))


def _checked_v(v, like, name):
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError('The vector v can only be None if the ' + (
                'user-provided function returns' if name == 'output' else
                'input to the user-provided function is') + ' a single Tensor with a single element.')
        return tuple(Tensor._wrap(np.ones(t.shape, t.dtype)) for t in like)
    v, _ = _as_tuple(v, 'v')
    if len(v) != len(like) or any(tuple(a.shape) != tuple(b.shape) for a, b in zip(v, like)):
        raise RuntimeError(f'v has shapes {[tuple(a.shape) for a in v]} but the {name} has shapes '
                           f'{[tuple(b.shape) for b in like]}; they must match')
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ J): the vector-Jacobian product, which is what backward computes."""
    inputs, single_in = _as_tuple(inputs, 'inputs')
    inputs = _prepare(inputs, create_graph)
    outputs, single_out = _as_tuple(func(*inputs), 'outputs')
    _check_outputs(outputs, strict)
    v = _checked_v(v, outputs, 'output')
    result = _grads(outputs, inputs, v, create_graph, strict)
    return _finish(outputs, single_out, create_graph), _finish(result, single_in, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-vjp trick:
    g(u) = uᵀ J is linear in u, so d(g · v)/du = J v."""
    inputs, single_in = _as_tuple(inputs, 'inputs')
    inputs = _prepare(inputs, create_graph)
    v = _checked_v(v, inputs, 'input')
    outputs, single_out = _as_tuple(func(*inputs), 'outputs')
    _check_outputs(outputs, strict)
    dummies = tuple(Tensor._wrap(np.zeros(out.shape, out.dtype)).requires_grad_(True)
                    for out in outputs)
    vjps = _grads(outputs, inputs, dummies, True, strict and not create_graph, 'back_trick')
    result = _grads(vjps, dummies, v, create_graph, strict, 'back_trick')
    return _finish(outputs, single_out, create_graph), _finish(result, single_out, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy='reverse-mode'):
    """d func(inputs) / d inputs, one backward pass per output element. For one output and
    one input the result has shape output.shape + input.shape; for tuples, nested tuples
    (outputs outside, inputs inside), as in PyTorch."""
    if strategy != 'reverse-mode':
        raise NotImplementedError("minigrad computes Jacobians in reverse mode only: "
                                  "strategy='reverse-mode'")
    inputs, single_in = _as_tuple(inputs, 'inputs')
    inputs = _prepare(inputs, create_graph)
    outputs, single_out = _as_tuple(func(*inputs), 'outputs')
    _check_outputs(outputs, strict)
    table = []
    for out in outputs:
        rows = []
        for k in range(out.numel()):
            seed = np.zeros(out.numel(), out.dtype)
            seed[k] = 1
            seed = (Tensor._wrap(seed.reshape(out.shape)),)
            rows.append(_grads((out,), inputs, seed, create_graph, strict))
        per_input = tuple(
            (stack([row[i] for row in rows]) if rows else zeros_like(x).reshape(0, *x.shape))
            .reshape(*out.shape, *x.shape) for i, x in enumerate(inputs))
        table.append(_finish(per_input, single_in, create_graph))
    return table[0] if single_out else tuple(table)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy='reverse-mode'):
    """The matrix of second derivatives of a scalar func: the Jacobian of its gradient."""
    inputs, single_in = _as_tuple(inputs, 'inputs')

    def gradient(*xs):
        out = func(*xs)
        _check_scalar(out, 'hessian')
        _check_outputs((out,), strict)
        return _grads((out,), xs, (Tensor._wrap(np.ones((), out.dtype)),), True, strict, 'gradient')

    result = jacobian(gradient, inputs, create_graph, strict, vectorize, outer_jacobian_strategy)
    return result[0][0] if single_in else result


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ H) for a scalar func: the gradient of (∇func · v)."""
    inputs, single_in = _as_tuple(inputs, 'inputs')
    inputs = _prepare(inputs, create_graph)
    v = _checked_v(v, inputs, 'input')
    out = func(*inputs)
    _check_scalar(out, 'vhp')
    _check_outputs((out,), strict)
    gradient = _grads((out,), inputs, (Tensor._wrap(np.ones((), out.dtype)),), True, strict,
                      'gradient')
    dot = sum((g * w).sum() for g, w in zip(gradient, v))
    result = _grads((dot,), inputs, (Tensor._wrap(np.ones((), dot.dtype)),), create_graph, strict,
                    'double_back')
    return _finish((out,), True, create_graph), _finish(result, single_in, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar func; the Hessian is symmetric, so H v = (vᵀ H)ᵀ."""
    return vhp(func, inputs, v, create_graph, strict)


def _check_scalar(out, name):
    if not isinstance(out, Tensor) or out.numel() != 1:
        shape = tuple(out.shape) if isinstance(out, Tensor) else type(out).__name__
        raise RuntimeError(f'The function given to {name} must return a single-element Tensor, '
                           f'got {shape}')
