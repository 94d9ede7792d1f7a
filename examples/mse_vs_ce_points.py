#!/usr/bin/env python
"""Which training points carry the gradient when MSE stalls: the per-point part of the
MSE-vs-cross-entropy lab (examples/mse_vs_ce.py).

A stalled run's output-layer gradient can be as large as a training run's: its norm says how
much gradient there is, not where it points. So this file looks at each training point's own
gradient at its logits, g_i = dL/dz_i (the loss's 'mean' reduction included), at the end of a
run, and splits it two ways:

    |g_i|         how much gradient the point sends (the L2 norm over its K logits);
    pull_i        -g_i[y_i], how much a step of gradient descent raises the logit of the
                  point's own class y_i: the part of g_i that can make a wrong point right.

For softmax + MSE on a one-hot target, pull_i = 2/(N K) * p_y (1 - p_y + sum_k p_k^2 - p_y),
which carries the factor p_y: a point whose own class has p_y ~ 0 sends almost no pull, however
large |g_i| is. (The rest of its gradient moves probability between the wrong classes: MSE is
also lowered by spreading a wrong answer more evenly.) Cross-entropy's pull is (1 - p_y)/N.

`per_point_summary` measures one trained model (run_one calls it when a job asks for it);
`plateau_results` and `plateau_bullet` turn the saturated runs of `--docs` into the README's
account of the plateau. This file imports nothing of the lab's: the lab imports it only in
run_one, when a job asks for it.
"""
import numpy as np

import minigrad as mg
import minigrad.nn.functional as F

SATURATED = 0.01        # a wrong point is saturated when its own class gets p_y below this
GIVEN_UP = 0.05         # a class is given up when at most this fraction of its points is right
EXTEND_STEPS = 4000     # --docs re-runs the stalled MSE runs this long: do they escape?


def per_point_summary(model, X, y, loss_fn):
    """Where the gradient of loss_fn(model(X), y) sits among the points (see the docstring),
    and where cross-entropy's gradient would sit on the same model. Plain numbers."""
    with mg.no_grad():
        hidden = model[:-1](mg.from_numpy(X)).numpy().astype(np.float64)
        logits = model(mg.from_numpy(X)).numpy()
    K = logits.shape[1]
    g = {'loss': _logit_grads(logits, y, loss_fn), 'ce': _logit_grads(logits, y, F.cross_entropy)}
    z = logits.astype(np.float64)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(y))
    p_true, right = p[rows, y], p.argmax(axis=1) == y
    per_class = [float(np.mean(right[y == k])) for k in range(K)]
    given_up = [k for k in range(K) if per_class[k] <= GIVEN_UP]
    groups = {'right': right, 'wrong': ~right & (p_true >= SATURATED),
              'wrong_saturated': ~right & (p_true < SATURATED)}
    out = dict(accuracy=float(np.mean(right)), per_class_accuracy=per_class, given_up=given_up,
               given_up_points=int(np.isin(y, given_up).sum()),
               grad_out=float(np.sqrt(np.sum((g['loss'].T @ hidden) ** 2)
                                      + np.sum(g['loss'].sum(axis=0) ** 2))),
               groups={name: dict(n=int(m.sum()),
                                  p_true_median=float(np.median(p_true[m])) if m.any() else None)
                       for name, m in groups.items()})
    for which, grad in g.items():
        size, pull = np.linalg.norm(grad, axis=1), -grad[rows, y]
        push = np.clip(pull, 0, None)
        for name, m in groups.items():
            out['groups'][name][which] = dict(
                size_share=_share(size, m), pull_share=_share(push, m),
                pull_over_size=float(np.median(pull[m] / size[m])) if m.any() and
                np.all(size[m] > 0) else None)
        out[which] = dict(points_for_90_size=_points_for(size, 0.9),
                          points_for_90_pull=_points_for(push, 0.9))
    return out


def _logit_grads(logits, y, loss_fn):
    z = mg.tensor(logits, requires_grad=True)
    loss_fn(z, mg.from_numpy(y)).backward()
    return z.grad.numpy().astype(np.float64)


def _share(values, mask):
    total = values.sum()
    return float(values[mask].sum() / total) if total > 0 else None


def _points_for(values, fraction):
    """The fewest points holding `fraction` of the sum of `values` (0 when it is 0)."""
    total = values.sum()
    if total <= 0:
        return 0
    ordered = np.cumsum(np.sort(values)[::-1]) / total
    return int(np.searchsorted(ordered, fraction) + 1)


# ------------------------------------------------------------------ --docs

def plateau_jobs(runs, cfg, target):
    """The MSE runs of the saturated setting that missed the target, again for EXTEND_STEPS."""
    return [dict(task=r['task'], seed=r['seed'], loss='mse', lr=r['lr'], setting=r['setting'],
                 tag='extended', cfg=dict(cfg, steps=EXTEND_STEPS, target=target),
                 stop_at_target=True, curves=False)
            for r in runs if r['loss'] == 'mse' and r['steps_to_target'] is None
            and not r['jitter']]


