"""The gate arithmetic of one LSTM or GRU time step, each as one op (nn/rnn.py unrolls them),
and a whole LSTM layer as one op (LSTMSequence, at the end).

A step's matrix products stay ordinary `Linear` nodes: gi = x Wᵢₕᵀ + bᵢₕ and gh = h Wₕₕᵀ + bₕₕ,
each (batch, gates × hidden) with the gates stacked as PyTorch stacks them (LSTM i, f, g, o;
GRU r, z, n). What follows them is a dozen elementwise steps; written as that many ops, their
Python overhead would dominate a step at typical sizes, so here they are one op for the GRU
(GRUCell) and two for the LSTM (LSTMState gives c', LSTMOutput h'), each with its forward the
cell's equations and its backward their chain rule written out.
# speed: benchmarks/rnn_steps.py (2 layers, seq 32, batch 32, input 64, hidden 128, float32,
# 1 thread; medians of 12 interleaved runs on a busy 2-core machine): LSTM 249 ms with its
# gates as 14 composed ops a step (chunk, σ, tanh, +, ×), 147 ms with LSTMState/LSTMOutput;
# GRU 222 ms against 113 ms.

σ(z) is computed as (1 + tanh(z/2)) / 2: the same function, stable on both sides, and one
tanh is cheaper than the two-sided exp that `sigmoid` uses (the cells spend most of their
elementwise time there).
"""
import numpy as np

from ..autograd.graph import Op


class Shared(Op):
    """d w = Σₜ dwₜ: the gradients of every time step that uses w, added up at this node

    The identity, applied to a weight once per layer so that its time steps' gradients meet
    here, each added to the running total as it arrives, instead of all T waiting at the
    leaf to be summed after the walk.
    # speed: benchmarks/rnn_steps.py LSTM 211 ms -> 147 ms, GRU 166 -> 113 ms (medians, busy
    # machine; 80 -> 43 ms for the LSTM on a quieter run): with T gradients of each weight alive
    # until the walk ends, the working set no longer fits in cache.
    """
    def forward(self, w):
        return w

    def backward(self, grad):
        return grad


def _sigmoid(z):
    """σ(z) = (1 + tanh(z/2)) / 2, which never overflows."""
    return np.tanh(z * 0.5) * 0.5 + 0.5


class LSTMState(Op):
    """d c' = σ(f) dc + c σ'(f) df + tanh(g) σ'(i) di + σ(i) tanh'(g) dg, (i, f, g, o) = gi + gh

    The new cell state c' = σ(f) c + σ(i) tanh(g) of an LSTM step, from the two halves of its
    pre-activations gi (input side) and gh (hidden side), each (batch, 4·hidden). The output
    gate o does not enter c'; LSTMOutput uses it. The gradient of gi and of gh is the same.
    """
    def forward(self, gi, gh, c):
        hidden = c.shape[-1]
        gates = gi[..., :3 * hidden] + gh[..., :3 * hidden]
        i = _sigmoid(gates[..., :hidden])
        f = _sigmoid(gates[..., hidden:2 * hidden])
        g = np.tanh(gates[..., 2 * hidden:])
        self.saved = (i, f, g, c)
        return f * c + i * g

    def backward(self, grad):
        i, f, g, c = self.saved
        need_gi, need_gh, need_c = self.needs_input_grad
        d_gates = None
        if need_gi or need_gh:
            d_gates = np.concatenate([grad * g * i * (1 - i), grad * c * f * (1 - f),
                                      grad * i * (1 - g * g), np.zeros_like(grad)], axis=-1)
        return (d_gates if need_gi else None, d_gates if need_gh else None,
                grad * f if need_c else None)


class LSTMOutput(Op):
    """d h' = tanh(c') σ'(o) do + σ(o) (1 - tanh²(c')) dc', o = the last quarter of gi + gh

    The new hidden state h' = σ(o) tanh(c') of an LSTM step, from the output gate's
    pre-activation (the last `hidden` columns of gi + gh) and the new cell state c'.
    """
    def forward(self, gi, gh, c):
        hidden = c.shape[-1]
        o = _sigmoid(gi[..., 3 * hidden:] + gh[..., 3 * hidden:])
        tanh_c = np.tanh(c)
        self.saved = (o, tanh_c)
        return o * tanh_c

    def backward(self, grad):
        o, tanh_c = self.saved
        need_gi, need_gh, need_c = self.needs_input_grad
        d_gates = None
        if need_gi or need_gh:
            zeros = np.zeros_like(grad)
            d_gates = np.concatenate([zeros, zeros, zeros, grad * tanh_c * o * (1 - o)], axis=-1)
        return (d_gates if need_gi else None, d_gates if need_gh else None,
                grad * o * (1 - tanh_c * tanh_c) if need_c else None)


