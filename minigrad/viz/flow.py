"""Gradient flow: each parameter's gradient norm, step after step.

Where the norms shrink towards zero, that layer has stopped learning: a
saturated sigmoid under MSE does this, the same net under cross-entropy
does not. Record after `loss.backward()` and before `optimizer.step()`.
"""
import math
import warnings

import numpy as np

from ._params import named_tensors


class GradientFlow:
    """Records ‖grad‖₂ of every parameter each time `record()` is called.

    `GradientFlow(params)`: `params` is a Module, a dict name -> Tensor, or an
    iterable of (name, tensor) pairs (bare tensors are named "0", "1", ...).

        flow = GradientFlow(model)
        for step in range(steps):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            flow.record()            # after backward, before the step
            optimizer.step()
        flow.plot()

    `history` maps each name to its list of norms (floats; NaN where the
    parameter had no gradient yet); `steps` holds the x value of each record.
    """

    def __init__(self, params):
        self.params = named_tensors(params, 'GradientFlow')
        if not self.params:
            raise ValueError('GradientFlow got no parameters to watch')
        self.history = {name: [] for name, _ in self.params}
        if len(self.history) != len(self.params):
            raise ValueError('GradientFlow: parameter names must be distinct, got '
                             f'{[name for name, _ in self.params]}')
        self.steps = []

    def record(self, step=None):
        """Appends each parameter's gradient L2 norm; returns them as a dict name -> norm.

        `step` is the x value for the plot (by default 0, 1, 2, ... per call).
        """
        norms = {}
        for name, t in self.params:
            if t.grad is None:
                norm = math.nan
            else:
                norm = _l2_norm(t.grad._array)
            norms[name] = norm
            self.history[name].append(norm)
        if all(math.isnan(n) for n in norms.values()):
            warnings.warn('GradientFlow.record(): no parameter has a gradient yet; call it '
                          'after loss.backward() and before optimizer.zero_grad()', stacklevel=2)
        self.steps.append(len(self.steps) if step is None else step)
        return norms

    def __len__(self):
        return len(self.steps)

    def __repr__(self):
        last = ', '.join(f'{name}={h[-1]:.3g}' for name, h in self.history.items() if h)
        return f'GradientFlow({len(self.params)} parameters, {len(self)} records' + (
            f'; last: {last})' if last else ')')

    def plot(self, ax=None, title='Gradient flow'):
        """Line plot of each parameter's gradient norm per record, on a log scale.

        Draws into `ax` (a matplotlib Axes), or into a new figure; returns the Axes.
        Zero norms (a dead layer) cannot sit on a log axis and leave gaps.
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        for name, norms in self.history.items():
            values = np.asarray(norms, dtype=np.float64)
            values[values <= 0] = np.nan            # log scale: show zero as a gap
            ax.plot(self.steps, values, label=name, linewidth=1.5)
        ax.set_yscale('log')
        ax.set_xlabel('step')
        ax.set_ylabel('gradient L2 norm ‖∂loss/∂p‖')
        if title:
            ax.set_title(title)
        ax.grid(True, which='major', alpha=0.3)
        ax.legend(fontsize='small', ncol=1 + len(self.history) // 8)
        return ax


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError('GradientFlow.plot() needs matplotlib: pip install matplotlib '
                          '(or pip install "minigrad[examples]")') from None
    return plt


def _l2_norm(array):
    """‖array‖₂ in one BLAS call; redone in float64 when float32's range overflows."""
    flat = array.ravel()
    with np.errstate(over='ignore', invalid='ignore'):
        norm = float(np.sqrt(np.dot(flat, flat)))
    if math.isinf(norm) and np.isfinite(flat).all():    # a diverging run, not an inf in the data
        norm = float(np.linalg.norm(flat.astype(np.float64)))
    return norm
