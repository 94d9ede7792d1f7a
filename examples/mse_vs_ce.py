#!/usr/bin/env python
"""The MSE-vs-cross-entropy lab: one classifier, two losses, side by side.

    python examples/mse_vs_ce.py                       # spirals, 5 seeds, about a minute
    python examples/mse_vs_ce.py --init-scale 100      # start confidently wrong
    python examples/mse_vs_ce.py --zero-output-layer   # start exactly uniform
    python examples/mse_vs_ce.py --sweep               # the learning-rate sweep (minutes)
    python examples/mse_vs_ce.py --task digits         # or moons

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
import sys                                       # noqa: E402
import time                                      # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

import numpy as np                               # noqa: E402

import minigrad as mg                            # noqa: E402
import minigrad.nn.functional as F               # noqa: E402
from minigrad import data, nn, optim             # noqa: E402
from minigrad.train import fit                   # noqa: E402

# ---------------------------------------------------------------- settings

# Learning rates picked by `--sweep` and written in here by hand: grid 0.001..50
# in 1-2-5 steps, sweep seeds 100-102 (not the evaluation seeds 0-4), each run
# up to the task's default steps. For each loss the pick is the rate at which
# the most sweep seeds reached the target accuracy, then the fewest steps on
# average, then the smaller rate. Obtained with
#   python examples/mse_vs_ce.py --sweep --task spirals                   CE 1     MSE 5
#   python examples/mse_vs_ce.py --sweep --task spirals --init-scale 100  CE 0.05  MSE 0.2
#   python examples/mse_vs_ce.py --sweep --task moons                     CE 2     MSE 5
#   python examples/mse_vs_ce.py --sweep --task digits                    CE 0.5   MSE 10
# Keyed by (task, init scale, output layer zeroed); other settings fall back to
# the init-scale-1 rates of their task, and say so.
PICKED_LR = {
    ('spirals', 1.0, False): {'ce': 1.0, 'mse': 5.0},
    ('spirals', 100.0, False): {'ce': 0.05, 'mse': 0.2},
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
            return mg.Tensor._wrap(y.numpy().astype(np.float32).reshape(-1, 1))
        if loss == 'ce':
            return lambda out, y: F.binary_cross_entropy_with_logits(out, target(y))
        if loss == 'mse':
            return lambda out, y: F.mse_loss(F.sigmoid(out), target(y))
        return lambda out, y: F.mse_loss(out, target(y))
    eye = np.eye(classes, dtype=np.float32)

    def one_hot(y):
        return mg.Tensor._wrap(eye[y.numpy()])
    if loss == 'ce':
        return lambda out, y: F.cross_entropy(out, y)
    if loss == 'mse':
        return lambda out, y: F.mse_loss(F.softmax(out, dim=1), one_hot(y))
    return lambda out, y: F.mse_loss(out, one_hot(y))


def make_model(task, seed, init_scale=1.0, zero_output=False):
    """in -> 64 -> 64 -> out with ReLU, PyTorch's default init drawn from `seed`."""
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
    return model


# ------------------------------------------------------------------- one run

def run_one(job):
    """Trains one (seed, loss, lr) and returns plain numbers (runs in a worker process)."""
    task, seed, loss, lr, cfg = job['task'], job['seed'], job['loss'], job['lr'], job['cfg']
    spec = TASKS[task]
    X_train, X_test, y_train, y_test = load_task(task, seed)
    model = make_model(task, seed, cfg['init_scale'], cfg['zero_output'])
    loss_fn = make_loss(loss, spec['classes'])
    optimizer = optim.SGD(model.parameters(), lr=lr)
    if spec['batch_size'] is None:
        train_data = (X_train, y_train)
        target_on = None                   # the full-batch accuracy at each step
    else:                                  # the same batches for both losses: seeded by `seed`
        train_data = data.DataLoader(X_train, y_train, batch_size=spec['batch_size'],
                                     shuffle=True, seed=seed)
        target_on = 'train'
    # Too large a rate overflows: fit stops there and the run is reported as diverged,
    # so NumPy's overflow warnings would only repeat that.
    with np.errstate(over='ignore', invalid='ignore'):
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
        out = model(mg.Tensor._wrap(grid)).numpy()
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


# ------------------------------------------------------------------ summaries