def plateau_results(runs, extended):
    """For MSE at each rate from the saturated start: the runs by how many classes they gave up
    after their steps, where their gradient sat, and whether more steps got them out."""
    out = {}
    longer = {(r['setting'], r['seed']): r for r in extended}
    for setting in ('own', 'shared'):
        group = [r for r in runs if r['loss'] == 'mse' and r['setting'] == setting
                 and not r['jitter'] and 'per_point' in r]
        if not group:
            continue
        entry = dict(lr=group[0]['lr'], seeds=len(group), by_given_up={})
        for n in sorted({len(r['per_point']['given_up']) for r in group}):
            mine = [r for r in group if len(r['per_point']['given_up']) == n]
            stalled = [r for r in mine if r['steps_to_target'] is None]
            again = [longer[(setting, r['seed'])] for r in stalled if (setting, r['seed']) in longer]
            escaped = [r['steps_to_target'] for r in again if r['steps_to_target'] is not None]
            entry['by_given_up'][str(n)] = dict(
                runs=len(mine), reached=len(mine) - len(stalled),
                final_train_acc=_spread([r['final_train_acc'] for r in mine]),
                grad_out_end=_spread([r['per_point']['grad_out'] for r in mine]),
                extended=len(again), escaped=len(escaped),
                escaped_steps=_spread(escaped) if escaped else None,
                **(_where(mine) if n == 1 else {}))
        out[setting] = entry
    return out


def _where(runs):
    """Where the gradient of the runs that gave up one class sits, over those runs."""
    pp = [r['per_point'] for r in runs]
    sat = [p['groups']['wrong_saturated'] for p in pp]
    return dict(
        given_up_points=_spread([p['given_up_points'] for p in pp]),
        saturated_wrong=_spread([s['n'] for s in sat]),
        unsaturated_wrong=_spread([p['groups']['wrong']['n'] for p in pp]),
        p_true_saturated=_spread([s['p_true_median'] for s in sat]),
        size_share=_spread([s['loss']['size_share'] for s in sat]),
        pull_share=_spread([s['loss']['pull_share'] for s in sat]),
        pull_over_size=_spread([s['loss']['pull_over_size'] for s in sat]),
        ce_pull_share=_spread([s['ce']['pull_share'] for s in sat]),
        ce_pull_over_size=_spread([s['ce']['pull_over_size'] for s in sat]),
        points_for_90_pull=_spread([p['loss']['points_for_90_pull'] for p in pp]),
        points_for_90_size=_spread([p['loss']['points_for_90_size'] for p in pp]))


def _spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return dict(median=float(np.median(values)), min=float(np.min(values)),
                max=float(np.max(values)))


def plateau_claims(plateau):
    """The plateau's qualitative claims, computed: the README's wording follows them."""
    one = [e['by_given_up'].get('1') for e in plateau.values()]
    one = [o for o in one if o]
    two = [e['by_given_up'].get('2') for e in plateau.values()]
    two = [t for t in two if t]
    return dict(
        stalled_runs_gave_up_classes=all(
            b['reached'] == 0 for e in plateau.values() for n, b in e['by_given_up'].items()
            if n != '0'),
        one_class_pull_negligible=bool(one) and all(
            o['pull_share']['median'] < 0.01 and o['ce_pull_share']['median'] > 0.5 for o in one),
        one_class_grad_not_small=bool(one) and all(o['grad_out_end']['median'] > 1e-3
                                                   for o in one),
        two_classes_grad_vanished=bool(two) and all(t['grad_out_end']['max'] < 1e-4
                                                    for t in two),
        one_class_mostly_escapes=bool(one) and all(o['escaped'] * 2 > o['extended']
                                                   for o in one),
        two_classes_rarely_escape=bool(two) and 5 * sum(t['escaped'] for t in two)
        <= sum(t['extended'] for t in two))


# ------------------------------------------------------------------ the README's words

def _pct(value):
    """A share as a percentage with the digits it needs: 58%, 0.9%, 0.003%."""
    pct = 100 * value
    return f'{pct:.0f}%' if pct >= 10 else f'{pct:.2g}%'


def _med(spread, fmt='{:.3g}'):
    return fmt.format(spread['median'])


