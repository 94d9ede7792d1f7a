"""minigrad/pointwise.py against PyTorch: elementwise math (log2, floor, fmod, atan2, erf, lerp...).

Each table row is run in both libraries: values (float64, rtol 1e-6 or tighter), vector-Jacobian
products, in-place and module-function forms, edge points (0, ±1, inf, nan), dtypes, 0-d and
empty inputs, broadcasting; every differentiable op also passes mg.gradgradcheck.
"""
import sys

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
    ('erfinv', (-0.99, 0.99), [0.0, -0.0, 0.5, 0.9999, -1 + 1e-12, 1.0, -1.0, 1.5, NAN]),
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
    for lib in (torch, mg):                         # create_graph: a constant 0, as in PyTorch
        t = lib.tensor(x, requires_grad=True)
        grad, = lib.autograd.grad(getattr(t, name)().sum(), t, create_graph=True)
        assert not grad.requires_grad and float((grad * grad).sum()) == 0


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


def test_erfinv_inverts_erf_to_float64_accuracy(torch):
    x = np.concatenate([np.linspace(-1, 1, 20001), 1 - np.logspace(-16, -1, 100)])
    got = mg.erfinv(mg.tensor(x)).numpy()
    np.testing.assert_allclose(got, torch.erfinv(torch.tensor(x)).numpy(), rtol=4e-15, atol=1e-300)
    y = mg.tensor(np.linspace(-3, 3, 1001))        # beyond, erf(y) rounds to within 1e-4 of 1
    np.testing.assert_allclose(mg.erfinv(mg.erf(y)).numpy(), y.numpy(), rtol=1e-11, atol=1e-300)


def test_round_with_decimals(torch):
    x = np.array([0.125, 1.25, -2.675, 125.0, 135.0, 1234.5678])
    for decimals in (1, 2, -1, -2, 0):
        pairs = both_libraries(torch, lambda t: mg.round(t, decimals=decimals),
                               lambda t: torch.round(t, decimals=decimals), [x])
        assert_agree(pairs, rtol=1e-15)
    x32 = np.random.default_rng(0).uniform(-100, 100, 1000).astype(np.float32)
    for decimals in (1, 2, -1):                     # float32 rounds in float32, as PyTorch
        got = mg.round(mg.tensor(x32), decimals=decimals)
        assert got.dtype == mg.float32
        expected = torch.round(torch.tensor(x32), decimals=decimals)
        np.testing.assert_array_equal(got.numpy(), expected.numpy())
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


# ------------------------------------------------------------------ two and three inputs

def _pos(shape, seed):
    return np.random.default_rng(seed).uniform(0.5, 2.5, shape)


def _signed(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 3, shape) * rng.choice([-1.0, 1.0], shape)


# name, mg function, torch function (name on torch), input makers
BINARY = [
    ('fmod', 'fmod', [_signed, _signed]),
    ('remainder', 'remainder', [_signed, _signed]),
    ('atan2', 'atan2', [_signed, _signed]),
    ('arctan2', 'arctan2', [_signed, _signed]),
    ('hypot', 'hypot', [_signed, _signed]),
    ('xlogy', 'xlogy', [_signed, _pos]),
    ('true_divide', 'true_divide', [_signed, _signed]),
    ('lerp', 'lerp', [_signed, _signed, _signed]),
    ('addcmul', 'addcmul', [_signed, _signed, _signed]),
    ('addcdiv', 'addcdiv', [_signed, _signed, _signed]),
    ('clip', 'clip', [_signed, lambda s, k: -_pos(s, k), _pos]),
]
BINARY_IDS = [row[0] for row in BINARY]
SHAPES = [((3, 4), (3, 4), (3, 4)), ((2, 1, 3), (4, 1), (3,)), ((), (2, 3), ())]


