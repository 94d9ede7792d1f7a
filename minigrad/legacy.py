"""Names from older PyTorch tutorials, kept as thin aliases so that code runs.

`Variable(t, requires_grad=True)` is a tensor since PyTorch 0.4; the typed
constructors (`FloatTensor([1, 2])`, `LongTensor(3)`) make tensors of a dtype.
New code should use `mg.tensor(data, dtype=..., requires_grad=...)`.
"""
import numpy as np

from .tensor import Tensor


def Variable(data, requires_grad=False, volatile=False):       # noqa: N802 (PyTorch's name)
    """A leaf tensor sharing `data`'s values (PyTorch 0.3's wrapper; today a Tensor is one)."""
    if isinstance(data, Tensor):
        out = Tensor._wrap(data._array)
        return out.requires_grad_(True) if requires_grad else out
    return Tensor(data, requires_grad=requires_grad)


def _typed(dtype, name):
    def constructor(*args):
        if args and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return Tensor._wrap(np.zeros(args, dtype))      # FloatTensor(2, 3): a new (zeroed) 2x3
        if len(args) != 1:
            raise TypeError(f'{name}() takes sizes (ints) or one sequence of values, got {args!r}')
        data = args[0]
        return Tensor(data._array if isinstance(data, Tensor) else data, dtype=dtype)
    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = f'{name}(data) or {name}(*sizes): a {np.dtype(dtype)} tensor (legacy).'
    return constructor


FloatTensor = _typed(np.float32, 'FloatTensor')
DoubleTensor = _typed(np.float64, 'DoubleTensor')
LongTensor = _typed(np.int64, 'LongTensor')
IntTensor = _typed(np.int32, 'IntTensor')
BoolTensor = _typed(np.bool_, 'BoolTensor')
