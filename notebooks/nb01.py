"""Cells of 01_backprop_from_scratch.ipynb (written by build.py)."""
from build import code, md

NAME = '01_backprop_from_scratch.ipynb'

CELLS = [
    md(r"""
    # Backprop from scratch

    A network learns by nudging every parameter against the gradient of its loss.
    **Backpropagation** computes that gradient: the chain rule, applied one operation
    at a time, from the loss back to the parameters.

    In this notebook we

    1. differentiate a one-neuron expression **by hand**,
    2. let **minigrad** do the same, and look at the **graph** it recorded,
    3. watch the **backward pass** step by step, take one **gradient-descent step** by hand, and
       see why **gradients add up** when a value is used twice,
    4. check gradients against **finite differences**, and catch a wrong derivative with `gradcheck`,
    5. end with **tensors and broadcasting**, where one parameter is used many times.

    Every number below is printed by a cell; the `assert` lines make the notebook
    fail if a number ever changes its story.
    """),
    code(r"""
    import os
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')   # small matrices: one BLAS thread is fastest,
    os.environ.setdefault('OMP_NUM_THREADS', '1')        # and idle threads would spin on busy cores
    %matplotlib inline
    import math

    import matplotlib.pyplot as plt
    import numpy as np

    import minigrad as mg
    from minigrad.viz import draw_graph, trace_backward

    print('minigrad', mg.__version__)
    """),
    md(r"""
    ## 1. A tiny expression, by hand

    One neuron with one input, and a squared error against a target $t$:

    $$z = w\,x + b, \qquad y = \tanh(z), \qquad L = (y - t)^2 .$$

    The chain rule multiplies the local derivatives along the path from $L$ back to each input:

    $$\frac{\partial L}{\partial y} = 2(y - t), \qquad
      \frac{\partial y}{\partial z} = 1 - y^2, \qquad
      \frac{\partial z}{\partial w} = x, \qquad \frac{\partial z}{\partial b} = 1$$

    $$\frac{\partial L}{\partial w} = 2(y - t)\,(1 - y^2)\,x, \qquad
      \frac{\partial L}{\partial b} = 2(y - t)\,(1 - y^2).$$

    Notice that the backward pass **reuses** values from the forward pass ($y$, $x$):
    that is why an autograd engine keeps some of them until backward runs.
    """),
    code(r"""
    x, w, b, t = 2.0, 0.8, -0.3, 1.0          # input, weight, bias, target

    # forward, one step at a time
    z = w * x + b
    y = math.tanh(z)
    L = (y - t) ** 2

    # backward: local derivatives, multiplied from the loss down
    dL_dy = 2 * (y - t)
    dy_dz = 1 - y ** 2
    dL_dz = dL_dy * dy_dz
    dL_dw = dL_dz * x
    dL_db = dL_dz * 1

    print(f'forward:  z = {z:.4f}   y = tanh(z) = {y:.6f}   L = {L:.6f}')
    print(f'backward: dL/dy = {dL_dy:.6f}   dy/dz = {dy_dz:.6f}   dL/dz = {dL_dz:.6f}')
    print(f'          dL/dw = {dL_dw:.6f}   dL/db = {dL_db:.6f}')
    """),
    md(r"""
    ## 2. The same with minigrad: the graph it records

    A `Tensor` created with `requires_grad=True` is a *leaf* we want gradients for.
    Every operation on it records a node — its `grad_fn` — that knows its inputs and its
    derivative rule. We compute in float64 here so that the comparison with plain Python
    floats (which are float64) is exact to rounding.
    """),
    code(r"""
    xt = mg.tensor(x, dtype=mg.float64)                       # data: no gradient wanted
    tt = mg.tensor(t, dtype=mg.float64)
    wt = mg.tensor(w, dtype=mg.float64, requires_grad=True)   # parameters
    bt = mg.tensor(b, dtype=mg.float64, requires_grad=True)

    Lt = ((wt * xt + bt).tanh() - tt) ** 2
    print('L       =', Lt)
    print('L.grad_fn =', Lt.grad_fn.name, '  its inputs come from', Lt.grad_fn.next_functions)
    assert math.isclose(Lt.item(), L, rel_tol=1e-12)
    """),
    md(r"""
    `L.grad_fn` is the node of the last operation, the square. `next_functions` lists, for each
    of its inputs, the node that made that input (and which of that node's outputs it was,
    always 0 here): the first input, $y - t$, came from a subtraction; the second, the exponent
    2, is a constant that no operation made, hence `None`. Following `next_functions` from node
    to node walks the whole graph backwards, which is exactly what `backward()` will do.
    """),
    md(r"""
    Here is that graph as a picture. Boxes are tensors, ovals are operations, arrows follow the
    forward pass. Green boxes are the parameters, dashed grey boxes are constants, and under each
    op is the derivative rule it will apply on the way back. In each box: the tensor's shape, where
    `()` means a scalar (one number, no axes), its dtype and its value.

    Jupyter draws the picture inline. In a script or a terminal, `picture = draw_graph(...)`
    followed by `picture.render('graph', format='png', cleanup=True)` writes `graph.png` (both need the
    `graphviz` package and Graphviz's `dot` program); `mg.viz.to_dot` gives the same picture as
    text without either.
    """),
    code(r"""
    names = {'x': xt, 'w': wt, 'b': bt, 't': tt}
    draw_graph(Lt, params=names, rankdir='LR', show_rules=True)
    """),
    md(r"""
    ## 3. The backward pass, step by step

    `L.backward()` walks the graph from the loss back to the leaves. Each node receives
    $\partial L/\partial \text{out}$ — how much the loss changes with its output — applies its
    rule, and sends $\partial L/\partial \text{input}$ to each input. `trace_backward()` records
    every step, in the order the engine ran them. The first node receives
    $\partial L/\partial L = 1$; the last ones deliver the gradients of `w` and `b`. In each
    rule, `a` and `b` stand for the op's first and second input and `d` for a small change
    (so `d(a * b) = b da + a db` says: the gradient sent to `a` is `b` times the gradient that
    came in); the key under the table explains the rest of the notation.
    """),
    code(r"""
    with trace_backward(params=names) as trace:
        Lt.backward()
    print(trace)
    """),
    code(r"""
    print(f'minigrad: dL/dw = {wt.grad.item():.6f}   dL/db = {bt.grad.item():.6f}')
    print(f'by hand:  dL/dw = {dL_dw:.6f}   dL/db = {dL_db:.6f}')
    assert math.isclose(wt.grad.item(), dL_dw, rel_tol=1e-12)
    assert math.isclose(bt.grad.item(), dL_db, rel_tol=1e-12)
    print('minigrad agrees with the hand derivation.')
    """),
    md(r"""
    Every rule in that trace is written once, in one place, and each node can tell you which:
    `grad_fn.rule` is the derivative it applies and `grad_fn.source` the file and line where its
    forward and backward stand side by side. In a terminal, `python -m minigrad.ops` prints the
    table of every op (`minigrad.ops.derivative_table()` gives it as rows); its first row is the
    one rule every op shares: a gradient of a broadcast input is summed back to the input's shape.
    """),
    code(r"""
    node = Lt.grad_fn
    print(f'{node.name}: {node.rule}  ({node.source})')
    from minigrad.ops import derivative_table
    for row in derivative_table()[:4]:
        print(f'{row.name:<22} {row.source:<34} {row.rule}')
    """),
    md(r"""
    After `backward()`, only the leaves we asked about keep a gradient in `.grad` (reading `.grad`
    of an intermediate tensor gives `None`, with a warning saying to call `.retain_grad()` first,
    as PyTorch does). The trace kept every gradient, intermediates included. Drawn again with
    every gradient in its box and each box coloured by the size of its gradient, the picture shows
    where the gradient flows: `t` and `x` get none, because we did not ask for them.
    """),
    code(r"""
    draw_graph(Lt, params=names, trace=trace, rankdir='LR', color_by_grad=True)
    """),
    md(r"""
    ### One step of gradient descent, by hand

    The gradient says which way is uphill. **Gradient descent** moves each parameter a little the
    other way: with a **learning rate** $\eta$ (a small positive number we choose),

    $$w \leftarrow w - \eta\,\frac{\partial L}{\partial w}, \qquad
      b \leftarrow b - \eta\,\frac{\partial L}{\partial b}.$$

    In minigrad, as in PyTorch, that update is written in place (`-=`) inside
    `with mg.no_grad():`. The block tells the engine not to record the update in a graph: it is
    a change we make to the parameters, not part of the computation we want gradients of.
    Without it, minigrad refuses, as PyTorch does, to change in place a leaf that requires grad.
    """),
    code(r"""
    lr = 0.5                                   # the learning rate η
    w_before, b_before = wt.item(), bt.item()
    with mg.no_grad():
        wt -= lr * wt.grad
        bt -= lr * bt.grad

    L_after = ((wt * xt + bt).tanh() - tt) ** 2
    print(f'w: {w_before:.6f} -> {wt.item():.6f}    b: {b_before:.6f} -> {bt.item():.6f}')
    print(f'L: {Lt.item():.6f} -> {L_after.item():.6f}')
    assert math.isclose(wt.item(), w - lr * dL_dw, rel_tol=1e-12)
    assert L_after.item() < Lt.item()          # downhill

    try:
        wt -= lr * wt.grad                     # the same update, recorded: refused
    except RuntimeError as error:
        print('\nwithout no_grad():', str(error).split('.')[0])
    """),
    md(r"""
    ### A value used twice: gradients add up

    The next step would call `backward()` again. Before it does, look at what happens when a
    value is used more than once, here $y = a \cdot a$. The multiply node sends a gradient to
    each of its two inputs, and both are `a`:
    """),
    code(r"""
    a = mg.tensor(3.0, dtype=mg.float64, requires_grad=True)
    with trace_backward(params={'a': a}) as trace_aa:
        (a * a).backward()
    print(trace_aa)
    print(f'\na.grad = {a.grad.item()}   (d(a²)/da = 2a = {2 * a.item()})')
    assert a.grad.item() == 6.0
    """),
    md(r"""
    Each use of `a` contributes its share, $3$ and $3$, and the engine **adds** them: $6 = 2a$,
    the right derivative. An engine that stored each incoming gradient instead of adding it
    would report $3$, the classic bug of autograd engines written from scratch. The same
    addition happens whenever one tensor feeds several ops (a bias broadcast over a batch,
    section 5; a weight shared between layers).

    It also explains a habit of every training loop. `.grad` keeps adding across calls to
    `backward()`, so a second backward without clearing doubles the gradient:
    """),
    code(r"""
    (a * a).backward()
    print('after a second backward:', a.grad.item())
    assert a.grad.item() == 12.0
    a.grad = None          # clear it (optimizer.zero_grad() does this for every parameter)
    (a * a).backward()
    print('cleared, then backward: ', a.grad.item())
    assert a.grad.item() == 6.0
    """),
    md(r"""
    ## 4. Checking a gradient with finite differences

    A derivative is a limit: $f'(w) \approx \dfrac{f(w + h) - f(w - h)}{2h}$ for small $h$.
    This **central difference** needs no calculus, only two more evaluations of $f$, which makes
    it the ground truth for testing an engine. How small should $h$ be? Too large and the
    formula's own error (which shrinks like $h^2$, or like $h$ for the one-sided
    $\frac{f(w+h) - f(w)}{h}$) dominates; too small and $f(w+h) - f(w-h)$ cancels to rounding
    noise. The plot shows both effects, in float64 and in float32.
    """),
    code(r"""
    def f(w_, dtype=np.float64):
        w_ = dtype(w_)
        return (np.tanh(w_ * dtype(x) + dtype(b)) - dtype(t)) ** 2

    hs = np.logspace(-1, -13, 49)
    forward_err = [abs((f(w + h) - f(w)) / h - dL_dw) for h in hs]
    central_err = [abs((f(w + h) - f(w - h)) / (2 * h) - dL_dw) for h in hs]
    central32_err = []
    for h in hs:
        w32, h32 = np.float32(w), np.float32(h)
        step = float((w32 + h32) - (w32 - h32)) / 2      # the step float32 actually took
        diff = float(f(w32 + h32, np.float32) - f(w32 - h32, np.float32))
        central32_err.append(abs(diff / (2 * step) - dL_dw) if step > 0 else np.nan)

    best64, best32 = int(np.nanargmin(central_err)), int(np.nanargmin(central32_err))
    print(f'central, float64: smallest error {central_err[best64]:.1e} at h = {hs[best64]:.0e}')
    print(f'central, float32: smallest error {central32_err[best32]:.1e} at h = {hs[best32]:.0e}')
    print(f'forward, float64: smallest error {min(forward_err):.1e}')
    assert central_err[best64] < 1e-9 < central32_err[best32]

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.loglog(hs, forward_err, 'o-', ms=3, label='one-sided (f(w+h) - f(w)) / h, float64')
    ax.loglog(hs, central_err, 'o-', ms=3, label='central (f(w+h) - f(w-h)) / 2h, float64')
    ax.loglog(hs, central32_err, 's-', ms=3, label='central, float32')
    ax.set_ylim(1e-17, 1)                  # room for the legend below the curves
    ax.invert_xaxis()
    ax.set_xlabel('step h (smaller to the right)')
    ax.set_ylabel('|finite difference − exact dL/dw|')
    ax.set_title('Finite differences: formula error falls with h, rounding error grows')
    ax.grid(True, which='major', alpha=0.3)
    ax.legend(fontsize='small', loc='lower left')
    plt.show()
    """),
    md(r"""
    That is why `mg.gradcheck` copies its inputs to float64 and uses the central difference
    with a small step. It perturbs every element of every input that requires a gradient, and
    compares with what backward computed. It returns `True`, or raises an error naming the
    element that disagrees.
    """),
    code(r"""
    def neuron_loss(w_, b_):
        return ((w_ * x + b_).tanh() - t) ** 2

    ok = mg.gradcheck(neuron_loss, (mg.tensor(w, requires_grad=True), mg.tensor(b, requires_grad=True)))
    print('gradcheck:', ok)
    assert ok is True
    """),
    md(r"""
    ### Writing an op, and catching a wrong derivative

    You can write your own op exactly as in PyTorch: a subclass of `mg.autograd.Function`
    with a static `forward` and, right next to it, a static `backward`, which turns
    $\partial L/\partial\text{out}$ into $\partial L/\partial\text{input}$. `ctx` is the
    graph node: `forward` saves on it what `backward` will need. Here is a cube, written
    correctly and then with a classic slip (forgetting the factor 3):
    """),
    code(r"""
    class Cube(mg.autograd.Function):
        '''d x³ = 3 x² dx'''
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)        # backward needs the input
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * 3 * x ** 2


    class BadCube(Cube):
        '''d x³ = x² dx   (wrong!)'''
        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * x ** 2


    u = mg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    print('Cube passes gradcheck:', mg.gradcheck(Cube.apply, u))
    try:
        mg.gradcheck(BadCube.apply, u)
        caught = None
    except mg.GradcheckError as error:
        caught = error
    print('BadCube:', caught)
    assert caught is not None
    """),
    md(r"""
    ## 5. Tensors and broadcasting

    Real layers work on whole batches. A linear layer computes $Y = XW + b$ for $N$ rows at
    once: $X$ is $N \times 3$, $W$ is $3 \times 2$, and the bias $b$ has shape $(2,)$ —
    NumPy-style broadcasting adds the same $b$ to every row. The rules are the matrix form of
    the chain rule: with $G = \partial L/\partial Y$ (same shape as $Y$),

    $$\frac{\partial L}{\partial W} = X^\top G, \qquad
      \frac{\partial L}{\partial b} = \sum_{\text{rows}} G .$$

    The bias gradient is a **sum over the batch** because the one $b$ was used in every row:
    each use contributes its share. minigrad's add op returns a gradient of the broadcast shape
    $N \times 2$, and the engine sums it back to $b$'s shape $(2,)$ in one place for all ops.
    """),
    code(r"""
    mg.manual_seed(0)
    X = mg.randn(4, 3, dtype=mg.float64)
    W = mg.randn(3, 2, dtype=mg.float64, requires_grad=True)
    bias = mg.zeros(2, dtype=mg.float64, requires_grad=True)

    Y = X @ W + bias                 # (4, 3) @ (3, 2) + (2,) -> (4, 2)
    loss = (Y.tanh() ** 2).mean()
    with trace_backward(params={'X': X, 'W': W, 'b': bias}) as trace2:
        loss.backward()

    # The same gradients with NumPy, by the chain rule:
    Wn, bn = W.detach().numpy(), bias.detach().numpy()
    Yn = X.numpy() @ Wn + bn
    G = 2 * np.tanh(Yn) * (1 - np.tanh(Yn) ** 2) / Yn.size     # dL/dY for the mean of tanh(Y)²
    print('W.grad:\n', W.grad.numpy())
    print('b.grad:', bias.grad.numpy(), '   column sums of G:', G.sum(axis=0))
    assert np.allclose(W.grad.numpy(), X.numpy().T @ G, rtol=1e-12, atol=0)
    assert np.allclose(bias.grad.numpy(), G.sum(axis=0), rtol=1e-12, atol=0)
    assert bias.grad.shape == bias.shape
    """),
    md(r"""
    The trace shows the reduction: the add node sends a gradient of the output's shape, and
    what reaches `b` has `b`'s shape.
    """),
    code(r"""
    add = next(s for s in trace2.steps if s.op == 'AddBackward')
    print(f'{add.op}: receives dL/dout of shape {add.grad_output.shape}')
    for i in add.inputs:
        print(f'  -> {i.name}: gradient of shape {i.grad.shape}')
    print()
    batch_loss = lambda W_, b_: ((X @ W_ + b_).tanh() ** 2).mean()
    W0, b0 = mg.tensor(Wn, requires_grad=True), mg.tensor(bn, requires_grad=True)
    print('gradcheck of the batch loss:', mg.gradcheck(batch_loss, (W0, b0)))
    """),
    md(r"""
    ## What we saw

    * Backprop is the chain rule, organised: each op knows only its own local derivative,
      and the engine multiplies them along the graph, from the loss back to the leaves.
    * The forward pass records a graph; backward walks it once in reverse and frees the values
      the ops saved for it.
    * A gradient-descent step moves each parameter against its gradient, in place, under
      `no_grad()`. Gradients add up, over the uses of a value within one backward and over
      backward calls, so a training loop clears them before each step.
    * Finite differences in float64 are an independent check of any gradient, and `gradcheck`
      catches a wrong derivative rule immediately.
    * When a value is used many times (a bias broadcast over a batch), its gradient is the sum
      of the gradients of all its uses.

    Next: [04 — write your own backward](04_write_your_own_backward.ipynb), exercises where you
    derive and code the backward of a few ops yourself; then
    [02 — MSE vs cross-entropy](02_mse_vs_cross_entropy.ipynb), where the size of these
    gradients decides how fast a classifier learns.
    """),
]
