"""The exercises: each op's arguments, minigrad's own op as the reference, the seeded input
cases, and the typical wrong gradients with the hint each one gets."""
import numpy as np

from ..nn import functional as F
from ..ops import _stable


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


def _is_shape_error(error):
    text = str(error).lower()
    return isinstance(error, (ValueError, RuntimeError)) and any(
        word in text for word in ('shape', 'mismatch', 'broadcast', 'dimension', 'aligned'))


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


def _row_sum_crash_hint(v, error):
    """A shape error in softmax's (or log_softmax's) backward: usually a row sum without keepdim."""
    x = v['x']
    if not _is_shape_error(error) or x.ndim < 2 or str(x.shape[:-1]) not in str(error):
        return None         # the error names no row-summed shape: some other mistake
    return (f'a row sum without keepdim=True: summed along dim=-1, a ({_dims(x.shape)}) tensor '
            f'becomes ({_dims(x.shape[:-1])}), which does not line up with the rows; '
            f'.sum(dim=-1, keepdim=True) keeps the summed dim as 1, ({_dims(x.shape[:-1] + (1,))}), '
            f'so it broadcasts along each row.')


def _dims(shape):
    return ', '.join(str(n) for n in shape) + (',' if len(shape) == 1 else '')


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
        'softmax', ('x',), lambda x: F.softmax(x, dim=-1), _softmax_cases, crash_hint=_row_sum_crash_hint,
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
        'log_softmax', ('x',), lambda x: F.log_softmax(x, dim=-1), _softmax_cases, crash_hint=_row_sum_crash_hint,
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
            _Mistake('bias', lambda v, g: g.sum(1),
                     'the bias gradient is summed over the wrong dim: sum over the {N} rows of the '
                     'batch (dim 0), one value per output feature: grad_output.sum(0); '
                     'grad_output.sum(1) gives one value per sample.'),
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
