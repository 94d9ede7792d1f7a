"""The losses: minigrad/ops/losses.py, through the functions of minigrad.nn.functional. The
reference text's numbers, gradcheck over every reduction and option, cross-entropy's backward
written textbook case first, smooth_l1_loss around beta, numerics at extreme inputs, each warning
and error, and (when torch is installed) values, gradients and Hessian-vector products against
PyTorch. (The loss modules of nn are in test_nn.py.)"""
import ast
import inspect
import textwrap
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops import _stable, losses
from helpers import around, assert_agree, both_libraries, leaf

try:                      # tests marked @by_name run in minigrad, and in PyTorch when installed
    import torch
except ImportError:
    torch = None

LIBS = [mg] + ([torch] if torch is not None else [])
by_name = pytest.mark.parametrize('lib', LIBS, ids=lambda lib: lib.__name__)
needs_torch = pytest.mark.skipif(torch is None, reason='PyTorch is not installed')

REDUCTIONS = ('mean', 'sum', 'none')


# ------------------------------------------------ the reference text's numbers

def test_mse_of_reference_example_is_eleven_thirds():
    predictions, targets = mg.tensor([4.0, 2.0, 3.0]), mg.tensor([3.0, 5.0, 2.0])
    assert F.mse_loss(predictions, targets).item() == pytest.approx(11 / 3, rel=1e-6)


def test_mse_of_pytorch_snippet_is_0_17():
    loss = F.mse_loss(mg.tensor([2.5, 0.0, 2.1]), mg.tensor([3.0, -0.5, 2.0]))
    assert loss.item() == pytest.approx(0.17, rel=1e-5)


def test_cross_entropy_of_pytorch_snippet_is_0_2413():
    loss = F.cross_entropy(mg.tensor([[2.0, 0.5, -1.0]]), mg.tensor([0]))
    assert loss.item() == pytest.approx(0.2413, abs=5e-5)


@pytest.mark.parametrize('probs, expected', [([0.70, 0.20, 0.10], 0.357),
                                             ([0.05, 0.90, 0.05], 2.996)])
def test_cat_dog_bird_is_minus_log_p_cat(probs, expected):
    # Logits log(p) make softmax give exactly p, so the loss is -log p(cat).
    logits = mg.tensor(np.log([probs]))
    loss = F.cross_entropy(logits, [0]).item()
    assert loss == pytest.approx(-np.log(probs[0]), rel=1e-5)
    assert loss == pytest.approx(expected, abs=5e-4)
    assert F.nll_loss(logits, [0]).item() == pytest.approx(loss, rel=1e-6)


def test_confidently_wrong_costs_far_more_under_cross_entropy():
    p, target = mg.tensor([0.01]), mg.tensor([1.0])
    assert F.mse_loss(p, target).item() == pytest.approx(0.9801, rel=1e-5)
    assert F.binary_cross_entropy(p, target).item() == pytest.approx(4.605, abs=5e-4)
    # and the reference's milder cases: Model A (0.9) and Model B (0.6) under MSE
    assert F.mse_loss(mg.tensor([0.9]), target).item() == pytest.approx(0.01, rel=1e-4)
    assert F.mse_loss(mg.tensor([0.6]), target).item() == pytest.approx(0.16, rel=1e-5)


# --------------------------------------------------------- the case table
# Each case: (function name, input array, target array, target needs grad, options).
# Inputs stay away from kinks (|x - y| = 0 or delta) and BCE's ends, where
# finite differences are not the derivative.

def _rng(seed):
    return np.random.default_rng(seed)


def _away_from(values, points, gap=0.05):
    for p in points:
        values = np.where(np.abs(values - p) < gap, values + 2 * gap, values)
    return values


def _regression(name, shape, target_shape=None, **options):
    rng = _rng(1)
    x = rng.normal(size=shape)
    t = x - _away_from(rng.uniform(-3, 3, size=target_shape or shape), [0, 0.5, -0.5, 1, -1, 2, -2])
    if target_shape:                 # broadcasting case: keep t exact, move x instead
        t = rng.normal(size=target_shape)
        x = np.broadcast_to(t, np.broadcast_shapes(shape, target_shape))[..., :shape[-1]]
        x = x.reshape(shape) + _away_from(rng.uniform(-3, 3, shape), [0, 0.5, -0.5, 1, -1, 2, -2])
    return (name, x, t, True, options)


def _simplex(shape, axis, seed):
    p = _rng(seed).uniform(0.05, 1, size=shape)
    return p / p.sum(axis=axis, keepdims=True)


