"""Gradients of gradients: create_graph=True in minigrad/autograd (the walk records each backward
as a graph of its own, and replay.py runs an op's NumPy backward on Tensors).
Hessian-vector products of every op family against PyTorch (float64, 1e-7) and against finite
differences, gradgradcheck on every family, a third derivative, and a custom Function
differentiated twice."""
import numpy as np
import pytest

import minigrad as mg
from helpers import Cube
from minigrad.autograd import engine
from minigrad.ops import derivative_table

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


def m(seed, *shape):
    """Normal draws of a generator of their own: a case added here leaves the others' draws alone."""
    return np.random.default_rng(seed).standard_normal(shape)
def _hardsigmoid(L, x):
    """PyTorch has no double backward for hardsigmoid ('derivative for aten::hardsigmoid_backward
    is not implemented'): there, the same function as relu6(x + 3) / 6."""
    return F(L).hardsigmoid(x) if L is mg else F(L).relu6(x + 3) / 6


def _written(L, x, y):
    """A non-leaf changed in place (SetView), a clone, a float32 round trip, sub and neg."""
    a = (x * y).clone()
    a[1:3] = y[1:3] ** 2
    small = (x * 1e-3).float()
    return ((a - (-x)) ** 3).sum() + (small * small).double().sum()


def _take_along(L, x, indices, dim):
    """NumPy's take_along_axis on a minigrad Tensor; torch's take_along_dim."""
    if L is mg:
        return np.take_along_axis(x, np.asarray(indices), dim)
    return L.take_along_dim(x, L.tensor(indices), dim)


