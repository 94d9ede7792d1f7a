"""minigrad.optim side by side with torch.optim: every optimizer (several option sets) and every
LR scheduler starts from the same float64 weights on the same small regression, and after each of
25 steps the weights and learning rates must agree; checkpoints (state_dict / load_state_dict)
continue the run exactly, in minigrad and across the two libraries; errors and warnings are
PyTorch's. Tests that need torch are skipped when it is not installed."""
import copy
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.optim import lr_scheduler

STEPS = 25
RTOL, ATOL = 1e-10, 1e-12

_rng = np.random.default_rng(7)
X = _rng.standard_normal((16, 3))
Y = _rng.standard_normal((16, 2))
W0, B0 = _rng.standard_normal((2, 3)), _rng.standard_normal(2)
TORCH_ONLY_GROUP_KEYS = {'foreach', 'differentiable', 'fused', 'capturable', 'decoupled_weight_decay'}


@pytest.fixture(scope='module')
def torch():
    return pytest.importorskip('torch')


# ------------------------------------------------ the same problem in both libraries

def mg_params():
    return [nn.Parameter(mg.tensor(W0.copy())), nn.Parameter(mg.tensor(B0.copy()))]


def torch_params(torch):
    return [torch.tensor(W0, requires_grad=True), torch.tensor(B0, requires_grad=True)]


def mg_loss(params):
    w, b = params
    return ((mg.tensor(X) @ w.T + b - mg.tensor(Y)) ** 2).mean()


def torch_loss(torch, params):
    w, b = params
    return ((torch.tensor(X) @ w.T + b - torch.tensor(Y)) ** 2).mean()


def groups(params, split):
    """One group, or the weight and the bias in two groups (the bias with its own lr)."""
    return [{'params': [params[0]]}, {'params': [params[1]], 'lr': 0.02}] if split else params


def train(opt, params, loss_fn, steps, schedulers=()):
    """Runs `steps` iterations; returns the weights and the lrs (per group) after each one."""
    weights, lrs = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(params).backward()
        opt.step()
        for scheduler in schedulers:
            scheduler.step()
        weights.append([np.array(p.detach().numpy()) for p in params])
        lrs.append([group['lr'] for group in opt.param_groups])
    return weights, lrs


def run_both(torch, name, options, steps=STEPS, split=False, make_schedulers=None):
    """(minigrad's, torch's) weights and lrs for optimizer `name` with `options`."""
    results = []
    for lib, params, loss_fn in ((mg, mg_params(), mg_loss),
                                 (torch, torch_params(torch), lambda ps: torch_loss(torch, ps))):
        opt = getattr(lib.optim, name)(groups(params, split), **options)
        schedulers = make_schedulers(lib.optim.lr_scheduler, opt) if make_schedulers else ()
        results.append(train(opt, params, loss_fn, steps, schedulers))
    return results


def assert_same_run(ours, theirs):
    (w_ours, lr_ours), (w_theirs, lr_theirs) = ours, theirs
    for step, (a, b) in enumerate(zip(w_ours, w_theirs), start=1):
        for i, (pa, pb) in enumerate(zip(a, b)):
            np.testing.assert_allclose(pa, pb, rtol=RTOL, atol=ATOL, err_msg=f'step {step}, param {i}')
    np.testing.assert_allclose(lr_ours, lr_theirs, rtol=1e-13, atol=0)


# ------------------------------------------------------------------- optimizers