def _bce_cases():
    rng = _rng(2)
    x, t = rng.uniform(0.05, 0.95, (5, 3)), rng.uniform(0, 1, (5, 3))
    logits = rng.normal(scale=3, size=(5, 3))
    hard = (rng.uniform(size=(5, 3)) > 0.5).astype(float)
    w_row, w_full = rng.uniform(0.5, 2, 3), rng.uniform(0.5, 2, (5, 3))
    pos = rng.uniform(0.5, 3, 3)
    return [
        ('binary_cross_entropy', x, t, True, {}),
        ('binary_cross_entropy', x, hard, False, {'weight': w_row}),   # 0/1 targets: no room to perturb
        ('binary_cross_entropy', x, t, True, {'weight': w_full}),
        ('binary_cross_entropy_with_logits', logits, t, True, {}),
        ('binary_cross_entropy_with_logits', logits, hard, True, {'weight': w_row}),
        ('binary_cross_entropy_with_logits', logits, t, True, {'pos_weight': pos}),
        ('binary_cross_entropy_with_logits', logits, t, True, {'weight': w_full, 'pos_weight': pos}),
    ]


def _class_cases():
    rng = _rng(3)
    x = rng.normal(scale=2, size=(6, 4))
    y = np.array([0, 3, 1, 1, 2, 3])
    y_ignored = np.array([0, -100, 1, 1, -100, 3])
    w = rng.uniform(0.5, 2, 4)
    x1, y1 = rng.normal(size=4), np.array(2)
    xk, yk = rng.normal(size=(3, 4, 2)), np.array([[0, 3], [2, 2], [1, -100]])
    cases = []
    for name in ('cross_entropy', 'nll_loss'):
        cases += [
            (name, x, y, False, {}),
            (name, x, y, False, {'weight': w}),
            (name, x, y_ignored, False, {}),
            (name, x, y_ignored, False, {'weight': w}),
            (name, x, y, False, {'ignore_index': 1}),          # a real class can be ignored
            (name, x1, y1, False, {}),                          # unbatched (C,) with ()
            (name, x1, y1, False, {'weight': w}),
            (name, xk, yk, False, {}),                          # (N, C, d1) with (N, d1)
            (name, xk, yk, False, {'weight': w}),
        ]
    cases += [
        ('cross_entropy', x, y, False, {'label_smoothing': 0.2}),
        ('cross_entropy', x, y_ignored, False, {'label_smoothing': 0.3, 'weight': w}),
        ('cross_entropy', x, y_ignored, False, {'label_smoothing': 1.0}),
        ('cross_entropy', x1, y1, False, {'label_smoothing': 0.1, 'weight': w}),
        ('cross_entropy', xk, yk, False, {'label_smoothing': 0.25, 'weight': w}),
    ]
    probs, probs1, probsk = _simplex((6, 4), 1, 4), _simplex(4, 0, 5), _simplex((3, 4, 2), 1, 6)
    cases += [
        ('cross_entropy', x, probs, True, {}),
        ('cross_entropy', x, probs, True, {'weight': w}),
        ('cross_entropy', x, probs, True, {'label_smoothing': 0.2}),
        ('cross_entropy', x, probs, True, {'label_smoothing': 0.2, 'weight': w}),
        ('cross_entropy', x1, probs1, True, {'weight': w}),
        ('cross_entropy', xk, probsk, True, {'label_smoothing': 0.1, 'weight': w}),
    ]
    return cases


CASES = ([_regression('mse_loss', (5, 3)), _regression('l1_loss', (5, 3)),
          _regression('huber_loss', (5, 3)), _regression('huber_loss', (5, 3), delta=0.5),
          _regression('huber_loss', (5, 3), delta=2.0),
          _regression('mse_loss', (4, 1), (4,)), _regression('l1_loss', (4, 1), (4,)),
          _regression('huber_loss', (4, 1), (4,))]
         + _bce_cases() + _class_cases())


def _case_id(case):
    name, x, t, _, options = case
    opts = ','.join(f'{k}={v if np.isscalar(v) else "arr"}' for k, v in options.items())
    return f'{name}-{x.shape}-{t.shape}' + (f'-{opts}' if opts else '')


def _minigrad_loss(case, reduction):
    name, _, _, _, options = case

    def loss(x, t):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', UserWarning)      # the broadcast cases warn on purpose
            return getattr(F, name)(x, t, reduction=reduction, **options)
    return loss


def _target(t, needs_grad):
    return mg.tensor(t, requires_grad=needs_grad) if t.dtype.kind == 'f' else t


@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('case', CASES, ids=_case_id)
def test_gradcheck(case, reduction):
    _, x, t, target_grad, _ = case
    inputs = (mg.tensor(x, requires_grad=True), _target(t, target_grad))
    assert mg.gradcheck(_minigrad_loss(case, reduction), inputs)


@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('case', CASES, ids=_case_id)
def test_float32_stays_float32_and_grads_take_input_shapes(case, reduction):
    _, x, t, target_grad, _ = case
    xs = mg.tensor(x.astype(np.float32), requires_grad=True)
    ts = _target(t.astype(np.float32) if t.dtype.kind == 'f' else t, target_grad)
    out = _minigrad_loss(case, reduction)(xs, ts)
    assert out.dtype == np.float32
    if reduction != 'none':
        assert out.shape == ()
    out.sum().backward()
    assert xs.grad.shape == xs.shape and xs.grad.dtype == np.float32
    if target_grad:
        assert ts.grad.shape == ts.shape and ts.grad.dtype == np.float32


