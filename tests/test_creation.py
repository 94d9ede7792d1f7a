"""Factories: PyTorch's signatures, keyword names, defaults, dtypes and values.

Deterministic factories are compared value for value with PyTorch when it is
installed (linspace, logspace, arange and full bit for bit); random ones are
checked for shape, dtype, range and reproducibility under `mg.manual_seed`.
"""
import inspect
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import creation

try:
    import torch
except ImportError:                                 # the comparisons skip without PyTorch
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason='PyTorch is not installed')

NEW_NAMES = ['empty', 'linspace', 'logspace', 'randint', 'randperm', 'normal', 'empty_like',
             'full_like', 'rand_like', 'randint_like', 'from_numpy', 'as_tensor']


def fn(name):
    """`mg.<name>`, or the creation module's until minigrad/__init__.py exports it."""
    return getattr(mg, name, None) or getattr(creation, name)


def torch_dtype(dtype):
    return getattr(torch, np.dtype(dtype).name)


def to_torch_kwargs(kwargs):
    return {k: torch_dtype(v) if k == 'dtype' else v for k, v in kwargs.items()}


def test_every_factory_is_exported_from_minigrad():
    missing = [name for name in creation.__all__ if getattr(mg, name, None) is not getattr(creation, name)]
    assert not missing, f'export these from minigrad/__init__.py: {missing}'


# ------------------------------------------------------------- signatures

# PyTorch's documented parameters (layout, pin_memory and memory_format left out).
SIGNATURES = {
    'zeros': '*sizes, size, out, dtype, device, requires_grad',
    'ones': '*sizes, size, out, dtype, device, requires_grad',
    'empty': '*sizes, size, out, dtype, device, requires_grad',
    'rand': '*sizes, size, generator, out, dtype, device, requires_grad',
    'randn': '*sizes, size, generator, out, dtype, device, requires_grad',
    'full': 'size, fill_value, out, dtype, device, requires_grad',
    'eye': 'n, m, out, dtype, device, requires_grad',
    'arange': 'start, end, step, out, dtype, device, requires_grad',
    'linspace': 'start, end, steps, out, dtype, device, requires_grad',
    'logspace': 'start, end, steps, base, out, dtype, device, requires_grad',
    'randint': 'low, high, size, generator, out, dtype, device, requires_grad',
    'randperm': 'n, generator, out, dtype, device, requires_grad',
    'normal': 'mean, std, size, generator, out, dtype, device, requires_grad',
    'zeros_like': 'input, dtype, device, requires_grad',
    'ones_like': 'input, dtype, device, requires_grad',
    'empty_like': 'input, dtype, device, requires_grad',
    'full_like': 'input, fill_value, dtype, device, requires_grad',
    'rand_like': 'input, generator, dtype, device, requires_grad',
    'randn_like': 'input, generator, dtype, device, requires_grad',
    'randint_like': 'input, low, high, generator, dtype, device, requires_grad',
    'from_numpy': 'ndarray',
    'as_tensor': 'data, dtype, device',
}


@pytest.mark.parametrize('name', sorted(SIGNATURES))
def test_signature_and_defaults(name):
    params = inspect.signature(fn(name)).parameters.values()
    names = ', '.join(('*' if p.kind is p.VAR_POSITIONAL else '') + p.name for p in params)
    assert names == SIGNATURES[name]
    defaults = {p.name: p.default for p in params if p.default is not p.empty}
    assert defaults.get('requires_grad', False) is False
    assert all(defaults[k] is None for k in ('out', 'dtype', 'device', 'generator', 'size') if k in defaults)
    # PyTorch's keyword-only arguments are keyword-only here too
    after_size = {p.name: p.kind for p in params if p.name in ('out', 'dtype', 'device', 'requires_grad')}
    assert set(after_size.values()) <= {inspect.Parameter.KEYWORD_ONLY}


def test_defaults_of_the_positional_parameters():
    sig = {n: inspect.signature(fn(n)).parameters for n in ('arange', 'logspace', 'normal', 'randint', 'eye')}
    assert sig['arange']['start'].default == 0 and sig['arange']['step'].default == 1
    assert sig['logspace']['base'].default == 10.0
    assert sig['normal']['mean'].default == 0.0 and sig['normal']['std'].default == 1.0
    assert sig['randint']['low'].default == 0 and sig['eye']['m'].default is None


