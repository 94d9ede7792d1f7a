#!/usr/bin/env python
"""The MSE-vs-cross-entropy lab: one classifier, two losses, side by side.

    python examples/mse_vs_ce.py                       # spirals, 5 seeds, under a minute
    python examples/mse_vs_ce.py --init-scale 100      # start confidently wrong
    python examples/mse_vs_ce.py --zero-output-layer   # start exactly uniform
    python examples/mse_vs_ce.py --sweep               # the learning-rate sweep (minutes)
    python examples/mse_vs_ce.py --task digits         # or moons
    python examples/mse_vs_ce.py --docs                # every number and figure the README
                                                       # shows (several minutes)

The same network (in -> 64 -> 64 -> out, ReLU, PyTorch's Linear init) starts
from the same weights and sees the same batches under both losses:

  multi-class   softmax + cross-entropy   vs   softmax + MSE on one-hot targets
  binary        sigmoid + BCE (logits)    vs   sigmoid + MSE          (moons)

What to look for. Near a uniform start, with PyTorch's 'mean' reductions (MSE
averages over N*K numbers, cross-entropy over N), the output-layer gradient
of cross-entropy is exactly K^2/2 times MSE's (K classes; 2 for one sigmoid
output). That is a constant factor, which a learning rate about that much
larger can absorb: compare the rates each loss's own sweep picks. Saturation
is different: once softmax outputs sit near 0 or 1 and are wrong, MSE's
gradient carries factors p(1-p) that vanish, cross-entropy's (p - y) does
not, and no learning rate revives a gradient that has underflowed to zero.
The lab reports what happens; it does not assume who wins.

Results go to --out: results.json, runs.csv, curves.png, grad_norm.png,
boundaries.png (2-D tasks), and with --sweep also sweep.json, sweep.csv,
lr_sweep.png.

--docs runs a fixed protocol instead (the README's "The lab" section says
what it is): a sweep and 20 or 40 evaluation seeds for each of four settings,
every run repeated from initial weights nudged by one float32 step (which
runs are chaotic?), and the exact K^2/2 check on each task. It writes
docs/mse_vs_ce_results.json and the docs/ figures, and rewrites the README's
generated lab block from that file (tests/test_lab_results.py checks that the
two agree).
"""
import os

# The matrices here are tiny: threaded BLAS only adds contention. One thread per
# process, and --jobs processes, is much faster (unless you chose otherwise).
for _var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_var, '1')

import argparse                                  # noqa: E402
import csv                                       # noqa: E402
import json                                      # noqa: E402
import math                                      # noqa: E402
import multiprocessing                           # noqa: E402
import pathlib                                   # noqa: E402
import platform                                  # noqa: E402
import sys                                       # noqa: E402
import time                                      # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from types import SimpleNamespace                # noqa: E402

import numpy as np                               # noqa: E402

import minigrad as mg                            # noqa: E402
import minigrad.nn.functional as F               # noqa: E402
from minigrad import data, nn, optim             # noqa: E402
from minigrad.train import fit                   # noqa: E402
from minigrad.utils.data import DataLoader, TensorDataset  # noqa: E402

# ---------------------------------------------------------------- settings

# Learning rates picked by `--sweep`, written in here so that a plain run needs no
# sweep: grid 0.001..50 in 1-2-5 steps, sweep seeds 100-102 (not the evaluation
# seeds), each run up to the task's default steps. For each loss the pick is the
# rate at which the most sweep seeds reached the target accuracy, then the fewest
# steps on average, then the smaller rate. `--docs` re-runs these four sweeps and
# says so if a pick no longer matches the one stored here.
#   python examples/mse_vs_ce.py --sweep --task spirals                   CE 1     MSE 5
#   python examples/mse_vs_ce.py --sweep --task spirals --init-scale 100  CE 0.05  MSE 0.1
#   python examples/mse_vs_ce.py --sweep --task moons                     CE 2     MSE 5
#   python examples/mse_vs_ce.py --sweep --task digits                    CE 0.5   MSE 10
# Keyed by (task, init scale, output layer zeroed); other settings fall back to
# the init-scale-1 rates of their task, and say so.
PICKED_LR = {
    ('spirals', 1.0, False): {'ce': 1.0, 'mse': 5.0},
    ('spirals', 100.0, False): {'ce': 0.05, 'mse': 0.1},     # 0.2 before: a chaotic pick
    ('moons', 1.0, False): {'ce': 2.0, 'mse': 5.0},
    ('digits', 1.0, False): {'ce': 0.5, 'mse': 10.0},
}

TASKS = {
    # full batch: one step = one pass over the 480 training points
    'spirals': dict(classes=3, inputs=2, batch_size=None, steps=1000, eval_every=10,
                    about='3 interleaved spiral arms, 3 x 200 points, angle noise 0.2'),
    'moons': dict(classes=2, inputs=2, batch_size=None, steps=1000, eval_every=10,
                  about='two moons, 500 points, noise 0.2'),
    # mini-batches of 32: one epoch of the 1437 training images is 45 steps
    'digits': dict(classes=10, inputs=64, batch_size=32, steps=900, eval_every=15,
                   about='the UCI 8x8 digits, 1797 images, standardised on the training split'),
}

LR_GRID = [m * 10.0 ** e for e in range(-3, 2) for m in (1, 2, 5)]     # 0.001 ... 50
EVAL_SEEDS = 0
SWEEP_SEEDS = 100
HIDDEN = 64
EARLY = 100             # "the first updates": steps 1..EARLY
JITTER_SEED = 10_000    # seeds the direction of the one-ulp nudges (--docs)

# --docs: what the README shows. Success rates from the saturated start rest on 40 seeds.
REPO = pathlib.Path(__file__).resolve().parent.parent
DOCS_DIR = REPO / 'docs'
README = REPO / 'README.md'
RESULTS_NAME = 'mse_vs_ce_results.json'
DOCS_COMMAND = 'python examples/mse_vs_ce.py --docs'
DOCS_PROTOCOL = [
    dict(key='benign', task='spirals', init_scale=1.0, seeds=20,
         title='spirals, benign start'),
    dict(key='saturated', task='spirals', init_scale=100.0, seeds=40,
         title='spirals, output layer ×100 at the start (saturated)'),
    dict(key='moons', task='moons', init_scale=1.0, seeds=20,
         title='moons (binary: one sigmoid output)'),
    dict(key='digits', task='digits', init_scale=1.0, seeds=20,
         title='digits (K = 10, mini-batches of 32)'),
]
DOCS_SWEEP_SEEDS = 3
BEGIN_MARK = ('<!-- BEGIN generated by `python examples/mse_vs_ce.py --docs` from '
              'docs/mse_vs_ce_results.json: do not edit by hand -->')
END_MARK = '<!-- END generated -->'


def loss_label(loss, binary):
    if binary:
        return {'ce': 'sigmoid + BCE', 'mse': 'sigmoid + MSE', 'mse_raw': 'MSE on raw output'}[loss]
    return {'ce': 'softmax + cross-entropy', 'mse': 'softmax + MSE (one-hot)',
            'mse_raw': 'MSE on raw logits'}[loss]


# ------------------------------------------------------------------- data

def load_task(task, seed):
    """(X_train, X_test, y_train, y_test) for one seed: the seed draws the data
    (synthetic sets) and the 80/20 split."""
    if task == 'spirals':
        X, y = data.make_spirals(n_samples=600, n_classes=3, noise=0.2, seed=seed)
    elif task == 'moons':
        X, y = data.make_moons(n_samples=500, noise=0.2, seed=seed)
    else:
        X, y = data.load_digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, seed=seed)
    if task == 'digits':
        # standardise with the training split's statistics only; blank pixels stay 0
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std[std == 0] = 1.0
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return (X_train.astype(np.float32), X_test.astype(np.float32),
            y_train.astype(np.int64), y_test.astype(np.int64))


def make_loss(loss, classes):
    """loss_fn(output, class_indices) for one of 'ce', 'mse', 'mse_raw'."""
    if classes == 2:                                  # one sigmoid output
        def target(y):
            return mg.from_numpy(y.numpy().astype(np.float32).reshape(-1, 1))
        if loss == 'ce':
            return lambda out, y: F.binary_cross_entropy_with_logits(out, target(y))
        if loss == 'mse':
            return lambda out, y: F.mse_loss(F.sigmoid(out), target(y))
        return lambda out, y: F.mse_loss(out, target(y))
    eye = np.eye(classes, dtype=np.float32)

    def one_hot(y):
        return mg.from_numpy(eye[y.numpy()])
    if loss == 'ce':
        return lambda out, y: F.cross_entropy(out, y)
    if loss == 'mse':
        return lambda out, y: F.mse_loss(F.softmax(out, dim=1), one_hot(y))
    return lambda out, y: F.mse_loss(out, one_hot(y))


def make_model(task, seed, init_scale=1.0, zero_output=False, jitter=False):
    """in -> 64 -> 64 -> out with ReLU, PyTorch's default init drawn from `seed`.

    jitter=True moves every initial weight and bias to the neighbouring float32
    value, up or down at random: a change of the size float32 rounding makes, to
    see whether a run's outcome survives it.
    """
    spec = TASKS[task]
    outputs = 1 if spec['classes'] == 2 else spec['classes']
    mg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(spec['inputs'], HIDDEN), nn.ReLU(),
                          nn.Linear(HIDDEN, HIDDEN), nn.ReLU(),
                          nn.Linear(HIDDEN, outputs))
    last = model[4]
    if zero_output:
        last.weight.data[...] = 0.0
        last.bias.data[...] = 0.0
    elif init_scale != 1.0:
        last.weight.data *= np.float32(init_scale)    # confidently wrong from the start
    if jitter:
        gen = np.random.default_rng(JITTER_SEED + seed)
        with mg.no_grad():
            for p in model.parameters():
                values = p.detach().numpy()
                towards = np.where(gen.random(values.shape) < 0.5, -np.inf, np.inf)
                values[...] = np.nextafter(values, towards.astype(values.dtype))
    return model


# ------------------------------------------------------------------- one run

