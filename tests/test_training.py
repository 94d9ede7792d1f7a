"""Whole training runs as tests: the PyTorch-style loop must actually learn, on real data.

Also Dropout's statistics and the PyTorch interchange of a trained model.
"""
import numpy as np
import pytest

import minigrad as mg
from minigrad import data, nn, optim


def accuracy(model, X, y):
    with mg.no_grad():
        return float((model(mg.tensor(X))._array.argmax(axis=1) == y).mean())


def train_epochs(model, opt, loss_fn, loader, epochs):
    """The PyTorch loop, written out: train mode, then zero_grad, loss, backward, step per batch."""
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    model.eval()


def test_mlp_with_sgd_fits_three_spirals():
    """2-16-16-3 MLP, full batch, SGD with momentum, 500 steps: ≥ 98% train accuracy.

    (Only the couple of points where the three arms meet at the centre stay ambiguous.)
    """
    mg.manual_seed(0)
    X, y = data.make_spirals(n_samples=600, n_classes=3, noise=0.2, seed=0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    Xt, yt = mg.tensor(X), mg.tensor(y)
    assert accuracy(model, X, y) < 0.6
    losses = []
    for _ in range(500):
        opt.zero_grad()
        loss = loss_fn(model(Xt), yt)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.1 * losses[0]
    assert accuracy(model, X, y) >= 0.98


def test_mlp_with_sgd_recognises_handwritten_digits():
    """64-128-10 MLP on the real UCI digits, mini-batches of 16, 15 epochs: ≥ 97% on held-out images."""
    mg.manual_seed(0)
    X, y = data.load_digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X / 16, y, test_size=0.2, seed=0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    train_epochs(model, opt, loss_fn, data.DataLoader(X_train, y_train, batch_size=16, shuffle=True, seed=0), 15)
    assert accuracy(model, X_train, y_train) >= 0.99
    assert accuracy(model, X_test, y_test) >= 0.97


def test_adamw_and_dropout_train_a_moons_classifier():
    mg.manual_seed(0)
    X, y = data.make_moons(n_samples=400, noise=0.2, seed=0)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, seed=0)
    model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 32), nn.ReLU(),
                          nn.Linear(32, 2))
    opt = optim.AdamW(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    train_epochs(model, opt, loss_fn, data.DataLoader(X_train, y_train, batch_size=32, shuffle=True, seed=1), 40)
    assert accuracy(model, X_test, y_test) >= 0.95


def test_trained_model_carries_over_to_torch():
    torch = pytest.importorskip('torch')
    mg.manual_seed(0)
    ours = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10))
    theirs = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                                 torch.nn.Linear(32, 10))
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd) == ['0.weight', '0.bias', '3.weight', '3.bias']
    assert [v.shape for v in ours_sd.values()] == [tuple(v.shape) for v in theirs_sd.values()]
    assert [v.dtype for v in ours_sd.values()] == [np.float32] * 4
    theirs.load_state_dict({k: torch.from_numpy(v._array.copy()) for k, v in ours_sd.items()})
    ours.eval()
    theirs.eval()
    X, _ = data.load_digits()
    x = X[:50] / 16
    np.testing.assert_allclose(ours(mg.tensor(x))._array, theirs(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------- Dropout

def test_dropout_is_the_identity_in_eval_mode():
    layer = nn.Dropout(0.5).eval()
    x = mg.randn(100, 10, requires_grad=True)
    assert layer(x) is x


def test_dropout_zeroes_about_p_and_scales_the_rest():
    mg.manual_seed(0)
    n = 200_000
    x = mg.ones(n, requires_grad=True)
    for p in (0.1, 0.5, 0.8):
        y = nn.Dropout(p)(x)._array
        zeroed = np.mean(y == 0)
        # Binomial: the fraction has standard deviation √(p(1-p)/n) ≈ 0.001; allow 5 of them.
        assert abs(zeroed - p) < 5 * np.sqrt(p * (1 - p) / n)
        np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)
        assert abs(y.mean() - 1) < 5 * np.sqrt(p / (1 - p) / n)      # E[y] = x


def test_dropout_gradient_uses_the_same_mask():
    mg.manual_seed(1)
    x = mg.randn(50, 20, requires_grad=True)
    y = nn.Dropout(0.3)(x)
    y.backward(mg.ones(50, 20))
    kept = y._array != 0
    np.testing.assert_allclose(x.grad._array, kept / 0.7, rtol=1e-6)
    np.testing.assert_allclose(y._array[kept], x._array[kept] / 0.7, rtol=1e-6)


def test_dropout_edge_cases_and_reproducibility():
    x = mg.randn(10, 10)
    assert nn.Dropout(0.0)(x) is x
    assert np.all(nn.Dropout(1.0)(x)._array == 0)
    mg.manual_seed(7)
    a = nn.Dropout()(x)._array
    mg.manual_seed(7)
    np.testing.assert_array_equal(a, nn.Dropout()(x)._array)
    assert nn.Dropout()(x).dtype == np.float32
    assert nn.Dropout()(mg.randn(4, dtype=mg.float64)).dtype == np.float64
    with pytest.raises(ValueError, match='dropout probability has to be between 0 and 1, but got 1.5'):
        nn.Dropout(1.5)


def test_dropout_inside_a_model_follows_train_and_eval():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 64), nn.Dropout(0.5), nn.Linear(64, 1))
    x = mg.randn(4, 8)
    model.eval()
    np.testing.assert_array_equal(model(x)._array, model(x)._array)
    model.train()
    assert not np.array_equal(model(x)._array, model(x)._array)
