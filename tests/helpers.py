"""Small pieces several test files share: a custom Function, float64 leaves, points beside a
kink, a minigrad-against-PyTorch comparison of values and vector-Jacobian products, and the
examples' modules."""
import importlib
import pathlib
import sys

import numpy as np
import pytest

import minigrad as mg


class Cube(mg.autograd.Function):
    """d x³ = 3x² dx"""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * 3 * x ** 2


def leaf(values, dtype=np.float64):
    return mg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def around(*points, spread=1e-3):
    """Each point's two neighbours at ±spread: both sides of a kink, never across it
    (gradcheck's finite differences step 1e-6)."""
    return np.concatenate([[p - spread, p + spread] for p in points])


def both_libraries(torch, fn_mg, fn_torch, arrays, seed=0):
    """Values and vector-Jacobian products of both libraries at float64 inputs."""
    mine = [leaf(a) for a in arrays]
    theirs = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out_mg, out_torch = fn_mg(*mine), fn_torch(*theirs)
    direction = np.random.default_rng(seed).standard_normal(tuple(out_torch.shape))
    out_mg.backward(direction)
    out_torch.backward(torch.tensor(direction))
    return ((out_mg.detach().numpy(), out_torch.detach().numpy()),
            [(m.grad.numpy(), t.grad.numpy()) for m, t in zip(mine, theirs)])


def raised_by_both(torch, call):
    """(ours, theirs): the exceptions `call(mg)` and `call(torch)` raise, ours checked to be of
    PyTorch's type (the messages are left to the caller to compare)."""
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(mg)
    return ours.value, theirs.value


def assert_raises_as_pytorch(torch, call, values):
    """`call(lib, tensor_of_values)` raises in minigrad the exception type it raises in PyTorch."""
    raised_by_both(torch, lambda lib: call(lib, lib.tensor(values)))


def assert_agree(pairs, rtol, atol=0.0):
    values, grads = pairs
    for got, expected in [values] + grads:
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / 'examples'


def example_module(name):
    """examples/<name>.py imported as the lab's files import each other (examples/ on sys.path,
    after everything else, so that no example's name hides another module)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.append(str(EXAMPLES))
    return importlib.import_module(name)
