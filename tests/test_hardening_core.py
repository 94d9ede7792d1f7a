"""Regression tests for edge cases where minigrad used to differ from PyTorch or fail unclearly
(engine, Tensor and op items of the hardening issue). Each states PyTorch's behaviour and, when
PyTorch is installed, checks it against PyTorch too."""
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

try:
    import torch
except ImportError:
    torch = None

LIBS = [mg] + ([torch] if torch is not None else [])
by_name = pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)


# 1. every target ignored: the 'mean' loss is nan, the gradient 0 (not nan)
@by_name
@pytest.mark.parametrize('smoothing', [0.0, 0.2])
def test_all_targets_ignored_gives_zero_gradient(lib, smoothing):
    x = lib.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]], requires_grad=True)
    target = lib.tensor([-100, -100])
    loss = lib.nn.functional.cross_entropy(x, target, label_smoothing=smoothing)
    loss.backward()
    assert np.isnan(loss.item())
    assert np.array_equal(x.grad.numpy(), np.zeros((2, 3), np.float32))


@by_name
def test_all_targets_ignored_nll_gives_zero_gradient(lib):
    x = lib.tensor([[-1.0, -2.0], [-0.5, -3.0]], requires_grad=True)
    loss = lib.nn.functional.nll_loss(x, lib.tensor([-100, -100]), weight=lib.tensor([1.0, 2.0]))
    loss.backward()
    assert np.isnan(loss.item()) and not x.grad.numpy().any()


# 3. dim=() reduces over every dim
@by_name
@pytest.mark.parametrize('name', ['sum', 'mean', 'amax', 'amin', 'var'])
def test_empty_dim_tuple_reduces_everything(lib, name):
    x = lib.arange(6.0).reshape(2, 3)
    assert getattr(x, name)(dim=()).item() == pytest.approx(getattr(x, name)().item())


# 4. a hook may not change the gradient's shape or dtype
@pytest.mark.parametrize('hook, words', [(lambda g: g.sum(), 'changed the size'),
                                         (lambda g: g.double(), 'changed the type')])
def test_hook_changing_shape_or_dtype_raises(hook, words):
    for on_leaf in (True, False):
        x = mg.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        (x if on_leaf else y).register_hook(hook)
        with pytest.raises(RuntimeError, match=words):
            (y * 3).sum().backward()


# 8. 0-d tensors accept dims 0 and -1
@by_name
@pytest.mark.parametrize('call', [
    lambda t: t.sum(-1), lambda t: t.sum(0), lambda t: t.mean(0), lambda t: t.amax(-1),
    lambda t: t.amin(0), lambda t: t.logsumexp(0), lambda t: t.max(0).values,
    lambda t: t.min(-1)[0], lambda t: t.transpose(0, 0), lambda t: t.transpose(-1, 0),
    lambda t: t.softmax(0), lambda t: t.argmax(0)], ids=range(12))
def test_zero_d_tensors_take_dims_0_and_minus_1(lib, call):
    t = lib.tensor(3.0)
    assert float(call(t)) in (3.0, 1.0, 0.0)


def test_zero_d_dim_errors_name_the_range():
    with pytest.raises(IndexError, match=r'range of \[-1, 0\], but got 1'):
        mg.tensor(3.0).sum(1)
    with pytest.raises(IndexError, match=r'range of \[-1, 0\], but got 2'):
        mg.tensor(3.0).max(2)


def test_zero_d_reduction_gradients():
    t = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    for f in (lambda t: t.sum(-1), lambda t: t.mean(0), lambda t: t.max(0).values * 3,
              lambda t: t.transpose(0, -1) ** 2):
        assert mg.gradcheck(f, t)


