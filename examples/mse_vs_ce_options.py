#!/usr/bin/env python
"""The command-line options of the MSE-vs-cross-entropy lab (examples/mse_vs_ce.py): what each
one means, and the checks that turn a wrong one into a clear error.

`python examples/mse_vs_ce.py --help` lists them.
"""
import argparse
import math
import os
import sys

from mse_vs_ce import EVAL_SEEDS, SWEEP_SEEDS, TASKS

QUICK_STEPS = 200
DEFAULT_TARGET = 0.95   # the training accuracy of "steps to target", unless the task sets its own

# Options that choose an experiment: --docs runs its own fixed protocol instead.
EXPERIMENT_OPTIONS = ('--task', '--seeds', '--sweep-seeds', '--steps', '--lr-ce', '--lr-mse',
                      '--shared-lr', '--init-scale', '--zero-output-layer', '--raw-mse',
                      '--lr-mse-raw', '--target', '--sweep', '--boundary-seed', '--quick')


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
    _add_experiment_options(p)
    _add_run_options(p)
    raw = sys.argv[1:] if argv is None else list(argv)
    args = p.parse_args(raw)
    if args.docs:
        given = [o for o in EXPERIMENT_OPTIONS
                 if any(a == o or a.startswith(o + '=') for a in raw)]
        if given:
            p.error(f'--docs runs a fixed protocol and takes only --out, --jobs, --quiet, '
                    f'--no-plots and --no-readme; drop {", ".join(given)}')
        return args                 # mse_vs_ce_docs.main_docs fills in the default --out
    if args.no_readme:
        p.error('--no-readme goes with --docs')
    if args.out is None:
        args.out = os.path.join('runs', 'mse_vs_ce')
    if args.quick:                  # one seed, a few steps: unless --seeds / --steps say otherwise
        if not any(a == '--seeds' or a.startswith('--seeds=') for a in raw):
            args.seeds = '1'
        if args.steps is None:
            args.steps = QUICK_STEPS
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
    if args.target is None:
        args.target = TASKS[args.task].get('target', DEFAULT_TARGET)
    args.losses = ['ce', 'mse'] + (['mse_raw'] if args.raw_mse else [])
    return args


def _add_experiment_options(p):
    """The options that choose the experiment (--docs runs its own)."""
    p.add_argument('--task', choices=sorted(TASKS), default='spirals',
                   help='data set: spirals (3 classes, full batch), moons (binary, full batch), '
                        'digits (10 classes, mini-batches of 32), names (the next character of '
                        'a name from the 3 before it: 27 classes, mini-batches of 32)')
    p.add_argument('--seeds', default='5',
                   help='evaluation seeds: a count N (seeds 0..N-1) or a list like 0,3,7. A seed '
                        'draws the data, the split, the initial weights and the batch order')
    p.add_argument('--sweep-seeds', default='3',
                   help='seeds used by --sweep to pick learning rates: a count N (seeds '
                        '100..100+N-1, disjoint from the evaluation seeds) or a list')
    p.add_argument('--steps', type=_positive(int), default=None,
                   help='SGD updates per run (default per task: spirals 1000, moons 1000, '
                        'digits 900 = 20 epochs, names 1500 = about 4 epochs)')
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
    p.add_argument('--target', type=_fraction, default=None,
                   help='target training accuracy for "steps to target" (default: 0.95; on '
                        'names, where next-character accuracy tops out near 0.3, each seed\'s '
                        'count bigram model\'s accuracy on its training split)')
    p.add_argument('--sweep', action='store_true',
                   help='first run the learning-rate sweep (grid 0.001..50 in 1-2-5 steps, '
                        'to 1000 on names, on --sweep-seeds) and use the rates it picks; takes '
                        'minutes')
    p.add_argument('--quick', action='store_true',
                   help=f'one seed and {QUICK_STEPS} steps (unless --seeds or --steps say '
                        f'otherwise): a check that the lab runs, in seconds; its numbers say little')
    p.add_argument('--boundary-seed', type=int, default=None,
                   help='the evaluation seed whose decision regions boundaries.png shows '
                        '(default: the seed whose MSE run ended at the median training accuracy, '
                        'a typical one)')


def _add_run_options(p):
    """--docs, and the options of where and how the runs go."""
    p.add_argument('--docs', action='store_true',
                   help='run the fixed protocol behind the README\'s lab section (five settings, '
                        'their sweeps, 20-40 seeds each, every run repeated from nudged initial '
                        'weights; about 12 minutes on 2 cores) and write its results file and '
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
