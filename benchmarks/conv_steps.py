"""Workload 'cnn-lenet': one training step (forward, cross-entropy, backward, SGD update) of a
LeNet-style CNN on 28×28 inputs, batch 64, minigrad against PyTorch eager from the same initial
weights: conv 1→6 5×5 (pad 2), ReLU, max-pool 2, conv 6→16 5×5, ReLU, max-pool 2, flatten,
linear 400→120→84→10.

The model is a PyTorch program, `lenet(torch)`, written once and run with either library as
`torch`.
"""
import numpy as np

SIZES = {'batch': 64, 'side': 28}
TINY = {'batch': 2, 'side': 28}


def lenet(torch):
    """The model, built with `torch` (PyTorch or minigrad)."""
    nn, F = torch.nn, torch.nn.functional

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    return LeNet()


def batch(size, side, seed=0):
    """`size` random images (N, 1, side, side), float32, and labels 0-9."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((size, 1, side, side)).astype(np.float32), rng.integers(0, 10, size)


def _step(lib, model, x, y, lr=0.01):
    xs, ys = lib.tensor(x), lib.tensor(y)
    optimizer = lib.optim.SGD(model.parameters(), lr=lr)

    def step():
        optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(xs), ys)
        loss.backward()
        optimizer.step()
        return loss
    return step


def workloads(tiny=False):
    """{'cnn-lenet': {'minigrad': step, 'torch': step}}, both from PyTorch's initial weights
    ('torch' only when PyTorch is installed; then minigrad starts from its own)."""
    import minigrad as mg
    try:
        import torch
    except ImportError:
        torch = None
    sizes = TINY if tiny else SIZES
    x, y = batch(sizes['batch'], sizes['side'])
    mine = lenet(mg)
    out = {'cnn-lenet': {'minigrad': _step(mg, mine, x, y)}}
    if torch is not None:
        torch.manual_seed(0)
        theirs = lenet(torch)
        mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
        out['cnn-lenet']['torch'] = _step(torch, theirs, x, y)
    return out