def _mean_std(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return None, None
    return float(np.mean(values)), float(np.std(values))


def summarise(runs, n_seeds):
    """One row per (setting, loss): means over seeds."""
    rows = []
    keys = []
    for r in runs:
        if (r['setting'], r['loss']) not in keys:
            keys.append((r['setting'], r['loss']))
    for setting, loss in keys:
        group = [r for r in runs if r['setting'] == setting and r['loss'] == loss]
        reached = [r['steps_to_target'] for r in group if r['steps_to_target'] is not None]
        row = dict(setting=setting, loss=loss, lr=group[0]['lr'], seeds=len(group),
                   reached=len(reached), diverged=sum(r['diverged'] for r in group))
        row['steps_to_target_mean'], row['steps_to_target_std'] = _mean_std(reached)
        for key in ('final_train_acc', 'final_test_acc', 'final_loss'):
            row[key + '_mean'], row[key + '_std'] = _mean_std([r[key] for r in group])
        for key in ('grad_start', 'grad_early'):      # these span decades: average their logs
            values = [r[key] for r in group if r[key] is not None]
            row[key + '_geomean'] = geomean(values) if values else None
            row[key + '_min'] = float(np.min(values)) if values else None
            row[key + '_max'] = float(np.max(values)) if values else None
        rows.append(row)
    return rows


def geomean(values, floor=1e-30):
    """exp(mean(log v)): the average in orders of magnitude (exact zeros counted as `floor`)."""
    values = np.maximum(np.asarray(values, dtype=np.float64), floor)
    return float(np.exp(np.mean(np.log(values))))


def _fmt(mean, std, digits=3, fmt='f'):
    if mean is None:
        return '-'
    return f'{mean:.{digits}{fmt}} ± {std:.{digits}{fmt}}'


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
                  f'{_g(r["grad_start_geomean"]):>17}  {_g(r["grad_early_geomean"]):>15}'
                  + (f'   ({r["diverged"]} diverged)' if r['diverged'] else ''))
    print(f'\nsteps to target: mean ± std over the seeds that reached it; train/test accuracy '
          f'and (training) loss after the last step, mean over seeds; |grad_out|: L2 norm of '
          f'the gradient of the output layer\'s weight and bias, at step 0 and its median over '
          f'updates 1-{EARLY}, geometric mean over seeds (they span decades).'
          + ('' if TASKS[args.task]['batch_size'] is None else
             f' With mini-batches the target is checked on the whole training split every '
             f'{TASKS[args.task]["eval_every"]} steps.'))


def _g(value):
    return '-' if value is None else f'{value:.3g}'


def start_ratio(runs, setting='own'):
    """|grad_out| CE / MSE at step 0 per seed (the same weights, so lr plays no part), and
    their geometric mean."""
    ce = {r['seed']: r['grad_start'] for r in runs if r['setting'] == setting and r['loss'] == 'ce'}
    mse = {r['seed']: r['grad_start'] for r in runs if r['setting'] == setting and r['loss'] == 'mse'}
    ratios = [ce[s] / mse[s] for s in ce if s in mse and mse[s] > 0]
    return (geomean(ratios) if ratios else None), ratios


def why_half_k_squared(K):
    if K == 2:
        return ('BCE-with-logits gives (p - y)/N per logit; MSE on the sigmoid gives '
                '2(p - y)·p(1-p)/N, and p(1-p) = 1/4 at p = 1/2, so 1/2 of it')
    return ('cross-entropy gives (p - y)/N per logit; MSE on the softmax averages over N·K '
            'numbers and gives 2/(N·K) times the softmax Jacobian times (p - y), which at '
            'p = 1/K is (p - y)/K: 2/K² of it')


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
            f'cross-entropy is {ratio:.3g}x MSE\'s (geometric mean over seeds, '
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
            parts.append(f'{"cross-entropy" if loss == "ce" else "MSE"} {_g(row["grad_start_geomean"])} '
                         f'at step 0 and {_g(row["grad_early_geomean"])} over updates 1-{EARLY} '
                         f'(per seed {_g(row["grad_early_min"])} to {_g(row["grad_early_max"])}), '
                         f'reaching {args.target:.0%} on {row["reached"]}/{row["seeds"]} seeds')
        lines.append(f'4. Saturated start (output layer x{args.init_scale:g}). Output-layer '
                     f'gradient at each loss\'s own rate, geometric mean over seeds: '
                     + '; '.join(parts) + f'. The CE/MSE ratio at step 0 is {ratio:.3g} '
                     f'(per seed {min(ratios):.3g} to {max(ratios):.3g}), against about '
                     f'{half_k2:g} from a benign start: where the outputs saturate, MSE\'s '
                     f'p(1-p) factors vanish and cross-entropy\'s (p - y) does not. That is '
                     f'not a constant factor.')
    return lines


# ------------------------------------------------------------------- figures

