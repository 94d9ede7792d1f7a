"""Exercises: write an op's backward yourself, and let `check` say what is wrong.

    import minigrad as mg
    from minigrad.exercises import EXERCISES, check

    class Sigmoid(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ...                                 # compute σ(x); save what backward needs
        @staticmethod
        def backward(ctx, grad_output):
            ...                                 # return dL/dx, given dL/dσ(x)

    check('sigmoid', Sigmoid)                   # prints a diagnosis, returns True or False

Each exercise is an op written in PyTorch's custom-Function protocol, used as
`MyOp.apply(...)` with these arguments (backward returns one gradient per
argument of forward, None for an argument that takes none):

    exp(x)        the worked example        softmax(x), log_softmax(x)   along the last dim
    mul(a, b)     same shapes               mse_loss(input, target)      'mean'
    sigmoid(x)    tanh(x)                   cross_entropy(logits, target)  (N, C), int64 (N,), 'mean'
    matmul(a, b)  2-D                       linear(x, weight, bias)      x @ weight.T + bias

`check` runs it on several seeded float64 inputs (random values, several
shapes, then edge values), compares forward with minigrad's own op, and each
gradient with minigrad's rule and with central finite differences. It calls backward itself, so a gradient
must have exactly its input's shape (`.backward()` would sum a broadcast
gradient back for you, as PyTorch's does; here the point is to do it yourself).
On a wrong answer it prints which input's gradient is wrong, where, expected
against got, and a hint when the answer matches a typical mistake (a missing
1/N, a missing transpose, a bias gradient not summed over the batch, ...).
It never raises on a wrong answer: an error inside your code is reported with
its line and message.

The last exercise, 'backward_walk', is the engine itself: write
`backward_walk(root)`, which fills in `.grad` of every `Node` of a small graph
(see `Node`), and pass that function to `check`.
"""
import os
import traceback
import warnings

import numpy as np

from .autograd import function as _function
from .autograd import enable_grad, no_grad
from .gradcheck import central_differences
from .nn import functional as F
from .ops import _stable
from .tensor import Tensor

__all__ = ['EXERCISES', 'check', 'Node']

RTOL, ATOL = 1e-6, 1e-9         # your gradient against minigrad's rule (both in float64)
FD_EPS = 1e-6                   # central-difference step
FD_RTOL, FD_ATOL = 1e-3, 1e-5   # minigrad's rule against finite differences (as mg.gradcheck)
_PACKAGE = os.path.dirname(os.path.abspath(__file__))        # frames here are not "your code"
_STDLIB = os.path.dirname(os.__file__)


# ------------------------------------------------------------ NumPy helpers
# The typical wrong answers below are written with these, on the inputs' arrays.

def _softmax(x):
    return _stable.softmax(x, axis=-1)


def _onehot(target, classes):
    out = np.zeros((len(target), classes))
    out[np.arange(len(target)), target] = 1
    return out


def _rowsum(a):
    return a.sum(axis=-1, keepdims=True)


def _shape(shape):
    return '()' if shape == () else str(tuple(shape))


def _element(index):
    return '[' + ', '.join(str(int(i)) for i in index) + ']'


def _num(value):
    return f'{value:.6g}'


# ------------------------------------------------------------- the exercises

class _Case:
    """One input set: arrays by argument name, and a label for people."""

    def __init__(self, label, arrays):
        self.label, self.arrays = label, arrays


class _Mistake:
    """A typical wrong gradient for one input, as a function of the inputs (and 'out', the
    correct output) and grad_output; with the hint to print when an answer equals it."""

    def __init__(self, input, wrong, hint):
        self.input, self.wrong, self.hint = input, wrong, hint


class _Exercise:
    def __init__(self, name, args, reference, cases, grads=None, mistakes=(), forward_hints=(),
                 crash_hint=None, info=None, doc=''):
        self.name, self.args, self.reference, self.cases = name, args, reference, cases
        self.grads = args if grads is None else grads       # the arguments that need a gradient
        self.mistakes = mistakes
        self.forward_hints = forward_hints      # (test(v, got) -> bool, hint)
        self.crash_hint = crash_hint            # crash_hint(values, error): a hint for an error in backward, or None
        self.info = info or (lambda v: {})      # numbers the hints quote (N, n, ...)
        self.doc = doc                          # what forward computes, for the 'not written yet' message


def _exp_cases(rng):
    return [_Case('random values', {'x': rng.standard_normal(5)}),
            _Case('random values', {'x': rng.standard_normal((2, 3))}),
            _Case('a single number', {'x': np.array(0.7)}),
            _Case('values from -30 to 10', {'x': np.array([-30.0, -1.0, 0.0, 1.0, 10.0])})]


def _mul_cases(rng):
    return [_Case('random values', {'a': rng.standard_normal(4), 'b': rng.standard_normal(4)}),
            _Case('random values', {'a': rng.standard_normal((2, 3)), 'b': rng.standard_normal((2, 3))}),
            _Case('single numbers', {'a': np.array(1.5), 'b': np.array(-0.4)}),
            _Case('zeros and negative values', {'a': np.array([[0.0, -2.0], [3.0, 0.0]]),
                                                'b': np.array([[-1.0, 0.0], [0.5, 4.0]])})]


def _activation_cases(rng, edge, edge_label):
    return [_Case('random values', {'x': rng.standard_normal(5)}),
            _Case('random values', {'x': rng.standard_normal((3, 4))}),
            _Case('a single number', {'x': np.array(-0.3)}),
            _Case('random values', {'x': rng.standard_normal((2, 3, 2))}),
            _Case(edge_label, {'x': np.array(edge)})]


def _matmul_cases(rng):
    r = rng.standard_normal
    a_zero = r((3, 2))
    a_zero[1] = 0
    return [_Case('square matrices', {'a': r((3, 3)), 'b': r((3, 3))}),
            _Case('random values', {'a': r((3, 4)), 'b': r((4, 2))}),
            _Case('a row times a column', {'a': r((1, 5)), 'b': r((5, 1))}),
            _Case('a column times a row', {'a': r((2, 1)), 'b': r((1, 3))}),
            _Case('a with a row of zeros', {'a': a_zero, 'b': r((2, 5))})]


def _softmax_cases(rng):
    large = 1000 + rng.standard_normal((2, 4))
    equal = np.full(4, 2.5)
    return [_Case('random values', {'x': rng.standard_normal(5)}),
            _Case('random values', {'x': rng.standard_normal((3, 4))}),
            _Case('random values', {'x': rng.standard_normal((2, 3, 4))}),
            _Case('large values (around 1000) and a row of equal values',
                  {'x': np.vstack([large, equal])})]


