"""A makemore-style program (the first lectures of the most-followed backprop course: a bigram
model of names, counted, sampled, then trained as a one-layer net and checked by hand) runs
unchanged with `import minigrad as torch`, and, when PyTorch is installed, as the same text
with `import torch`."""
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


def run(header):
    scope = {'WORDS': WORDS}
    exec(header + PROGRAM, scope)
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
