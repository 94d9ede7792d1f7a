"""minigrad/logic.py against PyTorch: comparisons, logical ops, all/any, closeness, nonzero,
unique, bincount and the tensor checks, in every form PyTorch has them (mg.X, Tensor.X, X_)."""
import numpy as np
import pytest

import minigrad as mg

NAMES = ['all', 'any', 'allclose', 'isclose', 'equal', 'isnan', 'isinf', 'isfinite', 'count_nonzero',
         'nonzero', 'logical_and', 'logical_or', 'logical_not', 'logical_xor', 'eq', 'ne', 'lt', 'le',
         'gt', 'ge', 'greater', 'greater_equal', 'less', 'less_equal', 'not_equal', 'unique',
         'bincount', 'is_floating_point', 'is_tensor', 'is_complex', 'is_nonzero']
COMPARISONS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'greater', 'greater_equal', 'less', 'less_equal',
               'not_equal']
LOGICAL = ['logical_and', 'logical_or', 'logical_xor']


def plain(value):
    """A result of either library as comparable plain data: arrays with their dtype's name."""
    if isinstance(value, (tuple, list)):
        return type(value).__name__, [plain(v) for v in value]
    if hasattr(value, 'detach'):
        array = value.detach().numpy() if not isinstance(value, mg.Tensor) else value.numpy()
        return 'tensor', np.asarray(array).tolist(), np.asarray(array).dtype.name, tuple(array.shape)
    return value


def same(torch, fn):
    """`fn(lib, T)` (T makes a tensor from NumPy data) gives the same result in both libraries."""
    def maker(lib):
        return lambda data: lib.tensor(np.asarray(data))
    got, expected = plain(fn(mg, maker(mg))), plain(fn(torch, maker(torch)))
    assert _nan_safe(got) == _nan_safe(expected)


def _nan_safe(value):
    """NaN != NaN; compare their places instead."""
    if isinstance(value, (tuple, list)):
        return [_nan_safe(v) for v in value]
    if isinstance(value, float) and value != value:
        return 'nan'
    return value


def test_every_name_exists_in_every_form_torch_has(torch):
    for name in NAMES:
        for module, theirs in ((mg, torch), (mg.Tensor, torch.Tensor)):
            for form in (name, name + '_'):
                if hasattr(theirs, form):
                    assert hasattr(module, form), f'{module.__name__}.{form}'


# ------------------------------------------------------------ comparisons

F = np.array([[1.5, -2.0, 0.0], [np.nan, 3.0, np.inf]])
OPERANDS = {   # (input, other): broadcasting, int meets float and number, bool, 0-d, empty
    'float': (F, np.array([1.5, 0.0, 0.0])),
    'int-number': (np.array([1, 2, 3]), 2),
    'int-float': (np.array([1, 2, 3]), 1.5),
    'float-int': (F.astype(np.float32), np.array([0, 3, 1])),
    'bool': (np.array([True, False, True]), np.array([True, True, False])),
    '0-d': (np.array(2.0), np.array([1.0, 2.0, 3.0])),
    'empty': (np.zeros((0, 3)), np.zeros(3)),
    'int32-int64': (np.array([1, 5], np.int32), np.array(3)),
}


@pytest.mark.parametrize('name', COMPARISONS + LOGICAL)
@pytest.mark.parametrize('case', OPERANDS)
def test_binary_checks_as_function_and_method(torch, name, case):
    a, b = OPERANDS[case]
    wrap = (lambda T, x: T(x) if isinstance(x, np.ndarray) else x)
    if name in LOGICAL and not isinstance(b, np.ndarray):       # PyTorch wants a tensor there
        for lib in (mg, torch):
            with pytest.raises(TypeError):
                getattr(lib, name)(lib.tensor(a), b)
        return
    same(torch, lambda lib, T: getattr(lib, name)(T(a), wrap(T, b)))
    same(torch, lambda lib, T: getattr(T(a), name)(wrap(T, b)))


