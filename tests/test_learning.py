"""Whole training runs as tests: the PyTorch-style loop must actually learn, on real data.

Also the PyTorch interchange of a trained model.
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
