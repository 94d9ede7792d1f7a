"""The training-health view (minigrad/viz/health.py): its flags on healthy and sick nets, its
numbers against hand-computed ones, its hooks coming out, its figures and its text."""
import math
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.viz import Health


def _tanh_mlp(init, depth=5, width=100, n_in=30, classes=10, batchnorm=False):
    """`depth` × (Linear(…, width) [+ BatchNorm1d] + Tanh), then Linear(width, classes);
    `init(linear)` sets each hidden Linear's weights."""
    layers, fan_in = [], n_in
    for _ in range(depth):
        linear = nn.Linear(fan_in, width)
        with mg.no_grad():
            init(linear)
        layers += [linear, nn.BatchNorm1d(width), nn.Tanh()] if batchnorm else [linear, nn.Tanh()]
        fan_in = width
    return nn.Sequential(*layers, nn.Linear(fan_in, classes))


def _times_five(linear):
    """PyTorch's default init, ×5: pre-activations of std ~2.5, deep in tanh's flat tails."""
    linear.weight.mul_(5)


def _gain_five_thirds(linear):
    """std = (5/3) / √fan_in: tanh's gain keeps the activations' spread layer after layer."""
    linear.weight.normal_(0, (5 / 3) / math.sqrt(linear.in_features))
    linear.bias.zero_()


