"""minigrad.optim: several steps of every optimizer and option against the published update
rules written out by hand in NumPy (float64), wrongly shaped gradients and duplicate parameters,
plus PyTorch as an optional oracle. (Optimizers and LR schedulers step by step against torch.optim,
with checkpoints: test_optim_pytorch.py.)"""
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

STEPS = 6


@pytest.fixture
def trajectory():
    """A start θ₀ and a fixed sequence of gradients, as if backward had produced them."""
    rng = np.random.default_rng(42)
    return rng.standard_normal((3, 4)), [rng.standard_normal((3, 4)) for _ in range(STEPS)]


def run(opt_class, theta0, grads, dtype=np.float64, **options):
    """θ after feeding `grads` one per step to `opt_class`; also returns each intermediate θ."""
    p = nn.Parameter(theta0.astype(dtype))
    opt = opt_class([p], **options)
    history = []
    for g in grads:
        opt.zero_grad()
        p.grad = mg.tensor(g.astype(dtype))
        opt.step()
        history.append(p._array.copy())
    return history


# --------------------------------------------------- the published formulas

def sgd_reference(theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                  maximize=False):
    """PyTorch's SGD algorithm box, line by line."""
    b = None
    out = []
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if weight_decay != 0:
            g = g + weight_decay * theta
        if momentum != 0:
            b = g if t == 1 else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g
        out.append(theta)
    return out


def adam_reference(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                   amsgrad=False, maximize=False, decoupled=False):
    """PyTorch's Adam algorithm box (and AdamW's: decay θ by γλ first, no L2 term in g).

    AMSGrad keeps the running maximum of the *uncorrected* v and bias-corrects
    that, as PyTorch's code does and its docs say since pytorch/pytorch#142351
    (older docs took the maximum of the corrected v̂, which is not what runs).
    """
    beta1, beta2 = betas
    m = v = np.zeros_like(theta)
    v_max = np.zeros_like(theta)
    out = []
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if decoupled:
            theta = theta - lr * weight_decay * theta
        elif weight_decay != 0:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        if amsgrad:
            v_max = np.maximum(v_max, v)
        m_hat = m / (1 - beta1 ** t)
        v_hat = (v_max if amsgrad else v) / (1 - beta2 ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(theta)
    return out


SGD_OPTIONS = [
    dict(lr=0.1),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.5),
    dict(lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.05),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    dict(lr=0.1, momentum=0.5, maximize=True),
]

ADAM_OPTIONS = [
    dict(),
    dict(lr=0.05),
    dict(lr=0.05, betas=(0.8, 0.9), eps=1e-4),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, amsgrad=True),
    dict(lr=0.05, amsgrad=True, weight_decay=0.2, betas=(0.5, 0.6)),
    dict(lr=0.05, maximize=True),
]


@pytest.mark.parametrize('options', SGD_OPTIONS, ids=str)
def test_sgd_matches_the_published_update(trajectory, options):
    theta0, grads = trajectory
    ours = run(optim.SGD, theta0, grads, **options)
    expected = sgd_reference(theta0, grads, **options)
    for step, (a, b) in enumerate(zip(ours, expected), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f'step {step}')


@pytest.mark.parametrize('options', ADAM_OPTIONS, ids=str)
def test_adam_matches_the_published_update(trajectory, options):
    theta0, grads = trajectory
    ours = run(optim.Adam, theta0, grads, **options)
    expected = adam_reference(theta0, grads, **options)
    for step, (a, b) in enumerate(zip(ours, expected), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f'step {step}')


@pytest.mark.parametrize('options', [dict(), dict(lr=0.05, weight_decay=0.5),
                                     dict(lr=0.05, weight_decay=0.0),
                                     dict(lr=0.05, weight_decay=0.3, amsgrad=True, betas=(0.7, 0.8)),
                                     dict(lr=0.05, maximize=True)], ids=str)
def test_adamw_matches_the_published_update(trajectory, options):
    theta0, grads = trajectory
    ours = run(optim.AdamW, theta0, grads, **options)
    expected = adam_reference(theta0, grads, decoupled=True,
                              **{'weight_decay': 1e-2, **options})
    for step, (a, b) in enumerate(zip(ours, expected), start=1):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14, err_msg=f'step {step}')


