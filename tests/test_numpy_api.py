"""NumPy's functions on Tensors: minigrad/numpy_api.py. Each table checked entry by entry:
every UFUNCS name gives NumPy's values as a Tensor in the graph whose gradients (first and
second) pass gradcheck; every CONSTANT_UFUNCS name gives NumPy's plain array; every FUNCTIONS
entry gives NumPy's values and a checked gradient, and VIEWS says which results share memory.
Then the edges: NumPy without a derivative, out= into a Tensor, `array -= tensor`."""
import operator
import re

import numpy as np
import pytest

import minigrad as mg
from minigrad import numpy_api
from minigrad.numpy_api import CONSTANT_UFUNCS, FUNCTIONS, UFUNCS, VIEWS

rng = np.random.default_rng(0)
POSITIVE = rng.uniform(0.5, 2.0, (2, 3))                  # log, sqrt, reciprocal, power's base
SIGNED = np.array([[-1.3, -0.4, 0.2], [0.7, 1.1, 1.9]])   # no zeros: abs, sign, copysign
OTHER = np.array([[0.6, -0.9, 1.4], [-1.5, 0.3, 1.2]])    # never equal to SIGNED: maximum, minimum
MATRICES = [rng.standard_normal((2, 3)), rng.standard_normal((3, 2))]
IN_DOMAIN = {'log', 'log1p', 'sqrt', 'reciprocal', 'power', 'log2', 'log10'}
WITHIN_ONE = {'arcsin', 'arccos', 'arctanh'}                # |x| < 1
ABOVE_ONE = {'arccosh'}                                     # x > 1


def leaf(array, requires_grad=True):
    return mg.tensor(np.array(array, dtype=np.float64), requires_grad=requires_grad)


def ufunc_arrays(name):
    """Inputs inside the ufunc's domain and away from its kinks."""
    if name == 'matmul':
        return MATRICES
    first = (POSITIVE if name in IN_DOMAIN else SIGNED / 2 if name in WITHIN_ONE
             else POSITIVE + 1 if name in ABOVE_ONE else SIGNED)
    return [first] if getattr(np, name).nin == 1 else [first, OTHER]


def values(x):
    return x._array if isinstance(x, mg.Tensor) else x


# ------------------------------------------------------------------------------ the tables

def test_tables_name_real_numpy_ufuncs_and_functions():
    assert all(isinstance(getattr(np, name), np.ufunc) for name in set(UFUNCS) | CONSTANT_UFUNCS)
    assert not set(UFUNCS) & CONSTANT_UFUNCS
    assert numpy_api.REPLAYABLE_UFUNCS == set(UFUNCS) | CONSTANT_UFUNCS
    assert VIEWS <= set(FUNCTIONS)


# ------------------------------------------------------------------------ ufuncs with a derivative

@pytest.mark.parametrize('name', sorted(UFUNCS))
def test_ufunc_on_tensors_is_a_tensor_op_with_numpys_values_and_gradient(name):
    ufunc, arrays = getattr(np, name), ufunc_arrays(name)
    tensors = [leaf(a) for a in arrays]
    out = ufunc(*tensors)
    expected = ufunc(*arrays)
    assert isinstance(out, mg.Tensor) and out.requires_grad
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_allclose(out._array, expected, rtol=1e-13, atol=1e-15)
    assert mg.gradcheck(ufunc, tensors)


@pytest.mark.parametrize('name', sorted(UFUNCS))
def test_ufunc_on_tensors_differentiates_twice(name):
    """What replay relies on under create_graph=True: the table's Tensor ops are differentiable."""
    assert mg.gradgradcheck(getattr(np, name), [leaf(a) for a in ufunc_arrays(name)])


BINARY = [pytest.param(name, side, id=f'{name}-tensor{"_first" if side == 0 else "_second"}')
          for name in sorted(UFUNCS) if getattr(np, name).nin == 2 for side in (0, 1)
          if (name, side) != ('copysign', 1)]     # copysign's sign operand: derivative 0


