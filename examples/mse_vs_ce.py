#!/usr/bin/env python
"""The MSE-vs-cross-entropy lab: one classifier, two losses, side by side.

    python examples/mse_vs_ce.py                       # spirals, 5 seeds, under a minute
    python examples/mse_vs_ce.py --quick               # 1 seed, 200 steps: a check, in seconds
    python examples/mse_vs_ce.py --init-scale 100      # start confidently wrong
    python examples/mse_vs_ce.py --zero-output-layer   # start exactly uniform
    python examples/mse_vs_ce.py --sweep               # the learning-rate sweep (minutes)
    python examples/mse_vs_ce.py --task digits         # or moons, or names (27 classes)
    python examples/mse_vs_ce.py --docs                # every number and figure the README
                                                       # shows (about 12 minutes)

The same network (in -> 64 -> 64 -> out, ReLU, PyTorch's Linear init) starts
from the same weights and sees the same batches under both losses:

  multi-class   softmax + cross-entropy   vs   softmax + MSE on one-hot targets
  binary        sigmoid + BCE (logits)    vs   sigmoid + MSE          (moons)

On names (the next character of a name, 27 classes) next-character accuracy tops out
near 30%, so "steps to target" counts to the accuracy of the count bigram model on the
same training split instead of 95%, and every run also reports the test split's mean
negative log-likelihood (NLL) under its softmax, whatever loss trained it.

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

The runs go to --jobs worker processes. Ctrl-C (or SIGTERM) stops the lab and
its workers at once; if the lab is killed outright, its workers exit with it.

--docs runs a fixed protocol instead (the README's "The lab" section says
what it is): a sweep and 20 or 40 evaluation seeds for each of five settings,
every run repeated from initial weights nudged by one float32 step (which
runs are chaotic?), and the exact K^2/2 check on each task. It writes
docs/mse_vs_ce_results.json and the docs/ figures, and rewrites the README's
generated lab block from that file (tests/test_lab_results.py checks that the
two agree).

This file is the lab: settings, data, model, losses, one run, summaries,
the sweep, main. Companions build on it: mse_vs_ce_options.py, the
command-line options; mse_vs_ce_report.py, the table and reading it prints;
mse_vs_ce_figures.py, the figures; mse_vs_ce_docs.py, the --docs protocol and
the README's block (these import this file; it imports them only in main);
and mse_vs_ce_points.py, which training points carry the gradient at the end
of a run (run_one imports it when a job asks for it).
"""
import os

# The matrices here are tiny: threaded BLAS only adds contention. One thread per
# process, and --jobs processes, is much faster (unless you chose otherwise).
for _var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_var, '1')

import csv                                       # noqa: E402
import json                                      # noqa: E402
import math                                      # noqa: E402
import multiprocessing                           # noqa: E402
import signal                                    # noqa: E402
import sys                                       # noqa: E402
import textwrap                                  # noqa: E402
import threading                                 # noqa: E402
import time                                      # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

import numpy as np                               # noqa: E402

import minigrad as mg                            # noqa: E402
import minigrad.nn.functional as F               # noqa: E402
from minigrad import data, nn, optim             # noqa: E402
from minigrad.train import fit                   # noqa: E402
from minigrad.utils.data import DataLoader, TensorDataset  # noqa: E402

# ---------------------------------------------------------------- settings

# Learning rates picked by `--sweep`, written in here so that a plain run needs no
# sweep: grid 0.001..50 in 1-2-5 steps (to 1000 on names), sweep seeds 100-102 (not
# the evaluation seeds), each run up to the task's default steps. For each loss the pick is the
# rate at which the most sweep seeds reached the target accuracy, then the fewest
# steps on average, then the smaller rate. `--docs` re-runs these five sweeps and
# says so if a pick no longer matches the one stored here.
#   python examples/mse_vs_ce.py --sweep --task spirals                   CE 1     MSE 5
#   python examples/mse_vs_ce.py --sweep --task spirals --init-scale 100  CE 0.05  MSE 0.1
#   python examples/mse_vs_ce.py --sweep --task moons                     CE 2     MSE 5
#   python examples/mse_vs_ce.py --sweep --task digits                    CE 0.5   MSE 10
#   python examples/mse_vs_ce.py --sweep --task names                     CE 1     MSE 100
# Keyed by (task, init scale, output layer zeroed); other settings fall back to
# the init-scale-1 rates of their task, and say so.
PICKED_LR = {
    ('spirals', 1.0, False): {'ce': 1.0, 'mse': 5.0},
    ('spirals', 100.0, False): {'ce': 0.05, 'mse': 0.1},     # 0.2 before: a chaotic pick
    ('moons', 1.0, False): {'ce': 2.0, 'mse': 5.0},
    ('digits', 1.0, False): {'ce': 0.5, 'mse': 10.0},
    ('names', 1.0, False): {'ce': 1.0, 'mse': 100.0},
}


