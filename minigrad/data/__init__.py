"""Data for training: seeded synthetic sets, the real UCI digits, splitting, batching.

    X, y = data.load_digits()                   # 1797 x 64 pixels (0-16), labels 0-9
    X_train, X_test, y_train, y_test = data.train_test_split(X / 16, y, seed=0)

    from minigrad.utils.data import DataLoader, TensorDataset      # PyTorch's batching
    loader = DataLoader(TensorDataset(mg.tensor(X_train), mg.tensor(y_train)), batch_size=64,
                        shuffle=True, generator=mg.Generator().manual_seed(0))
    for xb, yb in loader:
        ...

`data.DataLoader(X_train, y_train, batch_size=64, shuffle=True, seed=0)` is a shortcut
that builds that same loader.

For language models (see text.py):

    names = data.load_names()                   # 32,033 names (makemore's names.txt, MIT)
    d = data.names_dataset(block_size=3)        # d.train, d.val, d.test: (X, Y) int64; d.itos[0] == '.'
    t = data.text_dataset(block_size=64)        # Shakespeare's Coriolanus, first 90% train

The digits are the UCI "Optical Recognition of Handwritten Digits" set
(Alpaydin & Kaynak, 1998; CC BY 4.0), shipped in the package: see digits.py.
The names and the play are shipped too, with their sources and licences in NOTICE.
"""
from .digits import load_digits
from .loader import DataLoader
from .split import train_test_split
from .synthetic import make_blobs, make_moons, make_regression, make_spirals
from .text import CharData, load_names, load_shakespeare, names_dataset, split_words, text_dataset

__all__ = ['load_digits', 'DataLoader', 'train_test_split', 'make_spirals', 'make_moons',
           'make_blobs', 'make_regression', 'load_names', 'load_shakespeare', 'names_dataset',
           'text_dataset', 'split_words', 'CharData']
