"""Times minigrad's training steps against the same math by hand in NumPy and PyTorch.

    python benchmarks/run.py              # full run (a few minutes)
    python benchmarks/run.py --quick      # under a minute
    python benchmarks/run.py --threads 2 --json results.json

Contenders run in one process, interleaved round by round (the order rotates
each round), with a pause between them so idle BLAS/PyTorch worker threads do
not slow the next one. Each number is the median time per step over rounds;
the spread is the interquartile range. Before timing, the hand-written NumPy
gradients are checked against minigrad's, and objects that already exist
(imported modules) are frozen out of the cyclic GC's scans (gc.freeze()).
"""
import argparse
import gc
import importlib.util
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim

try:
    import torch
except ImportError:          # PyTorch is an optional contender
    torch = None

LR = 0.01

# name: (layer sizes, activation, batch, loss)
MLPS = {
    'mlp-small': ((2, 16, 16, 2), 'tanh', 32, 'ce'),
    'mlp-mnist': ((784, 128, 10), 'relu', 64, 'ce'),
    'mlp-wide': ((512, 1024, 1024, 10), 'relu', 256, 'ce'),
    'mse-vs-ce': ((784, 128, 10), 'relu', 64, 'mse'),
}
QUICK_SIZES = {  # --tiny: the same code paths on toy sizes (for the test suite)
    'mlp-small': ((2, 4, 4, 2), 'tanh', 8, 'ce'),
    'mlp-mnist': ((16, 8, 3), 'relu', 8, 'ce'),
    'mlp-wide': ((8, 16, 16, 3), 'relu', 8, 'ce'),
    'mse-vs-ce': ((16, 8, 3), 'relu', 8, 'mse'),
}


# The layers' training steps against PyTorch eager: benchmarks/<name>.py, each with
# workloads(tiny) -> {workload: {'minigrad': step, 'torch': step}}
LAYER_STEPS = ('conv_steps', 'rnn_steps', 'transformer_steps', 'norm_steps')
# The workloads that are neither an MLP nor a layer's step
OTHERS = ('deep-chain', 'inplace-unrelated', 'op-overhead', 'memory')


# ------------------------------------------------------------ the problems

