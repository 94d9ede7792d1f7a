"""Versions: which arrays were changed in place since a node saved them.

An in-place op (`x.mul_(2)`, `x[0] = 1`) changes an array that a node may have saved
for its backward. Each change is logged per storage (the array that owns the memory, so
views share it) with a clock value; a node remembers the clock when it was made.
Backward compares the two only when the clock has moved since the node was made, so a
graph with no in-place ops pays one integer comparison per node.
"""
import collections
import weakref

import numpy as np

_ndarray = np.ndarray

_clock = 0
_changes = {}           # id(storage) -> [weak reference to it, version, deque of recent (clock, op name)]
_RECENT = 16            # changes remembered per storage, for the error message


def _storage(array):
    while isinstance(array.base, _ndarray):
        array = array.base
    return array


def _entry(array):
    """The change record of `array`'s storage, or None if it was never changed in place."""
    storage = _storage(array)
    entry = _changes.get(id(storage))
    return entry if entry is not None and entry[0]() is storage else None


def _forget(key):
    return lambda ref: _changes.pop(key, None) if _changes.get(key, (None,))[0] is ref else None


def bump_version(array, op_name):
    """Records that `op_name` changed `array` (and so every view of its storage) in place."""
    global _clock
    _clock += 1
    storage = array if array.base is None else _storage(array)
    key = id(storage)
    entry = _changes.get(key)
    if entry is None or entry[0]() is not storage:
        entry = _changes[key] = [weakref.ref(storage, _forget(key)), 0,
                                 collections.deque(maxlen=_RECENT)]
    entry[1] += 1
    entry[2].append((_clock, op_name))


def tick():
    """Moves the clock on (a tensor took a new history) and returns the new time."""
    global _clock
    _clock += 1
    return _clock


def version(array):
    """How many in-place changes `array`'s storage has had (PyTorch's `t._version`)."""
    entry = _entry(array)
    return entry[1] if entry else 0


def _check_saved(node):
    """Raises PyTorch's error if a value `node` saved was changed in place after it was saved."""
    saved = node.saved
    for value in saved if isinstance(saved, (tuple, list)) else (saved,):
        array = getattr(value, '_array', value)     # a Tensor (custom Functions) or an array
        entry = _entry(array) if isinstance(array, _ndarray) else None
        if entry and entry[2][-1][0] > node.clock:
            _, now, recent = entry
            later = [name for clock, name in recent if clock > node.clock]
            expected = now - len(later)
            if len(recent) == recent.maxlen and recent[0][0] > node.clock:
                expected = f'{expected} or lower'      # older changes were forgotten
            role = ('an input of' if any(t._array is array for t in node._inputs)
                    else 'a value saved by')
            raise RuntimeError(
                f'one of the variables needed for gradient computation has been modified by an '
                f'inplace operation: [{array.dtype} tensor of shape {list(array.shape)}], which is '
                f'{role} {node.name}, is at version {now}; expected version {expected} '
                f'instead. {node.name} saved it in the forward pass to compute its gradient, and '
                f'{" / ".join(sorted(set(later)))} changed it afterwards. Hint: use the out-of-place '
                f'form (y = y * 2 rather than y *= 2 or y.mul_(2)), or change a .clone() of it.')


def _grad_fn_at(t, node):
    """(grad_fn, requires_grad) of input `t` as it was when `node` was made (before any in-place op)."""
    for clock, grad_fn, requires_grad in getattr(t, '_history', None) or ():
        if clock > node.clock:
            return grad_fn, requires_grad
    return t.grad_fn, t.requires_grad
