"""Programs written the way PyTorch's tutorials, "Learning PyTorch with Examples", Dive into
Deep Learning and older blog posts write them, run unchanged against minigrad and, when it is
installed, against PyTorch from the same initial weights.

Each program takes `lib` (minigrad or torch) and uses only names both share, so the same
source is the PyTorch program. Without torch, the programs still run and their results are
checked for what must hold (the loss falls, the gradient is the known derivative).
"""
import math

import numpy as np
import pytest

import minigrad as mg

try:
    import torch
except ImportError:
    torch = None

LIBS = [mg] + ([torch] if torch is not None else [])
needs_torch = pytest.mark.skipif(torch is None, reason='PyTorch is not installed')


def both(program, *args):
    """The program's result from minigrad, and from torch (None without torch)."""
    ours = program(mg, *args)
    theirs = program(torch, *args) if torch is not None else None
    return ours, theirs


def assert_same(ours, theirs, rtol=1e-5, atol=1e-7):
    if theirs is not None:
        np.testing.assert_allclose(np.asarray(ours, dtype=np.float64),
                                   np.asarray(theirs, dtype=np.float64), rtol=rtol, atol=atol)


# ------------------------------------------ the polynomial fit, four manual updates

def polynomial_fit(lib, update, steps=2000, learning_rate=1e-6):
    """Fits a + b x + c x² + d x³ to sin(x) on [-π, π] by hand-written gradient descent."""
    x = lib.linspace(-math.pi, math.pi, 2000)
    y = lib.sin(x)
    rng = np.random.default_rng(0)
    a, b, c, d = (lib.tensor(rng.standard_normal(()).astype(np.float32), requires_grad=True)
                  for _ in range(4))
    losses = []
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        if update == 'no_grad -=':
            with lib.no_grad():
                a -= learning_rate * a.grad
                b -= learning_rate * b.grad
                c -= learning_rate * c.grad
                d -= learning_rate * d.grad
                a.grad = None
                b.grad = None
                c.grad = None
                d.grad = None
        elif update == '.data -=':
            for p in (a, b, c, d):
                p.data -= learning_rate * p.grad
                p.grad.data.zero_()
        elif update == '.data.add_':
            for p in (a, b, c, d):
                p.data.add_(p.grad, alpha=-learning_rate)
                p.grad.zero_()
        elif update == 'no_grad sub_':
            with lib.no_grad():
                for p in (a, b, c, d):
                    p.sub_(learning_rate * p.grad)
                    p.grad.zero_()
    return losses + [p.item() for p in (a, b, c, d)]


UPDATES = ['no_grad -=', '.data -=', '.data.add_', 'no_grad sub_']


@pytest.mark.parametrize('update', UPDATES)
def test_every_manual_update_form_trains(update):
    ours, theirs = both(polynomial_fit, update)
    losses = ours[:-4]
    assert losses[-1] < 0.01 * losses[0]            # it trains (it used to stay frozen)
    assert_same(ours, theirs, rtol=2e-4)


def test_the_four_update_forms_agree_exactly():
    results = [polynomial_fit(mg, update, steps=50) for update in UPDATES]
    for other in results[1:]:
        np.testing.assert_array_equal(results[0], other)


def test_rebinding_stays_the_same_tensor():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    before = w
    (w * w).sum().backward()
    with mg.no_grad():
        w -= 0.1 * w.grad
    assert w is before and w.requires_grad and w.is_leaf
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6], rtol=1e-6)


# ------------------------------------------------------------------ misuse: PyTorch's errors