def make_problem(sizes, batch, seed=0):
    """Shared float32 weights (PyTorch's default init ranges) and one batch."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                        rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)
    return weights, x, y


# minigrad's and NumPy's steps are four calls, their phases, so that benchmarks/profile_step.py
# can time them apart; both pay the same three extra calls (about 0.1 µs; PyTorch's is one call).
PHASES = ('forward', 'loss', 'backward', 'update')


def in_turn(phases):
    """One training step: the phases ({name: call}) called in order."""
    forward, loss, backward, update = phases.values()

    def step():
        forward()
        loss()
        backward()
        update()
    return step


def minigrad_step(weights, x, y, activation, loss):
    """One training step as a user writes it: Sequential, a loss, backward, SGD."""
    phases, model = minigrad_phases(weights, x, y, activation, loss)
    return in_turn(phases), model


def minigrad_phases(weights, x, y, activation, loss):
    """minigrad_step's phases ({name: call}: zero_grad and forward, loss, backward, SGD
    update) and the model."""
    layers = []
    for w, b in weights:
        linear = nn.Linear(w.shape[1], w.shape[0])
        linear.load_state_dict({'weight': w.copy(), 'bias': b.copy()})
        layers += [linear, nn.Tanh() if activation == 'tanh' else nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    opt = optim.SGD(model.parameters(), lr=LR)
    xb, yb = mg.tensor(x), mg.tensor(y)
    onehot = mg.tensor(np.eye(weights[-1][0].shape[0], dtype=np.float32)[y])
    state = {}

    def forward():
        opt.zero_grad()
        state['out'] = model(xb)

    def loss_value():
        out = state['out']
        if loss == 'ce':
            state['value'] = F.cross_entropy(out, yb)
        else:
            state['value'] = F.mse_loss(F.softmax(out, dim=1), onehot)

    def backward():
        state['value'].backward()
    return dict(zip(PHASES, (forward, loss_value, backward, opt.step))), model


def numpy_step(weights, x, y, activation, loss):
    """The same step by hand: forward, the fused loss gradient, backward, SGD."""
    phases, grads = numpy_phases(weights, x, y, activation, loss)
    return in_turn(phases), grads


def numpy_phases(weights, x, y, activation, loss):
    """numpy_step's phases ({name: call}) and the list its gradients go into."""
    params = [(w.copy(), b.copy()) for w, b in weights]
    n, k = x.shape[0], params[-1][0].shape[0]
    onehot = np.eye(k, dtype=np.float32)[y]
    rows = np.arange(n)
    grads, losses, state = [], [], {}

    def forward():
        acts = [x]
        for i, (w, b) in enumerate(params):
            z = acts[-1] @ w.T + b
            if i < len(params) - 1:
                z = np.tanh(z) if activation == 'tanh' else np.maximum(z, 0)
            acts.append(z)
        state['acts'] = acts

    def loss_and_gradient():
        logits = state['acts'][-1]
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        p = e / total
        if loss == 'ce':            # the loss value too: a training loop reports it
            losses.append((np.log(total)[:, 0] - shifted[rows, y]).mean())
            state['grad'] = (p - onehot) / n                # d CE / d logits
        else:
            losses.append(((p - onehot) ** 2).mean())
            dp = 2 * (p - onehot) / (n * k)                 # d MSE / d softmax
            state['grad'] = p * (dp - (dp * p).sum(axis=1, keepdims=True))

    def backward():
        grad, acts = state['grad'], state['acts']
        grads.clear()
        for i in range(len(params) - 1, -1, -1):
            w, b = params[i]
            grads.append((grad.T @ acts[i], grad.sum(axis=0)))
            if i:
                grad = grad @ w
                a = acts[i]
                grad = grad * (1 - a * a) if activation == 'tanh' else grad * (a > 0)

    def update():
        for (w, b), (gw, gb) in zip(params, reversed(grads)):
            w -= LR * gw
            b -= LR * gb
        del losses[:-1]
    return dict(zip(PHASES, (forward, loss_and_gradient, backward, update))), grads


def torch_step(weights, x, y, activation, loss):
    layers = []
    for w, b in weights:
        linear = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, torch.nn.Tanh() if activation == 'tanh' else torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xb, yb = torch.from_numpy(x), torch.from_numpy(y)
    onehot = torch.nn.functional.one_hot(yb, weights[-1][0].shape[0]).float()

    def step():
        opt.zero_grad()
        out = model(xb)
        if loss == 'ce':
            value = torch.nn.functional.cross_entropy(out, yb)
        else:
            value = torch.nn.functional.mse_loss(torch.softmax(out, dim=1), onehot)
        value.backward()
        opt.step()
    return step


def check_gradients(weights, x, y, activation, loss):
    """The hand-written gradients must equal minigrad's, or the comparison means nothing."""
    mg_step, model = minigrad_step(weights, x, y, activation, loss)
    np_step, np_grads = numpy_step(weights, x, y, activation, loss)
    mg_step()
    np_step()
    ours = [p.grad.numpy() for p in model.parameters()]
    hand = [g for pair in reversed(np_grads) for g in pair]
    for name, a, b in zip([n for n, _ in model.named_parameters()], ours, hand):
        if not np.allclose(a, b, rtol=1e-4, atol=1e-6):
            raise AssertionError(f'gradient of {name} differs between minigrad and hand-written '
                                 f'NumPy (max abs diff {np.abs(a - b).max():.3g})')
    return True


# -------------------------------------------------------------- the chains

def chain(x, depth):
    """`depth` elementwise ops on x: alternately scale and shift."""
    for i in range(depth):
        x = x * 1.0001 if i % 2 else x + 0.001
    return x


