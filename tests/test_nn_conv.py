"""The convolution layers (minigrad/nn/conv.py) against PyTorch: outputs and every gradient from
the same weights, state_dict, initialisation bounds, reprs and errors; and the 60-minute blitz's
LeNet run unchanged with `import minigrad as torch`."""
import math

import numpy as np
import pytest

import minigrad as mg
from helpers import raised_by_both
from minigrad import nn

LENET = '''

class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        # Convolution layer C1: 1 input image channel, 6 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a Tensor with size (N, 6, 28, 28), where N is the size of the batch
        c1 = F.relu(self.conv1(input))
        # Subsampling layer S2: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 6, 14, 14) Tensor
        s2 = F.max_pool2d(c1, (2, 2))
        # Convolution layer C3: 6 input channels, 16 output channels,
        # 5x5 square convolution, it uses RELU activation function, and
        # outputs a (N, 16, 10, 10) Tensor
        c3 = F.relu(self.conv2(s2))
        # Subsampling layer S4: 2x2 grid, purely functional,
        # this layer does not have any parameter, and outputs a (N, 16, 5, 5) Tensor
        s4 = F.max_pool2d(c3, 2)
        # Flatten operation: purely functional, outputs a (N, 400) Tensor
        s4 = torch.flatten(s4, 1)
        # Fully connected layer F5: (N, 400) Tensor input,
        # and outputs a (N, 120) Tensor, it uses RELU activation function
        f5 = F.relu(self.fc1(s4))
        # Fully connected layer F6: (N, 120) Tensor input,
        # and outputs a (N, 84) Tensor, it uses RELU activation function
        f6 = F.relu(self.fc2(f5))
        # Gaussian layer OUTPUT: (N, 84) Tensor input, and
        # outputs a (N, 10) Tensor
        output = self.fc3(f6)
        return output


net = Net()
print(net)
params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight
net.load_state_dict({k: torch.tensor(v) for k, v in STATE.items()})

input = torch.tensor(INPUT)
out = net(input)
print(out)

net.zero_grad()
out.backward(torch.tensor(GRAD_OUT))
random_grad_bias = net.conv1.bias.grad.clone()

output = net(input)
target = torch.tensor(TARGET)  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)
print(loss.grad_fn)  # MSELoss
print(loss.grad_fn.next_functions[0][0])  # Linear
print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU

net.zero_grad()     # zeroes the gradient buffers of all parameters
print('conv1.bias.grad before backward')
print(net.conv1.bias.grad)
loss.backward()
print('conv1.bias.grad after backward')
print(net.conv1.bias.grad)
grads = {name: p.grad.clone() for name, p in net.named_parameters()}

# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=0.01)

# in your training loop:
optimizer.zero_grad()   # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()    # Does the update
after = {name: p.detach().clone() for name, p in net.named_parameters()}
'''


HEADERS = {'minigrad': 'import minigrad as torch\nimport minigrad.nn as nn\nimport minigrad.nn.functional as F\n'
                       'import minigrad.optim as optim\n',
           'torch': 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport torch.optim as optim\n'}


def _lenet_run(lib, values):
    """The program with its imports (the only lines that differ) from `lib`."""
    scope = dict(values)
    exec(HEADERS[lib] + LENET, scope)
    return scope


def test_the_blitz_lenet_runs_unchanged_and_agrees_with_pytorch(torch, capsys):
    rng = np.random.default_rng(0)
    shapes = {'conv1.weight': (6, 1, 5, 5), 'conv1.bias': (6,), 'conv2.weight': (16, 6, 5, 5),
              'conv2.bias': (16,), 'fc1.weight': (120, 400), 'fc1.bias': (120,),
              'fc2.weight': (84, 120), 'fc2.bias': (84,), 'fc3.weight': (10, 84), 'fc3.bias': (10,)}
    state = {k: (rng.uniform(-1, 1, s) / math.sqrt(np.prod(s[1:]) if len(s) > 1 else 10))
             .astype(np.float32) for k, s in shapes.items()}
    values = {'STATE': state, 'INPUT': rng.standard_normal((1, 1, 32, 32)).astype(np.float32),
              'GRAD_OUT': rng.standard_normal((1, 10)).astype(np.float32),
              'TARGET': rng.standard_normal(10).astype(np.float32)}
    ours = _lenet_run('minigrad', values)
    printed = capsys.readouterr().out
    ref = _lenet_run('torch', values)
    assert printed.splitlines()[:8] == capsys.readouterr().out.splitlines()[:8]    # print(net), len(params)
    assert isinstance(ours['net'].conv1, mg.nn.Conv2d)
    assert ours['out'].shape == (1, 10) and ours['loss'].dtype == mg.float32

    def close(a, b, what):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=what)
    close(ours['out'], ref['out'], 'out')
    close(ours['random_grad_bias'], ref['random_grad_bias'], 'conv1.bias.grad from out.backward')
    close(ours['loss'], ref['loss'], 'loss')
    for name in shapes:
        close(ours['grads'][name], ref['grads'][name], f'{name}.grad')
        close(ours['after'][name], ref['after'][name], f'{name} after one SGD step')


