"""The argument checks minigrad.nn.functional's functions share: clear errors that say the fix."""
import warnings

import numpy as np

from ..tensor import Tensor

_REDUCTIONS = ('mean', 'sum', 'none')


def _check_tensor(x, fn, name='input'):
    if not isinstance(x, Tensor):
        raise TypeError(f'{fn}() expects {name} to be a minigrad Tensor, got '
                        f'{type(x).__name__}; wrap it with mg.tensor(...)')
    return x


def _check_float(x, fn, name='input'):
    _check_tensor(x, fn, name)
    if x.dtype.kind != 'f':
        raise TypeError(f'{fn}() expects a floating point {name}, got {x.dtype}; '
                        f'convert it, e.g. x.float()')
    return x


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction; "
                         f"expected one of 'mean', 'sum', 'none'")


def _float_target(target, input):
    """The target as a Tensor; a constant target takes the input's float dtype."""
    if isinstance(target, Tensor):
        if target.requires_grad or target.dtype == input.dtype:
            return target
        target = target._array
    return Tensor._wrap(np.asarray(target, dtype=input.dtype))


def _constant(value, input, fn, name):
    """A weight as a constant array in the input's dtype (no gradient flows to it, as in PyTorch)."""
    if value is None:
        return None
    if isinstance(value, Tensor):
        if value.requires_grad:
            raise RuntimeError(f"{fn}() is not differentiable with respect to '{name}'; "
                               f"pass {name}.detach()")
        value = value._array
    return np.asarray(value, dtype=input.dtype)


def _check_broadcasts_to(value, shape, fn, name):
    if value is None:
        return
    try:
        fits = np.broadcast_shapes(value.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f'{fn}(): {name} of shape {tuple(value.shape)} does not broadcast to '
                         f"the input shape {tuple(shape)}")


def _warn_size(input, target, fn):
    """Mismatched shapes broadcast silently, and usually wrongly: say so, as PyTorch does."""
    try:
        np.broadcast_shapes(input._array.shape, target._array.shape)
    except ValueError:
        raise RuntimeError(f'{fn}(): the target size {tuple(target._array.shape)} cannot be broadcast to the '
                           f'input size {tuple(input._array.shape)}; they should have the same size') from None
    warnings.warn(f'Using a target size ({tuple(target._array.shape)}) that is different to the input size '
                  f'({tuple(input._array.shape)}). This will likely lead to incorrect results due to '
                  f'broadcasting. Please ensure they have the same size, e.g. with '
                  f'input.reshape(target.shape) or target.reshape(input.shape).',
                  UserWarning, stacklevel=4)     # _warn_size < _regression < mse_loss < caller


def _number(value, fn, name):
    if isinstance(value, Tensor) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument '{name}' must be a number, not {type(value).__name__}")
    return float(value)


def _legacy_reduction(size_average, reduce, reduction):
    """PyTorch's deprecated size_average= and reduce=, when given, decide the reduction
    (reduce=False: 'none'; else size_average=False: 'sum'; else 'mean'), with its warning."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    chosen = 'mean' if size_average and reduce else 'sum' if reduce else 'none'
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{chosen}' "
                  f"instead.", UserWarning, stacklevel=3)
    return chosen
