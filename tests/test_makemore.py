"""Makemore-style programs run unchanged with `import minigrad as torch`, and, when PyTorch is
installed, as the same text with `import torch`, to the same numbers: the first lectures of the
most-followed backprop course (a bigram model of names, counted, sampled, then trained as a
one-layer net and checked by hand) and the MLP after them (Embedding, BatchNorm1d, tanh,
minibatch SGD, eval-mode scoring and sampling)."""
import numpy as np
import pytest

WORDS = ('emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily '
         'elizabeth mila ella avery sofia camila aria scarlett victoria madison luna grace chloe '
         'penelope layla riley zoey nora lily eleanor hannah lillian addison aubrey ellie stella '
         'natalie zoe leah hazel violet aurora savannah audrey brooklyn bella claire skylar').split()

PROGRAM = '''
words = WORDS
chars = sorted(list(set(''.join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
V = len(stoi)

# count the bigrams
N = torch.zeros((V, V), dtype=torch.int32)
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        ix1 = stoi[ch1]
        ix2 = stoi[ch2]
        N[ix1, ix2] += 1

# normalise, with add-one smoothing
P = (N + 1).float()
P /= P.sum(1, keepdims=True)

# sample names
g = torch.Generator().manual_seed(2147483647)
names = []
for i in range(20):
    out = []
    ix = 0
    while True:
        p = P[ix]
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    names.append(''.join(out))
first_letters = torch.multinomial(P[0], num_samples=4000, replacement=True, generator=g)

# the quality of the counts: the average negative log likelihood
log_likelihood = 0.0
n = 0
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        log_likelihood += torch.log(P[stoi[ch1], stoi[ch2]])
        n += 1
count_nll = (-log_likelihood / n).item()

# the same model as a one-layer net on one-hot inputs
xs, ys = [], []
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
g = torch.Generator().manual_seed(2147483647)
W = torch.randn((V, V), generator=g, requires_grad=True)
losses = []
for k in range(200):
    xenc = F.one_hot(xs, num_classes=V).float()
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.001 * (W ** 2).mean()
    losses.append(loss.item())
    W.grad = None
    loss.backward()
    W.data += -50 * W.grad

# backprop by hand through cross-entropy, checked against autograd
def cmp(s, dt, t):
    ex = torch.all(dt == t.grad).item()
    app = torch.allclose(dt, t.grad)
    maxdiff = (dt - t.grad).abs().max().item()
    return s, ex, app, maxdiff

logits = F.one_hot(xs, num_classes=V).float() @ W
logits.retain_grad()
loss = F.cross_entropy(logits, ys)
loss.backward()
dlogits = F.softmax(logits, 1)
dlogits[range(num), ys] -= 1
dlogits /= num
check = cmp('logits', dlogits.detach(), logits)
lr_exponents = torch.linspace(-3, 0, 7)
log10_of_lrs = torch.log10(10 ** lr_exponents)
'''


def run(header, program=PROGRAM, **names):
    """The program text after `header` (its imports), run in a fresh scope holding WORDS and
    `names`; returns that scope."""
    scope = {'WORDS': WORDS, **names}
    exec(header + program, scope)
    return scope


@pytest.fixture(scope='module')
def ours():
    return run('import minigrad as torch\nimport minigrad.nn.functional as F\n')


def test_the_counts_are_the_bigrams(ours):
    N = ours['N']
    assert N.dtype == ours['torch'].int32
    pairs = sum(len(w) + 1 for w in WORDS)
    assert N.sum().item() == pairs
    assert N[0].sum().item() == len(WORDS)            # every name starts after '.'
    assert N[ours['stoi']['e'], ours['stoi']['m']].item() == sum(w.count('em') for w in WORDS)


def test_samples_are_names_drawn_from_the_counts(ours):
    itos, P = ours['itos'], ours['P'].numpy().astype(np.float64)
    assert all(name.endswith('.') and '.' not in name[:-1] for name in ours['names'])
    letters = ours['first_letters'].numpy()
    assert letters.shape == (4000,) and letters.dtype == np.int64
    expected = 4000 * P[0]
    seen = np.bincount(letters, minlength=len(itos))
    chi2 = ((seen - expected) ** 2 / expected).sum()
    assert chi2 < 60, f'first letters are not drawn from P[0] (chi² {chi2:.0f}, {len(itos) - 1} dof)'


def test_the_net_learns_the_counts(ours):
    """Unregularised, the net's best is the bigram frequencies themselves: their average negative
    log likelihood is the floor the loss (plus a little weight decay) falls to."""
    N = ours['N'].numpy().astype(np.float64)
    frequencies = N / np.maximum(N.sum(1, keepdims=True), 1)
    floor = -(N * np.log(np.where(N > 0, frequencies, 1))).sum() / N.sum()
    losses = ours['losses']
    assert losses[0] > floor + 1
    assert floor < losses[-1] < floor + 0.05, (losses[-1], floor)
    assert floor < ours['count_nll']          # add-one smoothing costs some likelihood


