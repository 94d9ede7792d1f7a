"""minigrad/random.py: an `mg.Generator` seeded like a `torch.Generator` gives PyTorch's own samples
for rand, randint, randn, normal, randperm, multinomial and exponential_ (bit for bit, checked against torch
over seeds, shapes, dtypes and sequences of draws), while every other user of the generator
(nn.init, dropout, data loading) keeps drawing from its NumPy Generator."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.random import TorchStream, numpy_generator

SEEDS = [0, 1, 42, 2147483647, 2 ** 40 + 3]
DTYPES = ['float32', 'float64']


def pair(seed=None):
    import torch
    if seed is None:
        return torch.Generator(), mg.Generator()
    return torch.Generator().manual_seed(seed), mg.Generator().manual_seed(seed)


def same(ours, theirs):
    theirs = theirs.numpy()
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.numpy(), theirs)


def test_the_stream_is_mt19937_seeded_as_legacy_numpy():
    for seed in (0, 5, 2 ** 32 - 1):
        np.testing.assert_array_equal(TorchStream(seed).raw(1000),
                                      np.random.RandomState(seed)._bit_generator.random_raw(1000))


@pytest.mark.parametrize('seed', SEEDS)
@pytest.mark.parametrize('dtype', DTYPES)
def test_rand_is_torchs(torch, seed, dtype):
    tg, g = pair(seed)
    for shape in [(1,), (5,), (3, 7), (1000,), (2, 0)]:
        same(mg.rand(shape, generator=g, dtype=dtype), torch.rand(shape, generator=tg, dtype=getattr(torch, dtype)))


def test_rand_float16_is_torchs(torch):
    """24 random bits rounded to float16; a draw rounded up to 1 becomes 0, as in PyTorch."""
    tg, g = pair(3)
    same(mg.rand(100_000, generator=g, dtype=mg.float16), torch.rand(100_000, generator=tg, dtype=torch.float16))


@pytest.mark.parametrize('seed', SEEDS)
def test_randint_is_torchs(torch, seed):
    tg, g = pair(seed)
    for low, high, shape, dtype in [(0, 10, (8,), 'int64'), (-5, 1000, (3, 4), 'int32'),
                                    (0, 2 ** 33, (5,), 'int64'), (-2 ** 40, 2 ** 40, (6,), 'int64'),
                                    (0, 2, (7,), 'float32')]:
        same(mg.randint(low, high, shape, generator=g, dtype=dtype),
             torch.randint(low, high, shape, generator=tg, dtype=getattr(torch, dtype)))


@pytest.mark.parametrize('seed', SEEDS)
@pytest.mark.parametrize('dtype', DTYPES)
def test_randn_is_torchs(torch, seed, dtype):
    """Below 16 values PyTorch draws normals one by one (Box-Muller in float64, the sine kept for
    the next draw); from 16 up it fills blocks of 16, and redoes the last 16 with fresh uniforms
    (in float32 with its own vector log and sin/cos)."""
    tg, g = pair(seed)
    for shape in [(1,), (3,), (15,), (2, 5), (16,), (17,), (20,), (27, 27), (1000,), (3, 3333)]:
        same(mg.randn(shape, generator=g, dtype=dtype), torch.randn(shape, generator=tg, dtype=getattr(torch, dtype)))


def test_randn_float32_is_torchs_over_many_values(torch):
    """A million float32 normals: PyTorch's vector log and sin/cos, reproduced step by step."""
    tg, g = pair(123)
    same(mg.randn(1000, 1000, generator=g), torch.randn(1000, 1000, generator=tg))
    same(mg.randn_like(mg.zeros(4, 5), generator=g), torch.randn(4, 5, generator=tg))


@pytest.mark.parametrize('dtype', DTYPES)
def test_normal_is_torchs(torch, dtype):
    for seed in SEEDS[:3]:
        tg, g = pair(seed)
        for shape in [(5,), (15,), (16,), (40,), (7, 9)]:
            same(mg.normal(0.5, 2.0, shape, generator=g, dtype=dtype),
                 torch.normal(0.5, 2.0, shape, generator=tg, dtype=getattr(torch, dtype)))
        means = np.linspace(-1, 1, 6).astype(dtype)
        same(mg.normal(mg.tensor(means), 3.0, generator=g), torch.normal(torch.tensor(means), 3.0, generator=tg))
        stds = np.linspace(0.5, 3, 6).astype(dtype)
        same(mg.normal(0.7, mg.tensor(stds), generator=g), torch.normal(0.7, torch.tensor(stds), generator=tg))
        same(mg.normal(mg.tensor(means), mg.tensor(stds), generator=g),
             torch.normal(torch.tensor(means), torch.tensor(stds), generator=tg))


@pytest.mark.parametrize('seed', SEEDS)
@pytest.mark.parametrize('dtype', DTYPES)
def test_multinomial_is_torchs(torch, seed, dtype):
    """With replacement (n > 1): inverse transform on the cumulative weights; one sample, or
    without replacement: the exponential race. Rows in order, 1-D and 2-D, zero weights."""
    tg, g = pair(seed)
    weights = np.random.default_rng(seed % 2 ** 32).random((6, 27)).astype(dtype)
    weights[:, 3] = 0
    for rows in (weights, weights[2]):
        for n, replacement in [(1, True), (5, True), (1000, True), (1, False), (4, False), (26, False)]:
            same(mg.multinomial(mg.tensor(rows), n, replacement, generator=g),
                 torch.multinomial(torch.tensor(rows), n, replacement, generator=tg))


