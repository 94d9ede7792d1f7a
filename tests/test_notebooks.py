"""The notebooks in notebooks/ run top to bottom from a clean kernel, and hold the cells build.py writes.

Each notebook asserts its own key numbers in its cells, so a regression in the
engine that changes the story fails here. Needs the "notebooks" extras
(nbclient, nbformat, ipykernel, matplotlib, graphviz); skipped without them.
The kernel inherits this process's environment, including the one-BLAS-thread
setting of conftest.py, which keeps the small matrix products fast on busy cores.

A notebook with exercises (04) is committed with blanks, `raise NotImplementedError  # your
code here`; it runs here with each blank cell's definition replaced by the model answer of
the same name in tests/exercise_solutions.py, and every `check` in it must then pass.
"""
import importlib.util
import inspect
import pathlib
import re
import shutil
import subprocess
import sys
import time

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / 'notebooks'
CELL_TIMEOUT = 120          # seconds; the slowest cell takes a few seconds on 2 cores
BLANK = '# your code here'  # marks a cell the learner completes


def _build():
    spec = importlib.util.spec_from_file_location('notebooks_build', NOTEBOOKS / 'build.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _committed(name, nbformat, folder=NOTEBOOKS):
    """The notebook as committed to git, so that a learner's answers in the working copy (or
    any other edit) never fail these tests; the file itself outside a git checkout."""
    try:
        done = subprocess.run(['git', 'show', f'HEAD:./{name}'], cwd=folder, capture_output=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        done = None
    if done is not None and done.returncode == 0:
        return nbformat.reads(done.stdout.decode('utf-8'), as_version=4)
    return nbformat.read(folder / name, as_version=4)


def _names():
    return sorted(p.name for p in NOTEBOOKS.glob('[0-9][0-9]_*.ipynb'))


def test_there_are_notebooks():
    assert len(_names()) >= 3, f'expected the three notebooks in {NOTEBOOKS}, found {_names()}'


@pytest.mark.parametrize('name', _names())
def test_first_cell_pins_blas_threads_before_numpy_loads(name):
    """As the tests, the build and the lab do: many BLAS threads on small matrices, on a busy
    machine, made notebook 02 five times slower in Jupyter than under the tests."""
    first = next(text for kind, text in dict(_build().specs())[name] if kind == 'code')
    pin = first.index("os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')")
    loads = [first.index(word) for word in ('import numpy', '%matplotlib', 'import minigrad',
                                            'import matplotlib') if word in first]
    assert loads and pin < min(loads), first


@pytest.mark.parametrize('name', _names())
def test_committed_notebook_matches_build_script_and_was_executed(name):
    nbformat = pytest.importorskip('nbformat')
    build = _build()
    cells = dict(build.specs()).get(name)
    assert cells is not None, f'{name} is not produced by notebooks/build.py'
    nb = _committed(name, nbformat)
    committed = [(c.cell_type, c.source) for c in nb.cells]
    assert committed == cells, (f'{name} differs from its cells in notebooks/build.py: '
                                f'run `python notebooks/build.py` and commit the result')
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != 'code':
            continue
        assert cell.execution_count is not None, f'{name}: cell {index} was saved without running'
        errors = [o for o in cell.outputs if o.output_type == 'error']
        assert not errors, f'{name}: cell {index} was saved with an error: {errors[0].evalue}'


def _blank_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == 'code' and BLANK in cell.source]


def _fill_blanks(nb):
    """Replaces each blank cell's definition by the model answer of the same name, keeping the
    cell's lines from its `check(` call on; returns the exercise names those calls check."""
    import exercise_solutions
    checked = []
    for cell in _blank_cells(nb):
        defined = re.findall(r'^(?:class|def) (\w+)', cell.source, re.M)
        assert len(defined) == 1, f'a blank cell should define one thing, not {defined}'
        answer = getattr(exercise_solutions, defined[0], None)
        assert answer is not None, f'tests/exercise_solutions.py has no {defined[0]}'
        call = cell.source.index('\ncheck(')
        checked += re.findall(r"^check\('(\w+)'", cell.source[call:], re.M)
        cell.source = inspect.getsource(answer) + '\n' + cell.source[call:]
    return checked


# Cells the test appends to an exercise notebook: in the kernel, where the learner's code
# lives, each planted mistake of tests/test_exercises.py is caught with its hint, and an
# error in a cell's code is reported by its line in the cell, without a file path.
_IN_KERNEL = [r"""
import sys
sys.path.insert(0, {tests!r})
from test_exercises import PLANTED, WALK_MISTAKES
import contextlib, io
missed = []
for name, answer, hint in PLANTED + [('backward_walk', walk, hint) for walk, hint in WALK_MISTAKES]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ok = check(name, answer)
    if ok or ('hint: ' not in out.getvalue()) or hint not in out.getvalue():
        missed.append((name, hint))
print(f'planted mistakes caught with their hints: {{len(PLANTED) + len(WALK_MISTAKES) - len(missed)}} '
      f'of {{len(PLANTED) + len(WALK_MISTAKES)}}', missed or '')
""", r"""
class TanhThatCrashes(Function):
    @staticmethod
    def forward(ctx, x):
        return x.tanh()

    @staticmethod
    def backward(ctx, grad_output):
        y, = ctx.saved_tensors
        return grad_output * (1 - y * y)


check('tanh', TanhThatCrashes)
"""]


def _printed(cell):
    return ''.join(o.get('text', '') for o in cell.outputs if o.output_type == 'stream')


@pytest.mark.parametrize('name', [n for n in _names() if '04' in n])
def test_exercise_notebook_is_committed_with_blanks_and_no_memory_addresses(name):
    nbformat = pytest.importorskip('nbformat')
    from minigrad.exercises import EXERCISES
    nb = _committed(name, nbformat)
    blanks = _blank_cells(nb)
    called = [re.search(r"^check\('(\w+)'", c.source, re.M).group(1) for c in blanks]
    assert called == EXERCISES[1:], 'one blank cell per exercise, in order (exp is the worked example)'
    for cell in blanks:
        assert 'return' not in cell.source, 'a blank cell holds no answer'
        assert 'not written yet' in _printed(cell), 'saved outputs should be those of the blanks'
    for cell in nb.cells:
        if cell.cell_type == 'code':
            text = _printed(cell) + ''.join(str(o.get('data', '')) for o in cell.outputs)
            assert not re.search(r'0x[0-9a-fA-F]{6,}', text), f'a memory address in the output of {cell.source[:60]!r}'


@pytest.mark.slow
@pytest.mark.parametrize('name', _names())
def test_notebook_executes_from_a_clean_kernel(name):
    nbformat = pytest.importorskip('nbformat')
    nbclient = pytest.importorskip('nbclient')
    pytest.importorskip('ipykernel')
    pytest.importorskip('matplotlib')
    nb = _committed(name, nbformat)
    if any('draw_graph(' in cell.source for cell in nb.cells):
        pytest.importorskip('graphviz')
        if shutil.which('dot') is None:
            pytest.skip(f"{name} draws graphs, which needs Graphviz's `dot` program (not on PATH)")
    checked = _fill_blanks(nb)            # exercises: the model answers in place of the blanks
    if checked:
        tests = str(pathlib.Path(__file__).resolve().parent)
        nb.cells += [nbformat.v4.new_code_cell(src.strip().format(tests=tests)) for src in _IN_KERNEL]
    for cell in nb.cells:                 # start from nothing: no stale outputs
        if cell.cell_type == 'code':
            cell.outputs, cell.execution_count = [], None
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name='python3',
                                     resources={'metadata': {'path': str(NOTEBOOKS)}})
    start = time.perf_counter()
    client.execute()                      # raises CellExecutionError naming the failing cell
    elapsed = time.perf_counter() - start
    print(f'{name}: {elapsed:.1f} s')
    ran = [c for c in nb.cells if c.cell_type == 'code']
    assert ran and all(c.execution_count is not None for c in ran)
    printed = ''.join(_printed(c) for c in ran)
    for exercise in checked:
        assert f'✓ {exercise}: correct.' in printed, f'{name}: the model answer to {exercise} did not pass'
    if checked:
        planted, crash = (_printed(c) for c in nb.cells[-2:])
        caught, total = map(int, re.search(r'caught with their hints: (\d+) of (\d+)', planted).groups())
        assert caught == total > 60, planted
        assert 'your backward raised an error.' in crash and 'in backward, line 8: y, = ctx.saved_tensors' in crash, crash
        assert 'ipykernel' not in crash and '.py' not in crash, crash



