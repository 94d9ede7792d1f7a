"""Training steps of the normalisation family, minigrad against PyTorch from the same weights:
the makemore MLP (Embedding, Flatten, Linear, BatchNorm1d, Tanh, Linear; cross-entropy) and
a Linear-LayerNorm-ReLU-Linear block on (batch, tokens, features). One step is forward,
loss, backward and an SGD update. `workloads(tiny=True)` gives toy sizes for the tests."""
import numpy as np

import minigrad as mg

try:
    import torch
except ImportError:
    torch = None


def _makemore(lib, state, sizes):
    nn = lib.nn
    block, embd, hidden = 3, 10, sizes['hidden']
    model = nn.Sequential(nn.Embedding(27, embd), nn.Flatten(), nn.Linear(embd * block, hidden, bias=False),
                          nn.BatchNorm1d(hidden), nn.Tanh(), nn.Linear(hidden, 27))
    return model if state is None else _load(lib, model, state)


def _layer_norm_block(lib, state, sizes):
    nn, d = lib.nn, sizes['features']
    model = nn.Sequential(nn.Linear(d, d), nn.LayerNorm(d), nn.ReLU(), nn.Linear(d, 10))
    return model if state is None else _load(lib, model, state)


def _load(lib, model, state):
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    return model


def _step(lib, model, x, y, lr=0.1):
    params = list(model.parameters())
    inputs, targets = lib.tensor(x), lib.tensor(y)

    def step():
        out = model(inputs)
        loss = lib.nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), targets.reshape(-1))
        for p in params:
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= lr * p.grad
    return step


def workloads(tiny=False):
    """{name: {'minigrad': step, 'torch': step}}, each step one full training step."""
    rng = np.random.default_rng(0)
    batch, tokens = (8, 4) if tiny else (256, 32)
    sizes = {'hidden': 16 if tiny else 200, 'features': 8 if tiny else 128}
    cases = {
        'makemore MLP (BatchNorm1d)': (_makemore, rng.integers(0, 27, (batch, 3)),
                                       rng.integers(0, 27, batch)),
        'LayerNorm block': (_layer_norm_block,
                            rng.standard_normal((batch // 8, tokens, sizes['features'])).astype(np.float32),
                            rng.integers(0, 10, (batch // 8, tokens))),
    }
    out = {}
    for name, (build, x, y) in cases.items():
        ours = build(mg, None, sizes)
        out[name] = {'minigrad': _step(mg, ours, x, y)}
        if torch is not None:
            state = {k: v.numpy() for k, v in ours.state_dict().items()}
            out[name]['torch'] = _step(torch, build(torch, state, sizes), x, y)
    return out


if __name__ == '__main__':
    import time
    if torch is not None:
        torch.set_num_threads(1)
    for name, steps in workloads().items():
        times = {lib: [] for lib in steps}
        for _ in range(7):                  # alternating runs, medians: the machine is shared
            for lib, step in steps.items():
                start, n = time.perf_counter(), 0
                while time.perf_counter() - start < 0.2:
                    step()
                    n += 1
                times[lib].append((time.perf_counter() - start) / n)
        medians = {lib: float(np.median(t)) for lib, t in times.items()}
        ratio = f"  ratio {medians['minigrad'] / medians['torch']:.2f}" if 'torch' in medians else ''
        print(f'{name:30s} ' + '  '.join(f'{lib} {t * 1e3:.2f} ms' for lib, t in medians.items()) + ratio)
