"""Every op of API.md's "Tensors" section, as parametrized tables.

Each row is checked three ways by `check`:
  * forward in float32 against NumPy (and the result stays float32),
  * forward in float64 against NumPy,
  * gradient: every input's `.grad` has the input's shape and dtype, and
    `mg.gradcheck` (central differences in float64) agrees with backprop.

Edge cases where minigrad once differed from PyTorch (0-d tensors, empty dims, cat and expand
errors) sit with their op, run in both libraries when PyTorch is installed.
"""
import operator
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.linalg import Linear

try:                      # tests marked @by_name run in minigrad, and in PyTorch when installed
    import torch
except ImportError:
    torch = None

LIBS = [mg] + ([torch] if torch is not None else [])
by_name = pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)


# ------------------------------------------------------------------ helpers

def values(shape, seed=0, domain='any'):
    """Random float64 values of `shape`, kept where the op is smooth.

    any: [-2, 2]; positive: [0.5, 2]; nonzero: |x| in [0.3, 2];
    off_half: [-2, 2] but at least 0.05 away from ±0.5 (clamp's kinks).
    """
    rng = np.random.default_rng(seed)
    if domain == 'positive':
        return np.asarray(rng.uniform(0.5, 2, shape))
    if domain == 'nonzero':
        return np.asarray(rng.uniform(0.3, 2, shape) * rng.choice([-1.0, 1.0], shape))
    a = np.asarray(rng.uniform(-2, 2, shape))
    if domain == 'off_half':
        a = np.where(np.abs(np.abs(a) - 0.5) < 0.05, a + np.sign(a) * 0.1, a)
    return a


def check(fn, reference, *arrays, rtol=1e-5, atol=1e-5):
    """fn on tensors matches reference on arrays, in float32 and float64, and its gradient is right."""
    singles = [a.astype(np.float32) for a in arrays]
    out32 = fn(*[mg.tensor(a) for a in singles])
    expected32 = reference(*[a.astype(np.float64) for a in singles])
    assert out32.dtype == mg.float32, f'float32 inputs gave {out32.dtype}'
    assert out32.shape == np.shape(expected32)
    np.testing.assert_allclose(out32._array, expected32, rtol=rtol, atol=atol)

    xs = [mg.tensor(a, dtype=mg.float64, requires_grad=True) for a in arrays]
    out = fn(*xs)
    assert out.dtype == mg.float64
    assert out.requires_grad and out.grad_fn is not None
    np.testing.assert_allclose(out._array, reference(*arrays), rtol=1e-10, atol=1e-12)

    out.backward(gradient=np.random.default_rng(1).standard_normal(out.shape))
    for x in xs:
        assert x.grad is not None, 'an input that requires grad got no gradient'
        assert x.grad.shape == x.shape, f'gradient shape {x.grad.shape} for input shape {x.shape}'
        assert x.grad.dtype == mg.float64
    assert mg.gradcheck(fn, [mg.tensor(a, dtype=mg.float64, requires_grad=True) for a in arrays])


# ------------------------------------------------------ elementwise, unary

UNARY = [
    # name, minigrad, NumPy, input domain
    ('neg', lambda x: -x, np.negative, 'any'),
    ('exp', lambda x: x.exp(), np.exp, 'any'),
    ('log', lambda x: x.log(), np.log, 'positive'),
    ('sqrt', lambda x: x.sqrt(), np.sqrt, 'positive'),
    ('abs', lambda x: x.abs(), np.abs, 'nonzero'),
    ('tanh', lambda x: x.tanh(), np.tanh, 'any'),
    ('sigmoid', lambda x: x.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), 'any'),
    ('relu', lambda x: x.relu(), lambda a: np.maximum(a, 0), 'nonzero'),
    ('sin', lambda x: x.sin(), np.sin, 'any'),
    ('cos', lambda x: x.cos(), np.cos, 'any'),
    ('clamp(min)', lambda x: x.clamp(min=-0.5), lambda a: np.maximum(a, -0.5), 'off_half'),
    ('clamp(max)', lambda x: x.clamp(max=0.5), lambda a: np.minimum(a, 0.5), 'off_half'),
    ('clamp(min, max)', lambda x: x.clamp(-0.5, 0.5), lambda a: np.clip(a, -0.5, 0.5), 'off_half'),
    ('x ** 3', lambda x: x ** 3, lambda a: a ** 3, 'any'),
    ('x ** 2.5', lambda x: x ** 2.5, lambda a: a ** 2.5, 'positive'),
    ('x ** -1.5', lambda x: x ** -1.5, lambda a: a ** -1.5, 'positive'),
    ('x ** 0', lambda x: x ** 0, lambda a: a ** 0, 'nonzero'),
    ('x.pow(2)', lambda x: x.pow(2), lambda a: a ** 2, 'any'),
    ('2 ** x', lambda x: 2 ** x, lambda a: 2.0 ** a, 'any'),
    ('x + 2.5', lambda x: x + 2.5, lambda a: a + 2.5, 'any'),
    ('2.5 + x', lambda x: 2.5 + x, lambda a: 2.5 + a, 'any'),
    ('x - 2', lambda x: x - 2, lambda a: a - 2, 'any'),
    ('2 - x', lambda x: 2 - x, lambda a: 2 - a, 'any'),
    ('x * 2.5', lambda x: x * 2.5, lambda a: a * 2.5, 'any'),
    ('3 * x', lambda x: 3 * x, lambda a: 3 * a, 'any'),
    ('x / 4', lambda x: x / 4, lambda a: a / 4, 'any'),
    ('2.5 / x', lambda x: 2.5 / x, lambda a: 2.5 / a, 'nonzero'),
    ('x.maximum(0.5)', lambda x: x.maximum(0.5), lambda a: np.maximum(a, 0.5), 'off_half'),
    ('x.minimum(0.5)', lambda x: x.minimum(0.5), lambda a: np.minimum(a, 0.5), 'off_half'),
]
UNARY_SHAPES = [(), (5,), (3, 4), (2, 3, 4)]


