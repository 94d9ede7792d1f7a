"""minigrad.data: synthetic sets, the shipped digits, train_test_split, DataLoader."""
import gzip
import importlib.util
import os

import numpy as np
import pytest

import minigrad as mg
from minigrad import data

MAKERS = [data.make_spirals, data.make_moons, data.make_blobs, data.make_regression]


# ---------------------------------------------------------- synthetic sets

@pytest.mark.parametrize('make', MAKERS)
def test_synthetic_sets_are_seeded_numpy_arrays(make):
    X, y = make(seed=0)
    X2, y2 = make(seed=0)
    X3, _ = make(seed=1)
    assert isinstance(X, np.ndarray) and X.dtype == np.float32 and X.ndim == 2
    assert y.dtype == (np.float32 if make is data.make_regression else np.int64)
    assert y.shape == (len(X),)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, X3)


@pytest.mark.parametrize('make', MAKERS)
def test_seed_none_follows_manual_seed(make):
    mg.manual_seed(5)
    a = make()[0]
    mg.manual_seed(5)
    np.testing.assert_array_equal(a, make()[0])
    assert not np.array_equal(a, make()[0])


def test_spirals_geometry():
    X, y = data.make_spirals(n_samples=600, n_classes=3, noise=0.2, seed=0)
    assert X.shape == (600, 2) and np.bincount(y).tolist() == [200, 200, 200]
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 1 + 1e-6 and r.min() < 0.01          # noise moves the angle, not the radius
    X0, y0 = data.make_spirals(n_samples=600, noise=0.0, seed=0, shuffle=False)
    theta = np.arctan2(X0[:, 0], X0[:, 1])                  # points are (r sin θ, r cos θ)
    r0 = np.hypot(X0[:, 0], X0[:, 1])
    expected = 4 * r0 + 2 * np.pi * y0 / 3
    np.testing.assert_allclose(np.angle(np.exp(1j * (theta - expected)))[r0 > 0.05], 0, atol=1e-5)
    assert np.bincount(data.make_spirals(n_samples=10, n_classes=3, seed=0)[1]).tolist() == [4, 3, 3]
    assert np.bincount(data.make_spirals(n_samples=500, n_classes=5, seed=0)[1]).tolist() == [100] * 5


def test_spirals_are_not_linearly_separable():
    X, y = data.make_spirals(seed=0)
    A = np.c_[X, np.ones(len(X))]                           # best linear least-squares classifier
    W = np.linalg.lstsq(A, np.eye(3)[y], rcond=None)[0]
    assert ((A @ W).argmax(1) == y).mean() < 0.6


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = data.make_moons(n_samples=101, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [50, 51]
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1, rtol=1e-6)
    assert X[y == 0, 1].min() >= -1e-6 and X[y == 1, 1].max() <= 0.5 + 1e-6
    noisy, _ = data.make_moons(n_samples=500, noise=0.2, seed=0)
    assert noisy.shape == (500, 2)


def test_blobs_cluster_around_their_centres():
    centers = np.array([[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]])
    X, y = data.make_blobs(n_samples=2000, centers=centers, cluster_std=[0.5, 2.0], seed=0)
    assert X.shape == (2000, 3) and np.bincount(y).tolist() == [1000, 1000]
    for k, std in enumerate([0.5, 2.0]):
        np.testing.assert_allclose(X[y == k].mean(0), centers[k], atol=0.2)
        np.testing.assert_allclose(X[y == k].std(0), std, rtol=0.1)
    X, y = data.make_blobs(n_samples=300, centers=4, n_features=5, seed=0)
    assert X.shape == (300, 5) and set(y) == {0, 1, 2, 3} and np.abs(X).max() < 10 + 8


def test_regression_target_is_linear_in_x():
    X, y, w = data.make_regression(n_samples=500, n_features=3, noise=0.1, bias=2.0, seed=0, coef=True)
    assert X.shape == (500, 3) and y.shape == (500,) and w.shape == (3,)
    fit = np.linalg.lstsq(np.c_[X, np.ones(500)], y, rcond=None)[0]
    np.testing.assert_allclose(fit, np.r_[w, 2.0], atol=0.03)
    np.testing.assert_allclose(np.std(y - X @ w - 2.0), 0.1, rtol=0.15)


# ------------------------------------------------------------------ digits

def test_load_digits_is_the_uci_set():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    assert y[:10].tolist() == list(range(10))
    # The first image is a 0: a ring of ink with an empty centre.
    zero = X[0].reshape(8, 8)
    assert zero[3:5, 3:5].sum() == 0 and zero[:, 1:3].sum() > 30 and zero[:, 5:7].sum() > 30
    # Fingerprints of scikit-learn's copy (taken once): every pixel in its place, every image in order.
    pixels = X.astype(np.int64)
    assert pixels.sum() == 561_718 and (pixels * np.arange(64)).sum() == 17_660_653
    assert (pixels.sum(axis=1) * np.arange(1797)).sum() == 503_342_547


def test_digits_equal_scikit_learns_copy():
    """Compared with the CSV scikit-learn bundles, read directly (importing scikit-learn is slow)."""
    spec = importlib.util.find_spec('sklearn')
    if spec is None:
        pytest.skip('scikit-learn is not installed')
    csv = os.path.join(os.path.dirname(spec.origin), 'datasets', 'data', 'digits.csv.gz')
    with gzip.open(csv) as f:
        ref = np.loadtxt(f, delimiter=',')
    X, y = data.load_digits()
    np.testing.assert_array_equal(X, ref[:, :64])
    np.testing.assert_array_equal(y, ref[:, 64])


