"""`minigrad.train.train_step`, the textbook step, and `fit`, which takes the same steps.

fit writes the step out itself (it looks at the forward pass before updating), so these
tests pin the two together bit for bit: same parameters, same losses. Also `accuracy`,
`evaluate` and what `fit`'s history records.
"""
import ast
import inspect
import json
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
import minigrad.train
from minigrad import data, nn, optim
from minigrad.train import accuracy, evaluate, fit, train_step


def _toy(seed=0, n=120):
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((n, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)        # XOR-like: needs the hidden layer
    return X, y


def _model(seed=0):
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))


def _parameters(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


def _assert_same_parameters(a, b):
    for pa, pb in zip(_parameters(a), _parameters(b), strict=True):
        np.testing.assert_array_equal(pa, pb)


def test_train_step_is_the_hand_written_step_bit_for_bit():
    X, y = _toy()
    x, t = mg.from_numpy(X), mg.from_numpy(y)
    by_hand, stepped = _model(), _model()
    opt_hand = optim.SGD(by_hand.parameters(), lr=0.3, momentum=0.9)
    opt_step = optim.SGD(stepped.parameters(), lr=0.3, momentum=0.9)
    for _ in range(5):
        opt_hand.zero_grad()
        loss = F.cross_entropy(by_hand(x), t)
        loss.backward()
        opt_hand.step()
        assert train_step(stepped, F.cross_entropy, opt_step, x, t) == loss.item()
        _assert_same_parameters(by_hand, stepped)
    for p, q in zip(by_hand.parameters(), stepped.parameters()):     # the gradients stay, as in PyTorch
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_train_step_returns_the_loss_before_the_update_as_a_float():
    X, y = _toy()
    x, t = mg.from_numpy(X), mg.from_numpy(y)
    model = _model()
    with mg.no_grad():
        before = F.cross_entropy(model(x), t).item()
    loss = train_step(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.5), x, t)
    assert type(loss) is float
    assert loss == before
    with mg.no_grad():
        assert F.cross_entropy(model(x), t).item() < before


def test_train_step_clears_the_last_gradients_first():
    X, y = _toy()
    x, t = mg.from_numpy(X), mg.from_numpy(y)
    model = _model()
    optimizer = optim.SGD(model.parameters(), lr=0.0)      # lr 0: the weights stay put
    train_step(model, F.cross_entropy, optimizer, x, t)
    first = [p.grad.numpy().copy() for p in model.parameters()]
    train_step(model, F.cross_entropy, optimizer, x, t)
    for g, p in zip(first, model.parameters()):
        np.testing.assert_array_equal(p.grad.numpy(), g)   # not 2 * g: zero_grad came first


def test_train_step_decreases_the_loss():
    X, y = _toy()
    x, t = mg.from_numpy(X), mg.from_numpy(y)
    model = _model()
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    losses = [train_step(model, F.cross_entropy, optimizer, x, t) for _ in range(200)]
    assert losses[-1] < 0.5 * losses[0]
    assert all(later <= earlier + 1e-3 for earlier, later in zip(losses, losses[1:]))