COLORS = {'ce': 'tab:blue', 'mse': 'tab:orange', 'mse_raw': 'tab:green'}
STYLES = {'own': '-', 'shared': '--'}
FLOOR = 1e-12           # zeros cannot sit on a log axis


def _band(ax, x, curves, color, style, label, log=False):
    length = min(len(c) for c in curves)
    if length == 0:
        return
    arr = np.array([c[:length] for c in curves], dtype=np.float64)
    if log:
        arr = np.clip(np.nan_to_num(arr, nan=FLOOR), FLOOR, None)
        centre = np.exp(np.log(arr).mean(axis=0))       # geometric mean: honest on a log axis
    else:
        centre = np.nanmean(arr, axis=0)
    x = np.asarray(x[:length])
    ax.plot(x, centre, style, color=color, label=label, linewidth=1.6)
    ax.fill_between(x, np.nanmin(arr, axis=0), np.nanmax(arr, axis=0), color=color, alpha=0.18,
                    linewidth=0)


def _groups(runs):
    keys = []
    for r in runs:
        if (r['setting'], r['loss']) not in keys:
            keys.append((r['setting'], r['loss']))
    return [(s, l, [r for r in runs if r['setting'] == s and r['loss'] == l]) for s, l in keys]


def _label(setting, loss, lr, binary):
    return f'{loss_label(loss, binary)}, lr {lr:g} ({"own rate" if setting == "own" else "shared"})'


def _note(args, K):
    start = ('uniform start (output layer zeroed)' if args.zero_output_layer
             else f'output-layer init x{args.init_scale:g}')
    return (f'{args.task}, {len(args.seed_list)} seeds, {start}. Lines: mean over seeds '
            f'(geometric on log axes); bands: min to max.')


