"""Norms and distances of minigrad.nn.functional: normalize, cosine_similarity,
pairwise_distance. Each is a composition of existing ops (Tensor.norm, products, sums),
as fast as one node would be here; the second derivative comes with them.
"""
import numpy as np

from ..dims import _reduction_dims
from ..tensor import Tensor
from ._checks import _check_float

__all__ = ['normalize', 'cosine_similarity', 'pairwise_distance']


def _at_least(norm, eps):
    """max(norm, eps) with the gradient of norm itself, as PyTorch clamps under no_grad."""
    lift = np.maximum(norm._array, eps) - norm._array
    return norm + Tensor._wrap(lift) if lift.any() else norm


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(‖x‖_p, eps) along `dim`: unit p-norm vectors (and 0 stays 0)."""
    _check_float(input, 'normalize')
    if out is not None:
        raise TypeError('normalize(): out= is not supported by minigrad; assign the result instead')
    norm = input.norm(p, dim, keepdim=True)
    return input / norm.clamp(min=float(eps))          # a true clamp: gradient 0 below eps (PyTorch)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Σ (x1 / max(‖x1‖, eps)) (x2 / max(‖x2‖, eps)) along `dim`, after broadcasting x1 and x2:
    the cosine of the angle between them. The norms are clamped with their gradients kept,
    as PyTorch's."""
    _check_float(x1, 'cosine_similarity', 'x1')
    _check_float(x2, 'cosine_similarity', 'x2')
    try:
        shape = np.broadcast_shapes(x1._array.shape, x2._array.shape)
    except ValueError:
        raise RuntimeError(f'cosine_similarity(): x1 of shape {tuple(x1._array.shape)} and x2 of shape '
                           f'{tuple(x2._array.shape)} do not broadcast to one shape') from None
    if x1._array.shape != shape:
        x1 = x1.expand(*shape)
    if x2._array.shape != shape:
        x2 = x2.expand(*shape)
    dim = _reduction_dims(int(dim), len(shape))
    n1 = _at_least(x1.norm(2, dim, keepdim=True), eps)
    n2 = _at_least(x2.norm(2, dim, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim=dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x1 - x2 + eps‖_p along the last dim (x1 and x2 broadcast): eps keeps the norm's
    gradient finite where x1 = x2."""
    _check_float(x1, 'pairwise_distance', 'x1')
    _check_float(x2, 'pairwise_distance', 'x2')
    ndim = max(x1.ndim, x2.ndim)
    if ndim == 0:
        return (x1 - x2 + eps).abs()
    return (x1 - x2 + eps).norm(p, ndim - 1, keepdim=keepdim)
