"""nn.RNN, LSTM, GRU and their cells (minigrad/nn/rnn.py) against PyTorch, from the same weights:
outputs and the gradients of the input, the initial states and every parameter over a grid of
configurations; state_dict, repr, initialisation and errors; a GRU character model run
unchanged with either library; and the unrolled steps as the graph picture and the backward
trace show them."""
import importlib.util
import pathlib
import re
import warnings

import numpy as np
import pytest

import minigrad as mg
from helpers import assert_raises_as_pytorch, raised_by_both

# (class, constructor keywords) of each layer kind; LSTM also with a projection.
KINDS = {
    'rnn-tanh': ('RNN', {}),
    'rnn-relu': ('RNN', {'nonlinearity': 'relu'}),
    'lstm': ('LSTM', {}),
    'lstm-proj': ('LSTM', {'proj_size': 3}),
    'gru': ('GRU', {}),
}
# Each row varies a few of: layers, bias, batch_first, bidirectional, dropout (in eval),
# initial state given, unbatched input.
CONFIGS = [
    {},
    {'num_layers': 2, 'h0': True},
    {'bias': False, 'batch_first': True},
    {'bidirectional': True, 'h0': True},
    {'num_layers': 2, 'bidirectional': True, 'batch_first': True, 'dropout': 0.5},
    {'unbatched': True},
    {'unbatched': True, 'h0': True, 'num_layers': 2, 'bidirectional': True, 'batch_first': True},
    {'num_layers': 3, 'bias': False, 'h0': True, 'dropout': 0.25},
]
# Relative to each element and, for elements that cancel to near 0 (a weight's gradient summed
# over steps), to the largest element of the same tensor.
TOLERANCES = {'float32': 1e-5, 'float64': 1e-9}
SEQ, BATCH, INPUT, HIDDEN = 4, 3, 5, 6


def _pair(torch, kind, dtype, **kw):
    """The same layer in both libraries: torch's weights copied into minigrad's."""
    name, extra = KINDS[kind]
    theirs = getattr(torch.nn, name)(INPUT, HIDDEN, dtype=getattr(torch, dtype), **extra, **kw)
    ours = getattr(mg.nn, name)(INPUT, HIDDEN, dtype=getattr(mg, dtype), **extra, **kw)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _arrays(layer, config, rng):
    """The input and initial states for a config, as float64 arrays."""
    unbatched, batch_first = config.get('unbatched'), config.get('batch_first')
    shape = (SEQ, INPUT) if unbatched else (BATCH, SEQ, INPUT) if batch_first else (SEQ, BATCH, INPUT)
    arrays = [rng.standard_normal(shape)]
    if config.get('h0'):
        count = layer.num_layers * (2 if layer.bidirectional else 1)
        out = layer.proj_size or layer.hidden_size
        sizes = [out] + ([layer.hidden_size] if layer.mode == 'LSTM' else [])
        arrays += [rng.standard_normal((count,) + (() if unbatched else (BATCH,)) + (n,)) for n in sizes]
    return arrays


def _run(lib, layer, arrays, dtype, lstm):
    """Forward and backward of a loss that weighs every output; returns the arrays to compare."""
    tensors = [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True) for a in arrays]
    x, states = tensors[0], tensors[1:]
    hx = None if not states else tuple(states) if lstm else states[0]
    output, h_n = layer(x, hx)
    finals = list(h_n) if lstm else [h_n]
    weights = lib.tensor(np.cos(np.arange(output.numel())).reshape(tuple(output.shape)), dtype=output.dtype)
    loss = (output * weights).sum() + sum(((k + 2) * f * f).sum() for k, f in enumerate(finals))
    loss.backward()
    got = [output] + finals + [t.grad for t in tensors] + [p.grad for p in layer.parameters()]
    return [g.detach().numpy() for g in got]


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize('kind', list(KINDS))
def test_outputs_and_gradients_match_pytorch_over_the_grid(torch, kind, dtype):
    rtol = TOLERANCES[dtype]
    for i, config in enumerate(CONFIGS):
        torch.manual_seed(i)
        kw = {k: v for k, v in config.items() if k not in ('h0', 'unbatched')}
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')         # dropout with one layer: both libraries warn
            ours, theirs = _pair(torch, kind, dtype, **kw)
        ours.eval(), theirs.eval()
        arrays = _arrays(ours, config, np.random.default_rng(i))
        lstm = ours.mode == 'LSTM'
        expected = _run(torch, theirs, arrays, dtype, lstm)
        got = _run(mg, ours, arrays, dtype, lstm)
        assert len(got) == len(expected)
        for k, (g, e) in enumerate(zip(got, expected)):
            assert g.shape == e.shape, (config, k)
            assert g.dtype == e.dtype, (config, k)
            np.testing.assert_allclose(g, e, rtol=rtol, atol=rtol * np.abs(e).max(),
                                       err_msg=f'{config} item {k}')


