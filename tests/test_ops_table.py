"""The derivative table (`python -m minigrad.ops`) and the rule line every op's docstring starts with."""
import ast
import importlib
import os
import pathlib
import re
import subprocess
import sys

import numpy as np

import minigrad as mg
from minigrad.autograd import Op
from minigrad.ops import derivative_table

ROOT = pathlib.Path(__file__).resolve().parent.parent
OPS = ROOT / 'minigrad' / 'ops'

# A rule line: "d" and a space or "(", the expression differentiated, "=", the derivative.
RULE = re.compile(r'd[ (][^=]+=\s*\S')


def public_ops():
    """Every public Op subclass defined in minigrad/ops/*.py, found from the source files
    (not from the table, so that an op the table misses is caught)."""
    ops = []
    for path in sorted(OPS.glob('*.py')):
        if path.stem.startswith('_'):
            continue
        module = importlib.import_module(f'minigrad.ops.{path.stem}')
        for node in ast.parse(path.read_text(encoding='utf-8')).body:
            cls = getattr(module, node.name, None) if isinstance(node, ast.ClassDef) else None
            if isinstance(cls, type) and issubclass(cls, Op) and not node.name.startswith('_'):
                ops.append(cls)
    return ops


def first_line(cls):
    doc = (cls.__doc__ or '').strip()
    return doc.splitlines()[0].strip() if doc else ''


def backward_class(cls):
    """The class whose `backward` an op runs: itself, or the base it shares a rule with."""
    return next(k for k in cls.__mro__ if 'backward' in vars(k))


def line_at(source):
    """The line of code a 'file:line' points at."""
    path, line = source.rsplit(':', 1)
    return (ROOT / path).read_text(encoding='utf-8').splitlines()[int(line) - 1]


def test_the_rule_form_tells_rules_from_other_first_lines():
    for rule in ('d(a * b) = b da + a db', 'd exp(x) = exp(x) dx', 'd(x Wᵀ + b) = dx Wᵀ + x dWᵀ + db'):
        assert RULE.match(rule), rule
    for line in ('y = x Wᵀ + b:  grad_x = grad @ W', 'Shared by amax/amin: the gradient goes to the extreme',
                 'd(a * b) is b da + a db', 'dx = ', ''):
        assert not RULE.match(line), line


def op_rows():
    """The table's rows after its first, the engine's broadcasting rule (a function, not an op)."""
    engine, *rows = derivative_table()
    assert (engine.family, engine.name) == ('engine', 'broadcasting')
    return rows


def test_the_first_row_is_broadcasting_and_points_at_the_engine():
    engine = derivative_table()[0]
    assert line_at(engine.source).startswith('def sum_to_shape(')
    assert engine.source.startswith('minigrad/autograd/graph.py:')
    assert RULE.match(engine.rule) and 'summed over the broadcast axes' in engine.rule


def test_the_table_lists_every_public_op_and_no_private_base():
    ops = public_ops()
    assert len(ops) > 50 and Op not in ops
    rows = op_rows()
    assert [r.op for r in rows if r.op in ops] == [r.op for r in rows]
    assert sorted(r.op.__name__ for r in rows) == sorted(cls.__name__ for cls in ops)
    names = {r.op.__name__ for r in rows}
    assert {'AMax', 'AMin', 'Linear', 'Mul', 'NLL'} <= names and '_Extreme' not in names
    families = list(dict.fromkeys(r.family for r in rows))
    assert families[:6] == ['elementwise', 'activations', 'reductions', 'shape', 'linalg', 'losses']


def test_every_op_docstring_starts_with_its_derivative_rule():
    bad = [f'{cls.__module__}.{cls.__name__}: {first_line(cls)!r}'
           for cls in public_ops() if not RULE.match(first_line(cls))]
    assert not bad, 'first docstring line is not a rule "d<space or (>... = ...":\n' + '\n'.join(bad)


def test_each_row_names_the_grad_fn_points_at_the_class_and_carries_its_rule():
    for row in op_rows():
        assert row.name == row.op.__name__ + 'Backward' == row.op.name
        assert line_at(row.source).startswith(f'class {backward_class(row.op).__name__}('), row.source
        assert row.rule == first_line(row.op)


def test_python_m_minigrad_ops_prints_the_table():
    # -W error: a RuntimeWarning (e.g. runpy's "found in sys.modules") fails the run.
    result = subprocess.run([sys.executable, '-W', 'error', '-m', 'minigrad.ops'], cwd=ROOT,
                            capture_output=True, timeout=120,
                            env={**os.environ, 'PYTHONIOENCODING': 'utf-8'})
    out, err = result.stdout.decode('utf-8'), result.stderr.decode('utf-8')
    assert result.returncode == 0 and not err, err
    lines = out.splitlines()
    assert max(map(len, lines)) <= 100, max(lines, key=len)
    listed = dict(re.findall(r'^\s+(\w+Backward)\s+(\S+:\d+)$', out, re.MULTILINE))
    ops = public_ops()
    assert sorted(listed) == sorted(cls.name for cls in ops)
    flat = ' '.join(out.split())
    for cls in ops:
        written = backward_class(cls).__name__
        assert line_at(listed[cls.name]).startswith(f'class {written}('), listed[cls.name]
        assert ' '.join(first_line(cls).split()) in flat, cls.name
    for family in ('elementwise', 'activations', 'reductions', 'shape', 'linalg', 'losses'):
        assert family in lines


def test_grad_fn_rule_and_source_on_a_real_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = mg.tensor([3.0, 4.0], requires_grad=True)
    z = x * y
    assert line_at(z.grad_fn.source) == 'class Mul(Op):'
    assert z.grad_fn.source.startswith('minigrad/ops/elementwise.py:')
    assert z.grad_fn.rule == 'd(a * b) = b da + a db'
    # Every node of a small network's graph: a rule line, and a source at its class.
    w = mg.tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)     # x's dtype, as linear requires
    loss = mg.nn.functional.linear(x, w).relu().exp().sum()
    seen, stack = set(), [loss.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or not hasattr(node, 'rule') or node in seen:
            continue
        seen.add(node)
        assert RULE.match(node.rule), (node.name, node.rule)
        written = backward_class(type(node)).__name__
        assert line_at(node.source).startswith(f'class {written}('), node.source
        stack += [fn for fn, _ in node.next_functions]
    assert {'SumBackward', 'ExpBackward', 'ReLUBackward', 'LinearBackward'} <= {n.name for n in seen}
