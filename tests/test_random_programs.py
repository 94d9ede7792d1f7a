"""Property-based: random programs with in-place ops through views, and second-order programs,
in float64, against PyTorch (issue 25). The op table is tests/test_random_graphs.py's.

1. In place through views. Leaves, then a non-leaf base (`x * 1`, `x.clone()`, or a constant
   `zeros` that a write later puts into the graph), views of it and of each other (basic
   indexing with steps / None / ..., reshape / view / flatten, t() / .T / transpose /
   permute, squeeze / unsqueeze, expand), in-place ops on any of them (mul_, add_, sub_,
   div_, +=, -=, *=, zero_, fill_, copy_, clamp_, tanh_, sigmoid_, exp_, relu_, t[idx] = v,
   t[idx] += v, t[mask] = c), interleaved with out-of-place ops of the table that read the
   base and the views before and after the writes. Every program is replayed step by step in
   both libraries: a step raises in one exactly when it raises in the other (same exception
   type: writing to a leaf or a view of one, to an expand()ed view, `.view` of what cannot be
   viewed), backward raises in one exactly when in the other (version checks), and otherwise
   the values of every node at the end and every leaf's gradient agree. 0-d tensors are drawn.

2. Second order. The table's programs (smooth and non-smooth ops), the leaves' gradients with
   create_graph=True, then s = sum(g * w) + sum(g * g) / 2 over them differentiated again:
   PyTorch's first and second gradients (a None there is zeros here, and the other way round),
   or without PyTorch, gradcheck of s on the smooth ops (finite differences of the first
   gradient).

The engine's known bugs (issue 25) are kept out of the drawn programs by KNOWN_BUGS, one entry
per bug saying what it excludes; delete an entry once its fix lands and the programs it
excluded are drawn again. Each entry's minimal program is in KNOWN_BUG_REPROS (and
test_known_bug_repros says whether each still fails).
"""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad as mg
from test_random_graphs import (ALL, MAX_ABS, MG, OPS, SETTINGS, SMOOTH, SIDES, TORCH, _slice,
                                describe as describe_graph, programs, torch)
from test_random_graphs import run as run_graph

pytestmark = pytest.mark.filterwarnings(
    'ignore:(cross_entropy|nll_loss)\\(\\) got an input whose rows:UserWarning')

# Known engine bugs, each excluding what it names from the drawn programs. Remove an entry
# when the fix lands: the programs it kept out are drawn again. (G1, G9, G14, G29 of issue 25
# and N2-N4, found by these programs, are fixed: their repros below are regression tests.)
KNOWN_BUGS = {
    'N1': 'version checks follow what minigrad saves, not what PyTorch saves: no write to a '
          'storage after an op of N1_OPS read or made it',
}

# N1: ops that save other values than PyTorch, so a later write to what they read or made
# raises in one library only. PyTorch saves the input of mse / huber / smooth_l1 / nll_loss
# (minigrad needs only the difference, or nothing) and logsumexp's result; `2 / x` is
# reciprocal(x) * 2 there (its saved result is internal), where minigrad's Div saves x.
# A batched matmul (an operand over 2-D) saves reshaped copies of non-contiguous operands there,
# and pow(x, y) with a tensor y saves its result (minigrad's Pow saves it only when y requires
# grad: the op sees arrays, not whether y was a number).
# minigrad's gradients are right either way (README: differences from PyTorch).
N1_OPS = {'mse_loss', 'huber_loss', 'smooth_l1_loss', 'nll_loss', '2 / x', 'logsumexp', 'pow'}


def _saves_otherwise(name, xs):
    return name in N1_OPS or name == 'matmul' and max(x.ndim for x in xs) > 2

RTOL, ATOL = 1e-7, 1e-9
RTOL2, ATOL2 = 1e-6, 1e-8           # second derivatives: two backward passes of rounding

# ------------------------------------------------------- part 1: in place through views

# Out-of-place ops of the table that are views in PyTorch (writes through them reach the base).
VIEW_OPS = ['basic index', 'reshape', 'transpose', 'permute', '.T (2-D)', 't()', 'flatten()',
            'flatten(start, end)', 'squeeze()', 'squeeze(dim)', 'unsqueeze', 'expand']