CELLS = {'rnn-tanh': ('RNNCell', {}), 'rnn-relu': ('RNNCell', {'nonlinearity': 'relu'}),
         'lstm': ('LSTMCell', {}), 'gru': ('GRUCell', {})}


@pytest.mark.parametrize('kind', list(CELLS))
def test_cells_match_pytorch(torch, kind):
    name, extra = CELLS[kind]
    rng = np.random.default_rng(1)
    for bias, batched, given in [(True, True, False), (False, True, True), (True, False, True)]:
        theirs = getattr(torch.nn, name)(INPUT, HIDDEN, bias=bias, dtype=torch.float64, **extra)
        ours = getattr(mg.nn, name)(INPUT, HIDDEN, bias=bias, dtype=mg.float64, **extra)
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
        lead = (BATCH,) if batched else ()
        arrays = [rng.standard_normal(lead + (INPUT,))]
        states = (2 if name == 'LSTMCell' else 1) if given else 0
        arrays += [rng.standard_normal(lead + (HIDDEN,)) for _ in range(states)]
        results = []
        for lib, layer in ((torch, theirs), (mg, ours)):
            ts = [lib.tensor(a, requires_grad=True) for a in arrays]
            hx = None if len(ts) == 1 else tuple(ts[1:]) if name == 'LSTMCell' else ts[1]
            out = layer(ts[0], hx)
            outs = list(out) if isinstance(out, tuple) else [out]
            sum((k + 1) * o.tanh().sum() for k, o in enumerate(outs)).backward()
            results.append([o.detach().numpy() for o in outs] + [t.grad.numpy() for t in ts]
                           + [p.grad.numpy() for p in layer.parameters()])
        for e, g in zip(*results):
            np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12)


def test_dropout_between_layers_applies_in_training_only(torch):
    """dropout=1 zeroes every input of the second layer, the same in both libraries; in eval
    mode, and for the first layer, there is no dropout."""
    ours, theirs = _pair(torch, 'lstm', 'float64', num_layers=2, dropout=1.0)
    x = np.random.default_rng(2).standard_normal((SEQ, BATCH, INPUT))
    for training in (True, False):
        ours.train(training), theirs.train(training)
        got, expected = ours(mg.tensor(x))[0], theirs(torch.tensor(x))[0]
        np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    ours.train()
    mg.manual_seed(0)
    half = mg.nn.GRU(INPUT, HIDDEN, num_layers=2, dropout=0.5)
    a, b = half(mg.tensor(x, dtype=mg.float32))[0], half(mg.tensor(x, dtype=mg.float32))[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())     # fresh masks each call
    half.eval()
    a, b = half(mg.tensor(x, dtype=mg.float32))[0], half(mg.tensor(x, dtype=mg.float32))[0]
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


LAYERS = [
    ('RNN', (10, 20), {}), ('RNN', (10, 20, 2), {'nonlinearity': 'relu', 'batch_first': True}),
    ('LSTM', (10, 20), {'num_layers': 2, 'bidirectional': True, 'proj_size': 5}),
    ('LSTM', (3, 4), {'bias': False, 'dropout': 0.5, 'num_layers': 3}),
    ('GRU', (10, 20, 2), {'bias': False, 'batch_first': True, 'dropout': 0.5, 'bidirectional': True}),
    ('RNNCell', (3, 4), {'nonlinearity': 'relu', 'bias': False}), ('LSTMCell', (3, 4), {}),
    ('GRUCell', (3, 4), {'bias': False}),
]


