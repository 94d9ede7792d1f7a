"""F.scaled_dot_product_attention, one op (Attention, minigrad/ops/attention.py, its backward
written out), and F.multi_head_attention_forward, a composition around it:

    attention(Q, K, V) = softmax(Q Kᵀ · scale + bias) V,   scale = 1/√E by default,

over the last two dims (L queries, S keys, E features), batched over the dims before.
bias is 0 where a query may look at a key and -inf where it may not (is_causal: key j
after query i; a bool attn_mask: False), or a float attn_mask added as it is. A query that
may look at no key at all gets zeros (and zero gradient), as PyTorch gives.
"""
import math
import warnings

import numpy as np

from .. import functions as fn_
from ..tensor import Tensor
from ..ops import linalg
from ._checks import _check_float
from ..ops.attention import Attention
from .functional_dropout import _keep, dropout
from .functional_padding import pad

__all__ = ['scaled_dot_product_attention', 'multi_head_attention_forward']


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
    bias = [attn_mask] if attn_mask is not None and attn_mask.dtype != np.bool_ else []
    keep = None
    if dropout_p > 0:
        shape = np.broadcast_shapes(query._array.shape[:-2], key._array.shape[:-2],
                                    *[b._array.shape[:-2] for b in bias]) + (L, S)
        keep = _keep(query, dropout_p, shape) / np.asarray(1 - dropout_p, dtype=query._array.dtype) \
            if dropout_p < 1 else np.zeros(shape, dtype=query._array.dtype)
    return Attention.apply(query, key, value, *bias, scale=scale, allowed=_allowed(attn_mask, is_causal, L, S),
                           keep=keep)


# ------------------------------------------------------------ multi-head attention
#
# F.multi_head_attention_forward, what nn.MultiheadAttention runs: with the (L, N, E) layout
# (sequence first) and h heads of E/h features,
#
#     Q = q W_qᵀ + b_q,  K = k W_kᵀ + b_k,  V = v W_vᵀ + b_v      (W_q; W_k; W_v = in_proj_weight)
#     head_i = softmax(Q_i K_iᵀ / √(E/h) + mask) V_i,               i = 1..h
#     output = concat(head_1, ..., head_h) W_oᵀ + b_o,
#
# mask the sum of attn_mask and key_padding_mask, each bool (True: may NOT attend, -inf) or
# float (added). Every step is an existing differentiable op.

def _canonical_mask(mask, mask_name, dtype, other=None, other_name=''):
    """A bool mask as floats, -inf where True (masked out) and 0 elsewhere; a float mask as it is.
    Warns, as PyTorch, when `other` (the mask it is added to) has another dtype."""
    if mask is None:
        return None
    if mask.dtype != np.bool_ and not mask.is_floating_point():
        raise AssertionError(f'only bool and floating types of {mask_name} are supported')
    if other is not None and other.dtype != mask.dtype:
        warnings.warn(f'Support for mismatched {mask_name} and {other_name} is deprecated. Use same '
                      f'type for both instead.', stacklevel=3)
    if mask.dtype == np.bool_:
        return Tensor._wrap(np.where(mask._array, -np.inf, 0.0).astype(dtype))
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched (3-D query) or not (2-D); PyTorch's checks and messages."""
    if query.dim() not in (2, 3):
        raise AssertionError(f'query should be unbatched 2D or batched 3D tensor but received '
                             f'{query.dim()}-D query tensor')
    kind = 'batched (3-D)' if query.dim() == 3 else 'unbatched (2-D)'
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(f'For {kind} `query`, expected `key` and `value` to be {query.dim()}-D but '
                             f'found {key.dim()}-D and {value.dim()}-D tensors respectively')
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(f'For {kind} `query`, expected `key_padding_mask` to be `None` or '
                             f'{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor instead')
    if attn_mask is not None and attn_mask.dim() not in (2, 3):
        raise AssertionError(f'For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but '
                             f'found {attn_mask.dim()}-D tensor instead')
    if query.dim() == 2 and attn_mask is not None and attn_mask.dim() == 3:
        expected = (num_heads, query.shape[0], key.shape[0])
        if tuple(attn_mask.shape) != expected:
            raise AssertionError(f'Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}')
    return query.dim() == 3


