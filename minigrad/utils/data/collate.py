"""How a list of samples becomes one batch: PyTorch's `default_collate` and `default_convert`.

`default_collate` rules, by the type of the first sample (PyTorch's):

- Tensor -> the samples stacked along a new first dimension;
- NumPy array -> stacked, as a Tensor of the array's dtype; NumPy scalar -> 1-D Tensor;
- Python float -> float64 Tensor; int -> int64 Tensor; bool -> bool Tensor;
- str / bytes -> kept as they are: the list of them (a tuple inside a tuple or list sample,
  as PyTorch passes on what `zip` makes);
- dict (any Mapping) -> collated key by key, same mapping type;
- namedtuple -> collated field by field, same namedtuple type;
- tuple -> a list, collated position by position: a batch of `(x, y)` pairs gives
  `[xs, ys]`, so `for X, y in loader` unpacks it; list -> a list, likewise.
"""
import collections.abc
import copy
import re

import numpy as np

from ... import autograd
from ...functions import stack
from ...tensor import Tensor

__all__ = ['default_collate', 'default_convert', 'collate', 'default_collate_fn_map',
           'default_collate_err_msg_format']

default_collate_err_msg_format = (
    'default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}')

np_str_obj_array_pattern = re.compile(r'[SaUO]')


class _UnequalSizes(RuntimeError):
    """Samples of different shapes; `path` says where in the sample they sit (filled in on the way out)."""

    def __init__(self, first, other, entry):
        super().__init__()
        self.first, self.other, self.entry = first, other, entry
        self.path = []

    def __str__(self):
        where = ('x' + ''.join(f'[{k!r}]' for k in self.path) + ' of every sample x'
                 if self.path else 'the samples')
        return (f'stack expects each tensor to be equal size, but got {list(self.first)} at entry 0 '
                f'and {list(self.other)} at entry {self.entry} (default_collate stacks {where} in a '
                f'batch; entry k is the batch\'s k-th sample, counting from 0). Samples of different '
                f'shapes need padding to one shape, or a collate_fn of your own '
                f'(collate_fn=lambda batch: batch passes on the plain list of samples)')


def _stack_dtype(dtypes):
    """PyTorch's promotion for stacking: floats win over integers and bools, else the widest."""
    floats = [d for d in dtypes if d.kind in 'fc']
    return np.result_type(*floats) if floats else np.result_type(*dtypes)


def _check_shapes(arrays):
    first = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != first:
            raise _UnequalSizes(first, a.shape, i)


def _stack_arrays(arrays):
    _check_shapes(arrays)
    dtypes = {a.dtype for a in arrays}
    if len(dtypes) > 1:
        return np.stack(arrays).astype(_stack_dtype(dtypes), copy=False)
    return np.stack(arrays)


