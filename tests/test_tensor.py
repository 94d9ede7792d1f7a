"""minigrad.tensor, the Tensor: creating one and its dtype rules, the dtype of results
(PyTorch's promotion), attributes, methods and repr. (The factories are in test_creation.py.)"""
import numpy as np
import pytest

import minigrad as mg

try:                      # tests marked @by_name run in minigrad, and in PyTorch when installed
    import torch
except ImportError:
    torch = None

LIBS = [mg] + ([torch] if torch is not None else [])
by_name = pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)


# ---------------------------------------------------------- creation, dtype

CREATION_DTYPES = [
    # data, dtype it must get
    (1.5, np.float32),
    ([1.0, 2.0], np.float32),
    ([[1, 2.5], [3, 4]], np.float32),           # any float makes it float
    ([], np.float32),
    (3, np.int64),
    ([1, 2, 3], np.int64),
    (True, np.bool_),
    ([True, False], np.bool_),
    (np.array([1.0, 2.0]), np.float64),         # NumPy input keeps its dtype
    (np.array([1.0], dtype=np.float16), np.float16),
    (np.array([1, 2], dtype=np.int32), np.int32),
    (np.array([1, 2], dtype=np.uint8), np.uint8),
    (np.float32(2.0), np.float32),
    (np.float64(2.0), np.float64),
]


@pytest.mark.parametrize('data, dtype', CREATION_DTYPES, ids=[repr(row[0]) for row in CREATION_DTYPES])
@pytest.mark.parametrize('make', [mg.tensor, mg.Tensor], ids=['tensor', 'Tensor'])
def test_creation_dtype_rules(make, data, dtype):
    t = make(data)
    assert t.dtype == np.dtype(dtype)
    assert isinstance(t.dtype, np.dtype)
    assert isinstance(t._array, np.ndarray)
    np.testing.assert_array_equal(t._array, np.asarray(data, dtype=dtype))


@pytest.mark.parametrize('dtype', [mg.float32, mg.float64, mg.int64, mg.bool, np.float64, np.float32,
                                   np.dtype('float64'), 'float64', np.int32],
                         ids=str)
def test_dtype_argument_accepts_numpy_and_minigrad_dtypes(dtype):
    t = mg.tensor([1, 0, 2], dtype=dtype)
    assert t.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(t._array, np.array([1, 0, 2], dtype=dtype))


def test_minigrad_dtypes_are_numpy_dtypes():
    assert mg.float32 == np.dtype(np.float32) and isinstance(mg.float32, np.dtype)
    assert mg.float64 == np.dtype(np.float64)
    assert mg.int64 == np.dtype(np.int64)
    assert mg.bool == np.dtype(np.bool_)


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = mg.tensor(a)
    a[0] = 100.0
    assert t._array[0] == 1.0
    u = mg.tensor(t)
    t._array[1] = 50.0
    assert u._array[1] == 2.0


def test_requires_grad_at_creation():
    t = mg.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None
    assert not mg.tensor([1.0]).requires_grad


def test_unsupported_data_is_a_clear_error():
    with pytest.raises(TypeError, match='numbers'):
        mg.tensor(['a', 'b'])


# ------------------------------------------------- dtype of results (promotion)

FLOAT32_WITH_SCALARS = [
    lambda x: x + 1, lambda x: 1 + x, lambda x: x - 2.5, lambda x: 2.5 - x, lambda x: x * 3,
    lambda x: 0.5 * x, lambda x: x / 3, lambda x: 3 / x, lambda x: x ** 2, lambda x: x ** 0.5,
    lambda x: 2 ** x, lambda x: x.maximum(0.5), lambda x: mg.minimum(x, 1), lambda x: x.clamp(0, 1.5),
    lambda x: mg.where(x > 1, x, 0.0), lambda x: mg.where(x > 1, 2.0, x), lambda x: -x,
    lambda x: x + np.float64(1.0), lambda x: mg.pow(x, 2), lambda x: mg.pow(2.0, x),
]


@pytest.mark.parametrize('dtype', [mg.float32, mg.float64])
@pytest.mark.parametrize('fn', FLOAT32_WITH_SCALARS, ids=range(len(FLOAT32_WITH_SCALARS)))
def test_python_scalars_keep_the_tensor_float_dtype(fn, dtype):
    x = mg.tensor([1.0, 2.0], dtype=dtype, requires_grad=True)
    out = fn(x)
    assert out.dtype == dtype
    out.sum().backward()
    assert x.grad.dtype == dtype


