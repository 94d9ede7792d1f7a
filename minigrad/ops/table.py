"""The derivative table: every op, the name it has in `grad_fn`, where it is written, its rule.

`python -m minigrad.ops` prints it; `minigrad.ops.derivative_table()` returns it as rows.
`python -m minigrad.ops --numpy` prints the NumPy an op may use (see the package docstring).
"""
import collections
import importlib
import os
import pkgutil
import sys
import textwrap

from ..autograd.graph import Op, rule_of, source_of, sum_to_shape

# In the order a learner meets them; a new module in minigrad/ops/ is listed after these.
FAMILIES = ('elementwise', 'activations', 'reductions', 'shape', 'linalg', 'losses')
WIDTH = 100

Row = collections.namedtuple('Row', 'family name op source rule')
Row.__doc__ = """One op: its family (module), grad_fn name ("MulBackward"), class, 'file:line', rule."""


def _families():
    """The op modules of minigrad/ops, FAMILIES first."""
    found = [m.name for m in pkgutil.iter_modules([os.path.dirname(__file__)])
             if not m.name.startswith('_') and m.name != 'table']
    return [f for f in FAMILIES if f in found] + sorted(set(found) - set(FAMILIES))


def derivative_table():
    """A Row per public op class in minigrad/ops, by family, in the order of the source; first,
    the engine's one rule that every op shares: broadcasting."""
    rows = [Row('engine', 'broadcasting', sum_to_shape, source_of(sum_to_shape),
                rule_of(sum_to_shape))]
    for family in _families():
        module = importlib.import_module(f'{__package__}.{family}')
        for name, cls in vars(module).items():      # a module's namespace keeps definition order
            if (isinstance(cls, type) and issubclass(cls, Op) and cls.__module__ == module.__name__
                    and not name.startswith('_')):
                rows.append(Row(family, cls.name, cls, source_of(cls), rule_of(cls)))
    return rows


def format_table(rows=None, width=WIDTH):
    """The table as text, at most `width` columns. Each rule has a line of its own under its
    name, so that rules line up and few need wrapping (a formula broken in two reads badly)."""
    rows = derivative_table() if rows is None else rows
    name_w = max(len(r.name) for r in rows)
    lines, family = [], None
    for r in rows:
        if r.family != family:
            lines += ([''] if family else []) + [r.family]
            family = r.family
        lines.append(f'  {r.name:<{name_w}}  {r.source}')
        lines += textwrap.wrap(r.rule or '(no docstring)', width, initial_indent=' ' * 6,
                               subsequent_indent=' ' * 8, break_on_hyphens=False)
    return '\n'.join(lines)


def format_numpy(width=WIDTH):
    """The NumPy an op's forward and backward may use (what create_graph can replay), as text."""
    from ..autograd.replay import replayable_numpy     # replay builds on Tensor, which needs us
    lines = ["The NumPy an op's forward and backward may use: create_graph=True runs the same code on",
             'Tensors (minigrad/autograd/replay.py), and these are the calls it can run.', '']
    for kind, names in replayable_numpy().items():
        lines.append(kind)
        lines += textwrap.wrap(', '.join(names), width, initial_indent='    ',
                               subsequent_indent='    ', break_on_hyphens=False)
    return '\n'.join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv == ['--numpy']:
        text = format_numpy()
    elif not argv:
        text = ("minigrad's ops: the name a node has in grad_fn, where its backward is written, its "
                'rule.\nFor one node of your graph: y.grad_fn.rule and y.grad_fn.source.\n\n'
                + format_table())
    else:
        sys.exit('usage: python -m minigrad.ops [--numpy]\n  (no option: the derivative table; '
                 "--numpy: the NumPy an op's rule may use)")
    try:
        print(text, flush=True)
    except BrokenPipeError:             # `python -m minigrad.ops | head` stopped reading: fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # so exit's flush is quiet