@pytest.mark.parametrize('shape', UNARY_SHAPES, ids=str)
@pytest.mark.parametrize('name, fn, reference, domain', UNARY, ids=[row[0] for row in UNARY])
def test_unary(name, fn, reference, domain, shape):
    check(fn, reference, values(shape, 0, domain))


MODULE_FUNCTIONS = [
    # mg.f(...) must equal the method form, forward and gradient
    ('exp', lambda x: mg.exp(x), lambda x: x.exp(), 'any'),
    ('log', lambda x: mg.log(x), lambda x: x.log(), 'positive'),
    ('sqrt', lambda x: mg.sqrt(x), lambda x: x.sqrt(), 'positive'),
    ('abs', lambda x: mg.abs(x), lambda x: x.abs(), 'nonzero'),
    ('tanh', lambda x: mg.tanh(x), lambda x: x.tanh(), 'any'),
    ('sigmoid', lambda x: mg.sigmoid(x), lambda x: x.sigmoid(), 'any'),
    ('relu', lambda x: mg.relu(x), lambda x: x.relu(), 'nonzero'),
    ('sin', lambda x: mg.sin(x), lambda x: x.sin(), 'any'),
    ('cos', lambda x: mg.cos(x), lambda x: x.cos(), 'any'),
    ('clamp', lambda x: mg.clamp(x, min=-0.5, max=0.5), lambda x: x.clamp(-0.5, 0.5), 'off_half'),
    ('pow', lambda x: mg.pow(x, 3), lambda x: x ** 3, 'any'),
    ('pow scalar base', lambda x: mg.pow(2.0, x), lambda x: 2.0 ** x, 'any'),
    ('maximum', lambda x: mg.maximum(x, x * x), lambda x: x.maximum(x * x), 'nonzero'),
    ('minimum', lambda x: mg.minimum(x, x * x), lambda x: x.minimum(x * x), 'nonzero'),
    ('softmax', lambda x: mg.softmax(x, 1), lambda x: x.softmax(dim=1), 'any'),
    ('log_softmax', lambda x: mg.log_softmax(x, -1), lambda x: x.log_softmax(dim=-1), 'any'),
    ('matmul', lambda x: mg.matmul(x, x.T), lambda x: x @ x.T, 'any'),
]


@pytest.mark.parametrize('name, function, method, domain', MODULE_FUNCTIONS,
                         ids=[row[0] for row in MODULE_FUNCTIONS])
def test_module_function_matches_method(name, function, method, domain):
    a = values((3, 4), 0, domain)
    check(function, lambda a: method(mg.tensor(a, dtype=mg.float64))._array, a)
    x = mg.tensor(a, requires_grad=True)
    y = mg.tensor(a, requires_grad=True)
    function(x).sum().backward()
    method(y).sum().backward()
    np.testing.assert_array_equal(x.grad._array, y.grad._array)


# ----------------------------------------------------- elementwise, binary

BINARY = [
    ('+', operator.add, np.add, ('any', 'any')),
    ('-', operator.sub, np.subtract, ('any', 'any')),
    ('*', operator.mul, np.multiply, ('any', 'any')),
    ('/', operator.truediv, np.divide, ('any', 'nonzero')),
    ('**', operator.pow, np.power, ('positive', 'any')),
    ('maximum', lambda a, b: a.maximum(b), np.maximum, ('any', 'any')),
    ('minimum', lambda a, b: a.minimum(b), np.minimum, ('any', 'any')),
    ('mg.maximum', mg.maximum, np.maximum, ('any', 'any')),
    ('mg.minimum', mg.minimum, np.minimum, ('any', 'any')),
    ('mg.pow', mg.pow, np.power, ('positive', 'any')),
]
SHAPE_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((2, 1, 4), (3, 1)),
               ((3, 1), (1, 4)), ((), (2, 3)), ((2, 3), ()), ((), ())]


@pytest.mark.parametrize('shapes', SHAPE_PAIRS, ids=str)
@pytest.mark.parametrize('name, fn, reference, domains', BINARY, ids=[row[0] for row in BINARY])
def test_binary(name, fn, reference, domains, shapes):
    check(fn, reference, values(shapes[0], 1, domains[0]), values(shapes[1], 2, domains[1]))


@pytest.mark.parametrize('name, fn, reference, domains', BINARY[:5], ids=[row[0] for row in BINARY[:5]])
def test_binary_with_constant_operand(name, fn, reference, domains):
    """Only the operand that requires grad gets a gradient, on either side."""
    a, b = values((3, 4), 1, domains[0]), values((4,), 2, domains[1])
    x, c = mg.tensor(a, requires_grad=True), mg.tensor(b)
    fn(x, c).sum().backward()
    assert c.grad is None and x.grad.shape == (3, 4)
    assert mg.gradcheck(lambda x: fn(x, mg.tensor(b, dtype=mg.float64)), mg.tensor(a, requires_grad=True))
    c, y = mg.tensor(a), mg.tensor(b, requires_grad=True)
    fn(c, y).sum().backward()
    assert c.grad is None and y.grad.shape == (4,)
    assert mg.gradcheck(lambda y: fn(mg.tensor(a, dtype=mg.float64), y), mg.tensor(b, requires_grad=True))


@pytest.mark.parametrize('fn, share_a', [
    (mg.maximum, [0.5, 1.0, 0.0]),
    (mg.minimum, [0.5, 0.0, 1.0]),
], ids=['maximum', 'minimum'])
def test_maximum_minimum_split_ties_evenly(fn, share_a):
    a = mg.tensor([1.0, 3.0, 0.0], requires_grad=True)
    b = mg.tensor([1.0, 2.0, 2.0], requires_grad=True)
    fn(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad._array, share_a)
    np.testing.assert_array_equal(b.grad._array, 1 - np.array(share_a))


