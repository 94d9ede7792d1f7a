"""nn.utils against PyTorch: clip_grad_norm_ (every norm type, the returned total norm, the
clipped gradients), clip_grad_value_, get_total_norm, clip_grads_with_norm_,
parameters_to_vector and vector_to_parameters; their errors and warnings."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

SHAPES = [(3, 4), (4,), (2, 3, 2), ()]


def _both(torch, dtype='float32', seed=0, scale=1.0, missing=()):
    """The same parameters with the same gradients in both libraries (none for index in `missing`)."""
    rng = np.random.default_rng(seed)
    ours, theirs = [], []
    for i, shape in enumerate(SHAPES):
        value, grad = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
        p, tp = nn.Parameter(mg.tensor(value)), torch.nn.Parameter(torch.tensor(value))
        if i not in missing:
            p.grad, tp.grad = mg.tensor(grad * scale), torch.tensor(grad * scale)
        ours.append(p)
        theirs.append(tp)
    return ours, theirs


def _assert_same_grads(ours, theirs, rtol):
    for p, tp in zip(ours, theirs):
        assert (p.grad is None) == (tp.grad is None)
        if p.grad is not None:
            assert p.grad.dtype == np.dtype(str(tp.grad.dtype).removeprefix('torch.'))
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('max_norm, norm_type, scale, missing', [
    (1.0, 2.0, 1.0, ()), (100.0, 2, 1.0, ()), (0.5, 1.0, 1.0, (1,)), (0.1, 'inf', 1.0, ()),
    (0.1, float('inf'), 1.0, (0, 3)), (2.0, 3.0, 1.0, ()), (0.2, 0.5, 1.0, ()), (1.0, 2.0, 1e-8, ()),
    (1.0, 2.0, 0.0, ()), (0.3, float('-inf'), 1.0, ()),
])
def test_clip_grad_norm_matches_pytorch(torch, dtype, max_norm, norm_type, scale, missing):
    ours, theirs = _both(torch, dtype, scale=scale, missing=missing)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    rtol = 1e-6 if dtype == 'float32' else 1e-12
    assert isinstance(total, mg.Tensor) and total.shape == () and total.grad_fn is None
    assert total.dtype == np.dtype(dtype)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=rtol)
    _assert_same_grads(ours, theirs, rtol)


def test_clip_grad_norm_takes_a_module_s_parameters_or_one_tensor_and_generators(torch):
    model = nn.Linear(4, 3)
    model(mg.ones(2, 4)).sum().backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
    assert total.item() > 0.5
    np.testing.assert_allclose(nn.utils.get_total_norm([p.grad for p in model.parameters()]).item(), 0.5,
                               rtol=1e-5)
    ours, theirs = _both(torch)
    np.testing.assert_allclose(nn.utils.clip_grad_norm_(ours[0], 0.1).item(),
                               torch.nn.utils.clip_grad_norm_(theirs[0], 0.1).item(), rtol=1e-6)
    _assert_same_grads(ours, theirs, 1e-6)


def test_clip_grad_norm_of_nothing_is_zero_and_an_empty_generator_warns(torch):
    for library in (mg, torch):
        with pytest.warns(UserWarning, match='`parameters` is an empty generator, no gradient clipping'):
            total = library.nn.utils.clip_grad_norm_((p for p in []), 1.0)
        assert total.item() == 0.0 and str(total.dtype).endswith('float32')
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            assert library.nn.utils.clip_grad_norm_([library.nn.Parameter(library.zeros(2))], 1.0).item() == 0


@pytest.mark.parametrize('bad', [np.inf, np.nan])
def test_a_non_finite_norm_raises_only_when_asked(torch, bad):
    for library in (mg, torch):
        p = library.nn.Parameter(library.zeros(3))
        p.grad = library.tensor([1.0, bad, 2.0])
        with pytest.raises(RuntimeError, match='The total norm of order 2.0 for gradients from `parameters` '
                                               'is non-finite, so it cannot be clipped'):
            library.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    ours, theirs = _both(torch)
    ours[0].grad._array[0, 0] = bad
    theirs[0].grad[0, 0] = bad
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    assert np.isnan(total.item()) == np.isnan(torch.nn.utils.clip_grad_norm_(theirs, 1.0).item())
    _assert_same_grads(ours, theirs, 1e-6)


@pytest.mark.parametrize('clip_value', [0.5, 1, 10.0])
def test_clip_grad_value_matches_pytorch(torch, clip_value):
    ours, theirs = _both(torch, missing=(2,))
    assert nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    _assert_same_grads(ours, theirs, 0)


@pytest.mark.parametrize('foreach', [None, True, False])
def test_get_total_norm_then_clip_grads_with_norm_is_clip_grad_norm_(torch, foreach):
    ours, theirs = _both(torch, 'float64')
    total = nn.utils.get_total_norm([p.grad for p in ours], 3.0, foreach=foreach)
    expected = torch.nn.utils.get_total_norm([p.grad for p in theirs], 3.0, foreach=foreach)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    nn.utils.clip_grads_with_norm_(ours, 0.7, total, foreach=foreach)
    torch.nn.utils.clip_grads_with_norm_(theirs, 0.7, expected, foreach=foreach)
    _assert_same_grads(ours, theirs, 1e-12)


def test_clipping_modifies_the_grad_tensor_in_place():
    p = nn.Parameter(mg.zeros(2))
    p.grad = mg.tensor([3.0, 4.0])
    grad = p.grad
    nn.utils.clip_grad_norm_([p], 1.0)
    assert p.grad is grad
    np.testing.assert_allclose(grad.numpy(), [0.6, 0.8], rtol=1e-5)
    nn.utils.clip_grad_value_(p, 0.7)
    np.testing.assert_allclose(grad.numpy(), [0.6, 0.7], rtol=1e-6)


def test_the_old_clip_grad_norm_warns(torch):
    for library in (mg, torch):
        p = library.nn.Parameter(library.ones(2))
        p.grad = library.ones(2)
        with pytest.warns(FutureWarning, match='`torch.nn.utils.clip_grad_norm` is now deprecated'):
            library.nn.utils.clip_grad_norm([p], 1.0)


def test_parameters_to_vector_and_back_match_pytorch(torch):
    ours, theirs = _both(torch, 'float64')
    vec, tvec = nn.utils.parameters_to_vector(ours), torch.nn.utils.parameters_to_vector(theirs)
    np.testing.assert_array_equal(vec.detach().numpy(), tvec.detach().numpy())
    direction = np.arange(vec.numel(), dtype=np.float64)
    (vec * mg.tensor(direction)).sum().backward()           # the vector is differentiable
    (tvec * torch.tensor(direction)).sum().backward()
    _assert_same_grads(ours, theirs, 0)
    new = np.linspace(-1, 1, vec.numel())
    nn.utils.vector_to_parameters(mg.tensor(new), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs)
    for p, tp in zip(ours, theirs):
        assert p.shape == tuple(tp.shape) and p.requires_grad and isinstance(p, nn.Parameter)
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().numpy())


def test_vector_to_parameters_loads_a_model(torch):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    count = sum(p.numel() for p in model.parameters())
    nn.utils.vector_to_parameters(mg.zeros(count), model.parameters())
    assert all(np.all(p._array == 0) for p in model.parameters())
    for library in (mg, torch):
        with pytest.raises(TypeError, match='expected torch.Tensor, but got: numpy.ndarray'):
            library.nn.utils.vector_to_parameters(np.zeros(3), [library.nn.Parameter(library.zeros(3))])


def test_from_torch_nn_utils_import_works_as_in_pytorch():
    from minigrad.nn.utils import clip_grad_norm_, parameters_to_vector  # noqa: F401
    import minigrad.nn.utils.clip_grad as module
    assert module.clip_grad_norm_ is mg.nn.utils.clip_grad_norm_


def test_a_torch_nn_utils_name_minigrad_lacks_says_so(torch):
    with pytest.raises(AttributeError, match=r'minigrad has no `torch.nn.utils.spectral_norm` \(PyTorch has it\)'):
        mg.nn.utils.spectral_norm
    with pytest.raises(AttributeError) as caught:
        mg.nn.utils.no_such_thing
    assert 'PyTorch has it' not in str(caught.value)
    ours = {n for n in dir(torch.nn.utils) if not n.startswith('_')}
    assert all(mg.missing.pytorch_has('nn.utils', n) for n in ours)
