"""More losses of minigrad.nn.functional, each a composition of existing differentiable ops
(exp, log, clamp, where, sums): one node each would be no faster at these sizes, and the
gradient, and the second derivative, come from the ops' own rules.

The math of each is in its docstring; `reduction` is 'mean' (of the per-element or
per-sample losses), 'sum' or 'none', as everywhere in PyTorch.
"""
import math
import warnings

import numpy as np

from .. import functions as fn_
from ..tensor import Tensor
from ._checks import _check_float, _check_reduction, _float_target, _legacy_reduction
from .functional_distance import pairwise_distance

__all__ = ['kl_div', 'poisson_nll_loss', 'gaussian_nll_loss', 'margin_ranking_loss',
           'hinge_embedding_loss', 'soft_margin_loss', 'multilabel_soft_margin_loss',
           'cosine_embedding_loss', 'triplet_margin_loss']


def _reduce(losses, reduction):
    if reduction == 'mean':       # the mean of nothing is nan, as in PyTorch (and without NumPy's warning)
        return losses.mean() if losses.numel() else losses.sum() * float('nan')
    return losses.sum() if reduction == 'sum' else losses


def _start(fn, input, target, reduction):
    """Checks input and reduction; the target as a Tensor in the input's float dtype."""
    _check_float(input, fn)
    _check_reduction(reduction)
    return _float_target(target, input)


def _softplus(x):
    """log(1 + eˣ) as ops, without overflow: max(x, 0) + log1p(e^-|x|)."""
    return x.clamp(min=0.0) + (-x.abs()).exp().log1p()


def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    """Σ target (log target - input): the KL divergence from the distribution `target` to the
    one whose log-probabilities are `input` (0 where target = 0, as xlogy). log_target=True:
    the target given as log-probabilities, loss = e^target (target - input).
    'batchmean' divides the sum by the batch size input.size(0) (the KL divergence's math);
    'mean' divides by the number of elements, and warns, as PyTorch does."""
    legacy = size_average is not None or reduce is not None
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ('mean', 'sum', 'none', 'batchmean'):
        raise ValueError(f"{reduction} is not a valid value for reduction; expected one of "
                         f"'mean', 'batchmean', 'sum', 'none'")
    _check_float(input, 'kl_div')
    target = _float_target(target, input)
    if reduction == 'mean' and not legacy:
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support "
                      "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                      "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                      "major release. Pass reduction='batchmean' for the KL divergence.", UserWarning,
                      stacklevel=2)
    if log_target:
        losses = target.exp() * (target - input)
    else:
        positive = Tensor._wrap(target._array > 0)
        safe = fn_.where(positive, target, 1.0)                   # log(1) = 0 where target is 0
        losses = target * (safe.log() - input)
    if reduction == 'batchmean':
        return losses.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(losses, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction='mean'):
    """The Poisson negative log-likelihood of `target` counts with rate λ:
    log_input=True (input = log λ): e^input - target · input; else λ - target · log(λ + eps).
    full=True adds Stirling's log(target!) ≈ t log t - t + ½ log(2π t), where target > 1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _start('poisson_nll_loss', input, target, reduction)
    if log_input:
        losses = input.exp() - target * input
    else:
        losses = input - target * (input + eps).log()
    if full:
        above = Tensor._wrap(target._array > 1)
        safe = fn_.where(above, target, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        losses = losses + fn_.where(above, stirling, 0.0)
    return _reduce(losses, reduction)


def _gaussian_var(var, input):
    """var as a Tensor shaped to broadcast against the input, checked as PyTorch checks it."""
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError('var has negative entry/entries')
        return Tensor._wrap(np.full(input._array.shape, var, dtype=input.dtype))
    var = _float_target(var, input)
    if var._array.size and var._array.min() < 0:
        raise ValueError('var has negative entry/entries')
    shape, vshape = tuple(input._array.shape), tuple(var._array.shape)
    if vshape == shape:
        return var
    if shape[:-1] == vshape:                        # one variance per sample: homoscedastic
        return var.unsqueeze(-1)
    mismatched = [v for i, v in zip(shape, vshape) if i != v]
    if len(shape) == len(vshape) and sum(mismatched) == 1:
        return var
    raise ValueError(f'var is of incorrect size: expected the input\'s shape {shape}, {shape[:-1]}, or '
                     f'the input\'s shape with one dim of size 1; got {vshape}')


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    """½ (log var + (input - target)² / var), + ½ log 2π with full=True: the negative
    log-likelihood of target under N(input, var). var is clamped at eps for stability,
    with the gradient passing the clamp unchanged, as PyTorch's (no_grad clamp)."""
    _check_float(input, 'gaussian_nll_loss')
    target = _float_target(target, input)
    var = _gaussian_var(var, input)
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f'{reduction} is not valid')
    lift = np.maximum(var._array, eps) - var._array
    var = var + Tensor._wrap(lift) if lift.any() else var
    diff = input - target
    losses = 0.5 * (var.log() + diff * diff / var)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce(losses, reduction)


