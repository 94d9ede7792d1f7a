"""Regression tests for issue 15, items 2, 5, 6, 7 and 14: gradcheck and NaN, mg.load on damaged
or crafted archives, load_state_dict with non-numeric values, optimizers and bad gradients."""
import io
import struct
import warnings
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim


# ----------------------------------------------- item 2: gradcheck and NaN

class NaNBackward(mg.autograd.Function):
    """Doubles its input; its backward returns NaN (a broken custom op)."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * float('nan')


class HalfNaNBackward(mg.autograd.Function):
    """Right gradient everywhere except one element, which is NaN."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        out = grad * 2
        out._array[1] = np.nan
        return out


def test_gradcheck_fails_a_backward_that_returns_nan():
    x = mg.randn(3, requires_grad=True)
    with pytest.raises(mg.GradcheckError, match=r'input 0 .*element \(0,\):\s+analytic nan'):
        mg.gradcheck(NaNBackward.apply, x)
    with pytest.raises(mg.GradcheckError, match=r"element \(1,\):\s+analytic nan"):
        mg.gradcheck(HalfNaNBackward.apply, x)
    assert mg.gradcheck(lambda t: t * 2, x)                   # the same op, done right


def test_gradcheck_fails_when_the_function_itself_is_nan():
    # torch.allclose (PyTorch's test) is False for NaN against NaN: nothing is checked there.
    x = mg.tensor([-1.0, 4.0], dtype=mg.float64, requires_grad=True)
    with pytest.raises(mg.GradcheckError, match='nan'):
        mg.gradcheck(lambda t: t * float('nan'), x)


def test_gradcheck_agrees_with_pytorch_on_nan(torch):
    class TorchNaN(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * float('nan')

    x = torch.randn(3, dtype=torch.float64, requires_grad=True)
    import sys
    with pytest.raises(sys.modules['torch.autograd.gradcheck'].GradcheckError):
        torch.autograd.gradcheck(TorchNaN.apply, (x,))
    with pytest.raises(mg.GradcheckError):
        mg.gradcheck(NaNBackward.apply, mg.tensor(x.detach().numpy(), requires_grad=True))


# --------------------------------------- items 5 and 6: damaged archives

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


# ------------------------------------------ item 7: what an archive may hold

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


def test_load_state_dict_refuses_strings():
    """Before: np.array(['1.5', ...]) was cast into the weights."""
    model = nn.Linear(2, 1)
    before = model.weight._array.copy()
    for value in (np.array([['1.5', '2']]), [['1.5', '2']], '1.5', np.array([[None, 1]]),
                  np.array([b'1'])):
        with pytest.raises(RuntimeError, match=r'While copying the parameter named "weight", '
                                               r'expected a Tensor or a numeric array'):
            model.load_state_dict({'weight': value, 'bias': np.zeros(1)})
        np.testing.assert_array_equal(model.weight._array, before)
    with pytest.raises(RuntimeError, match='While copying the parameter named "weight"'):
        model.load_state_dict({'weight': [[1.0], [2.0, 3.0]], 'bias': np.zeros(1)})   # ragged
    model.load_state_dict({'weight': [[1, 2]], 'bias': np.array([True])})   # numbers are fine
    np.testing.assert_array_equal(model.weight._array, [[1, 2]])
    assert model.weight.dtype == np.float32 and model.bias._array[0] == 1


def test_load_state_dict_complex_into_real_warns_as_pytorch():
    model = nn.Linear(2, 1)
    with pytest.warns(UserWarning, match='discards the imaginary part'):
        model.load_state_dict({'weight': np.array([[1 + 2j, 3 - 1j]]), 'bias': np.zeros(1)})
    np.testing.assert_array_equal(model.weight._array, [[1, 3]])


# ------------------------------------------------------ item 14: optimizers

OPTIMIZERS = [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: optim.Adam(ps, lr=0.1),
    lambda ps: optim.AdamW(ps, lr=0.1),
    lambda ps: optim.RMSprop(ps, lr=0.1),
    lambda ps: optim.Adagrad(ps, lr=0.1),
]


@pytest.mark.parametrize('make', OPTIMIZERS)
def test_a_wrongly_shaped_grad_is_an_error_not_a_broadcast(make):
    """Before: a (1, 3) gradient was broadcast into a (2, 3) parameter. As in PyTorch, such a
    .grad is refused when it is assigned, so no optimizer ever sees it."""
    w = mg.zeros(2, 3, requires_grad=True)
    opt = make([w])
    with pytest.raises(RuntimeError, match=r"assign a gradient of size '\[1, 3\]' to a tensor of "
                                           r"size '\[2, 3\]'. Please ensure that the gradient and "
                                           r"the tensor are the same size"):
        w.grad = mg.ones(1, 3)
    with pytest.raises(RuntimeError, match='same size'):
        w.grad = mg.ones(3)                                   # fewer dims: same error
    with pytest.raises(TypeError, match='expected to be a Tensor or None'):
        w.grad = np.ones((2, 3))
    with pytest.raises(RuntimeError, match="dtype 'float64'"):
        w.grad = mg.ones(2, 3, dtype=mg.float64)
    assert w.grad is None
    w.grad = mg.ones(2, 3)
    opt.step()
    assert w._array.all()


@pytest.mark.parametrize('make', OPTIMIZERS)
def test_duplicate_parameters_in_a_group_warn_as_pytorch(make):
    p = mg.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match=r'optimizer contains a parameter group with duplicate '
                                         r'parameters; in future, this will cause an error') as record:
        make([p, p])
    assert record[0].filename == __file__                     # points at the caller
    q = mg.zeros(1, requires_grad=True)
    opt = make([q])
    with pytest.warns(UserWarning, match='duplicate parameters') as record:
        opt.add_param_group({'params': [p, p]})
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        make([p, q])                                          # no duplicates: no warning


@pytest.mark.parametrize('make', OPTIMIZERS)
def test_a_parameter_in_two_groups_is_an_error(make):
    p, q = mg.zeros(2, requires_grad=True), mg.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match='some parameters appear in more than one parameter group'):
        make([{'params': [p]}, {'params': [q, p]}])
    opt = make([p])
    with pytest.raises(ValueError, match='more than one parameter group'):
        opt.add_param_group({'params': [p]})


@pytest.mark.parametrize('name, kwargs', [('SGD', dict(lr=0.1)), ('SGD', dict(lr=0.1, momentum=0.9)),
                                          ('Adam', dict(lr=0.1)), ('RMSprop', dict(lr=0.1)),
                                          ('Adagrad', dict(lr=0.1))])
def test_duplicate_parameters_step_as_pytorch(torch, name, kwargs):
    start, grad = np.array([0.5, -1.0]), np.array([1.0, -2.0])
    p = mg.tensor(start, requires_grad=True)
    tp = torch.tensor(start, requires_grad=True)
    with pytest.warns(UserWarning, match='duplicate'):
        opt = getattr(optim, name)([p, p], **kwargs)
    with pytest.warns(UserWarning, match='duplicate'):
        topt = getattr(torch.optim, name)([tp, tp], **kwargs)
    for _ in range(3):
        p.grad = mg.tensor(grad)
        tp.grad = torch.tensor(grad)
        opt.step()
        topt.step()
    np.testing.assert_allclose(p._array, tp.detach().numpy(), rtol=1e-12)


def test_pytorch_also_refuses_a_wrongly_shaped_grad(torch):
    tp = torch.zeros(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match='same size'):
        tp.grad = torch.ones(1, 3)
