"""The shape of the fused losses: each backward opens with its textbook case, and the stable
softmax / log-softmax / logsumexp is written once (minigrad/ops/_stable.py), used by every op
that needs it, with PyTorch's values at ±inf, nan, empty inputs and extreme logits."""
import ast
import inspect
import pathlib
import re
import textwrap

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops import _stable, losses

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason='PyTorch is not installed')
PACKAGE = pathlib.Path(mg.__file__).resolve().parent


def first_line(cls):
    return cls.__doc__.strip().splitlines()[0]


# ------------------------------------------------------------ textbook first

def test_cross_entropy_backward_opens_with_softmax_minus_onehot():
    source = textwrap.dedent(inspect.getsource(losses.CrossEntropy.backward))
    body = ast.parse(source).body[0].body
    branches = [i for i, node in enumerate(body) if isinstance(node, ast.If)]
    plain = body[branches[0]]
    assert branches[0] <= 2, 'the textbook case must come first, before any option'
    assert ast.unparse(plain.test) == 'self.plain'
    assert isinstance(plain.body[-1], ast.Return)
    lines = source.splitlines()[plain.lineno - 1:plain.end_lineno]
    code = ' '.join(line.split('#')[0] for line in lines)
    comments = ' '.join(line.split('#', 1)[1] for line in lines if '#' in line)
    assert 'exp' in code and '/ total' in code and 'grad_x[targets] -=' in code   # e^(x-m) / Σ
    assert 'softmax(x)' in comments and 'onehot(y)' in comments and 'textbook' in comments
    for option in ('smoothing', 'weight', 'keep', 'ignore'):     # the options come after
        assert option not in code, option


def test_only_a_call_without_options_takes_the_textbook_path():
    x = mg.tensor(np.random.default_rng(1).standard_normal((4, 3)), requires_grad=True)
    y = mg.tensor([0, 2, 1, 2])
    assert F.cross_entropy(x, y).grad_fn.plain
    assert F.cross_entropy(x, y, ignore_index=1000).grad_fn.plain       # nothing ignored
    assert not F.cross_entropy(x, y, ignore_index=2).grad_fn.plain
    assert not F.cross_entropy(x, y, weight=mg.tensor([1.0, 2.0, 3.0])).grad_fn.plain
    assert not F.cross_entropy(x, y, label_smoothing=0.1).grad_fn.plain


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_the_textbook_gradient_is_softmax_minus_onehot_bit_for_bit(reduction):
    logits = np.random.default_rng(2).standard_normal((6, 5)) * 3
    labels = np.array([0, 4, 1, 1, 3, 2])
    x = mg.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor(labels), reduction=reduction)
    loss.backward(mg.ones(loss.shape) if reduction == 'none' else None)
    scale = 1 / 6 if reduction == 'mean' else 1.0
    _, exp, total = _stable.softmax_parts(logits, 1)
    expected = exp * (scale / total)                    # softmax(x) / N
    expected[np.arange(6), labels] -= scale             #   - onehot(y) / N
    assert np.array_equal(x.grad.numpy(), expected)


FUSED = (losses.CrossEntropy, losses.CrossEntropyProbs, losses.NLL, losses.BCE,
         losses.BCEWithLogits)


def test_rules_read_alone_and_fit_a_trace_line():
    for op in FUSED:
        rule = first_line(op)
        assert rule.startswith('d ') and len(rule) <= 90, rule      # a trace indents it by 10
    assert first_line(losses.CrossEntropy).startswith('d ce = (softmax(x) - onehot(y)) dx / N')
    assert 'q' not in first_line(losses.CrossEntropy)                 # q is defined further down
    for op in FUSED:
        body = op.__doc__.strip().split('\n', 1)[1]                    # below the rule line
        assert 0 < body.index('textbook') < body.index('option'), op.__name__


# ------------------------------------------------------- the shift, written once

SHIFT = re.compile(r'\.max\([^)]*keepdims=True|np\.max\([^)]*keepdims=True|np\.log\(\s*np\.exp\(')