PROMOTIONS = [
    # PyTorch's rules: an integer or bool tensor meeting a float (tensor or Python
    # float) takes the float dtype; Python floats count as float32.
    ('int + 0.5', lambda: mg.tensor([1, 2]) + 0.5, np.float32),
    ('0.5 * int', lambda: 0.5 * mg.tensor([1, 2]), np.float32),
    ('int / int', lambda: mg.tensor([1, 2]) / mg.tensor([2, 2]), np.float32),
    ('int / 2', lambda: mg.tensor([1, 2]) / 2, np.float32),
    ('int * float32', lambda: mg.tensor([1, 2]) * mg.tensor([0.5, 1.0]), np.float32),
    ('float32 - int', lambda: mg.tensor([0.5, 1.0]) - mg.tensor([1, 2]), np.float32),
    ('float64 + int', lambda: mg.tensor([0.5], dtype=mg.float64) + mg.tensor([1]), np.float64),
    ('bool * float32', lambda: mg.tensor([True, False]) * mg.tensor([0.5, 1.0]), np.float32),
    ('int ** 0.5', lambda: mg.tensor([4]) ** 0.5, np.float32),
    ('maximum(int, float32)', lambda: mg.maximum(mg.tensor([1, 2]), mg.tensor([1.5, 0.5])), np.float32),
    ('where(c, int, float32)', lambda: mg.where(mg.tensor([True]), mg.tensor([1]), mg.tensor([0.5])), np.float32),
    ('int + 1', lambda: mg.tensor([1, 2]) + 1, np.int64),
    ('int * int', lambda: mg.tensor([1, 2]) * mg.tensor([3, 4]), np.int64),
    ('bool + 1', lambda: mg.tensor([True]) + 1, np.int64),
    ('float32 + float64', lambda: mg.tensor([1.0]) + mg.tensor([1.0], dtype=mg.float64), np.float64),
    ('int.exp()', lambda: mg.tensor([1, 2]).exp(), np.float32),
    ('int.sqrt()', lambda: mg.tensor([1, 4]).sqrt(), np.float32),
    ('mg.log(int)', lambda: mg.log(mg.tensor([1, 2])), np.float32),
    ('int.sigmoid()', lambda: mg.tensor([1, 2]).sigmoid(), np.float32),
    ('int.tanh()', lambda: mg.tensor([1, 2]).tanh(), np.float32),
    ('int.sin()', lambda: mg.tensor([1, 2]).sin(), np.float32),
    ('int.abs()', lambda: mg.tensor([-1, 2]).abs(), np.int64),
    ('int.relu()', lambda: mg.tensor([-1, 2]).relu(), np.int64),
    ('int.sum()', lambda: mg.tensor([1, 2]).sum(), np.int64),
    ('bool.sum()', lambda: mg.tensor([True, True]).sum(), np.int64),
]


@pytest.mark.parametrize('fn, dtype', [row[1:] for row in PROMOTIONS], ids=[row[0] for row in PROMOTIONS])
def test_result_dtype_follows_pytorch(fn, dtype):
    assert fn().dtype == np.dtype(dtype)


def test_mixed_int_float_values_and_gradient():
    w = mg.tensor([0.5, 1.5], requires_grad=True)
    labels = mg.tensor([1, 2])
    out = (labels * w + 0.5 * labels).sum()
    np.testing.assert_allclose(out.item(), 0.5 + 3.0 + 1.5)
    out.backward()
    np.testing.assert_array_equal(w.grad._array, [1.0, 2.0])
    assert w.grad.dtype == mg.float32


# Issue 15, item 12: result dtypes
@by_name
@pytest.mark.parametrize('make, dtype', [
    (lambda lib: lib.ones(2) * lib.tensor(2.0, dtype=lib.float64), 'float32'),
    (lambda lib: lib.ones((), dtype=lib.float64) * lib.ones((), dtype=lib.float32), 'float64'),
    (lambda lib: lib.ones(2, dtype=lib.float64) * lib.ones((), dtype=lib.float32), 'float64'),
    (lambda lib: lib.ones(2, dtype=lib.int32) + 5, 'int32'),
    (lambda lib: lib.ones(2, dtype=lib.int32) * lib.tensor(3), 'int32'),
    (lambda lib: lib.ones(2, dtype=lib.int32) * 2.5, 'float32'),
    (lambda lib: lib.tensor([True]) + 1, 'int64'),
    (lambda lib: lib.tensor([1, 2]).clamp(min=0.5), 'float32'),
    (lambda lib: lib.tensor([lib.tensor(1.0, dtype=lib.float64), lib.tensor(2.0, dtype=lib.float64)]),
     'float64'),
    (lambda lib: lib.ones(2, dtype=lib.int32) * lib.tensor(2.0, dtype=lib.float64), 'float64'),
], ids=range(10))
def test_result_dtypes_follow_pytorch(lib, make, dtype):
    assert str(make(lib).dtype).replace('torch.', '') == dtype


