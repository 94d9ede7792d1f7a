"""A small training loop: fit a model, evaluate it, and keep what happened.

The heart of training is one step of gradient descent, `train_step`:

    for xb, yb in loader:
        loss = train_step(model, F.cross_entropy, optimizer, xb, yb)

`fit` takes those steps for you and keeps a record of them:

    history = fit(model, F.cross_entropy, optim.SGD(model.parameters(), lr=0.5),
                  (X_train, y_train), steps=500,
                  eval_data={'test': (X_test, y_test)}, target_accuracy=0.95)
    history.steps_to_target, history.loss[-1], history.evals['test']['accuracy'][-1]
    history.grad_flow.plot()

One step is one update: forward, loss, backward, update (`fit` records what it
sees in between). Everything recorded at step s describes the model after s updates.
"""
import math
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .autograd import no_grad
from .tensor import Tensor
from .viz import GradientFlow


def train_step(model, loss_fn, optimizer, x, y):
    """One step of gradient descent: forward, loss, backward, update. Returns the loss (a float).

    The loss returned is the one the model had before this update.
    """
    optimizer.zero_grad()               # .backward() adds to .grad: clear the last step's
    loss = loss_fn(model(x), y)         # forward: builds the graph
    loss.backward()                     # backward: d loss / d parameter into each .grad
    optimizer.step()                    # update: move each parameter against its gradient
    return loss.item()


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
    batches, per_epoch = _as_batches(train_data)
    steps = _count_steps(steps, epochs, per_epoch)
    eval_data = dict(eval_data or {})
    _check_target(eval_data, target_accuracy, target_on, track_accuracy)
    run = _Run(model=model, loss_fn=loss_fn, optimizer=optimizer, batches=batches, steps=steps,
               eval_data=eval_data, eval_every=eval_every or per_epoch or steps or 1,
               target_accuracy=target_accuracy, target_on=target_on,
               stop_at_target=stop_at_target, track_accuracy=track_accuracy,
               history=_new_history(model, eval_data, target_accuracy, track_accuracy, grad_flow))
    run.bar = _progress_bar(steps, desc, progress)
    start = time.perf_counter()
    model.train()
    try:
        _train(run)
        _evaluate_where_training_ended(run)
        return run.history
    finally:
        run.history.seconds = time.perf_counter() - start
        if run.bar is not None:
            run.bar.close()


# ------------------------------------------------------------ fit, piece by piece

@dataclass
class _Run:
    """One call of `fit`: its settings, and the History it fills in."""
    model: object
    loss_fn: object
    optimizer: object
    batches: object             # what one epoch iterates over: (xb, yb) pairs
    steps: int                  # the number of updates to take
    eval_data: dict
    eval_every: int
    target_accuracy: object     # a float, or None
    target_on: object           # the name of an eval set, or None for the training batch
    stop_at_target: bool
    track_accuracy: bool
    history: History
    bar: object = None          # a tqdm progress bar, or None


def _as_batches(train_data):
    """What one epoch of `train_data` iterates over (pairs of Tensors (xb, yb)), and how
    many batches that is (None if unknown)."""
    if isinstance(train_data, tuple) and len(train_data) == 2:
        X, y = (t if isinstance(t, Tensor) else Tensor._wrap(np.asarray(t)) for t in train_data)
        if len(X) != len(y):
            raise ValueError(f'fit(): X has {len(X)} rows but y has {len(y)}')
        return ((X, y),), 1                 # full batch: one batch per epoch
    if hasattr(train_data, '__iter__') and not isinstance(train_data, (Tensor, np.ndarray)):
        per_epoch = len(train_data) if hasattr(train_data, '__len__') else None
        return train_data, per_epoch        # each `for` loop over it is a new epoch
    raise TypeError(f'fit() expects train_data as a pair (X, y) for full-batch training or an '
                    f'iterable of (xb, yb) batches such as a DataLoader, got '
                    f'{type(train_data).__name__}')


def _count_steps(steps, epochs, per_epoch):
    """The number of updates to take, from fit's steps= or epochs=."""
    if (steps is None) == (epochs is None):
        raise ValueError(f'fit() needs exactly one of steps= or epochs=, got steps={steps!r}, '
                         f'epochs={epochs!r}')
    if epochs is not None:
        if per_epoch is None:
            raise ValueError('fit(epochs=...) needs train_data with a len(); pass steps= instead')
        steps = epochs * per_epoch
    if steps < 0:
        raise ValueError(f'steps must be >= 0, got {steps}')
    return steps


