"""Cells of 07_convolution_and_time.ipynb (written by build.py)."""
from build import code, md

NAME = '07_convolution_and_time.ipynb'

CELLS = [
    md(r"""
    # Convolution and time: backward through the layers past the MLP

    PyTorch runs a convolution's backward and an LSTM's as fused kernels you cannot read. Here
    each is a few ops whose backward is the chain rule you know. This notebook

    1. unfolds a tiny image into the columns a convolution multiplies (**im2col**), and sees the
       convolution become one matrix product;
    2. checks that its backward is the transpose of each step: the product's transpose, then
       **col2im**, which adds each column back where it came from;
    3. trains a small **CNN** on the bundled digits and looks at its filters;
    4. unrolls an **RNN** over three steps, draws the graph, and watches backward walk through
       time, last step first; then measures how the gradient fades over 20 steps.
    """),
    code(r"""
    import os
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')   # small matrices: one BLAS thread is fastest,
    os.environ.setdefault('OMP_NUM_THREADS', '1')        # and idle threads would spin on busy cores
    %matplotlib inline
    import shutil

    import matplotlib.pyplot as plt
    import numpy as np

    import minigrad as mg
    import minigrad.nn.functional as F
    from minigrad import data, nn
    from minigrad.viz import draw_graph, trace_backward

    np.set_printoptions(precision=3, suppress=True)
    """),
    md(r"""
    ## 1. A convolution is a matrix product

    A 3×3 filter slides over a 4×4 image (padding 1 keeps the size). At each of the 16 positions
    it multiplies 9 pixels by its 9 weights and adds them up. `F.unfold` copies those 9 pixels of
    each position into a column: a (9, 16) matrix for one image with one channel. The convolution
    is then the filter, flattened to a row of 9, times that matrix.
    """),
    code(r"""
    x = mg.arange(16.).reshape(1, 1, 4, 4)
    w = mg.tensor([[[[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]]]])     # a Laplacian filter
    cols = F.unfold(x, kernel_size=3, padding=1)
    print('image:\n', x[0, 0].numpy())
    print('columns (9 pixels per position, 16 positions):', tuple(cols.shape))
    print(cols[0, :, :6].numpy(), '...')
    by_hand = (w.reshape(1, 9) @ cols[0]).reshape(4, 4)
    print('filter row × columns:\n', by_hand.numpy())
    assert mg.allclose(by_hand, F.conv2d(x, w, padding=1)[0, 0])
    """),
    md(r"""
    ## 2. Its backward: the transposes, then col2im

    With $Y = W\,\mathrm{cols}(X)$, the chain rule gives $\partial L/\partial W = \delta Y\,\mathrm{cols}^\top$
    and $\partial L/\partial\,\mathrm{cols} = W^\top \delta Y$. A pixel sits in up to 9 columns, so
    its gradient is the sum over those columns: **col2im** (`F.fold`) adds each column's entries
    back at the pixels they were copied from. That is the whole of `ConvBackward`
    (`minigrad/ops/conv.py`); a transposed convolution is the same col2im run forward.
    """),
    code(r"""
    x.requires_grad_(True)
    w.requires_grad_(True)
    y = F.conv2d(x, w, padding=1)
    dy = mg.ones_like(y)                       # pretend ∂L/∂Y is all ones
    y.backward(dy)
    dcols = w.detach().reshape(9, 1) @ dy.reshape(1, 16)
    by_hand = F.fold(dcols[None], output_size=(4, 4), kernel_size=3, padding=1)
    print('x.grad from backward:\n', x.grad[0, 0].numpy())
    print('col2im of Wᵀ δY:\n', by_hand[0, 0].numpy())
    assert mg.allclose(x.grad, by_hand)
    assert mg.allclose(w.grad.reshape(9), (cols[0] @ dy.reshape(16, 1)).reshape(9))
    """),
    md(r"""
    Interior pixels get exactly 0: all 9 positions of the filter reach them, and the Laplacian's
    weights add up to 0. A border pixel is missed by the positions that hang over the edge (the
    padding's zeros take those places), so it gets the sum of only part of the weights.

    ## 3. A small CNN on the digits

    The same few weights at every position: a stroke is recognised wherever it is. Two 3×3
    convolutions with ReLU and 2×2 max-pooling, then one linear layer: 6,090 weights, against the
    MLP's 17,226 in `examples/cnn_digits.py` (which compares the two over 5 seeds).
    """),
    code(r"""
    X, y = data.load_digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X / 16, y, test_size=0.2, seed=0)
    X_train = mg.tensor(X_train.reshape(-1, 1, 8, 8), dtype=mg.float32)
    X_test = mg.tensor(X_test.reshape(-1, 1, 8, 8), dtype=mg.float32)
    y_train, y_test = mg.tensor(y_train), mg.tensor(y_test)

    mg.manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(32 * 2 * 2, 10))
    optimizer = mg.optim.Adam(cnn.parameters(), lr=3e-3)
    order = np.random.default_rng(0)
    for epoch in range(8):
        for batch in np.array_split(order.permutation(len(y_train)), len(y_train) // 32):
            index = mg.tensor(batch)
            loss = F.cross_entropy(cnn(X_train[index]), y_train[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with mg.no_grad():
        accuracy = (cnn(X_test).argmax(1) == y_test).float().mean().item()
    print(f'test accuracy after 8 epochs: {accuracy:.3f}')
    assert accuracy > 0.9
    """),
    code(r"""
    filters = cnn[0].weight.detach().numpy()[:, 0]
    with mg.no_grad():
        maps = cnn[1](cnn[0](X_test[:1])).numpy()[0]
    fig, axes = plt.subplots(2, 8, figsize=(9, 2.6))
    for i in range(8):
        axes[0, i].imshow(filters[i], cmap='RdBu_r')
        axes[1, i].imshow(maps[i], cmap='gray')
    for ax in axes.ravel():
        ax.set_xticks([]); ax.set_yticks([])
    axes[0, 0].set_ylabel('filter'); axes[1, 0].set_ylabel('its map')
    fig.suptitle('8 of the first layer\'s filters, and what each makes of one test digit');
    """),
    md(r"""
    ## 4. Backprop through time

    An RNN applies the same step at every time step: $h_t = \tanh(x_t W_{ih}^\top + b_{ih} +
    h_{t-1} W_{hh}^\top + b_{hh})$. Unrolled over three steps it is an ordinary graph with the
    step three times, each node labelled with its step, and the weights shared by all three
    (their gradients add up where the `used by every step` node is).
    """),
    code(r"""
    mg.manual_seed(0)
    rnn = nn.RNN(input_size=2, hidden_size=3)
    xs = mg.randn(3, 1, 2, generator=mg.Generator().manual_seed(1))      # 3 steps, batch 1
    output, h_n = rnn(xs)
    loss = output[-1].sum()
    if shutil.which('dot'):
        picture = draw_graph(loss, params=rnn, rankdir='LR')
    else:
        picture = 'Graphviz `dot` is not installed: no picture (mg.viz.to_dot gives its source)'
    picture
    """),
    md(r"""
    Backward walks it from the loss: step 2 first, then step 1, then step 0, each `TanhBackward`
    multiplying by $1 - h_t^2$ and each `LinearBackward` by $W_{hh}$ on the way to the step before.
    """),
    code(r"""
    with trace_backward(params=rnn) as trace:
        loss.backward()
    print([f'{s.op} ({s.node.label})' for s in trace.steps if s.op == 'TanhBackward'])
    assert [s.node.label for s in trace.steps if s.op == 'TanhBackward'] == ['step 2', 'step 1', 'step 0']
    """),
    md(r"""
    Each step back multiplies the gradient by $W_{hh}^\top \operatorname{diag}(1 - h_t^2)$. If
    those factors are smaller than 1, the gradient fades exponentially with distance: the
    **vanishing gradient** that made plain RNNs forget. An `nn.RNNCell` in a loop lets us keep
    every $h_t$ and read $\partial L/\partial h_t$ for a loss on the last step only:
    """),
    code(r"""
    mg.manual_seed(0)
    cell = nn.RNNCell(4, 16)
    h, hs = mg.zeros(1, 16), []
    steps = mg.randn(20, 1, 4, generator=mg.Generator().manual_seed(2))
    for t in range(20):
        h = cell(steps[t], h)
        h.retain_grad()
        hs.append(h)
    hs[-1].sum().backward()
    norms = [hs[t].grad.norm().item() for t in range(20)]
    print(' '.join(f'{n:.1e}' for n in norms[::3]), '(every 3rd step, first to last)')
    plt.figure(figsize=(5, 3))
    plt.semilogy(norms, 'o-')
    plt.xlabel('time step t'); plt.ylabel('|∂L/∂h_t|'); plt.title('a loss on the last step only');
    assert norms[0] < norms[-1] / 100
    """),
    md(r"""
    ## What we saw

    - A convolution is im2col (copy each window into a column) and one matrix product; its
      backward is the product's transposes and col2im (add each column back), nothing new.
    - A CNN reuses a few weights at every position, and learns the digits with a third of the
      MLP's weights.
    - An RNN's backward is backward through its unrolled steps, last step first; the gradient
      that reaches early steps shrinks by a factor each step, which LSTMs and GRUs were designed
      to avoid (in minigrad, `nn.LSTM` runs its layer as one op whose backward is that loop through
      time written out: `minigrad/ops/recurrent.py`, `LSTMSequence`).
    """),
]