class GRUCell(Op):
    """d h' = (1 - z) dn + (h - n) dz + z dh, n = tanh(gi_n + r gh_n), r, z = σ(gi_rz + gh_rz)

    The new hidden state h' = (1 - z) n + z h of a GRU step, from gi (input side) and gh
    (hidden side), each (batch, 3·hidden) with the gates r, z, n stacked. The reset gate r
    scales only the hidden half of n's pre-activation, as in PyTorch: n = tanh(gi_n + r gh_n).
    """
    def forward(self, gi, gh, h):
        hidden = h.shape[-1]
        rz = _sigmoid(gi[..., :2 * hidden] + gh[..., :2 * hidden])
        r, z = rz[..., :hidden], rz[..., hidden:]
        gh_n = gh[..., 2 * hidden:]
        n = np.tanh(gi[..., 2 * hidden:] + r * gh_n)
        self.saved = (r, z, n, gh_n, h)
        return n + z * (h - n)

    def backward(self, grad):
        r, z, n, gh_n, h = self.saved
        need_gi, need_gh, need_h = self.needs_input_grad
        d_gi = d_gh = None
        if need_gi or need_gh:
            d_n = grad * (1 - z) * (1 - n * n)                   # through n's tanh
            d_r = d_n * gh_n * r * (1 - r)
            d_z = grad * (h - n) * z * (1 - z)
            d_gi = np.concatenate([d_r, d_z, d_n], axis=-1)
            d_gh = np.concatenate([d_r, d_z, d_n * r], axis=-1) if need_gh else None
        return (d_gi if need_gi else None, d_gh, grad * z if need_h else None)


class LSTMSequence(Op):
    """d LSTM layer = backprop through time: from the last step to the first, (dh, dc) go back
    through each step's gates (LSTMState's and LSTMOutput's rules), then to h₀ and c₀

    One direction of one LSTM layer over a whole sequence, as one op: x (T, B, I), h₀ and c₀
    (B, H), Wᵢₕ (4H, I), Wₕₕ (4H, H), and the biases bᵢₕ, bₕₕ if the layer has them. Returns
    (T + 1, B, H): h₁ ... h_T, then c_T. The forward is the step loop; the backward is the same
    loop run backwards, and the matrix products that do not depend on the step (x's projection,
    and each weight's gradient, Σₜ dzₜᵀ inputₜ) are done once, for all steps together.
    # speed: benchmarks/run.py lstm-2layer (1 thread, medians of 15 rounds): 45.4 ms unrolled,
    # 4 nodes a step each computing its own weight gradients (2.64× PyTorch), against 29.0 ms
    # as this op (1.26× PyTorch's fused kernel).
    """
    def forward(self, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
        T, B, H = x.shape[0], x.shape[1], h0.shape[-1]
        gi = (x.reshape(T * B, x.shape[-1]) @ w_ih.T).reshape(T, B, 4 * H)
        if b_ih is not None:
            gi = gi + (b_ih + b_hh)
        hs, cs, tcs, gates = [h0], [c0], [], []
        h, c, w_hh_t = h0, c0, w_hh.T
        for t in range(T):
            z = gi[t] + h @ w_hh_t
            i, f, o = _sigmoid(z[:, :H]), _sigmoid(z[:, H:2 * H]), _sigmoid(z[:, 3 * H:])
            g = np.tanh(z[:, 2 * H:3 * H])
            c = f * c + i * g
            tc = np.tanh(c)
            h = o * tc
            hs.append(h)
            cs.append(c)
            tcs.append(tc)
            gates.append((i, f, g, o))
        self.saved = (x, w_ih, w_hh, hs, cs, tcs, gates)
        return np.stack(hs[1:] + [c])

    def backward(self, grad):
        x, w_ih, w_hh, hs, cs, tcs, gates = self.saved
        T, B, H = x.shape[0], x.shape[1], hs[0].shape[-1]
        dh, dc, dzs = np.zeros_like(grad[T]), grad[T], [None] * T
        for t in range(T - 1, -1, -1):
            i, f, g, o = gates[t]
            dh = dh + grad[t]
            dc = dc + dh * o * (1 - tcs[t] * tcs[t])
            dzs[t] = np.concatenate([dc * g * i * (1 - i), dc * cs[t] * f * (1 - f),
                                     dc * i * (1 - g * g), dh * tcs[t] * o * (1 - o)], axis=-1)
            dh = dzs[t] @ w_hh
            dc = dc * f
        dz = np.stack(dzs).reshape(T * B, 4 * H)
        need = self.needs_input_grad
        dx = (dz @ w_ih).reshape(x.shape) if need[0] else None
        dw_ih = dz.T @ x.reshape(T * B, x.shape[-1]) if need[3] else None
        dw_hh = dz.T @ np.stack(hs[:-1]).reshape(T * B, H) if need[4] else None
        db = dz.sum(axis=0) if len(need) > 5 and (need[5] or need[6]) else None
        return (dx, dh, dc, dw_ih, dw_hh) + ((db, db) if len(need) > 5 else ())
