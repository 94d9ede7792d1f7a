#!/usr/bin/env python
"""The figures of the MSE-vs-cross-entropy lab (examples/mse_vs_ce.py), drawn with matplotlib
from the numbers its runs return: loss and accuracy per step, the output-layer gradient, the
saturated start, decision regions and the learning-rate sweep.

`python examples/mse_vs_ce.py` calls `draw_figures` after its runs (unless --no-plots); the
--docs protocol (mse_vs_ce_docs.py) draws the README's figures with the same functions.
"""
import math
import os

import numpy as np

from mse_vs_ce import (EARLY, LR_GRID, TASKS, evaluation_jobs, groups, load_task, loss_label,
                       run_jobs, start_ratio, target_text)

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


def _target_line(target, runs):
    """Where the target's line goes: the target, or for a per-seed rule (bigram) the median
    of the seeds' targets."""
    if not isinstance(target, str):
        return target
    return float(np.median([r['target'] for r in runs]))


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
        for s, loss, group in groups(runs):
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
        line = _target_line(view.target, runs)
        ax_acc.axhline(line, color='grey', linewidth=0.8, linestyle='--')
        ax_acc.text(0.99, line, f'target {target_text(view.target)} ', color='grey',
                    va='bottom', ha='right', transform=ax_acc.get_yaxis_transform(), fontsize=8)
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
    for s, loss, group in groups(runs):
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
        for s, loss, group in groups(runs):
            if s != setting:
                continue
            row = next(r for r in rows if r['setting'] == s and r['loss'] == loss)
            steps = np.arange(max(len(r['curves']['accuracy']) for r in group))
            _seed_lines(ax_acc, steps, [r['curves']['accuracy'] for r in group], COLORS[loss],
                        f'{_label(setting, loss, group[0]["lr"], binary)}: reached '
                        f'{target_text(view.target)} on {row["reached"]}/{row["seeds"]}',
                        median=False)
        ax_acc.axhline(_target_line(view.target, runs), color='grey', linewidth=0.8,
                       linestyle='--')
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
        target = target_text(view.target)
        reached = (f'{r["steps_to_target"]} steps to {target}'
                   if r['steps_to_target'] is not None else f'never reached {target}')
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
    ax.set_ylabel(f'steps to {target_text(view.target)} train accuracy (mean over seeds that '
                  f'reached it)')
    ratio = (picks['mse'] / picks['ce'] if picks.get('mse') and picks.get('ce') else float('nan'))
    ax.set_title(f'Learning-rate sweep on {view.task} ({len(view.sweep_seed_list)} sweep seeds); '
                 f'dotted: picked rates\nMSE\'s pick / CE\'s pick = {ratio:g}; the uniform-start '
                 f'gradient ratio is K²/2 = {K * K / 2:g}', fontsize=10)
    ax.grid(True, which='both', alpha=0.25)
    ax.legend(fontsize=8, loc='lower left')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def draw_figures(runs, rows, args, K, binary, own, cfg, sweep=None, picks=None):
    """The figures of one run of the lab, written to args.out; returns their file names
    (none when matplotlib is not installed)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('\n(figures skipped: matplotlib is not installed; pip install matplotlib)')
        return []
    plot_curves(runs, args, K, binary, os.path.join(args.out, 'curves.png'))
    plot_grad_norm(runs, rows, args, K, binary, os.path.join(args.out, 'grad_norm.png'))
    figures = ['curves.png', 'grad_norm.png']
    if TASKS[args.task]['inputs'] == 2:
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
    return figures


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