@pytest.mark.parametrize('name', COMPARISONS + LOGICAL)
@pytest.mark.parametrize('dtype', [np.float32, np.int64, np.bool_])
def test_binary_checks_in_place(torch, name, dtype):
    """`t.eq_(other)` writes 1/0 (True/False) into t, in t's dtype."""
    a, b = np.array([[0, 1, 2], [2, 1, 0]]).astype(dtype), np.array([1, 1, 0]).astype(dtype)

    def inplace(lib, T):
        t = T(a)
        out = getattr(t, name + '_')(T(b))
        return out is t, t
    same(torch, inplace)


@pytest.mark.parametrize('name', ['eq', 'ge', 'less'])
def test_in_place_inside_a_graph_gives_a_zero_gradient(torch, name):
    """As PyTorch's EqBackward: x.eq_(y) in a graph passes 0 back to x's history and to y. (PyTorch's
    logical_xor_ and kin keep x's old grad_fn, passing the gradient on as if nothing changed;
    minigrad's give 0 there too.)"""
    def run(lib):
        w = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([1.0, 0.0, 3.0], dtype=lib.float64, requires_grad=True)
        x = w * 2
        out = getattr(x, name + '_')(y * 2)
        (out * lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)).sum().backward()
        return out.detach().numpy().tolist(), out.requires_grad, w.grad.numpy().tolist(), y.grad.numpy().tolist()
    assert run(mg) == run(torch)
    w = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match='leaf Variable'):
        w.eq_(1.0)


@pytest.mark.parametrize('name', ['eq', 'logical_or'])
def test_out_argument(torch, name):
    def with_out(lib, T):
        out = lib.tensor(np.zeros(3, bool))
        result = getattr(lib, name)(T(np.array([0, 1, 2])), T(np.array([0, 0, 2])), out=out)
        return result is out, out
    same(torch, with_out)


@pytest.mark.parametrize('data', [F, np.array([0, 3, -1]), np.array([True, False]), np.array(0.0),
                                  np.zeros((0, 2))])
def test_logical_not(torch, data):
    same(torch, lambda lib, T: lib.logical_not(T(data)))
    same(torch, lambda lib, T: T(data).logical_not())

    def inplace(lib, T):
        t = T(data)
        return t.logical_not_() is t, t
    if data.size:       # minigrad refuses to write into an empty (0, 2) tensor: see memory.py
        same(torch, inplace)


# ------------------------------------------------------------ reductions

REDUCED = {
    'float': np.array([[1.0, 0.0, np.nan], [2.0, 3.0, 4.0]]),
    'int': np.array([[[1, 0], [2, 3]], [[0, 0], [5, 6]]]),
    'bool': np.array([[True, False], [True, True]]),
    'uint8': np.array([[1, 0], [2, 3]], np.uint8),
    '0-d': np.array(3.0),
    'empty': np.zeros((0, 3)),
}
DIMS = [None, 0, -1, (0, 1), (-1, 0), ()]


@pytest.mark.parametrize('name', ['all', 'any', 'count_nonzero'])
@pytest.mark.parametrize('case', REDUCED)
@pytest.mark.parametrize('dim', DIMS)
def test_reductions_over_dims(torch, name, case, dim):
    data = REDUCED[case]
    if data.ndim == 0 and dim not in (None, 0, -1, ()):
        dim = 0
    same(torch, lambda lib, T: getattr(lib, name)(T(data), dim=dim))
    same(torch, lambda lib, T: getattr(T(data), name)(dim))
    if name != 'count_nonzero':
        same(torch, lambda lib, T: getattr(lib, name)(T(data), dim=dim, keepdim=True))


def test_all_and_any_without_dim_keep_every_dim(torch):
    same(torch, lambda lib, T: (lib.all(T(REDUCED['int']), keepdim=True), T(F).any()))


