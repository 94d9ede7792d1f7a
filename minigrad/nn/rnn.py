"""Recurrent layers: RNN, LSTM, GRU and their one-step cells, with PyTorch's arguments,
parameter names, shapes and initialisation.

Backprop through time, visible. PyTorch runs a whole LSTM as one fused kernel; here a layer
is its time steps unrolled as ordinary ops, so the graph (`mg.viz.draw_graph`) and the
backward trace (`mg.viz.trace_backward`) show one copy of the step per time step, and
backward walks them last step first. One step of each kind, for x of shape (batch, input):

    RNN   h' = tanh(x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ)             (or relu)
    LSTM  (i, f, g, o) = x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ          (gates stacked in that order)
          c' = σ(f) c + σ(i) tanh(g),   h' = σ(o) tanh(c')      (then h' Wₕᵣᵀ if proj_size > 0)
    GRU   (r, z) = σ(x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ) on their rows, n = tanh(xₙ + r hₙ),
          h' = (1 - z) n + z h

The LSTM is the exception: without projections, each of its layers (and directions) is
one op, LSTMSequence, whose backward is backprop through time written out as a loop, last
step first; it does the step-independent products once for all steps, as PyTorch's fused
kernel does (1.26× PyTorch's time, against 2.6× unrolled). To see an LSTM's steps in the
graph, loop over `nn.LSTMCell`, which unrolls as below.

Each step is two `Linear` nodes (input side gi, hidden side gh) and the cell's gate op
(minigrad/ops/recurrent.py: LSTMState and LSTMOutput, GRUCell; the RNN's is Add and Tanh).
A layer's input is handed to it as a list of per-step tensors, so a second layer reads the
first one's steps directly and no step's gradient has to be scattered into a whole-sequence
array. (One matmul for the input side of all steps, as PyTorch does, does not pay here: each
step's slice of that product sends back a gradient the size of the whole sequence, which the
walk adds up T times.)
# speed: benchmarks/rnn_steps.py LSTM, one matmul for all steps' input side 532 ms against
# 358 ms a step at a time (medians of 10 interleaved runs on a busy 2-core machine).
"""
import math
import numbers
import warnings

import numpy as np

from . import init
from .functional_dropout import dropout as _dropout
from .module import Module, Parameter
from ..dtypes import get_default_dtype
from ..ops import activations as act
from ..ops import elementwise as ew
from ..ops import shape as sh
from ..ops.linalg import Linear as _Linear
from ..ops.recurrent import GRUCell as _GRUCell
from ..ops.recurrent import LSTMOutput, LSTMSequence, LSTMState, Shared
from ..tensor import Tensor

__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell']

_GATES = {'RNN_TANH': 1, 'RNN_RELU': 1, 'LSTM': 4, 'GRU': 3}


# ------------------------------------------------------------------ one time step

def _reset_uniform(module):
    """Every parameter of a recurrent layer or cell from U(-1/√hidden_size, 1/√hidden_size), as
    PyTorch initialises both."""
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


def _linear(x, weight, bias):
    return _Linear.apply(x, weight) if bias is None else _Linear.apply(x, weight, bias)


def _rnn_step(mode, x, state, w_ih, w_hh, b_ih=None, b_hh=None, label=None):
    """h' = tanh (or relu) of x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ."""
    gi, gh = _linear(x, w_ih, b_ih), _linear(state, w_hh, b_hh)
    pre = ew.Add.apply(gi, gh)
    h = act.Tanh.apply(pre) if mode == 'RNN_TANH' else act.ReLU.apply(pre)
    return _labelled(label, h, gi, gh, pre)


def _gru_step(mode, x, state, w_ih, w_hh, b_ih=None, b_hh=None, label=None):
    """h' = (1 - z) n + z h (ops/recurrent.py GRUCell)."""
    gi, gh = _linear(x, w_ih, b_ih), _linear(state, w_hh, b_hh)
    return _labelled(label, _GRUCell.apply(gi, gh, state), gi, gh)


