"""F.one_hot and F.embedding (minigrad/nn/functional_sparse.py) against PyTorch."""
import numpy as np
import pytest

import minigrad as mg
from helpers import raised_by_both
import minigrad.nn.functional as F

W = np.random.default_rng(4).standard_normal((5, 3))
INDEX = np.array([[0, 2], [4, 2], [2, 1]])


@pytest.mark.parametrize('values, num_classes', [([1, 0, 3], -1), ([[1, 0], [2, 2]], 4), (2, 3),
                                                 (np.zeros((0, 2), dtype=np.int64), 3)])
def test_one_hot_matches_torch(torch, values, num_classes):
    got = F.one_hot(mg.tensor(np.asarray(values, dtype=np.int64)), num_classes)
    expected = torch.nn.functional.one_hot(torch.tensor(np.asarray(values, dtype=np.int64)), num_classes)
    assert got.dtype == mg.int64 and got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize('values, num_classes, match', [
    (np.array([1, 2], dtype=np.int32), -1, 'LongTensor'), ([1, -2], -1, 'non-negative'),
    ([1, 5], 3, 'smaller than num_classes'), (np.zeros(0, dtype=np.int64), -1, 'empty')])
def test_one_hot_errors_as_torch(torch, values, num_classes, match):
    dtype = getattr(values, 'dtype', np.int64)
    with pytest.raises(RuntimeError, match=match):
        F.one_hot(mg.tensor(np.asarray(values, dtype=dtype)), num_classes)
    with pytest.raises(RuntimeError, match=match):
        torch.nn.functional.one_hot(torch.tensor(np.asarray(values, dtype=dtype)), num_classes)


OPTIONS = [{}, {'padding_idx': 2}, {'padding_idx': -1}, {'scale_grad_by_freq': True},
           {'padding_idx': 1, 'scale_grad_by_freq': True}]


@pytest.mark.parametrize('options', OPTIONS, ids=str)
def test_embedding_values_and_gradients_match_torch(torch, options):
    w_mg = mg.tensor(W, requires_grad=True)
    w_torch = torch.tensor(W, requires_grad=True)
    out_mg = F.embedding(mg.tensor(INDEX), w_mg, **options)
    out_torch = torch.nn.functional.embedding(torch.tensor(INDEX), w_torch, **options)
    np.testing.assert_allclose(out_mg.detach().numpy(), out_torch.detach().numpy(), rtol=1e-12)
    direction = np.random.default_rng(0).standard_normal(out_mg.shape)
    out_mg.backward(direction)
    out_torch.backward(torch.tensor(direction))
    np.testing.assert_allclose(w_mg.grad.numpy(), w_torch.grad.numpy(), rtol=1e-12)


# (scale_grad_by_freq's gradient is by design not the value's derivative: no finite-difference check)
@pytest.mark.parametrize('options', [{}, {'padding_idx': 2}, {'padding_idx': -1}], ids=str)
def test_embedding_second_derivative(options):
    w = mg.tensor(W, requires_grad=True)
    assert mg.gradgradcheck(lambda t: F.embedding(mg.tensor(INDEX), t, **options) ** 2, w)


@pytest.mark.parametrize('norm_type', [2.0, 1.0])
def test_embedding_max_norm_renormalises_the_rows_used_in_place(torch, norm_type):
    w_mg, w_torch = mg.tensor(W * 3), torch.tensor(W * 3)
    out_mg = F.embedding(mg.tensor(INDEX), w_mg, max_norm=1.5, norm_type=norm_type)
    out_torch = torch.nn.functional.embedding(torch.tensor(INDEX), w_torch, max_norm=1.5, norm_type=norm_type)
    np.testing.assert_allclose(out_mg.numpy(), out_torch.numpy(), rtol=1e-6)
    np.testing.assert_allclose(w_mg.numpy(), w_torch.numpy(), rtol=1e-6)     # row 3 untouched


def test_embedding_dtypes_and_errors(torch):
    assert F.embedding(mg.tensor(INDEX), mg.tensor(W.astype(np.float32))).dtype == mg.float32
    assert F.embedding(mg.tensor(np.int64(3)), mg.tensor(W)).shape == (3,)
    with pytest.raises(RuntimeError, match="'indices'"):
        F.embedding(mg.tensor([0.0, 1.0]), mg.tensor(W))
    for lib, error in [(mg, IndexError), (torch, IndexError)]:
        with pytest.raises(error):
            getattr(lib, 'nn').functional.embedding(lib.tensor([7]), lib.tensor(W))
    for lib in [mg, torch]:
        with pytest.raises(AssertionError, match='Padding_idx must be within num_embeddings'):
            lib.nn.functional.embedding(lib.tensor([1]), lib.tensor(W), padding_idx=9)


BAGS = [dict(input=[[1, 2, 4], [5, 4, 0]]),
        dict(input=[1, 2, 4, 5, 4, 3, 2, 0], offsets=[0, 3, 3, 6]),
        dict(input=[1, 2, 4, 5, 4, 3, 2, 0], offsets=[0, 3, 3, 8], include_last_offset=True)]


@pytest.mark.parametrize('bags', BAGS, ids=['2-D', 'offsets', 'include_last_offset'])
@pytest.mark.parametrize('mode, padding_idx, weighted', [
    ('sum', None, False), ('sum', 2, True), ('mean', None, False), ('mean', 2, False),
    ('max', None, False), ('max', 4, False)])
def test_embedding_bag_values_and_gradients_match_torch(torch, bags, mode, padding_idx, weighted):
    rng = np.random.default_rng(0)
    table, sample_weights = rng.standard_normal((6, 3)), rng.standard_normal(np.shape(bags['input']))
    results, direction = [], None
    for lib in (mg, torch):
        weight = lib.tensor(table, requires_grad=True)
        per_sample = lib.tensor(sample_weights, requires_grad=True) if weighted else None
        offsets = lib.tensor(bags['offsets']) if 'offsets' in bags else None
        out = lib.nn.functional.embedding_bag(
            lib.tensor(bags['input']), weight, offsets, mode=mode, padding_idx=padding_idx,
            per_sample_weights=per_sample, include_last_offset=bags.get('include_last_offset', False))
        direction = rng.standard_normal(tuple(out.shape)) if direction is None else direction
        out.backward(lib.tensor(direction))
        grads = [weight.grad.numpy()] + ([per_sample.grad.numpy()] if weighted else [])
        results.append([out.detach().numpy()] + grads)
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('call', [
    lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.ones(4, 2), L.tensor([1])),
    lambda L: L.nn.functional.embedding_bag(L.tensor([[1, 2]]), L.ones(4, 2), L.tensor([0])),
    lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.ones(4, 2), L.tensor([0]), mode='mean',
                                            per_sample_weights=L.ones(2)),
    lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.ones(4, 2), L.tensor([0]), mode='min'),
])
def test_embedding_bag_errors_as_torch(torch, call):
    raised_by_both(torch, call)
