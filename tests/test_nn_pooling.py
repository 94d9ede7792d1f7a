"""The pooling layers (minigrad/nn/pooling.py): PyTorch's arguments, defaults, attributes and
reprs, and the outputs (and indices) of the functions they wrap, against PyTorch."""
import numpy as np
import pytest

import minigrad as mg

LAYERS = [
    ('MaxPool2d', (2,), {}, (2, 3, 8, 8)),
    ('MaxPool2d', ((3, 2),), dict(stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True,
                                 return_indices=True), (3, 7, 8)),
    ('MaxPool1d', (3,), dict(stride=2, padding=1, return_indices=True), (2, 3, 9)),
    ('AvgPool2d', (3,), dict(stride=2, padding=1, ceil_mode=True, count_include_pad=False), (2, 3, 7, 8)),
    ('AvgPool2d', (2,), dict(divisor_override=3), (3, 6, 6)),
    ('AvgPool1d', (3,), dict(stride=2, padding=1), (2, 3, 9)),
    ('AdaptiveAvgPool2d', ((2, None),), {}, (2, 3, 7, 8)),
    ('AdaptiveAvgPool1d', (3,), {}, (2, 3, 7)),
    ('AdaptiveMaxPool2d', ((3, 5),), dict(return_indices=True), (2, 3, 7, 8)),
    ('AdaptiveMaxPool1d', (4,), {}, (3, 9)),
]


@pytest.mark.parametrize('name, args, kwargs, shape', LAYERS, ids=[f'{c[0]}-{i}' for i, c in enumerate(LAYERS)])
def test_pooling_layers_match_pytorch(torch, name, args, kwargs, shape):
    theirs, ours = getattr(torch.nn, name)(*args, **kwargs), getattr(mg.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert ours.state_dict() == {} and len(list(ours.parameters())) == 0
    for attr in vars(theirs):
        if not attr.startswith('_') and attr != 'training':
            assert getattr(ours, attr) == getattr(theirs, attr), attr
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    yt, ym = theirs(torch.tensor(x)), ours(mg.tensor(x))
    if isinstance(yt, tuple):
        assert ym[1].tolist() == yt[1].tolist()
        yt, ym = yt[0], ym[0]
    np.testing.assert_allclose(ym.numpy(), yt.numpy(), rtol=1e-5, atol=1e-6)