def _lstm_step(mode, x, state, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, label=None):
    """(h', c') from x and state (h, c): c' = σ(f) c + σ(i) tanh(g), h' = σ(o) tanh(c')."""
    h, c = state
    gi, gh = _linear(x, w_ih, b_ih), _linear(h, w_hh, b_hh)
    c = LSTMState.apply(gi, gh, c)
    h = LSTMOutput.apply(gi, gh, c)
    projected = h if w_hr is None else _Linear.apply(h, w_hr)
    _labelled(label, projected, gi, gh, c, h)
    return projected, c


def _labelled(label, out, *more):
    """`out`, with the nodes of this step (those of out and more) labelled, e.g. "step 2",
    for the graph picture and the backward trace (minigrad/viz) to show."""
    if label is not None:
        for t in (out,) + more:
            if t.grad_fn is not None:
                t.grad_fn.label = label
    return out


_KEYWORDS = {'weight_ih': 'w_ih', 'weight_hh': 'w_hh', 'bias_ih': 'b_ih', 'bias_hh': 'b_hh',
             'weight_hr': 'w_hr'}
_STEPS = {'RNN_TANH': _rnn_step, 'RNN_RELU': _rnn_step, 'LSTM': _lstm_step, 'GRU': _gru_step}


def _output_of(state):
    return state[0] if isinstance(state, tuple) else state


def _check_dtype(input, weight):
    if input.dtype != weight.dtype:
        raise ValueError(f'RNN input dtype ({input.dtype}) does not match weight dtype '
                         f'({weight.dtype}). Convert input: input.to({weight.dtype}), or convert '
                         f'model: model.to({input.dtype})')


def _zeros(batch, size, like):
    return Tensor._wrap(np.zeros((batch, size), dtype=like.dtype))


# ------------------------------------------------------------------ layers

