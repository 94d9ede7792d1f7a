"""mg.save / mg.load: named arrays in a plain NumPy .npz archive, never a pickle.

The file is a zip archive with one `<name>.npy` member per tensor, readable
by `np.load(path)` anywhere. Loading parses only NumPy's array format with
pickles refused, so a file can never run code: a pickle, an archive holding
pickled objects, a `torch.save` file or a corrupt file raises a clear error.
"""
import collections
import collections.abc
import io
import math
import os
import struct
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
    """Every check runs before anything large is allocated: the zip's directory must list
    exactly the entries its end record declares, each entry is a plainly stored or deflated
    `<key>.npy` named once, and each array's declared shape and dtype must account for exactly
    the bytes its entry holds. Anything else is a ValueError naming the problem."""
    start = f.tell()
    head = f.read(6)
    f.seek(start)
    if head[:4] not in _ZIP_MAGIC:
        raise ValueError(f'{name} is not a minigrad/NumPy archive: ' + _describe(head)
                         + ' mg.load reads only files written by mg.save or np.savez.')
    size = f.seek(0, os.SEEK_END)
    f.seek(start)
    try:
        declared = _declared_entries(f, size)
        f.seek(start)
        archive = zipfile.ZipFile(f)
    except _Damaged as error:
        raise ValueError(f'{name} is a damaged archive ({error}); save it again') from None
    except Exception as error:      # the zip parser's BadZipFile, NotImplementedError, struct.error, ...
        raise ValueError(f'{name} is a damaged archive ({_reason(error)}); save it again') from None
    with archive:
        members = archive.infolist()
        if declared is not None and len(members) != declared:    # an entry swallowed by another
            raise ValueError(f'{name} is a damaged archive (its directory lists '
                             f'{_entries(len(members))}, its end record declares {declared}); '
                             f'save it again')
        for info in members:
            if not info.orig_filename.endswith('.npy') or info.filename != info.orig_filename:
                torch_hint = (' It looks like a torch.save file: load it with torch.load, then '
                              'pass {k: v.numpy() for k, v in ...} to mg.save or load_state_dict.'
                              if info.filename.endswith('.pkl') else '')
                raise ValueError(f"{name} is not a minigrad/NumPy archive: it contains "
                                 f"{info.orig_filename!r}, which is not a .npy array.{torch_hint}")
        keys = collections.Counter(info.filename for info in members)
        twice = [key[:-4] for key, count in keys.items() if count > 1]
        if twice:
            raise ValueError(f"{name} is not a valid archive: entry {twice[0]!r} appears "
                             f"{keys[twice[0] + '.npy']} times, so mg.load cannot tell which "
                             f"one to load")
        out = collections.OrderedDict()
        for info in members:
            key = info.filename[:-4]
            try:
                array = _read_member(archive, info, size)
            except _Damaged as error:
                raise ValueError(f"{name}: entry '{key}' {error}") from None
            except Exception as error:  # zipfile's and zlib's errors on a damaged entry
                raise ValueError(f"{name}: entry '{key}' is damaged ({_reason(error)}); "
                                 f"save it again") from None
            out[key] = Tensor._wrap(array)
    return out


class _Damaged(Exception):
    """A problem found by our own checks; the message completes "entry 'w' ..."."""


def _entries(n):
    return f'{n} entry' if n == 1 else f'{n} entries'


def _reason(error):
    return f'{type(error).__name__}: {error}' if str(error) else type(error).__name__


_EOCD = struct.Struct('<4s4H2LH')               # zip's end of central directory record
_EOCD64_LOCATOR = struct.Struct('<4sLQL')
_EOCD64 = struct.Struct('<4sQ2H2L4Q')
_MAX_HEADER = 10000                             # NumPy's own limit for .npy headers
_DEFLATE_RATIO = 1032                           # deflate never expands data more than this


def _declared_entries(f, size):
    """The number of entries the zip's end record declares (found as zipfile finds it), or
    None if there is no end record (zipfile then reports the damage)."""
    tail_size = min(size, _EOCD.size + 0xFFFF)
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail_size - _EOCD.size
    if tail[at:at + 4] != b'PK\x05\x06':
        at = tail.rfind(b'PK\x05\x06')
    if at < 0 or at + _EOCD.size > len(tail):
        return None
    record = _EOCD.unpack_from(tail, at)
    entries = record[4]
    locator_at = size - tail_size + at - _EOCD64_LOCATOR.size
    if locator_at >= 0:
        f.seek(locator_at)
        locator = f.read(_EOCD64_LOCATOR.size)
        if locator[:4] == b'PK\x06\x07':
            f.seek(locator_at - _EOCD64.size if locator_at >= _EOCD64.size else 0)
            record64 = f.read(_EOCD64.size)
            if len(record64) != _EOCD64.size or record64[:4] != b'PK\x06\x06':
                raise _Damaged('its zip64 end record is missing')
            entries = _EOCD64.unpack(record64)[7]
    return entries