OPTIMIZER_CASES = [
    ('SGD', dict(lr=0.05)),
    ('SGD', dict(lr=0.05, momentum=0.9)),
    ('SGD', dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.05)),
    ('SGD', dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ('SGD', dict(lr=0.01, momentum=0.5, maximize=True)),
    ('Adam', dict(lr=0.05)),
    ('Adam', dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    ('Adam', dict(lr=0.05, maximize=True)),
    ('AdamW', dict(lr=0.05)),
    ('AdamW', dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    ('RMSprop', dict()),
    ('RMSprop', dict(lr=0.01, alpha=0.9, eps=1e-3)),
    ('RMSprop', dict(lr=0.01, momentum=0.9)),
    ('RMSprop', dict(lr=0.01, centered=True)),
    ('RMSprop', dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
    ('RMSprop', dict(lr=0.01, maximize=True, weight_decay=0.05)),
    ('Adagrad', dict(lr=0.1)),
    ('Adagrad', dict(lr=0.1, lr_decay=0.05)),
    ('Adagrad', dict(lr=0.1, initial_accumulator_value=0.5, weight_decay=0.1)),
    ('Adagrad', dict(lr=0.1, eps=1e-3, maximize=True)),
]
ONE_PER_OPTIMIZER = [OPTIMIZER_CASES[i] for i in (2, 6, 9, 14, 18)]


@pytest.mark.parametrize('name, options', OPTIMIZER_CASES, ids=str)
def test_same_trajectory_as_torch(torch, name, options):
    assert_same_run(*run_both(torch, name, options))


@pytest.mark.parametrize('name, options', ONE_PER_OPTIMIZER, ids=str)
def test_param_groups_with_their_own_lr_match_torch(torch, name, options):
    assert_same_run(*run_both(torch, name, options, split=True))


@pytest.mark.parametrize('name, options', [('RMSprop', dict(lr=0.01, centered=True, momentum=0.9)),
                                           ('Adagrad', dict(lr=0.1, lr_decay=0.01))], ids=str)
def test_float32_stays_float32_and_follows_torch(torch, name, options):
    """Fed the same float32 gradients, the float32 trajectories agree to float32 precision."""
    rng = np.random.default_rng(3)
    theta0 = rng.standard_normal((3, 4)).astype(np.float32)
    grads = [rng.standard_normal((3, 4)).astype(np.float32) for _ in range(STEPS)]
    ours = nn.Parameter(mg.tensor(theta0))
    theirs = torch.tensor(theta0.copy(), requires_grad=True)
    opt_ours = getattr(optim, name)([ours], **options)
    opt_theirs = getattr(torch.optim, name)([theirs], **options)
    for g in grads:
        ours.grad, theirs.grad = mg.tensor(g), torch.tensor(g)
        opt_ours.step()
        opt_theirs.step()
    assert ours.dtype == np.float32
    assert all(v._array.dtype == np.float32 for v in opt_ours.state_dict()['state'][0].values())
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_defaults_are_pytorchs(torch):
    for name in ('SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad'):
        ours = getattr(optim, name)(mg_params()).param_groups[0]
        theirs = getattr(torch.optim, name)(torch_params(torch)).param_groups[0]
        assert {k: v for k, v in ours.items() if k != 'params'} == \
            {k: v for k, v in theirs.items() if k != 'params' and k not in TORCH_ONLY_GROUP_KEYS}, name


# ------------------------------------------------------------------- schedulers

SCHEDULER_CASES = {
    'StepLR': lambda S, opt: [S.StepLR(opt, step_size=7, gamma=0.5)],
    'StepLR-default-gamma': lambda S, opt: [S.StepLR(opt, 4)],
    'MultiStepLR': lambda S, opt: [S.MultiStepLR(opt, milestones=[3, 8, 8, 15], gamma=0.3)],
    'ExponentialLR': lambda S, opt: [S.ExponentialLR(opt, gamma=0.9)],
    'CosineAnnealingLR': lambda S, opt: [S.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)],
    'CosineAnnealingLR-past-T_max': lambda S, opt: [S.CosineAnnealingLR(opt, T_max=7)],
    'LambdaLR': lambda S, opt: [S.LambdaLR(opt, lambda epoch: 1 / (1 + 0.3 * epoch))],
    'LambdaLR-per-group': lambda S, opt: [S.LambdaLR(opt, [lambda e: 0.9 ** e, lambda e: 1 + e % 3])],
    'chained': lambda S, opt: [S.ExponentialLR(opt, gamma=0.95), S.StepLR(opt, step_size=5)],
}


@pytest.mark.parametrize('case', SCHEDULER_CASES)
def test_scheduler_matches_torch_lr_by_lr(torch, case):
    ours, theirs = run_both(torch, 'SGD', dict(lr=0.1, momentum=0.9), split=True,
                            make_schedulers=SCHEDULER_CASES[case])
    assert_same_run(ours, theirs)
    assert len(set(lr for lrs in ours[1] for lr in lrs)) > 2          # the schedule did something


@pytest.mark.parametrize('case', ['StepLR', 'CosineAnnealingLR', 'ExponentialLR'])
def test_get_last_lr_base_lrs_and_initial_lr_match_torch(torch, case):
    seen = []
    for lib, params in ((mg, mg_params()), (torch, torch_params(torch))):
        opt = lib.optim.Adam(groups(params, True), lr=0.1)
        (scheduler,) = SCHEDULER_CASES[case](lib.optim.lr_scheduler, opt)
        record = [(scheduler.last_epoch, list(scheduler.base_lrs), scheduler.get_last_lr(),
                   [g['initial_lr'] for g in opt.param_groups])]
        for _ in range(12):
            opt.step()
            scheduler.step()
            record.append((scheduler.last_epoch, list(scheduler.base_lrs), scheduler.get_last_lr(),
                           [g['initial_lr'] for g in opt.param_groups]))
        seen.append(record)
    for (epoch, base_lrs, last_lr, initial_lr), theirs in zip(*seen):
        assert (epoch, base_lrs, initial_lr) == (theirs[0], theirs[1], theirs[3])
        np.testing.assert_allclose(last_lr, theirs[2], rtol=1e-13)


@pytest.mark.parametrize('case', ['StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR'])
def test_deprecated_step_with_epoch_uses_the_closed_form_as_torch(torch, case):
    seen = []
    for lib, params in ((mg, mg_params()), (torch, torch_params(torch))):
        opt = lib.optim.SGD(params, lr=0.1)
        (scheduler,) = SCHEDULER_CASES[case](lib.optim.lr_scheduler, opt)
        lrs = []
        for epoch in (3, 9, 4, 20):
            opt.step()
            with pytest.warns(UserWarning, match='epoch parameter'):
                scheduler.step(epoch)
            lrs.append(scheduler.get_last_lr())
        seen.append(lrs)
    np.testing.assert_allclose(seen[0], seen[1], rtol=1e-13)


def test_scheduler_before_optimizer_step_warns_like_torch(torch):
    for lib, params in ((mg, mg_params()), (torch, torch_params(torch))):
        scheduler = lib.optim.lr_scheduler.StepLR(lib.optim.SGD(params, lr=0.1), step_size=2)
        with pytest.warns(UserWarning, match=r'`optimizer.step\(\)` before `lr_scheduler.step\(\)`'):
            scheduler.step()


def test_right_order_does_not_warn_even_with_a_custom_optimizer():
    class PlainGD(optim.Optimizer):
        def __init__(self, params, lr):
            super().__init__(params, dict(lr=lr))

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group['params']:
                    p._array -= group['lr'] * p.grad._array
            return None

    for make in (lambda ps: optim.SGD(ps, lr=0.1), lambda ps: PlainGD(ps, lr=0.1)):
        params = mg_params()
        opt = make(params)
        scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.5)
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            for _ in range(3):
                opt.zero_grad()
                mg_loss(params).backward()
                opt.step()
                scheduler.step()
        assert scheduler.get_last_lr() == [0.1 * 0.5 ** 3]


def test_calling_get_lr_directly_points_to_get_last_lr():
    scheduler = lr_scheduler.StepLR(optim.SGD(mg_params(), lr=0.1), step_size=2)
    with pytest.warns(UserWarning, match=r'get_last_lr\(\)'):
        scheduler.get_lr()


def test_scheduler_errors_are_pytorchs(torch):
    for lib, params in ((mg, mg_params()), (torch, torch_params(torch))):
        S = lib.optim.lr_scheduler
        with pytest.raises(TypeError, match='list is not an Optimizer'):
            S.StepLR([], step_size=2)
        opt = lib.optim.SGD(groups(params, True), lr=0.1)
        with pytest.raises(KeyError, match=r"'initial_lr' is not specified in param_groups\[0\]"):
            S.StepLR(opt, step_size=2, last_epoch=3)
        with pytest.raises(ValueError, match='Expected 2 lr_lambdas, but got 1'):
            S.LambdaLR(opt, [lambda e: 1.0])


def test_lambda_lr_state_dict_saves_callable_objects_not_functions():
    class Warmup:
        def __init__(self, epochs):
            self.epochs = epochs

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.epochs)

    opt = optim.SGD(groups(mg_params(), True), lr=0.1)
    scheduler = lr_scheduler.LambdaLR(opt, [Warmup(5), lambda e: 1.0])
    state = scheduler.state_dict()
    assert state['lr_lambdas'] == [{'epochs': 5}, None] and 'optimizer' not in state
    other = lr_scheduler.LambdaLR(optim.SGD(groups(mg_params(), True), lr=0.1),
                                  [Warmup(2), lambda e: 1.0])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].epochs == 5 and state['lr_lambdas'] == [{'epochs': 5}, None]