def in_place_on_leaf(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    w -= 0.1


def view_of_leaf(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    w[0].mul_(2)


def saved_output_changed(lib):
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    y.sum().backward()


def saved_weight_changed_by_step(lib):
    w = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = lib.tensor([[1.0, -1.0]], requires_grad=True)
    loss = (x @ w).tanh().sum()
    with lib.no_grad():
        w -= 0.1                # an optimizer step between forward and backward
    loss.backward()


@pytest.mark.parametrize('program, words', [
    (in_place_on_leaf, 'a leaf Variable that requires grad is being used in an in-place operation'),
    (view_of_leaf, 'a view of a leaf Variable that requires grad is being used in an in-place'),
    (saved_output_changed, 'modified by an inplace operation'),
    (saved_weight_changed_by_step, 'modified by an inplace operation'),
])
@pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)
def test_misuse_raises_pytorchs_error(program, words, lib):
    with pytest.raises(RuntimeError, match=words):
        program(lib)


def test_the_version_error_teaches():
    with pytest.raises(RuntimeError) as info:
        saved_output_changed(mg)
    message = str(info.value)
    assert 'shape [3]' in message and 'is at version 1; expected version 0' in message
    assert 'SigmoidBackward' in message and 'mul_' in message       # which op saved it, which changed it
    assert 'out-of-place' in message                                  # and what to do


def test_versions_count_in_place_changes():
    x = mg.zeros(3)
    assert x._version == 0
    x += 1
    x.mul_(2)
    x[0] = 5
    assert x._version == 3
    assert x.detach()._version == 3                  # detach() shares the storage and its count
    assert x.data._version == 0                      # .data has a count of its own (PyTorch's)
    y = x * 2                                                      # a new tensor: its own storage
    assert y._version == 0


# --------------------------------------------------- in-place ops on non-leaves: gradients

def nonleaf_programs():
    def add_then_setitem(lib, x):
        y = x * 2
        y += 1
        y[0] = 5.0
        return (y * y).sum()

    def slice_plus_equals(lib, x):
        y = x * 2
        y[1] += x[0] * 10
        return (y ** 2).sum()

    def view_mul_(lib, x):
        y = x * 2
        y[0].mul_(3)
        return (y * x).sum()

    def transpose_add_(lib, x):
        y = (x * 1).reshape(2, 2)
        y.t().add_(lib.tensor([[10.0, 20.0], [30.0, 40.0]], dtype=x.dtype))
        return (y * y).sum()

    def earlier_consumer_keeps_old_value(lib, x):
        y = x * 1
        a = y + 1                       # recorded before relu_: its gradient goes to the old y
        y.relu_()
        return (a * 3 + y).sum()

    def masked_fill_and_clamp_(lib, x):
        y = x.exp()
        z = y * 1
        z.masked_fill_(x > 0.5, 0.0)
        z.clamp_(max=1.5)
        return (z * y).sum()

    def constant_buffer_filled_from_graph(lib, x):
        b = lib.zeros(4, dtype=x.dtype)
        b += x * 2
        b[1] = x[0]
        return (b * b).sum()

    def copy_into_a_buffer(lib, x):
        b = lib.zeros(2, 4, dtype=x.dtype)
        b[0].copy_(x.sin())
        b[1].fill_(2.0)
        return (b.sum(0) * x).sum()

    return [add_then_setitem, slice_plus_equals, view_mul_, transpose_add_,
            earlier_consumer_keeps_old_value, masked_fill_and_clamp_,
            constant_buffer_filled_from_graph, copy_into_a_buffer]


@pytest.mark.parametrize('program', nonleaf_programs(), ids=lambda p: p.__name__)
def test_in_place_ops_on_non_leaves_differentiate(program):
    values = np.array([0.3, -1.2, 0.8, 2.0])

    def run(lib):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        out = program(lib, x)
        out.backward()
        return np.concatenate([[out.item()], x.grad.numpy()])

    ours, theirs = both(run)
    assert_same(ours, theirs, rtol=1e-12)
    # and the engine agrees with finite differences through the same program
    assert mg.gradcheck(lambda x: program(mg, x), mg.tensor(values, requires_grad=True))


def test_in_place_op_under_no_grad_on_a_non_leaf_is_not_recorded():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    with mg.no_grad():
        y.add_(1)                       # values change, history does not
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])
    np.testing.assert_allclose(y.detach().numpy(), [4.0, 7.0])


def test_in_place_errors_name_shapes_and_dtypes():
    with pytest.raises(RuntimeError, match=r"can't be cast to the desired output type int64"):
        mg.tensor([1, 2]).add_(1.5)
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
        mg.zeros(3).add_(mg.ones(2, 3))


# ------------------------------------------------------------------------------ .data

def test_data_is_a_detached_tensor_sharing_storage():
    w = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = w.data
    assert isinstance(d, mg.Tensor) and not d.requires_grad and d.grad_fn is None
    d.mul_(10)
    np.testing.assert_array_equal(w.detach().numpy(), [10.0, 20.0, 30.0])
    w.data = mg.tensor([7.0, 8.0])                          # replaces the values (any shape)
    assert w.shape == (2,) and w.requires_grad
    assert w.numpy(force=True).tolist() == [7.0, 8.0]