# Each call spelled with PyTorch's keyword names; run the same call in PyTorch when installed.
KEYWORD_CALLS = [
    ('zeros', (), dict(size=(2, 3))),
    ('ones', (), dict(size=[4], dtype=np.float64)),
    ('empty', (), dict(size=(0, 2))),
    ('full', (), dict(size=(2, 2), fill_value=3)),
    ('full', (), dict(size=(2,), fill_value=True)),
    ('full', (), dict(size=(1, 3), fill_value=0.5, dtype=np.float64)),
    ('eye', (), dict(n=2, m=3)),
    ('arange', (), dict(start=1, end=5)),
    ('arange', (), dict(end=5)),
    ('arange', (), dict(start=0, end=1, step=0.25)),
    ('linspace', (), dict(start=-1, end=1, steps=5)),
    ('logspace', (), dict(start=0, end=3, steps=4, base=2.0)),
    ('zeros_like', (), dict(input='x', dtype=np.int64)),
    ('ones_like', (), dict(input='x')),
    ('empty_like', (), dict(input='x')),
    ('full_like', (), dict(input='x', fill_value=7)),
    ('rand', (), dict(size=(3,))),
    ('randn', (), dict(size=(2, 2))),
    ('randint', (), dict(low=3, high=10, size=(4,))),
    ('randint', (), dict(high=10, size=(4,))),
    ('randperm', (), dict(n=5)),
    ('normal', (), dict(mean=0.0, std=1.0, size=(2, 3))),
    ('normal', (), dict(mean='x', std=1.0)),
    ('rand_like', (), dict(input='x')),
    ('randn_like', (), dict(input='x')),
    ('randint_like', (), dict(input='x', low=0, high=4)),
    ('randint_like', (), dict(input='x', high=4)),
    ('as_tensor', (), dict(data=[1.5, 2.5], dtype=np.float64, device='cpu')),
]
RANDOM = {'rand', 'randn', 'randint', 'randperm', 'normal', 'rand_like', 'randn_like', 'randint_like',
          'empty', 'empty_like'}


def _call(module, name, kwargs, x):
    kwargs = {k: (x if v == 'x' else v) for k, v in kwargs.items()}
    return getattr(module, name)(**kwargs)


@pytest.mark.parametrize('name, args, kwargs', KEYWORD_CALLS, ids=[f'{c[0]}-{i}' for i, c in enumerate(KEYWORD_CALLS)])
def test_pytorch_keyword_names(name, args, kwargs):
    ours = _call(creation, name, kwargs, mg.ones(2, 3))
    assert isinstance(ours, mg.Tensor) and not ours.requires_grad
    if torch is None:
        return
    theirs = _call(torch, name, to_torch_kwargs(kwargs), torch.ones(2, 3))
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype == np.dtype(str(theirs.dtype).replace('torch.', ''))
    if name not in RANDOM:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ------------------------------------------------------------------ sizes

@pytest.mark.parametrize('name', ['zeros', 'ones', 'empty', 'rand', 'randn'])
def test_sizes_every_way(name):
    make = fn(name)
    for t in (make(2, 3), make((2, 3)), make([2, 3]), make(size=(2, 3)), make(mg.Size([2, 3])),
              make(np.int64(2), 3), make(mg.tensor(2), 3)):
        assert t.shape == (2, 3) and t.dtype == mg.float32
    assert make(()).shape == () and make([]).shape == () and make(0).shape == (0,)


@pytest.mark.parametrize('call, error, match', [
    (lambda: creation.zeros(2, -3), RuntimeError, r'zeros\(\): sizes must be non-negative, got size \(2, -3\)'),
    (lambda: creation.ones((-1,)), RuntimeError, r'non-negative.*\(-1,\)'),
    (lambda: creation.zeros(2.5), TypeError, r"zeros\(\): argument 'size' must be a tuple of ints, but found element of type float at pos 0"),
    (lambda: creation.rand([2, 3.0]), TypeError, r'element of type float at pos 1 \(got size \(2, 3.0\)\)'),
    (lambda: creation.zeros(True), TypeError, r'element of type bool'),
    (lambda: creation.zeros('a'), TypeError, r'element of type str'),
    (lambda: creation.zeros(2, size=(2,)), TypeError, r"multiple values for argument 'size'"),
    (lambda: creation.randn(), TypeError, r"missing 1 required positional argument: 'size'"),
    (lambda: creation.full((2, -1), 1.0), RuntimeError, r'full\(\): sizes must be non-negative'),
    (lambda: creation.randint(10, (2.0,)), TypeError, r'randint\(\).*element of type float'),
    (lambda: creation.randint(0, 10, 3), TypeError, r"randint\(\): argument 'size' must be a tuple of ints, not int"),
    (lambda: creation.randint(10), TypeError, r"randint\(\) missing the 'size' argument"),
    (lambda: creation.zeros(2, dtype='not a dtype'), TypeError, r'dtype must be a dtype such as mg.float32'),
])
def test_size_and_dtype_errors_say_what_was_expected_and_given(call, error, match):
    with pytest.raises(error, match=match):
        call()


