"""Cells of 06_language_model.ipynb (written by build.py)."""
from build import code, md

NAME = '06_language_model.ipynb'

CELLS = [
    md(r"""
    # A language model, from counting to BatchNorm

    A language model predicts the next character from the ones before it. On 32,033 names
    (bundled: makemore's list), this notebook

    1. **counts** which character follows which, and turns the counts into probabilities;
    2. trains a **neural bigram** by gradient descent and sees its loss come down to the counts';
    3. trains an **MLP with an embedding table** on the last 3 characters;
    4. makes the net deeper and watches it with the **training-health view**: a badly scaled
       tanh net saturates, BatchNorm fixes it.

    The loss throughout is the mean negative log-likelihood of the right next character, in
    nats: $-\frac{1}{N}\sum \log p(\text{next}_i)$. Guessing uniformly among 27 characters costs
    $\log 27 = 3.30$. `examples/language_model.py` runs the same models bigger, and a transformer.
    """),
    code(r"""
    import os
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')   # small matrices: one BLAS thread is fastest,
    os.environ.setdefault('OMP_NUM_THREADS', '1')        # and idle threads would spin on busy cores
    %matplotlib inline
    import math

    import matplotlib.pyplot as plt
    import numpy as np

    import minigrad as mg
    import minigrad.nn.functional as F
    from minigrad import data, nn

    words = data.load_names()
    print(len(words), 'names:', words[:6])
    """),
    md(r"""
    ## 1. Counting

    Every name gives a few pairs (previous character, next character), with `.` marking the
    start and the end: `emma` gives `.e em mm ma a.`. `data.names_dataset(block_size=1)` makes
    those pairs for a seeded 80/10/10 split of the names. Counting them gives a 27 × 27 table;
    each row, normalised, is the distribution of the next character. A `+1` on every count keeps
    unseen pairs possible (smoothing).
    """),
    code(r"""
    bigrams = data.names_dataset(block_size=1, words=words[::4], seed=42)   # every 4th name: quick
    (X, Y), (Xv, Yv) = bigrams.train, bigrams.val
    itos = bigrams.itos
    N = np.zeros((27, 27))
    np.add.at(N, (X[:, 0], Y), 1)
    P = (N + 1) / (N + 1).sum(axis=1, keepdims=True)

    def nll(P, X, Y):
        return -np.log(P[X[:, 0], Y]).mean()

    print(f'{len(Y):,} training pairs; the most common: ' + ', '.join(
        f'{itos[i]}{itos[j]} {int(N[i, j])}' for i, j in zip(*np.unravel_index(np.argsort(-N, axis=None)[:5], N.shape))))
    print(f'count model: train loss {nll(P, X, Y):.4f}, val loss {nll(P, Xv, Yv):.4f} (uniform: {math.log(27):.4f})')
    optimum = -np.log((N / N.sum(axis=1, keepdims=True))[X[:, 0], Y]).mean()
    print(f'without smoothing (the lowest train loss any bigram model can have): {optimum:.4f}')
    """),
    md(r"""
    Sampling from the table: start at `.`, draw the next character from its row, repeat until
    `.` comes again. A seeded `mg.Generator` draws PyTorch's exact numbers, so these names are
    the ones `torch.multinomial` gives with the same seed.
    """),
    code(r"""
    g = mg.Generator().manual_seed(2147483647)
    Pt = mg.tensor(P)
    for _ in range(5):
        ix, out = 0, []
        while True:
            ix = mg.multinomial(Pt[ix], num_samples=1, replacement=True, generator=g).item()
            if ix == 0:
                break
            out.append(itos[ix])
        print(''.join(out))
    """),
    md(r"""
    ## 2. The same model, trained

    A neural bigram: the logits for the next character are row `prev` of a 27 × 27 weight matrix
    `W` (the same as `one_hot(prev) @ W`), and softmax turns them into probabilities. That is
    the count model's family exactly: any table of probabilities is some `softmax(W)`. Cross-entropy
    on the training pairs has one optimum, the normalised counts. So gradient descent should bring
    its loss down to the unsmoothed counts' loss printed above.
    """),
    code(r"""
    W = mg.randn(27, 27, generator=mg.Generator().manual_seed(1), requires_grad=True)
    xs, ys = mg.tensor(X[:, 0]), mg.tensor(Y)
    curve = []
    for step in range(250):
        loss = F.cross_entropy(W[xs], ys)
        W.grad = None
        loss.backward()
        with mg.no_grad():
            W -= 50 * W.grad
        curve.append(loss.item())
    print(f'neural bigram: loss {curve[0]:.4f} at the start, {curve[-1]:.4f} after 250 steps; '
          f'the counts\' optimum {optimum:.4f}')
    assert abs(curve[-1] - optimum) < 0.01
    plt.figure(figsize=(5, 3))
    plt.plot(curve, label='neural bigram')
    plt.axhline(optimum, ls=':', c='k', label='counts (optimum)')
    plt.xlabel('gradient-descent step'); plt.ylabel('train loss'); plt.ylim(2.4, 3.2); plt.legend();
    """),
    md(r"""
    ## 3. More context: an MLP with an embedding table

    A bigram sees one character. Bengio et al.'s MLP (2003) sees the last 3: each character gets a
    learned vector of 10 numbers (`nn.Embedding`, a lookup table whose rows are weights), the three
    vectors side by side go through a tanh layer, then to 27 logits. Its backward is the chain rule
    through each of these: the embedding's is a scatter-add of the gradient into the rows that
    were looked up.
    """),
    code(r"""
    names = data.names_dataset(block_size=3, seed=42)
    (Xtr, Ytr), (Xva, Yva) = names.train, names.val
    print('context -> next:', [(names.decode(x), names.itos[int(y)]) for x, y in zip(Xtr[:4], Ytr[:4])])

    def mlp():
        return nn.Sequential(nn.Embedding(27, 10), nn.Flatten(), nn.Linear(30, 200), nn.Tanh(),
                             nn.Linear(200, 27))

    def train(model, steps, lr, on_step=None):
        rng = np.random.default_rng(0)
        optimizer = mg.optim.SGD(model.parameters(), lr=lr)
        Xt, Yt = mg.tensor(Xtr), mg.tensor(Ytr)
        for step in range(steps):
            ix = mg.tensor(rng.integers(0, len(Xtr), 32))
            loss = F.cross_entropy(model(Xt[ix]), Yt[ix])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if on_step:
                on_step()
        return loss.item()

    def evaluate(model, X, Y):
        model.eval()
        with mg.no_grad():
            loss = F.cross_entropy(model(mg.tensor(X)), mg.tensor(Y)).item()
        model.train()
        return loss

    mg.manual_seed(0)
    model = mlp()
    train(model, 3000, 0.1)
    print(f'MLP after 3,000 steps: train {evaluate(model, Xtr, Ytr):.4f}, val {evaluate(model, Xva, Yva):.4f}')
    """),
    md(r"""
    Already below the bigram's 2.45 after a few thousand steps of batch 32 (the language-model
    example trains it longer). Three characters of context are worth it.

    ## 4. Deeper, and is it healthy?

    Stack four tanh layers of 100 and the scale of the weights starts to matter. If they are too
    large, the pre-activations are large, tanh sits at ±1, and its derivative $1 - \tanh^2$ is
    near 0: little gradient gets back through. `mg.viz.Health` watches a model through forward
    and backward hooks and says, per layer, how saturated the activations are, how many units are
    dead, how large the gradients are, and how much each step changes each weight relative to its
    size (the update-to-data ratio; about $10^{-3}$ per step is a rule of thumb, not a law).
    """),
    code(r"""
    def deep(batchnorm, gain):
        layers, fan_in = [nn.Embedding(27, 10), nn.Flatten()], 30
        for _ in range(4):
            linear = nn.Linear(fan_in, 100, bias=not batchnorm)
            with mg.no_grad():
                linear.weight.normal_(0, 1).mul_(gain / math.sqrt(fan_in))
            layers += [linear] + ([nn.BatchNorm1d(100)] if batchnorm else []) + [nn.Tanh()]
            fan_in = 100
        return nn.Sequential(*layers, nn.Linear(100, 27))

    healths = {}
    for label, batchnorm, gain in (('weights 3x too large', False, 5.0), ('Kaiming init', False, 5 / 3),
                                   ('BatchNorm', True, 5.0)):
        mg.manual_seed(0)
        model = deep(batchnorm, gain)
        health = healths[label] = mg.viz.Health(model)
        train(model, 300, 0.1, on_step=health.record)
        health.remove()
        print(f'--- {label}: val loss {evaluate(model, Xva, Yva):.4f}')
        print('\n'.join(health.flags()) or 'nothing flagged')
    assert healths['weights 3x too large'].flags() and not any('saturated' in f for f in healths['BatchNorm'].flags())
    """),
    md(r"""
    The badly scaled net has about two thirds of its tanh outputs at ±1 in every layer (the flags
    above). Kaiming's scale, gain 5/3 ÷ √fan_in, keeps them out of the tails, and so does BatchNorm
    with the same too-large weights: it normalises each unit over the batch before the tanh (then
    scales and shifts it by learned weights). In 300 steps the BatchNorm net's loss is no better
    yet; what changed is that every layer passes gradient back. The last layer is flagged in all
    three: at a learning rate of 0.1 its weights move fast for their size. The histograms of the
    layers' outputs show the saturation:
    """),
    code(r"""
    for label in ('weights 3x too large', 'BatchNorm'):
        figures = healths[label].figures()      # histograms of every layer's output at the last step
        for name, figure in figures.items():
            if name != 'activations':
                plt.close(figure)
        figures['activations'].suptitle(f'{label}: the layers\' outputs at the last step')
    """),
    md(r"""
    ## 5. BatchNorm in evaluation

    In training, BatchNorm uses the batch's own mean and variance, so one example's output depends
    on the others in its batch. To predict one example at a time it keeps running estimates,
    updated at each training step (`momentum` 0.1 by default, with the unbiased variance), and
    uses them after `model.eval()`. They are buffers: saved in the `state_dict`, not trained.
    """),
    code(r"""
    bn = nn.BatchNorm1d(3)
    x = mg.randn(64, 3, generator=mg.Generator().manual_seed(0)) * 2 + 5
    for _ in range(30):
        bn(x)
    print('running mean', bn.running_mean.numpy().round(3), ' batch mean', x.mean(0).numpy().round(3))
    print('running var ', bn.running_var.numpy().round(3), ' batch var ', x.var(0).numpy().round(3))
    print('buffers in the state_dict:', [k for k in bn.state_dict() if 'running' in k or 'batches' in k])
    bn.eval()
    print('one example in eval mode:', bn(x[:1]).detach().numpy().round(3))
    """),
    md(r"""
    ## What we saw

    - Counting and gradient descent reach the same bigram model: the neural net's loss came down to
      the counts' optimum. A neural net earns its keep when it can use more than a lookup table can.
    - An embedding table is a matrix of weights looked up by index; its gradient is a scatter-add.
    - Deeper tanh nets need their weights scaled (Kaiming's gain 5/3 ÷ √fan_in) or normalised
      (BatchNorm); `mg.viz.Health` shows which layers are saturated and how fast each weight moves.
    - Next: `examples/language_model.py` trains these longer and adds a character transformer.
    """),
]
