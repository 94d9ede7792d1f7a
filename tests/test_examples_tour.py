"""examples/tour.py, the README's short tour as a script: run as a learner runs it (a script, and
pasted into the REPL), its printed lines checked against what its comments promise; the README's
block kept the same code. Without the graphviz package the drawing part is left out."""
import ast
import importlib.util
import os
import pathlib
import re
import runpy
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / 'examples' / 'tour.py'
DRAWING = '# Watch backward apply the chain rule'       # where the part that needs graphviz starts
HAVE_GRAPHVIZ = importlib.util.find_spec('graphviz') is not None


def readme_tour():
    text = (ROOT / 'README.md').read_text(encoding='utf-8')
    section = text[text.index('## A short tour'):]
    return re.search(r'```python\n(.*?)```', section, re.S).group(1)


def script_for_this_machine(tmp_path):
    """The script itself, or without graphviz its part before the drawing."""
    if HAVE_GRAPHVIZ:
        return SCRIPT
    text = SCRIPT.read_text(encoding='utf-8')
    path = tmp_path / 'tour_without_drawing.py'
    path.write_text(text[:text.index(DRAWING)], encoding='utf-8')
    return path


def run(tmp_path, *args, stdin=None):
    work = tmp_path / 'work'
    work.mkdir()
    proc = subprocess.run([sys.executable, *args], cwd=work, capture_output=True, text=True,
                          input=stdin, timeout=120, env=dict(os.environ, MPLBACKEND='Agg'))
    return proc, work


def test_the_tour_runs_as_a_script_and_prints_the_loss(tmp_path):
    proc, work = run(tmp_path, str(script_for_this_machine(tmp_path)))
    assert proc.returncode == 0, f'tour.py failed:\n{proc.stdout}\n{proc.stderr}'
    lines = proc.stdout.splitlines()
    epochs = [re.fullmatch(r'epoch (\d+): mean loss (\d+\.\d+)', line) for line in lines]
    losses = {int(m.group(1)): float(m.group(2)) for m in epochs if m}
    assert list(losses) == [20, 40, 60, 80, 100], proc.stdout
    assert losses[100] < 0.1 and losses[100] < losses[20], losses    # measured 0.152 -> 0.019
    source = SCRIPT.read_text(encoding='utf-8')
    for shown in ('SumBackward', 'd Σ x = Σ dx: every element gets the incoming gradient',
                  'True'):
        assert shown in lines and f'# {shown}' in source, shown     # printed as its comment says
    assert re.search(r'^minigrad/ops/reductions\.py:\d+$', proc.stdout, re.M), proc.stdout
    assert proc.stderr == '', proc.stderr
    made = sorted(p.name for p in work.iterdir())
    if not HAVE_GRAPHVIZ:
        assert made == ['spirals.npz'], made
        return
    assert 'Backward trace' in proc.stdout and max(map(len, lines)) <= 100
    # render(..., cleanup=True): the picture, and no extensionless DOT file named `graph` beside it
    assert made == (['graph.png', 'spirals.npz'] if shutil.which('dot') else ['spirals.npz']), made
    if shutil.which('dot'):
        assert (work / 'graph.png').stat().st_size > 1000


def test_the_tour_pastes_into_the_repl(tmp_path):
    """`python -i` reading the script from a pipe reads it line by line as the REPL does: a block
    statement not closed by a blank line is a SyntaxError there, though fine in a script."""
    proc, work = run(tmp_path, '-i', stdin=script_for_this_machine(tmp_path).read_text('utf-8'))
    assert proc.returncode == 0, proc.stderr
    assert 'Error' not in proc.stderr and 'Traceback' not in proc.stderr, proc.stderr
    assert 'epoch 100: mean loss' in proc.stdout
    if HAVE_GRAPHVIZ:                        # the bare `picture` line echoes the picture's repr
        assert '<minigrad graph picture of' in proc.stdout


def test_the_readme_tour_is_this_script():
    """Everything after the script's docstring is the README's block, line for line."""
    tour, script = readme_tour(), SCRIPT.read_text(encoding='utf-8')
    assert script.endswith('\n' + tour), 'examples/tour.py and the README\'s tour differ: ' \
        'copy one into the other'
    head = ast.parse(script[:-len(tour)]).body
    assert len(head) == 1 and isinstance(head[0].value, ast.Constant), 'only a docstring before'


def test_the_tour_imports_only_what_it_uses():
    tree = ast.parse(SCRIPT.read_text(encoding='utf-8'))
    imported = {(alias.asname or alias.name).split('.')[0]
                for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert imported <= used, f'unused imports: {imported - used}'


def test_the_drawn_gradients_are_those_of_the_drawn_loss_alone(tmp_path, monkeypatch):
    """The tour zeroes the training's gradients before its 4-point backward: the picture's
    parameter gradients are that loss's, not the last training step's added to it."""
    pytest.importorskip('graphviz')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(shutil, 'which', lambda name: None)      # no need to render here
    tour = runpy.run_path(str(SCRIPT))
    model, loss, F, mg = tour['model'], tour['loss'], tour['F'], tour['mg']
    drawn = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    F.cross_entropy(model(mg.tensor(tour['X'][:4])), mg.tensor(tour['labels'][:4])).backward()
    for shown, alone in zip(drawn, (p.grad.numpy() for p in model.parameters())):
        np.testing.assert_allclose(shown, alone, rtol=1e-6, atol=1e-9)
    assert loss.item() < 0.5                 # the model did learn the spirals