def test_pow_gradients_at_zero_base_follow_pytorch():
    # d/dx x**0 = 0 everywhere (also at x = 0); d/db 0**b = 0 for b >= 0; a negative
    # base has no real log, so the exponent's gradient is nan there, as in PyTorch.
    x = mg.tensor([0.0, 2.0], requires_grad=True)
    (x ** 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [0.0, 0.0])
    a = mg.tensor([0.0, 0.0, -2.0, 3.0])
    b = mg.tensor([2.0, 0.0, 2.0, 2.0], requires_grad=True)
    (a ** b).sum().backward()
    np.testing.assert_allclose(b.grad._array, [0.0, 0.0, np.nan, 9 * np.log(3)], rtol=1e-6)


# ----------------------------------------------------------------- matmul

MATMUL_SHAPES = [
    ((4,), (4,)),                   # dot product
    ((3, 4), (4,)),                 # matrix @ vector
    ((4,), (4, 5)),                 # vector @ matrix
    ((3, 4), (4, 5)),
    ((2, 3, 4), (2, 4, 5)),         # batched
    ((2, 3, 4), (4, 5)),            # batch broadcast on the left
    ((3, 4), (2, 4, 5)),            # ... and on the right
    ((2, 1, 3, 4), (5, 4, 2)),      # both batches broadcast
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
]


@pytest.mark.parametrize('shapes', MATMUL_SHAPES, ids=str)
def test_matmul(shapes):
    check(operator.matmul, np.matmul, values(shapes[0], 1), values(shapes[1], 2))


def test_matmul_with_numpy_operand_on_either_side():
    a, b = values((3, 4), 1).astype(np.float32), values((4, 2), 2).astype(np.float32)
    x = mg.tensor(b, requires_grad=True)
    out = a @ x
    assert isinstance(out, mg.Tensor)
    np.testing.assert_allclose(out._array, a @ b, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(x.grad._array, a.T @ np.ones((3, 2)), rtol=1e-6)
    np.testing.assert_allclose((mg.tensor(a) @ b)._array, a @ b, rtol=1e-6)


@pytest.mark.parametrize('shapes', [((3, 4), (5, 2)), ((4,), (3,)), ((2, 3, 4), (3, 4, 5))], ids=str)
def test_matmul_shape_error_names_both_shapes(shapes):
    with pytest.raises(RuntimeError) as info:
        mg.zeros(*shapes[0]) @ mg.zeros(*shapes[1])
    message = str(info.value).lower()
    assert 'matmul' in message
    assert str(shapes[0]) in message and str(shapes[1]) in message


@pytest.mark.parametrize('x_shape', [(4,), (3, 4), (2, 3, 4)], ids=str)
@pytest.mark.parametrize('bias', [True, False])
def test_fused_linear_op(x_shape, bias):
    """The fused op behind nn.Linear: x Wᵀ + b."""
    arrays = [values(x_shape, 1), values((5, 4), 2)] + ([values((5,), 3)] if bias else [])
    check(lambda *ts: Linear.apply(*ts),
          lambda x, w, *b: x @ w.T + (b[0] if b else 0), *arrays)


# ------------------------------------------------------------ comparisons

COMPARISONS = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]


@pytest.mark.parametrize('other', ['tensor', 'broadcast', 'scalar', 'array'])
@pytest.mark.parametrize('op', COMPARISONS, ids=lambda op: op.__name__)
def test_comparisons_give_bool_without_gradient(op, other):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 3, (3, 4)).astype(np.float32)          # small integers: many ties
    b = {'tensor': rng.integers(0, 3, (3, 4)).astype(np.float32),
         'broadcast': rng.integers(0, 3, (4,)).astype(np.float32),
         'scalar': 1.0, 'array': np.float32(1.0) * rng.integers(0, 3, (3, 1))}[other]
    x = mg.tensor(a, requires_grad=True)
    y = mg.tensor(b) if other in ('tensor', 'broadcast') else b
    out = op(x, y)
    assert isinstance(out, mg.Tensor)
    assert out.dtype == mg.bool
    assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(out._array, op(a, b))


# --------------------------------------------------------------- indexing

_MASK_4 = np.array([True, False, True, True])
_MASK_45 = np.random.default_rng(3).random((4, 5)) > 0.5
_MASK_453 = np.random.default_rng(4).random((4, 5, 3)) > 0.5
INDEXES = [
    # id, index as given to minigrad, the same index for NumPy
    ('int', 1, 1),
    ('negative int', -1, -1),
    ('slice', slice(1, 3), slice(1, 3)),
    ('step slice', slice(None, None, 2), slice(None, None, 2)),
    ('negative step', slice(None, None, -1), slice(None, None, -1)),
    ('[:, 1]', (slice(None), 1), (slice(None), 1)),
    ('[..., 0]', (Ellipsis, 0), (Ellipsis, 0)),
    ('[None]', None, None),
    ('[:, None, 1]', (slice(None), None, 1), (slice(None), None, 1)),
    ('[1, ..., None]', (1, Ellipsis, None), (1, Ellipsis, None)),
    ('[-1, 1:, -2]', (-1, slice(1, None), -2), (-1, slice(1, None), -2)),
    ('list, repeated', [0, 2, 2], [0, 2, 2]),
    ('2-D int array', np.array([[0, 1], [1, 0]]), np.array([[0, 1], [1, 0]])),
    ('int tensor, repeated', mg.tensor([3, 0, 3]), np.array([3, 0, 3])),
    ('paired arrays, repeated', ([0, 0, 3], [1, 1, 4]), ([0, 0, 3], [1, 1, 4])),
    ('[:, repeated list]', (slice(None), [4, 4, 0]), (slice(None), [4, 4, 0])),
    ('[..., repeated list]', (Ellipsis, [2, 2]), (Ellipsis, [2, 2])),
    ('[1, list, :]', (1, [0, 0], slice(None)), (1, [0, 0], slice(None))),
    ('tensors in tuple', (mg.tensor([1, 1]), slice(None), mg.tensor([0, 2])),
     (np.array([1, 1]), slice(None), np.array([0, 2]))),
    ('bool mask dim 0', _MASK_4, _MASK_4),
    ('bool mask 2-D', _MASK_45, _MASK_45),
    ('bool mask full', _MASK_453, _MASK_453),
    ('bool tensor mask', mg.tensor(_MASK_45), _MASK_45),
    ('[:, bool mask]', (slice(None), _MASK_45[0]), (slice(None), _MASK_45[0])),
]