def test_zero_d_float64_does_not_promote_and_gradient_keeps_its_dtype():
    s = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    x = mg.ones(3, requires_grad=True)
    y = x * s
    assert y.dtype == mg.float32
    y.sum().backward()
    assert s.grad.dtype == mg.float64 and s.grad.item() == 3.0 and x.grad.tolist() == [2.0] * 3


def _model(x, w, v):
    h = (x @ w).tanh()
    z = mg.cat([h.sigmoid(), h.relu() ** 2], dim=1)
    s = z.softmax(dim=1) + z.log_softmax(dim=-1).exp() * 0.5
    return (s.var(dim=0) + s.mean(0) + s.logsumexp(dim=1).sum() - s.amax()).sum() * v.sum()


@pytest.mark.parametrize('dtype', [mg.float32, mg.float64])
def test_a_whole_computation_stays_in_its_float_dtype(dtype):
    mg.manual_seed(0)
    x = mg.randn(4, 3, dtype=dtype)
    w = mg.randn(3, 2, dtype=dtype, requires_grad=True)
    v = mg.randn(2, dtype=dtype, requires_grad=True)
    out = _model(x, w, v)
    node, seen = out.grad_fn, 0
    stack = [out]
    while stack:                                # every intermediate keeps the dtype
        t = stack.pop()
        assert t.dtype == dtype, f'{t.grad_fn} gave {t.dtype}'
        if t.grad_fn is not None:
            stack.extend(t.grad_fn.inputs)
            seen += 1
    assert seen > 15
    out.backward()
    assert w.grad.dtype == dtype and v.grad.dtype == dtype
    if dtype == mg.float64:
        assert mg.gradcheck(lambda w, v: _model(x, w, v), (w.detach().requires_grad_(), v.detach().requires_grad_()))


# -------------------------------------------------------------- attributes

def test_attributes():
    t = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert t.shape == (2, 3) and isinstance(t.shape, tuple)
    assert t.ndim == 2 and t.dtype == mg.float32
    assert t.is_leaf and t.grad_fn is None
    y = t * 2
    assert not y.is_leaf and y.requires_grad
    z = mg.tensor([1.0]) * 2                     # nothing requires grad: a leaf
    assert z.is_leaf and z.grad_fn is None and not z.requires_grad


GRAD_FN_NAMES = [
    (lambda x: x * 2, 'MulBackward'),
    (lambda x: x + 2, 'AddBackward'),
    (lambda x: x - 2, 'SubBackward'),
    (lambda x: x / 2, 'DivBackward'),
    (lambda x: x ** 2, 'PowBackward'),
    (lambda x: -x, 'NegBackward'),
    (lambda x: x @ x.T, 'MatMulBackward'),
    (lambda x: x.exp(), 'ExpBackward'),
    (lambda x: x.tanh(), 'TanhBackward'),
    (lambda x: x.sum(), 'SumBackward'),
    (lambda x: x.mean(), 'MeanBackward'),
    (lambda x: x.reshape(-1), 'ReshapeBackward'),
    (lambda x: x[0], 'IndexBackward'),
    (lambda x: mg.cat([x, x]), 'CatBackward'),
    (lambda x: x.softmax(dim=1), 'SoftmaxBackward'),
]


@pytest.mark.parametrize('fn, name', GRAD_FN_NAMES, ids=[row[1] for row in GRAD_FN_NAMES])
def test_grad_fn_has_a_readable_name(fn, name):
    out = fn(mg.ones(2, 2, requires_grad=True))
    assert out.grad_fn.name == name
    assert name in repr(out)


# ----------------------------------------------------------------- methods

