"""mg.save / mg.load: exact round trips through a plain .npz, and no code ever runs on load."""
import io
import pathlib
import pickle
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