@pytest.mark.parametrize('index, np_index', [row[1:] for row in INDEXES], ids=[row[0] for row in INDEXES])
def test_indexing(index, np_index):
    check(lambda x: x[index], lambda a: a[np_index], values((4, 5, 3), 0))


@pytest.mark.parametrize('index, np_index', [row[1:] for row in INDEXES], ids=[row[0] for row in INDEXES])
def test_indexing_gradient_scatters_and_accumulates(index, np_index):
    """d x[i] scatters back: each position gets the sum of the gradients sent to its copies."""
    x = mg.tensor(values((4, 5, 3), 0), requires_grad=True)
    out = x[index]
    weights = np.random.default_rng(5).standard_normal(out.shape).astype(np.float32)
    (out * mg.tensor(weights)).sum().backward()
    expected = np.zeros((4, 5, 3), dtype=np.float32)
    np.add.at(expected, np_index, weights)
    np.testing.assert_allclose(x.grad._array, expected, rtol=1e-6)


def test_repeated_index_counts():
    x = mg.zeros(4, requires_grad=True)
    x[[0, 0, 1, 0, 3]].sum().backward()
    np.testing.assert_array_equal(x.grad._array, [3, 1, 0, 1])


def test_index_of_one_dim_gives_zero_dim():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[1]
    assert y.shape == () and y.item() == 2.0
    y.backward()
    np.testing.assert_array_equal(x.grad._array, [0, 1, 0])


# ------------------------------------------------------------- reductions

def _logsumexp(a, axis=None, keepdims=False):
    peak = np.max(a, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(a - peak), axis=axis, keepdims=True)) + peak
    return out if keepdims else np.squeeze(out, axis=axis) if axis is not None else out.reshape(())


REDUCTIONS = [
    ('sum', lambda x, **kw: x.sum(**kw), np.sum),
    ('mean', lambda x, **kw: x.mean(**kw), np.mean),
    ('var', lambda x, **kw: x.var(**kw), lambda a, **kw: np.var(a, ddof=1, **kw)),
    ('var(unbiased=False)', lambda x, **kw: x.var(unbiased=False, **kw), np.var),
    ('amax', lambda x, **kw: x.amax(**kw), np.max),
    ('amin', lambda x, **kw: x.amin(**kw), np.min),
    ('logsumexp', lambda x, **kw: x.logsumexp(**kw), _logsumexp),
]
REDUCTION_CASES = [
    # shape, dim
    ((3, 4, 5), None), ((3, 4, 5), 0), ((3, 4, 5), 1), ((3, 4, 5), -1), ((3, 4, 5), (0, 2)),
    ((3, 4, 5), (-1, -3)), ((3, 4, 5), (1,)), ((3, 4, 5), (0, 1, 2)),
    ((6,), None), ((6,), 0), ((6,), -1), ((4, 1), 1),
]


@pytest.mark.parametrize('keepdim', [False, True])
@pytest.mark.parametrize('shape, dim', REDUCTION_CASES, ids=str)
@pytest.mark.parametrize('name, fn, reference', REDUCTIONS, ids=[row[0] for row in REDUCTIONS])
def test_reduction(name, fn, reference, shape, dim, keepdim):
    if name == 'var' and np.prod([shape[d] for d in ((dim,) if isinstance(dim, int) else dim or range(len(shape)))]) == 1:
        pytest.skip('unbiased variance of one element is nan')
    check(lambda x: fn(x, dim=dim, keepdim=keepdim),
          lambda a: np.asarray(reference(a, axis=dim, keepdims=keepdim)), values(shape, 0))


@pytest.mark.parametrize('name, fn, reference', [r for r in REDUCTIONS if not r[0].startswith('var')],
                         ids=[r[0] for r in REDUCTIONS if not r[0].startswith('var')])
def test_reduction_of_zero_dim(name, fn, reference):
    check(lambda x: fn(x), lambda a: np.asarray(reference(a)), values((), 0))


def test_reductions_default_to_all_elements():
    a = values((2, 3), 0).astype(np.float32)
    x = mg.tensor(a)
    assert x.sum().shape == () and x.mean().shape == () and x.logsumexp().shape == ()
    np.testing.assert_allclose(x.var().item(), np.var(a, ddof=1), rtol=1e-5)


def test_var_of_one_element_is_nan_as_in_pytorch():
    x = mg.tensor([1.5], requires_grad=True)
    with pytest.warns(UserWarning, match='degrees of freedom'):
        v = x.var()
    assert np.isnan(v.item())
    v.backward()
    assert np.isnan(x.grad._array).all()


@pytest.mark.parametrize('dtype, atol', [(mg.float64, 1e-12), (mg.float32, 1e-3)])
def test_logsumexp_is_stable_for_large_inputs(dtype, atol):
    # The gradient is exp(x - logsumexp(x)); in float32 the output near 1e4 is only
    # known to ~5e-4 (its spacing is 1e-3), so the gradient is off by as much (PyTorch: 0.4999).
    x = mg.tensor([1e4, 1e4, -1e4], requires_grad=True, dtype=dtype)
    y = x.logsumexp()
    np.testing.assert_allclose(y.item(), 1e4 + np.log(2), rtol=1e-7)
    y.backward()
    np.testing.assert_allclose(x.grad._array, [0.5, 0.5, 0.0], atol=atol)