READ_OPS = [name for name in ALL if name not in VIEW_OPS]
RESHAPES = {'reshape', 'flatten()', 'flatten(start, end)', 'view'}     # may copy (not 'view')
SCALARS = (2.0, -0.5, 1.5, 0.75)


def _view_plan(draw, ctx):
    """x.view(shape): PyTorch raises where the strides do not allow a view."""
    return OPS['reshape'][0](draw, ctx)


VIEW = (_view_plan, lambda L, xs, p: xs[0].view(*p['shape']) if p['shape'] else xs[0].view(()))


def _base(kind):
    return {'x * 1': lambda L, xs, p: xs[0] * 1,
            'x.clone()': lambda L, xs, p: xs[0].clone(),
            'x + 0 (then .view)': lambda L, xs, p: (xs[0] + 0).view(xs[0].shape),
            'zeros': lambda L, xs, p: L.const(np.zeros(p['shape']))}[kind]


BASES = ('x * 1', 'x.clone()', 'x + 0 (then .view)', 'zeros')


def _operand(L, xs, p):
    """The other side of an in-place op: a Python scalar, a constant array, or a node."""
    if p['scalar'] is not None:
        return p['scalar']
    return L.const(p['array']) if p['array'] is not None else xs[1]


def _setitem(L, xs, p):
    index = p['index'] if p['mask'] is None else L.mask(p['mask'])
    xs[0][index] = _operand(L, xs, p)


def _setitem_add(L, xs, p):
    t = xs[0]
    t[p['index']] += _operand(L, xs, p)


INPLACE = {
    'mul_': lambda L, xs, p: xs[0].mul_(_operand(L, xs, p)),
    'add_(alpha=-2)': lambda L, xs, p: xs[0].add_(_operand(L, xs, p), alpha=-2),
    'add_': lambda L, xs, p: xs[0].add_(_operand(L, xs, p)),
    'sub_': lambda L, xs, p: xs[0].sub_(_operand(L, xs, p)),
    'div_': lambda L, xs, p: xs[0].div_(_operand(L, xs, p)),
    '+=': lambda L, xs, p: xs[0].__iadd__(_operand(L, xs, p)),
    '-=': lambda L, xs, p: xs[0].__isub__(_operand(L, xs, p)),
    '*=': lambda L, xs, p: xs[0].__imul__(_operand(L, xs, p)),
    'copy_': lambda L, xs, p: xs[0].copy_(_operand(L, xs, p)),
    'zero_': lambda L, xs, p: xs[0].zero_(),
    'fill_': lambda L, xs, p: xs[0].fill_(p['scalar']),
    'clamp_': lambda L, xs, p: xs[0].clamp_(*p['bounds']),
    'tanh_': lambda L, xs, p: xs[0].tanh_(),
    'sigmoid_': lambda L, xs, p: xs[0].sigmoid_(),
    'exp_': lambda L, xs, p: xs[0].exp_(),
    'relu_': lambda L, xs, p: xs[0].relu_(),
    't[idx] = v': _setitem,
    't[idx] += v': _setitem_add,
    't[mask] = c': _setitem,
}
OVERWRITES = {'copy_', 'zero_', 'fill_', 't[idx] = v', 't[idx] += v', 't[mask] = c'}
OPERAND_TAKERS = {'mul_', 'add_(alpha=-2)', 'add_', 'sub_', 'div_', '+=', '-=', '*=', 'copy_',
                  't[idx] = v', 't[idx] += v'}


class Program:
    """An in-place program being drawn, run in minigrad as it grows. Node k is a tensor;
    `parent[k]` the node it is a PyTorch view of (or None), `root[k]` the start of that chain."""

    def __init__(self, rng):
        self.rng = rng
        self.steps = []          # (kind, name, args, params)
        self.nodes, self.parent, self.root = [], [], []
        self.frozen = set()      # roots not to write (N1)
        self.expanded = set()    # nodes made by expand() or views of them
        self.born_plain = set()  # views made while they did not require grad

    def add(self, tensor, parent=None):
        self.nodes.append(tensor)
        self.parent.append(parent)
        self.root.append(len(self.nodes) - 1 if parent is None else self.root[parent])
        if parent is not None and not tensor.requires_grad:
            self.born_plain.add(len(self.nodes) - 1)
        return len(self.nodes) - 1

    def leaf(self, shape):
        array = self.rng.uniform(-2, 2, shape)
        self.steps.append(('leaf', 'leaf', (), {'array': array}))
        return self.add(mg.tensor(array, dtype=mg.float64, requires_grad=True))

    def usable(self):
        return list(range(len(self.nodes)))


