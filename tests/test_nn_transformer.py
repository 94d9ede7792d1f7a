"""nn.TransformerEncoderLayer, TransformerEncoder, the decoder and nn.Transformer
(minigrad/nn/transformer.py) against PyTorch with copied weights: outputs and the gradients of
the input and every parameter, post- and pre-norm, batch_first, masks, train (dropout 0) and
eval, float32 and float64; state_dict keys and loading both ways, deep copies, reprs, the
causal mask, warnings; and a two-layer character transformer (benchmarks/transformer_steps.py)
trained a few AdamW steps with `import minigrad as torch` and with PyTorch, losses equal."""
import importlib.util
import pathlib
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

pytestmark = pytest.mark.filterwarnings('ignore:enable_nested_tensor is True', 'ignore:Support for mismatched',
                                        'ignore:The PyTorch API of nested tensors')

D, H, FF, L, N = 8, 2, 16, 5, 3
RNG = np.random.default_rng(11)
CAUSAL = np.triu(np.full((L, L), -np.inf), 1)
KPM = np.zeros((N, L), bool)
KPM[0, 3:] = True
KPM[2, 4] = True

CONFIGS = [   # (id, layer options, forward options, unbatched input?)
    ('post-norm', {}, {}, False),
    ('pre-norm', {'norm_first': True}, {}, False),
    ('batch-first', {'batch_first': True}, {}, False),
    ('pre-norm-batch-first', {'norm_first': True, 'batch_first': True}, {}, False),
    ('causal-mask', {}, {'mask': CAUSAL}, False),
    ('causal-hint', {'batch_first': True}, {'mask': CAUSAL, 'is_causal': True}, False),
    ('bool-mask', {}, {'mask': RNG.random((L, L)) > 0.7}, False),
    ('padding', {'batch_first': True}, {'src_key_padding_mask': KPM}, False),
    ('padding-and-causal', {'norm_first': True}, {'src_key_padding_mask': KPM, 'mask': CAUSAL}, False),
    ('gelu', {'activation': 'gelu'}, {}, False),
    ('callable-activation', {'activation': 'module'}, {}, False),
    ('no-bias', {'bias': False}, {}, False),
    ('unbatched', {}, {'mask': CAUSAL}, True),
]


def _layer(lib, options, dtype):
    options = dict(options)
    if options.get('activation') == 'module':
        options['activation'] = lib.nn.Tanh()
    return lib.nn.TransformerEncoderLayer(D, H, FF, 0.0, dtype=getattr(lib, dtype), **options)


def _encoder(lib, options, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')     # enable_nested_tensor cannot apply
        return lib.nn.TransformerEncoder(_layer(lib, options, dtype), 2,
                                         norm=lib.nn.LayerNorm(D, dtype=getattr(lib, dtype)))


def _randomised(torch, module):
    """Every parameter drawn afresh (LayerNorm's ones and zeros would hide a swapped weight)."""
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0, 0.4)
    return module


def _copy(torch, theirs, mine):
    mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return mine


def _compare(torch, theirs, mine, arrays, options, dtype, tol):
    """Outputs and the gradients of inputs and parameters agree, for one vector-Jacobian product."""
    def run(lib, module):
        leaves = [lib.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
        kwargs = {k: lib.tensor(v.astype(dtype) if v.dtype.kind == 'f' else v) if isinstance(v, np.ndarray)
                  else v for k, v in options.items()}
        out = module(*leaves, **kwargs)
        (out * lib.tensor(direction.astype(dtype))).sum().backward()
        return out.detach().numpy(), [t.grad.numpy() for t in leaves]
    direction = RNG.standard_normal(theirs(*[torch.tensor(a.astype(dtype)) for a in arrays]).shape)
    (out_t, grads_t), (out_m, grads_m) = run(torch, theirs), run(mg, mine)
    np.testing.assert_allclose(out_m, out_t, rtol=tol, atol=tol)
    for got, expected in zip(grads_m, grads_t):
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    theirs_grads = {name: p.grad.numpy() for name, p in theirs.named_parameters()}
    for name, p in mine.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_grads[name], rtol=tol, atol=tol, err_msg=name)