def run_one(job):
    """Trains one (seed, loss, lr) and returns plain numbers (runs in a worker process)."""
    task, seed, loss, lr, cfg = job['task'], job['seed'], job['loss'], job['lr'], job['cfg']
    spec = TASKS[task]
    X_train, X_test, y_train, y_test = load_task(task, seed)
    model = make_model(task, seed, cfg['init_scale'], cfg['zero_output'], job.get('jitter', False))
    loss_fn = make_loss(loss, spec['classes'])
    optimizer = optim.SGD(model.parameters(), lr=lr)
    if spec['batch_size'] is None:
        train_data = (X_train, y_train)
        target_on = None                   # the full-batch accuracy at each step
    else:                                  # the same batches for both losses: seeded by `seed`
        train_data = DataLoader(TensorDataset(mg.tensor(X_train), mg.tensor(y_train)),
                                batch_size=spec['batch_size'], shuffle=True,
                                generator=mg.Generator().manual_seed(seed))
        target_on = 'train'
    # Too large a rate overflows: fit stops there and the run is reported as diverged,
    # so NumPy's overflow warnings would only repeat that.
    with np.errstate(over='ignore', invalid='ignore', under='ignore'):
        history = fit(model, loss_fn, optimizer, train_data, steps=cfg['steps'],
                      eval_data={'train': (X_train, y_train), 'test': (X_test, y_test)},
                      eval_every=spec['eval_every'], target_accuracy=cfg['target'],
                      target_on=target_on, stop_at_target=job.get('stop_at_target', False),
                      progress=False)
    w, b = history.grad_norms(['4.weight', '4.bias']).values()
    out_norm = np.sqrt(w.astype(np.float64) ** 2 + b.astype(np.float64) ** 2)
    early = out_norm[1:1 + EARLY]
    final_train = history.evals['train']
    result = dict(task=task, seed=seed, loss=loss, lr=lr, setting=job['setting'],
                  tag=job.get('tag'), jitter=job.get('jitter', False),
                  steps=history.steps, steps_to_target=history.steps_to_target,
                  diverged=history.diverged, seconds=history.seconds,
                  grad_start=float(out_norm[0]) if len(out_norm) else None,
                  grad_early=float(np.median(early)) if len(early) else None,
                  final_loss=final_train['loss'][-1] if not history.diverged else float('nan'),
                  final_train_acc=final_train['accuracy'][-1],
                  final_test_acc=history.evals['test']['accuracy'][-1])
    if job.get('curves', True):
        result['curves'] = dict(
            loss=_round(history.loss), accuracy=_round(history.accuracy),
            grad_norm=_round(out_norm.tolist()),
            eval_step=history.evals['test']['step'],
            train_accuracy=_round(final_train['accuracy']),
            test_accuracy=_round(history.evals['test']['accuracy']))
    if job.get('boundary') and spec['inputs'] == 2:
        result['boundary'] = boundary_grid(model, X_train)
    return result


def _round(values):
    return [float(f'{v:.6g}') for v in values]


def boundary_grid(model, X, size=160):
    """Predicted class on a size x size grid around the training points."""
    lo, hi = X.min(axis=0) - 0.25, X.max(axis=0) + 0.25
    xs, ys = np.linspace(lo[0], hi[0], size), np.linspace(lo[1], hi[1], size)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(np.float32)
    with mg.no_grad():
        out = model(mg.from_numpy(grid)).numpy()
    pred = out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] > 0).astype(np.int64)
    return dict(extent=[float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])],
                pred=pred.reshape(size, size).tolist())


def run_jobs(jobs, n_workers, quiet, desc):
    """Runs the jobs (in worker processes when n_workers > 1), in order."""
    bar = None
    if not quiet:
        try:
            from tqdm import tqdm
            bar = tqdm(total=len(jobs), desc=desc, unit='run', file=sys.stderr)
        except ImportError:
            pass
    results = [None] * len(jobs)
    if n_workers <= 1:
        for i, job in enumerate(jobs):
            results[i] = run_one(job)
            if bar is not None:
                bar.update(1)
    else:
        context = multiprocessing.get_context('fork' if 'fork' in
                                              multiprocessing.get_all_start_methods() else None)
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
            futures = [pool.submit(run_one, job) for job in jobs]
            for i, future in enumerate(futures):
                results[i] = future.result()
                if bar is not None:
                    bar.update(1)
    if bar is not None:
        bar.close()
    return results


def evaluation_jobs(task, seeds, own, shared_lr, cfg, losses, **extra):
    """Each seed at each loss's own rate, and CE and MSE at the shared rate (a run whose own
    rate is the shared rate is not repeated: `with_shared` lists it twice afterwards)."""
    jobs = []
    for seed in seeds:
        for loss in losses:
            jobs.append(dict(task=task, seed=seed, loss=loss, lr=own[loss], setting='own',
                             cfg=cfg, **extra))
        for loss in ('ce', 'mse'):
            if own[loss] != shared_lr:
                jobs.append(dict(task=task, seed=seed, loss=loss, lr=shared_lr,
                                 setting='shared', cfg=cfg, **extra))
    return jobs


def with_shared(runs, own, shared_lr, losses):
    """The runs, plus a 'shared' copy of each run whose own rate is the shared rate; sorted."""
    runs = list(runs)
    for loss in ('ce', 'mse'):
        if own[loss] == shared_lr:
            runs += [dict(r, setting='shared') for r in runs
                     if r['loss'] == loss and r['setting'] == 'own']
    runs.sort(key=lambda r: (r['setting'] != 'own', losses.index(r['loss']), r['seed']))
    return runs


# ------------------------------------------------------------------ summaries