def _train(model, steps=20, lr=0.01, seed=0, optimizer=None):
    """A few SGD steps on random 10-class data, recorded each step; returns the Health."""
    rng = np.random.default_rng(seed)
    X = mg.tensor(rng.normal(size=(256, 30)).astype(np.float32))
    y = mg.tensor(rng.integers(0, 10, 256))
    health = Health(model)
    optimizer = optimizer or mg.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        batch = mg.tensor(rng.integers(0, 256, 32))
        loss = F.cross_entropy(model(X[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        health.record()
    return health


@pytest.fixture(scope='module')
def sick():
    mg.manual_seed(0)
    return _train(_tanh_mlp(_times_five))


@pytest.fixture(scope='module')
def healthy():
    mg.manual_seed(0)
    return _train(_tanh_mlp(_gain_five_thirds))


def test_a_badly_initialised_deep_tanh_net_is_flagged_layer_by_layer(sick):
    tanh_layers = [layer.name for layer in sick.layers if layer.kind == 'tanh']
    assert tanh_layers == ['1', '3', '5', '7', '9']
    flags = sick.flags()
    assert len(flags) == 5, flags
    for name, flag in zip(tanh_layers, flags):
        assert sick.layer_stats[name]['saturated'][-1] > 0.3
        assert flag.startswith(f'{name} (tanh): ') and 'saturated' in flag


@pytest.mark.parametrize('lr, expected', [(1e-5, 'far below'), (1.0, 'far above')])
def test_updates_far_from_the_rule_of_thumb_are_flagged(lr, expected):
    mg.manual_seed(0)
    health = _train(_tanh_mlp(_gain_five_thirds, depth=2), steps=3, lr=lr)
    flagged = [f for f in health.flags() if 'update:data' in f]
    assert flagged and all(expected in f for f in flagged)
    assert {f.split(':')[0] for f in flagged} <= {name for name, _ in health.weights()}


def test_a_weight_left_out_of_the_optimizer_is_flagged():
    mg.manual_seed(0)
    model = _tanh_mlp(_gain_five_thirds, depth=2)
    health = _train(model, steps=2, optimizer=mg.optim.SGD(model[2].parameters(), lr=0.01))
    assert [f for f in health.flags() if 'optimizer' in f] == [
        '0.weight: unchanged over the last records, though it requires grad (is it in the '
        'optimizer?)',
        '4.weight: unchanged over the last records, though it requires grad (is it in the '
        'optimizer?)']
    model[0].weight.requires_grad_(False)               # frozen on purpose: not flagged
    assert [f.split(':')[0] for f in health.flags() if 'optimizer' in f] == ['4.weight']


def test_a_well_initialised_deep_tanh_net_is_not_flagged(healthy):
    assert healthy.flags() == []
    saturation = [healthy.layer_stats[layer.name]['saturated'][-1]
                  for layer in healthy.layers if layer.kind == 'tanh']
    assert max(saturation) < 0.25 and max(saturation[1:]) < 0.12     # ~5% past the first layer
    for name, _ in healthy.weights():
        assert 1e-4 < healthy.recent_update_ratio(name) < 1e-2


def test_with_batchnorm_no_layer_saturates_even_at_five_times_the_weights():
    """BatchNorm1d rescales each pre-activation to std 1 whatever the weights: no flag with a
    good init; with weights ×5 no saturation either, only updates too small for such weights."""
    mg.manual_seed(0)
    assert _train(_tanh_mlp(_gain_five_thirds, batchnorm=True)).flags() == []
    mg.manual_seed(0)
    flags = _train(_tanh_mlp(_times_five, batchnorm=True)).flags()
    assert flags and all('update:data' in f and 'far below' in f for f in flags), flags


class _Two(nn.Module):
    """A module holding the given layers as attributes (they are called one by one)."""

    def __init__(self, **layers):
        super().__init__()
        for name, layer in layers.items():
            setattr(self, name, layer)


def _relu_net(dead_units):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    with mg.no_grad():
        model[0].bias[:dead_units] = -100.0      # these units are below 0 for every input
    return model


@pytest.mark.parametrize('dead_units', [0, 3, 8])
def test_dead_relus_are_the_units_never_active_over_the_batch(dead_units):
    model = _relu_net(dead_units)
    health = Health(model)
    x = mg.randn(16, 4)
    model(x).pow(2).mean().backward()
    health.record()
    stats = health.layer_stats['1']
    assert stats['dead'][-1] == dead_units / 8
    assert math.isnan(stats['saturated'][-1])                   # ReLUs do not saturate
    flagged = any(f.startswith('1 (relu): ') and 'dead' in f for f in health.flags())
    assert flagged == (dead_units / 8 > 0.1)


def test_saturation_and_dead_units_of_tanh_and_sigmoid_by_hand():
    """tanh saturated where |y| > 0.97, sigmoid where |2y − 1| > 0.97; a unit is dead when it
    is saturated on every example of the batch (here unit 0 of 2: 50%)."""
    x = mg.tensor([[3.0, 0.1], [-3.0, 0.5]], requires_grad=True)     # tanh(±3) = ±0.995
    z = mg.tensor([[-10.0, 0.0], [10.0, 1.0]], requires_grad=True)   # σ: 4.5e-5, .5, .99995, .73
    model = _Two(tanh=nn.Tanh(), sigmoid=nn.Sigmoid())
    health = Health(model)
    (model.tanh(x).sum() + model.sigmoid(z).sum()).backward()
    health.record()
    for name in ('tanh', 'sigmoid'):
        assert health.layer_stats[name]['saturated'] == [0.5]
        assert health.layer_stats[name]['dead'] == [0.5]
    expected = 1 - np.tanh([[3.0, 0.1], [-3.0, 0.5]]) ** 2     # ∂/∂x Σ tanh x (output grad 1)
    assert health.layer_stats['tanh']['grad_std'] == [0.0]
    assert health.layer_stats['tanh']['act_std'][0] == pytest.approx(np.tanh(
        [3.0, 0.1, -3.0, 0.5]).std(), rel=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-5)   # hooks change no gradient


def test_a_layer_called_twice_is_seen_at_its_last_call():
    tanh = nn.Tanh()
    health = Health(tanh)
    a = mg.tensor([[0.5, -0.5]], requires_grad=True)
    b = mg.tensor([[3.0, 1.0, -1.0]], requires_grad=True)
    (tanh(a).sum() + 2 * tanh(b).sum()).backward()
    health.record()
    stats = health.layer_stats['Tanh']
    assert stats['act_mean'][0] == pytest.approx(np.tanh([3.0, 1.0, -1.0]).mean(), rel=1e-6)
    assert stats['grad_mean'] == [2.0] and stats['saturated'] == [pytest.approx(1 / 3)]


def test_the_ratios_against_hand_computed_numbers():
    """w = [1, 3] (std 1), x = [1, −1], loss = w·x: grad [1, −1] (std 1). SGD at lr 0.5 makes
    w = [0.5, 3.5] (std 1.5): grad:data = 1/1.5, update:data = std([−.5, .5])/1.5 = 1/3."""
    model = nn.Linear(2, 1, bias=False)
    with mg.no_grad():
        model.weight.copy_(mg.tensor([[1.0, 3.0]]))
    health = Health(model)
    optimizer = mg.optim.SGD(model.parameters(), lr=0.5)
    x = mg.tensor([[1.0, -1.0]])
    for _ in range(2):
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
        health.record()
    # step 2: w = [0, 4] (std 2), the same gradient and change
    stats = health.param_stats['weight']
    assert stats['grad_mean'] == [0.0, 0.0] and stats['grad_std'] == [1.0, 1.0]
    assert stats['grad_ratio'] == pytest.approx([1 / 1.5, 1 / 2])
    assert stats['update_ratio'] == pytest.approx([0.5 / 1.5, 0.5 / 2])
    assert health.recent_update_ratio('weight') == pytest.approx((1 / 3 + 1 / 4) / 2)
    layer = health.layer_stats['Linear']                # the model is itself the one layer
    assert layer['act_mean'] == [-2.0, -3.0] and layer['act_std'] == [0.0, 0.0]
    assert layer['grad_mean'] == [1.0, 1.0] and layer['grad_std'] == [0.0, 0.0]


def test_the_update_is_the_change_whatever_the_optimizer():
    """Adam's first step moves each weight by lr·g/|g|: [1, 3] becomes [0.9, 3.1]."""
    model = nn.Linear(2, 1, bias=False)
    with mg.no_grad():
        model.weight.copy_(mg.tensor([[1.0, 3.0]], dtype=mg.float64))
    health = Health(model)
    optimizer = mg.optim.Adam(model.parameters(), lr=0.1)
    model(mg.tensor([[1.0, -1.0]])).sum().backward()
    optimizer.step()
    health.record()
    assert health.param_stats['weight']['update_ratio'] == pytest.approx([0.1 / 1.1], rel=1e-6)


def test_evaluation_forwards_are_not_recorded(rng):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    health = Health(model)
    x = mg.tensor(rng.normal(size=(5, 3)), dtype=mg.float32)
    with mg.no_grad():
        model(x)
    model.eval()
    model(x)
    with pytest.warns(UserWarning, match='no parameter has a gradient'):
        health.record()
    assert all(math.isnan(values[0]) for stats in health.layer_stats.values()
               for values in stats.values())


def test_detach_takes_the_hooks_out(rng):
    model = _tanh_mlp(_gain_five_thirds, depth=2, width=8)
    x = mg.tensor(rng.normal(size=(4, 30)), dtype=mg.float32)
    expected = model(x).detach().numpy()
    with Health(model) as health:
        assert all(len(m._hooks.forward) == 1 for m in model.children())
        assert repr(health) == 'Health(5 layers, 6 parameters, 0 records, attached)'
    assert all(not m._hooks.forward for m in model.children())
    assert repr(health).endswith('detached)')
    health.remove()                                     # a second time does nothing
    model(x).sum().backward()
    health.record()
    assert math.isnan(health.layer_stats['1']['act_std'][-1])
    np.testing.assert_array_equal(model(x).detach().numpy(), expected)


def test_the_summary_fits_its_width_and_names_the_flags(sick, healthy):
    text = sick.summary()
    assert max(map(len, text.splitlines())) <= 100
    assert 'rule of thumb, not a law' in text and '5 flags:' in text
    assert '  ! 1 (tanh): ' in text
    narrow = healthy.summary(width=80)
    assert max(map(len, narrow.splitlines())) <= 80
    assert '0 flags: no layer over 25% saturated' in narrow
    with pytest.raises(ValueError, match='at least 80 columns, got 60'):
        healthy.summary(width=60)


def test_long_names_are_cut_from_the_left():
    model = _Two(a_rather_long_block_name_for_a_layer=nn.Linear(2, 2))
    health = Health(model)
    model.a_rather_long_block_name_for_a_layer(mg.ones(3, 2)).sum().backward()
    health.record()
    for width, kept in ((80, 'weight'), (100, 'ck_name_for_a_layer.weight')):
        text = health.summary(width=width)
        assert max(map(len, text.splitlines())) <= width
        assert f'\n…{kept} ' in text                   # the table's column: the name's end


def test_record_warns_without_gradients_and_summary_before_records():
    model = nn.Linear(2, 2)
    health = Health(model)
    assert 'nothing recorded yet' in health.summary()
    model(mg.ones(1, 2))
    with pytest.warns(UserWarning, match='no parameter has a gradient'):
        health.record()
    with pytest.raises(TypeError, match='Health expects an nn.Module, got Tensor'):
        Health(mg.ones(2))


def test_the_figures_are_written(tmp_path, sick):
    pytest.importorskip('matplotlib')
    paths = sick.plot(tmp_path / 'health')
    names = ['activations', 'gradients', 'weight_gradients', 'update_ratios']
    assert [p.rsplit('/', 1)[-1] for p in map(str, paths)] == [f'{n}.png' for n in names]
    for path in paths:
        with open(path, 'rb') as f:
            assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    figures = sick.figures()
    assert len(figures['activations'].axes[0].lines) == 5            # the five tanh layers
    assert figures['update_ratios'].axes[0].get_yscale() == 'log'


def test_without_matplotlib_the_error_says_what_to_install(monkeypatch, sick):
    monkeypatch.setitem(sys.modules, 'matplotlib.figure', None)
    with pytest.raises(ImportError, match='pip install matplotlib'):
        sick.plot('unused')