# ------------------------------------------------------------------ checkpoints

def _make_scheduler(S, opt):
    return S.CosineAnnealingLR(opt, T_max=12, eta_min=0.001)


@pytest.mark.parametrize('name, options', ONE_PER_OPTIMIZER, ids=str)
def test_general_checkpoint_resumes_exactly_as_an_uninterrupted_torch_run(torch, name, options):
    """PyTorch's "saving and loading a general checkpoint" recipe: model, optimizer and scheduler
    state dicts in one dict; a fresh model/optimizer/scheduler loads them and carries on."""
    def linear(lib):
        model = lib.nn.Linear(3, 2).double()
        model.load_state_dict({'weight': lib.tensor(W0), 'bias': lib.tensor(B0)})
        return model

    def fit(model, opt, scheduler, loss_fn, steps):
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(model).backward()
            opt.step()
            scheduler.step()

    model = linear(mg)
    opt = getattr(optim, name)(model.parameters(), **options)
    scheduler = _make_scheduler(lr_scheduler, opt)
    mg_fit_loss = lambda m: ((m(mg.tensor(X)) - mg.tensor(Y)) ** 2).mean()   # noqa: E731
    fit(model, opt, scheduler, mg_fit_loss, 10)
    ckpt = copy.deepcopy({'epoch': 10, 'model_state_dict': model.state_dict(),
                          'optimizer_state_dict': opt.state_dict(),
                          'scheduler_state_dict': scheduler.state_dict()})
    fit(model, opt, scheduler, mg_fit_loss, 5)                         # the old run moves on

    resumed = nn.Linear(3, 2).double()
    opt2 = getattr(optim, name)(resumed.parameters(), **options)
    scheduler2 = _make_scheduler(lr_scheduler, opt2)       # before loading, as PyTorch says
    resumed.load_state_dict(ckpt['model_state_dict'])
    opt2.load_state_dict(ckpt['optimizer_state_dict'])
    scheduler2.load_state_dict(ckpt['scheduler_state_dict'])
    fit(resumed, opt2, scheduler2, mg_fit_loss, STEPS - 10)

    reference = linear(torch)
    t_opt = getattr(torch.optim, name)(reference.parameters(), **options)
    t_scheduler = _make_scheduler(torch.optim.lr_scheduler, t_opt)
    fit(reference, t_opt, t_scheduler, lambda m: ((m(torch.tensor(X)) - torch.tensor(Y)) ** 2).mean(),
        STEPS)
    for ours, theirs in zip(resumed.parameters(), reference.parameters()):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(),
                                   rtol=RTOL, atol=ATOL)
    assert opt2.param_groups[0]['lr'] == pytest.approx(t_opt.param_groups[0]['lr'], rel=1e-13)
    assert scheduler2.last_epoch == t_scheduler.last_epoch == STEPS


