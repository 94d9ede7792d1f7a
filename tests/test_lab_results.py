"""The README's lab section is computed, never typed.

`python examples/mse_vs_ce.py --docs` writes docs/mse_vs_ce_results.json and the docs/
figures, and renders the README's generated lab block from that file. The fast tests here
check that the README, the results file and the figures agree, and that the file's summaries
and claims follow from its own per-run numbers. The slow test re-runs the whole protocol
(about 12 minutes on 2 cores) and checks the file; it runs only when asked for, with
`python -m pytest -m slow tests/test_lab_results.py` (or MINIGRAD_RUN_LAB=1), so that the
default `python -m pytest` stays fast.
"""
import json
import math
import os
import pathlib
import re
import subprocess
import sys

import pytest

from helpers import example_module

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / 'docs' / 'mse_vs_ce_results.json'


@pytest.fixture(scope='module')
def lab():
    """examples/mse_vs_ce.py: the runs and their summaries."""
    return example_module('mse_vs_ce')


@pytest.fixture(scope='module')
def docs():
    """examples/mse_vs_ce_docs.py: the --docs protocol, its claims and the README block."""
    return example_module('mse_vs_ce_docs')


@pytest.fixture(scope='module')
def results():
    with open(RESULTS, encoding='utf-8') as f:
        return json.load(f)


def test_readme_lab_block_is_rendered_from_the_results_file(docs, results):
    block = docs.readme_lab_block(ROOT / 'README.md')
    assert block is not None, 'README.md lost the generated lab block markers'
    assert block == docs.readme_block(results), (
        'README.md and docs/mse_vs_ce_results.json disagree: run `python examples/mse_vs_ce.py '
        '--docs` (it rewrites both), do not edit the block by hand')


def test_every_table_number_in_the_readme_is_in_the_results_file(docs, results):
    """Each 'N ± M', 'k/n' and test NLL of the README's lab tables is a row of the results
    file."""
    block = docs.readme_lab_block(ROOT / 'README.md')
    table_lines = [line for line in block.splitlines() if line.startswith('| ') and '---' not in line
                   and not line.startswith('| setting')]
    assert len(table_lines) == 15               # 5 settings x (CE, MSE, MSE at CE's rate)
    known_steps, known_fractions, known_nll = set(), set(), set()
    for exp in results['experiments'].values():
        for row in exp['rows']:
            known_fractions.add(f'{row["reached"]}/{row["seeds"]}')
            known_nll.add(f'{row["test_nll_mean"]:.3f}')
            if row['reached']:
                known_steps.add(f'{row["steps_to_target_mean"]:.0f} ± {row["steps_to_target_std"]:.0f}')
        for n in exp['nudged']:
            known_fractions.add(f'{n["twin_reached"]}/{n["seeds"]}')
    for line in table_lines:
        for steps in re.findall(r'\d+ ± \d+', line):
            assert steps in known_steps, (steps, line)
        for fraction in re.findall(r'\b\d+/\d+\b', line):
            assert fraction in known_fractions, (fraction, line)
        assert line.split(' | ')[6] in known_nll, line


def test_summaries_and_claims_follow_from_the_per_run_numbers(lab, docs, results):
    for key, exp in results['experiments'].items():
        runs = [dict(r) for r in exp['runs']]
        own = {'ce': exp['lr']['ce'], 'mse': exp['lr']['mse']}
        runs = lab.with_shared(runs, own, exp['lr']['shared'], ['ce', 'mse'])
        twins = lab.with_shared([dict(r) for r in exp['twins']], own, exp['lr']['shared'],
                                ['ce', 'mse'])
        for fresh, stored in zip(lab.summarise(runs), exp['rows']):
            for name, value in stored.items():
                if isinstance(value, float) and math.isfinite(value):
                    # the file keeps 6 digits per run: a spread of near-equal values moves a bit
                    slack = dict(rel=1e-4, abs=1e-5 if name.endswith('_std') else 1e-30)
                    assert fresh[name] == pytest.approx(value, **slack), (key, name)
                else:
                    assert fresh[name] == value, (key, name)
        assert len(docs.nudge_rows(runs, twins)) == len(exp['nudged'])
        for fresh, stored in zip(docs.nudge_rows(runs, twins), exp['nudged']):
            assert fresh['flipped'] == stored['flipped'] and fresh['moved_max'] == stored['moved_max']
    assert docs.docs_claims(results) == results['claims']


def test_plateau_counts_follow_from_the_per_run_numbers(results):
    """The README's account of the stalled MSE runs: its counts are the saturated runs' own."""
    sat = results['experiments']['saturated']
    for setting, entry in results['plateau'].items():
        mine = [r for r in sat['runs'] if r['loss'] == 'mse' and r['setting'] == setting]
        assert entry['seeds'] == len(mine) == sat['seeds']
        for n, group in entry['by_given_up'].items():
            these = [r for r in mine if r['classes_given_up'] == int(n)]
            assert group['runs'] == len(these), (setting, n)
            assert group['reached'] == sum(r['steps_to_target'] is not None for r in these)
            assert group['extended'] == group['runs'] - group['reached']
            assert 0 <= group['escaped'] <= group['extended']


