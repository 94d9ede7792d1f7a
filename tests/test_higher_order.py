"""Gradients of gradients: Hessian-vector products of every op family against PyTorch (float64,
1e-7), autograd.grad's semantics, autograd.functional, custom Functions twice differentiated,
anomaly mode, and the graph that survives backward."""
import numpy as np
import pytest

import minigrad as mg

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason='PyTorch is not installed')
rng = np.random.default_rng(0)


def hvp(lib, f, arrays):
    """H v for f at arrays, by differentiating (∇f · v): two backward passes."""
    xs = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    y = f(lib, *xs)
    grads = lib.autograd.grad(y, xs, create_graph=True)
    vs = [lib.tensor(np.cos(np.arange(a.size)).reshape(a.shape), dtype=lib.float64) for a in arrays]
    dot = sum((g * v).sum() for g, v in zip(grads, vs))
    second = lib.autograd.grad(dot, xs, allow_unused=True)
    return [np.zeros(a.shape) if h is None else h.detach().numpy() for h, a in zip(second, arrays)]


def F(lib):
    return lib.nn.functional


def w4(lib):
    return lib.tensor([1.0, 2.0, 0.5, 1.0], dtype=lib.float64)


def n(*shape):
    return rng.standard_normal(shape)


CASES = {
    # elementwise
    'sin exp pow': (lambda L, x: (x.sin() * x.exp() + x ** 3).sum(), [n(4)]),
    'mul div': (lambda L, x, y: (x * y / (y * y + 1)).sum(), [n(4), n(4)]),
    'log sqrt': (lambda L, x: ((x * x + 1).log() * (x * x + 2).sqrt()).sum(), [n(5)]),
    'abs relu': (lambda L, x: (x.relu() * x + x.abs() * x).sum(), [n(5)]),
    'pow maximum minimum clamp': (lambda L, x, y: ((x.abs() + 1) ** y + L.maximum(x, y) ** 2
                                                 + L.minimum(x, y * 2) ** 3 + x.clamp(-0.5, 0.5) ** 2).sum(),
                                  [n(5), n(5)]),
    'cos where log1p expm1': (lambda L, x: (L.where(x > 0, x.cos() ** 2, x ** 3) * x.abs().log1p()
                                            + x.expm1() * x).sum(), [n(6)]),
    # activations
    'tanh sigmoid': (lambda L, x: (x.tanh() * x.sigmoid()).sum(), [n(5)]),
    'softmax log_softmax': (lambda L, x: (x.softmax(1) ** 2).sum() + (x.log_softmax(0) * x).sum(), [n(3, 4)]),
    'leaky_relu elu softplus gelu': (lambda L, x: (F(L).leaky_relu(x, 0.1) ** 2 + F(L).elu(x) ** 2
                                                   + F(L).softplus(x, beta=2.0) ** 2 + F(L).gelu(x) ** 2
                                                   + F(L).gelu(x, approximate='tanh') ** 2).sum(), [n(6)]),
    # reductions
    'mean var': (lambda L, x: (x.mean(0) * x.var(1).sum()).sum() + (x ** 2).sum(1).mean(), [n(3, 4)]),
    'logsumexp amax amin': (lambda L, x: (x.logsumexp(1) ** 2).sum() + (x.amax(1) * x.amin(0).sum()).sum(), [n(3, 4)]),
    'max(dim) prod std': (lambda L, x: (x.max(1).values ** 2).sum() + (x.prod(1) ** 2).sum() + x.std(0).sum(), [n(3, 4)]),
    # shape and indexing
    'reshape t slices gather cat': (lambda L, x: (x.reshape(4, 3).t()[1:, ::2] ** 3).sum()
                                    + (x[[0, 0, 1]] ** 2).sum() + L.cat([x, x * 2], 0).pow(3).sum(), [n(2, 6)]),
    'stack expand permute': (lambda L, x: L.stack([x, x * x], 1).exp().sum() + x[:1].expand(3, 6).pow(2).sum()
                             + (x.permute(1, 0) @ x).tanh().sum(), [n(2, 6)]),
    # linear algebra
    'matmul': (lambda L, a, b: ((a @ b).tanh() ** 2).sum(), [n(3, 4), n(4, 2)]),
    'matmul vectors': (lambda L, a, b: (a @ b) ** 2 + ((b.reshape(2, 2) @ a[:2]) ** 3).sum(), [n(4), n(4)]),
    'linear': (lambda L, x, w, b: (F(L).linear(x, w, b).tanh() ** 2).sum(), [n(3, 4), n(2, 4), n(2)]),
    # losses, with their options
    'mse': (lambda L, x, y: F(L).mse_loss(x.tanh(), y) * 3 + (F(L).mse_loss(x, y, reduction='none') ** 2).sum()
            + F(L).mse_loss(x * x, y, reduction='sum'), [n(3, 4), n(3, 4)]),
    'l1 huber smooth_l1': (lambda L, x, y: F(L).l1_loss(x * x, y) + F(L).huber_loss(x * x, y, delta=0.7)
                           + F(L).smooth_l1_loss(x * x, y, beta=0.5, reduction='sum'), [n(3, 4), n(3, 4)]),
    'bce': (lambda L, x, y: F(L).binary_cross_entropy(x.sigmoid(), y.sigmoid())
            + F(L).binary_cross_entropy(x.sigmoid(), y.sigmoid(), weight=w4(L), reduction='sum'), [n(3, 4), n(3, 4)]),
    'bce with logits': (lambda L, x, y: F(L).binary_cross_entropy_with_logits(x, y.sigmoid(), pos_weight=w4(L))
                        + F(L).binary_cross_entropy_with_logits(x * y, y.sigmoid(), weight=w4(L)), [n(3, 4), n(3, 4)]),
    'cross_entropy': (lambda L, x: F(L).cross_entropy(x, L.tensor([0, 2, 1]))
                      + F(L).cross_entropy(x * x, L.tensor([0, 2, -100]), weight=w4(L), label_smoothing=0.2), [n(3, 4)]),
    'cross_entropy probabilities': (lambda L, x, t: F(L).cross_entropy(x, t.softmax(1), label_smoothing=0.1)
                                    + F(L).cross_entropy(x, t.softmax(1), weight=w4(L), reduction='sum'), [n(3, 4), n(3, 4)]),
    'nll': (lambda L, x: F(L).nll_loss(x.log_softmax(1), L.tensor([0, 2, 1]), weight=w4(L))
            + F(L).nll_loss(x.log_softmax(1), L.tensor([1, -100, 3]), reduction='sum'), [n(3, 4)]),
}


