"""Flatten/Unflatten, and leaky_relu, elu, softplus, gelu (with its erf) and smooth_l1_loss:
finite differences in float64 first, PyTorch as a second opinion where it is installed
(values and gradients, especially at the kinks where finite differences cannot decide)."""
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.ops.activations import erf, erfc


def leaf(values, dtype=np.float64):
    return mg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def around(*points, spread=1e-3):
    """Each point's two neighbours at ±spread: both sides of a kink, never across it
    (gradcheck's finite differences step 1e-6)."""
    return np.concatenate([[p - spread, p + spread] for p in points])


# ------------------------------------------------------------------ erf

def test_erf_and_erfc_match_math_to_1e15():
    x = np.concatenate([np.linspace(-28, 28, 20001), np.geomspace(1e-300, 28, 2000),
                        -np.geomspace(1e-300, 28, 2000), [0.46875, 4.0, -0.46875, -4.0]])
    x = np.concatenate([x, np.nextafter(x, np.inf), np.nextafter(x, -np.inf)])  # both sides of the cuts
    for fn, reference in [(erf, math.erf), (erfc, math.erfc)]:
        expected = np.array([reference(v) for v in x])
        got = fn(x)
        normal = np.abs(expected) >= np.finfo(np.float64).tiny
        relative = np.abs(got[normal] - expected[normal]) / np.abs(expected[normal])
        assert relative.max() < 1e-15, (fn.__name__, x[normal][relative.argmax()], relative.max())
        assert np.abs(got[~normal] - expected[~normal]).max() < 1e-320    # subnormal results


def test_erf_special_values_and_dtype():
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 27.3, -27.3, 30.0])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        e, c = erf(special), erfc(special)
    np.testing.assert_array_equal(e, [0.0, -0.0, 1, -1, np.nan, 1, -1, 1])
    np.testing.assert_array_equal(c, [1.0, 1.0, 0, 2, np.nan, 0, 2, 0])
    assert np.signbit(e[1])
    x32 = np.linspace(-5, 5, 101, dtype=np.float32)
    assert erf(x32).dtype == erfc(x32).dtype == np.float32
    np.testing.assert_allclose(erf(x32), [math.erf(v) for v in x32.astype(float)], atol=2e-7)
    assert erf(np.float64(0.5)).shape == ()


# ------------------------------------------------------- finite differences

KINKS = np.concatenate([around(0.0), [-2.0, -1.0, -1e-5, 1e-5, 1.0, 2.0]])     # the kink is at 0
GELU_RANGE = np.linspace(-8, 8, 41)

GRADCHECKS = [
    # id, function of one float64 tensor, input values
    ('leaky_relu', lambda x: F.leaky_relu(x), KINKS),
    ('leaky_relu slope 0.2', lambda x: F.leaky_relu(x, 0.2), KINKS),
    ('leaky_relu slope -0.5', lambda x: F.leaky_relu(x, negative_slope=-0.5), KINKS),
    ('leaky_relu slope 0', lambda x: F.leaky_relu(x, 0.0), KINKS),
    ('elu', lambda x: F.elu(x), np.concatenate([KINKS, [-30.0, -5.0, 5.0]])),
    ('elu alpha 0.5', lambda x: F.elu(x, alpha=0.5), KINKS),
    # softplus jumps by log1p(e^-threshold) / beta where beta x crosses the threshold
    ('softplus', lambda x: F.softplus(x), np.concatenate([around(20.0), [-800.0, -40.0, 0.0, 3.0, 800.0]])),
    ('softplus beta 2 threshold 2', lambda x: F.softplus(x, beta=2, threshold=2), around(-1.0, 1.0)),
    ('softplus beta -1', lambda x: F.softplus(x, beta=-1.0), around(-20.0, 0.0, 3.0)),
    ('softplus threshold 1e4', lambda x: F.softplus(x, threshold=1e4), [-800.0, 0.0, 700.0, 800.0]),
    ('gelu', lambda x: F.gelu(x), GELU_RANGE),
    ('gelu tanh', lambda x: F.gelu(x, approximate='tanh'), GELU_RANGE),
    ('gelu far tails', lambda x: F.gelu(x), [-40.0, -30.0, -10.0, 10.0, 40.0]),
]


