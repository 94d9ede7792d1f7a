"""The pooling ops (minigrad/ops/pooling.py): MaxPool and AvgPool pass gradcheck and
gradgradcheck, and the max's indices are PyTorch's flat per-plane positions."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.ops import conv
from minigrad.ops import pooling as ops

WINDOWS = [conv.window((2, 2), (2, 2), (0, 0), (1, 1), (4, 6)),
           conv.window((3, 2), (2, 1), (1, 1), (1, 2), (5, 6), ceil_mode=True),
           conv.window((3,), (2,), (1,), (1,), (8,), ceil_mode=True)]


@pytest.mark.parametrize('w', WINDOWS)
def test_max_and_avg_pool_pass_gradcheck_and_gradgradcheck(w):
    x = mg.tensor(np.random.default_rng(0).permutation(2 * 3 * int(np.prod(w.size)))
                  .reshape((2, 3) + w.size) / 7.0, requires_grad=True)     # distinct: no ties
    offset = ops.window_argmax(x._array, w)
    pool = lambda x: ops.MaxPool.apply(x, window=w, offset=offset) ** 2     # noqa: E731
    assert mg.autograd.gradcheck(pool, (x,)) and mg.autograd.gradgradcheck(pool, (x,))
    divisor = np.arange(1.0, 1.0 + int(np.prod(w.out)))
    avg = lambda x: ops.AvgPool.apply(x, window=w, divisor=divisor) ** 2    # noqa: E731
    assert mg.autograd.gradcheck(avg, (x,)) and mg.autograd.gradgradcheck(avg, (x,))


def test_flat_indices_name_each_max_in_its_plane():
    x = np.array([[[[1., 9, 2, 3], [4, 5, 6, 8], [7, 0, 1, 2]]]])
    w = conv.window((2, 2), (2, 2), (1, 1), (1, 1), (3, 4))
    offset = ops.window_argmax(x, w)
    flat = ops.flat_indices(offset, w).reshape(w.out)
    assert flat.dtype == np.int64
    assert flat.tolist() == [[0, 1, 3], [8, 6, 7]]
    assert x.reshape(-1)[flat].tolist() == [[1, 9, 3], [7, 6, 8]]


def test_ties_go_to_the_first_and_the_gradient_to_one_place():
    x = mg.ones(1, 1, 2, 2, requires_grad=True)
    mg.nn.functional.max_pool2d(x, 2).sum().backward()
    assert x.grad.tolist() == [[[[1.0, 0.0], [0.0, 0.0]]]]
