"""minigrad.nn: Module bookkeeping, state dicts, reprs, layers (Linear, activations, Flatten,
Unflatten, Dropout), loss modules, init; PyTorch as an optional oracle. The functions the layers
call are tested in test_nn_functional.py and test_losses.py."""
import collections
import copy
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
        self.scale = nn.Parameter(mg.ones(1))      # own parameter, assigned after a child
        self.head = nn.Linear(3, 1)

    def forward(self, x):
        return self.head(self.body(x)) * self.scale


# ------------------------------------------------------------ registration

def test_parameter_requires_grad_and_shares_a_tensors_data():
    t = mg.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and p._array is t._array
    assert isinstance(p, mg.Tensor)
    assert repr(p) == 'Parameter containing:\ntensor([1., 2.], requires_grad=True)'
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match='floating point'):
        nn.Parameter(np.arange(3))


def test_parameter_of_a_scalar_tensor():
    p = nn.Parameter(mg.tensor(2.0))
    assert p.shape == () and p.item() == 2.0 and p.requires_grad


def test_named_parameters_own_first_then_children_in_order():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ['scale', 'body.0.weight', 'body.0.bias', 'head.weight', 'head.bias']
    assert [p for p in net.parameters()] == [p for _, p in net.named_parameters()]
    assert list(net.state_dict()) == names
    assert [name for name, _ in net.named_children()] == ['body', 'head']
    assert [name for name, _ in net.named_modules()] == ['', 'body', 'body.0', 'body.1', 'head']
    assert len(list(net.modules())) == 5
    assert [n for n, _ in net.named_parameters(recurse=False)] == ['scale']


def test_shared_parameters_and_modules_are_listed_once():
    layer = nn.Linear(2, 2)
    seq = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.modules())) == 3         # seq, layer, relu


def test_forgetting_super_init_is_named():
    class Bad(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r'super\(\).__init__\(\)'):
        Bad()


def test_assigning_a_plain_tensor_over_a_parameter_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'.*nn.Parameter"):
        layer.weight = mg.zeros(2, 2)
    layer.weight = nn.Parameter(mg.zeros(2, 2))       # a Parameter is fine
    assert np.all(layer.weight._array == 0)