def _in_projection(query, key, value, w, b, separate):
    """Q, K, V = query W_qᵀ + b_q, key W_kᵀ + b_k, value W_vᵀ + b_v; `w` is in_proj_weight (3E×E,
    the three stacked) or, when `separate`, the triple (q_proj_weight, k_proj_weight, v_proj_weight)."""
    # speed: three products with the (E×E) slices, not one with in_proj_weight cut in three after,
    # also for self-attention: 2.8 against 4.1 ms forward and backward at (32, 32, 64), as the
    # cut's backward fills three (L, N, 3E) gradients with zeros.
    ws = w if separate else w.chunk(3)
    bs = (None,) * 3 if b is None else b.chunk(3)
    return tuple(_linear(x, wi, bi) for x, wi, bi in zip((query, key, value), ws, bs))


def _attn_mask_3d(attn_mask, tgt_len, src_len, bsz, num_heads):
    """attn_mask as (1 or N·h, L, S), checking PyTorch's shapes."""
    if attn_mask is None:
        return None
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f'The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should '
                               f'be {(tgt_len, src_len)}.')
        return attn_mask.unsqueeze(0)
    if attn_mask.dim() == 3:
        if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f'The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should '
                               f'be {(bsz * num_heads, tgt_len, src_len)}.')
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")


def _pad_key(k, v, masks, extra_k, extra_v, dim):
    """Appends one key and value position (bias_k/bias_v or zeros) along `dim`; masks grow by a
    column of 0 (the new key is visible)."""
    k, v = fn_.cat([k, extra_k], dim=dim), fn_.cat([v, extra_v], dim=dim)
    return k, v, [None if m is None else pad(m, (0, 1)) for m in masks]


def _heads(x, length, bsz, num_heads, head_dim):
    """(S, N, E) → (N·h, S, E/h): each batch element's heads side by side, batch-major."""
    return x.reshape(length, bsz * num_heads, head_dim).transpose(0, 1)


def _merge_key_padding(attn_mask, key_padding_mask, bsz, num_heads, src_len):
    """attn_mask + key_padding_mask, the latter (N, S) broadcast to each head and query: (N·h, 1, S)."""
    if key_padding_mask is None:
        return attn_mask
    for i, size in enumerate((bsz, src_len)):
        if key_padding_mask.shape[i] != size:       # (sic: PyTorch's message says "padded")
            raise AssertionError(f'Expected key_padded_mask.shape[{i}] to be {size}, but got '
                                 f'{key_padding_mask.shape[i]}')
    kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
    kpm = kpm.reshape(bsz * num_heads, 1, src_len)
    return kpm if attn_mask is None else attn_mask + kpm