def _mse_cases(rng):
    r = rng.standard_normal
    x = r((3, 4))
    t = x.copy()
    t[0] += r(4)
    return [_Case('random values', {'input': r(5), 'target': r(5)}),
            _Case('random values', {'input': r((3, 4)), 'target': r((3, 4))}),
            _Case('random values', {'input': r((2, 3, 2)), 'target': r((2, 3, 2))}),
            _Case('input equal to target except in the first row', {'input': x, 'target': t})]


def _ce_cases(rng):
    r = rng.standard_normal
    return [_Case('random logits', {'logits': r((4, 3)), 'target': np.array([0, 2, 1, 2])}),
            _Case('one sample', {'logits': r((1, 5)), 'target': np.array([3])}),
            _Case('two classes, repeated targets', {'logits': r((5, 2)), 'target': np.array([1, 1, 0, 1, 1])}),
            _Case('large logits (around ±1000)',
                  {'logits': 1000 * np.sign(r((3, 4))) + r((3, 4)), 'target': np.array([0, 3, 1])})]


def _linear_cases(rng):
    r = rng.standard_normal
    return [_Case('square shapes', {'x': r((3, 3)), 'weight': r((3, 3)), 'bias': r(3)}),
            _Case('random values', {'x': r((4, 3)), 'weight': r((2, 3)), 'bias': r(2)}),
            _Case('a batch of one', {'x': r((1, 5)), 'weight': r((3, 5)), 'bias': r(3)}),
            _Case('a wider layer', {'x': r((6, 2)), 'weight': r((4, 2)), 'bias': r(4)})]


def _matmul_crash_hint(v, error):
    if not _is_shape_error(error):
        return None
    (n, k), p = v['a'].shape, v['b'].shape[1]
    return (f'a shape error in a matrix product usually means a missing or extra transpose. '
            f'Here grad_output is ({n}, {p}), a is ({n}, {k}), b is ({k}, {p}): grad_a must come '
            f'out as ({n}, {k}) and grad_b as ({k}, {p}); choose the product of grad_output with '
            f'b or a (one of them transposed with .T) whose shape is that.')


def _linear_crash_hint(v, error):
    if not _is_shape_error(error):
        return None
    (n, i), o = v['x'].shape, v['weight'].shape[0]
    return (f'a shape error in a matrix product usually means a missing or extra transpose. '
            f'Here grad_output is ({n}, {o}), x is ({n}, {i}), weight is ({o}, {i}): grad_x must '
            f'be ({n}, {i}), grad_weight ({o}, {i}) and grad_bias ({o},).')


def _when(condition, value):
    """`value` (computed lazily) if `condition`, else None: a mistake that does not apply."""
    return value() if condition else None


_FORWARD_OVERFLOW = (lambda v, got: not np.all(np.isfinite(got)),
                     'your forward gives inf or nan for these inputs: e^1000 overflows to inf, and '
                     'inf / inf is nan. Subtract each row\'s largest value first; softmax does not '
                     'change (softmax(x) = softmax(x − c)): x - x.amax(dim=-1, keepdim=True).')
_ROWS = ('softmax is taken along the last dim: each row (last index) sums to 1.')

