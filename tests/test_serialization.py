"""minigrad.serialization, mg.save / mg.load: exact round trips through a plain .npz, no code ever
runs on load, and a damaged or crafted archive is a clear ValueError, never a wrong result."""
import io
import pathlib
import pickle
import struct
import warnings
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def make_model():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def test_round_trip_is_exact_for_every_dtype(tmp_path):
    rng = np.random.default_rng(0)
    obj = {
        'f32': mg.tensor(rng.standard_normal((3, 4)), dtype=mg.float32),
        'f64': rng.standard_normal(5),
        'i64': mg.arange(6),
        'mask': np.array([True, False]),
        'scalar': mg.tensor(2.5),
        'empty': np.zeros((0, 3), np.float32),
        'odd/name with spaces.npy': mg.ones(2),
    }
    path = tmp_path / 'things.bin'
    mg.save(obj, path)
    loaded = mg.load(path)
    assert list(loaded) == list(obj)                          # order kept
    for key, value in obj.items():
        expected = value._array if isinstance(value, mg.Tensor) else value
        got = loaded[key]
        assert type(got) is mg.Tensor and not got.requires_grad
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got._array, expected)


def test_path_is_used_exactly_as_given(tmp_path):
    for name in ('weights', 'model.pt', 'model.npz', 'a.b.c'):
        path = tmp_path / name
        mg.save({'w': mg.ones(2)}, str(path))
        assert path.exists() and not (tmp_path / (name + '.npz')).exists()
        np.testing.assert_array_equal(mg.load(str(path))['w']._array, [1, 1])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(['weights', 'model.pt', 'model.npz', 'a.b.c'])