@pytest.mark.parametrize('case', [c for c in CASES if c[0] in ('cross_entropy', 'nll_loss')
                                  and c[2].dtype.kind == 'i'], ids=_case_id)
def test_mean_divides_by_the_summed_weights_of_kept_targets(case):
    """PyTorch's 'mean' for class indices: Σ_n loss_n / Σ_n w_{y_n}, ignored samples left out."""
    name, x, t, _, options = case
    fn = getattr(F, name)
    per_sample = fn(mg.tensor(x), t, reduction='none', **options)._array
    weight = options.get('weight', np.ones(x.shape[1 if x.ndim > 1 else 0]))
    ignore = options.get('ignore_index', -100)
    kept = t != ignore
    expected = per_sample.sum() / (weight[np.where(kept, t, 0)] * kept).sum()
    assert fn(mg.tensor(x), t, reduction='mean', **options).item() == pytest.approx(expected, rel=1e-6)
    assert np.all(per_sample[~kept] == 0)


def test_all_targets_ignored_gives_nan_mean_like_pytorch():
    x = mg.tensor(np.zeros((2, 3)), requires_grad=True)
    loss = F.cross_entropy(x, [-100, -100])
    assert np.isnan(loss.item())
    assert F.cross_entropy(x, [-100, -100], reduction='sum').item() == 0


# Issue 15, item 1: every target ignored: the 'mean' loss is nan, the gradient 0 (not nan)
@by_name
@pytest.mark.parametrize('smoothing', [0.0, 0.2])
def test_all_targets_ignored_gives_zero_gradient(lib, smoothing):
    x = lib.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]], requires_grad=True)
    target = lib.tensor([-100, -100])
    loss = lib.nn.functional.cross_entropy(x, target, label_smoothing=smoothing)
    loss.backward()
    assert np.isnan(loss.item())
    assert np.array_equal(x.grad.numpy(), np.zeros((2, 3), np.float32))


@by_name
def test_all_targets_ignored_nll_gives_zero_gradient(lib):
    x = lib.tensor([[-1.0, -2.0], [-0.5, -3.0]], requires_grad=True)
    loss = lib.nn.functional.nll_loss(x, lib.tensor([-100, -100]), weight=lib.tensor([1.0, 2.0]))
    loss.backward()
    assert np.isnan(loss.item()) and not x.grad.numpy().any()


def test_softmax_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    rng = _rng(7)
    logits = rng.normal(size=(8, 5))
    labels = rng.integers(0, 5, 8)
    x = mg.tensor(logits, requires_grad=True)
    F.cross_entropy(x, labels).backward()
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.allclose(x.grad._array, (softmax - np.eye(5)[labels]) / 8, atol=1e-12)


def test_class_indices_and_one_hot_probabilities_agree():
    rng = _rng(8)
    logits, labels = rng.normal(size=(6, 4)), rng.integers(0, 4, 6)
    w = rng.uniform(0.5, 2, 4)
    for options in ({}, {'label_smoothing': 0.3}):
        a = F.cross_entropy(mg.tensor(logits), labels, reduction='none', weight=w, **options)
        b = F.cross_entropy(mg.tensor(logits), np.eye(4)[labels], reduction='none', weight=w, **options)
        assert np.allclose(a._array, b._array, atol=1e-12)


def test_numpy_and_list_targets_work_and_take_the_input_dtype():
    x = mg.tensor([[0.5, 1.5]], requires_grad=True)
    assert F.mse_loss(x, np.array([[1.0, 1.0]])).dtype == np.float32       # float64 array target
    assert F.mse_loss(x, [[1, 1]]).item() == pytest.approx(0.25)           # int list target
    assert F.cross_entropy(x, np.array([1], dtype=np.int32)).dtype == np.float32
    assert F.binary_cross_entropy(x.sigmoid(), np.array([[1.0, 0.0]])).dtype == np.float32


def test_grad_fn_is_one_node_per_loss():
    x = mg.tensor(np.zeros((2, 3)), requires_grad=True)
    names = {
        'MSEBackward': F.mse_loss(x, np.ones((2, 3))),
        'CrossEntropyBackward': F.cross_entropy(x, [0, 1]),
        'CrossEntropyProbsBackward': F.cross_entropy(x, np.full((2, 3), 1 / 3)),
        'BCEWithLogitsBackward': F.binary_cross_entropy_with_logits(x, np.ones((2, 3))),
    }
    for name, loss in names.items():
        assert loss.grad_fn.name == name
        assert loss.grad_fn.next_functions[0][0].variable is x   # straight from the logits: no log, no softmax node


# -------------------------------------- cross-entropy's backward: the textbook case first

def first_line(cls):
    return cls.__doc__.strip().splitlines()[0]


