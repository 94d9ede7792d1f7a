"""examples/mse_vs_ce_points.py: which training points carry the gradient at the end of a run,
and the README's account of the plateau built from it."""
import numpy as np
import pytest

import minigrad as mg
from helpers import example_module


@pytest.fixture(scope='module')
def lab():
    return example_module('mse_vs_ce')


@pytest.fixture(scope='module')
def points():
    return example_module('mse_vs_ce_points')


def _softmax(z):
    p = np.exp(z - z.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def test_mse_pull_carries_the_factor_p_y_and_cross_entropys_does_not(lab, points):
    """The docstring's formulas, against autograd: pull = 2/(NK) p_y ((1-p_y)^2 + sum_k!=y p_k^2)
    for softmax + MSE on one-hot targets, (1 - p_y)/N for cross-entropy."""
    gen = np.random.default_rng(0)
    N, K = 50, 3
    logits = gen.normal(size=(N, K)) * 8           # float64: 1 - p_y near p_y = 1 needs it
    y = gen.integers(0, K, N)
    p = _softmax(logits.astype(np.float64))
    p_y = p[np.arange(N), y]
    rest = (p ** 2).sum(axis=1) - p_y ** 2
    rows = np.arange(N)
    mse = points._logit_grads(logits, y, lab.make_loss('mse', K))
    ce = points._logit_grads(logits, y, lab.make_loss('ce', K))
    np.testing.assert_allclose(-mse[rows, y], 2 / (N * K) * p_y * ((1 - p_y) ** 2 + rest),
                               rtol=1e-4, atol=1e-12)
    np.testing.assert_allclose(-ce[rows, y], (1 - p_y) / N, rtol=1e-4, atol=1e-9)


def test_per_point_summary_splits_every_point_once(lab, points):
    X, _, y, _ = lab.load_task('spirals', 1)
    model = lab.make_model('spirals', 1, init_scale=100.0)      # saturated and mostly wrong
    s = points.per_point_summary(model, X, y, lab.make_loss('mse', 3))
    groups = s['groups']
    assert sum(g['n'] for g in groups.values()) == len(y)
    for which in ('loss', 'ce'):
        assert sum(g[which]['size_share'] for g in groups.values()) == pytest.approx(1)
        assert sum(g[which]['pull_share'] for g in groups.values()) == pytest.approx(1)
    assert s['accuracy'] == pytest.approx(groups['right']['n'] / len(y))
    assert s['given_up'] == [k for k, a in enumerate(s['per_class_accuracy']) if a <= 0.05]
    assert s['given_up_points'] == int(np.isin(y, s['given_up']).sum())
    assert groups['wrong_saturated']['n'] > 0 and groups['wrong_saturated']['p_true_median'] < 0.01
    # the output layer's gradient, as a backward pass through the whole model computes it
    model.zero_grad()
    lab.make_loss('mse', 3)(model(mg.from_numpy(X)), mg.from_numpy(y)).backward()
    last = model[4]
    full = np.sqrt(np.sum(last.weight.grad.numpy().astype(np.float64) ** 2)
                   + np.sum(last.bias.grad.numpy().astype(np.float64) ** 2))
    assert s['grad_out'] == pytest.approx(full, rel=1e-3)


def test_points_for_counts_the_fewest_points_holding_the_fraction(points):
    assert points._points_for(np.array([0.0, 5.0, 3.0, 1.0, 1.0]), 0.9) == 3
    assert points._points_for(np.zeros(4), 0.9) == 0


def _run(seed, setting, reached, given_up, acc, grad):
    groups = {name: dict(n=1, p_true_median=1e-8, loss=dict(size_share=0.5, pull_share=1e-4,
                                                            pull_over_size=1e-5),
                         ce=dict(size_share=0.9, pull_share=0.9, pull_over_size=0.7))
              for name in ('right', 'wrong', 'wrong_saturated')}
    return dict(task='spirals', seed=seed, loss='mse', lr=0.1 if setting == 'own' else 0.05,
                setting=setting, jitter=False, steps_to_target=100 if reached else None,
                final_train_acc=acc,
                per_point=dict(given_up=list(range(given_up)), given_up_points=160,
                               grad_out=grad, groups=groups,
                               loss=dict(points_for_90_pull=12, points_for_90_size=90),
                               ce=dict(points_for_90_pull=150, points_for_90_size=150)))


def test_plateau_results_group_runs_by_the_classes_they_gave_up(points):
    runs = [_run(0, 'own', True, 0, 0.99, 1e-3), _run(1, 'own', False, 1, 0.65, 2e-2),
            _run(2, 'own', False, 2, 0.33, 1e-9), _run(0, 'shared', False, 1, 0.64, 1e-2),
            _run(1, 'shared', False, 2, 0.34, 1e-10)]
    jobs = points.plateau_jobs(runs, dict(steps=1000, target=0.95, init_scale=100.0,
                                          zero_output=False), 0.95)
    assert [(j['setting'], j['seed']) for j in jobs] == [('own', 1), ('own', 2), ('shared', 0),
                                                         ('shared', 1)]
    assert all(j['cfg']['steps'] == points.EXTEND_STEPS and j['stop_at_target'] for j in jobs)
    extended = [dict(setting='own', seed=1, steps_to_target=1500),
                dict(setting='own', seed=2, steps_to_target=None),
                dict(setting='shared', seed=0, steps_to_target=2500),
                dict(setting='shared', seed=1, steps_to_target=None)]
    plateau = points.plateau_results(runs, extended)
    own = plateau['own']['by_given_up']
    assert (own['0']['runs'], own['0']['reached'], own['1']['escaped'], own['2']['escaped']) == \
        (1, 1, 1, 0)
    assert own['1']['pull_share']['median'] == 1e-4 and 'pull_share' not in own['2']
    claims = points.plateau_claims(plateau)
    assert all(claims.values()), claims
    results = dict(plateau=plateau, claims={'plateau_' + k: v for k, v in claims.items()},
                   experiments=dict(saturated=dict(steps=1000, rows=[dict(
                       setting='own', loss='ce', grad_early_median=0.0283)])),
                   protocol=dict(target=0.95))
    text = points.plateau_bullet(results)
    assert 'gave up one class' in text and 'most 2/3 plateaus are slow phases' in text
    assert '2 of the 2 one-class runs' in text and '0 of the 2 two-class runs' in text