class Window:
    """What the table's plans see: the usable nodes' arrays (positions, not node numbers)."""

    def __init__(self, program, usable):
        self.program, self.usable = program, list(usable)
        self.rng = program.rng
        self.values = [program.nodes[k]._array for k in self.usable]

    def leaf(self, shape):
        self.usable.append(self.program.leaf(shape))
        self.values.append(self.program.nodes[-1]._array)
        return len(self.values) - 1


def _is_view(program, out, k):
    return np.shares_memory(out._array, program.nodes[k]._array)


def _draw_table_op(draw, program, name, plan, apply):
    usable = program.usable()
    strided = [k for k in usable if not program.nodes[k]._array.flags.c_contiguous]
    if name in RESHAPES and strided and draw(st.booleans()):
        usable = strided                # where a reshape copies and `.view` raises
    window = Window(program, usable)
    planned = plan(draw, window)
    if planned is None:
        return
    args, params = planned
    args = tuple(window.usable[i] for i in args)
    xs = [program.nodes[k] for k in args]
    _run_step(draw, program, ('op', name, args, params))


def _run_step(draw, program, step):
    """Runs a step in minigrad as drawn; a step that raises is kept (it must raise in PyTorch
    too) and adds no node."""
    kind, name, args, params = step
    xs = [program.nodes[k] for k in args]
    fn = INPLACE[name] if kind == 'inplace' else _base(name) if kind == 'base' else \
        VIEW[1] if name == 'view' else OPS[name][1]
    program.steps.append(step)
    try:
        out = fn(MG, xs, params)
    except Exception:                                   # noqa: BLE001 (compared with PyTorch)
        return
    if 'N1' in KNOWN_BUGS and _saves_otherwise(name, xs):
        program.frozen |= {program.root[k] for k in args}
    if kind == 'inplace':
        assume(all(np.all(np.isfinite(program.nodes[k]._array))
                   and np.abs(program.nodes[k]._array).max(initial=0) <= MAX_ABS
                   for k in range(len(program.nodes))))
        return
    viewed = next((k for k in args if _is_view(program, out, k)), None) if kind == 'op' else None
    k = program.add(out, viewed if name in VIEW_OPS + ['view'] else None)
    if name == 'expand' or viewed in program.expanded:
        program.expanded.add(k)
    if 'N1' in KNOWN_BUGS and _saves_otherwise(name, xs):
        program.frozen.add(k)
    assume(np.all(np.isfinite(out._array)) and np.abs(out._array).max(initial=0) <= MAX_ABS)


def _index(draw, shape):
    """A basic index of a tensor of `shape` (ints, slices with steps, None, ...)."""
    index = []
    for n in shape[:draw(st.integers(0, len(shape)))]:
        kind = draw(st.sampled_from(['int', 'slice', 'slice', 'none']))
        if kind == 'int':
            index.append(draw(st.integers(-n, n - 1)))
        elif kind == 'slice':
            index.append(_slice(draw, n))
        else:
            index += [None, _slice(draw, n)]
    if draw(st.booleans()):
        index.append(Ellipsis)
    return tuple(index)


def _layout(a):
    return a.__array_interface__['data'][0], a.shape, a.strides


def _may_read(a, region):
    """Whether an in-place op writing `region` may read `a`: not at all the same memory, or
    exactly the same elements, or a contiguous same-shaped `a` partly over `region` (both
    libraries raise then; other overlaps give results that depend on PyTorch's loop order)."""
    if a is region or not np.shares_memory(a, region):
        return True
    if _layout(a)[:2] == _layout(region)[:2] and _sized_strides(a) == _sized_strides(region):
        # the same elements: fine, but where a dim has size 1 PyTorch's answer hangs on the
        # stride it keeps for that dim, which NumPy's differs from: not drawn
        return 1 not in a.shape
    return a.shape == region.shape and a.flags.c_contiguous and region.flags.c_contiguous