def test_adamw_differs_from_adam_with_l2(trajectory):
    theta0, grads = trajectory
    adam = run(optim.Adam, theta0, grads, lr=0.05, weight_decay=0.5)[-1]
    adamw = run(optim.AdamW, theta0, grads, lr=0.05, weight_decay=0.5)[-1]
    assert np.abs(adam - adamw).max() > 1e-3


def test_first_adam_step_has_size_lr(trajectory):
    """With bias correction, step 1 is lr · g/|g| (up to eps): a check independent of the code."""
    theta0, grads = trajectory
    theta1 = run(optim.Adam, theta0, grads[:1], lr=0.01)[0]
    np.testing.assert_allclose(theta0 - theta1, 0.01 * np.sign(grads[0]), rtol=1e-6)


@pytest.mark.parametrize('make', [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
                                  lambda ps: optim.Adam(ps, weight_decay=0.1),
                                  lambda ps: optim.AdamW(ps)])
def test_float32_stays_float32_and_is_close_to_float64(trajectory, make):
    theta0, grads = trajectory
    p32, p64 = nn.Parameter(theta0.astype(np.float32)), nn.Parameter(theta0)
    opt32, opt64 = make([p32]), make([p64])
    for g in grads:
        p32.grad, p64.grad = mg.tensor(g.astype(np.float32)), mg.tensor(g)
        opt32.step()
        opt64.step()
    assert p32.dtype == np.float32
    assert all(v.dtype == np.float32 for s in opt32.state.values() for v in s.values()
               if isinstance(v, np.ndarray))
    np.testing.assert_allclose(p32._array, p64._array, rtol=1e-5, atol=1e-6)


# -------------------------------------------------------------- behaviour

OPTIMIZERS = [lambda ps: optim.SGD(ps, lr=0.1), lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9,
                                                                    nesterov=True, weight_decay=0.1),
              lambda ps: optim.Adam(ps, weight_decay=0.1), lambda ps: optim.AdamW(ps, amsgrad=True)]


@pytest.mark.parametrize('make', OPTIMIZERS)
def test_step_updates_in_place_skips_missing_grads_and_leaves_grad_alone(make):
    a, b = nn.Parameter(mg.randn(3, 2)), nn.Parameter(mg.randn(4))
    opt = make([a, b])
    data_a, data_b, copy_a, copy_b = a._array, b._array, a._array.copy(), b._array.copy()
    grad = mg.randn(3, 2)
    grad_copy = grad._array.copy()
    a.grad = grad
    opt.step()
    opt.step()
    assert a._array is data_a and b._array is data_b            # same arrays: views see the update
    assert a.grad is grad and np.array_equal(grad._array, grad_copy)
    assert not np.array_equal(a._array, copy_a)
    np.testing.assert_array_equal(b._array, copy_b)           # no grad: untouched, no state
    assert b not in opt.state


def test_state_dict_tensors_see_the_optimizers_updates():
    model = nn.Linear(2, 1)
    snapshot = model.state_dict()['weight']
    opt = optim.SGD(model.parameters(), lr=1.0)
    model(mg.ones(1, 2)).sum().backward()
    before = snapshot._array.copy()
    opt.step()
    np.testing.assert_allclose(snapshot._array, before - 1.0)     # d/dW of sum(x Wᵀ + b) is x = 1


def test_zero_grad_sets_grads_to_none():
    model = nn.Linear(2, 2)
    opt = optim.Adam(model.parameters())
    model(mg.ones(1, 2)).sum().backward()
    assert model.weight.grad is not None
    opt.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None
    model(mg.ones(1, 2)).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert np.all(model.weight.grad._array == 0)