def test_file_objects_and_numpy_interop(tmp_path):
    buffer = io.BytesIO()
    mg.save({'x': mg.tensor([1.0, 2.0])}, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(mg.load(buffer)['x']._array, [1.0, 2.0])
    path = tmp_path / 'w.npz'
    mg.save({'0.weight': mg.eye(2)}, path)
    with np.load(path, allow_pickle=False) as archive:      # a plain NumPy archive
        np.testing.assert_array_equal(archive['0.weight'], np.eye(2))
    np.savez(tmp_path / 'np.npz', a=np.arange(3))
    np.testing.assert_array_equal(mg.load(tmp_path / 'np.npz')['a']._array, [0, 1, 2])


def test_state_dict_round_trip_restores_the_model_exactly(tmp_path):
    mg.manual_seed(0)
    trained = make_model()
    x = mg.randn(5, 4)
    path = tmp_path / 'model.mg'
    mg.save(trained.state_dict(), path)
    mg.manual_seed(1)
    fresh = make_model()
    assert not np.array_equal(fresh(x)._array, trained(x)._array)
    fresh.load_state_dict(mg.load(path))
    for (k, a), b in zip(trained.state_dict().items(), fresh.state_dict().values()):
        np.testing.assert_array_equal(a._array, b._array, err_msg=k)
        assert a.dtype == b.dtype
    np.testing.assert_array_equal(fresh(x)._array, trained(x)._array)


def test_float64_model_round_trip_keeps_float64(tmp_path):
    model = make_model().double()
    mg.save(model.state_dict(), tmp_path / 'm')
    loaded = mg.load(tmp_path / 'm')
    assert all(v.dtype == np.float64 for v in loaded.values())
    other = make_model().double()
    other.load_state_dict(loaded)
    np.testing.assert_array_equal(other[0].weight._array, model[0].weight._array)


def test_strict_loading_errors_after_a_round_trip(tmp_path):
    mg.save(make_model().state_dict(), tmp_path / 'm')
    bigger = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "4.weight", "4.bias"'):
        bigger.load_state_dict(mg.load(tmp_path / 'm'))
    smaller = nn.Sequential(nn.Linear(4, 8))
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "2.weight", "2.bias"'):
        smaller.load_state_dict(mg.load(tmp_path / 'm'))
    assert smaller.load_state_dict(mg.load(tmp_path / 'm'), strict=False).unexpected_keys == \
        ['2.weight', '2.bias']
    wider = nn.Sequential(nn.Linear(4, 9), nn.ReLU(), nn.Linear(9, 3))
    with pytest.raises(RuntimeError, match=r'size mismatch for 0.weight: copying a param with shape \(8, 4\) '
                                           r'from checkpoint, the shape in current model is \(9, 4\)'):
        wider.load_state_dict(mg.load(tmp_path / 'm'))


def test_save_rejects_what_it_cannot_store_plainly(tmp_path):
    path = tmp_path / 'x'
    with pytest.raises(TypeError, match=r'model.state_dict\(\)'):
        mg.save(make_model(), path)
    with pytest.raises(TypeError, match='flat dict'):
        mg.save({'model': {'w': mg.ones(1)}}, path)
    with pytest.raises(TypeError, match='string keys'):
        mg.save({0: mg.ones(1)}, path)
    with pytest.raises(TypeError, match='pickle'):
        mg.save({'obj': np.array([object()], dtype=object)}, path)
    with pytest.raises(TypeError, match='numeric'):
        mg.save({'name': 'abc'}, path)


# ----------------------------------------------------- refusing to run code

class Payload:
    """Unpickling this creates the marker file: proof that code from the file ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def test_a_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pt'
    path.write_bytes(pickle.dumps({'w': Payload(marker)}))
    pickle.loads(pickle.dumps(Payload(tmp_path / 'control')))    # the payload does work ...
    assert (tmp_path / 'control').exists()
    with pytest.raises(ValueError, match='pickle'):
        mg.load(path)
    assert not marker.exists()                                  # ... but mg.load never ran it


def test_an_archive_holding_pickled_objects_is_refused_without_running_it(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.npz'
    np.savez(path, w=np.array([Payload(marker)], dtype=object))   # np.savez pickles object arrays
    with pytest.raises(ValueError, match="entry 'w' holds pickled Python objects"):
        mg.load(path)
    assert not marker.exists()


def test_a_torch_style_zip_is_refused_with_a_hint(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'model.pth'
    with zipfile.ZipFile(path, 'w') as archive:
        archive.writestr('archive/data.pkl', pickle.dumps(Payload(marker)))
    with pytest.raises(ValueError, match='torch.load'):
        mg.load(path)
    assert not marker.exists()


def test_a_real_torch_save_file_is_refused():
    torch = pytest.importorskip('torch')
    buffer = io.BytesIO()
    torch.save({'w': torch.ones(2)}, buffer)
    buffer.seek(0)
    with pytest.raises(ValueError, match='torch.load'):
        mg.load(buffer)


@pytest.mark.parametrize('content, message', [
    (b'', 'empty'),
    (b'hello world, not an archive', 'not a zip archive'),
    (b'\x93NUMPY\x01\x00' + b'\x00' * 20, r'single \.npy array'),
])
def test_foreign_files_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / 'f'
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message):
        mg.load(path)


def test_a_truncated_archive_gets_a_clear_error(tmp_path):
    path = tmp_path / 'm'
    mg.save(make_model().state_dict(), path)
    blob = path.read_bytes()
    for cut in (len(blob) // 2, len(blob) - 10):
        path.write_bytes(blob[:cut])
        with pytest.raises(ValueError, match='damaged'):
            mg.load(path)
    path.write_bytes(blob[:200] + b'\xff' * 50 + blob[250:])       # corrupt a member's bytes
    with pytest.raises(ValueError, match='damaged|not a valid'):
        mg.load(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        mg.load(tmp_path / 'nope')


# -------------------------------------- damaged archives (issue 15, items 5 and 6)

def _archive(obj):
    buffer = io.BytesIO()
    mg.save(obj, buffer)
    return buffer.getvalue()


def _load(blob):
    return mg.load(io.BytesIO(blob))


def _zip(members, compression=zipfile.ZIP_STORED):
    """An archive with the given raw {name: bytes} members (duplicates allowed as a list)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)          # zipfile: "Duplicate name"
        with zipfile.ZipFile(buffer, 'w', compression=compression) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return buffer.getvalue()


def _npy(header, data=b''):
    """A .npy member with a hand-written header dict (padded as NumPy pads it)."""
    text = header.encode('latin1')
    text += b' ' * (-(10 + len(text) + 1) % 64) + b'\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(text)) + text + data


def _patch(blob, old, new, count=None):
    assert blob.count(old) == (count or blob.count(old)) and old in blob
    return blob.replace(old, new)


STATE = {'a': mg.tensor(np.arange(6.0).reshape(2, 3)), 'b': mg.arange(4), 'c': mg.tensor(1.5)}


def test_no_single_flipped_byte_drops_or_changes_a_tensor():
    """Before: flipping the file-name length in the zip directory made the first name swallow
    the next entries, and mg.load returned {'a'} or {'a', 'b'} without a word."""
    blob = _archive(STATE)
    for position in range(len(blob)):
        for bits in (0x01, 0x80, 0xff):
            damaged = bytearray(blob)
            damaged[position] ^= bits
            try:
                loaded = _load(bytes(damaged))
            except ValueError:
                continue                                      # a clear error: fine
            assert list(loaded) == list(STATE), (position, bits)
            for key, value in STATE.items():
                assert loaded[key].dtype == value.dtype, (position, bits)
                np.testing.assert_array_equal(loaded[key]._array, value._array)


