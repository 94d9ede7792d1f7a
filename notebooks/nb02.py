"""Cells of 02_mse_vs_cross_entropy.ipynb (written by build.py)."""
from build import code, md

NAME = '02_mse_vs_cross_entropy.ipynb'

CELLS = [
    md(r"""
    # MSE vs cross-entropy: what the numbers say

    A common piece of advice, as the reference text behind this project (a short explainer on
    choosing a loss, summarised with its claims in [docs/reference.md](../docs/reference.md))
    puts it:

    > *Use MSE when the target is a continuous numeric value. Use cross-entropy when the target
    > is a class.* [...] *When classification outputs come from sigmoid or softmax, cross-entropy
    > tends to produce stronger and more useful gradient signals than MSE.* [...] *If the model
    > output saturates, MSE can lead to weaker gradients and slower optimization.* [...] *MSE is
    > sensitive to outliers.*

    Good advice — but advice is a claim, and this notebook **tests** it. Every number in it is
    computed by a cell, and the key ones are asserted, so if the story stops being true the
    notebook stops running. The short version of what we will find:

    * cross-entropy's gradient at the output is larger, and part of that is a **constant factor**
      that a larger learning rate for MSE absorbs;
    * the part that no learning rate absorbs is **saturation**: once a softmax or sigmoid is
      confidently wrong, the part of MSE's gradient that would pull it toward the right class
      vanishes, and cross-entropy's does not.
    """),
    code(r"""
    import os
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')   # small matrices: one BLAS thread is fastest,
    os.environ.setdefault('OMP_NUM_THREADS', '1')        # and idle threads would spin on busy cores
    %matplotlib inline
    import math

    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.colors import ListedColormap

    import minigrad as mg
    import minigrad.nn.functional as F
    from minigrad import data, nn, optim
    from minigrad.viz import GradientFlow
    """),
    md(r"""
    ## 1. The two losses on small examples

    **Mean squared error** averages the squared differences:
    $\mathrm{MSE} = \frac{1}{n}\sum_i (y_i - \hat y_i)^2$. The reference text works one example
    by hand — true values $[3, 5, 2]$, predictions $[4, 2, 3]$ — and gets $11/3$:
    """),
    code(r"""
    target = mg.tensor([3.0, 5.0, 2.0])
    pred = mg.tensor([4.0, 2.0, 3.0])
    mse = F.mse_loss(pred, target)
    squared = (pred - target).numpy() ** 2
    print(f'errors {(pred - target).tolist()}  squared {squared.tolist()}')
    print(f'MSE = {mse.item():.6f}   (11/3 = {11 / 3:.6f})')
    print(f'the one error of size 3 makes up {squared.max() / squared.sum():.0%} of the loss')
    assert math.isclose(mse.item(), 11 / 3, rel_tol=1e-6)
    """),
    md(r"""
    **Cross-entropy** scores a predicted probability distribution by the probability it gives
    the true class: for a one-hot target it is $-\log p_{\text{true}}$. The reference's example:
    the true class is *cat*, and two models predict (cat, dog, bird) as below. We also score
    both with MSE against the one-hot target, as one would if training a softmax with MSE.
    """),
    code(r"""
    classes = ['cat', 'dog', 'bird']
    probs = {'decent':            [0.70, 0.20, 0.10],
             'confidently wrong': [0.05, 0.90, 0.05]}
    true = mg.tensor([0])                                  # cat
    onehot = np.eye(3, dtype=np.float32)[[0]]

    scores = {}
    for name, p in probs.items():
        p = mg.tensor([p])
        ce = F.nll_loss(p.log(), true).item()              # -log p[cat]
        sq = F.mse_loss(p, onehot).item()                  # mean over the 3 entries
        scores[name] = (ce, sq)
        print(f'{name:18s} p(cat) = {p.numpy()[0, 0]:.2f}   cross-entropy {ce:.3f}   MSE {sq:.4f}')

    (ce_ok, sq_ok), (ce_bad, sq_bad) = scores.values()
    print(f'\nfrom decent to confidently wrong: cross-entropy x{ce_bad / ce_ok:.1f}, MSE x{sq_bad / sq_ok:.1f}')
    assert ce_bad > ce_ok and sq_bad > sq_ok
    assert sq_bad / sq_ok > ce_bad / ce_ok          # the prose below says so
    """),
    md(r"""
    Both losses call the confident mistake much worse; measured as a ratio, on this example
    MSE's penalty even grows by more. What sets cross-entropy apart is its **ceiling**, or lack of
    one. As $p_{\text{true}} \to 0$, $-\log p_{\text{true}}$ grows without bound, while the squared
    error between two probability vectors can never exceed 2 per example (2/K with the mean over
    the K entries). The reference's binary example makes the point: label 1, and three models
    predicting $p = 0.9$, $0.6$ and a confidently wrong $0.01$, where it quotes MSE 0.98 against
    cross-entropy 4.6.
    """),
    code(r"""
    label = mg.tensor([1.0])
    for p in [0.9, 0.6, 0.01]:
        p_t = mg.tensor([p])
        print(f'p = {p:<5}  MSE {F.mse_loss(p_t, label).item():.4f}   '
              f'binary cross-entropy {F.binary_cross_entropy(p_t, label).item():.3f}')

    wrong = mg.tensor([0.01])
    mse_wrong = F.mse_loss(wrong, label).item()
    bce_wrong = F.binary_cross_entropy(wrong, label).item()
    assert round(mse_wrong, 2) == 0.98 and round(bce_wrong, 1) == 4.6
    print(f'\nceilings: MSE of a probability <= {F.mse_loss(mg.tensor([0.0]), label).item():.0f}; '
          f'cross-entropy at p = 1e-6: {F.binary_cross_entropy(mg.tensor([1e-6]), label).item():.1f}')
    """),
    md(r"""
    ## 2. What training sees: the gradient with respect to the logit

    A network does not output a probability directly: its last layer outputs a **logit** $z$,
    and a sigmoid turns it into $p = \sigma(z)$. Gradient descent moves $z$ by
    $\partial L/\partial z$, and the chain rule gives

    $$\frac{\partial L}{\partial z} = \frac{\partial L}{\partial p}\cdot\sigma'(z), \qquad
      \sigma'(z) = p\,(1 - p).$$

    The sigmoid's slope $p(1-p)$ vanishes when the output saturates ($p \to 0$ or $1$). For
    cross-entropy, $\partial L/\partial p = -1/p$ (label 1) cancels it exactly:
    $\partial L/\partial z = p - 1$. For MSE, $\partial L/\partial p = 2(p - 1)$ does not cancel,
    so $\partial L/\partial z = 2(p-1)\,p\,(1-p)$ shrinks with $p$. Rather than trust this algebra,
    let minigrad differentiate both losses over a range of logits (`reduction='sum'`, so each
    point gets its own gradient):
    """),
    code(r"""
    z = mg.tensor(np.linspace(-12, 12, 481), dtype=mg.float64, requires_grad=True)
    ones = np.ones(z.shape)
    grads, losses = {}, {}
    for name, loss_fn in [('MSE', lambda p: F.mse_loss(p, ones, reduction='none')),
                          ('cross-entropy', lambda p: F.binary_cross_entropy(p, ones, reduction='none'))]:
        z.grad = None
        per_point = loss_fn(z.sigmoid())
        per_point.sum().backward()
        losses[name], grads[name] = per_point.detach().numpy(), np.abs(z.grad.numpy())
    p = z.sigmoid().detach().numpy()

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for name in grads:
        ax1.plot(p, losses[name], label=name)
        ax2.loglog(p, grads[name], label=name)
    ax1.set_xlabel('predicted probability of the true class, p')
    ax1.set_ylabel('loss')
    ax1.set_title('Loss (label 1)')
    ax2.set_xlabel('predicted probability of the true class, p')
    ax2.set_ylabel('|∂loss/∂logit|')
    ax2.set_title('Gradient reaching the logit')
    for ax in (ax1, ax2):
        ax.axvline(0.01, color='grey', ls=':', lw=1)
        ax.grid(True, alpha=0.3)
        ax.legend()
    ax2.text(0.012, 1e-4, 'p = 0.01', color='grey')
    plt.tight_layout()
    plt.show()

    print('   p      |dMSE/dz|   |dCE/dz|   ratio CE/MSE')
    ratio_at = {}
    for target_p in [0.5, 0.1, 0.01, 0.001]:
        i = int(np.argmin(np.abs(p - target_p)))
        ratio_at[target_p] = grads['cross-entropy'][i] / grads['MSE'][i]
        print(f'{p[i]:8.4f}  {grads["MSE"][i]:10.2e}  {grads["cross-entropy"][i]:9.2e}  {ratio_at[target_p]:10.1f}')
    assert math.isclose(ratio_at[0.5], 2.0, rel_tol=1e-9)          # K²/2 with K = 2, see section 3
    assert ratio_at[0.001] > 100 * ratio_at[0.5]
    """),
    md(r"""
    Two things to notice in the table. At $p = 0.5$ — an undecided output — the two gradients
    differ by a **constant** factor (2 here; we will meet it again as $K^2/2$). But the more
    confidently wrong the output, the larger the ratio: the MSE gradient at the logit vanishes
    in proportion to $p$, while cross-entropy's approaches its largest value. A constant factor
    is harmless — a learning rate that much larger makes up for it. A factor that grows without
    bound is not.

    ## 3. Training the same classifier with both losses

    Now a real, small experiment (a reduced version of the lab in `examples/mse_vs_ce.py`):

    * **data**: three interleaved spirals in the plane (angle noise 0.2), split 80/20 into
      training and test points;
    * **model**: an MLP 2 → 64 → 64 → 3 with ReLU, PyTorch's default initialisation, float32;
    * **losses**: cross-entropy on the logits, against MSE between the softmax probabilities
      and one-hot targets — both with PyTorch's default `reduction='mean'`;
    * **training**: plain SGD on the full training set; both losses start from the **same initial
      weights** (same seed) and see the same data.
    """),
    code(r"""
    X, y = data.make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=0)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, seed=0)
    K = 3                                                  # classes
    Xtr, ytr, Xte = mg.tensor(X_train), mg.tensor(y_train), mg.tensor(X_test)
    onehot_train = np.eye(K, dtype=np.float32)[y_train]
    STEPS, TARGET = 300, 0.95                              # SGD steps per run; "trained" = 95% train accuracy
    print(f'{len(X_train)} training points, {len(X_test)} test points, {K} classes')


    def make_model(seed, init_scale=1.0):
        '''The MLP with PyTorch's initialisation; the output layer multiplied by init_scale.'''
        mg.manual_seed(seed)
        model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, K))
        model[4].weight.data *= init_scale
        model[4].bias.data *= init_scale
        return model


    def loss_of(kind, logits):
        if kind == 'CE':
            return F.cross_entropy(logits, ytr)
        return F.mse_loss(logits.softmax(dim=1), onehot_train)      # 'MSE': on probabilities


    def accuracy(logits, labels):
        return float((logits.detach().numpy().argmax(axis=1) == labels).mean())


    def train(kind, lr, seed, init_scale=1.0, steps=STEPS, stop_early=False):
        '''Full-batch SGD. Returns the model, per-step train accuracy and loss, and the gradient flow.

        With stop_early, stops once train accuracy reaches TARGET, or once every gradient has
        vanished (norm below 1e-8: no step of any lr we try could change the model any more).
        '''
        model = make_model(seed, init_scale)
        opt = optim.SGD(model.parameters(), lr=lr)
        flow = GradientFlow(model)                  # every parameter's gradient norm, per step
        accs, losses, stalled = [], [], False
        for step in range(steps):
            logits = model(Xtr)
            loss = loss_of(kind, logits)
            opt.zero_grad()
            loss.backward()
            norms = flow.record()
            opt.step()
            accs.append(accuracy(logits, y_train))  # of the model before this update
            losses.append(loss.item())
            stalled = math.hypot(*norms.values()) < 1e-8
            if stop_early and (accs[-1] >= TARGET or stalled):
                break
        return {'model': model, 'acc': np.array(accs), 'loss': np.array(losses), 'flow': flow,
                'stalled': stalled}


    def steps_to_target(run):
        '''Updates made before train accuracy first reached TARGET (None if it never did).'''
        hit = np.flatnonzero(run['acc'] >= TARGET)
        return int(hit[0]) if hit.size else None
    """),
    md(r"""
    ### 3a. A fair comparison gives each loss its own learning rate

    Comparing the two losses at one learning rate would measure the learning rate as much as
    the loss. So first a sweep over a 1-2-5 grid, on seed 0: for each loss, the learning rate
    that reaches the target accuracy in the fewest steps. The results are then measured on
    *other* seeds (1, 2, 3), so the pick is not graded on the initialisation it was picked with.
    A sweep run stops early when it reaches the target, or when every gradient has vanished —
    then no step can change the model any more.
    """),
    code(r"""
    GRID = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50]


    def sweep(init_scale, grid):
        '''Steps to target for each loss and learning rate on seed 0; returns them and the best lr per loss.'''
        table, best = {}, {}
        for kind in ['CE', 'MSE']:
            table[kind] = {}
            for lr in grid:
                run = train(kind, lr, seed=0, init_scale=init_scale, stop_early=True)
                table[kind][lr] = (steps_to_target(run), run['acc'][-1], run)
            # fewest steps among those that reached the target, else the best final accuracy
            best[kind] = min(grid, key=lambda lr: (0, table[kind][lr][0]) if table[kind][lr][0] is not None
                             else (1, -table[kind][lr][1]))
        return table, best


    def show_sweep(table, best, title):
        grid = list(table['CE'])
        print(f'steps to {TARGET:.0%} train accuracy ("—": not within {STEPS} steps; "stall": every gradient vanished first)')
        print('lr      ' + ''.join(f'{lr:>7g}' for lr in grid))
        for kind in table:
            cells = ['stall' if run['stalled'] else '—' if s is None else s for s, _, run in table[kind].values()]
            print(f'{kind:7s} ' + ''.join(f'{c:>7}' for c in cells) + f'    best: {best[kind]:g}')
        fig, ax = plt.subplots(figsize=(7, 3.5))
        for kind, marker in [('CE', 'o'), ('MSE', 's')]:
            steps = [STEPS * 1.15 if s is None else s for s, _, _ in table[kind].values()]
            ax.semilogx(grid, steps, marker=marker, label=kind)
        ax.axhline(STEPS * 1.15, color='grey', ls=':', lw=1)
        ax.text(grid[0], STEPS * 1.17, f'did not reach {TARGET:.0%} in {STEPS} steps', color='grey', fontsize=9)
        ax.set_ylim(0, STEPS * 1.3)
        ax.set_xlabel('learning rate')
        ax.set_ylabel(f'steps to {TARGET:.0%} train accuracy')
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend()
        plt.show()


    sweep_benign, best_benign = sweep(init_scale=1.0, grid=GRID)
    show_sweep(sweep_benign, best_benign, 'Learning-rate sweep, default initialisation (seed 0)')
    lr_ce, lr_mse = best_benign['CE'], best_benign['MSE']
    for kind, lr in best_benign.items():       # a best lr on the grid's edge would mean the grid is too narrow
        assert GRID[0] < lr < GRID[-1] and sweep_benign[kind][lr][0] is not None, (kind, lr)
    print(f'\nMSE wants a learning rate {lr_mse / lr_ce:g} times larger than cross-entropy')
    assert lr_mse > lr_ce
    """),
    md(r"""
    ### 3b. The constant factor: $K^2/2$

    Why does MSE want a larger learning rate? Start from an output layer of zeros, so every
    example's softmax is uniform, $p = 1/K$. With `reduction='mean'`, cross-entropy averages over
    the $N$ examples and its gradient at the logits is $(p - y)/N$. MSE averages over all
    $N \cdot K$ entries, $\partial L/\partial p = 2(p-y)/(NK)$, and the softmax's Jacobian at a
    uniform output is $\frac{1}{K}(I - \frac{1}{K}\mathbf{1}\mathbf{1}^\top)$, which leaves
    $p - y$ (whose entries sum to zero) unchanged but divides it by $K$. So at the logits MSE's
    gradient is $2(p-y)/(NK^2)$: smaller by exactly $K^2/2$ — for every example, and so for the
    output layer's gradient too. Checked in float64:
    """),
    code(r"""
    model = make_model(seed=0).double()
    model[4].weight.data[:] = 0
    model[4].bias.data[:] = 0
    norms = {}
    for kind in ['CE', 'MSE']:
        model.zero_grad()
        logits = model(mg.tensor(X_train, dtype=mg.float64))
        (F.cross_entropy(logits, ytr) if kind == 'CE'
         else F.mse_loss(logits.softmax(dim=1), onehot_train.astype(np.float64))).backward()
        norms[kind] = math.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in model[4].parameters()))
    ratio = norms['CE'] / norms['MSE']
    print(f'output-layer gradient norm: CE {norms["CE"]:.6g}, MSE {norms["MSE"]:.6g}')
    print(f'ratio {ratio:.8f}   K²/2 = {K ** 2 / 2}')
    print(f'learning rates the sweep picked: CE {lr_ce:g}, MSE {lr_mse:g} (ratio {lr_mse / lr_ce:g}, on a coarse grid)')
    assert math.isclose(ratio, K ** 2 / 2, rel_tol=1e-5)
    """),
    md(r"""
    ### 3c. At one shared learning rate, and at each loss's own

    Three runs per seed, on seeds 1–3: cross-entropy and MSE at cross-entropy's best learning
    rate (*shared*), and MSE at its own best (*tuned*). Alongside accuracy we record the norm of
    the output layer's weight gradient at every step — the signal the loss sends into the network.
    """),
    code(r"""
    SEEDS = [1, 2, 3]


    def compare(configs, init_scale, seeds=SEEDS):
        '''Runs each (label, loss, lr) on every seed; prints a table; returns the runs.

        Steps to target: mean ± standard deviation over the seeds that reached it. The gradient
        columns: the output-layer weight gradient's norm at step 0, and each run's median over
        updates 1-100, then the median over seeds (these span decades, so not the mean).
        '''
        runs = {label: [train(kind, lr, seed, init_scale) for seed in seeds] for label, kind, lr in configs}
        print(f'{"":22s} {"steps to " + format(TARGET, ".0%"):>16s} {"reached":>8s} {"train acc":>10s} '
              f'{"test acc":>9s} {"|grad| start":>13s} {"|grad| 1-100":>13s}')
        for label, rs in runs.items():
            steps = [steps_to_target(r) for r in rs]
            done = [s for s in steps if s is not None]
            mean = f'{np.mean(done):.0f} ± {np.std(done):.0f}' if done else '—'
            with mg.no_grad():
                test = np.mean([accuracy(r['model'](Xte), y_test) for r in rs])
            g0 = np.median([r['flow'].history['4.weight'][0] for r in rs])
            print(f'{label:22s} {mean:>16s} {len(done):>5d}/{len(rs)} {np.mean([r["acc"][-1] for r in rs]):>10.3f} '
                  f'{test:>9.3f} {g0:>13.2e} {early_gradient(rs):>13.2e}')
        return runs


    def early_gradient(rs):
        '''Each run's median output-layer gradient norm over updates 1-100; their median over seeds.'''
        return float(np.median([np.median(r['flow'].history['4.weight'][1:101]) for r in rs]))


    def wilson(k, n, z=1.96):
        '''The 95% Wilson interval for a fraction k/n: how much k/n could move over other seeds.'''
        p, d = k / n, 1 + z * z / n
        centre, half = (p + z * z / (2 * n)) / d, z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
        return max(0.0, centre - half), min(1.0, centre + half)


    def mean_steps(rs):
        '''Mean steps to target, counting a run that never got there as STEPS.'''
        return np.mean([STEPS if steps_to_target(r) is None else steps_to_target(r) for r in rs])


    def plot_runs(runs, title):
        '''Accuracy and output-layer gradient per step, one line per seed; on the gradient plot, a
        dashed bar over updates 1-100 marks the number the table prints (early_gradient).'''
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
        alpha = 0.9 if len(next(iter(runs.values()))) <= 3 else 0.4
        for (label, rs), colour in zip(runs.items(), ['tab:blue', 'tab:orange', 'tab:green']):
            for i, r in enumerate(rs):                      # one line per seed; an exact 0 leaves a gap
                ax1.plot(r['acc'], color=colour, lw=1, alpha=alpha, label=label if i == 0 else None)
                g = np.array(r['flow'].history['4.weight'])
                ax2.semilogy(np.where(g > 0, g, np.nan), color=colour, lw=1, alpha=alpha,
                             label=label if i == 0 else None)
            ax2.hlines(early_gradient(rs), 1, 100, colors=colour, linestyles='--', lw=2.2, zorder=5,
                       path_effects=[patheffects.withStroke(linewidth=4, foreground='black')])
        ax1.axhline(TARGET, color='grey', ls=':', lw=1)
        ax1.set_xlabel('SGD step')
        ax1.set_ylabel('training accuracy')
        ax1.set_title(f'{title}: accuracy (one line per seed)')
        ax2.set_xlabel('SGD step')
        ax2.set_ylabel('‖∂loss/∂W_out‖ (log scale)')
        ax2.set_title(f'{title}: output-layer gradient (one line per seed)', fontsize=10)
        for ax in (ax1, ax2):
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize='small')
        plt.tight_layout()
        plt.show()


    benign = compare([(f'CE  lr={lr_ce:g}', 'CE', lr_ce),
                      (f'MSE lr={lr_ce:g} (shared)', 'MSE', lr_ce),
                      (f'MSE lr={lr_mse:g} (tuned)', 'MSE', lr_mse)], init_scale=1.0)
    plot_runs(benign, 'Default initialisation')
    ce_run, mse_shared, mse_tuned = benign.values()
    print(f'\nmean steps to target (a miss counts as {STEPS}): CE {mean_steps(ce_run):.0f}, '
          f'MSE shared {mean_steps(mse_shared):.0f}, MSE tuned {mean_steps(mse_tuned):.0f}')
    assert mean_steps(ce_run) < mean_steps(mse_shared)
    assert all(c['flow'].history['4.weight'][0] > m['flow'].history['4.weight'][0] for c, m in zip(ce_run, mse_shared))
    assert all(steps_to_target(r) is not None for r in mse_tuned)
    assert mean_steps(mse_tuned) < 1.5 * mean_steps(ce_run)
    """),
    md(r"""
    Read the table and the curves together:

    * at the **shared** learning rate, cross-entropy gets there sooner, and its output-layer
      gradient is larger from the first step — the advice holds;
    * at its **own** learning rate, MSE on softmax outputs reaches the target too, in a number of
      steps comparable to cross-entropy's (the cell checks: within 1.5 times). From this benign
      start, most of the gap was the constant factor of section 3b, and the sweep found a
      learning rate that absorbs it.

    ### 3d. From a confidently wrong start

    Now multiply the output layer's initial weights and bias by $C$: the logits get $C$ times
    larger, and the softmax saturates — the network starts out *confidently* predicting a class
    for many of the points, often the wrong one (the cell below counts them at $C = 100$). First, the gradient each loss sends at that start, as $C$ grows, for five
    different initialisations:
    """),
    code(r"""
    scales = np.logspace(0, 3, 13)
    ratios = np.zeros((5, len(scales)))
    for seed in range(5):
        with mg.no_grad():
            p100 = make_model(seed, 100)(Xtr).softmax(dim=1).numpy()
        print(f'seed {seed}, C = 100, at the start: {np.mean(p100.max(axis=1) > 0.99):4.0%} of training points '
              f'saturated (top probability > 0.99), {np.mean(p100[np.arange(len(y_train)), y_train] < 0.01):4.0%} '
              f'confidently wrong (true class < 0.01)')
        for j, c in enumerate(scales):
            model = make_model(seed, c)
            g = {}
            for kind in ['CE', 'MSE']:
                model.zero_grad()
                loss_of(kind, model(Xtr)).backward()
                g[kind] = float(np.linalg.norm(model[4].weight.grad.numpy()))
            ratios[seed, j] = g['CE'] / g['MSE'] if g['MSE'] > 0 else np.inf

    fig, ax = plt.subplots(figsize=(7, 4))
    for seed in range(5):
        ax.loglog(scales, np.where(np.isfinite(ratios[seed]), ratios[seed], np.nan), 'o-', ms=3, label=f'seed {seed}')
    ax.axhline(K ** 2 / 2, color='black', ls='--', lw=1, label='K²/2 (uniform start)')
    ax.set_xlabel('output-layer scale C at initialisation')
    ax.set_ylabel('‖grad W_out‖ CE / ‖grad W_out‖ MSE')
    ax.set_title('How many times larger the cross-entropy gradient is, at the start')
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize='small')
    plt.show()
    for c, column in [(1, 0), (100, np.argmin(np.abs(scales - 100))), (1000, -1)]:
        print(f'ratio CE/MSE at C = {c:<4}  ' + '  '.join(f'{r:>8.3g}' for r in ratios[:, column]))
    zero_at_1000 = int(np.sum(np.isinf(ratios[:, -1])))
    print(f'initialisations whose MSE gradient is exactly 0 at C = 1000: {zero_at_1000} of {len(ratios)}')
    assert np.all(ratios[:, -1] > 10 * ratios[:, 0]) and zero_at_1000 >= 1
    """),
    md(r"""
    Near $C = 1$ the ratio sits close to $K^2/2$: the default start is nearly uniform. As $C$
    grows, the ratio climbs by orders of magnitude — how far depends on the initialisation,
    because it depends on how many points end up saturated and wrong. For some initialisations
    at the largest $C$, MSE's gradient is exactly zero in float32 (counted above): no learning
    rate can move such a model at all.

    Now train from $C = 100$, and sweep the learning rates again for both losses. Logits $C$
    times larger make every slope steeper, so this grid starts lower (the cell checks that each
    loss's best lies inside it, and it still includes both learning rates picked before).

    From this start, whether a run reaches the target at all varies from seed to seed, so three
    seeds would say little: the comparison runs on **20 seeds** (1–20), and reports how many
    reached the target with a **95% interval** for that fraction (Wilson's), the range the
    fraction could plausibly take over other seeds. The dashed bars on the gradient plot mark
    the number in the table's last column.
    """),
    code(r"""
    C = 100
    SAT_GRID = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]
    sweep_sat, best_sat = sweep(init_scale=C, grid=SAT_GRID)
    show_sweep(sweep_sat, best_sat, f'Learning-rate sweep, output layer × {C} at the start (seed 0)')
    for kind, lr in best_sat.items():
        assert SAT_GRID[0] < lr < SAT_GRID[-1] and sweep_sat[kind][lr][0] is not None, (kind, lr)
    assert lr_ce in SAT_GRID and lr_mse in SAT_GRID

    SAT_SEEDS = list(range(1, 21))
    saturated = compare([(f'CE  lr={best_sat["CE"]:g}', 'CE', best_sat['CE']),
                         (f'MSE lr={best_sat["MSE"]:g}', 'MSE', best_sat['MSE'])], init_scale=C, seeds=SAT_SEEDS)
    plot_runs(saturated, f'Output layer × {C}, {len(SAT_SEEDS)} seeds')
    ce_sat, mse_sat = saturated.values()
    final_ce, final_mse = (np.mean([r['acc'][-1] for r in rs]) for rs in (ce_sat, mse_sat))
    reached = {kind: sum(steps_to_target(r) is not None for r in rs) for kind, rs in (('CE', ce_sat), ('MSE', mse_sat))}
    intervals = {kind: wilson(k, len(SAT_SEEDS)) for kind, k in reached.items()}
    for kind, (low, high) in intervals.items():
        print(f'{kind:4s} reached {TARGET:.0%} on {reached[kind]}/{len(SAT_SEEDS)} seeds (95% interval {low:.0%} to {high:.0%})')
    print(f'mean steps to target (a miss counts as {STEPS}): CE {mean_steps(ce_sat):.0f}, MSE {mean_steps(mse_sat):.0f}')
    print(f'output-layer gradient over updates 1-100 (median of the runs\' medians): CE {early_gradient(ce_sat):.1e}, '
          f'MSE {early_gradient(mse_sat):.1e}, {early_gradient(ce_sat) / early_gradient(mse_sat):.0f} times smaller')
    lowest_ce = min(min(r['flow'].history['4.weight']) for r in ce_sat)
    vanished = sum(np.median(r['flow'].history['4.weight'][1:101]) < 1e-4 for r in mse_sat)
    print(f'MSE runs whose output-layer gradient stayed below 1e-4 over updates 1-100: {vanished} of {len(mse_sat)}; '
          f'the lowest of any CE run at any step: {lowest_ce:.1e}')
    assert mean_steps(ce_sat) < mean_steps(mse_sat) and final_ce > final_mse
    assert intervals['CE'][0] > intervals['MSE'][1]                 # CE's interval lies above MSE's
    assert early_gradient(mse_sat) < 0.3 * early_gradient(ce_sat)   # "several times smaller"
    assert vanished >= 3 and lowest_ce > 1e-3                       # "orders of magnitude below" 
    assert best_sat['MSE'] < lr_mse and best_sat['CE'] < lr_ce      # both now want smaller steps
    assert sweep_sat['MSE'][lr_mse][0] is None                      # MSE at its old lr never gets there

    # What goes wrong for cross-entropy at its old learning rate: the second hidden layer.
    with mg.no_grad():
        hidden = sweep_sat['CE'][lr_ce][2]['model'][:4](Xtr).numpy()
    dead = float(np.mean(hidden.max(axis=0) == 0))
    print(f'CE at lr {lr_ce:g} from this start (seed 0): {dead:.0%} of the second hidden layer\'s '
          f'ReLUs output 0 for every training point')
    """),
    md(r"""
    From the confidently wrong start:

    * **cross-entropy** still trains, at a smaller learning rate than before: its gradients reach
      the hidden layers through an output layer $C$ times larger, and at its old learning rate the
      first steps push the hidden ReLUs into their zero region (the last line above counts them);
    * **MSE**'s best learning rate is now *smaller* than at the default start — the opposite of
      what a constant factor would ask for — and even at that rate it reaches the target on far
      fewer of the 20 seeds than cross-entropy (the two 95% intervals do not overlap, the cell
      checks). Its output-layer gradient over the first 100 updates is several times smaller
      (the dashed bars, and the number printed), and on some seeds it vanishes: the flat lines at
      the bottom of the gradient plot are MSE runs stuck orders of magnitude below the lowest
      gradient any cross-entropy run ever had. At its default-start learning rate it never gets
      going.

    The gradient-flow pictures show every layer's gradient for three runs from this start, all
    from one **representative seed**: the seed whose MSE run (at its best rate) ended at the median
    training accuracy of the 20, a typical MSE run rather than a lucky or an unlucky one.
    Cross-entropy and MSE each at its best learning rate from the sweep, and MSE at the learning
    rate that was its best from the default start.
    """),
    code(r"""
    order = sorted(range(len(SAT_SEEDS)), key=lambda i: (mse_sat[i]['acc'][-1], SAT_SEEDS[i]))
    typical = order[(len(order) - 1) // 2]              # the median run (the lower middle one)
    REP_SEED = SAT_SEEDS[typical]
    print(f'representative seed: {REP_SEED} (MSE at lr {best_sat["MSE"]:g} ended at training accuracy '
          f'{mse_sat[typical]["acc"][-1]:.2f}, the median of the {len(SAT_SEEDS)} runs)')
    mse_stuck = train('MSE', lr_mse, seed=REP_SEED, init_scale=C)
    flows = [(f'Cross-entropy, lr {best_sat["CE"]:g}', ce_sat[typical]),
             (f'MSE, lr {best_sat["MSE"]:g}', mse_sat[typical]), (f'MSE, lr {lr_mse:g}', mse_stuck)]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4), sharey=True)
    totals = []                                 # the norm of the whole gradient, per step
    for ax, (title, run) in zip(axes, flows):
        run['flow'].plot(ax=ax, title=f'{title}, output layer × {C}, seed {REP_SEED}')
        ax.set_xlim(0, STEPS)
        total = np.sqrt(sum(np.array(h) ** 2 for h in run['flow'].history.values()))
        totals.append(total)
        if total[-1] == 0:
            zero_from = int(np.flatnonzero(total > 0)[-1]) + 1
            ax.axvspan(zero_from, STEPS, color='grey', alpha=0.15)
            ax.text(zero_from + 5, 1e-3, f'from step {zero_from} on\nevery gradient is exactly 0', fontsize=9)
    for ax in axes[1:]:
        ax.set_ylabel('')
    plt.tight_layout()
    plt.show()

    with mg.no_grad():
        p_stuck = mse_stuck['model'](Xtr).softmax(dim=1).numpy()
    print(f'MSE at lr {lr_mse:g} after {STEPS} steps: {np.mean(p_stuck.max(axis=1) > 0.99):.0%} of training points get '
          f'a probability above 0.99 for one class, the model predicts {len(np.unique(p_stuck.argmax(axis=1)))} '
          f'distinct class(es), train accuracy {mse_stuck["acc"][-1]:.2f}')
    for title, run in flows[:2]:
        g = np.array(run['flow'].history['4.weight'])
        print(f'{title}, seed {REP_SEED}: output-layer gradient norm at least {g.min():.1e}, median over updates '
              f'1-100 {np.median(g[1:101]):.1e}; final training accuracy {run["acc"][-1]:.2f}')
    assert mse_stuck['acc'][-1] < 0.6 and totals[2][-1] == 0
    """),
    md(r"""
    Under MSE at the large learning rate, the first few steps push every point into saturation —
    one class, predicted with near certainty — and from then on the gradient is exactly zero in
    float32: the run is over, whatever the learning rate. At its own, smaller learning rate MSE
    trains on some seeds and stalls on others (the 20-seed table above); the lines under the
    pictures give this seed's numbers.

    ### 3e. Why the typical MSE run stalls near 2/3

    Those lines hold a puzzle. Over updates 1–100 this seed's MSE run had an output-layer
    gradient as large as cross-entropy's, yet it stalled near 2/3 training accuracy while
    cross-entropy reached 0.99. If "MSE's gradient vanishes" were the whole story, its gradient
    would be tiny. But a gradient's norm says how much gradient there is, not what it does. So
    look at each training point's own gradient at its logits, $g_i = \partial L/\partial z_i$
    (the loss's mean over the batch included), at the end of the run, in two ways:

    * its **size** $\lVert g_i \rVert$;
    * its **pull** $-g_{i,y_i}$: how much a step of gradient descent raises the logit of the
      point's own class $y_i$, the part of $g_i$ that can make a wrong point right.

    For softmax + MSE against a one-hot target the pull is
    $\frac{2}{NK}\,p_y\big((1-p_y)^2 + \sum_{k \ne y} p_k^2\big)$: it carries the factor $p_y$,
    the probability the model gives the point's own class. Cross-entropy's pull is
    $(1 - p_y)/N$. We measure both on the stalled MSE model (cross-entropy's gradient at the same
    weights: what it would send if we switched losses now).
    """),
    code(r"""
    def logit_grads(model, kind):
        '''Each training point's gradient at its own logits, (N, K); and the softmax probabilities.'''
        with mg.no_grad():
            logits = model(Xtr)
        logits = logits.detach().requires_grad_()
        loss_of(kind, logits).backward()
        return logits.grad.numpy().astype(np.float64), logits.softmax(dim=1).detach().numpy()


    def class_accuracies(model):
        '''The fraction of each class's training points the model gets right.'''
        with mg.no_grad():
            pred = model(Xtr).numpy().argmax(axis=1)
        return np.array([np.mean(pred[y_train == k] == k) for k in range(K)])


    stalled = mse_sat[typical]['model']
    rows = np.arange(len(y_train))
    grads = {kind: logit_grads(stalled, kind)[0] for kind in ['MSE', 'CE']}
    probs = logit_grads(stalled, 'MSE')[1]
    p_y = probs[rows, y_train].astype(np.float64)
    right = probs.argmax(axis=1) == y_train
    by_class = class_accuracies(stalled)
    given_up = np.flatnonzero(by_class <= 0.05)            # a class (almost) none of whose points is right
    print(f'seed {REP_SEED}, MSE: training accuracy per class {np.round(by_class, 2)}; '
          f'given up: class {", ".join(map(str, given_up))}')

    groups = {'right': right, 'wrong, p_y >= 0.01': ~right & (p_y >= 0.01),
              'wrong, p_y < 0.01 (saturated)': ~right & (p_y < 0.01)}
    size = {kind: np.linalg.norm(g, axis=1) for kind, g in grads.items()}
    pull = {kind: -g[rows, y_train] for kind, g in grads.items()}
    shares = {}
    print(f'\n{"points":31s} {"n":>4s} {"median p_y":>11s}   MSE: {"size":>6s} {"pull":>8s}   CE: {"size":>6s} {"pull":>8s}')
    for name, m in groups.items():
        shares[name] = {kind: (size[kind][m].sum() / size[kind].sum(), pull[kind][m].sum() / pull[kind].sum())
                       for kind in grads}
        cells = '   '.join(f'{kind}: {s:>6.1%} {q:>8.3%}' for kind, (s, q) in shares[name].items())
        print(f'{name:31s} {m.sum():>4d} {np.median(p_y[m]):>11.1e}   {cells}')
    print('(size, pull: each group\'s share of the sum over all points)')


    def points_for(values, fraction=0.9):
        '''The fewest points that hold `fraction` of the sum of `values`.'''
        return int(np.searchsorted(np.cumsum(np.sort(values)[::-1]) / values.sum(), fraction)) + 1


    print(f'90% of the pull comes from {points_for(pull["MSE"])} points under MSE, '
          f'{points_for(pull["CE"])} under cross-entropy')

    fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharex=True, sharey=True)
    lost = np.isin(y_train, given_up)                      # the points of the given-up class
    for ax, kind in zip(axes, ['MSE', 'CE']):
        ok = size[kind] > 0                                # a log axis cannot show an exact 0
        ax.scatter(p_y[ok], size[kind][ok], s=14, color='lightgrey', label='size, every point')
        for mask, colour, label in [(~lost, 'tab:blue', 'pull, the other classes'),
                                    (lost, 'tab:red', 'pull, the given-up class')]:
            ok = mask & (pull[kind] > 0)
            ax.scatter(p_y[ok], pull[kind][ok], s=6, color=colour, label=label)
        ax.set_xscale('log')
        ax.set_yscale('log')
        ax.set_xlabel("p_y, the probability of the point's own class")
        ax.set_title(f"{kind}'s gradient on the stalled MSE model, point by point", fontsize=10)
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel('size ‖g_i‖ and pull −g_i,y')
    axes[0].legend(fontsize='small', loc='lower right')
    plt.tight_layout()
    plt.show()

    saturated = groups['wrong, p_y < 0.01 (saturated)']
    assert len(given_up) == 1 and np.mean(lost[saturated]) > 0.9     # the saturated points: that class,
    assert np.mean(saturated[lost]) > 0.9                            # and nearly all of it
    assert shares['wrong, p_y < 0.01 (saturated)']['MSE'][0] > 0.2         # much of MSE's gradient...
    assert shares['wrong, p_y < 0.01 (saturated)']['MSE'][1] < 0.01        # ...but almost none of its pull
    assert shares['wrong, p_y < 0.01 (saturated)']['CE'][1] > 0.5          # cross-entropy's pull is there
    assert points_for(pull['MSE']) < 0.1 * len(y_train) < points_for(pull['CE'])
    """),
    md(r"""
    The table and the picture tell the story. This run has **given up a whole class**: none of its
    points is classified right, and nearly all of them are saturated, their own class at a
    probability $p_y$ far below 0.01 (the red points at the left). They are not silent: they
    send a large share of MSE's gradient (the grey circles, and the table's *size* column). But
    that gradient barely pulls them toward their class: their share of the *pull* is well under
    one percent, because MSE's pull carries the factor $p_y$ (the red line of slope 1). What
    they send instead moves probability between the two wrong classes (MSE is also lowered by
    spreading a wrong answer more evenly). Nearly all of the pull comes from a handful of points
    near the boundaries (90% of it from the few points printed above). Cross-entropy's gradient
    on the same weights puts most of its pull on exactly the given-up points. That is how the
    gradient's norm can match cross-entropy's while the run makes no progress on a third of the
    data.

    Is this what the other stalled runs do, and does the plateau ever end? Below, each of the 20
    MSE runs from the table above by how many classes it gave up, and this seed's run again
    with more steps.
    """),
    code(r"""
    given_up_count = np.array([np.sum(class_accuracies(r['model']) <= 0.05) for r in mse_sat])
    final_acc = np.array([r['acc'][-1] for r in mse_sat])
    final_grad = np.array([r['flow'].history['4.weight'][-1] for r in mse_sat])
    print(f'{"classes given up":>17s} {"runs":>5s} {"reached 95%":>12s} {"final train accuracy":>21s} '
          f'{"final ‖grad W_out‖ (median)":>28s}')
    for n in sorted(set(given_up_count)):
        m = given_up_count == n
        reached_n = sum(steps_to_target(r) is not None for r, mi in zip(mse_sat, m) if mi)
        print(f'{n:>17d} {m.sum():>5d} {reached_n:>12d} {final_acc[m].min():>13.2f} to {final_acc[m].max():.2f} '
              f'{np.median(final_grad[m]):>28.1e}')
    assert all(steps_to_target(r) is None for r, c in zip(mse_sat, given_up_count) if c > 0)
    assert np.all((final_acc[given_up_count == 1] > 0.5) & (final_acc[given_up_count == 1] < 0.7))
    assert np.all(final_acc[given_up_count == 2] < 0.4)
    assert np.median(final_grad[given_up_count == 2]) < 1e-3 * np.median(final_grad[given_up_count == 1])

    LONGER = 3000
    longer = train('MSE', best_sat['MSE'], seed=REP_SEED, init_scale=C, steps=LONGER, stop_early=True)
    escaped = steps_to_target(longer)
    print(f'\nseed {REP_SEED}, MSE at lr {best_sat["MSE"]:g}, run for up to {LONGER} steps: '
          + (f'reached {TARGET:.0%} training accuracy at step {escaped}' if escaped is not None
             else f'still below {TARGET:.0%}'))
    assert escaped is not None and escaped > STEPS                  # "given more steps, it gets out"
    """),
    md(r"""
    Every run that gave up a class missed the target; the runs near 2/3 accuracy gave up one
    class, those near 1/3 gave up two: they predict one class everywhere, and their gradient
    has all but vanished (the last column: orders of magnitude below the one-class runs'). The representative run, given
    more steps, does get out: the few boundary points that still pull move the boundary, a
    little at each step, into the given-up class, until its points stop being saturated and
    their own pull grows with $p_y$. The plateau near 2/3 is a slow phase rather than a dead
    end; the lab (`python examples/mse_vs_ce.py --docs`) counts how many stalled runs of 40
    seeds get out when given four times as many steps, and the README reports it.

    ### 3f. What the classifiers learned

    Decision regions of the models, with the training points on top: from the default start for
    seed 1 (every run there reached the target, so any seed looks alike), and from the saturated
    start for the representative seed chosen above.
    """),
    code(r"""
    grid_x, grid_y = np.meshgrid(np.linspace(-1.2, 1.2, 200), np.linspace(-1.2, 1.2, 200))
    grid = mg.tensor(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float32))
    panels = [(f'CE lr {lr_ce:g}, default start', ce_run[0]),
              (f'MSE lr {lr_ce:g} (shared), default start', mse_shared[0]),
              (f'MSE lr {lr_mse:g} (tuned), default start', mse_tuned[0]),
              (f'CE lr {best_sat["CE"]:g}, output layer × {C}', ce_sat[typical]),
              (f'MSE lr {best_sat["MSE"]:g}, output layer × {C}', mse_sat[typical]),
              (f'MSE lr {lr_mse:g}, output layer × {C}', mse_stuck)]
    fig, axes = plt.subplots(2, 3, figsize=(13, 9.5), sharex=True, sharey=True, layout='constrained')
    light = ListedColormap(['#f6c4c4', '#c4d8f6', '#c8ecc8'])        # pale versions of the point colours
    test_accs = []
    for ax, (title, run) in zip(axes.ravel(), panels):
        with mg.no_grad():
            regions = run['model'](grid).numpy().argmax(axis=1).reshape(grid_x.shape)
            test_accs.append(accuracy(run['model'](Xte), y_test))
        ax.contourf(grid_x, grid_y, regions, levels=[-0.5, 0.5, 1.5, 2.5], cmap=light)
        for k, colour in zip(range(K), ['tab:red', 'tab:blue', 'tab:green']):
            ax.scatter(*X_train[y_train == k].T, s=8, color=colour, label=f'class {k}')
        ax.set_title(f'{title}\ntest accuracy {test_accs[-1]:.2f}', fontsize=10)
        ax.set_aspect('equal')
    for ax in axes[1]:
        ax.set_xlabel('x₁')
    for ax in axes[:, 0]:
        ax.set_ylabel('x₂')
    axes[0, 0].legend(loc='lower left', fontsize='small')
    fig.suptitle(f'Decision regions after {STEPS} SGD steps: default start seed {SEEDS[0]} (top), '
                 f'saturated start seed {REP_SEED}, the representative one (bottom)')
    plt.show()
    assert min(test_accs[0], test_accs[2], test_accs[3]) > 0.9 and test_accs[5] < 0.5
    assert all(steps_to_target(r) is not None for r in ce_run + mse_tuned)     # "any seed looks alike"
    """),
    md(r"""
    ## 4. Where MSE belongs — and its weak spot: outliers

    For a numeric target MSE is the natural loss. But squaring lets a few large errors dominate,
    as the first example already showed. Here a line $y = w x + b$ is fitted to points with a
    known slope, after five of them — the five with the largest $x$ — are pushed far down.
    The same model and optimiser fit it with MSE, with L1 (mean absolute error), and with Huber
    (squared near zero, absolute beyond $\delta = 1$).
    """),
    code(r"""
    x_r, y_r, true_w = data.make_regression(n_samples=100, n_features=1, noise=0.3, bias=1.0, seed=0, coef=True)
    outliers = np.argsort(x_r[:, 0])[-5:]
    y_out = y_r.copy()
    y_out[outliers] -= 10.0
    xt, yt = mg.tensor(x_r), mg.tensor(y_out.reshape(-1, 1))


    def fit_line(loss_fn, steps=500, lr=0.1):
        mg.manual_seed(0)
        line = nn.Linear(1, 1)
        opt = optim.SGD(line.parameters(), lr=lr)
        for _ in range(steps):
            loss = loss_fn(line(xt), yt)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return line.weight.data.item(), line.bias.data.item()


    fits = {'MSE': fit_line(F.mse_loss), 'L1': fit_line(F.l1_loss), 'Huber': fit_line(F.huber_loss)}
    print(f'true line:  slope {true_w[0]:+.3f}  intercept {1.0:+.3f}')
    for name, (w_fit, b_fit) in fits.items():
        print(f'{name:6s}      slope {w_fit:+.3f}  intercept {b_fit:+.3f}   slope error {abs(w_fit - true_w[0]):.3f}')

    w_mse, b_mse = fits['MSE']
    sq = (w_mse * x_r[:, 0] + b_mse - y_out) ** 2
    share = sq[outliers].sum() / sq.sum()
    print(f'\nat the MSE fit, the {len(outliers)} outliers ({len(outliers) / len(y_out):.0%} of the points) '
          f'make up {share:.0%} of the squared error')
    err = {name: abs(w_fit - true_w[0]) for name, (w_fit, _) in fits.items()}
    assert err['MSE'] > 3 * max(err['L1'], err['Huber'])
    assert share > 0.5

    fig, ax = plt.subplots(figsize=(7, 4.5))
    inliers = np.setdiff1d(np.arange(len(y_out)), outliers)
    ax.scatter(x_r[inliers, 0], y_out[inliers], s=12, color='grey', label='data')
    ax.scatter(x_r[outliers, 0], y_out[outliers], s=40, marker='x', color='black', label='outliers')
    xs = np.linspace(x_r.min(), x_r.max(), 2)
    ax.plot(xs, true_w[0] * xs + 1.0, 'k--', lw=1, label='true line')
    for name, (w_fit, b_fit) in fits.items():
        ax.plot(xs, w_fit * xs + b_fit, lw=2, label=f'{name} fit')
    ax.set_xlabel('x')
    ax.set_ylabel('y')
    ax.set_title(f'{len(outliers)} outliers: MSE follows them, L1 and Huber much less')
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize='small')
    plt.show()
    """),
    md(r"""
    ## What the numbers said

    The cell below collects the key numbers this notebook computed.

    * **Regression → MSE, classification → cross-entropy** holds up, with reasons you can see:
      cross-entropy has no ceiling for confident mistakes, and its gradient at the logit does not
      vanish when the output saturates; MSE's does.
    * **"Cross-entropy gives stronger gradients"** is true, but part of it is a constant factor,
      $K^2/2$ near a uniform output with `'mean'` reductions. Compare losses at a shared learning
      rate and that factor decides the race; give each loss its own learning rate and, from a
      benign start, MSE on softmax outputs keeps up.
    * **Saturation is not a constant factor.** From a confidently wrong start, the gap at the
      output grows by orders of magnitude, by how much depending on the initialisation (for some,
      MSE's gradient is exactly zero). MSE then wants a *smaller* learning rate, not a larger one,
      and even there reaches the target on far fewer seeds than cross-entropy (20 seeds, numbers
      below); at a larger one it stalls for good. A run that stalls has given up whole classes:
      near 2/3 accuracy one class, whose saturated points still send much of MSE's gradient but
      almost none of it toward their own class (section 3e), a plateau that more steps can end;
      near 1/3 two, with the gradient all but gone.
    * **MSE and outliers**: a handful of far-off points can own most of the squared error and drag
      the fit; L1 and Huber resist.

    Next: [03 — training a classifier](03_training_a_classifier.ipynb) on real handwritten digits.
    """),
    code(r"""
    print(f'MSE of [4, 2, 3] vs [3, 5, 2]:                 {mse.item():.4f} (= 11/3)')
    print(f'p(true) = 0.01: MSE {mse_wrong:.4f}, binary cross-entropy {bce_wrong:.3f}')
    print(f'|dCE/dz| / |dMSE/dz| at p = 0.5 and 0.001:     {ratio_at[0.5]:.2f} and {ratio_at[0.001]:.0f}')
    print(f'output-layer gradient ratio, uniform start:    {ratio:.5f} (K²/2 = {K ** 2 / 2})')
    print(f'best learning rates, default start:            CE {lr_ce:g}, MSE {lr_mse:g}')
    print(f'mean steps to {TARGET:.0%}, default start:            CE {mean_steps(ce_run):.0f}, '
          f'MSE at CE\'s lr {mean_steps(mse_shared):.0f}, MSE at its own lr {mean_steps(mse_tuned):.0f}')
    print(f'output layer × {C}, best lrs:                 CE {best_sat["CE"]:g}, MSE {best_sat["MSE"]:g}')
    print(f'output layer × {C}, mean steps to {TARGET:.0%}:        CE {mean_steps(ce_sat):.0f}, MSE {mean_steps(mse_sat):.0f} '
          f'(final train accuracy {final_ce:.2f} vs {final_mse:.2f})')
    print(f'output layer × {C}, seeds reaching {TARGET:.0%}:       CE {reached["CE"]}/{len(SAT_SEEDS)}, '
          f'MSE {reached["MSE"]}/{len(SAT_SEEDS)} (95% intervals {intervals["CE"][0]:.0%}-{intervals["CE"][1]:.0%} '
          f'and {intervals["MSE"][0]:.0%}-{intervals["MSE"][1]:.0%})')
    sat_share = shares['wrong, p_y < 0.01 (saturated)']
    print(f'{f"stalled MSE run, seed {REP_SEED}:":46s}class {given_up[0]} given up; its saturated points send '
          f'{sat_share["MSE"][0]:.0%} of MSE\'s gradient, {sat_share["MSE"][1]:.3%} of its pull '
          f'(cross-entropy: {sat_share["CE"][1]:.0%}); out at step {escaped}')
    print(f'regression slope error: MSE {err["MSE"]:.3f}, L1 {err["L1"]:.3f}, Huber {err["Huber"]:.3f}')
    """),
]