def test_param_groups_take_their_own_options_and_lr_can_change():
    a, b = nn.Parameter(mg.zeros(2)), nn.Parameter(mg.zeros(2))
    opt = optim.SGD([{'params': [a]}, {'params': [b], 'lr': 0.5}], lr=0.1)
    assert opt.param_groups[0]['lr'] == 0.1 and opt.param_groups[1]['lr'] == 0.5
    assert opt.param_groups[1]['momentum'] == 0
    a.grad, b.grad = mg.ones(2), mg.ones(2)
    opt.step()
    np.testing.assert_allclose(a._array, -0.1)
    np.testing.assert_allclose(b._array, -0.5)
    opt.param_groups[0]['lr'] = 1.0
    opt.step()
    np.testing.assert_allclose(a._array, -1.1)


def test_closure_is_evaluated_and_its_loss_returned():
    w = nn.Parameter(mg.tensor([3.0]))
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with mg.no_grad():
        loss = opt.step(closure)                    # the closure still records a graph
    assert loss.item() == 9.0
    np.testing.assert_allclose(w._array, [3.0 - 0.25 * 6.0])


def test_bad_arguments_give_clear_errors():
    p = nn.Parameter(mg.zeros(2))
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r'model.parameters\(\)'):
        optim.SGD(model.parameters, lr=0.1)
    with pytest.raises(ValueError, match='empty parameter list'):
        optim.SGD([], lr=0.1)
    params = model.parameters()
    optim.SGD(params, lr=0.1)
    with pytest.raises(ValueError, match='used only once'):
        optim.Adam(params)
    with pytest.raises(TypeError, match='single Tensor'):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match='non-leaf'):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match='Invalid learning rate: -0.1'):
        optim.SGD([p], lr=-0.1)
    with pytest.raises(ValueError, match='Nesterov momentum requires a momentum and zero dampening'):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match='Invalid beta parameter at index 0: 1.0'):
        optim.Adam([p], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match='more than one parameter group'):
        optim.SGD([{'params': [p]}, {'params': [p]}], lr=0.1)


def test_defaults_are_pytorchs():
    p = nn.Parameter(mg.zeros(1))
    sgd = optim.SGD([p]).param_groups[0]
    assert (sgd['lr'], sgd['momentum'], sgd['dampening'], sgd['weight_decay'], sgd['nesterov']) == \
        (1e-3, 0, 0, 0, False)
    adam = optim.Adam([p]).param_groups[0]
    assert (adam['lr'], adam['betas'], adam['eps'], adam['weight_decay']) == (1e-3, (0.9, 0.999), 1e-8, 0)
    assert optim.AdamW([p]).param_groups[0]['weight_decay'] == 1e-2


# ------------------ bad gradients, duplicate parameters (issue 15, item 14)

EVERY_OPTIMIZER = [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: optim.Adam(ps, lr=0.1),
    lambda ps: optim.AdamW(ps, lr=0.1),
    lambda ps: optim.RMSprop(ps, lr=0.1),
    lambda ps: optim.Adagrad(ps, lr=0.1),
]


@pytest.mark.parametrize('make', EVERY_OPTIMIZER)
def test_a_wrongly_shaped_grad_is_an_error_not_a_broadcast(make):
    """Before: a (1, 3) gradient was broadcast into a (2, 3) parameter. As in PyTorch, such a
    .grad is refused when it is assigned, so no optimizer ever sees it."""
    w = mg.zeros(2, 3, requires_grad=True)
    opt = make([w])
    with pytest.raises(RuntimeError, match=r"assign a gradient of size '\[1, 3\]' to a tensor of "
                                           r"size '\[2, 3\]'. Please ensure that the gradient and "
                                           r"the tensor are the same size"):
        w.grad = mg.ones(1, 3)
    with pytest.raises(RuntimeError, match='same size'):
        w.grad = mg.ones(3)                                   # fewer dims: same error
    with pytest.raises(TypeError, match='expected to be a Tensor or None'):
        w.grad = np.ones((2, 3))
    with pytest.raises(RuntimeError, match="dtype 'float64'"):
        w.grad = mg.ones(2, 3, dtype=mg.float64)
    assert w.grad is None
    w.grad = mg.ones(2, 3)
    opt.step()
    assert w._array.all()


