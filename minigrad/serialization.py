"""mg.save / mg.load: named arrays in a plain NumPy .npz archive, never a pickle.

The file is a zip archive with one `<name>.npy` member per tensor, readable
by `np.load(path)` anywhere. Loading parses only NumPy's array format with
pickles refused, so a file can never run code: a pickle, an archive holding
pickled objects, a `torch.save` file or a corrupt file raises a clear error.
"""
import collections
import collections.abc
import os
import zipfile

import numpy as np

from .device import check as check_device, device

from .tensor import Tensor

_ZIP_MAGIC = (b'PK\x03\x04', b'PK\x05\x06')     # a zip with members / an empty zip


def save(obj, path):
    """Writes a dict of Tensors or arrays (e.g. `model.state_dict()`) to `path`, exactly as named.

    `path` may also be a binary file object opened for writing.
    """
    if not isinstance(obj, collections.abc.Mapping):
        hint = (' Save its weights instead: mg.save(model.state_dict(), path)'
                if hasattr(obj, 'state_dict') else '')
        raise TypeError(f'save() stores a dict of tensors or arrays, got {type(obj).__name__}.{hint}')
    arrays = []
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TypeError(f'save() needs string keys, got {key!r} ({type(key).__name__})')
        if isinstance(value, collections.abc.Mapping):
            raise TypeError(f"save() stores a flat dict of tensors; the value of '{key}' is a dict. "
                            f"Flatten it (e.g. keys like '{key}.weight') or save it to its own file")
        array = value._array if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.kind not in 'biufc':
            raise TypeError(f"save() stores numeric and bool arrays only; the value of '{key}' "
                            f"is {type(value).__name__} (NumPy dtype {array.dtype})"
                            + (', which would need a pickle' if array.dtype.hasobject else ''))
        arrays.append((key, array))
    if hasattr(path, 'write'):
        _write(path, arrays)
    else:
        with open(os.fspath(path), 'wb') as f:  # our own handle: np.savez would append ".npz"
            _write(f, arrays)


def _write(f, arrays):
    with zipfile.ZipFile(f, 'w', compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key, array in arrays:
            with archive.open(key + '.npy', 'w', force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


def load(path, map_location=None, weights_only=True):
    """Reads a file written by `save` (or `np.savez`) into a dict of Tensors, in the saved order.

    `path` may also be a binary file object opened for reading. `map_location`
    and `weights_only` are PyTorch's: minigrad loads onto the CPU and only ever
    reads arrays (never pickled code), so `weights_only=False` is refused.
    """
    check_device(map_location if isinstance(map_location, (str, device)) else None, 'load()')
    if not weights_only:
        raise ValueError('mg.load reads only tensors (as PyTorch does with weights_only=True); '
                         'it never runs code from a file, so weights_only=False is not offered')
    if hasattr(path, 'read'):
        return _read(path, getattr(path, 'name', 'the file'))
    name = os.fspath(path)
    with open(name, 'rb') as f:
        return _read(f, name)


def _read(f, name):
    start = f.tell()
    head = f.read(6)
    f.seek(start)
    if head[:4] not in _ZIP_MAGIC:
        raise ValueError(f'{name} is not a minigrad/NumPy archive: ' + _describe(head)
                         + ' mg.load reads only files written by mg.save or np.savez.')
    try:
        archive = zipfile.ZipFile(f)
    except zipfile.BadZipFile as error:
        raise ValueError(f'{name} is a damaged archive ({error}); save it again') from None
    out = collections.OrderedDict()
    with archive:
        for member in archive.namelist():
            if not member.endswith('.npy'):
                torch_hint = (' It looks like a torch.save file: load it with torch.load, then '
                              'pass {k: v.numpy() for k, v in ...} to mg.save or load_state_dict.'
                              if member.endswith('.pkl') else '')
                raise ValueError(f"{name} is not a minigrad/NumPy archive: it contains "
                                 f"'{member}', which is not a .npy array.{torch_hint}")
            try:
                with archive.open(member) as fp:
                    array = np.lib.format.read_array(fp, allow_pickle=False)
            except ValueError as error:
                if 'pickle' in str(error).lower() or 'object arrays' in str(error).lower():
                    raise ValueError(f"{name}: entry '{member[:-4]}' holds pickled Python "
                                     f"objects; mg.load refuses pickles because unpickling can "
                                     f"run arbitrary code") from None
                raise ValueError(f"{name}: entry '{member[:-4]}' is not a valid .npy array "
                                 f"({error})") from None
            except (zipfile.BadZipFile, EOFError, OSError) as error:
                raise ValueError(f"{name}: entry '{member[:-4]}' is damaged ({error}); "
                                 f"save it again") from None
            out[member[:-4]] = Tensor._wrap(array)
    return out


def _describe(head):
    if not head:
        return 'it is empty.'
    if head[:1] == b'\x80' or head[:1] in (b'(', b']', b'}'):
        return ('it holds a Python pickle (e.g. from pickle.dump or an old torch.save), which '
                'mg.load never opens because unpickling can run arbitrary code.')
    if head == b'\x93NUMPY':
        return 'it is a single .npy array; read it with np.load(path).'
    return f'it starts with bytes {head!r}, not a zip archive.'