def rate_grid(top):
    """Learning rates 0.001 ... top in 1-2-5 steps."""
    return [m * 10.0 ** e for e in range(-3, 5) for m in (1, 2, 5) if m * 10.0 ** e <= top]


NAMES_PER_RUN = 2000    # names sampled per seed: about 11,400 training examples

TASKS = {
    # full batch: one step = one pass over the 480 training points
    'spirals': dict(classes=3, inputs=2, batch_size=None, steps=1000, eval_every=10,
                    about='3 interleaved spiral arms, 3 x 200 points, angle noise 0.2'),
    'moons': dict(classes=2, inputs=2, batch_size=None, steps=1000, eval_every=10,
                  about='two moons, 500 points, noise 0.2'),
    # mini-batches of 32: one epoch of the 1437 training images is 45 steps
    'digits': dict(classes=10, inputs=64, batch_size=32, steps=900, eval_every=15,
                   about='the UCI 8x8 digits, 1797 images, standardised on the training split'),
    # Next-character accuracy tops out near 30%, so 95% means nothing here. The target, fixed
    # before any MSE run: the accuracy of the count bigram model (the most frequent next
    # character after each character) on the same training split, computed per seed in
    # task_target: "as good as counting pairs of characters". MSE's gradient is K^2/2 =
    # 364.5 times smaller at a uniform start, so its rates need a grid that goes far higher.
    'names': dict(classes=27, inputs=81, batch_size=32, steps=1500, eval_every=25,
                  target='bigram', lr_grid=rate_grid(1000),
                  about=f'next character of {NAMES_PER_RUN:,} of the bundled names (a seeded '
                        f'sample), from the one-hot of the 3 characters before it'),
}

LR_GRID = rate_grid(50)                     # 0.001 ... 50: the tasks without an lr_grid
EVAL_SEEDS = 0
SWEEP_SEEDS = 100
HIDDEN = 64
EARLY = 100             # "the first updates": steps 1..EARLY
JITTER_SEED = 10_000    # seeds the direction of the one-ulp nudges (--docs)
WIDTH = 100             # stdout lines are at most this wide (tests/test_examples_mse_vs_ce.py)


def say(text='', indent='', hang=None, file=None):
    """Prints text wrapped to WIDTH columns; `indent` starts the first line, `hang` the rest."""
    for paragraph in text.split('\n'):
        print(textwrap.fill(paragraph, WIDTH, initial_indent=indent, break_on_hyphens=False,
                            subsequent_indent=indent if hang is None else hang) or '', file=file)


def loss_label(loss, binary):
    if binary:
        return {'ce': 'sigmoid + BCE', 'mse': 'sigmoid + MSE', 'mse_raw': 'MSE on raw output'}[loss]
    return {'ce': 'softmax + cross-entropy', 'mse': 'softmax + MSE (one-hot)',
            'mse_raw': 'MSE on raw logits'}[loss]


# ------------------------------------------------------------------- data

def load_task(task, seed):
    """(X_train, X_test, y_train, y_test) for one seed: the seed draws the data
    (synthetic sets, the sample of names) and the 80/20 split."""
    if task == 'names':
        return load_names(seed)
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


def load_names(seed):
    """NAMES_PER_RUN names drawn by `seed`, split 80/20 by name (split_words, same seed);
    each example is the one-hot of the 3 characters before one character (81 numbers),
    its class that character's id in the 27-character vocabulary ('.' and a-z)."""
    names = data.load_names()
    rng = np.random.default_rng(seed)
    words = [names[i] for i in rng.choice(len(names), NAMES_PER_RUN, replace=False)]
    d = data.names_dataset(block_size=3, split=(0.8, 0.2), seed=seed, words=words)
    # the sample's vocabulary may lack a rare letter: its ids, mapped to the full alphabet's
    alphabet = ['.'] + sorted(set(''.join(names)))
    to_full = np.array([alphabet.index(d.itos[i]) for i in range(d.vocab_size)])
    eye = np.eye(len(alphabet), dtype=np.float32)
    (X_train, y_train), (X_test, y_test) = d.train, d.val
    return (eye[to_full[X_train]].reshape(len(X_train), -1),
            eye[to_full[X_test]].reshape(len(X_test), -1),
            to_full[y_train], to_full[y_test])


