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
    ('BatchNorm1d(5)', (8, 5)),
    ('BatchNorm1d(5, momentum=None)', (4, 5, 3)),
    ('BatchNorm1d(5, affine=False, eps=1e-3)', (6, 5)),
    ('BatchNorm1d(5, track_running_stats=False)', (4, 5, 2)),
    ('BatchNorm2d(3)', (4, 3, 2, 5)),
    ('BatchNorm2d(3, momentum=0.3, bias=False)', (2, 3, 3, 3)),
    ('InstanceNorm1d(4, affine=True)', (3, 4, 6)),
    ('InstanceNorm1d(4, track_running_stats=True)', (4, 6)),
    ('InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.4)', (2, 3, 4, 5)),
    ('BatchNorm3d(2)', (3, 2, 2, 3, 2)),
    ('InstanceNorm3d(2, affine=True)', (2, 2, 3, 2, 2)),
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
        assert mine[key].numpy().dtype == reference[key].numpy().dtype
        np.testing.assert_array_equal(mine[key].numpy(), reference[key].numpy())
    # and back: our state_dict loads into torch unchanged
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.items()})


@pytest.mark.parametrize('call, shape', [
    ('BatchNorm1d(4)', (5, 4)), ('BatchNorm1d(4, momentum=None)', (5, 4, 3)),
    ('BatchNorm1d(4, momentum=0.5, eps=1e-2)', (6, 4)), ('BatchNorm2d(4, momentum=None)', (2, 4, 3, 3)),
    ('InstanceNorm1d(4, track_running_stats=True, momentum=0.2)', (3, 4, 5))])
def test_running_statistics_after_several_steps_and_state_dict_both_ways(torch, call, shape):
    rng = np.random.default_rng(3)
    ours, theirs = _make(mg, call, 'float64'), _make(torch, call, 'float64')
    for step in range(4):
        x = rng.standard_normal(shape) * (step + 1) + step
        ours(mg.tensor(x)), theirs(torch.tensor(x))
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(reference)
    for key in reference:
        assert mine[key].numpy().dtype == reference[key].numpy().dtype
        np.testing.assert_allclose(mine[key].numpy(), reference[key].numpy(), rtol=1e-12)
    fresh = _make(torch, call, 'float64')
    fresh.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.items()})
    back = _make(mg, call, 'float64')
    back.load_state_dict({k: mg.tensor(v.numpy()) for k, v in fresh.state_dict().items()})
    x = rng.standard_normal(shape)
    fresh.eval(), back.eval()
    np.testing.assert_allclose(back(mg.tensor(x)).detach().numpy(), fresh(torch.tensor(x)).detach().numpy(),
                               rtol=1e-12)


def test_batch_norm_buffers_as_pytorch(torch):
    layer = mg.nn.BatchNorm1d(3)
    assert [name for name, _ in layer.named_buffers()] == ['running_mean', 'running_var',
                                                           'num_batches_tracked']
    assert layer.num_batches_tracked.dtype == mg.int64 and layer.num_batches_tracked.shape == ()
    layer.train()(mg.randn(4, 3))
    layer(mg.randn(4, 3))
    assert layer.num_batches_tracked.item() == 2
    layer.eval()(mg.randn(4, 3))
    assert layer.num_batches_tracked.item() == 2
    layer.reset_running_stats()
    assert layer.num_batches_tracked.item() == 0 and (layer.running_var.numpy() == 1).all()
    assert list(mg.nn.BatchNorm1d(3, track_running_stats=False).state_dict()) == ['weight', 'bias']
    half = mg.nn.BatchNorm2d(2).double()
    assert half.running_mean.dtype == mg.float64 and half.num_batches_tracked.dtype == mg.int64


def test_constructor_and_input_errors_as_pytorch(torch):
    for lib in (torch, mg):
        with pytest.raises(ValueError, match=r'num_channels \(5\) must be divisible by num_groups \(2\)'):
            lib.nn.GroupNorm(2, 5)
        with pytest.raises(ValueError, match=r'expected 2D or 3D input \(got 4D input\)'):
            lib.nn.BatchNorm1d(3)(lib.ones(2, 3, 2, 2))
        with pytest.raises(ValueError, match=r'expected 4D input \(got 3D input\)'):
            lib.nn.BatchNorm2d(3)(lib.ones(2, 3, 2))
        with pytest.raises(ValueError, match=r'expected 5D input \(got 4D input\)'):
            lib.nn.BatchNorm3d(3)(lib.ones(2, 3, 2, 2))
        with pytest.raises(ValueError, match=r'expected 3D or 4D input \(got 2D input\)'):
            lib.nn.InstanceNorm2d(3)(lib.ones(2, 3))
        with pytest.raises(ValueError, match='Expected more than 1 value per channel when training'):
            lib.nn.BatchNorm1d(3)(lib.ones(1, 3))
        with pytest.raises(ValueError, match=r"expected input's size at dim=1 to match num_features"):
            lib.nn.InstanceNorm1d(3, affine=True)(lib.ones(2, 4, 5))


def test_rms_norm_eps_none_uses_the_inputs_machine_epsilon(torch):
    x = np.array([[1e-4, -2e-4, 3e-4]])
    for dtype in ('float32', 'float64'):
        ours = mg.nn.RMSNorm(3).to(getattr(mg, dtype))(mg.tensor(x.astype(dtype))).detach().numpy()
        theirs = torch.nn.RMSNorm(3).to(getattr(torch, dtype))(torch.tensor(x.astype(dtype))).detach().numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