@needs_torch
@pytest.mark.parametrize('call', [
    lambda m: m.zeros(-1), lambda m: m.zeros(2.5), lambda m: m.zeros(True), lambda m: m.zeros(2, size=(2,)),
    lambda m: m.randint(10, 3), lambda m: m.randint(5), lambda m: m.randint(10, 10, (3,)),
    lambda m: m.arange(1, 5, 0), lambda m: m.arange(5, 1), lambda m: m.linspace(0, 1, -1),
    lambda m: m.randperm(-1), lambda m: m.eye(-1), lambda m: m.eye(2.0), lambda m: m.randint(2.5, (3,)),
    lambda m: m.normal(0.0, -1.0, (2,)), lambda m: m.normal(0.0, 1.0), lambda m: m.from_numpy([1, 2]),
    lambda m: m.rand(2, dtype=m.int64), lambda m: m.zeros(2, dtype=m.int64, requires_grad=True),
    lambda m: m.full((2,), 300, dtype=m.uint8),
])
def test_fails_where_pytorch_fails(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as ours:
        call(_Names())
    assert isinstance(ours.value, (type(theirs.value), RuntimeError, TypeError, NotImplementedError))
    assert str(ours.value)


class _Names:
    """mg's names, then the creation module's (not exported yet), then NumPy's dtypes."""
    def __getattr__(self, name):
        for source in (mg, creation, np):
            if hasattr(source, name):
                return getattr(source, name)
        raise AttributeError(name)


# ----------------------------------------------------------- dtypes, defaults

@pytest.mark.parametrize('fill, dtype', [
    (1.5, np.float32), (2, np.int64), (True, np.bool_), (np.float64(1.5), np.float32), (np.int32(2), np.int64),
    (mg.tensor(1.5, dtype=mg.float64), np.float32), (mg.tensor(3), np.int64),
])
def test_full_infers_pytorchs_dtype(fill, dtype):
    t = creation.full((2,), fill)
    assert t.dtype == np.dtype(dtype) and t.shape == (2,)
    if torch is not None:
        tfill = torch.tensor(fill.item()) if isinstance(fill, mg.Tensor) else fill
        assert str(torch.full((2,), tfill).dtype) == f'torch.{np.dtype(dtype).name}'


def test_full_converts_like_pytorch():
    assert creation.full((2,), 1.5, dtype=mg.int64).tolist() == [1, 1]
    assert creation.full((2,), -1.5, dtype=mg.int64).tolist() == [-1, -1]
    assert creation.full((2,), 2.5, dtype=mg.bool).tolist() == [True, True]
    assert creation.full(3, 2.0).shape == (3,)                    # minigrad also takes an int size
    with pytest.raises(RuntimeError, match=r'300 cannot be converted to uint8 without overflow'):
        creation.full((2,), 300, dtype=np.uint8)
    with pytest.raises(RuntimeError, match=r'nan cannot be converted to int64'):
        creation.full((2,), float('nan'), dtype=mg.int64)


@pytest.mark.parametrize('args, dtype', [
    ((5,), np.int64), ((1, 4), np.int64), ((0, 1, 0.25), np.float32), ((2.5,), np.float32),
    ((0, 5, 2.0), np.float32), ((np.float64(2),), np.float32), ((mg.tensor(3),), np.int64),
    ((mg.tensor(3.0),), np.float32), ((True,), np.int64),
])
def test_arange_float_rule(args, dtype):
    assert creation.arange(*args).dtype == np.dtype(dtype)


def test_default_dtypes_are_pytorchs():
    assert creation.linspace(0, 10, 5).dtype == mg.float32          # float even for int ends
    assert creation.logspace(0, 2, 3).dtype == mg.float32
    assert creation.randint(10, (3,)).dtype == mg.int64
    assert creation.randperm(4).dtype == mg.int64
    assert creation.normal(2, 3, (2,)).dtype == mg.float32
    for name in ('zeros', 'ones', 'empty', 'rand', 'randn'):
        assert fn(name)(2).dtype == mg.float32
    assert creation.eye(2).dtype == mg.float32 and creation.eye(2, dtype=mg.bool).tolist() == [[True, False], [False, True]]


def test_requires_grad_and_dtype_on_every_factory():
    for t in (creation.zeros(2, requires_grad=True), creation.empty(2, requires_grad=True),
              creation.linspace(0, 1, 3, requires_grad=True), creation.logspace(0, 1, 3, requires_grad=True),
              creation.randint(5, (3,), dtype=mg.float32, requires_grad=True),
              creation.randperm(3, dtype=mg.float64, requires_grad=True),
              creation.normal(0.0, 1.0, (2,), requires_grad=True),
              creation.full_like(mg.ones(2), 3.0, requires_grad=True),
              creation.rand_like(mg.ones(2), requires_grad=True),
              creation.randint_like(mg.ones(2), 5, requires_grad=True)):
        assert t.requires_grad and t.is_leaf and t.grad_fn is None
    for call in (lambda: creation.randint(5, (3,), requires_grad=True),
                 lambda: creation.randperm(3, requires_grad=True),
                 lambda: creation.arange(3, requires_grad=True)):
        with pytest.raises(RuntimeError, match='floating point'):
            call()


FACTORIES = [
    # id, call, expected values (None: random), default dtype
    ('zeros(2, 3)', lambda **kw: mg.zeros(2, 3, **kw), np.zeros((2, 3)), np.float32),
    ('zeros((2, 3))', lambda **kw: mg.zeros((2, 3), **kw), np.zeros((2, 3)), np.float32),
    ('ones(4)', lambda **kw: mg.ones(4, **kw), np.ones(4), np.float32),
    ('ones([2, 2])', lambda **kw: mg.ones([2, 2], **kw), np.ones((2, 2)), np.float32),
    ('full((2, 3), 1.5)', lambda **kw: mg.full((2, 3), 1.5, **kw), np.full((2, 3), 1.5), np.float32),
    ('full(3, 2.0)', lambda **kw: mg.full(3, 2.0, **kw), np.full(3, 2.0), np.float32),
    ('randn(3, 4)', lambda **kw: mg.randn(3, 4, **kw), None, np.float32),
    ('rand((3, 4))', lambda **kw: mg.rand((3, 4), **kw), None, np.float32),
    ('arange(0, 1, 0.25)', lambda **kw: mg.arange(0, 1, 0.25, **kw), np.arange(0, 1, 0.25), np.float32),
    ('arange(2.5)', lambda **kw: mg.arange(2.5, **kw), np.arange(2.5), np.float32),
    ('eye(3)', lambda **kw: mg.eye(3, **kw), np.eye(3), np.float32),
    ('eye(2, 3)', lambda **kw: mg.eye(2, 3, **kw), np.eye(2, 3), np.float32),
    ('zeros_like', lambda **kw: mg.zeros_like(mg.ones(2, 3), **kw), np.zeros((2, 3)), np.float32),
    ('ones_like', lambda **kw: mg.ones_like(mg.zeros(2, 3), **kw), np.ones((2, 3)), np.float32),
    ('randn_like', lambda **kw: mg.randn_like(mg.zeros(5, 2), **kw), None, np.float32),
]


@pytest.mark.parametrize('make, expected, dtype', [row[1:] for row in FACTORIES], ids=[row[0] for row in FACTORIES])
def test_factory_defaults(make, expected, dtype):
    t = make()
    assert t.dtype == np.dtype(dtype)
    assert not t.requires_grad and t.is_leaf
    if expected is not None:
        assert t.shape == expected.shape
        np.testing.assert_array_equal(t._array, expected)


@pytest.mark.parametrize('make, expected, dtype', [row[1:] for row in FACTORIES], ids=[row[0] for row in FACTORIES])
def test_factory_requires_grad_and_dtype(make, expected, dtype):
    t = make(requires_grad=True, dtype=mg.float64)
    assert t.dtype == mg.float64 and t.requires_grad and t.is_leaf
    if expected is not None:
        np.testing.assert_array_equal(t._array, expected)
    (t * 2).sum().backward()
    np.testing.assert_array_equal(t.grad._array, np.full(t.shape, 2.0))


@pytest.mark.parametrize('make, expected', [
    (lambda: mg.arange(5), np.arange(5)),
    (lambda: mg.arange(1, 4), np.arange(1, 4)),
    (lambda: mg.arange(10, 0, -3), np.arange(10, 0, -3)),
    (lambda: mg.full((2,), 7), np.full(2, 7)),
    (lambda: mg.zeros(3, dtype=mg.int64), np.zeros(3, dtype=np.int64)),
], ids=['arange(5)', 'arange(1, 4)', 'arange(10, 0, -3)', 'full int', 'zeros int64'])
def test_integer_factories(make, expected):
    t = make()
    assert t.dtype == mg.int64
    np.testing.assert_array_equal(t._array, expected)


def test_like_factories_keep_dtype_and_shape():
    x = mg.zeros(2, 3, dtype=mg.float64)
    for make in (mg.zeros_like, mg.ones_like, mg.randn_like):
        t = make(x)
        assert t.shape == (2, 3) and t.dtype == mg.float64
    assert mg.zeros_like(mg.tensor([1, 2])).dtype == mg.int64


# -------------------------------------------------------- values vs PyTorch

LINSPACE = [(0, 1, 5), (0, 10, 5), (-3.7, 2.2, 7), (0.1, 0.9, 17), (-1, 1, 100), (1, 1e3, 33),
            (5, -5, 1000), (0, 1, 0), (2.5, 7, 1), (0, 1, 2), (-2.5, 2.5, 6), (1e-3, 3.3, 257)]
DTYPES = [np.float32, np.float64, np.int64, np.int32, np.float16]


@needs_torch
@pytest.mark.parametrize('dtype', DTYPES, ids=lambda d: np.dtype(d).name)
def test_linspace_is_pytorchs_bit_for_bit(dtype):
    for start, end, steps in LINSPACE:
        ours = creation.linspace(start, end, steps, dtype=dtype)
        theirs = torch.linspace(start, end, steps, dtype=torch_dtype(dtype)).numpy()
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours.numpy(), theirs, err_msg=f'linspace({start}, {end}, {steps})')