EXERCISE_LIST = [
    _Exercise(
        'exp', ('x',), lambda x: x.exp(), _exp_cases,
        doc='exp(x): y = eˣ, elementwise (the worked example).',
        mistakes=[
            _Mistake('x', lambda v, g: g * v['x'] * np.exp(v['x'] - 1),
                     'eˣ is not a power of x, so the power rule does not apply: d eˣ/dx = eˣ.'),
            _Mistake('x', lambda v, g: g * v['x'],
                     'd eˣ/dx = eˣ, the output itself (save it in forward), not x.'),
        ]),
    _Exercise(
        'mul', ('a', 'b'), lambda a, b: a * b, _mul_cases,
        doc='mul(a, b): out = a · b, elementwise, a and b of the same shape.',
        mistakes=[
            _Mistake('a', lambda v, g: g * v['a'],
                     '∂(a·b)/∂a = b: each input\'s gradient is grad_output times the *other* input.'),
            _Mistake('b', lambda v, g: g * v['b'],
                     '∂(a·b)/∂b = a: each input\'s gradient is grad_output times the *other* input.'),
            _Mistake('a', lambda v, g: g + 0 * v['a'],
                     'grad_output passed on unchanged is the rule of a + b; for a · b multiply it '
                     'by the other input.'),
            _Mistake('b', lambda v, g: g + 0 * v['b'],
                     'grad_output passed on unchanged is the rule of a + b; for a · b multiply it '
                     'by the other input.'),
        ]),
    _Exercise(
        'sigmoid', ('x',), lambda x: x.sigmoid(),
        lambda rng: _activation_cases(rng, [-40.0, -5.0, 0.0, 5.0, 40.0], 'saturated values ±40, ±5 and 0'),
        doc='sigmoid(x): σ(x) = 1 / (1 + e⁻ˣ), elementwise.',
        mistakes=[
            _Mistake('x', lambda v, g: g * v['out'],
                     "σ' written as σ: the derivative is σ'(x) = σ(x)(1 − σ(x)), not σ(x)."),
            _Mistake('x', lambda v, g: g * v['x'] * (1 - v['x']),
                     "σ'(x) = σ(x)(1 − σ(x)) is written with the output σ(x); you used the input x. "
                     'Save the output in forward (ctx.save_for_backward(out)) and use that.'),
            _Mistake('x', lambda v, g: g * (1 - v['out']),
                     "a factor is missing: σ'(x) = σ(x)(1 − σ(x)), you have only (1 − σ(x))."),
            _Mistake('x', lambda v, g: g * (1 - v['out'] ** 2),
                     "1 − y² is tanh's derivative; sigmoid's is σ(x)(1 − σ(x))."),
        ]),
    _Exercise(
        'tanh', ('x',), lambda x: x.tanh(),
        lambda rng: _activation_cases(rng, [-20.0, -2.0, 0.0, 2.0, 20.0], 'saturated values ±20, ±2 and 0'),
        doc='tanh(x): y = tanh(x), elementwise.',
        mistakes=[
            _Mistake('x', lambda v, g: g * (1 - v['x'] ** 2),
                     "tanh'(x) = 1 − tanh²(x) is written with the output y = tanh(x); you used the "
                     'input x. Save the output in forward and use 1 − y².'),
            _Mistake('x', lambda v, g: g * (1 - v['out']),
                     "the square is missing: tanh'(x) = 1 − tanh(x)², not 1 − tanh(x)."),
            _Mistake('x', lambda v, g: g * v['out'] * (1 - v['out']),
                     "y(1 − y) is the sigmoid's derivative; tanh's is 1 − y²."),
            _Mistake('x', lambda v, g: g * v['out'],
                     "tanh' written as tanh: the derivative is 1 − tanh(x)², not tanh(x)."),
        ]),
    _Exercise(
        'matmul', ('a', 'b'), lambda a, b: a @ b, _matmul_cases, crash_hint=_matmul_crash_hint,
        doc='matmul(a, b): out = a @ b, a of shape (n, k), b of shape (k, p).',
        mistakes=[
            _Mistake('a', lambda v, g: _when(g.shape[1] == v['b'].shape[0], lambda: g @ v['b']),
                     'missing transpose: grad_a = grad_output @ bᵀ (write b.T), not grad_output @ b.'),
            _Mistake('b', lambda v, g: _when(v['a'].shape[1] == g.shape[0], lambda: v['a'] @ g),
                     'missing transpose: grad_b = aᵀ @ grad_output (write a.T), not a @ grad_output.'),
            _Mistake('a', lambda v, g: _when(v['b'].shape[0] == g.shape[0], lambda: v['b'].T @ g),
                     'the factors are in the wrong order: grad_a = grad_output @ bᵀ (grad_output on '
                     'the left, as a is on the left in a @ b).'),
            _Mistake('b', lambda v, g: _when(g.shape[1] == v['a'].shape[1], lambda: g @ v['a'].T),
                     'the factors are in the wrong order: grad_b = aᵀ @ grad_output (grad_output on '
                     'the right, as b is on the right in a @ b).'),
            _Mistake('b', lambda v, g: g.T @ v['a'],
                     'grad_b = aᵀ @ grad_output; grad_outputᵀ @ a is its transpose.'),
            _Mistake('a', lambda v, g: v['b'] @ g.T,
                     'grad_a = grad_output @ bᵀ; b @ grad_outputᵀ is its transpose.'),
            _Mistake('a', lambda v, g: _when(g.shape == v['b'].shape, lambda: g * v['b']),
                     'a matrix product is not elementwise: grad_a = grad_output @ bᵀ.'),
        ]),
    _Exercise(
        'softmax', ('x',), lambda x: F.softmax(x, dim=-1), _softmax_cases,
        doc='softmax(x): s = eˣ / Σ eˣ along the last dim (each row sums to 1).',
        forward_hints=[_FORWARD_OVERFLOW,
                       (lambda v, got: v['x'].ndim > 1 and np.allclose(got, np.exp(v['x']) / np.exp(v['x']).sum(0)),
                        _ROWS + ' You normalised along the first dim; use dim=-1.'),
                       (lambda v, got: np.allclose(got, np.exp(v['x']) / np.exp(v['x']).sum()),
                        _ROWS + ' You divided by the sum over the whole tensor; sum per row: '
                                'e.sum(dim=-1, keepdim=True).')],
        mistakes=[
            _Mistake('x', lambda v, g: g * v['out'] * (1 - v['out']),
                     'softmax treated as elementwise: each output sᵢ depends on every input of its '
                     'row, not only on xᵢ. The Jacobian is diag(s) − s sᵀ, so grad_x = s ⊙ (g − Σⱼ gⱼ sⱼ), '
                     'with the sum taken per row.'),
            _Mistake('x', lambda v, g: g - _rowsum(g * v['out']),
                     'a factor is missing: grad_x = s ⊙ (g − Σⱼ gⱼ sⱼ); multiply by s.'),
            _Mistake('x', lambda v, g: v['out'] * (g - _rowsum(g)),
                     'the sum must be weighted by the softmax: Σⱼ gⱼ sⱼ, that is '
                     '(grad_output * s).sum(dim=-1, keepdim=True).'),
            _Mistake('x', lambda v, g: _when(g.ndim > 1, lambda: v['out'] * (g - (g * v['out']).sum(0, keepdims=True))),
                     'the sum runs over the wrong dim: take Σⱼ gⱼ sⱼ along the last dim, per row '
                     '(dim=-1, keepdim=True).'),
            _Mistake('x', lambda v, g: _when(g.ndim > 1, lambda: v['out'] * (g - (g * v['out']).sum())),
                     'you summed over the whole tensor: Σⱼ gⱼ sⱼ is one number per row; sum along '
                     'the last dim with keepdim=True.'),
        ]),
    _Exercise(
        'log_softmax', ('x',), lambda x: F.log_softmax(x, dim=-1), _softmax_cases,
        doc='log_softmax(x): y = x − log Σ eˣ along the last dim.',
        forward_hints=[(lambda v, got: not np.all(np.isfinite(got)),
                        'your forward gives inf or nan for these inputs: the log of a softmax that '
                        'underflowed to 0 is −inf, and e^1000 overflows. Compute it as '
                        'x − logsumexp(x) with the row max subtracted first: '
                        'x - x.logsumexp(dim=-1, keepdim=True) does both.')],
        mistakes=[
            _Mistake('x', lambda v, g: g - np.exp(v['out']),
                     'grad_x = g − softmax(x) ⊙ Σⱼ gⱼ: you used 1 for the row sum of grad_output '
                     '(true only when each row of grad_output sums to 1).'),
            _Mistake('x', lambda v, g: g * (1 - np.exp(v['out'])),
                     'log_softmax treated as elementwise: every output of a row depends on every '
                     'input of it (through log Σ eˣ). grad_x = g − softmax(x) ⊙ Σⱼ gⱼ, sum per row.'),
            _Mistake('x', lambda v, g: g - np.exp(v['x']) * _rowsum(g),
                     'use softmax(x) (= exp of the saved output), not exp(x).'),
            _Mistake('x', lambda v, g: _when(g.ndim > 1, lambda: g - np.exp(v['out']) * g.sum(0, keepdims=True)),
                     'the sum runs over the wrong dim: Σⱼ gⱼ is taken along the last dim, per row '
                     '(dim=-1, keepdim=True).'),
            _Mistake('x', lambda v, g: _when(g.ndim > 1, lambda: g - np.exp(v['out']) * g.sum()),
                     'you summed grad_output over the whole tensor: Σⱼ gⱼ is one number per row; sum '
                     'along the last dim with keepdim=True.'),
        ]),
    _Exercise(
        'mse_loss', ('input', 'target'), lambda x, t: F.mse_loss(x, t), _mse_cases,
        info=lambda v: {'n': v['input'].size, 'N': v['input'].shape[0]},
        doc='mse_loss(input, target): L = mean((input − target)²) over all elements, a 0-d tensor.',
        mistakes=[
            _Mistake('input', lambda v, g: 2 * g * (v['input'] - v['target']),
                     "a missing 1/N: 'mean' divides the sum by N = input.numel() = {n}, so its "
                     'gradient carries 1/N: 2 (input − target) / N.'),
            _Mistake('target', lambda v, g: -2 * g * (v['input'] - v['target']),
                     "a missing 1/N: 'mean' divides the sum by N = target.numel() = {n}, so its "
                     'gradient carries 1/N: −2 (input − target) / N.'),
            _Mistake('input', lambda v, g: _when(v['input'].ndim > 1, lambda: 2 * g * (v['input'] - v['target']) / v['input'].shape[0]),
                     "'mean' averages over all N = {n} elements, not over the batch of {N} rows: "
                     'divide by input.numel().'),
            _Mistake('target', lambda v, g: _when(v['input'].ndim > 1, lambda: -2 * g * (v['input'] - v['target']) / v['input'].shape[0]),
                     "'mean' averages over all N = {n} elements, not over the batch of {N} rows: "
                     'divide by target.numel().'),
            _Mistake('input', lambda v, g: g * (v['input'] - v['target']) / v['input'].size,
                     'the factor 2 is missing: d (input − target)² = 2 (input − target) d input.'),
            _Mistake('target', lambda v, g: -g * (v['input'] - v['target']) / v['input'].size,
                     'the factor 2 is missing: d (input − target)² = −2 (input − target) d target.'),
            _Mistake('target', lambda v, g: 2 * g * (v['input'] - v['target']) / v['input'].size,
                     "target enters as −target, so its gradient is minus input's: "
                     '−2 (input − target) / N.'),
            _Mistake('input', lambda v, g: -2 * g * (v['input'] - v['target']) / v['input'].size,
                     "the sign is flipped: input's gradient is +2 (input − target) / N (the loss "
                     'grows as input moves away from target).'),
        ]),
    _Exercise(
        'cross_entropy', ('logits', 'target'), lambda z, t: F.cross_entropy(z, t), _ce_cases,
        grads=('logits',), info=lambda v: {'N': v['logits'].shape[0], 'n': v['logits'].size},
        doc='cross_entropy(logits, target): L = mean over the N rows of −log softmax(logits)[target]; '
            'logits (N, C), target (N,) int64 class indices, which take no gradient.',
        forward_hints=[(lambda v, got: not np.all(np.isfinite(got)),
                        'your forward gives inf or nan for large logits: e^1000 overflows. Use '
                        'log-sum-exp with the row max subtracted: '
                        '−log softmax(z)[t] = logsumexp(z) − z[t]; logits.logsumexp(dim=1) is stable.')],
        crash_hint=lambda v, error: ('one way to build the one-hot rows: '
                              'onehot = mg.zeros_like(logits); onehot[mg.arange(N), target] = 1.'),
        mistakes=[
            _Mistake('logits', lambda v, g: g * (_softmax(v['logits']) - _onehot(v['target'], v['logits'].shape[1])),
                     "a missing 1/N: 'mean' averages over the N = {N} rows, so the gradient is "
                     '(softmax − onehot) / N.'),
            _Mistake('logits', lambda v, g: g * (_softmax(v['logits']) - _onehot(v['target'], v['logits'].shape[1])) / v['logits'].size,
                     "divide by the batch size N = {N}, not by N·C = {n}: the mean is over rows "
                     '(one loss per sample), not over every logit.'),
            _Mistake('logits', lambda v, g: g * _softmax(v['logits']) / len(v['logits']),
                     "subtract 1 at each row's target class: the gradient is (softmax − onehot(target)) / N."),
            _Mistake('logits', lambda v, g: -g * _onehot(v['target'], v['logits'].shape[1]) / len(v['logits']),
                     'every logit of a row changes the loss through the softmax normaliser, not only '
                     "the target's: the gradient is (softmax − onehot(target)) / N, not −onehot / N."),
            _Mistake('logits', lambda v, g: g * (_onehot(v['target'], v['logits'].shape[1]) - _softmax(v['logits'])) / len(v['logits']),
                     'the sign is flipped: the gradient is softmax − onehot (raising the target\'s '
                     'logit lowers the loss), not onehot − softmax.'),
            _Mistake('logits', lambda v, g: g * (np.log(_softmax(v['logits'])) - _onehot(v['target'], v['logits'].shape[1])) / len(v['logits']),
                     'use the softmax probabilities, not their log: (softmax − onehot) / N.'),
        ]),
    _Exercise(
        'linear', ('x', 'weight', 'bias'), lambda x, w, b: F.linear(x, w, b), _linear_cases,
        info=lambda v: {'N': v['x'].shape[0]}, crash_hint=_linear_crash_hint,
        doc='linear(x, weight, bias): out = x @ weightᵀ + bias, x (N, in), weight (out, in), bias (out,).',
        mistakes=[
            _Mistake('bias', lambda v, g: g,
                     'the bias gradient is not summed over the batch: bias is added to each of the '
                     '{N} rows, so its gradient is the sum of their gradients, grad_output.sum(0), of '
                     "bias's shape."),
            _Mistake('bias', lambda v, g: g.mean(0),
                     'sum over the batch, not mean: each of the {N} rows that used bias adds its own '
                     'gradient (grad_output.sum(0)).'),
            _Mistake('bias', lambda v, g: g.sum(),
                     'sum over the batch dim only (dim 0): bias has one gradient per output feature, '
                     'grad_output.sum(0).'),
            _Mistake('weight', lambda v, g: v['x'].T @ g,
                     'weight is stored as (out_features, in_features), so its gradient is '
                     'grad_outputᵀ @ x; xᵀ @ grad_output is its transpose.'),
            _Mistake('x', lambda v, g: _when(g.shape[1] == v['weight'].shape[1], lambda: g @ v['weight'].T),
                     'grad_x = grad_output @ weight: forward used weightᵀ, so backward uses weight '
                     'itself, without .T.'),
            _Mistake('weight', lambda v, g: _when(v['x'].shape[0] == v['weight'].shape[0] and g.shape[0] == g.shape[1],
                                                  lambda: g @ v['x']),
                     'missing transpose: grad_weight = grad_outputᵀ @ x (write grad_output.T).'),
        ]),
]