@pytest.mark.parametrize('name, side', BINARY)
def test_binary_ufunc_with_an_array_operand(name, side):
    """np.f(array, tensor) and np.f(tensor, array): a Tensor in the graph of the tensor operand."""
    ufunc, arrays = getattr(np, name), ufunc_arrays(name)

    def call(t):
        operands = list(arrays)
        operands[side] = t
        return ufunc(*operands)

    t = leaf(arrays[side])
    out = call(t)
    assert isinstance(out, mg.Tensor) and out.requires_grad
    np.testing.assert_allclose(out._array, ufunc(*arrays), rtol=1e-13, atol=1e-15)
    assert mg.gradcheck(call, t)


@pytest.mark.parametrize('call, gradient', [
    (lambda t: np.multiply(2.5, t), lambda a: np.full_like(a, 2.5)),
    (lambda t: np.power(t, 3), lambda a: 3 * a ** 2),
    (lambda t: np.subtract(1.0, t), lambda a: -np.ones_like(a)),
    (lambda t: np.divide(t, 4), lambda a: np.full_like(a, 0.25)),
], ids=['multiply', 'power', 'subtract', 'divide'])
def test_ufunc_with_a_python_number(call, gradient):
    t = leaf(POSITIVE)
    out = call(t)
    np.testing.assert_allclose(out._array, call(POSITIVE), rtol=1e-14)
    out.sum().backward()
    np.testing.assert_allclose(t.grad._array, gradient(POSITIVE), rtol=1e-14)


OPERATORS = {'+': operator.add, '-': operator.sub, '*': operator.mul, '/': operator.truediv,
             '**': operator.pow, '@': operator.matmul}


@pytest.mark.parametrize('op', OPERATORS)
def test_array_operator_tensor_is_a_tensor_in_the_graph(op):
    """`array <op> tensor` reaches the same table: NumPy's value, a gradient for the tensor."""
    array, t, apply = POSITIVE[0].copy(), leaf(POSITIVE[1]), OPERATORS[op]
    out = apply(array, t)
    assert isinstance(out, mg.Tensor) and out.requires_grad
    np.testing.assert_allclose(out._array, apply(array, POSITIVE[1]), rtol=1e-14)
    assert mg.gradcheck(lambda x: apply(array, x), t)


# ------------------------------------------------------------------------ constant ufuncs

def constant_arrays(name):
    ufunc = getattr(np, name)
    arrays = [SIGNED * 1.7] if ufunc.nin == 1 else [SIGNED, np.where(SIGNED > 0, SIGNED, OTHER)]
    return [a > 0 for a in arrays] if name.startswith('logical') else arrays


@pytest.mark.parametrize('name', sorted(CONSTANT_UFUNCS))
def test_constant_ufunc_returns_numpys_plain_array(name):
    """Constant almost everywhere: an ndarray, outside the graph, even for a tensor that
    requires grad (and mixed with an array operand)."""
    ufunc, arrays = getattr(np, name), constant_arrays(name)
    tensors = [mg.tensor(a, requires_grad=a.dtype.kind == 'f') for a in arrays]
    expected = ufunc(*arrays)
    for operands in [tensors, [tensors[0]] + arrays[1:]]:
        out = ufunc(*operands)
        assert type(out) is np.ndarray and out.dtype == expected.dtype
        np.testing.assert_array_equal(out, expected)


def test_constant_ufunc_enters_the_graph_as_a_constant():
    """d/dx (x · sign(x)) = sign(x): the sign is a constant factor, derivative 0."""
    t = leaf(SIGNED)
    (t * np.sign(t) + np.floor(t)).sum().backward()
    np.testing.assert_array_equal(t.grad._array, np.sign(SIGNED))


# ------------------------------------------------------------------------------ functions

A = rng.standard_normal((2, 3))
B = rng.standard_normal((2, 3))
C = rng.standard_normal((2, 1, 3))
ROW = rng.standard_normal(3)
DISTINCT = np.array([[0, 2, 1], [2, 1, 0]])          # distinct along axis 1

