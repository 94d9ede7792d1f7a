"""Module hooks against PyTorch: what each hook sees and what its result replaces."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def _record(lib, x_requires_grad=True, replace=None):
    """Runs a Linear(3, 2) with every kind of hook; returns what the hooks saw."""
    lib.manual_seed(0)
    layer = lib.nn.Linear(3, 2).double()
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(np.arange(6.).reshape(2, 3) / 6))
        layer.bias.fill_(0.5)
    seen = {}
    layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    layer.register_forward_hook(lambda m, args, out: out + 1)
    layer.register_full_backward_pre_hook(lambda m, go: seen.update(pre=go[0].numpy().copy()))

    def backward_hook(module, grad_input, grad_output):
        seen['in'] = [None if g is None else g.numpy().copy() for g in grad_input]
        seen['out'] = grad_output[0].numpy().copy()
        return None if replace is None else (grad_input[0] * replace,)
    layer.register_full_backward_hook(backward_hook)
    x = lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3), requires_grad=x_requires_grad)
    out = layer(x)
    (out ** 2).sum().backward()
    seen['y'] = out.detach().numpy()
    seen['x.grad'] = None if x.grad is None else x.grad.numpy()
    seen['w.grad'] = layer.weight.grad.numpy()
    return seen


@pytest.mark.filterwarnings('ignore:Full backward hook is firing')
@pytest.mark.parametrize('x_requires_grad, replace', [(True, None), (True, 3.0), (False, None)])
def test_hooks_see_and_replace_what_pytorch_hooks_do(torch, x_requires_grad, replace):
    mine, theirs = _record(mg, x_requires_grad, replace), _record(torch, x_requires_grad, replace)
    assert mine.keys() == theirs.keys()
    for key in mine:
        if isinstance(mine[key], list):
            assert len(mine[key]) == len(theirs[key])
            for a, b in zip(mine[key], theirs[key]):
                assert (a is None) == (b is None)
                if a is not None:
                    np.testing.assert_allclose(a, b, rtol=1e-12)
        elif mine[key] is None:
            assert theirs[key] is None
        else:
            np.testing.assert_allclose(mine[key], theirs[key], rtol=1e-12, err_msg=key)


def test_a_removed_hook_is_not_called_and_prepend_comes_first():
    layer, calls = nn.Linear(2, 2), []
    handle = layer.register_forward_hook(lambda m, a, o: calls.append('first'))
    layer.register_forward_hook(lambda m, a, o: calls.append('prepended'), prepend=True)
    layer(mg.zeros(1, 2))
    handle.remove()
    layer(mg.zeros(1, 2))
    assert calls == ['prepended', 'first', 'prepended']


def test_forward_hooks_with_kwargs():
    layer = nn.Linear(2, 2)
    seen = []
    layer.register_forward_pre_hook(lambda m, args, kwargs: seen.append(dict(kwargs)), with_kwargs=True)
    layer.register_forward_hook(lambda m, args, kwargs, out: seen.append(out.shape), with_kwargs=True)
    layer(input=mg.zeros(1, 2))
    assert seen == [{'input': seen[0]['input']}, (1, 2)]