@pytest.mark.parametrize('fn, values', [c[1:] for c in GRADCHECKS], ids=[c[0] for c in GRADCHECKS])
def test_activation_gradcheck(fn, values):
    assert mg.gradcheck(fn, leaf(values))


SMOOTH_DIFFS = np.concatenate([around(-1.0, 1.0), [-3.0, -0.5, 0.0, 0.5, 3.0]])


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
@pytest.mark.parametrize('beta', [1.0, 0.5, 2.0])
def test_smooth_l1_gradcheck_around_beta(beta, reduction):
    # |d| = beta exactly is included: the loss is C¹ there, so finite differences agree.
    diffs = np.concatenate([SMOOTH_DIFFS * beta, [beta, -beta]])
    target = np.linspace(-1, 1, diffs.size)
    assert mg.gradcheck(lambda x, t: F.smooth_l1_loss(x, t, reduction=reduction, beta=beta),
                        (leaf(target + diffs), leaf(target)))


def test_smooth_l1_beta_0_is_l1():
    diffs = np.array([-2.0, -1e-3, 1e-3, 0.5, 3.0])
    assert mg.gradcheck(lambda x: F.smooth_l1_loss(x, np.zeros(5), beta=0.0), leaf(diffs))
    x = leaf([[-2.0, 0.0, 1.5]])
    loss = F.smooth_l1_loss(x, [[0.0, 0.0, 0.0]], beta=0, reduction='sum')
    loss.backward()
    assert loss.item() == 3.5
    np.testing.assert_array_equal(x.grad.numpy(), [[-1.0, 0.0, 1.0]])    # sign, 0 at d = 0


def test_smooth_l1_is_huber_over_beta():
    x, t = leaf(np.linspace(-3, 3, 13)), mg.tensor(np.zeros(13))
    for beta in [0.25, 1.0, 4.0]:
        np.testing.assert_allclose(F.smooth_l1_loss(x, t, beta=beta, reduction='none').detach().numpy(),
                                   F.huber_loss(x, t, delta=beta, reduction='none').detach().numpy() / beta,
                                   rtol=1e-15)


# ---------------------------------------------------- values that must not warn

def test_extreme_inputs_stay_finite_without_warnings():
    huge = [-1e300, -1e200, -800.0, -50.0, 0.0, 50.0, 800.0, 1e200, 1e300]
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for fn in [F.leaky_relu, F.elu, F.softplus, F.gelu, lambda x: F.gelu(x, approximate='tanh'),
                   lambda x: F.softplus(x, beta=3.0, threshold=1e4)]:
            x = leaf(huge)
            out = fn(x)
            out.sum().backward()
            assert np.all(np.isfinite(out.detach().numpy())) and np.all(np.isfinite(x.grad.numpy()))
        for loss in [F.smooth_l1_loss, F.huber_loss]:
            x = leaf(huge)
            loss(x, np.zeros(len(huge))).backward()
            assert np.all(np.isfinite(x.grad.numpy()))
        assert F.smooth_l1_loss(leaf([1e300]), [0.0], beta=1e-300).item() == 1e300
        # ±inf and nan give PyTorch's results, quietly
        special = mg.tensor([-np.inf, np.inf, np.nan], dtype=mg.float64)
        np.testing.assert_array_equal(F.gelu(special).detach().numpy(), [np.nan, np.inf, np.nan])
        np.testing.assert_array_equal(F.softplus(special).detach().numpy(), [0.0, np.inf, np.nan])
        np.testing.assert_array_equal(F.elu(special).detach().numpy(), [-1.0, np.inf, np.nan])


