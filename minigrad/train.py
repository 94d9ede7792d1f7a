"""A small training loop: fit a model, evaluate it, and keep what happened.

    history = fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.5),
                  (X_train, y_train), steps=500,
                  eval_data={'test': (X_test, y_test)}, target_accuracy=0.95)
    history.steps_to_target, history.loss[-1], history.evals['test']['accuracy'][-1]
    history.grad_flow.plot()

One step is one update: forward, loss, backward, record, optimizer step.
Everything recorded at step s describes the model after s updates.
"""
import math
import time
import warnings

import numpy as np

from .autograd import no_grad
from .tensor import Tensor
from .viz import GradientFlow


def accuracy(output, target):
    """Fraction of rows classified correctly.

    `output` (N, C) with C > 1: the predicted class is the argmax of each row.
    `output` (N,) or (N, 1): one logit per row, predicted class 1 where it is > 0.
    `target`: class indices (N,), or one-hot / probabilities of the output's shape.
    """
    out = output._array if isinstance(output, Tensor) else np.asarray(output)
    tgt = target._array if isinstance(target, Tensor) else np.asarray(target)
    if out.ndim == 2 and out.shape[1] > 1:
        pred = out.argmax(axis=1)
        if tgt.shape == out.shape:
            tgt = tgt.argmax(axis=1)
    else:
        pred = (out.reshape(len(out)) > 0)
        tgt = tgt.reshape(len(tgt)) > 0.5
    if pred.shape != tgt.shape:
        raise ValueError(f'accuracy(): {len(pred)} predictions from an output of shape '
                         f'{tuple(out.shape)}, but a target of shape {tuple(tgt.shape)}')
    return float(np.mean(pred == tgt))


def _batches(X, y, batch_size):
    n = len(X)
    size = n if batch_size is None else batch_size
    for start in range(0, n, size):
        yield X[start:start + size], y[start:start + size]


def evaluate(model, X, y, loss_fn=None, batch_size=None):
    """Accuracy (and the mean loss, given `loss_fn`) of `model` on `(X, y)`, without a graph.

    Returns a dict {'accuracy': float[, 'loss': float]}. The model is put in
    eval mode for the pass and returned to the mode it was in.
    """
    X = X._array if isinstance(X, Tensor) else np.asarray(X)
    y = y._array if isinstance(y, Tensor) else np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f'evaluate(): X has {len(X)} rows but y has {len(y)}')
    was_training = model.training
    model.eval()
    correct, total, loss_sum = 0.0, 0, 0.0
    try:
        with no_grad():
            for xb, yb in _batches(X, y, batch_size):
                out = model(Tensor._wrap(xb))
                correct += accuracy(out, yb) * len(xb)
                if loss_fn is not None:
                    loss_sum += float(loss_fn(out, Tensor._wrap(yb)).item()) * len(xb)
                total += len(xb)
    finally:
        model.train(was_training)
    result = {'accuracy': correct / total}
    if loss_fn is not None:
        result['loss'] = loss_sum / total
    return result


class History:
    """What `fit` saw, step by step.

    `loss[s]`, `accuracy[s]`: the loss and the accuracy of the training batch
    at step s (before update s+1; with full-batch training, the training-set
    accuracy). `grad_flow`: a `minigrad.viz.GradientFlow` with each parameter's
    gradient norm per step (or None). `evals[name]`: dicts of lists 'step',
    'accuracy' (and 'loss') from `evaluate` every `eval_every` steps and at the
    end. `steps_to_target`: the first step at which the watched accuracy
    reached `target_accuracy` (None if never). `diverged`: the loss became
    inf or NaN and training stopped.
    """

    def __init__(self):
        self.loss = []
        self.accuracy = []
        self.grad_flow = None
        self.evals = {}
        self.target_accuracy = None
        self.steps_to_target = None
        self.diverged = False
        self.steps = 0                      # updates taken
        self.seconds = 0.0

    def grad_norms(self, names=None):
        """{name: array of ‖grad‖ per step}, for `names` (default: all parameters)."""
        if self.grad_flow is None:
            raise ValueError('no gradient norms were recorded: call fit(..., grad_flow=True)')
        hist = self.grad_flow.history
        return {n: np.asarray(hist[n]) for n in (names if names is not None else hist)}

    def to_dict(self):
        """Plain lists and numbers, ready for json.dump."""
        return {'loss': self.loss, 'accuracy': self.accuracy,
                'grad_norms': ({n: list(v) for n, v in self.grad_flow.history.items()}
                               if self.grad_flow is not None else None),
                'evals': self.evals, 'target_accuracy': self.target_accuracy,
                'steps_to_target': self.steps_to_target, 'diverged': self.diverged,
                'steps': self.steps, 'seconds': self.seconds}

    def __repr__(self):
        last = f', last loss {self.loss[-1]:.4g}' if self.loss else ''
        return f'History({self.steps} steps{last})'


def _progress_bar(total, desc, enabled):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        warnings.warn('fit(progress=True) shows a progress bar with tqdm, which is not '
                      'installed: pip install tqdm, or pass progress=False', stacklevel=3)
        return None
    return tqdm(total=total, desc=desc, leave=False)