def test_unregistered_weights_get_a_warning():
    class Sneaky(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = mg.randn(3, requires_grad=True)

    with pytest.warns(UserWarning, match=r"'w'.*nn.Parameter"):
        m = Sneaky()
    assert list(m.parameters()) == []
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        m.last_output = m.w * 2                 # caching a computed tensor is fine: no warning

    class Listy(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(2, 2), nn.Linear(2, 2)]

    with pytest.warns(UserWarning, match=r'nn.Sequential\(\*layers\)'):
        Listy()


def test_module_list_registers_its_modules():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

    m = Stack()
    assert list(m.state_dict()) == [f'layers.{i}.{k}' for i in range(3) for k in ('weight', 'bias')]
    assert len(m.layers) == 3 and isinstance(m.layers[1], nn.Linear)


def test_forward_missing_is_a_clear_error():
    with pytest.raises(NotImplementedError, match='forward'):
        nn.Module()(mg.zeros(1))


def test_zero_grad_sets_grads_to_none():
    net = Net()
    net(mg.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_eval_propagate_to_every_module():
    net = Net()
    assert net.training and net.body[1].training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_to_dtype_converts_parameters_in_place():
    net = Net()
    params = list(net.parameters())
    net.double()
    assert [p for p in net.parameters()] == params          # same objects: optimizers still valid
    assert all(p.dtype == np.float64 for p in params)
    assert net(mg.randn(2, 2, dtype=mg.float64)).dtype == np.float64
    assert net.to(mg.float32) is net and all(p.dtype == np.float32 for p in params)
    assert net.to('cpu') is net
    with pytest.raises(RuntimeError, match='CPU only'):
        net.to('cuda')
    with pytest.raises(TypeError, match='floating point'):
        net.to(mg.int64)


def test_deepcopy_gives_an_independent_model():
    net = Net()
    twin = copy.deepcopy(net)
    assert isinstance(twin.head.weight, nn.Parameter) and twin.head.weight is not net.head.weight
    np.testing.assert_array_equal(twin.head.weight._array, net.head.weight._array)
    twin.head.weight._array += 1
    assert not np.array_equal(twin.head.weight._array, net.head.weight._array)


def test_apply_and_requires_grad_reach_every_module():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ['Linear', 'Tanh', 'Sequential', 'Linear', 'Net']      # children first
    net.apply(lambda m: nn.init.zeros_(m.bias) if isinstance(m, nn.Linear) else None)
    assert np.all(net.head.bias._array == 0) and np.all(net.body[0].bias._array == 0)
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())


# -------------------------------------------------------------- state dict

def test_state_dict_values_are_detached_and_share_data():
    net = Net()
    sd = net.state_dict()
    assert all(type(v) is mg.Tensor and not v.requires_grad for v in sd.values())
    assert sd['head.weight']._array is net.head.weight._array
    assert sd['body.0.weight'].shape == (3, 2) and sd['head.bias'].shape == (1,)


def test_load_state_dict_copies_in_place_and_keeps_dtype():
    a, b = Net(), Net()
    weight = b.head.weight
    array_before = weight._array
    sd = {k: v._array.astype(np.float64) for k, v in a.state_dict().items()}   # arrays, float64
    result = b.load_state_dict(sd)
    assert repr(result) == '<All keys matched successfully>'
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b.head.weight is weight and weight._array is array_before
    assert weight.dtype == np.float32
    for (k, va), vb in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(va._array, vb._array)


def test_load_state_dict_strict_lists_missing_and_unexpected_keys():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    sd = model.state_dict()
    del sd['2.bias']
    sd['extra'] = mg.zeros(1)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(sd)
    assert str(info.value) == ('Error(s) in loading state_dict for Sequential:\n'
                               '\tMissing key(s) in state_dict: "2.bias". \n'
                               '\tUnexpected key(s) in state_dict: "extra". ')
    result = model.load_state_dict(sd, strict=False)
    assert result.missing_keys == ['2.bias'] and result.unexpected_keys == ['extra']


def test_load_state_dict_shape_mismatch_fails_even_when_not_strict():
    model = nn.Sequential(nn.Linear(2, 4))
    before = model[0].weight._array.copy()
    bad = {'0.weight': np.zeros((3, 2), np.float32), '0.bias': np.zeros(4, np.float32)}
    for strict in (True, False):
        with pytest.raises(RuntimeError, match=r'size mismatch for 0.weight: copying a param with '
                           r'shape \(3, 2\) from checkpoint, the shape in current model is \(4, 2\)'):
            model.load_state_dict(bad, strict=strict)
    np.testing.assert_array_equal(model[0].weight._array, before)     # nothing half-loaded
    assert np.any(model[0].bias._array != 0)


def test_load_state_dict_refuses_strings():
    """Before: np.array(['1.5', ...]) was cast into the weights."""
    model = nn.Linear(2, 1)
    before = model.weight._array.copy()
    for value in (np.array([['1.5', '2']]), [['1.5', '2']], '1.5', np.array([[None, 1]]),
                  np.array([b'1'])):
        with pytest.raises(RuntimeError, match=r'While copying the parameter named "weight", '
                                               r'expected a Tensor or a numeric array'):
            model.load_state_dict({'weight': value, 'bias': np.zeros(1)})
        np.testing.assert_array_equal(model.weight._array, before)
    with pytest.raises(RuntimeError, match='While copying the parameter named "weight"'):
        model.load_state_dict({'weight': [[1.0], [2.0, 3.0]], 'bias': np.zeros(1)})   # ragged
    model.load_state_dict({'weight': [[1, 2]], 'bias': np.array([True])})   # numbers are fine
    np.testing.assert_array_equal(model.weight._array, [[1, 2]])
    assert model.weight.dtype == np.float32 and model.bias._array[0] == 1


def test_load_state_dict_complex_into_real_warns_as_pytorch():
    model = nn.Linear(2, 1)
    with pytest.warns(UserWarning, match='discards the imaginary part'):
        model.load_state_dict({'weight': np.array([[1 + 2j, 3 - 1j]]), 'bias': np.zeros(1)})
    np.testing.assert_array_equal(model.weight._array, [[1, 3]])


# -------------------------------------------------------------------- repr

def test_repr_matches_pytorch_format():
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Dropout(0.1), nn.Linear(4, 3, bias=False),
                          nn.LogSoftmax(dim=-1))
    assert repr(model) == (
        'Sequential(\n'
        '  (0): Linear(in_features=2, out_features=4, bias=True)\n'
        '  (1): ReLU()\n'
        '  (2): Dropout(p=0.1, inplace=False)\n'
        '  (3): Linear(in_features=4, out_features=3, bias=False)\n'
        '  (4): LogSoftmax(dim=-1)\n'
        ')')
    assert repr(Net()) == (
        'Net(\n'
        '  (body): Sequential(\n'
        '    (0): Linear(in_features=2, out_features=3, bias=True)\n'
        '    (1): Tanh()\n'
        '  )\n'
        '  (head): Linear(in_features=3, out_features=1, bias=True)\n'
        ')')
    assert repr(nn.Sequential()) == 'Sequential()'
    assert repr(nn.CrossEntropyLoss(label_smoothing=0.1)) == 'CrossEntropyLoss()'
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()])) == (
        'ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n)')