def test_multinomial_many_categories_is_torchs(torch):
    """float32 cumulative sums taken and normalised in float32, as PyTorch does: with 3000
    categories and 200000 draws, float64 sums would put a few hundred draws elsewhere."""
    tg, g = pair(11)
    weights = np.random.default_rng(0).random(3000).astype(np.float32) * np.float32(3.7)
    same(mg.multinomial(mg.tensor(weights), 200_000, True, generator=g),
         torch.multinomial(torch.tensor(weights), 200_000, True, generator=tg))


@pytest.mark.parametrize('dtype', DTYPES)
def test_exponential_is_torchs(torch, dtype):
    for seed in SEEDS[:3]:
        tg, g = pair(seed)
        for lambd in (1.0, 2.5, 0.3):
            same(mg.empty(300, dtype=dtype).exponential_(lambd, generator=g),
                 torch.empty(300, dtype=getattr(torch, dtype)).exponential_(lambd, generator=tg))


@pytest.mark.parametrize('seed', SEEDS)
def test_a_mix_of_draws_moves_the_stream_as_torchs(torch, seed):
    """Each draw takes as many outputs as PyTorch's does, and a normal kept from a one-by-one
    randn is used by the next small randn or normal, whatever the dtype, as in PyTorch."""
    tg, g = pair(seed)
    P = np.random.default_rng(1).random((3, 5)).astype(np.float32)
    draws = [lambda lib, gen: lib.randn(3, generator=gen),
             lambda lib, gen: lib.rand(4, generator=gen, dtype=lib.float64),
             lambda lib, gen: lib.randn(1, generator=gen, dtype=lib.float64),
             lambda lib, gen: lib.randint(0, 7, (5,), generator=gen),
             lambda lib, gen: lib.randn(3, 7, generator=gen, dtype=lib.float64),
             lambda lib, gen: lib.multinomial(lib.tensor(P), 2, generator=gen),
             lambda lib, gen: lib.randn(2, generator=gen),
             lambda lib, gen: lib.randn(2, 10, generator=gen),
             lambda lib, gen: lib.multinomial(lib.tensor(P), 3, True, generator=gen),
             lambda lib, gen: lib.normal(1.0, 2.0, (3,), generator=gen, dtype=lib.float64),
             lambda lib, gen: lib.empty(4).exponential_(generator=gen),
             lambda lib, gen: lib.randperm(12, generator=gen),
             lambda lib, gen: lib.rand(2, 3, generator=gen)]
    for draw in draws * 2:
        same(draw(mg, g), draw(torch, tg))
    g.manual_seed(seed)         # reseeding forgets the kept normal, as torch's does
    tg.manual_seed(seed)
    same(mg.randn(5, generator=g), torch.randn(5, generator=tg))


def test_an_unseeded_generator_starts_where_torchs_does(torch):
    tg, g = pair()
    same(mg.rand(6, generator=g), torch.rand(6, generator=tg))
    same(mg.randn(6, generator=g, dtype=mg.float64), torch.randn(6, generator=tg, dtype=torch.float64))


def test_seeds_beyond_32_bits_and_negative_seeds(torch):
    for seed in (2 ** 32 + 7, 2 ** 63 - 1, -5):
        tg, g = pair(seed)
        same(mg.rand(5, generator=g), torch.rand(5, generator=tg))


def test_makemore_sampling_gives_torchs_names(torch):
    """Karpathy's makemore, part 1: 20 names sampled one letter at a time from bigram counts."""
    counts = np.random.default_rng(7).integers(0, 40, (27, 27))
    counts[:, 0] += 10          # names end

    def names(lib):
        P = (lib.tensor(counts) + 1).float()
        P /= P.sum(1, keepdims=True)
        g = lib.Generator().manual_seed(2147483647)
        out = []
        for _ in range(20):
            ix, name = 0, []
            while True:
                ix = lib.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
                name.append(ix)
                if ix == 0:
                    break
            out.append(name)
        return out
    assert names(mg) == names(torch)


def test_makemore_weights_are_torchs(torch):
    tg, g = pair(2147483647)
    same(mg.randn((27, 27), generator=g, dtype=mg.float64), torch.randn((27, 27), generator=tg, dtype=torch.float64))


# ------------------------------------------------------------ the other stream

def test_other_users_keep_the_numpy_stream():
    """nn.init, dropout and the data loaders draw from the generator's NumPy Generator, seeded as
    before (np.random.default_rng(seed)) and not moved by the draws that follow PyTorch."""
    g = mg.Generator().manual_seed(3)
    mg.rand(10, generator=g)
    mg.multinomial(mg.ones(5), 3, generator=g)
    np.testing.assert_array_equal(numpy_generator(g).random(5), np.random.default_rng(3).random(5))
    first = mg.nn.init.normal_(mg.empty(4), generator=mg.Generator().manual_seed(1)).tolist()
    g = mg.Generator().manual_seed(1)
    mg.randn(20, generator=g)
    assert mg.nn.init.normal_(mg.empty(4), generator=g).tolist() == first


@pytest.mark.parametrize('seed', SEEDS)
def test_randperm_is_torchs(torch, seed):
    """PyTorch's Fisher-Yates shuffle, its n - 1 swaps replayed at once."""
    tg, g = pair(seed)
    for n in (0, 1, 2, 3, 5, 17, 1000, 100_000):
        same(mg.randperm(n, generator=g), torch.randperm(n, generator=tg))
    same(mg.randperm(9, generator=g, dtype=mg.int32), torch.randperm(9, generator=tg, dtype=torch.int32))
    same(mg.rand(2, generator=g), torch.rand(2, generator=tg))


def test_without_a_generator_draws_stay_numpys():
    mg.manual_seed(4)
    np.testing.assert_array_equal(mg.rand(5, dtype=mg.float64).numpy(), np.random.default_rng(4).random(5))
