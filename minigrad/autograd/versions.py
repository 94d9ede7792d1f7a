"""Versions: which arrays were changed in place since a node saved them.

An in-place op (`x.mul_(2)`, `x[0] = 1`) changes an array that a node may have saved
for its backward. Each change is logged per storage (the array that owns the memory, so
views share it) with a clock value; a node remembers the clock when it was made.
Backward looks closer only at a node made before the clock last moved, and then, as
PyTorch's per-storage version counters do, only at the storages changed since: a graph
with no in-place ops pays one integer comparison per node, and an unrelated in-place op
(a running accuracy counter) costs each node a set lookup per saved array.
"""
import collections
import weakref

import numpy as np

_ndarray = np.ndarray

_clock = 0
_changes = {}           # id(storage) -> [weak reference to it, version, deque of recent (clock, op name)]
_RECENT = 16            # changes remembered per storage, for the error message
_log = collections.deque(maxlen=16)     # the latest clock ticks: (id of storage, id of tensor)
_since = {}             # node clock -> changed_since(clock), as of the clock in _since_at
_since_at = None


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
    _log.append((key, None))


def tick(tensor):
    """Moves the clock on (`tensor` took a new history) and returns the new time."""
    global _clock
    _clock += 1
    _log.append((None, id(tensor)))
    return _clock


def changed_since(clock):
    """(ids of the storages changed in place, ids of the tensors that took a new history) since
    `clock`, or None when the log no longer reaches back that far (then check everything).
    Each clock tick is one log entry, so the changes since `clock` are the last _clock - clock."""
    global _since_at
    if _since_at != _clock:
        _since.clear()
        _since_at = _clock
    found = _since.get(clock, False)
    if found is False:
        ticks = _clock - clock
        if ticks > len(_log):
            found = None
        else:
            recent = [_log[-i] for i in range(1, ticks + 1)]
            found = ({storage for storage, _ in recent if storage is not None},
                     {tensor for _, tensor in recent if tensor is not None})
        _since[clock] = found
    return found


def version(array):
    """How many in-place changes `array`'s storage has had (PyTorch's `t._version`)."""
    entry = _entry(array)
    return entry[1] if entry else 0


def saves_from(node, storages):
    """Whether a value `node` saved lives in one of `storages` (a set of ids)."""
    saved = node.saved
    for value in saved if type(saved) is tuple else _values(saved):
        if type(value) is not _ndarray:
            value = getattr(value, '_array', value)     # a Tensor (custom Functions)
            if not isinstance(value, _ndarray):
                continue
        if id(value if value.base is None else _storage(value)) in storages:
            return True
    return False


def _values(saved):
    return saved if isinstance(saved, (tuple, list)) else (saved,)


def _check_saved(node):
    """Raises PyTorch's error if a value `node` saved was changed in place after it was saved."""
    saved = node.saved
    for value in saved if type(saved) is tuple else _values(saved):
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