@pytest.mark.parametrize('name, args, kw', LAYERS)
def test_state_dict_repr_and_weights_are_pytorchs(torch, name, args, kw):
    ours, theirs = getattr(mg.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(ours) == repr(theirs)
    mine, their = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(their)
    assert [tuple(v.shape) for v in mine.values()] == [tuple(v.shape) for v in their.values()]
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mine.items()})     # into torch
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), mine[k].numpy())
    again = getattr(mg.nn, name)(*args, **kw)                                      # and back
    again.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    for k, v in again.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), mine[k].numpy())
    if not name.endswith('Cell'):
        assert ours._flat_weights_names == theirs._flat_weights_names
        assert [[tuple(p.shape) for p in ws] for ws in ours.all_weights] == \
               [[tuple(p.shape) for p in ws] for ws in theirs.all_weights]
        assert ours.flatten_parameters() is None


def test_every_parameter_is_uniform_within_one_over_root_hidden():
    layer = mg.nn.LSTM(30, 400, num_layers=2, bidirectional=True)
    bound = 1 / 20
    for name, p in layer.named_parameters():
        values = p.detach().numpy()
        assert values.dtype == np.float32, name
        assert np.abs(values).max() <= bound, name
        assert np.abs(values).max() > 0.95 * bound and abs(values.mean()) < 0.01 * bound * 10, name


ERRORS = [
    # (layer, input shape, initial state shapes or None)
    (('LSTM', 10, 20), (5, 3, 5), None),
    (('LSTM', 10, 20), (5, 3, 10), [(1, 3, 20), (1, 3, 21)]),
    (('LSTM', 10, 20), (5, 3, 10), [(1, 3, 21), (1, 3, 20)]),
    (('LSTM', 10, 20), (5, 3, 10), [(3, 20), (3, 20)]),
    (('GRU', 10, 20), (5, 3, 10), [(1, 3, 21)]),
    (('GRU', 10, 20), (5, 3, 10), [(3, 20)]),
    (('RNN', 10, 20), (5, 10), [(1, 1, 20)]),
    (('RNN', 10, 20), (2, 5, 3, 10), None),
    (('GRU', 10, 20), (10,), None),
    (('GRUCell', 10, 20), (3, 5), None),
    (('LSTMCell', 10, 20), (3, 10), [(3, 7), (3, 7)]),
    (('RNNCell', 10, 20), (3, 10), [(4, 20)]),
    (('RNNCell', 10, 20), (2, 3, 10), None),
]


@pytest.mark.parametrize('layer, shape, states', ERRORS)
def test_errors_are_pytorchs(torch, layer, shape, states):
    name, *args = layer
    errors = []
    for lib in (torch, mg):
        module = getattr(lib.nn, name)(*args)
        hx = None if states is None else [lib.zeros(s) for s in states]
        hx = hx if hx is None else tuple(hx) if 'LSTM' in name else hx[0]
        with pytest.raises(Exception) as caught:
            module(lib.zeros(shape), hx)
        errors.append(caught.value)
    assert type(errors[1]) is type(errors[0])
    assert str(errors[1]) == str(errors[0])


CONSTRUCTOR_ERRORS = [
    ('LSTM', (10, 20), {'dropout': 1.5}), ('LSTM', (10, 20), {'dropout': True}),
    ('GRU', (10, 20), {'proj_size': 2}), ('RNN', (10, 20), {'nonlinearity': 'sigmoid'}),
    ('LSTM', (10, 20), {'proj_size': 20}), ('LSTM', (10, 20), {'proj_size': -1}),
    ('LSTM', (10, 0), {}), ('LSTM', (10, 20.0), {}), ('LSTM', (10, 20), {'num_layers': 0}),
    ('GRU', (10, 20), {'bias': 1}), ('GRU', (10, 20), {'batch_first': None}),
]


@pytest.mark.parametrize('name, args, kw', CONSTRUCTOR_ERRORS)
def test_constructor_errors_are_pytorchs(torch, name, args, kw):
    ours, theirs = raised_by_both(torch, lambda lib: getattr(lib.nn, name)(*args, **kw))
    assert str(ours) == str(theirs)


def test_dropout_with_one_layer_warns_as_pytorch():
    with pytest.warns(UserWarning, match='dropout option adds dropout after all but last'):
        mg.nn.GRU(3, 4, dropout=0.2)


def test_input_of_another_dtype_is_refused(torch):
    assert_raises_as_pytorch(torch, lambda lib, x: lib.nn.GRU(2, 3)(x.double().reshape(1, 1, 2)), [1.0, 2.0])


# ------------------------------------------------------------------ a program, unchanged