def test_all_and_any_take_numpy_names(torch):
    same(torch, lambda lib, T: (lib.all(T(F), axis=1, keepdims=True), T(F).any(1, keepdims=True)))


# ------------------------------------------------------------ closeness

CLOSE = [
    (np.array([1.0, 1.0 + 1e-6, 2.0, np.inf, -np.inf, np.nan]),
     np.array([1.0, 1.0, 2.1, np.inf, np.inf, np.nan])),
    (np.array([1e-9, 0.0, 100.0], np.float32), np.array([0.0, 1e-9, 100.001], np.float32)),
    (np.array([[1, 2], [3, 4]]), np.array([1, 3])),
    (np.array([True, False]), np.array([True, True])),
    (np.array(1.0), np.array([1.0, 1.00001, 1.001])),
]


@pytest.mark.parametrize('a, b', CLOSE)
@pytest.mark.parametrize('options', [{}, {'equal_nan': True}, {'rtol': 0.1, 'atol': 0.0},
                                     {'rtol': 0.0, 'atol': 1.0}])
def test_isclose_and_allclose(torch, a, b, options):
    same(torch, lambda lib, T: lib.isclose(T(a), T(b), **options))
    same(torch, lambda lib, T: T(a).isclose(T(b), **options))
    same(torch, lambda lib, T: (lib.allclose(T(a), T(b), **options), T(a).allclose(T(a), **options)))


@pytest.mark.parametrize('a, b', [(F, F), (F, F.copy()), (np.array([1, 2]), np.array([1.0, 2.0])),
                                  (np.ones(2), np.ones(1)), (np.ones(2), np.ones((1, 2))),
                                  (np.zeros(0), np.zeros(0)), (np.array([1, 2]), np.array([1, 3]))])
def test_equal(torch, a, b):
    same(torch, lambda lib, T: (lib.equal(T(a), T(b)), T(a).equal(T(b))))


@pytest.mark.parametrize('name', ['isnan', 'isinf', 'isfinite'])
@pytest.mark.parametrize('data', [F, F.astype(np.float32), np.array([1, -2]), np.array(np.nan),
                                  np.array([True]), np.zeros((2, 0))])
def test_float_checks(torch, name, data):
    same(torch, lambda lib, T: (getattr(lib, name)(T(data)), getattr(T(data), name)()))


# ------------------------------------------------------------ nonzero, unique, bincount

@pytest.mark.parametrize('data', [F, np.array([[[0, 1], [2, 0]]]), np.array(3.0), np.array(0.0),
                                  np.zeros((0, 2)), np.array([False, True, True])])
@pytest.mark.parametrize('as_tuple', [False, True])
def test_nonzero(torch, data, as_tuple):
    same(torch, lambda lib, T: lib.nonzero(T(data), as_tuple=as_tuple))
    same(torch, lambda lib, T: T(data).nonzero(as_tuple=as_tuple))


UNIQUE = [np.array([3, 1, 2, 1, 3, 9, 0]), np.array([[2.5, -1.0], [2.5, 7.0]]),
          np.array([np.nan, 1.0, np.nan]), np.array([True, False, True]), np.array(4), np.zeros(0)]


@pytest.mark.parametrize('data', UNIQUE)
@pytest.mark.parametrize('flags', [{}, {'return_inverse': True}, {'return_counts': True},
                                   {'return_inverse': True, 'return_counts': True, 'sorted': False}])
def test_unique(torch, data, flags):
    same(torch, lambda lib, T: lib.unique(T(data), **flags))
    same(torch, lambda lib, T: T(data).unique(**flags))


@pytest.mark.parametrize('dim', [0, 1, -1])
def test_unique_along_a_dim(torch, dim):
    data = np.array([[1, 2, 1], [0, 5, 0], [1, 2, 1], [0, 5, 0]])
    same(torch, lambda lib, T: lib.unique(T(data), return_inverse=True, return_counts=True, dim=dim))