def test_item():
    assert mg.tensor([[2.5]]).item() == 2.5 and isinstance(mg.tensor(2.5).item(), float)
    assert mg.tensor(3).item() == 3 and isinstance(mg.tensor(3).item(), int)
    with pytest.raises(ValueError, match=r'one element.*\(2,\)'):
        mg.tensor([1.0, 2.0]).item()


def test_numpy():
    t = mg.tensor([1.0, 2.0])
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])
    with pytest.raises(RuntimeError, match='detach'):
        mg.tensor([1.0], requires_grad=True).numpy()
    np.testing.assert_array_equal(mg.tensor([1.0], requires_grad=True).detach().numpy(), [1.0])


def test_tolist_numel_size_len():
    t = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert mg.tensor(2.0).tolist() == 2.0
    assert t.numel() == 6 and mg.tensor(1.0).numel() == 1
    assert t.size() == (2, 3) and t.size(0) == 2 and t.size(-1) == 3
    assert len(t) == 2 and len(mg.zeros(5)) == 5
    with pytest.raises(TypeError, match='0-d'):
        len(mg.tensor(1.0))


def test_detach():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d._array, y._array)      # same data, as in PyTorch
    (d * y).sum().backward()                     # d is a constant here
    np.testing.assert_array_equal(x.grad._array, 2 * d._array)


def test_switching_requires_grad_off_on_a_computed_tensor_raises_pytorchs_error(torch):
    b = mg.ones(3, requires_grad=True) * 2
    with pytest.raises(RuntimeError) as ours:
        b.requires_grad = False                         # silent before: the graph was cut
    with pytest.raises(RuntimeError) as theirs:
        (torch.ones(3, requires_grad=True) * 2).requires_grad = False
    assert str(ours.value) == str(theirs.value) and 'var.detach()' in str(ours.value)
    with pytest.raises(RuntimeError, match=r'leaf variables\..*var\.detach\(\)'):
        b.requires_grad_(False)
    assert b.requires_grad and b.grad_fn is not None    # unchanged by the refused switch
    c = b.detach()                                      # the fix the message names
    assert not c.requires_grad and c.grad_fn is None
    c.requires_grad = True
    c.requires_grad = False
    assert not c.requires_grad


def test_setting_requires_grad_true_on_a_computed_tensor_raises_too_but_requires_grad_does_not(torch):
    for lib in (mg, torch):
        b = lib.ones(3, requires_grad=True) * 2
        with pytest.raises(RuntimeError, match='leaf variables'):
            b.requires_grad = True                      # PyTorch refuses either value
        assert b.requires_grad_(True) is b and b.requires_grad and b.grad_fn is not None


def test_requires_grad_can_be_set_on_leaves_and_results_made_without_grad():
    x = mg.ones(3)
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    with mg.no_grad():
        y = x * 2                                       # a leaf: no graph was recorded
    y.requires_grad = True
    (y * 3).sum().backward()
    assert y.grad.tolist() == [3.0, 3.0, 3.0]
    x.requires_grad = False
    assert not x.requires_grad


def test_requires_grad_():
    t = mg.tensor([1.0])
    assert t.requires_grad_() is t and t.requires_grad
    assert t.requires_grad_(False) is t and not t.requires_grad


def test_zero_():
    t = mg.tensor([1.0, 2.0])
    data = t._array
    assert t.zero_() is t
    assert t._array is data                        # in place
    np.testing.assert_array_equal(t._array, [0.0, 0.0])


@pytest.mark.parametrize('fill', [lambda t, g: t.normal_(0, 1, generator=g),
                                  lambda t, g: t.uniform_(-1, 1, generator=g),
                                  lambda t, g: t.random_(0, 1000, generator=g)])
def test_random_fills_take_a_generator(fill):
    def draw(seed):
        return fill(mg.zeros(6), mg.Generator().manual_seed(seed)).tolist()
    assert draw(3) == draw(3) and draw(3) != draw(4)
    mg.manual_seed(0)
    a = fill(mg.zeros(6), None).tolist()
    mg.manual_seed(0)
    assert fill(mg.zeros(6), None).tolist() == a           # None: minigrad's generator


@pytest.mark.parametrize('which', ['max', 'min'])
def test_max_and_min_graphs_are_the_ones_their_docstrings_name(which):
    x = mg.tensor([[1.0, 3.0], [4.0, 2.0]], requires_grad=True)
    node = which.capitalize()
    assert getattr(x, which)().grad_fn.name == f'A{node}Backward'
    for keepdim in (False, True):                       # one node, named as in PyTorch
        assert getattr(x, which)(dim=1, keepdim=keepdim).values.grad_fn.name == f'{node}Backward'
    assert f'{node}Backward' in mg.ops.table.format_table()


