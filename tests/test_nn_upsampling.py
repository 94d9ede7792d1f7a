"""Upsample, PixelShuffle and PixelUnshuffle (minigrad/nn/upsampling.py) against PyTorch:
reprs, attributes, outputs and input gradients."""
import numpy as np
import pytest

import minigrad as mg

LAYERS = [
    ('Upsample', dict(scale_factor=2), (2, 3, 4, 5)),
    ('Upsample', dict(size=(5, 7), mode='bilinear'), (2, 3, 4, 5)),
    ('Upsample', dict(scale_factor=(1.5, 2), mode='bilinear', align_corners=True), (2, 3, 4, 5)),
    ('Upsample', dict(size=7, mode='linear'), (2, 3, 4)),
    ('Upsample', dict(scale_factor=1.7, recompute_scale_factor=True), (2, 3, 4, 5)),
    ('PixelShuffle', dict(upscale_factor=2), (2, 8, 3, 4)),
    ('PixelUnshuffle', dict(downscale_factor=2), (2, 2, 4, 6)),
]


@pytest.mark.parametrize('name, kwargs, shape', LAYERS, ids=[f'{c[0]}-{i}' for i, c in enumerate(LAYERS)])
def test_upsampling_layers_match_pytorch(torch, name, kwargs, shape):
    theirs, ours = getattr(torch.nn, name)(**kwargs), getattr(mg.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    for attr in vars(theirs):
        if not attr.startswith('_') and attr != 'training':
            assert getattr(ours, attr) == getattr(theirs, attr), attr
    x = np.random.default_rng(0).standard_normal(shape)
    xt, xm = torch.tensor(x, requires_grad=True), mg.tensor(x, requires_grad=True)
    yt, ym = theirs(xt), ours(xm)
    g = np.cos(np.arange(ym.numel())).reshape(ym.shape)
    yt.backward(torch.tensor(g))
    ym.backward(mg.tensor(g))
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