def _torch_state_dict_as_arrays(state_dict):
    return {'state': {i: {k: v.numpy() for k, v in s.items()} for i, s in state_dict['state'].items()},
            'param_groups': state_dict['param_groups']}


@pytest.mark.parametrize('name, options', ONE_PER_OPTIMIZER + [OPTIMIZER_CASES[1]], ids=str)
def test_state_dict_has_torchs_layout_and_values(torch, name, options):
    (ours, theirs) = [(getattr(lib.optim, name)(groups(params, True), **options), params, loss)
                      for lib, params, loss in ((mg, mg_params(), mg_loss),
                                                (torch, torch_params(torch),
                                                 lambda ps: torch_loss(torch, ps)))]
    for opt, params, loss in (ours, theirs):
        train(opt, params, loss, 4)
    sd, t_sd = ours[0].state_dict(), theirs[0].state_dict()
    assert [{k: v for k, v in g.items()} for g in sd['param_groups']] == \
        [{k: v for k, v in g.items() if k not in TORCH_ONLY_GROUP_KEYS} for g in t_sd['param_groups']]
    assert list(sd['state']) == list(t_sd['state']) == [0, 1]
    for i in sd['state']:
        assert list(sd['state'][i]) == list(t_sd['state'][i])
        for key, value in sd['state'][i].items():
            assert isinstance(value, mg.Tensor)
            expected = t_sd['state'][i][key].numpy()
            assert value.dtype == expected.dtype and value.shape == expected.shape, key
            np.testing.assert_allclose(value.numpy(), expected, rtol=RTOL, atol=ATOL, err_msg=key)