def test_digits_ship_small_with_credit():
    folder = os.path.dirname(data.__file__)
    assert os.path.getsize(os.path.join(folder, 'digits.npz')) < 100_000
    notice = open(os.path.join(folder, 'NOTICE')).read()
    assert 'Optical Recognition of Handwritten Digits' in notice and 'CC BY 4.0' in notice
    assert 'CC BY 4.0' in data.digits.__doc__


# -------------------------------------------------------- train_test_split

def test_train_test_split_partitions_aligned_rows():
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.3, seed=0)
    assert len(X_test) == 3 and len(X_train) == 7
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)    # rows stay paired
    np.testing.assert_array_equal(X_test[:, 0], 2 * y_test)
    assert sorted(np.r_[y_train, y_test].tolist()) == list(range(10))
    assert sorted(y_test.tolist()) != [7, 8, 9]                  # shuffled (seed 0)
    again = data.train_test_split(X, y, test_size=0.3, seed=0)
    np.testing.assert_array_equal(again[3], y_test)
    assert len(data.train_test_split(X, y, test_size=0.25)[1]) == 3          # ceil(2.5)
    assert len(data.train_test_split(X, y, test_size=4)[1]) == 4
    _, test, _, _ = data.train_test_split(X, y, test_size=2, shuffle=False)
    np.testing.assert_array_equal(test, X[:2])


def test_train_test_split_keeps_tensors_tensors():
    X, y = mg.randn(8, 3), mg.arange(8)
    parts = data.train_test_split(X, y, seed=1)
    assert all(isinstance(p, mg.Tensor) for p in parts)
    assert [len(p) for p in parts] == [6, 2, 6, 2]


def test_train_test_split_errors():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError, match='same number of rows, got 10 and 9'):
        data.train_test_split(X, y[:9])
    for bad in (0.0, 1.0, 1.5, 0, 10, True):
        with pytest.raises(ValueError, match='test_size'):
            data.train_test_split(X, y, test_size=bad)


# -------------------------------------------------------------- DataLoader

def test_dataloader_batches_cover_every_row_once_per_epoch():
    X = np.arange(23, dtype=np.float32)[:, None] * np.ones((1, 2), np.float32)
    y = np.arange(23)
    loader = data.DataLoader(X, y, batch_size=5, shuffle=True, seed=0)
    assert len(loader) == 5
    epochs = []
    for _ in range(2):
        batches = list(loader)
        assert [len(xb) for xb, _ in batches] == [5, 5, 5, 5, 3]
        for xb, yb in batches:
            assert isinstance(xb, mg.Tensor) and isinstance(yb, mg.Tensor)
            assert xb.dtype == np.float32 and yb.dtype == np.int64
            np.testing.assert_array_equal(xb._array[:, 0], yb._array)   # pairs stay together
        order = np.concatenate([yb._array for _, yb in batches])
        assert sorted(order.tolist()) == list(range(23))
        epochs.append(order)
    assert not np.array_equal(epochs[0], epochs[1])               # reshuffled every epoch
    assert not np.array_equal(epochs[0], np.arange(23))
    replay = data.DataLoader(X, y, batch_size=5, shuffle=True, seed=0)
    for expected in epochs:                                       # the same sequence of orders
        np.testing.assert_array_equal(np.concatenate([yb._array for _, yb in replay]), expected)


def test_dataloader_is_a_shortcut_for_pytorchs_spelling_with_the_same_batches():
    from minigrad.utils.data import DataLoader, TensorDataset
    X = np.arange(46, dtype=np.float32).reshape(23, 2)
    y = np.arange(23)
    short = data.DataLoader(X, y, batch_size=5, shuffle=True, seed=7)
    assert isinstance(short, DataLoader) and short.batch_size == 5 and len(short) == 5
    spelled = DataLoader(TensorDataset(mg.tensor(X), mg.tensor(y)), batch_size=5, shuffle=True,
                         generator=mg.Generator().manual_seed(7))
    rows = np.random.default_rng(7)
    for _ in range(3):            # one permutation of the rows per epoch: seeded orders as ever
        expected = rows.permutation(23)
        for loader in (short, spelled):
            batches = list(loader)
            np.testing.assert_array_equal(np.concatenate([yb.numpy() for _, yb in batches]),
                                          expected)
            np.testing.assert_array_equal(np.concatenate([xb.numpy() for xb, _ in batches]),
                                          X[expected])


def test_dataloader_without_shuffle_keeps_order_and_drop_last():
    X, y = np.arange(10, dtype=np.float32)[:, None], np.arange(10)
    loader = data.DataLoader(X, y, batch_size=4)
    assert [yb.tolist() for _, yb in loader] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    dropping = data.DataLoader(X, y, batch_size=4, drop_last=True)
    assert len(dropping) == 2 and [len(yb) for _, yb in dropping] == [4, 4]
    assert len(data.DataLoader(mg.tensor(X), mg.tensor(y), batch_size=10)) == 1


def test_dataloader_shuffle_with_seed_none_follows_manual_seed():
    X, y = np.zeros((50, 1), np.float32), np.arange(50)
    mg.manual_seed(1)
    a = np.concatenate([yb._array for _, yb in data.DataLoader(X, y, 8, shuffle=True)])
    mg.manual_seed(1)
    b = np.concatenate([yb._array for _, yb in data.DataLoader(X, y, 8, shuffle=True)])
    np.testing.assert_array_equal(a, b)


def test_dataloader_errors():
    with pytest.raises(ValueError, match='same number of rows, got 4 and 3'):
        data.DataLoader(np.zeros((4, 2)), np.zeros(3), batch_size=2)
    for bad in (0, -1, 2.5, None):
        with pytest.raises(ValueError, match='batch_size should be a positive integer'):
            data.DataLoader(np.zeros((4, 2)), np.zeros(4), batch_size=bad)
    with pytest.raises(TypeError, match='seed'):
        data.make_moons(seed=1.5)
