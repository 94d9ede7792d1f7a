"""The notebooks in notebooks/ run top to bottom from a clean kernel, and hold the cells build.py writes.

Each notebook asserts its own key numbers in its cells, so a regression in the
engine that changes the story fails here. Needs the "notebooks" extras
(nbclient, nbformat, ipykernel, matplotlib, graphviz); skipped without them.
The kernel inherits this process's environment, including the one-BLAS-thread
setting of conftest.py, which keeps the small matrix products fast on busy cores.
"""
import importlib.util
import pathlib
import shutil
import time

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / 'notebooks'
CELL_TIMEOUT = 120          # seconds; the slowest cell takes a few seconds on 2 cores


def _build():
    spec = importlib.util.spec_from_file_location('notebooks_build', NOTEBOOKS / 'build.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _names():
    return sorted(p.name for p in NOTEBOOKS.glob('[0-9][0-9]_*.ipynb'))


def test_there_are_notebooks():
    assert len(_names()) >= 3, f'expected the three notebooks in {NOTEBOOKS}, found {_names()}'


@pytest.mark.parametrize('name', _names())
def test_committed_notebook_matches_build_script_and_was_executed(name):
    nbformat = pytest.importorskip('nbformat')
    build = _build()
    cells = dict(build.specs()).get(name)
    assert cells is not None, f'{name} is not produced by notebooks/build.py'
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    committed = [(c.cell_type, c.source) for c in nb.cells]
    assert committed == cells, (f'{name} differs from its cells in notebooks/build.py: '
                                f'run `python notebooks/build.py` and commit the result')
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != 'code':
            continue
        assert cell.execution_count is not None, f'{name}: cell {index} was saved without running'
        errors = [o for o in cell.outputs if o.output_type == 'error']
        assert not errors, f'{name}: cell {index} was saved with an error: {errors[0].evalue}'


@pytest.mark.slow
@pytest.mark.parametrize('name', _names())
def test_notebook_executes_from_a_clean_kernel(name):
    nbformat = pytest.importorskip('nbformat')
    nbclient = pytest.importorskip('nbclient')
    pytest.importorskip('ipykernel')
    pytest.importorskip('matplotlib')
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    if any('draw_graph(' in cell.source for cell in nb.cells):
        pytest.importorskip('graphviz')
        if shutil.which('dot') is None:
            pytest.skip(f"{name} draws graphs, which needs Graphviz's `dot` program (not on PATH)")
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
