"""nn.Embedding (minigrad/nn/sparse.py) against PyTorch: repr, initialisation (N(0, 1), the
padding row zeroed), outputs and weight gradients with the weights copied over (padding_idx,
scale_grad_by_freq, max_norm's in-place renormalisation), from_pretrained, state_dict both ways."""
import numpy as np
import pytest

import minigrad as mg

CONFIGS = [
    dict(),
    dict(padding_idx=0),
    dict(padding_idx=-2),
    dict(scale_grad_by_freq=True, padding_idx=3),
    dict(max_norm=1.0),
    dict(max_norm=0.5, norm_type=1.0),
]


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('options', CONFIGS, ids=str)
def test_outputs_gradients_and_renormalised_rows_match_pytorch(torch, options, dtype):
    ours = mg.nn.Embedding(7, 4, dtype=getattr(mg, dtype), **options)
    theirs = torch.nn.Embedding(7, 4, dtype=getattr(torch, dtype), **options)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: mg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    index = [[0, 3, 3, 5], [5, 6, 0, 3]]
    direction = np.random.default_rng(0).standard_normal((2, 4, 4)).astype(dtype)
    results = []
    for lib, layer in ((mg, ours), (torch, theirs)):
        out = layer(lib.tensor(index))
        out.backward(lib.tensor(direction))
        results.append((out.detach().numpy(), layer.weight.grad.numpy(), layer.weight.detach().numpy()))
    rtol = 1e-6 if dtype == 'float32' else 1e-12
    for got, expected in zip(*results):
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol)
    padding = ours.padding_idx
    if padding is not None:
        assert not ours.weight.grad.numpy()[padding].any()


def test_initialisation_is_standard_normal_with_the_padding_row_zeroed(torch):
    mg.manual_seed(0)
    layer = mg.nn.Embedding(1000, 50, padding_idx=7)
    weight = layer.weight.detach().numpy()
    assert weight.dtype == np.float32 and weight.shape == (1000, 50)
    assert not weight[7].any()
    rest = np.delete(weight, 7, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01
    assert list(layer.state_dict()) == list(torch.nn.Embedding(1000, 50).state_dict()) == ['weight']
    theirs = torch.nn.Embedding(1000, 50, padding_idx=7)
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in layer.state_dict().items()})
    np.testing.assert_array_equal(theirs.weight.detach().numpy(), weight)


def test_from_pretrained_shares_the_table_and_freezes_it(torch):
    table = np.arange(12.0).reshape(4, 3)
    for lib in (mg, torch):
        embeddings = lib.tensor(table)
        frozen = lib.nn.Embedding.from_pretrained(embeddings, padding_idx=1)
        assert not frozen.weight.requires_grad and frozen.padding_idx == 1
        np.testing.assert_array_equal(frozen(lib.tensor([1, 2])).numpy(), table[[1, 2]])  # row 1 kept
        with lib.no_grad():
            embeddings[0, 0] = 100.0
        assert frozen.weight[0, 0].item() == 100.0            # shared, not copied
        trained = lib.nn.Embedding.from_pretrained(lib.tensor(table), freeze=False, max_norm=2.0)
        assert trained.weight.requires_grad
        assert repr(trained) == 'Embedding(4, 3, max_norm=2.0)'


def test_errors_as_pytorch(torch):
    for lib in (torch, mg):
        with pytest.raises(AssertionError, match='Padding_idx must be within num_embeddings'):
            lib.nn.Embedding(5, 2, padding_idx=5)
        with pytest.raises(AssertionError, match='Padding_idx must be within num_embeddings'):
            lib.nn.Embedding(5, 2, padding_idx=-6)
        with pytest.raises(AssertionError, match='Embeddings parameter is expected to be 2-dimensional'):
            lib.nn.Embedding.from_pretrained(lib.ones(5))
        with pytest.raises(AssertionError, match='Shape of weight does not match'):
            lib.nn.Embedding(5, 2, _weight=lib.ones(5, 3))
        with pytest.raises(IndexError):
            lib.nn.Embedding(5, 2)(lib.tensor([5]))


def test_embedding_bag_layer_as_pytorch(torch):
    options = dict(mode='sum', padding_idx=1, max_norm=2.0)
    ours, theirs = mg.nn.EmbeddingBag(6, 3, **options), torch.nn.EmbeddingBag(6, 3, **options)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    assert not ours.weight.detach().numpy()[1].any()
    ours.load_state_dict({k: mg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    results = []
    for lib, layer in ((mg, ours), (torch, theirs)):
        out = layer(lib.tensor([0, 1, 3, 3, 5]), lib.tensor([0, 2]))
        (out ** 2).sum().backward()
        results.append((out.detach().numpy(), layer.weight.grad.numpy(), layer.weight.detach().numpy()))
    for got, expected in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    pretrained = mg.nn.EmbeddingBag.from_pretrained(mg.ones(4, 2), mode='max')
    assert not pretrained.weight.requires_grad and repr(pretrained) == "EmbeddingBag(4, 2, mode='max')"
