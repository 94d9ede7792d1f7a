"""F.scaled_dot_product_attention (minigrad/nn/functional_attention.py, one Attention op of
minigrad/ops/attention.py) against PyTorch: masks (bool, float, causal, both), scale, fully
masked rows, grouped-query heads, dropout, gradients (and gradcheck), second derivatives,
dtypes and errors. F.multi_head_attention_forward is tested through nn.MultiheadAttention
in test_nn_attention.py."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from helpers import assert_agree, both_libraries

RNG = np.random.default_rng(5)
Q, K, V = RNG.standard_normal((2, 2, 3, 4)), RNG.standard_normal((2, 2, 5, 4)), RNG.standard_normal((2, 2, 5, 6))
BOOL = RNG.random((3, 5)) > 0.4
BOOL[1] = False                                     # a query that may see no key: zeros, as PyTorch
BOOL[0, 0] = True
FLOAT = RNG.standard_normal((2, 1, 3, 5))
FLOAT_INF = np.where(BOOL, FLOAT[0, 0], -np.inf)

CASES = [                           # (id, keyword arguments; arrays become tensors of each library)
    ('plain', {}), ('causal', {'is_causal': True}), ('bool-mask', {'attn_mask': BOOL}),
    ('float-mask', {'attn_mask': FLOAT}), ('float-mask-inf', {'attn_mask': FLOAT_INF}),
    ('scale', {'scale': 0.3}),
]


def _kwargs(lib, options):
    return {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}


@pytest.mark.parametrize('options', [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_attention_matches_torch(torch, options):
    pairs = both_libraries(
        torch, lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **_kwargs(mg, options)),
        lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, **_kwargs(torch, options)),
        [Q, K, V])
    assert_agree(pairs, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize('options', [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_attention_second_derivatives(options):
    inputs = [mg.tensor(a[:1, :1], requires_grad=True) for a in (Q, K, V)]
    assert mg.gradgradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **_kwargs(mg, options)),
                            inputs)


@pytest.mark.parametrize('options', [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_attention_op_passes_gradcheck(options):
    """The Attention op's written-out backward (minigrad/ops/attention.py) against finite
    differences, the float mask differentiated too."""
    options = dict(options)
    mask = options.pop('attn_mask', None)
    inputs = [mg.tensor(a[:1], requires_grad=True) for a in (Q, K, V)]
    if mask is not None and mask.dtype != bool:
        inputs.append(mg.tensor(np.where(np.isinf(mask), -1e30, mask)[:1], requires_grad=True))
        assert mg.autograd.gradcheck(lambda q, k, v, b: F.scaled_dot_product_attention(
            q, k, v, b, **options), inputs)
    else:
        extra = {} if mask is None else {'attn_mask': mg.tensor(mask)}
        assert mg.autograd.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(
            q, k, v, **extra, **options), inputs)


def test_dropout_gradient_flows_through_the_same_mask():
    """With the generator reseeded before each call the mask is fixed: the gradient of the
    dropped attention is then that of a fixed function, and finite differences agree."""
    def f(q, k, v):
        mg.manual_seed(3)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.4, is_causal=True)
    inputs = [mg.tensor(a[:1], requires_grad=True) for a in (Q, K, V)]
    assert mg.autograd.gradcheck(f, inputs)
    assert mg.autograd.gradgradcheck(f, inputs)
    out = f(*inputs)
    assert (out.detach().numpy() != F.scaled_dot_product_attention(*inputs, is_causal=True).detach().numpy()).any()


def test_grouped_query_attention_and_unbatched_inputs(torch):
    q4 = RNG.standard_normal((1, 4, 3, 4))
    pairs = both_libraries(
        torch, lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
        lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True),
        [q4, K[:1], V[:1]])
    assert_agree(pairs, rtol=1e-6)
    pairs = both_libraries(torch, F.scaled_dot_product_attention,
                           torch.nn.functional.scaled_dot_product_attention, [Q[0, 0], K[0, 0], V[0, 0]])
    assert_agree(pairs, rtol=1e-6)


def test_dropout_p_drops_attention_weights():
    mg.manual_seed(0)
    v = mg.tensor(np.ones((1, 200, 6)))
    out = F.scaled_dot_product_attention(mg.tensor(np.zeros((1, 300, 4))), mg.tensor(np.zeros((1, 200, 4))),
                                         v, dropout_p=0.5)
    # each output is (number of kept weights) · (1/200) · 2, about 1 on average
    assert abs(float(out._array.mean()) - 1) < 0.02 and out._array.std() > 0.01


def test_attn_mask_with_is_causal_is_an_error(torch):
    for lib in [mg, torch]:
        q, k, v = (lib.tensor(a, requires_grad=True) for a in (Q, K, V))
        with pytest.raises(RuntimeError, match='Explicit attn_mask should not be set when is_causal=True'):
            lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=lib.tensor(BOOL), is_causal=True)


def test_float32_and_errors():
    f32 = [mg.tensor(a.astype(np.float32)) for a in (Q, K, V)]
    assert F.scaled_dot_product_attention(*f32).dtype == np.float32
    with pytest.raises(RuntimeError, match='same dtype'):
        F.scaled_dot_product_attention(f32[0], mg.tensor(K), mg.tensor(V))
    with pytest.raises(RuntimeError, match='same last dim'):
        F.scaled_dot_product_attention(mg.tensor(Q), mg.tensor(K[..., :3]), mg.tensor(V))
    with pytest.raises(RuntimeError, match='multiple'):
        F.scaled_dot_product_attention(mg.tensor(RNG.standard_normal((1, 3, 3, 4))), mg.tensor(K[:1]),
                                       mg.tensor(V[:1]), enable_gqa=True)
    with pytest.raises(TypeError, match='floating point'):
        F.scaled_dot_product_attention(mg.tensor([[1, 2]]), mg.tensor([[1, 2]]), mg.tensor([[1, 2]]))
