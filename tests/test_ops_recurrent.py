"""minigrad/ops/recurrent.py: the LSTM and GRU gate ops and Shared pass gradcheck and
gradgradcheck, give the values of the cell equations written out with elementwise ops, and
skip the gradients no input asks for."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.gradcheck import gradcheck, gradgradcheck
from minigrad.ops import recurrent

B, H = 3, 4


def lstm_state(gi, gh, c):
    return recurrent.LSTMState.apply(gi, gh, c)


def lstm_output(gi, gh, c):
    return recurrent.LSTMOutput.apply(gi, gh, c)


def gru_cell(gi, gh, h):
    return recurrent.GRUCell.apply(gi, gh, h)


def shared(w):
    return recurrent.Shared.apply(w) * w      # the identity; times w so that its second derivative is not 0


OPS = {
    'lstm-state': (lstm_state, [(B, 4 * H), (B, 4 * H), (B, H)]),
    'lstm-output': (lstm_output, [(B, 4 * H), (B, 4 * H), (B, H)]),
    'gru-cell': (gru_cell, [(B, 3 * H), (B, 3 * H), (B, H)]),
    'shared': (shared, [(B, H)]),
}


def _inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [mg.tensor(rng.standard_normal(s), dtype=mg.float64, requires_grad=True) for s in shapes]


@pytest.mark.parametrize('name', list(OPS))
def test_gradcheck_and_gradgradcheck(name):
    fn, shapes = OPS[name]
    inputs = _inputs(shapes)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_values_are_the_cell_equations():
    gi, gh, c = (t.detach().numpy() for t in _inputs(OPS['lstm-state'][1]))
    i, f, g, o = np.split(gi + gh, 4, axis=1)
    c2 = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    args = [mg.tensor(a) for a in (gi, gh, c)]
    np.testing.assert_allclose(lstm_state(*args).numpy(), c2, rtol=1e-12)
    np.testing.assert_allclose(lstm_output(args[0], args[1], mg.tensor(c2)).numpy(),
                               _sigmoid(o) * np.tanh(c2), rtol=1e-12)
    gi, gh, h = (t.detach().numpy() for t in _inputs(OPS['gru-cell'][1]))
    (xr, xz, xn), (hr, hz, hn) = np.split(gi, 3, axis=1), np.split(gh, 3, axis=1)
    r, z = _sigmoid(xr + hr), _sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    np.testing.assert_allclose(gru_cell(*[mg.tensor(a) for a in (gi, gh, h)]).numpy(),
                               (1 - z) * n + z * h, rtol=1e-12)


def test_the_sigmoid_is_stable_far_out():
    z = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    np.testing.assert_allclose(recurrent._sigmoid(z), [0, 0, 0.5, 1, 1], atol=1e-17)


@pytest.mark.parametrize('name', ['lstm-state', 'lstm-output', 'gru-cell'])
def test_only_the_gradients_asked_for_are_computed(name):
    fn, shapes = OPS[name]
    for wanted in range(3):
        inputs = _inputs(shapes)
        for k, t in enumerate(inputs):
            t.requires_grad_(k == wanted)
        fn(*inputs).sum().backward()
        assert [t.grad is not None for t in inputs] == [k == wanted for k in range(3)]
