"""nn activation layers against PyTorch: outputs, input gradients, PReLU's weight gradient and
repr, for every activation module, in float32 and float64; RReLU's random slopes."""
import inspect
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

# (name, constructor args, constructor kwargs, input shape)
CASES = [
    ('ReLU', (), {}, (4, 5)), ('ReLU', (), {'inplace': True}, (4, 5)),
    ('LeakyReLU', (0.2,), {}, (4, 5)), ('LeakyReLU', (), {'inplace': True}, (3,)),
    ('ELU', (0.7, True), {}, (4, 5)), ('CELU', (), {}, (4, 5)), ('CELU', (1.5,), {}, (2, 3, 4)),
    ('SELU', (), {}, (4, 5)), ('SELU', (True,), {}, (4,)),
    ('GELU', (), {}, (4, 5)), ('GELU', ('tanh',), {}, (4, 5)),
    ('Softplus', (), {}, (4, 5)), ('Softplus', (2.0, 1.0), {}, (4, 5)),
    ('Sigmoid', (), {}, (4, 5)), ('Tanh', (), {}, (4, 5)), ('LogSigmoid', (), {}, (4, 5)),
    ('Softsign', (), {}, (4, 5)), ('Tanhshrink', (), {}, (4, 5)),
    ('SiLU', (), {}, (4, 5)), ('SiLU', (True,), {}, (4, 5)), ('Mish', (), {}, (4, 5)),
    ('Hardswish', (), {}, (4, 5)), ('Hardswish', (True,), {}, (4, 5)),
    ('Hardsigmoid', (), {'inplace': True}, (4, 5)),
    ('Hardtanh', (), {}, (4, 5)), ('Hardtanh', (-0.5, 2), {}, (4, 5)),
    ('Hardtanh', (), {'min_val': -2.0, 'max_val': 0.5, 'inplace': True}, (4, 5)),
    ('ReLU6', (), {}, (4, 5)), ('ReLU6', (True,), {}, (4, 5)),
    ('Threshold', (0.1, 20.0), {}, (4, 5)), ('Threshold', (-0.5, 2), {'inplace': True}, (4, 5)),
    ('Hardshrink', (), {}, (4, 5)), ('Hardshrink', (1.2,), {}, (4, 5)),
    ('Softshrink', (), {}, (4, 5)), ('Softshrink', (0.25,), {}, (4, 5)),
    ('GLU', (), {}, (4, 6)), ('GLU', (0,), {}, (4, 5)),
    ('Softmax', (1,), {}, (4, 5)), ('LogSoftmax', (-1,), {}, (4, 5)),
    ('Softmin', (1,), {}, (4, 5)), ('Softmin', (0,), {}, (2, 3, 4)),
    ('Softmax2d', (), {}, (2, 3, 4, 5)), ('Softmax2d', (), {}, (3, 4, 5)),
    ('PReLU', (), {}, (4, 5)), ('PReLU', (5,), {}, (4, 5, 3)), ('PReLU', (3, 0.1), {}, (2, 3)),
    ('PReLU', (), {'init': -0.5}, (7,)),
    ('RReLU', (), {}, (4, 5)), ('RReLU', (0.1, 0.3, True), {}, (4, 5)),
]


def _pair(torch, name, args, kwargs, dtype):
    theirs = getattr(torch.nn, name)(*args, **kwargs).to(getattr(torch, dtype)).eval()
    ours = getattr(nn, name)(*args, **kwargs).to(getattr(mg, dtype)).eval()
    if name == 'PReLU':                         # same random slopes, to test the gradient of each
        slopes = np.random.default_rng(1).uniform(-1, 1, ours.weight.shape).astype(dtype)
        ours.weight._array[...] = slopes
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(slopes))
    return ours, theirs


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name, args, kwargs, shape', CASES)
def test_activation_layers_match_pytorch(torch, name, args, kwargs, shape, dtype):
    ours, theirs = _pair(torch, name, args, kwargs, dtype)
    data = np.random.default_rng(0).normal(0, 2, shape).astype(dtype)
    x, tx = mg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = ours(x), theirs(tx.clone())          # PyTorch cannot overwrite a leaf in place
    direction = np.random.default_rng(2).standard_normal(tuple(ty.shape)).astype(dtype)
    y.backward(mg.tensor(direction))
    ty.backward(torch.tensor(direction))
    rtol = 1e-5 if dtype == 'float32' else 1e-9
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=rtol)
    # PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32, in float64 too
    grad_rtol = 1e-7 if name == 'Hardsigmoid' else rtol
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=grad_rtol, atol=rtol)
    assert np.array_equal(data, x.detach().numpy())                 # inplace=True leaves it
    for (key, p), (tkey, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert key == tkey
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=rtol * 10, atol=rtol)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_every_pytorch_activation_layer_has_a_case_and_its_signature(torch):
    names = set(torch.nn.modules.activation.__all__) - {'MultiheadAttention'}
    assert names <= {case[0] for case in CASES}
    for name in names:
        theirs = inspect.signature(getattr(torch.nn, name))
        if list(theirs.parameters) == ['args', 'kwargs']:
            assert list(inspect.signature(getattr(nn, name)).parameters) == [], name
            continue
        ours = inspect.signature(getattr(nn, name))
        assert [(p.name, p.default) for p in ours.parameters.values()] == \
               [(p.name, p.default) for p in theirs.parameters.values()], name


def test_rrelu_draws_one_slope_per_negative_entry_in_training():
    mg.manual_seed(0)
    layer = nn.RReLU(0.1, 0.3)
    x = mg.tensor(np.linspace(-3, 3, 4000), requires_grad=True)
    y = layer(x)
    y.sum().backward()
    negative = x._array < 0
    slopes = y._array[negative] / x._array[negative]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.04
    np.testing.assert_allclose(x.grad._array[negative], slopes)
    np.testing.assert_array_equal(y._array[~negative], x._array[~negative])
    np.testing.assert_allclose(layer.eval()(x)._array[negative], 0.2 * x._array[negative])


def test_prelu_weight_is_a_parameter_initialised_to_init(torch):
    layer = nn.PReLU(4, init=0.1, dtype=mg.float64)
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.shape == (4,)
    assert layer.weight.dtype == np.float64 and np.all(layer.weight._array == 0.1)
    assert nn.PReLU().weight.dtype == np.float32
    theirs = torch.nn.PReLU(4, init=0.1)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in layer.state_dict().items()})


def test_layer_argument_errors_are_pytorch_s(torch):
    for lib in (mg, torch):
        with pytest.raises(AssertionError, match=r'max_val \(1\) must be greater than min_val \(2\)'):
            lib.nn.Hardtanh(2, 1)
        with pytest.raises(ValueError, match='Softmax2d: expected input to be 3D or 4D, got 2D instead'):
            lib.nn.Softmax2d()(lib.zeros(3, 4))
        with pytest.raises(RuntimeError, match='Found parameter numbers = 3 and channel size = 4'):
            lib.nn.PReLU(3)(lib.zeros(2, 4))
        with pytest.raises(TypeError):
            lib.nn.Threshold(0.5)
    with pytest.warns(FutureWarning, match='`min_value` is deprecated'):
        layer = nn.Hardtanh(min_value=-3.0)
    assert layer.min_val == -3.0 and not hasattr(layer, 'min_value')


def test_softmin_without_dim_warns_and_picks_pytorch_s_dim(torch):
    data = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        expected = torch.nn.Softmin()(torch.tensor(data)).numpy()
    with pytest.warns(UserWarning, match='Implicit dimension choice for softmin'):
        got = nn.Softmin()(mg.tensor(data))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)