def test_the_max_shift_is_written_only_in_stable():
    """A max kept for broadcasting is the mark of the stable shift; only _stable.py takes one.
    (exercises.py keeps its own reference softmax: the checker stays independent of the ops.)"""
    found = [f'{path.relative_to(PACKAGE)}:{i}: {line.strip()}'
             for path in sorted(PACKAGE.rglob('*.py'))
             if path.name not in ('_stable.py', 'exercises.py')
             for i, line in enumerate(path.read_text(encoding='utf-8').splitlines(), 1)
             if SHIFT.search(line.split('#')[0])]
    assert not found, 'use minigrad/ops/_stable.py:\n' + '\n'.join(found)
    code = (PACKAGE / 'ops' / '_stable.py').read_text(encoding='utf-8')
    assert code.count('np.exp(') == 1 and code.count('x - peak') == 1


def test_every_softmax_like_op_goes_through_the_helper(monkeypatch):
    calls = []
    original = _stable.softmax_parts

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)
    monkeypatch.setattr(_stable, 'softmax_parts', counting)
    monkeypatch.setattr(losses, 'softmax_parts', counting)
    rng = np.random.default_rng(3)
    x = mg.tensor(rng.standard_normal((3, 4)))
    probs = F.softmax(mg.tensor(rng.standard_normal((3, 4))), 1).detach()
    uses = [lambda: F.softmax(x, 1), lambda: F.log_softmax(x, 1), lambda: x.logsumexp(1),
            lambda: F.cross_entropy(x, mg.tensor([0, 1, 3])), lambda: F.cross_entropy(x, probs)]
    for i, use in enumerate(uses):
        before = len(calls)
        use()
        assert len(calls) > before, f'use {i} did not call the shared helper'


# ------------------------------------------------- edge cases against PyTorch

inf, nan = np.inf, np.nan
ROWS = [[inf, 1.0, 2.0], [-inf, 1.0, 2.0], [-inf, -inf, -inf], [inf, inf, 1.0], [inf, -inf, 0.0],
        [nan, 1.0, 2.0], [-inf, -inf, 1.0], [1e4, -1e4, 0.0], [1e300, -1e300, 0.0]]


def _functions(lib):
    G = lib.nn.functional
    w = lib.tensor([1.0, 2.0, 0.5], dtype=lib.float64)
    p = lib.tensor([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], dtype=lib.float64)
    y = lib.tensor([0, 2])
    return {
        'log_softmax': lambda x: G.log_softmax(x, 1),
        'softmax': lambda x: G.softmax(x, 1),
        'logsumexp': lambda x: x.logsumexp(1),
        'ce': lambda x: G.cross_entropy(x, y),
        'ce none': lambda x: G.cross_entropy(x, y, reduction='none'),
        'ce smoothing weight': lambda x: G.cross_entropy(x, y, weight=w, label_smoothing=0.1),
        'ce ignore': lambda x: G.cross_entropy(x, lib.tensor([0, -100]), label_smoothing=0.2),
        'ce probs': lambda x: G.cross_entropy(x, p, label_smoothing=0.1),
    }


def _run(lib, name, array):
    x = lib.tensor(array, requires_grad=True)
    out = _functions(lib)[name](x)
    out.backward(lib.ones_like(out))
    return out.detach().numpy(), x.grad.numpy()


@needs_torch
@pytest.mark.parametrize('row', ROWS, ids=[str(r) for r in ROWS])
@pytest.mark.parametrize('name', list(_functions(mg)))
def test_infinite_nan_and_extreme_logits_match_pytorch(name, row):
    array = np.array([row, [0.5, -1.0, 2.0]])          # a second, ordinary row alongside
    with np.errstate(all='ignore'):                    # inf - inf warns in NumPy, not in PyTorch
        ours, theirs = _run(mg, name, array), _run(torch, name, array)
    for a, b, what in zip(ours, theirs, ('value', 'gradient')):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0, equal_nan=True, err_msg=what)