def _same_dims(fn, *tensors):
    if len({t.ndim for t in tensors}) > 1:
        sizes = ', '.join(f'{tuple(t._array.shape)}' for t in tensors)
        raise RuntimeError(f'{fn}: all input tensors should have the same number of dims, got sizes {sizes}')


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction='mean'):
    """max(0, -target (input1 - input2) + margin): target = 1 says input1 should rank higher
    (by at least margin), target = -1 that input2 should."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _start('margin_ranking_loss', input1, target, reduction)
    _check_float(input2, 'margin_ranking_loss', 'input2')
    _same_dims('margin_ranking_loss', input1, input2, target)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0.0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    """input where target = 1, max(0, margin - input) where target = -1 (the input being a
    distance: small for similar pairs, at least margin for dissimilar ones)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _start('hinge_embedding_loss', input, target, reduction)
    y = target._array
    hinge = fn_.where(Tensor._wrap(y != 1), (margin - input).clamp(min=0.0), 0.0)
    return _reduce(hinge + fn_.where(Tensor._wrap(y != -1), input, 0.0), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """log(1 + e^(-target · input)), targets ±1: a smooth hinge, computed without overflow."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _start('soft_margin_loss', input, target, reduction)
    return _reduce(_softplus(-target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction='mean'):
    """-(1/C) Σ_c w_c [y_c log σ(x_c) + (1 - y_c) log σ(-x_c)] per sample, for C independent
    labels y in {0, 1} (binary cross-entropy of logits, averaged over the labels)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _start('multilabel_soft_margin_loss', input, target, reduction)
    # log σ(x) = -softplus(-x), log σ(-x) = -softplus(x)
    losses = target * _softplus(-input) + (1 - target) * _softplus(input)
    if weight is not None:
        losses = losses * _float_target(weight, input)
    classes = input.shape[-1] if input.ndim else 1
    return _reduce(losses.sum(dim=-1 if input.ndim else None) / classes, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction='mean'):
    """1 - cos(x1, x2) where target = 1, max(0, cos(x1, x2) - margin) where target = -1,
    cos along the last dim: cos = x1·x2 / √((|x1|² + ε)(|x2|² + ε)), ε = 1e-12 (PyTorch's)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    target = _start('cosine_embedding_loss', input1, target, reduction)
    _check_float(input2, 'cosine_embedding_loss', 'input2')
    if input1._array.shape != input2._array.shape:
        raise RuntimeError(f'cosine_embedding_loss: input1 and input2 must have the same shape, got '
                           f'{tuple(input1._array.shape)} and {tuple(input2._array.shape)}')
    if input1.ndim not in (1, 2) or target.ndim != input1.ndim - 1:
        raise RuntimeError(f'cosine_embedding_loss: expected inputs of shape (N, D) with a target of '
                           f'shape (N,), or (D,) with a 0-d target; got {tuple(input1._array.shape)} '
                           f'and a target of shape {tuple(target._array.shape)}')
    dot = (input1 * input2).sum(dim=-1)
    squares = ((input1 * input1).sum(dim=-1) + 1e-12) * ((input2 * input2).sum(dim=-1) + 1e-12)
    cos = dot / squares.sqrt()
    y = target._array
    losses = (fn_.where(Tensor._wrap(y == 1), 1 - cos, 0.0)
              + fn_.where(Tensor._wrap(y == -1), (cos - margin).clamp(min=0.0), 0.0))
    return _reduce(losses, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction='mean'):
    """max(0, d(a, p) - d(a, n) + margin), d = pairwise_distance(·, ·, p, eps): the anchor
    nearer its positive than its negative by margin. swap=True uses min(d(a, n), d(p, n))."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    fn = 'triplet_margin_loss'
    for name, t in (('anchor', anchor), ('positive', positive), ('negative', negative)):
        _check_float(t, fn, name)
    _check_reduction(reduction)
    if not anchor.ndim == positive.ndim == negative.ndim or anchor.ndim not in (1, 2):
        raise RuntimeError(f'{fn}: the anchor, positive and negative must all be 1-D (D,) or all 2-D '
                           f'(N, D); got {anchor.ndim}-D, {positive.ndim}-D and {negative.ndim}-D')
    if margin <= 0:
        raise ValueError(f'{fn}: expected margin to be greater than 0, got {margin} instead')
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp(min=0.0), reduction)