def collate_tensor_fn(batch, *, collate_fn_map=None):
    for i, t in enumerate(batch):
        if not isinstance(t, Tensor):
            raise TypeError(f'default_collate: entry 0 of the batch is a Tensor but entry {i} is a '
                            f'{type(t).__name__}; every sample must have the same structure')
    if autograd.is_grad_enabled() and any(t.requires_grad for t in batch):
        _check_shapes([t._array for t in batch])
        return stack(batch, 0)                 # keeps the graph, as torch.stack does
    return Tensor._wrap(_stack_arrays([t._array for t in batch]))


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return Tensor._wrap(_stack_arrays([np.asarray(b) for b in batch]))


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return Tensor._wrap(np.array(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    return Tensor._wrap(_numbers(batch, np.float64))


def collate_int_fn(batch, *, collate_fn_map=None):
    # torch.tensor(batch): all bools -> bool, any float -> float32, else int64
    return Tensor._wrap(_numbers(batch, None))


def _numbers(batch, dtype):
    try:
        array = np.array(batch, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as e:
        kinds = [type(b).__name__ for b in batch]
        raise TypeError(f'default_collate: a batch whose first sample is of type '
                        f'{type(batch[0]).__name__} must hold numbers only, got {kinds} ({e})') from None
    if dtype is None:
        if array.dtype.kind == 'f':
            array = array.astype(np.float32)
        elif array.dtype.kind in 'iu':
            if array.dtype.kind == 'u' and array.size and array.max() > np.iinfo(np.int64).max:
                raise OverflowError(f'default_collate: {array.max()} does not fit in int64')
            array = array.astype(np.int64)
        elif array.dtype.kind != 'b':
            raise TypeError(f'default_collate: a batch whose first sample is of type '
                            f'{type(batch[0]).__name__} must hold numbers only, got '
                            f'{[type(b).__name__ for b in batch]}')
    return array


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def collate(batch, *, collate_fn_map=None):
    """Collates `batch` (a list of samples), choosing a function by the type of `batch[0]`
    from `collate_fn_map` (exact type first, then the first entry it is an instance of),
    and recursing into mappings, namedtuples and sequences. PyTorch's `collate`."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        for i, d in enumerate(batch):
            missing = [key for key in elem if key not in d] if isinstance(d, collections.abc.Mapping) \
                else None
            if missing != []:
                got = f'lacks keys {missing}' if missing else f'is a {type(d).__name__}'
                raise KeyError(f'default_collate: entry 0 of the batch is a dict with keys '
                               f'{list(elem)}, entry {i} {got}')
        return _mapping_like(elem, {key: _at(key, [d[key] for d in batch], collate_fn_map)
                                    for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, '_fields'):            # namedtuple
        return elem_type(*(_at(i, samples, collate_fn_map) for i, samples in enumerate(zip(*batch))))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        for d in batch:
            if not isinstance(d, collections.abc.Sized) or len(d) != size:
                raise RuntimeError(f'each element in list of batch should be of equal size '
                                   f'(entry 0 has {size} items, another '
                                   f'{len(d) if isinstance(d, collections.abc.Sized) else type(d).__name__})')
        # PyTorch passes on the tuples zip makes: strings under a tuple or list stay a tuple
        transposed = [_at(i, samples, collate_fn_map) for i, samples in enumerate(zip(*batch))]
        if isinstance(elem, tuple):
            return transposed                                            # PyTorch: a list
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, value in enumerate(transposed):
                    clone[i] = value
                return clone
            return elem_type(transposed)
        except TypeError:
            return transposed
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _at(key, samples, collate_fn_map):
    """Collates one part of the samples, adding `key` to the location of a shape mismatch."""
    try:
        return collate(samples, collate_fn_map=collate_fn_map)
    except _UnequalSizes as e:
        e.path.insert(0, key)
        raise


def default_collate(batch):
    """Turns a list of samples into one batch by PyTorch's rules (see the module docstring).

    >>> xb, yb = default_collate([(mg.zeros(3), 0), (mg.ones(3), 1)])
    >>> xb.shape, yb
    ((2, 3), tensor([0, 1]))
    """
    if len(batch) == 0:
        raise IndexError('default_collate: the batch is empty (no samples to collate)')
    try:
        return collate(batch, collate_fn_map=default_collate_fn_map)
    except _UnequalSizes as e:
        raise RuntimeError(str(e)) from None


def default_convert(data):
    """One sample as it is, NumPy arrays and scalars made Tensors (recursing into containers):
    what a DataLoader with `batch_size=None` applies instead of `default_collate`."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == 'numpy' and elem_type.__name__ not in ('str_', 'string_', 'bytes_'):
        if isinstance(data, np.ndarray) and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return Tensor._wrap(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _mapping_like(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, '_fields'):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def _mapping_like(template, values):
    """`values` (a dict) in the mapping type of `template`, as PyTorch keeps it; a plain dict
    when that type cannot be rebuilt from a dict."""
    try:
        if isinstance(template, collections.abc.MutableMapping):
            clone = copy.copy(template)
            clone.update(values)
            return clone
        return type(template)(values)
    except TypeError:
        return values