@needs_torch
@pytest.mark.parametrize('dtype', DTYPES, ids=lambda d: np.dtype(d).name)
def test_logspace_is_pytorchs_bit_for_bit(dtype):
    for (start, end, steps), base in zip(LINSPACE * 2, [10.0, 2.0, 2.5, 0.5, np.e, 3] * 4):
        if np.dtype(dtype).kind == 'i':
            start, end = abs(start) % 6, abs(end) % 6
        elif np.dtype(dtype) == np.float16 or abs(end) > 30:
            start, end = start / 100, end / 100
        ours = creation.logspace(start, end, steps, base=base, dtype=dtype)
        theirs = torch.logspace(start, end, steps, base=base, dtype=torch_dtype(dtype)).numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours.numpy(), theirs, err_msg=f'logspace({start}, {end}, {steps}, {base})')


ARANGE = [(5,), (1, 4), (10, 0, -3), (0, 1, 0.1), (-1, 1, 0.1), (0, 3, 0.3), (0, 10, 3.5), (5, 0, -1.5),
          (-7.3, 12.9, 0.37), (0.5, 5), (0, 1e10, 1e9), (1, 1), (2 ** 40, 2 ** 40 + 3), (0, 100, 1 / 3),
          (-50.0, 50.0, 0.01)]