EXERCISES = [e.name for e in EXERCISE_LIST] + ['backward_walk']
"""The exercises in order; each is checked with `check(name, your_class_or_function)`."""

_BY_NAME = {e.name: e for e in EXERCISE_LIST}


# ------------------------------------------------------------------ the check

class _Stop(Exception):
    """Ends a check early; its message is the diagnosis."""


def check(name, function_class):
    """Runs exercise `name` on your answer, prints what is right or wrong, returns True/False.

    `function_class` is your `mg.autograd.Function` subclass (the class itself), or
    for 'backward_walk' your function `backward_walk(root)`. Never raises on a wrong
    answer; an error in your code is reported with its line.
    """
    if name not in EXERCISES:
        raise ValueError(f'no exercise called {name!r}; the exercises are: {", ".join(EXERCISES)}')
    try:
        with warnings.catch_warnings(), np.errstate(all='ignore'):
            warnings.simplefilter('ignore')     # overflow warnings: the values speak for themselves
            if name == 'backward_walk':
                report = _check_walk(function_class)
            else:
                report = _check_function(_BY_NAME[name], function_class)
    except _Stop as stop:
        print(str(stop))
        return False
    except Exception as error:      # a bug here must not look like the learner's
        print(f'✗ {name}: check could not judge this answer ({type(error).__name__}: {error}).')
        return False
    print(report)
    return True


