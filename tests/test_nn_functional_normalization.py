"""F.layer_norm, batch_norm, group_norm, instance_norm and rms_norm
(minigrad/nn/functional_normalization.py) against PyTorch: values and the gradients of input,
weight and bias, float32 to 1e-5 and float64 to 1e-9, running statistics, PyTorch's errors."""
import numpy as np
import pytest

import minigrad as mg

TOLERANCE = {'float32': (1e-5, 1e-5), 'float64': (1e-9, 1e-11)}


def _layer(lib, x, w, b, shape):
    return lib.nn.functional.layer_norm(x, shape, w, b)


# name: (function of (lib, x, weight, bias), input shape, weight shape or None, has bias)
CONFIGS = {
    'layer_norm last dim': (lambda L, x, w, b: _layer(L, x, w, b, (6,)), (4, 5, 6), (6,), True),
    'layer_norm two dims': (lambda L, x, w, b: _layer(L, x, w, b, [5, 6]), (4, 5, 6), (5, 6), True),
    'layer_norm no bias': (lambda L, x, w, b: _layer(L, x, w, None, (6,)), (3, 6), (6,), False),
    'layer_norm no affine, eps': (lambda L, x, w, b: L.nn.functional.layer_norm(x, (6,), eps=0.1),
                                  (2, 3, 6), None, False),
    'layer_norm 1-D': (lambda L, x, w, b: _layer(L, x, w, b, (7,)), (7,), (7,), True),
    'rms_norm': (lambda L, x, w, b: L.nn.functional.rms_norm(x, (6,), w), (4, 5, 6), (6,), False),
    'rms_norm eps, no weight': (lambda L, x, w, b: L.nn.functional.rms_norm(x, [5, 6], eps=1e-3),
                                (4, 5, 6), None, False),
    'group_norm': (lambda L, x, w, b: L.nn.functional.group_norm(x, 3, w, b), (4, 6, 5), (6,), True),
    'group_norm 2-D image': (lambda L, x, w, b: L.nn.functional.group_norm(x, 2, w, b, eps=1e-3),
                             (2, 4, 3, 5), (4,), True),
    'group_norm (N, C), no affine': (lambda L, x, w, b: L.nn.functional.group_norm(x, 2), (5, 8),
                                     None, False),
    'batch_norm train (N, C)': (lambda L, x, w, b: L.nn.functional.batch_norm(
        x, None, None, w, b, training=True), (8, 5), (5,), True),
    'batch_norm train (N, C, L)': (lambda L, x, w, b: L.nn.functional.batch_norm(
        x, None, None, w, b, training=True, eps=1e-3), (4, 5, 6), (5,), True),
    'batch_norm train (N, C, H, W) no affine': (lambda L, x, w, b: L.nn.functional.batch_norm(
        x, None, None, training=True), (3, 2, 4, 5), None, False),
    'batch_norm eval': (lambda L, x, w, b: L.nn.functional.batch_norm(
        x, _stat(L, x, 0.3), _stat(L, x, 2.0), w, b), (4, 5, 6), (5,), True),
    'batch_norm eval no affine': (lambda L, x, w, b: L.nn.functional.batch_norm(
        x, _stat(L, x, -0.2), _stat(L, x, 0.5)), (7, 5), None, False),
    'instance_norm': (lambda L, x, w, b: L.nn.functional.instance_norm(x, weight=w, bias=b),
                      (3, 4, 6), (4,), True),
    'instance_norm 2-D image': (lambda L, x, w, b: L.nn.functional.instance_norm(x), (2, 3, 4, 5),
                                None, False),
}


def _stat(lib, x, value):
    """A running statistic per channel (dim 1), in x's dtype."""
    return lib.tensor(value + 0.1 * np.arange(x.shape[1]), dtype=x.dtype)


