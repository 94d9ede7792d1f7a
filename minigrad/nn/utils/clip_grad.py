"""Gradient clipping: rescale or clamp the `.grad` of parameters, in place, after backward.

clip_grad_norm_ treats all the gradients as one long vector g and, when its p-norm
‖g‖ exceeds max_norm, scales every gradient by max_norm / (‖g‖ + 1e-6), so the step
keeps its direction but not its length; clip_grad_value_ clamps each entry to
[-clip_value, clip_value], which changes the direction too.
"""
import types
import warnings

import numpy as np

from ...dtypes import get_default_dtype
from ...ops.linalg import _vector_norm
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
        return Tensor._wrap(np.array(0.0, get_default_dtype()))
    # speed: on the arrays, not through linalg.vector_norm's graph nodes (with the writes below,
    # clip_grad_norm_ of a 784-256-256-10 MLP's grads: 1.9 ms -> 1.5 ms; PyTorch 0.8-0.95 ms)
    norms = np.stack([_vector_norm(t._array, norm_type, tuple(range(t.ndim))).reshape(()) for t in tensors])
    total = Tensor._wrap(_vector_norm(norms, norm_type, (0,)).reshape(()))
    if error_if_nonfinite and not np.isfinite(total._array):
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
    total = total_norm._array if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coefficient = np.minimum(float(max_norm) / (total + 1e-6), 1.0)      # in the norm's dtype
    with np.errstate(invalid='ignore'):         # inf · 0 is nan, and PyTorch says nothing of it
        for grad in grads:                      # speed: a write, not mul_'s graph node
            grad._write(grad._array * coefficient.astype(grad.dtype), 'mul_')


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
    for p in _as_list(parameters):
        if p.grad is not None:                  # speed: a write, not clamp_'s node: 0.8 -> 0.55 ms (MLP)
            p.grad._write(np.clip(p.grad._array, -clip_value, clip_value), 'clamp_')