class RNNBase(Module):
    """The multi-layer recurrent layer all three share; `mode` is 'RNN_TANH', 'RNN_RELU',
    'LSTM' or 'GRU'. Parameters per layer l and direction (suffix '' or '_reverse'):
    weight_ih_l{l} (gates·hidden, input), weight_hh_l{l} (gates·hidden, hidden),
    bias_ih_l{l}, bias_hh_l{l} (gates·hidden,), and for an LSTM with proj_size > 0
    weight_hr_l{l} (proj_size, hidden); all drawn from U(-1/√hidden, 1/√hidden)."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        _check_arguments(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         proj_size)
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * directions
            for suffix in ('', '_reverse')[:directions]:
                shapes = [('weight_ih', (gate_size, layer_input)), ('weight_hh', (gate_size, real_hidden))]
                if bias:
                    shapes += [('bias_ih', (gate_size,)), ('bias_hh', (gate_size,))]
                if proj_size > 0:
                    shapes += [('weight_hr', (proj_size, hidden_size))]
                names = [f'{kind}_l{layer}{suffix}' for kind, _ in shapes]
                for name, (_, shape) in zip(names, shapes):
                    setattr(self, name, Parameter(np.empty(shape, dtype=dtype)))
                self._flat_weights_names += names
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_uniform(self)

    def flatten_parameters(self):
        """PyTorch's cuDNN memory layout step; nothing to do here."""

    @property
    def all_weights(self):
        """The parameters as a list per layer and direction, in PyTorch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    def extra_repr(self):
        s = f'{self.input_size}, {self.hidden_size}'
        if self.proj_size != 0:
            s += f', proj_size={self.proj_size}'
        if self.num_layers != 1:
            s += f', num_layers={self.num_layers}'
        if self.bias is not True:
            s += f', bias={self.bias}'
        if self.batch_first is not False:
            s += f', batch_first={self.batch_first}'
        if self.dropout != 0:
            s += f', dropout={self.dropout}'
        if self.bidirectional is not False:
            s += f', bidirectional={self.bidirectional}'
        return s

    def forward(self, input, hx=None):      # noqa: A002 (PyTorch's argument name)
        """(output, h_n), or (output, (h_n, c_n)) for an LSTM. input is (seq, batch, input_size)
        ((batch, seq, input_size) if batch_first) or unbatched (seq, input_size); hx, if given,
        (num_layers·directions, batch, hidden) (an LSTM's a pair (h0, c0)); zeros otherwise."""
        batched = self._check_input(input)
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        hx = self._initial_state(input, hx, batched)
        time_dim = 1 - batch_dim
        steps = input.shape[time_dim]
        if self.mode == 'LSTM' and self.proj_size == 0 and steps > 0:
            output, h_n = self._lstm_layers(input.transpose(0, 1) if self.batch_first else input, hx)
            output = output.transpose(0, 1) if self.batch_first else output
            if not batched:
                output, h_n = output.squeeze(batch_dim), tuple(h.squeeze(1) for h in h_n)
            return output, h_n
        xs = [sh.Index.apply(input, index=(slice(None), t) if self.batch_first else t)
              for t in range(steps)]
        outputs, last = self._layers(xs, hx)
        output = sh.Stack.apply(*outputs, dim=time_dim)
        if isinstance(last[0], tuple):
            h_n = sh.Stack.apply(*[s[0] for s in last], dim=0)
            h_n = (h_n, sh.Stack.apply(*[s[1] for s in last], dim=0))
        else:
            h_n = sh.Stack.apply(*last, dim=0)
        if not batched:
            output = output.squeeze(batch_dim)
            h_n = tuple(h.squeeze(1) for h in h_n) if isinstance(h_n, tuple) else h_n.squeeze(1)
        return output, h_n

    def _layers(self, xs, hx):
        """Runs each layer over the steps xs (a list of (batch, features) tensors); returns the
        last layer's outputs per step and each layer-direction's final state."""
        step = _STEPS[self.mode]
        directions = 2 if self.bidirectional else 1
        last, all_weights = [], self.all_weights
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                xs = [_dropout(x, self.dropout, True) for x in xs]
            runs = []
            for d in range(directions):
                k = layer * directions + d
                state = hx[k]
                weights = {_KEYWORDS[name.split('_l')[0]]: _labelled('used by every step', Shared.apply(w))
                           for name, w in zip(self._all_weights[k], all_weights[k])}
                outs = [None] * len(xs)
                where = (f', layer {layer}' if self.num_layers > 1 else '') + (', reverse' if d else '')
                for t in (reversed(range(len(xs))) if d else range(len(xs))):
                    state = step(self.mode, xs[t], state, **weights, label=f'step {t}{where}')
                    outs[t] = _output_of(state)
                runs.append(outs)
                last.append(state)
            xs = runs[0] if directions == 1 else [sh.Cat.apply(f, b, dim=-1) for f, b in zip(*runs)]
        return xs, last

    def _lstm_layers(self, x, hx):
        """An LSTM without projections, each layer-direction one LSTMSequence op (backprop
        through time written out as a loop in its backward) over x (seq, batch, features);
        returns the last layer's output and (h_n, c_n)."""
        directions = 2 if self.bidirectional else 1
        steps, h_n, c_n, all_weights = x.shape[0], [], [], self.all_weights
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                x = _dropout(x, self.dropout, True)
            runs = []
            for d in range(directions):
                k = layer * directions + d
                seq = LSTMSequence.apply(x.flip((0,)) if d else x, *hx[k], *all_weights[k])
                h_n.append(sh.Index.apply(seq, index=steps - 1))
                c_n.append(sh.Index.apply(seq, index=steps))
                out = sh.Index.apply(seq, index=slice(0, steps))
                runs.append(out.flip((0,)) if d else out)
            x = runs[0] if directions == 1 else sh.Cat.apply(*runs, dim=-1)
        return x, (sh.Stack.apply(*h_n, dim=0), sh.Stack.apply(*c_n, dim=0))

    def _check_input(self, input):
        """True for a batched (3-D) input; PyTorch's errors for the wrong dims or size."""
        if input.ndim not in (2, 3):
            kind = {'RNN_TANH': 'RNN', 'RNN_RELU': 'RNN'}.get(self.mode, self.mode)
            tail = ' tensor instead' if kind == 'RNN' else ' instead'
            raise ValueError(f'{kind}: Expected input to be 2D or 3D, got {input.ndim}D{tail}')
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f'input.size(-1) must be equal to input_size. Expected '
                               f'{self.input_size}, got {input.shape[-1]}')
        _check_dtype(input, self.weight_ih_l0)
        return input.ndim == 3

    def _initial_state(self, input, hx, batched):
        """The state per layer-direction: hx's rows (checked) or zeros."""
        batch = input.shape[0 if self.batch_first else 1]
        count = self.num_layers * (2 if self.bidirectional else 1)
        out_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        lstm = self.mode == 'LSTM'
        if hx is None:
            if lstm:
                return [(_zeros(batch, out_size, input), _zeros(batch, self.hidden_size, input))] * count
            return [_zeros(batch, out_size, input)] * count
        parts = list(hx) if lstm else [hx]
        _check_state_dims(parts, batched, lstm)
        if not batched:
            parts = [p.unsqueeze(1) for p in parts]
        sizes = [(count, batch, out_size), (count, batch, self.hidden_size)]
        for i, (part, size) in enumerate(zip(parts, sizes)):
            if tuple(part.shape) != size:
                which = f'hidden[{i}]' if lstm else 'hidden'
                raise RuntimeError(f'Expected {which} size {size}, got {list(part.shape)}')
        rows = [[sh.Index.apply(p, index=k) for k in range(count)] for p in parts]
        return list(zip(*rows)) if lstm else rows[0]


