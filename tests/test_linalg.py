"""minigrad/linalg.py (mg.linalg) against PyTorch: vector_norm, matrix_norm, norm, vecdot,
matmul, cross, diagonal; and Tensor.norm / mg.norm on the cases vector_norm covers."""
import numpy as np
import pytest

import minigrad as mg
from helpers import assert_agree, both_libraries, leaf

R = np.random.default_rng(11)
INF = float('inf')


def arr(*shape):
    return R.standard_normal(shape)


# id: (fn(lib, x), input arrays)
CASES = {
    'vector_default': (lambda L, x: L.linalg.vector_norm(x), [arr(2, 3)]),
    'vector_dim': (lambda L, x: L.linalg.vector_norm(x, dim=-1), [arr(2, 3)]),
    'vector_dims_keepdim': (lambda L, x: L.linalg.vector_norm(x, 3, dim=(0, 2), keepdim=True), [arr(2, 3, 4)]),
    'vector_p1': (lambda L, x: L.linalg.vector_norm(x, 1, 1), [arr(2, 3)]),
    'vector_p_half': (lambda L, x: L.linalg.vector_norm(x, 0.5), [arr(4)]),
    'vector_p1_5': (lambda L, x: L.linalg.vector_norm(x, 1.5, 0), [arr(3, 2)]),
    'vector_inf': (lambda L, x: L.linalg.vector_norm(x, INF, 1), [arr(3, 4)]),
    'vector_minus_inf': (lambda L, x: L.linalg.vector_norm(x, -INF), [arr(3, 4)]),
    'vector_minus_2': (lambda L, x: L.linalg.vector_norm(x, -2), [arr(5)]),
    'vector_empty_dim': (lambda L, x: L.linalg.vector_norm(x, 4, dim=()), [arr(2, 3)]),
    'vector_0d': (lambda L, x: L.linalg.vector_norm(x, 3), [arr()]),
    'matrix_fro': (lambda L, x: L.linalg.matrix_norm(x), [arr(2, 3, 4)]),
    'matrix_1': (lambda L, x: L.linalg.matrix_norm(x, 1), [arr(3, 4)]),
    'matrix_minus_1': (lambda L, x: L.linalg.matrix_norm(x, -1, keepdim=True), [arr(2, 3, 4)]),
    'matrix_inf': (lambda L, x: L.linalg.matrix_norm(x, INF, dim=(0, 2)), [arr(3, 2, 4)]),
    'matrix_minus_inf': (lambda L, x: L.linalg.matrix_norm(x, -INF), [arr(3, 4)]),
    'norm_default': (lambda L, x: L.linalg.norm(x), [arr(2, 3, 4)]),
    'norm_vector_ord': (lambda L, x: L.linalg.norm(x, 3), [arr(4)]),
    'norm_matrix_ord': (lambda L, x: L.linalg.norm(x, INF), [arr(3, 4)]),
    'norm_dim': (lambda L, x: L.linalg.norm(x, 1, dim=1), [arr(3, 4)]),
    'norm_dims': (lambda L, x: L.linalg.norm(x, 'fro', dim=(1, 2), keepdim=True), [arr(2, 3, 4)]),
    'vecdot': (lambda L, x, y: L.linalg.vecdot(x, y), [arr(2, 3), arr(3)]),
    'vecdot_dim': (lambda L, x, y: L.linalg.vecdot(x, y, dim=0), [arr(2, 3), arr(2, 3)]),
    'matmul': (lambda L, x, y: L.linalg.matmul(x, y), [arr(2, 3), arr(3, 2)]),
    'multi_dot': (lambda L, x, y: L.linalg.multi_dot([x, y, y.T, x[0]]), [arr(2, 3), arr(3, 2)]),
    'multi_dot_row': (lambda L, x, y: L.linalg.multi_dot([x[0], y]), [arr(2, 3), arr(3, 2)]),
}


