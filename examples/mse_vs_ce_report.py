#!/usr/bin/env python
"""What the MSE-vs-cross-entropy lab (examples/mse_vs_ce.py) prints after its runs: the table of
each loss's results, and the reading, a plain-words account of them in which every comparison is
computed, not assumed. Lines are wrapped to the lab's WIDTH (100 columns), and a spread over
seeds is printed only where there is more than one seed.

Its last part is the same for the README: the rows of the generated lab block's tables and the
verdict of which of two rows did better, which mse_vs_ce_docs.py and mse_vs_ce_names.py use.
"""
from mse_vs_ce import (EARLY, TASKS, _fmt, fmt_g, fmt_pct, loss_label, say, start_ratio,
                       target_text)


def short_label(loss, binary):
    """The loss's name in the table (loss_label's, shortened to fit the columns)."""
    return {'ce': 'BCE' if binary else 'CE', 'mse': 'MSE', 'mse_raw': 'raw MSE'}[loss]


def print_table(rows, args, binary):
    settings = [('own', 'each loss at the learning rate its own sweep picked'),
                ('shared', 'both losses at one shared learning rate')]
    target = target_text(args.target)
    to = f'steps to {target}' if target.endswith('%') else 'to ' + target.split()[0]
    head = (f'{"loss":<7} {"lr":>6} {to:>12} '
            f'{"reached":>7} {"train acc":>13} {"test acc":>13} {"final loss":>10} '
            f'{"|grad_out| 0":>12} {"1-" + str(EARLY):>9}')
    for setting, title in settings:
        block = [r for r in rows if r['setting'] == setting]
        if not block:
            continue
        print(f'\n{title}:')
        print(head)
        print('-' * len(head))
        for r in block:
            steps = (_fmt(r['steps_to_target_mean'], r['steps_to_target_std'], 0, n=r['reached'])
                     if r['reached'] else 'never')
            acc = [_fmt(r[f'final_{k}_acc_mean'], r[f'final_{k}_acc_std'], n=r['seeds'])
                   for k in ('train', 'test')]
            final_loss = '-' if r['final_loss_mean'] is None else f'{r["final_loss_mean"]:.4f}'
            print(f'{short_label(r["loss"], binary):<7} {r["lr"]:>6g} {steps:>12} '
                  f'{r["reached"]:>3}/{r["seeds"]:<3} {acc[0]:>13} {acc[1]:>13} {final_loss:>10} '
                  f'{fmt_g(r["grad_start_median"]):>12} {fmt_g(r["grad_early_median"]):>9}'
                  + (f' ({r["diverged"]} diverged)' if r['diverged'] else ''))
    losses = dict.fromkeys(r['loss'] for r in rows)
    one = len(args.seed_list) == 1
    say('\n' + '; '.join(f'{short_label(l, binary)}: {loss_label(l, binary)}' for l in losses)
        + '. Steps to target: ' + ('the step at which the seed reached it; ' if one else
                                   'mean ± std over the seeds that reached it; ')
        + 'reached: seeds that reached it, of all seeds; train/test accuracy and (training) '
        'loss after the last step' + (' (one seed: no spread to show)' if one else
                                      ', mean ± std over seeds')
        + f'; |grad_out| 0 and 1-{EARLY}: L2 norm of the gradient of the output layer\'s weight '
        f'and bias, at step 0 and each seed\'s median over updates 1-{EARLY}'
        + ('' if one else ', then the median over seeds (they span decades, and can be '
                          'exactly 0)') + '.'
        + ('' if TASKS[args.task]['batch_size'] is None else
           f' With mini-batches the target is checked on the whole training split every '
           f'{TASKS[args.task]["eval_every"]} steps.')
        + ('' if target.endswith('%') else
           f' The target, per seed: the training accuracy of the count bigram model (the '
           f'character seen most often after the previous one), here {target_span(rows)}.')
        + ' Test NLL after the last step (the softmax\'s, whatever loss trained it; mean over '
          'seeds): ' + '; '.join(dict.fromkeys(f'{short_label(r["loss"], binary)} at '
                                               f'{r["lr"]:g} {_nll(r)}' for r in rows)) + '.')


def _nll(row):
    return '-' if row['test_nll_mean'] is None else f'{row["test_nll_mean"]:.3f}'


def why_half_k_squared(K):
    if K == 2:
        return ('BCE-with-logits gives (p - y)/N per logit; MSE on the sigmoid gives '
                '2(p - y)·p(1-p)/N, and p(1-p) = 1/4 at p = 1/2, so 1/2 of it')
    return ('cross-entropy gives (p - y)/N per logit; MSE on the softmax averages over N·K '
            'numbers and gives 2/(N·K) times the softmax Jacobian times (p - y), which at '
            'p = 1/K is (p - y)/K: 2/K² of it')


