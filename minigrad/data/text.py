"""Bundled text for language models: 32,033 names and a play of Shakespeare's, as character data.

    names = data.load_names()                   # ['emma', 'olivia', 'ava', ...], 32,033 names
    d = data.names_dataset(block_size=3)        # makemore's MLP data: 3 characters -> the next
    d.train[0].shape, d.train[1].shape          # ((182531, 3), (182531,)), int64
    d.itos[0], d.vocab_size                     # ('.', 27): '.' marks a name's start and end

    text = data.load_shakespeare()              # Coriolanus, 154,469 characters
    t = data.text_dataset(block_size=64)        # first 90% train, the rest val, as nanoGPT
    ix = np.random.default_rng(0).integers(len(t.train[0]), size=32)
    xb, yb = t.train[0][ix], t.train[1][ix]     # a batch: yb[b, i] is the character after xb[b, i]

Sources and licences (see NOTICE beside this file): `names.txt` is the MIT-licensed names list of
karpathy/makemore (SSA baby-name data, public domain), its licence kept in `names-LICENSE.txt`;
`shakespeare.txt` is the whole of Coriolanus, the opening of char-rnn's tinyshakespeare (public
domain).
"""
import os
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..random import seed_generator

_HERE = os.path.dirname(__file__)
BOUNDARY = '.'


@lru_cache(maxsize=None)
def _read(filename):
    with open(os.path.join(_HERE, filename), encoding='ascii') as f:
        return f.read()


def load_names():
    """Returns the 32,033 lowercase names of makemore's `names.txt` as a new list of str, in the
    file's order (girls' names by popularity, then boys').

    >>> names = load_names()
    >>> len(names), names[0], names[-1]
    (32033, 'emma', 'zzyzx')
    """
    return _read('names.txt').split('\n')


def load_shakespeare():
    """Returns Shakespeare's Coriolanus, the first 154,469 characters of tinyshakespeare, as one str
    (61 distinct ASCII characters: letters, punctuation, space and newline).

    >>> load_shakespeare()[:15]
    'First Citizen:\\n'
    """
    return _read('shakespeare.txt')


class CharData(NamedTuple):
    """Character-level examples and their vocabulary. `train`, `val`, `test` are each `(X, Y)`:
    X int64 (n, block_size) windows of character ids, Y int64 the id that follows each window
    (names) or each window shifted by one (text); `test` is None for a two-way split.
    `stoi` maps a character to its id and `itos` back."""
    train: tuple
    val: tuple
    test: tuple
    stoi: dict
    itos: dict

    @property
    def vocab_size(self):
        return len(self.itos)

    def encode(self, s):
        """The ids of the characters of `s`, an int64 array; a character outside the vocabulary
        raises a KeyError naming it."""
        try:
            return np.fromiter((self.stoi[c] for c in s), np.int64, len(s))
        except KeyError as error:
            raise KeyError(f'character {error.args[0]!r} is not in the vocabulary '
                           f'({self.vocab_size} characters)') from None

    def decode(self, ids):
        """The string the ids in `ids` (ints or an int array) spell."""
        return ''.join(self.itos[int(i)] for i in np.asarray(ids).ravel())


def split_words(words, split=(0.8, 0.1, 0.1), seed=42):
    """Shuffles `words` with `seed` and cuts them into len(split) lists of those fractions of the
    words (a list gets floor(cumulative fraction x n) - the previous cut).

    Words, not examples, are split, so no name lends characters to two splits. An int seed
    gives the same split every time; None draws from minigrad's generator (`mg.manual_seed`).

    >>> train, val, test = split_words(load_names())
    >>> len(train), len(val), len(test)
    (25626, 3203, 3204)
    """
    cuts = _cuts(len(words), split)
    order = seed_generator(seed).permutation(len(words))
    return [[words[i] for i in order[a:b]] for a, b in zip(cuts, cuts[1:])]