# ------------------------------------------------------------ layers against PyTorch

LAYERS = [
    ('Conv1d', (3, 4, 3), {}, (2, 3, 9)),
    ('Conv1d', (4, 6, 3), dict(stride=2, padding=2, dilation=2, groups=2, bias=False), (2, 4, 11)),
    ('Conv1d', (2, 4, 4), dict(padding='same', padding_mode='reflect'), (3, 2, 8)),
    ('Conv1d', (2, 4, 3), dict(padding=1, padding_mode='circular'), (2, 7)),
    ('Conv2d', (3, 4, 3), {}, (2, 3, 6, 7)),
    ('Conv2d', (4, 6, (3, 2)), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2), (2, 4, 7, 8)),
    ('Conv2d', (3, 2, 4), dict(padding='same', dilation=2), (2, 3, 9, 8)),
    ('Conv2d', (3, 2, 3), dict(padding='valid', stride=2), (3, 8, 7)),
    ('Conv2d', (2, 3, 3), dict(padding=1, padding_mode='replicate'), (2, 2, 5, 6)),
    ('Conv2d', (2, 3, 3), dict(padding=(2, 1), padding_mode='reflect'), (2, 2, 5, 6)),
    ('Conv2d', (2, 3, 3), dict(padding=1, padding_mode='circular', stride=2), (2, 2, 5, 6)),
    ('ConvTranspose1d', (4, 2, 3), dict(stride=3, padding=1, output_padding=2, groups=2), (2, 4, 5)),
    ('ConvTranspose1d', (3, 2, 3), dict(dilation=2, bias=False), (3, 6)),
    ('ConvTranspose2d', (3, 4, 3), {}, (2, 3, 4, 5)),
    ('ConvTranspose2d', (4, 6, (3, 2)), dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2),
                                             groups=2, dilation=(1, 2)), (2, 4, 4, 5)),
]


