"""The design's promises, checked: short functions, and no state shared between graphs."""
import ast
import pathlib

import numpy as np

import minigrad as mg

PACKAGE = pathlib.Path(mg.__file__).parent


def _function_lengths(paths):
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f'{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}', \
                    node.end_lineno - node.lineno + 1


def test_the_engine_reads_in_short_functions():
    """No function in minigrad/autograd over 40 lines; the walk itself at most 30."""
    lengths = dict(_function_lengths((PACKAGE / 'autograd').glob('*.py')))
    assert {name: n for name, n in lengths.items() if n > 40} == {}
    walk = [n for name, n in lengths.items() if name.endswith(' _walk')]
    assert walk and walk[0] <= 30


def test_no_function_in_the_package_is_over_60_lines():
    lengths = dict(_function_lengths(PACKAGE.rglob('*.py')))
    assert {name: n for name, n in lengths.items() if n > 60} == {}


def _reachable(root):
    """Every tensor, node and array reachable from `root`'s graph (inputs, saved values, edges)."""
    seen, stack, found = set(), [root], []
    while stack:
        obj = stack.pop()
        if id(obj) in seen or obj is None:
            continue
        seen.add(id(obj))
        found.append(obj)
        if isinstance(obj, mg.Tensor):
            stack += [obj.grad_fn, obj._array]
        elif isinstance(obj, (tuple, list)):
            stack += list(obj)
        elif isinstance(obj, dict):
            stack += list(obj.values())
        elif hasattr(obj, 'next_functions'):
            stack += list(getattr(obj, 'inputs', None) or ())
            stack += [getattr(obj, 'saved', None), getattr(obj, 'options', None)]
            stack += [fn for fn, _ in obj.next_functions]
            stack += [getattr(obj, 'variable', None)]
    return found


def _unrelated():
    """A computation that shares nothing with the graph below except the numbers in it."""
    x = mg.tensor([5.0, -1.0])
    y = (x * 0.5 + 2.0) * 3.0 - 1.0 / (x ** 2) + x.exp() * 0.5
    return y.requires_grad, y.grad_fn, y.tolist()


def test_mutating_anything_reachable_from_a_graph_leaves_other_computations_alone():
    expected = _unrelated()
    w = mg.tensor([0.3, -0.7], requires_grad=True)
    loss = ((w * 0.5 + 2.0) * 3.0 - 1.0 / (w ** 2) + w.exp() * 0.5).sum()
    objects = _reachable(loss)
    assert sum(isinstance(o, mg.Tensor) for o in objects) >= 8     # the constants are in it
    for obj in objects:
        if isinstance(obj, mg.Tensor):
            if obj.grad_fn is None and obj.dtype.kind == 'f':
                obj.requires_grad_(True)
                obj.register_hook(lambda g: g * 100)
            try:
                with mg.no_grad():
                    obj.fill_(7.0)
            except RuntimeError:                # refusing the change is fine too (read-only)
                pass
        elif isinstance(obj, np.ndarray) and obj.flags.writeable:
            obj.fill(7.0)
    assert _unrelated() == expected
