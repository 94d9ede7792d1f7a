#!/usr/bin/env python
"""MSE vs L1 vs Huber: fitting a line through data with a few outliers.

    python examples/regression.py                 # 100 points, 8 outliers, seconds
    python examples/regression.py --outliers 0    # no outliers: all three agree

MSE squares each residual, so one point 10 units off weighs as much as 100
points 1 unit off: a few outliers pull the whole line towards them. L1 grows
linearly (its gradient is only the residual's sign), and Huber is quadratic
within `delta` and linear beyond it, so outliers pull with a bounded force.

Writes regression.png (the data and the three fitted lines) and
results.json (slope and intercept of each fit, and of the true line) to --out.
"""
import argparse
import json
import math
import os
import sys

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.train import fit

TRUE_SLOPE, TRUE_INTERCEPT = 2.0, 1.0


def make_data(n, n_outliers, seed):
    """x ~ N(0, 1), y = 2x + 1 + 0.5·N(0, 1); the `n_outliers` points with the largest x
    are moved 12 below the line (outliers on one side pull a fit hardest)."""
    gen = np.random.default_rng(seed)
    x = gen.standard_normal(n)
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + 0.5 * gen.standard_normal(n)
    outliers = np.argsort(x)[n - n_outliers:]
    y[outliers] -= 12.0
    return (x.reshape(-1, 1).astype(np.float32), y.reshape(-1, 1).astype(np.float32),
            np.sort(outliers))


LOSSES = {
    'MSE': lambda out, y, delta: F.mse_loss(out, y),
    'L1': lambda out, y, delta: F.l1_loss(out, y),
    'Huber': lambda out, y, delta: F.huber_loss(out, y, delta=delta),
}


def fit_line(X, y, loss, args):
    mg.manual_seed(args.seed)
    model = nn.Linear(1, 1)
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
    history = fit(model, lambda out, target: LOSSES[loss](out, target, args.delta), optimizer,
                  (X, y), steps=args.steps, track_accuracy=False, grad_flow=False,
                  progress=not args.quiet, desc=loss)
    slope, intercept = float(model.weight.data[0, 0]), float(model.bias.data[0])
    return dict(loss=loss, slope=slope, intercept=intercept, final_loss=history.loss[-1],
                diverged=history.diverged)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog='regression.py', formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description='Fit a line y = wx + b to data with a few outliers under MSE, L1 and Huber '
                    'loss (plain SGD, full batch) and plot the three fits against the true line.')
    p.add_argument('--n', type=int, default=100, help='number of points')
    p.add_argument('--outliers', type=int, default=8,
                   help='how many points (those with the largest x) are moved 12 below the line')
    p.add_argument('--steps', type=int, default=2000, help='SGD steps per loss')
    p.add_argument('--lr', type=float, default=0.05, help='SGD learning rate')
    p.add_argument('--delta', type=float, default=1.0, help='Huber loss delta')
    p.add_argument('--seed', type=int, default=0, help='seed for the data and the initial line')
    p.add_argument('--out', default=os.path.join('runs', 'regression'),
                   help='directory for regression.png and results.json')
    p.add_argument('--no-plots', action='store_true', help='skip the figure')
    p.add_argument('--quiet', action='store_true', help='no progress bars')
    args = p.parse_args(argv)
    if args.n < 2:
        p.error(f'--n must be at least 2, got {args.n}')
    if not 0 <= args.outliers < args.n:
        p.error(f'--outliers must be between 0 and n - 1 = {args.n - 1}, got {args.outliers}')
    for name in ('steps', 'lr', 'delta'):
        value = getattr(args, name)
        if not value > 0 or not math.isfinite(value):
            p.error(f'--{name} must be positive, got {value}')
    return args


def plot(X, y, outliers, fits, args, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7.5, 5))
    inlier = np.ones(len(X), dtype=bool)
    inlier[outliers] = False
    ax.scatter(X[inlier, 0], y[inlier, 0], s=12, color='grey', label='data')
    if len(outliers):
        ax.scatter(X[outliers, 0], y[outliers, 0], s=30, marker='x', color='black',
                   label=f'{len(outliers)} outliers')
    xs = np.linspace(X.min(), X.max(), 50)
    ax.plot(xs, TRUE_SLOPE * xs + TRUE_INTERCEPT, color='black', linewidth=1, linestyle='--',
            label=f'true line y = {TRUE_SLOPE:g}x + {TRUE_INTERCEPT:g}')
    for f, color in zip(fits, ('tab:red', 'tab:blue', 'tab:green')):
        ax.plot(xs, f['slope'] * xs + f['intercept'], color=color, linewidth=2,
                label=f'{f["loss"]}: y = {f["slope"]:.2f}x + {f["intercept"]:.2f}')
    ax.set_xlabel('x')
    ax.set_ylabel('y')
    ax.set_title(f'Line fits under MSE, L1 and Huber (δ = {args.delta:g}), {args.n} points, '
                 f'{args.outliers} outliers\nsquared residuals let the outliers pull the MSE line',
                 fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    X, y, outliers = make_data(args.n, args.outliers, args.seed)
    fits = [fit_line(X, y, loss, args) for loss in LOSSES]
    print(f'{args.n} points around y = {TRUE_SLOPE:g}x + {TRUE_INTERCEPT:g}, {args.outliers} '
          f'outliers; SGD lr {args.lr:g}, {args.steps} steps\n')
    print(f'{"loss":<7} {"slope":>7} {"intercept":>10} {"|slope - 2|":>12}')
    for f in fits:
        f['slope_error'] = abs(f['slope'] - TRUE_SLOPE)
        print(f'{f["loss"]:<7} {f["slope"]:>7.3f} {f["intercept"]:>10.3f} {f["slope_error"]:>12.3f}'
              + ('  (diverged)' if f['diverged'] else ''))
    os.makedirs(args.out, exist_ok=True)
    figure = None
    if not args.no_plots:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print('(figure skipped: matplotlib is not installed)', file=sys.stderr)
        else:
            figure = os.path.join(args.out, 'regression.png')
            plot(X, y, outliers, fits, args, figure)
    result = dict(config=vars(args), true_slope=TRUE_SLOPE, true_intercept=TRUE_INTERCEPT,
                  fits=fits, figure=figure)
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump(result, f, indent=1)
    print(f'\nwrote results.json{" and regression.png" if figure else ""} to {args.out}/')
    return result


if __name__ == '__main__':
    main()
