"""dtypes and shapes: the dtype names (`mg.float32`, `mg.long`, ...), the dtype data gets, promotion, `Size`,
and PyTorch's dtype helpers: `finfo`, `iinfo`, `get_default_dtype`, `set_default_dtype`.

minigrad's dtypes are NumPy's: `mg.float32 is np.dtype(np.float32)`. A tensor made
from Python floats has the default dtype (float32 unless `set_default_dtype` changed it),
from Python ints int64, from bools bool; a NumPy array keeps its dtype (`_to_array`).
Mixed operands follow PyTorch's promotion (`_promote`).
"""
import builtins

import numpy as np

Tensor = None           # minigrad.tensor sets this (it imports us, so we cannot import it)

dtype = np.dtype                 # the type of every dtype below: isinstance(x, mg.dtype)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
int16 = np.dtype(np.int16)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)                       # noqa: A001 (mirrors torch.bool)
# PyTorch's other names for them. They hide Python's float, int and bool in this
# module, whose code never needs those.
float = float32                                 # noqa: A001
double = float64
half = float16
long = int64
int = int32                                     # noqa: A001
short = int16

_LEGACY_NAMES = {float32: 'FloatTensor', float64: 'DoubleTensor', int64: 'LongTensor',
                 int32: 'IntTensor', bool: 'BoolTensor'}


class Size(tuple):
    """A tensor's shape: a tuple of ints (PyTorch's `torch.Size`)."""

    def numel(self):
        return np.prod(self, dtype=np.int64).item()

    def __repr__(self):
        return f'minigrad.Size({list(self)})'

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


def _to_array(data, dtype=None):
    """Python floats -> the default dtype (float32), ints -> int64, bools -> bool; NumPy input keeps its dtype."""
    if isinstance(data, Tensor):
        data = data._array
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype))
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)
    array = np.array(data)
    if array.dtype == np.float64 and not _holds_typed(data):
        array = array.astype(_default_float)
    elif array.dtype.kind == 'i':
        array = array.astype(np.int64)
    elif array.dtype.kind not in 'bf':
        raise TypeError(f'tensor() expects numbers, (nested) lists of numbers or a NumPy array, '
                        f'got data of NumPy dtype {array.dtype}')
    return array


def _holds_typed(data):
    """True if (the first leaf of) nested lists is a tensor or NumPy value, whose dtype counts."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, (Tensor, np.ndarray, np.generic))


def _promote(a, b):
    """PyTorch's rules for mixed operands: an integer or bool tensor meeting a float one takes
    its dtype; a 0-d tensor meeting a dimensioned one of the same kind takes the other's dtype."""
    da, db = a._array.dtype, b._array.dtype
    if da is db or da == db:
        return a, b
    if (da.kind == 'f') != (db.kind == 'f'):
        if da.kind == 'f':
            return a, Tensor._wrap(b._array.astype(da))
        return Tensor._wrap(a._array.astype(db)), b
    if _CATEGORY[da.kind] == _CATEGORY[db.kind]:
        if a._array.ndim == 0 and b._array.ndim:
            return a._cast(db), b
        if b._array.ndim == 0 and a._array.ndim:
            return a, b._cast(da)
    return a, b                             # otherwise NumPy's rule (bool with int: the int)


_CATEGORY = {'b': 0, 'u': 1, 'i': 1, 'f': 2, 'c': 3}


# ------------------------------------------------------------ default dtype

_default_float = float32        # what Python floats and the float factories give


def get_default_dtype():
    """The dtype Python floats and floating factories (`mg.zeros`, `mg.rand`, ...) give: float32
    unless `set_default_dtype` changed it."""
    return _default_float


def set_default_dtype(d):
    """Makes `d` (float32, float64 or float16) the dtype of Python floats and of floating
    factories from now on, as PyTorch's `torch.set_default_dtype`."""
    global _default_float
    try:
        dtype = np.dtype(d)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != 'f':
        raise TypeError(f'only floating-point types are supported as the default type (float32, '
                        f'float64 or float16), got {d!r}')
    _default_float = dtype


# --------------------------------------------------------------- finfo, iinfo

class finfo:                                    # noqa: N801 (PyTorch's name)
    """The limits of a floating dtype (the default dtype if none is given), as `torch.finfo`:
    bits, eps (the gap above 1), max, min, tiny = smallest_normal (the smallest positive normal
    number), resolution (10 ** -precision, the decimal digits it holds) and dtype (its name)."""

    def __init__(self, type=None):              # noqa: A002 (PyTorch's name)
        dtype = _default_float if type is None else np.dtype(type)
        if dtype.kind != 'f':
            raise TypeError(f'minigrad.finfo() requires a floating point input type, got {dtype}; '
                            f'use minigrad.iinfo for integer types')
        info = np.finfo(dtype)
        self.bits, self.dtype = info.bits, dtype.name
        self.eps, self.max, self.min = builtins.float(info.eps), builtins.float(info.max), builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = 10.0 ** -builtins.int(info.precision)

    def __repr__(self):
        return (f'finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, '
                f'eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, '
                f'dtype={self.dtype})')


class iinfo:                                    # noqa: N801
    """The limits of an integer dtype, as `torch.iinfo`: bits, max, min and dtype (its name)."""

    def __init__(self, type):                   # noqa: A002
        dtype = np.dtype(type)
        if dtype.kind == 'b':
            raise TypeError('minigrad.bool is not supported by minigrad.iinfo')
        if dtype.kind not in 'iu':
            raise TypeError(f'minigrad.iinfo() requires an integer input type, got {dtype}; '
                            f'use minigrad.finfo for floating point types')
        info = np.iinfo(dtype)
        self.bits, self.max, self.min, self.dtype = info.bits, builtins.int(info.max), builtins.int(info.min), dtype.name

    def __repr__(self):
        return f'iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})'