def _lstm_layer(L, x, h0, c0, w_ih, w_hh, b):
    """A 3-step LSTM layer: minigrad's LSTMSequence op, and in PyTorch its loop written out."""
    if L is mg:
        from minigrad.ops import recurrent
        seq = recurrent.LSTMSequence.apply(x, h0, c0, w_ih, w_hh, b, b * 2)
        return (seq ** 2 * seq).sum()
    h, c, out = h0, c0, []
    for t in range(x.shape[0]):
        i, f, g, o = (x[t] @ w_ih.T + b * 3 + h @ w_hh.T).chunk(4, dim=1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        out.append(h)
    seq = L.stack(out + [c])
    return (seq ** 2 * seq).sum()


def _cells(L, gi, gh, c):
    """One LSTM step (state and output) and one GRU step from the same pre-activations: the
    gate ops of minigrad/ops/recurrent.py, and in PyTorch the same equations written out."""
    if L is mg:
        from minigrad.ops import recurrent
        c2 = recurrent.LSTMState.apply(gi, recurrent.Shared.apply(gh), c)
        h2 = recurrent.LSTMOutput.apply(gi, gh, c2)
        h3 = recurrent.GRUCell.apply(gi[:, :6], gh[:, :6], h2)
        return (h2 * c2).sum() + (h3 ** 2).sum()
    i, f, g, o = (gi + gh).chunk(4, dim=1)
    c2 = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h2 = o.sigmoid() * c2.tanh()
    (xr, xz, xn), (hr, hz, hn) = gi[:, :6].chunk(3, dim=1), gh[:, :6].chunk(3, dim=1)
    r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
    nn = (xn + r * hn).tanh()
    h3 = (1 - z) * nn + z * h2
    return (h2 * c2).sum() + (h3 ** 2).sum()

ATTENTION_ALLOWED = np.array([[1, 0, 1, 0, 0], [1, 1, 0, 0, 1], [0, 1, 1, 1, 1]], dtype=bool)

CASES = {
    # elementwise
    'sin exp pow': (lambda L, x: (x.sin() * x.exp() + x ** 3).sum(), [n(4)]),
    'mul div': (lambda L, x, y: (x * y / (y * y + 1)).sum(), [n(4), n(4)]),
    'log sqrt': (lambda L, x: ((x * x + 1).log() * (x * x + 2).sqrt()).sum(), [n(5)]),
    'abs relu': (lambda L, x: (x.relu() * x + x.abs() * x).sum(), [n(5)]),
    'pow maximum minimum clamp': (lambda L, x, y: ((x.abs() + 1) ** y + L.maximum(x, y) ** 2
                                                 + L.minimum(x, y * 2) ** 3 + x.clamp(-0.5, 0.5) ** 2).sum(),
                                  [n(5), n(5)]),
    'clone cast sub neg, written in place': (lambda L, x, y: _written(L, x, y), [n(5), n(5)]),
    'cos where log1p expm1': (lambda L, x: (L.where(x > 0, x.cos() ** 2, x ** 3) * x.abs().log1p()
                                            + x.expm1() * x).sum(), [n(6)]),
    # activations
    'tanh sigmoid': (lambda L, x: (x.tanh() * x.sigmoid()).sum(), [n(5)]),
    'softmax log_softmax': (lambda L, x: (x.softmax(1) ** 2).sum() + (x.log_softmax(0) * x).sum(), [n(3, 4)]),
    'leaky_relu elu softplus gelu': (lambda L, x: (F(L).leaky_relu(x, 0.1) ** 2 + F(L).elu(x) ** 2
                                                   + F(L).softplus(x, beta=2.0) ** 2 + F(L).gelu(x) ** 2
                                                   + F(L).gelu(x, approximate='tanh') ** 2).sum(), [n(6)]),
    'silu mish celu softsign logsigmoid hardswish hardtanh hardsigmoid': (   # the F family's ops
        lambda L, x: (F(L).silu(x) ** 2 + F(L).mish(x) ** 2 + F(L).celu(x, 0.5) ** 2 + F(L).selu(x) ** 2
                      + F(L).softsign(x) ** 2 + F(L).logsigmoid(x) ** 2 + F(L).hardswish(2 * x) ** 2
                      + F(L).hardtanh(x) ** 2 + _hardsigmoid(L, 3 * x) ** 2).sum(), [n(6)]),
    # reductions
    'mean var': (lambda L, x: (x.mean(0) * x.var(1).sum()).sum() + (x ** 2).sum(1).mean(), [n(3, 4)]),
    'logsumexp amax amin': (lambda L, x: (x.logsumexp(1) ** 2).sum() + (x.amax(1) * x.amin(0).sum()).sum(), [n(3, 4)]),
    'max(dim) prod std norm': (lambda L, x: (x.max(1).values ** 2).sum() + (x.prod(1) ** 2).sum() + x.std(0).sum()
                               + (x.norm(dim=1) ** 3).sum(), [n(3, 4)]),
    'min(dim) take_along': (lambda L, x: (x.min(0, keepdim=True).values ** 3).sum()
                            + (_take_along(L, x, [[0, 2, 1, 2], [0, 0, 1, 2]], 0) ** 2).sum(), [n(3, 4)]),
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
    # elementwise math (pointwise.py), on draws of their own (the draws above stay as they were)
    'log2 log10 exp2 rsqrt reciprocal': (
        lambda L, x: (L.log2(x * x + 1) + L.log10(x * x + 2) + L.exp2(x) + L.rsqrt(x * x + 1)
                      + L.reciprocal(x * x + 1)).sum(), [m(1, 3, 4)]),
    'tan asin acos atan atan2': (
        lambda L, x, y: (L.tan(x * 0.5) * y + L.asin(x.tanh() * 0.9) + L.acos(y.tanh() * 0.9) * x
                         + L.atan(x * y) + L.atan2(x, y) + L.arctan2(y, x) * x).sum(), [m(2, 3, 4), m(3, 3, 4)]),
    'sinh cosh asinh acosh atanh': (
        lambda L, x, y: (L.sinh(x) * y + L.cosh(y) + L.asinh(x * y) + L.acosh(y * y + 1.5)
                         + L.atanh(x.tanh() * 0.9)).sum(), [m(4, 3, 4), m(5, 3, 4)]),
    'erf erfc erfinv': (
        lambda L, x, y: (L.erf(x) * y + L.erfc(y * x) + L.erfinv(x.tanh() * 0.9)).sum(), [m(6, 3, 4), m(7, 3, 4)]),
    'floor ceil round trunc sign sgn frac': (
        lambda L, x, y: (x.floor() * x * y + x.ceil() * y * y + x.round(decimals=1) * y * x + x.trunc() * x * x
                         + x.sign() * y * y + y.sgn() * x * x + x.frac() ** 2 * y).sum(), [m(8, 3, 4), m(9, 3, 4)]),
    'fmod remainder': (
        lambda L, x, y: (L.fmod(x * 3, y.abs() + 0.5) ** 2 + L.remainder(x * 3, y) * x).sum(), [m(10, 3, 4), m(11, 3, 4)]),
    'lerp hypot logit xlogy': (
        lambda L, x, y: (L.lerp(x, y, x.sigmoid()) * y + L.hypot(x, y) + L.logit(x.sigmoid() * 0.9 + 0.05)
                         + L.logit(x.sigmoid(), eps=0.01) * y + L.xlogy(x, y * y + 0.5)).sum(), [m(12, 3, 4), m(13, 3, 4)]),
    'addcmul addcdiv nan_to_num clamp by tensors': (
        lambda L, x, y: (L.addcmul(x, x, y, value=0.5) * x + L.addcdiv(y, x, y * y + 1, value=2) * y
                         + L.nan_to_num(x * y) ** 2 + L.clip(x, y - 0.5, y + 0.5) ** 2
                         + x.clamp(min=y) * x).sum(), [m(14, 3, 4), m(15, 3, 4)]),
    # linear algebra family (products.py, linalg.py)
    'einsum diagonal diag_embed tril': (lambda L, a, b: (L.einsum('ij,jk,kk->i', a, b, b) ** 2).sum()
                                        + (a.diagonal(1) ** 3).sum() + (L.diag_embed(a) ** 2).sum()
                                        + (a.tril(1) ** 3).sum(), [n(3, 3), n(3, 3)]),
    'cross vector_norm': (lambda L, a, b: (L.linalg.cross(a, b) ** 2).sum() + L.linalg.vector_norm(a, 3)
                          + (L.linalg.vector_norm(b, 2, dim=1) ** 3).sum(), [n(2, 3), n(2, 3)]),
    # scans (minigrad/scans.py)
    'scans': (lambda L, x: (x.cumsum(1) * x.cumprod(1)).sum() + (x * x).logcumsumexp(0).sum()
              + L.sort(x, 1).values[:, 0].sum(), [n(3, 4)]),
    # indexing and shape family (minigrad/indexing.py, minigrad/shapes.py)
    'gather scatter scatter_add': (lambda L, x, y: (x.gather(1, L.tensor([[0, 0], [3, 1], [2, 2]])) ** 3).sum()
                                   + (x.scatter(1, L.tensor([[0], [2], [1]]), y[:, :1] ** 2) ** 2).sum()
                                   + (x.scatter_add(0, L.tensor([[0, 0, 2, 1]]), y[:1] * x[:1]) ** 2).sum(),
                                   [n(3, 4), n(3, 4)]),
    'index_select index_copy index_fill index_add': (
        lambda L, x, y: (x.index_select(0, L.tensor([2, 0, 2])) ** 3).sum()
        + (x.index_copy(1, L.tensor([3, 0]), y[:, :2] ** 2) ** 2).sum()
        + (x.index_fill(1, L.tensor([1]), 2.0) * x).sum()
        + (x.index_add(0, L.tensor([1, 1, 0]), y * y, alpha=2) ** 2).sum(), [n(3, 4), n(3, 4)]),
    'index_put put take masked': (
        lambda L, x, y: (x.index_put((L.tensor([0, 2]),), y[0] ** 2) ** 2).sum()
        + (x.index_put((L.tensor([1, 1]),), y[1] * x[0], accumulate=True) ** 2).sum()
        + (x.put(L.tensor([0, 5]), y[2, :2] ** 2) * x).sum() + (x.take(L.tensor([[1, 1], [7, 0]])) ** 3).sum()
        + (x.masked_select(x > 0) ** 3).sum() + (x.masked_scatter(x < 0, y * y) * x).sum(),
        [n(3, 4), n(3, 4)]),
    'flip roll repeat_interleave unfold': (
        lambda L, x: (x.flip((0,)) * x).sum() + (x.roll((1, -1), (0, 1)) * x ** 2).sum()
        + (x.repeat_interleave(2, dim=1) ** 3).sum() + (x.unfold(1, 2, 1) ** 3).sum(), [n(3, 4)]),
    # normalisation (minigrad/ops/normalization.py)
    'layer_norm group_norm': (
        lambda L, x, w, b: (F(L).layer_norm(x, (4,), w, b) ** 3).sum()
        + (F(L).group_norm(x.reshape(2, 4, 3), 2, w, b, eps=0.1) ** 3 * x.reshape(2, 4, 3)).sum(),
        [m(16, 6, 4), m(17, 4), m(18, 4)]),
    'batch_norm rms_norm': (
        lambda L, x, w, b: (F(L).batch_norm(x, None, None, w, b, training=True) ** 3).sum()
        + (F(L).batch_norm(x.reshape(3, 4, 2), None, None, w, eps=0.1, training=True) ** 2 * x.reshape(3, 4, 2)).sum()
        + (F(L).rms_norm(x, (4,), w, eps=0.1) ** 3).sum(), [m(19, 6, 4), m(20, 4), m(21, 4)]),
    'lstm and gru cell gates (ops/recurrent.py)': (_cells, [m(71, 2, 8), m(72, 2, 8), m(73, 2, 2)]),
    'lstm layer (ops/recurrent.py LSTMSequence)': (
        _lstm_layer, [m(74, 3, 2, 2), m(75, 2, 2), m(76, 2, 2), m(77, 8, 2), m(78, 8, 2), m(79, 8)]),
    # attention (minigrad/ops/attention.py): a float mask (differentiated too), causal, a bool mask
    'scaled_dot_product_attention': (
        lambda L, q, k, v, b: (F(L).scaled_dot_product_attention(q, k, v, b) ** 2).sum()
        + (F(L).scaled_dot_product_attention(q, k, v, is_causal=True) ** 3).sum()
        + (F(L).scaled_dot_product_attention(q, k, v, L.tensor(ATTENTION_ALLOWED), scale=0.7) ** 2 * v[:, :3]).sum(),
        [m(22, 2, 3, 4), m(23, 2, 5, 4), m(24, 2, 5, 3), m(25, 3, 5)]),
    # convolution and pooling (minigrad/ops/conv.py, minigrad/ops/pooling.py)
    'conv2d conv_transpose2d': (
        lambda L, x, w, b, v: (F(L).conv2d(x, w, b, stride=2, padding=1) ** 2).sum()
        + (F(L).conv_transpose2d(x, v, b[:1], stride=2, output_padding=1) ** 3).sum(),
        [m(81, 1, 2, 4, 4), m(82, 3, 2, 2, 2), m(83, 3), m(84, 2, 1, 2, 2)]),
    'unfold fold': (lambda L, x, c: (F(L).unfold(x, 2, padding=1) ** 3).sum()
                    + (F(L).fold(c, (3, 3), 2) ** 3).sum(), [m(85, 1, 2, 3, 3), m(86, 1, 8, 4)]),
    'max_pool2d avg_pool2d': (lambda L, x: (F(L).max_pool2d(x, 2, stride=1, padding=1) ** 3).sum()
                              + (F(L).avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False) ** 3).sum(),
                              [m(87, 1, 2, 4, 5)]),
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


def test_every_op_of_the_derivative_table_runs_its_rule_under_create_graph():
    """Second-order coverage comes from the table, not a list kept by hand: differentiating
    CASES two and three times must replay every op of `python -m minigrad.ops` (a new op
    fails here until a case above uses it)."""
    replayed = set()

    def observer(node, grad_out, grads_in):     # called for each node a create_graph walk runs
        replayed.add(type(node))
    engine._observers.append(observer)
    try:
        for f, arrays in CASES.values():
            xs = [mg.tensor(a, dtype=mg.float64, requires_grad=True) for a in arrays]
            grads = mg.autograd.grad(f(mg, *xs), xs, create_graph=True)
            mg.autograd.grad(sum((g * g).sum() for g in grads), xs, create_graph=True,
                             allow_unused=True)
    finally:
        engine._observers.remove(observer)
    ops = derivative_table()[1:]                # [0] is broadcasting, the engine's own rule
    assert [row.name for row in ops if row.op not in replayed] == []


# ---------------------------------------------------------- custom Functions, twice

def test_custom_function_differentiates_twice_when_its_backward_uses_tensor_ops():
    x = mg.tensor([0.5, -2.0], dtype=mg.float64, requires_grad=True)
    g, = mg.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    h, = mg.autograd.grad(g.sum(), x)
    assert h.tolist() == [3.0, -12.0]                  # d/dx 3x² = 6x


# ------------------------------------------------------------------- gradgradcheck

@pytest.mark.parametrize('name', list(CASES))
def test_gradgradcheck_passes_every_op_family(name):
    f, arrays = CASES[name]
    inputs = [mg.tensor(a, dtype=mg.float64, requires_grad=True) for a in arrays]
    assert mg.autograd.gradgradcheck(lambda *xs: f(mg, *xs), inputs)


# ----------------------------------------------- second derivatives at kinks and guards (issue 25)

X0 = [-1.0, 0.0, 2.0, 0.5]
T0 = [0.5, 0.0, 1.0, 0.5]


def _target(L):
    return L.tensor(T0, dtype=L.float64)


# f, whether PyTorch's first derivative requires grad, and then the second derivative
# d/dx Σ ∂f/∂x (PyTorch's numbers). Rules that route a constant gradient by a mask give a
# constant (clamp, maximum, amax, linear ops); relu, abs, leaky_relu, l1 and nll give a
# function of x with derivative 0 (PyTorch's threshold_backward, sgn, nll_loss_backward).
KINKS = {
    'relu': (lambda L, x: x.relu(), True, [0, 0, 0, 0]),
    'abs': (lambda L, x: x.abs(), True, [0, 0, 0, 0]),
    'leaky_relu': (lambda L, x: F(L).leaky_relu(x, 0.1), True, [0, 0, 0, 0]),
    'l1_loss': (lambda L, x: F(L).l1_loss(x, _target(L)), True, [0, 0, 0, 0]),
    'smooth_l1_loss beta 0': (lambda L, x: F(L).smooth_l1_loss(x, _target(L), beta=0.0), True, [0, 0, 0, 0]),
    'nll_loss': (lambda L, x: F(L).nll_loss(x.unsqueeze(0), L.tensor([1])), True, [0, 0, 0, 0]),
    'nll_loss, every target ignored': (lambda L, x: F(L).nll_loss(
        x.unsqueeze(0), L.tensor([1]), ignore_index=1, reduction='sum'), True, [0, 0, 0, 0]),
    'softplus at 0': (lambda L, x: F(L).softplus(x), True, [0.19661193324148185, 0.25, 0.10499358540350652,
                                                          0.2350037122015945]),
    'clamp': (lambda L, x: x.clamp(min=0, max=1), False, None),
    'maximum': (lambda L, x: L.maximum(x, L.zeros(4, dtype=L.float64)), False, None),
    'amax': (lambda L, x: x.amax(), False, None),
    '2 x': (lambda L, x: 2 * x, False, None),
    'x[1:] / 2': (lambda L, x: x[1:] / 2, False, None),
    'x ** 0': (lambda L, x: x ** 0, False, None),
    'x ** 0 + x ** 2': (lambda L, x: x ** 0 + x ** 2, True, [2, 2, 2, 2]),
}


@pytest.mark.parametrize('lib', [mg] + ([torch] if torch is not None else []), ids=lambda L: L.__name__)
@pytest.mark.parametrize('name', list(KINKS))
def test_second_derivative_at_kinks_and_of_constant_first_derivatives(lib, name):
    f, requires_grad, second = KINKS[name]
    x = lib.tensor(X0, dtype=lib.float64, requires_grad=True)
    g, = lib.autograd.grad(f(lib, x).sum(), x, create_graph=True)
    assert g.requires_grad == requires_grad
    if not requires_grad:                   # a constant: its derivative is an error, in both
        with pytest.raises(RuntimeError, match='element 0 of tensors does not require grad'):
            lib.autograd.grad(g.sum(), x)
        return
    h, = lib.autograd.grad(g.sum(), x)
    h = h.numpy(force=True) if lib is torch else h.numpy()     # force: torch gives a ZeroTensor
    np.testing.assert_allclose(h, second, rtol=1e-12, atol=1e-15)


def test_cross_entropy_of_one_unbatched_sample_differentiates_twice():
    """A 0-d target (found by test_random_programs): the same Hessian as a batch of one."""
    def hessian(x, target):
        g, = mg.autograd.grad(mg.nn.functional.cross_entropy(x, target), x, create_graph=True)
        return [mg.autograd.grad(g.reshape(-1)[i], x, retain_graph=True)[0].numpy() for i in range(3)]
    x = mg.tensor([0.35, -1.39, 0.95], dtype=mg.float64, requires_grad=True)
    batch = mg.tensor([[0.35, -1.39, 0.95]], dtype=mg.float64, requires_grad=True)
    np.testing.assert_allclose(np.array(hessian(x, mg.tensor(2))),
                               np.array(hessian(batch, mg.tensor([2])))[:, 0], rtol=1e-14)


# Guards (np.where(bad, 0, f(x))) whose unselected branch is inf or nan: the second derivative
# stays finite, as in PyTorch.
GUARDS = {
    'std at a constant row': (lambda L, x: x.std(dim=1).sum(), [[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]],
                              [[0, 0, 0], [0, 0, 0]]),
    'std of equal values': (lambda L, x: x.std(), [[2.0, 2.0, 2.0]], [[0, 0, 0]]),
    'x ** 0 + x ** 2 at 0': (lambda L, x: (x ** 0 + x ** 2).sum(), [[0.0, 1.0, -2.0]], [[2, 2, 2]]),
}


@pytest.mark.parametrize('lib', [mg] + ([torch] if torch is not None else []), ids=lambda L: L.__name__)
@pytest.mark.parametrize('name', list(GUARDS))
def test_guarded_rules_have_finite_second_derivatives(lib, name):
    f, at, second = GUARDS[name]
    x = lib.tensor(at, dtype=lib.float64, requires_grad=True)
    g, = lib.autograd.grad(f(lib, x), x, create_graph=True)
    h, = lib.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.detach().numpy(), second, atol=1e-15)


def test_zero_to_the_power_y_is_flat_to_second_order():
    """0 ** y = 0 for y > 0, so every derivative in y is 0 (PyTorch's second is nan: its guard
    np.where(0 ** y == 0, 0, 0 ** y log 0) differentiates the unselected -inf branch)."""
    y = mg.tensor([0.5, 1.0, 2.0], dtype=mg.float64, requires_grad=True)
    g, = mg.autograd.grad((mg.zeros(3, dtype=mg.float64) ** y).sum(), y, create_graph=True)
    h, = mg.autograd.grad(g.sum(), y)
    assert g.tolist() == [0, 0, 0] and h.tolist() == [0, 0, 0]


def test_sigmoid_third_derivative_at_zero():
    """σ'''(0) = -1/8: the saved σ(x) is differentiable at 0 (e^-|x| was written with abs,
    whose derivative there is 0)."""
    x = mg.tensor(0.0, dtype=mg.float64, requires_grad=True)
    g1, = mg.autograd.grad(x.sigmoid(), x, create_graph=True)
    g2, = mg.autograd.grad(g1, x, create_graph=True)
    g3, = mg.autograd.grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == pytest.approx((0.25, 0.0, -0.125), abs=1e-15)
