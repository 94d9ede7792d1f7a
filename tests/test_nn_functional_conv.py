"""F.conv1d/2d/3d, F.conv_transpose1d/2d, F.unfold and F.fold (minigrad/nn/functional_conv.py)
against PyTorch: values and every gradient over many configurations, and PyTorch's errors."""
import numpy as np
import pytest

import minigrad as mg
from helpers import raised_by_both

F = mg.nn.functional


def _compare(torch, name, shapes, kwargs, dtype='float64', rtol=1e-9):
    """F.name on the same inputs in both libraries: output and each input's gradient agree."""
    rng = np.random.default_rng(len(name) + len(kwargs))
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    ours = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    ym = getattr(F, name)(*ours, **kwargs)
    yt = getattr(torch.nn.functional, name)(*theirs, **kwargs)
    assert ym.shape == tuple(yt.shape) and ym.dtype == getattr(mg, dtype)
    g = rng.standard_normal(ym.shape).astype(dtype)
    ym.backward(mg.tensor(g))
    yt.backward(torch.tensor(g))
    atol = rtol * 10
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=rtol, atol=atol)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol, err_msg=f'input {i}')


CONFIGS = [
    ('conv2d', [(2, 3, 7, 8), (4, 3, 3, 2), (4,)], {}),
    ('conv2d', [(2, 4, 7, 8), (6, 2, 3, 2), (6,)], dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)),
    ('conv2d', [(2, 4, 7, 8), (6, 4, 4, 2)], dict(padding='same', dilation=2)),
    ('conv2d', [(3, 6, 5), (6, 1, 2, 2), (6,)], dict(groups=3, padding='valid', stride=2)),
    ('conv2d', [(2, 2, 5, 5), (3, 2, 5, 5)], {}),
    ('conv1d', [(2, 4, 9), (8, 1, 3), (8,)], dict(stride=2, padding=1, groups=4)),
    ('conv1d', [(4, 9), (6, 4, 3)], dict(padding='same')),
    ('conv3d', [(1, 2, 4, 5, 4), (3, 2, 2, 3, 2), (3,)], dict(stride=(1, 2, 1), padding=1)),
    ('conv_transpose2d', [(2, 4, 5, 6), (4, 3, 3, 2), (6,)],
     dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2))),
    ('conv_transpose2d', [(3, 4, 5), (3, 2, 3, 3)], dict(stride=2, padding=1)),
    ('conv_transpose1d', [(2, 4, 5), (4, 3, 3), (3,)], dict(stride=3, padding=1, output_padding=1, dilation=2)),
    ('conv_transpose3d', [(1, 2, 3, 2, 3), (2, 2, 2, 2, 2)], dict(stride=2)),
]


@pytest.mark.parametrize('dtype, rtol', [('float32', 1e-5), ('float64', 1e-9)])
@pytest.mark.parametrize('name, shapes, kwargs', CONFIGS, ids=[f'{c[0]}-{i}' for i, c in enumerate(CONFIGS)])
def test_convolutions_match_pytorch(torch, name, shapes, kwargs, dtype, rtol):
    _compare(torch, name, shapes, kwargs, dtype, rtol)


FOLDS = [dict(kernel_size=2), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
         dict(kernel_size=3, stride=2, padding=(0, 1))]


@pytest.mark.parametrize('kwargs', FOLDS)
def test_unfold_and_fold_match_pytorch(torch, kwargs):
    _compare(torch, 'unfold', [(2, 3, 7, 8)], kwargs)
    _compare(torch, 'unfold', [(3, 7, 8)], kwargs)
    blocks = torch.nn.functional.unfold(torch.zeros(1, 3, 7, 8), **kwargs).shape
    _compare(torch, 'fold', [tuple(blocks)], dict(output_size=(7, 8), **kwargs))
    _compare(torch, 'fold', [tuple(blocks)[1:]], dict(output_size=(7, 8), **kwargs))


def test_unfold_shows_each_window_as_a_column():
    x = mg.arange(12.0).reshape(1, 1, 3, 4)
    cols = F.unfold(x, 2)
    assert cols.shape == (1, 4, 6)
    assert cols[0, :, 0].tolist() == [0.0, 1.0, 4.0, 5.0]         # the top-left 2 × 2 window
    assert cols[0, :, 5].tolist() == [6.0, 7.0, 10.0, 11.0]       # the bottom-right one
    # fold adds each column back at its place: every element, times the windows covering it
    assert F.fold(cols, (3, 4), 2)[0, 0].tolist() == [[0, 2, 4, 3], [8, 20, 24, 14], [8, 18, 20, 11]]


ERRORS = [
    lambda L: L.nn.functional.conv2d(L.randn(1, 3, 8, 8), L.randn(6, 1, 3, 3)),
    lambda L: L.nn.functional.conv2d(L.randn(8, 8), L.randn(6, 1, 3, 3)),
    lambda L: L.nn.functional.conv2d(L.randn(1, 3, 8, 8), L.randn(6, 3, 3, 3), stride=2, padding='same'),
    lambda L: L.nn.functional.conv2d(L.randn(1, 3, 8, 8), L.randn(6, 3, 3, 3), padding='foo'),
    lambda L: L.nn.functional.conv2d(L.randn(1, 3, 8, 8), L.randn(6, 3, 3, 3), groups=2),
    lambda L: L.nn.functional.conv2d(L.randn(1, 3, 8, 8), L.randn(6, 3, 9, 9)),
    lambda L: L.nn.functional.conv2d(L.randn(1, 3, 8, 8), L.randn(6, 3, 3, 3), stride=0),
    lambda L: L.nn.functional.conv2d(L.randn(1, 3, 8, 8), L.randn(6, 3, 3, 3), padding=-1),
    lambda L: L.nn.functional.conv2d(L.randn(1, 3, 8, 8), L.randn(6, 3, 3, 3), bias=L.randn(5)),
    lambda L: L.nn.functional.conv1d(L.randn(1, 3, 8, 8), L.randn(6, 3, 3)),
    lambda L: L.nn.functional.conv_transpose2d(L.randn(1, 3, 8, 8), L.randn(3, 2, 3, 3), output_padding=1),
    lambda L: L.nn.functional.conv_transpose2d(L.randn(1, 3, 8, 8), L.randn(2, 2, 3, 3)),
    lambda L: L.nn.functional.fold(L.randn(1, 27, 35), (8, 8), 3),
]


@pytest.mark.parametrize('call', ERRORS)
def test_errors_are_pytorchs(torch, call):
    ours, theirs = raised_by_both(torch, call)
    assert str(ours) == str(theirs)


def test_conv_transpose_refuses_a_padding_string(torch):
    with pytest.raises(TypeError, match="argument 'padding' must be tuple of ints, not str"):
        F.conv_transpose2d(mg.randn(1, 3, 8, 8), mg.randn(3, 2, 3, 3), padding='same')