def _sized_strides(a):
    return [s for n, s in zip(a.shape, a.strides) if n != 1]


def _draw_operand(draw, program, region, params, away_from_zero=False):
    """Fills params['scalar' | 'array'] or returns a node whose shape broadcasts to the
    written `region` (an array) and that the write may read (_may_read)."""
    params.update(scalar=None, array=None)
    target_shape = region.shape
    kind = draw(st.sampled_from(['scalar', 'array', 'node', 'node']))
    if kind == 'node':
        def fits(k):
            a = program.nodes[k]._array
            try:
                fits_shape = np.broadcast_shapes(a.shape, target_shape) == tuple(target_shape)
            except ValueError:
                return False
            small = np.abs(a).max(initial=0) <= 4 and (
                not away_from_zero or np.abs(a).min(initial=1) > 0.5)
            return fits_shape and small and _may_read(a, region)
        candidates = [k for k in program.usable() if fits(k)]
        if candidates:
            return draw(st.sampled_from(candidates))
        kind = 'scalar'
    if kind == 'array':
        shape = target_shape[draw(st.integers(0, len(target_shape))):]
        array = program.rng.uniform(0.5, 2, shape) * program.rng.choice([-1, 1], shape)
        params['array'] = array
    else:
        params['scalar'] = draw(st.sampled_from(SCALARS))
    return None


def _draw_inplace(draw, program):
    usable = program.usable()
    # Mostly the base and its views; now and then anything (a leaf, a view of one: an error).
    writable = [k for k in usable if program.nodes[k].grad_fn is not None
                or not program.nodes[k].requires_grad]
    target = draw(st.sampled_from(writable if writable and draw(st.integers(0, 9)) else usable))
    t = program.nodes[target]
    name = draw(st.sampled_from(sorted(INPLACE)))
    if program.root[target] in program.frozen:
        return
    if target in program.born_plain and t.requires_grad:
        # PyTorch 2.13: a view made before its base took a history (z *= x) is taken for a leaf
        # by the next in-place op on it ("a leaf Variable that requires grad is being used in an
        # in-place operation") unless its grad_fn was read first: its quirk, not drawn
        return
    if target in program.expanded:
        repeats = any(stride == 0 and n > 1 for stride, n in zip(t._array.strides, t._array.shape))
        if repeats and name in OVERWRITES:
            return      # PyTorch writes (deprecated; the result depends on its order): not drawn
    params = {'index': None, 'mask': None, 'scalar': None, 'array': None}
    region = t._array
    if name == 't[mask] = c':
        if t.ndim == 0:
            return
        params['mask'] = program.rng.random(region.shape) < 0.5
    if name in ('t[idx] = v', 't[idx] += v'):
        params['index'] = _index(draw, region.shape)
        if name == 't[idx] += v' and not t.requires_grad and program.parent[target] is not None:
            # PyTorch 2.13's `v[...] += x` (or v[:], v[()]), v a view of a tensor that does not
            # require grad and x one that does, raises "a leaf Variable that requires grad is
            # being used in an in-place operation" (`v[0] += x` does not): its quirk, not drawn
            return
        region = region[params['index']]
    if name == 'exp_' and t._array.max(initial=0) >= 4:
        return
    if name == 'clamp_':
        params['bounds'] = draw(st.sampled_from([(-0.5, 0.75), (None, 0.5), (-0.25, None)]))
    args = (target,)
    if name in OPERAND_TAKERS:
        other = _draw_operand(draw, program, region, params, away_from_zero=name == 'div_')
        args += () if other is None else (other,)
    elif name in ('fill_', 't[mask] = c'):
        params['scalar'] = draw(st.sampled_from(SCALARS))
    _run_step(draw, program, ('inplace', name, args, params))


def _draw_base(draw, program):
    usable = program.usable()
    name = draw(st.sampled_from(BASES))
    if name == 'zeros':
        shape = tuple(draw(st.lists(st.sampled_from(SIDES), max_size=3)))
        _run_step(draw, program, ('base', name, (), {'shape': shape}))
    else:
        _run_step(draw, program, ('base', name, (draw(st.sampled_from(usable)),), {}))