@pytest.mark.parametrize('dim', [None, 0, 1, (0, 1), -1])
def test_reduction_dim_out_of_range(dim):
    bad = 2 if dim is None else 5
    with pytest.raises(IndexError, match='out of range'):
        mg.zeros(2, 3).sum(dim=bad)


# Issue 15, item 3: dim=() reduces over every dim
@by_name
@pytest.mark.parametrize('name', ['sum', 'mean', 'amax', 'amin', 'var'])
def test_empty_dim_tuple_reduces_everything(lib, name):
    x = lib.arange(6.0).reshape(2, 3)
    assert getattr(x, name)(dim=()).item() == pytest.approx(getattr(x, name)().item())


# Issue 15, item 8: 0-d tensors accept dims 0 and -1
@by_name
@pytest.mark.parametrize('call', [
    lambda t: t.sum(-1), lambda t: t.sum(0), lambda t: t.mean(0), lambda t: t.amax(-1),
    lambda t: t.amin(0), lambda t: t.logsumexp(0), lambda t: t.max(0).values,
    lambda t: t.min(-1)[0], lambda t: t.transpose(0, 0), lambda t: t.transpose(-1, 0),
    lambda t: t.softmax(0), lambda t: t.argmax(0)], ids=range(12))
def test_zero_d_tensors_take_dims_0_and_minus_1(lib, call):
    t = lib.tensor(3.0)
    assert float(call(t)) in (3.0, 1.0, 0.0)


def test_zero_d_dim_errors_name_the_range():
    with pytest.raises(IndexError, match=r'range of \[-1, 0\], but got 1'):
        mg.tensor(3.0).sum(1)
    with pytest.raises(IndexError, match=r'range of \[-1, 0\], but got 2'):
        mg.tensor(3.0).max(2)


def test_zero_d_reduction_gradients():
    t = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    for f in (lambda t: t.sum(-1), lambda t: t.mean(0), lambda t: t.max(0).values * 3,
              lambda t: t.transpose(0, -1) ** 2):
        assert mg.gradcheck(f, t)


# Found by test_random_graphs.py: std / norm at a constant or zero slice
@by_name
def test_std_and_norm_gradients_where_they_are_zero(lib):
    x = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
    (x.std() + x.std(1).sum()).backward()
    assert not x.grad.numpy().any()
    z = lib.zeros(2, 3, dtype=lib.float64, requires_grad=True)
    (z.norm() + z.norm(dim=1).sum()).backward()
    assert not z.grad.numpy().any()


TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
TIE_CASES = [
    # op, expected gradient of op(x).sum(): ties share it evenly
    ('amax()', lambda x: x.amax(), [[0, 0.5, 0.5], [0, 0, 0]]),
    ('max()', lambda x: x.max(), [[0, 0.5, 0.5], [0, 0, 0]]),
    ('amin()', lambda x: x.amin(), [[0, 0, 0], [0, 0, 1]]),
    ('min()', lambda x: x.min(), [[0, 0, 0], [0, 0, 1]]),
    ('amax(1)', lambda x: x.amax(dim=1), [[0, 0.5, 0.5], [0.5, 0.5, 0]]),
    ('amax(0)', lambda x: x.amax(dim=0), [[0, 1, 1], [1, 0, 0]]),
    ('amin(-1, keepdim)', lambda x: x.amin(dim=-1, keepdim=True), [[1, 0, 0], [0, 0, 1]]),
    ('amax((0, 1))', lambda x: x.amax(dim=(0, 1)), [[0, 0.5, 0.5], [0, 0, 0]]),
]


@pytest.mark.parametrize('fn, expected', [c[1:] for c in TIE_CASES], ids=[c[0] for c in TIE_CASES])
def test_extreme_ties_share_gradient_evenly(fn, expected):
    x = mg.tensor(TIES, requires_grad=True)
    fn(x).sum().backward()
    np.testing.assert_array_equal(x.grad._array, expected)


