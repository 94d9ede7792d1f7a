"""minigrad/pointwise.py against PyTorch: elementwise math (log2, floor, fmod, atan2, erf, lerp, ...).

Each table row is run in both libraries: values (float64, rtol 1e-6 or tighter), vector-Jacobian
products, in-place and module-function forms, edge points (0, ±1, inf, nan), dtypes, 0-d and
empty inputs, broadcasting; every differentiable op also passes mg.gradgradcheck.
"""
import numpy as np
import pytest

import minigrad as mg
from helpers import assert_agree, both_libraries, leaf

INF, NAN = np.inf, np.nan

# name, where its random points are drawn (low, high), edge points (values and gradients compared)
UNARY = [
    ('log2', (0.2, 3), [0.0, 1.0, -1.0, INF, NAN]),
    ('log10', (0.2, 3), [0.0, 1.0, -1.0, INF]),
    ('exp2', (-3, 3), [0.0, -INF, INF, 1100.0]),
    ('rsqrt', (0.2, 3), [0.0, -1.0, INF]),
    ('reciprocal', (0.3, 3), [0.0, -0.0, INF]),
    ('square', (-3, 3), [0.0, INF, NAN]),
    ('sign', (-3, 3), [0.0, -0.0, NAN, INF, -INF]),
    ('sgn', (-3, 3), [0.0, -2.0, NAN]),
    ('floor', (-3, 3), [-0.5, 2.0, INF, NAN]),
    ('ceil', (-3, 3), [-0.5, 2.0, -INF]),
    ('round', (-3, 3), [0.5, 1.5, 2.5, -0.5, -1.5]),
    ('trunc', (-3, 3), [-0.5, -1.7, 2.0]),
    ('fix', (-3, 3), [-0.5, -1.7, 2.0]),
    ('frac', (-3, 3), [-1.5, 2.0, 0.0]),
    ('tan', (-1.2, 1.2), [0.0, np.pi / 2]),
    ('asin', (-0.9, 0.9), [0.0, 1.0, -1.0, 1.5]),
    ('acos', (-0.9, 0.9), [0.0, 1.0, -1.0, -1.5]),
    ('atan', (-3, 3), [0.0, INF, -INF]),
    ('arcsin', (-0.9, 0.9), [1.0, -1.0]),
    ('arccos', (-0.9, 0.9), [1.0, -1.0]),
    ('arctan', (-3, 3), [0.0, INF]),
    ('sinh', (-3, 3), [0.0, 800.0, -INF]),
    ('cosh', (-3, 3), [0.0, 800.0, -INF]),
    ('asinh', (-3, 3), [0.0, 1e200, -INF]),
    ('acosh', (1.2, 4), [1.0, 0.5, INF]),
    ('atanh', (-0.9, 0.9), [0.0, 1.0, -1.0, 2.0]),
    ('arcsinh', (-3, 3), [0.0]),
    ('arccosh', (1.2, 4), [1.0]),
    ('arctanh', (-0.9, 0.9), [1.0]),
    ('erf', (-3, 3), [0.0, -0.0, 0.46875, 4.0, -5.9, 30.0, INF, -INF, NAN]),
    ('erfc', (-3, 3), [0.0, 0.46875, 4.0, -5.9, 26.0, INF, -INF, NAN]),
    ('logit', (0.05, 0.95), [0.0, 1.0, 0.5, 2.0, -1.0]),
    ('nan_to_num', (-3, 3), [NAN, INF, -INF, 0.0]),
    ('log1p', (-0.5, 3), [0.0, -1.0]),
    ('expm1', (-3, 3), [0.0, -INF]),
    ('sin', (-3, 3), [0.0]),
    ('cos', (-3, 3), [0.0]),
]
NAMES = [row[0] for row in UNARY]
STEPS = {'sign', 'sgn', 'floor', 'ceil', 'round', 'trunc', 'fix'}      # derivative 0, ints kept
FAMILY = NAMES + ['fmod', 'remainder', 'floor_divide', 'true_divide', 'clip', 'atan2', 'arctan2',
                  'hypot', 'xlogy', 'lerp', 'addcmul', 'addcdiv', 'sigmoid', 'maximum', 'minimum']


def torch_fn(torch, name):
    """PyTorch's function of that name; sgn's gradient there is a ZeroTensor, which cannot become
    an array, so gradients are compared with sign's (the same function on real numbers; the
    values of sgn itself are compared in test_unary_in_place_and_float32)."""
    return getattr(torch, 'sign' if name == 'sgn' else name)


def test_every_name_exists_in_every_form_torch_has(torch):
    for name in FAMILY:
        assert hasattr(mg, name) == hasattr(torch, name), name
        assert hasattr(mg.Tensor, name) == hasattr(torch.Tensor, name), name
        assert hasattr(mg.Tensor, name + '_') == hasattr(torch.Tensor, name + '_'), name + '_'


@pytest.mark.parametrize('name, bounds, edges', UNARY, ids=NAMES)
def test_unary_values_and_gradients_match_torch(torch, name, bounds, edges):
    x = np.random.default_rng(0).uniform(*bounds, (3, 4))
    pairs = both_libraries(torch, getattr(mg, name), torch_fn(torch, name), [x])
    assert_agree(pairs, rtol=1e-6, atol=1e-12)
    with np.errstate(all='ignore'):
        edge = both_libraries(torch, lambda t: getattr(t, name)(), torch_fn(torch, name),
                              [np.asarray(edges)])
    assert_agree(edge, rtol=1e-6, atol=1e-300)