def test_data_initialisation_idioms():
    mg.manual_seed(0)
    layer = mg.nn.Linear(300, 200)
    layer.weight.data.normal_(0, 0.01)
    layer.bias.data.fill_(0)
    w = layer.weight.detach().numpy()
    assert abs(w.std() - 0.01) < 0.001 and abs(w.mean()) < 0.001
    assert (layer.bias.detach().numpy() == 0).all()
    layer.weight.data.uniform_(-0.5, 0.5)
    assert w.min() >= -0.5 and w.max() < 0.5 and w.std() > 0.2
    t = mg.zeros(1000)
    t.random_(0, 10)
    assert set(np.unique(t.numpy())) == set(range(10))


def test_numpy_shares_memory_and_arrays_never_become_tensors():
    t = mg.zeros(3)
    t.numpy()[0] = 5.0
    assert t[0].item() == 5.0
    array = np.ones(3, dtype=np.float32)
    array -= mg.tensor([1.0, 2.0, 3.0])             # an in-place NumPy op with a Tensor operand
    assert type(array) is np.ndarray and array.tolist() == [0.0, -1.0, -2.0]
    assert isinstance(np.ones(3) * mg.tensor([1.0, 2.0, 3.0]), mg.Tensor)
    with pytest.raises(RuntimeError, match='requires grad'):
        array += mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(TypeError, match='in-place methods'):
        np.add(1.0, 2.0, out=(mg.zeros(()),))


# ------------------------------------------------------------ the custom Function protocol