def _fail(name, headline, *lines, hint=None):
    text = f'✗ {name}: {headline}'
    for line in lines:
        text += '\n    ' + line
    if hint:
        text += '\n    hint: ' + hint
    raise _Stop(text)


def _your_line(error):
    """'in backward, line 9: return grad_output @ b', the last frame of the learner's own code."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        filename = frame.filename or ''
        if (filename.startswith(_PACKAGE) or filename.startswith(_STDLIB)
                or 'site-packages' in filename or filename.startswith('<frozen')):
            continue
        code = f': {frame.line.strip()}' if frame.line else ''
        return f'in {frame.name}, line {frame.lineno}{code}'
    return None


def _last_line(error):
    return traceback.format_exception_only(type(error), error)[-1].strip()


def _crash(exercise_name, where, error, case_line, hint=None, doc=None):
    """Stops with the report of an error raised by the learner's code."""
    if isinstance(error, NotImplementedError):
        _fail(exercise_name, f'not written yet: your {where} raises NotImplementedError.',
              *([doc] if doc else []),
              'Replace `raise NotImplementedError` with your code, then run check again.')
    lines = [case_line]
    line = _your_line(error)
    if line:
        lines.append(line)
    lines.append(_last_line(error))
    if hint is None and isinstance(error, ValueError) and 'unpack' in str(error) and where == 'backward':
        hint = ('ctx.saved_tensors holds what forward passed to ctx.save_for_backward(...): '
                'save there every tensor backward needs.')
    if hint is None and isinstance(error, RecursionError):
        hint = 'a function calls itself without end (or too deeply).'
    _fail(exercise_name, f'your {where} raised an error.', *lines, hint=hint)


def _is_shape_error(error):
    text = str(error).lower()
    return isinstance(error, (ValueError, RuntimeError)) and any(
        word in text for word in ('shape', 'mismatch', 'broadcast', 'dimension', 'aligned'))


def _tensors(exercise, arrays, grad=True):
    out = []
    for name in exercise.args:
        a = arrays[name]
        wants = grad and name in exercise.grads
        out.append(Tensor(a.copy(), requires_grad=wants))
    return out


def _reference(exercise, arrays, g):
    """(output, {input: gradient}) from minigrad's own op and engine."""
    with enable_grad():
        ts = _tensors(exercise, arrays)
        out = exercise.reference(*ts)
        out.backward(Tensor(np.array(g, dtype=np.float64)))
    grads = {n: t.grad.detach().numpy().copy() for n, t in zip(exercise.args, ts) if n in exercise.grads}
    return out.detach().numpy().copy(), grads


def _finite_differences(exercise, arrays, g, name):
    """d Σ(out · g) / d input, by central differences of minigrad's op, element by element."""
    def projected(values):
        with no_grad():
            return float(np.sum(exercise.reference(*_tensors(exercise, values, grad=False)).detach().numpy() * g))
    x = arrays[name].copy()
    values = dict(arrays, **{name: x})
    return central_differences(lambda: projected(values), x, lambda value: FD_EPS * max(1.0, abs(value)))


def _describe(exercise, case, number, total, g=None):
    parts = []
    for name in exercise.args:
        a = case.arrays[name]
        parts.append(f'{name} {_shape(a.shape)}' + (' int64' if a.dtype.kind == 'i' else ''))
    text = f'case {number} of {total}: {", ".join(parts)}, {case.label}'
    if g is not None:
        text += ('; grad_output = ' + _num(float(g)) if g.ndim == 0
                 else f'; grad_output {_shape(g.shape)}, random')
    return text


def _check_function(exercise, cls):
    name = exercise.name
    if not (isinstance(cls, type) and issubclass(cls, _function.Function)):
        what = f'the class {cls.__name__}' if isinstance(cls, type) else f'a {type(cls).__name__}'
        owner = getattr(cls, '__self__', None)
        if isinstance(owner, type) and issubclass(owner, _function.Function):
            what = f'{owner.__name__}.{cls.__name__}: pass the class itself, {owner.__name__}'
        _fail(name, f'check expects your mg.autograd.Function subclass itself, as in '
                    f'check({name!r}, MyOp), but got {what}.')
    rng = np.random.default_rng(EXERCISES.index(name) + 2024)
    cases = exercise.cases(rng)
    for number, case in enumerate(cases, 1):
        ref_out = exercise.reference(*_tensors(exercise, case.arrays, grad=False)).detach().numpy()
        g = (np.array(rng.choice([-1, 1]) * rng.uniform(1.2, 2.0)) if ref_out.ndim == 0
             else rng.standard_normal(ref_out.shape))
        _check_case(exercise, cls, case, _describe(exercise, case, number, len(cases), g), g)
    grads = [n for n in exercise.args if n in exercise.grads]
    which = (f'the gradient of {grads[0]}' if len(grads) == 1
             else 'the gradients of ' + ', '.join(grads[:-1]) + f' and {grads[-1]}')
    labels = '; '.join(dict.fromkeys(case.label for case in cases))
    return (f"✓ {name}: correct. Forward and {which} agree with minigrad's {name} and with finite "
            f'differences on {len(cases)} cases ({labels}).')


def _check_case(exercise, cls, case, case_line, g):
    """Checks the learner's Function `cls` on one case: forward, backward called directly,
    then the two together through .backward(). Stops at the first thing wrong."""
    arrays = case.arrays
    ref_out, expected = _reference(exercise, arrays, g)
    info = exercise.info(arrays)
    out = _check_forward(exercise, cls, arrays, ref_out, case_line)
    ctx, returned = _call_backward(exercise, cls, out, arrays, g, case_line)
    saved = _safe(lambda: tuple(ctx.saved_tensors)) or ()      # their dtypes, for a precision hint
    dtypes = [out.detach().numpy().dtype] + [t.dtype for t in saved if isinstance(t, Tensor)]
    problems = []
    for n, r in zip(exercise.args, returned):
        if n in exercise.grads:
            problems += _judge_gradient(exercise, arrays, ref_out, g, n, r, expected[n], info, dtypes)
    _report_gradient_problems(exercise.name, problems, case_line)
    _check_through_backward(exercise, cls, arrays, g, expected, case_line)