@needs_torch
@pytest.mark.parametrize('dtype', [None, np.float32, np.float64, np.int64, np.int32], ids=['default', 'float32', 'float64', 'int64', 'int32'])
def test_arange_is_pytorchs_bit_for_bit(dtype):
    for args in ARANGE:
        if dtype == np.int32 and len(args) == 3 and int(args[2]) == 0:
            continue        # PyTorch repeats start here (its step truncates to 0); minigrad raises
        try:
            theirs = torch.arange(*args, dtype=None if dtype is None else torch_dtype(dtype)).numpy()
        except (RuntimeError, ValueError):              # e.g. a float step truncated to 0 for int64
            with pytest.raises(RuntimeError, match='step must be nonzero'):
                creation.arange(*args, dtype=dtype)
            continue
        ours = creation.arange(*args, dtype=dtype)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, args
        np.testing.assert_array_equal(ours.numpy(), theirs, err_msg=f'arange{args}')


@needs_torch
def test_full_eye_and_like_values_are_pytorchs():
    for size, fill, dtype in [((2, 3), 1.5, None), ((4,), 7, None), ((2,), True, None), ((3,), 0.1, np.float64),
                              ((2, 2), 2.7, np.int64), ((0,), 1.0, None), ((), 3.25, None)]:
        ours = creation.full(size, fill, dtype=dtype)
        theirs = torch.full(size, fill, dtype=None if dtype is None else torch_dtype(dtype)).numpy()
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours.numpy(), theirs)
    np.testing.assert_array_equal(creation.eye(3, 2).numpy(), torch.eye(3, 2).numpy())
    x = mg.ones(2, 2, dtype=mg.int64)
    assert creation.full_like(x, 2.7).tolist() == torch.full_like(torch.ones(2, 2, dtype=torch.int64), 2.7).tolist()
    assert creation.full_like(mg.ones(2), True).tolist() == [1.0, 1.0]


def test_range_values_without_pytorch():
    assert creation.linspace(0, 10, 5).tolist() == [0.0, 2.5, 5.0, 7.5, 10.0]
    assert creation.linspace(0, 10, 1).tolist() == [0.0] and creation.linspace(0, 10, 0).shape == (0,)
    assert creation.linspace(-2.5, 2.5, 6, dtype=mg.int64).tolist() == [-2, -1, 0, 0, 1, 2]
    assert creation.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    assert creation.logspace(0, 2, 3, base=2).tolist() == [1.0, 2.0, 4.0]
    assert creation.logspace(0, 3, 4, base=2.5, dtype=mg.int64).tolist() == [1, 2, 6, 15]
    assert creation.arange(5, 0, -1.5).tolist() == [5.0, 3.5, 2.0, 0.5]
    np.testing.assert_allclose(creation.arange(0, 1, 0.1).numpy(), np.arange(10) / 10, rtol=1e-6)


@pytest.mark.parametrize('call, error, match', [
    (lambda: creation.arange(1, 5, 0), RuntimeError, 'step must be nonzero'),
    (lambda: creation.arange(5, 1), RuntimeError, r'inconsistent with step sign: start=5, end=1, step=1'),
    (lambda: creation.arange(float('inf')), RuntimeError, r'unsupported range: 0 -> inf'),
    (lambda: creation.arange(0, 1, 0.5, dtype=mg.int64), RuntimeError, r'step must be nonzero, got step=0.5 \(truncated to 0 for int64\)'),
    (lambda: creation.arange(3, dtype=mg.bool), NotImplementedError, 'not bool'),
    (lambda: creation.linspace(0, 1, -1), RuntimeError, r'number of steps must be non-negative, got steps=-1'),
    (lambda: creation.linspace(0, 1, 2.0), TypeError, r"linspace\(\): argument 'steps' must be an int, not float"),
    (lambda: creation.logspace(0, 1, -2), RuntimeError, r'got steps=-2'),
    (lambda: creation.linspace(0, 1, 3, dtype=mg.bool), NotImplementedError, 'not bools'),
    (lambda: creation.linspace('a', 1, 3), TypeError, r"argument 'start' must be a number, not str"),
    (lambda: creation.eye(-1), RuntimeError, r'n must be greater or equal to 0, got -1'),
    (lambda: creation.eye(2, -1), RuntimeError, r'm must be greater or equal to 0, got -1'),
    (lambda: creation.eye(2.0), TypeError, r"eye\(\): argument 'n' must be an int, not float"),
])
def test_range_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------- random