def _source(options, unbatched):
    if unbatched:
        return RNG.standard_normal((L, D))
    return RNG.standard_normal((N, L, D) if options.get('batch_first') else (L, N, D))


@pytest.mark.parametrize('dtype, tol', [('float64', 1e-9), ('float32', 2e-5)])
@pytest.mark.parametrize('mode', ['train', 'eval'])
@pytest.mark.parametrize('config', CONFIGS, ids=[c[0] for c in CONFIGS])
def test_encoder_matches_torch(torch, config, mode, dtype, tol):
    _, layer_options, options, unbatched = config
    theirs = _randomised(torch, _encoder(torch, layer_options, dtype))
    mine = _copy(torch, theirs, _encoder(mg, layer_options, dtype))
    theirs.train(mode == 'train'), mine.train(mode == 'train')
    _compare(torch, theirs, mine, [_source(layer_options, unbatched)], options, dtype, tol)


@pytest.mark.parametrize('layer_options', [{}, {'norm_first': True, 'batch_first': True}], ids=['post', 'pre'])
def test_transformer_with_decoder_matches_torch(torch, layer_options):
    options = dict(dim_feedforward=FF, dropout=0.0, **layer_options)
    theirs = _randomised(torch, torch.nn.Transformer(D, H, 2, 2, dtype=torch.float64, **options))
    mine = _copy(torch, theirs, nn.Transformer(D, H, 2, 2, dtype=mg.float64, **options))
    shape = (lambda n, length: (n, length, D)) if layer_options else (lambda n, length: (length, n, D))
    src, tgt = RNG.standard_normal(shape(N, L)), RNG.standard_normal(shape(N, 4))
    masks = {'tgt_mask': np.triu(np.full((4, 4), -np.inf), 1), 'memory_key_padding_mask': KPM,
             'tgt_key_padding_mask': KPM[:, :4]}
    _compare(torch, theirs, mine, [src, tgt], masks, 'float64', 1e-9)


def test_eval_fast_path_agrees(torch):
    """In eval mode without gradients PyTorch runs fused kernels (and nested tensors for padding):
    other summation orders, the same values to float32 rounding."""
    options = {'batch_first': True}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        theirs = _randomised(torch, torch.nn.TransformerEncoder(_layer(torch, options, 'float32'), 2))
        mine = _copy(torch, theirs, nn.TransformerEncoder(_layer(mg, options, 'float32'), 2))
    theirs.eval(), mine.eval()
    x = RNG.standard_normal((N, L, D)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(KPM)).numpy()
    with mg.no_grad():
        got = mine(mg.tensor(x), src_key_padding_mask=mg.tensor(KPM)).numpy()
    kept = ~KPM[:, :, None].repeat(D, 2)        # PyTorch's nested path zeroes padded positions
    np.testing.assert_allclose(got[kept], expected[kept], rtol=1e-4, atol=1e-5)


def test_state_dict_keys_shapes_and_loading_both_ways(torch):
    theirs = torch.nn.Transformer(D, H, 2, 1, FF)
    mine = nn.Transformer(D, H, 2, 1, FF)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert 'encoder.layers.1.self_attn.in_proj_weight' in mine.state_dict()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.state_dict().items()})
    for (k, a), b in zip(mine.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def test_layers_are_independent_deep_copies_and_reprs_match(torch):
    layer = nn.TransformerEncoderLayer(D, H, FF)
    encoder = nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    w = [m.self_attn.in_proj_weight for m in encoder.layers]
    assert len({id(p) for p in w}) == 3 and all(p is not layer.self_attn.in_proj_weight for p in w)
    np.testing.assert_array_equal(w[0].detach().numpy(), w[2].detach().numpy())
    with mg.no_grad():
        w[0].add_(1.0)
    assert not np.array_equal(w[0].detach().numpy(), w[1].detach().numpy())
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for make in (lambda lib: lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF), 3),
                     lambda lib: lib.nn.Transformer(D, H, 1, 2, FF, activation=lib.nn.GELU()),
                     lambda lib: lib.nn.TransformerDecoderLayer(D, H, FF, norm_first=True, bias=False)):
            assert repr(make(mg)) == repr(make(torch))