def _check_forward(exercise, cls, arrays, ref_out, case_line):
    """Runs the learner's forward (through cls.apply) and compares it with minigrad's;
    returns its output."""
    name = exercise.name
    inputs = _tensors(exercise, arrays)
    with enable_grad():
        try:
            out = cls.apply(*inputs)
        except Exception as error:
            _crash(name, 'forward', error, case_line, doc=exercise.doc)
    for n, t in zip(exercise.args, inputs):
        if not np.array_equal(t.detach().numpy(), arrays[n]):
            _fail(name, f'your forward changed its input {n} in place.', case_line,
                  hint='write y = x - c rather than x -= c: an input belongs to the caller.')
    got = out.detach().numpy()
    if got.shape != ref_out.shape:
        _fail(name, 'forward returns the wrong shape.', case_line,
              f'expected shape {_shape(ref_out.shape)}, got {_shape(got.shape)}.')
    if not np.allclose(got, ref_out, rtol=RTOL, atol=ATOL):
        hint = _lower_precision(got, ref_out, [got.dtype]) or next(
            (h for test, h in exercise.forward_hints if _safe(test, arrays, got)), None)
        _fail(name, 'forward is wrong.', case_line, _where(got, ref_out, None, None), hint=hint)
    return out


def _call_backward(exercise, cls, out, arrays, g, case_line):
    """Calls the learner's backward directly, so that we see exactly what it returns;
    returns (ctx, a tuple of one gradient per input)."""
    name = exercise.name
    grad_output = Tensor(g.copy())
    ctx = out.grad_fn
    if ctx is None:
        _fail(name, 'forward returned a tensor without a graph node.', case_line,
              hint='forward must return a new tensor computed from the inputs.')
    try:
        with no_grad():
            returned = cls.backward(ctx, grad_output)
    except Exception as error:
        hint = _safe(exercise.crash_hint, arrays, error) if exercise.crash_hint else None
        _crash(name, 'backward', error, case_line, hint, doc=exercise.doc)
    if not np.array_equal(grad_output.detach().numpy(), g):
        _fail(name, 'your backward changed grad_output in place.', case_line,
              hint='the same grad_output may be passed to other nodes: write g = grad_output * s, '
                   'not grad_output *= s.')
    if isinstance(returned, list):
        _fail(name, 'backward returned a list.', case_line,
              hint='return a tuple, one gradient per input: return grad_a, grad_b.')
    returned = returned if isinstance(returned, tuple) else (returned,)
    if len(returned) != len(exercise.args):
        _fail_gradient_count(exercise, len(returned), case_line)
    return ctx, returned


def _fail_gradient_count(exercise, count, case_line):
    args = exercise.args
    without_grad = [n for n in args if n not in exercise.grads]
    _fail(exercise.name, f'backward returned {count} gradient{"s" * (count != 1)}, but '
                         f'forward takes {len(args)} input{"s" * (len(args) != 1)} '
                         f'({", ".join(args)}).', case_line,
          hint='return one gradient per input of forward, in the same order'
               + (', with None for ' + ', '.join(without_grad) + ' (it takes no gradient)'
                  if without_grad else '')
               + '.')


def _report_gradient_problems(name, problems, case_line):
    """Stops with the wrong gradients, if any: (headline, detail lines, hint) each."""
    if len(problems) == 1:
        headline, detail, hint = problems[0]
        _fail(name, headline, case_line, *detail, hint=hint)
    if problems:                        # one block per wrong gradient
        lines = [case_line]
        for headline, detail, hint in problems:
            lines.append(headline[0].upper() + headline[1:])
            lines += ['  ' + d for d in detail] + (['  hint: ' + hint] if hint else [])
        _fail(name, 'some gradients are wrong.', *lines)


def _check_through_backward(exercise, cls, arrays, g, expected, case_line):
    """The same gradients through .backward(), as the op is used."""
    name = exercise.name
    inputs = _tensors(exercise, arrays)
    try:
        with enable_grad():
            cls.apply(*inputs).backward(Tensor(g.copy()))
    except Exception as error:
        _crash(name, 'op (run through .backward())', error, case_line)
    for n, t in zip(exercise.args, inputs):
        if n in exercise.grads and (t.grad is None or not np.allclose(t.grad.detach().numpy(), expected[n], rtol=RTOL, atol=ATOL)):
            _fail(name, f'called directly your backward is right, but through .backward() the gradient '
                        f'of {n} comes out different.', case_line,
                  hint='does backward depend on something besides ctx and grad_output?')


def _safe(fn, *args):
    """fn(*args), or None if it raises (a hint's own test must never stop the check)."""
    try:
        return fn(*args)
    except Exception:
        return None


def _as_array(r):
    if isinstance(r, Tensor):
        return r.detach().numpy()
    if isinstance(r, np.ndarray):
        return r
    if isinstance(r, (float, int, np.floating, np.integer)) and not isinstance(r, bool):
        return np.asarray(r, dtype=np.float64)
    return None


def _where(got, expected, values, name, numeric=None):
    """'at x[1, 2] = 0.3: expected ..., got ... ; k of n elements differ'."""
    bad = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    index = np.unravel_index(int(np.argmax(bad)), got.shape) if got.ndim else ()
    at = f'at {name}{_element(index)} = {_num(values[index])}' if name else (
        f'at element {_element(index)}' if got.ndim else 'the value')
    fd = '' if numeric is None else f' (finite differences: {_num(numeric[index])})'
    text = f'{at}: expected {_num(expected[index])}{fd}, got {_num(got[index])}'
    if got.size > 1:
        text += f'; {int(bad.sum())} of {got.size} elements differ'
    return text + '.'


def _judge_gradient(exercise, arrays, ref_out, g, n, returned, expected, info, dtypes):
    """[] if `returned` is the right gradient of input `n`; else [(headline, lines, hint)]."""
    x = arrays[n]
    if returned is None:
        hint = None
        if exercise.name == 'mse_loss' and n == 'target':
            hint = ('target requires grad in this check, so it needs its gradient too (minus '
                    "input's); None is right only when ctx.needs_input_grad[1] is False.")
        return [(f'backward returned None as the gradient of {n}, which needs one.', [], hint)]
    got = _as_array(returned)
    if got is None:
        return [(f'the gradient of {n} is a {type(returned).__name__}, not a tensor.', [],
                 'return a tensor of the input\'s shape, computed from grad_output.')]
    v = dict(arrays, out=ref_out)
    if got.shape == expected.shape and np.allclose(got, expected, rtol=RTOL, atol=ATOL):
        numeric = _finite_differences(exercise, arrays, g, n)
        if not np.allclose(expected, numeric, rtol=FD_RTOL, atol=FD_ATOL):
            return [(f"minigrad's own rule for {n} disagrees with finite differences: a bug in "
                     'minigrad, not in your answer. Please report it.', [], None)]
        return []
    hint = _mistake_hint(exercise, v, g, n, got, expected, info)
    if got.shape != expected.shape:
        lines = [f'{n} has shape {_shape(x.shape)}; your gradient has shape {_shape(got.shape)}.']
        if hint is None:
            if got.ndim == 2 and got.shape == expected.shape[::-1] and np.allclose(got.T, expected, rtol=RTOL, atol=ATOL):
                hint = 'your gradient is the transpose of the right one.'
            elif got.shape == g.shape:
                hint = ("that is grad_output's shape: a gradient always has its input's shape. Was "
                        f'{n} broadcast or used along a dim that you must sum over?')
            else:
                hint = f"a gradient always has its input's shape, here {_shape(x.shape)}."
        return [(f'the gradient of {n} has the wrong shape.', lines, hint)]
    numeric = _finite_differences(exercise, arrays, g, n)
    lines = [_where(got, expected, x, n, numeric)]
    if hint is None:
        hint = _generic_hint(exercise, arrays, g, n, got, expected, dtypes + [got.dtype]) or (
            'it matches none of the typical mistakes; compare each factor of your formula with '
            'the derivation, on the element above.')
    return [(f'the gradient of {n} is wrong.', lines, hint)]


