"""dtypes and shapes: the dtype names (`mg.float32`, `mg.long`, ...), the dtype data gets, promotion, `Size`.

minigrad's dtypes are NumPy's: `mg.float32 is np.dtype(np.float32)`. A tensor made
from Python floats is float32, from Python ints int64, from bools bool; a NumPy
array keeps its dtype (`_to_array`). Mixed operands follow PyTorch's promotion
(`_promote`).
"""
import numpy as np

Tensor = None           # minigrad.tensor sets this (it imports us, so we cannot import it)

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
    """Python floats -> float32, ints -> int64, bools -> bool; NumPy input keeps its dtype."""
    if isinstance(data, Tensor):
        data = data._array
    if dtype is not None:
        return np.array(data, dtype=np.dtype(dtype))
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)
    array = np.array(data)
    if array.dtype == np.float64 and not _holds_typed(data):
        array = array.astype(np.float32)
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