def test_names_runs_count_to_their_bigram_target_on_a_grid_wide_enough(lab, results):
    """27 classes: the K²/2 = 364.5 check holds, each run's target is the count bigram model's
    training accuracy on that seed's split, and neither pick sits at the edge of the names grid
    (while the other tasks' grid is still 0.001..50)."""
    names, zero = results['experiments']['names'], results['zero_output']['names']
    assert names['K'] == 27 and zero['half_K_squared'] == 364.5
    assert len(zero['ratios']) == 2 and zero['max_rel_error'] < 1e-5
    assert all(r == pytest.approx(364.5, rel=1e-5) for r in zero['ratios'])
    for seed in (0, 7):
        X_train, _, y_train, _ = lab.load_task('names', seed)
        bigram = lab.task_target('names', 'bigram', X_train, y_train)
        assert 0.15 < bigram < 0.35
        for run in (r for r in names['runs'] + names['twins'] if r['seed'] == seed):
            assert run['target'] == pytest.approx(bigram, rel=1e-5), run
    grid = results['protocol']['lr_grid_by_task']['names']
    assert grid[-1] >= 1000 and results['protocol']['lr_grid'][-1] == 50
    assert grid[0] < names['lr']['ce'] < grid[-1] and grid[0] < names['lr']['mse'] < grid[-1]
    for exp in results['experiments'].values():
        for run in exp['runs']:
            if exp['task'] != 'names':
                assert run['target'] == 0.95
            assert run['diverged'] or 0 < run['test_nll']


def test_saturated_start_claims_rest_on_at_least_20_seeds_with_intervals(results):
    sat = results['experiments']['saturated']
    assert sat['init_scale'] == 100 and sat['seeds'] >= 20
    for row in sat['rows']:
        assert row['seeds'] >= 20
        assert 0 <= row['reached_low'] <= row['reached'] / row['seeds'] <= row['reached_high'] <= 1


def test_figures_exist_and_the_readme_shows_them(results):
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    assert results['figures'], 'the results file lists no figures'
    for name in results['figures']:
        path = ROOT / 'docs' / name
        assert path.exists() and path.stat().st_size > 10_000, name
        assert f'](docs/{name})' in readme, name
    shown = set(re.findall(r'\]\(docs/(mse_vs_ce[^)]*\.png)\)', readme))
    assert shown == set(results['figures']), 'the README shows a lab figure --docs did not draw'


def test_representative_seed_is_the_median_run(results):
    sat = results['experiments']['saturated']
    rep = results['representative']
    seed, acc = example_module('mse_vs_ce_figures').representative_seed(sat['runs'])
    assert (rep['seed'], rep['final_train_acc']) == (seed, acc)
    accs = sorted(r['final_train_acc'] for r in sat['runs']
                  if r['loss'] == 'mse' and r['setting'] == 'own')
    assert acc == accs[(len(accs) - 1) // 2]
    assert f'seed {seed}' in (ROOT / 'README.md').read_text(encoding='utf-8')


def _asked_for(request):
    expr = request.config.getoption('markexpr', '') or ''
    return os.environ.get('MINIGRAD_RUN_LAB') == '1' or (
        'slow' in expr and 'not slow' not in expr)


@pytest.mark.slow
def test_rerunning_the_lab_reproduces_the_results_file(docs, results, tmp_path, request):
    if not _asked_for(request):
        pytest.skip('re-runs the whole --docs protocol (about 12 minutes on 2 cores): '
                    'python -m pytest -m slow tests/test_lab_results.py')
    cmd = [sys.executable, str(ROOT / 'examples' / 'mse_vs_ce.py'), '--docs', '--quiet',
           '--out', str(tmp_path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600,
                          env=dict(os.environ, MPLBACKEND='Agg'))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (ROOT / 'README.md').read_text(encoding='utf-8').count(docs.BEGIN_MARK) == 1
    with open(tmp_path / docs.RESULTS_NAME, encoding='utf-8') as f:
        fresh = json.load(f)
    for name in results['figures']:
        assert (tmp_path / name).exists(), name
    # What the README claims must hold on any machine.
    differ = {k: (v, fresh['claims'].get(k)) for k, v in results['claims'].items()
              if fresh['claims'].get(k) != v}
    assert not differ, f'README claims that no longer hold (committed, fresh): {differ}'
    if docs.same_machine(fresh['environment'], results['environment']):
        # Here the runs repeat bit for bit: every number of the README comes back.
        assert docs.readme_block(fresh) == docs.readme_block(results)
        assert {k: v for k, v in fresh.items() if k not in ('seconds', 'environment')} == \
            {k: v for k, v in results.items() if k not in ('seconds', 'environment')}