@pytest.mark.parametrize('keepdim', [False, True])
@pytest.mark.parametrize('dim', [0, 1, -1])
@pytest.mark.parametrize('which', ['max', 'min'])
def test_max_min_with_dim_give_values_and_indices(which, dim, keepdim):
    a = values((3, 4), 0)
    x = mg.tensor(a)
    result = getattr(x, which)(dim=dim, keepdim=keepdim)
    values_, indices = result
    assert result.values is values_ and result.indices is indices
    np_extreme, np_arg = (np.max, np.argmax) if which == 'max' else (np.min, np.argmin)
    np.testing.assert_allclose(values_._array, np_extreme(a.astype(np.float32), axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(indices._array, np_arg(a.astype(np.float32), axis=dim, keepdims=keepdim))
    assert indices.dtype == mg.int64 and not indices.requires_grad
    check(lambda x: getattr(x, which)(dim=dim, keepdim=keepdim).values,
          lambda a: np_extreme(a, axis=dim, keepdims=keepdim), a)


def test_max_with_dim_sends_gradient_to_the_returned_index_on_ties():
    x = mg.tensor(TIES, requires_grad=True)
    values_, indices = x.max(dim=1)
    values_.sum().backward()
    expected = np.zeros_like(TIES)
    expected[np.arange(2), indices._array] = 1
    np.testing.assert_array_equal(x.grad._array, expected)
    np.testing.assert_array_equal(indices._array, [1, 0])       # the first of the tied positions


@pytest.mark.parametrize('keepdim', [False, True])
@pytest.mark.parametrize('dim', [None, 0, 1, -1])
@pytest.mark.parametrize('which', ['argmax', 'argmin'])
def test_argmax_argmin(which, dim, keepdim):
    a = values((3, 4), 0)
    x = mg.tensor(a, requires_grad=True)
    out = getattr(x, which)(dim=dim, keepdim=keepdim)
    expected = getattr(np, which)(a, axis=dim, keepdims=keepdim)
    np.testing.assert_array_equal(out._array, expected)
    assert out.shape == np.shape(expected)
    assert out.dtype == mg.int64
    assert not out.requires_grad and out.grad_fn is None


# ------------------------------------------------------------------ shape

SHAPE_OPS = [
    # id, input shape, minigrad, NumPy
    ('reshape(4, 6)', (2, 3, 4), lambda x: x.reshape(4, 6), lambda a: a.reshape(4, 6)),
    ('reshape((6, -1))', (2, 3, 4), lambda x: x.reshape((6, -1)), lambda a: a.reshape(6, 4)),
    ('reshape(-1)', (2, 3, 4), lambda x: x.reshape(-1), lambda a: a.reshape(-1)),
    ('reshape 0-d', (), lambda x: x.reshape(1, 1), lambda a: a.reshape(1, 1)),
    ('view(2, 12)', (2, 3, 4), lambda x: x.view(2, 12), lambda a: a.reshape(2, 12)),
    ('transpose(0, 2)', (2, 3, 4), lambda x: x.transpose(0, 2), lambda a: a.swapaxes(0, 2)),
    ('transpose(-1, -2)', (2, 3, 4), lambda x: x.transpose(-1, -2), lambda a: a.swapaxes(-1, -2)),
    ('.T', (3, 4), lambda x: x.T, lambda a: a.T),
    ('permute(2, 0, 1)', (2, 3, 4), lambda x: x.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    ('permute(-1, 0, 1)', (2, 3, 4), lambda x: x.permute(-1, 0, 1), lambda a: a.transpose(2, 0, 1)),
    ('permute((1, 0, 2))', (2, 3, 4), lambda x: x.permute((1, 0, 2)), lambda a: a.transpose(1, 0, 2)),
    ('flatten()', (2, 3, 4), lambda x: x.flatten(), lambda a: a.reshape(-1)),
    ('flatten(1)', (2, 3, 4), lambda x: x.flatten(1), lambda a: a.reshape(2, 12)),
    ('flatten(0, 1)', (2, 3, 4), lambda x: x.flatten(0, 1), lambda a: a.reshape(6, 4)),
    ('flatten(-2, -1)', (2, 3, 4), lambda x: x.flatten(-2, -1), lambda a: a.reshape(2, 12)),
    ('flatten 0-d', (), lambda x: x.flatten(), lambda a: a.reshape(1)),
    ('unsqueeze(0)', (3, 4), lambda x: x.unsqueeze(0), lambda a: a[None]),
    ('unsqueeze(1)', (3, 4), lambda x: x.unsqueeze(1), lambda a: a[:, None]),
    ('unsqueeze(-1)', (3, 4), lambda x: x.unsqueeze(-1), lambda a: a[..., None]),
    ('unsqueeze(-2)', (3, 4), lambda x: x.unsqueeze(-2), lambda a: a[:, None, :]),
    ('squeeze()', (2, 1, 3, 1), lambda x: x.squeeze(), lambda a: a.reshape(2, 3)),
    ('squeeze(1)', (2, 1, 3, 1), lambda x: x.squeeze(1), lambda a: a.reshape(2, 3, 1)),
    ('squeeze(-1)', (2, 1, 3, 1), lambda x: x.squeeze(-1), lambda a: a.reshape(2, 1, 3)),
    ('squeeze(0) keeps size 2', (2, 1, 3, 1), lambda x: x.squeeze(0), lambda a: a),
    ('squeeze((1, 3))', (2, 1, 3, 1), lambda x: x.squeeze((1, 3)), lambda a: a.reshape(2, 3)),
    ('expand(2, 3, 4)', (3, 1), lambda x: x.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4))),
    ('expand(-1, 4)', (3, 1), lambda x: x.expand(-1, 4), lambda a: np.broadcast_to(a, (3, 4))),
    ('expand((2, -1, 5))', (3, 1), lambda x: x.expand((2, -1, 5)), lambda a: np.broadcast_to(a, (2, 3, 5))),
    ('expand same shape', (3, 4), lambda x: x.expand(3, 4), lambda a: a),
]


@pytest.mark.parametrize('shape, fn, reference', [row[1:] for row in SHAPE_OPS], ids=[row[0] for row in SHAPE_OPS])
def test_shape_op(shape, fn, reference):
    check(fn, reference, values(shape, 0))


@pytest.mark.parametrize('fn, error', [
    (lambda x: x.reshape(5, 5), 'invalid for input of size 24'),
    (lambda x: x.reshape(-1, -1), 'invalid'),
    (lambda x: x.permute(0, 1), 'reordering'),
    (lambda x: x.expand(3, 3, 4), 'cannot expand'),
], ids=['reshape size', 'two -1', 'permute rank', 'expand'])
def test_shape_errors_say_what_is_wrong(fn, error):
    with pytest.raises(RuntimeError, match=error):
        fn(mg.zeros(2, 3, 4))


@pytest.mark.parametrize('fn', [
    lambda x: x.unsqueeze(4),
    lambda x: x.unsqueeze(-5),
    lambda x: x.squeeze(3),
    lambda x: x.transpose(0, 3),
    lambda x: x.permute(0, 1, 3),
    lambda x: x.flatten(3),
    lambda x: x.flatten(0, -4),
], ids=['unsqueeze(4)', 'unsqueeze(-5)', 'squeeze(3)', 'transpose(0, 3)', 'permute(0, 1, 3)',
        'flatten(3)', 'flatten(0, -4)'])
def test_dims_out_of_range_are_errors_not_wrapped_around(fn):
    with pytest.raises(IndexError, match=r'Dimension out of range \(expected to be in range of \[-\d, \d\]'):
        fn(mg.zeros(2, 3, 4))


def test_flatten_start_after_end_is_an_error():
    with pytest.raises(RuntimeError, match='start_dim .*cannot come after end_dim'):
        mg.zeros(2, 3, 4).flatten(2, 1)


# Issue 15, item 15: expand with -1 in a new leading dim
@by_name
def test_expand_minus_one_in_a_new_dim_raises(lib):
    with pytest.raises(RuntimeError, match="isn't allowed in a leading, non-existing dimension 0"):
        lib.ones(3).expand(-1, 3)
    assert tuple(lib.ones(3).expand(2, -1).shape) == (2, 3)


# Found by test_random_graphs.py: t() of a vector returned the vector itself
@by_name
def test_t_of_a_vector_is_a_new_view(lib):
    w = lib.ones(3, requires_grad=True)
    v = w.t()
    assert v is not w and not v.is_leaf


# ------------------------------------------------------ cat, stack, where

CATS = [
    ([(2, 3), (4, 3)], 0),
    ([(2, 3), (2, 1), (2, 2)], 1),
    ([(2, 3), (2, 1)], -1),
    ([(2, 1, 4), (2, 3, 4), (2, 2, 4)], 1),
    ([(5,)], 0),
]


@pytest.mark.parametrize('shapes, dim', CATS, ids=str)
def test_cat(shapes, dim):
    arrays = [values(s, i) for i, s in enumerate(shapes)]
    check(lambda *ts: mg.cat(list(ts), dim=dim), lambda *a: np.concatenate(a, axis=dim), *arrays)


def test_cat_error_names_the_shapes():
    with pytest.raises(RuntimeError, match=r'\(2, 3\).*\(3, 2\)'):
        mg.cat([mg.zeros(2, 3), mg.zeros(3, 2)], dim=0)


# Issue 15, item 16: cat with a bad dim or of 0-d tensors
@by_name
def test_cat_errors_are_clear(lib):
    with pytest.raises(IndexError, match=r'Dimension out of range \(expected to be in range of \[-1, 0\], but got 2\)'):
        lib.cat([lib.ones(2), lib.ones(2)], dim=2)
    with pytest.raises(RuntimeError, match=r'zero-dimensional tensor \(at position 0\) cannot be concatenated'):
        lib.cat([lib.tensor(1.0), lib.tensor(2.0)])
    assert lib.cat([lib.ones(2, 1), lib.zeros(2, 2)], dim=-1).tolist() == [[1.0, 0.0, 0.0]] * 2


@pytest.mark.parametrize('dim', [0, 1, 2, -1, -2])
@pytest.mark.parametrize('count', [1, 3])
def test_stack(count, dim):
    arrays = [values((2, 3), i) for i in range(count)]
    check(lambda *ts: mg.stack(list(ts), dim=dim), lambda *a: np.stack(a, axis=dim), *arrays)


def test_stack_error_names_the_shapes():
    with pytest.raises(RuntimeError, match=r'\(2, 3\).*\(3, 2\)'):
        mg.stack([mg.zeros(2, 3), mg.zeros(3, 2)])


WHERES = [((3, 4), (3, 4), (3, 4)), ((3, 1), (1, 4), ()), ((4,), (3, 4), (3, 1)), ((2, 3, 4), (4,), (3, 4))]


@pytest.mark.parametrize('shapes', WHERES, ids=str)
def test_where(shapes):
    cond = np.random.default_rng(7).random(shapes[0]) > 0.5
    check(lambda a, b: mg.where(mg.tensor(cond), a, b), lambda a, b: np.where(cond, a, b),
          values(shapes[1], 1), values(shapes[2], 2))


@pytest.mark.parametrize('fn, reference', [
    (lambda c, x: mg.where(c, x, 0.0), lambda c, a: np.where(c, a, 0.0)),
    (lambda c, x: mg.where(c, 1.5, x), lambda c, a: np.where(c, 1.5, a)),
    (lambda c, x: mg.where(x > 0, x, -x), lambda c, a: np.where(a > 0, a, -a)),
], ids=['scalar other', 'scalar input', 'condition from a comparison'])
def test_where_with_scalars(fn, reference):
    cond = np.array([True, False, True])
    check(lambda x: fn(mg.tensor(cond), x), lambda a: reference(cond, a), values((3,), 0, 'nonzero'))


def test_where_needs_a_bool_condition():
    with pytest.raises(TypeError, match='bool'):
        mg.where(mg.tensor([1.0, 0.0]), mg.zeros(2), mg.ones(2))


# ------------------------------------------------------ softmax, log_softmax

def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


SOFTMAX_CASES = [((5,), 0), ((5,), -1), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), 1), ((2, 3, 4), -3)]