def test_random_factories_shapes_dtypes_and_ranges():
    mg.manual_seed(0)
    u = creation.rand(4000)
    assert u.dtype == mg.float32 and 0 <= u.numpy().min() and u.numpy().max() < 1
    n = creation.randn(2, 2000, dtype=mg.float64)
    assert n.shape == (2, 2000) and n.dtype == mg.float64 and abs(n.numpy().mean()) < 0.1
    r = creation.randint(3, 10, (5000,))
    assert r.dtype == mg.int64 and set(r.tolist()) == set(range(3, 10))
    assert set(creation.randint(4, (500,)).tolist()) == {0, 1, 2, 3}
    assert creation.randint(-5, 0, (2, 3)).numpy().max() < 0
    assert creation.randint(0, 2, (50,), dtype=mg.bool).dtype == mg.bool
    p = creation.randperm(50)
    assert p.dtype == mg.int64 and sorted(p.tolist()) == list(range(50))
    assert creation.randperm(0).shape == (0,) and creation.randperm(4, dtype=mg.float32).dtype == mg.float32
    g = creation.normal(5.0, 2.0, (20000,))
    assert g.dtype == mg.float32 and abs(g.numpy().mean() - 5) < 0.1 and abs(g.numpy().std() - 2) < 0.1
    assert creation.normal(0.0, 0.0, (3,)).tolist() == [0.0, 0.0, 0.0]


def test_rand_stays_below_one_in_low_precision():
    mg.manual_seed(1)
    half = creation.rand(200_000, dtype=np.float16)       # ~50 draws would round up to 1.0
    assert half.dtype == np.float16 and half.numpy().max() < 1


def test_like_factories():
    x = mg.zeros(2, 3, dtype=mg.float64)
    for name in ('zeros_like', 'ones_like', 'empty_like', 'rand_like', 'randn_like'):
        t = fn(name)(x)
        assert t.shape == (2, 3) and t.dtype == mg.float64 and not t.requires_grad
        assert fn(name)(x, dtype=mg.float32).dtype == mg.float32
    assert creation.full_like(x, 4).tolist() == [[4.0] * 3] * 2
    i = creation.randint_like(mg.zeros(1000, dtype=mg.int32), 3, 7)
    assert i.dtype == np.int32 and set(i.tolist()) == {3, 4, 5, 6}
    assert set(creation.randint_like(x, 2).numpy().ravel().tolist()) <= {0.0, 1.0}
    assert creation.zeros_like(mg.tensor([1, 2])).dtype == mg.int64
    assert creation.empty_like(x).numpy().sum() == 0                     # documented: zeros
    with pytest.raises(TypeError, match=r"zeros_like\(\): argument 'input' must be a Tensor, not list"):
        creation.zeros_like([1.0, 2.0])
    with pytest.raises(NotImplementedError, match='needs a floating dtype'):
        creation.rand_like(mg.tensor([1, 2]))
    with pytest.raises(NotImplementedError, match=r'randn_like\(\).*got int64'):
        creation.randn_like(mg.tensor([1, 2]))


@pytest.mark.parametrize('make', [
    lambda: creation.rand(3, 4), lambda: creation.randn(5), lambda: creation.randint(0, 100, (6,)),
    lambda: creation.randperm(10), lambda: creation.normal(1.0, 2.0, (4,)),
    lambda: creation.normal(mg.zeros(3), mg.ones(3)), lambda: creation.rand_like(mg.ones(3)),
    lambda: creation.randn_like(mg.ones(3)), lambda: creation.randint_like(mg.ones(3), 10),
], ids=['rand', 'randn', 'randint', 'randperm', 'normal floats', 'normal tensors', 'rand_like', 'randn_like', 'randint_like'])
def test_manual_seed_makes_draws_reproducible(make):
    mg.manual_seed(123)
    first = make().numpy().copy()
    second = make().numpy()
    mg.manual_seed(123)
    np.testing.assert_array_equal(make().numpy(), first)
    assert not np.array_equal(first, second)


def test_random_factories_have_the_right_distribution():
    mg.manual_seed(0)
    n = mg.randn(20_000)._array
    u = mg.rand(20_000)._array
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01


@pytest.mark.parametrize('make', [lambda: mg.randn(3, 2), lambda: mg.rand(4),
                                  lambda: mg.randn_like(mg.zeros(2, 2))], ids=['randn', 'rand', 'randn_like'])
def test_manual_seed_replays_the_same_draws_and_another_seed_differs(make):
    mg.manual_seed(123)
    first = [make()._array for _ in range(3)]
    mg.manual_seed(123)
    second = [make()._array for _ in range(3)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])       # the stream moves on
    mg.manual_seed(124)
    assert not np.array_equal(make()._array, first[0])