def _pair(torch, name, args, kwargs, dtype):
    """The torch layer and ours, ours holding the torch layer's weights."""
    theirs = getattr(torch.nn, name)(*args, **kwargs).to(getattr(torch, dtype))
    ours = getattr(nn, name)(*args, **kwargs, dtype=getattr(mg, dtype))
    ours.load_state_dict({k: mg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return theirs, ours


@pytest.mark.parametrize('dtype, rtol', [('float32', 1e-5), ('float64', 1e-9)])
@pytest.mark.parametrize('name, args, kwargs, shape', LAYERS, ids=[f'{c[0]}-{i}' for i, c in enumerate(LAYERS)])
def test_layers_give_pytorchs_outputs_and_gradients(torch, name, args, kwargs, shape, dtype, rtol):
    rng = np.random.default_rng(1)
    theirs, ours = _pair(torch, name, args, kwargs, dtype)
    x = rng.standard_normal(shape).astype(dtype)
    xt, xm = torch.tensor(x, requires_grad=True), mg.tensor(x, requires_grad=True)
    yt, ym = theirs(xt), ours(xm)
    assert ym.shape == tuple(yt.shape) and ym.dtype == getattr(mg, dtype)
    g = rng.standard_normal(ym.shape).astype(dtype)
    yt.backward(torch.tensor(g))
    ym.backward(mg.tensor(g))
    atol = rtol * 10
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=atol)
    for (key, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=rtol, atol=atol, err_msg=key)


def test_conv_transpose_output_size_picks_the_output_padding(torch):
    theirs, ours = _pair(torch, 'ConvTranspose2d', (2, 3, 3), dict(stride=2), 'float64')
    x = np.random.default_rng(2).standard_normal((1, 2, 4, 4))
    for size in [(9, 9), (10, 9), [1, 3, 10, 10]]:
        expected = theirs(torch.tensor(x), output_size=size).detach().numpy()
        np.testing.assert_allclose(ours(mg.tensor(x), output_size=size).detach().numpy(), expected, rtol=1e-12)
    with pytest.raises(ValueError, match='valid sizes range from 9 to 10'):
        ours(mg.tensor(x), output_size=(11, 9))


@pytest.mark.parametrize('name, args, kwargs, shape', LAYERS, ids=[f'{c[0]}-{i}' for i, c in enumerate(LAYERS)])
def test_layers_have_pytorchs_state_dict_repr_and_init(torch, name, args, kwargs, shape):
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    ours = getattr(nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    for attr in ('in_channels', 'out_channels', 'kernel_size', 'stride', 'padding', 'dilation',
                 'groups', 'padding_mode', 'output_padding', 'transposed'):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    fan_in = ours.weight.shape[1] * int(np.prod(ours.kernel_size))
    bound = 1 / math.sqrt(fan_in)                       # kaiming_uniform_(a=√5): gain·√(3/fan_in)
    w = ours.weight.detach().numpy()
    assert np.abs(w).max() <= bound
    if ours.bias is not None:
        assert np.abs(ours.bias.detach().numpy()).max() <= bound


def test_a_big_layers_init_is_uniform_in_its_bounds():
    w = nn.Conv2d(16, 32, 3).weight.detach().numpy().ravel()
    bound = 1 / math.sqrt(16 * 9)
    assert np.abs(w).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound       # U(-b, b) has std b/√3


@pytest.mark.parametrize('make, call', [
    (lambda L: L.nn.Conv2d(3, 6, 3), lambda L: L.randn(1, 1, 8, 8)),       # wrong in_channels
    (lambda L: L.nn.Conv2d(3, 6, 3), lambda L: L.randn(8, 8)),             # 2-D input
    (lambda L: L.nn.Conv2d(3, 6, 9), lambda L: L.randn(1, 3, 8, 8)),       # kernel bigger than input
    (lambda L: L.nn.Conv1d(3, 6, 3), lambda L: L.randn(1, 3, 8, 8)),
    (lambda L: L.nn.ConvTranspose2d(3, 6, 3), lambda L: L.randn(1, 2, 8, 8)),
])
def test_wrong_inputs_raise_pytorchs_errors(torch, make, call):
    ours, theirs = raised_by_both(torch, lambda lib: make(lib)(call(lib)))
    assert str(ours) == str(theirs)


@pytest.mark.parametrize('kwargs', [dict(groups=2), dict(groups=0), dict(padding='same', stride=2),
                                    dict(padding='full'), dict(padding_mode='mirror')])
def test_bad_arguments_raise_pytorchs_errors(torch, kwargs):
    with pytest.raises(ValueError) as expected:
        torch.nn.Conv2d(3, 6, 3, **kwargs)
    with pytest.raises(ValueError) as got:
        nn.Conv2d(3, 6, 3, **kwargs)
    if 'padding_mode' not in kwargs and kwargs.get('padding') != 'full':     # PyTorch prints a set, in no fixed order
        assert str(got.value) == str(expected.value)
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported for ConvTranspose2d'):
        nn.ConvTranspose2d(3, 6, 3, padding_mode='reflect')
