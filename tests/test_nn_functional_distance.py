"""F.normalize, F.cosine_similarity and F.pairwise_distance (minigrad/nn/functional_distance.py)
against PyTorch: values, gradients, second derivatives, broadcasting, dims, eps, dtypes."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from helpers import assert_agree, both_libraries

RNG = np.random.default_rng(1)
A, B = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
C = RNG.standard_normal((2, 3, 4))
TINY = np.array([[1e-14, -2e-14, 0.0], [1.0, 2.0, 3.0]])

CASES = [                           # (id, call(F, *inputs), inputs)
    ('normalize', lambda F, x: F.normalize(x), [A]),
    ('normalize-p1-dim0', lambda F, x: F.normalize(x, p=1, dim=0), [A]),
    ('normalize-p3-negdim', lambda F, x: F.normalize(x, p=3.0, dim=-1), [C]),
    ('normalize-tiny', lambda F, x: F.normalize(x, dim=1), [TINY]),
    ('normalize-1d', lambda F, x: F.normalize(x, dim=0), [A[0]]),
    ('cosine', lambda F, x, y: F.cosine_similarity(x, y), [A, B]),
    ('cosine-broadcast', lambda F, x, y: F.cosine_similarity(x, y[:1], dim=-1), [C, B]),
    ('cosine-dim0', lambda F, x, y: F.cosine_similarity(x, y, dim=0, eps=1e-3), [A, B]),
    ('cosine-1d', lambda F, x, y: F.cosine_similarity(x, y, dim=0), [A[0], B[0]]),
    ('pairwise', lambda F, x, y: F.pairwise_distance(x, y), [A, B]),
    ('pairwise-p1-keepdim', lambda F, x, y: F.pairwise_distance(x, y, p=1, keepdim=True), [A, B]),
    ('pairwise-p3-broadcast', lambda F, x, y: F.pairwise_distance(x, y[0], p=3.0, eps=1e-3), [C, B]),
    ('pairwise-1d', lambda F, x, y: F.pairwise_distance(x, y), [A[0], B[0]]),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize('call, arrays', [c[1:] for c in CASES], ids=IDS)
def test_match_torch_values_and_gradients(torch, call, arrays):
    pairs = both_libraries(torch, lambda *xs: call(F, *xs), lambda *xs: call(torch.nn.functional, *xs), arrays)
    assert_agree(pairs, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize('call, arrays', [c[1:] for c in CASES if c[0] != 'normalize-tiny'],
                         ids=[i for i in IDS if i != 'normalize-tiny'])
def test_second_derivatives(call, arrays):
    inputs = [mg.tensor(np.array(a), requires_grad=True) for a in arrays]
    assert mg.gradgradcheck(lambda *xs: call(F, *xs), inputs)


def test_torch_has_cosine_similarity_and_pairwise_distance_at_top_level(torch):
    for name in ['cosine_similarity', 'pairwise_distance']:
        assert hasattr(torch, name) and hasattr(F, name)


def test_float32_stays_float32_and_errors():
    x = mg.tensor(A.astype(np.float32), requires_grad=True)
    for out in [F.normalize(x), F.cosine_similarity(x, x), F.pairwise_distance(x, x)]:
        assert out.dtype == np.float32
    with pytest.raises(TypeError, match='floating point'):
        F.normalize(mg.tensor([[1, 2]]))
    with pytest.raises(RuntimeError, match='broadcast'):
        F.cosine_similarity(mg.tensor(A), mg.tensor(A[:, :3]))
    with pytest.raises(IndexError):
        F.cosine_similarity(mg.tensor(A), mg.tensor(A), dim=2)


def test_cosine_of_a_zero_vector_is_zero(torch):
    zero = np.zeros((1, 3))
    got = F.cosine_similarity(mg.tensor(zero), mg.tensor(A[:1, :3]))
    expected = torch.nn.functional.cosine_similarity(torch.tensor(zero), torch.tensor(A[:1, :3]))
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