def plot_curves(runs, args, K, binary, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
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
            _band(ax_loss, steps, [r['curves']['loss'] for r in group], c, '-', label, log=True)
            ev = group[0]['curves']['eval_step']
            if TASKS[args.task]['batch_size'] is None:
                _band(ax_acc, steps, [r['curves']['accuracy'] for r in group], c, '-',
                      label + ': train')
            else:
                _band(ax_acc, ev, [r['curves']['train_accuracy'] for r in group], c, '-',
                      label + ': train')
            _band(ax_acc, ev, [r['curves']['test_accuracy'] for r in group], c, ':',
                  label + ': test')
        rate = ('each at its own rate' if setting == 'own'
                else f'both at the shared rate {args.shared_lr:g}')
        ax_loss.set_yscale('log')
        ax_loss.set_title(f'Training loss, {rate}')
        ax_loss.set_xlabel('step (SGD update)')
        ax_loss.set_ylabel('loss (log scale; CE and MSE are different scales)')
        ax_acc.axhline(args.target, color='grey', linewidth=0.8, linestyle='--')
        ax_acc.text(0.99, args.target, f'target {args.target:.0%} ', color='grey', va='bottom',
                    ha='right', transform=ax_acc.get_yaxis_transform(), fontsize=8)
        ax_acc.set_title(f'Accuracy, {rate}')
        ax_acc.set_xlabel('step (SGD update)')
        ax_acc.set_ylabel('accuracy')
        ax_acc.set_ylim(0, 1.02)
        for ax in (ax_loss, ax_acc):
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=7.5, loc='best')
    fig.suptitle(f'MSE vs cross-entropy on {args.task}: loss and accuracy per step')
    fig.supxlabel(_note(args, K), fontsize=8.5)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_grad_norm(runs, args, K, binary, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    settings = [s for s in ('own', 'shared') if any(r['setting'] == s for r in runs)]
    fig, axes = plt.subplots(1, len(settings), figsize=(6.5 * len(settings), 4.8), squeeze=False,
                             layout='constrained')
    clipped = False
    for ax, setting in zip(axes[0], settings):
        for s, loss, group in _groups(runs):
            if s != setting:
                continue
            curves = [r['curves']['grad_norm'] for r in group]
            clipped |= any(v < FLOOR or not math.isfinite(v) for c in curves for v in c)
            _band(ax, np.arange(max(map(len, curves))), curves, COLORS[loss], '-',
                  _label(setting, loss, group[0]['lr'], binary), log=True)
        ax.set_yscale('log')
        ax.set_xlabel('step (SGD update)')
        ax.set_ylabel('output-layer gradient norm ‖∂loss/∂(W, b)‖ (log)')
        rate = ('each at its own rate' if setting == 'own'
                else f'both at the shared rate {args.shared_lr:g}')
        ax.set_title(f'Output-layer gradient, {rate}')
        ax.grid(True, which='major', alpha=0.3)
        ax.legend(fontsize=8)
    ratio, _ = start_ratio(runs)
    ratio_text = f'{ratio:.3g}' if ratio is not None else 'n/a'
    if args.init_scale == 1:
        second = ('Saturation is not a constant factor: see --init-scale 100, a confidently '
                  'wrong start.')
    else:
        second = (f'Output layer started x{args.init_scale:g} (saturated): compare with '
                  f'--init-scale 1; a constant factor would only shift the curves.')
    fig.suptitle(f'{args.task}: at step 0, CE/MSE output-layer gradient = {ratio_text}; at a '
                 f'uniform start it is exactly K²/2 = {K * K / 2:g},\na constant factor that a '
                 f'larger learning rate absorbs. {second}', fontsize=10)
    note = _note(args, K) + (f' Values below {FLOOR:g} (incl. exact zeros) drawn at {FLOOR:g}.'
                             if clipped else '')
    fig.supxlabel(note, fontsize=8.5)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_boundaries(runs, args, binary, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    shown = [r for r in runs if 'boundary' in r]
    if not shown:
        return False
    X_train, _, y_train, _ = load_task(args.task, shown[0]['seed'])
    K = TASKS[args.task]['classes']
    palette = ['tab:blue', 'tab:orange', 'tab:green', 'tab:red', 'tab:purple'][:K]
    fig, axes = plt.subplots(1, len(shown), figsize=(4.3 * len(shown), 4.4), squeeze=False,
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
        reached = (f'{r["steps_to_target"]} steps to {args.target:.0%}'
                   if r['steps_to_target'] is not None else f'never reached {args.target:.0%}')
        ax.set_title(f'{loss_label(r["loss"], binary)}, lr {r["lr"]:g}\n'
                     f'{"own rate" if r["setting"] == "own" else "shared rate"}: test acc '
                     f'{r["final_test_acc"]:.3f}, {reached}', fontsize=9)
        ax.set_xlabel('x₁')
        ax.set_ylabel('x₂')
        ax.legend(fontsize=7, loc='lower right', markerscale=1.5)
    fig.suptitle(f'{args.task}: decision regions after {args.steps} steps (seed {shown[0]["seed"]}, '
                 f'training points)', fontsize=11)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_sweep(sweep, picks, args, K, binary, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    fig, ax = plt.subplots(figsize=(8, 5))
    ceiling = args.steps * 1.5
    for i, loss in enumerate(args.losses):
        rows = [s for s in sweep if s['loss'] == loss]
        lrs = [s['lr'] for s in rows]
        means = [s['steps_to_target_mean'] if s['reached'] else np.nan for s in rows]
        ax.plot(lrs, means, 'o-', color=COLORS[loss], label=loss_label(loss, binary))
        never = [s['lr'] for s in rows if not s['reached']]
        ax.plot(never, [ceiling * 1.1 ** i] * len(never), 'x', color=COLORS[loss], markersize=8,
                label=(f'{loss_label(loss, binary)}: no seed reached it in {args.steps} steps'
                       if never else None))
        for s in rows:
            if s['reached'] and s['reached'] < s['seeds']:
                ax.annotate(f'{s["reached"]}/{s["seeds"]}', (s['lr'], s['steps_to_target_mean']),
                            fontsize=7, xytext=(3, 4), textcoords='offset points')
        ax.axvline(picks[loss], color=COLORS[loss], linestyle=':', linewidth=1)
    ax.axhline(args.steps, color='grey', linewidth=0.7, linestyle='--')
    ax.text(LR_GRID[0], args.steps, f' budget: {args.steps} steps', fontsize=8, va='bottom',
            color='grey')
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1, 2, 5)))
    ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel('learning rate (SGD, log scale)')
    ax.set_ylabel(f'steps to {args.target:.0%} train accuracy (mean over seeds that reached it)')
    ratio = picks.get('mse', np.nan) / picks.get('ce', np.nan)
    ax.set_title(f'Learning-rate sweep on {args.task} ({len(args.sweep_seed_list)} sweep seeds); '
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


def run_sweep(args, K, binary):
    cfg = dict(steps=args.steps, target=args.target, init_scale=args.init_scale,
               zero_output=args.zero_output_layer)
    jobs = [dict(task=args.task, seed=seed, loss=loss, lr=lr, setting='sweep', cfg=cfg,
                 stop_at_target=True, curves=False)
            for loss in args.losses for lr in LR_GRID for seed in args.sweep_seed_list]
    results = run_jobs(jobs, args.jobs, args.quiet, 'sweep')
    table = []
    for loss in args.losses:
        for lr in LR_GRID:
            group = [r for r in results if r['loss'] == loss and r['lr'] == lr]
            reached = [r['steps_to_target'] for r in group if r['steps_to_target'] is not None]
            mean, std = _mean_std(reached)
            table.append(dict(loss=loss, lr=lr, seeds=len(group), reached=len(reached),
                              diverged=sum(r['diverged'] for r in group),
                              steps_to_target_mean=mean, steps_to_target_std=std,
                              steps=[r['steps_to_target'] for r in group]))
    picks = {loss: pick_rate([t for t in table if t['loss'] == loss]) for loss in args.losses}
    print(f'\nlearning-rate sweep on {args.task}, seeds {args.sweep_seed_list}, budget '
          f'{args.steps} steps, target {args.target:.0%}: steps to target (seeds reaching it)')
    print(f'{"lr":>7}  ' + '  '.join(f'{loss_label(l, binary):>25}' for l in args.losses))
    for lr in LR_GRID:
        cells = []
        for loss in args.losses:
            t = next(t for t in table if t['loss'] == loss and t['lr'] == lr)
            cell = (f'{t["steps_to_target_mean"]:.0f} ({t["reached"]}/{t["seeds"]})'
                    if t['reached'] else f'- (0/{t["seeds"]})')
            if t['diverged']:
                cell += f' {t["diverged"]} div'
            cells.append(f'{cell:>25}')
        print(f'{lr:>7g}  ' + '  '.join(cells))
    print('picked: ' + ', '.join(f'{l} lr = {picks[l]}' for l in args.losses))
    return table, picks


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
               'stdout; results.json, runs.csv and PNG figures in --out.')
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
                        '(default: the first)')
    p.add_argument('--jobs', type=_positive(int), default=min(2, os.cpu_count() or 1),
                   help='worker processes (runs are independent and seeded, so results do '
                        'not depend on this)')
    p.add_argument('--out', default=os.path.join('runs', 'mse_vs_ce'),
                   help='directory for results.json, runs.csv and the figures')
    p.add_argument('--no-plots', action='store_true', help='skip the figures (no matplotlib needed)')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    args = p.parse_args(argv)
    if args.zero_output_layer and args.init_scale != 1.0:
        p.error('--zero-output-layer and --init-scale cannot be combined: zero times C is zero')
    args.seed_list = _seed_list(p, args.seeds, EVAL_SEEDS, '--seeds')
    args.sweep_seed_list = _seed_list(p, args.sweep_seeds, SWEEP_SEEDS, '--sweep-seeds')
    if args.boundary_seed is None:
        args.boundary_seed = args.seed_list[0]
    elif args.boundary_seed not in args.seed_list:
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


