"""Training steps of recurrent layers, minigrad against PyTorch eager, from the same weights.

`workloads(tiny=False)` returns {name: {'minigrad': step, 'torch': step}} ('torch' only when
PyTorch is installed); each step is one forward, MSE loss, backward and SGD update of a
2-layer LSTM or GRU over a (seq 32, batch 32, input 64) sequence, hidden 128, float32.
`python benchmarks/rnn_steps.py` times them on one thread, alternating the two, and prints
medians and the ratio minigrad / PyTorch.
"""
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import minigrad as mg  # noqa: E402  (the checkout above, not an installed copy)

try:
    import torch
except ImportError:
    torch = None

SIZES = {'seq': 32, 'batch': 32, 'input': 64, 'hidden': 128, 'layers': 2}
TINY = {'seq': 3, 'batch': 2, 'input': 4, 'hidden': 5, 'layers': 2}
KINDS = {'lstm-2layer': 'LSTM', 'gru-2layer': 'GRU'}


def _step(lib, layer, x, y, lr=0.1):
    """One training step of `layer` (a lib.nn.LSTM or GRU) on input x against target y."""
    opt = lib.optim.SGD(layer.parameters(), lr=lr)

    def step():
        opt.zero_grad()
        output, _ = layer(x)
        loss = ((output - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss
    return step


def workloads(tiny=False):
    """{'lstm-2layer': {'minigrad': step, 'torch': step}, 'gru-2layer': {...}}."""
    s = TINY if tiny else SIZES
    rng = np.random.default_rng(0)
    x = rng.standard_normal((s['seq'], s['batch'], s['input'])).astype(np.float32)
    y = rng.standard_normal((s['seq'], s['batch'], s['hidden'])).astype(np.float32)
    out = {}
    for name, kind in KINDS.items():
        layer = getattr(mg.nn, kind)(s['input'], s['hidden'], num_layers=s['layers'])
        out[name] = {'minigrad': _step(mg, layer, mg.tensor(x), mg.tensor(y))}
        if torch is not None:
            twin = getattr(torch.nn, kind)(s['input'], s['hidden'], num_layers=s['layers'])
            twin.load_state_dict({k: torch.tensor(v.numpy()) for k, v in layer.state_dict().items()})
            out[name]['torch'] = _step(torch, twin, torch.tensor(x), torch.tensor(y))
    return out


def main(rounds=15):
    """Median time of each step on one thread, minigrad and PyTorch alternating."""
    if torch is not None:
        torch.set_num_threads(1)
    for name, steps in workloads().items():
        times = {lib: [] for lib in steps}
        for _ in range(rounds + 3):
            for lib, step in steps.items():
                start = time.perf_counter()
                step()
                times[lib].append(time.perf_counter() - start)
        medians = {lib: statistics.median(t[3:]) for lib, t in times.items()}
        line = '  '.join(f'{lib} {m * 1e3:6.1f} ms' for lib, m in medians.items())
        ratio = f'  ratio {medians["minigrad"] / medians["torch"]:.2f}' if 'torch' in medians else ''
        print(f'{name:12s} {line}{ratio}')


if __name__ == '__main__':
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        if os.environ.get(var) != '1':      # BLAS reads these once, when NumPy loads
            os.environ[var] = '1'
            os.execv(sys.executable, [sys.executable] + sys.argv)
    main()
