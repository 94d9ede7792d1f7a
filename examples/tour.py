"""The README's short tour as a script: tensors and gradients, the PyTorch training loop on
spirals, save and load, the backward trace and the graph with its gradients.

    python examples/tour.py     # prints the loss as it trains and the backward trace; writes
                                # spirals.npz and, with Graphviz's `dot`, graph.png here

Everything below this docstring is the README's "A short tour" block, line for line
(tests/test_examples_tour.py keeps the two the same). It pastes into the Python REPL too:
a blank line ends each `for`, `with` and `if`, as the REPL needs.
"""
import shutil

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim
from minigrad.data import make_spirals
from minigrad.utils.data import DataLoader, TensorDataset

# Tensors and gradients
x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)   # float32
y = (x * x + x.exp()).sum()
y.backward()
print(x.grad)               # 2x + exp(x)
print(y.grad_fn.name)       # SumBackward
print(y.grad_fn.rule)       # d Σ x = Σ dx: every element gets the incoming gradient
print(y.grad_fn.source)     # minigrad/ops/reductions.py:42, its forward and backward
print(mg.gradcheck(lambda t: (t.tanh() @ t.T).log_softmax(1),
                   mg.randn(3, 3, requires_grad=True)))    # True: agrees with finite differences

# A model, a loss, an optimizer: the PyTorch training loop
mg.manual_seed(0)                               # the same weights and batch order each run
X, labels = make_spirals(seed=0)                # NumPy arrays: 600 points, 3 classes
loader = DataLoader(TensorDataset(mg.tensor(X), mg.tensor(labels)), batch_size=64, shuffle=True)
model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(100):
    total = 0.0
    for xb, yb in loader:                       # shuffled mini-batches, a new order each epoch
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item() * len(xb)
    if epoch % 20 == 19:
        print(f'epoch {epoch + 1}: mean loss {total / len(X):.3f}')

# Save and load
mg.save(model.state_dict(), 'spirals.npz')
model.load_state_dict(mg.load('spirals.npz'))

# Watch backward apply the chain rule node by node, then see the graph with its gradients
opt.zero_grad()             # else the last training step's gradients would add to this loss's
loss = F.cross_entropy(model(mg.tensor(X[:4])), mg.tensor(labels[:4]))
with mg.viz.trace_backward(params=model) as trace:
    loss.backward()

print(trace)                # each node: what came in, its rule, what it sent to each input
picture = mg.viz.draw_graph(loss, params=model, trace=trace)   # a graphviz.Digraph
picture                     # Jupyter draws it inline; elsewhere its repr says how to save it
if shutil.which('dot'):     # Graphviz's own program, installed apart (see above)
    picture.render('graph', format='png', cleanup=True)    # graph.png; cleanup: no DOT file left
