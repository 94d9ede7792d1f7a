"""The normalisation layers (minigrad/nn/normalization.py) against PyTorch: with the weights
copied over, the same outputs and input, weight and bias gradients in train and eval mode
(float32 to 1e-5, float64 to 1e-9); repr, parameter and buffer names, shapes, initial
values; state_dicts that load both ways."""
import numpy as np
import pytest

import minigrad as mg

TOLERANCE = {'float32': (1e-5, 1e-5), 'float64': (1e-9, 1e-11)}

# the constructor call, written once for both libraries; the input shape
LAYERS = [
    ('LayerNorm(6)', (4, 5, 6)),
    ('LayerNorm([5, 6], eps=1e-3)', (4, 5, 6)),
    ('LayerNorm((6,), bias=False)', (3, 6)),
    ('LayerNorm(6, elementwise_affine=False)', (3, 6)),
    ('RMSNorm(6)', (4, 5, 6)),
    ('RMSNorm([5, 6], eps=1e-4, elementwise_affine=False)', (4, 5, 6)),
    ('GroupNorm(2, 6)', (4, 6, 5)),
    ('GroupNorm(3, 6, eps=1e-3, affine=False)', (2, 6, 2, 3)),
    ('GroupNorm(1, 4, bias=False)', (3, 4)),
]


def _make(lib, call, dtype):
    return eval(f'lib.nn.{call}', {'lib': lib}).to(getattr(lib, dtype))


def _copy_random_weights(ours, theirs, rng):
    """Random values in the torch layer's parameters, copied into ours by state_dict."""
    import torch
    with torch.no_grad():
        for p in theirs.parameters():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape))))
    ours.load_state_dict({k: mg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})


def _forward_backward(layer, lib, x, direction):
    x = lib.tensor(x, requires_grad=True)
    out = layer(x)
    out.backward(lib.tensor(direction))
    grads = [x.grad] + [p.grad for _, p in sorted(layer.named_parameters())]
    return [out.detach().numpy()] + [g.numpy() for g in grads]


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('call, shape', LAYERS)
def test_outputs_and_gradients_match_pytorch(torch, call, shape, dtype):
    rng = np.random.default_rng(len(call))
    ours, theirs = _make(mg, call, dtype), _make(torch, call, dtype)
    _copy_random_weights(ours, theirs, rng)
    rtol, atol = TOLERANCE[dtype]
    for mode in ('train', 'eval'):
        getattr(ours, mode)(), getattr(theirs, mode)()
        x = (rng.standard_normal(shape) * 2 + 1).astype(dtype)
        direction = rng.standard_normal(shape).astype(dtype)
        for got, expected in zip(_forward_backward(ours, mg, x, direction),
                                 _forward_backward(theirs, torch, x, direction)):
            assert got.dtype == expected.dtype
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol * max(1, np.abs(expected).max()))
        ours.zero_grad(), theirs.zero_grad()


@pytest.mark.parametrize('call, shape', LAYERS)
def test_repr_state_dict_and_initial_values_as_pytorch(torch, call, shape):
    ours, theirs = _make(mg, call, 'float32'), _make(torch, call, 'float32')
    assert repr(ours) == repr(theirs)
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(reference)
    for key in reference:
        assert tuple(mine[key].shape) == tuple(reference[key].shape)
        assert mine[key].dtype == mg.float32
        np.testing.assert_array_equal(mine[key].numpy(), reference[key].numpy())
    # and back: our state_dict loads into torch unchanged
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.items()})


def test_constructor_errors_as_pytorch(torch):
    for lib in (torch, mg):
        with pytest.raises(ValueError, match=r'num_channels \(5\) must be divisible by num_groups \(2\)'):
            lib.nn.GroupNorm(2, 5)


def test_rms_norm_eps_none_uses_the_inputs_machine_epsilon(torch):
    x = np.array([[1e-4, -2e-4, 3e-4]])
    for dtype in ('float32', 'float64'):
        ours = mg.nn.RMSNorm(3).to(getattr(mg, dtype))(mg.tensor(x.astype(dtype))).detach().numpy()
        theirs = torch.nn.RMSNorm(3).to(getattr(torch, dtype))(torch.tensor(x.astype(dtype))).detach().numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