def test_backprop_by_hand_matches_autograd(ours):
    name, exact, approximate, maxdiff = ours['check']
    assert approximate and maxdiff < 1e-6
    assert isinstance(exact, bool)
    np.testing.assert_allclose(ours['log10_of_lrs'].numpy(), np.linspace(-3, 0, 7), atol=1e-6)


def test_pytorch_runs_the_same_text_to_the_same_numbers(ours, torch):
    theirs = run('import torch\nimport torch.nn.functional as F\n')
    np.testing.assert_array_equal(ours['N'].numpy(), theirs['N'].numpy())
    np.testing.assert_allclose(ours['P'].numpy(), theirs['P'].numpy(), rtol=1e-6)
    assert ours['count_nll'] == pytest.approx(theirs['count_nll'], rel=1e-5)
    # a seeded mg.Generator draws PyTorch's numbers: the same names, the same first weights
    assert ours['names'] == theirs['names']
    np.testing.assert_array_equal(ours['first_letters'].numpy(), theirs['first_letters'].numpy())
    assert ours['losses'][0] == theirs['losses'][0]
    np.testing.assert_allclose(ours['losses'], theirs['losses'], rtol=1e-5)
    assert ours['check'][2] == theirs['check'][2]


# The MLP of makemore's later lectures: characters embedded, a context of 3 flattened, a hidden
# layer with batch norm and tanh, minibatch SGD, then eval mode (the running statistics) to
# score and sample. INITIAL, when given, holds the first weights (from the other library).
MLP_PROGRAM = '''
words = WORDS
chars = list('abcdefghijklmnopqrstuvwxyz')
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)

block_size = 3
def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + '.':
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)

Xtr, Ytr = build_dataset(words)

n_embd, n_hidden = 10, 200
model = nn.Sequential(
    nn.Embedding(vocab_size, n_embd), nn.Flatten(),
    nn.Linear(n_embd * block_size, n_hidden, bias=False), nn.BatchNorm1d(n_hidden), nn.Tanh(),
    nn.Linear(n_hidden, vocab_size),
)
with torch.no_grad():
    model[-1].weight *= 0.1          # a less confident start
if INITIAL is not None:
    model.load_state_dict({k: torch.tensor(v) for k, v in INITIAL.items()})
initial = {k: v.clone().numpy() for k, v in model.state_dict().items()}

parameters = list(model.parameters())
g = torch.Generator().manual_seed(2147483647)
lossi = []
for i in range(25):
    ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]
    logits = model(Xb)
    loss = F.cross_entropy(logits, Yb)
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 20 else 0.05
    for p in parameters:
        p.data += -lr * p.grad
    lossi.append(loss.item())

model.eval()
with torch.no_grad():
    train_loss = F.cross_entropy(model(Xtr), Ytr).item()
bn = model[3]
running_mean, running_var = bn.running_mean.clone().numpy(), bn.running_var.clone().numpy()
steps = bn.num_batches_tracked.item()

samples = []
for _ in range(10):
    out = []
    context = [0] * block_size
    with torch.no_grad():
        while True:
            probs = F.softmax(model(torch.tensor([context])), dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break
    samples.append(''.join(itos[i] for i in out))
'''


def run_mlp(header, initial=None):
    return run(header, MLP_PROGRAM, INITIAL=initial)


@pytest.fixture(scope='module')
def mlp():
    return run_mlp('import minigrad as torch\nimport minigrad.nn as nn\nimport minigrad.nn.functional as F\n')


def test_the_mlp_trains_and_samples(mlp):
    losses = mlp['lossi']
    assert abs(losses[0] - np.log(27)) < 0.3            # a near-uniform start
    assert np.mean(losses[-5:]) < losses[0] - 0.3
    assert mlp['steps'] == 25 and mlp['train_loss'] < losses[0]
    assert all(name.endswith('.') for name in mlp['samples'])


def test_pytorch_runs_the_same_mlp_text_to_the_same_numbers(mlp, torch):
    theirs = run_mlp('import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n',
                     initial=mlp['initial'])
    assert list(theirs['initial']) == list(mlp['initial'])
    for key, value in mlp['initial'].items():
        np.testing.assert_array_equal(theirs['initial'][key], value)
    np.testing.assert_allclose(mlp['lossi'], theirs['lossi'], rtol=1e-5)
    assert mlp['train_loss'] == pytest.approx(theirs['train_loss'], rel=1e-5)
    np.testing.assert_allclose(mlp['running_mean'], theirs['running_mean'], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(mlp['running_var'], theirs['running_var'], rtol=1e-4, atol=1e-6)
    assert mlp['steps'] == theirs['steps']
    assert mlp['samples'] == theirs['samples']
