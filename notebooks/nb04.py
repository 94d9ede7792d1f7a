"""Cells of 04_write_your_own_backward.ipynb (written by build.py).

The exercise cells hold blanks (`raise NotImplementedError  # your code here`). The test
suite runs this notebook with each blank cell's definition replaced by the model answer
of the same name in tests/exercise_solutions.py, so each blank cell defines exactly one
class (or the function `backward_walk`) and then calls `check`.
"""
from build import code, md

NAME = '04_write_your_own_backward.ipynb'

CELLS = [
    md(r"""
    # Write your own backward

    Reading a derivative is not the same as deriving it. In this notebook **you** write the
    backward pass of nine operations (after a worked example), then the backward walk of an
    engine, and `check` tells you whether each is right, and if not, what is wrong.

    Each op is written the way PyTorch's own custom ops are (as the `Cube` of notebook 01):
    a subclass of `Function` with two static methods.

    * `forward(ctx, *inputs)` computes the output from the inputs, which are tensors. It may
      use any minigrad op (it runs without recording a graph), and it keeps what backward will
      need with `ctx.save_for_backward(...)`.
    * `backward(ctx, grad_output)` receives $g = \partial L/\partial\,\text{out}$, a tensor of
      the output's shape, and returns $\partial L/\partial\,\text{input}$ for each input, in
      order: a tuple, one tensor per input, each **of its input's shape** (or `None` for an
      input that takes no gradient). `ctx.saved_tensors` gives back what forward saved.

    `check(name, YourClass)` runs your op on several inputs in float64 (random values of
    several shapes, then edge values), compares the output with minigrad's own op and each
    gradient with minigrad's rule and with finite differences, prints what it found, and
    returns `True` or `False`. When a gradient is wrong it says which one, at which element,
    what it expected and what it got, and, if your answer matches a typical mistake, which one.

    **How to work:** in each exercise, replace every `raise NotImplementedError  # your code here`
    with your code and run the cell. Derive the rule on paper first; the text above each
    exercise sketches the derivation.

    **Where to work:** here, in this notebook, and save as you go. Your answers stay yours:
    the project's tests check the copy of this notebook committed to git, not your edits, and
    `python notebooks/build.py` leaves a notebook you changed alone. To start again from the
    blanks: `git checkout notebooks/04_write_your_own_backward.ipynb`.
    """),
    code(r"""
    import os
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')   # small matrices: one BLAS thread is fastest,
    os.environ.setdefault('OMP_NUM_THREADS', '1')        # and idle threads would spin on busy cores

    import numpy as np

    import minigrad as mg
    from minigrad.autograd import Function
    from minigrad.exercises import EXERCISES, Node, check

    print('exercises:', ', '.join(EXERCISES))
    """),
    md(r"""
    ## 0. A worked example: $e^x$

    $y = e^x$ elementwise, and $\dfrac{dy}{dx} = e^x = y$. By the chain rule, each element of
    the input receives

    $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\,\frac{dy}{dx} = g \cdot y .$$

    Backward needs $y$, the output, so forward saves it (saving $x$ and recomputing $e^x$ would
    work too, at the price of a second exponential).
    """),
    code(r"""
    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            y, = ctx.saved_tensors
            return grad_output * y


    check('exp', Exp)
    """),
    md(r"""
    And here is what `check` says about the most common slip of all, returning the local
    derivative $dy/dx$ without multiplying it by `grad_output`:
    """),
    code(r"""
    class ExpWithoutChainRule(Exp):
        @staticmethod
        def backward(ctx, grad_output):
            y, = ctx.saved_tensors
            return y                        # wrong: dy/dx alone


    assert check('exp', ExpWithoutChainRule) is False
    """),
    md(r"""
    ## 1. `mul(a, b)`: a product

    $\text{out} = a \odot b$, elementwise, with `a` and `b` of the same shape. For each
    element, $\partial\,\text{out}/\partial a = b$ and $\partial\,\text{out}/\partial b = a$, so

    $$\frac{\partial L}{\partial a} = g \odot b, \qquad \frac{\partial L}{\partial b} = g \odot a .$$

    Return both, as a tuple: `return grad_a, grad_b`.
    """),
    code(r"""
    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here


    check('mul', Mul)
    """),
    md(r"""
    ## 2. `sigmoid(x)`

    $\sigma(x) = \dfrac{1}{1 + e^{-x}}$. Differentiate:

    $$\sigma'(x) = \frac{e^{-x}}{(1 + e^{-x})^2}
      = \frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}} = \sigma(x)\,\bigl(1 - \sigma(x)\bigr).$$

    The derivative is written with the **output**: save $\sigma(x)$ in forward (you may compute
    it with `x.sigmoid()`; the exercise is the backward). The check includes $x = \pm 40$,
    where $\sigma'$ is about $10^{-18}$.
    """),
    code(r"""
    class Sigmoid(Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here


    check('sigmoid', Sigmoid)
    """),
    md(r"""
    ## 3. `tanh(x)`

    $\tanh x = \dfrac{\sinh x}{\cosh x}$, and by the quotient rule
    $\tanh'(x) = \dfrac{\cosh^2 x - \sinh^2 x}{\cosh^2 x} = 1 - \tanh^2 x$: again the output, $y$,
    gives the derivative, $1 - y^2$.
    """),
    code(r"""
    class Tanh(Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here


    check('tanh', Tanh)
    """),
    md(r"""
    ## 4. `matmul(a, b)`: a matrix product

    $a$ is $n \times k$, $b$ is $k \times p$, $\text{out} = ab$ is $n \times p$:
    $\text{out}_{ij} = \sum_k a_{ik} b_{kj}$. The element $a_{ik}$ appears in every
    $\text{out}_{ij}$ of row $i$, with factor $b_{kj}$, so

    $$\frac{\partial L}{\partial a_{ik}} = \sum_j g_{ij}\, b_{kj} = (g\, b^\top)_{ik},
      \qquad\text{and likewise}\qquad \frac{\partial L}{\partial b} = a^\top g .$$

    A check you can do in your head: the gradient of $a$ must have $a$'s shape $(n, k)$, and of
    $g$ $(n, p)$ and $b$ $(k, p)$ only $g\,b^\top$ gives that. (`b.T` is the transpose.)
    """),
    code(r"""
    class MatMul(Function):
        @staticmethod
        def forward(ctx, a, b):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here


    check('matmul', MatMul)
    """),
    md(r"""
    ## 5. `softmax(x)` along the last dim

    $s_i = e^{x_i} / \sum_j e^{x_j}$ in each row. This is **not** elementwise: every $s_i$
    depends on every $x_j$ of its row. Its Jacobian is

    $$\frac{\partial s_i}{\partial x_j} = s_i\,(\delta_{ij} - s_j),$$

    and backward multiplies $g$ by it (a vector–Jacobian product), which collapses to

    $$\frac{\partial L}{\partial x_j} = \sum_i g_i\, s_i (\delta_{ij} - s_j)
      = s_j \Bigl(g_j - \sum_i g_i s_i\Bigr).$$

    In minigrad: `(grad_output * s).sum(dim=-1, keepdim=True)` is the sum, one per row, kept
    as a column so that it broadcasts. **Forward:** $e^{1000}$ overflows, so subtract each
    row's largest value first (`x.amax(dim=-1, keepdim=True)`); softmax does not change. The
    check includes a row near 1000.
    """),
    code(r"""
    class Softmax(Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here


    check('softmax', Softmax)
    """),
    md(r"""
    ## 6. `log_softmax(x)` along the last dim

    $y_i = x_i - \log \sum_k e^{x_k}$, so $\dfrac{\partial y_i}{\partial x_j} = \delta_{ij} - s_j$
    with $s = \text{softmax}(x) = e^{y}$, and

    $$\frac{\partial L}{\partial x_j} = g_j - s_j \sum_i g_i .$$

    **Forward:** never take the log of a softmax (it underflows to $\log 0 = -\infty$);
    `x - x.logsumexp(dim=-1, keepdim=True)` is exact and stable. Save the output: $s = e^y$.
    """),
    code(r"""
    class LogSoftmax(Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here


    check('log_softmax', LogSoftmax)
    """),
    md(r"""
    ## 7. `mse_loss(input, target)`, the mean squared error

    $L = \frac{1}{N}\sum_i (x_i - t_i)^2$ over all $N$ elements (`input.numel()`), so

    $$\frac{\partial L}{\partial x_i} = \frac{2\,(x_i - t_i)}{N}, \qquad
      \frac{\partial L}{\partial t_i} = -\frac{2\,(x_i - t_i)}{N}.$$

    The output is one number, so `grad_output` is a 0-d tensor: still multiply by it (the loss
    may be scaled or summed with another one downstream). The check gives `target`
    `requires_grad=True` too, so return both gradients.
    """),
    code(r"""
    class MSELoss(Function):
        @staticmethod
        def forward(ctx, input, target):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here


    check('mse_loss', MSELoss)
    """),
    md(r"""
    ## 8. `cross_entropy(logits, target)`

    `logits` is $N \times C$, `target` holds $N$ class indices (int64). The loss of row $n$ is
    $-\log \text{softmax}(z_n)_{t_n} = \log\sum_c e^{z_{nc}} - z_{n t_n}$, and $L$ is their mean.
    Differentiating with the log-softmax rule above:

    $$\frac{\partial L}{\partial z_{nc}} = \frac{\text{softmax}(z_n)_c - [c = t_n]}{N}.$$

    The second term is a one-hot row: 1 at the target's class. Useful pieces:
    `logits.logsumexp(dim=1, keepdim=True)`; `log_p[mg.arange(N), target]` picks one entry
    per row; `onehot = mg.zeros_like(logits); onehot[mg.arange(N), target] = 1`. The target
    takes no gradient: return `grad_logits, None`.
    """),
    code(r"""
    class CrossEntropy(Function):
        @staticmethod
        def forward(ctx, logits, target):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here


    check('cross_entropy', CrossEntropy)
    """),
    md(r"""
    ## 9. `linear(x, weight, bias)`: a layer

    $\text{out} = x\,W^\top + b$ with $x$ of shape $(N, \text{in})$, `weight` $(\text{out}, \text{in})$
    as in PyTorch, and `bias` $(\text{out},)$ added to every row. From the matrix product:

    $$\frac{\partial L}{\partial x} = g\,W, \qquad \frac{\partial L}{\partial W} = g^\top x, \qquad
      \frac{\partial L}{\partial b} = \sum_{n} g_n .$$

    The bias is used once per row of the batch, so its gradient is the **sum** over the batch of
    each row's gradient: shape $(\text{out},)$, like the bias itself.
    """),
    code(r"""
    class Linear(Function):
        @staticmethod
        def forward(ctx, x, weight, bias):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here


    check('linear', Linear)
    """),
    md(r"""
    ## 10. The backward walk itself

    So far you wrote rules for single nodes. The engine's part is to apply them in the right
    order and add up what arrives. Here you write that part, on a small graph of numbers.

    Each `Node` has a `.value`, a `.grad` (0.0 to start) and `.parents`: a tuple of
    `(parent, local)` pairs, where `local` is the local derivative
    $\partial\,\text{node}/\partial\,\text{parent}$, already computed. A node made from the same
    parent twice lists it twice. For example:
    """),
    code(r"""
    x, y = Node(2.0, 'x'), Node(-3.0, 'y')
    a = x * y
    a.name = 'a'
    out = a + x
    out.name = 'out'
    print(out)
    for parent, local in out.parents:
        print(f'  d out / d {parent.name} = {local}')
    for parent, local in a.parents:
        print(f'  d a / d {parent.name} = {local}')
    """),
    md(r"""
    Write `backward_walk(root)` so that afterwards every node's `.grad` is
    $\partial\,\text{root}/\partial\,\text{node}$:

    1. `root.grad = 1.0`, since $\partial\,\text{root}/\partial\,\text{root} = 1$.
    2. Each node passes `node.grad * local` to each parent, and a parent **adds up** what it
       receives (`+=`): `x` above gets one share from `a` and one from `out`.
    3. A node may pass its gradient on only once it is complete, that is once every node that
       uses it has passed theirs: visit the nodes in *reverse topological order*. One way is to
       count each node's users first, then start from the root and release a node when its
       count drops to zero.

    The check compares every node's `.grad` with minigrad's engine on five graphs; the last is
    10,000 nodes deep, more than Python's limit of about 1,000 nested calls, so build the order
    with a loop and a list used as a stack, not with a recursive function.
    """),
    code(r"""
    def backward_walk(root):
        raise NotImplementedError  # your code here


    check('backward_walk', backward_walk)
    """),
    md(r"""
    ## What next

    Compare your answers with minigrad's own: the activations are in
    `minigrad/ops/activations.py`, the matrix product and the linear layer in
    `minigrad/ops/linalg.py`, the losses in `minigrad/ops/losses.py`, each op's derivative as
    its docstring; the engine's walk is `backward` in `minigrad/autograd/engine.py` (it also counts
    each node's users first). Then go on with
    [02: MSE vs cross-entropy](02_mse_vs_cross_entropy.ipynb), where the size of the
    gradients you just derived decides how fast a classifier learns.
    """),
]
