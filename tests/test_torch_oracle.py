"""A second opinion from PyTorch (skipped without torch): forward and gradients of
Tensor ops, especially at kinks and ties where finite differences cannot decide,
plus result dtypes and repr."""
import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip('torch')

TIES = [[1.0, 3.0, 3.0, -2.0], [0.0, 0.0, -1.0, -1.0], [2.0, 2.0, 2.0, 2.0]]
KINKS = [-1.0, -0.5, 0.0, 0.5, 1.0, 2.0]

CASES = [
    # id, fn(lib, *tensors) using only names both libraries share, input arrays
    ('composite', lambda lib, x, w: ((x @ w).tanh() * 2 - x.sum(1, keepdim=True)).sigmoid().mean(),
     [np.linspace(-1, 1, 12).reshape(3, 4), np.linspace(-2, 1, 8).reshape(4, 2)]),
    ('amax ties', lambda lib, x: x.amax(dim=1) * lib.tensor([1.0, 2.0, 3.0], dtype=x.dtype), [TIES]),
    ('amin ties tuple dim', lambda lib, x: x.amin(dim=(0, 1)), [TIES]),
    ('max() ties', lambda lib, x: x.max(), [TIES]),
    ('min() ties', lambda lib, x: x.min(), [TIES]),
    ('max(dim) ties', lambda lib, x: x.max(dim=1).values, [TIES]),
    ('min(dim, keepdim) ties', lambda lib, x: x.min(dim=0, keepdim=True)[0], [TIES]),
    ('maximum ties', lambda lib, a, b: lib.maximum(a, b), [[1.0, 2.0, 3.0], [1.0, 3.0, 3.0]]),
    ('minimum ties', lambda lib, a, b: lib.minimum(a, b), [[1.0, 2.0, 3.0], [1.0, 3.0, 3.0]]),
    ('relu at 0', lambda lib, x: x.relu(), [KINKS]),
    ('abs at 0', lambda lib, x: x.abs(), [KINKS]),
    ('clamp at the bounds', lambda lib, x: x.clamp(-0.5, 1.0), [KINKS]),
    ('clamp(min) at the bound', lambda lib, x: x.clamp(min=0.0), [KINKS]),
    ('sqrt at 0', lambda lib, x: x.sqrt(), [[0.0, 1.0, 4.0]]),
    ('log at 0', lambda lib, x: x.log(), [[0.0, 1.0, 4.0]]),
    ('pow at 0', lambda lib, a, b: a ** b, [[0.0, 0.0, 0.0, -2.0, 3.0], [0.0, 2.0, 0.5, 3.0, -1.0]]),
    ('x ** 0 at 0', lambda lib, x: x ** 0, [[0.0, 1.0]]),
    ('division by zero', lambda lib, a, b: a / b, [[1.0, -1.0, 2.0], [0.0, 0.0, 4.0]]),
    ('var', lambda lib, x: x.var(dim=1), [TIES]),
    ('var(unbiased=False)', lambda lib, x: x.var(dim=(0, 1), unbiased=False, keepdim=True), [TIES]),
    ('logsumexp with -inf', lambda lib, x: x.logsumexp(dim=1),
     [[[0.0, -np.inf, 1.0], [-np.inf, -np.inf, 2.0]]]),
    ('softmax with -inf', lambda lib, x: x.softmax(dim=-1) * lib.tensor([1.0, 2.0, 3.0], dtype=x.dtype),
     [[[0.0, -np.inf, 1.0], [1e4, 0.0, -1e4]]]),
    ('log_softmax at ±1e4', lambda lib, x: x.log_softmax(dim=0), [[[1e4, 0.0], [-1e4, 0.0], [0.0, 1.0]]]),
    ('indexing, repeated', lambda lib, x: x[[0, 0, 2]][:, [1, 1]], [np.arange(12.0).reshape(3, 4)]),
    ('bool mask', lambda lib, x: x[x > 4], [np.arange(12.0).reshape(3, 4)]),
    ('where', lambda lib, x, y: lib.where(x > y, x * y, x - y), [[1.0, 2.0, 3.0], [[2.0], [1.0]]]),
    ('cat and stack', lambda lib, x, y: lib.stack([lib.cat([x, y], dim=1), lib.cat([y, x], dim=1)], dim=-1),
     [np.ones((2, 3)), np.arange(4.0).reshape(2, 2)]),
    ('shapes', lambda lib, x: x.permute(2, 0, 1).flatten(1).unsqueeze(0).transpose(0, 2).squeeze(-1),
     [np.arange(24.0).reshape(2, 3, 4)]),
    ('expand', lambda lib, x: x.expand(2, 3, 4) * lib.arange(4, dtype=x.dtype), [np.arange(3.0).reshape(3, 1)]),
    ('batched matmul', lambda lib, a, b: a @ b, [np.arange(24.0).reshape(2, 3, 4) / 10, np.arange(8.0).reshape(4, 2)]),
]