def _check_state_dims(parts, batched, lstm):
    """PyTorch's errors for an hx of the wrong number of dims."""
    want = 3 if batched else 2
    if all(p.ndim == want for p in parts):
        return
    kind = 'batched 3-D' if batched else 'unbatched 2-D'
    if lstm:
        dims = ', '.join(f'{p.ndim}-D' for p in parts)
        raise RuntimeError(f'For {kind} input, hx and cx should also be {want}-D but got ({dims}) tensors')
    raise RuntimeError(f'For {kind} input, hx should also be {want}-D but got {parts[0].ndim}-D tensor')


def _check_arguments(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size):
    """PyTorch's constructor checks, with its words."""
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
        raise ValueError('dropout should be a number in range [0, 1] representing the probability '
                         'of an element being zeroed')
    if dropout > 0 and num_layers == 1:
        warnings.warn(f'dropout option adds dropout after all but last recurrent layer, so non-zero '
                      f'dropout expects num_layers greater than 1, but got dropout={dropout} and '
                      f'num_layers={num_layers}', stacklevel=4)
    for name, value in (('bias', bias), ('batch_first', batch_first)):
        if not isinstance(value, bool):
            raise TypeError(f'{name} should be of type bool, got: {type(value).__name__}')
    for name, value in (('input_size', input_size), ('hidden_size', hidden_size)):
        if not isinstance(value, int):
            raise TypeError(f'{name} should be of type int, got: {type(value).__name__}')
        if value <= 0:
            raise ValueError(f'{name} must be greater than zero')
    if num_layers <= 0:
        raise ValueError('num_layers must be greater than zero')
    if proj_size < 0:
        raise ValueError('proj_size should be a positive integer or zero to disable projections')
    if proj_size >= hidden_size:
        raise ValueError('proj_size has to be smaller than hidden_size')
    if mode not in _GATES:
        raise ValueError('Unrecognized RNN mode: ' + mode)