@pytest.mark.parametrize('shapes', SHAPES, ids=str)
@pytest.mark.parametrize('name, torch_name, makers', BINARY, ids=BINARY_IDS)
def test_multi_input_values_gradients_broadcasting(torch, name, torch_name, makers, shapes):
    arrays = [make(shape, seed) for seed, (make, shape) in enumerate(zip(makers, shapes))]
    if name == 'clip' and np.broadcast_shapes(*shapes) != shapes[0]:
        # PyTorch's clamp backward fails when the bounds broadcast the input (2.13: "output with
        # shape [2, 1, 3] doesn't match the broadcast shape [2, 4, 3]"): values, and gradcheck
        got = mg.clip(*[mg.tensor(a) for a in arrays]).numpy()
        np.testing.assert_array_equal(got, torch.clip(*[torch.tensor(a) for a in arrays]).numpy())
        assert mg.gradcheck(mg.clip, [leaf(a) for a in arrays])
        return
    pairs = both_libraries(torch, getattr(mg, name), getattr(torch, torch_name), arrays)
    assert_agree(pairs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize('name, torch_name, makers', BINARY, ids=BINARY_IDS)
def test_multi_input_second_derivative(name, torch_name, makers):
    xs = [leaf(make((2, 3), seed + 5)) for seed, make in enumerate(makers)]
    assert mg.gradgradcheck(getattr(mg, name), xs)


@pytest.mark.parametrize('name, torch_name, makers', BINARY, ids=BINARY_IDS)
def test_multi_input_method_and_in_place(torch, name, torch_name, makers):
    arrays = [make((2, 3), seed).astype(np.float32) for seed, make in enumerate(makers)]
    mine, theirs = [mg.tensor(a) for a in arrays], [torch.tensor(a) for a in arrays]
    out = getattr(mine[0], name)(*mine[1:])
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), getattr(theirs[0], torch_name)(*theirs[1:]).numpy(),
                               rtol=1e-6, atol=1e-6)
    assert getattr(mine[0], name + '_')(*mine[1:]) is mine[0]
    getattr(theirs[0], torch_name + '_')(*theirs[1:])
    np.testing.assert_allclose(mine[0].numpy(), theirs[0].numpy(), rtol=1e-6, atol=1e-6)


def test_fmod_remainder_floor_divide_of_integers_follow_torch_signs(torch):
    a = np.array([-7, 7, -7, 7, 0, 5, -5, 3])
    b = np.array([2, 2, -2, -2, 3, -3, 3, 7])
    for name in ('fmod', 'remainder', 'floor_divide'):
        for x, y in [(a, b), (a.astype(np.int32), b.astype(np.int32))]:
            got = getattr(mg, name)(mg.tensor(x), mg.tensor(y))
            expected = getattr(torch, name)(torch.tensor(x), torch.tensor(y))
            assert str(got.dtype) == str(expected.dtype).removeprefix('torch.')
            np.testing.assert_array_equal(got.numpy(), expected.numpy())
        for scalar in (2, -3, 2.5):                 # a number operand, on either side
            got = getattr(mg, name)(mg.tensor(a), scalar)
            expected = getattr(torch, name)(torch.tensor(a), scalar)
            assert str(got.dtype) == str(expected.dtype).removeprefix('torch.')
            np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(mg.remainder(3, mg.tensor(b)).numpy(),
                                  torch.remainder(3, torch.tensor(b)).numpy())
    assert np.array_equal(mg.tensor(a).remainder(3).numpy(), a % 3)     # Python's %


@pytest.mark.parametrize('name', ['fmod', 'remainder', 'floor_divide'])
def test_integer_division_by_zero_raises_like_torch(torch, name):
    for lib in (torch, mg):
        with pytest.raises(NotImplementedError):
            getattr(lib, name)(lib.tensor([True, False]), lib.tensor([True, True]))
        with pytest.raises(RuntimeError, match='ZeroDivisionError'):
            getattr(lib, name)(lib.tensor([5, 6]), lib.tensor([1, 0]))
        with pytest.raises(RuntimeError, match='ZeroDivisionError'):
            getattr(lib, name)(lib.tensor([5, 6]), 0)