def _same(a, b):
    return a is not None and np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)


def _mistake_hint(exercise, v, g, n, got, expected, info):
    for mistake in exercise.mistakes:
        if mistake.input != n:
            continue
        try:
            wrong = mistake.wrong(v, g)
        except Exception:
            continue
        if wrong is None:
            continue
        wrong = np.asarray(wrong, dtype=np.float64)
        if _same(wrong, expected):
            continue                    # on these values the mistake gives the right answer
        if _same(got, wrong):
            return mistake.hint.format(**info)
    return None


def _lower_precision(got, expected, dtypes):
    """A hint if `got` is right to a few digits only, as float32 arithmetic would give."""
    if not np.allclose(got, expected, rtol=1e-4, atol=1e-7):
        return None
    low = [str(d) for d in dtypes if d.kind == 'f' and d.itemsize < 8]
    if low:
        return (f'right to about {low[0]} precision only: your op computes in {low[0]}. Keep it in '
                "float64, the inputs' dtype (look for a .float() or a float32 tensor in your code).")
    return ('right to a few digits only: precision is lost somewhere, as in a difference of '
            'nearly equal numbers; compute it in the form of the rule derived above.')


def _generic_hint(exercise, arrays, g, n, got, expected, dtypes=()):
    if _lower_precision(got, expected, dtypes):
        return _lower_precision(got, expected, dtypes)
    if not np.all(np.isfinite(got)):
        bad = np.unravel_index(int(np.argmax(~np.isfinite(got))), got.shape) if got.ndim else ()
        return (f'your gradient is {_num(got[bad])} at {n}{_element(bad)} = {_num(arrays[n][bad])}: '
                'something overflowed (e^x of a large x is inf). Write the gradient with the output '
                'forward computed (saved), which is already stable.')
    if not np.all(g == 1):
        ones = np.ones_like(g)
        _, local = _reference(exercise, arrays, ones)
        if _same(got, local[n]):
            return ('grad_output is missing: backward returns dL/dinput = dL/doutput · doutput/dinput '
                    '(the chain rule); multiply your local derivative by grad_output.')
    if np.allclose(got, 0, atol=ATOL):
        return 'your gradient is all zeros.'
    if got.ndim == 2 and _same(got, expected.T):
        return 'your gradient is the transpose of the right one.'
    if _same(got, -expected):
        return 'the sign is flipped.'
    nonzero = np.abs(expected) > 1e-6 * np.abs(expected).max()
    if nonzero.any():
        ratios = got[nonzero] / expected[nonzero]
        c = ratios.flat[0]
        if np.allclose(ratios, c, rtol=1e-6) and _same(got, c * expected):
            return (f'your gradient is {_num(c)} times the right one everywhere: a constant factor is '
                    'missing or extra (such as 2, 1/N, or grad_output).')
    return None


# ------------------------------------------------------- the backward walk

class Node:
    """One number in a small graph, for the 'backward_walk' exercise.

        x = Node(2.0, 'x'); y = Node(-3.0, 'y')
        z = x * y + x                   # each op makes a new Node

    node.value    the number the forward pass computed
    node.parents  ((parent, local), ...): the nodes this one was computed from, each with the
                  local derivative ∂node/∂parent, already evaluated (a float). A parent used
                  twice appears twice (x * x has ((x, x.value), (x, x.value))).
    node.grad     ∂root/∂node, 0.0 until a backward walk fills it in
    node.name     a label for printing

    Supports + - * / with Nodes and numbers, ** with a number, and
    .tanh() .exp() .log() .relu(). minigrad records the same computation alongside,
    so that `check` can compare your walk with the engine.
    """

    __slots__ = ('value', 'parents', 'grad', 'name', '_tensor')

    def __init__(self, value, name='', _parents=(), _tensor=None):
        self.value = float(value)
        self.parents = tuple(_parents)
        self.grad = 0.0
        self.name = name
        if _tensor is None:
            _tensor = Tensor(np.array(self.value, dtype=np.float64), requires_grad=True)
        else:
            _tensor.retain_grad()
        self._tensor = _tensor

    def __repr__(self):
        return f'Node({self.name!r}, value={_num(self.value)}, grad={_num(float(self.grad))})'

    @staticmethod
    def _node(other):
        return other if isinstance(other, Node) else Node(other, _num(float(other)))

    def __add__(self, other):
        other = Node._node(other)
        with enable_grad():
            return Node(self.value + other.value, '+', ((self, 1.0), (other, 1.0)), self._tensor + other._tensor)

    def __mul__(self, other):
        other = Node._node(other)
        with enable_grad():
            return Node(self.value * other.value, '*', ((self, other.value), (other, self.value)),
                        self._tensor * other._tensor)

    def __sub__(self, other):
        other = Node._node(other)
        with enable_grad():
            return Node(self.value - other.value, '-', ((self, 1.0), (other, -1.0)), self._tensor - other._tensor)

    def __truediv__(self, other):
        other = Node._node(other)
        with enable_grad():
            return Node(self.value / other.value, '/',
                        ((self, 1 / other.value), (other, -self.value / other.value ** 2)),
                        self._tensor / other._tensor)

    def __pow__(self, k):
        if isinstance(k, Node):
            raise TypeError('Node ** supports a number as the exponent (x ** 2), not a Node')
        with enable_grad():
            return Node(self.value ** k, f'**{_num(k)}', ((self, k * self.value ** (k - 1)),), self._tensor ** k)

    def __neg__(self):
        with enable_grad():
            return Node(-self.value, 'neg', ((self, -1.0),), -self._tensor)

    def __radd__(self, other):
        return Node._node(other) + self

    def __rmul__(self, other):
        return Node._node(other) * self

    def __rsub__(self, other):
        return Node._node(other) - self

    def __rtruediv__(self, other):
        return Node._node(other) / self

    def tanh(self):
        y = float(np.tanh(self.value))
        with enable_grad():
            return Node(y, 'tanh', ((self, 1 - y * y),), self._tensor.tanh())

    def exp(self):
        y = float(np.exp(self.value))
        with enable_grad():
            return Node(y, 'exp', ((self, y),), self._tensor.exp())

    def log(self):
        with enable_grad():
            return Node(float(np.log(self.value)), 'log', ((self, 1 / self.value),), self._tensor.log())

    def relu(self):
        with enable_grad():
            return Node(max(self.value, 0.0), 'relu', ((self, float(self.value > 0)),), self._tensor.relu())


