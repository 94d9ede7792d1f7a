"""Writes the notebooks in this folder from the cells listed in nb01.py to nb07.py,
then executes each from a clean kernel and saves it with its outputs.

    python notebooks/build.py                 # write and execute all of them
    python notebooks/build.py 02              # only those whose file name contains "02"
    python notebooks/build.py --no-execute    # write the cells only, no outputs

Edit the cells in the nbXX.py files, not the .ipynb files: tests/test_notebooks.py
checks that the committed notebooks hold exactly these cells, and re-executes them.
A notebook you changed (your answers to the exercises, say) is never overwritten: the
build skips it and says so, unless you pass --force.
"""
import argparse
import subprocess
import importlib.util
import os
import pathlib
import sys
import textwrap
import time

HERE = pathlib.Path(__file__).resolve().parent
SOURCES = ('nb01.py', 'nb02.py', 'nb03.py', 'nb04.py', 'nb05.py', 'nb06.py', 'nb07.py')     # each defines NAME and CELLS
TIMEOUT = 300                                    # seconds per cell


def md(text):
    """A markdown cell."""
    return ('markdown', textwrap.dedent(text).strip('\n'))


def code(text):
    """A code cell."""
    return ('code', textwrap.dedent(text).strip('\n'))


def specs(only=()):
    """(file name, cells) of every notebook (or of those whose source name contains one of `only`)."""
    if str(HERE) not in sys.path:           # the nbXX.py files import md and code from here
        sys.path.insert(0, str(HERE))
    out = []
    for source in SOURCES:
        if only and not any(part in source for part in only):
            continue
        spec = importlib.util.spec_from_file_location(source[:-3], HERE / source)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out.append((module.NAME, module.CELLS))
    return out


def notebook(cells):
    """An nbformat v4 notebook holding `cells`, with the python3 kernel's metadata."""
    import nbformat.v4 as v4
    nb = v4.new_notebook()
    nb.cells = [v4.new_markdown_cell(src) if kind == 'markdown' else v4.new_code_cell(src)
                for kind, src in cells]
    for index, cell in enumerate(nb.cells):
        cell.id = f'cell-{index:02d}'       # stable ids keep rebuilt notebooks' diffs small
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3',
                                 'language': 'python'}
    nb.metadata['language_info'] = {'name': 'python'}
    return nb


def execute(nb, timeout=TIMEOUT, allow_errors=False):
    """Runs every cell in a fresh python3 kernel started in this folder; raises on a cell error."""
    from nbclient import NotebookClient
    # One BLAS thread for the kernel (it inherits our environment), as tests/conftest.py does:
    # the matrices here are small, and OpenBLAS threads competing for 2 busy cores can make
    # them many times slower. It changes the speed only.
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
    # The kernel starts in this folder, where `import minigrad` finds only an installed copy
    # (perhaps of another checkout): put this checkout first on its path.
    root = str(HERE.parent)
    os.environ['PYTHONPATH'] = os.pathsep.join(
        [root] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p and p != root])
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3', record_timing=False,
                            allow_errors=allow_errors, coalesce_streams=True,
                            resources={'metadata': {'path': str(HERE)}})
    client.execute()
    return nb


def changed_by_you(path, cells):
    """Whether someone edited the notebook at `path`: its cells are not `cells` (what a build
    writes) and it differs from git's committed copy. Outside git, only the first counts."""
    import nbformat
    if not path.exists():
        return False
    nb = nbformat.read(path, as_version=4)
    if [(c.cell_type, c.source) for c in nb.cells] == list(cells):
        return False                        # a build's own output: rebuilding loses nothing
    try:
        done = subprocess.run(['git', 'diff', '--quiet', 'HEAD', '--', path.name], cwd=path.parent,
                              capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return True
    return done.returncode != 0             # 1: changed; 128: not in git, so nothing to restore


def main():
    import nbformat
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('only', nargs='*', help='build only notebooks whose number contains this, e.g. 02')
    parser.add_argument('--no-execute', action='store_true', help='write the cells without outputs')
    parser.add_argument('--allow-errors', action='store_true',
                        help='keep running after a failing cell and save the error (for drafting; '
                             'the tests reject a notebook saved with an error)')
    parser.add_argument('--force', action='store_true',
                        help='overwrite notebooks you changed too (your answers are lost)')
    args = parser.parse_args()
    for name, cells in specs(args.only):
        if not args.force and changed_by_you(HERE / name, cells):
            print(f'{name}: you changed it (your answers?), so it is left as it is; '
                  f'--force rebuilds it, and `git checkout notebooks/{name}` restores the original')
            continue
        nb = notebook(cells)
        if not args.no_execute:
            start = time.perf_counter()
            execute(nb, allow_errors=args.allow_errors)
            print(f'{name}: executed in {time.perf_counter() - start:.1f} s')
        nbformat.write(nb, HERE / name)
        print(f'wrote {HERE / name}')


if __name__ == '__main__':
    sys.exit(main())