def plateau_bullet(results):
    """The README's account of where a stalled MSE run's gradient goes, from results['plateau']
    (the numbers) and results['claims'] (the wording)."""
    plateau, C = results['plateau'], results['claims']
    steps = results['experiments']['saturated']['steps']
    target = f'{results["protocol"]["target"]:.0%}'
    own, shared = plateau['own'], plateau['shared']
    one, one_sh = own['by_given_up'].get('1'), shared['by_given_up'].get('1')
    two = [e['by_given_up']['2'] for e in plateau.values() if '2' in e['by_given_up']]
    out = (f'- **Why a stalled MSE run stalls, point by point.** A class is *given up* when at '
           f'most {GIVEN_UP:.0%} of its training points end up right. From the saturated start, '
           f'at MSE\'s own rate ({own["lr"]:g}) {_counts(own, target)}; at cross-entropy\'s '
           f'({shared["lr"]:g}) {_counts(shared, target)}'
           + ('; no run that gave up a class reached it'
              if C['plateau_stalled_runs_gave_up_classes'] else '') + '. ')
    if one:
        out += (f'Giving up one class of three leaves about 2/3 of the points right (median final '
                f'training accuracy {_med(one["final_train_acc"], "{:.2f}")}), two leave 1/3: '
                f'those runs predict one class everywhere. ')
    if two and C['plateau_two_classes_grad_vanished']:
        out += (f'In the two-class runs the gradient has all but vanished: the output layer\'s '
                f'gradient at step {steps:,} is at most {max(t["grad_out_end"]["max"] for t in two):.1g}. ')
    if one:
        ce = next(r for r in results['experiments']['saturated']['rows']
                  if r['setting'] == 'own' and r['loss'] == 'ce')
        out += _where_text(one, one_sh, steps, C, ce['grad_early_median'])
    return out + _longer_text(plateau, steps, target, C)


def _counts(entry, target):
    b = entry['by_given_up']
    parts = [f'{b[n]["runs"] - b[n]["reached"]} {what}' for n, what in
             (('1', 'gave up one class'), ('2', 'two'), ('0', 'none'))
             if n in b and b[n]['runs'] > b[n]['reached']]
    missed = sum(e['runs'] - e['reached'] for e in b.values())
    return f'{missed} of {entry["seeds"]} runs missed {target}: ' + ', '.join(parts)


def _where_text(one, one_sh, steps, C, ce_early):
    """Where the gradient of the runs that gave up one class goes (own rate; shared in brackets)."""
    return (('In the one-class runs it has not' if C['plateau_one_class_grad_not_small']
             else 'In the one-class runs it is small too') +
            f': its median at step {steps:,} is {_med(one["grad_out_end"])} '
            f'({_med(one_sh["grad_out_end"])} at cross-entropy\'s rate), comparable to '
            f'cross-entropy\'s over updates 1–100 in the table ({ce_early:.3g}). Each training point\'s own gradient at its logits shows where '
            f'it goes. The given-up class\'s {_med(one["given_up_points"], "{:.0f}")} points '
            f'(median) are wrong with their own class at a probability p_y of '
            f'{_med(one["p_true_saturated"], "{:.1g}")} (median) and still send '
            f'{_pct(one["size_share"]["median"])} of MSE\'s per-point gradient '
            f'({_pct(one_sh["size_share"]["median"])} at cross-entropy\'s rate; medians over '
            f'runs), but {"only " if C["plateau_one_class_pull_negligible"] else ""}'
            f'{_pct(one["pull_share"]["median"])} '
            f'({_pct(one_sh["pull_share"]["median"])}; at most '
            f'{_pct(max(one["pull_share"]["max"], one_sh["pull_share"]["max"]))}) of its '
            f'pull toward the points\' own classes (the part of the gradient that raises the '
            f'right class\'s logit). MSE\'s pull on a point carries the factor p_y; the rest '
            f'of what these points send moves probability between the two wrong classes, '
            f'which lowers MSE too. The pull comes from a handful of points near the '
            f'boundaries: 90% of it from {_med(one["points_for_90_pull"], "{:.0f}")} points '
            f'(median). On the same models cross-entropy\'s gradient would put '
            f'{_pct(one["ce_pull_share"]["median"])} of its pull on the given-up points. '
            f'So a gradient norm as large as cross-entropy\'s is no sign of progress: the '
            f'norm counts gradient that pulls no wrong point toward its class.')


def _longer_text(plateau, steps, target, C):
    """Whether the stalled runs got out when given EXTEND_STEPS steps."""
    longer = [(n, e['by_given_up'][n]) for e in plateau.values() for n in ('1', '2')
              if n in e['by_given_up'] and e['by_given_up'][n]['extended']]
    if not longer:
        return ''

    def tally(n):
        groups = [b for m, b in longer if m == n]
        return sum(b['escaped'] for b in groups), sum(b['extended'] for b in groups)
    (e1, n1), (e2, n2) = tally('1'), tally('2')
    settled = C['plateau_one_class_mostly_escapes'] and C['plateau_two_classes_rarely_escape']
    return (f' Run for {EXTEND_STEPS:,} steps instead of {steps:,} (both rates together), '
            f'{e1} of the {n1} one-class runs reached {target}, and {e2} of the {n2} two-class '
            f'runs: ' + ('most 2/3 plateaus are slow phases, while from the 1/3 one, with its '
                         'gradient all but gone, few runs get out.' if settled else
                         'see "plateau" in docs/mse_vs_ce_results.json.'))