@pytest.mark.parametrize('which', ['max', 'min'])
@pytest.mark.parametrize('shape, dim, keepdim', [((2, 3), 1, False), ((2, 3), 0, True),
                                                 ((2, 3, 4), -2, False), ((), 0, False)])
def test_max_and_min_along_a_dim_give_the_returned_index_the_gradient(which, shape, dim, keepdim):
    x = mg.tensor(np.random.default_rng(0).permutation(max(1, int(np.prod(shape)))).reshape(shape),
                  dtype=mg.float64, requires_grad=True)
    values, indices = getattr(x, which)(dim=dim, keepdim=keepdim)
    weights = mg.arange(values.numel(), dtype=mg.float64).reshape(values.shape) + 1
    (values * weights).sum().backward()
    expected = np.zeros(shape)
    index = indices.numpy() if keepdim or not shape else np.expand_dims(indices.numpy(), dim)
    np.put_along_axis(expected.reshape(shape or (1,)), index.reshape(index.shape or (1,)),
                      weights.numpy().reshape(index.shape or (1,)), axis=dim if shape else 0)
    assert x.grad.numpy().tolist() == expected.tolist()
    assert mg.autograd.gradcheck(lambda t: getattr(t, which)(dim=dim, keepdim=keepdim).values, (x,))


# -------------------------------------------------------------------- repr

REPRS = [
    (lambda: mg.tensor([[1.0, 2.0]], requires_grad=True), 'tensor([[1., 2.]], requires_grad=True)'),
    (lambda: mg.tensor([[1.0, 2.0], [3.0, 4.0]]), 'tensor([[1., 2.],\n        [3., 4.]])'),
    (lambda: mg.tensor(1.5), 'tensor(1.5000)'),
    (lambda: mg.tensor(3.0), 'tensor(3.)'),
    (lambda: mg.tensor([1.5, 2.25]), 'tensor([1.5000, 2.2500])'),
    (lambda: mg.tensor([-1.0, 2.0]), 'tensor([-1.,  2.])'),
    (lambda: mg.tensor([1e-5, 1.0]), 'tensor([1.0000e-05, 1.0000e+00])'),
    (lambda: mg.tensor([1e10]), 'tensor([1.0000e+10])'),
    (lambda: mg.tensor([0.001, 10.0]), 'tensor([1.0000e-03, 1.0000e+01])'),
    (lambda: mg.tensor([1.0, 2000.0]), 'tensor([1.0000e+00, 2.0000e+03])'),
    (lambda: mg.tensor([1.0, 999.0]), 'tensor([  1., 999.])'),
    (lambda: mg.tensor([np.nan, 2.5]), 'tensor([   nan, 2.5000])'),
    (lambda: mg.tensor([1, 2, 3]), 'tensor([1, 2, 3])'),
    (lambda: mg.tensor([True, False]), 'tensor([ True, False])'),
    (lambda: mg.tensor([]), 'tensor([])'),
    (lambda: mg.tensor([1.0, 2.0], requires_grad=True) * 2, 'tensor([2., 4.], grad_fn=<MulBackward>)'),
    (lambda: mg.tensor([1.0, 2.0], dtype=mg.float64), 'tensor([1., 2.], dtype=minigrad.float64)'),
]


@pytest.mark.parametrize('make, expected', REPRS, ids=[row[1] for row in REPRS])
def test_repr_like_pytorch(make, expected):
    assert repr(make()) == expected


# ------------------------------------------------- empty inputs: PyTorch's error types and words

