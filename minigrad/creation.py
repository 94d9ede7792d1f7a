"""Factories: new tensors of a given shape, with PyTorch's signatures and defaults.

Every factory takes PyTorch's keyword arguments: `dtype=` (a NumPy dtype, an
`mg.float32`-style name or anything `np.dtype()` accepts; `None` means
PyTorch's default: the default dtype (`mg.get_default_dtype()`, float32 unless
`mg.set_default_dtype` changed it) for floating values, int64 for `arange`/`full`
of integers, `randint`, `randperm`), `device=` ('cpu' or None; any other
device raises a clear error), `requires_grad=` and, where PyTorch has it,
`out=` (the values are written into that tensor, which is returned).
Sizes are given as PyTorch takes them: `zeros(2, 3)`, `zeros((2, 3))`,
`zeros([2, 3])` or `zeros(size=(2, 3))`.

Random factories draw from `minigrad.random.numpy_generator(generator)`: with
`generator=None` that is minigrad's generator, so `mg.manual_seed(seed)` makes them
reproducible; `generator=` takes an `mg.Generator` or a NumPy `np.random.Generator`
to draw from instead. Those draws are NumPy's: the same seed gives other numbers than in
PyTorch. With `generator=` an `mg.Generator`, `rand`, `randn`, `randint`, `randperm`, `normal`
(float mean and std) and their `_like` forms draw from its PyTorch stream
(`minigrad.random.TorchStream`): they then give PyTorch's values bit for bit for the same seed.

`linspace`, `logspace` and `arange` compute their values the way PyTorch's CPU
kernels do (including their fused multiply-adds and, for `arange`, its vector
blocks), so for float32 and float64 the values are PyTorch's bit for bit, not
just close. (One exception: above 32768 values PyTorch's `arange` splits the
work among its threads, which can change the last bit of some values.)
"""
import math
import operator
import warnings

import numpy as np

from . import device as _device
from .autograd.mode import is_grad_enabled
from .random import numpy_generator, torch_stream
from .dtypes import bool as _BOOL, get_default_dtype, int64 as _INT
from .tensor import Tensor

__all__ = ['zeros', 'ones', 'empty', 'full', 'eye', 'arange', 'linspace', 'logspace',
           'rand', 'randn', 'randint', 'randperm', 'normal',
           'zeros_like', 'ones_like', 'empty_like', 'full_like', 'rand_like', 'randn_like',
           'randint_like', 'from_numpy', 'as_tensor']

_FROM_NUMPY_KINDS = 'biufc'             # bool, signed, unsigned, floating, complex


# ------------------------------------------------------------------ arguments

def _is_sequence(x):
    return isinstance(x, (tuple, list))


def _int_arg(value, name, arg, what='an int'):
    """`value` as a Python int (ints, NumPy ints, one-element integer tensors); bools, floats and
    anything else raise PyTorch's TypeError, naming the function, the argument and what was given."""
    if not isinstance(value, (bool, np.bool_, float, np.floating)):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise TypeError(f"{name}(): argument '{arg}' must be {what}, not {type(value).__name__} "
                    f"(got {value!r})")


def _size(args, size, name, allow_int=True):
    """The shape from `f(2, 3)`, `f((2, 3))`, `f([2, 3])` or `f(size=(2, 3))`, as a tuple of ints."""
    if size is not None:
        if args:
            raise TypeError(f"{name}() got multiple values for argument 'size': {args!r} and "
                            f"size={size!r}; give the size one way, e.g. {name}(2, 3) or "
                            f"{name}(size=(2, 3))")
        dims = size
    elif len(args) == 1 and (_is_sequence(args[0]) or not allow_int):
        dims = args[0]
    elif not args:
        raise TypeError(f"{name}() missing 1 required positional argument: 'size' "
                        f"(e.g. {name}(2, 3) or {name}((2, 3)); {name}(()) makes a 0-d tensor)")
    else:
        dims = args
    if not _is_sequence(dims):
        if not allow_int:
            raise TypeError(f"{name}(): argument 'size' must be a tuple of ints, not "
                            f"{type(dims).__name__} (got {dims!r}); e.g. (3,) or (2, 3)")
        dims = (dims,)
    shape = []
    for pos, n in enumerate(dims):
        try:
            shape.append(_int_arg(n, name, 'size'))
        except TypeError:
            raise TypeError(f"{name}(): argument 'size' must be a tuple of ints, but found element "
                            f"of type {type(n).__name__} at pos {pos} (got size {tuple(dims)!r})"
                            ) from None
    if any(n < 0 for n in shape):
        raise RuntimeError(f'{name}(): sizes must be non-negative, got size {tuple(shape)}')
    return tuple(shape)


