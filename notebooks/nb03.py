"""Cells of 03_training_a_classifier.ipynb (written by build.py)."""
from build import code, md

NAME = '03_training_a_classifier.ipynb'

CELLS = [
    md(r"""
    # Training a classifier on handwritten digits

    The whole workflow, end to end, on real data: load the bundled UCI handwritten digits, build
    a network with `nn.Sequential`, train it with an optimiser from `optim` in a plain training
    loop, measure it on digits it never saw, look at its mistakes, save it, load it back — and
    load the same weights into PyTorch, which gives the same predictions.
    """),
    code(r"""
    import os
    os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')   # small matrices: one BLAS thread is fastest,
    os.environ.setdefault('OMP_NUM_THREADS', '1')        # and idle threads would spin on busy cores
    %matplotlib inline
    import tempfile
    import time

    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    import minigrad as mg
    from minigrad import data, nn, optim
    from minigrad.utils.data import DataLoader, TensorDataset
    """),
    md(r"""
    ## 1. The data

    1,797 real handwritten digits, scanned as 8×8 images whose pixels count ink from 0 to 16
    (Alpaydin & Kaynak, UCI; shipped inside minigrad, no download). Each image is a row of
    64 numbers.
    """),
    code(r"""
    X, y = data.load_digits()
    print(f'X: {X.shape} {X.dtype}, pixel values {X.min():.0f} to {X.max():.0f};  y: {y.shape} {y.dtype}')
    print('images per digit:', np.bincount(y).tolist())
    assert X.shape == (1797, 64) and X.min() == 0 and X.max() == 16

    fig, axes = plt.subplots(2, 10, figsize=(12, 2.8))
    for digit in range(10):
        for row in range(2):
            ax = axes[row, digit]
            ax.imshow(X[y == digit][row].reshape(8, 8), cmap='gray_r', vmin=0, vmax=16)
            ax.set_xticks([]), ax.set_yticks([])
        axes[0, digit].set_title(str(digit))
    fig.suptitle('Two examples of each digit (8 × 8 pixels, darker = more ink)')
    plt.show()
    """),
    md(r"""
    We keep 20% of the images aside as a **test set**: the model never trains on them, so its
    accuracy there estimates how it does on digits it has not seen. Dividing by 16 puts the
    pixels in $[0, 1]$, a scale that suits a freshly initialised network.
    """),
    code(r"""
    X_train, X_test, y_train, y_test = data.train_test_split(X / 16, y, test_size=0.2, seed=0)
    print(f'{len(X_train)} training images, {len(X_test)} test images')
    """),
    md(r"""
    ## 2. The model, the loss and the optimiser

    A multi-layer perceptron: 64 pixels → 64 hidden units (ReLU) → 10 scores, one per digit.
    The scores are **logits**; `nn.CrossEntropyLoss` applies the softmax itself (notebook 02
    explains why this pairing trains well). SGD with momentum updates the weights.
    The names and defaults are PyTorch's.
    """),
    code(r"""
    mg.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(64, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    print(model)
    print('parameters:', {name: p.shape for name, p in model.named_parameters()},
          '→', sum(p.numel() for p in model.parameters()), 'numbers to learn')
    """),
    md(r"""
    ## 3. The training loop

    A `DataLoader` serves the training set in shuffled mini-batches of 32: a `TensorDataset`
    pairs each image with its label, and the seeded `generator` makes the batch order repeat
    from run to run (with `torch` in place of `minigrad` and `mg`, these lines run in PyTorch).
    For each batch: forward pass, loss, **`zero_grad()`** (gradients accumulate otherwise),
    **`backward()`**, **`step()`**. After each epoch (one pass over the training set) we measure the test set,
    with `mg.no_grad()` since no gradient is needed there. (`minigrad.train.train_step(model,
    loss_fn, optimizer, xb, yb)` is one such step as a function, and `minigrad.train.fit`
    packages the loop, with a progress bar, for the examples.)
    """),
    code(r"""
    loader = DataLoader(TensorDataset(mg.tensor(X_train), mg.tensor(y_train)), batch_size=32,
                        shuffle=True, generator=mg.Generator().manual_seed(0))
    X_test_t = mg.tensor(X_test)
    EPOCHS = 20


    def test_accuracy(model):
        with mg.no_grad():
            return float((model(X_test_t).numpy().argmax(axis=1) == y_test).mean())


    history = {'loss': [], 'train_acc': [], 'test_acc': []}
    start = time.perf_counter()
    for epoch in range(1, EPOCHS + 1):
        model.train()
        losses, correct = [], 0
        for xb, yb in loader:
            logits = model(xb)
            loss = loss_fn(logits, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            correct += int((logits.detach().numpy().argmax(axis=1) == yb.numpy()).sum())
        model.eval()
        history['loss'].append(np.mean(losses))
        history['train_acc'].append(correct / len(X_train))
        history['test_acc'].append(test_accuracy(model))
        print(f'epoch {epoch:2d}/{EPOCHS}  loss {history["loss"][-1]:.4f}  '
              f'train acc {history["train_acc"][-1]:.3f}  test acc {history["test_acc"][-1]:.3f}  '
              f'({time.perf_counter() - start:.1f} s)')
    """),
    code(r"""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    epochs = range(1, EPOCHS + 1)
    ax1.plot(epochs, history['loss'], 'o-', ms=3, label='training loss (mean over the epoch)')
    ax1.set_xlabel('epoch')
    ax1.set_ylabel('cross-entropy')
    ax1.set_yscale('log')
    ax1.set_title('Training loss')
    ax2.plot(epochs, history['train_acc'], 'o-', ms=3, label='training set (during the epoch)')
    ax2.plot(epochs, history['test_acc'], 's-', ms=3, label='test set (after the epoch)')
    ax2.set_xlabel('epoch')
    ax2.set_ylabel('accuracy')
    ax2.set_title('Accuracy')
    for ax in (ax1, ax2):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend()
    plt.tight_layout()
    plt.show()
    """),
    md(r"""
    ## 4. How good is it, and where does it go wrong?
    """),
    code(r"""
    with mg.no_grad():
        probs = model(X_test_t).softmax(dim=1).numpy()
    pred = probs.argmax(axis=1)
    acc = float((pred == y_test).mean())
    wrong = np.flatnonzero(pred != y_test)
    print(f'test accuracy: {acc:.3f}  ({len(y_test) - len(wrong)} of {len(y_test)} right, {len(wrong)} wrong)')
    assert acc > 0.95

    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (y_test, pred), 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={'width_ratios': [1.1, 1]})
    im = ax1.imshow(confusion, cmap='Blues')
    for i in range(10):
        for j in range(10):
            if confusion[i, j]:
                ax1.text(j, i, confusion[i, j], ha='center', va='center', fontsize=8,
                         color='white' if confusion[i, j] > confusion.max() / 2 else 'black')
    ax1.set_xticks(range(10)), ax1.set_yticks(range(10))
    ax1.set_xlabel('predicted digit')
    ax1.set_ylabel('true digit')
    ax1.set_title('Confusion matrix (test set)')
    fig.colorbar(im, ax=ax1, fraction=0.046, label='images')
    per_digit = confusion.diagonal() / confusion.sum(axis=1)
    ax2.bar(range(10), per_digit, color='tab:blue')
    ax2.set_ylim(min(0.8, per_digit.min() - 0.02), 1.0)
    ax2.set_xticks(range(10))
    ax2.set_xlabel('true digit')
    ax2.set_ylabel('fraction classified correctly')
    ax2.set_title('Accuracy per digit (test set)')
    ax2.grid(True, axis='y', alpha=0.3)
    plt.tight_layout()
    plt.show()
    """),
    md(r"""
    Some of the digits it got wrong, with the model's answer and the probability it gave that
    answer. Judge for yourself how many of them a person would read correctly at 8×8 pixels.
    Some mistakes are confident ones — the kind cross-entropy punishes hardest (notebook 02).
    """),
    code(r"""
    show = wrong[:8]
    fig, axes = plt.subplots(1, len(show), figsize=(1.6 * len(show), 2.3), squeeze=False)
    for ax, i in zip(axes[0], show):
        ax.imshow(X_test[i].reshape(8, 8), cmap='gray_r', vmin=0, vmax=1)
        ax.set_title(f'true {y_test[i]}\nsaid {pred[i]} ({probs[i, pred[i]]:.0%})', fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle(f'{len(show)} of the {len(wrong)} misclassified test digits', y=1.05)
    plt.show()
    confident = probs[wrong, pred[wrong]]
    print(f'probability given to the wrong answer: median {np.median(confident):.0%}, '
          f'above 90% for {np.sum(confident > 0.9)} of the {len(wrong)} mistakes')
    assert np.sum(confident > 0.9) >= 1
    """),
    md(r"""
    ## 5. Saving and loading

    `model.state_dict()` maps each parameter's name to its values; `mg.save` writes it as a
    plain NumPy `.npz` archive (no pickle, so loading a file can never run code). A fresh model
    of the same architecture loads it with `load_state_dict` and predicts exactly the same.
    """),
    code(r"""
    workdir = tempfile.TemporaryDirectory()         # removed when the kernel exits
    path = os.path.join(workdir.name, 'digits_mlp.npz')
    mg.save(model.state_dict(), path)
    print(f'saved {os.path.basename(path)} ({os.path.getsize(path):,} bytes)')

    state = mg.load(path)
    for name, value in state.items():
        print(f'  {name:9s} {value.shape}  {value.dtype}')

    restored = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    print(restored.load_state_dict(state))
    with mg.no_grad():
        same = np.array_equal(restored(X_test_t).numpy(), model(X_test_t).numpy())
    print('restored model gives identical outputs on the test set:', same)
    assert same and test_accuracy(restored) == acc

    # The file is an ordinary NumPy archive: np.load reads it without minigrad.
    with np.load(path) as archive:
        print('np.load sees:', list(archive.keys()))
    """),
    md(r"""
    ## 6. The same weights in PyTorch

    minigrad's `state_dict` uses PyTorch's names and shapes (a `Linear` weight is
    `(out_features, in_features)`), so the saved weights drop into the same architecture built
    with `torch.nn`. If PyTorch is installed, this cell does that and compares the outputs;
    otherwise it says so and skips.
    """),
    code(r"""
    try:
        import torch
    except ImportError:
        torch = None

    if torch is None:
        print('PyTorch is not installed: skipping the comparison (pip install torch to run it).')
    else:
        torch_model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
        torch_model.load_state_dict({name: torch.from_numpy(value.numpy()) for name, value in mg.load(path).items()})
        with torch.no_grad():
            torch_logits = torch_model(torch.from_numpy(X_test)).numpy()
        with mg.no_grad():
            our_logits = model(X_test_t).numpy()
        gap = np.abs(torch_logits - our_logits).max()
        agree = float((torch_logits.argmax(axis=1) == pred).mean())
        print(f'PyTorch {torch.__version__}: largest difference between the logits {gap:.1e} '
              f'(float32 rounding); the predicted digits agree on {agree:.0%} of the test set')
        assert gap < 1e-4 and agree == 1.0
    """),
    md(r"""
    ## What we did

    * `nn.Sequential` stacked the layers; `nn.CrossEntropyLoss` scored the logits; `optim.SGD`
      applied the gradients that `loss.backward()` computed — in a loop of a handful of lines
      that is the same in PyTorch.
    * The test set, never trained on, measured the result; the confusion matrix and the
      misclassified images show *which* mistakes it makes.
    * `mg.save` / `mg.load` and `state_dict` moved the weights to a fresh model — and to PyTorch.

    Back to [01 — backprop from scratch](01_backprop_from_scratch.ipynb) or
    [02 — MSE vs cross-entropy](02_mse_vs_cross_entropy.ipynb).
    """),
]