@pytest.mark.parametrize('case', CASES)
def test_values_and_gradients_agree_with_pytorch(torch, case):
    fn, arrays = CASES[case]
    assert_agree(both_libraries(torch, lambda *t: fn(mg, *t), lambda *t: fn(torch, *t), arrays),
                 rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize('case', CASES)
def test_second_derivatives(case):
    fn, arrays = CASES[case]
    assert mg.gradgradcheck(lambda *t: fn(mg, *t), [leaf(a) for a in arrays])


def test_the_zero_norm_has_no_gradient_as_in_pytorch():
    x = leaf([0.0, 2.0, -1.0])
    mg.linalg.vector_norm(x, 0).backward()
    assert x.grad is None


@pytest.mark.parametrize('ord', [2, 1, 3, 1.5, 0.5, INF, -INF])
def test_gradient_at_zero_and_with_zeros_follows_pytorch(torch, ord):
    for values in (np.zeros(3), np.array([0.0, 2.0, -1.0])):
        assert_agree(both_libraries(torch, lambda x: mg.linalg.vector_norm(x, ord),
                                    lambda x: torch.linalg.vector_norm(x, ord), [values]), rtol=1e-6)


def test_inf_norm_splits_the_gradient_between_ties(torch):
    values = np.array([[1.0, -3.0, 3.0], [2.0, 2.0, -2.0]])
    assert_agree(both_libraries(torch, lambda x: mg.linalg.vector_norm(x, INF, 1),
                                lambda x: torch.linalg.vector_norm(x, INF, 1), [values]), rtol=1e-6)
    assert_agree(both_libraries(torch, lambda x: mg.linalg.matrix_norm(x, 1),
                                lambda x: torch.linalg.matrix_norm(x, 1), [np.ones((2, 2))]), rtol=1e-6)


@pytest.mark.parametrize('fn', [
    lambda L, x: L.linalg.vector_norm(x),
    lambda L, x: L.linalg.vector_norm(x, dtype=L.float64),
    lambda L, x: L.linalg.matrix_norm(x, 1),
    lambda L, x: L.linalg.norm(x),
])
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64'])
def test_dtypes_agree_with_pytorch(torch, fn, dtype):
    values = np.arange(6).reshape(2, 3)
    results = []
    for lib in (mg, torch):
        try:
            results.append(fn(lib, lib.tensor(values, dtype=getattr(lib, dtype))))
        except RuntimeError as error:
            results.append(type(error))
    mine, theirs = results
    if isinstance(theirs, type):
        assert mine is theirs
    else:
        assert str(mine.dtype) == str(theirs.dtype).replace('torch.', '')
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize('fn', [
    lambda L: L.linalg.vector_norm(L.ones(0), INF),
    lambda L: L.linalg.vector_norm(L.ones(2, 0), -INF, dim=1),
    lambda L: L.linalg.vector_norm(L.ones(2), dtype=L.long),
    lambda L: L.linalg.vector_norm(L.ones(2, 2), dim=(0, 0)),
    lambda L: L.linalg.vector_norm(L.ones(2), dim=1),
    lambda L: L.linalg.matrix_norm(L.ones(2)),
    lambda L: L.linalg.matrix_norm(L.ones(2, 2), 3),
    lambda L: L.linalg.matrix_norm(L.ones(2, 2), dim=(0,)),
    lambda L: L.linalg.norm(L.ones(2, 2, 2), 2),
    lambda L: L.linalg.norm(L.ones(2, 2, 2), dim=(0, 1, 2)),
    lambda L: L.linalg.cross(L.ones(2), L.ones(2)),
    lambda L: L.linalg.norm(L.ones(3), 'fro'),
    lambda L: L.linalg.multi_dot([L.ones(2)]),
    lambda L: L.linalg.multi_dot([L.ones(2, 2), L.ones(2), L.ones(2, 2)]),
    lambda L: L.linalg.vecdot(L.ones(3), L.ones(3, dtype=L.float64)),
])
def test_errors_have_pytorchs_types(torch, fn):
    caught = []
    for lib in (mg, torch):
        with pytest.raises(Exception) as info:
            fn(lib)
        caught.append(info.type)
    assert caught[0] is caught[1]


def test_empty_and_zero_d_inputs(torch):
    for fn in (lambda L, x: L.linalg.vector_norm(x), lambda L, x: L.linalg.vector_norm(x, INF, 1)):
        mine, theirs = fn(mg, mg.ones(0, 3)), fn(torch, torch.ones(0, 3))
        assert tuple(mine.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_singular_value_norms_say_they_are_missing():
    with pytest.raises(NotImplementedError, match='singular values'):
        mg.linalg.matrix_norm(mg.ones(2, 2), 'nuc')


def test_linalg_has_its_names_and_no_others(torch):
    mine = set(mg.linalg.__all__)
    assert mine <= set(dir(torch.linalg))
    assert {'vector_norm', 'matrix_norm', 'norm', 'cross', 'vecdot', 'matmul', 'diagonal', 'multi_dot'} <= mine
    assert all(callable(getattr(mg.linalg, name)) for name in mine)


# ---------------------------------- Tensor.norm and mg.norm where vector_norm covers them

@pytest.mark.parametrize('p, dim, with_zero', [
    (2, None, False), ('fro', None, True), (2, 1, True), (1, None, True), (INF, 0, True),
    (3, 1, False), (3, 1, True), (-1, 1, True), (0.5, None, True),
    (-INF, 1, True), (-INF, None, False)])
def test_tensor_norm_agrees_with_pytorch(torch, p, dim, with_zero):
    values = arr(2, 3)
    if with_zero:
        values[0] = 0
    assert_agree(both_libraries(torch, lambda x: x.norm(p, dim), lambda x: x.norm(p, dim), [values]),
                 rtol=1e-6)
    assert_agree(both_libraries(torch, lambda x: mg.norm(x, p, dim), lambda x: torch.norm(x, p, dim),
                                [values]), rtol=1e-6)


def test_tensor_norm_0_counts_non_zeros_and_has_no_gradient(torch):
    x = mg.tensor([[0.0, 0.0, 0.0], [1.0, -2.0, 0.0]], requires_grad=True)
    assert x.norm(0, 1).tolist() == [0.0, 2.0] == mg.norm(x, 0, 1).tolist()
    x.norm(0).backward()
    assert x.grad is None