def chain_step(lib, depth):
    if lib == 'torch':
        x = torch.randn(16, requires_grad=True)
    else:
        x = mg.randn(16, requires_grad=True)

    def step():
        chain(x, depth).sum().backward()
    return step


def unrelated_inplace(tiny, rounds):
    """What an unrelated in-place op between forward and backward (a running counter's add_)
    costs backward: backward times with and without one, interleaved, for a chain of
    elementwise ops (the worst case: every node is cheap) and the mlp-mnist step. PyTorch's
    version counters are per tensor, so it has nothing to compare."""
    depth = 200 if tiny else 3000
    x = mg.randn(16, requires_grad=True)
    timing = _backward_with_counter(lambda: chain(x, depth).sum(), rounds * 4)
    sizes, activation, batch, _ = (QUICK_SIZES if tiny else MLPS)['mlp-mnist']
    weights, xs, ys = make_problem(sizes, batch)
    _, model = minigrad_step(weights, xs, ys, activation, 'ce')
    xb, yb = mg.tensor(xs), mg.tensor(ys)
    mlp = _backward_with_counter(lambda: F.cross_entropy(model(xb), yb), rounds * 40)
    timing['mlp_mnist_ratio'] = mlp['ratio_vs_clean']
    note = (f'  backward with an unrelated add_ before it, against without: '
            f'×{timing["ratio_vs_clean"]:.3f} for a {depth:,}-op chain '
            f'({fmt_us(timing["clean"]["median"])} without), ×{mlp["ratio_vs_clean"]:.3f} for '
            f'mlp-mnist ({fmt_us(mlp["clean"]["median"])})')
    return timing, note


def _backward_with_counter(make_loss, rounds):
    """Median backward time of make_loss() ('minigrad': with a counter's add_ between forward
    and backward; 'clean': without), interleaved round by round."""
    counter = mg.zeros(())
    samples = {'minigrad': [], 'clean': []}
    for r in range(rounds):
        for who in (('minigrad', 'clean') if r % 2 else ('clean', 'minigrad')):
            loss = make_loss()
            if who == 'minigrad':
                counter.add_(1)
            start = time.perf_counter()
            loss.backward()
            samples[who].append(time.perf_counter() - start)
    timing = {who: summary(s, 1) for who, s in samples.items()}
    timing['ratio_vs_clean'] = timing['minigrad']['median'] / timing['clean']['median']
    return timing


def expression(x, y, lib):
    """Ten ops: mul add tanh mul exp sub mul mul add sum."""
    e = x.exp()
    f = (x * y + x).tanh() * y - e
    return (f * f * 0.5 + y).sum()


def expression_numpy(x, y):
    """The same ten ops, forward and backward by hand."""
    a = x * y
    c = np.tanh(a + x)
    e = np.exp(x)
    f = c * y - e
    s = (f * f * 0.5 + y).sum()
    df = f                                  # d(0.5 f²) = f df
    dc = df * y
    db = dc * (1 - c * c)
    dx = db + db * y - df * e
    dy = np.ones_like(y) + df * c + db * x
    return s, dx, dy


