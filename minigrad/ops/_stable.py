"""Softmax, log-softmax and log-sum-exp, computed stably: minigrad's one copy of the trick.

e^x overflows to inf past x ≈ 709 (88 in float32) and underflows to 0 below -745,
so e^x / Σ e^x can be inf / inf or 0 / 0. Subtracting each row's max m first
changes nothing, as e^-m cancels:  e^x / Σ e^x = e^(x - m) / Σ e^(x - m).  But now
every e^(x - m) <= 1 and the largest is exactly 1, so the sum can neither overflow
nor be 0, and its log is finite. The ops Softmax, LogSoftmax, LogSumExp and the
cross-entropy losses all call these helpers, which are plain NumPy: they run on
arrays, and on Tensors traced by create_graph (see minigrad/numpy_api.py).

An infinite logit still gives nan, as in PyTorch: inf - inf has no value.
"""
import numpy as np


def softmax_parts(x, axis, peak=None):
    """x - m, e^(x - m) and Σ e^(x - m) along `axis` (kept, size 1), m = `peak` or the max:
    softmax(x) = e^(x - m) / Σ and log_softmax(x) = (x - m) - log Σ."""
    if peak is None:
        peak = x.max(axis=axis, keepdims=True)
    shifted = x - peak
    exp = np.exp(shifted)
    return shifted, exp, exp.sum(axis=axis, keepdims=True)


def softmax(x, axis):
    """e^x / Σ e^x along `axis`."""
    if x.size == 0:                     # nothing to normalise (max() would fail); a new array
        return x.copy()
    _, exp, total = softmax_parts(x, axis)
    return exp / total


def log_softmax(x, axis):
    """x - log Σ e^x along `axis`, as (x - m) - log Σ e^(x - m): never a log(softmax(x)),
    which is log(0) = -inf as soon as a probability underflows."""
    if x.size == 0:                     # nothing to normalise (max() would fail); a new array
        return x.copy()
    shifted, _, total = softmax_parts(x, axis)
    return shifted - np.log(total)


def logsumexp(x, axis):
    """log Σ e^x along `axis` (None: all of x), kept with size 1: m + log Σ e^(x - m).

    A max of ±inf is not subtracted (inf - inf is nan): Σ e^x is then inf, or 0 for a
    row of -inf, and its log the right inf or -inf, as PyTorch's logsumexp gives."""
    peak = x.max(axis=axis, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
    peak = np.where(np.isfinite(peak), peak, 0)
    _, _, total = softmax_parts(x, axis, peak)
    return np.log(total) + peak