def test_float_division_edges(torch):
    a = np.array([5.0, -5.0, -0.0, 5.5, 5.0, -7.5, 1.0])
    b = np.array([0.0, 0.0, 3.0, -INF, INF, 2.0, NAN])
    with np.errstate(all='ignore'):
        for name in ('fmod', 'remainder'):
            pairs = both_libraries(torch, getattr(mg, name), getattr(torch, name), [a, b])
            assert_agree(pairs, rtol=1e-12)
            got = getattr(mg, name)(mg.tensor(a), mg.tensor(b)).numpy()
            assert np.array_equal(np.signbit(got), np.signbit(getattr(torch, name)(
                torch.tensor(a), torch.tensor(b)).numpy()))
        got = mg.floor_divide(mg.tensor(a), mg.tensor(b)).numpy()
        np.testing.assert_array_equal(got, torch.floor_divide(torch.tensor(a), torch.tensor(b)).numpy())


def test_floor_divide_has_no_derivative_as_in_torch(torch):
    for lib in (torch, mg):
        x = lib.tensor([5.0, -5.0], requires_grad=True)
        out = lib.floor_divide(x, 2)
        assert out.tolist() == [2.0, -3.0] and out.requires_grad
        with pytest.raises(RuntimeError, match='floor_divide'):
            out.sum().backward()


def test_float_functions_of_two_integers_give_float32(torch):
    a, b = np.array([3, -4, 0]), np.array([1, 2, 5])
    for name in ('atan2', 'true_divide', 'xlogy'):
        got = getattr(mg, name)(mg.tensor(a), mg.tensor(b))
        expected = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        assert got.dtype == mg.float32 and expected.dtype == torch.float32
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_atan2_hypot_xlogy_edges(torch):
    with np.errstate(all='ignore'):
        for name, a, b in [('atan2', [0.0, -0.0, 1.0], [0.0, -1.0, 0.0]),
                           ('hypot', [0.0, 3.0, INF], [0.0, 4.0, 1.0]),
                           ('xlogy', [0.0, 0.0, 0.0, 2.0, 1.0], [0.0, NAN, 2.0, 0.0, -1.0])]:
            pairs = both_libraries(torch, getattr(mg, name), getattr(torch, name),
                                   [np.array(a), np.array(b)])
            assert_agree(pairs, rtol=1e-12)


def test_clamp_and_clip_with_tensor_bounds(torch):
    x = np.array([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0])
    lo, hi = np.array([-1.0, -1.0, 1.0, 0.0, 0.5, 0.0]), np.array([1.0, 1.0, 0.5, 0.5, 2.0, 2.0])
    for fn in (lambda lib, x, lo, hi: lib.clip(x, lo, hi), lambda lib, x, lo, hi: x.clamp(lo, hi),
               lambda lib, x, lo, hi: x.clamp(min=lo) * hi, lambda lib, x, lo, hi: x.clip(max=hi) * lo,
               lambda lib, x, lo, hi: lib.clamp(x, lo) * hi):
        pairs = both_libraries(torch, lambda *t: fn(mg, *t), lambda *t: fn(torch, *t), [x, lo, hi])
        assert_agree(pairs, rtol=0)
    xs = [leaf(x + 0.1), leaf(lo), leaf(hi)]
    assert mg.gradgradcheck(lambda a, b, c: a.clip(b, c), xs)
    ints = mg.tensor([-7, 7, 3]).clip(mg.tensor([0, 0, 0]), mg.tensor([5, 5, 5]))
    assert ints.dtype == mg.int64 and ints.tolist() == [0, 5, 3]
    mixed = mg.tensor([-7, 7, 3]).clip(mg.tensor([0.5, 0.5, 0.5]))
    assert mixed.dtype == torch.clip(torch.tensor([-7, 7, 3]), torch.tensor([0.5] * 3)).numpy().dtype
    for lib in (torch, mg):
        with pytest.raises(RuntimeError, match='min'):
            lib.tensor([1.0]).clip()


def test_lerp_weights_and_errors(torch):
    a, b = np.array([1.0, 2.0, -3.0]), np.array([3.0, 5.0, 4.0])
    for weight in (0.0, 0.5, 1.0, 0.3, 2.0):
        pairs = both_libraries(torch, lambda x, y: mg.lerp(x, y, weight),
                               lambda x, y: torch.lerp(x, y, weight), [a, b])
        assert_agree(pairs, rtol=0 if weight in (0.0, 1.0) else 1e-15)   # exact at 0 and 1
    for lib in (torch, mg):
        with pytest.raises(RuntimeError, match='dtype'):
            lib.lerp(lib.tensor([1.0]), lib.tensor([2.0], dtype=lib.float64), 0.5)
        with pytest.raises(NotImplementedError):
            lib.lerp(lib.tensor([1]), lib.tensor([2]), 0.5)
    half = mg.lerp(mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0]), mg.tensor(0.5, dtype=mg.float64))
    assert half.dtype == mg.float32 and half.tolist() == [2.0, 3.0]