def _dtype(dtype, name, default=None):
    """`dtype` checked, or `default` (by default the default dtype, float32 unless changed)."""
    if dtype is None:
        return np.dtype(get_default_dtype() if default is None else default)
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f'{name}(): dtype must be a dtype such as mg.float32 or mg.int64, '
                        f'got {dtype!r}') from None


def _complex():
    """The complex dtype of complex values: complex128 when the default dtype is float64."""
    return np.dtype(np.complex128 if get_default_dtype() == np.float64 else np.complex64)


def _check_device(device, name):
    _device.check(device, f'{name}()')


def _number(value, name, arg):
    """A Python number from a number, NumPy scalar or one-element tensor."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise TypeError(f"{name}(): argument '{arg}' must be a number or a one-element "
                            f"tensor, got a tensor of shape {tuple(value.shape)}")
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (int, float, complex)):
        return value
    raise TypeError(f"{name}(): argument '{arg}' must be a number, not {type(value).__name__} "
                    f"(got {value!r})")


def _is_floating(value):
    """Whether a number (or one-element tensor) counts as floating for PyTorch's dtype inference."""
    if isinstance(value, Tensor):
        return value.dtype.kind == 'f'
    return isinstance(value, (float, np.floating))


def _need_float(dtype, name):
    if dtype.kind != 'f':
        raise NotImplementedError(f'{name}() draws floating point values, so it needs a floating '
                                  f'dtype (e.g. mg.float32), got {dtype}')


def _out_dtype(dtype, out, name, default=None):
    """The dtype to compute in: `dtype`, else `out`'s, else `default` (as PyTorch's out= variants)."""
    if out is None:
        return _dtype(dtype, name, default)
    if not isinstance(out, Tensor):
        raise TypeError(f'{name}(): out= must be a Tensor, got {type(out).__name__}')
    if dtype is not None and _dtype(dtype, name) != out.dtype:
        raise RuntimeError(f'{name}(): dtype {np.dtype(dtype)} does not match the dtype of the '
                           f'out= tensor ({out.dtype})')
    return out.dtype


def _finish(array, name, out=None, requires_grad=False):
    """Wraps `array` as a new leaf (or writes it into `out`), with requires_grad set."""
    if out is None:
        t = Tensor._wrap(array)
    else:
        t = _write_out(out, array, name)
    return t.requires_grad_(True) if requires_grad else t


def _check_out_grad(out, name):
    if out.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           f"differentiation, but one of the arguments requires grad.")


def _write_out(out, array, name):
    _check_out_grad(out, name)
    array = np.asarray(array, dtype=out.dtype)
    if tuple(out.shape) == array.shape:
        out.copy_(Tensor._wrap(array))
        return out
    if out.numel():
        warnings.warn(f'{name}(): an output with one or more elements was resized since it had '
                      f'shape {list(out.shape)}, which does not match the required output shape '
                      f'{list(array.shape)} (PyTorch deprecates this; pass an out= tensor of the '
                      f'right shape)', UserWarning, stacklevel=3)
    out.data = Tensor._wrap(array)
    return out


# ----------------------------------------------------- fused multiply-add
# PyTorch's CPU kernels compute `start + step * i` with a fused multiply-add (one rounding);
# NumPy has none, so it is built from error-free transformations (Dekker, Knuth).