def test_softplus_is_x_above_threshold_and_matches_the_formula_below():
    x = mg.tensor([-30.0, -1.0, 0.0, 1.0, 19.0, 20.0, 20.5, 100.0], dtype=mg.float64)
    y = F.softplus(x).numpy()
    np.testing.assert_array_equal(y[-2:], [20.5, 100.0])                  # x itself
    np.testing.assert_allclose(y[:-2], np.log1p(np.exp(x.numpy()[:-2])), rtol=1e-15)
    assert F.softplus(mg.tensor([1.0]), beta=2.0, threshold=1.0).item() == 1.0   # beta x = 2 > 1


def test_float32_stays_float32():
    for fn in [F.leaky_relu, F.elu, F.softplus, F.gelu, lambda x: F.gelu(x, approximate='tanh'),
               lambda x: F.smooth_l1_loss(x, mg.zeros(3))]:
        x = mg.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        out = fn(x)
        out.sum().backward()
        assert out.dtype == x.grad.dtype == np.float32


# ------------------------------------------------------ arguments and errors

def test_argument_errors():
    x = mg.tensor([1.0, -2.0])
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        F.gelu(x, approximate='exact')
    with pytest.raises(ValueError, match='negative values for beta'):
        F.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(ValueError, match='not a valid value for reduction'):
        F.smooth_l1_loss(x, x, reduction='avg')
    with pytest.raises(TypeError, match="'negative_slope' must be a number"):
        F.leaky_relu(x, 'a')
    for fn in [F.leaky_relu, F.elu, F.softplus, F.gelu]:
        with pytest.raises(TypeError, match='floating point'):
            fn(mg.tensor([1, 2]))
    with pytest.warns(UserWarning, match='target size'):
        F.smooth_l1_loss(mg.zeros(3, 1), mg.zeros(3))


def test_inplace_true_is_accepted_and_computed_out_of_place():
    for module, function in [(nn.ReLU(inplace=True), F.relu), (nn.LeakyReLU(inplace=True), F.leaky_relu),
                             (nn.ELU(inplace=True), F.elu)]:
        x = mg.tensor([-1.0, 0.0, 2.0])
        y = module(x)
        assert y is not x
        np.testing.assert_array_equal(x.numpy(), [-1.0, 0.0, 2.0])
        np.testing.assert_array_equal(function(x, inplace=True).numpy(), y.numpy())


def test_modules_call_their_functions():
    x = leaf(np.linspace(-3, 3, 7))
    t = mg.tensor(np.linspace(3, -3, 7))
    pairs = [(nn.LeakyReLU(0.3), F.leaky_relu(x, 0.3)), (nn.ELU(0.7), F.elu(x, 0.7)),
             (nn.Softplus(2.0, 3.0), F.softplus(x, 2.0, 3.0)), (nn.GELU(), F.gelu(x)),
             (nn.GELU('tanh'), F.gelu(x, approximate='tanh'))]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(x).detach().numpy(), expected.detach().numpy())
    for reduction in ['mean', 'sum', 'none']:
        np.testing.assert_array_equal(
            nn.SmoothL1Loss(reduction=reduction, beta=0.5)(x, t).detach().numpy(),
            F.smooth_l1_loss(x, t, reduction=reduction, beta=0.5).detach().numpy())


# -------------------------------------------------------- Flatten, Unflatten

