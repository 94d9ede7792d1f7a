"""Scaled dot-product attention as one op, forward and backward written out:

    S = scale · Q Kᵀ + B     (B: a float mask; -inf where a bool mask forbids a key)
    P = softmax(S)           (along the keys; a row with no allowed key gives P = 0)
    O = (P ∘ M) V            (M: dropout's scaled keep-mask, or 1)

and back, with G = dO:  dV = (P ∘ M)ᵀ G,  dP = (G Vᵀ) ∘ M,  dS = P ∘ (dP − Σ_keys P ∘ dP)
(the softmax's Jacobian), dQ = scale · dS K,  dK = scale · dSᵀ Q,  dB = dS.

One node in place of the seven of the composition (matmul, scale, mask, softmax, dropout,
matmul, and the empty-row fix): it keeps P, the only (L × S) array backward needs.
speed: forward and backward at (32, 4, 32, 16), causal, float32, one thread: 2.0 ms against
2.6 for the composition (PyTorch's math kernel: 1.2).
"""
import numpy as np

from ..autograd.graph import Op
from ._stable import softmax_parts


def _empty_rows(scores, bias, allowed):
    """Where (..., L, 1) a query may look at no key (its scores all -inf), or None if nowhere;
    from the small bool mask alone when there is no float mask."""
    if bias is not None:
        empty = (scores == -np.inf).all(axis=-1, keepdims=True)
    elif allowed is not None:
        empty = np.logical_not(allowed.any(axis=-1, keepdims=True))
    else:
        return None
    return empty if empty.any() else None


class Attention(Op):
    """d attention(Q, K, V, B) = (dP ∘ M) V + (P ∘ M) dV, dP = P ∘ (dS − Σ_keys P ∘ dS), dS = scale (dQ Kᵀ + Q dKᵀ) + dB"""

    def forward(self, q, k, v, bias=None, *, scale, allowed=None, keep=None):
        q = q * scale                           # speed: scale the (L × E) side, not the (L × S) scores
        scores = q @ np.swapaxes(k, -1, -2)
        if bias is not None:
            scores = scores + bias
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        empty = _empty_rows(scores, bias, allowed)
        if empty is not None:                   # a row of only -inf: softmax it as zeros...
            scores = np.where(empty, 0, scores)
        _, exp, total = softmax_parts(scores, -1)       # stably: see _stable.py
        probs = exp / total
        if empty is not None:                   # ... and its weights are 0 (PyTorch's zeros)
            probs = np.where(empty, 0, probs)
        self.scale, self.keep = scale, keep
        self.saved = (q, k, v, probs)           # q: scale · Q
        return (probs if keep is None else probs * keep) @ v

    def backward(self, grad):
        q, k, v, probs = self.saved
        needs = self.needs_input_grad
        kept = probs if self.keep is None else probs * self.keep
        grad_v = np.swapaxes(kept, -1, -2) @ grad if needs[2] else None
        if not (needs[0] or needs[1] or len(needs) > 3 and needs[3]):
            return None, None, grad_v
        d_probs = grad @ np.swapaxes(v, -1, -2)
        if self.keep is not None:
            d_probs = d_probs * self.keep
        d_scores = probs * (d_probs - (probs * d_probs).sum(axis=-1, keepdims=True))
        grad_q = d_scores @ (k * self.scale) if needs[0] else None
        grad_k = np.swapaxes(d_scores, -1, -2) @ q if needs[1] else None     # q is scale · Q
        return (grad_q, grad_k, grad_v) + ((d_scores,) if len(needs) > 3 else ())
