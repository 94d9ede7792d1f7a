"""minigrad/data/text.py: the bundled names and play, and their character-level datasets."""
import fnmatch
import os
import pathlib

import numpy as np
import pytest

import minigrad as mg
from minigrad import data
from minigrad.data import text

DATA = pathlib.Path(text.__file__).parent
ROOT = DATA.parent.parent


def _examples_by_loop(words, block_size, stoi):
    """makemore's build_dataset, written out: the reference for the vectorised one."""
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + '.':
            X.append(context)
            Y.append(stoi[ch])
            context = context[1:] + [stoi[ch]]
    return np.array(X, dtype=np.int64).reshape(-1, block_size), np.array(Y, dtype=np.int64)


# ------------------------------------------------------------------ the bundled files

def test_names_file_is_makemores_list():
    raw = (DATA / 'names.txt').read_bytes()
    assert len(raw) == 228145 and not raw.endswith(b'\n')
    names = data.load_names()
    assert len(names) == 32033 and names[0] == 'emma' and names[-1] == 'zzyzx'
    assert all(name.isascii() and name.isalpha() and name.islower() for name in names)
    assert (min(map(len, names)), max(map(len, names))) == (2, 15)
    assert sum(len(name) + 1 for name in names) == 228146      # makemore's X.shape[0] for block_size 3
    # the top of the lecture's table of bigram counts ('.' marks start and end)
    counts = {}
    for name in names:
        for pair in zip('.' + name, name + '.'):
            counts[pair] = counts.get(pair, 0) + 1
    assert [counts[tuple(p)] for p in ['n.', 'a.', 'an', '.a', 'e.', 'ar', 'el', 'y.', '.e', 'mi']] == \
        [6763, 6640, 5438, 4410, 3983, 3264, 3248, 2007, 1531, 1256]
    assert names is not data.load_names()                      # a new list each call


def test_shakespeare_file_is_coriolanus_whole_lines():
    play = data.load_shakespeare()
    assert len(play) == 154469 and play.isascii()
    assert play.startswith('First Citizen:\nBefore we proceed any further, hear me speak.\n')
    assert play.endswith('Yet he shall have a noble memory. Assist.\n')
    assert len(set(play)) == 61


def test_licence_and_notice_travel_with_the_data():
    licence = (DATA / 'names-LICENSE.txt').read_text()
    assert licence.startswith('MIT License\n\nCopyright (c) 2022 Andrej Karpathy\n')
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in licence
    notice = (DATA / 'NOTICE').read_text()
    for phrase in ('names.txt', 'karpathy/makemore', 'MIT', 'names-LICENSE.txt', 'Social Security',
                   'public domain', 'shakespeare.txt', 'tinyshakespeare', '154,469', 'digits.npz'):
        assert phrase in notice, phrase


def test_every_data_file_is_package_data():
    tomllib = pytest.importorskip('tomllib')
    config = tomllib.loads((ROOT / 'pyproject.toml').read_text())
    patterns = config['tool']['setuptools']['package-data']['minigrad']
    shipped = [name for name in os.listdir(DATA) if not name.endswith(('.py', '.pyc'))
               and not (DATA / name).is_dir()]
    missing = [name for name in shipped if not any(fnmatch.fnmatch(f'data/{name}', p) for p in patterns)]
    assert {'names.txt', 'shakespeare.txt', 'names-LICENSE.txt', 'NOTICE'} <= set(shipped)
    assert not missing, f'{missing} would be left out of the wheel: add them to package-data'


# ------------------------------------------------------------------ names_dataset

def test_names_dataset_shapes_vocabulary_and_examples():
    d = data.names_dataset(block_size=3)
    assert d.vocab_size == 27 and d.itos[0] == '.' and d.itos[1] == 'a' and d.itos[26] == 'z'
    assert all(d.stoi[c] == i for i, c in d.itos.items())
    sizes = []
    for X, Y in (d.train, d.val, d.test):
        assert X.dtype == np.int64 and Y.dtype == np.int64
        assert X.ndim == 2 and X.shape[1] == 3 and Y.shape == (len(X),)
        assert X.min() >= 0 and X.max() < 27 and Y.max() < 27
        sizes.append(len(X))
    assert sum(sizes) == 228146 and sizes[0] > 8 * sizes[1]
    train, val, test = data.split_words(data.load_names())
    assert (len(train), len(val), len(test)) == (25626, 3203, 3204)
    for block_size in (1, 3, 5):
        got = data.names_dataset(block_size=block_size).val
        want = _examples_by_loop(val, block_size, d.stoi)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


def test_names_dataset_emma_by_hand():
    d = data.names_dataset(block_size=3, words=['emma'], split=(0.5, 0.5))
    assert d.test is None and len(d.train[0]) == 0 and d.train[0].shape == (0, 3)
    X, Y = d.val
    assert [d.decode(x) for x in X] == ['...', '..e', '.em', 'emm', 'mma']
    assert d.decode(Y) == 'emma.'
    np.testing.assert_array_equal(d.encode('emma'), [2, 3, 3, 1])


def test_splits_are_disjoint_and_deterministic_per_seed():
    names = data.load_names()
    a = data.split_words(names, seed=0)
    assert [len(p) for p in a] == [25626, 3203, 3204]
    assert sorted(a[0] + a[1] + a[2]) == sorted(names)          # each name once, in one split
    words = [f'{name}{i}' for i, name in enumerate(names[:1000])]   # unique, to see disjointness
    parts = data.split_words(words, seed=0)
    assert set.intersection(*map(set, parts[:2])) == set() and set(parts[1]) & set(parts[2]) == set()
    assert len(set().union(*map(set, parts))) == 1000
    assert data.split_words(names, seed=0) == a and data.split_words(names, seed=1) != a
    d0, d0b, d1 = (data.names_dataset(seed=s) for s in (0, 0, 1))
    np.testing.assert_array_equal(d0.train[0], d0b.train[0])
    assert d0.train[0].shape != d1.train[0].shape or not np.array_equal(d0.train[0], d1.train[0])


def test_seed_none_follows_manual_seed():
    words = [f'w{i}' for i in range(50)]
    mg.manual_seed(3)
    a = data.split_words(words, seed=None)
    mg.manual_seed(3)
    assert data.split_words(words, seed=None) == a
    assert data.split_words(words, seed=None) != a


@pytest.mark.parametrize('kwargs, message', [
    (dict(block_size=0), 'block_size must be a positive int'),
    (dict(block_size=2.0), 'block_size must be a positive int'),
    (dict(split=(0.8, 0.3)), 'split must be 2 or 3 positive fractions summing to 1'),
    (dict(split=(1.0,)), 'split must be 2 or 3 positive fractions summing to 1'),
    (dict(words=['a.b']), "words must not contain '.'"),
])
def test_names_dataset_errors(kwargs, message):
    with pytest.raises(ValueError, match=message.replace('(', r'\(').replace(')', r'\)')):
        data.names_dataset(**kwargs)


# ------------------------------------------------------------------ text_dataset

def test_text_dataset_is_contiguous_first_90_percent_train():
    play = data.load_shakespeare()
    t = data.text_dataset(block_size=8)
    assert t.vocab_size == 61 and t.test is None and t.itos[0] == '\n'
    n = int(0.9 * len(play))
    X, Y = t.train
    assert X.shape == (n - 8, 8) and Y.shape == X.shape and X.dtype == np.int64
    assert t.decode(X[0]) == 'First Ci' and t.decode(Y[0]) == 'irst Cit'
    np.testing.assert_array_equal(X[1:, :], Y[:-1, :])             # Y is X one character on
    assert t.decode(X[-1]) + t.decode(Y[-1])[-1] == play[n - 9:n]  # no window crosses the cut
    Xv, Yv = t.val
    assert t.decode(Xv[0]) == play[n:n + 8] and len(Xv) == len(play) - n - 8
    assert t.decode(Yv[-1]) == play[-8:]
    assert not X.flags.writeable                                    # views, not copies
    batch = X[np.array([0, 5, 9])]
    assert batch.shape == (3, 8) and batch.flags.writeable


def test_text_dataset_three_way_split_and_own_text():
    t = data.text_dataset(block_size=2, split=(0.5, 0.25, 0.25), text='abcdabcdabcdabcd')
    assert t.vocab_size == 4 and [len(p[0]) for p in (t.train, t.val, t.test)] == [6, 2, 2]
    assert t.decode(t.test[0][0]) == 'ab' and t.decode(t.test[1][-1]) == 'cd'
    with pytest.raises(KeyError, match="character 'z' is not in the vocabulary"):
        t.encode('abz')
    with pytest.raises(ValueError, match='too short for block_size=4'):
        data.text_dataset(block_size=4, text='abcdefghij')