def _fraction_text(row):
    low, high = row['reached_low'], row['reached_high']
    return (f'{row["reached"]}/{row["seeds"]} seeds ({fmt_pct(row["reached"] / row["seeds"])}; '
            f'95% interval {fmt_pct(low)}-{fmt_pct(high)})')


def reading(rows, runs, args, K):
    """A plain-words account of this run's numbers: every comparison is computed, not assumed."""
    lines = []
    half_k2 = K * K / 2
    ratio, ratios = start_ratio(runs)
    by = {(r['setting'], r['loss']): r for r in rows}
    if ratio is not None and args.init_scale == 1:
        start = ('exactly uniform (output layer zeroed)' if args.zero_output_layer
                 else 'near uniform (small random output layer)')
        lines.append(
            f'1. A constant factor. At step 0 (same weights) the output-layer gradient of '
            f'cross-entropy is {ratio:.3g}x MSE\'s ({_over_seeds(ratios)}). At a uniform '
            f'start it is exactly '
            f'K²/2 = {half_k2:g}: {why_half_k_squared(K)}. This run starts {start}. A '
            f'constant factor is absorbed by a learning rate that much larger: the rates used '
            f'here are {args.lr_ce:g} for CE and {args.lr_mse:g} for MSE, a ratio of '
            f'{args.lr_mse / args.lr_ce:.3g}.')
    shared = compare(by.get(('shared', 'ce')), by.get(('shared', 'mse')), args,
                     f'2. Shared learning rate {args.shared_lr:g}')
    if shared:
        lines.append(shared)
    own = compare(by.get(('own', 'ce')), by.get(('own', 'mse')), args,
                  f'3. Each at its own rate (CE {args.lr_ce:g}, MSE {args.lr_mse:g})')
    if own:
        lines.append(own)
    if args.init_scale == 1:
        lines.append('4. Saturation is not a constant factor. Rerun with --init-scale 100: the '
                     'outputs then start near 0 and 1 and confidently wrong; MSE\'s gradient '
                     'carries p(1-p) factors that vanish there, cross-entropy\'s (p - y) does '
                     'not, and no learning rate revives a gradient that has underflowed.')
    else:
        lines.append(saturated_reading(by, ratio, ratios, args, half_k2))
    return lines


def _over_seeds(values, what='median over seeds'):
    """'median over seeds, lo to hi', or '1 seed' when there is no spread to give."""
    if len(values) == 1:
        return '1 seed'
    return f'{what}, {fmt_g(min(values, default=None))} to {fmt_g(max(values, default=None))}'


def compare(a, b, args, where):
    """Which of two summary rows (cross-entropy's, MSE's) reached the target sooner, in words."""
    if a is None or b is None:
        return None
    ta, tb = a['steps_to_target_mean'], b['steps_to_target_mean']
    na, nb, n = a['reached'], b['reached'], a['seeds']
    target = target_text(args.target)
    if not na and not nb:
        return f'{where}: neither loss reached {target} within {args.steps} steps.'
    if na and not nb:
        return (f'{where}: cross-entropy reached {target} on {na}/{n} seeds '
                f'(mean {ta:.0f} steps), MSE on none within {args.steps} steps.')
    if nb and not na:
        return (f'{where}: MSE reached {target} on {nb}/{n} seeds (mean {tb:.0f} '
                f'steps), cross-entropy on none within {args.steps} steps.')
    factor = max(ta, tb) / max(min(ta, tb), 1)
    which = ('about equally fast' if factor < 1.15 else
             f'{"cross-entropy" if ta < tb else "MSE"} {factor:.2g}x sooner')
    return (f'{where}: cross-entropy reached {target} in {ta:.0f} steps on average '
            f'({na}/{n} seeds), MSE in {tb:.0f} ({nb}/{n}): {which}.')


def saturated_reading(by, ratio, ratios, args, half_k2):
    """Point 4 of the reading from a saturated start: the output-layer gradients, side by side."""
    parts = []
    for loss in ('ce', 'mse'):
        row = by.get(('own', loss))
        if row is None:
            continue
        spread = ('1 seed' if row['seeds'] == 1 else
                  f'per seed {fmt_g(row["grad_early_min"])} to {fmt_g(row["grad_early_max"])}')
        parts.append(f'{"cross-entropy" if loss == "ce" else "MSE"} '
                     f'{fmt_g(row["grad_start_median"])} at step 0 and '
                     f'{fmt_g(row["grad_early_median"])} over updates 1-{EARLY} ({spread}), reaching '
                     f'{target_text(args.target)} on {_fraction_text(row)}')
    return (f'4. Saturated start (output layer x{args.init_scale:g}). Output-layer '
            f'gradient at each loss\'s own rate, median over seeds: '
            + '; '.join(parts) + f'. The CE/MSE ratio at step 0 is {fmt_g(ratio)} '
            f'({_over_seeds(ratios, "per seed")}), against about {half_k2:g} from a benign '
            f'start: where the outputs saturate, MSE\'s p(1-p) factors vanish and '
            f'cross-entropy\'s (p - y) does not. That is not a constant factor. With '
            f'few seeds the fractions are rough: the 95% intervals say how rough '
            f'(`--docs` uses 40 seeds).')


# ------------------------------------- the README's rows and verdicts (--docs)

def row_of(exp, setting, loss):
    return next((r for r in exp['rows'] if r['setting'] == setting and r['loss'] == loss), None)


def nudge_of(exp, setting, loss):
    return next((r for r in exp['nudged'] if r['setting'] == setting and r['loss'] == loss), None)


def verdict(a, b):
    """Which of two rows did better: 'a', 'b', 'tie' (means within the larger seed-to-seed
    standard deviation, both reaching the target on every seed), or 'unclear' (success
    fractions whose 95% intervals overlap)."""
    if a['reached'] == a['seeds'] and b['reached'] == b['seeds']:
        diff = b['steps_to_target_mean'] - a['steps_to_target_mean']
        if abs(diff) <= max(a['steps_to_target_std'], b['steps_to_target_std']):
            return 'tie'
        return 'a' if diff > 0 else 'b'
    if a['reached_low'] > b['reached_high']:
        return 'a'
    if b['reached_low'] > a['reached_high']:
        return 'b'
    return 'unclear'


def steps_text(row):
    return (f'{row["steps_to_target_mean"]:.0f} ± {row["steps_to_target_std"]:.0f}'
            if row['reached'] else 'never')


def interval_text(row):
    return f'{fmt_pct(row["reached_low"])}–{fmt_pct(row["reached_high"])}'.replace('%–', '–')


def loss_name(loss, K):
    if K == 2:
        return {'ce': 'BCE (sigmoid)', 'mse': 'MSE on the sigmoid'}[loss]
    return {'ce': 'cross-entropy', 'mse': 'MSE on the softmax'}[loss]


def table_head(target, early):
    """The head of a README table whose target is `target` ('95%')."""
    return (f'| setting | loss | lr | reached {target} (95% interval) | steps to {target} | '
            f'test acc | test NLL | ‖grad_out‖ step 0 → updates 1–{early} | nudged 1 ulp: '
            f'reached; steps moved |\n|---|---|---|---|---|---|---|---|---|')


def table_rows(exp, label):
    """One setting's three rows of a README table: each loss at its own rate, and MSE at
    cross-entropy's."""
    lines = []
    for setting, loss in (('own', 'ce'), ('own', 'mse'), ('shared', 'mse')):
        r, n = row_of(exp, setting, loss), nudge_of(exp, setting, loss)
        rate = (f'{r["lr"]:g} (own' + (', shared)' if r['lr'] == exp['lr']['shared'] else ')')
                if setting == 'own' else f'{r["lr"]:g} (CE\'s)')
        moved = ('–' if n['moved_median'] is None else
                 f'median {n["moved_median"]:g}, max {n["moved_max"]:g}')
        lines.append(f'| {label} | {loss_name(loss, exp["K"])} | {rate} | '
                     f'{r["reached"]}/{r["seeds"]} ({interval_text(r)}) | {steps_text(r)} | '
                     f'{r["final_test_acc_mean"]:.3f} | {r["test_nll_mean"]:.3f} | '
                     f'{fmt_g(r["grad_start_median"])} → '
                     f'{fmt_g(r["grad_early_median"])} | {n["twin_reached"]}/{n["seeds"]}; '
                     f'{moved} |')
    return lines


def times(a, b):
    return f'{max(a, b) / min(a, b):.1f}×'


def half_k2(exp):
    return exp['K'] ** 2 / 2


def target_span(rows):
    """The bigram targets of `rows`: '0.228', or '0.224 to 0.235' over several seeds."""
    low = f'{min(r["target_min"] for r in rows):.3f}'
    high = f'{max(r["target_max"] for r in rows):.3f}'
    return low if low == high else f'{low} to {high}'