@needs_torch
@pytest.mark.parametrize('name', list(CASES))
def test_hessian_vector_products_match_pytorch(name):
    f, arrays = CASES[name]
    for ours, theirs in zip(hvp(mg, f, arrays), hvp(torch, f, arrays)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize('name', ['sin exp pow', 'softmax log_softmax', 'matmul', 'cross_entropy'])
def test_second_derivatives_match_finite_differences(name):
    """Without PyTorch: the HVP against central differences of the gradient."""
    f, arrays = CASES[name]
    ours = hvp(mg, f, arrays)
    vs = [np.cos(np.arange(a.size)).reshape(a.shape) for a in arrays]

    def gradient(shift):
        xs = [mg.tensor(a + shift * v, requires_grad=True) for a, v in zip(arrays, vs)]
        return [g.numpy() for g in mg.autograd.grad(f(mg, *xs), xs)]
    eps = 1e-5
    plus, minus = gradient(eps), gradient(-eps)
    for h, p, m in zip(ours, plus, minus):
        np.testing.assert_allclose(h, (p - m) / (2 * eps), rtol=1e-5, atol=1e-6)


def test_third_derivative_by_induction():
    x = mg.tensor(1.5, dtype=mg.float64, requires_grad=True)
    y = x ** 4
    g1, = mg.autograd.grad(y, x, create_graph=True)
    g2, = mg.autograd.grad(g1, x, create_graph=True)
    g3, = mg.autograd.grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == pytest.approx((4 * 1.5 ** 3, 12 * 1.5 ** 2, 24 * 1.5))


def test_backward_create_graph_gives_differentiable_grad():
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.grad_fn is not None
    grad = x.grad
    x.grad = None
    grad.sum().backward()
    assert x.grad.tolist() == [6.0, 12.0]           # d/dx Σ 3x² = 6x


# ------------------------------------------------------------------- autograd.grad

def test_grad_leaves_dot_grad_alone_and_checks_unused():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    z = mg.tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    g, = mg.autograd.grad(y, x, retain_graph=True)
    assert g.tolist() == [2.0, 4.0] and x.grad is None
    with pytest.raises(RuntimeError, match='not have been used in the graph.*allow_unused=True'):
        mg.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = mg.autograd.grad(y, [x, z], allow_unused=True)
    assert gz is None and gx.tolist() == [2.0, 4.0]


def test_grad_of_a_non_leaf_and_with_grad_outputs():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    y = h ** 2
    gh, gx = mg.autograd.grad(y, [h, x], grad_outputs=mg.tensor([1.0, 0.0, -1.0]))
    assert gh.tolist() == [4.0, 0.0, -12.0] and gx.tolist() == [8.0, 0.0, -24.0]


def test_grad_of_several_outputs_adds_them():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a, b = (x * 3).sum(), (x * x).sum()
    g, = mg.autograd.grad([a, b], x)
    assert g.tolist() == [5.0, 7.0]


# ------------------------------------------------------------- autograd.functional

@needs_torch
def test_functional_api_matches_pytorch():
    xa, ya, v2, v3 = n(3), n(2, 3), np.array([1.0, -2.0]), np.array([0.5, 1.0, -1.0])

    def results(L):
        fn = L.autograd.functional
        x, y = L.tensor(xa, dtype=L.float64), L.tensor(ya, dtype=L.float64)

        def f(x, y=y):
            return (y @ x.sin()).tanh() * x.sum()

        def s(x, y=y):
            return f(x, y).sum() + (x ** 3).sum()
        v, w = L.tensor(v2, dtype=L.float64), L.tensor(v3, dtype=L.float64)
        out = [fn.jacobian(f, x), *fn.jacobian(f, (x, y)), fn.hessian(s, x),
               *[h for row in fn.hessian(s, (x, y)) for h in row],
               fn.vjp(f, x, v)[1], fn.jvp(f, x, w)[1], fn.hvp(s, x, w)[1], fn.vhp(s, x, w)[1],
               *fn.vjp(f, (x, y), v)[1], fn.jacobian(lambda x: (x.exp(), x * 2), x)[1]]
        return [o.detach().numpy() for o in out]

    for ours, theirs in zip(results(mg), results(torch)):
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_hessian_of_a_quadratic_is_its_matrix():
    A = mg.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=mg.float64)
    H = mg.autograd.functional.hessian(lambda x: 0.5 * (x @ (A @ x)), mg.tensor([1.0, -1.0], dtype=mg.float64))
    assert H.tolist() == A.tolist() and not H.requires_grad


