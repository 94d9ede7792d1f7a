"""Factories: new tensors of a given shape. Floats default to float32."""
import numpy as np

from .random import generator
from .tensor import Tensor, _shape_arg


def _make(array, requires_grad):
    t = Tensor._wrap(array)
    return t.requires_grad_(True) if requires_grad else t


def _dtype(dtype, default=np.float32):
    return np.dtype(default if dtype is None else dtype)


def zeros(*size, requires_grad=False, dtype=None):
    return _make(np.zeros(_shape_arg(size), _dtype(dtype)), requires_grad)


def ones(*size, requires_grad=False, dtype=None):
    return _make(np.ones(_shape_arg(size), _dtype(dtype)), requires_grad)


def full(size, fill_value, requires_grad=False, dtype=None):
    if dtype is None:
        dtype = np.int64 if isinstance(fill_value, int) and not isinstance(fill_value, bool) else \
            np.bool_ if isinstance(fill_value, bool) else np.float32
    return _make(np.full(_shape_arg((size,)), fill_value, _dtype(dtype)), requires_grad)


def randn(*size, requires_grad=False, dtype=None):
    """Samples from the standard normal distribution."""
    return _make(generator().standard_normal(_shape_arg(size)).astype(_dtype(dtype)), requires_grad)


def rand(*size, requires_grad=False, dtype=None):
    """Samples uniformly from [0, 1)."""
    return _make(generator().random(_shape_arg(size)).astype(_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, requires_grad=False, dtype=None):
    """Values from start (default 0) up to end, exclusive; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        floats = any(isinstance(v, float) for v in (start, end, step))
        dtype = np.float32 if floats else np.int64
    return _make(np.arange(start, end, step, dtype=np.dtype(dtype)), requires_grad)


def eye(n, m=None, requires_grad=False, dtype=None):
    return _make(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def zeros_like(t, requires_grad=False, dtype=None):
    return _make(np.zeros(t.shape, _dtype(dtype, t.dtype)), requires_grad)


def ones_like(t, requires_grad=False, dtype=None):
    return _make(np.ones(t.shape, _dtype(dtype, t.dtype)), requires_grad)


def randn_like(t, requires_grad=False, dtype=None):
    return randn(*t.shape, requires_grad=requires_grad, dtype=_dtype(dtype, t.dtype))
