"""minigrad/scans.py against PyTorch: scans (cumsum, cumprod, logcumsumexp, diff, cummax,
cummin), sorting and selection (sort, argsort, msort, topk, kthvalue, median, nanmedian, mode),
quantiles, nan-reductions, and searching and counting (searchsorted, bucketize, histc,
histogram). Values and gradients in float64, second derivatives by gradgradcheck, indices on
inputs without ties, ties as PyTorch documents them, dtypes, 0-d and empty inputs, errors."""
import numpy as np
import pytest

import minigrad as mg
from helpers import assert_agree, both_libraries, leaf

rng = np.random.default_rng(0)
M = rng.standard_normal((3, 5))                 # no ties (almost surely)
R = rng.standard_normal((2, 3, 4))
V = rng.standard_normal(7)
NAN = np.array([[1.5, np.nan, -0.3, 2.0], [0.4, -1.2, 0.9, 3.1], [np.nan, np.nan, np.nan, np.nan]])
TIES = np.array([[2.0, 1.0, 2.0, 1.0, 3.0], [0.5, 0.5, 0.5, -1.0, -1.0]])

NAMES = ('cumsum cumprod diff sort argsort msort topk kthvalue median nanmedian quantile '
         'nanquantile mode cummax cummin logcumsumexp nansum nanmean searchsorted histogram '
         'histc bucketize').split()


def test_every_name_exists_in_every_form_torch_has(torch):
    for name in NAMES:
        assert hasattr(mg, name) == hasattr(torch, name), name
        assert hasattr(mg.Tensor, name) == hasattr(torch.Tensor, name), name
        assert hasattr(mg.Tensor, name + '_') == hasattr(torch.Tensor, name + '_'), name


# id: (function of (library, *tensors) -> one tensor, arrays)   (the same code runs on both)
DIFFERENTIABLE = {
    'cumsum': (lambda lib, x: lib.cumsum(x, 1), [M]),
    'cumsum_neg_dim': (lambda lib, x: x.cumsum(-1), [R]),
    'cumsum_0d': (lambda lib, x: lib.cumsum(x, 0), [np.array(1.5)]),
    'cumprod': (lambda lib, x: lib.cumprod(x, 0), [M]),
    'cumprod_method': (lambda lib, x: x.cumprod(dim=2), [R]),
    'logcumsumexp': (lambda lib, x: lib.logcumsumexp(x, 1), [M]),
    'logcumsumexp_3d': (lambda lib, x: x.logcumsumexp(0), [R]),
    'diff': (lambda lib, x: lib.diff(x), [M]),
    'diff_n2_dim0': (lambda lib, x: lib.diff(x, n=2, dim=0), [R]),
    'diff_prepend_append': (lambda lib, x, p, a: lib.diff(x, dim=1, prepend=p, append=a),
                            [M, M[:, :2], M[:, :1]]),
    'cummax': (lambda lib, x: lib.cummax(x, 1).values, [M]),
    'cummin': (lambda lib, x: x.cummin(-1).values, [R]),
    'sort': (lambda lib, x: lib.sort(x).values, [M]),
    'sort_descending_dim0': (lambda lib, x: x.sort(0, descending=True).values, [R]),
    'msort': (lambda lib, x: lib.msort(x), [M]),
    'topk': (lambda lib, x: lib.topk(x, 3).values, [M]),
    'topk_smallest_dim0': (lambda lib, x: x.topk(2, dim=0, largest=False).values, [R]),
    'kthvalue': (lambda lib, x: lib.kthvalue(x, 2).values, [M]),
    'kthvalue_keepdim': (lambda lib, x: x.kthvalue(3, 1, keepdim=True).values, [R]),
    'median_all': (lambda lib, x: lib.median(x), [M]),
    'median_even': (lambda lib, x: lib.median(x), [R]),
    'median_dim': (lambda lib, x: lib.median(x, 1).values, [M]),
    'median_keepdim': (lambda lib, x: x.median(-1, keepdim=True).values, [R]),
    'nanmedian': (lambda lib, x: lib.nanmedian(x, 1).values, [NAN[:2]]),
    'mode': (lambda lib, x: lib.mode(x).values, [M]),
    'quantile': (lambda lib, x: lib.quantile(x, 0.3), [M]),
    'quantile_dim': (lambda lib, x: lib.quantile(x, 0.7, dim=1), [M]),
    'quantile_keepdim': (lambda lib, x: x.quantile(0.4, dim=-1, keepdim=True), [R]),
    'quantile_all_keepdim': (lambda lib, x: x.quantile(0.4, keepdim=True), [R]),
    'quantile_qs': (lambda lib, x: lib.quantile(x, lib.tensor([0.0, 0.25, 0.9, 1.0], dtype=lib.float64), 1), [M]),
    'nanquantile': (lambda lib, x: lib.nanquantile(x, 0.6, dim=1), [NAN[:2]]),
    'nansum': (lambda lib, x: lib.nansum(x), [NAN]),
    'nansum_dim': (lambda lib, x: x.nansum(1, keepdim=True), [NAN]),
    'nanmean': (lambda lib, x: lib.nanmean(x, 1), [NAN[:2]]),
    'nanmean_all': (lambda lib, x: x.nanmean(), [NAN]),
    'nansum_tuple_dim': (lambda lib, x: lib.nansum(x, (0, -1)), [R]),
    'nanmean_tuple_dim_keepdim': (lambda lib, x: lib.nanmean(x, (2, 0), keepdim=True), [R]),
    'sort_middle_dim': (lambda lib, x: lib.sort(x, 1, descending=True).values, [R]),
}
for _how in ('lower', 'higher', 'midpoint', 'nearest'):
    DIFFERENTIABLE['quantile_' + _how] = (
        lambda lib, x, how=_how: lib.quantile(x, lib.tensor([0.1, 0.5, 0.875], dtype=lib.float64),
                                              dim=1, interpolation=how), [M])


