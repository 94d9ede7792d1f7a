#!/usr/bin/env python
"""Character-level language models on the bundled names, from counting to a transformer.

    python examples/language_model.py --quick     # under a minute
    python examples/language_model.py             # the full run (a few minutes)

Each model predicts the next character of a name from the ones before it; '.' marks a
name's start and end. The loss is the mean negative log-likelihood (nats per character)
on names the model never trained on (the validation split).

1. Bigram counts: P(next | prev) = (N[prev, next] + 1) / Σ_next (N[prev, next] + 1).
2. A neural bigram: logits = W[prev] (a 27 × 27 table), trained by gradient descent on the
   cross-entropy. It is the same family of models as the counts, and the loss has one optimum,
   the normalised counts: so its loss comes down to the count model's.
3. An MLP with an embedding table (the last 3 characters), a learning-rate finder first.
4. A deeper tanh MLP with and without BatchNorm, watched by the training-health view.
5. A small transformer (causal self-attention) on the bundled text.

Every model function takes the library as `lib`: the same code runs with `lib = torch`,
which is how the tests compare the two from the same initial weights.
"""
import argparse
import json
import math
import os
import re
import textwrap
import time

import numpy as np

import minigrad as mg
from minigrad import data


# ------------------------------------------------------------- 1. counts

def count_bigram(bigrams, smoothing=1):
    """The probability table from counting the train pairs, and the mean -log P of each split.

    `bigrams` is `data.names_dataset(block_size=1)`: each split's X holds the previous
    character, Y the next."""
    V = bigrams.vocab_size
    X, Y = bigrams.train
    counts = np.zeros((V, V))
    np.add.at(counts, (X[:, 0], Y), 1)
    P = (counts + smoothing) / (counts + smoothing).sum(axis=1, keepdims=True)
    with np.errstate(divide='ignore'):              # unsmoothed, an unseen pair costs -log 0 = inf
        losses = {name: float(-np.log(P[X[:, 0], Y]).mean())
                  for name, (X, Y) in (('train', bigrams.train), ('val', bigrams.val))}
    return P, losses


# ------------------------------------------------------- 2. neural bigram

def neural_bigram(lib, bigrams, steps, lr=50.0, seed=0):
    """W (V × V) trained by full-batch gradient descent on cross-entropy: logits = W[prev], the
    row of the previous character (the same as one_hot(prev) @ W). Returns W and the losses."""
    V = bigrams.vocab_size
    W = lib.tensor(np.random.default_rng(seed).standard_normal((V, V)).astype(np.float32),
                   requires_grad=True)
    X, Y = (lib.tensor(a) for a in bigrams.train)
    X = X[:, 0]
    curve = []
    for _ in range(steps):
        loss = lib.nn.functional.cross_entropy(W[X], Y)
        W.grad = None
        loss.backward()
        with lib.no_grad():
            W -= lr * W.grad
        curve.append(loss.item())
    Xv, Yv = (lib.tensor(a) for a in bigrams.val)
    with lib.no_grad():
        val_loss = lib.nn.functional.cross_entropy(W[Xv[:, 0]], Yv).item()
    return W.detach(), {'train': curve[-1], 'val': val_loss, 'curve': curve}


# ------------------------------------------------------------ 3. the MLP

def mlp(lib, vocab_size, block_size, n_embd=10, n_hidden=200):
    """Embedding table → the context's vectors side by side → tanh layer → logits."""
    nn = lib.nn
    return nn.Sequential(nn.Embedding(vocab_size, n_embd), nn.Flatten(),
                         nn.Linear(n_embd * block_size, n_hidden), nn.Tanh(),
                         nn.Linear(n_hidden, vocab_size))


