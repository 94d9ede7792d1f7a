"""minigrad/products.py against PyTorch: matrix products, einsum, kron, cross, diagonals,
triangles and distances; values, gradients, second derivatives, dtypes, errors, forms."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from helpers import assert_agree, both_libraries, leaf

R = np.random.default_rng(7)


def arr(*shape):
    return R.standard_normal(shape)


# id: (fn(lib, *tensors), input arrays); lib is minigrad or torch, whose spellings agree
CASES = {
    'bmm': (lambda L, a, b: L.bmm(a, b), [arr(2, 3, 4), arr(2, 4, 5)]),
    'bmm_method': (lambda L, a, b: a.bmm(b), [arr(1, 2, 2), arr(1, 2, 3)]),
    'mv': (lambda L, a, v: L.mv(a, v), [arr(3, 4), arr(4)]),
    'addmm': (lambda L, c, a, b: L.addmm(c, a, b), [arr(3), arr(2, 4), arr(4, 3)]),
    'addmm_scaled': (lambda L, c, a, b: L.addmm(c, a, b, beta=0.5, alpha=-2), [arr(2, 3), arr(2, 4), arr(4, 3)]),
    'addmm_beta0': (lambda L, c, a, b: c.addmm(a, b, beta=0), [arr(2, 3), arr(2, 4), arr(4, 3)]),
    'baddbmm': (lambda L, c, a, b: L.baddbmm(c, a, b, alpha=3), [arr(1, 2, 3), arr(2, 2, 4), arr(2, 4, 3)]),
    'addbmm': (lambda L, c, a, b: L.addbmm(c, a, b, beta=2), [arr(2, 3), arr(4, 2, 5), arr(4, 5, 3)]),
    'vdot': (lambda L, a, b: a.vdot(b), [arr(3), arr(3)]),
    'tensordot': (lambda L, a, b: L.tensordot(a, b), [arr(2, 3, 4), arr(3, 4, 2)]),
    'tensordot_pairs': (lambda L, a, b: L.tensordot(a, b, dims=([0, 2], [2, 0])), [arr(2, 3, 4), arr(4, 5, 2)]),
    'tensordot_outer': (lambda L, a, b: L.tensordot(a, b, 0), [arr(2), arr(3)]),
    'addmv': (lambda L, c, a, v: L.addmv(c, a, v, beta=2), [arr(3), arr(3, 4), arr(4)]),
    'addr': (lambda L, c, a, b: L.addr(c, a, b), [arr(3, 2), arr(3), arr(2)]),
    'outer': (lambda L, a, b: L.outer(a, b), [arr(3), arr(4)]),
    'ger': (lambda L, a, b: a.ger(b), [arr(3), arr(2)]),
    'inner_1d': (lambda L, a, b: L.inner(a, b), [arr(4), arr(4)]),
    'inner_nd': (lambda L, a, b: L.inner(a, b), [arr(2, 3, 4), arr(5, 4)]),
    'inner_scalar': (lambda L, a, b: L.inner(a, b), [arr(2, 3), arr()]),
    'einsum_matmul': (lambda L, a, b: L.einsum('ij,jk->ik', a, b), [arr(2, 3), arr(3, 4)]),
    'einsum_implicit': (lambda L, a, b: L.einsum('ij,kj', a, b), [arr(2, 3), arr(4, 3)]),
    'einsum_list': (lambda L, a, b: L.einsum('i,j->ij', [a, b]), [arr(2), arr(3)]),
    'einsum_trace': (lambda L, a: L.einsum('ii', a), [arr(3, 3)]),
    'einsum_diag': (lambda L, a: L.einsum('ii->i', a), [arr(3, 3)]),
    'einsum_repeated_3': (lambda L, a, b: L.einsum('iij,jk->ik', a, b), [arr(2, 2, 3), arr(3, 2)]),
    'einsum_summed_alone': (lambda L, a, b: L.einsum('ij,k->k', a, b), [arr(2, 3), arr(4)]),
    'einsum_transpose': (lambda L, a: L.einsum('ijk->kij', a), [arr(2, 3, 4)]),
    'einsum_ellipsis': (lambda L, a, b: L.einsum('...ij,...jk->...ik', a, b), [arr(2, 1, 2, 3), arr(5, 3, 4)]),
    'einsum_ellipsis_implicit': (lambda L, a: L.einsum('i...->...', a), [arr(3, 2, 4)]),
    'einsum_broadcast_1': (lambda L, a, b: L.einsum('ij,j->ij', a, b), [arr(2, 3), arr(1)]),
    'einsum_three': (lambda L, a, b, c: L.einsum('ij,jk,kl->il', a, b, c), [arr(2, 3), arr(3, 4), arr(4, 2)]),
    'einsum_sublist': (lambda L, a, b: L.einsum(a, [0, 1], b, [1, 2], [0, 2]), [arr(2, 3), arr(3, 2)]),
    'einsum_scalar': (lambda L, a, b: L.einsum(',i->i', a, b), [arr(), arr(3)]),
    'kron': (lambda L, a, b: L.kron(a, b), [arr(2, 3), arr(3, 2)]),
    'kron_ndims': (lambda L, a, b: a.kron(b), [arr(2), arr(2, 2, 3)]),
    'cross_dim': (lambda L, a, b: L.cross(a, b, dim=0), [arr(3, 4), arr(3, 4)]),
    'cross_broadcast': (lambda L, a, b: a.cross(b, dim=-1), [arr(1, 3), arr(4, 3)]),
    'linalg_cross': (lambda L, a, b: L.linalg.cross(a, b), [arr(2, 3), arr(2, 3)]),
    'diag_vector': (lambda L, a: L.diag(a), [arr(3)]),
    'diag_vector_offset': (lambda L, a: a.diag(-2), [arr(3)]),
    'diag_matrix': (lambda L, a: L.diag(a, 1), [arr(3, 4)]),
    'diagonal': (lambda L, a: L.diagonal(a), [arr(3, 4)]),
    'diagonal_dims': (lambda L, a: a.diagonal(-1, 2, 0), [arr(3, 2, 4)]),
    'diagonal_outside': (lambda L, a: a.diagonal(5), [arr(3, 4)]),
    'linalg_diagonal': (lambda L, a: L.linalg.diagonal(a, offset=1), [arr(2, 3, 3)]),
    'diag_embed': (lambda L, a: L.diag_embed(a), [arr(2, 3)]),
    'diag_embed_dims': (lambda L, a: a.diag_embed(1, 0, 2), [arr(2, 3)]),
    'trace': (lambda L, a: L.trace(a), [arr(3, 4)]),
    'tril': (lambda L, a: L.tril(a), [arr(3, 4)]),
    'tril_offset': (lambda L, a: a.tril(-1), [arr(2, 3, 3)]),
    'triu': (lambda L, a: L.triu(a, 1), [arr(4, 3)]),
    'cdist': (lambda L, a, b: L.cdist(a, b), [arr(4, 3), arr(5, 3)]),
    'cdist_mm': (lambda L, a, b: L.cdist(a, b), [arr(30, 3), arr(2, 3)]),
    'cdist_mm_asked': (lambda L, a, b: L.cdist(a, b, compute_mode='use_mm_for_euclid_dist'), [arr(3, 2), arr(2, 2)]),
    'cdist_no_mm': (lambda L, a, b: L.cdist(a, b, compute_mode='donot_use_mm_for_euclid_dist'), [arr(30, 2), arr(2, 2)]),
    'cdist_batched': (lambda L, a, b: L.cdist(a, b, p=1), [arr(2, 4, 3), arr(2, 5, 3)]),
    'cdist_p3': (lambda L, a, b: L.cdist(a, b, p=3), [arr(4, 3), arr(2, 3)]),
    'cdist_p_half': (lambda L, a, b: L.cdist(a, b, p=0.5), [arr(4, 3), arr(2, 3)]),
    'cdist_inf': (lambda L, a, b: L.cdist(a, b, p=float('inf')), [arr(4, 3), arr(2, 3)]),
    'cdist_p0': (lambda L, a, b: L.cdist(a, b, p=0), [arr(4, 3), arr(2, 3)]),
    'dist': (lambda L, a, b: L.dist(a, b), [arr(2, 3), arr(3)]),
    'dist_p1': (lambda L, a, b: a.dist(b, 1), [arr(2, 3), arr(2, 3)]),
    'dist_inf': (lambda L, a, b: a.dist(b, float('inf')), [arr(2, 3), arr(2, 3)]),
}


@pytest.mark.parametrize('case', CASES)
def test_values_and_gradients_agree_with_pytorch(torch, case):
    fn, arrays = CASES[case]
    assert_agree(both_libraries(torch, lambda *t: fn(mg, *t), lambda *t: fn(torch, *t), arrays),
                 rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize('case', [c for c in CASES if c != 'cdist_p0'])
def test_second_derivatives(case):
    fn, arrays = CASES[case]
    if case.startswith('cdist_mm'):
        arrays = [arrays[0][:5] * 1, arrays[1]]          # gradgradcheck's cost grows with size
    assert mg.gradgradcheck(lambda *t: fn(mg, *t), [leaf(a) for a in arrays])


def test_einsum_second_derivative_through_a_diagonal():
    x = leaf(arr(3, 3))
    assert mg.gradgradcheck(lambda t: mg.einsum('ii,ij->j', t, t), [x])


# -------------------------------------------------------------------- dtypes

@pytest.mark.parametrize('name, fn, shapes', [
    ('mm', lambda L, a, b: L.bmm(a, b), [(1, 2, 3), (1, 3, 2)]),
    ('mv', lambda L, a, b: L.mv(a, b), [(2, 3), (3,)]),
    ('einsum', lambda L, a, b: L.einsum('ij,jk', a, b), [(2, 3), (3, 2)]),
    ('addmm', lambda L, a, b: L.addmm(a, a, b), [(2, 2), (2, 2)]),
    ('cross', lambda L, a, b: L.linalg.cross(a, b), [(3,), (3,)]),
    ('cdist', lambda L, a, b: L.cdist(a, b), [(2, 3), (2, 3)]),
    ('matmul', lambda L, a, b: L.matmul(a, b), [(2, 3), (3,)]),
    ('mm method', lambda L, a, b: a.mm(b), [(2, 3), (3, 2)]),
])
def test_mixed_float_dtypes_are_an_error_as_in_pytorch(torch, name, fn, shapes):
    for lib in (mg, torch):
        a, b = lib.ones(*shapes[0]), lib.ones(*shapes[1], dtype=lib.float64)
        with pytest.raises(RuntimeError):
            fn(lib, a, b)


@pytest.mark.parametrize('fn', [
    lambda L, a: L.tril(a), lambda L, a: L.triu(a, -1), lambda L, a: L.trace(a),
    lambda L, a: L.diag(a), lambda L, a: L.diagonal(a), lambda L, a: L.einsum('ij->', a),
    lambda L, a: L.einsum('ij,jk', a, a), lambda L, a: L.kron(a, a), lambda L, a: L.bmm(a[None], a[None]),
    lambda L, a: L.outer(a[0], a[1]), lambda L, a: L.diag_embed(a),
])
@pytest.mark.parametrize('dtype', ['int64', 'int32', 'float32', 'bool'])
def test_result_dtypes_agree_with_pytorch(torch, fn, dtype):
    values = np.arange(9).reshape(3, 3) % 2
    results = []
    for lib in (mg, torch):
        try:
            out = fn(lib, lib.tensor(values, dtype=getattr(lib, dtype)))
        except (RuntimeError, NotImplementedError) as error:
            out = type(error)
        results.append(out)
    mine, theirs = results
    if isinstance(theirs, type):
        assert mine is theirs
    else:
        assert str(mine.dtype) == str(theirs.dtype).replace('torch.', '')
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


# -------------------------------------------------------------------- errors

@pytest.mark.parametrize('fn', [
    lambda L: L.bmm(L.ones(2, 3), L.ones(3, 2)),
    lambda L: L.bmm(L.ones(1, 2, 3), L.ones(1, 2, 3)),
    lambda L: L.mv(L.ones(2, 3), L.ones(2)),
    lambda L: L.vdot(L.ones(2, 2), L.ones(2, 2)),
    lambda L: L.vdot(L.ones(2), L.ones(3)),
    lambda L: L.tensordot(L.ones(2, 3), L.ones(2, 2), dims=1),
    lambda L: L.tensordot(L.ones(2, 3), L.ones(3, 2, dtype=L.float64), dims=1),
    lambda L: L.outer(L.ones(2, 2), L.ones(2)),
    lambda L: L.inner(L.ones(2, 3), L.ones(2)),
    lambda L: L.einsum('ii', L.ones(2, 3)),
    lambda L: L.einsum('i,i', L.ones(2), L.ones(3)),
    lambda L: L.einsum('ij', L.ones(2, 3, 4)),
    lambda L: L.einsum('ij,jk', L.ones(2, 3)),
    lambda L: L.einsum('i->j', L.ones(2)),
    lambda L: L.cross(L.ones(4, 2), L.ones(4, 2)),
    lambda L: L.linalg.cross(L.ones(3, 4), L.ones(3, 4)),
    lambda L: L.diag(L.ones(2, 2, 2)),
    lambda L: L.diagonal(L.ones(2, 2), 0, 1, -1),
    lambda L: L.diagonal(L.ones(3)),
    lambda L: L.diag_embed(L.ones(2), dim1=0, dim2=0),
    lambda L: L.trace(L.ones(2, 2, 2)),
    lambda L: L.tril(L.ones(3)),
    lambda L: L.cdist(L.ones(3), L.ones(3)),
    lambda L: L.cdist(L.ones(2, 3), L.ones(2, 3), p=-1),
    lambda L: L.cdist(L.ones(2, 3), L.ones(2, 3), compute_mode='fast'),
    lambda L: L.cdist(L.ones(2, 3), L.ones(2, 4)),
    lambda L: L.cdist(L.ones(2, 3, dtype=L.long), L.ones(2, 3, dtype=L.long)),
    lambda L: L.dist(L.ones(2, dtype=L.long), L.ones(2, dtype=L.long)),
])
def test_errors_have_pytorchs_types(torch, fn):
    caught = []
    for lib in (mg, torch):
        with warnings.catch_warnings(), pytest.raises(Exception) as info:
            warnings.simplefilter('ignore')
            fn(lib)
        caught.append(info.type)
    assert caught[0] is caught[1]


def test_einsum_errors_name_the_problem():
    with pytest.raises(RuntimeError, match="sizes don't match, 3 != 2"):
        mg.einsum('ii', mg.ones(2, 3))
    with pytest.raises(RuntimeError, match='subscript i has size 3'):
        mg.einsum('i,i', mg.ones(2), mg.ones(3))


# --------------------------------------------------- views, in place, shapes

def test_diagonal_is_a_view_writes_reach_the_input_and_gradients_follow(torch):
    results = []
    for lib in (mg, torch):
        w = lib.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
        x = w * 1
        d = x.diagonal(1)
        d.mul_(10)                                      # through the view, into x
        x.sum().backward(lib.tensor(1.0)) if lib is mg else x.sum().backward()
        results.append((x.detach().numpy().copy(), w.grad.numpy().copy()))
    for mine, theirs in zip(*results):
        np.testing.assert_array_equal(mine, theirs)


def test_a_diagonal_made_before_its_base_changed_in_place_follows_it(torch):
    results = []
    for lib in (mg, torch):
        w = lib.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
        x = w * 1
        d = x.diagonal()
        x.mul_(3)                                       # d sees the new values and history
        (d * d).sum().backward()
        results.append((d.detach().numpy().copy(), w.grad.numpy().copy()))
    for mine, theirs in zip(*results):
        np.testing.assert_array_equal(mine, theirs)


def test_diagonal_of_a_leaf_shares_memory_and_diag_copies():
    x = mg.zeros(3, 3)
    x.diagonal().fill_(1)
    np.testing.assert_array_equal(x.numpy(), np.eye(3))
    y = mg.diag(x)
    y.fill_(5)
    np.testing.assert_array_equal(x.numpy(), np.eye(3))


@pytest.mark.parametrize('name', ['tril_', 'triu_', 'addmm_', 'addmv_', 'addr_', 'baddbmm_', 'addbmm_'])
def test_in_place_forms_agree_with_pytorch(torch, name):
    args = {'tril_': [(3, 3)], 'triu_': [(3, 3)], 'addmm_': [(2, 3), (2, 2), (2, 3)],
            'addmv_': [(2,), (2, 3), (3,)], 'addr_': [(2, 3), (2,), (3,)],
            'baddbmm_': [(2, 2, 3), (2, 2, 2), (2, 2, 3)], 'addbmm_': [(2, 3), (4, 2, 2), (4, 2, 3)]}[name]
    arrays = [arr(*s) for s in args]
    outs = []
    for lib in (mg, torch):
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        x = leaves[0] * 1
        assert getattr(x, name)(*leaves[1:]) is x
        x.backward(lib.tensor(np.ones(x.shape)))
        outs.append([x.detach().numpy()] + [t.grad.numpy() for t in leaves])
    for mine, theirs in zip(*outs):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)


def test_tril_in_place_keeps_an_integer_tensor_integer():
    x = mg.ones(3, 3, dtype=mg.int64)
    x.tril_()
    assert x.dtype == mg.int64 and x.numpy().sum() == 6


@pytest.mark.parametrize('fn, shapes', [
    (lambda L, a, b: L.bmm(a, b), [(0, 2, 3), (0, 3, 4)]),
    (lambda L, a, b: L.einsum('ij,jk', a, b), [(2, 0), (0, 3)]),
    (lambda L, a: L.tril(a), [(0, 3)]),
    (lambda L, a: L.diagonal(a), [(0, 3)]),
    (lambda L, a, b: L.cdist(a, b), [(0, 3), (2, 3)]),
    (lambda L, a, b: L.kron(a, b), [(0, 2), (2, 2)]),
])
def test_empty_inputs(torch, fn, shapes):
    mine = fn(mg, *[mg.ones(*s) for s in shapes])
    theirs = fn(torch, *[torch.ones(*s) for s in shapes])
    assert tuple(mine.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


NAMES = ['bmm', 'baddbmm', 'addbmm', 'vdot', 'tensordot', 'addmm', 'addmv', 'addr', 'mv', 'outer', 'ger', 'inner', 'einsum', 'kron',
         'cross', 'diag', 'diagonal', 'diag_embed', 'trace', 'tril', 'triu', 'cdist', 'dist']


@pytest.mark.parametrize('name', NAMES)
def test_every_name_exists_in_every_form_pytorch_has(torch, name):
    assert hasattr(mg, name)
    assert hasattr(mg.Tensor, name) == hasattr(torch.Tensor, name)
    assert hasattr(mg.Tensor, name + '_') == hasattr(torch.Tensor, name + '_')


def test_cross_without_dim_warns_and_takes_the_first_dim_of_size_3(torch):
    a, b = arr(3, 3), arr(3, 3)
    with pytest.warns(UserWarning):
        mine = mg.cross(mg.tensor(a), mg.tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        theirs = torch.cross(torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize('p, mode', [(2, 'donot_use_mm_for_euclid_dist'), (2, 'use_mm_for_euclid_dist'),
                                     (1, None), (3, None), (float('inf'), None)])
def test_cdist_gradient_at_distance_zero_follows_pytorch(torch, p, mode):
    points = np.array([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]])
    kwargs = {'p': p, **({'compute_mode': mode} if mode else {})}
    assert_agree(both_libraries(torch, lambda a, b: mg.cdist(a, b, **kwargs),
                                lambda a, b: torch.cdist(a, b, **kwargs), [points, points[:2]]),
                 rtol=1e-6, atol=1e-12)