def test_repr_equals_torch_for_the_same_architecture():
    torch = pytest.importorskip('torch')
    ours = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Dropout(), nn.Linear(8, 8), nn.Tanh(),
                         nn.Sigmoid(), nn.Identity(), nn.Linear(8, 3), nn.Softmax(dim=1),
                         nn.MSELoss(), nn.BCEWithLogitsLoss())
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Dropout(),
                                 torch.nn.Linear(8, 8), torch.nn.Tanh(), torch.nn.Sigmoid(),
                                 torch.nn.Identity(), torch.nn.Linear(8, 3), torch.nn.Softmax(dim=1),
                                 torch.nn.MSELoss(), torch.nn.BCEWithLogitsLoss())
    assert repr(ours) == repr(theirs)


def test_reprs_match_torch(torch):
    tnn = torch.nn
    cases = [
        ('Flatten', (), {}), ('Flatten', (0, 2), {}), ('Unflatten', (1, (2, 5)), {}),
        ('Unflatten', (-1, [2, -1]), {}), ('LeakyReLU', (), {}), ('LeakyReLU', (0.2, True), {}),
        ('ReLU', (), {}), ('ReLU', (), {'inplace': True}), ('ELU', (), {}), ('ELU', (0.5, True), {}),
        ('GELU', (), {}), ('GELU', ('tanh',), {}), ('Softplus', (), {}), ('Softplus', (2, 5), {}),
        ('SmoothL1Loss', (), {}), ('SmoothL1Loss', (), {'beta': 0.5, 'reduction': 'sum'}),
    ]
    for name, args, kwargs in cases:
        assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(tnn, name)(*args, **kwargs))
    ours, theirs = [lib.Sequential(lib.Flatten(), lib.Linear(4, 3), lib.GELU(), lib.Linear(3, 6),
                                   lib.Unflatten(1, (2, 3))) for lib in (nn, tnn)]
    assert repr(ours) == repr(theirs)


# ------------------------------------------------------------------ layers

def test_linear_computes_x_wt_plus_b():
    mg.manual_seed(0)
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert layer.weight.dtype == np.float32
    x = mg.randn(5, 3)
    np.testing.assert_allclose(layer(x)._array, x._array @ layer.weight._array.T + layer.bias._array, rtol=1e-6)
    no_bias = nn.Linear(3, 2, bias=False)
    assert no_bias.bias is None and [n for n, _ in no_bias.named_parameters()] == ['weight']
    np.testing.assert_allclose(no_bias(x)._array, x._array @ no_bias.weight._array.T, rtol=1e-6)


def test_linear_gradients_pass_gradcheck():
    layer = nn.Linear(3, 2, dtype=mg.float64)
    x = mg.randn(4, 3, dtype=mg.float64, requires_grad=True)
    assert mg.gradcheck(lambda x, w, b: F.linear(x, w, b), (x, layer.weight, layer.bias))


def test_linear_init_is_uniform_within_one_over_sqrt_fan_in():
    mg.manual_seed(0)
    layer = nn.Linear(100, 400)
    bound = 1 / math.sqrt(100)
    for p in (layer.weight, layer.bias):
        assert np.abs(p._array).max() <= bound
    w = layer.weight._array
    assert np.abs(w).max() > 0.99 * bound                     # it fills the range ...
    assert abs(w.var() - bound ** 2 / 3) < 0.05 * bound ** 2 / 3   # ... uniformly: Var = b²/3
    assert abs(w.mean()) < 0.01 * bound * 10


