"""A PyTorch name minigrad lacks raises an AttributeError that says so; other misses stay plain."""
import inspect
import pathlib

import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import missing, nn

README = pathlib.Path(__file__).resolve().parents[1] / 'README.md'


def _error(get):
    with pytest.raises(AttributeError) as caught:
        get()
    return str(caught.value)


@pytest.mark.parametrize('get, spelled', [
    (lambda: mg.fft, 'torch.fft'),
    (lambda: mg.tensor([1.0]).stft, 'torch.Tensor.stft'),
    (lambda: nn.Conv3d, 'torch.nn.Conv3d'),
    (lambda: F.ctc_loss, 'torch.nn.functional.ctc_loss'),
    (lambda: mg.linalg.inv, 'torch.linalg.inv'),
    (lambda: mg.optim.LBFGS, 'torch.optim.LBFGS'),
], ids=['mg', 'Tensor', 'nn', 'F', 'linalg', 'optim'])
def test_a_pytorch_name_minigrad_lacks_says_so(get, spelled):
    message = _error(get)
    assert f'minigrad has no `{spelled}` (PyTorch has it)' in message
    assert "'Coming from PyTorch'" in message and 'README' in message


def test_the_readme_has_the_section_the_error_names():
    assert '## Coming from PyTorch' in README.read_text()


@pytest.mark.parametrize('get', [lambda: mg.sofmax, lambda: mg.tensor([1.0]).sofmax,
                                 lambda: nn.Linearr, lambda: mg.tensor([1.0])._no_such_slot])
def test_a_name_pytorch_lacks_too_gets_the_plain_error(get):
    message = _error(get)
    assert 'has no attribute' in message and 'PyTorch has it' not in message


def test_hasattr_and_getattr_with_a_default_still_see_a_miss():
    t = mg.tensor([1.0])
    assert not hasattr(mg, 'fft') and not hasattr(t, 'stft') and not hasattr(nn, 'Conv3d')
    assert getattr(t, 'stft', 'absent') == 'absent'


def test_python_still_suggests_a_close_name():
    try:
        mg.sofmax
    except AttributeError as error:
        assert error.name == 'sofmax' and error.obj is mg


def test_the_name_list_is_pytorchs(torch):
    """pytorch_names.py lists torch 2.13's public names; with that torch here, they must agree."""
    if not torch.__version__.startswith('2.13'):
        pytest.skip(f'the list is of torch 2.13, this is {torch.__version__}')
    import torch.nn.functional
    for space, module in [('torch', torch), ('Tensor', torch.Tensor), ('nn', torch.nn),
                          ('nn.functional', torch.nn.functional)]:
        names = {n for n in dir(module) if not n.startswith('_')    # not submodules: other tests
                 and not inspect.ismodule(getattr(module, n))}     # import more of them
        assert all(missing.pytorch_has(space, n) for n in names)
        assert not missing.pytorch_has(space, 'surely_not_a_pytorch_name')


def test_the_stand_ins_stay_out_of_dir_and_help():
    import pydoc
    t = mg.tensor([1.0])
    assert 'stft' not in dir(t) and 'stft' not in dir(mg.Tensor) and 'sum' in dir(t)
    assert 'stft' not in pydoc.render_doc(mg.Tensor, renderer=pydoc.plaintext)
    assert not hasattr(nn.Parameter(mg.zeros(2)), 'stft')


def test_a_name_added_later_replaces_its_stand_in():
    from minigrad.methods import tensor_method
    stand_in = vars(mg.Tensor)['stft']
    try:
        @tensor_method
        def stft(input):                            # noqa: A002
            return input * 2
        assert mg.tensor([1.0]).stft().tolist() == [2.0] and 'stft' in dir(mg.Tensor)
    finally:
        mg.Tensor.stft = stand_in
        type(mg.Tensor).absent |= {'stft'}
    assert not hasattr(mg.tensor([1.0]), 'stft')