@needs_torch
@pytest.mark.parametrize('shape', [(0, 3), (2, 0), (0,)])
def test_empty_inputs_match_pytorch(shape):
    dim = 1 if len(shape) > 1 else 0
    for fn in ('softmax', 'log_softmax'):
        ours = getattr(F, fn)(mg.zeros(shape), dim)
        theirs = getattr(torch, fn)(torch.zeros(shape), dim)
        assert ours.shape == tuple(theirs.shape) and ours.dtype == mg.float32
    with np.errstate(divide='ignore'):                 # log Σ of nothing: log 0 = -inf
        ours = mg.zeros(shape).logsumexp(dim).numpy()
    assert np.array_equal(ours, torch.logsumexp(torch.zeros(shape), dim).numpy())
    if shape == (0, 3):
        x = mg.zeros(shape, requires_grad=True)
        loss = F.cross_entropy(x, mg.tensor(np.zeros(0, dtype=np.int64)), reduction='sum')
        loss.backward()
        assert loss.item() == 0 and x.grad.shape == shape


ORDINARY = {
    'log_softmax': lambda L, x: L.nn.functional.log_softmax(x, 1),
    'softmax': lambda L, x: L.nn.functional.softmax(x, 1),
    'logsumexp': lambda L, x: x.logsumexp(1),
    'ce': lambda L, x: L.nn.functional.cross_entropy(x, L.tensor(np.arange(16) % 7)),
    'ce none': lambda L, x: L.nn.functional.cross_entropy(x, L.tensor(np.arange(16) % 7),
                                                          reduction='none'),
}


@needs_torch
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('name', list(ORDINARY))
def test_dtype_is_kept_and_values_are_within_a_few_ulps_of_pytorch(name, dtype):
    rng = np.random.default_rng(0)
    for scale in (1, 30, 1e4):
        array = (rng.standard_normal((16, 7)) * scale).astype(dtype)
        results, upstream = [], None
        for lib in (mg, torch):
            x = lib.tensor(array, requires_grad=True)
            out = ORDINARY[name](lib, x)
            if upstream is None:                        # random: a sum's softmax gradient is noise
                upstream = rng.standard_normal(tuple(out.shape)).astype(dtype)
            out.backward(lib.tensor(upstream))
            results.append((out.detach().numpy(), x.grad.numpy()))
        for a, b, what in zip(*results, ('value', 'gradient')):
            assert a.dtype == dtype, (name, what)
            if name == 'logsumexp' and what == 'gradient':     # e^(x - lse): lse's last bit, scaled
                np.testing.assert_allclose(a, b, rtol=200 * np.finfo(dtype).eps)
                continue
            ulp = np.spacing(np.abs(b).max().astype(dtype))    # of the largest value
            assert np.abs(a.astype(float) - b).max() <= 4 * ulp, (name, what, scale)


# ------------------------------------------------------ gradients of gradients

def _hvp(lib, f, array):
    x = lib.tensor(array, dtype=lib.float64, requires_grad=True)
    g, = lib.autograd.grad(f(lib, x), x, create_graph=True)
    v = lib.tensor(np.cos(np.arange(array.size)).reshape(array.shape), dtype=lib.float64)
    h, = lib.autograd.grad((g * v).sum(), x)
    return h.detach().numpy()


HVP_CASES = {
    'textbook, none, (N, C, d)': (lambda L, x: (L.nn.functional.cross_entropy(
        x, L.tensor([[0, 2], [1, 1], [2, 0]]), reduction='none') ** 2).sum(), (3, 3, 2)),
    'textbook, unbatched (C,)': (lambda L, x: L.nn.functional.cross_entropy(x, L.tensor(2)) ** 2,
                                 (4,)),
    'options, none, ignored': (lambda L, x: (L.nn.functional.cross_entropy(
        x, L.tensor([0, -100, 3]), weight=L.tensor([1.0, 2.0, 0.5, 1.5], dtype=L.float64),
        label_smoothing=0.3, reduction='none') ** 2).sum(), (3, 4)),
}


@needs_torch
@pytest.mark.parametrize('name', list(HVP_CASES))
def test_hessian_vector_products_of_both_paths_match_pytorch(name):
    f, shape = HVP_CASES[name]
    array = np.random.default_rng(4).standard_normal(shape)
    np.testing.assert_allclose(_hvp(mg, f, array), _hvp(torch, f, array), rtol=1e-9, atol=1e-12)