def test_manual_seed_makes_initialisation_reproducible():
    mg.manual_seed(3)
    a = nn.Linear(4, 4)
    mg.manual_seed(3)
    b = nn.Linear(4, 4)
    np.testing.assert_array_equal(a.weight._array, b.weight._array)
    np.testing.assert_array_equal(a.bias._array, b.bias._array)
    assert not np.array_equal(a.weight._array, nn.Linear(4, 4).weight._array)


def test_sequential_container_behaviour():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    assert isinstance(seq[1:], nn.Sequential) and list(seq[1:]) == [b, c]
    x = mg.randn(4, 2)
    np.testing.assert_array_equal(seq(x)._array, c(b(a(x)))._array)
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and list(dict(seq.named_children())) == ['0', '1', '2', '3']
    named = nn.Sequential(collections.OrderedDict([('fc', nn.Linear(2, 2)), ('act', nn.ReLU())]))
    assert list(named.state_dict()) == ['fc.weight', 'fc.bias']
    with pytest.raises(TypeError, match=r'nn.ReLU\(\) not nn.ReLU'):
        nn.Sequential(nn.Linear(2, 2), nn.ReLU)


def test_activation_modules_compute_their_formulas():
    x = mg.tensor([[-2.0, 0.5, 3.0], [1.0, -1.0, 0.0]])
    d = x._array
    np.testing.assert_allclose(nn.ReLU()(x)._array, np.maximum(d, 0))
    np.testing.assert_allclose(nn.Sigmoid()(x)._array, 1 / (1 + np.exp(-d)), rtol=1e-6)
    np.testing.assert_allclose(nn.Tanh()(x)._array, np.tanh(d), rtol=1e-6)
    e = np.exp(d - d.max(axis=1, keepdims=True))
    np.testing.assert_allclose(nn.Softmax(dim=1)(x)._array, e / e.sum(axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(x)._array,
                               np.log(e / e.sum(axis=1, keepdims=True)), rtol=1e-5, atol=1e-6)
    e0 = np.exp(d - d.max(axis=0, keepdims=True))
    np.testing.assert_allclose(nn.Softmax(dim=0)(x)._array, e0 / e0.sum(axis=0), rtol=1e-6)
    assert nn.Identity(54, unused='x')(x) is x


def test_inplace_true_is_accepted_and_computed_out_of_place():
    for module, function in [(nn.ReLU(inplace=True), F.relu), (nn.LeakyReLU(inplace=True), F.leaky_relu),
                             (nn.ELU(inplace=True), F.elu)]:
        x = mg.tensor([-1.0, 0.0, 2.0])
        y = module(x)
        assert y is not x
        np.testing.assert_array_equal(x.numpy(), [-1.0, 0.0, 2.0])
        np.testing.assert_array_equal(function(x, inplace=True).numpy(), y.numpy())


def test_modules_call_their_functions():
    x = mg.tensor(np.linspace(-3, 3, 7), requires_grad=True)
    t = mg.tensor(np.linspace(3, -3, 7))
    pairs = [(nn.LeakyReLU(0.3), F.leaky_relu(x, 0.3)), (nn.ELU(0.7), F.elu(x, 0.7)),
             (nn.Softplus(2.0, 3.0), F.softplus(x, 2.0, 3.0)), (nn.GELU(), F.gelu(x)),
             (nn.GELU('tanh'), F.gelu(x, approximate='tanh'))]
    for module, expected in pairs:
        np.testing.assert_array_equal(module(x).detach().numpy(), expected.detach().numpy())
    for reduction in ['mean', 'sum', 'none']:
        np.testing.assert_array_equal(
            nn.SmoothL1Loss(reduction=reduction, beta=0.5)(x, t).detach().numpy(),
            F.smooth_l1_loss(x, t, reduction=reduction, beta=0.5).detach().numpy())


def test_softmax_without_dim_warns_and_uses_pytorchs_choice():
    x = mg.randn(3, 4)
    with pytest.warns(UserWarning, match='dim=X'):
        y = nn.Softmax()(x)
    np.testing.assert_allclose(y._array.sum(axis=1), 1, rtol=1e-6)


# ------------------------------------------------------- Flatten, Unflatten

def test_flatten_shapes_and_gradient():
    x = mg.randn(2, 3, 4, 5, requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Flatten(start_dim=-2)(x).shape == (2, 3, 20)
    assert nn.Flatten(1, 1)(x).shape == (2, 3, 4, 5)
    y = nn.Flatten()(x)
    (y * mg.arange(60.0)).sum().backward()
    expected = np.broadcast_to(np.arange(60.0).reshape(3, 4, 5), (2, 3, 4, 5))
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    with pytest.raises(RuntimeError, match='cannot come after'):
        nn.Flatten(2, 1)(x)


def test_unflatten_shapes_and_errors():
    x = mg.randn(2, 12, requires_grad=True)
    assert nn.Unflatten(1, (3, 4))(x).shape == (2, 3, 4)
    assert nn.Unflatten(-1, [2, -1, 3])(x).shape == (2, 2, 2, 3)
    assert nn.Unflatten(0, (1, 2))(x).shape == (1, 2, 12)
    with pytest.raises(RuntimeError, match="don't multiply up"):     # -1 of 0 elements: ambiguous
        nn.Unflatten(1, (0, -1))(mg.zeros(3, 0))
    assert nn.Unflatten(1, (2, 0))(mg.zeros(3, 0)).shape == (3, 2, 0)
    model = nn.Sequential(nn.Unflatten(1, (3, 4)), nn.GELU(), nn.Flatten())
    out = model(x)
    assert out.shape == (2, 12)
    out.sum().backward()
    assert x.grad.shape == (2, 12)
    message = r"Provided sizes \[5, -1\] don't multiply up to the size of dim 1 \(12\)"
    with pytest.raises(RuntimeError, match=message):
        nn.Unflatten(1, (5, -1))(x)
    with pytest.raises(RuntimeError, match=r"Provided sizes \[2, 5\]"):
        nn.Unflatten(1, (2, 5))(x)
    with pytest.raises(RuntimeError, match='only one dimension can be inferred'):
        nn.Unflatten(1, (-1, -1))(x)
    with pytest.raises(IndexError, match='Dimension out of range'):
        nn.Unflatten(2, (3, 4))(x)
    with pytest.raises(TypeError, match='must be a tuple of ints, but found type int'):
        nn.Unflatten(1, 12)
    with pytest.raises(TypeError, match='found element of type float at pos 1'):
        nn.Unflatten(1, (3, 4.0))


# ------------------------------------------------------------------ Dropout

def test_dropout_is_the_identity_in_eval_mode():
    layer = nn.Dropout(0.5).eval()
    x = mg.randn(100, 10, requires_grad=True)
    assert layer(x) is x


def test_dropout_zeroes_about_p_and_scales_the_rest():
    mg.manual_seed(0)
    n = 200_000
    x = mg.ones(n, requires_grad=True)
    for p in (0.1, 0.5, 0.8):
        y = nn.Dropout(p)(x)._array
        zeroed = np.mean(y == 0)
        # Binomial: the fraction has standard deviation √(p(1-p)/n) ≈ 0.001; allow 5 of them.
        assert abs(zeroed - p) < 5 * np.sqrt(p * (1 - p) / n)
        np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)
        assert abs(y.mean() - 1) < 5 * np.sqrt(p / (1 - p) / n)      # E[y] = x


def test_dropout_gradient_uses_the_same_mask():
    mg.manual_seed(1)
    x = mg.randn(50, 20, requires_grad=True)
    y = nn.Dropout(0.3)(x)
    y.backward(mg.ones(50, 20))
    kept = y._array != 0
    np.testing.assert_allclose(x.grad._array, kept / 0.7, rtol=1e-6)
    np.testing.assert_allclose(y._array[kept], x._array[kept] / 0.7, rtol=1e-6)


def test_dropout_edge_cases_and_reproducibility():
    x = mg.randn(10, 10)
    assert nn.Dropout(0.0)(x) is x
    assert np.all(nn.Dropout(1.0)(x)._array == 0)
    mg.manual_seed(7)
    a = nn.Dropout()(x)._array
    mg.manual_seed(7)
    np.testing.assert_array_equal(a, nn.Dropout()(x)._array)
    assert nn.Dropout()(x).dtype == np.float32
    assert nn.Dropout()(mg.randn(4, dtype=mg.float64)).dtype == np.float64
    with pytest.raises(ValueError, match='dropout probability has to be between 0 and 1, but got 1.5'):
        nn.Dropout(1.5)


def test_dropout_inside_a_model_follows_train_and_eval():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 64), nn.Dropout(0.5), nn.Linear(64, 1))
    x = mg.randn(4, 8)
    model.eval()
    np.testing.assert_array_equal(model(x)._array, model(x)._array)
    model.train()
    assert not np.array_equal(model(x)._array, model(x)._array)


