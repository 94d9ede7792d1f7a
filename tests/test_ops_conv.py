"""The convolution ops (minigrad/ops/conv.py): im2col and col2im are each other's transpose,
and Conv, ConvTranspose, Im2Col, Col2Im pass gradcheck and gradgradcheck, with windows that
stride, dilate, pad unevenly and group."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.ops import conv as ops

WINDOWS = [
    ops.window((2, 3), (1, 1), (0, 0), (1, 1), (5, 6)),
    ops.window((3, 2), (2, 3), ((1, 2), (0, 1)), (1, 2), (6, 7)),
    ops.window((3,), (2,), (1,), (2,), (9,)),
]


@pytest.mark.parametrize('w', WINDOWS)
def test_col2im_is_the_transpose_of_im2col(w):
    """<im2col(x), c> = <x, col2im(c)> for every x and c: the definition of the transpose."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3) + w.size)
    cols = ops._unfold_array(x, w)
    c = rng.standard_normal(cols.shape)
    assert cols.shape == (2, 3 * int(np.prod(w.kernel)), int(np.prod(w.out)))
    np.testing.assert_allclose((cols * c).sum(), (x * ops._fold_array(c, 3, w)).sum(), rtol=1e-12)


def _t(rng, *shape):
    return mg.tensor(rng.standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize('groups', [1, 2])
@pytest.mark.parametrize('w', WINDOWS[1:2])
def test_conv_ops_pass_gradcheck_and_gradgradcheck(w, groups):
    rng = np.random.default_rng(1)
    x, weight, bias = _t(rng, 1, 4, *w.size), _t(rng, 4, 4 // groups, *w.kernel), _t(rng, 4)
    conv = lambda x, weight, bias: ops.Conv.apply(x, weight, bias, window=w, groups=groups)   # noqa: E731
    assert mg.autograd.gradcheck(conv, (x, weight, bias))
    assert mg.autograd.gradgradcheck(conv, (x, weight, bias))
    y = _t(rng, 1, 4, *w.out)
    transposed = lambda y, weight: ops.ConvTranspose.apply(y, weight, window=w, groups=groups)  # noqa: E731
    assert mg.autograd.gradcheck(transposed, (y, weight))
    assert mg.autograd.gradgradcheck(transposed, (y, weight))


@pytest.mark.parametrize('w', WINDOWS)
def test_im2col_and_col2im_pass_gradgradcheck(w):
    rng = np.random.default_rng(2)
    x = _t(rng, 1, 2, *w.size)
    assert mg.autograd.gradgradcheck(lambda x: ops.Im2Col.apply(x, window=w) ** 2, (x,))
    c = _t(rng, 1, 2 * int(np.prod(w.kernel)), int(np.prod(w.out)))
    assert mg.autograd.gradgradcheck(lambda c: ops.Col2Im.apply(c, channels=2, window=w) ** 2, (c,))


def test_conv_is_transposed_conv_backward():
    """conv_transpose(dy, W) is conv's input gradient: the same numbers, two ways."""
    rng = np.random.default_rng(3)
    w = WINDOWS[1]
    x, weight = _t(rng, 2, 3, *w.size), mg.tensor(rng.standard_normal((4, 3) + w.kernel))
    dy = mg.tensor(rng.standard_normal((2, 4) + w.out))
    ops.Conv.apply(x, weight, window=w, groups=1).backward(dy)
    np.testing.assert_allclose(ops.ConvTranspose.apply(dy, weight, window=w, groups=1).numpy(),
                               x.grad.numpy(), rtol=1e-12)


def test_float32_stays_float32():
    x, weight = mg.randn(1, 2, 5, 5), mg.randn(3, 2, 3, 3, requires_grad=True)
    y = ops.Conv.apply(x, weight, window=ops.window((3, 3), (1, 1), (1, 1), (1, 1), (5, 5)), groups=1)
    y.sum().backward()
    assert y.dtype == mg.float32 and weight.grad.dtype == mg.float32
