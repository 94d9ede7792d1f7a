"""Training health: per layer, are the activations alive, and are gradients and updates sized right?

    health = mg.viz.Health(model)       # hooks on every layer (leaf module) of the model
    for step in range(steps):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        health.record()                 # after the step: reads what the hooks saw, and the weights
    print(health.summary())             # one table of layers, one of parameters, then the flags
    health.plot('runs/health')          # PNG histograms, and update ratios over steps
    health.detach()                     # the hooks come out; the model runs as before

Per layer (each leaf module: Linear, Tanh, ReLU, ...), at its last training forward before record():
    act mean, act std   of its output y
    saturated           Tanh: the fraction of |y| > 0.97, where the slope 1 − y² is under 6% of its
                        peak; Sigmoid: of |2y − 1| > 0.97 (y < 0.015 or y > 0.985), the same point,
                        as σ(x) = (1 + tanh(x/2)) / 2
    dead                ReLU: the fraction of units (features) that are ≤ 0 on every example of the
                        batch: they pass no gradient back at all; Tanh, Sigmoid: of units saturated
                        on every example
    grad mean, std      of ∂loss/∂y, the gradient reaching the layer's output: a hook on the output
                        tensor, set by the forward hook (a full backward pre-hook would see the
                        same grad_output, but copies each input to watch its gradient too)
Per parameter p (every one of model.named_parameters()):
    grad mean, std      of p.grad
    grad:data           std(p.grad) / std(p)
    update:data         std(p − p₀) / std(p), p₀ being p at the previous record() (or at
                        attach): the change the optimizer really made, whatever its rule,
                        against the data after it

A rule of thumb (a habit of practice, not a law): update:data near 1e-3 (log10 ≈ −3) per step. Far
below, the layer barely learns; far above, its weights churn. The summary flags a Tanh/Sigmoid layer
with over a quarter of its outputs saturated (for a Gaussian pre-activation, a std above ~1.8; a
well-scaled tanh layer has about 5%), a layer with over 10% of its units dead, and a weight matrix
whose update:data (the median of the last 10 records) is more than 10× away from 1e-3. Biases and
norm scales are not flagged: they start constant (std 0), so their ratio says little. Forwards in
eval() mode or under no_grad() (an evaluation pass) are not recorded; a layer called twice in a
step is seen at its last call.
Overhead: a forward hook and a tensor hook per layer, statistics only at record(), matplotlib only
in plot(); a training step of a 5-layer tanh MLP (width 100, batch 32) takes ~1.2× as long
(median of alternating runs, 1 thread; with full backward pre-hooks instead, ~1.8×).
"""
import math
import os
import textwrap
import warnings

import numpy as np

from ..autograd import is_grad_enabled
from ._format import _number as _three_digits

SATURATION = 0.97           # |tanh| above it is saturated (sigmoid: |2σ − 1| above it)
SATURATED_FRACTION = 0.25   # flag a Tanh/Sigmoid layer with more of its outputs saturated
DEAD_FRACTION = 0.10        # flag a layer with more of its units dead
UPDATE_RULE_OF_THUMB = 1e-3  # update:data per step, as practice has it
UPDATE_TOLERANCE = 10.0     # flag a weight's update:data beyond this factor of the rule of thumb
RECENT = 10                 # update:data in the summary: the median of this many last records

_KINDS = {'Tanh': 'tanh', 'Sigmoid': 'sigmoid', 'ReLU': 'relu', 'ReLU6': 'relu'}
LAYER_STATS = ('act_mean', 'act_std', 'saturated', 'dead', 'grad_mean', 'grad_std')
PARAM_STATS = ('grad_mean', 'grad_std', 'grad_ratio', 'update_ratio')