def test_flatten_shapes_and_gradient():
    x = mg.randn(2, 3, 4, 5, requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Flatten(start_dim=-2)(x).shape == (2, 3, 20)
    assert nn.Flatten(1, 1)(x).shape == (2, 3, 4, 5)
    y = nn.Flatten()(x)
    (y * mg.arange(60.0)).sum().backward()
    expected = np.broadcast_to(np.arange(60.0).reshape(3, 4, 5), (2, 3, 4, 5))
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    with pytest.raises(RuntimeError, match='cannot come after'):
        nn.Flatten(2, 1)(x)


def test_unflatten_shapes_and_errors():
    x = mg.randn(2, 12, requires_grad=True)
    assert nn.Unflatten(1, (3, 4))(x).shape == (2, 3, 4)
    assert nn.Unflatten(-1, [2, -1, 3])(x).shape == (2, 2, 2, 3)
    assert nn.Unflatten(0, (1, 2))(x).shape == (1, 2, 12)
    with pytest.raises(RuntimeError, match="don't multiply up"):     # -1 of 0 elements: ambiguous
        nn.Unflatten(1, (0, -1))(mg.zeros(3, 0))
    assert nn.Unflatten(1, (2, 0))(mg.zeros(3, 0)).shape == (3, 2, 0)
    model = nn.Sequential(nn.Unflatten(1, (3, 4)), nn.GELU(), nn.Flatten())
    out = model(x)
    assert out.shape == (2, 12)
    out.sum().backward()
    assert x.grad.shape == (2, 12)
    message = r"Provided sizes \[5, -1\] don't multiply up to the size of dim 1 \(12\)"
    with pytest.raises(RuntimeError, match=message):
        nn.Unflatten(1, (5, -1))(x)
    with pytest.raises(RuntimeError, match=r"Provided sizes \[2, 5\]"):
        nn.Unflatten(1, (2, 5))(x)
    with pytest.raises(RuntimeError, match='only one dimension can be inferred'):
        nn.Unflatten(1, (-1, -1))(x)
    with pytest.raises(IndexError, match='Dimension out of range'):
        nn.Unflatten(2, (3, 4))(x)
    with pytest.raises(TypeError, match='must be a tuple of ints, but found type int'):
        nn.Unflatten(1, 12)
    with pytest.raises(TypeError, match='found element of type float at pos 1'):
        nn.Unflatten(1, (3, 4.0))


# ------------------------------------------------------------ PyTorch oracle

def _both(torch, fn_mg, fn_torch, arrays, seed=0):
    """Values and vector-Jacobian products of both libraries at float64 inputs."""
    mine = [leaf(a) for a in arrays]
    theirs = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out_mg, out_torch = fn_mg(*mine), fn_torch(*theirs)
    direction = np.random.default_rng(seed).standard_normal(tuple(out_torch.shape))
    out_mg.backward(direction)
    out_torch.backward(torch.tensor(direction))
    return ((out_mg.detach().numpy(), out_torch.detach().numpy()),
            [(m.grad.numpy(), t.grad.numpy()) for m, t in zip(mine, theirs)])


def _assert_agree(pairs, rtol, atol=0.0):
    values, grads = pairs
    for got, expected in [values] + grads:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


KINK_POINTS = np.array([-30.0, -2.0, -1e-3, -1e-300, 0.0, 1e-300, 1e-3, 2.0, 30.0])
EXACT = [
    # id, minigrad function, torch function (of torch.nn.functional), inputs
    ('leaky_relu at 0', lambda x: F.leaky_relu(x), lambda T, x: T.leaky_relu(x), KINK_POINTS),
    ('leaky_relu slope -0.5', lambda x: F.leaky_relu(x, -0.5), lambda T, x: T.leaky_relu(x, -0.5),
     KINK_POINTS),
    ('elu at 0', lambda x: F.elu(x), lambda T, x: T.elu(x), KINK_POINTS),
    ('elu alpha 2.5', lambda x: F.elu(x, 2.5), lambda T, x: T.elu(x, 2.5), KINK_POINTS),
    ('softplus at the threshold', lambda x: F.softplus(x), lambda T, x: T.softplus(x),
     np.concatenate([KINK_POINTS, [-800.0, 19.99, 20.0, 20.01, 700.0]])),
    ('softplus beta 2 threshold 3', lambda x: F.softplus(x, 2, 3), lambda T, x: T.softplus(x, 2, 3),
     np.concatenate([KINK_POINTS, [1.4999, 1.5, 1.5001]])),
    ('softplus beta -1.5', lambda x: F.softplus(x, -1.5), lambda T, x: T.softplus(x, -1.5),
     np.concatenate([KINK_POINTS, [-13.3, -40.0 / 3]])),
]


@pytest.mark.parametrize('fn_mg, fn_torch, values', [c[1:] for c in EXACT], ids=[c[0] for c in EXACT])
def test_activations_match_torch(torch, fn_mg, fn_torch, values):
    T = torch.nn.functional
    _assert_agree(_both(torch, fn_mg, lambda x: fn_torch(T, x), [values]), rtol=1e-10)


@pytest.mark.parametrize('approximate', ['none', 'tanh'])
def test_gelu_matches_torch(torch, approximate):
    # rtol 1e-10 plus atol 1e-13. PyTorch computes Φ(x) as ½ (1 + erf(x/√2)) (and the tanh form
    # as ½ (1 + tanh u), with 1 - tanh² u in its derivative); these cancel in the tails, leaving
    # errors of about |x| 2⁻⁵³ in absolute terms (torch is 2 % off at x = -8). minigrad writes
    # them with erfc and σ, accurate relative to the result, so the two agree to 1e-10 relatively
    # away from the tails and to ~1e-14 absolutely in them. Our own accuracy is checked against
    # math.erfc below.
    x = np.concatenate([np.linspace(-10, 10, 401), [-40.0, -30.0, 0.0, 30.0, 1e3, -1e3]])
    pairs = _both(torch, lambda t: F.gelu(t, approximate=approximate),
                  lambda t: torch.nn.functional.gelu(t, approximate=approximate), [x])
    _assert_agree(pairs, rtol=1e-10, atol=1e-13)
    away = x > -3
    (got, expected), [(grad, grad_torch)] = pairs
    np.testing.assert_allclose(got[away], expected[away], rtol=1e-12)
    np.testing.assert_allclose(grad[away], grad_torch[away], rtol=1e-12, atol=1e-15)


def test_gelu_is_accurate_in_the_left_tail():
    x = np.array([-37.0, -20.0, -8.0, -6.0, -3.0, -1.0, 0.5, 3.0, 8.0])
    cdf = np.array([0.5 * math.erfc(-v * math.sqrt(0.5)) for v in x])
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    t = leaf(x)
    out = F.gelu(t)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), x * cdf, rtol=2e-15)
    np.testing.assert_allclose(t.grad.numpy(), cdf + x * pdf, rtol=2e-15)


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
@pytest.mark.parametrize('beta', [1.0, 0.3, 0.0])
def test_smooth_l1_matches_torch(torch, beta, reduction):
    target = np.linspace(-2, 2, 12).reshape(3, 4)
    diffs = np.array([-3.0, -1.0, -0.3, -1e-3, 0.0, 0.0, 1e-3, 0.3, 1.0, 0.29, 3.0, -0.31]).reshape(3, 4)
    pairs = _both(torch, lambda x, t: F.smooth_l1_loss(x, t, reduction=reduction, beta=beta),
                  lambda x, t: torch.nn.functional.smooth_l1_loss(x, t, reduction=reduction, beta=beta),
                  [target + diffs, target])
    _assert_agree(pairs, rtol=1e-10)


def test_reprs_match_torch(torch):
    tnn = torch.nn
    cases = [
        ('Flatten', (), {}), ('Flatten', (0, 2), {}), ('Unflatten', (1, (2, 5)), {}),
        ('Unflatten', (-1, [2, -1]), {}), ('LeakyReLU', (), {}), ('LeakyReLU', (0.2, True), {}),
        ('ReLU', (), {}), ('ReLU', (), {'inplace': True}), ('ELU', (), {}), ('ELU', (0.5, True), {}),
        ('GELU', (), {}), ('GELU', ('tanh',), {}), ('Softplus', (), {}), ('Softplus', (2, 5), {}),
        ('SmoothL1Loss', (), {}), ('SmoothL1Loss', (), {'beta': 0.5, 'reduction': 'sum'}),
    ]
    for name, args, kwargs in cases:
        assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(tnn, name)(*args, **kwargs))
    ours, theirs = [lib.Sequential(lib.Flatten(), lib.Linear(4, 3), lib.GELU(), lib.Linear(3, 6),
                                   lib.Unflatten(1, (2, 3))) for lib in (nn, tnn)]
    assert repr(ours) == repr(theirs)