def names_dataset(block_size=3, split=(0.8, 0.1, 0.1), seed=42, words=None):
    """makemore's data: every character of every name, with the `block_size` characters before it
    as context, '.' (id 0) padding the start and marking the end. Words are split by
    `split_words(words, split, seed)` (default: the bundled names); the vocabulary is '.' and the
    sorted letters of all the words (27 for the names).

    For 'emma' and block_size=3 the examples are '...'->'e', '..e'->'m', '.em'->'m', 'emm'->'a',
    'mma'->'.'.

    >>> d = names_dataset(block_size=3)
    >>> d.decode(d.train[0][0]), d.vocab_size
    ('...', 27)
    """
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) or block_size < 1:
        raise ValueError(f'block_size must be a positive int (characters of context), got {block_size!r}')
    words = load_names() if words is None else list(words)
    if any(BOUNDARY in w for w in words):
        raise ValueError(f"words must not contain {BOUNDARY!r}, the start/end marker")
    itos = dict(enumerate([BOUNDARY] + sorted(set(''.join(words)))))
    stoi = {c: i for i, c in itos.items()}
    parts = split_words(words, split, seed)
    examples = [_name_examples(part, block_size, stoi) for part in parts]
    return CharData(*examples, *([None] * (3 - len(examples))), stoi=stoi, itos=itos)


def text_dataset(block_size=8, split=(0.9, 0.1), text=None):
    """nanoGPT's data: the text (default: the bundled Coriolanus) cut in contiguous parts of the
    `split` fractions, in order (first 90% train). In each part, X[i] is the `block_size` ids
    starting at i and Y[i] the next `block_size` (X shifted by one), so a transformer learns to
    predict every position. The vocabulary is the sorted distinct characters of the whole text.

    X and Y are read-only views of one array (no copy of the windows); index them with a batch of
    positions, `X[ix]`, to get a batch.

    >>> t = text_dataset(block_size=8)
    >>> t.decode(t.train[0][0]), t.decode(t.train[1][0])
    ('First Ci', 'irst Cit')
    """
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) or block_size < 1:
        raise ValueError(f'block_size must be a positive int (characters of context), got {block_size!r}')
    text = load_shakespeare() if text is None else text
    itos = dict(enumerate(sorted(set(text))))
    stoi = {c: i for i, c in itos.items()}
    ids = np.fromiter((stoi[c] for c in text), np.int64, len(text))
    cuts = _cuts(len(ids), split)
    parts = []
    for a, b in zip(cuts, cuts[1:]):
        if b - a <= block_size:
            raise ValueError(f'a split of {b - a} characters is too short for block_size={block_size} '
                             f'(text of {len(ids)} characters, split={tuple(split)})')
        windows = sliding_window_view(ids[a:b], block_size + 1)
        parts.append((windows[:, :-1], windows[:, 1:]))
    return CharData(*parts, *([None] * (3 - len(parts))), stoi=stoi, itos=itos)


def _cuts(n, split):
    """The boundaries [0, c1, ..., n] of `split` (2 or 3 fractions summing to 1) over n items."""
    fractions = np.asarray(split, dtype=float)
    if fractions.ndim != 1 or len(fractions) not in (2, 3) or (fractions <= 0).any() \
            or abs(fractions.sum() - 1) > 1e-6:
        raise ValueError(f'split must be 2 or 3 positive fractions summing to 1, got {split!r}')
    inner = [int(np.floor(c * n + 1e-9)) for c in np.cumsum(fractions)[:-1]]
    return [0, *inner, n]


def _name_examples(words, block_size, stoi):
    """(X, Y) for `words`: each word laid out as block_size '.' + its letters + '.', and one
    window of block_size + 1 ids ending on each letter and on the closing '.'."""
    if not words:
        return np.zeros((0, block_size), np.int64), np.zeros(0, np.int64)
    lengths = np.fromiter(map(len, words), np.int64, len(words))
    starts = np.cumsum(lengths + block_size + 1) - (lengths + block_size + 1)   # word k's start
    seq = np.zeros(int((lengths + block_size + 1).sum()), np.int64)             # 0 is '.'
    letters = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    seq[np.repeat(starts + block_size, lengths) + letters] = [stoi[c] for c in ''.join(words)]
    per_word = lengths + 1                                      # letters, then the closing '.'
    offsets = np.arange(per_word.sum()) - np.repeat(np.cumsum(per_word) - per_word, per_word)
    windows = sliding_window_view(seq, block_size + 1)[np.repeat(starts, per_word) + offsets]
    return np.ascontiguousarray(windows[:, :-1]), windows[:, -1].copy()
