"""examples/language_model.py: its pieces, each run under minigrad and under PyTorch from the
same initial weights on a few names (the same program text, `lib` being either library), and
the quick run end to end."""
import numpy as np
import pytest

import minigrad as mg
from helpers import example_module
from minigrad import data


@pytest.fixture(scope='module')
def lm():
    return example_module('language_model')


@pytest.fixture(scope='module')
def names():
    return data.names_dataset(block_size=3, words=data.load_names()[::16], seed=1)


def test_the_neural_bigram_comes_down_to_the_counts(lm):
    bigrams = data.names_dataset(block_size=1, words=data.load_names()[::16], seed=1)
    _, optimum = lm.count_bigram(bigrams, smoothing=0)
    _, neural = lm.neural_bigram(mg, bigrams, steps=300)
    assert neural['curve'][0] > optimum['train'] + 0.5         # it starts far away ...
    assert abs(neural['train'] - optimum['train']) < 0.01       # ... and ends at the counts' optimum


def _same_start(lm, torch, make):
    """The model built by `make(lib)` in both libraries, minigrad's weights copied into torch's."""
    mg.manual_seed(0)
    mine, theirs = make(mg), make(torch)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in mine.state_dict().items()})
    return mine, theirs


@pytest.mark.parametrize('batchnorm', [False, True])
def test_the_mlps_train_as_on_pytorch(lm, names, torch, batchnorm):
    (X, Y), (Xv, Yv), V = names.train, names.val, names.vocab_size
    mine, theirs = _same_start(lm, torch, lambda lib: lm.deep_mlp(lib, V, 3, batchnorm, depth=2))
    ours = lm.train(mg, mine, X, Y, steps=50, lr=0.1)
    reference = lm.train(torch, theirs, X, Y, steps=50, lr=0.1)
    np.testing.assert_allclose(ours, reference, rtol=2e-4)
    assert lm.evaluate(mg, mine, Xv, Yv) == pytest.approx(lm.evaluate(torch, theirs, Xv, Yv), rel=2e-4)


def test_the_transformer_trains_as_on_pytorch(lm, torch):
    text = data.text_dataset(block_size=8, text=data.load_shakespeare()[:3000])
    V = text.vocab_size
    mine, theirs = _same_start(lm, torch, lambda lib: lm.char_transformer(lib, V, 8, d_model=16, n_head=2))
    ours = lm.train_transformer(mg, mine, text.train, steps=8, batch_size=4)
    reference = lm.train_transformer(torch, theirs, text.train, steps=8, batch_size=4)
    np.testing.assert_allclose(ours, reference, rtol=2e-4)


def test_samples_are_seeded(lm, names):
    mg.manual_seed(0)
    model = lm.mlp(mg, names.vocab_size, 3)
    first = lm.sample(mg, model, names.itos, 3, 4, seed=5)
    assert first == lm.sample(mg, model, names.itos, 3, 4, seed=5) and len(first) == 4
    assert all(set(name) <= set('abcdefghijklmnopqrstuvwxyz') for name in first)


def test_a_tiny_run_prints_every_section_and_saves_its_results(lm, tmp_path, capsys):
    results = lm.main(['--tiny', '--quiet', '--out', str(tmp_path)])
    printed = capsys.readouterr().out
    for section in ('1-2. bigrams', '3.   MLP', '4.   deeper MLPs', '5.   transformer'):
        assert section in printed
    assert max(len(line) for line in printed.splitlines()) <= 100
    assert (tmp_path / 'results.json').exists()
    assert set(results['deep']) == {'tanh, weights 3x too large', 'tanh, Kaiming init (gain 5/3)',
                                    'tanh + BatchNorm1d'}
    assert results['deep']['tanh, weights 3x too large']['flags']         # saturation, seen
