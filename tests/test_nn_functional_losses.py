"""The composed losses of minigrad/nn/functional_losses.py (F.kl_div, F.poisson_nll_loss, ...)
against PyTorch: values and gradients (float64), second derivatives, reductions, errors."""
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from helpers import assert_agree, both_libraries

RNG = np.random.default_rng(0)
A, B = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
PROBS = np.abs(RNG.standard_normal((4, 5))) + 0.1
PROBS /= PROBS.sum(1, keepdims=True)
COUNTS = RNG.integers(0, 5, (4, 5)).astype(float)
SIGNS = np.array([1.0, -1.0, -1.0, 1.0])
SIGNS_2D = np.where(RNG.standard_normal((4, 5)) > 0, 1.0, -1.0)
LABELS = (RNG.random((4, 5)) > 0.5).astype(float)
VAR = np.abs(RNG.standard_normal((4, 5))) + 0.05

# (id, call(F, lib, *inputs), inputs that get gradients); lib.tensor makes constant targets
CASES = [
    ('kl_div-batchmean', lambda F, L, x, t: F.kl_div(x, t, reduction='batchmean'), [A, PROBS]),
    ('kl_div-log_target', lambda F, L, x, t: F.kl_div(x, t, reduction='sum', log_target=True), [A, B]),
    ('kl_div-none', lambda F, L, x: F.kl_div(x, L.tensor(np.where(PROBS > 0.2, PROBS, 0)),
                                             reduction='none'), [A]),
    ('poisson', lambda F, L, x: F.poisson_nll_loss(x, L.tensor(COUNTS)), [A]),
    ('poisson-full', lambda F, L, x: F.poisson_nll_loss(x, L.tensor(COUNTS), log_input=False, full=True,
                                                        reduction='none'), [PROBS]),
    ('poisson-sum', lambda F, L, x, t: F.poisson_nll_loss(x, t + 2, full=True, reduction='sum'), [A, PROBS]),
    ('gaussian', lambda F, L, x, t, v: F.gaussian_nll_loss(x, t, v, full=True), [A, B, VAR]),
    ('gaussian-per-sample', lambda F, L, x, t, v: F.gaussian_nll_loss(x, t, v[:, 0], reduction='sum'),
     [A, B, VAR]),
    ('gaussian-size-1', lambda F, L, x, t, v: F.gaussian_nll_loss(x, t, v[:, :1], reduction='none'),
     [A, B, VAR]),
    ('gaussian-clamped', lambda F, L, x, t, v: F.gaussian_nll_loss(x, t, v * 1e-7, eps=1e-6), [A, B, VAR]),
    ('margin_ranking', lambda F, L, x1, x2: F.margin_ranking_loss(x1[:, 0], x2[:, 0], L.tensor(SIGNS),
                                                                  margin=0.3), [A, B]),
    ('hinge_embedding', lambda F, L, x: F.hinge_embedding_loss(x, L.tensor(SIGNS_2D), margin=0.5), [A]),
    ('soft_margin', lambda F, L, x: F.soft_margin_loss(x, L.tensor(SIGNS_2D), reduction='none'), [A]),
    ('multilabel_soft_margin', lambda F, L, x: F.multilabel_soft_margin_loss(x, L.tensor(LABELS)), [A]),
    ('multilabel-weight', lambda F, L, x: F.multilabel_soft_margin_loss(
        x, L.tensor(LABELS), weight=L.tensor(VAR[0]), reduction='none'), [A]),
    ('cosine_embedding', lambda F, L, x1, x2: F.cosine_embedding_loss(x1, x2, L.tensor(SIGNS), margin=0.1),
     [A, B]),
    ('cosine_embedding-1d', lambda F, L, x1, x2: F.cosine_embedding_loss(x1[0], x2[0], L.tensor(-1.0)),
     [A, B]),
    ('triplet', lambda F, L, a, p, n: F.triplet_margin_loss(a, p, n), [A, B, PROBS]),
    ('triplet-p1-swap', lambda F, L, a, p, n: F.triplet_margin_loss(a, p, n, p=1, swap=True, margin=2.0,
                                                                    reduction='none'), [A, B, PROBS]),
]
IDS = [case[0] for case in CASES]


def _both(torch, call, arrays):
    return both_libraries(torch, lambda *xs: call(F, mg, *xs),
                          lambda *xs: call(torch.nn.functional, torch, *xs), arrays)


@pytest.mark.parametrize('call, arrays', [c[1:] for c in CASES], ids=IDS)
def test_losses_match_torch_values_and_gradients(torch, call, arrays):
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert_agree(_both(torch, call, arrays), rtol=1e-6, atol=1e-12)


# not gaussian-clamped: there the gradient passes the clamp, so it is not the value's derivative
SMOOTH = [c for c in CASES if c[0] != 'gaussian-clamped']