def test_transformer_initialisation_is_xavier_uniform():
    mg.manual_seed(0)
    model = nn.Transformer(16, 2, 1, 1, 64)
    w = model.encoder.layers[0].linear1.weight.detach().numpy()           # (64, 16)
    bound = np.sqrt(6 / (16 + 64))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    np.testing.assert_array_equal(model.encoder.norm.weight.detach().numpy(), np.ones(16))


def test_square_subsequent_mask_and_causal_detection(torch):
    mask = nn.Transformer.generate_square_subsequent_mask(4)
    np.testing.assert_array_equal(mask.numpy(), torch.nn.Transformer.generate_square_subsequent_mask(4).numpy())
    assert mask.dtype == mg.float32
    assert nn.Transformer.generate_square_subsequent_mask(3, dtype=mg.float64).dtype == mg.float64
    from minigrad.nn.transformer import _detect_is_causal_mask
    assert _detect_is_causal_mask(mask) and not _detect_is_causal_mask(mask, is_causal=False)
    assert not _detect_is_causal_mask(mask, size=3) and not _detect_is_causal_mask(None)
    assert not _detect_is_causal_mask(mg.zeros(4, 4))


def test_warnings_and_errors_are_pytorchs(torch):
    for lib in (torch, mg):
        with pytest.warns(UserWarning, match='enable_nested_tensor is True, but self.use_nested_tensor is '
                                             'False because encoder_layer.self_attn.batch_first was not True'):
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF), 2)
        with pytest.raises(RuntimeError, match='activation should be relu/gelu, not tanh'):
            lib.nn.TransformerEncoderLayer(D, H, FF, activation='tanh')
        model = lib.nn.Transformer(D, H, 1, 1, FF)
        with pytest.raises(RuntimeError, match='the batch number of src and tgt must be equal'):
            model(lib.zeros(L, 2, D), lib.zeros(L, 3, D))
        with pytest.raises(RuntimeError, match='the feature number of src and tgt must be equal to d_model'):
            model(lib.zeros(L, 2, D), lib.zeros(L, 2, D + 1))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        nn.TransformerEncoder(nn.TransformerEncoderLayer(D, H, FF, batch_first=True), 2)


# ------------------------------------------------ a character transformer, trained by both libraries

def _steps_module():
    path = pathlib.Path(__file__).resolve().parents[1] / 'benchmarks' / 'transformer_steps.py'
    spec = importlib.util.spec_from_file_location('transformer_steps', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _losses(torch, model, x, y, steps):
    """Training losses over AdamW steps, then the loss in eval mode without gradients."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1)
    xs, ys = torch.tensor(x), torch.tensor(y)
    losses = []
    for _ in range(steps):
        _, loss = model(xs, ys)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        losses.append(model(xs, ys)[1].item())
    return losses


@pytest.mark.parametrize('encoder', [False, True], ids=['hand-written', 'nn.TransformerEncoder'])
def test_char_transformer_trains_as_in_torch(torch, encoder):
    """Shakespeare's characters (the bundled Coriolanus), a batch of 8 windows of 16."""
    from minigrad.data import text_dataset
    text = text_dataset(block_size=16)
    steps = _steps_module()
    sizes = dict(vocab=len(text.stoi), d=32, heads=4, context=16, layers=2)
    rows = np.random.default_rng(0).integers(0, len(text.train[0]), 8)
    x, y = text.train[0][rows], text.train[1][rows]
    torch.manual_seed(0)
    theirs = steps.char_transformer(torch, **sizes, encoder=encoder)
    mine = steps.char_transformer(mg, **sizes, encoder=encoder)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    expected, got = _losses(torch, theirs, x, y, 5), _losses(mg, mine, x, y, 5)
    assert got[-2] < got[0] - 0.1                                 # it learns
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_benchmark_workload_steps_run():
    steps = _steps_module().workloads(tiny=True)
    for workload in steps.values():
        first = workload['minigrad']().item()
        assert np.isfinite(first) and workload['minigrad']().item() < first
        if 'torch' in workload:
            np.testing.assert_allclose(first, workload['torch']().item(), rtol=1e-5)