# ----------------------------------------------------------- loss modules

LOSSES = [
    (nn.MSELoss, F.mse_loss, {'reduction': 'sum'}, 'real'),
    (nn.L1Loss, F.l1_loss, {'reduction': 'none'}, 'real'),
    (nn.HuberLoss, F.huber_loss, {'delta': 0.5}, 'real'),
    (nn.CrossEntropyLoss, F.cross_entropy, {'label_smoothing': 0.1, 'reduction': 'sum'}, 'class'),
    (nn.CrossEntropyLoss, F.cross_entropy,
     {'weight': mg.tensor([1.0, 2.0, 0.5]), 'ignore_index': 1}, 'class'),
    (nn.NLLLoss, F.nll_loss, {'weight': mg.tensor([1.0, 2.0, 0.5])}, 'logprob'),
    (nn.BCELoss, F.binary_cross_entropy, {'weight': mg.tensor([1.0, 2.0, 0.5])}, 'prob'),
    (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits,
     {'pos_weight': mg.tensor([2.0, 1.0, 3.0]), 'reduction': 'sum'}, 'logit'),
]


@pytest.mark.parametrize('module, function, options, kind', LOSSES)
def test_loss_modules_call_the_functional_form_with_their_options(module, function, options, kind):
    rng = np.random.default_rng(0)
    z = mg.tensor(rng.standard_normal((4, 3)), dtype=mg.float32)
    if kind == 'real':
        x, t = z, mg.tensor(rng.standard_normal((4, 3)), dtype=mg.float32)
    elif kind in ('class', 'logprob'):
        x = z if kind == 'class' else z.log_softmax(1)
        t = mg.tensor([0, 2, 1, 2])
    else:
        x = z if kind == 'logit' else z.sigmoid()
        t = mg.tensor(rng.random((4, 3)) > 0.5, dtype=mg.float32)
    np.testing.assert_array_equal(module(**options)(x, t)._array, function(x, t, **options)._array)
    assert module().reduction == 'mean'