def _mean_std(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return None, None
    return float(np.mean(values)), float(np.std(values))


def wilson(k, n, z=1.96):
    """The 95% Wilson score interval for a success fraction k/n: the spread a count of
    successes has from seed to seed (it stays inside [0, 1], unlike k/n ± 2 SE)."""
    if n == 0:
        return None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _quartiles(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return None, None, None
    q1, q2, q3 = np.percentile(values, [25, 50, 75])
    return float(q1), float(q2), float(q3)


def summarise(runs):
    """One row per (setting, loss), over seeds."""
    rows = []
    for setting, loss, group in _groups(runs):
        reached = [r['steps_to_target'] for r in group if r['steps_to_target'] is not None]
        low, high = wilson(len(reached), len(group))
        row = dict(setting=setting, loss=loss, lr=group[0]['lr'], seeds=len(group),
                   reached=len(reached), reached_low=low, reached_high=high,
                   diverged=sum(r['diverged'] for r in group))
        row['steps_to_target_mean'], row['steps_to_target_std'] = _mean_std(reached)
        for key in ('final_train_acc', 'final_test_acc', 'final_loss'):
            row[key + '_mean'], row[key + '_std'] = _mean_std([r[key] for r in group])
        # Gradient norms span decades and can be exactly 0: medians and quartiles over seeds.
        for key in ('grad_start', 'grad_early'):
            values = [r[key] for r in group if r[key] is not None]
            q1, median, q3 = _quartiles(values)
            row.update({key + '_median': median, key + '_q1': q1, key + '_q3': q3,
                        key + '_min': float(np.min(values)) if values else None,
                        key + '_max': float(np.max(values)) if values else None,
                        key + '_zero': sum(v == 0 for v in values)})
        rows.append(row)
    return rows


def nudge_rows(runs, twins):
    """For each (setting, loss): how the runs from nudged initial weights differ."""
    rows = []
    twin = {(r['setting'], r['loss'], r['seed']): r for r in twins}
    for setting, loss, group in _groups(runs):
        pairs = [(r, twin[(setting, loss, r['seed'])]) for r in group
                 if (setting, loss, r['seed']) in twin]
        if not pairs:
            continue
        flipped = [a['seed'] for a, b in pairs
                   if (a['steps_to_target'] is None) != (b['steps_to_target'] is None)]
        moved = [abs(a['steps_to_target'] - b['steps_to_target']) for a, b in pairs
                 if a['steps_to_target'] is not None and b['steps_to_target'] is not None]
        same = sum(a['steps_to_target'] == b['steps_to_target'] for a, b in pairs)
        reached = [b['steps_to_target'] for _, b in pairs if b['steps_to_target'] is not None]
        mean, std = _mean_std(reached)
        rows.append(dict(setting=setting, loss=loss, seeds=len(pairs), flipped=len(flipped),
                         flipped_seeds=flipped, unchanged=same,
                         moved_median=float(np.median(moved)) if moved else None,
                         moved_max=max(moved) if moved else None,
                         twin_reached=len(reached), twin_steps_mean=mean, twin_steps_std=std))
    return rows


def _groups(runs):
    keys = []
    for r in runs:
        if (r['setting'], r['loss']) not in keys:
            keys.append((r['setting'], r['loss']))
    return [(s, l, [r for r in runs if r['setting'] == s and r['loss'] == l]) for s, l in keys]


def start_ratio(runs, setting='own'):
    """|grad_out| CE / MSE at step 0 per seed (the same weights, so lr plays no part), and
    their median."""
    ce = {r['seed']: r['grad_start'] for r in runs if r['setting'] == setting and r['loss'] == 'ce'}
    mse = {r['seed']: r['grad_start'] for r in runs if r['setting'] == setting and r['loss'] == 'mse'}
    ratios = [ce[s] / mse[s] for s in ce if s in mse and mse[s] > 0]
    return (float(np.median(ratios)) if ratios else None), ratios


def _fmt(mean, std, digits=3, fmt='f'):
    if mean is None:
        return '-'
    return f'{mean:.{digits}{fmt}} ± {std:.{digits}{fmt}}'


def _g(value):
    return '-' if value is None else f'{value:.3g}'


def _pct(value):
    return f'{100 * value:.0f}%'


def print_table(rows, args, binary):
    settings = [('own', 'each loss at the learning rate its own sweep picked'),
                ('shared', 'both losses at one shared learning rate')]
    head = (f'{"loss":<25} {"lr":>6}  {"steps to " + format(args.target, ".0%"):>15} '
            f'{"reached":>7}  {"train acc":>13}  {"test acc":>13}  {"final loss":>10}  '
            f'{"|grad_out| start":>17}  {"updates 1-" + str(EARLY):>15}')
    for setting, title in settings:
        block = [r for r in rows if r['setting'] == setting]
        if not block:
            continue
        print(f'\n{title}:')
        print(head)
        print('-' * len(head))
        for r in block:
            steps = (_fmt(r['steps_to_target_mean'], r['steps_to_target_std'], 0)
                     if r['reached'] else 'never')
            reached = f'{r["reached"]}/{r["seeds"]}'
            final_loss = '-' if r['final_loss_mean'] is None else f'{r["final_loss_mean"]:.4f}'
            print(f'{loss_label(r["loss"], binary):<25} {r["lr"]:>6g}  {steps:>15} {reached:>7}  '
                  f'{_fmt(r["final_train_acc_mean"], r["final_train_acc_std"]):>13}  '
                  f'{_fmt(r["final_test_acc_mean"], r["final_test_acc_std"]):>13}  '
                  f'{final_loss:>10}  '
                  f'{_g(r["grad_start_median"]):>17}  {_g(r["grad_early_median"]):>15}'
                  + (f'   ({r["diverged"]} diverged)' if r['diverged'] else ''))
    print(f'\nsteps to target: mean ± std over the seeds that reached it; reached: seeds that '
          f'reached it, of all seeds; train/test accuracy and (training) loss after the last '
          f'step, mean over seeds; |grad_out|: L2 norm of the gradient of the output layer\'s '
          f'weight and bias, at step 0 and each seed\'s median over updates 1-{EARLY}, then the '
          f'median over seeds (they span decades, and can be exactly 0).'
          + ('' if TASKS[args.task]['batch_size'] is None else
             f' With mini-batches the target is checked on the whole training split every '
             f'{TASKS[args.task]["eval_every"]} steps.'))


def why_half_k_squared(K):
    if K == 2:
        return ('BCE-with-logits gives (p - y)/N per logit; MSE on the sigmoid gives '
                '2(p - y)·p(1-p)/N, and p(1-p) = 1/4 at p = 1/2, so 1/2 of it')
    return ('cross-entropy gives (p - y)/N per logit; MSE on the softmax averages over N·K '
            'numbers and gives 2/(N·K) times the softmax Jacobian times (p - y), which at '
            'p = 1/K is (p - y)/K: 2/K² of it')


def _fraction_text(row):
    low, high = row['reached_low'], row['reached_high']
    return (f'{row["reached"]}/{row["seeds"]} seeds ({_pct(row["reached"] / row["seeds"])}; '
            f'95% interval {_pct(low)}-{_pct(high)})')


def reading(rows, runs, args, K):
    """A plain-words account of this run's numbers: every comparison is computed, not assumed."""
    lines = []
    half_k2 = K * K / 2
    ratio, ratios = start_ratio(runs)
    by = {(r['setting'], r['loss']): r for r in rows}
    if ratio is not None and args.init_scale == 1:
        start = ('exactly uniform (output layer zeroed)' if args.zero_output_layer
                 else 'near uniform (small random output layer)')
        lines.append(
            f'1. A constant factor. At step 0 (same weights) the output-layer gradient of '
            f'cross-entropy is {ratio:.3g}x MSE\'s (median over seeds, '
            f'{min(ratios):.3g} to {max(ratios):.3g}). At a uniform start it is exactly '
            f'K²/2 = {half_k2:g}: {why_half_k_squared(K)}. This run starts {start}. A '
            f'constant factor is absorbed by a learning rate that much larger: the rates used '
            f'here are {args.lr_ce:g} for CE and {args.lr_mse:g} for MSE, a ratio of '
            f'{args.lr_mse / args.lr_ce:.3g}.')
    own_ce, own_mse = by.get(('own', 'ce')), by.get(('own', 'mse'))
    sh_ce, sh_mse = by.get(('shared', 'ce')), by.get(('shared', 'mse'))

    def compare(a, b, where):
        if a is None or b is None:
            return None
        ta, tb = a['steps_to_target_mean'], b['steps_to_target_mean']
        na, nb, n = a['reached'], b['reached'], a['seeds']
        if not na and not nb:
            return f'{where}: neither loss reached {args.target:.0%} within {args.steps} steps.'
        if na and not nb:
            return (f'{where}: cross-entropy reached {args.target:.0%} on {na}/{n} seeds '
                    f'(mean {ta:.0f} steps), MSE on none within {args.steps} steps.')
        if nb and not na:
            return (f'{where}: MSE reached {args.target:.0%} on {nb}/{n} seeds (mean {tb:.0f} '
                    f'steps), cross-entropy on none within {args.steps} steps.')
        factor = max(ta, tb) / max(min(ta, tb), 1)
        verdict = ('about equally fast' if factor < 1.15 else
                   f'{"cross-entropy" if ta < tb else "MSE"} {factor:.2g}x sooner')
        return (f'{where}: cross-entropy reached {args.target:.0%} in {ta:.0f} steps on average '
                f'({na}/{n} seeds), MSE in {tb:.0f} ({nb}/{n}): {verdict}.')
    shared = compare(sh_ce, sh_mse, f'2. Shared learning rate {args.shared_lr:g}')
    if shared:
        lines.append(shared)
    own = compare(own_ce, own_mse,
                  f'3. Each at its own rate (CE {args.lr_ce:g}, MSE {args.lr_mse:g})')
    if own:
        lines.append(own)
    if args.init_scale == 1:
        lines.append('4. Saturation is not a constant factor. Rerun with --init-scale 100: the '
                     'outputs then start near 0 and 1 and confidently wrong; MSE\'s gradient '
                     'carries p(1-p) factors that vanish there, cross-entropy\'s (p - y) does '
                     'not, and no learning rate revives a gradient that has underflowed.')
    else:
        parts = []
        for loss in ('ce', 'mse'):
            row = by.get(('own', loss))
            if row is None:
                continue
            parts.append(f'{"cross-entropy" if loss == "ce" else "MSE"} '
                         f'{_g(row["grad_start_median"])} at step 0 and '
                         f'{_g(row["grad_early_median"])} over updates 1-{EARLY} (per seed '
                         f'{_g(row["grad_early_min"])} to {_g(row["grad_early_max"])}), reaching '
                         f'{args.target:.0%} on {_fraction_text(row)}')
        lines.append(f'4. Saturated start (output layer x{args.init_scale:g}). Output-layer '
                     f'gradient at each loss\'s own rate, median over seeds: '
                     + '; '.join(parts) + f'. The CE/MSE ratio at step 0 is {_g(ratio)} '
                     f'(per seed {_g(min(ratios, default=None))} to '
                     f'{_g(max(ratios, default=None))}), against about {half_k2:g} from a benign '
                     f'start: where the outputs saturate, MSE\'s p(1-p) factors vanish and '
                     f'cross-entropy\'s (p - y) does not. That is not a constant factor. With '
                     f'few seeds the fractions are rough: the 95% intervals say how rough '
                     f'(`--docs` uses 40 seeds).')
    return lines


def representative_seed(runs, loss='mse', setting='own'):
    """The seed whose run of `loss` at `setting` ended at the median final training accuracy
    (the lower of the two middle ones for an even count; ties by seed): a typical run, not
    the best. Returns (seed, that accuracy)."""
    group = sorted(((r['final_train_acc'], r['seed']) for r in runs
                    if r['loss'] == loss and r['setting'] == setting and not r.get('jitter')),
                   key=lambda t: (t[0] if math.isfinite(t[0]) else -1.0, t[1]))
    if not group:
        return None, None
    acc, seed = group[(len(group) - 1) // 2]
    return seed, acc


# ------------------------------------------------------------------- figures

COLORS = {'ce': 'tab:blue', 'mse': 'tab:orange', 'mse_raw': 'tab:green'}
FLOOR = 1e-30           # exact zeros cannot sit on a log axis: they are drawn here


def _matplotlib():
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    return plt


def _stack(curves, log=False):
    """Seeds x steps, NaN-padded where a run stopped early (diverged); clipped for a log axis."""
    length = max(len(c) for c in curves)
    arr = np.full((len(curves), length), np.nan)
    for i, c in enumerate(curves):
        arr[i, :len(c)] = c
    if log:
        arr = np.where(np.isnan(arr), np.nan, np.clip(arr, FLOOR, None))
    return arr


def _seed_lines(ax, x, curves, color, label, log=False, style='-', thin=True, median=True):
    """A thin line per seed and a thick one for the median over seeds at each step (without
    `median`, only the seeds' lines: the median of a two-humped spread is no typical run)."""
    arr = _stack(curves, log)
    x = np.asarray(x)[:arr.shape[1]]
    if thin:
        for i, row in enumerate(arr):
            ax.plot(x, row, style, color=color, linewidth=0.6 if median else 0.8,
                    alpha=0.3 if median else 0.45, label=None if median or i else label)
    if not median:
        return
    with np.errstate(all='ignore'):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', RuntimeWarning)     # all-NaN columns after a stop
            median = np.nanmedian(arr, axis=0)
    ax.plot(x, median, style, color=color, linewidth=2.0, label=label)


def _label(setting, loss, lr, binary):
    return f'{loss_label(loss, binary)}, lr {lr:g} ({"own rate" if setting == "own" else "shared"})'


def _note(view, median=True):
    start = ('uniform start (output layer zeroed)' if view.zero_output_layer
             else f'output-layer init x{view.init_scale:g}')
    return (f'{view.task}, {len(view.seed_list)} seeds, {start}. '
            + ('Thin lines: one per seed; thick: the median over seeds at each step.' if median
               else 'One line per seed.'))


def plot_curves(runs, view, K, binary, path):
    """Training loss and accuracy per step: each loss at its own rate, and at the shared rate."""
    plt = _matplotlib()
    settings = [s for s in ('own', 'shared') if any(r['setting'] == s for r in runs)]
    fig, axes = plt.subplots(len(settings), 2, figsize=(12, 4.2 * len(settings)), squeeze=False,
                             layout='constrained')
    for row, setting in enumerate(settings):
        ax_loss, ax_acc = axes[row]
        for s, loss, group in _groups(runs):
            if s != setting:
                continue
            c = COLORS[loss]
            label = _label(setting, loss, group[0]['lr'], binary)
            steps = np.arange(max(len(r['curves']['loss']) for r in group))
            _seed_lines(ax_loss, steps, [r['curves']['loss'] for r in group], c, label, log=True)
            ev = group[0]['curves']['eval_step']
            if TASKS[view.task]['batch_size'] is None:
                _seed_lines(ax_acc, steps, [r['curves']['accuracy'] for r in group], c,
                            label + ': train')
            else:
                _seed_lines(ax_acc, ev, [r['curves']['train_accuracy'] for r in group], c,
                            label + ': train')
            _seed_lines(ax_acc, ev, [r['curves']['test_accuracy'] for r in group], c,
                        label + ': test (median only)', style=':', thin=False)
        rate = ('each at its own rate' if setting == 'own'
                else f'both at the shared rate {view.shared_lr:g}')
        ax_loss.set_yscale('log')
        ax_loss.set_title(f'Training loss, {rate}')
        ax_loss.set_xlabel('step (SGD update)')
        ax_loss.set_ylabel('loss (log scale; CE and MSE are different scales)')
        ax_acc.axhline(view.target, color='grey', linewidth=0.8, linestyle='--')
        ax_acc.text(0.99, view.target, f'target {view.target:.0%} ', color='grey', va='bottom',
                    ha='right', transform=ax_acc.get_yaxis_transform(), fontsize=8)
        ax_acc.set_title(f'Accuracy, {rate}')
        ax_acc.set_xlabel('step (SGD update)')
        ax_acc.set_ylabel('accuracy')
        ax_acc.set_ylim(0, 1.02)
        for ax in (ax_loss, ax_acc):
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=7.5, loc='best')
    fig.suptitle(f'MSE vs cross-entropy on {view.task}: loss and accuracy per step')
    fig.supxlabel(_note(view), fontsize=8.5)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _grad_panel(ax, runs, rows, setting, binary, quote=True, median=True):
    """Output-layer gradient norm per step, one line per seed; with `quote`, the number the
    text quotes (median over seeds of each seed's median over updates 1-EARLY) as a bar."""
    clipped = False
    for s, loss, group in _groups(runs):
        if s != setting:
            continue
        curves = [r['curves']['grad_norm'] for r in group]
        clipped |= any(v < FLOOR for c in curves for v in c)
        row = next(r for r in rows if r['setting'] == s and r['loss'] == loss)
        value = row['grad_early_median'] if quote else None
        label = _label(setting, loss, group[0]['lr'], binary)
        if value is not None:
            label += f'; updates 1-{EARLY}: {value:.2g}'
        _seed_lines(ax, np.arange(max(map(len, curves))), curves, COLORS[loss], label, log=True,
                    median=median)
        if value is not None:
            from matplotlib import patheffects
            ax.hlines(max(value, FLOOR), 1, EARLY, colors=COLORS[loss], linestyles=(0, (3, 1.5)),
                      linewidth=2.2, zorder=5,
                      path_effects=[patheffects.withStroke(linewidth=4.2, foreground='black')])
    ax.set_yscale('log')
    ax.set_xlabel('step (SGD update)')
    ax.set_ylabel('output-layer ‖∂loss/∂(W, b)‖ (log)')
    ax.grid(True, which='major', alpha=0.3)
    return clipped


def plot_grad_norm(runs, rows, view, K, binary, path):
    plt = _matplotlib()
    settings = [s for s in ('own', 'shared') if any(r['setting'] == s for r in runs)]
    fig, axes = plt.subplots(1, len(settings), figsize=(6.5 * len(settings), 4.8), squeeze=False,
                             layout='constrained')
    clipped = False
    for ax, setting in zip(axes[0], settings):
        # From a saturated start the seeds split into two groups: a median line between them
        # would be no run at all, so only the seeds' lines there.
        clipped |= _grad_panel(ax, runs, rows, setting, binary, median=view.init_scale == 1)
        rate = ('each at its own rate' if setting == 'own'
                else f'both at the shared rate {view.shared_lr:g}')
        ax.set_title(f'Output-layer gradient, {rate}')
        ax.legend(fontsize=8)
    ratio, _ = start_ratio(runs)
    ratio_text = f'{ratio:.3g}' if ratio is not None else 'n/a'
    if view.init_scale == 1:
        second = ('Saturation is not a constant factor: see --init-scale 100, a confidently '
                  'wrong start.')
    else:
        second = (f'Output layer started x{view.init_scale:g} (saturated): compare with '
                  f'--init-scale 1; a constant factor would only shift the curves.')
    fig.suptitle(f'{view.task}: at step 0, CE/MSE output-layer gradient = {ratio_text} (median '
                 f'over seeds); at a uniform start it is exactly K²/2 = {K * K / 2:g},\na '
                 f'constant factor that a larger learning rate absorbs. {second}', fontsize=10)
    fig.supxlabel(_note(view, median=view.init_scale == 1) + f'\nDashed bars over updates '
                  f'1-{EARLY}: the median over seeds of each seed\'s median there (the number in '
                  f'the legend and the table).'
                  + (f' Exact zeros drawn at {FLOOR:g}.' if clipped else ''), fontsize=8.5)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_saturated(runs, rows, view, binary, path):
    """From a saturated start: training accuracy (top) and output-layer gradient (bottom)
    per step and per seed, each loss at its own rate (left) and at the shared rate (right)."""
    plt = _matplotlib()
    settings = [s for s in ('own', 'shared') if any(r['setting'] == s for r in runs)]
    fig, axes = plt.subplots(2, len(settings), figsize=(6.6 * len(settings), 8.6), squeeze=False,
                             layout='constrained', sharex=True)
    clipped = False
    for col, setting in enumerate(settings):
        ax_acc, ax_grad = axes[0, col], axes[1, col]
        for s, loss, group in _groups(runs):
            if s != setting:
                continue
            row = next(r for r in rows if r['setting'] == s and r['loss'] == loss)
            steps = np.arange(max(len(r['curves']['accuracy']) for r in group))
            _seed_lines(ax_acc, steps, [r['curves']['accuracy'] for r in group], COLORS[loss],
                        f'{_label(setting, loss, group[0]["lr"], binary)}: reached '
                        f'{view.target:.0%} on {row["reached"]}/{row["seeds"]}', median=False)
        ax_acc.axhline(view.target, color='grey', linewidth=0.8, linestyle='--')
        ax_acc.set_ylim(0, 1.02)
        ax_acc.set_ylabel('training accuracy')
        rate = ('each loss at its own rate' if setting == 'own'
                else f'both at the shared rate {view.shared_lr:g}')
        ax_acc.set_title(f'Training accuracy, {rate}', fontsize=10.5)
        ax_acc.grid(True, alpha=0.3)
        ax_acc.legend(fontsize=8, loc='lower right')
        clipped |= _grad_panel(ax_grad, runs, rows, setting, binary, median=False)
        ax_grad.set_title(f'Output-layer gradient, {rate}', fontsize=10.5)
        ax_grad.legend(fontsize=8, loc='lower right')
    fig.suptitle(f'From a saturated start (output layer ×{view.init_scale:g}), '
                 f'{len(view.seed_list)} seeds on {view.task}', fontsize=12)
    fig.supxlabel(f'One line per seed. Dashed bars over updates 1-{EARLY}: the median over seeds '
                  f'of each seed\'s median gradient there, the number in the legend and the '
                  f'README\'s text.'
                  + (f' Exact zeros drawn at {FLOOR:g}.' if clipped else ''), fontsize=8.5)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_boundaries(runs, view, binary, path, why=None):
    """Decision regions of one seed's runs (those carrying a 'boundary' grid)."""
    plt = _matplotlib()
    from matplotlib.colors import ListedColormap
    shown = [r for r in runs if 'boundary' in r]
    if not shown:
        return False
    X_train, _, y_train, _ = load_task(view.task, shown[0]['seed'])
    K = TASKS[view.task]['classes']
    palette = ['tab:blue', 'tab:orange', 'tab:green', 'tab:red', 'tab:purple'][:K]
    fig, axes = plt.subplots(1, len(shown), figsize=(4.3 * len(shown), 4.7), squeeze=False,
                             layout='constrained')
    for ax, r in zip(axes[0], shown):
        b = r['boundary']
        ax.imshow(np.array(b['pred']), origin='lower', extent=b['extent'], aspect='auto',
                  cmap=ListedColormap(palette), alpha=0.25, vmin=0, vmax=K - 1,
                  interpolation='nearest')
        for k in range(K):
            pts = X_train[y_train == k]
            ax.scatter(pts[:, 0], pts[:, 1], s=7, color=palette[k], label=f'class {k}',
                       edgecolors='none')
        reached = (f'{r["steps_to_target"]} steps to {view.target:.0%}'
                   if r['steps_to_target'] is not None else f'never reached {view.target:.0%}')
        ax.set_title(f'{loss_label(r["loss"], binary)}, lr {r["lr"]:g}\n'
                     f'{"own rate" if r["setting"] == "own" else "shared rate"}: train acc '
                     f'{r["final_train_acc"]:.2f}, {reached}', fontsize=9)
        ax.set_xlabel('x₁')
        ax.set_ylabel('x₂')
        ax.legend(fontsize=7, loc='lower right', markerscale=1.5)
    start = ('' if view.init_scale == 1 else f', output layer ×{view.init_scale:g} at the start')
    fig.suptitle(f'{view.task}{start}: decision regions after {view.steps} steps, seed '
                 f'{shown[0]["seed"]} (training points)', fontsize=11)
    if why:
        fig.supxlabel(why, fontsize=8.5)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_sweep(sweep, picks, view, K, binary, path):
    plt = _matplotlib()
    import matplotlib.ticker
    fig, ax = plt.subplots(figsize=(8, 5))
    ceiling = view.steps * 1.5
    for i, loss in enumerate(view.losses):
        rows = [s for s in sweep if s['loss'] == loss]
        lrs = [s['lr'] for s in rows]
        means = [s['steps_to_target_mean'] if s['reached'] else np.nan for s in rows]
        ax.plot(lrs, means, 'o-', color=COLORS[loss], label=loss_label(loss, binary))
        never = [s['lr'] for s in rows if not s['reached']]
        ax.plot(never, [ceiling * 1.1 ** i] * len(never), 'x', color=COLORS[loss], markersize=8,
                label=(f'{loss_label(loss, binary)}: no seed reached it in {view.steps} steps'
                       if never else None))
        for s in rows:
            if s['reached'] and s['reached'] < s['seeds']:
                ax.annotate(f'{s["reached"]}/{s["seeds"]}', (s['lr'], s['steps_to_target_mean']),
                            fontsize=7, xytext=(3, 4), textcoords='offset points')
        if picks.get(loss) is not None:
            ax.axvline(picks[loss], color=COLORS[loss], linestyle=':', linewidth=1)
    ax.axhline(view.steps, color='grey', linewidth=0.7, linestyle='--')
    ax.text(LR_GRID[0], view.steps, f' budget: {view.steps} steps', fontsize=8, va='bottom',
            color='grey')
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1, 2, 5)))
    ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel('learning rate (SGD, log scale)')
    ax.set_ylabel(f'steps to {view.target:.0%} train accuracy (mean over seeds that reached it)')
    ratio = (picks['mse'] / picks['ce'] if picks.get('mse') and picks.get('ce') else float('nan'))
    ax.set_title(f'Learning-rate sweep on {view.task} ({len(view.sweep_seed_list)} sweep seeds); '
                 f'dotted: picked rates\nMSE\'s pick / CE\'s pick = {ratio:g}; the uniform-start '
                 f'gradient ratio is K²/2 = {K * K / 2:g}', fontsize=10)
    ax.grid(True, which='both', alpha=0.25)
    ax.legend(fontsize=8, loc='lower left')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------- sweep