@pytest.mark.parametrize('call, arrays', [c[1:] for c in SMOOTH], ids=[c[0] for c in SMOOTH])
def test_losses_second_derivatives(call, arrays):
    inputs = [mg.tensor(np.array(a), requires_grad=True) for a in arrays]
    assert mg.gradgradcheck(lambda *xs: call(F, mg, *xs), inputs)


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
@pytest.mark.parametrize('name', ['soft_margin_loss', 'hinge_embedding_loss', 'poisson_nll_loss'])
def test_reductions_and_float32(torch, name, reduction):
    x = A.astype(np.float32)
    got = getattr(F, name)(mg.tensor(x, requires_grad=True), mg.tensor(SIGNS_2D), reduction=reduction)
    expected = getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(SIGNS_2D, dtype=torch.float32),
                                                  reduction=reduction)
    assert got.dtype == np.float32 and got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.detach().numpy(), expected.numpy(), rtol=1e-5)


def test_kl_div_mean_warns_and_says_batchmean(torch):
    for lib_f, x, t in [(F, mg.tensor(A), mg.tensor(PROBS)),
                        (torch.nn.functional, torch.tensor(A), torch.tensor(PROBS))]:
        with pytest.warns(UserWarning, match="'batchmean'"):
            lib_f.kl_div(x, t)
    with pytest.raises(ValueError, match='not a valid value for reduction'):
        F.kl_div(mg.tensor(A), mg.tensor(PROBS), reduction='average')


def test_kl_div_with_a_zero_target_has_no_nan():
    target = np.where(PROBS > 0.2, PROBS, 0.0)
    x = mg.tensor(A, requires_grad=True)
    loss = F.kl_div(x, mg.tensor(target), reduction='sum')
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()
    np.testing.assert_array_equal(x.grad.numpy()[target == 0], 0.0)


@pytest.mark.parametrize('var, match', [
    (np.full((4, 5), -1.0), 'negative'), (-1.0, 'negative'), (np.ones((4, 2)), 'incorrect size'),
    (np.ones((3,)), 'incorrect size')])
def test_gaussian_nll_loss_var_errors(torch, var, match):
    with pytest.raises(ValueError, match=match):
        F.gaussian_nll_loss(mg.tensor(A), mg.tensor(B), var if np.isscalar(var) else mg.tensor(var))
    with pytest.raises(ValueError, match=match):
        torch.nn.functional.gaussian_nll_loss(torch.tensor(A), torch.tensor(B),
                                              var if np.isscalar(var) else torch.tensor(var))


def test_gaussian_nll_loss_takes_a_float_var(torch):
    got = F.gaussian_nll_loss(mg.tensor(A), mg.tensor(B), 0.5)
    expected = torch.nn.functional.gaussian_nll_loss(torch.tensor(A), torch.tensor(B), 0.5)
    np.testing.assert_allclose(got.item(), expected.item(), rtol=1e-12)


def test_argument_errors():
    x = mg.tensor(A)
    with pytest.raises(ValueError, match='greater than 0'):
        F.triplet_margin_loss(x, x, x, margin=0.0)
    with pytest.raises(RuntimeError, match='same number of dims'):
        F.margin_ranking_loss(x, x, mg.tensor(SIGNS))
    with pytest.raises(TypeError, match='floating point'):
        F.soft_margin_loss(mg.tensor([1, 2]), mg.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match='not a valid value for reduction'):
        F.hinge_embedding_loss(x, mg.tensor(SIGNS_2D), reduction='avg')
    with pytest.raises(RuntimeError, match='same shape'):
        F.cosine_embedding_loss(x, x[:, :2], mg.tensor(SIGNS))


def test_empty_batch_means_are_nan_like_torch(torch):
    empty = np.zeros((0, 5))
    got = F.soft_margin_loss(mg.tensor(empty), mg.tensor(empty))
    expected = torch.nn.functional.soft_margin_loss(torch.tensor(empty), torch.tensor(empty))
    assert np.isnan(got.item()) and np.isnan(expected.item())


@pytest.mark.parametrize('legacy, reduction', [({'reduce': False}, 'none'), ({'size_average': False}, 'sum'),
                                               ({'size_average': True, 'reduce': True}, 'mean')])
def test_deprecated_size_average_and_reduce_choose_the_reduction(torch, legacy, reduction):
    for lib in [mg, torch]:
        x, t = lib.tensor(A), lib.tensor(SIGNS_2D)
        with pytest.warns(UserWarning, match=f"reduction='{reduction}'"):
            got = lib.nn.functional.soft_margin_loss(x, t, **legacy)
        expected = lib.nn.functional.soft_margin_loss(x, t, reduction=reduction)
        np.testing.assert_allclose(np.asarray(got.tolist()), np.asarray(expected.tolist()))
