"""examples/higher_order.py: run as a learner runs it, its printed numbers checked; and each of
its three parts shown to fail when the engine's second derivatives go wrong."""
import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from minigrad.autograd import Op

SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      'examples', 'higher_order.py')


def run(*args):
    proc = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, MPLBACKEND='Agg'))
    assert proc.returncode == 0, f'higher_order.py failed:\n{proc.stdout}\n{proc.stderr}'
    return proc.stdout


def number(pattern, text):
    match = re.search(pattern, text)
    assert match, f'{pattern!r} not in the output:\n{text}'
    return float(match.group(1))


@pytest.fixture(scope='module')
def example():
    spec = importlib.util.spec_from_file_location('higher_order', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_help_names_the_three_parts():
    out = run('--help')
    assert '--quick' in out and '--no-torch' in out
    for part in ('a. Hessian', 'b. Newton', 'c. Penalty'):
        assert part in out


def test_quick_run_prints_what_it_checked():
    """With PyTorch when it is installed (the example then compares with it, too)."""
    out = run('--quick')
    assert out.rstrip().endswith('all checks passed')
    # a. the Hessian against finite differences of the gradient, and H v against hvp
    assert number(r'H - finite differences of the gradient\| = (\S+)', out) < 1e-7
    assert number(r'hvp\(f, θ, v\) - H v\| = (\S+)', out) < 1e-12
    assert number(r'(\d+) negative', out) > 0
    # b. Newton: the error ratio e_k / e_(k-1)² settles at 0.3; gradient descent's e_k / e_(k-1) at 0.36
    # (k, Newton x_k, its error, [its ratio,] GD x_k, its error, its ratio): an empty ratio is left out
    rows = [line.split() for line in re.findall(r'^ +\d +\d\.\d{12} .*$', out, re.M)]
    assert [int(r[0]) for r in rows] == list(range(7)), out
    assert len(rows[4]) == 7 and abs(float(rows[4][3]) - 0.3) < 0.005, rows[4]
    assert float(rows[5][2]) < 1e-14, rows[5]
    assert abs(float(rows[6][-1]) - 0.36) < 0.01 and float(rows[6][-2]) > 1e-4, rows[6]
    # c. the penalty's gradient reaches the weights, and is the one finite differences give
    assert number(r'engine - finite differences\| = (\S+)', out) < 1e-7
    assert "['2.bias']" in out
    assert number(r'alone \(max difference (\S+)\)', out) == 0.0
    assert number(r'penalty \S+ -> (\S+)\)', out) < 0.1
    try:
        import torch  # noqa: F401
    except ImportError:
        assert 'PyTorch not used' in out
    else:
        assert number(r"H - PyTorch's hessian\| = (\S+)", out) < 1e-12
        assert number(r'd penalty / d weights differs by (\S+),', out) < 1e-12
        assert number(r'Adam steps by (\S+)', out) < 1e-9


def test_without_torch(example):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        results = example.main(['--quick', '--no-torch'])
    assert 'PyTorch not used' in printed.getvalue() and 'PyTorch\'s' not in printed.getvalue()
    assert 'torch_error' not in results['hessian']
    newton, descent = results['newton']['newton_errors'], results['newton']['descent_errors']
    assert newton[5] < 1e-14 < 1e-4 < descent[6]
    history = np.array(results['penalty']['history'])
    assert len(history) == 30 and history[-1, 1] < history[0, 1]


def _scaled(backward_graph):
    """A second-derivative bug: gradients computed with create_graph=True are 0.1% too large
    at every node; first-order gradients (create_graph=False) are untouched."""
    def wrong(self, grad):
        out = backward_graph(self, grad)
        if isinstance(out, tuple):
            return tuple(None if g is None else g * 1.001 for g in out)
        return None if out is None else out * 1.001
    return wrong


def _cut(backward_graph):
    """A backward that is right once but cut from the graph (so gradients of it are missing)."""
    def cut(self, grad):
        out = backward_graph(self, grad)
        if isinstance(out, tuple):
            return tuple(None if g is None else g.detach() for g in out)
        return None if out is None else out.detach()
    return cut


@pytest.mark.parametrize('sabotage', [_scaled, _cut])
@pytest.mark.parametrize('part', ['hessian', 'newton', 'penalty'])
def test_each_part_fails_when_second_derivatives_are_wrong(example, monkeypatch, part, sabotage):
    args = example.parse_args(['--quick', '--no-torch'])
    run_part = {'hessian': lambda: example.part_hessian(args, None),
                'newton': lambda: example.part_newton(args),
                'penalty': lambda: example.part_penalty(args, None)}[part]
    with contextlib.redirect_stdout(io.StringIO()):
        run_part()                                    # passes with the engine as it is
    monkeypatch.setattr(Op, 'backward_graph', sabotage(Op.backward_graph))
    with pytest.raises((AssertionError, RuntimeError)) as caught:
        with contextlib.redirect_stdout(io.StringIO()):
            run_part()
    if sabotage is _scaled:                           # a wrong number: the part's own check says so
        assert caught.type is AssertionError
        assert re.search(r"finite differences|f'' from the engine", str(caught.value)), caught.value