def _reverse_topological(root):
    """Every node of root's graph, root first and each node after all the nodes that use it."""
    users = {}
    stack, seen = [root], {id(root)}
    while stack:
        node = stack.pop()
        for parent, _ in node.parents:
            users[id(parent)] = users.get(id(parent), 0) + 1
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for parent, _ in node.parents:
            users[id(parent)] -= 1
            if not users[id(parent)]:
                ready.append(parent)
    return order


def _named(node, name):
    node.name = name
    return node


def _walk_cases():
    """(label, build) of the graphs the walk is checked on; build() makes a fresh graph."""
    def neuron():
        w, x, b = Node(0.8, 'w'), Node(2.0, 'x'), Node(-0.3, 'b')
        z = _named(_named(w * x, 'w*x') + b, 'z')
        return _named(z.tanh(), 'y')

    def reuse():
        x = Node(1.5, 'x')
        return _named(_named(x * x, 'x*x') + x, 'out')

    def diamond():
        x, y = Node(0.5, 'x'), Node(-1.2, 'y')
        a = _named(x * y, 'a')
        return _named(_named(a.exp(), 'e') * _named(a + y, 'c'), 'out')

    def squared_error():
        x1, x2, w1, w2, b, t = (Node(v, n) for v, n in
                                ((1.0, 'x1'), (-2.0, 'x2'), (0.3, 'w1'), (0.6, 'w2'), (0.1, 'b'), (1.0, 't')))
        s = _named(_named(w1 * x1, 'w1*x1') + _named(w2 * x2, 'w2*x2'), 'w1*x1 + w2*x2')
        p = _named(_named(s + b, 'z').tanh(), 'p')
        return _named(_named(p - t, 'd') ** 2, 'loss')

    def deep():
        x = Node(0.7, 'x')
        h = x
        for i in range(5000):
            h = _named(_named(h + x, f'{h.name} + x') * 0.5, f'h{i + 1}')
        return h

    return [('a neuron, y = tanh(w·x + b)', neuron),
            ('a value used twice, out = x·x + x', reuse),
            ('a diamond: a = x·y, out = exp(a) · (a + y)', diamond),
            ('a squared error, (tanh(w1·x1 + w2·x2 + b) − t)²', squared_error),
            ('a chain 10,000 nodes deep, h = (h + x) · 0.5 repeated 5,000 times', deep)]


def _label(node):
    return f'`{node.name}`' if node.name else 'a node'


def _check_walk(walk):
    name = 'backward_walk'
    if isinstance(walk, type) or not callable(walk):
        _fail(name, f'check expects your function backward_walk itself (check({name!r}, '
                    f'backward_walk)), but got {type(walk).__name__ if not isinstance(walk, type) else "a class"}.')
    cases = _walk_cases()
    for number, (label, build) in enumerate(cases, 1):
        case_line = f'case {number} of {len(cases)}: {label}'
        root = build()
        try:
            walk(root)
        except RecursionError as error:
            _fail(name, 'your walk raised RecursionError.', case_line, _last_line(error),
                  hint='your walk calls itself once per node, and Python stops at about 1,000 nested '
                       'calls (this graph is 10,000 nodes deep). Build the order with a loop and an '
                       'explicit stack (a list you append to and pop from), as minigrad\'s engine does.')
        except Exception as error:
            _crash(name, 'walk', error, case_line,
                   doc='backward_walk(root): set .grad of every node of root\'s graph to d root / d node.')
        order = _reverse_topological(root)
        root._tensor.backward()
        for node in order:
            expected = node._tensor.grad.item()
            try:
                got = float(node.grad)
            except Exception:
                _fail(name, f'the .grad of {_label(node)} is a {type(node.grad).__name__}, not a number.', case_line)
            if not np.isclose(got, expected, rtol=1e-9, atol=1e-12):
                _walk_diagnosis(name, case_line, root, order, node, got, expected)
    return (f"✓ {name}: correct. Your walk gives every node the gradient minigrad's engine computes, "
            f'on {len(cases)} graphs (reuse, a diamond, a chain 10,000 nodes deep).')


def _walk_diagnosis(name, case_line, root, order, node, got, expected):
    """Stops with the diagnosis for `node`, the first node (from the root down) with a wrong grad:
    every node that uses it has the right gradient, so its users' contributions are known."""
    where = f'{_label(node)} (value {_num(node.value)}) has grad {_num(got)}, expected {_num(expected)}.'
    if node is root:
        hint = ('the walk starts with root.grad = 1.0 (d root / d root = 1), before anything else.'
                if got == 0 else 'root.grad must be 1.0: d root / d root = 1.')
        _fail(name, 'the root\'s gradient is wrong.', case_line, where, hint=hint)
    edges = [(user, local) for user in order for parent, local in user.parents if parent is node]
    shares = [user._tensor.grad.item() * local for user, local in edges]
    users = ', '.join(dict.fromkeys(_label(user) for user, _ in edges))
    times = {1: 'once', 2: 'twice'}.get(len(edges), f'{len(edges)} times')
    uses = f'{_label(node)} is used {times} (by {users})'
    if got == 0:
        hint = (f'no gradient reached {_label(node)}: {uses}. Does your walk visit every node, and '
                'pass each node\'s gradient to all of its parents?')
    elif len(edges) > 1 and any(np.isclose(got, s, rtol=1e-9, atol=1e-12) for s in shares):
        hint = (f'{uses}, so its gradient is the sum of one share per use; yours holds only one of them. '
                'Add into the parent\'s gradient (parent.grad += ...), do not overwrite it (=).')
    elif np.isclose(got, sum(user._tensor.grad.item() for user, _ in edges), rtol=1e-9):
        hint = ('the local derivative is missing: each parent receives node.grad * local, '
                'the chain rule, not node.grad alone.')
    elif np.isclose(got, sum(local for _, local in edges), rtol=1e-9):
        hint = ('the gradient of the node that uses it is missing: each parent receives '
                'node.grad * local (the chain rule), not local alone.')
    else:
        hint = (f'{uses}, and each of them ended with the right gradient, so some node passed its '
                'gradient on before it had received all of it, or more than once. Visit the nodes in '
                'reverse topological order: a node only after every node that uses it, each once.')
    _fail(name, f'the gradient of {_label(node)} is wrong.', case_line, where, hint=hint)