@pytest.mark.parametrize('case', DIFFERENTIABLE)
def test_values_and_gradients_agree_with_torch(torch, case):
    fn, arrays = DIFFERENTIABLE[case]
    pairs = both_libraries(torch, lambda *xs: fn(mg, *xs), lambda *xs: fn(torch, *xs), arrays)
    (mine, theirs), _ = pairs
    assert mine.shape == theirs.shape
    assert_agree(pairs, rtol=1e-6, atol=1e-12)


NO_NAN = [case for case, (_, arrays) in DIFFERENTIABLE.items()
          if not any(np.isnan(a).any() for a in arrays)]


@pytest.mark.parametrize('case', NO_NAN)
def test_second_derivatives_pass_gradgradcheck(case):
    fn, arrays = DIFFERENTIABLE[case]
    assert mg.gradgradcheck(lambda *xs: fn(mg, *xs), [leaf(a) for a in arrays])


# ------------------------------------------------------------------ indices

INDEXED = {
    'sort': lambda lib, x: lib.sort(x, 1),
    'sort_descending': lambda lib, x: x.sort(dim=0, descending=True),
    'topk': lambda lib, x: lib.topk(x, 2, dim=0),
    'kthvalue': lambda lib, x: lib.kthvalue(x, 4),
    'median': lambda lib, x: lib.median(x, 0, keepdim=True),
    'nanmedian': lambda lib, x: x.nanmedian(1),
    'mode': lambda lib, x: lib.mode(x, 0),
    'cummax': lambda lib, x: lib.cummax(x, 1),
    'cummin': lambda lib, x: x.cummin(0),
}


