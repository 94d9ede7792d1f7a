"""Workloads 'char-transformer' and 'char-transformer-encoder': one training step (forward,
cross-entropy, backward, SGD update) of a two-layer character transformer (d = 64, 4 heads,
context 32, batch 32, vocabulary 65), minigrad against PyTorch eager from the same initial
weights; the blocks are written out by hand ('char-transformer') or are nn.TransformerEncoder
('char-transformer-encoder').

The model is a PyTorch program, `char_transformer(torch)`, written once and run with either
library as `torch` (tests/test_nn_transformer.py checks that both train alike): token and
position tables, blocks of causal self-attention written out (Linear, view, masked_fill,
softmax, Dropout) with pre-norm LayerNorm residuals and a ReLU MLP, karpathy-style ("Let's
build GPT"), or, with encoder=True, nn.TransformerEncoder (pre-norm, batch_first) with a
causal mask.
"""
import math

import numpy as np

SIZES = {'vocab': 65, 'd': 64, 'heads': 4, 'context': 32, 'layers': 2}
TINY = {'vocab': 11, 'd': 8, 'heads': 2, 'context': 6, 'layers': 2}


def _block(torch, d, heads, dropout):
    """A pre-norm block of causal self-attention and an MLP, written with `torch`'s API."""
    nn, F = torch.nn, torch.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(d, 3 * d)
            self.proj = nn.Linear(d, d)
            self.attn_drop = nn.Dropout(dropout)
            self.resid_drop = nn.Dropout(dropout)

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.qkv(x).split(d, dim=2)
            q, k, v = (t.view(B, T, heads, C // heads).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(C // heads))
            future = torch.tril(torch.ones(T, T)) == 0
            att = self.attn_drop(F.softmax(att.masked_fill(future, float('-inf')), dim=-1))
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.resid_drop(self.proj(y))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1 = nn.LayerNorm(d)
            self.attn = CausalSelfAttention()
            self.ln2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.ReLU(), nn.Linear(4 * d, d), nn.Dropout(dropout))

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.mlp(self.ln2(x))
    return Block()


def char_transformer(torch, vocab=65, d=64, heads=4, context=32, layers=2, dropout=0.0, encoder=False):
    """The model, built with `torch` (PyTorch or minigrad): forward(idx, targets) → (logits, loss)."""
    nn, F = torch.nn, torch.nn.functional

    class CharTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Parameter(torch.randn(vocab, d) * 0.02)
            self.pos = nn.Parameter(torch.randn(context, d) * 0.02)
            self.drop = nn.Dropout(dropout)
            if encoder:
                layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout,
                                                   batch_first=True, norm_first=True)
                self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            else:
                self.blocks = nn.Sequential(*[_block(torch, d, heads, dropout) for _ in range(layers)])
            self.ln_f = nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab)

        def forward(self, idx, targets):
            B, T = idx.shape
            x = self.drop(self.tok[idx] + self.pos[:T])
            if encoder:
                mask = nn.Transformer.generate_square_subsequent_mask(T)
                x = self.blocks(x, mask=mask, is_causal=True)
            else:
                x = self.blocks(x)
            logits = self.head(self.ln_f(x))
            return logits, F.cross_entropy(logits.view(-1, vocab), targets.view(-1))

    return CharTransformer()


def batch(vocab, context, size, seed=0):
    """`size` random sequences of context + 1 characters: inputs and next-character targets."""
    data = np.random.default_rng(seed).integers(0, vocab, (size, context + 1))
    return data[:, :-1], data[:, 1:]


def _step(lib, model, x, y, lr=0.01):
    xs, ys = lib.tensor(x), lib.tensor(y)

    def step():
        model.zero_grad()
        _, loss = model(xs, ys)
        loss.backward()
        with lib.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        return loss
    return step


def workloads(tiny=False):
    """{'char-transformer': the hand-written blocks, 'char-transformer-encoder': nn.TransformerEncoder},
    each {'minigrad': step, 'torch': step} from PyTorch's initial weights ('torch' only when
    PyTorch is installed; then minigrad starts from its own)."""
    import minigrad as mg
    try:
        import torch
    except ImportError:
        torch = None
    sizes = TINY if tiny else SIZES
    x, y = batch(sizes['vocab'], sizes['context'], 4 if tiny else 32)
    out = {}
    for name, encoder in (('char-transformer', False), ('char-transformer-encoder', True)):
        mine = char_transformer(mg, **sizes, encoder=encoder)
        out[name] = {'minigrad': _step(mg, mine, x, y)}
        if torch is not None:
            torch.manual_seed(0)
            theirs = char_transformer(torch, **sizes, encoder=encoder)
            mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
            out[name]['torch'] = _step(torch, theirs, x, y)
    return out