def _two_product(a, b):
    p = a * b
    bits = np.finfo(p.dtype).nmant + 1
    split = p.dtype.type(2 ** ((bits + 1) // 2) + 1)
    ca, cb = split * a, split * b
    a_hi = ca - (ca - a)
    b_hi = cb - (cb - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _fma(a, b, c, dtype):
    """`a * b + c` in `dtype`, rounded once as a fused multiply-add would."""
    a, b, c = (np.asarray(x, dtype=dtype) for x in (a, b, c))
    with np.errstate(over='ignore', invalid='ignore'):
        p, e = _two_product(a, b)
        s = p + c
        bb = s - p
        t = (p - (s - bb)) + (c - bb)
        result = s + (t + e)
    exact = np.isfinite(result)
    if not np.all(exact):                   # overflow or infinities: the plain formula is right
        result = np.where(exact, result, a * b + c)
    return result


# ------------------------------------------------------------- the factories


def zeros(*sizes, size=None, out=None, dtype=None, device=None, requires_grad=False):
    """A tensor filled with 0: `zeros(2, 3)`, `zeros((2, 3))` or `zeros(size=(2, 3))`."""
    shape = _size(sizes, size, 'zeros')
    _check_device(device, 'zeros')
    dt = _out_dtype(dtype, out, 'zeros')
    return _finish(np.zeros(shape, dt), 'zeros', out, requires_grad)


def ones(*sizes, size=None, out=None, dtype=None, device=None, requires_grad=False):
    """A tensor filled with 1: `ones(2, 3)`, `ones((2, 3))` or `ones(size=(2, 3))`."""
    shape = _size(sizes, size, 'ones')
    _check_device(device, 'ones')
    dt = _out_dtype(dtype, out, 'ones')
    return _finish(np.ones(shape, dt), 'ones', out, requires_grad)


def empty(*sizes, size=None, out=None, dtype=None, device=None, requires_grad=False):
    """A tensor whose values are to be overwritten. PyTorch leaves them uninitialised (any
    values at all); minigrad fills them with zeros, but code should not rely on either.
    With `out=` of the right shape, `out` is returned unchanged, as in PyTorch."""
    shape = _size(sizes, size, 'empty')
    _check_device(device, 'empty')
    dt = _out_dtype(dtype, out, 'empty')
    if out is not None and tuple(out.shape) == shape:
        _check_out_grad(out, 'empty')
        return out.requires_grad_(True) if requires_grad else out
    return _finish(np.zeros(shape, dt), 'empty', out, requires_grad)


def _fill_array(shape, fill, dt, name):
    """`np.full`, with PyTorch's errors for values the dtype cannot hold."""
    if isinstance(fill, complex) and dt.kind != 'c':
        if fill.imag != 0:
            raise RuntimeError(f'{name}(): fill value {fill} cannot be converted to {dt} '
                               f'without losing its imaginary part')
        fill = fill.real
    if dt.kind in 'iu':
        if isinstance(fill, float) and not math.isfinite(fill):
            raise RuntimeError(f'{name}(): fill value {fill} cannot be converted to {dt}')
        info = np.iinfo(dt)
        if not info.min <= math.trunc(fill) <= info.max:
            raise RuntimeError(f'{name}(): fill value {fill} cannot be converted to {dt} without '
                               f'overflow (its range is {info.min} to {info.max})')
    return np.full(shape, fill, dt)


def full(size, fill_value, *, out=None, dtype=None, device=None, requires_grad=False):
    """A tensor of shape `size` filled with `fill_value`. The dtype follows the value, as in
    PyTorch: bool -> bool, int -> int64, float -> float32 (complex -> complex64)."""
    shape = _size((size,), None, 'full')
    fill = _number(fill_value, 'full', 'fill_value')
    _check_device(device, 'full')
    if isinstance(fill_value, Tensor):
        kind = fill_value.dtype.kind
        default = _BOOL if kind == 'b' else _INT if kind in 'iu' else \
            _complex() if kind == 'c' else None
    else:
        default = _BOOL if isinstance(fill, bool) else _INT if isinstance(fill, int) else \
            _complex() if isinstance(fill, complex) else None
    dt = _out_dtype(dtype, out, 'full', default)
    return _finish(_fill_array(shape, fill, dt, 'full'), 'full', out, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, device=None, requires_grad=False):
    """The `n` x `m` identity matrix (`m` defaults to `n`)."""
    n = _int_arg(n, 'eye', 'n')
    m = n if m is None else _int_arg(m, 'eye', 'm')
    for name, value in (('n', n), ('m', m)):
        if value < 0:
            raise RuntimeError(f'eye(): {name} must be greater or equal to 0, got {value}')
    _check_device(device, 'eye')
    dt = _out_dtype(dtype, out, 'eye')
    return _finish(np.eye(n, m, dtype=dt), 'eye', out, requires_grad)


# ------------------------------------------------------------------- ranges

def _range_numbers(name, **values):
    numbers = {}
    for arg, value in values.items():
        number = _number(value, name, arg)
        if isinstance(number, complex) and name == 'arange':
            raise TypeError(f"arange(): argument '{arg}' must be a real number, got {number!r}")
        numbers[arg] = number
    return numbers


def arange(start=0, end=None, step=1, *, out=None, dtype=None, device=None, requires_grad=False):
    """Values from `start` (default 0) up to `end`, exclusive, `step` apart: `arange(5)`,
    `arange(1, 4)`, `arange(0, 1, 0.25)`. int64, unless one of the three is a float: then
    float32 (PyTorch's rule). Floating values are computed as PyTorch's CPU kernel does."""
    if end is None:
        start, end = 0, start
    nums = _range_numbers('arange', start=start, end=end, step=step)
    floating = any(_is_floating(v) for v in (start, end, step))
    _check_device(device, 'arange')
    dt = _out_dtype(dtype, out, 'arange', None if floating else _INT)
    if dt.kind not in 'iuf':
        raise NotImplementedError(f'arange() makes integer or floating point values, not {dt}')
    s, e, st = nums['start'], nums['end'], nums['step']
    if not (math.isfinite(s) and math.isfinite(e)):
        raise RuntimeError(f'arange(): unsupported range: {s} -> {e}')
    if dt.kind in 'iu':
        s, e, st = math.trunc(s), math.trunc(e), math.trunc(st)
    if st == 0:
        raise RuntimeError(f'arange(): step must be nonzero, got step={nums["step"]}'
                           + (f' (truncated to 0 for {dt})' if nums['step'] != 0 else ''))
    if (st > 0 and e < s) or (st < 0 and e > s):
        raise RuntimeError(f'arange(): upper bound and lower bound inconsistent with step sign: '
                           f'start={s}, end={e}, step={st}')
    if dt.kind == 'f':
        values = _arange_floats(s, st, math.ceil((e - s) / st), dt)
    else:
        if dt == _INT:
            n = -((s - e) // st)                        # ceil((e - s) / st), exactly
        else:       # PyTorch sizes the other integer dtypes from the untruncated values
            n = max(math.ceil((nums['end'] - nums['start']) / nums['step']), 0)
        values = (s + st * np.arange(n, dtype=np.int64)).astype(dt)
    return _finish(values, 'arange', out, requires_grad)


def _arange_floats(start, step, n, dtype):
    """PyTorch's CPU arange: `start + step * i` by fused multiply-add in the accumulation type
    (double for float32/64), cast to `dtype`; in blocks of two 32-byte vectors each vector
    continues from its first value (`base + lane * step`), the tail element by element.
    (Above 32768 values PyTorch splits the work among threads, which moves those blocks.)"""
    acc = np.dtype(np.float32) if dtype.itemsize < 4 else np.dtype(np.float64)
    values = _fma(step, np.arange(n, dtype=acc), start, acc).astype(dtype)
    width = 32 // dtype.itemsize
    covered = n // (2 * width) * 2 * width
    if covered:
        bases = values[:covered:width].astype(acc)
        lanes = np.arange(width, dtype=acc)
        values[:covered] = _fma(lanes[None, :], step, bases[:, None], acc).astype(dtype).ravel()
    return values


def _steps(steps, name):
    steps = _int_arg(steps, name, 'steps')
    if steps < 0:
        raise RuntimeError(f'{name}(): number of steps must be non-negative, got steps={steps}')
    return steps


def _range_dtype(nums, dtype, out, name):
    default = _complex() if any(isinstance(v, complex) for v in nums.values()) else None
    dt = _out_dtype(dtype, out, name, default)
    if dt.kind == 'b':
        raise NotImplementedError(f'{name}() makes numbers, not bools; pass a numeric dtype')
    return dt


def _halves(steps, low, high):
    """PyTorch's symmetric ranges: the first half counts up from start, the rest down from end."""
    i = np.arange(steps)
    return np.where(i < steps // 2, low(i), high(steps - 1 - i))


def linspace(start, end, steps, *, out=None, dtype=None, device=None, requires_grad=False):
    """`steps` values evenly spaced from `start` to `end`, both included (float32 by default,
    whatever the type of start and end). Computed as PyTorch's CPU kernel does, so the values
    are PyTorch's bit for bit."""
    nums = _range_numbers('linspace', start=start, end=end)
    steps = _steps(steps, 'linspace')
    _check_device(device, 'linspace')
    dt = _range_dtype(nums, dtype, out, 'linspace')
    start, end = nums['start'], nums['end']
    if steps <= 1:
        return _finish(_fill_array((steps,), start, dt, 'linspace'), 'linspace', out,
                       requires_grad)
    if dt.kind in 'iu':         # integer ends, a double step, truncated results
        s, e = math.trunc(start), math.trunc(end)
        step = (float(e) - float(s)) / (steps - 1)
        wide = np.dtype(np.float64)
        values = _halves(steps, lambda i: _fma(step, i, s, wide),
                         lambda k: _fma(-step, k, e, wide))
    elif dt.kind == 'f' and dt.itemsize >= 4:       # all in dtype, fused multiply-adds
        s, e = dt.type(start), dt.type(end)
        step = (e - s) / dt.type(steps - 1)
        values = _halves(steps, lambda i: _fma(step, i.astype(dt), s, dt),
                         lambda k: _fma(-step, k.astype(dt), e, dt))
    else:                                           # float16, complex: plain arithmetic
        s, e = np.asarray(start, dt), np.asarray(end, dt)
        step = (e - s) / np.asarray(steps - 1, dt)
        values = _halves(steps, lambda i: s + step * i.astype(dt),
                         lambda k: e - step * k.astype(dt))
    return _finish(values.astype(dt), 'linspace', out, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, device=None,
             requires_grad=False):
    """`steps` values from `base ** start` to `base ** end`, exponents evenly spaced (float32
    by default). Computed as PyTorch's CPU kernel does (no fused multiply-add here; C's pow)."""
    nums = _range_numbers('logspace', start=start, end=end, base=base)
    steps = _steps(steps, 'logspace')
    _check_device(device, 'logspace')
    dt = _range_dtype(nums, dtype, out, 'logspace')
    start, end, base = nums['start'], nums['end'], nums['base']
    if dt.kind in 'iuf':        # start and end in dtype; exponents and powers in double
        s, e = (math.trunc(start), math.trunc(end)) if dt.kind in 'iu' else \
            (dt.type(start), dt.type(end))
        step = float(e - s) / max(steps - 1, 1)
        wide = np.dtype(np.float64)
        exponents = _halves(steps, lambda i: float(s) + step * i.astype(wide),
                            lambda k: float(e) - step * k.astype(wide)) if steps > 1 else \
            np.full(steps, float(start), wide)         # one value: base ** start, start as given
        values = np.array([_pow(float(base), x) for x in exponents.tolist()], wide)
    else:
        exponents = np.asarray(linspace(start, end, steps, dtype=dt)._array)
        values = np.power(np.asarray(base, dt), exponents)
    with np.errstate(over='ignore', invalid='ignore'):
        if dt == np.float16:            # C++ goes double -> float -> half
            values = values.astype(np.float32)
        values = values.astype(dt)
    return _finish(values, 'logspace', out, requires_grad)


def _pow(base, exponent):
    """C's pow(), which PyTorch calls (NumPy's vectorised power may differ in the last bit)."""
    try:
        return math.pow(base, exponent)
    except ValueError:                  # 0 to a negative power, or negative base, fractional one
        return math.inf if base == 0 else math.nan
    except OverflowError:
        return math.inf if base > 0 or float(exponent).is_integer() and exponent % 2 == 0 \
            else -math.inf


# ------------------------------------------------------------------- random

def rand(*sizes, size=None, generator=None, out=None, dtype=None, device=None,
         requires_grad=False):
    """Samples drawn uniformly from [0, 1): `rand(2, 3)`, `rand((2, 3))`, `rand(size=(2, 3))`."""
    shape = _size(sizes, size, 'rand')
    _check_device(device, 'rand')
    dt = _out_dtype(dtype, out, 'rand')
    return _finish(_uniform(generator, shape, dt, 'rand'), 'rand', out, requires_grad)


def _uniform(generator, shape, dt, name):
    _need_float(dt, name)
    stream = torch_stream(generator)
    if stream is None:
        values = numpy_generator(generator).random(shape).astype(dt)
    else:       # a draw rounded up to 1 (float16) becomes 0, as in PyTorch
        values = stream.uniform(math.prod(shape), dt).reshape(shape)
        return np.where(values < 1, values, dt.type(0))
    # a draw just below 1 can round up to 1 in float32 or float16: keep [0, 1) half-open
    return np.minimum(values, np.nextafter(dt.type(1), dt.type(0)))


def randn(*sizes, size=None, generator=None, out=None, dtype=None, device=None,
          requires_grad=False):
    """Samples from the standard normal distribution: `randn(2, 3)`, `randn(size=(2, 3))`."""
    shape = _size(sizes, size, 'randn')
    _check_device(device, 'randn')
    dt = _out_dtype(dtype, out, 'randn')
    return _finish(_standard_normal(generator, shape, dt, 'randn'), 'randn', out,
                   requires_grad)


def _standard_normal(generator, shape, dt, name):
    _need_float(dt, name)
    return _normals(generator, shape, dt)


def _normals(generator, shape, dt):
    """Standard normals of `shape` in `dt`: from an mg.Generator's PyTorch stream (PyTorch's
    values, see `TorchStream.normal`), else from the NumPy generator."""
    stream = torch_stream(generator)
    if stream is None:
        return numpy_generator(generator).standard_normal(shape).astype(dt)
    return stream.normal(math.prod(shape), dt).reshape(shape)


def _int_bounds(low, high, dt, name):
    low, high = _int_arg(low, name, 'low'), _int_arg(high, name, 'high')
    if low >= high:
        raise RuntimeError(f'{name}(): expects low < high (values are drawn from [low, high)), '
                           f'got low={low}, high={high}')
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        if low < info.min or high - 1 > info.max:
            raise RuntimeError(f'{name}(): the range [{low}, {high}) does not fit {dt} '
                               f'({info.min} to {info.max})')
    elif dt.kind == 'b' and (low < 0 or high > 2):
        raise RuntimeError(f'{name}(): the range [{low}, {high}) does not fit bool ([0, 2))')
    return low, high


def _draw_ints(generator, low, high, shape, dt):
    stream = torch_stream(generator)
    if stream is None:
        return numpy_generator(generator).integers(low, high, size=shape, dtype=np.int64).astype(dt)
    return stream.integers(low, high, math.prod(shape)).reshape(shape).astype(dt)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, device=None,
            requires_grad=False):
    """Integers drawn uniformly from [low, high): PyTorch's `randint(high, size)` and
    `randint(low, high, size)`, `size` a tuple. int64 unless `dtype=` says otherwise."""
    if size is None and _is_sequence(high):             # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:                                   # randint(high, size=...)
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing the 'size' argument: call randint(high, size) or "
                        "randint(low, high, size) with size a tuple, e.g. randint(0, 10, (3,))")
    shape = _size((), size, 'randint', allow_int=False)
    _check_device(device, 'randint')
    dt = _out_dtype(dtype, out, 'randint', _INT)
    low, high = _int_bounds(low, high, dt, 'randint')
    return _finish(_draw_ints(generator, low, high, shape, dt), 'randint', out,
                   requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0, ..., n - 1 (int64 unless `dtype=` says otherwise)."""
    n = _int_arg(n, 'randperm', 'n')
    if n < 0:
        raise RuntimeError(f'randperm(): n must be non-negative, got {n}')
    _check_device(device, 'randperm')
    dt = _out_dtype(dtype, out, 'randperm', _INT)
    return _finish(_permutation(generator, n).astype(dt), 'randperm', out, requires_grad)


def _permutation(generator, n):
    """A uniform permutation of range(n): from an mg.Generator's PyTorch stream, PyTorch's
    (`TorchStream.permutation`), else NumPy's."""
    stream = torch_stream(generator)
    if stream is None:
        return numpy_generator(generator).permutation(n)
    return stream.permutation(n)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False):
    """Samples from normal distributions, PyTorch's four ways:

    - `normal(mean, std, size)` with float mean and std: a tensor of shape `size`;
    - `normal(mean, std)` with tensors: one sample per element of their broadcast shape, with
      the dtype of `mean` (or of `std` when only it is a tensor); `std` may be a float
      (default 1.0), `mean` a float (default 0.0).

    With tensors it is differentiable in `mean` and `std` (a sample is `mean + std * noise`).
    """
    _check_device(device, 'normal')
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        m, s = _number(mean, 'normal', 'mean'), _number(std, 'normal', 'std')
        if size is None:
            raise TypeError('normal() with a float mean and std needs a size: normal(mean, std, '
                            'size), e.g. normal(0.0, 1.0, (2, 3)); or pass tensors as mean/std')
        shape = _size((), size, 'normal', allow_int=False)
        if s < 0:
            raise RuntimeError(f'normal(): expects std >= 0.0, but found std {s}')
        dt = _out_dtype(dtype, out, 'normal')
        _need_float(dt, 'normal')
        return _finish(_scaled_normals(generator, shape, dt, m, s), 'normal', out, requires_grad)

    if size is not None or dtype is not None or requires_grad:
        raise TypeError('normal() with tensor mean/std takes its shape and dtype from them: '
                        'size=, dtype= and requires_grad= go with float mean and std only')
    like = mean if isinstance(mean, Tensor) else std
    dt = like.dtype if out is None else out.dtype
    _need_float(like.dtype, 'normal')
    m = mean._array if isinstance(mean, Tensor) else _number(mean, 'normal', 'mean')
    s = std._array if isinstance(std, Tensor) else _number(std, 'normal', 'std')
    if np.any(np.asarray(s) < 0):
        raise RuntimeError('normal(): expects all elements of std >= 0.0')
    try:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    except ValueError:
        raise RuntimeError(f'normal(): the shapes of mean {tuple(np.shape(m))} and std '
                           f'{tuple(np.shape(s))} do not broadcast') from None
    if torch_stream(generator) is not None and not isinstance(std, Tensor):
        noise, s = _scaled_normals(generator, shape, dt, 0.0, s), 1     # PyTorch: normal_(0, std) + mean
    else:
        noise = _normals(generator, shape, dt)
    tracked = [t for t in (mean, std) if isinstance(t, Tensor) and t.requires_grad]
    if tracked and is_grad_enabled() and out is None:
        m = mean.to(dtype=dt) if isinstance(mean, Tensor) else m
        s = std.to(dtype=dt) if isinstance(std, Tensor) else s
        return s * Tensor._wrap(noise) + m
    values = np.asarray(s).astype(dt) * noise + np.asarray(m).astype(dt)
    return _finish(np.asarray(values, dt), 'normal', out)


def _scaled_normals(generator, shape, dt, mean, std):
    """mean + std * N(0, 1) in `dt`, the product and sum taken in float64, as PyTorch does, but
    in its vector fill (an mg.Generator, 16 values and up), where mean and std are in `dt` and
    the product and sum one fused multiply-add (exact in float64 for float32)."""
    vector_fill = torch_stream(generator) is not None and math.prod(shape) >= 16
    noise = _normals(generator, shape, dt if vector_fill else np.float64)
    if vector_fill:
        mean, std = dt.type(mean), dt.type(std)
    return (noise.astype(np.float64) * std + mean).astype(dt)


# ------------------------------------------------------------- _like factories

def _like(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be a Tensor, not "
                        f"{type(input).__name__}")
    return tuple(input.shape)


def _like_dtype(input, dtype, name):
    return _dtype(dtype, name, input.dtype)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False):  # noqa: A002
    """Zeros with the shape (and, unless `dtype=` says otherwise, the dtype) of `input`."""
    shape = _like(input, 'zeros_like')
    _check_device(device, 'zeros_like')
    return _finish(np.zeros(shape, _like_dtype(input, dtype, 'zeros_like')), 'zeros_like',
                   requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False):  # noqa: A002
    """Ones with the shape (and, unless `dtype=` says otherwise, the dtype) of `input`."""
    shape = _like(input, 'ones_like')
    _check_device(device, 'ones_like')
    return _finish(np.ones(shape, _like_dtype(input, dtype, 'ones_like')), 'ones_like',
                   requires_grad=requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False):  # noqa: A002
    """Like `empty`: PyTorch leaves the values uninitialised; minigrad gives zeros."""
    shape = _like(input, 'empty_like')
    _check_device(device, 'empty_like')
    return _finish(np.zeros(shape, _like_dtype(input, dtype, 'empty_like')), 'empty_like',
                   requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):  # noqa: A002
    """`fill_value` in the shape and (unless `dtype=` says otherwise) the dtype of `input`."""
    shape = _like(input, 'full_like')
    fill = _number(fill_value, 'full_like', 'fill_value')
    _check_device(device, 'full_like')
    dt = _like_dtype(input, dtype, 'full_like')
    return _finish(_fill_array(shape, fill, dt, 'full_like'), 'full_like',
                   requires_grad=requires_grad)


def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad=False):  # noqa: A002
    """`rand` with the shape and (unless `dtype=` says otherwise) the dtype of `input`."""
    shape = _like(input, 'rand_like')
    _check_device(device, 'rand_like')
    dt = _like_dtype(input, dtype, 'rand_like')
    return _finish(_uniform(generator, shape, dt, 'rand_like'), 'rand_like',
                   requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad=False):  # noqa: A002
    """`randn` with the shape and (unless `dtype=` says otherwise) the dtype of `input`."""
    shape = _like(input, 'randn_like')
    _check_device(device, 'randn_like')
    dt = _like_dtype(input, dtype, 'randn_like')
    return _finish(_standard_normal(generator, shape, dt, 'randn_like'), 'randn_like',
                   requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,  # noqa: A002
                 requires_grad=False):
    """`randint` in the shape and (unless `dtype=` says otherwise) the dtype of `input`:
    `randint_like(x, high)` or `randint_like(x, low, high)`."""
    if high is None:
        low, high = 0, low
    shape = _like(input, 'randint_like')
    _check_device(device, 'randint_like')
    dt = _like_dtype(input, dtype, 'randint_like')
    low, high = _int_bounds(low, high, dt, 'randint_like')
    return _finish(_draw_ints(generator, low, high, shape, dt), 'randint_like',
                   requires_grad=requires_grad)


# -------------------------------------------------------------------- NumPy

def _numpy_dtype_ok(array):
    return array.dtype.kind in _FROM_NUMPY_KINDS and array.dtype.isnative


def from_numpy(ndarray):
    """A tensor sharing `ndarray`'s memory: changing one changes the other (as in PyTorch)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f'from_numpy(): expected np.ndarray (got {type(ndarray).__name__}); '
                        f'use mg.tensor(data) or mg.as_tensor(data) for other data')
    if not _numpy_dtype_ok(ndarray):
        raise TypeError(f"from_numpy(): can't convert np.ndarray of type {ndarray.dtype}: the "
                        f"supported types are bool, integers, floating point and complex "
                        f"numbers in native byte order")
    return Tensor._wrap(ndarray)


def as_tensor(data, *, dtype=None, device=None):
    """`data` as a tensor, sharing memory when it can (as PyTorch): a Tensor of the same dtype
    is returned itself (a dtype conversion stays in the graph), a NumPy array of the same
    dtype is shared; anything else is copied with `mg.tensor`'s rules."""
    _check_device(device, 'as_tensor')
    dt = None if dtype is None else _dtype(dtype, 'as_tensor')
    if isinstance(data, Tensor):
        return data if dt is None or dt == data.dtype else data.to(dtype=dt)
    if isinstance(data, np.ndarray) and _numpy_dtype_ok(data):
        return Tensor._wrap(data if dt is None or dt == data.dtype else data.astype(dt))
    return Tensor(data, dtype=dt)