def test_an_entry_swallowed_by_a_comment_is_damage():
    """The flip that dropped tensors: a directory entry's comment length grows, its "comment"
    swallows the entries after it, and zipfile lists fewer entries than the end record declares."""
    blob = _archive(STATE)
    directory = blob.index(b'PK\x01\x02')
    length_at = directory + 32                                # file comment length, little-endian
    assert blob[length_at:length_at + 2] == b'\x00\x00'
    damaged = blob[:length_at] + b'\x80\x00' + blob[length_at + 2:]
    assert [i.filename for i in zipfile.ZipFile(io.BytesIO(damaged)).infolist()] == ['a.npy']
    with pytest.raises(ValueError, match='lists 1 entry, its end record declares 3'):
        _load(damaged)


def test_a_wrong_entry_count_is_damage():
    blob = _archive(STATE)
    end = blob.rindex(b'PK\x05\x06')
    damaged = blob[:end + 10] + struct.pack('<H', 4) + blob[end + 12:]
    with pytest.raises(ValueError, match='lists 3 entries, its end record declares 4'):
        _load(damaged)


def test_zip64_end_records_are_read(monkeypatch):
    monkeypatch.setattr(zipfile, 'ZIP_FILECOUNT_LIMIT', 1)    # force a zip64 end record
    blob = _archive(STATE)
    assert b'PK\x06\x06' in blob
    assert list(_load(blob)) == ['a', 'b', 'c']
    at = blob.rindex(b'PK\x06\x06') + 32                      # zip64: total number of entries
    damaged = blob[:at] + struct.pack('<Q', 2) + blob[at + 8:]
    with pytest.raises(ValueError, match='damaged'):
        _load(damaged)


def test_a_tiny_file_asking_for_terabytes_is_refused_without_allocating():
    """Before: NumPy allocated what the header declared: MemoryError (or worse, swapping)."""
    huge = 7 * 2 ** 40 // 8
    blob = _zip([('w.npy', _npy(f"{{'descr': '<f8', 'fortran_order': False, 'shape': ({huge},), }}"))])
    assert len(blob) < 300
    with pytest.raises(ValueError, match=r"entry 'w' is damaged: its .npy header declares shape"):
        _load(blob)
    # The same lie told by the zip directory as well: the sizes cannot fit in the file.
    blob = _zip([('w.npy', _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                                 b'\0' * 16))])
    info = zipfile.ZipFile(io.BytesIO(blob)).infolist()[0]
    sizes = struct.pack('<2L', info.compress_size, info.file_size)
    damaged = _patch(blob, sizes, struct.pack('<2L', 0xFFFFFF00, 0xFFFFFF00))
    with pytest.raises(ValueError, match='past the end of this'):
        _load(damaged)


def test_a_deflated_entry_claiming_more_than_deflate_can_expand_is_refused():
    blob = _zip([('w.npy', _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }",
                                 b'\0' * 32))], zipfile.ZIP_DEFLATED)
    info = zipfile.ZipFile(io.BytesIO(blob)).infolist()[0]
    central = blob.index(b'PK\x01\x02')
    sizes = struct.pack('<2L', info.compress_size, info.file_size)
    at = blob.index(sizes, central)
    damaged = blob[:at] + struct.pack('<2L', info.compress_size, 0xFFFFFFF0) + blob[at + 8:]
    with pytest.raises(ValueError, match='more than deflate can expand'):
        _load(damaged)


def test_damaged_compressed_data_is_a_value_error_not_zlib_error():
    buffer = io.BytesIO()
    np.savez_compressed(buffer, w=np.arange(1000.0))
    blob = buffer.getvalue()
    assert list(_load(blob)) == ['w']                         # np.savez_compressed files load
    start = blob.index(b'w.npy') + 5 + 20                     # inside the deflate stream
    for offset in range(0, 40, 3):
        damaged = bytearray(blob)
        damaged[start + offset] ^= 0xff
        with pytest.raises(ValueError, match="entry 'w'"):
            _load(bytes(damaged))


@pytest.mark.parametrize('header, match', [
    ("{'descr': '<f8", 'header is damaged'),                                  # was TokenError
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }", 'shape'),
    ("{'descr': 'bogus', 'fortran_order': False, 'shape': (1,), }", 'header is damaged'),
    ("[" * 3000 + "]" * 3000, 'header is damaged'),                           # nesting
    ("{'descr': '<f8', 'fortran_order': 7, 'shape': (1,), }", 'header is damaged'),
])
def test_damaged_npy_headers_are_value_errors(header, match):
    blob = _zip([('w.npy', _npy(header, b'\0' * 8))])
    with pytest.raises(ValueError, match=match):
        _load(blob)