# id: (function, arguments from the tensors, arrays that become tensors requiring grad)
CASES = {
    'where': (np.where, lambda a, b: (A > 0, a, b), [A, B]),
    'where_broadcast': (np.where, lambda r, c: (A > 0, r, c), [ROW, np.array(0.5)]),
    'where_array_operand': (np.where, lambda a: (A > 0, B, a), [A]),
    'clip': (np.clip, lambda a: (a, -0.5, 0.5), [A]),
    'clip_array_bounds': (np.clip, lambda a: (a, np.full(3, -0.3), np.full(3, 0.4)), [A]),
    'clip_max_only': (np.clip, lambda a: (a, None, 0.2), [A]),
    'expand_dims': (np.expand_dims, lambda a: (a, 1), [A]),
    'expand_dims_axes': (np.expand_dims, lambda a: (a, (0, -1)), [A]),
    'squeeze': (np.squeeze, lambda c: (c,), [C]),
    'squeeze_axis': (np.squeeze, lambda c: (c, 1), [C]),
    'swapaxes': (np.swapaxes, lambda c: (c, 0, 2), [C]),
    'moveaxis': (np.moveaxis, lambda c: (c, 0, -1), [C]),
    'moveaxis_back': (np.moveaxis, lambda c: (c, -1, 0), [C]),
    'transpose': (np.transpose, lambda c: (c,), [C]),
    'transpose_axes': (np.transpose, lambda c: (c, (1, 2, 0)), [C]),
    'reshape': (np.reshape, lambda a: (a, (3, 2)), [A]),
    'reshape_flat': (np.reshape, lambda a: (a, -1), [A]),
    'broadcast_to': (np.broadcast_to, lambda r: (r, (4, 2, 3)), [ROW]),
    'concatenate': (np.concatenate, lambda a, b: ([a, b], 1), [A, B]),
    'concatenate_with_array': (np.concatenate, lambda a: ([B, a, B], 0), [A]),
    'stack': (np.stack, lambda a, b: ([a, b], -1), [A, B]),
    'stack_with_array': (np.stack, lambda a: ([a, B],), [A]),
    'split': (np.split, lambda a: (a, 3, 1), [A]),
    'split_at': (np.split, lambda a: (a, [1, 2], -1), [A]),
    'sum': (np.sum, lambda a: (a,), [A]),
    'mean': (np.mean, lambda a: (a, 1), [A]),
    'max': (np.max, lambda a: (a, 1), [A]),
    'amax': (np.amax, lambda a: (a,), [A]),
    'min': (np.min, lambda a: (a, 0), [A]),
    'amin': (np.amin, lambda a: (a,), [A]),
    'take_along_axis': (np.take_along_axis, lambda a: (a, DISTINCT, 1), [A]),
    'copy': (np.copy, lambda a: (a,), [A]),
    # linear algebra
    'einsum': (np.einsum, lambda a, b: ('ij,kj->ik', a, b), [A, B]),
    # scans (minigrad/scans.py)
    'cumsum': (np.cumsum, lambda a: (a, 1), [A]),
    'cumsum_flat': (np.cumsum, lambda a: (a,), [A]),
    'cumprod': (np.cumprod, lambda a: (a, 0), [A]),
}
CONSTANT_FUNCTIONS = {np.zeros_like, np.ones_like, np.empty_like, np.size, np.shape, np.ndim}


def as_one_tensor(result):
    """A list of pieces (np.split) as one tensor, each piece weighted differently."""
    if isinstance(result, list):
        return mg.cat([piece.reshape(-1) * (i + 1) for i, piece in enumerate(result)])
    return result


def test_every_function_in_the_table_is_tested_here():
    assert {func for func, _, _ in CASES.values()} | CONSTANT_FUNCTIONS == set(FUNCTIONS)


@pytest.mark.parametrize('case', CASES)
def test_function_on_tensors_has_numpys_values_and_a_checked_gradient(case):
    func, arguments, arrays = CASES[case]
    tensors = [leaf(a) for a in arrays]
    got, expected = func(*arguments(*tensors)), func(*arguments(*arrays))
    pieces, wanted = (got, expected) if isinstance(expected, list) else ([got], [expected])
    assert len(pieces) == len(wanted)
    for piece, want in zip(pieces, wanted):
        assert isinstance(piece, mg.Tensor) and piece.requires_grad
        assert piece.dtype == want.dtype and piece.shape == want.shape
        np.testing.assert_allclose(piece._array, want, rtol=1e-14, atol=1e-15)
    assert mg.gradcheck(lambda *xs: as_one_tensor(func(*arguments(*xs))), tensors)


