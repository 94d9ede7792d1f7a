"""The dropout layers (minigrad/nn/dropout.py): Dropout, Dropout1d, Dropout2d and AlphaDropout
drop in train() and are the identity in eval(); masks whole channels where they should;
PyTorch's repr and error."""
import numpy as np
import pytest

import minigrad as mg

LAYERS = ['Dropout', 'Dropout1d', 'Dropout2d', 'AlphaDropout']


@pytest.mark.parametrize('name', LAYERS)
def test_repr_and_p_check_as_pytorch(torch, name):
    for args in [(), (0.2,), (0.7, True)]:
        assert repr(getattr(mg.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    for lib in (torch, mg):
        with pytest.raises(ValueError, match='dropout probability has to be between 0 and 1, but got 1.5'):
            getattr(lib.nn, name)(1.5)


@pytest.mark.parametrize('name', LAYERS)
@pytest.mark.filterwarnings('ignore:dropout2d')
def test_train_drops_and_eval_is_the_identity(name):
    mg.manual_seed(0)
    layer = getattr(mg.nn, name)(0.5)
    x = mg.tensor(np.random.default_rng(0).standard_normal((50, 40, 6)), requires_grad=True)
    y = layer(x)
    assert not np.allclose(y.detach().numpy(), x.detach().numpy())
    y.sum().backward()
    assert x.grad is not None
    layer.eval()
    assert layer(x) is x or np.array_equal(layer(x).detach().numpy(), x.detach().numpy())


@pytest.mark.parametrize('name, shape', [('Dropout1d', (30, 20, 6)), ('Dropout1d', (20, 6)),
                                         ('Dropout2d', (30, 20, 2, 3))])
def test_channel_dropouts_zero_whole_channels(name, shape):
    mg.manual_seed(1)
    y = getattr(mg.nn, name)(0.5)(mg.ones(*shape)).numpy()
    channels = y.reshape(shape[:len(shape) - (2 if name == 'Dropout2d' else 1)] + (-1,))
    assert np.all((channels == 0).all(-1) | (channels == 2).all(-1))
    assert 0.3 < (channels[..., 0] == 0).mean() < 0.7


def test_alpha_dropout_keeps_mean_and_variance():
    mg.manual_seed(2)
    x = mg.randn(200, 500)
    y = mg.nn.AlphaDropout(0.2)(x).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
