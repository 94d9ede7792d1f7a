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

The digits are the UCI "Optical Recognition of Handwritten Digits" set
(Alpaydin & Kaynak, 1998; CC BY 4.0), shipped in the package: see digits.py.
"""
from .digits import load_digits
from .loader import DataLoader
from .split import train_test_split
from .synthetic import make_blobs, make_moons, make_regression, make_spirals

__all__ = ['load_digits', 'DataLoader', 'train_test_split', 'make_spirals', 'make_moons',
           'make_blobs', 'make_regression']