def main(argv=None):
    args = parse_args(argv)
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
    jobs = []
    for seed in args.seed_list:
        first = seed == args.boundary_seed
        for loss in args.losses:
            jobs.append(dict(task=args.task, seed=seed, loss=loss, lr=own[loss], setting='own',
                             cfg=cfg, boundary=first))
        for loss in ('ce', 'mse'):
            if own[loss] != args.shared_lr:        # an identical run is not repeated
                jobs.append(dict(task=args.task, seed=seed, loss=loss, lr=args.shared_lr,
                                 setting='shared', cfg=cfg, boundary=first))
    runs = run_jobs(jobs, args.jobs, args.quiet, 'training')
    # the shared block lists a loss whose own rate is the shared rate by reusing its runs
    for loss in ('ce', 'mse'):
        if own[loss] == args.shared_lr:
            runs += [dict(r, setting='shared') for r in runs
                     if r['loss'] == loss and r['setting'] == 'own']
    runs.sort(key=lambda r: (r['setting'] != 'own', args.losses.index(r['loss']), r['seed']))

    rows = summarise(runs, len(args.seed_list))
    print_table(rows, args, binary)
    ratio, ratios = start_ratio(runs)
    if ratio is not None:
        print(f'\noutput-layer gradient at step 0, CE / MSE: geometric mean {ratio:.6g} over seeds '
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
            plot_grad_norm(runs, args, K, binary, os.path.join(args.out, 'grad_norm.png'))
            figures += ['curves.png', 'grad_norm.png']
            boundary = [r for r in runs if 'boundary' in r and not (
                r['setting'] == 'shared' and own[r['loss']] == args.shared_lr)]
            if boundary and plot_boundaries(boundary, args, binary,
                                            os.path.join(args.out, 'boundaries.png')):
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