def _weighted(q, k, v, attn_mask, dropout_p):
    """softmax(q kᵀ / √d + mask) and its product with v, on (N·h, L, d) heads; the weights are kept."""
    scores = (q * math.sqrt(1.0 / q.shape[-1])).bmm(k.transpose(-2, -1))
    if attn_mask is not None:
        scores = scores + attn_mask
    with np.errstate(invalid='ignore'):         # a query with no key left: nan, as PyTorch, unwarned
        weights = scores.softmax(-1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return weights.bmm(v), weights


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                                 out_proj_bias, training=True, key_padding_mask=None, need_weights=True,
                                 attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                                 average_attn_weights=True, is_causal=False):
    """Multi-head attention of (L, N, E) queries over (S, N, E) keys and values (or unbatched
    (L, E), (S, E)); see the comment above. Returns (output (L, N, E), weights (N, L, S) averaged
    over heads, or (N, h, L, S), or None unless need_weights)."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:                             # one sequence: a batch of one, squeezed at the end
        query, key, value = (t.unsqueeze(1) for t in (query, key, value))
        key_padding_mask = None if key_padding_mask is None else key_padding_mask.unsqueeze(0)
    key_padding_mask = _canonical_mask(key_padding_mask, 'key_padding_mask', query.dtype, attn_mask, 'attn_mask')
    if is_causal and attn_mask is None:
        raise RuntimeError('Need attn_mask if specifying the is_causal hint. You may use the Transformer '
                           'module method `generate_square_subsequent_mask` to create this mask.')
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None                        # the hint: attention's own causal masking replaces it
    else:
        attn_mask = _canonical_mask(attn_mask, 'attn_mask', query.dtype)
        is_causal = False
    tgt_len, bsz, embed_dim = query.shape
    _check_dims(key, value, embed_dim, embed_dim_to_check, num_heads, use_separate_proj_weight)
    weights = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else in_proj_weight
    q, k, v = _in_projection(query, key, value, weights, in_proj_bias, use_separate_proj_weight)
    masks = (_attn_mask_3d(attn_mask, tgt_len, key.shape[0], bsz, num_heads), key_padding_mask)
    q, k, v, masks = _split_heads(q, k, v, masks, bias_k, bias_v, static_k, static_v, add_zero_attn, num_heads)
    src_len = k.shape[1]
    attn_mask = _merge_key_padding(masks[0], masks[1], bsz, num_heads, src_len)
    dropout_p = dropout_p if training else 0.0
    if need_weights:
        out, weights = _weighted(q, k, v, attn_mask, dropout_p)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        weights = weights.mean(dim=1) if average_attn_weights else weights
    else:
        if attn_mask is not None:
            attn_mask = attn_mask.reshape(1 if attn_mask.shape[0] == 1 else bsz, -1, attn_mask.shape[-2], src_len)
        split = [t.reshape(bsz, num_heads, t.shape[1], t.shape[2]) for t in (q, k, v)]
        out = scaled_dot_product_attention(*split, attn_mask, dropout_p, is_causal)
        out, weights = out.reshape(bsz * num_heads, tgt_len, out.shape[-1]), None
    out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights


def _check_dims(key, value, embed_dim, embed_dim_to_check, num_heads, separate):
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f'was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}')
    if embed_dim // num_heads * num_heads != embed_dim:
        raise AssertionError(f'embed_dim {embed_dim} not divisible by num_heads {num_heads}')
    if separate and tuple(key.shape[:2]) != tuple(value.shape[:2]):
        raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match "
                             f"value's {tuple(value.shape[:2])}")
    if not separate and tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f'key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}')


def _split_heads(q, k, v, masks, bias_k, bias_v, static_k, static_v, add_zero_attn, num_heads):
    """The projected (L, N, E) q and (S, N, E) k, v as (N·h, L or S, E/h) heads, with bias_k/bias_v
    appended as one more key (before the split) and a zero key (add_zero_attn, after it)."""
    tgt_len, bsz, embed_dim = q.shape
    head_dim = embed_dim // num_heads
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError('bias cannot be added to static key.' if static_k is not None
                                 else 'bias cannot be added to static value.')
        k, v, masks = _pad_key(k, v, masks, bias_k.repeat(1, bsz, 1), bias_v.repeat(1, bsz, 1), 0)
    q = _heads(q, tgt_len, bsz, num_heads, head_dim)
    k = _heads(k, k.shape[0], bsz, num_heads, head_dim) if static_k is None else \
        _static(static_k, 'static_k', bsz * num_heads, head_dim)
    v = _heads(v, v.shape[0], bsz, num_heads, head_dim) if static_v is None else \
        _static(static_v, 'static_v', bsz * num_heads, head_dim)
    if add_zero_attn:
        zeros = Tensor._wrap(np.zeros((bsz * num_heads, 1, head_dim), dtype=k._array.dtype))
        k, v, masks = _pad_key(k, v, masks, zeros, zeros, 1)
    return q, k, v, masks


def _static(static, name, heads, head_dim):
    """A precomputed (N·h, S, E/h) key or value in place of the projected one, checked."""
    if static.shape[0] != heads:
        raise AssertionError(f'expecting {name}.size(0) of {heads}, but got {static.shape[0]}')
    if static.shape[2] != head_dim:
        raise AssertionError(f'expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}')
    return static


def _linear(x, weight, bias):
    """x Wᵀ + b (F.linear without its checks: the shapes are ours)."""
    return linalg.Linear.apply(x, weight) if bias is None else linalg.Linear.apply(x, weight, bias)
