"""nn.MultiheadAttention: h heads of scaled dot-product attention over learned projections,

    MultiHead(q, k, v) = concat(head_1, ..., head_h) W_oᵀ + b_o,
    head_i = softmax((q W_qiᵀ + b_qi)(k W_kiᵀ + b_ki)ᵀ / √(E/h) + mask) (v W_viᵀ + b_vi),

with PyTorch's parameters: in_proj_weight (3E × E, W_q; W_k; W_v stacked) and in_proj_bias (3E),
or q_proj_weight, k_proj_weight (E × kdim), v_proj_weight (E × vdim) when kdim or vdim differ
from E; out_proj (W_o, b_o); bias_k and bias_v (1 × 1 × E) with add_bias_kv. The math is
F.multi_head_attention_forward (nn/functional_attention.py).
"""
import numpy as np

from ..dtypes import get_default_dtype
from . import init
from .functional_attention import multi_head_attention_forward
from .linear import Linear
from .module import Module, Parameter

__all__ = ['MultiheadAttention', 'NonDynamicallyQuantizableLinear']


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear by another name: MultiheadAttention's out_proj, named as in PyTorch (whose
    quantization tools treat it apart); its repr shows the name."""


class MultiheadAttention(Module):
    """Multi-head attention; see the module docstring. Inputs are (L, N, E) (sequence first), or
    (N, L, E) with batch_first=True, or unbatched (L, E). forward returns (output, weights): the
    attention weights (N, L, S), averaged over the heads unless average_attn_weights=False
    (then (N, h, L, S)), or None with need_weights=False.

    Masks: attn_mask (L, S) or (N·h, L, S) and key_padding_mask (N, S), each bool (True: may not
    attend) or float (added to the scores). is_causal is a hint that attn_mask is causal.
    Initialised as PyTorch: xavier_uniform_ projections, zero biases, xavier_normal_ bias_k/bias_v,
    out_proj.weight as a Linear's.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f'embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} '
                             f'and num_heads={num_heads} instead')
        super().__init__()
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError('embed_dim must be divisible by num_heads')

        def empty(*shape):
            return Parameter(np.empty(shape, dtype=dtype))
        if self._qkv_same_embed_dim:
            self.in_proj_weight = empty(3 * embed_dim, embed_dim)
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.q_proj_weight = empty(embed_dim, embed_dim)
            self.k_proj_weight = empty(embed_dim, self.kdim)
            self.v_proj_weight = empty(embed_dim, self.vdim)
            self.in_proj_weight = None
        self.in_proj_bias = empty(3 * embed_dim) if bias else None
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        self.bias_k = empty(1, 1, embed_dim) if add_bias_kv else None
        self.bias_v = empty(1, 1, embed_dim) if add_bias_kv else None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        """xavier_uniform_ projection weights, zero in_proj_bias and out_proj.bias,
        xavier_normal_ bias_k and bias_v."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for weight in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        batched = query.dim() == 3
        if self.batch_first and batched:        # to (L, N, E)
            query, key, value = (t.transpose(1, 0) for t in (query, key, value))
        separate = not self._qkv_same_embed_dim
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight,
            self.out_proj.bias, training=self.training, key_padding_mask=key_padding_mask,
            need_weights=need_weights, attn_mask=attn_mask, use_separate_proj_weight=separate,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights,
            is_causal=is_causal)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights
