#!/usr/bin/env python
"""The 27-class part of the MSE-vs-cross-entropy lab's --docs protocol (mse_vs_ce_docs.py): the
claims, the table and the bullet the README gets from the `names` setting, the next character
of a name from the one-hot of the 3 characters before it.

Two things differ from the other tasks. Next-character accuracy tops out near 30%, so "steps
to target" counts to each seed's count bigram model's training accuracy (mse_vs_ce.task_target),
not 95%. And a language model is judged by the test split's negative log-likelihood (NLL) under
its softmax, which both losses produce: the table and the bullet give it beside the steps. At
a uniform start MSE's output-layer gradient is K²/2 = 364.5 times smaller than cross-entropy's,
so its sweep runs on a grid that goes to 1000 (TASKS['names']['lr_grid']).
"""
import math

from mse_vs_ce import NAMES_PER_RUN, TASKS
from mse_vs_ce_report import (half_k2, row_of, steps_text, table_head, table_rows, target_span,
                               times, verdict)

KEY = 'names'               # the setting's key in DOCS_PROTOCOL and in the results file
TARGET_LABEL = 'bigram acc.'


def mean_verdict(a, b, key, lower_is_better):
    """Which of two rows did better on the mean over seeds of `key` ('test_nll',
    'final_test_acc'): 'a', 'b', or 'tie' (means within the larger seed-to-seed standard
    deviation)."""
    diff = b[key + '_mean'] - a[key + '_mean']
    if abs(diff) <= max(a[key + '_std'], b[key + '_std']):
        return 'tie'
    return 'a' if (diff > 0) == lower_is_better else 'b'


def names_claims(results):
    """The names bullet's qualitative statements, computed from the results file alone."""
    e = results['experiments'][KEY]
    ce, own, shared = row_of(e, 'own', 'ce'), row_of(e, 'own', 'mse'), row_of(e, 'shared', 'mse')
    half, lr = half_k2(e), e['lr']
    ratio = lr['mse'] / lr['ce']
    grid = results['protocol']['lr_grid_by_task'][KEY]
    return {
        'names_own': verdict(ce, own),
        'names_shared': verdict(ce, shared),
        'names_nll_own': mean_verdict(ce, own, 'test_nll', lower_is_better=True),
        'names_nll_shared': mean_verdict(ce, shared, 'test_nll', lower_is_better=True),
        'names_test_acc_own': mean_verdict(ce, own, 'final_test_acc', lower_is_better=False),
        'names_start_ratio_near_half_K2': abs(e['start_ratio']['median'] / half - 1) < 0.2,
        'names_uniform_ratio_is_half_K2': results['zero_output'][KEY]['max_rel_error'] < 1e-5,
        'names_mse_lr_vs_half_K2': ('short' if ratio < half / 2 else
                                    'beyond' if ratio > 2 * half else 'near'),
        'names_picks_inside_grid': all(grid[0] < lr[k] < grid[-1] for k in ('ce', 'mse')),
        'names_outcomes_stable': all(n['flipped'] == 0 for n in e['nudged']),
    }


def names_table(results, early):
    """The README's names table, with the sentence before it."""
    e = results['experiments'][KEY]
    spec = TASKS[e['task']]
    ce = row_of(e, 'own', 'ce')
    return ['', f'On 27 classes: the next character of a name, from the one-hot of the 3 '
                f'characters before it ({NAMES_PER_RUN:,} of the bundled names sampled per seed, '
                f'split 80/20 by name; mini-batches of {spec["batch_size"]}, {e["steps"]:,} steps, '
                f'{e["seeds"]} seeds). Next-character accuracy tops out near 30%, so the target is '
                f'each seed\'s count bigram model\'s training accuracy '
                f'({target_span([ce])}), checked on the whole '
                f'training split every {spec["eval_every"]} steps:',
            '', table_head(TARGET_LABEL, early)] + table_rows(e, 'names (K = 27)')