def test_train_step_on_a_regression_with_a_lambda_loss():
    gen = np.random.default_rng(1)
    X = gen.standard_normal((64, 3)).astype(np.float32)
    y = X @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32) + 0.25
    mg.manual_seed(0)
    model = nn.Linear(3, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for _ in range(300):
        loss = train_step(model, lambda out, target: ((out - target) ** 2).mean(), optimizer,
                          mg.from_numpy(X), mg.from_numpy(y))
    assert loss < 1e-6
    np.testing.assert_allclose(model.weight.detach().numpy(), [[1.0, -2.0, 0.5]], atol=1e-3)


def test_fit_full_batch_takes_train_steps():
    X, y = _toy()
    by_fit, stepped = _model(), _model()
    history = fit(by_fit, F.cross_entropy, optim.SGD(by_fit.parameters(), lr=0.5), (X, y),
                  steps=25, progress=False)
    optimizer = optim.SGD(stepped.parameters(), lr=0.5)
    losses = [train_step(stepped, F.cross_entropy, optimizer, mg.from_numpy(X), mg.from_numpy(y))
              for _ in range(25)]
    assert history.loss == losses
    _assert_same_parameters(by_fit, stepped)


def test_fit_on_a_loader_takes_train_steps():
    X, y = _toy()
    by_fit, stepped = _model(), _model()
    history = fit(by_fit, F.cross_entropy, optim.Adam(by_fit.parameters(), lr=0.01),
                  data.DataLoader(X, y, batch_size=32, shuffle=True, seed=3), epochs=3,
                  eval_data={'train': (X, y)}, progress=False)
    optimizer = optim.Adam(stepped.parameters(), lr=0.01)
    loader = data.DataLoader(X, y, batch_size=32, shuffle=True, seed=3)
    losses = [train_step(stepped, F.cross_entropy, optimizer, xb, yb)
              for _ in range(3) for xb, yb in loader]
    assert history.steps == len(losses) == 12
    assert history.loss == losses
    _assert_same_parameters(by_fit, stepped)


def test_fit_stops_before_the_update_that_would_diverge():
    X, y = _toy()
    y = y.astype(np.float32).reshape(-1, 1)
    mg.manual_seed(0)
    by_fit = nn.Linear(2, 1)
    mg.manual_seed(0)
    stepped = nn.Linear(2, 1)
    with np.errstate(over='ignore', invalid='ignore'):      # lr 3 overshoots more every step
        history = fit(by_fit, F.mse_loss, optim.SGD(by_fit.parameters(), lr=3.0), (X, y),
                      steps=100, track_accuracy=False, progress=False)
        optimizer = optim.SGD(stepped.parameters(), lr=3.0)
        losses = [train_step(stepped, F.mse_loss, optimizer, mg.from_numpy(X), mg.from_numpy(y))
                  for _ in range(history.steps)]
    assert history.diverged and 10 < history.steps < 100
    assert history.loss[:-1] == losses and history.loss[-1] == float('inf')
    _assert_same_parameters(by_fit, stepped)       # the infinite loss was not stepped on


def test_fit_stopping_at_the_target_keeps_the_model_that_reached_it():
    X, y = _toy()
    by_fit, stepped = _model(), _model()
    history = fit(by_fit, F.cross_entropy, optim.SGD(by_fit.parameters(), lr=0.5), (X, y),
                  steps=1000, target_accuracy=0.9, stop_at_target=True, progress=False)
    assert history.steps == history.steps_to_target < 1000
    optimizer = optim.SGD(stepped.parameters(), lr=0.5)
    for _ in range(history.steps):
        train_step(stepped, F.cross_entropy, optimizer, mg.from_numpy(X), mg.from_numpy(y))
    _assert_same_parameters(by_fit, stepped)
    assert minigrad.train.evaluate(stepped, X, y)['accuracy'] >= 0.9


def test_train_step_matches_pytorch(torch):
    X, y = _toy()
    model = _model()
    reference = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
    with torch.no_grad():
        for p, q in zip(model.parameters(), reference.parameters()):
            q.copy_(torch.from_numpy(p.detach().numpy().copy()))
    optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    t_optimizer = torch.optim.SGD(reference.parameters(), lr=0.5, momentum=0.9)
    for _ in range(10):
        loss = train_step(model, F.cross_entropy, optimizer, mg.from_numpy(X), mg.from_numpy(y))
        t_loss = train_step(reference, torch.nn.functional.cross_entropy, t_optimizer,
                            torch.from_numpy(X), torch.from_numpy(y))
        assert loss == pytest.approx(t_loss, rel=1e-5)
    for p, q in zip(model.parameters(), reference.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_the_training_module_reads_in_small_pieces():
    """Each function of minigrad/train.py fits on a screen (40 lines), without nested functions."""
    tree = ast.parse(inspect.getsource(minigrad.train))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            assert length <= 40, f'{node.name} is {length} lines'
            inner = [n.name for n in ast.walk(node)
                     if n is not node and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            assert not inner, f'{node.name} nests {inner}'


def test_target_on_without_a_target_is_a_clear_error_before_training():
    model = nn.Linear(2, 2)
    x, y = mg.randn(4, 2), mg.tensor([0, 1, 0, 1])
    before = model.weight.detach().clone()
    with pytest.raises(ValueError, match='no target_accuracy'):
        fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), (x, y), steps=3,
            eval_data={"x": (x, y)}, target_on="x", progress=False)
    assert np.array_equal(model.weight.detach().numpy(), before.numpy())


# ------------------------------------------------- accuracy, evaluate, fit's history

def _halfplane(seed=0):
    """Two classes split by the line x0 + x1 = 0: a linear model can learn them."""
    gen = np.random.default_rng(seed)
    X = gen.standard_normal((200, 2)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    return X, y


def test_accuracy_multiclass_binary_and_one_hot():
    out = np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]], dtype=np.float32)
    assert accuracy(out, np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert accuracy(out, np.eye(2, dtype=np.float32)[[0, 1, 1]]) == pytest.approx(2 / 3)
    assert accuracy(mg.tensor([[0.5], [-1.0]]), np.array([1, 1])) == 0.5
    with pytest.raises(ValueError, match='3 predictions'):
        accuracy(out, np.array([0, 1]))


def test_fit_records_steps_target_grad_norms_and_evals():
    X, y = _halfplane()
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    history = fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.5), (X, y),
                  steps=60, eval_data={'test': (X[:50], y[:50])}, eval_every=20,
                  target_accuracy=0.9, progress=False)
    assert history.steps == 60 and len(history.loss) == 60 and len(history.accuracy) == 60
    assert history.loss[-1] < history.loss[0]
    assert history.steps_to_target is not None
    assert history.accuracy[history.steps_to_target] >= 0.9
    assert all(a < 0.9 for a in history.accuracy[:history.steps_to_target])
    norms = history.grad_norms()
    assert set(norms) == {'0.weight', '0.bias', '2.weight', '2.bias'}
    assert all(len(v) == 60 and np.all(v > 0) for v in norms.values())
    assert history.evals['test']['step'] == [0, 20, 40, 60]
    final = evaluate(model, X[:50], y[:50], F.cross_entropy)
    assert history.evals['test']['accuracy'][-1] == final['accuracy']
    assert history.evals['test']['loss'][-1] == pytest.approx(final['loss'], rel=1e-6)
    json.dumps(history.to_dict())