def task_target(task, target, X_train, y_train):
    """The training accuracy "steps to target" counts to: `target`, or for 'bigram' the
    accuracy on (X_train, y_train) of the count bigram model, which predicts the character
    seen most often after the previous one (the last 27 inputs, one-hot)."""
    if target != 'bigram':
        return target
    K = TASKS[task]['classes']
    previous = X_train[:, -K:].argmax(axis=1)
    counts = np.zeros((K, K), np.int64)
    np.add.at(counts, (previous, y_train), 1)
    return float(np.mean(counts.argmax(axis=1)[previous] == y_train))


def target_text(target):
    """'95%', or for the bigram rule its name."""
    return 'bigram acc.' if target == 'bigram' else f'{target:.0%}'


def heldout_nll(model, X_test, y_test, classes):
    """The test split's mean negative log-likelihood under the model's softmax (sigmoid for
    one output), whatever loss trained it: a language model's usual measure."""
    with mg.no_grad():
        out = model(mg.from_numpy(X_test))
        if classes == 2:
            y = mg.from_numpy(y_test.astype(np.float32).reshape(-1, 1))
            return float(F.binary_cross_entropy_with_logits(out, y).item())
        return float(F.cross_entropy(out, mg.from_numpy(y_test)).item())


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
    target = task_target(task, cfg['target'], X_train, y_train)
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
                      eval_every=spec['eval_every'], target_accuracy=target,
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
                  final_test_acc=history.evals['test']['accuracy'][-1], target=target,
                  test_nll=(float('nan') if history.diverged else
                            heldout_nll(model, X_test, y_test, spec['classes'])))
    if job.get('curves', True):
        result['curves'] = dict(
            loss=_round(history.loss), accuracy=_round(history.accuracy),
            grad_norm=_round(out_norm.tolist()),
            eval_step=history.evals['test']['step'],
            train_accuracy=_round(final_train['accuracy']),
            test_accuracy=_round(history.evals['test']['accuracy']))
    if job.get('boundary') and spec['inputs'] == 2:
        result['boundary'] = boundary_grid(model, X_train)
    if job.get('per_point') and spec['classes'] > 2:       # where the gradient sits at the end
        from mse_vs_ce_points import per_point_summary
        result['per_point'] = per_point_summary(model, X_train, y_train, loss_fn)
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
    try:
        if n_workers <= 1:
            for i, job in enumerate(jobs):
                results[i] = run_one(job)
                if bar is not None:
                    bar.update(1)
        else:
            _run_in_workers(jobs, n_workers, results, bar)
    finally:
        if bar is not None:
            bar.close()
    return results


def _run_in_workers(jobs, n_workers, results, bar):
    context = multiprocessing.get_context('fork' if 'fork' in
                                          multiprocessing.get_all_start_methods() else None)
    pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=context,
                               initializer=_worker_started, initargs=(os.getpid(),))
    try:
        futures = [pool.submit(run_one, job) for job in jobs]
        for i, future in enumerate(futures):
            results[i] = future.result()
            if bar is not None:
                bar.update(1)
    except BaseException:
        # Ctrl-C or a failed run: stop the workers now, not after the runs they have begun.
        _terminate_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


def _terminate_workers(pool):
    if hasattr(pool, 'terminate_workers'):              # Python 3.14+
        pool.terminate_workers()
        return
    for process in list((getattr(pool, '_processes', None) or {}).values()):   # before: private
        process.terminate()


# ------------------------------------------------ workers that stop with the lab