def batches(n_rows, batch_size, steps, seed):
    """The row indices of each minibatch (NumPy, so both libraries see the same batches)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_rows, (steps, batch_size))


def train(lib, model, X, Y, steps, lr, batch_size=32, seed=0, decay_at=0.75, bar=None, on_step=None):
    """Minibatch SGD on cross-entropy, lr ÷ 10 after `decay_at` of the steps; the loss per step."""
    X, Y = lib.tensor(X), lib.tensor(Y)
    optimizer = lib.optim.SGD(model.parameters(), lr=lr)
    curve = []
    model.train()
    for step, rows in enumerate(batches(len(X), batch_size, steps, seed)):
        if step == int(decay_at * steps):
            for group in optimizer.param_groups:
                group['lr'] = lr / 10
        index = lib.tensor(rows)
        curve.append(optimize(optimizer, next_char_loss(lib, model, X[index], Y[index])))
        if on_step is not None:
            on_step(step)
        if bar is not None:
            bar.update(1)
    return curve


def next_char_loss(lib, model, x, y):
    """Mean cross-entropy of the model's next-character logits: (B, V) from the MLPs, (B, T, V)
    from the transformer (every position predicts the one after it)."""
    logits = model(x)
    return lib.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def optimize(optimizer, loss):
    """One step of `optimizer` down `loss` (gradients zeroed first); the loss as a number."""
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def evaluate(lib, model, X, Y):
    """Mean cross-entropy over all of (X, Y), in eval mode (BatchNorm uses its running stats)."""
    model.eval()
    with lib.no_grad():
        loss = next_char_loss(lib, model, lib.tensor(X), lib.tensor(Y)).item()
    model.train()
    return loss


def find_lr(lib, make_model, X, Y, steps=300, low=1e-3, high=10.0, seed=0):
    """The learning-rate finder: one fresh model, the rate raised exponentially from `low` to
    `high` over `steps` steps; the suggested rate is where the smoothed loss is lowest, ÷ 10
    (at the minimum the rate is already at the edge of blowing up)."""
    model = make_model()
    lrs = np.exp(np.linspace(np.log(low), np.log(high), steps))
    optimizer = lib.optim.SGD(model.parameters(), lr=low)
    Xt, Yt = lib.tensor(X), lib.tensor(Y)
    losses = []
    for lr, rows in zip(lrs, batches(len(X), 32, steps, seed)):
        optimizer.param_groups[0]['lr'] = float(lr)
        index = lib.tensor(rows)
        losses.append(optimize(optimizer, next_char_loss(lib, model, Xt[index], Yt[index])))
        if not math.isfinite(losses[-1]) or losses[-1] > 4 * losses[0]:
            break
    smooth = np.convolve(losses, np.ones(15) / 15, mode='valid')
    best = int(np.argmin(smooth)) + 7
    return float(lrs[best] / 10), (lrs[:len(losses)], np.array(losses))


def sample(lib, model, itos, block_size, n, seed):
    """n names drawn from the model, one character at a time, with a seeded generator."""
    generator = lib.Generator().manual_seed(seed)
    model.eval()
    names = []
    with lib.no_grad():
        for _ in range(n):
            context, out = [0] * block_size, []
            while len(out) < 30:
                probs = lib.softmax(model(lib.tensor([context])), dim=1)
                ix = lib.multinomial(probs, num_samples=1, generator=generator).item()
                if ix == 0:
                    break
                out.append(itos[ix])
                context = context[1:] + [ix]
            names.append(''.join(out))
    model.train()
    return names


# ---------------------------------------------------- 4. deeper, and BatchNorm

def deep_mlp(lib, vocab_size, block_size, batchnorm, n_embd=10, n_hidden=100, depth=4, gain=5 / 3):
    """`depth` tanh layers (Linear [→ BatchNorm1d] → Tanh), then the logits. Without BatchNorm
    the weights are scaled by gain/√fan_in (Kaiming's init for tanh, gain 5/3); the last
    layer starts small (×0.1) so the first loss is near -log(1/27) instead of far above it."""
    nn = lib.nn
    layers = [nn.Embedding(vocab_size, n_embd), nn.Flatten()]
    fan_in = n_embd * block_size
    for _ in range(depth):
        linear = nn.Linear(fan_in, n_hidden, bias=not batchnorm)
        with lib.no_grad():
            linear.weight.normal_(0, 1).mul_(gain / math.sqrt(fan_in))
        layers += [linear] + ([nn.BatchNorm1d(n_hidden)] if batchnorm else []) + [nn.Tanh()]
        fan_in = n_hidden
    head = nn.Linear(fan_in, vocab_size)
    with lib.no_grad():
        head.weight.mul_(0.1)
    return nn.Sequential(*layers, head)


# ------------------------------------------------------- 5. a transformer

def char_transformer(lib, vocab_size, block_size, d_model=64, n_head=4, n_layer=2):
    """Token and position embeddings → pre-norm encoder blocks with a causal mask (each position
    sees only itself and the ones before) → LayerNorm → logits for the next character."""
    nn = lib.nn

    class CharTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.token = nn.Embedding(vocab_size, d_model)
            self.position = nn.Embedding(block_size, d_model)
            block = nn.TransformerEncoderLayer(d_model, n_head, 4 * d_model, dropout=0.0,
                                               activation='gelu', batch_first=True, norm_first=True)
            self.blocks = nn.TransformerEncoder(block, n_layer, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(d_model)
            self.head = nn.Linear(d_model, vocab_size)

        def forward(self, idx):
            T = idx.shape[1]
            x = self.token(idx) + self.position(lib.arange(T))
            causal = nn.Transformer.generate_square_subsequent_mask(T)
            x = self.blocks(x, mask=causal, is_causal=True)
            return self.head(self.norm(x))
    return CharTransformer()


def train_transformer(lib, model, windows, steps, lr=3e-3, batch_size=32, seed=0, bar=None):
    """AdamW on next-character cross-entropy; each step takes `batch_size` random windows of
    `windows` = (X, Y) from `data.text_dataset` (Y is X shifted by one character)."""
    X, Y = windows
    optimizer = lib.optim.AdamW(model.parameters(), lr=lr)
    curve = []
    for rows in batches(len(X), batch_size, steps, seed):
        loss = next_char_loss(lib, model, lib.tensor(X[rows]), lib.tensor(Y[rows]))
        curve.append(optimize(optimizer, loss))
        if bar is not None:
            bar.update(1)
    return curve


def evaluate_text(lib, model, windows, n=256, seed=1):
    """Mean cross-entropy over `n` fixed windows of `windows` = (X, Y), in eval mode."""
    X, Y = windows
    rows = np.random.default_rng(seed).integers(0, len(X), n)
    return evaluate(lib, model, X[rows], Y[rows])


def sample_text(lib, model, itos, block_size, length, seed, start=0):
    """`length` characters generated after character index `start`."""
    generator = lib.Generator().manual_seed(seed)
    ids = [start]
    model.eval()
    with lib.no_grad():
        for _ in range(length):
            logits = model(lib.tensor([ids[-block_size:]]))[0, -1]
            ids.append(lib.multinomial(lib.softmax(logits, dim=0), 1, generator=generator).item())
    model.train()
    return ''.join(itos[i] for i in ids[1:])


# ------------------------------------------------------------------ main

FULL = dict(bigram_every=1, bigram_steps=300, mlp_steps=30_000, lr_finder_steps=500, deep_steps=8_000,
            transformer_steps=2_000, samples=10)
TINY = dict(bigram_every=16, bigram_steps=30, mlp_steps=100, lr_finder_steps=100, deep_steps=30,
            transformer_steps=5, samples=2)         # --tiny: every code path in seconds (for the tests)
QUICK = dict(bigram_every=4, bigram_steps=250, mlp_steps=3_000, lr_finder_steps=300, deep_steps=800,
             transformer_steps=150, samples=5)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog='language_model.py', description=__doc__.split('\n')[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--quick', action='store_true', help='fewer steps: under a minute')
    p.add_argument('--tiny', action='store_true', help='a few steps of each model: checks that it runs')
    p.add_argument('--seed', type=int, default=42, help='seed of the split, weights and batches')
    p.add_argument('--out', default=os.path.join('runs', 'language_model'),
                   help='folder for results.json and the figures')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    p.add_argument('--no-figures', dest='figures', action='store_false', help='save no figures')
    return p.parse_args(argv)


def progress(total, desc, quiet):
    """A tqdm bar, or None (asked for none, or tqdm is not installed)."""
    if quiet:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=desc, leave=False)


def run_bigrams(cfg, seed):
    """Sections 1 and 2: the counts against the neural bigram, printed side by side."""
    every = cfg['bigram_every']            # --quick: every 4th name, so that 250 full-batch steps are quick
    bigrams = data.names_dataset(block_size=1, seed=seed, words=data.load_names()[::every])
    _, counts = count_bigram(bigrams)
    _, optimum = count_bigram(bigrams, smoothing=0)
    _, neural = neural_bigram(mg, bigrams, cfg['bigram_steps'])
    which = 'all names' if every == 1 else f'every {every}th name'
    print(f'1-2. bigrams on {which}: counts against gradient descent (nats per character)')
    print(f'     {"model":<38}{"train":>8}{"val":>8}')
    rows = (('counts, +1 smoothing', counts), ('counts, unsmoothed (the optimum)', optimum),
            (f'neural bigram, {cfg["bigram_steps"]} GD steps', neural))
    for label, losses in rows:
        print(f'     {label:<38}{losses["train"]:>8.4f}{losses["val"]:>8.4f}')
    gap = neural['train'] - optimum['train']
    print(f'     the neural bigram is {gap:+.4f} nats from the optimum on train')
    return {'counts': counts, 'optimum': optimum, 'gap_train': gap,
            'neural': {k: v for k, v in neural.items() if k != 'curve'}, 'neural_curve': neural['curve']}


def run_mlp(names, cfg, args):
    """Section 3: the learning-rate finder, then the MLP at the rate it suggests."""
    (Xtr, Ytr), (Xva, Yva) = names.train, names.val
    V, block_size = names.vocab_size, Xtr.shape[1]
    mg.manual_seed(args.seed)
    lr, (lrs, losses) = find_lr(mg, lambda: mlp(mg, V, block_size), Xtr, Ytr, cfg['lr_finder_steps'])
    mg.manual_seed(args.seed)
    model = mlp(mg, V, block_size)
    bar = progress(cfg['mlp_steps'], 'MLP', args.quiet)
    curve = train(mg, model, Xtr, Ytr, cfg['mlp_steps'], lr, seed=args.seed, bar=bar)
    bar and bar.close()
    result = {'lr': lr, 'train': evaluate(mg, model, Xtr, Ytr), 'val': evaluate(mg, model, Xva, Yva),
              'curve': curve, 'lr_finder': {'lr': lrs.tolist(), 'loss': losses.tolist()}}
    print(f'3.   MLP (context {block_size}, embedding 10, hidden 200): the learning-rate finder '
          f'suggests {lr:.3g};')
    print(f'     after {cfg["mlp_steps"]:,} steps train {result["train"]:.4f}, val {result["val"]:.4f}')
    result['samples'] = sample(mg, model, names.itos, block_size, cfg['samples'], args.seed)
    print('     samples: ' + ', '.join(result['samples']))
    return result


def run_deep(names, cfg, args):
    """Section 4: deeper tanh nets — badly scaled, Kaiming-scaled, and with BatchNorm."""
    (Xtr, Ytr), (Xva, Yva) = names.train, names.val
    variants = {'tanh, weights 3x too large': dict(batchnorm=False, gain=5.0),
                'tanh, Kaiming init (gain 5/3)': dict(batchnorm=False, gain=5 / 3),
                'tanh + BatchNorm1d': dict(batchnorm=True, gain=5 / 3)}
    results = {}
    print(f'4.   deeper MLPs, 4 tanh layers of 100, {cfg["deep_steps"]:,} steps each: train / val loss,')
    print('     then what the training-health view (mg.viz.Health) flags')
    for label, options in variants.items():
        mg.manual_seed(args.seed)
        model = deep_mlp(mg, names.vocab_size, Xtr.shape[1], **options)
        health = mg.viz.Health(model)
        bar = progress(cfg['deep_steps'], label, args.quiet)
        curve = train(mg, model, Xtr, Ytr, cfg['deep_steps'], 0.1, seed=args.seed, bar=bar,
                      on_step=lambda step: health.record())
        bar and bar.close()
        health.remove()
        results[label] = {'train': evaluate(mg, model, Xtr, Ytr), 'val': evaluate(mg, model, Xva, Yva),
                          'curve': curve, 'flags': health.flags()}
        print(f'     {label:<32} {results[label]["train"]:.4f} / {results[label]["val"]:.4f}')
        for flag in health.flags() or ['nothing flagged']:
            print(textwrap.fill(flag, 100, initial_indent=' ' * 7, subsequent_indent=' ' * 9))
        if args.figures:
            folder = os.path.join(args.out, 'health', '_'.join(re.findall('[a-z0-9]+', label.lower())))
            health.plot(folder)
    return results


def run_transformer(cfg, args, block_size=32):
    """Section 5: a 2-layer character transformer on the bundled play."""
    text = data.text_dataset(block_size=block_size)
    mg.manual_seed(args.seed)
    model = char_transformer(mg, text.vocab_size, block_size)
    bar = progress(cfg['transformer_steps'], 'transformer', args.quiet)
    curve = train_transformer(mg, model, text.train, cfg['transformer_steps'], seed=args.seed, bar=bar)
    bar and bar.close()
    result = {'train': evaluate_text(mg, model, text.train), 'val': evaluate_text(mg, model, text.val),
              'curve': curve,
              'sample': sample_text(mg, model, text.itos, block_size, 200, args.seed, start=text.stoi['\n'])}
    print(f'5.   transformer (2 layers, d=64, 4 heads, context {block_size}), '
          f'{cfg["transformer_steps"]:,} AdamW steps on Coriolanus:')
    print(f'     train {result["train"]:.4f}, val {result["val"]:.4f} '
          f'(uniform guessing: {math.log(text.vocab_size):.4f})')
    print('     sample:')
    for line in result['sample'].split('\n'):
        print(textwrap.fill(line, 100, initial_indent=' ' * 7, subsequent_indent=' ' * 7) or '')
    return result


def plot_curves(results, path):
    """The loss curves of every model, smoothed over 100 steps (matplotlib, if installed)."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('(matplotlib is not installed: no figures; pip install "minigrad[examples]")')
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    finder = results['mlp']['lr_finder']
    ax1.semilogx(finder['lr'], finder['loss'], lw=0.8)
    ax1.axvline(results['mlp']['lr'] * 10, ls=':', c='k', label='smoothed minimum')
    ax1.set(xlabel='learning rate', ylabel='loss', title='learning-rate finder (MLP)')
    ax1.legend()
    curves = {'MLP': results['mlp']['curve'], **{k: v['curve'] for k, v in results['deep'].items()}}
    for label, curve in curves.items():
        k = min(100, len(curve))
        ax2.plot(np.convolve(curve, np.ones(k) / k, mode='valid'), label=label, lw=1)
    ax2.set(xlabel='step', ylabel='train loss (mean of 100 steps)', title='training')
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    cfg = TINY if args.tiny else QUICK if args.quick else FULL
    start = time.perf_counter()
    names = data.names_dataset(block_size=3, seed=args.seed)
    print(f'{len(data.load_names()):,} names, {names.vocab_size} characters; '
          f'{len(names.train[0]):,} train and {len(names.val[0]):,} val examples\n')
    os.makedirs(args.out, exist_ok=True)
    results = {'config': {**cfg, 'seed': args.seed}}
    results['bigram'] = run_bigrams(cfg, args.seed)
    results['mlp'] = run_mlp(names, cfg, args)
    results['deep'] = run_deep(names, cfg, args)
    results['transformer'] = run_transformer(cfg, args)
    results['seconds'] = time.perf_counter() - start
    if args.figures:
        plot_curves(results, os.path.join(args.out, 'curves.png'))
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    print(f'\n{results["seconds"]:.0f} s; results and figures in {args.out}')
    return results


if __name__ == '__main__':
    main()