@st.composite
def inplace_programs(draw):
    program = Program(np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1))))
    for _ in range(draw(st.integers(1, 2))):
        program.leaf(tuple(draw(st.lists(st.sampled_from(SIDES), max_size=3))))
    _draw_base(draw, program)
    for _ in range(draw(st.integers(3, 12))):
        kind = draw(st.sampled_from(['view', 'view', 'view', 'inplace', 'inplace', 'inplace',
                                     'read', 'read', 'base']))
        if kind == 'base':
            _draw_base(draw, program)
        elif kind == 'inplace':
            _draw_inplace(draw, program)
        elif kind == 'view':
            name = draw(st.sampled_from(VIEW_OPS + ['view']))
            plan, apply = VIEW if name == 'view' else OPS[name][:2]
            _draw_table_op(draw, program, name, plan, apply)
        else:
            name = draw(st.sampled_from(READ_OPS))
            _draw_table_op(draw, program, name, *OPS[name][:2])
    in_loss = program.usable()
    directions = {k: program.rng.standard_normal(tuple(program.nodes[k].shape)) for k in in_loss}
    return program.steps, directions


def replay(L, steps):
    """Runs the program in L; returns its nodes and, per step, the exception type it raised."""
    nodes, raised = [], []
    for kind, name, args, params in steps:
        try:
            xs = [nodes[k] for k in args]
            if kind == 'leaf':
                out = L.lib.tensor(params['array'], dtype=L.lib.float64, requires_grad=True)
            elif kind == 'inplace':
                INPLACE[name](L, xs, params)
            elif kind == 'base':
                out = _base(name)(L, xs, params)
            else:
                out = (VIEW[1] if name == 'view' else OPS[name][1])(L, xs, params)
        except Exception as error:                      # noqa: BLE001 (compared)
            raised.append(type(error).__name__)
            continue
        raised.append(None)
        if kind != 'inplace':
            nodes.append(out)
    return nodes, raised


def describe(steps, raised=None):
    lines, k = [], 0
    for s, (kind, name, args, params) in enumerate(steps):
        shown = {key: v for key, v in params.items()
                 if v is not None and not isinstance(v, np.ndarray)}
        shown.update({key: f'array{v.shape}' for key, v in params.items()
                      if isinstance(v, np.ndarray)})
        call = f"{name}({', '.join(f'v{i}' for i in args)}) {shown}"
        error = f'   # raises {raised[s]}' if raised and raised[s] else ''
        if kind == 'inplace' or (raised and raised[s]):
            lines.append(f'  {call}{error}')
        else:
            lines.append(f'  v{k} = {call}')
            k += 1
    return '\n'.join(lines)


def _backward(L, nodes, directions):
    loss = sum((nodes[k] * L.const(d)).sum() for k, d in directions.items())
    try:
        loss.backward()
    except Exception as error:                          # noqa: BLE001 (compared)
        return type(error).__name__
    return None


def compare_inplace_with_pytorch(steps, directions):
    mg_nodes, mg_raised = replay(MG, steps)
    t_nodes, t_raised = replay(TORCH, steps)
    program = describe(steps, t_raised)
    assert mg_raised == t_raised, f'raised (minigrad, PyTorch): ' \
        f'{[(s, a, b) for s, (a, b) in enumerate(zip(mg_raised, t_raised)) if a != b]}\n{program}'
    for k, (a, b) in enumerate(zip(mg_nodes, t_nodes)):
        np.testing.assert_allclose(a._array, b.detach().numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=f'value of v{k} at the end\n{program}')
    mg_error, t_error = _backward(MG, mg_nodes, directions), _backward(TORCH, t_nodes, directions)
    assert mg_error == t_error, f'backward raised {mg_error} in minigrad, {t_error} in ' \
                                f'PyTorch\n{program}'
    if t_error:
        return
    kinds = [kind for (kind, *_), r in zip(steps, t_raised) if not r and kind != 'inplace']
    for k in [k for k, kind in enumerate(kinds) if kind == 'leaf']:
        a, b = mg_nodes[k].grad, t_nodes[k].grad
        assert (a is None) == (b is None), f'v{k}: gradient presence\n{program}'
        if b is not None:
            np.testing.assert_allclose(a._array, b.numpy(), rtol=RTOL, atol=ATOL,
                                       err_msg=f'gradient of leaf v{k}\n{program}')