@pytest.mark.parametrize('shape, dim', SOFTMAX_CASES, ids=str)
@pytest.mark.parametrize('form', ['method', 'function'])
def test_softmax(shape, dim, form):
    fn = (lambda x: x.softmax(dim)) if form == 'method' else (lambda x: mg.softmax(x, dim))
    check(fn, lambda a: _softmax(a, dim), values(shape, 0))


@pytest.mark.parametrize('shape, dim', SOFTMAX_CASES, ids=str)
@pytest.mark.parametrize('form', ['method', 'function'])
def test_log_softmax(shape, dim, form):
    fn = (lambda x: x.log_softmax(dim)) if form == 'method' else (lambda x: mg.log_softmax(x, dim))
    check(fn, lambda a: np.log(_softmax(a, dim)), values(shape, 0))


def test_softmax_and_log_softmax_stay_finite_at_huge_logits():
    x = mg.tensor([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]], requires_grad=True)
    s = x.softmax(dim=1)
    np.testing.assert_allclose(s._array, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-7)
    np.testing.assert_allclose(s._array.sum(axis=1), 1, rtol=1e-6)
    log_s = x.log_softmax(dim=1)
    np.testing.assert_allclose(log_s._array, [[0, -1e4, -2e4], [-np.log(3)] * 3], rtol=1e-6)
    (log_s[:, 1].sum() + s[:, 0].sum()).backward()
    assert np.isfinite(x.grad._array).all()