def overhead_steps(quick):
    rng = np.random.default_rng(0)
    xa, ya = rng.standard_normal((2, 4, 4)).astype(np.float32)
    steps = {'add': {}, 'expr10': {}, 'view': {}, 'tensor-lookup': {}, 'module-lookup': {}}
    a, b = mg.tensor(xa, requires_grad=True), mg.tensor(ya, requires_grad=True)
    steps['add']['minigrad'] = lambda: a + b
    steps['add']['numpy'] = lambda: xa + ya
    steps['view']['minigrad'] = lambda: a[1:].T          # two views, recorded
    steps['view']['numpy'] = lambda: xa[1:].T
    # names that exist (a miss goes to minigrad/missing.py): a tensor's cost what they did; a
    # module's cost ~13 ns more, as Python does not speed up reads from a module with __getattr__
    steps['tensor-lookup']['minigrad'] = lambda: (a.shape, a.dtype, a.grad, a.sum, a.requires_grad, a.numel)
    steps['tensor-lookup']['numpy'] = lambda: (xa.shape, xa.dtype, xa.flags, xa.sum, xa.ndim, xa.size)
    steps['module-lookup']['minigrad'] = lambda: (mg.exp, mg.zeros, F.relu, nn.Linear)
    steps['module-lookup']['numpy'] = lambda: (np.exp, np.zeros, np.maximum, np.ndarray)

    def mg_expr():
        a.grad = b.grad = None
        expression(a, b, mg).backward()
    steps['expr10']['minigrad'] = mg_expr
    steps['expr10']['numpy'] = lambda: expression_numpy(xa, ya)
    if torch is not None:
        ta, tb = torch.tensor(xa, requires_grad=True), torch.tensor(ya, requires_grad=True)
        steps['add']['torch'] = lambda: ta + tb
        steps['view']['torch'] = lambda: ta[1:].T

        def torch_expr():
            ta.grad = tb.grad = None
            expression(ta, tb, torch).backward()
        steps['expr10']['torch'] = torch_expr
    # the hand-written expression must agree with the engine
    mg_expr()
    _, dx, dy = expression_numpy(xa, ya)
    assert np.allclose(a.grad.numpy(), dx, rtol=1e-4, atol=1e-5), 'expr10: hand-written dx differs'
    assert np.allclose(b.grad.numpy(), dy, rtol=1e-4, atol=1e-5), 'expr10: hand-written dy differs'
    return steps


# ----------------------------------------------------------------- timing

def calls_per_sample(fn, target_seconds):
    """How many calls make one timing sample last about `target_seconds`."""
    fn()
    n, start = 1, time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, int(target_seconds / once))


def race(contenders, rounds, sample_seconds, pause):
    """Median seconds per call of each contender, interleaved round by round."""
    names = list(contenders)
    calls = {n: calls_per_sample(contenders[n], sample_seconds) for n in names}
    samples = {n: [] for n in names}
    for r in range(rounds):
        for n in names[r % len(names):] + names[:r % len(names)]:
            fn, k = contenders[n], calls[n]
            time.sleep(pause)
            start = time.perf_counter()
            for _ in range(k):
                fn()
            samples[n].append((time.perf_counter() - start) / k)
    return {n: summary(s, calls[n]) for n, s in samples.items()}


def summary(samples, calls):
    """A contender's timing: the median of its samples (seconds per call), their quartiles,
    and the calls each sample timed."""
    q = statistics.quantiles(samples, n=4) if len(samples) > 1 else [samples[0]] * 3
    return {'median': statistics.median(samples), 'p25': q[0], 'p75': q[2], 'calls': calls}


