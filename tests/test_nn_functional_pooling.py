"""F.max_pool1d/2d, F.avg_pool1d/2d, the adaptive pools, F.interpolate and F.pixel_shuffle
(minigrad/nn/functional_pooling.py) against PyTorch: values, indices, gradients and errors."""
import numpy as np
import pytest

import minigrad as mg
from helpers import raised_by_both

F = mg.nn.functional


def _compare(torch, name, shape, kwargs, dtype='float64'):
    rng = np.random.default_rng(len(kwargs))
    x = rng.standard_normal(shape).astype(dtype)
    xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ym, yt = getattr(F, name)(xm, **kwargs), getattr(torch.nn.functional, name)(xt, **kwargs)
    if isinstance(yt, tuple):                       # (values, indices)
        assert ym[1].dtype == mg.int64 and ym[1].tolist() == yt[1].tolist()
        ym, yt = ym[0], yt[0]
    assert ym.shape == tuple(yt.shape) and ym.dtype == getattr(mg, dtype)
    g = rng.standard_normal(ym.shape).astype(dtype)
    ym.backward(mg.tensor(g))
    yt.backward(torch.tensor(g))
    rtol = 1e-5 if dtype == 'float32' else 1e-9
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=rtol)


MAX = [dict(kernel_size=2), dict(kernel_size=(2, 2)),
       dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True),
       dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), padding=(1, 1), return_indices=True),
       dict(kernel_size=3, stride=2, ceil_mode=True)]
AVG = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
       dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
       dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), divisor_override=5),
       dict(kernel_size=3, stride=2, ceil_mode=True, count_include_pad=False)]
CASES = ([('max_pool2d', s, k) for k in MAX for s in [(2, 3, 7, 8), (3, 7, 8)]]
         + [('avg_pool2d', s, k) for k in AVG for s in [(2, 3, 7, 8), (3, 7, 8)]]
         + [('max_pool1d', (2, 3, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True)),
            ('max_pool1d', (3, 9), dict(kernel_size=2, dilation=3, return_indices=True)),
            ('avg_pool1d', (2, 3, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                           count_include_pad=False)),
            ('avg_pool1d', (3, 9), dict(kernel_size=4))]
         + [(f'adaptive_{kind}_pool2d', s, dict(output_size=o)) for kind in ('avg', 'max')
            for o in [(3, 5), 1, (7, 8), (None, 3), (4, 10)] for s in [(2, 3, 7, 8), (3, 7, 8)]]
         + [('adaptive_max_pool2d', (2, 3, 7, 8), dict(output_size=(3, 5), return_indices=True)),
            ('adaptive_avg_pool1d', (2, 3, 7), dict(output_size=3)),
            ('adaptive_max_pool1d', (2, 3, 7), dict(output_size=3, return_indices=True)),
            ('adaptive_max_pool1d', (3, 7), dict(output_size=5, return_indices=True))]
         + [('interpolate', (2, 3, 7, 8), dict(mode=m, **k)) for m in ('nearest', 'bilinear')
            for k in [dict(size=5), dict(scale_factor=2), dict(scale_factor=1.7), dict(size=(3, 11)),
                      dict(scale_factor=(0.5, 1.3)), dict(scale_factor=1.7, recompute_scale_factor=True)]]
         + [('interpolate', (2, 3, 7, 8), dict(mode='bilinear', align_corners=True, size=(5, 12))),
            ('interpolate', (2, 3, 7, 8), dict(mode='bilinear', align_corners=True, scale_factor=1.5)),
            ('interpolate', (2, 3, 7), dict(mode='linear', scale_factor=2.5)),
            ('interpolate', (2, 3, 7), dict(mode='linear', size=3, align_corners=True)),
            ('interpolate', (2, 3, 7), dict(size=3)),
            ('interpolate', (1, 2, 3, 4, 5), dict(size=(4, 2, 7))),
            ('pixel_shuffle', (2, 8, 3, 4), dict(upscale_factor=2)),
            ('pixel_unshuffle', (2, 2, 4, 6), dict(downscale_factor=2))])


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name, shape, kwargs', CASES, ids=[f'{c[0]}-{i}' for i, c in enumerate(CASES)])
def test_pools_and_resampling_match_pytorch(torch, name, shape, kwargs, dtype):
    _compare(torch, name, shape, kwargs, dtype)


def test_max_pool_of_integers_keeps_their_dtype(torch):
    x = np.arange(24).reshape(1, 2, 3, 4) % 7
    ours, theirs = F.max_pool2d(mg.tensor(x), 2, padding=1), torch.nn.functional.max_pool2d(torch.tensor(x), 2, padding=1)
    assert ours.dtype == mg.int64 and ours.tolist() == theirs.tolist()


ERRORS = [
    lambda L: L.nn.functional.max_pool2d(L.randn(1, 3, 8, 8), 3, padding=2),
    lambda L: L.nn.functional.max_pool2d(L.randn(1, 3, 8, 8), 9),
    lambda L: L.nn.functional.avg_pool2d(L.randn(1, 3, 8, 8), 3, padding=2),
    lambda L: L.nn.functional.max_pool1d(L.randn(1, 3, 8, 8), 3),
    lambda L: L.nn.functional.max_pool2d(L.randn(1, 3, 8, 8), 3, stride=0),
    lambda L: L.nn.functional.avg_pool2d(L.randn(1, 3, 8, 8), 3, divisor_override=0),
    lambda L: L.nn.functional.adaptive_avg_pool2d(L.randn(8), 3),
    lambda L: L.nn.functional.adaptive_avg_pool1d(L.randn(1, 3, 8, 8), 3),
    lambda L: L.nn.functional.adaptive_max_pool1d(L.randn(1, 3, 8, 8), 3),
    lambda L: L.nn.functional.interpolate(L.randn(1, 3, 8, 8), size=4, scale_factor=2),
    lambda L: L.nn.functional.interpolate(L.randn(1, 3, 8, 8)),
    lambda L: L.nn.functional.interpolate(L.randn(1, 3, 8, 8), size=4, align_corners=True),
    lambda L: L.nn.functional.interpolate(L.randn(1, 3, 8, 8), size=4, mode='linear'),
    lambda L: L.nn.functional.interpolate(L.randn(1, 3, 8), size=4, mode='bilinear'),
    lambda L: L.nn.functional.interpolate(L.randn(1, 3, 8, 8), size=(3,)),
    lambda L: L.nn.functional.interpolate(L.randn(1, 3, 8, 8), size=5, mode='foo'),
    lambda L: L.nn.functional.pixel_shuffle(L.randn(1, 3, 8, 8), 2),
]


@pytest.mark.parametrize('call', ERRORS)
def test_errors_are_pytorchs(torch, call):
    ours, theirs = raised_by_both(torch, call)
    assert str(ours) == str(theirs)


def test_max_pool_of_infinities_and_nans_picks_pytorchs_indices(torch):
    """A window of nothing but -inf (padding too) points at its first input element; a NaN wins,
    and a later NaN over an earlier one, as PyTorch's scan `val > max || isnan(val)`."""
    x = np.full((1, 1, 4, 5), -np.inf)
    x[0, 0, 2, 3] = 1.0
    x[0, 0, 0, 4] = x[0, 0, 1, 4] = np.nan
    for kwargs in [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=2, ceil_mode=True)]:
        ours = F.max_pool2d(mg.tensor(x), return_indices=True, **kwargs)
        theirs = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **kwargs)
        assert ours[1].tolist() == theirs[1].tolist()
        np.testing.assert_array_equal(ours[0].numpy(), theirs[0].numpy())