@pytest.mark.skipif(torch is None, reason='PyTorch is the oracle for in-place programs')
@settings(max_examples=800, **SETTINGS)
@given(program=inplace_programs())
def test_random_inplace_programs_through_views_match_pytorch(program):
    """Errors, values at the end, and every leaf's gradient, against PyTorch."""
    compare_inplace_with_pytorch(*program)


# ----------------------------------------------------------- part 2: second order

def second_order(L, steps, directions, weights):
    """The leaves' gradients g (create_graph=True) and the gradients of
    s = sum(g * w) + sum(g * g) / 2, or the exception type either raised."""
    leaves = [L.lib.tensor(args, dtype=L.lib.float64, requires_grad=True)
              for name, args, _ in steps if name == 'leaf']
    _, loss = run_graph(L, steps, directions, leaves)
    try:
        grads = L.lib.autograd.grad(loss, leaves, create_graph=True)
        s = sum((g * L.const(w)).sum() + (g * g).sum() / 2 for g, w in zip(grads, weights))
        if not s.requires_grad:                 # every g is a constant: s is linear
            return grads, [None] * len(leaves)
        return grads, L.lib.autograd.grad(s, leaves, allow_unused=True)
    except Exception as error:                          # noqa: BLE001 (compared)
        return type(error).__name__, None


def _zeros_if_none(g, shape):
    if g is None:
        return np.zeros(shape)
    return g._array if isinstance(g, mg.Tensor) else g.detach().numpy(force=True)   # ZeroTensor


def compare_second_order_with_pytorch(steps, directions):
    shapes = [np.shape(args) for name, args, _ in steps if name == 'leaf']
    weights = [np.random.default_rng(len(steps)).standard_normal(shape) for shape in shapes]
    mg_first, mg_second = second_order(MG, steps, directions, weights)
    t_first, t_second = second_order(TORCH, steps, directions, weights)
    program = describe_graph(steps)
    if isinstance(t_first, str) or isinstance(mg_first, str):
        raised = [r if isinstance(r, str) else 'nothing' for r in (mg_first, t_first)]
        assert mg_first == t_first, f'raised {raised[0]} in minigrad, {raised[1]} in PyTorch\n{program}'
        return
    for k, (a, b, shape) in enumerate(zip(mg_first, t_first, shapes)):
        np.testing.assert_allclose(a._array, b.detach().numpy(), rtol=RTOL, atol=ATOL,
                                   err_msg=f'first gradient of leaf {k}\n{program}')
    for k, (a, b, shape) in enumerate(zip(mg_second, t_second, shapes)):
        np.testing.assert_allclose(_zeros_if_none(a, shape), _zeros_if_none(b, shape),
                                   rtol=RTOL2, atol=ATOL2,
                                   err_msg=f'second gradient of leaf {k} (None as zeros)\n{program}')


@pytest.mark.skipif(torch is None, reason='PyTorch is the oracle here; see the gradcheck test')
@settings(max_examples=250, **SETTINGS)
@given(program=programs(ALL))
def test_random_second_order_programs_match_pytorch(program):
    """d/dleaf (sum(g * w) + |g|² / 2), g the first gradients, against PyTorch."""
    compare_second_order_with_pytorch(*program)


@settings(max_examples=40, **SETTINGS)
@given(program=programs(SMOOTH))
def test_random_smooth_second_order_programs_pass_gradcheck(program):
    """Without PyTorch: the second gradient against finite differences of the first."""
    steps, directions = program
    leaves = [mg.tensor(args, dtype=mg.float64, requires_grad=True)
              for name, args, _ in steps if name == 'leaf']
    weights = [np.random.default_rng(len(steps)).standard_normal(x.shape) for x in leaves]
    def s(*xs):
        if not xs[0].requires_grad:     # gradcheck's finite differences run under no_grad
            xs = [x.detach().requires_grad_() for x in xs]
        with mg.enable_grad():
            _, loss = run_graph(MG, steps, directions, xs)
            grads = mg.autograd.grad(loss, xs, create_graph=True)
            out = sum((g * MG.const(w)).sum() + (g * g).sum() / 2 for g, w in zip(grads, weights))
        # a program linear in every leaf has constant gradients: s does not depend on the
        # leaves, and gradcheck wants an output that does (its derivative stays 0)
        return out + 0 * sum(x.sum() for x in xs)
    assert mg.gradcheck(s, leaves, eps=1e-6, atol=1e-5, rtol=1e-4), describe_graph(steps)


