"""F.dropout, dropout1d, dropout2d and alpha_dropout (minigrad/nn/functional_dropout.py):
the mask's statistics and shape, the 1 / (1 - p) scale, gradients through the same mask,
p = 0 and 1, eval mode, PyTorch's errors and warnings."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F


def _ones(*shape):
    return mg.tensor(np.ones(shape), requires_grad=True)


def test_dropout_scales_kept_elements_and_gradient_uses_the_same_mask():
    mg.manual_seed(0)
    x = _ones(200, 100)
    y = F.dropout(x, p=0.3)
    kept = y._array != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y._array[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y._array)


def test_dropout_follows_manual_seed():
    mg.manual_seed(5)
    a = F.dropout(_ones(10, 10))._array
    mg.manual_seed(5)
    np.testing.assert_array_equal(a, F.dropout(_ones(10, 10))._array)


@pytest.mark.parametrize('fn, shape, channel_dims', [
    (F.dropout1d, (30, 20, 7), 2), (F.dropout1d, (40, 7), 1), (F.dropout2d, (30, 20, 4, 5), 2)])
def test_channel_dropout_zeroes_whole_channels(fn, shape, channel_dims):
    mg.manual_seed(1)
    y = fn(_ones(*shape), p=0.5)._array
    per_channel = y.reshape(shape[:channel_dims] + (-1,))
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0.4 < (per_channel[..., 0] == 0).mean() < 0.6


@pytest.mark.parametrize('fn', [F.dropout, F.dropout1d, F.dropout2d, F.alpha_dropout])
@pytest.mark.filterwarnings('ignore:dropout2d')
def test_p_0_eval_and_p_1(fn):
    x = _ones(4, 3, 5)
    np.testing.assert_array_equal(fn(x, p=0.5, training=False).detach().numpy(), x.detach().numpy())
    np.testing.assert_array_equal(fn(x, p=0.0, training=True).detach().numpy(), x.detach().numpy())
    y = fn(x, p=1.0, training=True)
    np.testing.assert_array_equal(y.detach().numpy(), np.zeros((4, 3, 5)))
    with pytest.raises(ValueError, match='between 0 and 1'):
        fn(x, p=1.5)
    with pytest.raises(ValueError, match='between 0 and 1'):
        fn(x, p=-0.1)


def test_torch_errors_and_warnings_for_unexpected_shapes(torch):
    for lib in [mg, torch]:
        with pytest.raises(RuntimeError, match='Expected 2D or 3D input'):
            lib.nn.functional.dropout1d(lib.ones(2, 3, 4, 5))
        with pytest.warns(UserWarning, match='Received a 2-D input to dropout2d'):
            lib.nn.functional.dropout2d(lib.ones(2, 3))
        with pytest.warns(UserWarning, match='assuming that channel-wise 1D dropout'):
            lib.nn.functional.dropout2d(lib.ones(2, 3, 4))


def test_alpha_dropout_keeps_mean_and_variance_and_float32():
    mg.manual_seed(2)
    x = mg.tensor(np.random.default_rng(0).standard_normal((400, 500)).astype(np.float32))
    y = F.alpha_dropout(x, p=0.2, training=True)
    assert y.dtype == np.float32
    assert abs(float(y._array.mean())) < 0.01 and abs(float(y._array.std()) - 1) < 0.01
    assert F.dropout(x, 0.5).dtype == np.float32
