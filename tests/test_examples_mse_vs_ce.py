"""examples/mse_vs_ce.py stopped from outside: its worker processes exit with it, however it is
stopped, and Ctrl-C ends everything at once with one line. (Its results are tested in
test_examples.py and test_lab_results.py.) Each test starts the lab in its own session, as a
terminal would, and watches its workers through /proc."""
import json
import math
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from helpers import example_module

LAB = pathlib.Path(__file__).resolve().parents[1] / 'examples' / 'mse_vs_ce.py'
# Runs long enough to be still going when the signal comes: 4 runs of 3000 steps on 2 workers.
TINY = ['--seeds', '2', '--steps', '3000', '--jobs', '2', '--quiet', '--no-plots']
DOCS = ['--docs', '--no-readme', '--jobs', '2', '--quiet', '--no-plots']

pytestmark = pytest.mark.skipif(not os.path.isdir('/proc/self') or not hasattr(os, 'killpg'),
                                reason='watches processes through Linux /proc')


def children(pid):
    """The live processes whose parent is `pid`, as identities (pid, start time): a pid alone
    may be reused once its process is gone."""
    kids = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == pid and stat[0] != 'Z':
                kids.append((int(entry), stat[2]))
    return kids


def _stat(pid):
    """(state, parent pid, start time) of a process, or None once it is gone."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return fields[0], int(fields[1]), int(fields[19])


def alive(processes):
    """Those of `processes` (identities) still running; a zombie only waits to be reaped."""
    still = []
    for pid, start in processes:
        stat = _stat(pid)
        if stat is not None and stat[0] != 'Z' and stat[2] == start:
            still.append((pid, start))
    return still


@pytest.fixture
def started():
    """The workers a test's lab started: whatever the test's outcome, none is left computing.
    (The lab itself is the test's child, which Popen reaps and kills.)"""
    workers = []
    yield workers
    for pid, _ in alive(workers):
        os.kill(pid, signal.SIGKILL)


def start_lab(tmp_path, args, started):
    """The lab in its own session, once its workers are running: (process, its workers)."""
    err = open(tmp_path / 'stderr.txt', 'w')
    lab = subprocess.Popen([sys.executable, str(LAB), *args, '--out', str(tmp_path / 'out')],
                           stdout=subprocess.DEVNULL, stderr=err, cwd=tmp_path,
                           start_new_session=True, env=dict(os.environ, MPLBACKEND='Agg'))
    err.close()
    deadline = time.monotonic() + 30
    while len(children(lab.pid)) < 2 and lab.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = children(lab.pid)
    started += workers
    if len(workers) < 2:
        lab.kill()
        lab.wait()
        pytest.fail(f'the lab did not start 2 workers: {(tmp_path / "stderr.txt").read_text()}')
    time.sleep(0.3)                     # the workers are past their initializer, into a run
    return lab, workers


def gone_within(pids, seconds):
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)


@pytest.mark.parametrize('args', [TINY, DOCS], ids=['lab', 'docs'])
def test_workers_exit_when_the_lab_is_killed(tmp_path, args, started):
    """SIGKILL (a timeout's kill) gives the lab no chance to clean up: the workers must notice."""
    lab, workers = start_lab(tmp_path, args, started)
    lab.kill()
    lab.wait()
    assert gone_within(workers, 5) == [], 'workers orphaned by a killed lab are still running'


@pytest.mark.parametrize('sig, to_group', [(signal.SIGINT, True), (signal.SIGTERM, False)],
                         ids=['ctrl-c', 'sigterm'])
def test_ctrl_c_or_sigterm_stops_everything_at_once_with_one_line(tmp_path, sig, to_group,
                                                                   started):
    """Ctrl-C in a terminal reaches the whole process group; a stop button or `timeout` sends
    SIGTERM to the lab alone. Either way: exit 130 within seconds, workers gone, no traceback."""
    lab, workers = start_lab(tmp_path, TINY, started)
    (os.killpg if to_group else os.kill)(lab.pid, sig)
    try:
        code = lab.wait(timeout=5)
    finally:
        if lab.poll() is None:
            lab.kill()
            lab.wait()
    stderr = (tmp_path / 'stderr.txt').read_text()
    assert code == 130, stderr
    assert 'Traceback' not in stderr and 'Error' not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith('mse_vs_ce.py: interrupted'), stderr
    assert gone_within(workers, 3) == [], 'workers still running after the lab stopped'


def test_a_worker_watches_its_parent_where_prctl_is_missing(monkeypatch):
    """The fallback for other platforms: the watching thread exits once the parent changes."""
    lab = example_module('mse_vs_ce')
    exits = []
    parents = iter([4242, 4242, 1])                 # the lab, then init: the lab has died
    monkeypatch.setattr(lab.os, 'getppid', lambda: next(parents))
    monkeypatch.setattr(lab.os, '_exit', exits.append)
    lab._watch_parent(4242, every=0)
    assert exits == [1]


# ------------------------------------------------------------------ what it prints

def _too_wide(text):
    return [line for line in text.splitlines() if len(line) > 100]


def test_quick_lab_prints_lines_of_at_most_100_columns_and_no_spread_for_one_seed(tmp_path):
    """`--quick` is one seed: a '± 0' would claim a spread that one seed cannot have."""
    proc = subprocess.run([sys.executable, str(LAB), '--quick', '--jobs', '1', '--quiet',
                           '--no-plots', '--out', str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'seeds [0]' in proc.stdout and '200 steps' in proc.stdout
    assert _too_wide(proc.stdout) == []
    assert '±' not in proc.stdout, proc.stdout
    assert '1 seed' in proc.stdout


def test_quick_names_run_gives_half_k_squared_at_27_classes_and_learns(tmp_path):
    """--task names: K = 27, so from a zeroed output layer cross-entropy's output-layer
    gradient is K²/2 = 364.5 times MSE's; the target is the bigram model's accuracy, and
    cross-entropy's test NLL falls below uniform guessing's ln 27."""
    proc = subprocess.run([sys.executable, str(LAB), '--quick', '--task', 'names',
                           '--zero-output-layer', '--jobs', '1', '--quiet', '--no-plots',
                           '--out', str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert _too_wide(proc.stdout) == [] and 'bigram' in proc.stdout
    with open(tmp_path / 'results.json') as f:
        result = json.load(f)
    assert result['K'] == 27 and result['half_K_squared'] == 364.5
    assert result['grad_ratio_start'] == pytest.approx(364.5, rel=1e-5)
    runs = result['runs']
    assert len({r['target'] for r in runs}) == 1 and 0.15 < runs[0]['target'] < 0.35
    ce = next(r for r in runs if r['loss'] == 'ce' and r['setting'] == 'own')
    assert ce['test_nll'] < math.log(27), ce['test_nll']


def test_the_sweep_table_and_long_notes_fit_in_100_columns(capsys):
    lab = example_module('mse_vs_ce')
    table = [dict(loss=loss, lr=lr, seeds=3, reached=2, diverged=1, steps_to_target_mean=123.4)
             for loss in ('ce', 'mse', 'mse_raw') for lr in lab.LR_GRID]
    lab.print_sweep(table, {'ce': 0.05, 'mse': 0.1, 'mse_raw': 0.2}, 'spirals (init x100)',
                    [100, 101, 102], 1000, 0.95, ['ce', 'mse', 'mse_raw'], False)
    lab.say('word ' * 100, indent='  ', hang='     ')
    out = capsys.readouterr().out
    assert _too_wide(out) == [] and 'picked:' in out