def test_a_huge_npy_header_length_is_refused_before_reading_it():
    member = b'\x93NUMPY\x02\x00' + struct.pack('<L', 0xFFFFFFF0) + b'{}'
    with pytest.raises(ValueError, match='header declares 4294967280 bytes'):
        _load(_zip([('w.npy', member)]))


def _set_method(blob, method):
    """Sets the compression method in both the local header and the directory entry."""
    local = blob.index(b'PK\x03\x04')
    central = blob.index(b'PK\x01\x02')
    blob = bytearray(blob)
    blob[local + 8:local + 10] = struct.pack('<H', method)
    blob[central + 10:central + 12] = struct.pack('<H', method)
    return bytes(blob)


def test_unsupported_zip_features_are_value_errors():
    blob = _archive({'w': mg.ones(3)})
    with pytest.raises(ValueError, match='compression method 99'):            # NotImplementedError
        _load(_set_method(blob, 99))
    central = blob.index(b'PK\x01\x02')
    encrypted = bytearray(blob)
    encrypted[central + 8] |= 0x01                                            # RuntimeError
    with pytest.raises(ValueError, match='encrypted'):
        _load(bytes(encrypted))
    version = bytearray(blob)
    version[central + 6] = 99                                                 # NotImplementedError
    with pytest.raises(ValueError, match='damaged archive'):
        _load(bytes(version))
    bz2 = _zip([('w.npy', _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                                b'\0' * 8))], zipfile.ZIP_BZIP2)
    with pytest.raises(ValueError, match='compression method 12'):
        _load(bz2)


def test_a_bad_utf8_name_is_a_value_error():
    blob = _archive({'w': mg.ones(1)})
    central = blob.index(b'PK\x01\x02')
    damaged = bytearray(blob)
    damaged[central + 9] |= 0x08                              # flag bit 11: names are UTF-8
    name = blob.index(b'w.npy', central)
    damaged[name] = 0xff                                      # not UTF-8
    with pytest.raises(ValueError, match='damaged archive'):
        _load(bytes(damaged))


# ------------------------------------ what an archive may hold (issue 15, item 7)

@pytest.mark.parametrize('array, what', [
    (np.array(['1.5', '2']), 'strings'),
    (np.array([b'ab']), 'bytes'),
    (np.zeros(2, [('x', '<f4'), ('y', '<i8')]), 'structured'),
    (np.array(['2024-01-01'], 'datetime64[D]'), 'datetimes'),
    (np.array([1], 'timedelta64[s]'), 'time deltas'),
    (np.zeros(2, 'V4'), 'raw bytes'),
])
def test_non_numeric_arrays_are_refused(array, what):
    buffer = io.BytesIO()
    np.savez(buffer, ok=np.ones(2), w=array)
    with pytest.raises(ValueError, match=rf"entry 'w' holds an array of NumPy dtype .*{what}"):
        _load(buffer.getvalue())


def test_an_object_array_is_refused_as_a_pickle():
    buffer = io.BytesIO()
    np.savez(buffer, w=np.array([1, 'x'], dtype=object))
    with pytest.raises(ValueError, match='pickled Python objects'):
        _load(buffer.getvalue())


def test_duplicate_member_names_are_refused():
    """Before: the second 'w.npy' silently replaced the first."""
    one = _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", struct.pack('<d', 1.0))
    two = _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", struct.pack('<d', 2.0))
    with pytest.raises(ValueError, match=r"entry 'w' appears 2 times"):
        _load(_zip([('w.npy', one), ('w.npy', two)]))


def test_a_nul_in_a_member_name_is_refused():
    blob = _archive({'ab': mg.ones(1)})
    damaged = blob.replace(b'ab.npy', b'a\x00.npy')           # in the header and the directory
    with pytest.raises(ValueError, match='not a .npy array'):
        _load(damaged)


def test_what_numpy_writes_still_loads_with_its_values():
    obj = {'big_endian': np.arange(6, dtype='>f4').reshape(2, 3),
           'fortran': np.asfortranarray(np.arange(6.0).reshape(2, 3)),
           'complex': np.array([1 + 2j]), 'bool': np.array([True, False]),
           'u8': np.arange(3, dtype=np.uint8), 'f16': np.ones(2, np.float16),
           'scalar': np.float64(3.5), 'empty': np.zeros((0, 4), np.float32)}
    buffer = io.BytesIO()
    np.savez(buffer, **obj)
    loaded = _load(buffer.getvalue())
    assert list(loaded) == list(obj)
    for key, value in obj.items():
        np.testing.assert_array_equal(loaded[key]._array, value)
        assert loaded[key].dtype == np.asarray(value).dtype.newbyteorder('=')
        assert loaded[key]._array.dtype.isnative and loaded[key]._array.flags.writeable
    assert _load(_zip([])) == {}