# ---------------------------------------------------------- custom Functions, twice

class Cube(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * 3 * x ** 2


def test_custom_function_differentiates_twice_when_its_backward_uses_tensor_ops():
    x = mg.tensor([0.5, -2.0], dtype=mg.float64, requires_grad=True)
    g, = mg.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    h, = mg.autograd.grad(g.sum(), x)
    assert h.tolist() == [3.0, -12.0]                  # d/dx 3x² = 6x


# ------------------------------------------------------------------- anomaly mode

def test_anomaly_mode_names_the_node_and_the_forward_line():
    x = mg.tensor([1.0, 0.0], requires_grad=True)
    with mg.autograd.detect_anomaly():
        y = x.sqrt()                            # d sqrt at 0 times 0 below: nan
        loss = (y * 0).sum()
        with pytest.raises(RuntimeError, match=r"'SqrtBackward' returned nan") as info, \
                np.errstate(invalid='ignore', divide='ignore'):
            loss.backward()
    assert 'test_higher_order.py' in str(info.value) and 'y = x.sqrt()' in str(info.value)
    assert not mg.autograd.is_anomaly_enabled()


def test_anomaly_mode_is_off_by_default_and_switchable():
    assert not mg.autograd.is_anomaly_enabled()
    mg.autograd.set_detect_anomaly(True)
    try:
        y = (mg.tensor([1.0], requires_grad=True) * 2)
        assert 'test_higher_order.py' in y.grad_fn.made_at
    finally:
        mg.autograd.set_detect_anomaly(False)
    assert 'made_at' not in (mg.tensor([1.0], requires_grad=True) * 2).grad_fn.__dict__


# ------------------------------------------------------------ the graph after backward

def test_structure_survives_backward_and_a_second_backward_still_raises():
    w = mg.tensor([[1.0, 2.0]], requires_grad=True)
    loss = (w @ mg.tensor([[3.0], [4.0]])).tanh().sum()
    loss.backward()
    names = []
    node = loss.grad_fn
    while node.next_functions:
        names.append(node.name)
        node = node.next_functions[0][0]
    assert names == ['SumBackward', 'TanhBackward', 'MatMulBackward'] and node.variable is w
    with pytest.raises(RuntimeError, match='retain_graph=True'):
        loss.backward()
    dot = mg.viz.to_dot(loss)
    assert 'TanhBackward' in dot and 'grad' in dot


# ------------------------------------------------------------------- gradgradcheck

@pytest.mark.parametrize('name', list(CASES))
def test_gradgradcheck_passes_every_op_family(name):
    f, arrays = CASES[name]
    inputs = [mg.tensor(a, dtype=mg.float64, requires_grad=True) for a in arrays]
    assert mg.autograd.gradgradcheck(lambda *xs: f(mg, *xs), inputs)


class CutFromTheGraph(mg.autograd.Function):
    """Right once: its backward's values are x³'s, but computed on arrays, outside the graph."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * mg.tensor(3 * x.detach().numpy() ** 2)


def test_gradgradcheck_fails_a_backward_cut_from_the_graph():
    x = mg.tensor([0.5, -1.0, 2.0], dtype=mg.float64, requires_grad=True)
    assert mg.gradcheck(CutFromTheGraph.apply, x)
    with pytest.raises(mg.GradcheckError, match='analytic 0'):
        mg.gradgradcheck(CutFromTheGraph.apply, x)
    assert mg.gradgradcheck(Cube.apply, x)


def test_gradcheck_message_says_what_it_compared_with_every_element_of_a_small_input():
    class BadCube(Cube):
        @staticmethod
        def backward(ctx, grad_output):
            x, = ctx.saved_tensors
            return grad_output * x ** 2                # the factor 3 forgotten

    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda x: BadCube.apply(x).sum(), mg.tensor([2.0], requires_grad=True))
    message = str(info.value)
    assert 'analytic 4 (backward), numeric 12 (finite differences)' in message   # x² vs 3x² at 2
    assert 'compared: d output / d input' in message and '(0,)' in message
    assert max(len(line) for line in message.splitlines()) <= 100
