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


# --------------------------------------------- strict=True and v=None, in PyTorch's words (G3, G7)

OUTPUT_INDEPENDENT = ('Output 0 of the user-provided function does not require gradients. The outputs '
                      'must be computed in a differentiable manner from the input when running in '
                      'strict mode.')
CONSTANT_JACOBIAN = ('The jacobian of the user-provided function is independent of input 0. This is '
                     'not allowed in strict mode when create_graph=True.')
CONSTANT_HESSIAN = ('The hessian of the user-provided function is independent of input 0. This is '
                    'not allowed in strict mode when create_graph=True.')
LINEAR_HESSIAN = ('While computing the hessian, found that the jacobian of the user-provided function '
                  'with respect to input 0 is independent of the input. This is not allowed in strict '
                  'mode. You should ensure that your function is twice differentiable and that the '
                  'jacobian depends on the inputs (this would be violated by a linear function for '
                  'example).')
V_OUTPUT = 'The vector v can only be None if the user-provided function returns a single Tensor with a single element.'
V_INPUT = ('The vector v can only be None if the input to the user-provided function is a single Tensor '
           'with a single element.')


def _x(L):
    return L.tensor([1.0, 2.0], dtype=L.float64)


def _one(L):
    return L.ones(2, dtype=L.float64)


# name: (call, PyTorch's error message or None where it computes)
STRICT_AND_V = {
    'jacobian strict create_graph linear': (lambda fn, L: fn.jacobian(lambda x: x * 2, _x(L), strict=True,
                                                                      create_graph=True), CONSTANT_JACOBIAN),
    'jacobian strict create_graph cube': (lambda fn, L: fn.jacobian(lambda x: x ** 3, _x(L), strict=True,
                                                                    create_graph=True), None),
    'jacobian strict constant': (lambda fn, L: fn.jacobian(lambda x: _one(L), _x(L), strict=True),
                                 OUTPUT_INDEPENDENT),
    'hessian strict linear': (lambda fn, L: fn.hessian(lambda x: (x * 2).sum(), _x(L), strict=True),
                              LINEAR_HESSIAN),
    'hessian strict create_graph cube': (lambda fn, L: fn.hessian(lambda x: (x ** 3).sum(), _x(L), strict=True,
                                                                  create_graph=True), None),
    'vjp v=None two elements': (lambda fn, L: fn.vjp(lambda x: x * 2, _x(L)), V_OUTPUT),
    'vjp v=None two outputs': (lambda fn, L: fn.vjp(lambda x: ((x * 2)[:1], x[1:]), _x(L)), V_OUTPUT),
    'vjp v=None one element': (lambda fn, L: fn.vjp(lambda x: (x * 2)[:1], _x(L)), None),
    'jvp v=None two elements': (lambda fn, L: fn.jvp(lambda x: x * 2, _x(L)), V_INPUT),
    'jvp v=None one element': (lambda fn, L: fn.jvp(lambda x: x * 2, _x(L)[0]), None),
    'vhp v=None two elements': (lambda fn, L: fn.vhp(lambda x: (x ** 3).sum(), _x(L)), V_INPUT),
    'vjp strict create_graph linear': (lambda fn, L: fn.vjp(lambda x: (x * 2).sum(), _x(L), strict=True,
                                                            create_graph=True), CONSTANT_JACOBIAN),
    'vjp strict constant': (lambda fn, L: fn.vjp(lambda x: _one(L).sum(), _x(L), strict=True), OUTPUT_INDEPENDENT),
    'jvp strict create_graph linear': (lambda fn, L: fn.jvp(lambda x: x * 2, _x(L), _one(L), strict=True,
                                                            create_graph=True), CONSTANT_JACOBIAN),
    'jvp strict linear': (lambda fn, L: fn.jvp(lambda x: x * 2, _x(L), _one(L), strict=True), None),
    'vhp strict linear': (lambda fn, L: fn.vhp(lambda x: (x * 2).sum(), _x(L), _one(L), strict=True),
                          LINEAR_HESSIAN),
    'vhp strict create_graph quadratic': (lambda fn, L: fn.vhp(lambda x: (x * x).sum(), _x(L), _one(L), strict=True,
                                                               create_graph=True), CONSTANT_HESSIAN),
}


@pytest.mark.parametrize('lib', [mg] + ([torch] if torch is not None else []), ids=lambda L: L.__name__)
@pytest.mark.parametrize('name', list(STRICT_AND_V))
def test_strict_and_v_none_as_pytorch(lib, name):
    call, message = STRICT_AND_V[name]
    if message is None:
        call(lib.autograd.functional, lib)
        return
    with pytest.raises(RuntimeError) as error:
        call(lib.autograd.functional, lib)
    assert str(error.value) == message
