"""F.pad (minigrad/nn/functional_padding.py) against PyTorch: every mode, PyTorch's pad order,
negative pads (crops), gradients (scatter-adds), second derivatives, dtypes and errors."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from helpers import assert_agree, both_libraries

X3 = np.random.default_rng(2).standard_normal((2, 3, 5))
X4 = np.random.default_rng(3).standard_normal((2, 2, 4, 5))
CASES = [                           # (mode, pad, input)
    ('constant', (1, 2), X3), ('constant', (2, 1, 1, 3), X4), ('constant', (-1, 2, 1, -2), X4),
    ('constant', (1, 1, 1, 1, 1, 1), X4), ('constant', (0, 0, 0, 0, 2, 0, 1, 1), X4),
    ('reflect', (1, 2), X3), ('reflect', (3, 4, 2, 1), X4), ('reflect', (-1, 2), X3),
    ('reflect', (2, -1, -1, 3), X4), ('reflect', (1, 1), X3[0]),
    ('replicate', (1, 2), X3), ('replicate', (6, 7, 3, 2), X4), ('replicate', (-2, 3), X3),
    ('circular', (1, 2), X3), ('circular', (4, 5, 2, 1), X4), ('circular', (-1, 2), X3),
    ('circular', (2, -1, 1, -2), X4), ('circular', (1, 1, 1, 1, 1, 1), X4[None]),
]
IDS = [f'{mode}-{pad}-{x.ndim}d' for mode, pad, x in CASES]


@pytest.mark.parametrize('mode, pad, x', CASES, ids=IDS)
def test_pad_matches_torch_values_and_gradients(torch, mode, pad, x):
    pairs = both_libraries(torch, lambda t: F.pad(t, pad, mode), lambda t: torch.nn.functional.pad(t, pad, mode),
                           [x])
    assert_agree(pairs, rtol=1e-12)


@pytest.mark.parametrize('mode', ['constant', 'reflect', 'replicate', 'circular'])
def test_pad_second_derivative(mode):
    x = mg.tensor(X3[:1, :2, :4], requires_grad=True)
    assert mg.gradgradcheck(lambda t: F.pad(t, (2, 1), mode) ** 2, x)


def test_constant_value_and_dtypes(torch):
    ints = np.arange(6).reshape(2, 3)
    got = F.pad(mg.tensor(ints), (1, 1, 0, 1), value=7)
    expected = torch.nn.functional.pad(torch.tensor(ints), (1, 1, 0, 1), value=7)
    assert got.dtype == mg.int64
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    assert F.pad(mg.tensor(X3.astype(np.float32)), (1, 1), 'reflect').dtype == mg.float32
    assert F.pad(mg.tensor(X3), (0, 0)).shape == X3.shape


@pytest.mark.parametrize('args, error', [
    (((1,), 'constant'), RuntimeError), (((1, 1) * 4, 'constant'), RuntimeError),
    (((5, 1), 'reflect'), RuntimeError), (((6, 1), 'circular'), RuntimeError),
    (((1, 1), 'wrap'), NotImplementedError), (((1, 1, 1, 1, 1, 1), 'reflect'), NotImplementedError),
    (((-4, -2), 'constant'), RuntimeError)])
def test_pad_errors_as_torch(torch, args, error):
    with pytest.raises(error):
        F.pad(mg.tensor(X3), *args)
    with pytest.raises(error):
        torch.nn.functional.pad(torch.tensor(X3), *args)