class _Layer:
    """One watched module, with what its hooks saw since the last record."""
    __slots__ = ('name', 'module', 'kind', 'output', 'grad')

    def __init__(self, name, module):
        self.name, self.module, self.output, self.grad = name, module, None, None
        self.kind = next((_KINDS[c.__name__] for c in type(module).__mro__ if c.__name__ in _KINDS),
                         None)

    def forward_hook(self, module, args, output):
        if isinstance(output, (tuple, list)) and output:
            output = output[0]
        if module.training and is_grad_enabled() and hasattr(output, '_array'):
            self.output, self.grad = output._array, None
            if output.requires_grad:
                output.register_hook(lambda grad, seen=self.output: self._grad(seen, grad))

    def _grad(self, seen, grad):
        if seen is self.output:          # the gradient of the output kept, not an earlier call's
            self.grad = grad._array


class Health:
    """Watches a model's layers and parameters during training (see the module's docstring).

    `Health(model)`: hooks go on every leaf module of `model` (an nn.Module); call `record()`
    once per training step, after `optimizer.step()`. `layer_stats[name][stat]` and
    `param_stats[name][stat]` hold one value per record (NaN where there was nothing to
    measure), `steps` the x value of each. `detach()` (or `remove()`, or leaving a `with`
    block) takes the hooks out.
    """

    def __init__(self, model):
        if not hasattr(model, 'named_modules') or not hasattr(model, 'register_forward_hook'):
            raise TypeError(f'Health expects an nn.Module, got {type(model).__name__}')
        leaves = [(name or type(module).__name__, module) for name, module in model.named_modules()
                  if not any(True for _ in module.children())]
        self.layers = [_Layer(name, module) for name, module in leaves]
        self.params = list(model.named_parameters())
        self._handles = [layer.module.register_forward_hook(layer.forward_hook)
                         for layer in self.layers]
        self._before = {name: p._array.copy() for name, p in self.params}
        self.layer_stats = {layer.name: {s: [] for s in LAYER_STATS} for layer in self.layers}
        self.param_stats = {name: {s: [] for s in PARAM_STATS} for name, _ in self.params}
        self.steps = []
        self._last = {}             # the arrays of the last record, for the histograms

    def record(self, step=None):
        """Measures what the hooks saw since the last record, and each parameter's gradient and
        change; appends to `layer_stats` and `param_stats`. `step`: the x value for the plots
        (by default 0, 1, 2, ... per call). Call it after `optimizer.step()`."""
        last = {}
        for layer in self.layers:
            stats = _layer_stats(layer.kind, layer.output, layer.grad)
            for key, value in stats.items():
                self.layer_stats[layer.name][key].append(value)
            last[layer.name] = (layer.output, layer.grad)
            layer.output = layer.grad = None
        any_grad = False
        for name, p in self.params:
            data, grad = p._array, None if p.grad is None else p.grad._array
            any_grad |= grad is not None
            for key, value in _param_stats(data, grad, self._before[name]).items():
                self.param_stats[name][key].append(value)
            self._before[name] = data.copy()
            last[name] = None if grad is None else grad.copy()
        if self.params and not any_grad:
            warnings.warn('Health.record(): no parameter has a gradient; call it after '
                          'loss.backward() (best after optimizer.step()), before zero_grad()',
                          stacklevel=2)
        self._last = last
        self.steps.append(len(self.steps) if step is None else step)

    def detach(self):
        """Takes every hook out of the model (a second call does nothing)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    remove = detach

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.detach()

    def __len__(self):
        return len(self.steps)

    def __repr__(self):
        state = 'attached' if self._handles else 'detached'
        return (f'Health({len(self.layers)} layers, {len(self.params)} parameters, '
                f'{len(self)} records, {state})')

    def flags(self):
        """The warnings of the summary, as a list of strings (empty when all looks healthy)."""
        return _flags(self)

    def summary(self, width=100):
        """Plain text, no line over `width` columns: the last record per layer and parameter
        (update:data the median of the last 10), then the flags."""
        return _summary(self, width)

    def figures(self):
        """{name: matplotlib Figure}: 'activations' and 'gradients' (histograms of each layer's
        output and of ∂loss/∂output at the last record; the Tanh/Sigmoid/ReLU layers when there
        are any, else every layer), 'weight_gradients' (of each weight matrix's gradient) and
        'update_ratios' (update:data of each weight matrix over the records, log scale)."""
        return _figures(self)

    def plot(self, folder):
        """Saves the figures as PNG files in `folder` (created if needed); returns their paths."""
        figures = self.figures()
        os.makedirs(folder, exist_ok=True)
        paths = []
        for name, figure in figures.items():
            paths.append(os.path.join(folder, f'{name}.png'))
            figure.savefig(paths[-1], dpi=100)
        return paths

    def recent_update_ratio(self, name):
        """The median update:data of parameter `name` over the last 10 records (NaN if none)."""
        values = np.asarray(self.param_stats[name]['update_ratio'][-RECENT:], dtype=np.float64)
        values = values[np.isfinite(values)]
        return float(np.median(values)) if values.size else math.nan

    def weights(self):
        """The (name, parameter) pairs the update rule of thumb applies to: the matrices (and
        higher), not the biases and norm scales, which start constant."""
        return [(name, p) for name, p in self.params if p.ndim >= 2]


def _mean_std(a):
    if a is None or a.size == 0:
        return math.nan, math.nan
    return float(a.mean(dtype=np.float64)), float(a.std(dtype=np.float64))


def _layer_stats(kind, output, grad):
    """The statistics of one layer's output y (an array or None) and of ∂loss/∂y."""
    act_mean, act_std = _mean_std(output)
    grad_mean, grad_std = _mean_std(grad)
    saturated = dead = math.nan
    if output is not None and output.size and kind is not None:
        units = output.reshape(output.shape[0], -1) if output.ndim > 1 else output.reshape(-1, 1)
        if kind == 'relu':
            off = units <= 0
        else:
            off = np.abs(2 * units - 1 if kind == 'sigmoid' else units) > SATURATION
            saturated = float(off.mean())
        dead = float(off.all(axis=0).mean())
    return dict(act_mean=act_mean, act_std=act_std, saturated=saturated, dead=dead,
                grad_mean=grad_mean, grad_std=grad_std)


def _param_stats(data, grad, before):
    """A parameter's gradient statistics, std(grad)/std(data), and std(data − before)/std(data)."""
    grad_mean, grad_std = _mean_std(grad)
    data_std = float(data.std(dtype=np.float64)) if data.size else math.nan
    with np.errstate(divide='ignore', invalid='ignore'):
        change_std = float(np.std(data.astype(np.float64) - before, dtype=np.float64))
        grad_ratio = grad_std / data_std if data_std else math.nan
        update_ratio = change_std / data_std if data_std else math.nan
    return dict(grad_mean=grad_mean, grad_std=grad_std, grad_ratio=grad_ratio,
                update_ratio=update_ratio)


def _flags(health):
    """One sentence per unhealthy layer or weight matrix."""
    if not health.steps:
        return []
    found = []
    for layer in health.layers:
        stats = health.layer_stats[layer.name]
        saturated, dead = stats['saturated'][-1], stats['dead'][-1]
        if saturated > SATURATED_FRACTION:
            found.append(f'{layer.name} ({layer.kind}): {saturated:.0%} of outputs saturated '
                         f'(over {SATURATED_FRACTION:.0%}): little gradient passes back through it')
        if dead > DEAD_FRACTION:
            what = 'never positive' if layer.kind == 'relu' else 'saturated on every example'
            found.append(f'{layer.name} ({layer.kind}): {dead:.0%} of units dead ({what} in the '
                         f'batch; over {DEAD_FRACTION:.0%})')
    for name, p in health.weights():
        ratio = health.recent_update_ratio(name)
        if not ratio > 0:                   # NaN: nothing to measure; 0: unchanged
            if ratio == 0 and p.requires_grad:
                found.append(f'{name}: unchanged over the last records, though it requires grad '
                             '(is it in the optimizer?)')
        elif ratio < UPDATE_RULE_OF_THUMB / UPDATE_TOLERANCE:
            found.append(f'{name}: update:data {ratio:.2g} (log10 {math.log10(ratio):.1f}), far '
                         f'below the ~{UPDATE_RULE_OF_THUMB:g} rule of thumb: it barely trains')
        elif ratio > UPDATE_RULE_OF_THUMB * UPDATE_TOLERANCE:
            found.append(f'{name}: update:data {ratio:.2g} (log10 {math.log10(ratio):.1f}), far '
                         f'above the ~{UPDATE_RULE_OF_THUMB:g} rule of thumb: its weights churn')
    return found


# ---- the plain-text summary ----

def _number(value, width=10, mean_of=None):
    """`value` in 3 digits, right-aligned; '-' for NaN; '≈0' for a mean far below its std
    (`mean_of`), which is rounding noise (a softmax's gradients sum to 0)."""
    if not math.isfinite(value):
        return '-'.rjust(width)
    if mean_of is not None and abs(value) < 1e-4 * mean_of:
        return '≈0'.rjust(width)
    return _three_digits(value).rjust(width)


def _percent(value, width=10):
    return '-'.rjust(width) if not math.isfinite(value) else f'{value:.1%}'.rjust(width)


def _name(name, width):
    """The name, cut at the left (its end says most: 'blocks.3.fc.weight') to fit `width`."""
    return (name if len(name) <= width else '…' + name[-(width - 1):]).ljust(width)


def _layer_lines(health, name_width):
    yield _name('layer', name_width) + ' kind       ' + ''.join(h.rjust(10) for h in (
        'act mean', 'act std', 'saturated', 'dead', 'grad mean', 'grad std'))
    for layer in health.layers:
        s = {k: v[-1] for k, v in health.layer_stats[layer.name].items()}
        yield (_name(layer.name, name_width) + f' {type(layer.module).__name__:11.11}'
               + _number(s['act_mean'], mean_of=s['act_std']) + _number(s['act_std'])
               + _percent(s['saturated']) + _percent(s['dead'])
               + _number(s['grad_mean'], mean_of=s['grad_std']) + _number(s['grad_std']))


def _param_lines(health, name_width):
    yield (_name('parameter', name_width) + ' shape     ' + ''.join(h.rjust(10) for h in (
        'grad mean', 'grad std', 'grad:data')) + 'update:data'.rjust(12) + 'log10'.rjust(8))
    for name, p in health.params:
        s = {k: v[-1] for k, v in health.param_stats[name].items()}
        ratio = health.recent_update_ratio(name)
        shape = '×'.join(map(str, p.shape)) or 'scalar'
        yield (_name(name, name_width) + f' {shape:10}'
               + _number(s['grad_mean'], mean_of=s['grad_std']) + _number(s['grad_std'])
               + _number(s['grad_ratio']) + _number(ratio, 12)
               + _number(math.log10(ratio) if ratio > 0 else math.nan, 8))


def _summary(health, width=100):
    """The text of Health.summary()."""
    if width < 80:
        raise ValueError(f'Health.summary() needs a width of at least 80 columns, got {width}')
    if not health.steps:
        return f'{health!r}: nothing recorded yet; call record() after each optimizer.step()'
    name_width = min(28, width - 73)
    lines = [f'Training health after {len(health)} records (the last at step {health.steps[-1]})',
             *_layer_lines(health, name_width), '', *_param_lines(health, name_width),
             f'(update:data: the median of the last {RECENT} records; a rule of thumb, not a law, '
             f'puts it near {UPDATE_RULE_OF_THUMB:g}, log10 -3)']
    found = health.flags()
    lines.append(f'{len(found)} flag{"" if len(found) == 1 else "s"}' + (':' if found else (
        f': no layer over {SATURATED_FRACTION:.0%} saturated (|tanh| > {SATURATION}) or '
        f'{DEAD_FRACTION:.0%} dead, no weight\'s update:data beyond {UPDATE_TOLERANCE:g}x of '
        f'{UPDATE_RULE_OF_THUMB:g}')))
    return '\n'.join(textwrap.fill(line, width, subsequent_indent='    ') if len(line) > width
                     else line for line in lines + [f'  ! {f}' for f in found])


# ---- the figures ----

def _figure_class():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError('Health.plot() and figures() need matplotlib: pip install matplotlib '
                          '(or pip install "minigrad[examples]")') from None
    return Figure


def _histograms(figure_class, title, arrays, xlabel):
    """One axes with a density line per array (np.histogram, 60 bins): {label: array}."""
    figure = figure_class(figsize=(9, 3.5), layout='constrained')
    ax = figure.subplots()
    for label, array in arrays.items():
        values = np.asarray(array, dtype=np.float64).ravel()
        values = values[np.isfinite(values)]
        if values.size == 0:
            continue
        density, edges = np.histogram(values, bins=60, density=True)
        ax.plot((edges[:-1] + edges[1:]) / 2, density, label=label, linewidth=1.2)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel('density')
    if ax.lines:
        ax.legend(fontsize='x-small', loc='upper left', bbox_to_anchor=(1.01, 1))
    return figure


def _figures(health):
    """The figures of Health.figures()."""
    Figure = _figure_class()
    if not health.steps:
        raise RuntimeError('Health has no records to plot yet: call record() after each '
                           'optimizer.step()')
    shown = [layer for layer in health.layers if layer.kind] or health.layers
    step = health.steps[-1]
    acts, grads = {}, {}
    for layer in shown:
        output, grad = health._last[layer.name]
        s = {k: v[-1] for k, v in health.layer_stats[layer.name].items()}
        extra = '' if layer.kind in (None, 'relu') else f', saturated {s["saturated"]:.0%}'
        extra += '' if layer.kind is None else f', dead {s["dead"]:.0%}'
        if output is not None:
            acts[f'{layer.name} {layer.kind or ""}: mean {s["act_mean"]:.2g}, std '
                 f'{s["act_std"]:.2g}{extra}'] = output
        if grad is not None:
            grads[f'{layer.name}: mean {s["grad_mean"]:.2g}, std {s["grad_std"]:.2g}'] = grad
    weight_grads = {
        f'{name} {tuple(p.shape)}: grad:data {health.param_stats[name]["grad_ratio"][-1]:.2g}':
        health._last[name] for name, p in health.weights() if health._last[name] is not None}
    return {
        'activations': _histograms(Figure, f'Layer outputs at step {step}', acts, 'output y'),
        'gradients': _histograms(Figure, f'Gradients of the layer outputs at step {step}', grads,
                                 '∂loss/∂y'),
        'weight_gradients': _histograms(Figure, f'Weight gradients at step {step}', weight_grads,
                                        '∂loss/∂w'),
        'update_ratios': _update_lines(Figure, health),
    }


def _update_lines(figure_class, health):
    """update:data of each weight matrix over the records, log scale, with the rule of thumb."""
    figure = figure_class(figsize=(9, 3.5), layout='constrained')
    ax = figure.subplots()
    for name, _ in health.weights():
        values = np.asarray(health.param_stats[name]['update_ratio'], dtype=np.float64)
        values[~(values > 0)] = np.nan          # log scale: no change shows as a gap
        ax.plot(health.steps, values, label=name, linewidth=1.2)
    ax.axhline(UPDATE_RULE_OF_THUMB, color='k', linestyle='--', linewidth=1,
               label=f'~{UPDATE_RULE_OF_THUMB:g}: a rule of thumb')
    ax.axhspan(UPDATE_RULE_OF_THUMB / UPDATE_TOLERANCE, UPDATE_RULE_OF_THUMB * UPDATE_TOLERANCE,
               color='k', alpha=0.06, label=f'within {UPDATE_TOLERANCE:g}x: not flagged')
    ax.set_yscale('log')
    ax.set_xlabel('step')
    ax.set_ylabel('update:data  std(Δw) / std(w)')
    ax.set_title('Update-to-data ratio per weight matrix')
    ax.grid(True, which='major', alpha=0.3)
    ax.legend(fontsize='x-small', ncol=1 + len(health.weights()) // 16, loc='upper left',
              bbox_to_anchor=(1.01, 1))
    return figure
