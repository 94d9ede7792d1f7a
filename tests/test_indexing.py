"""minigrad/indexing.py against PyTorch: gather, scatter, index_*, put, take, masked_*: values,
gradients, second derivatives, dtypes, errors, and the in-place forms through views."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from helpers import assert_agree, assert_raises_as_pytorch, both_libraries, leaf

NAMES = ['gather', 'scatter', 'scatter_add', 'scatter_reduce', 'index_select', 'index_add', 'index_fill',
         'index_copy', 'index_put', 'put', 'take', 'take_along_dim', 'masked_select',
         'masked_scatter']

X = np.arange(12.).reshape(3, 4) / 7 - 0.5
V = np.linspace(-1, 1, 6).reshape(2, 3)
# ties with X (for amax, amin), a zero and a repeated zero (for prod), rows sent to one place
SRC = np.array([[X[0, 0], 0., 0.3, X[0, 3]], [0., 0., 0.5, X[1, 0]], [-0.5, 0.5, 2., 1.]])
# the same, without ties with X: PyTorch's amax/amin with include_self=False still count a
# tie with the excluded self value when sharing the gradient (test_scatter_reduce_excluded_self)
SRC_OWN = SRC + [[0.01, 0, 0, 0.01], [0, 0, 0, 0.01], [0, 0, 0, 0]]
# without ties or zeros: where the derivative itself is differentiable (second derivatives)
SMOOTH = SRC + np.arange(12.).reshape(3, 4) / 100 + 0.003


def idx(lib, values):
    return lib.tensor(values, dtype=lib.int64)


def mask(lib, values):
    return lib.tensor(values, dtype=lib.bool)


# (name, fn(lib, *tensors), input arrays): each differentiable in every input
CASES = [
    ('gather dim 1, repeats', lambda L, x: x.gather(1, idx(L, [[0, 0], [3, 1], [2, 2]])), [X]),
    ('gather dim 0, smaller', lambda L, x: L.gather(x, 0, idx(L, [[2, 0, 1]])), [X]),
    ('gather dim -1', lambda L, x: x.gather(-1, idx(L, [[1], [0], [3]])), [X]),
    ('scatter src', lambda L, x, s: x.scatter(1, idx(L, [[0, 2], [1, 3]]), s), [X, V[:, :2]]),
    ('scatter value', lambda L, x: L.scatter(x, 0, idx(L, [[2, 0, 1, 0]]), 2.5), [X]),
    ('scatter_add repeats', lambda L, x, s: x.scatter_add(1, idx(L, [[0, 0, 0], [3, 3, 1]]), s),
     [X, V]),
    *[(f'scatter_reduce {reduce} include_self={include}',
       lambda L, x, s, reduce=reduce, include=include: x.scatter_reduce(
           1, idx(L, [[0, 0, 1, 3], [1, 1, 1, 0], [2, 2, 2, 2]]), s, reduce, include_self=include),
       [X, SRC if include else SRC_OWN]) for reduce in ('sum', 'prod', 'mean', 'amax', 'amin')
      for include in (True, False)],
    ('scatter_reduce 0-d', lambda L, x, s: x.scatter_reduce(0, idx(L, 0), s, 'prod'),
     [np.array(2.), np.array(3.)]),
    ('index_select dim 0', lambda L, x: x.index_select(0, idx(L, [2, 0, 2])), [X]),
    ('index_select dim -1', lambda L, x: L.index_select(x, -1, idx(L, [3, 1])), [X]),
    ('index_add alpha', lambda L, x, s: x.index_add(1, idx(L, [0, 0, 2]), s, alpha=-2),
     [X, np.arange(9.).reshape(3, 3) / 5]),
    ('index_fill', lambda L, x: x.index_fill(1, idx(L, [0, 3]), -1.0), [X]),
    ('index_fill tensor value', lambda L, x, v: x.index_fill(0, idx(L, [1]), v), [X, np.array(3.)]),
    ('index_copy', lambda L, x, s: x.index_copy(0, idx(L, [2, 0]), s[:, :4] if s.shape[1] > 3
                                                else L.cat([s, s[:, :1]], 1)), [X, V]),
    ('index_put', lambda L, x, v: x.index_put((idx(L, [0, 2]), idx(L, [1, 3])), v), [X, V[0, :2]]),
    ('index_put broadcast', lambda L, x, v: x.index_put((idx(L, [0, 2]),), v), [X, V[0, :1]]),
    ('index_put accumulate', lambda L, x, v: x.index_put((idx(L, [0, 0, 1]),), v, accumulate=True),
     [X, np.arange(4.)]),
    ('index_put bool', lambda L, x, v: L.index_put(x, (mask(L, [True, False, True]),), v),
     [X, np.arange(4.)]),
    ('put', lambda L, x, s: x.put(idx(L, [0, -1, 5]), s), [X, V[0]]),
    ('put accumulate', lambda L, x, s: x.put(idx(L, [[1, 1], [11, 2]]), s, accumulate=True),
     [X, V[:, :2]]),
    ('take', lambda L, x: L.take(x, idx(L, [[0, 11], [5, 5]])), [X]),
    ('take_along_dim', lambda L, x: L.take_along_dim(x, idx(L, [[0, 1], [2, 2], [3, 0]]), dim=1),
     [X]),
    ('take_along_dim broadcast', lambda L, x: x.take_along_dim(idx(L, [[0], [1]]).reshape(1, 2),
                                                               dim=1), [X]),
    ('take_along_dim flat', lambda L, x: L.take_along_dim(x, idx(L, [3, 7])), [X]),
    ('masked_select', lambda L, x: x.masked_select(x > 0), [X]),
    ('masked_select broadcast', lambda L, x: L.masked_select(x, mask(L, [True, False, False, True])),
     [X]),
    ('masked_scatter', lambda L, x, s: x.masked_scatter(x < 0, s), [X, V]),
    ('masked_scatter broadcast', lambda L, x, s: x.masked_scatter(mask(L, [[False], [True], [True]]),
                                                                  s.reshape(-1)), [X, X]),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize('name, fn, arrays', CASES, ids=IDS)
def test_values_and_gradients_are_pytorchs(torch, name, fn, arrays):
    assert_agree(both_libraries(torch, lambda *t: fn(mg, *t), lambda *t: fn(torch, *t), arrays),
                 rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize('name, fn, arrays', CASES, ids=IDS)
def test_second_derivatives(name, fn, arrays):
    if name.startswith('scatter_reduce') and len(arrays) == 2 and arrays[1].shape == SRC.shape:
        arrays = [X, SMOOTH]        # ties and zeros are kinks: finite differences cannot cross them
    assert mg.gradgradcheck(lambda *t: fn(mg, *t), [leaf(a) for a in arrays])


def run(lib, fn, arrays, dtype):
    return fn(lib, *[lib.tensor(np.asarray(a).astype(dtype)) for a in arrays])


@pytest.mark.parametrize('dtype', ['float32', 'int64'])
@pytest.mark.parametrize('name, fn, arrays', [c for c in CASES if 'fill' not in c[0]
                                              and 'value' not in c[0]], ids=lambda c: str(c))
def test_dtypes_are_kept(torch, name, fn, arrays, dtype):
    if dtype == 'int64' and 'masked' in name:       # the mask compares with 0: all False is dull
        arrays = [np.round(a * 10) for a in arrays]
    ours, theirs = run(mg, fn, [a * 10 for a in arrays], dtype), run(torch, fn, [a * 10 for a in arrays], dtype)
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---------------------------------------------------------------- in place

# (name, call(lib, x, *operands) doing the in-place op on x, operands)
INPLACE = [
    ('scatter_', lambda L, x, s: x.scatter_(1, idx(L, [[0, 2], [1, 3]]), s), [V[:, :2]]),
    ('scatter_ src=', lambda L, x, s: x.scatter_(1, idx(L, [[0, 2], [1, 3]]), src=s), [V[:, :2]]),
    ('scatter_ value', lambda L, x: x.scatter_(0, idx(L, [[1, 0]]), 1.5), []),
    ('scatter_reduce_', lambda L, x, s: x.scatter_reduce_(1, idx(L, [[0, 0], [3, 3]]), s, 'amax',
                                                          include_self=False), [V[:, :2]]),
    ('scatter_add_', lambda L, x, s: x.scatter_add_(0, idx(L, [[0, 0, 1]]), s), [V[:1]]),
    ('index_add_', lambda L, x, s: x.index_add_(0, idx(L, [1, 1]), s.repeat(1, 2)[:, :4]), [V]),
    ('index_fill_', lambda L, x: x.index_fill_(1, idx(L, [2]), 0.25), []),
    ('index_copy_', lambda L, x, s: x.index_copy_(1, idx(L, [3, 0]), s[:len(x)]), [X[:, :2]]),
    ('index_put_', lambda L, x, v: x.index_put_((idx(L, [1]), idx(L, [2])), v), [np.array([4.])]),
    ('put_', lambda L, x, s: x.put_(idx(L, [0, 7]), s, accumulate=True), [V[0, :2]]),
    ('masked_scatter_', lambda L, x, s: x.masked_scatter_(x > 0, s), [np.arange(12.)]),
]


def _inplace_program(L, call, operands, view):
    """y = x * 2 (a non-leaf), the in-place op on y or on a view of y, then a loss through y."""
    x = L.tensor(X.copy(), requires_grad=True)
    ops = [L.tensor(np.asarray(o, dtype=np.float64), requires_grad=True) for o in operands]
    y = x * 2
    target = y[1:, :] if view else y
    out = call(L, target, *ops)
    assert out is target
    (y * L.arange(12.).reshape(3, 4).to(L.float64)).sum().backward()
    return [y.detach().numpy(), x.grad.numpy()] + [o.grad.numpy() for o in ops]


@pytest.mark.parametrize('view', [False, True], ids=['tensor', 'view'])
@pytest.mark.parametrize('name, call, operands', INPLACE, ids=[c[0] for c in INPLACE])
def test_in_place_forms_are_recorded_as_pytorchs(torch, name, call, operands, view):
    for ours, theirs in zip(_inplace_program(mg, call, operands, view),
                            _inplace_program(torch, call, operands, view)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_in_place_on_a_leaf_that_requires_grad_is_refused():
    x = leaf(X)
    with pytest.raises(RuntimeError, match='leaf Variable'):
        x.index_fill_(0, mg.tensor([0]), 1.0)


# ---------------------------------------------------------------- edges

def test_empty_and_0d(torch):
    for L in (mg, torch):
        e = L.zeros(0, 3, dtype=L.float64)
        assert tuple(e.gather(0, L.zeros(0, 3, dtype=L.int64)).shape) == (0, 3)
        assert tuple(e.index_select(1, L.tensor([2, 0])).shape) == (0, 2)
        assert tuple(e.masked_select(e > 0).shape) == (0,)
    s_mg, s_torch = mg.tensor(5.0), torch.tensor(5.0)
    for a, b in [(s_mg.gather(0, mg.tensor(0)), s_torch.gather(0, torch.tensor(0))),
                 (s_mg.scatter(0, mg.tensor(0), 2.0), s_torch.scatter(0, torch.tensor(0), 2.0)),
                 (s_mg.index_select(0, mg.tensor([0])), s_torch.index_select(0, torch.tensor([0]))),
                 (s_mg.take(mg.tensor([0, 0])), s_torch.take(torch.tensor([0, 0])))]:
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_scatter_reduce_excluded_self_takes_no_share_of_a_tie(torch):
    """A deliberate difference: with include_self=False, amax's gradient goes to the src values
    equal to the result only (it sums to 1 per place); PyTorch also counts an excluded self
    value that ties, and gives the src value half."""
    i = [[3]]
    x, s = leaf([[1., 2., 3., 4.]]), leaf([[4.]])
    x.scatter_reduce(1, mg.tensor(i), s, 'amax', include_self=False).sum().backward()
    assert s.grad.tolist() == [[1.]] and x.grad.tolist() == [[1., 1., 1., 0.]]
    xt, st = (torch.tensor(a, requires_grad=True) for a in ([[1., 2., 3., 4.]], [[4.]]))
    xt.scatter_reduce(1, torch.tensor(i), st, 'amax', include_self=False).sum().backward()
    assert st.grad.tolist() == [[0.5]]


def test_scatter_reduce_forms_have_pytorchs_values_and_no_derivative(torch):
    i = [[0, 0], [1, 1]]
    with pytest.warns(UserWarning, match='deprecated'):
        ours = mg.tensor(X).scatter(1, mg.tensor(i), mg.tensor(V[:, :2]), reduce='multiply')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        theirs = torch.tensor(X).scatter(1, torch.tensor(i), torch.tensor(V[:, :2]), reduce='multiply')
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    with pytest.warns(UserWarning, match='deprecated'):
        ours = mg.tensor(X).scatter(1, mg.tensor(i), mg.tensor(V[:, :2]), reduce='add')
    with warnings.catch_warnings():         # PyTorch warns once a process
        warnings.simplefilter('ignore')
        theirs = torch.tensor(X).scatter(1, torch.tensor(i), torch.tensor(V[:, :2]), reduce='add')
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    for reduce in ('add', 'multiply'):
        with pytest.raises(RuntimeError, match='not implemented'):
            leaf(X).scatter(1, mg.tensor(i), 2.0, reduce=reduce)


# (call(lib, x) that PyTorch refuses)
ERRORS = [
    lambda L, x: x.gather(1, L.tensor([[5]])),
    lambda L, x: x.gather(1, L.tensor([[-1]])),
    lambda L, x: x.gather(1, L.tensor([0])),
    lambda L, x: x.gather(1, L.zeros(4, 1, dtype=L.int64)),
    lambda L, x: x.gather(1, L.tensor([[0.]])),
    lambda L, x: x.gather(1, L.tensor([[0]], dtype=L.int16)),
    lambda L, x: x.gather(3, L.tensor([[0]])),
    lambda L, x: x.scatter(1, L.tensor([[4]]), 1.0),
    lambda L, x: x.scatter(1, L.tensor([[0]]), L.ones(1, 1, dtype=L.float32)),
    lambda L, x: x.scatter(1, L.tensor([[0]]), 1.0, reduce='max'),
    lambda L, x: x.scatter_add(1, L.tensor([[0, 1]]), L.ones(1, 1, dtype=L.float64)),
    lambda L, x: x.scatter_reduce(1, L.tensor([[0]]), L.ones(1, 1, dtype=L.float64), 'avg'),
    lambda L, x: x.scatter_reduce(1, L.tensor([[4]]), L.ones(1, 1, dtype=L.float64), 'sum'),
    lambda L, x: x.scatter_reduce(1, L.tensor([[0]]), L.ones(1, 1), 'sum'),
    lambda L, x: x.index_select(1, L.tensor([4])),
    lambda L, x: x.index_select(1, L.tensor([[0]])),
    lambda L, x: x.index_select(1, L.tensor([0.])),
    lambda L, x: x.index_add(1, L.tensor([0, 1]), L.ones(3, 3, dtype=L.float64)),
    lambda L, x: x.index_add(1, L.tensor([0, 1]), L.ones(3, 2)),
    lambda L, x: x.index_fill(1, L.tensor([4]), 1.0),
    lambda L, x: x.index_fill(1, L.tensor([0], dtype=L.int32), 1.0),
    lambda L, x: x.index_copy(1, L.tensor([0]), L.ones(3, 2, dtype=L.float64)),
    lambda L, x: x.index_copy(1, L.tensor([0], dtype=L.int32), L.ones(3, 1, dtype=L.float64)),
    lambda L, x: x.index_put((L.tensor([0, 5]),), L.tensor(1., dtype=L.float64)),
    lambda L, x: x.index_put((L.tensor([0]),), L.tensor(1.)),
    lambda L, x: x.index_put((L.tensor([0.]),), L.tensor(1., dtype=L.float64)),
    lambda L, x: x.put(L.tensor([0, 12]), L.ones(2, dtype=L.float64)),
    lambda L, x: x.put(L.tensor([0, 1]), L.ones(3, dtype=L.float64)),
    lambda L, x: x.take(L.tensor([12])),
    lambda L, x: x.take(L.tensor([-13])),
    lambda L, x: x.take(L.tensor([0], dtype=L.int32)),
    lambda L, x: x.take_along_dim(L.tensor([[0]], dtype=L.int32), 1),
    lambda L, x: x.take_along_dim(L.tensor([0]), 1),
    lambda L, x: x.masked_select(L.tensor([1, 0, 1, 0])),
    lambda L, x: x.masked_select(L.tensor([True, False])),
    lambda L, x: x.masked_scatter(L.ones(3, 4, dtype=L.bool), L.ones(2, dtype=L.float64)),
    lambda L, x: x.masked_scatter(x > 0, L.ones(12)),
    lambda L, x: x[0, 0].index_select(0, L.tensor([0, 0])),
]


@pytest.mark.parametrize('call', ERRORS, ids=range(len(ERRORS)))
def test_errors_are_pytorchs(torch, call):
    assert_raises_as_pytorch(torch, call, X)


def test_errors_name_what_was_given():
    x = mg.tensor(X)
    with pytest.raises(RuntimeError, match='index 5 is out of bounds for dimension 1 with size 4'):
        x.gather(1, mg.tensor([[5]]))
    with pytest.raises(RuntimeError, match='int16'):
        x.gather(1, mg.tensor([[0]], dtype=np.int16))
    with pytest.raises(IndexError, match='index 12 on a tensor of 12 elements'):
        x.take(mg.tensor([12]))
    with pytest.raises(RuntimeError, match=r'\[4, 1\].*\[3, 4\]'):
        x.gather(1, mg.zeros(4, 1, dtype=mg.int64))


def test_every_name_has_every_form_pytorch_has(torch):
    for name in NAMES:
        assert hasattr(torch, name) <= hasattr(mg, name), name
        assert hasattr(torch.Tensor, name) <= hasattr(mg.Tensor, name), name
        assert hasattr(torch.Tensor, name + '_') <= hasattr(mg.Tensor, name + '_'), name + '_'
        assert hasattr(mg, name) and hasattr(mg.Tensor, name)


def test_the_transformer_mask_on_a_view_of_tril(torch):
    """`wei.masked_fill(tril[:T, :T] == 0, float('-inf'))`, then softmax: as in PyTorch."""
    results = []
    for L in (mg, torch):
        tril = L.tril(L.ones(5, 5)) if hasattr(L, 'tril') else L.tensor(np.tril(np.ones((5, 5))))
        w = L.tensor(np.arange(9.).reshape(3, 3) / 4, requires_grad=True)
        wei = w.masked_fill(tril[:3, :3] == 0, float('-inf')).softmax(-1)
        (wei * L.arange(9.).reshape(3, 3)).sum().backward()
        results.append((wei.detach().numpy(), w.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