def _worker_started(lab_pid):
    """In each worker, first: Ctrl-C is the lab's to handle (a terminal sends it to every
    process of the group; the lab then stops the workers, so no traceback from each), a
    SIGTERM ends the worker at once, and the worker exits when the lab dies, however it dies
    (a timeout's SIGKILL, a notebook's stop button): orphans would compute on for an hour."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)      # not the lab's handler, copied by fork
    if not _killed_with_parent(lab_pid):
        threading.Thread(target=_watch_parent, args=(lab_pid,), daemon=True).start()


def _killed_with_parent(lab_pid):
    """Linux: the kernel sends this process SIGKILL when its parent ends (prctl
    PR_SET_PDEATHSIG). False where that is not available or the parent is not the lab."""
    if not sys.platform.startswith('linux') or os.getppid() != lab_pid:
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != lab_pid:             # the lab died before prctl took effect
        os._exit(1)
    return True


def _watch_parent(lab_pid, every=1.0):
    """Elsewhere: a thread that exits the worker once the lab is gone (on POSIX an orphan
    gets a new parent; on Windows the parent id stays, and this cannot tell)."""
    while os.getppid() == lab_pid:
        time.sleep(every)
    os._exit(1)


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

def mean_std(values):
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
    for setting, loss, group in groups(runs):
        reached = [r['steps_to_target'] for r in group if r['steps_to_target'] is not None]
        low, high = wilson(len(reached), len(group))
        row = dict(setting=setting, loss=loss, lr=group[0]['lr'], seeds=len(group),
                   reached=len(reached), reached_low=low, reached_high=high,
                   diverged=sum(r['diverged'] for r in group))
        row['steps_to_target_mean'], row['steps_to_target_std'] = mean_std(reached)
        targets = [r['target'] for r in group]      # differ by seed under the bigram rule
        row['target_min'], row['target_max'] = min(targets), max(targets)
        for key in ('final_train_acc', 'final_test_acc', 'final_loss', 'test_nll'):
            row[key + '_mean'], row[key + '_std'] = mean_std([r[key] for r in group])
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


def groups(runs):
    """(setting, loss, its runs) for each setting and loss, in the order they first appear."""
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


def _fmt(mean, std, digits=3, fmt='f', n=2):
    """mean ± std, or the mean alone when it rests on one value (a spread of one is no spread)."""
    if mean is None:
        return '-'
    return f'{mean:.{digits}{fmt}}' + (f' ± {std:.{digits}{fmt}}' if n > 1 else '')


def fmt_g(value):
    return '-' if value is None else f'{value:.3g}'


def fmt_pct(value):
    return f'{100 * value:.0f}%'


# ------------------------------------------------------------------- sweep

def pick_rate(rows):
    """Most seeds reaching the target, then fewest mean steps, then the smaller rate."""
    best = min(rows, key=lambda s: (-s['reached'],
                                    s['steps_to_target_mean'] if s['reached'] else math.inf,
                                    s['lr']))
    return best['lr'] if best['reached'] else None


def task_grid(task):
    """The learning rates --sweep tries on `task`."""
    return TASKS[task].get('lr_grid', LR_GRID)


def sweep_jobs(task, cfg, losses, seeds, **extra):
    return [dict(task=task, seed=seed, loss=loss, lr=lr, setting='sweep', cfg=cfg,
                 stop_at_target=True, curves=False, **extra)
            for loss in losses for lr in task_grid(task) for seed in seeds]


def sweep_table(results, losses, grid=LR_GRID):
    """Per (loss, lr): seeds, how many reached the target, mean ± std steps; and the picks."""
    table = []
    for loss in losses:
        for lr in grid:
            group = [r for r in results if r['loss'] == loss and r['lr'] == lr]
            reached = [r['steps_to_target'] for r in group if r['steps_to_target'] is not None]
            mean, std = mean_std(reached)
            table.append(dict(loss=loss, lr=lr, seeds=len(group), reached=len(reached),
                              diverged=sum(r['diverged'] for r in group),
                              steps_to_target_mean=mean, steps_to_target_std=std,
                              steps=[r['steps_to_target'] for r in group]))
    picks = {loss: pick_rate([t for t in table if t['loss'] == loss]) for loss in losses}
    return table, picks


def print_sweep(table, picks, task, seeds, steps, target, losses, binary):
    say(f'\nlearning-rate sweep on {task}, seeds {seeds}, budget {steps} steps, target '
        f'{target_text(target)}: steps to target (seeds reaching it)')
    print(f'{"lr":>7}  ' + '  '.join(f'{loss_label(l, binary):>25}' for l in losses))
    for lr in dict.fromkeys(t['lr'] for t in table):
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
    table, picks = sweep_table(results, args.losses, task_grid(args.task))
    print_sweep(table, picks, args.task, args.sweep_seed_list, args.steps, args.target,
                args.losses, binary)
    return table, picks


# --------------------------------------------------------------------- main

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


def choose_rates(args, K, binary):
    """The learning rates of this run, set in args: given, picked by --sweep (run here; returns
    its table and picks), or stored in PICKED_LR."""
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
    say(f'learning rates: CE {args.lr_ce:g}, MSE {args.lr_mse:g}'
        + (f', raw MSE {args.lr_mse_raw:g}' if args.raw_mse else '')
        + f' ({source}); shared {args.shared_lr:g}')
    return sweep, picks


def save_outputs(args, summary, runs, sweep, picks):
    """results.json and runs.csv in args.out; with --sweep also sweep.json and sweep.csv."""
    config = summary['config']
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
            json.dump(dict(config=config, grid=task_grid(config['task']), picks=picks, table=sweep), f, indent=1)
        with open(os.path.join(args.out, 'sweep.csv'), 'w', newline='') as f:
            writer = csv.writer(f)
            writer.writerow(['loss', 'lr', 'seeds', 'reached', 'diverged',
                             'steps_to_target_mean', 'steps_to_target_std'])
            for t in sweep:
                writer.writerow([t['loss'], t['lr'], t['seeds'], t['reached'], t['diverged'],
                                 t['steps_to_target_mean'], t['steps_to_target_std']])


def main(argv=None):
    # The companion files import this one, so this one imports them only here, when it runs.
    from mse_vs_ce_options import parse_args    # the command-line options and their checks
    from mse_vs_ce_report import print_table, reading   # what it prints after the runs
    args = parse_args(argv)
    if args.docs:
        from mse_vs_ce_docs import main_docs        # the protocol behind the README's numbers
        return main_docs(args)
    spec = TASKS[args.task]
    K, binary = spec['classes'], spec['classes'] == 2
    os.makedirs(args.out, exist_ok=True)
    started = time.perf_counter()
    say(f'MSE vs cross-entropy on {args.task}: {spec["about"]}; 80/20 split; MLP '
        f'{spec["inputs"]}-{HIDDEN}-{HIDDEN}-{1 if binary else K}, ReLU, PyTorch init, float32; '
        f'plain SGD, {"full batch" if spec["batch_size"] is None else "batches of " + str(spec["batch_size"])}; '
        f'{args.steps} steps; seeds {args.seed_list}' +
        (f'; output-layer weights x{args.init_scale:g}' if args.init_scale != 1 else '') +
        ('; output layer zeroed' if args.zero_output_layer else ''))

    sweep, picks = choose_rates(args, K, binary)
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
        value = (f'{ratio:.6g} (1 seed)' if len(ratios) == 1 else f'median {ratio:.6g} over '
                 f'seeds (min {min(ratios):.6g}, max {max(ratios):.6g})')
        say(f'\noutput-layer gradient at step 0, CE / MSE: {value}; K^2/2 = {K * K / 2:g} at a '
            f'uniform start')
    lines = reading(rows, runs, args, K)
    print('\nreading:')
    for line in lines:
        say(line, indent='  ', hang='     ')

    figures = []
    if not args.no_plots:
        from mse_vs_ce_figures import draw_figures  # matplotlib
        figures = draw_figures(runs, rows, args, K, binary, own, cfg, sweep, picks)

    elapsed = time.perf_counter() - started
    config = {k: v for k, v in vars(args).items()}
    summary = dict(config=config, K=K, half_K_squared=K * K / 2, grad_ratio_start=ratio,
                   grad_ratios_start=ratios, rows=rows, reading=lines, seconds=elapsed,
                   figures=figures)
    save_outputs(args, summary, runs, sweep, picks)
    written = ['results.json', 'runs.csv'] + figures + (['sweep.json', 'sweep.csv'] if sweep else [])
    say(f'\nwrote {", ".join(written)} to {args.out}/ in {elapsed:.0f} s')
    return summary


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def command_line():
    """`python examples/mse_vs_ce.py`: main, where Ctrl-C or a SIGTERM (a notebook's or an
    IDE's stop button, `timeout`) stops the lab and its workers with one line, not a traceback."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        main()
    except KeyboardInterrupt:
        print('\nmse_vs_ce.py: interrupted; stopped its worker processes too. Results are '
              'written only when a run of the lab finishes.', file=sys.stderr)
        sys.exit(130)


if __name__ == '__main__':
    command_line()