def test_adagrad_state_exists_before_the_first_step_as_in_torch(torch):
    sd = optim.Adagrad(mg_params(), initial_accumulator_value=0.25).state_dict()
    t_sd = torch.optim.Adagrad(torch_params(torch), initial_accumulator_value=0.25).state_dict()
    assert list(sd['state']) == list(t_sd['state']) == [0, 1]
    for i in (0, 1):
        assert sd['state'][i]['step'].item() == 0.0
        np.testing.assert_array_equal(sd['state'][i]['sum'].numpy(), t_sd['state'][i]['sum'].numpy())


@pytest.mark.parametrize('name, options', ONE_PER_OPTIMIZER, ids=str)
def test_state_dicts_move_between_torch_and_minigrad(torch, name, options):
    """torch -> minigrad (tensors turned into arrays) and minigrad -> torch, mid-run, both continue
    exactly as the uninterrupted torch run."""
    reference = torch_params(torch)
    t_opt = getattr(torch.optim, name)(groups(reference, True), **options)
    t_loss = lambda ps: torch_loss(torch, ps)                                # noqa: E731
    train(t_opt, reference, t_loss, 8)
    handover = _torch_state_dict_as_arrays(copy.deepcopy(t_opt.state_dict()))
    snapshot = [p.detach().numpy().copy() for p in reference]
    expected, _ = train(t_opt, reference, t_loss, 10)

    params = [nn.Parameter(mg.tensor(a.copy())) for a in snapshot]
    opt = getattr(optim, name)(groups(params, True), **options)
    opt.load_state_dict(handover)
    got, _ = train(opt, params, mg_loss, 4)
    back = {'state': {i: {k: torch.tensor(v.numpy().copy()) for k, v in s.items()}
                      for i, s in opt.state_dict()['state'].items()},
            'param_groups': opt.state_dict()['param_groups']}
    t_params = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    t_opt2 = getattr(torch.optim, name)(groups(t_params, True), **options)
    t_opt2.load_state_dict(back)
    got += train(t_opt2, t_params, t_loss, 6)[0]
    for step, (a, b) in enumerate(zip(got, expected), start=9):
        for pa, pb in zip(a, b):
            np.testing.assert_allclose(pa, pb, rtol=RTOL, atol=ATOL, err_msg=f'step {step}')


def test_state_dict_shares_buffers_and_loading_copies_them():
    params = mg_params()
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    train(opt, params, mg_loss, 2)
    sd = opt.state_dict()
    assert sd['state'][0]['momentum_buffer']._array is opt.state[params[0]]['momentum_buffer']
    other = optim.SGD(mg_params(), lr=0.5, momentum=0.9)
    other.load_state_dict(sd)
    assert other.param_groups[0]['lr'] == 0.1
    assert other.state[other.param_groups[0]['params'][0]]['momentum_buffer'] is not \
        sd['state'][0]['momentum_buffer']._array