def _as_batches(train_data):
    """A function giving one epoch's iterable of (xb, yb) Tensors."""
    if isinstance(train_data, tuple) and len(train_data) == 2:
        X, y = (t if isinstance(t, Tensor) else Tensor._wrap(np.asarray(t)) for t in train_data)
        if len(X) != len(y):
            raise ValueError(f'fit(): X has {len(X)} rows but y has {len(y)}')
        return lambda: ((X, y),), 1
    if hasattr(train_data, '__iter__') and not isinstance(train_data, (Tensor, np.ndarray)):
        per_epoch = len(train_data) if hasattr(train_data, '__len__') else None
        return lambda: train_data, per_epoch
    raise TypeError(f'fit() expects train_data as a pair (X, y) for full-batch training or an '
                    f'iterable of (xb, yb) batches such as a DataLoader, got '
                    f'{type(train_data).__name__}')


def fit(model, loss_fn, optimizer, train_data, steps=None, epochs=None, eval_data=None,
        eval_every=None, target_accuracy=None, target_on=None, stop_at_target=False,
        track_accuracy=True, grad_flow=True, progress=True, desc='training'):
    """Trains `model` with `optimizer` on `loss_fn(model(xb), yb)`; returns a `History`.

    train_data      (X, y) for full-batch training, or an iterable of (xb, yb)
                    batches (e.g. a DataLoader), gone through once per epoch.
    steps / epochs  how long: a number of updates, or of passes over train_data.
    eval_data       {name: (X, y)} evaluated every `eval_every` steps (default:
                    once per epoch) and after the last step.
    target_accuracy record the first step at which the accuracy of the
                    training batch (or of eval set `target_on`) reaches it;
                    with `stop_at_target` training stops there.
    track_accuracy  False for regression, where accuracy means nothing.
    grad_flow       record each parameter's gradient norm every step.
    progress        show a tqdm progress bar.

    Training stops early, with `history.diverged = True`, if the loss is inf or NaN.
    """
    epoch_batches, per_epoch = _as_batches(train_data)
    if (steps is None) == (epochs is None):
        raise ValueError(f'fit() needs exactly one of steps= or epochs=, got steps={steps!r}, '
                         f'epochs={epochs!r}')
    if epochs is not None:
        if per_epoch is None:
            raise ValueError('fit(epochs=...) needs train_data with a len(); pass steps= instead')
        steps = epochs * per_epoch
    if steps < 0:
        raise ValueError(f'steps must be >= 0, got {steps}')
    eval_data = dict(eval_data or {})
    if target_on is not None and target_on not in eval_data:
        raise ValueError(f'target_on={target_on!r} names no eval set; eval_data has '
                         f'{sorted(eval_data)}')
    if target_accuracy is not None and not track_accuracy:
        raise ValueError('target_accuracy needs track_accuracy=True')
    eval_every = eval_every or per_epoch or steps or 1

    history = History()
    history.target_accuracy = target_accuracy
    history.evals = {name: {'step': [], 'accuracy': []} if track_accuracy else {'step': []}
                     for name in eval_data}
    flow = GradientFlow(model) if grad_flow else None
    history.grad_flow = flow
    bar = _progress_bar(steps, desc, progress)
    start = time.perf_counter()

    def run_evals(step):
        for name, (X, y) in eval_data.items():
            result = evaluate(model, X, y, loss_fn)
            record = history.evals[name]
            record['step'].append(step)
            for key, value in result.items():
                if key == 'accuracy' and not track_accuracy:
                    continue
                record.setdefault(key, []).append(value)
            if (name == target_on and history.steps_to_target is None
                    and not history.diverged and result['accuracy'] >= target_accuracy):
                history.steps_to_target = step

    def loop():
        """Returns when the steps are done, the target is reached (with stop_at_target)
        or the loss is no longer finite."""
        def reached():
            return target_accuracy is not None and history.steps_to_target is not None

        step = 0
        while step < steps:
            epoch_start = step
            for xb, yb in epoch_batches():
                if step % eval_every == 0 and eval_data:
                    run_evals(step)
                    if stop_at_target and reached():
                        return
                optimizer.zero_grad()
                output = model(xb)
                loss = loss_fn(output, yb)
                value = float(loss.item())
                history.loss.append(value)
                if track_accuracy:
                    acc = accuracy(output, yb)
                    history.accuracy.append(acc)
                    if (target_on is None and target_accuracy is not None
                            and history.steps_to_target is None and acc >= target_accuracy):
                        history.steps_to_target = step
                if not math.isfinite(value):
                    history.diverged = True
                    return
                if stop_at_target and reached():
                    return
                loss.backward()
                if flow is not None:
                    flow.record(step)
                optimizer.step()
                step += 1
                history.steps = step
                if bar is not None:
                    bar.update(1)
                    if step % 20 == 0 or step == steps:
                        bar.set_postfix(loss=f'{value:.4g}', refresh=False)
                if step >= steps:
                    return
            if step == epoch_start:
                raise ValueError('fit(): train_data yielded no batches')

    model.train()
    try:
        loop()
        # the state training ended in: after the last step, at the target, or diverged
        if eval_data and not any(history.evals[name]['step'][-1:] == [history.steps]
                                 for name in eval_data):
            run_evals(history.steps)
        return history
    finally:
        history.seconds = time.perf_counter() - start
        if bar is not None:
            bar.close()

