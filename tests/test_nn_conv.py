"""The convolution layers (minigrad/nn/conv.py) against PyTorch: outputs and every gradient from
the same weights, state_dict, initialisation bounds, reprs and errors; and the 60-minute blitz's
LeNet run unchanged with `import minigrad as torch`."""
import math

import numpy as np
import pytest

import minigrad as mg
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