_NO_DIM = "Expected reduction dim to be specified for input.numel() == 0."
EMPTY_CASES = [    # (name, call on lib, error type, message): PyTorch 2's
    ('max', lambda l: l.tensor([]).max(), RuntimeError,
     f"max(): {_NO_DIM} Specify the reduction dim with the 'dim' argument."),
    ('min', lambda l: l.tensor([]).min(), RuntimeError,
     f"min(): {_NO_DIM} Specify the reduction dim with the 'dim' argument."),
    ('amax', lambda l: l.zeros(0, 2).amax(), RuntimeError,
     f"amax(): {_NO_DIM} Specify the reduction dim with the 'dim' argument."),
    ('amin', lambda l: l.zeros(0, 2).amin(), RuntimeError,
     f"amin(): {_NO_DIM} Specify the reduction dim with the 'dim' argument."),
    ('argmax', lambda l: l.tensor([]).argmax(), IndexError, f'argmax(): {_NO_DIM}'),
    ('argmin', lambda l: l.tensor([]).argmin(), IndexError, f'argmin(): {_NO_DIM}'),
    ('max dim', lambda l: l.zeros(0, 3).max(dim=0), IndexError,
     'max(): Expected reduction dim 0 to have non-zero size.'),
    ('min dim', lambda l: l.zeros(2, 0).min(dim=-1), IndexError,
     'min(): Expected reduction dim 1 to have non-zero size.'),
    ('amax dims', lambda l: l.zeros(0, 3).amax(dim=(0, 1)), IndexError,
     'amax(): Expected reduction dim 0 to have non-zero size.'),
    ('argmax dim', lambda l: l.zeros(0, 3).argmax(dim=0), IndexError,
     'argmax(): Expected reduction dim 0 to have non-zero size.'),
    ('stack', lambda l: l.stack([]), RuntimeError, 'stack expects a non-empty TensorList'),
    ('cat', lambda l: l.cat(()), ValueError, 'cat(): expected a non-empty list of Tensors'),
]


@pytest.mark.parametrize('name, call, error, message', EMPTY_CASES, ids=[c[0] for c in EMPTY_CASES])
@pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)
def test_extremes_of_nothing_and_joins_of_nothing_raise_pytorchs_errors(lib, name, call, error, message):
    """G30/G31: NumPy's ValueErrors came through ("attempt to get argmax of an empty sequence")."""
    with pytest.raises(error) as info:
        call(lib)
    assert message in str(info.value)           # PyTorch says torch.cat(), minigrad cat()


@pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)
def test_empty_reductions_with_a_value_stay_values(lib):
    """What PyTorch does compute over nothing: sum 0, prod 1, max along a non-empty dim."""
    empty = lib.tensor([])
    assert (empty.sum().item(), empty.prod().item()) == (0.0, 1.0)
    assert tuple(lib.zeros(0, 3).max(dim=1).values.shape) == (0,)


def test_python_operators_abs_and_plus(torch):
    for lib in (mg, torch):
        x = lib.tensor([[1.5, -2.0]])
        assert abs(x).tolist() == [[1.5, 2.0]] and (+x).tolist() == [[1.5, -2.0]]


def test_in_place_ops_on_empty_tensors(torch):
    for lib in (mg, torch):
        t = lib.zeros(0, 2)
        assert t.add_(1.0).shape == (0, 2) and t.mul_(2).shape == (0, 2)
        t[:] = 3.0
        assert t.shape == (0, 2)


def test_module_reductions_take_numpy_names(torch):
    for lib in (mg, torch):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        assert lib.sum(x, 1, keepdims=True).tolist() == [[3.0], [7.0]]
        assert lib.mean(x, axis=0).tolist() == [2.0, 3.0]
        assert lib.max(x, 1, keepdims=True).values.tolist() == [[2.0], [4.0]]


def test_where_as_a_method_and_dtype_as_a_type(torch):
    for lib in (mg, torch):
        x = lib.tensor([1.0, 2.0, 3.0])
        assert x.where(x > 1.5, lib.tensor(0.0)).tolist() == [0.0, 2.0, 3.0]
        assert isinstance(x.dtype, lib.dtype) and isinstance(lib.int64, lib.dtype)
        y = lib.zeros(3)
        lib.index_put_(y, (lib.tensor([2]),), lib.tensor([5.0]))
        assert y.tolist() == [0.0, 0.0, 5.0]


def test_pickle_and_deepcopy_keep_values_not_graphs(torch):
    import copy
    import pickle
    for lib in (mg, torch):
        a = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        view = a[0]
        assert pickle.loads(pickle.dumps(view)).tolist() == [1.0, 2.0]
        assert pickle.loads(pickle.dumps(a)).tolist() == a.tolist()
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        y.sum().backward()
        assert copy.deepcopy(x).grad.tolist() == [2.0, 2.0]
        with pytest.raises(RuntimeError, match='graph leaves'):
            copy.deepcopy(y)
        p = pickle.loads(pickle.dumps(lib.nn.Parameter(lib.ones(2))))
        assert type(p) is lib.nn.Parameter and p.requires_grad and p.is_leaf