def test_loading_a_state_dict_casts_buffers_to_the_parameters_dtype():
    params = mg_params()
    opt = optim.Adam(params, lr=0.1)
    train(opt, params, mg_loss, 2)
    p32 = [nn.Parameter(mg.tensor(a.astype(np.float32))) for a in (W0, B0)]
    opt32 = optim.Adam(p32)
    opt32.load_state_dict(opt.state_dict())
    state = opt32.state[p32[0]]
    assert state['step'] == 2 and state['exp_avg'].dtype == np.float32


def test_load_state_dict_errors():
    params = mg_params()
    opt = optim.Adam(params)
    train(opt, params, mg_loss, 1)
    sd = opt.state_dict()
    with pytest.raises(ValueError, match='different number of parameter groups'):
        optim.Adam(groups(mg_params(), True)).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.Adam(mg_params()[:1]).load_state_dict(sd)
    swapped = [nn.Parameter(mg.tensor(B0)), nn.Parameter(mg.tensor(W0))]
    with pytest.raises(ValueError,
                       match=r"'exp_avg' of shape \(2, 3\) for parameter 0, whose shape is \(2,\)"):
        optim.Adam(swapped).load_state_dict(sd)


# ------------------------------------------------------- errors and in-place checks

VALIDATION_CASES = [
    ('SGD', dict(lr=-1), 'Invalid learning rate: -1'),
    ('SGD', dict(lr=0.1, momentum=-0.5), 'Invalid momentum value: -0.5'),
    ('Adam', dict(eps=-1e-8), 'Invalid epsilon value: -1e-08'),
    ('Adam', dict(betas=(0.9, 1.0)), 'Invalid beta parameter at index 1: 1.0'),
    ('AdamW', dict(weight_decay=-0.1), 'Invalid weight_decay value: -0.1'),
    ('RMSprop', dict(lr=-1), 'Invalid learning rate: -1'),
    ('RMSprop', dict(eps=-1.0), 'Invalid epsilon value: -1.0'),
    ('RMSprop', dict(momentum=-0.1), 'Invalid momentum value: -0.1'),
    ('RMSprop', dict(weight_decay=-2), 'Invalid weight_decay value: -2'),
    ('RMSprop', dict(alpha=-0.5), 'Invalid alpha value: -0.5'),
    ('Adagrad', dict(lr=-1), 'Invalid learning rate: -1'),
    ('Adagrad', dict(lr_decay=-0.1), 'Invalid lr_decay value: -0.1'),
    ('Adagrad', dict(weight_decay=-1), 'Invalid weight_decay value: -1'),
    ('Adagrad', dict(initial_accumulator_value=-1), 'Invalid initial_accumulator_value value: -1'),
    ('Adagrad', dict(eps=-1), 'Invalid epsilon value: -1'),
]


@pytest.mark.parametrize('name, options, message', VALIDATION_CASES, ids=str)
def test_invalid_hyper_parameters_raise_pytorchs_errors(name, options, message):
    with pytest.raises(ValueError) as error:
        getattr(optim, name)(mg_params(), **options)
    assert str(error.value) == message


@pytest.mark.parametrize('name, options, message', VALIDATION_CASES, ids=str)
def test_torch_raises_the_same_messages(torch, name, options, message):
    with pytest.raises(ValueError) as error:
        getattr(torch.optim, name)(torch_params(torch), **options)
    assert str(error.value) == message


@pytest.mark.parametrize('name, options', ONE_PER_OPTIMIZER + [('Adam', dict())], ids=str)
def test_each_step_bumps_the_version_as_in_torch(torch, name, options):
    versions = []
    for lib, params, loss in ((mg, mg_params(), mg_loss),
                              (torch, torch_params(torch), lambda ps: torch_loss(torch, ps))):
        opt = getattr(lib.optim, name)(params, **options)
        before = [p._version for p in params]
        train(opt, params, loss, 3)
        versions.append([p._version - v for p, v in zip(params, before)])
    assert versions[0] == versions[1]


def two_layer_loss(lib, params):
    """tanh(X W₁ᵀ) W₂ᵀ: the second matmul saves W₂ (its input needs a gradient), as in any MLP."""
    w1, w2 = params
    hidden = (lib.tensor(X) @ w1.T).tanh()
    return ((hidden @ w2.T - lib.tensor(Y)) ** 2).mean()


