"""nn.MultiheadAttention and F.multi_head_attention_forward (minigrad/nn/attention.py,
nn/functional_attention.py) against PyTorch with copied weights: outputs, attention weights and
the gradients of the inputs and every parameter, over self-, encoder-decoder and kdim/vdim
attention, bias_k/bias_v, zero attention, bool and float masks, batch_first, unbatched input,
train and eval, float32 and float64; state_dict, initialisation, repr and errors."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from helpers import raised_by_both
from minigrad import nn

E, H, L, S, N = 8, 2, 3, 5, 2
RNG = np.random.default_rng(7)
KPM = np.array([[False] * 4 + [True], [False] * 2 + [True] * 3])     # (N, S): True = padding
BOOL = RNG.random((L, S)) > 0.7                                    # True = may not attend
BOOL[:, 0] = False
CAUSAL = np.triu(np.full((L, L), -np.inf), 1)

CONFIGS = [   # (id, constructor options, forward options, 'self' or 'cross', layout)
    ('self', {}, {}, 'self', 'seq'),
    ('self-no-weights', {}, {'need_weights': False}, 'self', 'seq'),
    ('per-head-weights', {}, {'average_attn_weights': False}, 'self', 'seq'),
    ('batch-first', {'batch_first': True}, {}, 'self', 'batch'),
    ('batch-first-cross', {'batch_first': True}, {'need_weights': False}, 'cross', 'batch'),
    ('unbatched', {}, {}, 'self', 'one'),
    ('cross', {}, {}, 'cross', 'seq'),
    ('kdim-vdim', {'kdim': 5, 'vdim': 3}, {}, 'kv', 'seq'),
    ('no-bias', {'bias': False}, {}, 'self', 'seq'),
    ('bias-kv', {'add_bias_kv': True}, {}, 'cross', 'seq'),
    ('zero-attn', {'add_zero_attn': True}, {'need_weights': False}, 'cross', 'seq'),
    ('causal-hint', {}, {'attn_mask': CAUSAL, 'is_causal': True, 'need_weights': False}, 'self', 'seq'),
    ('causal-float', {}, {'attn_mask': CAUSAL}, 'self', 'seq'),
    ('bool-mask', {}, {'attn_mask': BOOL}, 'cross', 'seq'),
    ('mask-3d', {}, {'attn_mask': RNG.standard_normal((N * H, L, S)), 'need_weights': False}, 'cross', 'seq'),
    ('padding', {}, {'key_padding_mask': KPM}, 'cross', 'seq'),
    ('padding-float', {}, {'key_padding_mask': np.where(KPM, -np.inf, 0.0), 'need_weights': False},
     'cross', 'seq'),
    ('padding-and-mask', {'add_bias_kv': True, 'add_zero_attn': True},
     {'key_padding_mask': KPM, 'attn_mask': BOOL}, 'cross', 'seq'),
    ('unbatched-masks', {}, {'key_padding_mask': KPM[0], 'attn_mask': RNG.standard_normal((H, L, S))},
     'cross', 'one'),
]


def _inputs(kind, layout, ctor):
    """query (and key, value) arrays in the layout: (L, N, E), (N, L, E) or (L, E)."""
    def shaped(length, features):
        shape = {'seq': (length, N, features), 'batch': (N, length, features), 'one': (length, features)}
        return RNG.standard_normal(shape[layout])
    if kind == 'self':
        return [shaped(L, E)]
    if kind == 'cross':
        return [shaped(L, E), shaped(S, E)]
    return [shaped(L, E), shaped(S, ctor['kdim']), shaped(S, ctor['vdim'])]


def _pair(torch, ctor, dtype):
    """A PyTorch layer with random (non-zero) weights and a minigrad one loaded from its state_dict."""
    theirs = torch.nn.MultiheadAttention(E, H, dtype=getattr(torch, dtype), **ctor)
    with torch.no_grad():
        for p in theirs.parameters():
            p.normal_(0, 0.5)
    mine = nn.MultiheadAttention(E, H, dtype=getattr(mg, dtype), **ctor)
    mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return mine, theirs


def _run(lib, layer, arrays, options, dtype, direction=None):
    """The layer's output and weights, and (with a direction) the input leaves after backward."""
    leaves = [lib.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    q, k, v = (leaves * 3)[:3] if len(leaves) == 1 else (leaves + leaves[1:])[:3]
    options = {key: lib.tensor(val.astype(dtype) if val.dtype.kind == 'f' else val)
               if isinstance(val, np.ndarray) else val for key, val in options.items()}
    out, weights = layer(q, k, v, **options)
    if direction is not None:
        loss = (out * lib.tensor(direction[0].astype(dtype))).sum()
        if weights is not None:
            loss = loss + (weights * lib.tensor(direction[1].astype(dtype))).sum()
        loss.backward()
    return out, weights, leaves


@pytest.mark.parametrize('dtype, tol', [('float64', 1e-9), ('float32', 1e-5)])
@pytest.mark.parametrize('mode', ['train', 'eval'])
@pytest.mark.parametrize('config', CONFIGS, ids=[c[0] for c in CONFIGS])
def test_multihead_attention_matches_torch(torch, config, mode, dtype, tol):
    _, ctor, options, kind, layout = config
    mine, theirs = _pair(torch, ctor, dtype)
    mine.train(mode == 'train'), theirs.train(mode == 'train')
    arrays = _inputs(kind, layout, ctor)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')         # PyTorch: 'mismatched key_padding_mask and attn_mask'
        out_t, w_t, leaves_t = _run(torch, theirs, arrays, options, dtype)
        direction = [RNG.standard_normal(tuple(out_t.shape)),
                     None if w_t is None else RNG.standard_normal(tuple(w_t.shape))]
        out_t, w_t, leaves_t = _run(torch, theirs, arrays, options, dtype, direction)
        out_m, w_m, leaves_m = _run(mg, mine, arrays, options, dtype, direction)
    atol = tol * 10
    np.testing.assert_allclose(out_m.detach().numpy(), out_t.detach().numpy(), rtol=tol, atol=atol)
    assert (w_m is None) == (w_t is None)
    if w_t is not None:
        np.testing.assert_allclose(w_m.detach().numpy(), w_t.detach().numpy(), rtol=tol, atol=atol)
    for m, t in zip(leaves_m, leaves_t):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=tol, atol=atol)
    grads = {name: p.grad for name, p in theirs.named_parameters()}
    for name, p in mine.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[name].numpy(), rtol=tol, atol=atol, err_msg=name)


