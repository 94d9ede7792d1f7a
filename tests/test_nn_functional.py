"""Activations and the linear layer of minigrad.nn.functional: gradcheck (for leaky_relu, elu,
softplus and gelu at their kinks, thresholds and tails), gelu's erf and erfc against math,
numerics at logits of ±1e4, argument errors, and PyTorch as an oracle. (The losses of
minigrad.nn.functional are in test_losses.py.)"""
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops.activations import erf, erfc
from helpers import around, assert_agree, both_libraries, leaf

try:                      # tests marked @by_name run in minigrad, and in PyTorch when installed
    import torch
except ImportError:
    torch = None

LIBS = [mg] + ([torch] if torch is not None else [])
by_name = pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)


def _values(shape, seed=0):
    values = np.random.default_rng(seed).uniform(-3, 3, shape)
    return np.where(np.abs(values) < 0.05, 0.3, values)          # away from relu's kink


ACTIVATIONS = [                     # (function name, keyword arguments, input shape)
    ('relu', {}, (4, 3)),
    ('sigmoid', {}, (4, 3)),
    ('tanh', {}, (4, 3)),
    ('softmax', {'dim': 1}, (4, 3)),
    ('softmax', {'dim': 0}, (4, 3)),
    ('softmax', {'dim': -1}, (2, 3, 4)),
    ('softmax', {'dim': 0}, (5,)),
    ('log_softmax', {'dim': 1}, (4, 3)),
    ('log_softmax', {'dim': 0}, (4, 3)),
    ('log_softmax', {'dim': 1}, (2, 3, 4)),
]
IDS = [f'{name}-{options}-{shape}' for name, options, shape in ACTIVATIONS]


@pytest.mark.parametrize('name, options, shape', ACTIVATIONS, ids=IDS)
def test_activation_gradcheck(name, options, shape):
    fn = getattr(F, name)
    assert mg.gradcheck(lambda x: fn(x, **options), mg.tensor(_values(shape), requires_grad=True))


@pytest.mark.parametrize('name, options, shape', ACTIVATIONS, ids=IDS)
def test_activation_keeps_float32(name, options, shape):
    x = mg.tensor(_values(shape).astype(np.float32), requires_grad=True)
    out = getattr(F, name)(x, **options)
    assert out.dtype == np.float32 and out.shape == shape
    out.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize('with_bias', [True, False])
@pytest.mark.parametrize('in_shape', [(5, 3), (3,), (2, 4, 3)])
def test_linear_gradcheck(in_shape, with_bias):
    x = mg.tensor(_values(in_shape, 1), requires_grad=True)
    w = mg.tensor(_values((2, 3), 2), requires_grad=True)
    inputs = (x, w, mg.tensor(_values(2, 3), requires_grad=True)) if with_bias else (x, w)
    assert mg.gradcheck(lambda *args: F.linear(*args), inputs)
    out = F.linear(*inputs)
    assert out.shape == in_shape[:-1] + (2,)
    assert out.grad_fn.name == 'LinearBackward'              # the fused op, one node
    expected = x._array @ w._array.T + (inputs[2]._array if with_bias else 0)
    assert np.allclose(out._array, expected)


# ------------------------------ leaky_relu, elu, softplus, gelu: kinks, thresholds, tails




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
def test_activation_gradcheck_at_kinks_thresholds_and_tails(fn, values):
    assert mg.gradcheck(fn, leaf(values))


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


# ------------------------------- gelu's erf and erfc (minigrad/ops/activations.py)

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


# -------------------------------------------------------- extreme inputs