@pytest.mark.parametrize('case', CASES)
def test_views_table_says_which_results_share_memory(case):
    """A VIEWS function's result is a view of its argument (replay relies on it); the others
    return new memory."""
    func, arguments, arrays = CASES[case]
    t = leaf(arrays[0])
    result = func(*arguments(t, *[leaf(a) for a in arrays[1:]]))
    shared = [np.shares_memory(piece._array, t._array)
              for piece in (result if isinstance(result, list) else [result])]
    assert all(shared) if func in VIEWS else not any(shared)


@pytest.mark.parametrize('keepdims', [False, True])
@pytest.mark.parametrize('axis', [None, 0, -1, (0, 1)], ids=str)
@pytest.mark.parametrize('func', [np.sum, np.mean, np.max, np.min, np.amax, np.amin],
                         ids=lambda f: f.__name__)
def test_reduction_takes_numpys_axis_and_keepdims(func, axis, keepdims):
    t = leaf(A)
    out = func(t, axis=axis, keepdims=keepdims)
    expected = func(A, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out._array, expected, rtol=1e-14)
    assert mg.gradcheck(lambda x: func(x, axis=axis, keepdims=keepdims), t)


@pytest.mark.parametrize('func', [np.zeros_like, np.ones_like, np.empty_like],
                         ids=lambda f: f.__name__)
def test_like_functions_give_a_constant_tensor(func):
    t = leaf(A)
    out = func(t)
    assert isinstance(out, mg.Tensor) and not out.requires_grad and out.grad_fn is None
    assert out.shape == A.shape and out.dtype == np.float64
    if func is not np.empty_like:
        np.testing.assert_array_equal(out._array, func(A))
    other = func(t, dtype=np.float32, shape=(4,))
    assert other.shape == (4,) and other.dtype == np.float32


def test_size_shape_and_ndim_are_numpys():
    t = leaf(C)
    assert (np.size(t), np.size(t, 2), np.shape(t), np.ndim(t)) == (6, 3, (2, 1, 3), 3)


def test_copy_is_a_new_tensor_in_the_graph():
    t = leaf(A)
    c = np.copy(t)
    c.sum().backward()
    assert c is not t and c.grad_fn is not None and t.grad._array.tolist() == np.ones_like(A).tolist()


# ------------------------------------------------------------------- NumPy without a derivative

NO_DERIVATIVE = {
    'ufunc_outside_tables': lambda t: np.cbrt(t),
    'ufunc_with_keyword': lambda t: np.exp(t, dtype=np.float64),
    'ufunc_method': lambda t: np.add.reduce(t, axis=0),
    'ufunc_outer': lambda t: np.multiply.outer(t, t),
    'function_outside_tables': lambda t: np.nancumsum(t, axis=1),
    'sort': lambda t: np.sort(t),
    'tensor_in_a_list': lambda t: np.vstack([t, t]),
}


@pytest.mark.parametrize('call', NO_DERIVATIVE.values(), ids=NO_DERIVATIVE.keys())
def test_numpy_without_a_derivative_refuses_a_tensor_that_requires_grad(call):
    with pytest.raises(RuntimeError, match='has no derivative in minigrad.*t.detach\\(\\).numpy\\(\\)'):
        call(leaf(A))


@pytest.mark.parametrize('call', NO_DERIVATIVE.values(), ids=NO_DERIVATIVE.keys())
def test_numpy_without_a_derivative_computes_on_values_without_grad(call):
    """On a tensor that does not require grad, or under no_grad: NumPy's result, not a Tensor."""
    expected = call(A)
    plain = call(leaf(A, requires_grad=False))
    with mg.no_grad():
        under_no_grad = call(leaf(A))
    for result in (plain, under_no_grad):
        assert not isinstance(result, mg.Tensor)
        np.testing.assert_array_equal(result, expected)


# --------------------------------------------------------------------------- writes

@pytest.mark.parametrize('call', [
    lambda t: np.exp(A, out=t),
    lambda t: np.add(t, 1.0, out=t),
    lambda t: np.multiply(A, B, out=(t,)),
], ids=['array_into_tensor', 'tensor_into_itself', 'out_tuple'])
def test_out_into_a_tensor_names_the_in_place_methods(call):
    t = leaf(A, requires_grad=False)
    with pytest.raises(TypeError, match=r'cannot write into a minigrad Tensor.*t \+= x or t\.add_\(x\)'):
        call(t)
    np.testing.assert_array_equal(t._array, A)                 # untouched