def test_addcmul_addcdiv_value_and_dtypes(torch):
    x, a, b = _signed((2, 3), 0), _signed((2, 3), 1), _signed((3,), 2)
    for name in ('addcmul', 'addcdiv'):
        for value in (1, 0.5, -2):
            pairs = both_libraries(torch, lambda *t: getattr(mg, name)(*t, value=value),
                                   lambda *t: getattr(torch, name)(*t, value=value), [x, a, b])
            assert_agree(pairs, rtol=1e-12)
    i, j = np.array([-7, 7, 3]), np.array([2, -2, 5])
    for value in (1, 0.5, 3):
        got = mg.addcmul(mg.tensor(i), mg.tensor(i), mg.tensor(j), value=value)
        expected = torch.addcmul(torch.tensor(i), torch.tensor(i), torch.tensor(j), value=value)
        assert got.dtype == mg.int64 and got.tolist() == expected.tolist()
    for lib in (torch, mg):
        with pytest.raises(RuntimeError, match='addcdiv'):
            lib.addcdiv(lib.tensor([1.0]), lib.tensor([1]), lib.tensor([2]))


def test_existing_names_in_their_new_forms(torch):
    x = np.array([0.25, 1.5])
    for name in ('log1p', 'expm1', 'sin', 'cos'):
        mine, theirs = mg.tensor(x), torch.tensor(x)
        getattr(mine, name + '_')()
        getattr(theirs, name + '_')()
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-15)
    y = leaf([0.5, 2.0]) * 1
    y.log1p_().sum().backward()                     # recorded like any in-place op
    for lib in (torch, mg):
        w = lib.tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match='leaf'):
            w.tan_()
    with pytest.raises(RuntimeError, match="can't be cast"):
        mg.tensor([1, 2]).tan_()                     # a float result into an integer tensor


def _python_calls(fn):
    """How many Python functions one call of fn enters (C functions not counted)."""
    calls = []
    sys.setprofile(lambda frame, event, arg: calls.append(1) if event == 'call' else None)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return len(calls)


def test_same_overhead_as_an_existing_op():
    """tan (pointwise.py, via @tensor_method) runs through as few Python calls as sin (a method
    of tensor.py): the decorator adds no layer. (Counted, not timed: timings belong in benchmarks.)"""
    x = mg.tensor([0.1, 0.2])
    assert _python_calls(x.tan) <= _python_calls(x.sin)


@pytest.mark.parametrize('name, torch_name, makers', BINARY, ids=BINARY_IDS)
def test_multi_input_of_empty_tensors(torch, name, torch_name, makers):
    arrays = [make((2, 0), seed) if seed == 0 else make((1,), seed) for seed, make in enumerate(makers)]
    pairs = both_libraries(torch, getattr(mg, name), getattr(torch, torch_name), arrays)
    assert pairs[0][0].shape == (2, 0)
    assert_agree(pairs, rtol=0)


def test_mod_and_floordiv_operators_are_remainder_and_floor_divide(torch):
    for values in ([-7, 7, 3, -3], [-7.5, 7.25, 3.0, -0.5]):
        results = [[t % 3, t % -2, 5 % t, t // 2, 7 // t]
                   for t in (mg.tensor(values), torch.tensor(values))]
        for got, want in zip(*results):
            assert str(got.dtype) == str(want.dtype).removeprefix('torch.')
            np.testing.assert_array_equal(got.numpy(), want.numpy())
        mine, theirs = mg.tensor(values), torch.tensor(values)
        mine %= 4
        theirs %= 4
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
        mine //= 2
        theirs //= 2
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    pairs = both_libraries(torch, lambda a, b: a % b, lambda a, b: a % b,
                           [_signed((2, 3), 0), _signed((3,), 1)])
    assert_agree(pairs, rtol=1e-12)