def test_cross_entropy_backward_opens_with_softmax_minus_onehot():
    source = textwrap.dedent(inspect.getsource(losses.CrossEntropy.backward))
    body = ast.parse(source).body[0].body
    branches = [i for i, node in enumerate(body) if isinstance(node, ast.If)]
    plain = body[branches[0]]
    assert branches[0] <= 2, 'the textbook case must come first, before any option'
    assert ast.unparse(plain.test) == 'self.plain'
    assert isinstance(plain.body[-1], ast.Return)
    lines = source.splitlines()[plain.lineno - 1:plain.end_lineno]
    code = ' '.join(line.split('#')[0] for line in lines)
    comments = ' '.join(line.split('#', 1)[1] for line in lines if '#' in line)
    assert 'exp' in code and '/ total' in code and 'grad_x[targets] -=' in code   # e^(x-m) / Σ
    assert 'softmax(x)' in comments and 'onehot(y)' in comments and 'textbook' in comments
    for option in ('smoothing', 'weight', 'keep', 'ignore'):     # the options come after
        assert option not in code, option


def test_only_a_call_without_options_takes_the_textbook_path():
    x = mg.tensor(np.random.default_rng(1).standard_normal((4, 3)), requires_grad=True)
    y = mg.tensor([0, 2, 1, 2])
    assert F.cross_entropy(x, y).grad_fn.plain
    assert F.cross_entropy(x, y, ignore_index=1000).grad_fn.plain       # nothing ignored
    assert not F.cross_entropy(x, y, ignore_index=2).grad_fn.plain
    assert not F.cross_entropy(x, y, weight=mg.tensor([1.0, 2.0, 3.0])).grad_fn.plain
    assert not F.cross_entropy(x, y, label_smoothing=0.1).grad_fn.plain


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_the_textbook_gradient_is_softmax_minus_onehot_bit_for_bit(reduction):
    logits = np.random.default_rng(2).standard_normal((6, 5)) * 3
    labels = np.array([0, 4, 1, 1, 3, 2])
    x = mg.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor(labels), reduction=reduction)
    loss.backward(mg.ones(loss.shape) if reduction == 'none' else None)
    scale = 1 / 6 if reduction == 'mean' else 1.0
    _, exp, total = _stable.softmax_parts(logits, 1)
    expected = exp * (scale / total)                    # softmax(x) / N
    expected[np.arange(6), labels] -= scale             #   - onehot(y) / N
    assert np.array_equal(x.grad.numpy(), expected)


FUSED = (losses.CrossEntropy, losses.CrossEntropyProbs, losses.NLL, losses.BCE,
         losses.BCEWithLogits)


def test_rules_read_alone_and_fit_a_trace_line():
    for op in FUSED:
        rule = first_line(op)
        assert rule.startswith('d ') and len(rule) <= 90, rule      # a trace indents it by 10
    assert first_line(losses.CrossEntropy).startswith('d ce = (softmax(x) - onehot(y)) dx / N')
    assert 'q' not in first_line(losses.CrossEntropy)                 # q is defined further down
    for op in FUSED:
        body = op.__doc__.strip().split('\n', 1)[1]                    # below the rule line
        assert 0 < body.index('textbook') < body.index('option'), op.__name__


# ------------------------------------------------------- smooth_l1_loss at beta




SMOOTH_DIFFS = np.concatenate([around(-1.0, 1.0), [-3.0, -0.5, 0.0, 0.5, 3.0]])


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
@pytest.mark.parametrize('beta', [1.0, 0.5, 2.0])
def test_smooth_l1_gradcheck_around_beta(beta, reduction):
    # |d| = beta exactly is included: the loss is C¹ there, so finite differences agree.
    diffs = np.concatenate([SMOOTH_DIFFS * beta, [beta, -beta]])
    target = np.linspace(-1, 1, diffs.size)
    assert mg.gradcheck(lambda x, t: F.smooth_l1_loss(x, t, reduction=reduction, beta=beta),
                        (leaf(target + diffs), leaf(target)))


def test_smooth_l1_beta_0_is_l1():
    diffs = np.array([-2.0, -1e-3, 1e-3, 0.5, 3.0])
    assert mg.gradcheck(lambda x: F.smooth_l1_loss(x, np.zeros(5), beta=0.0), leaf(diffs))
    x = leaf([[-2.0, 0.0, 1.5]])
    loss = F.smooth_l1_loss(x, [[0.0, 0.0, 0.0]], beta=0, reduction='sum')
    loss.backward()
    assert loss.item() == 3.5
    np.testing.assert_array_equal(x.grad.numpy(), [[-1.0, 0.0, 1.0]])    # sign, 0 at d = 0


def test_smooth_l1_is_huber_over_beta():
    x, t = leaf(np.linspace(-3, 3, 13)), mg.tensor(np.zeros(13))
    for beta in [0.25, 1.0, 4.0]:
        np.testing.assert_allclose(F.smooth_l1_loss(x, t, beta=beta, reduction='none').detach().numpy(),
                                   F.huber_loss(x, t, delta=beta, reduction='none').detach().numpy() / beta,
                                   rtol=1e-15)