@pytest.mark.parametrize('need_weights', [True, False])
def test_a_query_with_every_key_padded(torch, need_weights):
    """PyTorch's two paths differ here, and minigrad follows each: nan with the weights, zeros
    (and zero gradients) without. No NumPy warning either way."""
    mine, theirs = _pair(torch, {}, 'float64')
    arrays = _inputs('cross', 'seq', {})
    padded = np.array([[True] * S, [False, True, False, True, False]])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        got = mine(*[mg.tensor(a) for a in (arrays + arrays[1:])], key_padding_mask=mg.tensor(padded),
                   need_weights=need_weights)[0].detach().numpy()
    expected = theirs(*[torch.tensor(a) for a in (arrays + arrays[1:])], key_padding_mask=torch.tensor(padded),
                      need_weights=need_weights)[0].detach().numpy()
    assert np.isnan(got[:, 0]).all() == need_weights
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_eval_fast_path_agrees(torch):
    """PyTorch's eval-mode, no-grad "fast path" (a fused native kernel) sums in another order:
    the same values to float32 rounding."""
    mine, theirs = _pair(torch, {'batch_first': True}, 'float32')
    mine.eval(), theirs.eval()
    x = RNG.standard_normal((N, L, E)).astype(np.float32)
    with torch.no_grad():
        out_t, w_t = theirs(*[torch.tensor(x)] * 3)
    with mg.no_grad():
        out_m, w_m = mine(*[mg.tensor(x)] * 3)
    np.testing.assert_allclose(out_m.numpy(), out_t.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(w_m.numpy(), w_t.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('ctor', [{}, {'kdim': 5, 'vdim': 3}, {'bias': False}, {'add_bias_kv': True}],
                         ids=['packed', 'separate', 'no-bias', 'bias-kv'])
def test_state_dict_names_shapes_and_loading_both_ways(torch, ctor):
    mine, theirs = _pair(torch, ctor, 'float32')
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    fresh = nn.MultiheadAttention(E, H, **ctor)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in fresh.state_dict().items()})
    for (k, a), b in zip(fresh.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_initialisation_and_repr(torch):
    mg.manual_seed(0)
    layer = nn.MultiheadAttention(64, 4, add_bias_kv=True)
    bound = np.sqrt(6 / (64 + 3 * 64))                  # xavier_uniform_ of the (3E, E) matrix
    w = layer.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not layer.in_proj_bias.detach().numpy().any() and not layer.out_proj.bias.detach().numpy().any()
    assert layer.bias_k.shape == (1, 1, 64) and layer.bias_k.detach().numpy().std() > 0
    assert layer.out_proj.weight.dtype == mg.float32
    assert repr(layer) == repr(torch.nn.MultiheadAttention(64, 4, add_bias_kv=True))
    separate = nn.MultiheadAttention(4, 2, kdim=3, vdim=5)
    assert separate.in_proj_weight is None and separate.k_proj_weight.shape == (4, 3)
    assert separate.v_proj_weight.shape == (4, 5) and not separate._qkv_same_embed_dim


def _errors():
    x3, x2 = np.zeros((L, N, E)), np.zeros((L, E))
    return [   # (id, call(lib, layer)), each an error in PyTorch
        ('4-d query', lambda lib, m: m(*[lib.tensor(np.zeros((1,) + x3.shape))] * 3)),
        ('mixed dims', lambda lib, m: m(lib.tensor(x3), lib.tensor(x2), lib.tensor(x2))),
        ('wrong embed dim', lambda lib, m: m(*[lib.tensor(np.zeros((L, N, E + 1)))] * 3)),
        ('attn_mask shape', lambda lib, m: m(*[lib.tensor(x3)] * 3, attn_mask=lib.tensor(np.zeros((L, 2))))),
        ('3-d attn_mask shape', lambda lib, m: m(*[lib.tensor(x3)] * 3,
                                                   attn_mask=lib.tensor(np.zeros((1, L, L))))),
        ('padding shape', lambda lib, m: m(*[lib.tensor(x3)] * 3,
                                           key_padding_mask=lib.tensor(np.zeros((N, 2), bool)))),
        ('int mask', lambda lib, m: m(*[lib.tensor(x3)] * 3, attn_mask=lib.tensor(np.zeros((L, L), int)))),
        ('causal hint without mask', lambda lib, m: m(*[lib.tensor(x3)] * 3, is_causal=True)),
    ]


@pytest.mark.parametrize('case', _errors(), ids=[c[0] for c in _errors()])
def test_errors_are_pytorchs(torch, case):
    _, call = case
    mine, theirs = _pair(torch, {}, 'float64')
    ours, expected = raised_by_both(torch, lambda lib: call(lib, mine if lib is mg else theirs))
    if type(expected) is AssertionError:
        assert str(ours).split(' ')[:3] == str(expected).split(' ')[:3]


def test_constructor_errors(torch):
    for args in [(0, 2), (4, 0)]:
        with pytest.raises(ValueError, match='must be greater than 0'):
            nn.MultiheadAttention(*args)
        with pytest.raises(ValueError):
            torch.nn.MultiheadAttention(*args)
    with pytest.raises(AssertionError, match='divisible by num_heads'):
        nn.MultiheadAttention(6, 4)