# 9. softmax, log_softmax and probability targets along an empty dim
@by_name
@pytest.mark.parametrize('shape', [(2, 0), (0, 3)])
def test_softmax_along_an_empty_dim(lib, shape):
    x = lib.zeros(shape, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for f in (lambda x: x.softmax(1), lambda x: x.log_softmax(1)):
            out = f(x)
            assert tuple(out.shape) == shape
            out.sum().backward()
            assert tuple(x.grad.shape) == shape


@by_name
def test_probability_targets_with_no_classes(lib):
    x = lib.zeros(2, 0, requires_grad=True)
    losses = lib.nn.functional.cross_entropy(x, lib.zeros(2, 0), reduction='none')
    assert losses.tolist() == [0.0, 0.0]
    lib.nn.functional.cross_entropy(x, lib.zeros(2, 0)).backward()
    assert tuple(x.grad.shape) == (2, 0)


# 10. F.linear with in_features = 0 and an input that is not 2-D
@by_name
def test_linear_with_no_in_features(lib):
    weight = lib.zeros(3, 0, requires_grad=True)
    bias = lib.zeros(3, requires_grad=True)
    x = lib.zeros(2, 4, 0, requires_grad=True)
    lib.nn.functional.linear(x, weight, bias).sum().backward()
    assert tuple(weight.grad.shape) == (3, 0) and tuple(x.grad.shape) == (2, 4, 0)
    assert bias.grad.tolist() == [8.0, 8.0, 8.0]


# 11. l1_loss at a nan input: gradient 0 there
@by_name
def test_l1_gradient_at_nan_is_zero(lib):
    x = lib.tensor([1.0, float('nan'), -2.0], requires_grad=True)
    lib.nn.functional.l1_loss(x, lib.zeros(3), reduction='sum').backward()
    assert x.grad.tolist() == [1.0, 0.0, -1.0]


# 12. result dtypes
@by_name
@pytest.mark.parametrize('make, dtype', [
    (lambda lib: lib.ones(2) * lib.tensor(2.0, dtype=lib.float64), 'float32'),
    (lambda lib: lib.ones((), dtype=lib.float64) * lib.ones((), dtype=lib.float32), 'float64'),
    (lambda lib: lib.ones(2, dtype=lib.float64) * lib.ones((), dtype=lib.float32), 'float64'),
    (lambda lib: lib.ones(2, dtype=lib.int32) + 5, 'int32'),
    (lambda lib: lib.ones(2, dtype=lib.int32) * lib.tensor(3), 'int32'),
    (lambda lib: lib.ones(2, dtype=lib.int32) * 2.5, 'float32'),
    (lambda lib: lib.tensor([True]) + 1, 'int64'),
    (lambda lib: lib.tensor([1, 2]).clamp(min=0.5), 'float32'),
    (lambda lib: lib.tensor([lib.tensor(1.0, dtype=lib.float64), lib.tensor(2.0, dtype=lib.float64)]),
     'float64'),
    (lambda lib: lib.ones(2, dtype=lib.int32) * lib.tensor(2.0, dtype=lib.float64), 'float64'),
], ids=range(10))
def test_result_dtypes_follow_pytorch(lib, make, dtype):
    assert str(make(lib).dtype).replace('torch.', '') == dtype


def test_zero_d_float64_does_not_promote_and_gradient_keeps_its_dtype():
    s = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    x = mg.ones(3, requires_grad=True)
    y = x * s
    assert y.dtype == mg.float32
    y.sum().backward()
    assert s.grad.dtype == mg.float64 and s.grad.item() == 3.0 and x.grad.tolist() == [2.0] * 3


# 15. expand with -1 in a new leading dim
@by_name
def test_expand_minus_one_in_a_new_dim_raises(lib):
    with pytest.raises(RuntimeError, match="isn't allowed in a leading, non-existing dimension 0"):
        lib.ones(3).expand(-1, 3)
    assert tuple(lib.ones(3).expand(2, -1).shape) == (2, 3)


# 16. cat with a bad dim or of 0-d tensors
@by_name
def test_cat_errors_are_clear(lib):
    with pytest.raises(IndexError, match=r'Dimension out of range \(expected to be in range of \[-1, 0\], but got 2\)'):
        lib.cat([lib.ones(2), lib.ones(2)], dim=2)
    with pytest.raises(RuntimeError, match=r'zero-dimensional tensor \(at position 0\) cannot be concatenated'):
        lib.cat([lib.tensor(1.0), lib.tensor(2.0)])
    assert lib.cat([lib.ones(2, 1), lib.zeros(2, 2)], dim=-1).tolist() == [[1.0, 0.0, 0.0]] * 2


# found by the random-graph test: std / norm at a constant or zero slice, t() of a vector
@by_name
def test_std_and_norm_gradients_where_they_are_zero(lib):
    x = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
    (x.std() + x.std(1).sum()).backward()
    assert not x.grad.numpy().any()
    z = lib.zeros(2, 3, dtype=lib.float64, requires_grad=True)
    (z.norm() + z.norm(dim=1).sum()).backward()
    assert not z.grad.numpy().any()


@by_name
def test_t_of_a_vector_is_a_new_view(lib):
    w = lib.ones(3, requires_grad=True)
    v = w.t()
    assert v is not w and not v.is_leaf
