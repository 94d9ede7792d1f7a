"""Cells of 05_gradients_of_gradients.ipynb (written by build.py)."""
from build import code, md

NAME = '05_gradients_of_gradients.ipynb'

CELLS = [
    md(r"""
    # Gradients of gradients

    In [notebook 01](01_backprop_from_scratch.ipynb) backward turned $\partial L/\partial\text{out}$
    into $\partial L/\partial\text{input}$, one op at a time. Look at what each step does:
    it multiplies and adds arrays. **Backward is itself a computation**, and a computation can
    be recorded as a graph and differentiated. Ask for that with `create_graph=True`, and a
    gradient becomes a Tensor with its own `grad_fn`.

    In this notebook we

    1. see the graph that backward builds,
    2. take the second (and third) derivative of $x^3$ by hand and with the engine,
    3. compute a **Hessian** and a **Hessian-vector product**,
    4. take **Newton steps**, which need second derivatives, and compare them with gradient descent,
    5. use **anomaly mode** to find the line of the forward pass that made a NaN in backward.

    Every number is printed by a cell, and the `assert` lines fail the notebook if one changes.
    `examples/higher_order.py` does the same on bigger problems (a Hessian of an MLP's loss, a
    WGAN-GP gradient penalty) and compares with PyTorch.
    """),
    code(r"""
    import os
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')   # small matrices: one BLAS thread is fastest,
    os.environ.setdefault('OMP_NUM_THREADS', '1')        # and idle threads would spin on busy cores
    %matplotlib inline
    import shutil
    import warnings

    import matplotlib.pyplot as plt
    import numpy as np

    import minigrad as mg
    import minigrad.nn.functional as F
    from minigrad.autograd.functional import hessian, hvp
    from minigrad.viz import draw_graph

    print('minigrad', mg.__version__)
    """),
    md(r"""
    ## 1. Backward builds a graph

    `mg.autograd.grad(y, x)` returns $dy/dx$ without touching `x.grad`. By default the gradient is
    a plain number, cut from any graph. With `create_graph=True` the engine records the ops of
    the backward pass as it runs them, exactly as it records a forward pass.
    """),
    code(r"""
    x = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    y = x ** 3

    plain, = mg.autograd.grad(y, x, retain_graph=True)
    g, = mg.autograd.grad(y, x, create_graph=True)
    print(f'create_graph=False: dy/dx = {plain.item()}, requires_grad {plain.requires_grad}, '
          f'grad_fn {plain.grad_fn}')
    print(f'create_graph=True:  dy/dx = {g.item()}, requires_grad {g.requires_grad},  '
          f'grad_fn {g.grad_fn.name}')
    assert plain.grad_fn is None and g.grad_fn is not None
    """),
    md(r"""
    Where does that graph come from? The rule of `x ** 3` is
    $\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\cdot 3x^2$, and with
    `create_graph=True` its power and products are ops on Tensors. Walking `g.grad_fn` back to the
    leaf shows them: the product with $\partial L/\partial y$, the product with 3, and a
    `PowBackward` for $x^2$, ending at `x`.
    """),
    code(r"""
    def show(node, depth=0):
        '''Prints a graph from `node` back to the leaves, one node a line.'''
        if type(node).__name__ == 'AccumulateGrad':
            print('    ' * depth + f'AccumulateGrad (the leaf, value {node.variable.item()})')
            return
        print('    ' * depth + node.name)
        for parent, _ in node.next_functions:
            if parent is not None:
                show(parent, depth + 1)

    print('the graph of dy/dx:')
    show(g.grad_fn)
    """),
    md(r"""
    How does a rule written for NumPy arrays give a graph? The engine runs the same code again
    (`minigrad/autograd/replay.py`). Here is `PowBackward`'s rule, the one that just ran. With
    `create_graph=True` the walk calls `replay(node, grad)` instead of `node.backward(grad)`: it
    re-runs the op's forward on its input Tensors, so that what forward saved is in the graph
    too, then runs this backward on the gradient. Both see their inputs through `Traced`, a
    wrapper that answers NumPy's calls with Tensor ops: `a ** (b - 1)` becomes a `PowBackward`
    (`b` is the constant 3, so `b - 1` records nothing) and each `*` a `MulBackward`. One rule, written once, runs
    either way. (An op may only use the NumPy that replay can answer; `python -m minigrad.ops
    --numpy` lists it.) Replaying the node by hand gives the same gradient and the same graph:
    """),
    code(r"""
    import inspect
    from minigrad.autograd.replay import replay

    print(inspect.getsource(type(y.grad_fn).backward))
    replayed, _ = replay(y.grad_fn, mg.tensor(1.0, dtype=mg.float64))   # (d/dx, d/d3: not needed)
    print(f'replayed: dy/dx = {replayed.item()}, made by {replayed.grad_fn.name}')
    show(replayed.grad_fn)
    assert replayed.item() == g.item() == 12.0
    """),
    md(r"""
    The same graph as a picture (it needs Graphviz; without it the cell says so and moves on).
    Read it left to right: $x^2 = 4$, times 3, times the seed $\partial y/\partial y = 1$ that
    backward started from. The gradient $dy/dx = 12$ is the *output* of this graph, and `x` its input.
    """),
    code(r"""
    from IPython.display import Image, display

    try:
        picture = draw_graph(g, params={'x': x, 'dy/dx': g}, rankdir='LR', show_rules=True)
    except ImportError as error:
        picture = None
        print('no picture:', error)
    if picture is not None and shutil.which('dot'):
        display(Image(picture.pipe(format='png')))
    elif picture is not None:
        print(f"no picture: Graphviz's `dot` program is not installed "
              f"({len(picture.source)} characters of DOT text)")
    """),
    md(r"""
    ## 2. The second derivative of $x^3$, by hand and by the engine

    By hand: $\frac{d}{dx}x^3 = 3x^2$, $\;\frac{d^2}{dx^2}x^3 = 6x$, $\;\frac{d^3}{dx^3}x^3 = 6$,
    $\;\frac{d^4}{dx^4}x^3 = 0$. At $x = 2$: $12, 12, 6, 0$.

    By the engine: differentiate the last derivative again, keeping `create_graph=True` each time
    so that the next one can be taken too.
    """),
    code(r"""
    by_hand = {'d/dx': 3 * 2.0 ** 2, 'd²/dx²': 6 * 2.0, 'd³/dx³': 6.0, 'd⁴/dx⁴': 0.0}
    derivative = x ** 3
    for name, expected in by_hand.items():
        derivative, = mg.autograd.grad(derivative, x, create_graph=True)
        print(f'{name:>6} x³ at x = 2:   engine {derivative.item():5.1f}   by hand {expected:5.1f}')
        assert derivative.item() == expected
    """),
    md(r"""
    `loss.backward(create_graph=True)` works too, and then `x.grad` has a graph. One trap: a
    second `backward()` **adds** into `x.grad` as always, so it ends up holding
    $f' + f'' = 12 + 12 = 24$, not $f''$. PyTorch does the same; `mg.autograd.grad`, which
    leaves `.grad` alone, is the clean way to take higher derivatives.
    """),
    code(r"""
    x.grad = None
    (x ** 3).backward(create_graph=True)
    print(f'after backward(create_graph=True):  x.grad = {x.grad.item()}   '
          f'(grad_fn {x.grad.grad_fn.name})')
    x.grad.backward()
    print(f'after x.grad.backward():            x.grad = {x.grad.item()}   (= 12 + 12, accumulated)')
    assert x.grad.item() == 24.0
    x.grad = None
    """),
    md(r"""
    ## 3. A Hessian, and a Hessian-vector product

    For a function of many variables the second derivatives form the **Hessian**
    $H_{ij} = \partial^2 f / \partial w_i \partial w_j$. Take

    $$f(w) = \tfrac12\, w^\top A\, w + \sum_i \cos w_i, \qquad
      \nabla f = A w - \sin w, \qquad H = A - \operatorname{diag}(\cos w)$$

    with a symmetric $A$. `hessian(f, w)` computes $H$ one row at a time: each row is the
    gradient of one entry of $\nabla f$, so $n$ backward passes through the graph of the first one.
    """),
    code(r"""
    rng = np.random.default_rng(0)
    n = 4
    M = rng.standard_normal((n, n))
    A = mg.tensor((M + M.T) / 2)                    # float64, symmetric
    w = mg.tensor(rng.standard_normal(n))

    def f(w):
        return 0.5 * (w @ (A @ w)) + w.cos().sum()

    H = hessian(f, w)
    H_by_hand = A.numpy() - np.diag(np.cos(w.numpy()))
    print('H from the engine:\n', H.numpy().round(4))
    print(f'max |H - (A - diag(cos w))| = {np.abs(H.numpy() - H_by_hand).max():.1e}')
    assert np.allclose(H.numpy(), H_by_hand, rtol=0, atol=1e-14)
    """),
    md(r"""
    Many methods need only $H v$ for some vector $v$, never all of $H$. The gradient of
    $\nabla f \cdot v$ is exactly $H v$ (as $H$ is symmetric), so **two** backward passes give it,
    however many variables there are — $n$ of them would build all of $H$. `hvp(f, w, v)` does
    that; here it is with $n = 200$ variables.
    """),
    code(r"""
    import time

    n = 200
    M = rng.standard_normal((n, n))
    A = mg.tensor(M @ M.T / n)
    w, v = mg.tensor(rng.standard_normal(n)), mg.tensor(rng.standard_normal(n))

    start = time.perf_counter()
    H = hessian(f, w)
    t_hessian = time.perf_counter() - start
    start = time.perf_counter()
    _, Hv = hvp(f, w, v)
    t_hvp = time.perf_counter() - start

    error = np.abs(Hv.numpy() - H.numpy() @ v.numpy()).max()
    print(f'hvp(f, w, v) vs hessian(f, w) @ v:  max difference {error:.1e}')
    print(f'time: the whole Hessian {1000 * t_hessian:.1f} ms ({n} backward passes), '
          f'H v alone {1000 * t_hvp:.1f} ms (2 passes)')
    assert error < 1e-12 and t_hvp < t_hessian
    """),
    md(r"""
    ## 4. Newton's method

    Gradient descent steps $w \leftarrow w - \eta \nabla f$ with a step size $\eta$ we have to pick.
    **Newton's method** fits a parabola using the second derivatives and jumps to its bottom:

    $$w \leftarrow w - H^{-1} \nabla f
      \qquad \left(\text{in one dimension, } x \leftarrow x - f'(x)/f''(x)\right).$$

    Near the minimum it converges **quadratically**: the error squares at each step, so the
    number of correct digits doubles. Here is logistic regression with a weight and a bias,
    $p_i = \sigma(w x_i + b)$, fitted by minimising the mean binary cross-entropy. Its gradient
    and Hessian by hand are

    $$\nabla = \tfrac1N X^\top (p - y), \qquad
      H = \tfrac1N X^\top \operatorname{diag}\big(p(1-p)\big)\, X, \qquad X = [\,x \;\; 1\,].$$
    """),
    code(r"""
    rng = np.random.default_rng(1)
    xs = rng.standard_normal(40)
    ys = (xs + 0.8 * rng.standard_normal(40) > 0.3).astype(np.float64)   # noisy labels: a finite minimum
    X = np.stack([xs, np.ones_like(xs)], axis=1)

    def loss(theta):
        return F.binary_cross_entropy_with_logits(mg.tensor(X) @ theta, mg.tensor(ys))

    def gradient(theta):
        theta = theta.detach().requires_grad_(True)
        g, = mg.autograd.grad(loss(theta), theta)
        return g

    theta = mg.zeros(2, dtype=mg.float64)
    p = 1 / (1 + np.exp(-X @ theta.numpy()))
    H = hessian(loss, theta)
    print('engine Hessian at (w, b) = (0, 0):\n', H.numpy())
    print('by hand:\n', X.T @ np.diag(p * (1 - p)) @ X / len(xs))
    assert np.allclose(H.numpy(), X.T @ np.diag(p * (1 - p)) @ X / len(xs), rtol=1e-13)
    """),
    code(r"""
    # Gradient descent's best safe step: 1 / (the largest curvature the loss can have),
    # which is the largest eigenvalue of Xᵀ X / N times max p(1 - p) = 1/4.
    lr = 1 / (np.linalg.eigvalsh(X.T @ X / len(xs)).max() / 4)
    steps = 8
    newton, descent = [mg.zeros(2, dtype=mg.float64)], [mg.zeros(2, dtype=mg.float64)]
    for _ in range(steps):
        H, g = hessian(loss, newton[-1]), gradient(newton[-1])
        newton.append(newton[-1] - mg.tensor(np.linalg.solve(H.numpy(), g.numpy())))
        descent.append(descent[-1] - lr * gradient(descent[-1]))

    grad_norm = lambda theta: float(np.linalg.norm(gradient(theta).numpy()))
    print(f' step   Newton (w, b)          |gradient|    '
          f'gradient descent, step size {lr:.2f}   |gradient|')
    for k in range(steps + 1):
        (wn, bn), (wd, bd) = newton[k].numpy(), descent[k].numpy()
        print(f' {k:4d}   ({wn:8.5f}, {bn:8.5f})   {grad_norm(newton[k]):9.1e}    '
              f'({wd:8.5f}, {bd:8.5f})       {grad_norm(descent[k]):9.1e}')
    norms = [grad_norm(t) for t in newton]
    print('Newton, |gradient| at step k / (|gradient| at step k-1)²:',
          ', '.join(f'{norms[k] / norms[k - 1] ** 2:.2f}' for k in range(3, 7)))
    assert norms[7] < 1e-15 and grad_norm(descent[steps]) > 1e-3
    assert all(norms[k] / norms[k - 1] ** 2 < 20 for k in range(3, 7))   # the error squares

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.semilogy(norms, 'o-', label='Newton')
    ax.semilogy([grad_norm(t) for t in descent], 's-', label=f'gradient descent, step size {lr:.2f}')
    ax.set_xlabel('step')
    ax.set_ylabel('|gradient|')
    ax.set_title('Newton: digits double; gradient descent: a constant factor')
    ax.grid(True, alpha=0.3)
    ax.legend()
    plt.show()
    """),
    md(r"""
    Each Newton step costs a Hessian and a linear solve: cheap for 2 parameters, out of reach for
    a million. That is why deep learning trains with gradient steps, and uses second derivatives
    through Hessian-vector products (curvature estimates, conjugate gradients), or through
    gradient penalties and meta-learning, where a gradient appears inside the loss.

    ## 5. Anomaly mode: which line made the NaN?

    The distance of points from a centre, $\sqrt{\sum (p - c)^2}$, has an infinite slope where
    a point sits on the centre. Backward then produces a NaN, and nothing says where.
    """),
    code(r"""
    points = mg.tensor([[0.0, 0.0], [3.0, 4.0], [1.0, 1.0]], requires_grad=True)
    centre = mg.tensor([[0.0, 0.0]])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        distance = ((points - centre) ** 2).sum(dim=1).sqrt()
        distance.mean().backward()
    print('points.grad:\n', points.grad)
    print('NumPy warned:', sorted({str(w.message) for w in caught}))
    assert np.isnan(points.grad.numpy()[0]).all()
    """),
    md(r"""
    NumPy noticed a division by zero somewhere inside the engine, but not where in *our* code.
    In **anomaly mode** every node remembers the line of your code that made it, and the backward
    pass stops at the first node that returns a NaN, naming that node and that line (as PyTorch's
    `torch.autograd.detect_anomaly()` does). It costs time, so it is off by default: turn it on
    while hunting.
    """),
    code(r"""
    points.grad = None
    with mg.autograd.detect_anomaly(), warnings.catch_warnings():
        warnings.simplefilter('ignore')                                   # NumPy has had its say
        distance = ((points - centre) ** 2).sum(dim=1).sqrt()
        try:
            distance.mean().backward()
            message = None
        except RuntimeError as error:
            message = str(error)
    print(message)
    assert message is not None and "'PowBackward' returned nan" in message
    assert 'distance = ((points - centre) ** 2).sum(dim=1).sqrt()' in message
    """),
    md(r"""
    The NaN is born in `PowBackward`: the square's rule multiplies $2(p - c) = 0$ by the
    infinite slope $\frac{1}{2\sqrt{0}}$ that `sqrt` sent down, and $0 \cdot \infty$ is NaN. The
    fix belongs to the forward line it names: keep the square root away from 0, a common guard
    in gradient penalties, whose $\lVert \nabla_x D \rVert$ has the same square root.
    """),
    code(r"""
    points.grad = None
    with mg.autograd.detect_anomaly():
        distance = ((points - centre) ** 2).sum(dim=1).add(1e-12).sqrt()
        distance.mean().backward()
    print('points.grad with the guard:\n', points.grad)
    assert np.isfinite(points.grad.numpy()).all()
    """),
    md(r"""

    ## What we saw

    * Backward is a computation like any other: with `create_graph=True` it records a graph, and
      its result can be differentiated again, to any order.
    * `mg.autograd.grad` gives gradients without touching `.grad`; a second `backward()` would
      add to it.
    * `hessian` builds all second derivatives with $n$ backward passes; `hvp` gives $H v$ with two.
    * Newton's method uses them to converge quadratically where gradient descent converges linearly.
    * Anomaly mode names the node and the line of your code behind a NaN in backward.

    Next: `python examples/higher_order.py` — the Hessian of an MLP's loss checked against finite
    differences, and a WGAN-GP critic trained with a gradient penalty.
    """),
]