@pytest.mark.parametrize('make', EVERY_OPTIMIZER)
def test_duplicate_parameters_in_a_group_warn_as_pytorch(make):
    p = mg.zeros(2, requires_grad=True)
    with pytest.warns(UserWarning, match=r'optimizer contains a parameter group with duplicate '
                                         r'parameters; in future, this will cause an error') as record:
        make([p, p])
    assert record[0].filename == __file__                     # points at the caller
    q = mg.zeros(1, requires_grad=True)
    opt = make([q])
    with pytest.warns(UserWarning, match='duplicate parameters') as record:
        opt.add_param_group({'params': [p, p]})
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        make([p, q])                                          # no duplicates: no warning


@pytest.mark.parametrize('make', EVERY_OPTIMIZER)
def test_a_parameter_in_two_groups_is_an_error(make):
    p, q = mg.zeros(2, requires_grad=True), mg.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match='some parameters appear in more than one parameter group'):
        make([{'params': [p]}, {'params': [q, p]}])
    opt = make([p])
    with pytest.raises(ValueError, match='more than one parameter group'):
        opt.add_param_group({'params': [p]})


@pytest.mark.parametrize('name, kwargs', [('SGD', dict(lr=0.1)), ('SGD', dict(lr=0.1, momentum=0.9)),
                                          ('Adam', dict(lr=0.1)), ('RMSprop', dict(lr=0.1)),
                                          ('Adagrad', dict(lr=0.1))])
def test_duplicate_parameters_step_as_pytorch(torch, name, kwargs):
    start, grad = np.array([0.5, -1.0]), np.array([1.0, -2.0])
    p = mg.tensor(start, requires_grad=True)
    tp = torch.tensor(start, requires_grad=True)
    with pytest.warns(UserWarning, match='duplicate'):
        opt = getattr(optim, name)([p, p], **kwargs)
    with pytest.warns(UserWarning, match='duplicate'):
        topt = getattr(torch.optim, name)([tp, tp], **kwargs)
    for _ in range(3):
        p.grad = mg.tensor(grad)
        tp.grad = torch.tensor(grad)
        opt.step()
        topt.step()
    np.testing.assert_allclose(p._array, tp.detach().numpy(), rtol=1e-12)


def test_pytorch_also_refuses_a_wrongly_shaped_grad(torch):
    tp = torch.zeros(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match='same size'):
        tp.grad = torch.ones(1, 3)


# ------------------------------------------------------------ torch oracle

TORCH_CASES = ([('SGD', o) for o in SGD_OPTIONS] + [('Adam', o) for o in ADAM_OPTIONS]
               + [('AdamW', dict(lr=0.05, weight_decay=0.3)), ('AdamW', dict(amsgrad=True))])


@pytest.mark.parametrize('name, options', TORCH_CASES, ids=str)
def test_same_trajectory_as_torch(trajectory, name, options):
    torch = pytest.importorskip('torch')
    theta0, grads = trajectory
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 1e-6)):
        p = torch.tensor(theta0.astype(dtype), requires_grad=True)
        opt = getattr(torch.optim, name)([p], **options)
        for g in grads:
            p.grad = torch.tensor(g.astype(dtype))
            opt.step()
        ours = run(getattr(optim, name), theta0, grads, dtype=dtype, **options)[-1]
        np.testing.assert_allclose(ours, p.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize('options, expected', [      # PyTorch 2's numbers
    (dict(momentum=0.9, weight_decay=0.01), 0.539206),
    (dict(momentum=0.9, nesterov=True, weight_decay=0.01), 0.382399),
    (dict(momentum=0.9, maximize=True), 1.45245)])
def test_sgd_momentum_of_a_zero_dim_parameter_is_updated_in_place(options, expected):
    """G21: the buffer of a 0-d parameter was a NumPy scalar that `buf *= μ` never updated."""
    p = mg.tensor(1.0, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, **options)
    for _ in range(4):
        p.grad = mg.tensor(0.5)
        opt.step()
    assert p.item() == pytest.approx(expected, abs=1e-6)
    assert isinstance(opt.state[p]['momentum_buffer'], np.ndarray)