def test_a_learners_answers_survive_the_tests_and_the_build(tmp_path):
    """A learner fills in notebook 04 in place, as it says to: the tests read the committed copy,
    and the build script leaves the learner's copy alone unless told --force."""
    nbformat = pytest.importorskip('nbformat')
    if shutil.which('git') is None:
        pytest.skip('needs git')
    name = next(n for n in _names() if '04' in n)
    folder = tmp_path / 'notebooks'
    shutil.copytree(NOTEBOOKS, folder, ignore=lambda d, files: [
        f for f in files if not (f.endswith('.py') or f == name)])
    git = ['git', '-c', 'user.name=learner', '-c', 'user.email=learner@example.com']
    for args in (['init', '-q'], ['add', '.'], ['commit', '-qm', 'as cloned']):
        subprocess.run(git + args, cwd=folder, check=True, capture_output=True)
    learners = nbformat.read(folder / name, as_version=4)
    _fill_blanks(learners)                                  # the learner's answers, saved
    nbformat.write(learners, folder / name)
    assert not _blank_cells(nbformat.read(folder / name, as_version=4))

    assert _blank_cells(_committed(name, nbformat, folder))    # what the tests check
    build = [sys.executable, str(folder / 'build.py'), '04', '--no-execute']
    said = subprocess.run(build, capture_output=True, text=True, check=True).stdout
    assert 'you changed it' in said and '--force' in said
    assert not _blank_cells(nbformat.read(folder / name, as_version=4)), 'the build erased answers'
    subprocess.run(build + ['--force'], capture_output=True, check=True)
    assert _blank_cells(nbformat.read(folder / name, as_version=4))
