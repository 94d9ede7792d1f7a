"""The examples, run as a learner runs them (a subprocess), checked through the JSON they write.

(examples/higher_order.py has its own file, test_examples_higher_order.py; `minigrad.train`, which
the examples are built on, is tested in test_train.py.) The subprocesses import this checkout's
minigrad from any working directory: conftest.py puts the checkout on their PYTHONPATH.
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
from helpers import example_module

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'examples')


def run_example(script, *args, out=None, check=True):
    """Runs examples/<script> with `args` (and --out); returns (completed process, results.json)."""
    cmd = [sys.executable, os.path.join(EXAMPLES, script), *map(str, args)]
    if out is not None:
        cmd += ['--out', str(out)]
    env = dict(os.environ, MPLBACKEND='Agg')
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert proc.returncode == 0, f'{script} failed:\n{proc.stdout}\n{proc.stderr}'
    result = None
    if out is not None and os.path.exists(os.path.join(out, 'results.json')):
        with open(os.path.join(out, 'results.json')) as f:
            result = json.load(f)
    return proc, result


def runs_of(result, loss, setting='own'):
    return [r for r in result['runs'] if r['loss'] == loss and r['setting'] == setting]


def steps_or_budget(run):
    """Steps to the target, counting a run that never got there as its whole budget."""
    return run['steps_to_target'] if run['steps_to_target'] is not None else run['steps']


# ------------------------------------------------------------ mse_vs_ce.py

@pytest.fixture(scope='module')
def spirals_shared(tmp_path_factory):
    """Spirals, 3 seeds, both losses at the shared rate 1 (cross-entropy's picked rate)."""
    out = tmp_path_factory.mktemp('shared')
    _, result = run_example('mse_vs_ce.py', '--seeds', 3, '--steps', 350, '--lr-ce', 1,
                            '--lr-mse', 1, '--shared-lr', 1, '--quiet', '--no-plots',
                            out=out)
    return result


@pytest.fixture(scope='module')
def spirals_saturated(tmp_path_factory):
    """The same seeds with the output layer's initial weights x100, at the stored default rates."""
    out = tmp_path_factory.mktemp('saturated')
    _, result = run_example('mse_vs_ce.py', '--seeds', 3, '--steps', 100, '--init-scale', 100,
                            '--quiet', '--no-plots', out=out)
    return result


def test_shared_rate_cross_entropy_reaches_target_sooner(spirals_shared):
    ce, mse = runs_of(spirals_shared, 'ce'), runs_of(spirals_shared, 'mse')
    assert len(ce) == len(mse) == 3
    assert all(r['lr'] == 1 for r in ce + mse)
    ce_steps = np.mean([steps_or_budget(r) for r in ce])
    mse_steps = np.mean([steps_or_budget(r) for r in mse])
    assert all(r['steps_to_target'] is not None for r in ce), 'cross-entropy missed the target'
    # measured: about 3x sooner; 1.5x leaves room for any machine's rounding
    assert 1.5 * ce_steps < mse_steps, (ce_steps, mse_steps)


def test_cross_entropy_output_gradient_larger_at_start(spirals_shared):
    ce = {r['seed']: r['grad_start'] for r in runs_of(spirals_shared, 'ce')}
    mse = {r['seed']: r['grad_start'] for r in runs_of(spirals_shared, 'mse')}
    ratios = [ce[s] / mse[s] for s in ce]
    # near-uniform start: close to K^2/2 = 4.5 (exact only when the output layer is zero)
    assert all(3 < r < 6 for r in ratios), ratios
    assert spirals_shared['grad_ratio_start'] == pytest.approx(np.median(ratios))


def test_saturated_start_collapses_mse_gradient_not_cross_entropy(spirals_shared,
                                                                  spirals_saturated):
    def change(loss):
        """Per seed: median |grad_out| over the first updates from a saturated start, over
        |grad_out| at a benign start; averaged over seeds in orders of magnitude."""
        benign = {r['seed']: r['grad_start'] for r in runs_of(spirals_shared, loss)}
        saturated = runs_of(spirals_saturated, loss)
        assert {r['seed'] for r in saturated} == set(benign)
        logs = [math.log10(max(r['grad_early'], 1e-30) / benign[r['seed']]) for r in saturated]
        return np.mean(logs)
    # measured on seeds 0-2: MSE about -9 orders of magnitude, cross-entropy about -0.8
    assert change('mse') < -3
    assert change('ce') > -2
    assert all(r['steps_to_target'] is None for r in runs_of(spirals_saturated, 'mse'))


@pytest.mark.parametrize('task, half_k_squared', [('spirals', 4.5), ('digits', 50.0),
                                                  ('moons', 2.0)])
def test_uniform_start_gradient_ratio_is_half_k_squared(tmp_path, task, half_k_squared):
    _, result = run_example('mse_vs_ce.py', '--task', task, '--zero-output-layer', '--steps', 1,
                            '--seeds', 2, '--lr-ce', 0.1, '--lr-mse', 0.1, '--quiet',
                            '--no-plots', '--jobs', 1, out=tmp_path)
    assert result['half_K_squared'] == half_k_squared
    ratios = result['grad_ratios_start']
    assert len(ratios) == 2
    for ratio in ratios:
        assert ratio == pytest.approx(half_k_squared, rel=1e-5)


@pytest.mark.slow          # about 5-8 s: matplotlib draws three figures
def test_default_figures_table_and_csv(tmp_path):
    proc, result = run_example('mse_vs_ce.py', '--seeds', 2, '--steps', 20, out=tmp_path)
    for name in ('curves.png', 'grad_norm.png', 'boundaries.png', 'results.json', 'runs.csv'):
        path = tmp_path / name
        assert path.exists() and path.stat().st_size > 1000, name
    assert 'each loss at the learning rate its own sweep picked' in proc.stdout
    assert 'both losses at one shared learning rate' in proc.stdout
    assert 'K^2/2 = 4.5' in proc.stdout
    rows = (tmp_path / 'runs.csv').read_text().strip().splitlines()
    assert rows[0].startswith('setting,loss,lr,seed')
    assert len(rows) == 1 + len(result['runs'])
    # own rates: CE at its picked rate, MSE at its own; shared runs at one rate
    own = {r['loss']: r['lr'] for r in result['runs'] if r['setting'] == 'own'}
    shared = {r['lr'] for r in result['runs'] if r['setting'] == 'shared'}
    assert own['ce'] != own['mse'] and len(shared) == 1


@pytest.mark.parametrize('args, message', [
    (['--task', 'mnist'], 'invalid choice'),
    (['--seeds', 'three'], '--seeds expects a count'),
    (['--init-scale', '-1'], 'expected a positive float'),
    (['--target', '95'], 'expected an accuracy in (0, 1]'),
    (['--zero-output-layer', '--init-scale', '100'], 'cannot be combined'),
    (['--docs', '--task', 'moons'], '--docs runs a fixed protocol'),
    (['--docs', '--seeds=3'], 'drop --seeds'),
    (['--no-readme'], '--no-readme goes with --docs'),
])
def test_lab_bad_options_give_clear_errors(tmp_path, args, message):
    proc, _ = run_example('mse_vs_ce.py', *args, out=tmp_path, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert 'Traceback' not in proc.stderr


@pytest.mark.parametrize('script', ['mse_vs_ce.py', 'regression.py', 'train_digits.py'])
def test_help_documents_options(script):
    proc, _ = run_example(script, '--help')
    assert 'usage:' in proc.stdout and '--out' in proc.stdout and '--quiet' in proc.stdout
    if script == 'mse_vs_ce.py':
        for option in ('--task', '--seeds', '--steps', '--lr-ce', '--lr-mse', '--shared-lr',
                       '--init-scale', '--target', '--sweep', '--zero-output-layer', '--docs'):
            assert option in proc.stdout, option


def test_examples_import_this_checkouts_minigrad_from_any_directory(tmp_path):
    probe = 'import minigrad, sys; print(minigrad.__file__)'
    proc = subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    package = os.path.dirname(os.path.realpath(proc.stdout.strip()))
    assert os.path.dirname(package) == os.path.realpath(os.path.dirname(EXAMPLES)), proc.stdout


def test_the_lab_imports_none_of_its_companions():
    """Imports run one way: the figures, options and --docs files import the lab, the lab
    imports them only inside main (so `python examples/mse_vs_ce.py --docs` works)."""
    probe = ('import sys; sys.path.insert(0, sys.argv[1]); import mse_vs_ce; '
             'print(sorted(m for m in sys.modules if m.startswith("mse_vs_ce")))')
    proc = subprocess.run([sys.executable, '-c', probe, EXAMPLES], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["['mse_vs_ce']"]
    docs = example_module('mse_vs_ce_docs')
    assert docs.with_shared is example_module('mse_vs_ce').with_shared


def test_nudged_start_moves_every_weight_by_one_float32_step():
    lab = example_module('mse_vs_ce')
    plain = lab.make_model('spirals', 3).state_dict()
    nudged = lab.make_model('spirals', 3, jitter=True).state_dict()
    again = lab.make_model('spirals', 3, jitter=True).state_dict()
    for name in plain:
        a, b = plain[name].numpy(), nudged[name].numpy()
        steps = np.abs(a.view(np.int32).astype(np.int64) - b.view(np.int32).astype(np.int64))
        assert np.all(steps == 1) or np.all((steps == 1) | (np.sign(a) != np.sign(b))), name
        assert np.array_equal(b, again[name].numpy())            # seeded: the same nudge again
        assert 0 < np.mean(b > a) < 1                             # up and down at random


def test_wilson_interval_and_verdicts():
    lab, docs = example_module('mse_vs_ce'), example_module('mse_vs_ce_docs')
    low, high = lab.wilson(14, 40)
    assert low < 14 / 40 < high and (round(low, 2), round(high, 2)) == (0.22, 0.5)
    assert lab.wilson(20, 20)[1] == 1.0 and lab.wilson(0, 20)[0] == 0.0
    row = lambda k, n, mean, std: dict(reached=k, seeds=n, steps_to_target_mean=mean,   # noqa: E731
                                       steps_to_target_std=std,
                                       reached_low=lab.wilson(k, n)[0],
                                       reached_high=lab.wilson(k, n)[1])
    assert docs.verdict(row(20, 20, 110, 14), row(20, 20, 106, 11)) == 'tie'
    assert docs.verdict(row(20, 20, 110, 14), row(20, 20, 321, 43)) == 'a'
    assert docs.verdict(row(40, 40, 90, 45), row(14, 40, 424, 223)) == 'a'
    assert docs.verdict(row(14, 40, 424, 223), row(21, 40, 346, 227)) == 'unclear'


def test_representative_seed_is_the_median_not_the_best():
    figures = example_module('mse_vs_ce_figures')
    runs = [dict(seed=s, loss='mse', setting='own', final_train_acc=a)
            for s, a in enumerate([0.99, 0.33, 0.64, 0.33, 0.98])]
    assert figures.representative_seed(runs) == (2, 0.64)


# --------------------------------------------------- regression.py, train_digits.py

def test_regression_outliers_pull_mse_not_l1_or_huber(tmp_path):
    _, result = run_example('regression.py', '--quiet', out=tmp_path)
    err = {f['loss']: f['slope_error'] for f in result['fits']}
    assert err['MSE'] > 1.0, err          # measured 1.73: the 8 outliers flatten the line
    assert err['L1'] < 0.2 and err['Huber'] < 0.3, err
    assert (tmp_path / 'regression.png').exists()


def test_regression_without_outliers_all_agree(tmp_path):
    _, result = run_example('regression.py', '--outliers', 0, '--quiet', '--no-plots',
                            out=tmp_path)
    for f in result['fits']:
        assert abs(f['slope'] - 2) < 0.2 and abs(f['intercept'] - 1) < 0.2, f


def test_train_digits_reaches_97_and_reloads_identically(tmp_path):
    _, result = run_example('train_digits.py', '--quiet', out=tmp_path)
    assert result['test_accuracy'] >= 0.97
    assert result['identical_after_reload']
    assert result['reloaded_test_accuracy'] == result['test_accuracy']
    assert (tmp_path / 'digits_mlp.npz').exists()
    state = mg.load(str(tmp_path / 'digits_mlp.npz'))
    assert list(state) == ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']
