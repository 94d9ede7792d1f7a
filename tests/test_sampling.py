"""minigrad/sampling.py: the draws follow PyTorch's distributions (checked statistically with a fixed
seed and a tolerance of 6 standard errors of the sample size, so no run can flake), with PyTorch's
shapes, dtypes and errors, in every form PyTorch has them."""
import numpy as np
import pytest

import minigrad as mg

N = 100_000


def within(observed, expected, standard_error, sigmas=6):
    assert np.all(np.abs(np.asarray(observed) - expected) <= sigmas * np.asarray(standard_error)), \
        (observed, expected, standard_error)


def frequencies(samples, k):
    return np.bincount(np.asarray(samples).ravel(), minlength=k) / np.asarray(samples).size


def test_every_name_exists_in_every_form_torch_has(torch):
    names = ['multinomial', 'bernoulli', 'poisson', 'normal', 'rand', 'randn', 'randint',
             'exponential', 'geometric', 'cauchy', 'log_normal']
    for name in names:
        for module, theirs in ((mg, torch), (mg.Tensor, torch.Tensor)):
            for form in (name, name + '_'):
                if hasattr(theirs, form):
                    assert hasattr(module, form), f'{module.__name__}.{form}'


# ------------------------------------------------------------ multinomial

P = np.array([0.1, 0.2, 0.3, 0.4])


@pytest.mark.parametrize('dtype', [mg.float32, mg.float64])
def test_multinomial_with_replacement_draws_each_category_with_its_probability(dtype):
    weights = mg.tensor(np.stack([P * 5, P[::-1]]), dtype=dtype)     # unnormalised rows
    samples = mg.multinomial(weights, N, replacement=True, generator=mg.Generator().manual_seed(0))
    assert samples.shape == (2, N) and samples.dtype == mg.int64
    for row, p in zip(samples.numpy(), (P, P[::-1])):
        within(frequencies(row, 4), p, np.sqrt(p * (1 - p) / N))


def test_multinomial_without_replacement_is_sequential_drawing():
    """First draw ~ p; second draw j after i with probability p_j / (1 - p_i), so
    P(second = j) = sum over i != j of p_i p_j / (1 - p_i)."""
    rows = mg.tensor(np.tile(P, (N, 1)))
    samples = mg.multinomial(rows, 2, generator=mg.Generator().manual_seed(1)).numpy()
    assert np.all(samples[:, 0] != samples[:, 1])
    within(frequencies(samples[:, 0], 4), P, np.sqrt(P * (1 - P) / N))
    second = np.array([sum(P[i] * P[j] / (1 - P[i]) for i in range(4) if i != j) for j in range(4)])
    within(frequencies(samples[:, 1], 4), second, np.sqrt(second * (1 - second) / N))


def test_multinomial_all_categories_without_replacement_is_a_permutation():
    samples = mg.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]] * 50).multinomial(5).numpy()
    assert np.all(np.sort(samples, axis=1) == np.arange(5))


def test_zero_weights_are_never_drawn_while_others_remain(torch):
    w = [0.0, 3.0, 0.0, 1.0]
    assert set(mg.multinomial(mg.tensor(w), 1000, True).tolist()) == {1, 3}
    mine = mg.multinomial(mg.tensor([w] * 200), 3).numpy()
    theirs = torch.multinomial(torch.tensor([w] * 200), 3).numpy()
    for got in (mine, theirs):      # then zero-weight ones (no error), in an order of their own
        assert np.all(np.sort(got[:, :2], axis=1) == [1, 3]) and np.all(np.isin(got[:, 2], [0, 2]))


@pytest.mark.parametrize('shape, n, replacement', [((4,), 3, False), ((4,), 7, True), ((3, 4), 2, False),
                                                   ((0, 4), 1, True), ((2, 1), 1, False)])
def test_multinomial_shapes_and_dtypes(torch, shape, n, replacement):
    data = np.ones(shape)
    mine = mg.tensor(data).multinomial(n, replacement)
    theirs = torch.tensor(data).multinomial(n, replacement)
    assert tuple(mine.shape) == tuple(theirs.shape) and mine.dtype.name == str(theirs.dtype)[6:]


