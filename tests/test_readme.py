"""The README is the way in: its tour is code people copy, and it must run as written with
what the first command installs; its learner's path starts with notebook 01."""
import ast
import code
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / 'README.md'


def test_the_tour_runs(tmp_path, monkeypatch, capsys):
    pytest.importorskip('graphviz')
    blocks = re.findall(r'```python\n(.*?)```', README.read_text(), re.S)
    assert blocks, 'README has no python block'
    monkeypatch.chdir(tmp_path)                 # the tour saves files
    namespace = {}
    exec(compile(blocks[0], 'README.md', 'exec'), namespace)
    assert namespace['loss'].item() < 0.5      # the tour's model did learn the spirals
    printed = capsys.readouterr().out
    y = namespace['y']                          # the comments show what the tour's lines print
    for shown in (y.grad_fn.name, y.grad_fn.rule, y.grad_fn.source):
        assert shown in blocks[0] and shown in printed.splitlines(), shown
    assert (tmp_path / 'spirals.npz').exists()
    import shutil
    if shutil.which('dot'):
        assert (tmp_path / 'graph.png').stat().st_size > 1000
    assert not (tmp_path / 'graph').exists(), 'render left its DOT file: pass cleanup=True'
    assert 'Backward trace' in printed and max(map(len, printed.splitlines())) <= 100
    text = repr(namespace['picture'])
    assert ".render('graph', format='png', cleanup=True)" in text and ' at 0x' not in text


class _Pasted(code.InteractiveConsole):
    """Reads pasted lines as the Python 3.10-3.12 REPL does, compiling each statement in
    'single' mode when it is complete, and runs none of them."""

    def __init__(self):
        super().__init__()
        self.statements, self.errors = [], []

    def runcode(self, compiled):
        self.statements.append('\n'.join(self.buffer))

    def showsyntaxerror(self, filename=None, **kwargs):
        self.errors.append(sys.exc_info()[1])


def pasted(text):
    """(the statements the REPL ran one at a time, the syntax errors it met)"""
    console = _Pasted()
    for line in text.splitlines() + ['']:
        console.push(line)
    ran = [s for s in console.statements if ast.parse(s).body]      # not comment-only lines
    return ran, console.errors


def test_the_tour_pastes_into_the_repl_statement_by_statement():
    """A block statement must end with a blank line in the REPL, though not in a script."""
    assert pasted('if True:\n    a = 1\nb = 2\n')[1], 'the check must catch the if without a blank'
    tour = re.findall(r'```python\n(.*?)```', README.read_text(), re.S)[0]
    ran, errors = pasted(tour)
    assert not errors, f'pasting the tour into the REPL gives {errors!r}'
    assert [ast.unparse(ast.parse(s)) for s in ran] == \
        [ast.unparse(s) for s in ast.parse(tour).body]   # each top-level statement, one at a time


def test_the_tour_needs_only_what_the_first_command_installs():
    """Command 1 is `pip install -e ".[examples]"`: the tour's imports must come with it."""
    text = README.read_text()
    assert 'pip install -e ".[examples]" && python examples/mse_vs_ce.py' in text
    line = re.search(r'^examples = \[(.*)\]$', (ROOT / 'pyproject.toml').read_text(), re.M).group(1)
    installed = {re.split(r'[<>=!~\[; ]', req.strip().strip('"'))[0].lower() for req in line.split(',')}
    assert {'graphviz', 'matplotlib', 'tqdm'} <= installed
    tour = re.findall(r'```python\n(.*?)```', text, re.S)[0]
    imported = set(re.findall(r'^\s*(?:import|from) (\w+)', tour, re.M))
    assert imported <= {'minigrad', 'shutil'}, imported     # and draw_graph needs graphviz


def test_readme_starts_with_the_learners_path():
    text = README.read_text()
    sections = re.findall(r'^## (.+)$', text, re.M)
    assert sections[0].startswith('Start here'), sections
    path = text[text.index('## ' + sections[0]):text.index('## ' + sections[1])]
    steps = re.findall(r'^\d+\. (.+)$', path, re.M)
    order = [re.search(r'Notebook (\d\d)', s).group(1) if 'Notebook' in s else s for s in steps]
    assert order[:5] == ['01', '04', '02', '03', '05'], order
    assert 'write your own backward' in steps[1]
    assert 'lab' in order[5] and 'examples' in order[5]
    for link in re.findall(r'\]\((notebooks/[^)]+)\)', path):
        assert (ROOT / link).exists(), link


def test_readme_keeps_the_performance_table_and_links_the_analysis():
    text = README.read_text()
    perf = text[text.index('## Performance'):]
    perf = perf[:perf.index('\n## ', 1)]
    bench = (ROOT / 'benchmarks' / 'README.md').read_text()
    table = [line for line in perf.splitlines() if line.startswith('|')]
    assert len(table) >= 9 and all(line in bench for line in table)
    assert '(benchmarks/README.md)' in perf
    assert 'What is left, and why' in bench and 'What is left' not in perf


def test_the_two_commands_are_unchanged():
    blocks = re.findall(r'```bash\n(.*?)```', README.read_text(), re.S)
    assert blocks[0].strip().endswith(
        'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[examples]" && '
        'python examples/mse_vs_ce.py')
    assert blocks[1].strip().endswith(
        'python3 -m venv .venv && . .venv/bin/activate && pip install -e ".[dev]" && '
        'python -m pytest')