@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_sigmoid_at_1e4_does_not_overflow(dtype):
    x = mg.tensor(np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('error')                           # no overflow RuntimeWarning
        out = F.sigmoid(x)
        out.sum().backward()
    assert out._array[0] == 0 and out._array[2] == 0.5 and out._array[-1] == 1
    assert np.all(np.isfinite(x.grad._array)) and x.grad._array[2] == 0.25


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_softmax_and_log_softmax_at_1e4_are_finite_and_exact(dtype):
    logits = np.array([[1e4, -1e4, 0.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        x = mg.tensor(logits, requires_grad=True)
        s = F.softmax(x, 1)
        (s * mg.tensor(np.array([[1.0, 2.0, 3.0]], dtype=dtype))).sum().backward()
        assert np.array_equal(s._array, np.array([[1, 0, 0]], dtype=dtype))
        assert np.all(np.isfinite(x.grad._array))
        x = mg.tensor(logits, requires_grad=True)
        lp = F.log_softmax(x, 1)
        lp[0, 1].backward()
    assert np.array_equal(lp._array, np.array([[0, -2e4, -1e4]], dtype=dtype))
    assert np.allclose(x.grad._array, [[-1, 1, 0]])                # d lp_1 = onehot_1 - softmax


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


# ----------------------------------------------------------------- errors

def test_linear_names_in_features_and_the_inputs_last_dim():
    with pytest.raises(RuntimeError, match=r'in_features=4.*shape \(8, 3\) \(last dim 3\).*\(10, 4\)'):
        F.linear(mg.zeros(8, 3), mg.zeros(10, 4))


@pytest.mark.parametrize('call, match', [
    (lambda: F.linear(mg.zeros(8, 4), mg.zeros(10, 4), mg.zeros(4)), r'bias must have shape .*\(10,\), got \(4,\)'),
    (lambda: F.linear(mg.zeros(8, 4), mg.zeros(4)), r'weight must be 2-D .*got shape \(4,\)'),
    (lambda: F.linear(mg.tensor(1.0), mg.zeros(2, 1)), r'in_features=1.*0-d'),
])
def test_linear_shape_errors(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


@pytest.mark.parametrize('shape', [(4, 3), (3,), (2, 4, 3)])
@pytest.mark.parametrize('dtype, fix', [('float64', 'x.float()'), ('int64', 'x.float()')])
def test_a_batch_of_another_dtype_into_a_float32_linear_raises_as_in_pytorch(torch, shape, dtype, fix):
    data = np.ones(shape, dtype=dtype)            # NumPy's default: the usual first bug after from_numpy
    layer = mg.nn.Linear(3, 2)
    with pytest.raises(RuntimeError) as ours:
        layer(mg.from_numpy(data))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(3, 2)(torch.from_numpy(data))
    assert str(ours.value).startswith(str(theirs.value))    # "mat1 and mat2 must have the same dtype, but got Double and Float"
    assert fix in str(ours.value)
    assert layer(mg.from_numpy(data).float()).dtype == mg.float32


def test_linear_names_the_dtypes_of_a_float32_batch_into_a_float64_layer_and_of_the_bias(torch):
    with pytest.raises(RuntimeError, match=r'^mat1 and mat2 must have the same dtype, but got Float and Double.*x\.double\(\)'):
        mg.nn.Linear(3, 2).double()(mg.ones(4, 3))
    with pytest.raises(RuntimeError, match='but got Float and Double'):
        torch.nn.Linear(3, 2).double()(torch.ones(4, 3))
    with pytest.raises(RuntimeError, match=r'^self and mat2 must have the same dtype, but got Double and Float.*bias'):
        F.linear(mg.ones(4, 3), mg.ones(2, 3), mg.ones(2, dtype=mg.float64))
    with pytest.raises(RuntimeError, match='self and mat2 must have the same dtype, but got Double and Float'):
        torch.nn.functional.linear(torch.ones(4, 3), torch.ones(2, 3), torch.ones(2, dtype=torch.float64))


# Issue 15, item 10: F.linear with in_features = 0 and an input that is not 2-D
@by_name
def test_linear_with_no_in_features(lib):
    weight = lib.zeros(3, 0, requires_grad=True)
    bias = lib.zeros(3, requires_grad=True)
    x = lib.zeros(2, 4, 0, requires_grad=True)
    lib.nn.functional.linear(x, weight, bias).sum().backward()
    assert tuple(weight.grad.shape) == (3, 0) and tuple(x.grad.shape) == (2, 4, 0)
    assert bias.grad.tolist() == [8.0, 8.0, 8.0]


@pytest.mark.parametrize('fn', [F.softmax, F.log_softmax])
def test_softmax_dim_out_of_range_raises_index_error(fn):
    with pytest.raises(IndexError, match=r'Dimension out of range .*\[-2, 1\], but got 2'):
        fn(mg.zeros(2, 3), 2)


@pytest.mark.parametrize('fn', [F.softmax, F.log_softmax])
def test_softmax_needs_one_int_dim(fn):
    with pytest.raises(TypeError, match=r'needs dim, one int.*got None'):
        fn(mg.zeros(2, 3), None)                                 # never silently over all elements


@pytest.mark.parametrize('fn', [F.relu, F.sigmoid, F.tanh, lambda x: F.softmax(x, 0)])
def test_activations_want_tensors(fn):
    with pytest.raises(TypeError, match=r'minigrad Tensor, got ndarray; wrap it with mg.tensor'):
        fn(np.zeros(3))


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


# ------------------------------------------------------ PyTorch as oracle

@pytest.mark.parametrize('name, options, shape', ACTIVATIONS, ids=IDS)
def test_activation_matches_pytorch(torch, name, options, shape):
    values = _values(shape)
    direction = np.random.default_rng(1).standard_normal(shape)
    xt = torch.tensor(values, requires_grad=True)
    expected = getattr(torch.nn.functional, name)(xt, **options)
    expected.backward(torch.tensor(direction))
    x = mg.tensor(values, requires_grad=True)
    out = getattr(F, name)(x, **options)
    out.backward(direction)
    np.testing.assert_allclose(out._array, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad._array, xt.grad.numpy(), rtol=1e-12, atol=1e-14)


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
    assert_agree(both_libraries(torch, fn_mg, lambda x: fn_torch(T, x), [values]), rtol=1e-10)


@pytest.mark.parametrize('approximate', ['none', 'tanh'])
def test_gelu_matches_torch(torch, approximate):
    # rtol 1e-10 plus atol 1e-13. PyTorch computes Φ(x) as ½ (1 + erf(x/√2)) (and the tanh form
    # as ½ (1 + tanh u), with 1 - tanh² u in its derivative); these cancel in the tails, leaving
    # errors of about |x| 2⁻⁵³ in absolute terms (torch is 2 % off at x = -8). minigrad writes
    # them with erfc and σ, accurate relative to the result, so the two agree to 1e-10 relatively
    # away from the tails and to ~1e-14 absolutely in them. Our own accuracy is checked against
    # math.erfc below.
    x = np.concatenate([np.linspace(-10, 10, 401), [-40.0, -30.0, 0.0, 30.0, 1e3, -1e3]])
    pairs = both_libraries(torch, lambda t: F.gelu(t, approximate=approximate),
                  lambda t: torch.nn.functional.gelu(t, approximate=approximate), [x])
    assert_agree(pairs, rtol=1e-10, atol=1e-13)
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


# ------------------------------------- the torch.nn.functional family: more activations

MORE = [                            # (name, keyword arguments); each checked against PyTorch
    ('silu', {}), ('mish', {}), ('hardtanh', {}), ('hardtanh', {'min_val': -0.5, 'max_val': 2.0}),
    ('relu6', {}), ('selu', {}), ('celu', {}), ('celu', {'alpha': 0.5}), ('softsign', {}),
    ('logsigmoid', {}), ('hardsigmoid', {}), ('hardswish', {}), ('softmin', {'dim': 1}),
    ('softmin', {'dim': -1}), ('glu', {}), ('glu', {'dim': 0}),
    ('threshold', {'threshold': 1.0, 'value': -2.0}), ('hardshrink', {}), ('hardshrink', {'lambd': 1.0}),
    ('softshrink', {'lambd': 1.0}), ('softshrink', {}), ('tanhshrink', {}), ('rrelu', {}),
    ('rrelu', {'lower': 0.2, 'upper': 0.4}),
]
MORE_IDS = [f'{name}-{options}' for name, options in MORE]
# the kinks (±3, ±1, 0, 6) and both sides of each, a far tail and ordinary points
KINK_POINTS = np.array([[-3.0, -1.0, 0.0, 1.0, 3.0, 6.0], [-2.999, -1.001, 1e-3, 0.999, 3.001, 6.2],
                        [-40.0, -0.7, 0.3, 2.0, 5.0, 40.0], [-3.001, -0.999, -1e-3, 1.001, 2.999, 5.9]])


@pytest.mark.parametrize('name, options', MORE, ids=MORE_IDS)
def test_more_activations_match_torch_values_and_gradients(torch, name, options):
    pairs = both_libraries(torch, lambda x: getattr(F, name)(x, **options),
                           lambda x: getattr(torch.nn.functional, name)(x, **options), [KINK_POINTS])
    assert_agree(pairs, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize('name, options', MORE, ids=MORE_IDS)
def test_more_activations_second_derivatives(name, options):
    x = mg.tensor(_values((4, 6), 3), requires_grad=True)
    x._array[np.abs(np.abs(x._array) - 3) < 0.05] = 2.5            # away from the ±3 kinks
    assert mg.gradgradcheck(lambda t: getattr(F, name)(t, **options), x)


@pytest.mark.parametrize('name, options', MORE, ids=MORE_IDS)
def test_more_activations_keep_float32_and_refuse_integers(name, options):
    x = mg.tensor(_values((4, 6)).astype(np.float32), requires_grad=True)
    out = getattr(F, name)(x, **options)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    if name in ('hardtanh', 'relu6', 'threshold'):          # these clip integers too, as PyTorch
        assert getattr(F, name)(mg.tensor([[-3, 2], [3, 9]]), **options).dtype == mg.int64
        return
    with pytest.raises(TypeError, match='floating point'):
        getattr(F, name)(mg.tensor([[1, 2], [3, 4]]), **options)


@pytest.mark.parametrize('name, args', [('hardtanh', ()), ('relu6', ()), ('threshold', (2, 10))])
def test_hardtanh_relu6_and_threshold_clip_integers_as_torch(torch, name, args):
    values = np.array([[-3, 0, 2], [3, 6, 9]])
    got = getattr(F, name)(mg.tensor(values), *args)
    expected = getattr(torch.nn.functional, name)(torch.tensor(values), *args)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize('name', ['silu', 'mish', 'selu', 'celu', 'softsign', 'logsigmoid', 'hardswish'])
def test_more_activations_on_empty_and_0d_inputs(torch, name):
    for values in [np.zeros((0, 3)), np.array(-0.7)]:
        got = getattr(F, name)(mg.tensor(values))
        expected = getattr(torch.nn.functional, name)(torch.tensor(values)).numpy()
        assert got.shape == expected.shape
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)


def test_logsigmoid_and_mish_stay_finite_at_1e4(torch):
    x = np.array([-1e4, -50.0, 50.0, 1e4])
    for name in ['logsigmoid', 'mish', 'silu', 'selu', 'celu']:
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            pairs = both_libraries(torch, getattr(F, name), getattr(torch.nn.functional, name), [x])
        assert_agree(pairs, rtol=1e-6)


def test_more_activation_argument_errors(torch):
    x = mg.randn(4, 3)
    with pytest.raises(RuntimeError, match='Halving dimension must be even'):
        F.glu(x, dim=1)
    with pytest.raises(RuntimeError, match='Halving dimension must be even'):
        torch.nn.functional.glu(torch.randn(4, 3), dim=1)
    with pytest.raises(ValueError, match='min_val cannot be greater than max_val'):
        F.hardtanh(x, 2.0, 1.0)
    with pytest.raises(ValueError):
        torch.nn.functional.hardtanh(torch.randn(3), 2.0, 1.0)
    with pytest.raises(IndexError):
        F.softmin(x, 2)


def test_gumbel_softmax_samples_the_softmax_and_hard_is_straight_through(torch):
    mg.manual_seed(0)
    logits = mg.tensor(np.log([[0.7, 0.2, 0.1]]).repeat(4000, 0), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=1.0)
    assert np.allclose(soft._array.sum(1), 1)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert set(np.unique(hard._array)) == {0.0, 1.0} and np.all(hard._array.sum(1) == 1)
    # a Gumbel-max sample picks class c with probability softmax(logits)_c
    np.testing.assert_allclose(hard._array.mean(0), [0.7, 0.2, 0.1], atol=0.03)
    # the gradient is the soft sample's: the rows of d sum(w · y)/d logits sum to 0
    (hard * mg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert np.abs(logits.grad._array).sum() > 0 and np.allclose(logits.grad._array.sum(1), 0)
    assert F.gumbel_softmax(mg.randn(2, 5), dim=0).shape == (2, 5)


FAMILY = ('one_hot embedding dropout dropout1d dropout2d alpha_dropout pad normalize cosine_similarity '
          'pairwise_distance kl_div silu mish hardtanh relu6 selu celu softsign logsigmoid softmin glu '
          'hardswish hardsigmoid gumbel_softmax huber_loss gaussian_nll_loss poisson_nll_loss '
          'margin_ranking_loss triplet_margin_loss cosine_embedding_loss soft_margin_loss '
          'multilabel_soft_margin_loss hinge_embedding_loss scaled_dot_product_attention').split()


def test_the_family_has_pytorchs_names_and_argument_names(torch):
    import inspect
    for name in FAMILY:
        assert hasattr(F, name), name
        try:
            theirs = inspect.signature(getattr(torch.nn.functional, name)).parameters
        except (TypeError, ValueError):         # a builtin without a signature
            continue
        ours = inspect.signature(getattr(F, name)).parameters
        assert list(theirs) == [p for p in ours if p in theirs], name
        assert set(theirs) <= set(ours), (name, set(theirs) - set(ours))
        for p in theirs:
            if theirs[p].default is not inspect.Parameter.empty:
                assert ours[p].default == theirs[p].default, (name, p)


@pytest.mark.parametrize('shape', [(4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_softmin_without_dim_warns_and_picks_pytorchs_dim(torch, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    with pytest.warns(UserWarning, match='Implicit dimension choice for softmin'):
        got = F.softmin(mg.tensor(x))
    with pytest.warns(UserWarning, match='Implicit dimension choice for softmin'):
        expected = torch.nn.functional.softmin(torch.tensor(x))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12)


@pytest.mark.parametrize('shape, slopes', [((4, 6), 1), ((3, 6), 6), ((2, 3, 4), 3), ((5,), 1),
                                           ((2, 2, 3, 2), 2)])
def test_prelu_matches_torch_values_and_gradients_of_input_and_slopes(torch, shape, slopes):
    data = _values(shape, 3)
    weight = np.linspace(-0.5, 0.7, slopes)
    pairs = both_libraries(torch, F.prelu, torch.nn.functional.prelu, [data, weight])
    assert_agree(pairs, rtol=1e-9, atol=1e-12)
    x, w = leaf(data), leaf(weight)
    assert mg.gradcheck(F.prelu, (x, w)) and mg.gradgradcheck(F.prelu, (x, w))


def test_prelu_of_a_0d_input_with_one_slope_is_0d(torch):
    got = F.prelu(mg.tensor(-2.0), mg.tensor([0.25]))
    assert got.shape == () and got.item() == -0.5


@pytest.mark.parametrize('call', [
    lambda lib, x: lib.nn.functional.prelu(x, lib.ones(2)),              # slopes != channels
    lambda lib, x: lib.nn.functional.prelu(x.reshape(3, 2), lib.ones(3)),
    lambda lib, x: lib.nn.functional.prelu(x.reshape(3, 2), lib.ones(1, 2)),
    lambda lib, x: lib.nn.functional.prelu(x[0], lib.ones(2)),           # 0-d input
    lambda lib, x: lib.nn.functional.softshrink(x, -1.0),
    lambda lib, x: lib.nn.functional.rrelu(x, 0.5, 0.2, training=True),
])
def test_prelu_softshrink_and_rrelu_argument_errors_are_pytorch_s(torch, call):
    from helpers import assert_raises_as_pytorch
    assert_raises_as_pytorch(torch, call, [-1.0, 0.5, 2.0, -3.0, 1.5, 0.2])


@pytest.mark.parametrize('name, args', [('relu_', ()), ('elu_', (0.5,)), ('celu_', ()), ('selu_', ()),
                                        ('leaky_relu_', (0.2,)), ('hardtanh_', (-0.5, 0.5)),
                                        ('threshold_', (0.1, -1.0)), ('rrelu_', (0.1, 0.3))])
def test_in_place_activations_write_into_their_input_as_torch(torch, name, args):
    values = _values((3, 4), 5)
    x, tx = leaf(values), torch.tensor(values, requires_grad=True)
    y, ty = x * 1, tx * 1
    assert getattr(F, name)(y, *args) is y
    getattr(torch.nn.functional, name)(ty, *args)
    assert y._version == ty._version == 1
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match='a leaf Variable that requires grad is being used in an in-place'):
        getattr(F, name)(x, *args)
