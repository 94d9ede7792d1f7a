"""The design's promises, checked: short functions, no state shared between graphs, and each
test file named for the module it tests."""
import ast
import pathlib

import numpy as np
import pytest

import minigrad as mg

PACKAGE = pathlib.Path(mg.__file__).parent
TESTS = pathlib.Path(__file__).resolve().parent


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


def test_no_function_is_over_60_lines():
    """In the package, and in the examples and benchmarks a learner reads beside it."""
    root = PACKAGE.parent
    paths = [*PACKAGE.rglob('*.py'), *(root / 'examples').glob('*.py'), *(root / 'benchmarks').glob('*.py')]
    lengths = dict(_function_lengths(paths))
    assert {name: n for name, n in lengths.items() if n > 60} == {}


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix('').parts)
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def _imported(node, package, modules):
    """The package modules one import statement names: `from .autograd import engine` names
    minigrad.autograd.engine (a module), `from .tensor import Tensor` minigrad.tensor."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ''
    if node.level:
        anchor = package.split('.')[:len(package.split('.')) - node.level + 1]
        base = '.'.join(anchor + ([base] if base else []))
    return [f'{base}.{a.name}' if f'{base}.{a.name}' in modules else base for a in node.names]


def import_graph():
    """{module: the package modules it imports}, every import statement counted (also those
    inside functions); a package is its __init__.py."""
    modules = {_module_name(path): path for path in PACKAGE.rglob('*.py')}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == '__init__.py' else name.rpartition('.')[0]
        graph[name] = {target for node in ast.walk(ast.parse(path.read_text()))
                       if isinstance(node, (ast.Import, ast.ImportFrom))
                       for target in _imported(node, package, modules)
                       if target in modules and target != name}
    return graph


def _a_cycle(graph):
    """One import cycle as a list of modules, or None (depth-first search)."""
    state, path = {}, []

    def visit(module):
        state[module] = 'open'
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 'open':
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 'done'
        return None
    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_imports_run_one_way():
    """No import cycle inside minigrad/: a lower layer that needs a higher one is handed it
    (graph.Tensor, graph.replay, Tensor._numpy), never imports it."""
    graph = import_graph()
    assert graph['minigrad.tensor'] >= {'minigrad.autograd.graph', 'minigrad.ops.elementwise'}
    assert _a_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert _a_cycle(graph) is None


def test_the_engine_files_import_nothing_above_them():
    graph = import_graph()
    for low in ('mode', 'versions', 'graph', 'engine'):
        above = {m for m in graph[f'minigrad.autograd.{low}']
                 if not m.startswith('minigrad.autograd.')}
        assert above == set(), f'autograd/{low}.py imports {above}'


def test_autograd_init_only_gathers_names():
    tree = ast.parse((PACKAGE / 'autograd' / '__init__.py').read_text())
    kinds = {type(node).__name__ for node in tree.body[1:]}
    assert isinstance(tree.body[0], ast.Expr) and kinds <= {'Import', 'ImportFrom'}


def test_no_module_is_over_800_lines_unless_its_docstring_says_why():
    long = {str(path.relative_to(PACKAGE.parent)): n for path in PACKAGE.rglob('*.py')
            if (n := len(path.read_text().splitlines())) > 800
            and 'long because' not in (ast.get_docstring(ast.parse(path.read_text())) or '')}
    assert long == {}


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
    refused = 0
    for obj in objects:
        if isinstance(obj, mg.Tensor):
            changes = [lambda: obj.fill_(7.0), lambda: setattr(obj, 'data', mg.tensor(7.0))]
            if obj.grad_fn is None and obj.dtype.kind == 'f':
                changes = [lambda: obj.requires_grad_(True),
                           lambda: obj.register_hook(lambda g: g * 100)] + changes
            for change in changes:
                try:
                    with mg.no_grad():
                        change()
                except RuntimeError:            # refusing the change is fine too
                    refused += 1
        elif isinstance(obj, np.ndarray):
            try:
                obj.flags.writeable = True
                obj.fill(7.0)
            except ValueError:                  # read-only for good
                refused += 1
    assert refused                              # the shared constants said no
    assert _unrelated() == expected


def test_a_number_operand_reached_through_a_graph_is_a_tensor_of_its_own():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    half = (x * 0.5).grad_fn.inputs[1]
    half.requires_grad_()                       # a learner may do anything to it ...
    half.register_hook(lambda g: g * 100)
    with pytest.raises(RuntimeError, match='read-only'), mg.no_grad():
        half.fill_(1.0)                         # (its values are the shared ones: they refuse)
    y = mg.tensor([3.0]) * 0.5                  # ... and the next `* 0.5` is untouched
    assert y.tolist() == [1.5] and not y.requires_grad and y.grad_fn is None


# ---------------------------------------------------------- test file names

OUTSIDE_IN = {       # suites that check the library from outside, named for what they check
    'test_benchmarks.py': 'benchmarks/run.py runs, and its hand-written gradients are right',
    'test_broadcast_hypothesis.py': 'every binary op over random broadcast shapes (Hypothesis)',
    'test_design.py': "the design's promises, across the whole package",
    'test_examples.py': 'the scripts in examples/, run as a learner runs them',
    'test_lab_results.py': "the README's lab section against docs/mse_vs_ce_results.json",
    'test_learning.py': 'whole training runs on real data actually learn',
    'test_makemore.py': 'a makemore-style bigram program, run unchanged with `import minigrad as torch`',
    'test_notebook_outputs.py': 'what the committed notebooks show',
    'test_notebooks.py': 'the notebooks, built by notebooks/build.py, run',
    'test_pytorch_idioms.py': "programs from PyTorch's tutorials and books, run unchanged",
    'test_inplace_views.py': 'in-place ops through views against PyTorch (tensor.py, memory.py, versions.py, ops/shape.py)',
    'test_random_graphs.py': 'random programs of every op, value and gradient against PyTorch',
    'test_random_programs.py': 'random in-place-through-views and second-order programs against PyTorch',
    'test_readme.py': "the README's code runs as written",
    'test_torch_oracle.py': 'values, gradients, dtypes and reprs of many ops against PyTorch',
    # a module's second file, named for the module and the angle it takes:
    'test_autograd_higher_order.py': 'create_graph (minigrad/autograd/engine.py and replay.py), every op',
    'test_optim_pytorch.py': 'minigrad.optim step by step against torch.optim, with checkpoints',
    # named for what it tests in three modules (ops/losses.py, nn/functional.py, nn/loss.py):
    'test_losses.py': 'the losses, from ops/losses.py through F.cross_entropy and its kin',
}


def _module_names():
    """'nn_functional' for minigrad/nn/functional.py, 'ops' for the package minigrad/ops/,
    'ops_stable' for minigrad/ops/_stable.py: the path under minigrad/ with '/' written '_' and
    a leading '_' dropped."""
    names = set()
    for path in PACKAGE.rglob('*'):
        if path.is_dir() and (path / '__init__.py').exists():
            parts = path.relative_to(PACKAGE).parts
        elif path.suffix == '.py' and not path.name.startswith('__'):
            parts = path.relative_to(PACKAGE).with_suffix('').parts
        else:
            continue
        names.add('_'.join(part.lstrip('_') for part in parts))
    return names


def test_each_test_file_is_named_for_the_module_it_tests():
    """tests/test_<path>.py tests minigrad/<path>.py or the package minigrad/<path>/ (so
    test_nn_functional.py tests minigrad/nn/functional.py); test_examples_<name>.py runs
    examples/<name>.py; the few suites in OUTSIDE_IN say what they check instead."""
    modules = _module_names()
    assert {'autograd', 'autograd_functional', 'nn_functional', 'ops_stable', 'tensor'} <= modules
    examples = {path.stem for path in (TESTS.parent / 'examples').glob('*.py')}
    unnamed = []
    for path in sorted(TESTS.glob('test_*.py')):
        name = path.stem.removeprefix('test_')
        if not (path.name in OUTSIDE_IN or name in modules
                or name.startswith('examples_') and name.removeprefix('examples_') in examples):
            unnamed.append(path.name)
    assert not unnamed, (f'{unnamed}: name each test file for the module it tests, '
                         'tests/test_<path under minigrad/>.py, or list it in OUTSIDE_IN with why')
    stale = [name for name in OUTSIDE_IN if not (TESTS / name).exists()]
    assert not stale, f'{stale} listed in OUTSIDE_IN, but no such file in tests/'