@pytest.mark.parametrize('name, options', ONE_PER_OPTIMIZER, ids=str)
def test_step_between_forward_and_backward_is_detected(name, options):
    """The forward pass saved W₂; opt.step() changes it in place; backward must refuse, as
    PyTorch does (the gradient would mix old activations with new weights)."""
    rng = np.random.default_rng(1)
    params = [nn.Parameter(mg.tensor(rng.standard_normal((4, 3)))),
              nn.Parameter(mg.tensor(rng.standard_normal((2, 4))))]
    opt = getattr(optim, name)(params, **options)
    two_layer_loss(mg, params).backward()           # some gradient to step with
    loss = two_layer_loss(mg, params)
    opt.step()
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        loss.backward()


def test_torch_detects_it_too(torch):
    rng = np.random.default_rng(1)
    params = [torch.tensor(rng.standard_normal((4, 3)), requires_grad=True),
              torch.tensor(rng.standard_normal((2, 4)), requires_grad=True)]
    opt = torch.optim.SGD(params, lr=0.1)
    two_layer_loss(torch, params).backward()
    loss = two_layer_loss(torch, params)
    opt.step()
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        loss.backward()


def test_step_is_allowed_when_backward_does_not_need_the_old_weights(torch):
    """PyTorch's rule is about *saved* tensors: X @ Wᵀ with a constant X needs only X for W's
    gradient, so stepping W before backward is allowed there, and so here."""
    for lib, params in ((torch, torch_params(torch)), (mg, mg_params())):
        opt = lib.optim.SGD(params, lr=0.1)
        loss = ((lib.tensor(X) @ params[0].T + params[1]) * 3.0).sum()
        for p in params:
            p.grad = lib.ones(p.shape, dtype=lib.float64)
        opt.step()
        opt.zero_grad()
        loss.backward()                             # torch: fine; gradient of the old graph
        np.testing.assert_allclose(params[0].grad.numpy(), np.tile(3.0 * X.sum(0), (2, 1)))


# ------------------------------------------------ 0-d parameters (G21), checkpoints of them

def _scalar_run(lib, name, options, steps, state_dict=None, start=0.7):
    """`steps` steps on one 0-d parameter, loss (p - 0.2)² + sin 3p; the parameter after each
    step and the final state_dict. A given `state_dict` is loaded first."""
    p = lib.tensor(start, dtype=lib.float64, requires_grad=True)
    opt = getattr(lib.optim, name)([p], **options)
    if state_dict is not None:
        opt.load_state_dict(state_dict)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        ((p - 0.2) ** 2 + (3 * p).sin()).backward()
        opt.step()
        trajectory.append(p.item())
    return trajectory, copy.deepcopy(opt.state_dict())


@pytest.mark.parametrize('name, options', OPTIMIZER_CASES, ids=str)
def test_zero_dim_parameters_follow_torch_and_checkpoints_resume(torch, name, options):
    """A 0-d parameter's buffers stay 0-d arrays updated in place (a NumPy scalar would be
    rebound, not updated); its state_dict resumes the run, in minigrad and from torch's."""
    expected, t_sd = _scalar_run(torch, name, options, 6)
    got, sd = _scalar_run(mg, name, options, 3)
    np.testing.assert_allclose(got, expected[:3], rtol=RTOL, atol=ATOL)
    for i, state in sd['state'].items():
        for key, value in state.items():
            assert value.shape == t_sd['state'][i][key].shape == (), key
    resumed, _ = _scalar_run(mg, name, options, 3, sd, start=got[-1])
    np.testing.assert_allclose(resumed, expected[3:], rtol=RTOL, atol=ATOL)
    t_mid = _scalar_run(torch, name, options, 3)[1]
    from_torch, _ = _scalar_run(mg, name, options, 3, _torch_state_dict_as_arrays(t_mid),
                                start=got[-1])
    np.testing.assert_allclose(from_torch, expected[3:], rtol=RTOL, atol=ATOL)