# --------------------------------------------------------- extreme inputs

@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_cross_entropy_at_logits_of_1e4_is_finite_and_exact(dtype):
    logits = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]], dtype=dtype)
    x = mg.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(x, [0, 1], reduction='none')
    # softmax is (1, 0, 0) to within e^-1e4: right class costs 0, the wrong one 2e4.
    assert np.array_equal(loss._array, np.array([0.0, 2e4], dtype=dtype))
    loss.sum().backward()
    assert np.array_equal(x.grad._array, np.array([[0, 0, 0], [1, -1, 0]], dtype=dtype))
    x.grad = None
    F.cross_entropy(x, [0, 1], label_smoothing=0.3).backward()
    assert np.all(np.isfinite(x.grad._array))


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_probability_targets_and_nll_at_logits_of_1e4(dtype):
    x = mg.tensor(np.array([[1e4, -1e4, 0.0]], dtype=dtype), requires_grad=True)
    target = mg.tensor(np.array([[0.0, 0.5, 0.5]], dtype=dtype), requires_grad=True)
    loss = F.cross_entropy(x, target)
    assert loss.item() == pytest.approx(0.5 * 2e4 + 0.5 * 1e4)
    loss.backward()
    assert np.allclose(x.grad._array, [[1, -0.5, -0.5]])
    assert np.allclose(target.grad._array, [[0, 2e4, 1e4]])
    logp = F.log_softmax(mg.tensor(np.array([[1e4, -1e4, 0.0]], dtype=dtype)), 1)
    assert F.nll_loss(logp, [1]).item() == pytest.approx(2e4)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_bce_with_logits_at_1e4_is_finite_and_exact(dtype):
    x = mg.tensor(np.array([1e4, 1e4, -1e4, -1e4], dtype=dtype), requires_grad=True)
    y = np.array([1.0, 0.0, 1.0, 0.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction='none', pos_weight=np.array(2.0))
    assert np.array_equal(loss._array, np.array([0, 1e4, 2e4, 0], dtype=dtype))
    loss.sum().backward()
    # (1 + (p - 1) y) σ(x) - p y with σ = 1 or 0
    assert np.array_equal(x.grad._array, np.array([0, 1, -2, 0], dtype=dtype))


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_bce_at_zero_and_one_is_finite(dtype):
    p = mg.tensor(np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype), requires_grad=True)
    y = mg.tensor(np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('error')                      # no log(0) RuntimeWarning either
        loss = F.binary_cross_entropy(p, y, reduction='none')
        loss.sum().backward()
    assert np.array_equal(loss._array, np.array([100, 100, 0, 0], dtype=dtype))   # log clamped at -100
    assert np.all(np.isfinite(p.grad._array)) and np.all(np.isfinite(y.grad._array))
    assert p.grad._array[0] < -1e11 and p.grad._array[1] > 1e11     # a strong push, as in PyTorch
    assert np.array_equal(y.grad._array, np.array([100, -100, 100, -100], dtype=dtype))


def test_fused_cross_entropy_survives_where_log_of_softmax_does_not():
    logits = mg.tensor([[1e4, -1e4, 0.0]], requires_grad=True)
    with np.errstate(divide='ignore'):
        naive = -F.softmax(logits, 1).log()[0, 1]
    assert np.isinf(naive.item())                            # log(0): why the loss is one node
    assert F.cross_entropy(logits, [1]).item() == pytest.approx(2e4)


# Issue 15, item 9: probability targets along an empty class dim
@by_name
def test_probability_targets_with_no_classes(lib):
    x = lib.zeros(2, 0, requires_grad=True)
    losses = lib.nn.functional.cross_entropy(x, lib.zeros(2, 0), reduction='none')
    assert losses.tolist() == [0.0, 0.0]
    lib.nn.functional.cross_entropy(x, lib.zeros(2, 0)).backward()
    assert tuple(x.grad.shape) == (2, 0)


# Issue 15, item 11: l1_loss at a nan input: gradient 0 there
@by_name
def test_l1_gradient_at_nan_is_zero(lib):
    x = lib.tensor([1.0, float('nan'), -2.0], requires_grad=True)
    lib.nn.functional.l1_loss(x, lib.zeros(3), reduction='sum').backward()
    assert x.grad.tolist() == [1.0, 0.0, -1.0]


# ------------------------------------------------------------- warnings

def test_probabilities_passed_to_cross_entropy_warn():
    probs = F.softmax(mg.randn(8, 5), 1)
    with pytest.warns(UserWarning, match='applies log_softmax itself and wants raw logits') as caught:
        F.cross_entropy(probs, np.arange(8) % 5)
    assert caught[0].filename == __file__                    # points at the caller's line


@pytest.mark.parametrize('shape, axis', [((5,), 0), ((4, 5, 3), 1)])
def test_unbatched_and_spatial_probabilities_warn_too(shape, axis):
    probs = _simplex(shape, axis, 9)
    target = np.zeros(shape[:axis] + shape[axis + 1:], dtype=np.int64)
    with pytest.warns(UserWarning, match='raw logits'):
        F.cross_entropy(mg.tensor(probs), target)


def test_probabilities_passed_to_nll_loss_warn():
    probs = F.softmax(mg.randn(8, 5), 1)
    with pytest.warns(UserWarning, match='nll_loss wants log-probabilities') as caught:
        F.nll_loss(probs, np.arange(8) % 5)
    assert caught[0].filename == __file__


def test_log_probabilities_never_warn_in_nll_loss():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for seed in range(50):
            mg.manual_seed(seed)
            F.nll_loss(F.log_softmax(mg.randn(16, 4), 1), np.arange(16) % 4)
        F.nll_loss(F.log_softmax(mg.randn(6, 1), 1), np.zeros(6, dtype=np.int64))   # all zeros


def test_ordinary_logits_never_warn():
    rng = _rng(10)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for seed in range(200):
            mg.manual_seed(seed)
            n, c = int(rng.integers(1, 65)), int(rng.integers(2, 12))
            F.cross_entropy(mg.randn(n, c), rng.integers(0, c, n))
        # logits that happen to lie in [0, 1] but do not sum to 1
        F.cross_entropy(mg.tensor(rng.uniform(0, 1, (64, 10))), rng.integers(0, 10, 64))
        # a first row that sums to 1 and the rest that do not
        x = rng.uniform(0, 1, (16, 4))
        x[0] = [0.25, 0.25, 0.25, 0.25]
        F.cross_entropy(mg.tensor(x), np.zeros(16, dtype=np.int64))
        # a single class: every logit of 1 would "sum to 1"
        F.cross_entropy(mg.ones(5, 1), np.zeros(5, dtype=np.int64))
        # log-probabilities are fine logits (log_softmax is idempotent)
        F.cross_entropy(F.log_softmax(mg.randn(8, 3), 1), np.zeros(8, dtype=np.int64))


@pytest.mark.parametrize('name', ['mse_loss', 'l1_loss', 'huber_loss'])
def test_regression_target_of_another_shape_warns_like_pytorch(name):
    fn = getattr(F, name)
    with pytest.warns(UserWarning, match=r'Using a target size \(\(4,\)\) that is different to '
                                         r'the input size \(\(4, 1\)\)') as caught:
        loss = fn(mg.zeros(4, 1), mg.zeros(4), reduction='none')
    assert caught[0].filename == __file__                    # points at the caller's line
    assert loss.shape == (4, 4)                              # the silent broadcast it warns about
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        fn(mg.zeros(4, 1), mg.zeros(4, 1))


def test_warnings_go_through_the_warnings_module():
    probs = F.softmax(mg.randn(4, 3), 1)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        F.cross_entropy(probs, [0, 1, 2, 0])                 # filtered: silent
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        with pytest.raises(UserWarning):
            F.mse_loss(mg.zeros(3, 1), mg.zeros(3))


# --------------------------------------------------------------- errors

def test_regression_target_that_cannot_broadcast_raises():
    with pytest.raises(RuntimeError, match=r'target size \(4,\) cannot be broadcast to the input size \(3,\)'):
        F.mse_loss(mg.zeros(3), mg.zeros(4))


def test_bce_input_outside_0_1_raises_and_suggests_logits():
    with pytest.raises(ValueError, match=r'in \[0, 1\].*from -0.5 to 2.*binary_cross_entropy_with_logits'):
        F.binary_cross_entropy(mg.tensor([-0.5, 0.5, 2.0]), mg.tensor([0.0, 1.0, 1.0]))


def test_bce_target_outside_0_1_raises():
    with pytest.raises(ValueError, match=r'targets in \[0, 1\]'):
        F.binary_cross_entropy(mg.tensor([0.5, 0.5]), mg.tensor([0.0, 2.0]))


@pytest.mark.parametrize('name', ['binary_cross_entropy', 'binary_cross_entropy_with_logits'])
def test_bce_target_of_another_shape_raises(name):
    with pytest.raises(ValueError, match=r'target size \(\(4, 1\)\).*input size \(\(4,\)\)'):
        getattr(F, name)(mg.full((4,), 0.5), mg.zeros(4, 1))


@pytest.mark.parametrize('name', ['cross_entropy', 'nll_loss'])
@pytest.mark.parametrize('bad', [3, -1, 7])
def test_class_index_out_of_range_raises_naming_the_classes(name, bad):
    with pytest.raises(ValueError, match=rf'class index {bad}, out of range for 3 classes.*\[0, 2\]'):
        getattr(F, name)(mg.zeros(4, 3), [0, 1, bad, 2])


@pytest.mark.parametrize('name', ['cross_entropy', 'nll_loss'])
def test_float_class_index_target_raises_naming_shape_and_classes(name):
    with pytest.raises(ValueError, match=r'shape \(N,\) = \(4,\) with class indices in \[0, 2\] '
                                         r'for 3 classes.*dtype float32'):
        getattr(F, name)(mg.zeros(4, 3), mg.tensor([0.0, 1.0, 2.0, 1.0]))


@pytest.mark.parametrize('name', ['cross_entropy', 'nll_loss'])
@pytest.mark.parametrize('target_shape', [(4, 1), (5,), (2, 2)])
def test_class_index_target_of_wrong_shape_raises(name, target_shape):
    with pytest.raises(ValueError, match=r'shape \(N,\) = \(4,\) .*for 3 classes.*'
                                         + rf'target has shape \({target_shape[0]},'):
        getattr(F, name)(mg.zeros(4, 3), np.zeros(target_shape, dtype=np.int64))


@pytest.mark.parametrize('name', ['cross_entropy', 'nll_loss'])
@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_unbatched_logits_take_a_0d_or_one_element_target_as_pytorch_does(torch, name, reduction):
    x = np.random.default_rng(0).standard_normal(5).astype(np.float32)
    for target in ([1], 1):
        ours, theirs = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        loss = getattr(F, name)(ours, mg.tensor(target), reduction=reduction)
        expected = getattr(torch.nn.functional, name)(theirs, torch.tensor(target), reduction=reduction)
        assert tuple(loss.shape) == tuple(expected.shape) == ()
        loss.backward()
        # torch 2.13's backward refuses the (1,) target its forward took ("size mismatch"):
        # minigrad gives the gradient of the 0-d target it stands for.
        getattr(torch.nn.functional, name)(theirs, torch.tensor(1), reduction=reduction).backward()
        np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize('name', ['cross_entropy', 'nll_loss'])
@pytest.mark.parametrize('target', [np.array([1, 0, 2]), np.array([1.0, 0.0, 2.0]), np.zeros((1, 1), np.int64)])
def test_1d_logits_with_a_batch_target_say_logits_should_be_n_by_c(torch, name, target):
    with pytest.raises(ValueError) as info:
        getattr(F, name)(mg.zeros(5), target)
    message = str(info.value)
    assert 'logits of shape (N, C)' in message and '(C,) = (5,) with a 0-d integer target' in message
    assert f'target has{" dtype float64 and" if target.dtype.kind == "f" else ""} shape {target.shape}' in message
    if target.shape == (3,):    # N labels for one sample's scores: the batch is missing its class dim
        assert 'for a batch of 3 samples pass logits of shape (3, C)' in message
    with pytest.raises((ValueError, RuntimeError)):     # PyTorch refuses them too
        getattr(torch.nn.functional, name)(torch.zeros(5), torch.tensor(target))


def test_integer_target_of_input_shape_raises():
    with pytest.raises(ValueError, match=r'class probabilities and must be floating point.*\(N,\) = \(2,\)'):
        F.cross_entropy(mg.zeros(2, 3), np.eye(3, dtype=np.int64)[[0, 1]])


@pytest.mark.parametrize('call, match', [
    (lambda: F.cross_entropy(mg.zeros(2, 3), [0, 1], weight=np.ones(2)), r'one value per class, shape \(3,\)'),
    (lambda: F.nll_loss(mg.zeros(2, 3), [0, 1], weight=np.ones(4)), r'one value per class, shape \(3,\)'),
    (lambda: F.cross_entropy(mg.zeros(2, 3), [0, 1], label_smoothing=1.5), 'between 0.0 and 1.0'),
    (lambda: F.cross_entropy(mg.zeros(2, 3), np.full((2, 3), 1 / 3), ignore_index=1), 'ignore_index'),
    (lambda: F.cross_entropy(mg.zeros(2, 3), [0, 1], reduction='avg'), 'avg is not a valid value for reduction'),
    (lambda: F.mse_loss(mg.zeros(2), mg.zeros(2), reduction='elementwise'), 'not a valid value'),
    (lambda: F.huber_loss(mg.zeros(2), mg.zeros(2), delta=0.0), 'non-positive values for delta'),
    (lambda: F.cross_entropy(mg.tensor(1.0), 0), r'\(N, C\) or \(C,\)'),
    (lambda: F.binary_cross_entropy(mg.full((2, 3), 0.5), mg.zeros(2, 3), weight=np.ones(4)),
     r'weight of shape \(4,\) does not broadcast'),
    (lambda: F.binary_cross_entropy_with_logits(mg.zeros(2, 3), mg.zeros(2, 3), pos_weight=np.ones(2)),
     r'pos_weight of shape \(2,\)'),
])
def test_bad_options_raise_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_weight_that_requires_grad_is_refused_as_in_pytorch():
    with pytest.raises(RuntimeError, match="not differentiable with respect to 'weight'"):
        F.cross_entropy(mg.zeros(2, 3), [0, 1], weight=mg.ones(3, requires_grad=True))


def test_non_tensor_or_integer_input_raises_type_error():
    with pytest.raises(TypeError, match='minigrad Tensor'):
        F.mse_loss(np.zeros(3), np.zeros(3))
    with pytest.raises(TypeError, match='floating point'):
        F.cross_entropy(mg.tensor([[1, 2]]), [0])


# ------------------------------------------------------ PyTorch as oracle

def _torch_value_and_grads(torch, case, reduction):
    name, x, t, target_grad, options = case
    xt = torch.tensor(x, requires_grad=True)
    tt = torch.tensor(t, requires_grad=target_grad and t.dtype.kind == 'f')
    kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        out = getattr(torch.nn.functional, name)(xt, tt, reduction=reduction, **kw)
    direction = np.random.default_rng(0).standard_normal(out.shape)
    out.backward(torch.tensor(direction))
    grad_t = tt.grad.numpy() if tt.requires_grad else None
    return out.detach().numpy(), xt.grad.numpy(), grad_t, direction


@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('case', CASES, ids=_case_id)
def test_matches_pytorch(torch, case, reduction):
    value, grad_x, grad_t, direction = _torch_value_and_grads(torch, case, reduction)
    _, x, t, target_grad, _ = case
    xs, ts = mg.tensor(x, requires_grad=True), _target(t, target_grad)
    out = _minigrad_loss(case, reduction)(xs, ts)
    out.backward(direction)
    assert out.shape == value.shape
    np.testing.assert_allclose(out._array, value, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xs.grad._array, grad_x, rtol=1e-10, atol=1e-12)
    if grad_t is not None:
        np.testing.assert_allclose(ts.grad._array, grad_t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
@pytest.mark.parametrize('beta', [1.0, 0.3, 0.0])
def test_smooth_l1_matches_torch(torch, beta, reduction):
    target = np.linspace(-2, 2, 12).reshape(3, 4)
    diffs = np.array([-3.0, -1.0, -0.3, -1e-3, 0.0, 0.0, 1e-3, 0.3, 1.0, 0.29, 3.0, -0.31]).reshape(3, 4)
    pairs = both_libraries(torch, lambda x, t: F.smooth_l1_loss(x, t, reduction=reduction, beta=beta),
                  lambda x, t: torch.nn.functional.smooth_l1_loss(x, t, reduction=reduction, beta=beta),
                  [target + diffs, target])
    assert_agree(pairs, rtol=1e-10)


def _hvp(lib, f, array):
    x = lib.tensor(array, dtype=lib.float64, requires_grad=True)
    g, = lib.autograd.grad(f(lib, x), x, create_graph=True)
    v = lib.tensor(np.cos(np.arange(array.size)).reshape(array.shape), dtype=lib.float64)
    h, = lib.autograd.grad((g * v).sum(), x)
    return h.detach().numpy()


HVP_CASES = {
    'textbook, none, (N, C, d)': (lambda L, x: (L.nn.functional.cross_entropy(
        x, L.tensor([[0, 2], [1, 1], [2, 0]]), reduction='none') ** 2).sum(), (3, 3, 2)),
    'textbook, unbatched (C,)': (lambda L, x: L.nn.functional.cross_entropy(x, L.tensor(2)) ** 2,
                                 (4,)),
    'options, none, ignored': (lambda L, x: (L.nn.functional.cross_entropy(
        x, L.tensor([0, -100, 3]), weight=L.tensor([1.0, 2.0, 0.5, 1.5], dtype=L.float64),
        label_smoothing=0.3, reduction='none') ** 2).sum(), (3, 4)),
}


@needs_torch
@pytest.mark.parametrize('name', list(HVP_CASES))
def test_hessian_vector_products_of_both_paths_match_pytorch(name):
    f, shape = HVP_CASES[name]
    array = np.random.default_rng(4).standard_normal(shape)
    np.testing.assert_allclose(_hvp(mg, f, array), _hvp(torch, f, array), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_huber_loss_weight_matches_torch(torch, reduction):
    rng = np.random.default_rng(7)
    x, t, w = rng.standard_normal((4, 3)) * 2, rng.standard_normal((4, 3)), rng.random((4, 3))
    pairs = both_libraries(torch, lambda a, b, c: F.huber_loss(a, b, reduction=reduction, delta=0.7, weight=c),
                           lambda a, b, c: torch.nn.functional.huber_loss(a, b, reduction=reduction, delta=0.7,
                                                                          weight=c), [x, t, w])
    assert_agree(pairs, rtol=1e-12)
    assert mg.gradgradcheck(lambda a: F.huber_loss(a, mg.tensor(t), delta=0.7, weight=mg.tensor(w)),
                            mg.tensor(x, requires_grad=True))
    with pytest.raises(ValueError, match='Weights and input must have the same size'):
        F.huber_loss(mg.tensor(x), mg.tensor(t), weight=mg.tensor(w[0]))
