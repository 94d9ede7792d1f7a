"""Activations and the linear layer of minigrad.nn.functional: gradcheck,
numerics at logits of ±1e4, argument errors, and PyTorch as an oracle."""
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F


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