IN_PLACE = {'+=': operator.iadd, '-=': operator.isub, '*=': operator.imul, '/=': operator.itruediv}


@pytest.mark.parametrize('op', IN_PLACE)
def test_array_in_place_with_a_tensor_stays_the_same_ndarray(op):
    """`array -= tensor` writes into the array (broadcasting a row), never making it a Tensor;
    under no_grad a tensor that requires grad may be used too."""
    row, apply = np.array([0.5, 2.0, -1.0]), IN_PLACE[op]
    for t, context in [(leaf(row, requires_grad=False), mg.enable_grad), (leaf(row), mg.no_grad)]:
        array = A.copy()
        with context():
            result = apply(array, t)                  # what `array -= t` rebinds array to
        assert result is array and type(result) is np.ndarray
        np.testing.assert_allclose(result, apply(A.copy(), row), rtol=1e-15)


# --------------------------------------------------------------- the two entry points

def test_apply_ufunc_and_apply_function_called_directly():
    t = leaf(SIGNED)
    out = numpy_api.apply_ufunc(np.exp, '__call__', (t,), {})
    assert out.grad_fn is not None and np.allclose(out._array, np.exp(SIGNED))
    joined = numpy_api.apply_function(np.concatenate, ([t, t],), {'axis': 1})
    assert joined.shape == (2, 6) and joined.requires_grad
    plain = numpy_api.apply_function(np.nancumsum, (leaf(SIGNED, requires_grad=False),), {})
    assert type(plain) is np.ndarray and np.allclose(plain, np.nancumsum(SIGNED))


# ------------------------------------------------- once known bugs (issue 25), each with its fix

def test_take_along_axis_gradient_with_repeated_indices():
    t = leaf(A)
    repeated = np.array([[0, 0, 1], [2, 2, 2]])
    assert mg.gradcheck(lambda x: np.take_along_axis(x, repeated, 1), t)


def test_clip_with_bounds_that_require_grad():
    low, high = leaf([-0.3, 0.0, 0.1]), leaf(0.4)
    assert mg.gradcheck(lambda a, lo, hi: np.clip(a, lo, hi), (leaf(A), low, high))


NUMPY_CALLS_ONCE_BROKEN = {
    'where_one_argument': (lambda x: np.where(x > 0), 'TypeError: _where() needs x and y; '
                           "NumPy's one-argument form (np.nonzero) is not handled"),
    'split_unequal': (lambda x: np.split(x, 2, axis=1), '_split cuts 3 columns into 1 + 2 where '
                      'NumPy raises "array split does not result in an equal division"'),
    'concatenate_axis_none': (lambda x: np.concatenate([x, x], axis=None),
                              'cat(..., None) raises TypeError; NumPy flattens first'),
    'moveaxis_sequences': (lambda x: np.moveaxis(x, (0, 1), (1, 0)),
                           '_moveaxis takes one axis only: TypeError for sequences'),
    'broadcast_to_int_shape': (lambda x: np.broadcast_to(x[0, :1], 4),
                               'expand(*shape) with an int shape raises TypeError'),
}


@pytest.mark.parametrize('case', list(NUMPY_CALLS_ONCE_BROKEN))
def test_numpy_legal_calls_give_numpys_result(case):
    call, _ = NUMPY_CALLS_ONCE_BROKEN[case]
    try:
        expected = call(A)
    except ValueError as error:                       # NumPy's own refusal
        with pytest.raises(ValueError, match=re.escape(str(error))):
            call(leaf(A, requires_grad=False))
        return
    got = call(leaf(A, requires_grad=False))
    for piece, want in zip(got if isinstance(expected, (list, tuple)) else [got],
                           expected if isinstance(expected, (list, tuple)) else [expected]):
        np.testing.assert_array_equal(values(piece), want)


def test_reduction_out_is_not_silently_dropped():
    out = np.zeros(3)
    try:
        np.sum(leaf(A, requires_grad=False), axis=0, out=out)
    except TypeError:
        return                                        # refusing is fine too; ignoring is not
    np.testing.assert_allclose(out, A.sum(axis=0))


def test_reduction_dtype_is_not_silently_dropped():
    assert np.sum(leaf(A, requires_grad=False), dtype=np.float32).dtype == np.float32