def layer_workloads(tiny):
    """{workload: contenders} of every module in LAYER_STEPS (loaded by path, so that this
    file runs both as a script and when imported by the tests)."""
    here = os.path.dirname(os.path.abspath(__file__))
    found = {}
    for name in LAYER_STEPS:
        spec = importlib.util.spec_from_file_location(name, os.path.join(here, name + '.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.update(module.workloads(tiny=tiny))
    return found


def rss_bytes():
    """This process's resident set size (psutil where installed, else Linux's /proc)."""
    try:
        import psutil
    except ImportError:
        with open('/proc/self/statm') as f:
            return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
    return psutil.Process().memory_info().rss


def memory_and_gc(weights, x, y, activation, loss, steps):
    """Resident-memory growth and the share of time in the cyclic GC over `steps` steps."""
    step, _ = minigrad_step(weights, x, y, activation, loss)
    for _ in range(50):
        step()
    gc.collect()
    spent = [0.0]
    started = {}

    def on_gc(phase, info):
        if phase == 'start':
            started['t'] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - started.pop('t', time.perf_counter())
    gc.callbacks.append(on_gc)
    try:
        before = rss_bytes()
        start = time.perf_counter()
        marks = []
        for i in range(steps):
            step()
            if i % (steps // 4) == 0:
                marks.append(rss_bytes())
        total = time.perf_counter() - start
        after = rss_bytes()
    finally:
        gc.callbacks.remove(on_gc)
    return {'steps': steps, 'rss_before_mb': before / 2**20, 'rss_after_mb': after / 2**20,
            'growth_mb': (after - before) / 2**20, 'rss_marks_mb': [m / 2**20 for m in marks],
            'gc_share': spent[0] / total, 'gc_collections_seconds': spent[0]}


# ------------------------------------------------------------------- main

def set_threads(n):
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        print('threadpoolctl is not installed (pip install "minigrad[bench]"): '
              'BLAS keeps its default thread count', file=sys.stderr)
        limiter = None
    else:
        limiter = threadpool_limits(limits=n)
    if torch is not None:
        torch.set_num_threads(n)
    return limiter


def fmt_us(seconds):
    return f'{seconds * 1e6:,.1f} µs' if seconds < 1e-2 else f'{seconds * 1e3:,.2f} ms'


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--quick', action='store_true', help='fewer rounds and shorter samples (under a minute)')
    parser.add_argument('--tiny', action='store_true', help='toy sizes, one short round: checks the script runs (used by the tests)')
    parser.add_argument('--threads', type=int, default=1, help='BLAS and PyTorch threads (default 1)')
    parser.add_argument('--json', metavar='PATH', help='also write the results as JSON to PATH')
    parser.add_argument('--no-torch', action='store_true', help='leave PyTorch out even if it is installed')
    parser.add_argument('--only', nargs='+', metavar='WORKLOAD',
                        help='run only these workloads (' + ', '.join(
                            list(MLPS) + ['cnn-lenet', 'lstm-2layer', 'gru-2layer', 'char-transformer',
                                          'char-transformer-encoder', 'makemore-batchnorm', 'layernorm-block']
                            + list(OTHERS)) + ')')
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f'--threads must be at least 1, got {args.threads}')
    return args


def report(results, name, timing, note=''):
    """Prints one workload's line (medians, quartiles, ratios) and keeps its timing in results."""
    base = timing.get('numpy', {}).get('median')
    line = [f'{name:<14}']
    for who in ('minigrad', 'numpy', 'torch'):
        if who in timing:
            t = timing[who]
            line.append(f'{who} {fmt_us(t["median"])} [{fmt_us(t["p25"])}–{fmt_us(t["p75"])}]')
    ours = timing['minigrad']['median']
    if base:
        timing['ratio_vs_numpy'] = ours / base
        line.append(f'×numpy {ours / base:.2f}')
    if 'torch' in timing:
        timing['ratio_vs_torch'] = ours / timing['torch']['median']
        line.append(f'×torch {timing["ratio_vs_torch"]:.2f}')
    print('  '.join(line) + note, flush=True)
    results['workloads'][name] = timing


def deep_chain(tiny, rounds, sample, pause):
    """The 20,000-op chain against torch, and how its time scales with length (gc on and off)."""
    depth = 200 if tiny else 20_000
    contenders = {'minigrad': chain_step('minigrad', depth)}
    if torch is not None:
        contenders['torch'] = chain_step('torch', depth)
    timing = race(contenders, max(3, rounds // 3), sample, pause)
    short, long_ = (50, 200) if tiny else (10_000, 40_000)
    for key, gc_off in (('linearity', False), ('linearity_gc_off', True)):
        if gc_off:
            gc.disable()            # the same, without the cyclic GC scanning the live graph
        try:
            scale = race({'short': chain_step('minigrad', short), 'long': chain_step('minigrad', long_)},
                         max(3, rounds // 3), sample, pause)
        finally:
            gc.enable()
        timing[key] = scale['long']['median'] / scale['short']['median'] / (long_ / short)
    note = (f'  ({long_:,} vs {short:,} ops: {timing["linearity"]:.2f}× '
            f'linear; {timing["linearity_gc_off"]:.2f}× with gc off)')
    return timing, note


def training_steps(sizes, tiny, wanted):
    """(workload, contenders) of each training step wanted: the MLPs (hand-written NumPy
    among the contenders, its gradients checked first), then the layers'."""
    for name, (layer_sizes, activation, batch, loss) in sizes.items():
        if wanted and name not in wanted:
            continue
        weights, x, y = make_problem(layer_sizes, batch)
        check_gradients(weights, x, y, activation, loss)
        contenders = {'minigrad': minigrad_step(weights, x, y, activation, loss)[0],
                      'numpy': numpy_step(weights, x, y, activation, loss)[0]}
        if torch is not None:
            contenders['torch'] = torch_step(weights, x, y, activation, loss)
        yield name, contenders
    if wanted and not wanted - set(sizes) - set(OTHERS):
        return                          # no layer step wanted: do not build them (a second)
    for name, contenders in layer_workloads(tiny).items():
        if not wanted or name in wanted:
            if torch is None:
                contenders.pop('torch', None)
            yield name, contenders


def main(argv=None):
    args = parse_args(argv)
    global torch
    if args.no_torch:
        torch = None
    limiter = set_threads(args.threads)
    # Objects that exist before timing starts (NumPy's, PyTorch's, every imported
    # module's) are moved out of the cyclic GC's sight, so a full collection
    # triggered during a run does not rescan them: what remains is each
    # contender's own garbage. Standard practice for long-running processes.
    gc.collect()
    gc.freeze()

    rounds = 3 if args.tiny else 7 if args.quick else 15
    sample = 0.005 if args.tiny else 0.05 if args.quick else 0.2
    pause = 0.0 if args.tiny else 0.05
    sizes = QUICK_SIZES if args.tiny else MLPS
    wanted = set(args.only) if args.only else None
    results = {'machine': {'python': platform.python_version(), 'numpy': np.__version__,
                           'torch': torch.__version__ if torch is not None else None,
                           'cpu': platform.processor() or platform.machine(),
                           'cores': os.cpu_count(), 'threads': args.threads},
               'workloads': {}}
    print(f'minigrad benchmarks — Python {platform.python_version()}, NumPy {np.__version__}, '
          f'PyTorch {torch.__version__ if torch else "absent"}, {os.cpu_count()} cores, '
          f'{args.threads} thread(s); median [p25–p75] per step', flush=True)
    for name, contenders in training_steps(sizes, args.tiny, wanted):
        report(results, name, race(contenders, rounds, sample, pause))
    if not wanted or 'deep-chain' in wanted:
        report(results, 'deep-chain', *deep_chain(args.tiny, rounds, sample, pause))
    if not wanted or 'inplace-unrelated' in wanted:
        report(results, 'inplace-unrelated', *unrelated_inplace(args.tiny, rounds))
    if not wanted or 'op-overhead' in wanted:
        for op, contenders in overhead_steps(args.quick).items():
            report(results, f'op-{op}', race(contenders, rounds, sample, pause))
    if not wanted or 'memory' in wanted:
        layer_sizes, activation, batch, loss = sizes['mlp-small']
        weights, x, y = make_problem(layer_sizes, batch)
        mem = memory_and_gc(weights, x, y, activation, loss, 200 if args.tiny else 2000)
        results['memory'] = mem
        print(f'memory        mlp-small over {mem["steps"]} steps: RSS {mem["rss_before_mb"]:.1f} → '
              f'{mem["rss_after_mb"]:.1f} MB (growth {mem["growth_mb"]:+.2f} MB); '
              f'time in cyclic GC {100 * mem["gc_share"]:.2f}%', flush=True)

    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    if limiter is not None:
        limiter.restore_original_limits()
    gc.unfreeze()
    return results


if __name__ == '__main__':
    main()
