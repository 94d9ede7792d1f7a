"""F.scaled_dot_product_attention, a composition of existing ops (matmul, softmax, where):

    attention(Q, K, V) = softmax(Q Kᵀ · scale + bias) V,   scale = 1/√E by default,

over the last two dims (L queries, S keys, E features), batched over the dims before.
bias is 0 where a query may look at a key and -inf where it may not (is_causal: key j
after query i; a bool attn_mask: False), or a float attn_mask added as it is. A query that
may look at no key at all gets zeros (and zero gradient), as PyTorch gives.
"""
import math

import numpy as np

from .. import functions as fn_
from ..tensor import Tensor
from ._checks import _check_float
from .functional_dropout import dropout

__all__ = ['scaled_dot_product_attention']


def _check(query, key, value, enable_gqa):
    for name, t in (('query', query), ('key', key), ('value', value)):
        _check_float(t, 'scaled_dot_product_attention', name)
        if t.ndim < 2:
            raise RuntimeError(f'scaled_dot_product_attention: {name} must have at least 2 dims '
                               f'(..., sequence, features), got shape {tuple(t._array.shape)}')
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(f'Expected query, key, and value to have the same dtype, but got query.dtype: '
                           f'{query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead.')
    if query._array.shape[-1] != key._array.shape[-1]:
        raise RuntimeError(f'scaled_dot_product_attention: query and key must have the same last dim '
                           f'(features), got {query._array.shape[-1]} and {key._array.shape[-1]}')
    if enable_gqa and query.ndim >= 3:
        heads, kv_heads = query._array.shape[-3], key._array.shape[-3]
        if heads % kv_heads:
            raise RuntimeError(f'scaled_dot_product_attention(enable_gqa=True): the query\'s {heads} heads '
                               f'must be a multiple of the key\'s and value\'s {kv_heads}')


def _grouped(t, repeats):
    """Each key/value head repeated for the `repeats` query heads that share it (dim -3)."""
    if repeats == 1:
        return t
    return t[(Ellipsis, np.repeat(np.arange(t._array.shape[-3]), repeats), slice(None), slice(None))]


def _allowed(attn_mask, is_causal, L, S):
    """The bool mask of (query, key) pairs allowed by is_causal and a bool attn_mask (None: all)."""
    allowed = np.tril(np.ones((L, S), dtype=bool)) if is_causal else None
    if attn_mask is not None and attn_mask.dtype == np.bool_:
        mask = attn_mask._array
        allowed = mask if allowed is None else allowed & mask
    return allowed


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    """softmax(Q Kᵀ · scale + bias) V; see the module docstring. dropout_p drops attention
    weights (as F.dropout, always: PyTorch applies it whatever the module's mode)."""
    _check(query, key, value, enable_gqa)
    if is_causal and attn_mask is not None:         # PyTorch's documented error
        raise RuntimeError('_scaled_dot_product_attention: Explicit attn_mask should not be set when '
                           'is_causal=True; fold the causal mask into attn_mask instead')
    if enable_gqa and query.ndim >= 3:
        key = _grouped(key, query._array.shape[-3] // key._array.shape[-3])
        value = _grouped(value, query._array.shape[-3] // value._array.shape[-3])
    L, S = query._array.shape[-2], key._array.shape[-2]
    scale = 1 / math.sqrt(query._array.shape[-1]) if scale is None else scale
    scores = query.matmul(key.transpose(-2, -1)) * scale
    if attn_mask is not None and attn_mask.dtype != np.bool_:
        scores = scores + attn_mask
    allowed = _allowed(attn_mask, is_causal, L, S)
    if allowed is not None:
        scores = fn_.where(Tensor._wrap(np.broadcast_to(allowed, scores._array.shape)), scores, -math.inf)
    # rows with no allowed key (all -inf) would be nan: softmax them at 0 and zero them after
    empty = np.isneginf(scores._array).all(axis=-1, keepdims=True)
    if empty.any():
        scores = fn_.where(Tensor._wrap(np.broadcast_to(empty, scores._array.shape)), 0.0, scores)
    weights = scores.softmax(-1)
    if empty.any():
        weights = weights * Tensor._wrap((~empty).astype(weights.dtype))
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return weights.matmul(value)