CHAR_MODEL = '''
class CharGRU(torch.nn.Module):
    """Next-character model: one-hot characters, a 2-layer GRU, a linear read-out."""
    def __init__(self, vocab, hidden):
        super().__init__()
        self.vocab = vocab
        self.gru = torch.nn.GRU(vocab, hidden, num_layers=2, batch_first=True)
        self.head = torch.nn.Linear(hidden, vocab)

    def forward(self, idx, h=None):
        x = torch.nn.functional.one_hot(idx, self.vocab).float()
        out, h = self.gru(x, h)
        return self.head(out), h


def train(model, data, steps, lr=0.5):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for step in range(steps):
        xb, yb = data[:, :-1], data[:, 1:]
        logits, _ = model(xb)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, model.vocab), yb.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
'''


def _program(lib):
    namespace = {'torch': lib}
    exec(CHAR_MODEL, namespace)
    return namespace


def test_a_gru_character_model_runs_unchanged_and_learns_the_same(torch):
    text = 'hello world, hello recurrent world. '
    chars = sorted(set(text))
    ids = np.array([chars.index(c) for c in text * 2])
    data = np.stack([ids[i:i + 12] for i in range(0, 48, 6)])
    theirs_ns, ours_ns = _program(torch), _program(mg)
    torch.manual_seed(0)
    theirs = theirs_ns['CharGRU'](len(chars), 16)
    ours = ours_ns['CharGRU'](len(chars), 16)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    expected = theirs_ns['train'](theirs, torch.tensor(data), 6)
    got = ours_ns['train'](ours, mg.tensor(data), 6)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert got[-1] < got[0]


def test_benchmark_workloads_run_and_agree_with_pytorch(torch):
    path = pathlib.Path(__file__).resolve().parents[1] / 'benchmarks' / 'rnn_steps.py'
    spec = importlib.util.spec_from_file_location('rnn_steps', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    workloads = module.workloads(tiny=True)
    assert set(workloads) == {'lstm-2layer', 'gru-2layer'}
    for steps in workloads.values():
        for _ in range(2):
            np.testing.assert_allclose(steps['minigrad']().item(), steps['torch']().item(), rtol=1e-5)


# ------------------------------------------------------------------ the unrolled steps, seen

def _three_steps(layer):
    x = mg.tensor(np.random.default_rng(3).standard_normal((3, 1, 2)), dtype=mg.float32)
    output, _ = layer(x)
    return output.sum()


@pytest.mark.parametrize('name, step_ops', [('RNN', ['TanhBackward']), ('GRU', ['GRUCellBackward'])])
def test_the_graph_picture_shows_each_of_three_steps(name, step_ops):
    layer = getattr(mg.nn, name)(2, 3)
    dot = mg.viz.to_dot(_three_steps(layer), params=layer)
    for op in step_ops + ['LinearBackward']:
        count = len(re.findall(rf'\b{op}\b', dot))
        assert count == (6 if op == 'LinearBackward' else 3), (op, count)
    for t in range(3):
        assert f'step {t}' in dot
    assert dot.count('SharedBackward') == len(layer.state_dict())     # each weight, shared by the steps
    assert 'used by every step' in dot


def test_an_lstm_layer_is_one_node_and_its_cell_unrolls():
    """nn.LSTM runs a layer as one LSTMSequence op (backprop through time is the loop in its
    backward); a loop over nn.LSTMCell shows the steps one by one instead."""
    layer = mg.nn.LSTM(2, 3)
    dot = mg.viz.to_dot(_three_steps(layer), params=layer)
    assert len(re.findall(r'\bLSTMSequenceBackward\b', dot)) == 1
    cell = mg.nn.LSTMCell(2, 3)
    h = c = mg.zeros(1, 3)
    for t in range(3):
        h, c = cell(mg.ones(1, 2) * t, (h, c))
    dot = mg.viz.to_dot(h.sum(), params=cell)
    for op in ('LSTMStateBackward', 'LSTMOutputBackward'):
        assert len(re.findall(rf'\b{op}\b', dot)) == 3


def test_the_backward_trace_lists_three_steps_last_first():
    layer = mg.nn.RNN(2, 3)
    loss = _three_steps(layer)
    with mg.viz.trace_backward(params=layer) as trace:
        loss.backward()
    tanhs = [s for s in trace.steps if s.op == 'TanhBackward']
    assert len(tanhs) == 3
    # backprop through time: the last step first
    assert [s.node.label for s in tanhs] == ['step 2', 'step 1', 'step 0']
    assert 'step 2' in str(trace) and 'step 0' in str(trace)