def test_generator_argument_takes_a_numpy_generator():
    a = creation.randn(4, generator=np.random.default_rng(7))
    b = creation.randn(4, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(TypeError, match='np.random.Generator'):
        creation.rand(2, generator=7)


def test_randint_overloads_and_errors():
    assert creation.randint(10, (3,)).shape == (3,)
    assert creation.randint(3, 10, (2, 2)).shape == (2, 2)
    assert creation.randint(10, size=(4,)).numpy().max() < 10
    assert creation.randint(3, high=10, size=(4,)).numpy().min() >= 3
    assert creation.randint(10, (3,), dtype=mg.float32).dtype == mg.float32
    with pytest.raises(RuntimeError, match=r'expects low < high .*got low=10, high=10'):
        creation.randint(10, 10, (3,))
    with pytest.raises(RuntimeError, match=r'got low=0, high=0'):
        creation.randint(0, (3,))
    with pytest.raises(TypeError, match=r"argument 'high' must be an int, not float \(got 2.5\)"):
        creation.randint(2.5, (3,))
    with pytest.raises(RuntimeError, match=r'\[0, 300\) does not fit uint8'):
        creation.randint(300, (3,), dtype=np.uint8)
    with pytest.raises(RuntimeError, match=r'randperm\(\): n must be non-negative, got -1'):
        creation.randperm(-1)
    with pytest.raises(TypeError, match=r"randperm\(\): argument 'n' must be an int, not float"):
        creation.randperm(2.0)


def test_normal_overloads():
    mean, std = mg.zeros(2, 1), mg.ones(3)
    assert creation.normal(mean, std).shape == (2, 3)                     # broadcast, as PyTorch
    assert creation.normal(mg.zeros(3)).shape == (3,)                     # std defaults to 1.0
    assert creation.normal(mean=mg.zeros(3)).shape == (3,)
    assert creation.normal(0.0, mg.ones(4)).shape == (4,)
    assert creation.normal(mg.zeros(3, dtype=mg.float64), 1.0).dtype == mg.float64
    # PyTorch's dtype rule: mean's dtype when it is a tensor, else std's
    assert creation.normal(mg.zeros(2), mg.ones(2, dtype=mg.float64)).dtype == mg.float32
    assert creation.normal(mg.zeros(2, dtype=mg.float64), mg.ones(2)).dtype == mg.float64
    assert creation.normal(1.0, mg.ones(2, dtype=mg.float64)).dtype == mg.float64
    with pytest.raises(TypeError, match=r'float mean and std needs a size'):
        creation.normal(0.0, 1.0)
    with pytest.raises(TypeError, match=r'size=, dtype= and requires_grad= go with float mean and std only'):
        creation.normal(mg.zeros(3), 1.0, size=(3,))
    with pytest.raises(RuntimeError, match=r'expects std >= 0.0, but found std -1'):
        creation.normal(0.0, -1, (2,))
    with pytest.raises(RuntimeError, match=r'all elements of std >= 0.0'):
        creation.normal(mg.zeros(3), -mg.ones(3))
    with pytest.raises(RuntimeError, match=r'do not broadcast'):
        creation.normal(mg.zeros(3), mg.ones(4))
    with pytest.raises(NotImplementedError, match='floating dtype'):
        creation.normal(mg.zeros(3, dtype=mg.int64), 1.0)


def test_normal_is_differentiable_in_mean_and_std():
    mean = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    std = mg.tensor([0.5, 2.0, 1.0], requires_grad=True)
    sample = creation.normal(mean, std)
    assert sample.requires_grad and sample.grad_fn is not None and sample.dtype == mg.float32
    sample.sum().backward()
    np.testing.assert_allclose(mean.grad.numpy(), np.ones(3))
    noise = (sample.detach().numpy() - mean.detach().numpy()) / std.detach().numpy()
    np.testing.assert_allclose(std.grad.numpy(), noise, rtol=1e-5, atol=1e-6)     # d/d std = (x - mean) / std
    with mg.no_grad():
        assert not creation.normal(mean, std).requires_grad
    assert not creation.normal(mean.detach(), 1.0).requires_grad


# ------------------------------------------------------------------ devices

DEVICE_CALLS = {
    'zeros': lambda d: creation.zeros(2, device=d), 'ones': lambda d: creation.ones(2, device=d),
    'empty': lambda d: creation.empty(2, device=d), 'full': lambda d: creation.full((2,), 1.0, device=d),
    'eye': lambda d: creation.eye(2, device=d), 'arange': lambda d: creation.arange(3, device=d),
    'linspace': lambda d: creation.linspace(0, 1, 3, device=d),
    'logspace': lambda d: creation.logspace(0, 1, 3, device=d),
    'rand': lambda d: creation.rand(2, device=d), 'randn': lambda d: creation.randn(2, device=d),
    'randint': lambda d: creation.randint(5, (2,), device=d), 'randperm': lambda d: creation.randperm(3, device=d),
    'normal': lambda d: creation.normal(0.0, 1.0, (2,), device=d),
    'normal tensors': lambda d: creation.normal(mg.zeros(2), 1.0, device=d),
    'zeros_like': lambda d: creation.zeros_like(mg.ones(2), device=d),
    'ones_like': lambda d: creation.ones_like(mg.ones(2), device=d),
    'empty_like': lambda d: creation.empty_like(mg.ones(2), device=d),
    'full_like': lambda d: creation.full_like(mg.ones(2), 3, device=d),
    'rand_like': lambda d: creation.rand_like(mg.ones(2), device=d),
    'randn_like': lambda d: creation.randn_like(mg.ones(2), device=d),
    'randint_like': lambda d: creation.randint_like(mg.ones(2), 5, device=d),
    'as_tensor': lambda d: creation.as_tensor([1.0], device=d),
}


@pytest.mark.parametrize('name', sorted(DEVICE_CALLS))
def test_device_argument(name):
    make = DEVICE_CALLS[name]
    for dev in (None, 'cpu', mg.device('cpu'), 'cpu:0'):
        assert make(dev).device == mg.device('cpu')
    label = name.split()[0]
    for dev in ('cuda', 'cuda:0', 'mps'):
        with pytest.raises(RuntimeError, match=rf"CPU only, so {label}\(\) cannot use device '{dev}'"):
            make(dev)


# --------------------------------------------------------------------- out=

def test_out_writes_into_the_given_tensor():
    out = mg.ones(3, dtype=mg.int64)
    version = out._version
    assert creation.zeros(3, out=out) is out and out.tolist() == [0, 0, 0] and out.dtype == mg.int64
    assert out._version > version                                       # an in-place change
    d = mg.zeros(4, dtype=mg.float64)
    assert creation.arange(4, out=d) is d and d.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert creation.linspace(0, 1, 3, out=mg.zeros(3, dtype=mg.int64)).tolist() == [0, 0, 1]
    assert creation.full((2,), 1.5, out=mg.zeros(2, dtype=mg.int64)).tolist() == [1, 1]
    assert creation.randint(5, (3,), out=mg.zeros(3, dtype=mg.float64)).dtype == mg.float64
    assert creation.normal(mg.zeros(3), 1.0, out=mg.zeros(3, dtype=mg.float64)).dtype == mg.float64
    e = mg.full((2,), 7.0)
    assert creation.empty(2, out=e) is e and e.tolist() == [7.0, 7.0]   # empty(out=) leaves values
    f = mg.zeros(3)
    assert creation.ones(3, out=f, requires_grad=True) is f and f.requires_grad


def test_out_errors_and_resizing():
    with pytest.raises(RuntimeError, match=r'dtype float64 does not match the dtype of the out= tensor \(float32\)'):
        creation.zeros(3, out=mg.zeros(3), dtype=mg.float64)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        creation.zeros(3, out=mg.ones(3, requires_grad=True))
    with pytest.raises(TypeError, match='out= must be a Tensor, got ndarray'):
        creation.zeros(3, out=np.zeros(3))
    with pytest.raises(NotImplementedError, match='floating dtype'):
        creation.randn(3, out=mg.zeros(3, dtype=mg.int64))
    out = mg.ones(2)
    with pytest.warns(UserWarning, match=r'resized since it had shape \[2\].*output shape \[3\]'):
        creation.ones(3, out=out)
    assert out.shape == (3,)
    empty = mg.zeros(0)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert creation.arange(4, out=empty).shape == (4,)


# -------------------------------------------------------------------- NumPy

def test_from_numpy_shares_memory():
    a = np.arange(6.0).reshape(2, 3)
    t = creation.from_numpy(a)
    assert t.dtype == mg.float64 and t.shape == (2, 3)                   # keeps NumPy's dtype
    a[0, 0] = 42
    assert t[0, 0].item() == 42
    t.numpy()[1, 2] = -1
    assert a[1, 2] == -1
    assert creation.from_numpy(np.arange(3)).dtype == mg.int64
    with pytest.raises(TypeError, match=r'expected np.ndarray \(got list\)'):
        creation.from_numpy([1, 2])
    with pytest.raises(TypeError, match=r"can't convert np.ndarray of type <U1"):
        creation.from_numpy(np.array(['a']))


def test_as_tensor_shares_when_it_can():
    a = np.arange(3.0, dtype=np.float32)
    t = creation.as_tensor(a)
    a[0] = 9
    assert t.tolist() == [9.0, 1.0, 2.0]                                # shared
    c = creation.as_tensor(a, dtype=mg.float64)
    a[1] = 8
    assert c.dtype == mg.float64 and c.tolist() == [9.0, 1.0, 2.0]      # converted, so copied
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert creation.as_tensor(x) is x and creation.as_tensor(x, dtype=mg.float32) is x
    y = creation.as_tensor(x, dtype=mg.float64)
    assert y.dtype == mg.float64 and y.requires_grad                     # the conversion stays in the graph
    assert creation.as_tensor([1.5, 2]).dtype == mg.float32                 # mg.tensor's rules for lists
    assert creation.as_tensor([1, 2]).dtype == mg.int64
    assert creation.as_tensor(3.0).shape == () and creation.as_tensor(np.float64(1)).dtype == mg.float64
    assert creation.as_tensor([1, 2], dtype=mg.float64).dtype == mg.float64
    with pytest.raises(TypeError):
        creation.as_tensor([1, 2], mg.float64)          # keyword-only, as in PyTorch


@needs_torch
def test_numpy_bridges_match_pytorch():
    for data in ([1, 2], [1.5, 2.0], [True, False], np.arange(3), np.arange(3.0), np.float32(2.5), 3):
        ours, theirs = creation.as_tensor(data), torch.as_tensor(data)
        assert ours.dtype == np.dtype(str(theirs.dtype).replace('torch.', '')) and ours.tolist() == theirs.tolist()
    for array in (np.arange(4, dtype=np.int32), np.ones((2, 2), np.float16), np.array([True])):
        assert creation.from_numpy(array).dtype == array.dtype == np.dtype(str(torch.from_numpy(array).dtype).replace('torch.', ''))