def test_the_same_seed_gives_the_same_samples():
    def draw(seed):
        g = mg.Generator().manual_seed(seed)
        return [mg.multinomial(mg.tensor(P), 20, True, generator=g).tolist(),
                mg.multinomial(mg.tensor(P), 4, generator=g).tolist(), mg.bernoulli(mg.rand(9, generator=g), generator=g).tolist(),
                mg.poisson(mg.ones(5), g).tolist(), mg.zeros(3).exponential_(generator=g).tolist(),
                mg.rand(3, generator=g).tolist(), mg.randn(2, generator=g).tolist(),
                mg.randint(0, 9, (3,), generator=g).tolist()]
    assert draw(3) == draw(3) != draw(4)
    mg.manual_seed(5)
    first = mg.multinomial(mg.tensor(P), 30, True).tolist()
    mg.manual_seed(5)
    assert mg.multinomial(mg.tensor(P), 30, True).tolist() == first


SAMPLING_ERRORS = {
    'too many without replacement': lambda lib: lib.multinomial(lib.tensor([0.0, 1.0, 0.0]), 4),
    'negative': lambda lib: lib.multinomial(lib.tensor([-1.0, 1.0]), 1),
    'inf': lambda lib: lib.multinomial(lib.tensor([float('inf'), 1.0]), 1),
    'nan': lambda lib: lib.multinomial(lib.tensor([float('nan'), 1.0]), 1, True),
    'zero sum': lambda lib: lib.multinomial(lib.tensor([[0.0, 0.0], [1.0, 1.0]]), 1),
    '0-d': lambda lib: lib.multinomial(lib.tensor(1.0), 1),
    '3-d': lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    'integer weights': lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    'no samples': lambda lib: lib.multinomial(lib.tensor([1.0, 2.0]), 0),
    'empty row': lambda lib: lib.multinomial(lib.ones(2, 0), 1),
    'bernoulli above 1': lambda lib: lib.zeros(3).bernoulli_(1.5),
    'bernoulli integers': lambda lib: lib.bernoulli(lib.tensor([1, 0])),
    'bernoulli_ integer p': lambda lib: lib.zeros(3).bernoulli_(lib.tensor([0, 1, 1])),
    'poisson negative': lambda lib: lib.poisson(lib.tensor([-1.0])),
    'poisson integers': lambda lib: lib.poisson(lib.tensor([1, 2])),
    'geometric p = 0': lambda lib: lib.zeros(3).geometric_(0),
    'geometric p = 1': lambda lib: lib.zeros(3).geometric_(1),
    'exponential negative': lambda lib: lib.zeros(3).exponential_(-1),
    'exponential integers': lambda lib: lib.zeros(3, dtype=lib.int64).exponential_(),
    'log_normal std 0': lambda lib: lib.zeros(3).log_normal_(std=0),
}


@pytest.mark.parametrize('case', SAMPLING_ERRORS)
def test_errors_have_pytorch_types(torch, case):
    def error(lib):
        try:
            SAMPLING_ERRORS[case](lib)
        except Exception as e:          # noqa: BLE001 (the type is what is compared)
            return type(e)
        return None
    theirs = error(torch)
    assert theirs is not None and error(mg) is theirs


# ------------------------------------------------------------ bernoulli, poisson

@pytest.mark.parametrize('dtype', [mg.float32, mg.float64])
def test_bernoulli_every_form(torch, dtype):
    p = np.array([0.0, 0.25, 0.9, 1.0])
    g = mg.Generator().manual_seed(2)
    probs = mg.tensor(np.tile(p, (N, 1)), dtype=dtype)
    for draws in (mg.bernoulli(probs, generator=g), probs.bernoulli(generator=g),
                  mg.zeros(N, 4, dtype=dtype).bernoulli_(mg.tensor(p), generator=g)):
        assert draws.dtype == dtype and set(np.unique(draws.numpy())) <= {0, 1}
        within(draws.numpy().mean(0), p, np.sqrt(p * (1 - p) / N) + 1e-12)
    for draws in (mg.bernoulli(probs, 0.3, generator=g), probs.bernoulli(p=0.3, generator=g),
                  mg.zeros(N, 4, dtype=dtype).bernoulli_(0.3, generator=g)):
        within(draws.numpy().mean(), 0.3, np.sqrt(0.21 / draws.numel()))
    ints = mg.zeros(N, dtype=mg.int64).bernoulli_()
    assert ints.dtype == mg.int64
    within(ints.numpy().mean(), 0.5, np.sqrt(0.25 / N))
    assert mg.bernoulli(mg.ones(2, 0)).shape == torch.bernoulli(torch.ones(2, 0)).shape


@pytest.mark.parametrize('dtype', [mg.float32, mg.float64])
def test_poisson_has_mean_and_variance_rate(dtype):
    rates = np.array([0.0, 0.5, 4.0, 30.0])
    draws = mg.poisson(mg.tensor(np.tile(rates, (N, 1)), dtype=dtype), mg.Generator().manual_seed(3))
    assert draws.dtype == dtype and np.all(draws.numpy() == np.round(draws.numpy()))
    within(draws.numpy().mean(0), rates, np.sqrt(rates / N) + 1e-12)
    within(draws.numpy().var(0), rates, rates * np.sqrt(2 / N) + np.sqrt(rates / N) * 2 + 1e-12)