# ------------------------------------------------- the known bugs' minimal programs

def _g1(lib, x):            # x = [1, 2]: PyTorch's gradient [2, 0], minigrad's [1, 0]
    b = x * 1
    v = b[0]
    b.mul_(2)
    v.backward()


def _g9(lib, x):            # PyTorch: RuntimeError (view size is not compatible ...)
    (x * 1).t().view(4)


def _g14(lib, x):           # x 0-d: PyTorch's gradient 2, minigrad's TypeError
    b = x * 1
    b.fill_(2.0)
    (b * x).backward()


def _g29(lib, x):           # PyTorch's gradient 2x (f is a copy), minigrad's 4x
    b = x * 1
    b.t().reshape(4).mul_(2)
    (b * b).sum().backward()


def _norm_result(lib, x):   # PyTorch: RuntimeError (NormBackward saved its result)
    y = x.norm()
    y.mul_(2)
    y.backward()


def _pow_input(lib, x):     # PyTorch: gradient 2x (PowBackward saved x, not x ** 2)
    y = x ** 2
    y.mul_(2)
    y.sum().backward()


def _n1(lib, x):            # PyTorch: gradient -2/x² (reciprocal saved its result); minigrad:
    b = x * 1               # RuntimeError (Div saved x)
    y = 2 / b
    b.mul_(2)
    y.sum().backward()


def _n1_mse(lib, x):        # PyTorch: RuntimeError (MseLossBackward saved b); minigrad: gradient
    b = x * 1
    y = lib.nn.functional.mse_loss(b, b.detach() * 0)
    b.mul_(2)
    y.backward()


def _n2(lib, x):            # PyTorch's gradient [2, 2]; minigrad: RuntimeError (read-only)
    b = x * 1
    b.expand(2).mul_(2)
    b.sum().backward()


def _n3(lib, x):            # x 0-d: PyTorch: RuntimeError (ExpBackward's result changed);
    y = x.exp()             # minigrad: no error, gradient 2 e^x (the new value)
    y.mul_(2)
    y.backward()


def _n4(lib, x):            # PyTorch: RuntimeError (unsupported operation: some elements ...)
    c = x * 1
    c[1:] += c[:2]
    c.sum().backward()


KNOWN_BUG_REPROS = {'G1': (_g1, [1.0, 2.0]), 'G9': (_g9, [[1.0, 2.0], [3.0, 4.0]]),
                    'G14': (_g14, 0.5), 'G29': (_g29, [[1.0, 2.0], [3.0, 4.0]]),
                    'N1 (2 / x)': (_n1, [1.0, 2.0]), 'N1 (mse_loss)': (_n1_mse, [1.0, 2.0]),
                    'norm saves its result': (_norm_result, [1.0, 2.0]),
                    'x ** 2 saves x': (_pow_input, [1.0, 2.0]),
                    'N2': (_n2, [1.0, 2.0]), 'N3': (_n3, 0.5), 'N4': (_n4, [1.0, 2.0, 3.0])}


def _outcome(lib, fn, value):
    x = lib.tensor(np.asarray(value, np.float64), requires_grad=True)
    try:
        fn(lib, x)
    except Exception as error:                          # noqa: BLE001 (compared)
        return type(error).__name__
    return None if x.grad is None else x.grad.numpy().round(12).tolist()


@pytest.mark.parametrize('key', [
    pytest.param(key, marks=pytest.mark.xfail(key.split()[0] in KNOWN_BUGS, strict=True,
                                              reason=KNOWN_BUGS.get(key.split()[0], '')))
    for key in KNOWN_BUG_REPROS])
def test_known_bug_repros(torch, key):
    """Each known bug's minimal program, against PyTorch: a strict xfail while its entry is in
    KNOWN_BUGS, so the fix that makes it pass says to remove the entry."""
    fn, value = KNOWN_BUG_REPROS[key]
    assert _outcome(mg, fn, value) == _outcome(torch, fn, value)
