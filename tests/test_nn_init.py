"""nn.init: gains and fans equal PyTorch's; the random initialisers' distributions (bounds,
moments), orthogonality, identities, sparsity; generator= reproducibility; PyTorch's errors."""
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import init

GAINS = [('linear', None), ('conv1d', None), ('conv2d', None), ('conv3d', None),
         ('conv_transpose1d', None), ('conv_transpose2d', None), ('conv_transpose3d', None),
         ('sigmoid', None), ('tanh', None), ('relu', None), ('leaky_relu', None), ('leaky_relu', 0.2),
         ('leaky_relu', 3), ('leaky_relu', math.sqrt(5)), ('selu', None)]


@pytest.mark.parametrize('nonlinearity, param', GAINS)
def test_calculate_gain_is_pytorch_s(torch, nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize('shape', [(3, 4), (5, 2, 3), (8, 4, 3, 3), (2, 3, 1, 2, 2), (0, 3)])
def test_fan_in_and_fan_out_are_pytorch_s(torch, shape):
    assert init._calculate_fan_in_and_fan_out(mg.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


ERRORS = [                  # (call given the library's init and zeros, the error type, message)
    (lambda nn_init, zeros: nn_init._calculate_fan_in_and_fan_out(zeros(3)), ValueError,
     'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions'),
    (lambda nn_init, zeros: nn_init.calculate_gain('softmax'), ValueError, 'Unsupported nonlinearity softmax'),
    (lambda nn_init, zeros: nn_init.calculate_gain('leaky_relu', True), ValueError,
     'negative_slope True not a valid number'),
    (lambda nn_init, zeros: nn_init.kaiming_normal_(zeros(3, 2), mode='fan'), ValueError,
     r"Mode fan not supported, please use one of \['fan_in', 'fan_out'\]"),
    (lambda nn_init, zeros: nn_init.eye_(zeros(2, 2, 2)), ValueError, 'Only tensors with 2 dimensions'),
    (lambda nn_init, zeros: nn_init.dirac_(zeros(2, 2)), ValueError, 'Only tensors with 3, 4, or 5 dim'),
    (lambda nn_init, zeros: nn_init.dirac_(zeros(3, 2, 3), groups=2), ValueError,
     'dim 0 must be divisible by groups'),
    (lambda nn_init, zeros: nn_init.orthogonal_(zeros(3)), ValueError, 'Only tensors with 2 or more'),
    (lambda nn_init, zeros: nn_init.sparse_(zeros(2, 2, 2), 0.5), ValueError, 'Only tensors with 2 dim'),
    (lambda nn_init, zeros: nn_init.xavier_uniform_(zeros(5)), ValueError, 'Fan in and fan out'),
    (lambda nn_init, zeros: nn_init.uniform_(zeros(3), 2, 1), RuntimeError,
     r'uniform_ expects to return a \[from, to\) range, but found from=2 > to=1'),
    (lambda nn_init, zeros: nn_init.trunc_normal_(zeros(3), 1.5, 1, 2.5, 1), RuntimeError,
     r'uniform_ expects to return a \[from, to\) range, but found from=2.5 > to=1'),
    (lambda nn_init, zeros: nn_init.normal_(zeros(3), 0, -1.5), RuntimeError,
     'normal expects std >= 0.0, but found std -1.5'),
]


@pytest.mark.parametrize('call, error, match', ERRORS)
def test_errors_are_pytorch_s(torch, call, error, match):
    for library in (mg, torch):
        with pytest.raises(error, match=match):
            call(library.nn.init, library.zeros)


def _sample(fill, *shape, dtype=mg.float64):
    return fill(mg.zeros(*shape, dtype=dtype))._array


BIG = (400, 500)            # 200,000 samples: a mean's standard error is 0.002 std


@pytest.mark.parametrize('fill, low, high, std', [
    (lambda t: init.uniform_(t, -2.0, 3.0), -2.0, 3.0, 5 / math.sqrt(12)),
    (lambda t: init.xavier_uniform_(t, gain=2.0), -2 * math.sqrt(6 / 900), 2 * math.sqrt(6 / 900),
     2 * math.sqrt(2 / 900)),
    (lambda t: init.kaiming_uniform_(t, a=math.sqrt(5)), -1 / math.sqrt(500), 1 / math.sqrt(500),
     1 / math.sqrt(3 * 500)),
    (lambda t: init.kaiming_uniform_(t, mode='fan_out', nonlinearity='relu'), -math.sqrt(6 / 400),
     math.sqrt(6 / 400), math.sqrt(2 / 400)),
])
def test_uniform_initialisers_fill_their_interval_with_the_right_spread(fill, low, high, std):
    values = _sample(fill, *BIG)
    assert low <= values.min() < low + 1e-3 * (high - low) and high - 1e-3 * (high - low) < values.max() <= high
    assert abs(values.mean() - (low + high) / 2) < 0.01 * std + 1e-12
    assert abs(values.std() / std - 1) < 0.01


@pytest.mark.parametrize('fill, mean, std', [
    (lambda t: init.normal_(t, 1.5, 0.5), 1.5, 0.5),
    (lambda t: init.xavier_normal_(t), 0.0, math.sqrt(2 / 900)),
    (lambda t: init.kaiming_normal_(t), 0.0, math.sqrt(2) / math.sqrt(500)),
    (lambda t: init.kaiming_normal_(t, a=0.3, mode='fan_out'), 0.0, math.sqrt(2 / 1.09) / math.sqrt(400)),
])
def test_normal_initialisers_have_the_right_moments(fill, mean, std):
    values = _sample(fill, *BIG)
    assert abs(values.mean() - mean) < 0.01 * std
    assert abs(values.std() / std - 1) < 0.01


def _truncated_moments(mean, std, a, b):
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)          # noqa: E731
    mass = init._normal_cdf(beta) - init._normal_cdf(alpha)
    shift = (pdf(alpha) - pdf(beta)) / mass
    variance = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / mass - shift ** 2
    return mean + std * shift, std * math.sqrt(variance)


@pytest.mark.parametrize('mean, std, a, b', [(0.0, 1.0, -2.0, 2.0), (1.0, 2.0, 0.0, 5.0),
                                             (0.0, 1.0, 1.5, 4.0),       # a narrow tail window
                                             (0.0, 0.02, -0.04, 0.04), (0.0, 1.0, -0.1, 0.2)])
def test_trunc_normal_stays_within_bounds_with_the_truncated_moments(mean, std, a, b):
    values = _sample(lambda t: init.trunc_normal_(t, mean, std, a, b), 200, 500)
    assert values.min() >= a and values.max() <= b
    expected_mean, expected_std = _truncated_moments(mean, std, a, b)
    assert abs(values.mean() - expected_mean) < 0.015 * expected_std
    assert abs(values.std() / expected_std - 1) < 0.015


def test_trunc_normal_warns_when_the_mean_is_far_from_the_window():
    with pytest.warns(UserWarning, match='mean is more than 2 std from'):
        values = init.trunc_normal_(mg.zeros(1000), mean=0.0, std=1.0, a=3.0, b=4.0)._array
    assert values.min() >= 3.0 and values.max() <= 4.0


@pytest.mark.parametrize('shape, gain', [((6, 6), 1.0), ((4, 9), 2.0), ((9, 4), 0.5), ((3, 2, 2, 2), 1.0),
                                         ((10, 3, 3), 1.5)])
def test_orthogonal_gives_orthonormal_rows_or_columns_times_gain(shape, gain):
    q = _sample(lambda t: init.orthogonal_(t, gain), *shape).reshape(shape[0], -1)
    small = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
    np.testing.assert_allclose(small, gain ** 2 * np.eye(len(small)), atol=1e-12)


def test_orthogonal_is_uniform_over_signs():
    """Without the sign fix, numpy's QR would give Q with a fixed sign pattern on R's diagonal."""
    first = [_sample(lambda t: init.orthogonal_(t), 3, 3)[0, 0] for _ in range(200)]
    assert 60 < sum(v > 0 for v in first) < 140


@pytest.mark.parametrize('shape', [(3, 3), (2, 5), (5, 2)])
def test_eye_is_pytorch_s(torch, shape):
    np.testing.assert_array_equal(init.eye_(mg.ones(*shape)).numpy(),
                                  torch.nn.init.eye_(torch.ones(*shape)).numpy())


@pytest.mark.parametrize('shape, groups', [((4, 4, 3), 1), ((4, 2, 3, 3), 2), ((3, 5, 2, 4), 1),
                                           ((6, 2, 3, 3, 3), 3), ((6, 3, 5), 2), ((2, 5, 3, 3), 2)])
def test_dirac_is_pytorch_s(torch, shape, groups):
    np.testing.assert_array_equal(init.dirac_(mg.ones(*shape), groups).numpy(),
                                  torch.nn.init.dirac_(torch.ones(*shape), groups).numpy())


@pytest.mark.parametrize('sparsity', [0.1, 0.5, 0.9])
def test_sparse_zeroes_the_same_count_in_every_column(sparsity):
    values = _sample(lambda t: init.sparse_(t, sparsity, std=0.3), 50, 400)
    zeros_per_column = (values == 0).sum(axis=0)
    assert np.all(zeros_per_column == math.ceil(sparsity * 50))
    assert abs(values[values != 0].std() / 0.3 - 1) < 0.03


def test_constant_ones_zeros_fill_in_place_and_keep_the_dtype():
    t = mg.zeros(2, 3)
    assert init.constant_(t, 0.25) is t and np.all(t._array == 0.25) and t.dtype == np.float32
    assert np.all(init.ones_(t)._array == 1) and np.all(init.zeros_(t)._array == 0)


RANDOM = [lambda t, g: init.uniform_(t, generator=g), lambda t, g: init.normal_(t, generator=g),
          lambda t, g: init.trunc_normal_(t, generator=g), lambda t, g: init.xavier_uniform_(t, generator=g),
          lambda t, g: init.xavier_normal_(t, generator=g), lambda t, g: init.kaiming_uniform_(t, generator=g),
          lambda t, g: init.kaiming_normal_(t, generator=g), lambda t, g: init.orthogonal_(t, generator=g),
          lambda t, g: init.sparse_(t, 0.5, generator=g)]


@pytest.mark.parametrize('fill', RANDOM)
def test_every_random_initialiser_follows_its_generator_and_keeps_float32(fill):
    draws = [fill(mg.zeros(6, 5), mg.Generator().manual_seed(seed))._array for seed in (7, 7, 8)]
    assert draws[0].dtype == np.float32
    np.testing.assert_array_equal(draws[0], draws[1])
    assert not np.array_equal(draws[0], draws[2])
    mg.manual_seed(3)
    first = fill(mg.zeros(6, 5), None)._array
    mg.manual_seed(3)
    np.testing.assert_array_equal(first, fill(mg.zeros(6, 5), None)._array)


def test_an_initialiser_on_a_parameter_records_no_graph():
    weight = mg.nn.Parameter(mg.zeros(3, 4))
    init.orthogonal_(weight)
    assert weight.grad_fn is None and weight.requires_grad


@pytest.mark.parametrize('old', ['uniform', 'normal', 'constant', 'eye', 'dirac', 'xavier_uniform',
                                 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'orthogonal', 'sparse'])
def test_the_old_names_warn_and_call_the_new(torch, old):
    args = {'constant': (0.5,), 'sparse': (0.5,)}.get(old, ())
    shape = (2, 3, 3) if old == 'dirac' else (3, 3)
    for library in (mg, torch):
        with pytest.warns(FutureWarning, match=f'`nn.init.{old}` is now deprecated in favor of `nn.init.{old}_`'):
            getattr(library.nn.init, old)(library.zeros(*shape), *args)


def test_every_pytorch_initialiser_is_here(torch):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        names = [n for n in dir(torch.nn.init) if callable(getattr(torch.nn.init, n))
                 and not n.startswith('_no_grad') and n[0].islower() or n.startswith('_calculate')]
    assert [n for n in names if not hasattr(init, n)] == []