def _run(lib, f, arrays, has_weight, has_bias, direction):
    leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
    x, w, b = leaves[0], leaves[1] if has_weight else None, leaves[2] if has_bias else None
    out = f(lib, x, w, b)
    out.backward(lib.tensor(direction))
    return [out.detach().numpy()] + [t.grad.numpy() for t in leaves]


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('name', list(CONFIGS))
def test_values_and_gradients_match_pytorch(torch, name, dtype):
    f, shape, weight_shape, has_bias = CONFIGS[name]
    rng = np.random.default_rng(len(name))
    arrays = [rng.standard_normal(shape) * 3 + 1]
    if weight_shape is not None:
        arrays.append(rng.standard_normal(weight_shape))
        if has_bias:
            arrays.append(rng.standard_normal(weight_shape))
    arrays = [a.astype(dtype) for a in arrays]
    direction = rng.standard_normal(shape).astype(dtype)
    ours = _run(mg, f, arrays, weight_shape is not None, has_bias, direction)
    theirs = _run(torch, f, arrays, weight_shape is not None, has_bias, direction)
    rtol, atol = TOLERANCE[dtype]
    for got, expected in zip(ours, theirs):
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol * max(1, np.abs(expected).max()))


@pytest.mark.parametrize('fn, args', [
    ('batch_norm', dict(momentum=0.1)), ('batch_norm', dict(momentum=0.5, eps=1e-3)),
    ('instance_norm', dict(momentum=0.3))])
def test_running_statistics_move_as_pytorch(torch, fn, args):
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((5, 4, 3)) * (step + 1) + step for step in range(3)]
    runs = {}
    for lib in (mg, torch):
        mean, var = lib.zeros(4, dtype=lib.float64), lib.ones(4, dtype=lib.float64)
        for batch in batches:
            x = lib.tensor(batch)
            if fn == 'batch_norm':
                lib.nn.functional.batch_norm(x, mean, var, training=True, **args)
            else:
                lib.nn.functional.instance_norm(x, mean, var, **args)
        runs[lib.__name__] = mean.numpy(), var.numpy()
    for ours, theirs in zip(runs['minigrad'], runs['torch']):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize('call, error', [
    (lambda L: L.nn.functional.layer_norm(L.ones(3, 5), (4,)), RuntimeError),
    (lambda L: L.nn.functional.layer_norm(L.ones(3, 5), (5,), L.ones(4)), RuntimeError),
    (lambda L: L.nn.functional.batch_norm(L.ones(1, 5), None, None, training=True), ValueError),
    (lambda L: L.nn.functional.batch_norm(L.ones(2, 5), None, None), RuntimeError),
    (lambda L: L.nn.functional.group_norm(L.ones(2, 5), 2), RuntimeError),
    (lambda L: L.nn.functional.layer_norm(L.ones(2, 5), 5), TypeError),
])
def test_errors_as_pytorch(torch, call, error):
    for lib in (torch, mg):
        with pytest.raises(error):
            call(lib)


def test_layer_norm_messages_name_the_shapes(torch):
    for lib in (torch, mg):
        with pytest.raises(RuntimeError, match=r'Given normalized_shape=\[4\], expected input with '
                                               r'shape \[\*, 4\], but got input of size\s?\[3, 5\]'):
            lib.nn.functional.layer_norm(lib.ones(3, 5), (4,))
        with pytest.raises(ValueError, match='Expected more than 1 value per channel when training'):
            lib.nn.functional.batch_norm(lib.ones(1, 5), None, None, training=True)


def test_rms_norm_default_eps_is_the_dtypes_machine_epsilon():
    x = mg.tensor([[1e-5, -1e-5]], dtype=mg.float32)
    eps = float(np.finfo(np.float32).eps)
    np.testing.assert_allclose(mg.nn.functional.rms_norm(x, (2,)).numpy(),
                               x.numpy() / np.sqrt(1e-10 + eps), rtol=1e-6)


def test_batch_norm_training_without_gradient_records_no_graph():
    x = mg.ones(4, 3)
    x[0] = 2.0
    out = mg.nn.functional.batch_norm(x, None, None, training=True)
    assert out.grad_fn is None and out.shape == (4, 3)