def _check_target(eval_data, target_accuracy, target_on, track_accuracy):
    """Errors for a target fit could never watch."""
    if target_on is not None and target_on not in eval_data:
        raise ValueError(f'target_on={target_on!r} names no eval set; eval_data has '
                         f'{sorted(eval_data)}')
    if target_accuracy is not None and not track_accuracy:
        raise ValueError('target_accuracy needs track_accuracy=True')
    if target_on is not None and target_accuracy is None:
        raise ValueError(f'target_on={target_on!r} watches for a target, but no target_accuracy '
                         f'was given (e.g. target_accuracy=0.95)')


def _new_history(model, eval_data, target_accuracy, track_accuracy, grad_flow):
    """An empty History, with a place for each eval set (and a GradientFlow if asked for)."""
    history = History()
    history.target_accuracy = target_accuracy
    history.evals = {name: {'step': [], 'accuracy': []} if track_accuracy else {'step': []}
                     for name in eval_data}
    history.grad_flow = GradientFlow(model) if grad_flow else None
    return history


def _progress_bar(total, desc, enabled):
    """A tqdm progress bar counting to `total` updates, or None (not asked for, or no tqdm)."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        warnings.warn('fit(progress=True) shows a progress bar with tqdm, which is not '
                      'installed: pip install tqdm, or pass progress=False', stacklevel=3)
        return None
    return tqdm(total=total, desc=desc, leave=False)


def _train(run):
    """Takes the updates, epoch after epoch, evaluating every `eval_every` steps.

    Returns when the steps are done, the target is reached (with stop_at_target)
    or the loss is no longer finite.
    """
    history = run.history
    while history.steps < run.steps:
        epoch_start = history.steps
        for xb, yb in run.batches:
            if history.steps % run.eval_every == 0 and run.eval_data:
                _run_evals(run, history.steps)
                if _target_stops_training(run):
                    return
            if not _fit_step(run, xb, yb) or history.steps >= run.steps:
                return
        if history.steps == epoch_start:
            raise ValueError('fit(): train_data yielded no batches')


def _fit_step(run, xb, yb):
    """One update, as `train_step` takes it, plus what fit records on the way.

    fit looks at the forward pass before it updates: it records the loss (and the
    accuracy), and it stops without updating if the loss is no longer finite (an
    update would only carry the inf/NaN into every weight) or if the target is
    reached with stop_at_target (so the model stays as it was when it got there).
    Returns True if the update was taken.
    """
    run.optimizer.zero_grad()
    output = run.model(xb)                              # forward
    loss = run.loss_fn(output, yb)
    value = float(loss.item())
    _record_batch(run, output, yb, value)               # what fit adds: look, then decide
    if not math.isfinite(value):
        run.history.diverged = True
        return False
    if _target_stops_training(run):
        return False
    loss.backward()                                     # backward
    if run.history.grad_flow is not None:
        run.history.grad_flow.record(run.history.steps)   # the gradients this update uses
    run.optimizer.step()                                # update
    run.history.steps += 1
    _show_progress(run, value)
    return True


def _record_batch(run, output, yb, loss):
    """Appends the training batch's loss and accuracy; notes when the accuracy first
    reaches the target (unless an eval set is watched instead)."""
    history = run.history
    history.loss.append(loss)
    if not run.track_accuracy:
        return
    acc = accuracy(output, yb)
    history.accuracy.append(acc)
    if (run.target_on is None and run.target_accuracy is not None
            and history.steps_to_target is None and acc >= run.target_accuracy):
        history.steps_to_target = history.steps


def _run_evals(run, step):
    """Evaluates every eval set, records the results at `step`, and notes when the
    watched set (target_on) first reaches the target."""
    history = run.history
    for name, (X, y) in run.eval_data.items():
        result = evaluate(run.model, X, y, run.loss_fn)
        record = history.evals[name]
        record['step'].append(step)
        for key, value in result.items():
            if key == 'accuracy' and not run.track_accuracy:
                continue
            record.setdefault(key, []).append(value)
        if (name == run.target_on and history.steps_to_target is None
                and not history.diverged and result['accuracy'] >= run.target_accuracy):
            history.steps_to_target = step


def _target_stops_training(run):
    """True when fit was asked to stop at the target and the target has been reached."""
    return (run.stop_at_target and run.target_accuracy is not None
            and run.history.steps_to_target is not None)


def _show_progress(run, loss):
    """Advances the progress bar by one update, showing the loss every 20 updates."""
    if run.bar is None:
        return
    run.bar.update(1)
    step = run.history.steps
    if step % 20 == 0 or step == run.steps:
        run.bar.set_postfix(loss=f'{loss:.4g}', refresh=False)


def _evaluate_where_training_ended(run):
    """Evaluates the state training ended in (after the last step, at the target, or
    diverged), unless the last evaluation already did."""
    ended = run.history.steps
    if run.eval_data and not any(run.history.evals[name]['step'][-1:] == [ended]
                                 for name in run.eval_data):
        _run_evals(run, ended)