class RNN(RNNBase):
    """Elman RNN, h' = tanh(x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ) per step (relu with
    nonlinearity='relu'), stacked num_layers deep."""

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError('proj_size argument is only supported for LSTM, not RNN or GRU')
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        modes = {'tanh': 'RNN_TANH', 'relu': 'RNN_RELU'}
        if self.nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(modes[self.nonlinearity], *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: per step c' = σ(f) c + σ(i) tanh(g), h' = σ(o) tanh(c') with
    (i, f, g, o) = x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ; h' projected by Wₕᵣ if proj_size > 0."""

    def __init__(self, *args, **kwargs):
        super().__init__('LSTM', *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: per step r, z = σ(x W_{ir,iz}ᵀ + h W_{hr,hz}ᵀ + biases),
    n = tanh(x W_inᵀ + b_in + r (h W_hnᵀ + b_hn)), h' = (1 - z) n + z h."""

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError('proj_size argument is only supported for LSTM, not RNN or GRU')
        super().__init__('GRU', *args, **kwargs)


# ------------------------------------------------------------------ cells

class RNNCellBase(Module):
    """One step of a recurrent layer: weight_ih (gates·hidden, input), weight_hh
    (gates·hidden, hidden), bias_ih, bias_hh (gates·hidden,), all from U(±1/√hidden)."""

    _mode = None

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        self.weight_ih = Parameter(np.empty((num_chunks * hidden_size, input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((num_chunks * hidden_size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(np.empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(np.empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.bias_ih = self.bias_hh = None
        self.reset_parameters()

    def reset_parameters(self):
        _reset_uniform(self)

    def extra_repr(self):
        s = f'{self.input_size}, {self.hidden_size}'
        if self.bias is not True:
            s += f', bias={self.bias}'
        if getattr(self, 'nonlinearity', 'tanh') != 'tanh':
            s += f', nonlinearity={self.nonlinearity}'
        return s

    def forward(self, input, hx=None):      # noqa: A002 (PyTorch's argument name)
        """The next state: h' (an LSTMCell's (h', c')) for input (batch, input_size) or
        unbatched (input_size,); hx (an LSTMCell's (h, c)) zeros if not given."""
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f'{name}: Expected input to be 1D or 2D, got {input.ndim}D instead')
        parts = None if hx is None else list(hx) if self._mode == 'LSTM' else [hx]
        for p in parts or ():
            if p.ndim not in (1, 2):
                raise ValueError(f'{name}: Expected hidden to be 1D or 2D, got {p.ndim}D instead')
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
            parts = parts and [p.unsqueeze(0) for p in parts]
        parts = self._check_step(input, parts)
        state = tuple(parts) if self._mode == 'LSTM' else parts[0]
        weights = (self.weight_ih, self.weight_hh) + ((self.bias_ih, self.bias_hh) if self.bias else ())
        out = _STEPS[self._mode](self._mode, input, state, *weights)
        if not batched:
            out = tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)
        return out

    def _check_step(self, input, parts):
        """PyTorch's checks of the sizes; the state (zeros if not given) as a list."""
        if input.shape[1] != self.input_size:
            raise RuntimeError(f'input has inconsistent input_size: got {input.shape[1]} '
                               f'expected {self.input_size}')
        _check_dtype(input, self.weight_ih)
        count = 2 if self._mode == 'LSTM' else 1
        if parts is None:
            return [_zeros(input.shape[0], self.hidden_size, input)] * count
        for k, p in enumerate(parts):
            if p.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{k} "
                                   f"batch size {p.shape[0]}")
            if p.shape[1] != self.hidden_size:
                raise RuntimeError(f'hidden{k} has inconsistent hidden_size: got {p.shape[1]}, '
                                   f'expected {self.hidden_size}')
        return parts


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = tanh(x Wᵢₕᵀ + bᵢₕ + h Wₕₕᵀ + bₕₕ) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity
        if nonlinearity not in ('tanh', 'relu'):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self._mode = 'RNN_TANH' if nonlinearity == 'tanh' else 'RNN_RELU'


class LSTMCell(RNNCellBase):
    """One LSTM step: (h', c') with c' = σ(f) c + σ(i) tanh(g), h' = σ(o) tanh(c')."""

    _mode = 'LSTM'

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 - z) n + z h, n = tanh(x W_inᵀ + b_in + r (h W_hnᵀ + b_hn))."""

    _mode = 'GRU'

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)
