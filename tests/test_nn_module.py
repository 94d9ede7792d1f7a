"""Module's bookkeeping against PyTorch: buffers (persistent or not) in state_dict and to(),
lookups by dotted path, and the errors of register_buffer and to()."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def _stats_model(lib):
    """A model with a buffer of its own, a non-persistent one and a child's: enough to see
    state_dict's order (own parameters, own buffers, then children)."""
    class Stats(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = lib.nn.Parameter(lib.ones(2))
            self.register_buffer('count', lib.zeros((), dtype=lib.int64))
            self.register_buffer('scratch', lib.zeros(3), persistent=False)
            self.fc = lib.nn.Linear(3, 2)
            self.fc.register_buffer('mean', lib.zeros(2))

        def forward(self, x):
            return self.fc(x) * self.scale + self.fc.mean
    return Stats()


def test_buffers_are_saved_and_named_as_in_pytorch(torch):
    mine, theirs = _stats_model(mg), _stats_model(torch)
    assert list(mine.state_dict()) == list(theirs.state_dict()) == ['scale', 'count', 'fc.weight',
                                                                   'fc.bias', 'fc.mean']
    assert [n for n, _ in mine.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert len(list(mine.buffers())) == 3 and len(list(mine.buffers(recurse=False))) == 2
    # a state dict moves both ways, buffers included
    theirs.fc.mean.fill_(0.5)
    theirs.count.fill_(7)
    mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert mine.count.item() == 7 and mine.count.dtype == mg.int64
    np.testing.assert_array_equal(mine.fc.mean.numpy(), [0.5, 0.5])
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in mine.state_dict().items()})


def test_to_converts_floating_buffers_and_leaves_integer_ones():
    model = _stats_model(mg).double()
    assert model.fc.mean.dtype == model.scratch.dtype == mg.float64
    assert model.count.dtype == mg.int64
    assert model.to(mg.device('cpu')) is model and model.to('cpu', mg.float32).scratch.dtype == mg.float32
    assert model.to(mg.zeros(1, dtype=mg.float64)).fc.weight.dtype == mg.float64


def test_to_names_what_cannot_be():
    model = _stats_model(mg)
    with pytest.raises(RuntimeError, match="CPU only.*'cuda'"):
        model.to(mg.device('cuda'))
    with pytest.raises(TypeError, match='floating point or complex dtypes.*int64'):
        model.to(mg.int64)


def test_a_buffer_reassigned_stays_a_buffer_and_none_is_skipped():
    model = _stats_model(mg)
    model.count = mg.tensor(3)
    assert model.state_dict()['count'].item() == 3
    model.fc.mean = None
    assert 'fc.mean' not in model.state_dict()
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'count'"):
        model.count = 4
    del model.count
    assert 'count' not in model.state_dict()


@pytest.mark.parametrize('name, tensor, error', [
    ('a.b', mg.zeros(1), KeyError), ('', mg.zeros(1), KeyError), (3, mg.zeros(1), TypeError),
    ('fc', mg.zeros(1), KeyError), ('x', 3.0, TypeError)])
def test_register_buffer_refuses_what_pytorch_refuses(torch, name, tensor, error):
    mine, theirs = _stats_model(mg), _stats_model(torch)
    with pytest.raises(error) as got:
        mine.register_buffer(name, tensor)
    with pytest.raises(error) as expected:
        theirs.register_buffer(name, torch.zeros(1) if isinstance(tensor, mg.Tensor) else tensor)
    assert type(got.value) is type(expected.value)


def test_dotted_lookups():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert model.get_submodule('1.1') is model[1][1]
    assert model.get_parameter('1.1.bias') is model[1][1].bias
    with pytest.raises(AttributeError, match='has no attribute `2`'):
        model.get_submodule('1.2')
    with pytest.raises(AttributeError, match='not a buffer'):
        model.get_buffer('0.weight')


def test_a_module_in_two_places_is_saved_under_both_names(torch):
    keys = []
    for lib in (mg, torch):
        shared = lib.nn.Linear(2, 2)
        keys.append(list(lib.nn.Sequential(shared, lib.nn.ReLU(), shared).state_dict()))
    assert keys[0] == keys[1] == ['0.weight', '0.bias', '2.weight', '2.bias']


@pytest.mark.parametrize('name, error', [('a.b', KeyError), ('', KeyError), (1, TypeError),
                                         ('training', KeyError)])
def test_add_module_and_register_parameter_check_names_as_pytorch(torch, name, error):
    for lib in (mg, torch):
        model = lib.nn.Linear(2, 2)
        with pytest.raises(error):
            model.add_module(name, lib.nn.ReLU())
        with pytest.raises(error):
            model.register_parameter(name, lib.nn.Parameter(lib.zeros(1)))


def test_load_state_dict_with_assign_shares_the_checkpoints_arrays():
    model = nn.Linear(2, 2)
    state = {'weight': np.ones((2, 2)), 'bias': np.zeros(2)}        # float64, unlike the model
    model.load_state_dict(state, assign=True)
    assert model.weight.dtype == mg.float64 and np.shares_memory(model.weight.detach().numpy(), state["weight"])
    assert isinstance(model.weight, nn.Parameter) and model.weight.requires_grad