class LegendreP3(mg.autograd.Function):
    """P₃(x) = ½ (5x³ − 3x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x ** 3 - 3 * x)

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * x ** 2 - 1)      # d P₃ = 1.5 (5x² − 1) dx


def legendre_fit(lib, steps=300, learning_rate=5e-6):
    """The custom-Function tutorial's model: y ≈ a + b P₃(c + d x), trained by hand."""
    if lib is torch:
        class P3(torch.autograd.Function):
            forward = staticmethod(LegendreP3.forward)
            backward = staticmethod(LegendreP3.backward)
    else:
        P3 = LegendreP3
    x = lib.linspace(-math.pi, math.pi, 2000)
    y = lib.sin(x)
    a = lib.full((), 0.0, requires_grad=True)
    b = lib.full((), -1.0, requires_grad=True)
    c = lib.full((), 0.0, requires_grad=True)
    d = lib.full((), 0.3, requires_grad=True)
    losses = []
    for t in range(steps):
        y_pred = a + b * P3.apply(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    return losses


def test_custom_function_trains_like_pytorch():
    ours, theirs = both(legendre_fit)
    assert ours[-1] < 0.5 * ours[0]
    assert_same(ours, theirs, rtol=1e-4)


def test_custom_function_ctx_is_the_node():
    x = mg.tensor([0.5, -0.2], dtype=mg.float64, requires_grad=True)
    y = LegendreP3.apply(x)
    assert y.grad_fn.name == 'LegendreP3Backward' and y.grad_fn.name() == 'LegendreP3Backward'
    assert y.grad_fn.needs_input_grad == (True,)
    assert y.grad_fn.saved_tensors[0] is x
    assert mg.gradcheck(LegendreP3.apply, x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match='retain_graph=True'):
        y.grad_fn.saved_tensors


class ScaleBy(mg.autograd.Function):
    """y = k x with a non-tensor argument: backward returns None for it."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.k, None


class TooFewGradients(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        return x * k

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


class WrongShape(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output[:1] * mg.ones(5)


def test_custom_function_arguments_and_errors():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    ScaleBy.apply(x, 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert ScaleBy.apply(x, 3.0).grad_fn.needs_input_grad == (True, False)
    with pytest.raises(RuntimeError, match=r'returned an incorrect number of gradients \(expected 2, got 1\)'):
        TooFewGradients.apply(x, 2.0).sum().backward()
    with pytest.raises(RuntimeError, match=r'invalid gradient at index 0 - got \[5\] but expected '
                                           r'shape compatible with \[2\]'):
        WrongShape.apply(x).sum().backward()


def test_custom_function_without_grad_records_nothing():
    x = mg.tensor([1.0, 2.0])
    y = LegendreP3.apply(x)
    assert y.grad_fn is None and not y.requires_grad


# -------------------------------------------------------------- the graph as PyTorch shows it

def test_next_functions_walks_like_pytorchs():
    def walk(lib):
        w = lib.tensor([[0.5, -1.0]], requires_grad=True)
        b = lib.tensor([0.1], requires_grad=True)
        x = lib.tensor([[1.0, 2.0]])
        loss = ((x @ w.t() + b).sigmoid() * 3).sum()
        node = loss.grad_fn
        names = []
        while node.next_functions:               # follow the first input that needs a gradient
            names.append(node.name().rstrip('0123456789'))
            node = next(n for n, _ in node.next_functions if n is not None)
        names.append(node.name().rstrip('0123456789'))
        add = loss.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
        leaves = [edge[0] for edge in add.next_functions]
        mm = leaves[0]
        return (names, [type(n).__name__ for n in leaves],
                leaves[1].variable is b, mm.next_functions[0][0] is None,
                mm.next_functions[1][0].next_functions[0][0].variable is w)

    ours, theirs = both(walk)
    assert ours[2:] == (True, True, True)
    assert ours[0] == ['SumBackward', 'MulBackward', 'SigmoidBackward', 'AddBackward',
                       'MatMulBackward', 'PermuteBackward', 'AccumulateGrad']
    if theirs is not None:
        assert theirs[2:] == ours[2:]
        same_op = {'MmBackward': 'MatMulBackward', 'TBackward': 'PermuteBackward',
                   'torch::autograd::AccumulateGrad': 'AccumulateGrad'}
        assert [same_op.get(n, n) for n in theirs[0]] == ours[0]
        assert theirs[1][1] == ours[1][1] == 'AccumulateGrad'


def test_accumulate_grad_is_one_node_per_leaf():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    a, b = (w * 2).grad_fn, (w + 1).grad_fn
    assert a.next_functions[0][0] is b.next_functions[0][0]


# ------------------------------------------------------------------- the beginner surface

def test_size_dtype_and_device_names():
    x = mg.zeros(2, 3)
    assert x.size() == mg.Size([2, 3]) and x.shape == (2, 3) and x.size(-1) == 3
    assert repr(x.shape) == 'minigrad.Size([2, 3])' and x.shape.numel() == 6
    assert (mg.float, mg.double, mg.long, mg.int, mg.half) == (
        np.float32, np.float64, np.int64, np.int32, np.float16)
    assert x.device == mg.device('cpu') and x.device.type == 'cpu' and str(x.device) == 'cpu'
    assert mg.cuda.is_available() is False and mg.backends.mps.is_available() is False
    device = 'cuda' if mg.cuda.is_available() else 'cpu'
    assert x.to(device) is x and x.cpu() is x
    with pytest.raises(RuntimeError, match='CPU only'):
        x.to('cuda')
    with pytest.raises(RuntimeError, match='CPU only'):
        mg.zeros(2, device='cuda')
    mg.set_default_device('cpu')


def test_conversions_stay_in_the_graph():
    x = mg.tensor([1.5, -2.5], requires_grad=True)
    y = x.double()
    assert y.dtype == mg.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == mg.float32 and x.grad.tolist() == [3.0, -5.0]
    assert x.long().tolist() == [1, -2] and not x.long().requires_grad
    assert x.to(mg.float64).dtype == mg.float64 and x.type_as(mg.zeros(1, dtype=mg.float64)).dtype == mg.float64
    assert (x > 0).float().tolist() == [1.0, 0.0]
    assert x.detach().int().dtype == mg.int32 and x.detach().bool().tolist() == [True, True]


@pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)
def test_methods_tutorials_use(lib):
    a = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = lib.tensor([1.0, -2.0])
    results = [
        a.mm(a), a.t(), v.dot(v), a.norm(), a.norm(dim=1), a.std(), a.std(dim=0), a.prod(),
        a.prod(dim=1), a.clone(), a.view_as(lib.zeros(4)), a.reshape_as(lib.zeros(1, 4)),
        v.expand_as(a), lib.flatten(a), a.add(v, alpha=2), a.sub(1, alpha=3), a.mul(v), a.div(2),
        a.neg(), lib.mm(a, a), lib.sum(a, dim=0), lib.max(a), lib.max(a, 1).values,
        lib.max(a, lib.full((2, 2), 2.5)), lib.mean(a), lib.numel(a), a.dim(), a.nelement(),
        lib.matmul(a, v), a.masked_fill(a > 2, 0.0), a.float(), a.sum().item(),
    ]
    flat = [np.asarray(r.numpy() if hasattr(r, 'numpy') else r, dtype=np.float64).ravel()
            for r in results]
    if lib is not mg:
        ours = test_methods_tutorials_use.ours
        for i, (x, y) in enumerate(zip(ours, flat)):
            np.testing.assert_allclose(x, y, rtol=1e-6, err_msg=f'result {i}')
    else:
        test_methods_tutorials_use.ours = flat


def test_prod_gradient_is_exact_at_zeros():
    for values in ([2.0, 0.0, 3.0], [0.0, 0.0, 3.0], [1.5, -2.0, 0.5]):
        assert mg.gradcheck(lambda x: x.prod(), mg.tensor(values, requires_grad=True))
    x = mg.tensor([[2.0, 0.0, 3.0], [1.0, 4.0, 0.5]], requires_grad=True)
    assert mg.gradcheck(lambda x: x.prod(dim=1), x)
    assert mg.gradcheck(lambda x: x.prod(dim=0, keepdim=True), x)


@pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)
def test_format_and_print(lib):
    loss = lib.tensor(0.123456)
    assert f'{loss:.4f}' == '0.1235' and f'{loss.item():>8.2f}' == '    0.12'
    assert repr(lib.arange(20.0)).splitlines()[0].count(',') == 14        # 80 columns, as PyTorch


def test_repr_matches_pytorch_line_for_line():
    if torch is None:
        pytest.skip('PyTorch is not installed')
    torch.manual_seed(0)
    for t in [torch.randn(20), torch.randn(3, 12), torch.randn(2, 3, 12), torch.arange(40).reshape(2, 20),
              torch.randn(30) * 1000, torch.randn(2000), torch.randn(40, 40), torch.tensor([True, False]),
              torch.zeros(0, 3), torch.randn(3, 4, dtype=torch.float64)]:
        assert repr(mg.tensor(t.numpy())).replace('minigrad.', 'torch.') == repr(t)


def test_legacy_names():
    x = mg.autograd.Variable(mg.tensor([1.0, 2.0]), requires_grad=True)
    assert x.requires_grad and x.is_leaf
    assert mg.FloatTensor([1, 2]).dtype == mg.float32 and mg.LongTensor([1.0]).dtype == mg.int64
    assert mg.FloatTensor(2, 3).shape == (2, 3)
    assert mg.tensor([1.0]).type() == 'minigrad.FloatTensor'


def test_grad_mode_spellings():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with mg.inference_mode():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    mg.set_grad_enabled(False)
    try:
        assert not mg.is_grad_enabled()
    finally:
        mg.set_grad_enabled(True)
    assert mg.is_grad_enabled()


# ----------------------------------------------------------------- d2l, from scratch

def linear_regression_scratch(lib):
    """Dive into Deep Learning's linear regression from scratch, minibatch SGD by hand."""
    rng = np.random.default_rng(1)
    true_w, true_b = lib.tensor([2.0, -3.4]), 4.2
    features = lib.tensor(rng.standard_normal((200, 2)).astype(np.float32))
    labels = lib.matmul(features, true_w) + true_b
    labels += lib.tensor(rng.normal(0, 0.01, labels.shape).astype(np.float32))
    labels = labels.reshape((-1, 1))
    w = lib.tensor(rng.normal(0, 0.01, (2, 1)).astype(np.float32), requires_grad=True)
    b = lib.zeros(1, requires_grad=True)

    def sgd(params, lr, batch_size):
        with lib.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    losses = []
    for epoch in range(3):
        for start in range(0, 200, 10):
            batch = lib.tensor(range(start, start + 10))
            X, y = features[batch], labels[batch]
            y_hat = lib.matmul(X, w) + b
            loss = (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
            loss.sum().backward()
            sgd([w, b], 0.03, 10)
        with lib.no_grad():
            losses.append(float(((lib.matmul(features, w) + b - labels) ** 2 / 2).mean()))
    return losses + w.detach().reshape(-1).tolist() + b.tolist()


def test_d2l_linear_regression_from_scratch():
    ours, theirs = both(linear_regression_scratch)
    assert ours[2] < ours[1] < ours[0] and ours[2] < 0.15 * ours[0]
    assert_same(ours, theirs, rtol=1e-4, atol=1e-6)


def softmax_scratch(lib):
    """d2l's softmax regression from scratch: exp / partition, picking y_hat[range(n), y]."""
    rng = np.random.default_rng(2)
    X = lib.tensor(rng.standard_normal((6, 4)).astype(np.float32))
    y = lib.tensor([0, 2, 1, 2, 0, 1])
    W = lib.tensor(rng.normal(0, 0.01, (4, 3)).astype(np.float32), requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    losses = []
    for _ in range(20):
        X_exp = lib.exp(lib.matmul(X.reshape((-1, W.shape[0])), W) + b)
        y_hat = X_exp / X_exp.sum(1, keepdim=True)
        loss = -lib.log(y_hat[range(len(y_hat)), y]).mean()
        losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            for p in (W, b):
                p -= 0.5 * p.grad
                p.grad.zero_()
    accuracy = float((y_hat.argmax(1) == y).type(lib.float).mean())
    return losses + [accuracy]


def test_d2l_softmax_from_scratch():
    ours, theirs = both(softmax_scratch)
    assert ours[19] < ours[0]
    assert_same(ours, theirs, rtol=1e-4)


# ------------------------------------------ a Variable-era two-layer net (legacy idioms)

def two_layer_legacy(lib):
    """The 2017 "two-layer net with autograd" program: Variable, mm, clamp, .data updates."""
    Variable = lib.autograd.Variable
    rng = np.random.default_rng(3)
    x = Variable(lib.tensor(rng.standard_normal((16, 20)).astype(np.float32)), requires_grad=False)
    y = Variable(lib.tensor(rng.standard_normal((16, 3)).astype(np.float32)), requires_grad=False)
    w1 = Variable(lib.tensor(rng.standard_normal((20, 10)).astype(np.float32) * 0.3), requires_grad=True)
    w2 = Variable(lib.tensor(rng.standard_normal((10, 3)).astype(np.float32) * 0.3), requires_grad=True)
    losses = []
    for t in range(50):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        w1.data -= 1e-3 * w1.grad.data
        w2.data -= 1e-3 * w2.grad.data
        w1.grad.data.zero_()
        w2.grad.data.zero_()
    return losses


def test_variable_era_program():
    ours, theirs = both(two_layer_legacy)
    assert ours[-1] < 0.5 * ours[0]
    assert_same(ours, theirs, rtol=1e-4)


# ------------------------------------------------------- torch.nn programs, same weights

def copy_weights(lib, model, seed):
    """Loads the same (seeded) weights into a model in either library."""
    rng = np.random.default_rng(seed)
    state = {name: lib.tensor(rng.uniform(-0.3, 0.3, tuple(p.shape)).astype(np.float32))
             for name, p in model.state_dict().items()}
    model.load_state_dict(state)


def nn_manual_update(lib):
    """The "nn module" example: Sequential with Flatten, MSELoss(reduction='sum'), update by hand."""
    x = lib.linspace(-math.pi, math.pi, 500)
    y = lib.sin(x)
    p = lib.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = lib.nn.Sequential(lib.nn.Linear(3, 1), lib.nn.Flatten(0, 1))
    copy_weights(lib, model, 4)
    loss_fn = lib.nn.MSELoss(reduction='sum')
    learning_rate = 1e-6
    losses = []
    for t in range(200):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with lib.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    return losses + linear_layer.weight.flatten().tolist() + linear_layer.bias.tolist()


def test_nn_module_with_hand_written_update():
    ours, theirs = both(nn_manual_update)
    assert ours[199] < 0.5 * ours[0]
    assert_same(ours, theirs, rtol=1e-4)


def quickstart(lib):
    """The beginner quickstart's shape: a Dataset, DataLoader, a Module subclass with
    Flatten, CrossEntropyLoss, SGD, a train loop and a test loop on a device."""
    from importlib import import_module
    data = import_module(lib.__name__ + '.utils.data')
    rng = np.random.default_rng(5)
    images = rng.standard_normal((96, 1, 4, 4)).astype(np.float32)
    labels = (images.reshape(96, -1)[:, :3].argmax(1)).astype(np.int64)

    class Pictures(data.Dataset):
        def __len__(self):
            return len(images)

        def __getitem__(self, idx):
            return lib.tensor(images[idx]), int(labels[idx])

    train_dataloader = data.DataLoader(Pictures(), batch_size=16)
    device = 'cuda' if lib.cuda.is_available() else 'mps' if lib.backends.mps.is_available() else 'cpu'

    class NeuralNetwork(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = lib.nn.Flatten()
            self.linear_relu_stack = lib.nn.Sequential(
                lib.nn.Linear(16, 32), lib.nn.ReLU(), lib.nn.Linear(32, 3))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    model = NeuralNetwork().to(device)
    copy_weights(lib, model, 6)
    loss_fn = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.5)
    history = []
    for epoch in range(5):
        model.train()
        for batch, (X, y) in enumerate(train_dataloader):
            X, y = X.to(device), y.to(device)
            pred = model(X)
            loss = loss_fn(pred, y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        model.eval()
        test_loss, correct = 0, 0
        with lib.no_grad():
            for X, y in train_dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(lib.float).sum().item()
        history += [test_loss / len(train_dataloader), correct / len(train_dataloader.dataset)]
    return history


def test_quickstart_program():
    ours, theirs = both(quickstart)
    assert ours[-1] > 0.9 and ours[-2] < ours[0]
    assert_same(ours, theirs, rtol=1e-4)


def optimizer_and_scheduler(lib):
    """Adam with a StepLR schedule, gradient clipping by hand, on a small regression."""
    rng = np.random.default_rng(7)
    X = lib.tensor(rng.standard_normal((64, 5)).astype(np.float32))
    y = X @ lib.tensor(rng.standard_normal((5, 1)).astype(np.float32)) + 0.5
    model = lib.nn.Sequential(lib.nn.Linear(5, 8), lib.nn.Tanh(), lib.nn.Linear(8, 1))
    copy_weights(lib, model, 8)
    optimizer = lib.optim.Adam(model.parameters(), lr=0.05)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    losses = []
    for epoch in range(40):
        optimizer.zero_grad()
        loss = lib.nn.functional.mse_loss(model(X), y)
        loss.backward()
        with lib.no_grad():
            for p in model.parameters():
                p.grad.clamp_(-1.0, 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return losses + [scheduler.get_last_lr()[0]]


def test_optimizer_and_scheduler_program():
    ours, theirs = both(optimizer_and_scheduler)
    assert ours[39] < 0.2 * ours[0] and ours[-1] == pytest.approx(0.05 * 0.5 ** 4)
    assert_same(ours, theirs, rtol=1e-4)


# ------------------------------------------------------- the tensors tutorial, line by line

@pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)
def test_tensors_tutorial_idioms(lib, tmp_path):
    tensor = lib.ones(4, 4)
    tensor[:, 1] = 0
    t1 = lib.cat([tensor, tensor, tensor], dim=1)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = lib.rand_like(y1)
    lib.matmul(tensor, tensor.T, out=y3)
    z3 = lib.rand_like(tensor)
    lib.mul(tensor, tensor, out=z3)
    agg = tensor.sum()
    tensor.add_(5)
    n = np.ones(5)
    t = lib.from_numpy(n)
    np.add(n, 1, out=n)
    lib.save({'w': tensor}, tmp_path / 'w.pth')
    loaded = lib.load(tmp_path / 'w.pth', weights_only=True)
    values = [t1, y1, y2, y3, z3, agg, tensor, t, loaded['w'],
              lib.exp(input=tensor[0]), lib.add(input=tensor[0], other=1, alpha=2)]
    results = [np.asarray(v.numpy(), dtype=np.float64).tolist() for v in values]
    if lib is mg:
        test_tensors_tutorial_idioms.ours = results
    else:
        for ours, theirs in zip(test_tensors_tutorial_idioms.ours, results):
            np.testing.assert_allclose(ours, theirs, rtol=1e-6)        # float32 exp: last bit
    assert agg.item() == 12.0 and t.tolist() == [2.0] * 5 and y3.tolist() == y1.tolist()


def test_generator_objects_seed_their_own_stream():
    from minigrad.utils.data import TensorDataset, random_split
    ds = TensorDataset(mg.arange(10.0))
    first, _ = random_split(ds, [0.8, 0.2], generator=mg.Generator().manual_seed(42))
    again, _ = random_split(ds, [0.8, 0.2], generator=mg.Generator().manual_seed(42))
    assert list(first.indices) == list(again.indices) and len(first) == 8
    g = mg.Generator().manual_seed(1)
    assert g.initial_seed() == 1
    assert mg.randn(3, generator=mg.Generator().manual_seed(1)).tolist() == \
        mg.randn(3, generator=mg.Generator().manual_seed(1)).tolist()
    with pytest.raises(RuntimeError, match='CPU only'):
        mg.Generator(device='cuda')