def pick_rate(rows):
    """Most seeds reaching the target, then fewest mean steps, then the smaller rate."""
    best = min(rows, key=lambda s: (-s['reached'],
                                    s['steps_to_target_mean'] if s['reached'] else math.inf,
                                    s['lr']))
    return best['lr'] if best['reached'] else None


def sweep_jobs(task, cfg, losses, seeds, **extra):
    return [dict(task=task, seed=seed, loss=loss, lr=lr, setting='sweep', cfg=cfg,
                 stop_at_target=True, curves=False, **extra)
            for loss in losses for lr in LR_GRID for seed in seeds]


def sweep_table(results, losses):
    """Per (loss, lr): seeds, how many reached the target, mean ± std steps; and the picks."""
    table = []
    for loss in losses:
        for lr in LR_GRID:
            group = [r for r in results if r['loss'] == loss and r['lr'] == lr]
            reached = [r['steps_to_target'] for r in group if r['steps_to_target'] is not None]
            mean, std = _mean_std(reached)
            table.append(dict(loss=loss, lr=lr, seeds=len(group), reached=len(reached),
                              diverged=sum(r['diverged'] for r in group),
                              steps_to_target_mean=mean, steps_to_target_std=std,
                              steps=[r['steps_to_target'] for r in group]))
    picks = {loss: pick_rate([t for t in table if t['loss'] == loss]) for loss in losses}
    return table, picks


def print_sweep(table, picks, task, seeds, steps, target, losses, binary):
    print(f'\nlearning-rate sweep on {task}, seeds {seeds}, budget {steps} steps, target '
          f'{target:.0%}: steps to target (seeds reaching it)')
    print(f'{"lr":>7}  ' + '  '.join(f'{loss_label(l, binary):>25}' for l in losses))
    for lr in LR_GRID:
        cells = []
        for loss in losses:
            t = next(t for t in table if t['loss'] == loss and t['lr'] == lr)
            cell = (f'{t["steps_to_target_mean"]:.0f} ({t["reached"]}/{t["seeds"]})'
                    if t['reached'] else f'- (0/{t["seeds"]})')
            if t['diverged']:
                cell += f' {t["diverged"]} div'
            cells.append(f'{cell:>25}')
        print(f'{lr:>7g}  ' + '  '.join(cells))
    print('picked: ' + ', '.join(f'{l} lr = {picks[l]}' for l in losses))


def run_sweep(args, K, binary):
    cfg = dict(steps=args.steps, target=args.target, init_scale=args.init_scale,
               zero_output=args.zero_output_layer)
    results = run_jobs(sweep_jobs(args.task, cfg, args.losses, args.sweep_seed_list),
                       args.jobs, args.quiet, 'sweep')
    table, picks = sweep_table(results, args.losses)
    print_sweep(table, picks, args.task, args.sweep_seed_list, args.steps, args.target,
                args.losses, binary)
    return table, picks


# ------------------------------------------------------------- --docs: the protocol

def _docs_cfg(exp, target):
    return dict(steps=TASKS[exp['task']]['steps'], target=target,
                init_scale=exp['init_scale'], zero_output=False)


def _compact(run):
    """The numbers of one run that the results file keeps (no curves, no timings)."""
    keys = ('seed', 'loss', 'setting', 'lr', 'steps_to_target', 'diverged', 'final_train_acc',
            'final_test_acc', 'final_loss', 'grad_start', 'grad_early')
    return {k: _num(run[k]) for k in keys}


def _num(value):
    """Floats to 6 significant digits (the file stays readable and diffs stay small)."""
    if isinstance(value, float) and math.isfinite(value):
        return float(f'{value:.6g}')
    return value