def _run(lib, fn, arrays):
    make = mg.tensor if lib is mg else torch.tensor
    dtype = mg.float64 if lib is mg else torch.float64
    leaves = [make(np.asarray(a, dtype=np.float64), dtype=dtype, requires_grad=True) for a in arrays]
    out = fn(lib, *leaves)
    direction = np.random.default_rng(0).standard_normal(tuple(out.shape))
    out.backward(gradient=make(direction, dtype=dtype) if lib is torch else direction)
    as_numpy = (lambda t: t._array) if lib is mg else (lambda t: t.detach().numpy())
    return as_numpy(out), [as_numpy(t.grad) for t in leaves]


@pytest.mark.parametrize('fn, arrays', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_forward_and_gradients_match_pytorch(fn, arrays):
    with np.errstate(all='ignore'):
        ours, our_grads = _run(mg, fn, arrays)
    theirs, their_grads = _run(torch, fn, arrays)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, equal_nan=True)
    for i, (g, h) in enumerate(zip(our_grads, their_grads)):
        np.testing.assert_allclose(g, h, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=f'gradient of input {i}')


DTYPE_CASES = [
    lambda lib: lib.tensor([1, 2]) + 0.5,
    lambda lib: lib.tensor([1, 2]) * lib.tensor([0.5, 1.0]),
    lambda lib: lib.tensor([1, 2]) / lib.tensor([2, 2]),
    lambda lib: lib.tensor([True, False]) + 1,
    lambda lib: lib.tensor([1.0]) * 3,
    lambda lib: lib.tensor([1.0]) + lib.tensor([1.0], dtype=lib.float64),
    lambda lib: lib.tensor([1, 2]).exp(),
    lambda lib: lib.tensor([1, 2]).sum(),
    lambda lib: lib.tensor([True, True]).sum(),
    lambda lib: lib.arange(3),
    lambda lib: lib.arange(0, 1, 0.5),
    lambda lib: lib.full((2,), 7),
    lambda lib: lib.full((2,), 7.0),
    lambda lib: lib.tensor([1.0]) < 2,
    lambda lib: lib.tensor([[1.0, 2.0]]).argmax(dim=1),
]


@pytest.mark.parametrize('fn', DTYPE_CASES, ids=range(len(DTYPE_CASES)))
def test_result_dtypes_match_pytorch(fn):
    ours, theirs = fn(mg), fn(torch)
    assert str(ours.dtype) == str(theirs.dtype).replace('torch.', '')
    np.testing.assert_allclose(ours._array, theirs.numpy(), rtol=1e-6)      # float32 exp may differ in the last bit


REPR_CASES = [
    [[1.0, 2.0]], 1.5, 3.0, [1.5, 2.25], [-1.0, 2.0], [1e-5, 1.0], [0.001, 10.0], [1.0, 2000.0],
    [1.0, 999.0], [1e8], [1e8, 1.0], [np.nan, 2.5], [0.0, 1e-5], [1, 2, 3], [True, False], [],
    [[0.5, -0.25], [100.0, 0.125]], [[1e-3, 2.0], [30.0, 4.0]],
]


@pytest.mark.parametrize('data', REPR_CASES, ids=str)
def test_repr_matches_pytorch(data):
    assert repr(mg.tensor(data)) == repr(torch.tensor(data))
    if isinstance(data, list) and data and not isinstance(np.asarray(data).flat[0], (np.integer, np.bool_)):
        ours = repr(mg.tensor(data, requires_grad=True))
        assert ours == repr(torch.tensor(data, requires_grad=True))
