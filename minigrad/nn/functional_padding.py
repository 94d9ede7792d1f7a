"""F.pad: constant, reflect, replicate and circular padding, a composition of existing ops.

`pad` lists (left, right) amounts from the last dim backwards, PyTorch's order:
(1, 2) pads the last dim, (1, 2, 3, 4) the last two, the last dim first. A negative
amount crops. 'constant' joins blocks of `value` on each side (mg.cat); the other modes
pick input positions with one integer index per dim (reflect: ...2 1 | 0 1 2 ... n-1 | n-2...,
replicate: 0 0 | 0 ... n-1 | n-1 n-1, circular: n-2 n-1 | 0 ... n-1 | 0 1; circular crops
before it wraps, as PyTorch), whose
backward adds the gradient of each copy back onto its source (a scatter-add).
"""
import numpy as np

from .. import functions as fn_
from ..tensor import Tensor
from ._checks import _check_tensor

__all__ = ['pad']

_MODES = ('constant', 'reflect', 'replicate', 'circular')


def _pairs(pad, ndim):
    """{dim: (before, after)} from PyTorch's flat, last-dim-first pad list."""
    pad = [int(v) for v in pad]
    if len(pad) % 2:
        raise RuntimeError(f'Padding length must be divisible by 2, got {len(pad)} values: {tuple(pad)}')
    if len(pad) // 2 > ndim:
        raise RuntimeError(f'Padding length too large: {len(pad)} values pad {len(pad) // 2} dims, '
                           f'but the input has {ndim}')
    return {ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)}


def _along(x, dim, index):
    return x[(slice(None),) * dim + (index,)]


def _constant(x, dim, before, after, value):
    size = x._array.shape[dim]
    if before + size + after < 0 or (before < 0 and after < 0 and -before - after > size):
        raise RuntimeError(f'The input size {size} at dim {dim}, plus negative padding {before} and '
                           f'{after}, resulted in a negative output size')
    x = _along(x, dim, slice(max(-before, 0), size - max(-after, 0)))
    blocks = []
    for amount in (before, after):
        shape = list(x._array.shape)
        shape[dim] = max(amount, 0)
        blocks.append(Tensor._wrap(np.full(shape, value, dtype=x.dtype)))
    return fn_.cat([blocks[0], x, blocks[1]], dim) if before > 0 or after > 0 else x


def _source(mode, size, before, after, dim):
    """Which input position each output position along one dim copies."""
    if mode == 'reflect' and (before >= size or after >= size):
        raise RuntimeError(f'Argument #4: Padding size should be less than the corresponding input '
                           f'dimension, but got: padding ({before}, {after}) at dimension {dim} of '
                           f'input of size {size}')
    if mode == 'circular' and (before > size or after > size):
        raise RuntimeError(f'Padding value causes wrapping around more than once: padding '
                           f'({before}, {after}) at dimension {dim} of size {size}')
    if size == 0:
        raise RuntimeError(f'{mode} padding of dimension {dim}: the input has size 0 there')
    position = np.arange(-before, size + after)
    if mode == 'replicate':
        return np.clip(position, 0, size - 1)
    if mode == 'circular':                  # PyTorch crops first, then wraps the cropped part
        start, kept = max(-before, 0), size - max(-before, 0) - max(-after, 0)
        return np.arange(-max(before, 0), kept + max(after, 0)) % kept + start
    return (size - 1) - np.abs((size - 1) - np.abs(position))     # reflect: mirror at 0 and n - 1


def pad(input, pad, mode='constant', value=None):
    """The input padded (or, for negative amounts, cropped) along its last len(pad) // 2 dims;
    see the module docstring for the modes."""
    _check_tensor(input, 'pad')
    if mode not in _MODES:
        raise NotImplementedError(f'Unrecognised padding mode {mode!r}; expected one of {_MODES}')
    pairs = _pairs(pad, input.ndim)
    if mode == 'constant':
        for dim, (before, after) in pairs.items():
            input = _constant(input, dim, before, after, 0 if value is None else value)
        return input
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    if not 1 <= len(pairs) <= 3 or input.ndim not in (len(pairs) + 1, len(pairs) + 2):
        raise NotImplementedError(f'{mode} padding of the last {len(pairs)} dims needs a '
                                  f'{len(pairs) + 1}-D (unbatched) or {len(pairs) + 2}-D (batched) '
                                  f'input, got {input.ndim}-D; only 2D, 3D, 4D, 5D padding with '
                                  f'non-constant padding are supported')
    for dim, (before, after) in pairs.items():
        input = _along(input, dim, _source(mode, input._array.shape[dim], before, after, dim))
    return input
