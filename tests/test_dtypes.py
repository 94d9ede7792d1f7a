"""minigrad/dtypes.py's helpers against PyTorch: finfo, iinfo, get_default_dtype, set_default_dtype
(which must change what Python floats and the floating factories give, and be undone cleanly)."""
import numpy as np
import pytest

import minigrad as mg


def test_every_name_exists_in_every_form_torch_has(torch):
    for name in ['finfo', 'iinfo', 'get_default_dtype', 'set_default_dtype', 'set_printoptions',
                 'is_floating_point', 'is_tensor', 'is_complex', 'is_nonzero']:
        assert hasattr(mg, name) == hasattr(torch, name)
        assert hasattr(mg.Tensor, name) == hasattr(torch.Tensor, name)


@pytest.mark.parametrize('name', ['float16', 'float32', 'float64'])
def test_finfo(torch, name):
    mine, theirs = mg.finfo(getattr(mg, name)), torch.finfo(getattr(torch, name))
    for field in ('bits', 'eps', 'max', 'min', 'tiny', 'smallest_normal', 'resolution', 'dtype'):
        assert getattr(mine, field) == getattr(theirs, field), field
        assert type(getattr(mine, field)) is type(getattr(theirs, field)), field
    assert repr(mine) == repr(theirs)


def test_finfo_of_the_default_dtype(torch):
    assert repr(mg.finfo()) == repr(torch.finfo())


@pytest.mark.parametrize('name', ['uint8', 'int8', 'int16', 'int32', 'int64'])
def test_iinfo(torch, name):
    mine, theirs = mg.iinfo(getattr(mg, name)), torch.iinfo(getattr(torch, name))
    for field in ('bits', 'max', 'min', 'dtype'):
        assert getattr(mine, field) == getattr(theirs, field)
        assert type(getattr(mine, field)) is type(getattr(theirs, field))
    assert repr(mine) == repr(theirs)


@pytest.mark.parametrize('call', [lambda lib: lib.finfo(lib.int32), lambda lib: lib.iinfo(lib.float32),
                                  lambda lib: lib.iinfo(lib.bool), lambda lib: lib.set_default_dtype(lib.int64)])
def test_errors_are_type_errors(torch, call):
    for lib in (mg, torch):
        with pytest.raises(TypeError):
            call(lib)
    assert mg.get_default_dtype() == mg.float32


def made_by_default(lib):
    """What Python floats and the floating factories give, and how they print."""
    made = [lib.tensor(1.0), lib.tensor([1, 2.5]), lib.zeros(2), lib.ones(1, 2), lib.empty(2), lib.rand(2),
            lib.randn(2), lib.full((1,), 1.5), lib.arange(0, 1, 0.5), lib.linspace(0, 1, 3),
            lib.normal(0.0, 1.0, (2,)), lib.tensor([1, 2]) * 1.5, lib.eye(2), lib.zeros_like(lib.tensor([1, 2]),
                                                                                             dtype=lib.float32),
            lib.tensor([1, 2]).exp(), lib.tensor([1]) / lib.tensor([2]), lib.tensor([3]).sqrt(),
            lib.nn.Linear(2, 3).weight, lib.nn.Parameter()]
    return [str(t.dtype).replace('torch.', '') for t in made], [repr(lib.tensor(v)) for v in (1.5, [1.0, 2.0])]


@pytest.mark.parametrize('name', ['float64', 'float16', 'float32'])
def test_set_default_dtype_changes_floats_and_factories(torch, name):
    before = (mg.get_default_dtype(), torch.get_default_dtype())
    try:
        mg.set_default_dtype(getattr(mg, name))
        torch.set_default_dtype(getattr(torch, name))
        assert mg.get_default_dtype() == getattr(mg, name)
        assert made_by_default(mg) == made_by_default(torch)
        assert repr(mg.tensor([1.0], dtype=mg.float32)) == repr(torch.tensor([1.0], dtype=torch.float32)).replace('torch', 'minigrad')
        assert mg.tensor([1, 2]).dtype == mg.int64 and mg.arange(3).dtype == mg.int64
        assert repr(mg.finfo()) == repr(torch.finfo())
    finally:
        mg.set_default_dtype(before[0])
        torch.set_default_dtype(before[1])
    assert mg.get_default_dtype() == mg.float32 and mg.tensor(1.0).dtype == mg.float32
    assert mg.zeros(2).dtype == mg.float32 and repr(mg.tensor(1.5)) == 'tensor(1.5000)'


def test_set_default_dtype_takes_numpy_dtypes_too():
    try:
        mg.set_default_dtype(np.float64)
        assert mg.rand(3).dtype == mg.float64 and mg.tensor([0.5]).dtype == mg.float64
    finally:
        mg.set_default_dtype(mg.float32)
