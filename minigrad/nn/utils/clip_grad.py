"""Gradient clipping: rescale or clamp the `.grad` of parameters, in place, after backward.

clip_grad_norm_ treats all the gradients as one long vector g and, when its p-norm
‖g‖ exceeds max_norm, scales every gradient by max_norm / (‖g‖ + 1e-6), so the step
keeps its direction but not its length; clip_grad_value_ clamps each entry to
[-clip_value, clip_value], which changes the direction too.
"""
import types
import warnings

import numpy as np

from ...autograd import no_grad
from ...dtypes import get_default_dtype
from ...functions import stack
from ...products import vector_norm
from ...tensor import Tensor


def _as_list(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _check_foreach(foreach):
    """foreach= picks PyTorch's fused multi-tensor kernels; minigrad has one path, so any value
    gives the same result (None and True as PyTorch's CPU tensors, False as its per-tensor loop)."""
    if foreach not in (None, True, False):
        raise TypeError(f'foreach must be None, True or False, got {foreach!r}')


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """‖(‖t₁‖ₚ, ‖t₂‖ₚ, ...)‖ₚ: the p-norm of all the tensors seen as one vector (p may be
    'inf' or float('inf'): the largest |entry|). 0 (a float32 tensor) for no tensors."""
    _check_foreach(foreach)
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._wrap(get_default_dtype().type(0.0))
    with no_grad():
        total = vector_norm(stack([vector_norm(t, norm_type) for t in tensors]), norm_type)
    if error_if_nonfinite and not total.isfinite().item():
        raise RuntimeError(f'The total norm of order {norm_type} for gradients from `parameters` is '
                           f'non-finite, so it cannot be clipped. To disable this error and scale the '
                           f'gradients by the non-finite norm anyway, set `error_if_nonfinite=False`')
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Multiplies every `.grad` by min(max_norm / (total_norm + 1e-6), 1), in place."""
    _check_foreach(foreach)
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    coefficient = min(float(max_norm) / (float(total_norm) + 1e-6), 1.0)
    with no_grad(), np.errstate(invalid='ignore'):     # inf · 0 is nan, as PyTorch says nothing of
        for grad in grads:
            grad.mul_(coefficient)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescales the gradients so that their total p-norm is at most max_norm; returns the
    total norm before clipping (a Tensor): `get_total_norm` then `clip_grads_with_norm_`."""
    if isinstance(parameters, types.GeneratorType):
        parameters = list(parameters)
        if not parameters:
            warnings.warn('`parameters` is an empty generator, no gradient clipping will occur.',
                          stacklevel=2)
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated: `clip_grad_norm_`."""
    warnings.warn('`torch.nn.utils.clip_grad_norm` is now deprecated in favor of '
                  '`torch.nn.utils.clip_grad_norm_`.', FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamps every entry of every `.grad` to [-clip_value, clip_value], in place."""
    _check_foreach(foreach)
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(-clip_value, clip_value)