# ------------------------------------------------------------ in-place draws

def quantiles(t, qs):
    return np.quantile(t.numpy().astype(np.float64), qs)


def test_exponential_geometric_cauchy_log_normal_distributions():
    g = mg.Generator().manual_seed(4)
    x = mg.empty(N, dtype=mg.float64).exponential_(2.0, generator=g)     # median ln2 / 2
    assert x.min() >= 0
    within(x.numpy().mean(), 0.5, 0.5 / np.sqrt(N))
    k = mg.zeros(N, dtype=mg.int64).geometric_(0.25, generator=g)
    assert k.dtype == mg.int64 and k.min() >= 1
    within(k.numpy().mean(), 4.0, np.sqrt(0.75) / 0.25 / np.sqrt(N))
    c = mg.empty(N, dtype=mg.float64).cauchy_(3.0, 2.0, generator=g)    # quartiles at median ± sigma
    density = 1 / (np.pi * 2.0 * 2)                                      # at the quartiles
    within(quantiles(c, [0.25, 0.5, 0.75]), [1.0, 3.0, 5.0], np.sqrt(3 / 16 / N) / density)
    log = np.log(mg.empty(N, dtype=mg.float64).log_normal_(1.0, 0.5, generator=g).numpy())
    within([log.mean(), log.std()], [1.0, 0.5], [0.5 / np.sqrt(N), 0.5 / np.sqrt(2 * N)])


@pytest.mark.parametrize('name, args', [('exponential_', ()), ('geometric_', (0.5,)), ('cauchy_', ()),
                                        ('log_normal_', ()), ('bernoulli_', ()), ('normal_', ())])
def test_in_place_draws_keep_dtype_and_return_self(torch, name, args):
    for dtype in ('float32', 'float64'):
        t = mg.zeros(5, dtype=dtype)
        assert getattr(t, name)(*args) is t and t.dtype == getattr(torch.zeros(5, dtype=getattr(torch, dtype)),
                                                                   name)(*args).dtype.__str__()[6:]


# ------------------------------------------------------------ normal with tensor means

def test_normal_with_tensor_means_and_stds(torch):
    mean, std = np.array([-3.0, 0.0, 10.0]), np.array([[0.5], [2.0]])
    g = mg.Generator().manual_seed(6)
    draws = np.stack([mg.normal(mg.tensor(mean), mg.tensor(std), generator=g).numpy() for _ in range(4000)])
    assert draws.shape[1:] == tuple(torch.normal(torch.tensor(mean), torch.tensor(std)).shape)
    within(draws.mean(0), mean + 0 * std, std / np.sqrt(4000))
    within(draws.std(0), std + 0 * mean, std / np.sqrt(2 * 4000))
    assert mg.normal(mg.tensor(mean, dtype=mg.float32), 1.0).dtype == mg.float32
    assert mg.normal(0.0, mg.tensor(std)).shape == (2, 1)


# ------------------------------------------------------------ makemore

WORDS = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'mia', 'amelia', 'ella', 'anna', 'ada']


def bigram_model(lib):
    """Karpathy's makemore, part 1, as written for PyTorch."""
    chars = sorted(set(''.join(WORDS)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi['.'] = 0
    N = lib.zeros((27, 27), dtype=lib.int32)
    for w in WORDS:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1, ix2 = stoi[ch1], stoi[ch2]
            N[ix1, ix2] += 1
    P = (N + 1).float()
    P /= P.sum(1, keepdims=True)
    return N, P


def test_makemore_bigrams(torch):
    (N_mg, P_mg), (N_t, P_t) = bigram_model(mg), bigram_model(torch)
    assert N_mg.dtype == mg.int32 and np.array_equal(N_mg.numpy(), N_t.numpy())
    np.testing.assert_allclose(P_mg.numpy(), P_t.numpy(), rtol=1e-6)
    g = mg.Generator().manual_seed(2147483647)
    ix, name = 0, []
    for _ in range(200):
        p = P_mg[ix]
        ix = mg.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        if ix == 0:
            break
        name.append(ix)
    assert ix == 0 and all(isinstance(i, int) and 0 < i < 27 for i in name)
    # the model's likelihood: the same in both
    nll = [-P[1:, 0].log().mean().item() for P in (P_mg, P_t)]
    assert nll[0] == pytest.approx(nll[1], rel=1e-6)