@pytest.mark.parametrize('name, bounds, edges', UNARY, ids=NAMES)
def test_unary_in_place_and_float32(torch, name, bounds, edges):
    x = np.random.default_rng(1).uniform(*bounds, 5).astype(np.float32)
    mine, theirs = mg.tensor(x), torch.tensor(x)
    out = getattr(mine, name)()
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), getattr(theirs, name)().numpy(), rtol=2e-6, atol=1e-7)
    assert getattr(mine, name + '_')() is mine
    getattr(theirs, name + '_')()
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize('name', NAMES)
@pytest.mark.parametrize('dtype', ['int64', 'int32', 'bool'])
def test_unary_of_integers_and_bools_follows_torch(torch, name, dtype):
    x = np.array([-3, 0, 1, 2]) if dtype != 'bool' else np.array([True, False])
    x = x.astype(dtype)
    try:
        expected = getattr(torch, name)(torch.tensor(x))
    except (NotImplementedError, RuntimeError) as error:
        with pytest.raises(type(error)):
            getattr(mg, name)(mg.tensor(x))
        return
    with np.errstate(all='ignore'):
        got = getattr(mg, name)(mg.tensor(x))
    assert str(got.dtype) == str(expected.dtype).removeprefix('torch.'), (got.dtype, expected.dtype)
    np.testing.assert_allclose(got.numpy().astype(float), expected.numpy().astype(float), rtol=2e-6)


DIFFERENTIABLE = [n for n in NAMES if n not in STEPS]


@pytest.mark.parametrize('name', DIFFERENTIABLE)
def test_unary_second_derivative(name):
    bounds = dict((row[0], row[1]) for row in UNARY)[name]
    x = leaf(np.random.default_rng(2).uniform(*bounds, 4))
    assert mg.gradgradcheck(getattr(mg, name), (x,))


@pytest.mark.parametrize('name', sorted(STEPS))
def test_step_functions_have_zero_gradient(torch, name):
    x = np.array([-1.5, -0.3, 0.0, 0.5, 2.5])
    pairs = both_libraries(torch, getattr(mg, name), torch_fn(torch, name), [x])
    assert_agree(pairs, rtol=0)
    assert not pairs[1][0][0].any()


@pytest.mark.parametrize('shape', [(), (0,), (2, 0, 3)])
@pytest.mark.parametrize('name', ['log2', 'erf', 'floor', 'sign', 'nan_to_num', 'logit'])
def test_zero_d_and_empty(torch, name, shape):
    x = np.full(shape, 0.25)
    pairs = both_libraries(torch, getattr(mg, name), getattr(torch, name), [x])
    assert pairs[0][0].shape == shape
    assert_agree(pairs, rtol=1e-12)


def test_erf_is_float64_accurate_on_a_fine_grid(torch):
    x = np.concatenate([np.linspace(-7, 7, 20001), np.linspace(-27, 27, 1001)])
    for name in ('erf', 'erfc'):
        got = getattr(mg, name)(mg.tensor(x)).numpy()
        expected = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(got, expected, rtol=2e-15, atol=1e-300)


def test_round_with_decimals(torch):
    x = np.array([0.125, 1.25, -2.675, 125.0, 135.0, 1234.5678])
    for decimals in (1, 2, -1, -2, 0):
        pairs = both_libraries(torch, lambda t: mg.round(t, decimals=decimals),
                               lambda t: torch.round(t, decimals=decimals), [x])
        assert_agree(pairs, rtol=1e-15)
    assert mg.round(mg.tensor([3, -7]), decimals=0).tolist() == [3, -7]
    with pytest.raises(NotImplementedError):
        mg.round(mg.tensor([3, -7]), decimals=1)        # as torch
    t = mg.tensor([1.26, 2.5])
    assert t.round_(decimals=1) is t and np.allclose(t.numpy(), [1.3, 2.5])


@pytest.mark.parametrize('eps', [None, 0.1, 0.0])
def test_logit_eps(torch, eps):
    x = np.array([0.0, 0.05, 0.1, 0.5, 0.9, 0.95, 1.0, 1.5, -0.5])
    with np.errstate(all='ignore'):
        pairs = both_libraries(torch, lambda t: t.logit(eps), lambda t: t.logit(eps), [x])
    assert_agree(pairs, rtol=1e-12)
    assert mg.gradgradcheck(lambda t: mg.logit(t, eps=0.1), (leaf([0.2, 0.6, 0.7]),))


def test_nan_to_num_replacements(torch):
    x = np.array([NAN, INF, -INF, 1.5])
    for kwargs in ({}, {'nan': 2.0}, {'posinf': 3.0, 'neginf': -4.0}, {'nan': -1, 'posinf': 9}):
        pairs = both_libraries(torch, lambda t: mg.nan_to_num(t, **kwargs),
                               lambda t: torch.nan_to_num(t, **kwargs), [x])
        assert_agree(pairs, rtol=0)
    x32 = np.array([NAN, INF, -INF], dtype=np.float32)
    got = mg.nan_to_num(mg.tensor(x32))
    assert got.dtype == mg.float32
    np.testing.assert_array_equal(got.numpy(), torch.nan_to_num(torch.tensor(x32)).numpy())