def test_fit_stops_at_target_and_on_divergence():
    X, y = _halfplane()
    mg.manual_seed(0)
    model = nn.Linear(2, 2)
    history = fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.5), (X, y),
                  steps=500, eval_data={'test': (X[:50], y[:50])}, eval_every=1000,
                  target_accuracy=0.9, stop_at_target=True, progress=False)
    assert history.steps == history.steps_to_target < 500
    assert history.evals['test']['step'] == [0, history.steps]     # and where it stopped
    mg.manual_seed(0)
    model = nn.Linear(2, 1)
    with np.errstate(over='ignore', invalid='ignore'):
        history = fit(model, lambda out, t: F.mse_loss(out, t.reshape(-1, 1) * 1e30),
                      optim.SGD(model.parameters(), lr=1e10), (X, y.astype(np.float32)),
                      steps=50, track_accuracy=False, progress=False)
    assert history.diverged and history.steps < 50
    assert not math.isfinite(history.loss[-1])
    assert len(history.loss) == history.steps + 1      # the forward pass that found it


def test_fit_with_loader_epochs_and_bad_arguments():
    X, y = _halfplane()
    mg.manual_seed(0)
    model = nn.Linear(2, 2)
    loader = data.DataLoader(X, y, batch_size=64, shuffle=True, seed=0)
    history = fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader,
                  epochs=3, eval_data={'train': (X, y)}, target_accuracy=0.8, target_on='train',
                  progress=False)
    assert history.steps == 3 * len(loader) == 12
    assert history.evals['train']['step'] == [0, 4, 8, 12]
    with pytest.raises(ValueError, match='exactly one of steps= or epochs='):
        fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), (X, y))
    with pytest.raises(ValueError, match='names no eval set'):
        fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), (X, y), steps=1,
            target_accuracy=0.5, target_on='test')
    with pytest.raises(TypeError, match='pair \\(X, y\\)'):
        fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.1), X, steps=1)