def _nums(obj):
    if isinstance(obj, dict):
        return {k: _nums(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_nums(v) for v in obj]
    return _num(obj)


def environment():
    """What the numbers may depend on: float32 rounding differs between BLAS kernels/CPUs."""
    env = dict(python=platform.python_version(), numpy=np.__version__,
               machine=platform.machine(), system=platform.system())
    try:
        with open('/proc/cpuinfo') as f:
            env['cpu'] = next((line.split(':', 1)[1].strip() for line in f
                               if line.startswith('model name')), platform.processor())
    except OSError:
        env['cpu'] = platform.processor()
    try:
        blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
        env['blas'] = f'{blas.get("name")} {blas.get("version")}'
    except Exception:                               # noqa: BLE001 - best effort, informative only
        env['blas'] = 'unknown'
    try:
        from threadpoolctl import threadpool_info
        env['blas_kernel'] = next((i.get('architecture') for i in threadpool_info()
                                   if i.get('user_api') == 'blas'), None)
    except ImportError:
        env['blas_kernel'] = None
    return env


def same_machine(a, b):
    """Whether two environments should give bit-identical float32 runs."""
    keys = ('cpu', 'numpy', 'blas', 'blas_kernel', 'machine')
    return all(a.get(k) == b.get(k) for k in keys)


def run_docs(args):
    """Runs the --docs protocol; writes the results file and figures; returns the results."""
    started = time.perf_counter()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    target, losses = 0.95, ['ce', 'mse']
    sweep_seeds = list(range(SWEEP_SEEDS, SWEEP_SEEDS + DOCS_SWEEP_SEEDS))
    seconds = {}
    print(f'{DOCS_COMMAND}: {len(DOCS_PROTOCOL)} settings, a learning-rate sweep for each '
          f'(seeds {sweep_seeds}), then {" / ".join(str(e["seeds"]) for e in DOCS_PROTOCOL)} '
          f'evaluation seeds, each run also from nudged initial weights; --jobs {args.jobs}')

    # 1. the learning-rate sweeps
    t = time.perf_counter()
    jobs = []
    for exp in DOCS_PROTOCOL:
        jobs += sweep_jobs(exp['task'], _docs_cfg(exp, target), losses, sweep_seeds,
                           tag=exp['key'])
    results = run_jobs(jobs, args.jobs, args.quiet, 'sweeps')
    sweeps = {}
    for exp in DOCS_PROTOCOL:
        table, picks = sweep_table([r for r in results if r['tag'] == exp['key']], losses)
        stored = PICKED_LR.get((exp['task'], exp['init_scale'], False))
        binary = TASKS[exp['task']]['classes'] == 2
        print_sweep(table, picks, exp['task'] + f' (init x{exp["init_scale"]:g})', sweep_seeds,
                    TASKS[exp['task']]['steps'], target, losses, binary)
        if any(picks[loss] is None for loss in losses):
            raise SystemExit(f'error: in the {exp["key"]} sweep some loss never reached the '
                             f'target: {picks}')
        if stored != picks:
            print(f'note: PICKED_LR in this file has {stored} for {exp["key"]}; the sweep now '
                  f'picks {picks}, which is what the evaluation below uses')
        sweeps[exp['key']] = dict(seeds=sweep_seeds, picks=picks, stored=stored, table=[
            {k: t[k] for k in ('loss', 'lr', 'seeds', 'reached', 'steps_to_target_mean')}
            for t in table])
    seconds['sweeps'] = time.perf_counter() - t

    # 2. the evaluation runs, their nudged twins, and the uniform-start checks
    t = time.perf_counter()
    jobs = []
    for exp in DOCS_PROTOCOL:
        picks, cfg = sweeps[exp['key']]['picks'], _docs_cfg(exp, target)
        seeds = list(range(exp['seeds']))
        curves = exp['task'] == 'spirals'           # the figures show the spirals runs
        jobs += evaluation_jobs(exp['task'], seeds, picks, picks['ce'], cfg, losses,
                                tag=exp['key'], curves=curves)
        jobs += evaluation_jobs(exp['task'], seeds, picks, picks['ce'], cfg, losses,
                                tag=exp['key'], curves=False, jitter=True)
    for task in TASKS:
        cfg = dict(steps=1, target=target, init_scale=1.0, zero_output=True)
        jobs += evaluation_jobs(task, [0, 1], {'ce': 0.1, 'mse': 0.1}, 0.1, cfg, losses,
                                tag='zero:' + task, curves=False)
    runs = run_jobs(jobs, args.jobs, args.quiet, 'runs')
    seconds['runs'] = time.perf_counter() - t

    results = dict(generated_by=DOCS_COMMAND, environment=environment(),
                   protocol=dict(target=target, lr_grid=LR_GRID, early_updates=EARLY,
                                 hidden=HIDDEN, nudge='every initial weight and bias moved to '
                                 'the neighbouring float32 value, up or down at random'),
                   experiments={}, zero_output={})
    full = {}
    for exp in DOCS_PROTOCOL:
        picks = sweeps[exp['key']]['picks']
        mine = [r for r in runs if r['tag'] == exp['key']]
        main = with_shared([r for r in mine if not r['jitter']], picks, picks['ce'], losses)
        twins = with_shared([r for r in mine if r['jitter']], picks, picks['ce'], losses)
        full[exp['key']] = main
        ratio, ratios = start_ratio(main)
        K = TASKS[exp['task']]['classes']
        results['experiments'][exp['key']] = dict(
            title=exp['title'], task=exp['task'], K=K, init_scale=exp['init_scale'],
            seeds=exp['seeds'], steps=TASKS[exp['task']]['steps'],
            lr=dict(ce=picks['ce'], mse=picks['mse'], shared=picks['ce']),
            sweep=sweeps[exp['key']], rows=summarise(main), nudged=nudge_rows(main, twins),
            start_ratio=dict(median=ratio, min=min(ratios), max=max(ratios)),
            runs=[_compact(r) for r in main if not (r['setting'] == 'shared'
                                                    and picks[r['loss']] == picks['ce'])],
            twins=[_compact(r) for r in twins if not (r['setting'] == 'shared'
                                                      and picks[r['loss']] == picks['ce'])])
    for task in TASKS:
        zero = [r for r in runs if r['tag'] == 'zero:' + task and r['setting'] == 'own']
        K = TASKS[task]['classes']
        ratios = start_ratio(zero)[1]
        results['zero_output'][task] = dict(
            K=K, half_K_squared=K * K / 2, ratios=ratios,
            max_rel_error=max(abs(r / (K * K / 2) - 1) for r in ratios))

    # 3. the decision regions of a representative seed, from the saturated start
    t = time.perf_counter()
    exp = next(e for e in DOCS_PROTOCOL if e['key'] == 'saturated')
    sat = results['experiments']['saturated']
    seed, acc = representative_seed(sat['runs'])
    mse_own = next(r for r in sat['rows'] if r['setting'] == 'own' and r['loss'] == 'mse')
    why = (f'Seed {seed}: of the {exp["seeds"]} seeds, the one whose MSE run at its own rate '
           f'ended at the median final training accuracy ({acc:.2f}), a typical run rather than '
           f'the best. MSE reached {target:.0%} on {mse_own["reached"]}/{mse_own["seeds"]} seeds '
           f'at that rate.')
    picks = sat['lr']
    redo = [j for j in evaluation_jobs(exp['task'], [seed], {'ce': picks['ce'], 'mse': picks['mse']},
                                       picks['shared'], _docs_cfg(exp, target), losses,
                                       curves=False, boundary=True)]
    shown = run_jobs(redo, args.jobs, True, 'boundaries')
    for r in shown:                                 # the same run again: it must repeat exactly
        first = next(f for f in sat['runs'] if (f['seed'], f['loss'], f['setting'])
                     == (r['seed'], r['loss'], r['setting']))
        if (first['steps_to_target'], first['final_train_acc']) != (
                r['steps_to_target'], _num(r['final_train_acc'])):
            print(f'warning: seed {seed} {r["loss"]} {r["setting"]} did not repeat exactly')
    results['representative'] = dict(experiment='saturated', seed=seed, loss='mse',
                                      setting='own', final_train_acc=acc, why=why)
    seconds['boundaries'] = time.perf_counter() - t

    # 4. figures, drawn from these runs
    figures = []
    if not args.no_plots:
        for key, name, draw in (
                ('benign', 'mse_vs_ce_curves.png', 'curves'),
                ('saturated', 'mse_vs_ce_saturated.png', 'saturated'),
                ('saturated', 'mse_vs_ce_boundaries.png', 'boundaries')):
            e = results['experiments'][key]
            view = SimpleNamespace(task=e['task'], target=target, shared_lr=e['lr']['shared'],
                                   seed_list=list(range(e['seeds'])), init_scale=e['init_scale'],
                                   zero_output_layer=False, steps=e['steps'])
            if draw == 'curves':
                plot_curves(full[key], view, e['K'], False, out / name)
            elif draw == 'saturated':
                plot_saturated(full[key], e['rows'], view, False, out / name)
            else:
                plot_boundaries(shown, view, False, out / name, why=why)
            figures.append(name)
    results['figures'] = figures
    results['claims'] = docs_claims(results)
    seconds['total'] = time.perf_counter() - started
    results['seconds'] = seconds
    results = _nums(results)
    with open(out / RESULTS_NAME, 'w', encoding='utf-8') as f:
        f.write(dumps(results) + '\n')
    return results


def dumps(obj, indent=0):
    """JSON with one line per run (and per table row): readable, and small diffs."""
    pad, inner = ' ' * indent, ' ' * (indent + 1)
    nested = (isinstance(obj, dict) and any(isinstance(v, (dict, list)) and v
                                            for v in obj.values())) or \
             (isinstance(obj, list) and any(isinstance(v, dict) for v in obj))
    if not nested:
        return json.dumps(obj, ensure_ascii=False)
    if isinstance(obj, dict):
        body = ',\n'.join(f'{inner}{json.dumps(k)}: {dumps(v, indent + 1)}' for k, v in obj.items())
        return '{\n' + body + '\n' + pad + '}'
    body = ',\n'.join(inner + dumps(v, indent + 1) for v in obj)
    return '[\n' + body + '\n' + pad + ']'


# ------------------------------------------------------- --docs: claims and the README

def _row(exp, setting, loss):
    return next((r for r in exp['rows'] if r['setting'] == setting and r['loss'] == loss), None)


def _nudge(exp, setting, loss):
    return next((r for r in exp['nudged'] if r['setting'] == setting and r['loss'] == loss), None)


def verdict(a, b):
    """Which of two rows did better: 'a', 'b', 'tie' (means within the larger seed-to-seed
    standard deviation, both reaching the target on every seed), or 'unclear' (success
    fractions whose 95% intervals overlap)."""
    if a['reached'] == a['seeds'] and b['reached'] == b['seeds']:
        diff = b['steps_to_target_mean'] - a['steps_to_target_mean']
        if abs(diff) <= max(a['steps_to_target_std'], b['steps_to_target_std']):
            return 'tie'
        return 'a' if diff > 0 else 'b'
    if a['reached_low'] > b['reached_high']:
        return 'a'
    if b['reached_low'] > a['reached_high']:
        return 'b'
    return 'unclear'


def docs_claims(results):
    """Each qualitative statement the README makes, as a name -> value computed from the results
    file alone; the README's wording follows these values, and a re-run on another machine
    should give the same ones (tests/test_lab_results.py checks it, with -m slow)."""
    E = results['experiments']
    benign, sat = E['benign'], E['saturated']
    half = {k: e['K'] ** 2 / 2 for k, e in E.items()}
    claims = {}
    claims['benign_shared'] = verdict(_row(benign, 'own', 'ce'), _row(benign, 'shared', 'mse'))
    claims['benign_own'] = verdict(_row(benign, 'own', 'ce'), _row(benign, 'own', 'mse'))
    claims['benign_start_ratio_near_half_K2'] = abs(
        benign['start_ratio']['median'] / half['benign'] - 1) < 0.2
    claims['uniform_ratio_is_half_K2'] = all(
        z['ratios'] and z['max_rel_error'] < 1e-5 for z in results['zero_output'].values())
    ce, mse_own, mse_sh = (_row(sat, 'own', 'ce'), _row(sat, 'own', 'mse'),
                           _row(sat, 'shared', 'mse'))
    claims['saturated_own'] = verdict(ce, mse_own)
    claims['saturated_shared'] = verdict(ce, mse_sh)
    claims['saturated_mse_own_vs_shared'] = verdict(mse_own, mse_sh)
    claims['saturated_grad_collapse'] = (mse_own['grad_early_median']
                                         < 1e-3 * ce['grad_early_median'])
    claims['saturated_start_ratio_above_half_K2'] = (sat['start_ratio']['min']
                                                     > half['saturated'])
    claims['saturated_ce_outcome_stable'] = _nudge(sat, 'own', 'ce')['flipped'] == 0
    claims['saturated_mse_outcome_chaotic'] = any(
        _nudge(sat, s, 'mse')['flipped'] > 0 for s in ('own', 'shared'))
    claims['benign_outcomes_stable'] = all(
        n['flipped'] == 0 for k in ('benign', 'moons', 'digits') for n in E[k]['nudged'])
    for k in ('moons', 'digits'):
        claims[f'{k}_own'] = verdict(_row(E[k], 'own', 'ce'), _row(E[k], 'own', 'mse'))
        claims[f'{k}_shared'] = verdict(_row(E[k], 'own', 'ce'), _row(E[k], 'shared', 'mse'))
    lr = E['digits']['lr']
    claims['digits_mse_lr_short_of_half_K2'] = lr['mse'] / lr['ce'] < half['digits'] / 2
    return claims


def _steps(row):
    return (f'{row["steps_to_target_mean"]:.0f} ± {row["steps_to_target_std"]:.0f}'
            if row['reached'] else 'never')


def _interval(row):
    return f'{_pct(row["reached_low"])}–{_pct(row["reached_high"])}'.replace('%–', '–')


def _loss_name(loss, K):
    if K == 2:
        return {'ce': 'BCE (sigmoid)', 'mse': 'MSE on the sigmoid'}[loss]
    return {'ce': 'cross-entropy', 'mse': 'MSE on the softmax'}[loss]


def _table_rows(exp, label):
    lines = []
    for setting, loss in (('own', 'ce'), ('own', 'mse'), ('shared', 'mse')):
        r, n = _row(exp, setting, loss), _nudge(exp, setting, loss)
        rate = (f'{r["lr"]:g} (own' + (', shared)' if r['lr'] == exp['lr']['shared'] else ')')
                if setting == 'own' else f'{r["lr"]:g} (CE\'s)')
        moved = ('–' if n['moved_median'] is None else
                 f'median {n["moved_median"]:g}, max {n["moved_max"]:g}')
        lines.append(f'| {label} | {_loss_name(loss, exp["K"])} | {rate} | '
                     f'{r["reached"]}/{r["seeds"]} ({_interval(r)}) | {_steps(r)} | '
                     f'{r["final_test_acc_mean"]:.3f} | {_g(r["grad_start_median"])} → '
                     f'{_g(r["grad_early_median"])} | {n["twin_reached"]}/{n["seeds"]}; '
                     f'{moved} |')
    return lines


def _times(a, b):
    return f'{max(a, b) / min(a, b):.1f}×'


def readme_block(results):
    """The README's lab results (tables, prose, figures), computed from the results file."""
    E, C = results['experiments'], results['claims']
    benign, sat, moons, digits = E['benign'], E['saturated'], E['moons'], E['digits']
    target = f'{results["protocol"]["target"]:.0%}'
    head = ('| setting | loss | lr | reached ' + target + ' (95% interval) | steps to ' + target +
            ' | test acc | ‖grad_out‖ step 0 → updates 1–' + str(results['protocol']['early_updates']) +
            ' | nudged 1 ulp: reached; steps moved |\n|---|---|---|---|---|---|---|---|')
    out = [BEGIN_MARK, '']
    out.append(f'Spirals (3 classes), full-batch SGD, {benign["steps"]:,} steps; each loss at the '
               f'learning rate its own sweep picked, and MSE also at cross-entropy\'s rate:')
    out += ['', head]
    out += _table_rows(benign, f'benign start, {benign["seeds"]} seeds')
    out += _table_rows(sat, f'output layer ×{sat["init_scale"]:g}, {sat["seeds"]} seeds')
    out += ['', f'The same on two other tasks, {moons["seeds"]} seeds each (moons: one sigmoid '
                f'output, BCE-with-logits against MSE on the sigmoid; digits: mini-batches of 32, '
                f'{digits["steps"]} steps, the target checked on the whole training split every '
                f'{TASKS["digits"]["eval_every"]} steps):', '', head]
    out += _table_rows(moons, 'moons')
    out += _table_rows(digits, 'digits (K = 10)')
    out += ['', f'Steps: mean ± standard deviation over the seeds that reached {target} training '
                f'accuracy. Reached: Wilson\'s 95% interval for the fraction of seeds, the spread '
                f'that count would have over other seeds. ‖grad_out‖: the L2 norm of the output '
                f'layer\'s gradient, median over seeds (for updates 1–{EARLY}, of each seed\'s '
                f'median over those updates). Nudged: the same runs again from initial weights '
                f'each moved to the neighbouring float32 value, the size of difference another '
                f'CPU\'s float32 rounding makes; how many seeds then reached {target}, and by how '
                f'many steps their steps to {target} moved.', '']

    out.append('What these numbers say:')
    out.append('')
    b_ce, b_sh, b_own = (_row(benign, 'own', 'ce'), _row(benign, 'shared', 'mse'),
                         _row(benign, 'own', 'mse'))
    ratio = benign['start_ratio']
    if C['benign_shared'] in ('a', 'b'):
        winner = 'cross-entropy' if C['benign_shared'] == 'a' else 'MSE'
        first = (f'**At a shared learning rate, {winner} wins from a benign start: '
                 f'{_times(b_ce["steps_to_target_mean"], b_sh["steps_to_target_mean"])} fewer '
                 f'steps** ({b_ce["steps_to_target_mean"]:.0f} against '
                 f'{b_sh["steps_to_target_mean"]:.0f}, mean over seeds).')
    else:
        first = ('**At a shared learning rate the two are not clearly apart from a benign '
                 'start** (see the table).')
    out.append(f'- {first} Cross-entropy\'s output-layer gradient at step 0 is '
               f'{ratio["median"]:.3g}× MSE\'s (median over seeds; {ratio["min"]:.3g} to '
               f'{ratio["max"]:.3g}).')
    z = results['zero_output']
    zero_text = (f'{z["spirals"]["ratios"][0]:.6g} on spirals (K = 3), '
                 f'{z["digits"]["ratios"][0]:.6g} on digits (K = 10) and '
                 f'{z["moons"]["ratios"][0]:.6g} on moons (one sigmoid output, where the same '
                 f'algebra gives 2)')
    worst = max(v['max_rel_error'] for v in z.values())
    lr = benign['lr']
    own_text = {
        'tie': (f'then the two are about equally fast ({_steps(b_ce)} and {_steps(b_own)} steps: '
                f'the difference is within the seed-to-seed spread)'),
        'a': f'cross-entropy still needs fewer steps ({_steps(b_ce)} against {_steps(b_own)})',
        'b': f'MSE then needs fewer steps ({_steps(b_own)} against {_steps(b_ce)})',
        'unclear': 'the table shows how far apart they end up'}[C['benign_own']]
    exact = ('exactly' if C['uniform_ratio_is_half_K2'] else 'close to')
    out.append(f'- **Much of that is a constant factor.** At an exactly uniform start '
               f'(`--zero-output-layer`), with PyTorch\'s `\'mean\'` reductions (MSE averages over '
               f'N·K numbers, cross-entropy over N), cross-entropy\'s output-layer gradient is '
               f'{exact} K²/2 times MSE\'s: {zero_text}, each equal to K²/2 to within '
               f'{worst:.1g} (relative, float32) on every seed checked. '
               + ('The benign start is close to uniform, hence the ratio above. '
                  if C['benign_start_ratio_near_half_K2'] else '')
               + f'A learning rate that much larger absorbs it: MSE\'s own sweep picked '
               f'{lr["mse"]:g}, {lr["mse"] / lr["ce"]:g}× cross-entropy\'s {lr["ce"]:g}, and '
               f'{own_text}.'
               + (' From a benign start, the reference material\'s "cross-entropy converges '
                  'faster" is mostly a statement about learning rates.'
                  if C['benign_own'] == 'tie' else ''))
    s_ce, s_own, s_sh = _row(sat, 'own', 'ce'), _row(sat, 'own', 'mse'), _row(sat, 'shared', 'mse')
    zeros = s_own['grad_early_zero']
    collapse = ('' if C['saturated_grad_collapse'] else ' (not orders of magnitude apart here)')
    out.append(
        f'- **Saturation is not a constant factor.** With the output layer ×{sat["init_scale"]:g} '
        f'at the start, the softmax outputs begin saturated, near 0 or 1, and many of them on the '
        f'wrong class (notebook 02 counts them). MSE\'s gradient then carries p(1−p) factors '
        f'that vanish there, cross-entropy\'s (p − y) does not: over updates '
        f'1–{EARLY}, the output-layer gradient has a median of {_g(s_own["grad_early_median"])} '
        f'over {sat["seeds"]} seeds for MSE (quartiles {_g(s_own["grad_early_q1"])} and '
        f'{_g(s_own["grad_early_q3"])}'
        + (f'; exactly 0 on {zeros} seed{"s" if zeros != 1 else ""}' if zeros else '')
        + f') against {_g(s_ce["grad_early_median"])} for cross-entropy{collapse}. '
        f'Cross-entropy reached {target} on {s_ce["reached"]}/{s_ce["seeds"]} seeds '
        f'({_interval(s_ce)}), MSE on {s_own["reached"]}/{s_own["seeds"]} at its own rate '
        f'({_interval(s_own)}) and {s_sh["reached"]}/{s_sh["seeds"]} at cross-entropy\'s '
        f'({_interval(s_sh)})'
        + ('; cross-entropy\'s interval overlaps neither of MSE\'s.'
           if C['saturated_own'] == 'a' and C['saturated_shared'] == 'a' else '.')
        + ' At step 0 the CE/MSE gradient ratio is '
        + (f'above K²/2 = {half_k2(sat):g} on every seed, ' if
           C['saturated_start_ratio_above_half_K2'] else '')
        + f'from {sat["start_ratio"]["min"]:.3g} to {sat["start_ratio"]["max"]:.3g} (median '
        f'{sat["start_ratio"]["median"]:.3g}), a factor that depends on the seed, not a '
        f'constant.')
    n_own, n_sh = _nudge(sat, 'own', 'mse'), _nudge(sat, 'shared', 'mse')
    n_ce = _nudge(sat, 'own', 'ce')
    if C['saturated_mse_outcome_chaotic']:
        chaos = (f'MSE\'s runs from the saturated start are: nudged by one ulp, a run changed '
                 f'whether it reached {target} on {n_own["flipped"]} of {n_own["seeds"]} seeds at '
                 f'MSE\'s own rate and {n_sh["flipped"]} of {n_sh["seeds"]} at the shared one, '
                 f'and its steps to {target} moved by up to '
                 f'{max(n_own["moved_max"] or 0, n_sh["moved_max"] or 0):g}. Another machine '
                 f'will count somewhat differently: the intervals are the claim, not the exact '
                 f'counts.')
    else:
        chaos = (f'From the saturated start no one-ulp nudge changed whether an MSE run reached '
                 f'{target}.')
    chaos += (' Cross-entropy\'s runs from the same start kept their outcome on every seed'
              if C['saturated_ce_outcome_stable'] else
              f' Cross-entropy\'s runs from the same start changed outcome on {n_ce["flipped"]} '
              f'seeds')
    if n_ce['moved_median'] is not None:
        chaos += (f' (steps moved by a median of {n_ce["moved_median"]:g}, at most '
                  f'{n_ce["moved_max"]:g})')
    others = [(k, n) for k in ('benign', 'moons', 'digits') for n in E[k]['nudged']]
    moved = [n for _, n in others if n['moved_median'] is not None]
    shift = max(abs(n['twin_steps_mean'] - _row(E[k], n['setting'], n['loss'])
                    ['steps_to_target_mean'])
                for k, n in others if n['twin_steps_mean'] is not None)
    chaos += ('. From the benign start and on moons and digits no outcome changed, '
              if C['benign_outcomes_stable'] else
              '. From the benign start and on moons and digits some outcomes changed too, ')
    chaos += (f'but single runs\' steps to {target} moved by up to '
              f'{max(n["moved_max"] for n in moved):g} (medians '
              f'{min(n["moved_median"] for n in moved):g} to '
              f'{max(n["moved_median"] for n in moved):g}), while the means over seeds moved by '
              f'at most {shift:.0f} steps. So single seeds\' step counts will differ on another '
              f'machine; the means, and the comparisons above, should not.')
    out.append(f'- **Which runs are chaotic.** {chaos}')
    size = 'smaller' if sat['lr']['shared'] < sat['lr']['mse'] else 'larger'
    own_vs_shared = {
        'a': f'did better on the evaluation seeds than the {size} shared rate',
        'b': f'did worse on the evaluation seeds than the {size} shared rate',
        'tie': f'did as well on the evaluation seeds as the {size} shared rate',
        'unclear': (f'and the {size} shared rate cannot be told apart on the evaluation seeds '
                    f'(their intervals overlap)')}[C['saturated_mse_own_vs_shared']]
    sweep_row = next(t for t in sat['sweep']['table'] if t['loss'] == 'mse'
                     and t['lr'] == sat['lr']['mse'])
    d_ce, d_own, d_sh = (_row(digits, 'own', 'ce'), _row(digits, 'own', 'mse'),
                         _row(digits, 'shared', 'mse'))
    m_ce, m_own, m_sh = (_row(moons, 'own', 'ce'), _row(moons, 'own', 'mse'),
                         _row(moons, 'shared', 'mse'))
    d_lr = digits['lr']
    digits_text = {
        'a': (f'cross-entropy stays {_times(d_ce["steps_to_target_mean"], d_own["steps_to_target_mean"])} '
              f'faster even at the tuned rates ({_steps(d_ce)} against {_steps(d_own)} steps)'),
        'b': f'MSE is faster at the tuned rates ({_steps(d_own)} against {_steps(d_ce)} steps)',
        'tie': f'the two tie at the tuned rates ({_steps(d_ce)} and {_steps(d_own)} steps)',
        'unclear': 'the tuned rates leave them apart in success rate (see the table)',
    }[C['digits_own']]
    moons_text = {
        'tie': f'the two tie at their own rates ({_steps(m_ce)} and {_steps(m_own)} steps)',
        'a': f'BCE is faster at their own rates ({_steps(m_ce)} against {_steps(m_own)} steps)',
        'b': f'MSE is faster at their own rates ({_steps(m_own)} against {_steps(m_ce)} steps)',
        'unclear': 'the table shows how they compare',
    }[C['moons_own']]
    out.append(
        f'- **Not everything is tidy.** The MSE rate the sweep picked for the saturated start '
        f'({sat["lr"]["mse"]:g}, which reached {target} on {sweep_row["reached"]}/'
        f'{sweep_row["seeds"]} sweep seeds) {own_vs_shared} ({s_own["reached"]}/{s_own["seeds"]} '
        f'against {s_sh["reached"]}/{s_sh["seeds"]}). Picking a rate on '
        f'{len(sat["sweep"]["seeds"])} sweep seeds is fragile when the outcome is chaotic. '
        f'On digits (K = 10) {digits_text}'
        + (f'; {_times(d_ce["steps_to_target_mean"], d_sh["steps_to_target_mean"])} at the shared '
           f'rate' if d_sh['reached'] == d_sh['seeds'] else
           f'; at cross-entropy\'s rate MSE reached {target} on only {d_sh["reached"]}/'
           f'{d_sh["seeds"]} seeds within {digits["steps"]} steps')
        + f'. MSE\'s sweep stopped at a rate {d_lr["mse"] / d_lr["ce"]:g}× cross-entropy\'s'
        + (f', short of K²/2 = {half_k2(digits):g}: larger rates did worse in the sweep'
           if C['digits_mse_lr_short_of_half_K2'] else '')
        + f'. On moons {moons_text}'
        + (f'; {_times(m_ce["steps_to_target_mean"], m_sh["steps_to_target_mean"])} apart at the '
           f'shared rate' if m_sh['reached'] == m_sh['seeds'] else
           f'; at BCE\'s rate MSE reached {target} on {m_sh["reached"]}/{m_sh["seeds"]} seeds')
        + '.')
    captions = {
        'mse_vs_ce_curves.png': 'loss and accuracy per step from the benign start, one thin line '
                                'per seed, the median thick',
        'mse_vs_ce_saturated.png': 'accuracy and output-layer gradient per step from the '
                                   'saturated start, one line per seed',
        'mse_vs_ce_boundaries.png': 'decision regions of a representative seed from the '
                                    'saturated start',
    }
    rep = results['representative']
    for name in results['figures']:
        out += ['', f'![{captions.get(name, name)}](docs/{name})']
        if name == 'mse_vs_ce_boundaries.png':
            out += ['', rep['why'].replace('Seed ', 'The decision regions show seed ', 1)]
    out += ['', END_MARK]
    return '\n'.join(out)


def half_k2(exp):
    return exp['K'] ** 2 / 2


def update_readme(block, path=README):
    """Replaces the README's generated lab block (between the markers) with `block`."""
    text = pathlib.Path(path).read_text(encoding='utf-8')
    start, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        raise SystemExit(f'error: {path} has no generated lab block; it needs the lines\n'
                         f'{BEGIN_MARK}\n{END_MARK}')
    text = text[:start] + block + text[end + len(END_MARK):]
    pathlib.Path(path).write_text(text, encoding='utf-8')


def readme_lab_block(path=README):
    """The generated lab block as it stands in the README (markers included), or None."""
    text = pathlib.Path(path).read_text(encoding='utf-8')
    start, end = text.find(BEGIN_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        return None
    return text[start:end + len(END_MARK)]


# ---------------------------------------------------------------------- CLI

def _seed_list(parser, text, base, what):
    try:
        if ',' in text:
            seeds = [int(s) for s in text.split(',') if s.strip()]
        else:
            n = int(text)
            if n < 1:
                raise ValueError
            seeds = list(range(base, base + n))
    except ValueError:
        parser.error(f'{what} expects a count (e.g. 5) or a comma-separated list of seeds '
                     f'(e.g. 0,1,2), got {text!r}')
    if len(set(seeds)) != len(seeds) or not seeds:
        parser.error(f'{what} needs distinct seeds, got {text!r}')
    return seeds


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows a default only where there is one to show."""

    def _get_help_string(self, action):
        if action.default in (None, False) or '(default' in (action.help or ''):
            return action.help
        return super()._get_help_string(action)


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f'expected a positive {kind.__name__}, got {text!r}')
        if not value > 0 or not math.isfinite(value):
            raise argparse.ArgumentTypeError(f'expected a positive {kind.__name__}, got {text!r}')
        return value
    return parse


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected an accuracy in (0, 1], got {text!r}')
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f'expected an accuracy in (0, 1], e.g. 0.95, got {text!r}')
    return value


# Options that choose an experiment: --docs runs its own fixed protocol instead.
EXPERIMENT_OPTIONS = ('--task', '--seeds', '--sweep-seeds', '--steps', '--lr-ce', '--lr-mse',
                      '--shared-lr', '--init-scale', '--zero-output-layer', '--raw-mse',
                      '--lr-mse-raw', '--target', '--sweep', '--boundary-seed')


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog='mse_vs_ce.py',
        description='Train the same classifier with cross-entropy and with MSE, side by side: '
                    'same initial weights, same batches, several seeds; each loss at the '
                    'learning rate its own sweep picked and both at a shared rate.',
        formatter_class=_HelpFormatter,
        epilog='Multi-class tasks compare softmax + cross-entropy with softmax + MSE on one-hot '
               'targets; moons (binary, one sigmoid output) compares sigmoid + BCE-with-logits '
               'with sigmoid + MSE. Reductions are "mean" as in PyTorch. Outputs: a table on '
               'stdout; results.json, runs.csv and PNG figures in --out. With --docs: the '
               'README\'s numbers and figures (docs/mse_vs_ce_results.json, docs/*.png) and the '
               'README\'s generated lab block.')
    p.add_argument('--task', choices=sorted(TASKS), default='spirals',
                   help='data set: spirals (3 classes, full batch), moons (binary, full batch), '
                        'digits (10 classes, mini-batches of 32)')
    p.add_argument('--seeds', default='5',
                   help='evaluation seeds: a count N (seeds 0..N-1) or a list like 0,3,7. A seed '
                        'draws the data, the split, the initial weights and the batch order')
    p.add_argument('--sweep-seeds', default='3',
                   help='seeds used by --sweep to pick learning rates: a count N (seeds '
                        '100..100+N-1, disjoint from the evaluation seeds) or a list')
    p.add_argument('--steps', type=_positive(int), default=None,
                   help='SGD updates per run (default per task: spirals 1000, moons 1000, '
                        'digits 900 = 20 epochs)')
    p.add_argument('--lr-ce', type=_positive(float), default=None,
                   help='learning rate for cross-entropy / BCE (default: the rate --sweep picked)')
    p.add_argument('--lr-mse', type=_positive(float), default=None,
                   help='learning rate for MSE (default: the rate --sweep picked)')
    p.add_argument('--shared-lr', type=_positive(float), default=None,
                   help='the one rate both losses also run at (default: cross-entropy\'s rate, '
                        'i.e. what you get by swapping the loss in a setup tuned for '
                        'cross-entropy; lr_sweep.png shows every shared rate)')
    p.add_argument('--init-scale', type=_positive(float), default=1.0, metavar='C',
                   help='multiply the output layer\'s initial weights by C; C = 100 starts the '
                        'network confidently wrong (saturated softmax/sigmoid)')
    p.add_argument('--zero-output-layer', action='store_true',
                   help='start with the output layer\'s weights and bias at zero: a uniform '
                        'prediction, where the CE/MSE gradient ratio is exactly K^2/2')
    p.add_argument('--raw-mse', action='store_true',
                   help='add a third variant: MSE on the raw outputs (no softmax/sigmoid), at '
                        '--lr-mse-raw')
    p.add_argument('--lr-mse-raw', type=_positive(float), default=None,
                   help='learning rate for --raw-mse (default: the rate --sweep picked, else '
                        'MSE\'s rate)')
    p.add_argument('--target', type=_fraction, default=0.95,
                   help='target training accuracy for "steps to target"')
    p.add_argument('--sweep', action='store_true',
                   help='first run the learning-rate sweep (grid 0.001..50 in 1-2-5 steps, on '
                        '--sweep-seeds) and use the rates it picks; takes minutes')
    p.add_argument('--boundary-seed', type=int, default=None,
                   help='the evaluation seed whose decision regions boundaries.png shows '
                        '(default: the seed whose MSE run ended at the median training accuracy, '
                        'a typical one)')
    p.add_argument('--docs', action='store_true',
                   help='run the fixed protocol behind the README\'s lab section (four settings, '
                        'their sweeps, 20-40 seeds each, every run repeated from nudged initial '
                        'weights; several minutes on 2 cores) and write its results file and '
                        'figures to --out (default docs/); when that is docs/, also rewrite the '
                        'README\'s generated lab block')
    p.add_argument('--no-readme', action='store_true',
                   help='with --docs: leave README.md as it is')
    p.add_argument('--jobs', type=_positive(int), default=min(2, os.cpu_count() or 1),
                   help='worker processes (runs are independent and seeded, so results do '
                        'not depend on this)')
    p.add_argument('--out', default=None,
                   help='directory for results.json, runs.csv and the figures (default: '
                        'runs/mse_vs_ce; with --docs: docs/)')
    p.add_argument('--no-plots', action='store_true', help='skip the figures (no matplotlib needed)')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    raw = sys.argv[1:] if argv is None else list(argv)
    args = p.parse_args(raw)
    if args.docs:
        given = [o for o in EXPERIMENT_OPTIONS
                 if any(a == o or a.startswith(o + '=') for a in raw)]
        if given:
            p.error(f'--docs runs a fixed protocol and takes only --out, --jobs, --quiet, '
                    f'--no-plots and --no-readme; drop {", ".join(given)}')
        args.out = args.out if args.out is not None else str(DOCS_DIR)
        return args
    if args.no_readme:
        p.error('--no-readme goes with --docs')
    if args.out is None:
        args.out = os.path.join('runs', 'mse_vs_ce')
    if args.zero_output_layer and args.init_scale != 1.0:
        p.error('--zero-output-layer and --init-scale cannot be combined: zero times C is zero')
    args.seed_list = _seed_list(p, args.seeds, EVAL_SEEDS, '--seeds')
    args.sweep_seed_list = _seed_list(p, args.sweep_seeds, SWEEP_SEEDS, '--sweep-seeds')
    if args.boundary_seed is not None and args.boundary_seed not in args.seed_list:
        p.error(f'--boundary-seed {args.boundary_seed} is not one of the evaluation seeds '
                f'{args.seed_list}')
    if args.lr_mse_raw is not None and not args.raw_mse:
        p.error('--lr-mse-raw needs --raw-mse')
    if args.steps is None:
        args.steps = TASKS[args.task]['steps']
    args.losses = ['ce', 'mse'] + (['mse_raw'] if args.raw_mse else [])
    return args


def default_rates(args):
    """Fill in the rates not given: the sweep's picks for this setting, if there are any."""
    if args.lr_ce is not None and args.lr_mse is not None and (
            not args.raw_mse or args.lr_mse_raw is not None):
        return 'given on the command line'
    key = (args.task, float(args.init_scale), bool(args.zero_output_layer))
    picked = PICKED_LR.get(key)
    source = 'picked by --sweep for this setting'
    if picked is None:
        picked = PICKED_LR.get((args.task, 1.0, False), {})
        source = ('picked by --sweep at --init-scale 1 (no sweep stored for this setting: run '
                  '--sweep to pick rates for it)')
    missing = [loss for loss in ('ce', 'mse') if picked.get(loss) is None]
    if missing and (args.lr_ce is None or args.lr_mse is None):
        raise SystemExit(f'error: no learning rates stored for --task {args.task}; give --lr-ce '
                         f'and --lr-mse, or run with --sweep')
    args.lr_ce = args.lr_ce if args.lr_ce is not None else picked['ce']
    args.lr_mse = args.lr_mse if args.lr_mse is not None else picked['mse']
    if args.raw_mse and args.lr_mse_raw is None:
        args.lr_mse_raw = picked.get('mse_raw', args.lr_mse)
    return source


def main_docs(args):
    results = run_docs(args)
    block = readme_block(results)
    print('\n' + block)
    out = pathlib.Path(args.out).resolve()
    wrote = [RESULTS_NAME] + results['figures']
    print(f'\nwrote {", ".join(wrote)} to {args.out}/ in {results["seconds"]["total"]:.0f} s '
          f'(sweeps {results["seconds"]["sweeps"]:.0f} s, runs {results["seconds"]["runs"]:.0f} s)')
    if out == DOCS_DIR.resolve() and not args.no_readme:
        update_readme(block)
        print(f'updated the generated lab block of {README}')
    return results


def main(argv=None):
    args = parse_args(argv)
    if args.docs:
        return main_docs(args)
    spec = TASKS[args.task]
    K, binary = spec['classes'], spec['classes'] == 2
    os.makedirs(args.out, exist_ok=True)
    started = time.perf_counter()
    print(f'MSE vs cross-entropy on {args.task}: {spec["about"]}; 80/20 split; MLP '
          f'{spec["inputs"]}-{HIDDEN}-{HIDDEN}-{1 if binary else K}, ReLU, PyTorch init, float32; '
          f'plain SGD, {"full batch" if spec["batch_size"] is None else "batches of " + str(spec["batch_size"])}; '
          f'{args.steps} steps; seeds {args.seed_list}' +
          (f'; output-layer weights x{args.init_scale:g}' if args.init_scale != 1 else '') +
          ('; output layer zeroed' if args.zero_output_layer else ''))

    sweep, picks = None, None
    if args.sweep:
        sweep, picks = run_sweep(args, K, binary)
        for loss, name in (('ce', 'lr_ce'), ('mse', 'lr_mse'), ('mse_raw', 'lr_mse_raw')):
            if loss in picks and getattr(args, name) is None:
                if picks[loss] is None:
                    raise SystemExit(f'error: at no rate in the sweep did {loss} reach the '
                                     f'target; give --{name.replace("_", "-")}')
                setattr(args, name, picks[loss])
    source = 'picked by the sweep above' if args.sweep else default_rates(args)
    if args.shared_lr is None:
        args.shared_lr = args.lr_ce
    print(f'learning rates: CE {args.lr_ce:g}, MSE {args.lr_mse:g}'
          + (f', raw MSE {args.lr_mse_raw:g}' if args.raw_mse else '')
          + f' ({source}); shared {args.shared_lr:g}')

    own = {'ce': args.lr_ce, 'mse': args.lr_mse, 'mse_raw': args.lr_mse_raw}
    cfg = dict(steps=args.steps, target=args.target, init_scale=args.init_scale,
               zero_output=args.zero_output_layer)
    runs = run_jobs(evaluation_jobs(args.task, args.seed_list, own, args.shared_lr, cfg,
                                    args.losses),
                    args.jobs, args.quiet, 'training')
    runs = with_shared(runs, own, args.shared_lr, args.losses)

    rows = summarise(runs)
    print_table(rows, args, binary)
    ratio, ratios = start_ratio(runs)
    if ratio is not None:
        print(f'\noutput-layer gradient at step 0, CE / MSE: median {ratio:.6g} over seeds '
              f'(min {min(ratios):.6g}, max {max(ratios):.6g}); K^2/2 = {K * K / 2:g} at a '
              f'uniform start')
    lines = reading(rows, runs, args, K)
    print('\nreading:')
    for line in lines:
        print('  ' + line)

    figures = []
    if not args.no_plots:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print('\n(figures skipped: matplotlib is not installed; pip install matplotlib)')
        else:
            plot_curves(runs, args, K, binary, os.path.join(args.out, 'curves.png'))
            plot_grad_norm(runs, rows, args, K, binary, os.path.join(args.out, 'grad_norm.png'))
            figures += ['curves.png', 'grad_norm.png']
            if spec['inputs'] == 2:
                seed, acc = representative_seed(runs)
                why = (f'Seed {seed}: the one whose MSE run at its own rate ended at the median '
                       f'final training accuracy ({acc:.2f}) of the {len(args.seed_list)} seeds, '
                       f'a typical run.')
                if args.boundary_seed is not None:
                    seed, why = args.boundary_seed, f'Seed {args.boundary_seed}, as asked.'
                redo = [j for j in evaluation_jobs(args.task, [seed], own, args.shared_lr, cfg,
                                                   args.losses, curves=False, boundary=True)]
                shown = run_jobs(redo, args.jobs, True, 'boundaries')
                if plot_boundaries(shown, args, binary, os.path.join(args.out, 'boundaries.png'),
                                   why=why):
                    figures.append('boundaries.png')
            if sweep is not None:
                plot_sweep(sweep, picks, args, K, binary, os.path.join(args.out, 'lr_sweep.png'))
                figures.append('lr_sweep.png')

    elapsed = time.perf_counter() - started
    config = {k: v for k, v in vars(args).items()}
    summary = dict(config=config, K=K, half_K_squared=K * K / 2, grad_ratio_start=ratio,
                   grad_ratios_start=ratios, rows=rows, reading=lines, seconds=elapsed,
                   figures=figures)
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump(dict(summary, runs=[{k: v for k, v in r.items() if k != 'boundary'}
                                      for r in runs]), f, indent=1, allow_nan=True)
    scalar = ['setting', 'loss', 'lr', 'seed', 'steps', 'steps_to_target', 'diverged',
              'final_train_acc', 'final_test_acc', 'final_loss', 'grad_start', 'grad_early',
              'seconds']
    with open(os.path.join(args.out, 'runs.csv'), 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=scalar)
        writer.writeheader()
        for r in runs:
            writer.writerow({k: r[k] for k in scalar})
    if sweep is not None:
        with open(os.path.join(args.out, 'sweep.json'), 'w') as f:
            json.dump(dict(config=config, grid=LR_GRID, picks=picks, table=sweep), f, indent=1)
        with open(os.path.join(args.out, 'sweep.csv'), 'w', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(['loss', 'lr', 'seeds', 'reached', 'diverged',
                             'steps_to_target_mean', 'steps_to_target_std'])
            for t in sweep:
                writer.writerow([t['loss'], t['lr'], t['seeds'], t['reached'], t['diverged'],
                                 t['steps_to_target_mean'], t['steps_to_target_std']])
    print(f'\nwrote {", ".join(["results.json", "runs.csv"] + figures + (["sweep.json", "sweep.csv"] if sweep else []))} '
          f'to {args.out}/ in {elapsed:.0f} s')
    return summary


if __name__ == '__main__':
    main()