def names_bullet(results):
    """What happened on 27 classes, in words that follow names_claims."""
    C, e = results['claims'], results['experiments'][KEY]
    ce, own, shared = row_of(e, 'own', 'ce'), row_of(e, 'own', 'mse'), row_of(e, 'shared', 'mse')
    zero, lr, ratio = results['zero_output'][KEY], e['lr'], e['start_ratio']
    title = {
        'tie': 'On 27 classes a tuned learning rate absorbs the constant factor too.',
        'a': 'On 27 classes cross-entropy stays ahead even at the tuned rates.',
        'b': 'On 27 classes MSE is ahead at the tuned rates.',
        'unclear': 'On 27 classes the tuned rates leave it unclear which loss does better.',
    }[C['names_own']]
    exact = 'equal to' if C['names_uniform_ratio_is_half_K2'] else 'close to'
    lr_text = {'short': ', a factor well short of K²/2: the larger rates did worse in the '
                        'sweep',
               'near': ', close to K²/2', 'beyond': ', beyond K²/2'}[C['names_mse_lr_vs_half_K2']]
    if not C['names_picks_inside_grid']:
        lr_text += ' (at the edge of the grid: a rate beyond it might do better)'
    return (
        f'- **{title}** On the next-character task (K = 27, the last table), cross-entropy\'s '
        f'output-layer gradient at a uniform start is {zero["ratios"][0]:.6g}× MSE\'s, {exact} '
        f'K²/2 = {half_k2(e):g} to within {zero["max_rel_error"]:.1g}; from PyTorch\'s '
        f'initialisation it is {ratio["median"]:.3g}× (median over seeds; {ratio["min"]:.3g} to '
        f'{ratio["max"]:.3g})'
        + (', near K²/2: that start is close to uniform' if C['names_start_ratio_near_half_K2']
           else ', not near K²/2')
        + f'. MSE\'s sweep (rates up to '
        f'{results["protocol"]["lr_grid_by_task"][KEY][-1]:g}) picked {lr["mse"]:g}, '
        f'{lr["mse"] / lr["ce"]:g}× cross-entropy\'s {lr["ce"]:g}{lr_text}. At those rates '
        f'{_own_text(C, ce, own)}; at cross-entropy\'s rate MSE reached it on '
        f'{shared["reached"]}/{shared["seeds"]} seeds'
        + (f' ({steps_text(shared)} steps)' if shared['reached'] else '')
        + f'. After {e["steps"]:,} steps, at their own rates, {_accuracy_text(C, ce, own)}. The '
        f'test split\'s NLL (nats per character under the softmax, whatever loss trained it; '
        f'guessing uniformly gives ln 27 = {math.log(27):.2f}) is {_nll(ce)} for '
        f'cross-entropy, {_nll(own)} for MSE at its own rate and {_nll(shared)} at '
        f'cross-entropy\'s: {_nll_text(C)}. '
        + ('Nudged by one ulp, no run changed whether it reached the target.'
           if C['names_outcomes_stable'] else
           f'Nudged by one ulp, {sum(n["flipped"] for n in e["nudged"])} runs changed whether '
           f'they reached the target.')
        + f' On spirals (K = 3), from the benign start, {_spirals_text(C)}.')


def _spirals_text(C):
    """The 3-class result the 27-class one sits next to."""
    return {'tie': 'the two tie at their tuned rates',
            'a': 'cross-entropy is ahead at the tuned rates too',
            'b': 'MSE is ahead at the tuned rates',
            'unclear': 'the tuned rates leave it unclear'}[C['benign_own']]


def _own_text(C, ce, own):
    """How the two compare at their own rates: by steps when both reached the target on every
    seed (verdict's 'a', 'b' or 'tie'), else by how many seeds reached it."""
    which = C['names_own']
    if ce['reached'] < ce['seeds'] or own['reached'] < own['seeds']:
        return (f'cross-entropy reached the target on {ce["reached"]}/{ce["seeds"]} seeds, MSE on '
                f'{own["reached"]}/{own["seeds"]}'
                + ('' if which == 'unclear' else ' (their 95% intervals do not overlap)'))
    if which == 'tie':
        return (f'the two reached the target about equally fast ({steps_text(ce)} and '
                f'{steps_text(own)} steps: within the seed-to-seed spread)')
    factor = times(ce['steps_to_target_mean'], own['steps_to_target_mean'])
    first = 'cross-entropy' if which == 'a' else 'MSE'
    fast, slow = (ce, own) if which == 'a' else (own, ce)
    return (f'{first} reached the target {factor} sooner ({steps_text(fast)} against '
            f'{steps_text(slow)} steps)')


def _nll(row):
    return f'{row["test_nll_mean"]:.3f} ± {row["test_nll_std"]:.3f}'


def _accuracy_text(C, ce, own):
    acc = f'{ce["final_test_acc_mean"]:.3f} and {own["final_test_acc_mean"]:.3f}'
    return {'tie': f'the two end at the same test accuracy ({acc}: within the seed-to-seed '
                   f'spread)',
            'a': f'cross-entropy ends at a higher test accuracy ({acc})',
            'b': f'MSE ends at a higher test accuracy ({acc} for cross-entropy and MSE)'
            }[C['names_test_acc_own']]


def _nll_text(C):
    own = {'a': 'cross-entropy\'s models predict held-out characters better than MSE\'s, even '
                'at MSE\'s own rate',
           'b': 'MSE\'s models at its own rate predict held-out characters better than '
                'cross-entropy\'s',
           'tie': 'at its own rate MSE\'s models predict held-out characters as well as '
                  'cross-entropy\'s, within the seed-to-seed spread'}[C['names_nll_own']]
    if C['names_nll_own'] == C['names_nll_shared'] == 'a':
        return own
    shared = {'a': 'worse than', 'b': 'better than',
              'tie': 'as well as'}[C['names_nll_shared']]
    return f'{own}; at cross-entropy\'s rate MSE\'s predict them {shared} cross-entropy\'s'