# Issue 15, item 9: softmax and log_softmax along an empty dim
@by_name
@pytest.mark.parametrize('shape', [(2, 0), (0, 3)])
def test_softmax_along_an_empty_dim(lib, shape):
    x = lib.zeros(shape, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for f in (lambda x: x.softmax(1), lambda x: x.log_softmax(1)):
            out = f(x)
            assert tuple(out.shape) == shape
            out.sum().backward()
            assert tuple(x.grad.shape) == shape


# ------------------------------------- masked rules: an exact 0 on the masked branch (G22)

INF, NAN = float('inf'), float('nan')
MASKED_AT = [-1.0, 0.0, 2.0, NAN, 1.0]                # where each rule is applied
UPSTREAM = [INF, INF, NAN, 1.0, -INF]                 # the gradient that reaches it
OTHER = [0.0, 0.0, 3.0, 0.0, 1.0]                     # the second operand, a constant
# Each rule's gradient, as PyTorch gives it: where a rule routes the gradient to one branch,
# the other gets an exact 0 even for an infinite or nan gradient; where it multiplies by a
# slope (leaky_relu, abs, l1), inf * 0 is nan in both libraries.
MASKED_RULES = {
    'relu': (lambda L, x, z: x.relu(), [0, 0, NAN, 1, -INF]),
    'clamp': (lambda L, x, z: x.clamp(min=0, max=1.5), [0, INF, 0, 0, -INF]),
    'maximum': (lambda L, x, z: L.maximum(x, z), [0, INF, 0, 1, -INF]),
    'minimum': (lambda L, x, z: L.minimum(x, z), [INF, INF, NAN, 1, -INF]),
    'where': (lambda L, x, z: L.where(z > 0, x, z), [0, 0, NAN, 0, -INF]),
    'leaky_relu': (lambda L, x, z: L.nn.functional.leaky_relu(x, 0.0), [NAN, NAN, NAN, 0, -INF]),
    'abs': (lambda L, x, z: x.abs(), [-INF, NAN, NAN, 0, -INF]),
    'l1_loss': (lambda L, x, z: L.nn.functional.l1_loss(x, z, reduction='none'), [-INF, NAN, NAN, 0, NAN]),
    'x ** 0': (lambda L, x, z: x ** 0, [0, 0, 0, 0, 0]),
}


@by_name
@pytest.mark.parametrize('name', list(MASKED_RULES))
def test_masked_rules_give_an_exact_zero_to_the_masked_branch(lib, name):
    f, expected = MASKED_RULES[name]
    x = lib.tensor(MASKED_AT, dtype=lib.float64, requires_grad=True)
    f(lib, x, lib.tensor(OTHER, dtype=lib.float64)).backward(lib.tensor(UPSTREAM, dtype=lib.float64))
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@by_name
@pytest.mark.parametrize('step, expected', [(lambda x: x.clamp(min=0), [0, INF, 0.5 ** 1.5]),
                                            (lambda x: x.relu(), [0, 0, 0.5 ** 1.5])],
                         ids=['clamp', 'relu'])
def test_a_kink_under_a_square_root_is_not_nan(lib, step, expected):
    """Issue 25's repro: sqrt's infinite slope at 0 reaches the masked branch."""
    x = lib.tensor([-1.0, 0.0, 2.0], dtype=lib.float64, requires_grad=True)
    step(x).sqrt().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected)


@pytest.mark.parametrize('reduce', ['amax', 'amin', 'max'])
def test_extremes_give_an_exact_zero_away_from_the_extreme(reduce):
    """As PyTorch's max() (its amax multiplies by the mask, so inf * 0 gives nan there)."""
    x = mg.tensor([[1.0, 3.0, 3.0, 0.0], [0.0, 2.0, 0.0, 5.0]], dtype=mg.float64, requires_grad=True)
    y = getattr(x, reduce)(dim=1) if reduce != 'max' else x.max()
    y.backward(mg.full(y.shape, INF, dtype=mg.float64))
    expected = {'amax': [[0, INF, INF, 0], [0, 0, 0, INF]], 'amin': [[0, 0, 0, INF], [INF, 0, INF, 0]],
                'max': [[0, 0, 0, 0], [0, 0, 0, INF]]}[reduce]
    np.testing.assert_array_equal(x.grad.numpy(), expected)


@by_name
def test_dividing_by_a_zero_norm_gives_nan_gradient(lib):
    """The 2-norm's slope x / ‖x‖ is taken as 0 at x = 0, but an infinite gradient times it is
    nan, as in PyTorch (std's is dropped instead: 1 / x.std() at equal values gives 0)."""
    x = lib.zeros(2, dtype=lib.float64, requires_grad=True)
    a = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    with np.errstate(divide='ignore'):      # a / 0 itself warns in NumPy
        (a / x.norm()).sum().backward()
    assert np.isnan(x.grad.numpy()).all() and a.grad.tolist() == [INF, INF]
    x.grad = None
    (x.norm() * 2).backward()
    assert x.grad.tolist() == [0, 0]
    equal = lib.tensor([[2.0, 2.0]], dtype=lib.float64, requires_grad=True)
    with np.errstate(divide='ignore'):
        (1 / equal.std()).backward()
    assert equal.grad.tolist() == [[0, 0]]
    if lib is mg:                           # and so anomaly mode sees it
        x.grad = None
        with np.errstate(divide='ignore'), mg.autograd.detect_anomaly(), \
                pytest.raises(RuntimeError, match="'NormRootBackward' returned nan values"):
            (a / x.norm()).sum().backward()
