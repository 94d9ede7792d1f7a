"""minigrad/ops/_stable.py: the stable softmax / log-softmax / logsumexp is written once, used
by every op that needs it (softmax, log_softmax, logsumexp, both cross-entropies), and gives
PyTorch's values at ±inf, nan, empty inputs and extreme logits. (Cross-entropy's backward, the
textbook case first: test_losses.py.)"""
import pathlib
import re

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


# ------------------------------------------------------- the shift, written once

SHIFT = re.compile(r'\.max\([^)]*keepdims=True|np\.max\([^)]*keepdims=True|np\.log\(\s*np\.exp\(')


def test_the_max_shift_is_written_only_in_stable():
    """A max kept for broadcasting is the mark of the stable shift; only _stable.py takes one."""
    found = [f'{path.relative_to(PACKAGE)}:{i}: {line.strip()}'
             for path in sorted(PACKAGE.rglob('*.py'))
             if path.name != '_stable.py'
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
