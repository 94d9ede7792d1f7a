"""minigrad.gradcheck: gradcheck and gradgradcheck pass right backwards, and fail wrong ones
(wrong values, NaN, a backward cut from the graph) with a message that says what was compared."""
import re

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Op
from helpers import Cube


# --------------------------------------------------------------- gradcheck

class WrongSin(Op):
    """A deliberately wrong op: claims d sin(x) = sin(x) dx."""
    def forward(self, x):
        self.saved = x
        return np.sin(x)

    def backward(self, grad):
        return grad * np.sin(self.saved)


def test_gradcheck_passes_a_correct_op_with_any_input_form():
    x = mg.tensor([0.5, 1.0], requires_grad=True)
    assert mg.gradcheck(lambda x: x.sin(), x) is True                      # a tensor, non-scalar output
    assert mg.gradcheck(lambda x: x.sin().sum(), [x]) is True              # a list, scalar output
    assert mg.gradcheck(lambda a, b: a * b, (x, mg.tensor([2.0, 3.0]))) is True
    assert x.grad is None and x.dtype == mg.float32                        # the caller's tensors are untouched


def test_gradcheck_error_names_input_element_values_and_relative_error():
    a = np.array([[0.3, 1.2], [2.0, -0.7]])
    x = mg.tensor(a, dtype=mg.float64, requires_grad=True)
    c = mg.tensor([1.0], dtype=mg.float64, requires_grad=True)
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda c, x: c * WrongSin.apply(x), (c, x))
    assert isinstance(info.value, AssertionError)
    message = str(info.value)
    assert 'input 1' in message
    match = re.search(r'element \((\d+), (\d+)\).*analytic (\S+) \(backward\), numeric (\S+) '
                      r'\(finite differences\)\s+relative error (\S+)', message, re.S)
    assert match, message
    assert 'projected on a fixed random' in message and max(map(len, message.splitlines())) <= 100
    i, j = int(match[1]), int(match[2])
    analytic, numeric, relative = (float(match[k].rstrip(',')) for k in (3, 4, 5))
    direction = np.random.default_rng(0).standard_normal((2, 2))          # gradcheck's fixed vᵀJ direction
    # the element reported is the worst one; both values and the error are those of that element
    worst = np.unravel_index(np.argmax(np.abs(direction * (np.sin(a) - np.cos(a)))), a.shape)
    assert (i, j) == worst
    assert analytic == pytest.approx(direction[i, j] * np.sin(a[i, j]), rel=1e-5)
    assert numeric == pytest.approx(direction[i, j] * np.cos(a[i, j]), rel=1e-5)
    assert relative == pytest.approx(abs(analytic - numeric) / abs(numeric), rel=1e-2)


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(mg.GradcheckError, match='requires_grad'):
        mg.gradcheck(lambda x: x * 2, mg.tensor([1.0]))


def test_gradcheck_message_says_what_it_compared_with_every_element_of_a_small_input():
    class BadCube(Cube):
        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * x ** 2                # the factor 3 forgotten

    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda x: BadCube.apply(x).sum(), mg.tensor([2.0], requires_grad=True))
    message = str(info.value)
    assert 'analytic 4 (backward), numeric 12 (finite differences)' in message   # x² vs 3x² at 2
    assert 'compared: d output / d input' in message and '(0,)' in message
    assert max(len(line) for line in message.splitlines()) <= 100


# ------------------------------------------------------------ gradcheck and NaN

class NaNBackward(mg.autograd.Function):
    """Doubles its input; its backward returns NaN (a broken custom op)."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * float('nan')


class HalfNaNBackward(mg.autograd.Function):
    """Right gradient everywhere except one element, which is NaN."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        out = grad * 2
        out._array[1] = np.nan
        return out


def test_gradcheck_fails_a_backward_that_returns_nan():
    x = mg.randn(3, requires_grad=True)
    with pytest.raises(mg.GradcheckError, match=r'input 0 .*element \(0,\):\s+analytic nan'):
        mg.gradcheck(NaNBackward.apply, x)
    with pytest.raises(mg.GradcheckError, match=r"element \(1,\):\s+analytic nan"):
        mg.gradcheck(HalfNaNBackward.apply, x)
    assert mg.gradcheck(lambda t: t * 2, x)                   # the same op, done right


def test_gradcheck_fails_when_the_function_itself_is_nan():
    # torch.allclose (PyTorch's test) is False for NaN against NaN: nothing is checked there.
    x = mg.tensor([-1.0, 4.0], dtype=mg.float64, requires_grad=True)
    with pytest.raises(mg.GradcheckError, match='nan'):
        mg.gradcheck(lambda t: t * float('nan'), x)


def test_gradcheck_agrees_with_pytorch_on_nan(torch):
    class TorchNaN(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * float('nan')

    x = torch.randn(3, dtype=torch.float64, requires_grad=True)
    import sys
    with pytest.raises(sys.modules['torch.autograd.gradcheck'].GradcheckError):
        torch.autograd.gradcheck(TorchNaN.apply, (x,))
    with pytest.raises(mg.GradcheckError):
        mg.gradcheck(NaNBackward.apply, mg.tensor(x.detach().numpy(), requires_grad=True))


# ------------------------------------------------------------------- gradgradcheck

class CutFromTheGraph(mg.autograd.Function):
    """Right once: its backward's values are x³'s, but computed on arrays, outside the graph."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * mg.tensor(3 * x.detach().numpy() ** 2)


def test_gradgradcheck_fails_a_backward_cut_from_the_graph():
    x = mg.tensor([0.5, -1.0, 2.0], dtype=mg.float64, requires_grad=True)
    assert mg.gradcheck(CutFromTheGraph.apply, x)
    with pytest.raises(mg.GradcheckError, match='analytic 0'):
        mg.gradgradcheck(CutFromTheGraph.apply, x)
    assert mg.gradgradcheck(Cube.apply, x)


# ---------------------------------------------------------- issue 25: G4, non-contiguous inputs

W = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)


@pytest.mark.parametrize('check', ['gradcheck', 'gradgradcheck'])
@pytest.mark.parametrize('f', [lambda x: mg.ones(2, dtype=mg.float64), lambda x: W * 2],
                         ids=['constant', 'another tensor'])
def test_an_output_independent_of_the_inputs_checks_as_zero(check, f):
    """Every derivative is 0 both ways, so the check passes, as torch.autograd.gradcheck's does
    (gradgradcheck once failed in cat() here)."""
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    assert getattr(mg, check)(f, x)


def test_gradcheck_of_a_non_contiguous_input():
    """central_differences perturbs the input itself: a reshape of a transposed array is a copy."""
    x = mg.Tensor(np.asfortranarray(np.arange(1.0, 7.0).reshape(3, 2)), requires_grad=True)
    assert not x._array.flags.c_contiguous
    assert mg.gradcheck(lambda x: (x * x).sum(1), x)
    assert mg.gradgradcheck(lambda x: (x ** 3).sum(0), x)