def _read_member(archive, info, size):
    """One `.npy` entry as a NumPy array, reading nothing its sizes do not account for."""
    _check_entry(info, size)
    with archive.open(info) as fp:
        shape, fortran_order, dtype, header_size = _read_npy_header(fp)
        nbytes = math.prod(shape) * dtype.itemsize
        held = info.file_size - header_size
        if nbytes != held:
            raise _Damaged(f'is damaged: its .npy header declares shape {shape} of {dtype} '
                           f'({nbytes} bytes), but the entry holds {held} bytes; save it again')
        array = np.empty(shape[::-1] if fortran_order else shape, dtype)
        _read_bytes_into(fp, array.reshape(-1).view(np.uint8))
        if fp.read(1):              # also where zipfile checks the entry's CRC-32
            raise _Damaged('is damaged: it holds more bytes than its sizes declare; save it again')
    if fortran_order:
        array = array.T
    if not dtype.isnative:
        array = array.astype(dtype.newbyteorder('='))
    return array


def _check_entry(info, size):
    """Refuses, before reading it, an entry that is encrypted, compressed in a way np.savez
    never writes, or whose declared sizes cannot be true of this file."""
    if info.flag_bits & 0x1:
        raise _Damaged('is encrypted; mg.load reads only plain archives')
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Damaged(f'uses zip compression method {info.compress_type}; mg.load reads stored '
                       f'or deflated entries (what mg.save, np.savez and np.savez_compressed write)')
    stored = info.compress_type == zipfile.ZIP_STORED
    if info.header_offset + info.compress_size > size:
        raise _Damaged(f'is damaged: it declares {info.compress_size} bytes at offset '
                       f'{info.header_offset}, past the end of this {size}-byte file; save it again')
    if stored and info.file_size != info.compress_size:
        raise _Damaged(f'is damaged: it is stored uncompressed but declares {info.compress_size} '
                       f'bytes for {info.file_size} bytes of content; save it again')
    if not stored and info.file_size > _DEFLATE_RATIO * info.compress_size + 1024:
        raise _Damaged(f'is damaged: it declares {info.file_size} bytes of content compressed into '
                       f'{info.compress_size}, more than deflate can expand; save it again')


def _read_npy_header(fp):
    """Reads a .npy header from `fp`: (shape, fortran_order, dtype, the header's size in
    bytes), refusing versions, dtypes and shapes mg.load does not read."""
    magic = fp.read(8)
    if magic[:6] != b'\x93NUMPY' or len(magic) != 8:
        raise _Damaged(f'is not a valid .npy array (it starts with {magic!r})')
    version = (magic[6], magic[7])
    if version not in ((1, 0), (2, 0)):
        raise _Damaged(f'is a .npy array of format version {version[0]}.{version[1]}; mg.load '
                       f'reads versions 1.0 and 2.0 (3.0 exists only for structured arrays)')
    length_bytes = fp.read(2 if version == (1, 0) else 4)
    length = int.from_bytes(length_bytes, 'little')
    if len(length_bytes) != (2 if version == (1, 0) else 4):
        raise _Damaged('is damaged: it ends inside its .npy header; save it again')
    if length > _MAX_HEADER:
        raise _Damaged(f'is damaged: its .npy header declares {length} bytes, more than '
                       f'the {_MAX_HEADER} NumPy allows; save it again')
    header = fp.read(length)
    reader = (np.lib.format.read_array_header_1_0 if version == (1, 0)
              else np.lib.format.read_array_header_2_0)
    try:
        shape, fortran_order, dtype = reader(io.BytesIO(length_bytes + header))
    except Exception as error:   # ValueError, tokenize's TokenError, RecursionError, ...
        raise _Damaged(f'is not a valid .npy array (its header is damaged: '
                       f'{_reason(error)})') from None
    _check_array_type(shape, dtype)
    return shape, fortran_order, dtype, len(magic) + len(length_bytes) + len(header)


def _check_array_type(shape, dtype):
    """Refuses pickled objects, non-numeric dtypes and negative sizes."""
    if dtype.hasobject:
        raise _Damaged('holds pickled Python objects; mg.load refuses pickles because '
                       'unpickling can run arbitrary code')
    if dtype.kind not in 'biufc' or dtype.names is not None or dtype.subdtype is not None:
        raise _Damaged(f'holds an array of NumPy dtype {dtype.str!r} ({_kind(dtype)}); '
                       f'mg.load reads numeric and bool arrays only, as tensors hold')
    if any(n < 0 for n in shape):
        raise _Damaged(f'is damaged: its .npy header declares the shape {shape}')


def _read_bytes_into(fp, buffer):
    """Fills `buffer` (an array's bytes) from `fp`, a piece at a time: the bytes go straight
    into the array instead of being held twice, and a short entry stops the read."""
    nbytes, done = len(buffer), 0
    while done < nbytes:
        chunk = fp.read(min(nbytes - done, 1 << 20))
        if not chunk:
            raise _Damaged(f'is damaged: it ends after {done} of its {nbytes} bytes; '
                           f'save it again')
        buffer[done:done + len(chunk)] = np.frombuffer(chunk, np.uint8)
        done += len(chunk)


def _kind(dtype):
    if dtype.names is not None or dtype.subdtype is not None:
        return 'a structured array'
    return {'U': 'strings', 'S': 'bytes', 'M': 'datetimes', 'm': 'time deltas',
            'V': 'raw bytes'}.get(dtype.kind, 'not numbers')


def _describe(head):
    if not head:
        return 'it is empty.'
    if head[:1] == b'\x80' or head[:1] in (b'(', b']', b'}'):
        return ('it holds a Python pickle (e.g. from pickle.dump or an old torch.save), which '
                'mg.load never opens because unpickling can run arbitrary code.')
    if head == b'\x93NUMPY':
        return 'it is a single .npy array; read it with np.load(path).'
    return f'it starts with bytes {head!r}, not a zip archive.'