@pytest.mark.parametrize('case', INDEXED)
def test_named_tuples_and_indices_agree_on_inputs_without_ties(torch, case):
    mine, theirs = INDEXED[case](mg, mg.tensor(M)), INDEXED[case](torch, torch.tensor(M))
    assert type(mine).__name__ == type(theirs).__name__ and mine._fields == ('values', 'indices')
    np.testing.assert_allclose(mine.values.numpy(), theirs.values.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(mine.indices.numpy(), theirs.indices.numpy())
    assert mine.indices.dtype == np.int64


def test_argsort_is_sorts_indices(torch):
    for kwargs in ({}, {'dim': 0}, {'descending': True}, {'dim': -1, 'descending': True}):
        np.testing.assert_array_equal(mg.argsort(mg.tensor(M), **kwargs).numpy(),
                                      torch.argsort(torch.tensor(M), **kwargs).numpy())


@pytest.mark.parametrize('descending', [False, True])
def test_stable_sort_keeps_the_order_of_ties_as_torch(torch, descending):
    mine = mg.sort(mg.tensor(TIES), descending=descending, stable=True)
    theirs = torch.sort(torch.tensor(TIES), descending=descending, stable=True)
    np.testing.assert_array_equal(mine.values.numpy(), theirs.values.numpy())
    np.testing.assert_array_equal(mine.indices.numpy(), theirs.indices.numpy())


@pytest.mark.parametrize('pick', [
    lambda lib, x: lib.median(x, 1), lambda lib, x: lib.kthvalue(x, 2, 1),
    lambda lib, x: lib.mode(x, 1), lambda lib, x: lib.topk(x, 2),
    lambda lib, x: lib.cummax(x, 1), lambda lib, x: lib.cummin(x, 1)])
def test_on_ties_values_agree_and_indices_point_at_equal_elements(torch, pick):
    mine, theirs = pick(mg, mg.tensor(TIES)), pick(torch, torch.tensor(TIES))
    np.testing.assert_array_equal(mine.values.numpy(), theirs.values.numpy())
    picked = np.take_along_axis(TIES, mine.indices.numpy().reshape(TIES.shape[0], -1), axis=1)
    np.testing.assert_array_equal(picked.reshape(mine.values.shape), mine.values.numpy())


def test_mode_index_is_the_last_occurrence():
    out = mg.mode(mg.tensor([1, 3, 3, 2, 1, 5, 1, 3]))
    assert (out.values.item(), out.indices.item()) == (1, 6)     # PyTorch's answer


def test_selected_gradient_goes_to_the_picked_element_only(torch):
    for pick in (lambda lib, x: lib.median(x, 1).values, lambda lib, x: lib.mode(x, 1).values,
                 lambda lib, x: lib.kthvalue(x, 2, 1).values):
        x = leaf(TIES)
        out = pick(mg, x)
        out.sum().backward()
        assert (x.grad.numpy() != 0).sum(axis=1).tolist() == [1, 1]
        assert np.isclose(x.grad.numpy().sum(), out.numel())


# ------------------------------------------------------------------ scans' special points

@pytest.mark.parametrize('values', [[2.0, 0.0, 3.0, -1.5], [0.0, 1.5, 2.0, 3.0],
                                    [1.5, 0.0, -2.0, 0.0, 3.0], [0.0, 0.0, 2.0], [2.0, 3.0, 0.0]],
                         ids=['one_zero', 'zero_first', 'two_zeros', 'zeros_first', 'zero_last'])
def test_cumprod_gradient_at_zeros_is_torchs(torch, values):
    pairs = both_libraries(torch, lambda x: x.cumprod(0), lambda x: x.cumprod(0), [values])
    assert_agree(pairs, rtol=1e-12)
    rows = np.array([values, np.roll(values, 1)])
    pairs = both_libraries(torch, lambda x: x.cumprod(1), lambda x: x.cumprod(1), [rows])
    assert_agree(pairs, rtol=1e-12)
    assert mg.gradgradcheck(lambda x: x.cumprod(1), [leaf(rows)])


def test_logcumsumexp_is_stable_for_large_and_spread_inputs(torch):
    for values in ([1000.0, 1001.0, 999.0], [-1000.0, 0.0, 5.0], [-800.0, 800.0, -800.0]):
        pairs = both_libraries(torch, lambda x: x.logcumsumexp(0), lambda x: x.logcumsumexp(0),
                               [values])
        assert np.isfinite(pairs[1][0][0]).all()
        assert_agree(pairs, rtol=1e-9)


def test_logcumsumexp_gradient_at_minus_infinity_is_zero_not_torchs_nan():
    x = leaf([-np.inf, 0.0, 1.0])
    x.logcumsumexp(0).backward(mg.tensor([1.0, -2.0, 0.5], dtype=mg.float64))
    assert x.grad.numpy()[0] == 0 and np.isfinite(x.grad.numpy()).all()   # PyTorch: nan, 0 * inf


def test_cummax_follows_a_nan_as_torch(torch):
    x = [1.0, np.nan, 2.0, np.nan, 5.0]
    for name in ('cummax', 'cummin'):
        mine, theirs = getattr(mg, name)(mg.tensor(x), 0), getattr(torch, name)(torch.tensor(x), 0)
        np.testing.assert_array_equal(mine.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(mine.indices.numpy(), theirs.indices.numpy())


@pytest.mark.parametrize('fn', [
    lambda lib, x: lib.median(x), lambda lib, x: lib.nanmedian(x),
    lambda lib, x: lib.median(x, 1).values, lambda lib, x: lib.median(x, 1).indices,
    lambda lib, x: lib.nanmedian(x[:2], 1).indices, lambda lib, x: lib.nanmedian(x, 1).values,
    lambda lib, x: lib.quantile(x, 0.5, 1),
    lambda lib, x: lib.nanquantile(x, 0.2), lambda lib, x: lib.nansum(x, 0),
    lambda lib, x: lib.nanmean(x, 0), lambda lib, x: lib.sort(x, 1).indices,
    lambda lib, x: lib.sort(x, 1, descending=True).indices])
def test_nans_as_torch(torch, fn):
    with np.errstate(invalid='ignore'):
        mine = fn(mg, mg.tensor(NAN)).numpy()
    np.testing.assert_allclose(mine, fn(torch, torch.tensor(NAN)).numpy(), rtol=1e-12)


def test_nan_reductions_give_nan_entries_gradient_zero():
    x = leaf(NAN[:2])
    (mg.nansum(x) + mg.nanmean(x, 1).sum()).backward()
    assert (x.grad.numpy()[np.isnan(NAN[:2])] == 0).all()
    assert np.isfinite(x.grad.numpy()).all()


# ------------------------------------------------------------------ forms, dtypes, shapes

def test_in_place_forms_write_into_the_tensor(torch):
    for name, args in (('cumsum_', (1,)), ('cumprod_', (0,))):
        mine, theirs = mg.tensor(M.copy()), torch.tensor(M.copy())
        assert getattr(mine, name)(*args) is mine
        getattr(theirs, name)(*args)
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12)
    x = leaf(M)
    y = x * 2
    y.cumsum_(1)
    y.sum().backward()
    expected = torch.tensor(M, requires_grad=True)
    (expected * 2).cumsum(1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected.grad.numpy())


@pytest.mark.parametrize('array', [np.array([[3, 1, 2], [0, 5, 4]], np.int32),
                                   np.array([[True, False, True], [False, False, True]]),
                                   np.array([[1.5, -2.0, 0.25], [3.0, 0.5, -1.0]], np.float32)],
                         ids=['int32', 'bool', 'float32'])
@pytest.mark.parametrize('fn', [
    lambda lib, x: lib.cumsum(x, 1), lambda lib, x: lib.cumprod(x, 0),
    lambda lib, x: lib.cumsum(x, 1, dtype=lib.float64), lambda lib, x: lib.diff(x),
    lambda lib, x: lib.sort(x).values, lambda lib, x: lib.topk(x, 2).values,
    lambda lib, x: lib.cummax(x, 1).values, lambda lib, x: lib.msort(x),
    lambda lib, x: lib.kthvalue(x, 2).values, lambda lib, x: lib.median(x, 1).values,
    lambda lib, x: lib.nanmedian(x), lambda lib, x: lib.nansum(x), lambda lib, x: lib.mode(x, 0).values],
    ids=['cumsum', 'cumprod', 'cumsum_dtype', 'diff', 'sort', 'topk', 'cummax', 'msort',
         'kthvalue', 'median', 'nanmedian', 'nansum', 'mode'])
def test_dtypes_as_torch(torch, fn, array):
    try:
        theirs = fn(torch, torch.tensor(array))
    except Exception as error:      # no bool version in PyTorch: the same error type here
        with pytest.raises(type(error)):
            fn(mg, mg.tensor(array))
        return
    mine = fn(mg, mg.tensor(array))
    assert str(mine.dtype) == str(theirs.dtype).replace('torch.', '')
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_float32_stays_float32():
    x = mg.tensor(M.astype(np.float32))
    for out in (x.logcumsumexp(1), x.quantile(0.3), x.nanmean(), x.median(), mg.histc(x, 3),
                x.histogram(4).bin_edges):
        assert out.dtype == np.float32


@pytest.mark.parametrize('fn', [
    lambda lib, x: lib.cumsum(x, 0), lambda lib, x: lib.cumprod(x, -1),
    lambda lib, x: lib.logcumsumexp(x, 0), lambda lib, x: lib.sort(x).values,
    lambda lib, x: lib.sort(x, 0).indices, lambda lib, x: lib.topk(x, 1).values,
    lambda lib, x: lib.kthvalue(x, 1).values, lambda lib, x: lib.median(x),
    lambda lib, x: lib.median(x, 0).indices, lambda lib, x: lib.mode(x).values,
    lambda lib, x: lib.cummax(x, 0).indices, lambda lib, x: lib.quantile(x, 0.5),
    lambda lib, x: lib.nansum(x), lambda lib, x: lib.argsort(x)])
def test_zero_dim_inputs_as_torch(torch, fn):
    mine, theirs = fn(mg, mg.tensor(2.5, dtype=mg.float64)), fn(torch, torch.tensor(2.5, dtype=torch.float64))
    assert tuple(mine.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy())


@pytest.mark.parametrize('fn', [
    lambda lib, x: lib.cumsum(x, 1), lambda lib, x: lib.cumprod(x, 0),
    lambda lib, x: lib.logcumsumexp(x, 1), lambda lib, x: lib.sort(x, 1).values,
    lambda lib, x: lib.cummax(x, 1).indices, lambda lib, x: lib.diff(x, dim=0),
    lambda lib, x: lib.median(x), lambda lib, x: lib.nansum(x, 1), lambda lib, x: lib.topk(x, 0).values,
    lambda lib, x: lib.histc(x, 3)])
def test_empty_inputs_as_torch(torch, fn):
    mine, theirs = fn(mg, mg.zeros(2, 0, dtype=mg.float64)), fn(torch, torch.zeros(2, 0, dtype=torch.float64))
    assert tuple(mine.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy())


# ------------------------------------------------------------------ searching and counting

SORTED = np.array([-1.0, 0.0, 0.5, 0.5, 2.0])
ROWS = np.array([[-1.0, 0.0, 1.0], [2.0, 3.0, 3.0]])
QUERIES = np.array([[-2.0, 0.0, 0.7], [3.0, 2.5, 9.0]])


@pytest.mark.parametrize('fn', [
    lambda lib: lib.searchsorted(lib.tensor(SORTED), lib.tensor(QUERIES.ravel())),
    lambda lib: lib.searchsorted(lib.tensor(SORTED), lib.tensor([0.5, 2.0]), right=True),
    lambda lib: lib.searchsorted(lib.tensor(SORTED), lib.tensor([0.5, 2.0]), side='right'),
    lambda lib: lib.searchsorted(lib.tensor(SORTED), 0.5),
    lambda lib: lib.searchsorted(lib.tensor(ROWS), lib.tensor(QUERIES)),
    lambda lib: lib.searchsorted(lib.tensor(ROWS), lib.tensor(QUERIES), right=True, out_int32=True),
    lambda lib: lib.searchsorted(lib.tensor([3.0, 1.0, 2.0]), lib.tensor([2.0, 0.0]),
                                 sorter=lib.tensor([1, 2, 0])),
    lambda lib: lib.bucketize(lib.tensor(QUERIES), lib.tensor(SORTED)),
    lambda lib: lib.bucketize(lib.tensor([0.5, -1.0, 2.0]), lib.tensor(SORTED), right=True),
    lambda lib: lib.histc(lib.tensor(M), bins=4),
    lambda lib: lib.histc(lib.tensor(M), bins=5, min=-1, max=1),
    lambda lib: lib.tensor([2.0, 2.0]).histc(3),
    lambda lib: lib.tensor([0.0, 1.0, 1.0, 3.0]).histc(3, 0, 3),
    lambda lib: lib.histogram(lib.tensor(M), 4).hist,
    lambda lib: lib.histogram(lib.tensor(M), 4).bin_edges,
    lambda lib: lib.histogram(lib.tensor(M), 3, range=(-1.0, 1.0), density=True).hist,
    lambda lib: lib.tensor(M).histogram(lib.tensor([-2.0, 0.0, 0.5, 3.0], dtype=lib.float64)).hist,
    lambda lib: lib.histogram(lib.tensor(V), 3, weight=lib.tensor(np.abs(V))).hist])
def test_searching_and_counting_as_torch(torch, fn):
    mine, theirs = fn(mg), fn(torch)
    assert str(mine.dtype) == str(theirs.dtype).replace('torch.', '')
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('bins', [2, 6, 9, 10])
def test_histograms_of_values_on_bin_edges_as_torch(torch, dtype, bins):
    """Whole numbers land on edges: the edges' last bit and histc's formula decide the bin."""
    data = np.round(np.random.default_rng(bins).standard_normal(60) * 10).astype(dtype)
    for fn in (lambda lib, x: lib.histc(x, bins), lambda lib, x: lib.histc(x, bins, -18.3, 16.3),
               lambda lib, x: lib.histogram(x, bins).hist, lambda lib, x: lib.histogram(x, bins).bin_edges,
               lambda lib, x: lib.histogram(x, bins, range=(-12.9, 11.0)).hist):
        np.testing.assert_array_equal(fn(mg, mg.tensor(data)).numpy(), fn(torch, torch.tensor(data)).numpy())


def test_histogram_of_nothing_or_of_one_value_as_torch(torch):
    for values, kwargs in (([], {}), ([2.0, 2.0], {}), ([1.0, 5.0], {'range': (3.0, 3.0)})):
        mine, theirs = mg.histogram(mg.tensor(values), 3, **kwargs), torch.histogram(torch.tensor(values), 3, **kwargs)
        np.testing.assert_allclose(mine.hist.numpy(), theirs.hist.numpy())
        np.testing.assert_allclose(mine.bin_edges.numpy(), theirs.bin_edges.numpy())


# ------------------------------------------------------------------ errors

ERRORS = [
    lambda lib: lib.quantile(lib.tensor([1, 2]), 0.5),
    lambda lib: lib.quantile(lib.tensor([1.0, 2.0]), 1.5),
    lambda lib: lib.quantile(lib.tensor([1.0, 2.0]), 0.5, interpolation='cubic'),
    lambda lib: lib.quantile(lib.tensor([]), 0.5),
    lambda lib: lib.quantile(lib.tensor([1.0, 2.0]), lib.tensor([[0.5]])),
    lambda lib: lib.topk(lib.tensor([1.0, 2.0]), 3),
    lambda lib: lib.kthvalue(lib.tensor([1.0, 2.0]), 3),
    lambda lib: lib.kthvalue(lib.tensor([1.0, 2.0]), 0),
    lambda lib: lib.median(lib.tensor([]), 0),
    lambda lib: lib.mode(lib.tensor([])),
    lambda lib: lib.sort(lib.tensor([1.0]), 1),
    lambda lib: lib.cumsum(lib.tensor([1.0]), 2),
    lambda lib: lib.diff(lib.tensor(1.0)),
    lambda lib: lib.diff(lib.tensor([1.0, 2.0]), n=-1),
    lambda lib: lib.searchsorted(lib.tensor([[1.0, 2.0]]), lib.tensor([1.0])),
    lambda lib: lib.searchsorted(lib.tensor([1.0, 2.0]), lib.tensor([1.0]), side='left', right=True),
    lambda lib: lib.bucketize(lib.tensor([1.0]), lib.tensor([[1.0, 2.0]])),
    lambda lib: lib.histc(lib.tensor([1.0]), bins=0),
    lambda lib: lib.histc(lib.tensor([1, 2])),
    lambda lib: lib.nanmean(lib.tensor([1, 2])),
    lambda lib: lib.logcumsumexp(lib.tensor([1, 2]), 0),
]


@pytest.mark.parametrize('index', range(len(ERRORS)))
def test_errors_have_torchs_type(torch, index):
    with pytest.raises(Exception) as theirs:
        ERRORS[index](torch)
    with pytest.raises(theirs.type):
        ERRORS[index](mg)