def test_loss_module_rejects_an_unknown_reduction():
    with pytest.raises(ValueError, match="'mean', 'sum', 'none'"):
        nn.MSELoss(reduction='average')


# -------------------------------------------------------------------- init

def test_calculate_gain_values():
    gain = nn.init.calculate_gain
    assert gain('linear') == 1 and gain('sigmoid') == 1
    assert gain('tanh') == pytest.approx(5 / 3)
    assert gain('relu') == pytest.approx(math.sqrt(2))
    assert gain('leaky_relu') == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert gain('leaky_relu', 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert gain('selu') == 0.75
    with pytest.raises(ValueError, match='Unsupported nonlinearity foo'):
        gain('foo')


INIT_CASES = [   # (function, kwargs, 'uniform' bound or 'normal' std) for a (200, 300) weight
    (nn.init.xavier_uniform_, {'gain': 2.0}, 'uniform', 2.0 * math.sqrt(6 / 500)),
    (nn.init.xavier_normal_, {}, 'normal', math.sqrt(2 / 500)),
    (nn.init.kaiming_uniform_, {'nonlinearity': 'relu'}, 'uniform', math.sqrt(2) * math.sqrt(3 / 300)),
    (nn.init.kaiming_uniform_, {'a': math.sqrt(5)}, 'uniform', 1 / math.sqrt(300)),
    (nn.init.kaiming_uniform_, {'mode': 'fan_out', 'nonlinearity': 'tanh'}, 'uniform',
     5 / 3 * math.sqrt(3 / 200)),
    (nn.init.kaiming_normal_, {'nonlinearity': 'relu'}, 'normal', math.sqrt(2 / 300)),
    (nn.init.kaiming_normal_, {'mode': 'fan_out'}, 'normal',
     math.sqrt(2 / (1 + 0.01 ** 2)) / math.sqrt(200)),
    (nn.init.uniform_, {'a': -0.3, 'b': 0.3}, 'uniform', 0.3),
    (nn.init.normal_, {'std': 0.02}, 'normal', 0.02),
]


@pytest.mark.parametrize('fn, kwargs, kind, scale', INIT_CASES)
def test_init_functions_follow_their_formulas(fn, kwargs, kind, scale):
    mg.manual_seed(0)
    t = nn.Parameter(mg.zeros(200, 300))
    assert fn(t, **kwargs) is t
    w = t._array
    assert w.dtype == np.float32
    if kind == 'uniform':
        assert np.abs(w).max() <= scale and np.abs(w).max() > 0.99 * scale
        assert w.var() == pytest.approx(scale ** 2 / 3, rel=0.03)
    else:
        assert w.std() == pytest.approx(scale, rel=0.02)
        assert np.abs(w).max() > 3 * scale                      # tails: not a bounded uniform
    assert abs(w.mean()) < 0.02 * scale


def test_init_details():
    t = mg.zeros(3, 4)
    assert np.all(nn.init.ones_(t)._array == 1) and np.all(nn.init.zeros_(t)._array == 0)
    assert np.all(nn.init.constant_(t, 0.5)._array == 0.5)
    a = nn.init.normal_(mg.zeros(5), generator=np.random.default_rng(1))._array
    b = nn.init.normal_(mg.zeros(5), generator=np.random.default_rng(1))._array
    np.testing.assert_array_equal(a, b)
    assert nn.init.uniform_(mg.zeros(4, dtype=mg.float64)).dtype == np.float64
    with pytest.raises(ValueError, match='fewer than 2 dimensions'):
        nn.init.xavier_uniform_(mg.zeros(3))
    with pytest.raises(ValueError,
                       match=r"Mode fan not supported, please use one of \['fan_in', 'fan_out'\]"):
        nn.init.kaiming_uniform_(mg.zeros(3, 2), mode='fan')
    with pytest.warns(UserWarning, match='zero-element'):
        nn.init.kaiming_normal_(mg.zeros(0, 3))
    conv_like = nn.init.kaiming_uniform_(mg.zeros(8, 4, 3, 3), nonlinearity='relu')   # fan_in = 4·9
    assert np.abs(conv_like._array).max() <= math.sqrt(2) * math.sqrt(3 / 36)


@pytest.mark.parametrize('fn', [nn.init.uniform_, nn.init.normal_, nn.init.xavier_uniform_,
                                nn.init.xavier_normal_, nn.init.kaiming_uniform_,
                                nn.init.kaiming_normal_])
def test_init_takes_an_mg_generator_as_pytorch_does(fn):
    """`generator=mg.Generator()` draws from that generator's own stream (it raised AttributeError)."""
    def draw(seed):
        return fn(mg.zeros(4, 5), generator=mg.Generator().manual_seed(seed))._array.copy()
    mg.manual_seed(0)
    first = draw(7)
    mg.manual_seed(1)                               # minigrad's own generator plays no part
    np.testing.assert_array_equal(draw(7), first)
    assert not np.array_equal(draw(8), first)
    shared = mg.Generator().manual_seed(7)          # one stream moves on from draw to draw
    assert not np.array_equal(fn(mg.zeros(4, 5), generator=shared)._array,
                              fn(mg.zeros(4, 5), generator=shared)._array)
    with pytest.raises(TypeError, match='generator= must be an mg.Generator'):
        fn(mg.zeros(4, 5), generator=7)


# ------------------------------------------------------------ torch oracle

def test_linear_init_distribution_matches_torch():
    torch = pytest.importorskip('torch')
    torch.manual_seed(0)
    mg.manual_seed(0)
    ours, theirs = nn.Linear(50, 300), torch.nn.Linear(50, 300)
    for a, b in ((ours.weight._array, theirs.weight.detach().numpy()),
                 (ours.bias._array, theirs.bias.detach().numpy())):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert abs(np.abs(a).max() - np.abs(b).max()) < 0.01
        assert a.std() == pytest.approx(b.std(), rel=0.1)


def test_weights_move_both_ways_between_minigrad_and_torch():
    torch = pytest.importorskip('torch')
    ours = Net()

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh())
            self.scale = torch.nn.Parameter(torch.ones(1))
            self.head = torch.nn.Linear(3, 1)

        def forward(self, x):
            return self.head(self.body(x)) * self.scale

    theirs = TorchNet()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.from_numpy(v._array.copy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((6, 2)).astype(np.float32)
    np.testing.assert_allclose(ours(mg.tensor(x))._array, theirs(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    fresh = Net()
    fresh.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_array_equal(fresh(mg.tensor(x))._array, ours(mg.tensor(x))._array)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert repr(fresh.load_state_dict(fresh.state_dict())) == repr(
            theirs.load_state_dict(theirs.state_dict()))
