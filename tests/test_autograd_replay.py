"""minigrad/autograd/replay.py: create_graph=True runs an op's own NumPy rule on Tensors. The
contract (only the NumPy that `python -m minigrad.ops --numpy` lists), its errors naming the
op and the call, and writes on arrays the rule made itself (out of place, no version log)."""
import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd import versions
from minigrad.autograd.graph import Op
from minigrad.autograd.replay import replayable_numpy


class Cbrt(Op):
    """d ∛x = dx / (3 ∛x²), written with np.cbrt, which replay cannot run"""
    def forward(self, x):
        self.saved = x
        return x ** (1 / 3)

    def backward(self, grad):
        return grad / (3 * np.cbrt(self.saved) ** 2)


class Cumulative(Op):
    """d x = dx, with a backward that calls an array method replay does not know"""
    def forward(self, x):
        return x * 1

    def backward(self, grad):
        return grad.cumsum() * 0 + grad


class ScaleFirstTwo(Op):
    """d (2 x[:2], x[2:]) = 2 dx on the first two, dx on the rest: writes through a view"""
    def forward(self, x):
        return np.concatenate([2 * x[:2], x[2:]])

    def backward(self, grad):
        out = grad * 1                  # made here: fresh
        first = out[0:2]                # a view of it is out now
        first *= 2                      # must reach `out`, as it would on arrays
        return out


def x64(values):
    return mg.tensor(values, dtype=mg.float64, requires_grad=True)


def test_a_rule_outside_the_replayable_numpy_works_once_and_names_itself_under_create_graph():
    x = x64([0.5, 8.0])
    Cbrt.apply(x).sum().backward()
    assert np.allclose(x.grad.numpy(), [0.5 ** (-2 / 3) / 3, 1 / 12])
    with pytest.raises(RuntimeError) as error:
        mg.autograd.grad(Cbrt.apply(x).sum(), x, create_graph=True)
    message = str(error.value)
    assert 'CbrtBackward' in message and 'np.cbrt' in message
    assert 'python -m minigrad.ops --numpy' in message and 'test_autograd_replay.py' in message


def test_an_unknown_array_method_is_named_too():
    x = x64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r'CumulativeBackward .* calls the array method \.cumsum\(\)'):
        mg.autograd.grad(Cumulative.apply(x).sum(), x, create_graph=True)


def test_writes_through_a_view_of_an_array_the_rule_made_reach_it():
    x = x64([1.0, 2.0, 3.0])
    g, = mg.autograd.grad((ScaleFirstTwo.apply(x) ** 2).sum(), x, create_graph=True)
    assert g.tolist() == [8.0, 16.0, 6.0]               # 2·(2x)·2 on the first two, 2x after
    h, = mg.autograd.grad(g.sum(), x)
    assert h.tolist() == [8.0, 8.0, 2.0]


def test_the_rules_own_writes_skip_the_version_log():
    """Cross-entropy's backward writes `grad_x[targets] -= ...` into an array it made: replayed,
    that is an out-of-place op, so the version clock (in-place changes) does not move."""
    x = x64(np.random.default_rng(0).standard_normal((4, 3)))
    loss = F.cross_entropy(x, mg.tensor([0, 2, 1, 1]), label_smoothing=0.1)
    before = versions._clock
    g, = mg.autograd.grad(loss, x, create_graph=True)
    assert versions._clock == before
    assert mg.autograd.gradgradcheck(lambda t: F.cross_entropy(t, mg.tensor([0, 2, 1, 1])), x)


def test_replayable_numpy_is_what_the_tables_map():
    listed = replayable_numpy()
    ufuncs = listed['ufuncs with a derivative']
    assert 'np.exp' in ufuncs and 'np.where' in listed['functions'] and 'np.cbrt' not in ufuncs
    assert 'sum' in listed['array methods and attributes']
    assert 'cumsum' not in listed['array methods and attributes']


def test_python_m_minigrad_ops_numpy_prints_the_list():
    out = subprocess.run([sys.executable, '-m', 'minigrad.ops', '--numpy'], capture_output=True,
                         text=True, check=True).stdout
    assert 'np.exp' in out and 'np.take_along_axis' in out and 'keepdims' not in out
    assert all(len(line) <= 100 for line in out.splitlines())
    bad = subprocess.run([sys.executable, '-m', 'minigrad.ops', '--nump'], capture_output=True,
                         text=True)
    assert bad.returncode != 0 and 'usage: python -m minigrad.ops [--numpy]' in bad.stderr
