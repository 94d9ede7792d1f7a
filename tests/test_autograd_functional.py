"""minigrad.autograd.functional: jacobian, hessian, vjp, jvp, hvp and vhp, against PyTorch's
torch.autograd.functional and against a Hessian known in closed form."""
import numpy as np
import pytest

import minigrad as mg

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason='PyTorch is not installed')
rng = np.random.default_rng(0)


def n(*shape):
    return rng.standard_normal(shape)


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
