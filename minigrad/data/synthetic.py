"""Small 2-D (and regression) data sets for seeing a model learn.

Each returns `(X, y)` as NumPy arrays: X float32 of shape (n_samples,
n_features), y int64 class labels (or float32 targets for regression). With
`seed=None` they draw from minigrad's generator, so `mg.manual_seed(0)` fixes
them; an int `seed` gives the same set every time regardless (an `mg.Generator` or a
NumPy Generator is drawn from as given).
"""
import numpy as np

from ..random import seed_generator


def _counts(n_samples, n_classes):
    """n_samples split as evenly as possible, the first classes taking the remainder."""
    if n_samples < n_classes:
        raise ValueError(f'n_samples={n_samples} is fewer than n_classes={n_classes}')
    base, extra = divmod(n_samples, n_classes)
    return [base + (k < extra) for k in range(n_classes)]


def _finish(X, y, gen, shuffle):
    X, y = X.astype(np.float32), y.astype(np.int64)
    if shuffle:
        order = gen.permutation(len(y))
        X, y = X[order], y[order]
    return X, y


def make_spirals(n_samples=600, n_classes=3, noise=0.2, seed=None, shuffle=True):
    """Interleaved spiral arms in the plane, one arm per class.

    Arm k has its points at radius r evenly from 0 to 1 and angle
    θ = 4r + 2πk / n_classes + noise·N(0, 1), at (r sin θ, r cos θ); the
    default is 3 arms of 200 points with angle noise 0.2. Not linearly
    separable: a linear model gets about 1/n_classes, a small MLP nearly all.
    Points near the centre, where the arms meet, are the hard ones.
    """
    if n_classes < 1:
        raise ValueError(f'n_classes must be at least 1, got {n_classes}')
    gen = seed_generator(seed)
    parts, labels = [], []
    for k, n in enumerate(_counts(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, n)
        theta = 4 * r + 2 * np.pi * k / n_classes + noise * gen.standard_normal(n)
        parts.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        labels.append(np.full(n, k))
    return _finish(np.concatenate(parts), np.concatenate(labels), gen, shuffle)


def make_moons(n_samples=500, noise=0.2, seed=None, shuffle=True):
    """Two interleaving half circles: class 0 is (cos t, sin t), class 1 is
    (1 - cos t, 1/2 - sin t), t evenly in [0, π], plus N(0, noise²) on each coordinate."""
    gen = seed_generator(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_out, t_in = np.linspace(0, np.pi, n_outer), np.linspace(0, np.pi, n_inner)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                        np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)])
    y = np.concatenate([np.zeros(n_outer), np.ones(n_inner)])
    if noise:
        X = X + noise * gen.standard_normal(X.shape)
    return _finish(X, y, gen, shuffle)


def make_blobs(n_samples=300, n_features=2, centers=3, cluster_std=1.0,
               center_box=(-10.0, 10.0), seed=None, shuffle=True):
    """Gaussian clusters: class k is centre_k + cluster_std·N(0, I).

    `centers` is a count (centres drawn uniformly in `center_box`) or an array
    of shape (n_centers, n_features); `cluster_std` a number or one per centre.
    """
    gen = seed_generator(seed)
    if np.ndim(centers) == 0:
        centers = gen.uniform(center_box[0], center_box[1], size=(int(centers), n_features))
    else:
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2:
            raise ValueError(f'centers must be a count or an array (n_centers, n_features), '
                             f'got shape {tuple(centers.shape)}')
        n_features = centers.shape[1]
    stds = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (len(centers),))
    counts = _counts(n_samples, len(centers))
    X = np.concatenate([c + s * gen.standard_normal((n, n_features))
                        for c, s, n in zip(centers, stds, counts)])
    y = np.repeat(np.arange(len(centers)), counts)
    return _finish(X, y, gen, shuffle)


def make_regression(n_samples=200, n_features=1, noise=0.1, bias=0.0, seed=None, coef=False):
    """A linear target with Gaussian noise: y = X w + bias + noise·N(0, 1).

    X and w are standard normal. y has shape (n_samples,), like the model
    output of shape (N, 1) only after `.reshape(-1, 1)` (or squeeze the
    output). With `coef=True` also returns the true w, to compare with what
    a model learns.
    """
    gen = seed_generator(seed)
    X = gen.standard_normal((n_samples, n_features))
    w = gen.standard_normal(n_features)
    y = X @ w + bias + noise * gen.standard_normal(n_samples)
    out = (X.astype(np.float32), y.astype(np.float32))
    return out + (w.astype(np.float32),) if coef else out
