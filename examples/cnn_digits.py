#!/usr/bin/env python
"""A small convolutional net against an MLP on the bundled 8x8 digits: accuracy, time, and
pictures of what the convolution learned.

    python examples/cnn_digits.py                       # both models, 5 seeds, under a minute
    python examples/cnn_digits.py --epochs 5 --seeds 1  # quicker

The CNN sees each image as an 8x8 grid: 3x3 filters slide over it (the same few weights
at every position), so a stroke is recognised wherever it is; the MLP sees 64 unrelated
numbers. Both train with the same optimizer, batches and epochs. minigrad's convolution
is im2col + matmul (minigrad/ops/conv.py): `F.unfold` shows the patches it multiplies.
Figures go into the run folder: the first layer's filters, and one test image's feature
maps after that layer.
"""
import argparse
import json
import os

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import data, nn, optim
from minigrad.train import fit
from minigrad.utils.data import DataLoader, TensorDataset


def load_digits(seed):
    """Train and test images as (N, 1, 8, 8) float32 in [0, 1], and their labels."""
    X, y = data.load_digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X / 16, y, test_size=0.2, seed=seed)
    images = [a.reshape(-1, 1, 8, 8).astype(np.float32) for a in (X_train, X_test)]
    return images[0], images[1], y_train, y_test


def cnn(channels=(16, 32)):
    """conv 3x3 → ReLU → max-pool 2 (8x8 → 4x4), twice (→ 2x2), then a linear layer."""
    c1, c2 = channels
    return nn.Sequential(nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(c2 * 2 * 2, 10))


def mlp(hidden=128):
    """The MLP of examples/train_digits.py: 64 → hidden → hidden/2 → 10."""
    return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(),
                         nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Linear(hidden // 2, 10))


def train_model(model, splits, args, desc, seed):
    """Adam on cross-entropy; returns the history of `minigrad.train.fit`."""
    X_train, X_test, y_train, y_test = splits
    loader = DataLoader(TensorDataset(mg.tensor(X_train), mg.tensor(y_train)), batch_size=args.batch_size,
                        shuffle=True, generator=mg.Generator().manual_seed(seed))
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    return fit(model, F.cross_entropy, optimizer, loader, epochs=args.epochs,
               eval_data={'test': (X_test, y_test)}, grad_flow=False, progress=not args.quiet, desc=desc)


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def plot_filters_and_maps(model, image, path):
    """The first conv layer's filters, and the feature maps they make of `image` (matplotlib)."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('(matplotlib is not installed: no figure; pip install "minigrad[examples]")')
        return None
    conv = model[0]
    filters = conv.weight.detach().numpy()[:, 0]
    with mg.no_grad():
        maps = model[1](conv(mg.tensor(image[None]))).numpy()[0]
    n = len(filters)
    fig, axes = plt.subplots(3, n, figsize=(n * 0.9, 3.2))
    for i in range(n):
        axes[0, i].imshow(filters[i], cmap='RdBu_r', vmin=-abs(filters).max(), vmax=abs(filters).max())
        axes[1, i].imshow(maps[i], cmap='gray')
        axes[2, i].imshow(image[0], cmap='gray_r') if i == 0 else axes[2, i].remove()
    for ax in fig.axes:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, 0].set_ylabel('filter', fontsize=8)
    axes[1, 0].set_ylabel('ReLU(conv)', fontsize=8)
    axes[2, 0].set_ylabel('input', fontsize=8)
    fig.suptitle('first layer: 3x3 filters (top) and the maps they make of one test digit', fontsize=9)
    fig.savefig(path, dpi=120, bbox_inches='tight')
    plt.close(fig)
    return path


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog='cnn_digits.py', description=__doc__.split('\n')[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--epochs', type=int, default=30, help='passes over the training split')
    p.add_argument('--batch-size', type=int, default=32, help='mini-batch size')
    p.add_argument('--lr', type=float, default=3e-3, help='Adam learning rate')
    p.add_argument('--seed', type=int, default=0, help='first seed of the split, weights and batch order')
    p.add_argument('--seeds', type=int, default=5, help='how many seeds (seed, seed + 1, ...)')
    p.add_argument('--out', default=os.path.join('runs', 'cnn_digits'), help='folder for results and figures')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    args = p.parse_args(argv)
    if min(args.epochs, args.batch_size, args.seeds) < 1 or not args.lr > 0:
        p.error('--epochs, --batch-size and --seeds must be at least 1, and --lr positive')
    return args


def run_seed(seed, args):
    """Both models trained from `seed` (split, weights, batch order); their results and the CNN."""
    splits = load_digits(seed)
    results, trained = {}, {}
    for name, build in (('MLP', mlp), ('CNN', cnn)):
        mg.manual_seed(seed)
        trained[name] = build()
        history = train_model(trained[name], splits, args, f'{name} seed {seed}', seed)
        test = history.evals['test']
        results[name] = {'parameters': parameter_count(trained[name]), 'seconds': history.seconds,
                         'test_accuracy': test['accuracy'][-1], 'test_loss': test['loss'][-1]}
    return results, trained['CNN'], splits


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    runs = []
    for seed in range(args.seed, args.seed + args.seeds):
        results, model, splits = run_seed(seed, args)
        runs.append(results)
        if seed == args.seed:
            first_cnn, first_test_image = model, splits[1][0]
    print(f'{len(splits[0])} training and {len(splits[1])} test images (split by seed), seeds '
          f'{args.seed}-{seed};\n{args.epochs} epochs of Adam (lr {args.lr}, batch {args.batch_size})\n')
    print(f'{"model":<6}{"parameters":>12}{"test accuracy, mean ± sd":>26}{"test loss":>11}{"seconds":>9}')
    summary = {}
    for name in ('MLP', 'CNN'):
        acc = np.array([r[name]['test_accuracy'] for r in runs])
        summary[name] = {'parameters': runs[0][name]['parameters'], 'test_accuracy': acc.tolist(),
                         'mean_test_accuracy': float(acc.mean()),
                         'mean_test_loss': float(np.mean([r[name]['test_loss'] for r in runs])),
                         'mean_seconds': float(np.mean([r[name]['seconds'] for r in runs]))}
        spread = f' ± {acc.std(ddof=1):.4f}' if len(acc) > 1 else ' (1 seed)'
        print(f'{name:<6}{summary[name]["parameters"]:>12,}{f"{acc.mean():.4f}{spread}":>26}'
              f'{summary[name]["mean_test_loss"]:>11.4f}{summary[name]["mean_seconds"]:>9.1f}')
    wins = sum(r['CNN']['test_accuracy'] > r['MLP']['test_accuracy'] for r in runs)
    ties = sum(r['CNN']['test_accuracy'] == r['MLP']['test_accuracy'] for r in runs)
    print(f'the CNN is more accurate on {wins} of {len(runs)} seeds, as accurate on {ties}')
    figure = plot_filters_and_maps(first_cnn, first_test_image, os.path.join(args.out, 'filters_and_maps.png'))
    if figure:
        print(f'filters and feature maps: {figure}')
    results = {'config': vars(args), 'runs': runs, 'summary': summary, 'cnn_wins': wins, 'ties': ties}
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    return results


if __name__ == '__main__':
    main()