@pytest.mark.parametrize('data, weights, minlength', [
    (np.array([0, 1, 1, 3]), None, 0), (np.array([0, 1, 1, 3]), None, 7),
    (np.array([2, 0, 2], np.int32), np.array([0.5, 1.0, 2.0], np.float32), 0),
    (np.array([2, 0, 2]), np.array([0.5, 1.0, 2.0]), 5), (np.array([2, 0, 2]), np.array([1, 2, 3]), 0),
    (np.zeros(0, np.int64), None, 3), (np.zeros(0, np.int64), None, 0)])
def test_bincount(torch, data, weights, minlength):
    def count(lib, T):
        w = None if weights is None else T(weights)
        return lib.bincount(T(data), weights=w, minlength=minlength), T(data).bincount(w, minlength)
    same(torch, count)


# ------------------------------------------------------------ tensor checks

@pytest.mark.parametrize('data', [np.array([2.0]), np.array(0), np.array([[False]]), np.array(1, np.uint8)])
def test_is_nonzero_and_dtype_checks(torch, data):
    same(torch, lambda lib, T: (lib.is_nonzero(T(data)), T(data).is_nonzero(), lib.is_complex(T(data)),
                                T(data).is_complex(), lib.is_floating_point(T(data)),
                                lib.is_tensor(T(data)), lib.is_tensor(data)))


# ------------------------------------------------------------ errors

ERRORS = {
    'broadcast': lambda lib, T: lib.eq(T(np.ones(2)), T(np.ones(3))),
    'logical broadcast': lambda lib, T: lib.logical_and(T(np.ones((2, 2))), T(np.ones(3))),
    'repeated dim': lambda lib, T: lib.all(T(np.ones((2, 2))), dim=(0, -2)),
    'dim out of range': lambda lib, T: lib.any(T(np.ones(2)), dim=1),
    'isclose dtypes': lambda lib, T: lib.isclose(T(np.ones(2)), T(np.ones(2, np.float32))),
    'isclose number': lambda lib, T: lib.isclose(T(np.ones(2)), 1.0),
    'isclose rtol': lambda lib, T: lib.isclose(T(np.ones(2)), T(np.ones(2)), rtol=-1),
    'isclose atol': lambda lib, T: lib.isclose(T(np.ones(2)), T(np.ones(2)), atol=-1),
    'bincount negative': lambda lib, T: lib.bincount(T(np.array([-1, 2]))),
    'bincount 2-d': lambda lib, T: lib.bincount(T(np.array([[1, 2]]))),
    'bincount float': lambda lib, T: lib.bincount(T(np.array([1.0, 2.0]))),
    'bincount bool': lambda lib, T: lib.bincount(T(np.array([True]))),
    'bincount weights': lambda lib, T: lib.bincount(T(np.array([1, 2])), T(np.ones(3))),
    'bincount minlength': lambda lib, T: lib.bincount(T(np.array([1, 2])), minlength=-1),
    'unique dim': lambda lib, T: lib.unique(T(np.ones((2, 2))), dim=2),
    'is_nonzero many': lambda lib, T: lib.is_nonzero(T(np.ones(2))),
    'is_nonzero none': lambda lib, T: lib.is_nonzero(T(np.ones(0))),
    'is_floating_point number': lambda lib, T: lib.is_floating_point(1.0),
}


@pytest.mark.parametrize('case', ERRORS)
def test_errors_have_pytorch_types(torch, case):
    def error(lib):
        try:
            ERRORS[case](lib, lambda data: lib.tensor(np.asarray(data)))
        except Exception as e:          # noqa: BLE001 (the type is what is compared)
            return type(e)
        return None
    theirs = error(torch)
    assert theirs is not None and error(mg) is theirs


def test_results_have_no_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    for result in (mg.eq(x, 1.0), x.isnan(), mg.all(x), x.nonzero(), mg.unique(x), x.count_nonzero()):
        assert not result.requires_grad and result.grad_fn is None
