"""Loss functions: each is one node of the graph, with a hand-derived backward.

A loss could be built from primitive ops (log, softmax, mean, ...), but one
fused node is both faster and numerically safer: softmax cross-entropy stays
finite at logits of ±1e4, where log(softmax(x)) would give log(0) = -inf.

Every op here takes `reduction`: 'none' keeps one loss per element (or per
sample), 'sum' adds them, 'mean' divides the sum by a count (the number of
elements, or for class-index cross-entropy the summed class weights).
The arguments were checked by `minigrad.nn.functional`; weights are constant
arrays already in the input's dtype, so no gradient flows to them.
"""
import numpy as np

from ..autograd.graph import Op
from ._stable import log_softmax, softmax_parts
from .elementwise import sign


def _reduce(losses, reduction, count):
    """'none' -> the losses, 'sum' -> Σ losses, 'mean' -> Σ losses / count."""
    if reduction == 'none':
        return losses
    total = losses.sum()
    if reduction == 'sum':
        return total
    return total / count if count else total * np.nan    # mean of nothing: nan, as PyTorch


def _upstream(grad, reduction, count):
    """d reduced / d loss_i: 1 for 'sum', 1/count for 'mean', elementwise for 'none'."""
    if reduction == 'mean':
        return grad / count if count else grad * np.nan
    return grad


# -------------------------------------------------------- regression losses

class MSE(Op):
    """d (x - y)² = 2 (x - y) (dx - dy), divided by n under 'mean'

    loss_i = (x_i - y_i)²;  'mean' = Σ_i loss_i / n over the n broadcast elements.
    """
    def forward(self, x, y, reduction):
        diff = x - y
        self.saved = diff
        self.reduction = reduction
        return _reduce(diff * diff, reduction, diff.size)

    def backward(self, grad):
        diff = self.saved
        grad_x = (2 * _upstream(grad, self.reduction, diff.size)) * diff
        return grad_x, (-grad_x if self.needs_input_grad[1] else None)


class L1(Op):
    """d |x - y| = sign(x - y) (dx - dy), divided by n under 'mean'

    loss_i = |x_i - y_i|; the gradient at x_i = y_i is 0, as in PyTorch.
    """
    grad_tied_to_input = True       # a second derivative of 0, as PyTorch (see autograd/replay.py)

    def forward(self, x, y, reduction):
        diff = x - y
        self.saved = sign(diff)                 # sign(nan) = 0, as PyTorch
        self.reduction = reduction
        return _reduce(np.abs(diff), reduction, diff.size)

    def backward(self, grad):
        sign = self.saved
        with np.errstate(invalid='ignore'):     # an infinite grad at x = y gives nan, as in PyTorch
            grad_x = _upstream(grad, self.reduction, sign.size) * sign
        return grad_x, (-grad_x if self.needs_input_grad[1] else None)


class Huber(Op):
    """d huber(x - y) = clip(x - y, -δ, δ) (dx - dy), divided by n under 'mean'

    With d = x_i - y_i:  loss_i = d²/2 where |d| < δ, else δ (|d| - δ/2):
    quadratic near zero, linear (like L1, robust to outliers) beyond δ.
    """
    def forward(self, x, y, delta, reduction):
        diff = x - y
        size = np.abs(diff)
        self.saved = diff
        self.delta, self.reduction = delta, reduction
        near = np.minimum(size, delta)              # squares only what stays quadratic: no overflow
        losses = np.where(size < delta, 0.5 * near * near, delta * (size - 0.5 * delta))
        return _reduce(losses, reduction, diff.size)

    def backward(self, grad):
        diff = self.saved
        grad_x = _upstream(grad, self.reduction, diff.size) * np.clip(diff, -self.delta, self.delta)
        return grad_x, (-grad_x if self.needs_input_grad[1] else None)


class SmoothL1(Op):
    """d smooth_l1(x - y) = clip((x - y) / β, -1, 1) (dx - dy), divided by n under 'mean'

    With d = x_i - y_i:  loss_i = d²/(2β) where |d| < β, else |d| - β/2:
    Huber's loss divided by β, so its slope beyond β is 1 whatever β is.
    β = 0 is the L1 loss, with gradient sign(d) (0 at d = 0), as in PyTorch.
    """
    grad_tied_to_input = True       # a second derivative of 0, as PyTorch (see autograd/replay.py)

    def forward(self, x, y, beta, reduction):
        diff = x - y
        size = np.abs(diff)
        self.saved = diff
        self.beta, self.reduction = beta, reduction
        if beta == 0:
            return _reduce(size, reduction, diff.size)
        near = np.minimum(size, beta)               # squares only what stays quadratic: no overflow
        losses = np.where(size < beta, 0.5 * near * (near / beta), size - 0.5 * beta)
        return _reduce(losses, reduction, diff.size)

    def backward(self, grad):
        diff, beta = self.saved, self.beta
        slope = sign(diff) if beta == 0 else np.clip(diff, -beta, beta) / beta
        grad_x = _upstream(grad, self.reduction, diff.size) * slope
        return grad_x, (-grad_x if self.needs_input_grad[1] else None)


# ------------------------------------------------------ binary classification

class BCE(Op):
    """d bce = (x - y) / (x (1 - x)) dx + (log(1 - x) - log x) dy, times w with `weight`

    The textbook case, for probabilities x_i in [0, 1] and targets y_i:
        loss_i = -[y_i log x_i + (1 - y_i) log(1 - x_i)];  'mean' divides Σ_i loss_i by n.
    The option: `weight` scales loss_i, and so its gradient, by w_i.
    As PyTorch does, each log is clamped at -100 so x = 0 or 1 gives a finite
    loss, and x (1 - x) is clamped at 1e-12 so the gradient there stays finite
    (large, pushing a confidently wrong prediction back).
    """
    def forward(self, x, y, weight, reduction):
        with np.errstate(divide='ignore'):          # log(0) = -inf, clamped just below
            log_x = np.maximum(np.log(x), -100)
            log_1mx = np.maximum(np.log1p(-x), -100)
        losses = (y - 1) * log_1mx - y * log_x
        if weight is not None:
            losses = losses * weight
        self.saved = (x, y, weight, log_x, log_1mx)
        self.reduction = reduction
        return _reduce(losses, reduction, losses.size)

    def backward(self, grad):
        x, y, weight, log_x, log_1mx = self.saved
        upstream = _upstream(grad, self.reduction, log_x.size)
        if weight is not None:
            upstream = upstream * weight
        grad_x = grad_y = None
        if self.needs_input_grad[0]:
            grad_x = upstream * (x - y) / np.maximum(x * (1 - x), 1e-12)
        if self.needs_input_grad[1]:
            grad_y = upstream * (log_1mx - log_x)
        return grad_x, grad_y


class BCEWithLogits(Op):
    """d bce(σ(x)) = (σ(x) - y) dx - x dy; weight and pos_weight reshape it (see below)

    The textbook case: the binary cross-entropy of the probability σ(x_i),
        loss_i = -[y_i log σ(x_i) + (1 - y_i) log(1 - σ(x_i))] = (1 - y_i) x_i + softplus(-x_i),
    using log σ(x) = -softplus(-x) and log(1 - σ(x)) = -x - softplus(-x): finite
    for any x. 'mean' divides Σ_i loss_i by n.

    The options: `weight` scales loss_i by w_i, and pos_weight p (broadcast over
    the last dim) weighs the positive term y_i log σ(x_i) by p:
        loss_i = w_i [(1 - y_i) x_i + (1 + (p - 1) y_i) softplus(-x_i)],
        ∂loss_i/∂x_i = w_i ((1 + (p - 1) y_i) σ(x_i) - p y_i),
        ∂loss_i/∂y_i = w_i ((p - 1) softplus(-x_i) - x_i).
    """
    def forward(self, x, y, weight, pos_weight, reduction):
        softplus = np.logaddexp(0, -x)              # log(1 + e^-x) without overflow
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * y
        losses = (1 - y) * x + log_weight * softplus
        if weight is not None:
            losses = losses * weight
        self.saved = (x, y, weight, pos_weight, softplus, log_weight)
        self.reduction = reduction
        return _reduce(losses, reduction, losses.size)

    def backward(self, grad):
        x, y, weight, pos_weight, softplus, log_weight = self.saved
        upstream = _upstream(grad, self.reduction, softplus.size)
        if weight is not None:
            upstream = upstream * weight
        grad_x = grad_y = None
        if self.needs_input_grad[0]:
            sigmoid = np.exp(-softplus)             # σ(x) = e^(-softplus(-x)), never overflows
            if pos_weight is None:
                grad_x = upstream * (sigmoid - y)
            else:
                grad_x = upstream * (log_weight * sigmoid - pos_weight * y)
        if self.needs_input_grad[1]:
            d_y = -x if pos_weight is None else (pos_weight - 1) * softplus - x
            grad_y = upstream * d_y
        return grad_x, grad_y


# ------------------------------------------------- multi-class classification
# Shapes: input (N, C) or (N, C, d1, ...) with the classes on dim 1, or
# unbatched (C,) with the classes on dim 0. Class-index targets have the input's
# shape without the class dim: (N,), (N, d1, ...) or ().

def class_axis(ndim):
    """The class dim of a classifier's input: 1 for (N, C) or (N, C, d1, ...), 0 for (C,)."""
    return 1 if ndim > 1 else 0


def _along(values, axis):
    """Per-sample values with the class dim put back (size 1), to broadcast over classes."""
    return values[(slice(None),) * axis + (None,)] if values.ndim else values


def _class_shape(weight, ndim, axis):
    """The (C,) class weights shaped to broadcast along the class dim."""
    return weight.reshape([-1 if d == axis else 1 for d in range(ndim)])


def _at_targets(index, axis):
    """The fancy index that picks each sample's target class: x[_at_targets(y, 1)] is
    x[n, y_n] for (N, C), x[n, y_{n,i}, i] for (N, C, d1), x[y] for (C,)."""
    if index.ndim == 1:                                  # (N, C), the usual case
        return np.arange(index.shape[0]), index
    samples = [np.arange(n).reshape([-1 if d == i else 1 for d in range(index.ndim)])
               for i, n in enumerate(index.shape)]
    return tuple(samples[:axis]) + (index,) + tuple(samples[axis:])


def _pick(index, ignore_index, weight, dtype, axis):
    """Where each sample's target class sits (ignored samples point at class 0),
    each sample's weight w_{y_n} (0 if ignored; None when unweighted and nothing
    is ignored) and the mask of samples kept (None when nothing is ignored).
    ignore_index=None says no target equals it (the caller saw the range)."""
    ignored = None if ignore_index is None else index == ignore_index
    if ignored is None or not ignored.any():
        return _at_targets(index, axis), (None if weight is None else weight[index]), None
    keep = ~ignored
    safe = np.where(keep, index, 0)
    sample_weight = keep.astype(dtype) if weight is None else weight[safe] * keep
    return _at_targets(safe, axis), sample_weight, keep


class CrossEntropy(Op):
    """d ce = (softmax(x) - onehot(y)) dx / N; weights, smoothing, ignore_index reshape onehot(y)

    The textbook case. With lp = log_softmax(x) over the C classes and y_n the
    target class of sample n,
        loss_n = -lp_{y_n},   ∂loss_n/∂x_j = softmax(x)_j - [j = y_n],
    since ∂lp_c/∂x_j = [c = j] - softmax(x)_j; 'mean' divides Σ_n loss_n by N.

    The options put a target q in place of onehot(y_n). With class weights w
    (all 1 without `weight`) and ε = label_smoothing,
        q = (1 - ε) w_{y_n} onehot(y_n) + (ε / C) w,   loss_n = -Σ_c q_c lp_c,
        ∂loss_n/∂x_j = (Σ_c q_c) softmax(x)_j - q_j    (q need not sum to 1);
    a sample whose target is ignore_index has q = 0: loss 0, gradient 0.
    'mean' then divides by Σ_n w_{y_n} over the samples not ignored (N when
    unweighted), which is how PyTorch defines it.
    """
    def forward(self, x, index, weight, ignore_index, label_smoothing, reduction):
        axis = class_axis(x.ndim)
        shifted, exp, total = softmax_parts(x, axis)            # softmax(x) = exp / total, stably
        log_total = np.log(total)                               # lp = shifted - log_total
        targets, sample_weight, keep = _pick(index, ignore_index, weight, x.dtype, axis)
        losses = log_total.squeeze(axis) - shifted[targets]     # -lp_{y_n}, at the targets only
        if sample_weight is not None:
            losses = losses * sample_weight
        if label_smoothing:                                     # Σ_c w_c (-lp_c), without lp itself
            weighted = shifted if weight is None else shifted * _class_shape(weight, x.ndim, axis)
            w_total = x.shape[axis] if weight is None else weight.sum()
            smooth = (w_total * log_total - weighted.sum(axis=axis, keepdims=True)).squeeze(axis)
            if keep is not None:                                # ignored samples add nothing
                smooth = smooth * keep
            classes = x.shape[axis]
            losses = (1 - label_smoothing) * losses + (label_smoothing / classes) * smooth
        count = index.size if sample_weight is None else sample_weight.sum()
        self.saved = (exp, total, targets, sample_weight, keep, weight, count)
        self.plain = sample_weight is None and not label_smoothing     # no option in use
        self.axis, self.label_smoothing, self.reduction = axis, label_smoothing, reduction
        return _reduce(losses, reduction, count)

    def backward(self, grad):
        exp, total, targets, sample_weight, keep, weight, count = self.saved
        upstream = _upstream(grad, self.reduction, count)       # ∂loss/∂loss_n: 1/N under 'mean'
        if self.plain:                                          # the textbook case:
            grad_x = exp * (_along(upstream, self.axis) / total)   # softmax(x) / N
            grad_x[targets] -= upstream                             #   - onehot(y) / N
            return grad_x
        # The options: q = h onehot(y) + s w in place of onehot(y), where h = (1 - ε) w_{y_n}
        # and s = ε / C (both 0 for an ignored sample), so that Σ_c q_c = h + s Σ_c w_c.
        if keep is not None and not keep.any():     # every target ignored: the 'mean' is nan, but
            return np.zeros_like(exp)               # nothing was learned from: gradient 0 (PyTorch)
        axis, smoothing = self.axis, self.label_smoothing
        h = (1 - smoothing) * upstream                          # h and s, times ∂loss/∂loss_n
        if sample_weight is not None:
            h = h * sample_weight
        q_total = h
        if smoothing:
            classes = exp.shape[axis]
            s = (smoothing / classes) * (upstream if keep is None else upstream * keep)
            q_total = h + s * (classes if weight is None else weight.sum())
        grad_x = exp * (_along(q_total, axis) / total)          # (Σ_c q_c) softmax(x)
        grad_x[targets] -= h                                    #   - h onehot(y)
        if smoothing:                                           #   - s w
            w = 1 if weight is None else _class_shape(weight, grad_x.ndim, axis)
            grad_x -= _along(s, axis) * w
        return grad_x


class CrossEntropyProbs(Op):
    """d ce = ((softmax(x) - t) dx - lp dt) / N, each row of t summing to 1; options: see below

    The textbook case. For class-probability targets t (the input's shape) and
    lp = log_softmax(x) over the classes,
        loss_n = -Σ_c t_c lp_c,   ∂loss_n/∂x_j = (Σ_c t_c) softmax(x)_j - t_j,
    which is softmax(x) - t when t sums to 1; 'mean' divides Σ_n loss_n by N.

    The options put q = w t' in place of t, with class weights w and
    t' = (1 - ε) t + ε / C, ε = label_smoothing; so ∂loss_n/∂t = -(1 - ε) w lp.
    'mean' still divides by N (not by the weights), as PyTorch does here.
    """
    def forward(self, x, target, weight, label_smoothing, reduction):
        axis = class_axis(x.ndim)
        classes = x.shape[axis]
        log_probs = log_softmax(x, axis)
        q = target
        if label_smoothing:
            q = (1 - label_smoothing) * target + label_smoothing / classes
        class_weight = None if weight is None else _class_shape(weight, x.ndim, axis)
        if class_weight is not None:
            q = q * class_weight
        losses = -(q * log_probs).sum(axis=axis)
        count = x.size // classes if classes else 0
        self.saved = (log_probs, q, class_weight, count)
        self.axis, self.label_smoothing, self.reduction = axis, label_smoothing, reduction
        return _reduce(losses, reduction, count)

    def backward(self, grad):
        log_probs, q, class_weight, count = self.saved
        upstream = _along(_upstream(grad, self.reduction, count), self.axis)
        grad_x = grad_t = None
        if self.needs_input_grad[0]:                # (Σ_c q_c) softmax(x) - q
            q = q * upstream                        # scaled first, as PyTorch does
            grad_x = np.exp(log_probs) * q.sum(axis=self.axis, keepdims=True) - q
        if self.needs_input_grad[1]:
            scale = -(1 - self.label_smoothing) * upstream
            if class_weight is not None:
                scale = scale * class_weight
            grad_t = scale * log_probs
        return grad_x, grad_t


class NLL(Op):
    """d nll = -dx_{n, y_n} / N: -1/N at each target class, 0 elsewhere; weights: see below

    The textbook case, for log-probabilities x (e.g. from log_softmax) and the
    target class y_n of sample n:  loss_n = -x_{n, y_n};  'mean' divides Σ_n loss_n by N.
    The options: class weights w scale loss_n by w_{y_n}; a sample whose target
    is ignore_index has loss 0. 'mean' then divides by Σ_n w_{y_n} over the
    samples not ignored.
    """
    grad_tied_to_input = True       # a second derivative of 0, as PyTorch (see autograd/replay.py)

    def forward(self, x, index, weight, ignore_index, reduction):
        axis = class_axis(x.ndim)
        targets, sample_weight, keep = _pick(index, ignore_index, weight, x.dtype, axis)
        losses = -x[targets]
        if sample_weight is not None:
            losses = losses * sample_weight
        count = index.size if sample_weight is None else sample_weight.sum()
        self.all_ignored = keep is not None and not keep.any()
        self.saved = (targets, sample_weight, count)
        self.shape, self.dtype, self.axis, self.reduction = x.shape, x.dtype, axis, reduction
        return _reduce(losses, reduction, count)

    def backward(self, grad):
        targets, sample_weight, count = self.saved
        if self.all_ignored:                        # the 'mean' is nan, the gradient 0 (PyTorch)
            return np.zeros(self.shape, dtype=self.dtype)
        upstream = _upstream(grad, self.reduction, count)
        if sample_weight is not None:
            upstream = upstream * sample_weight
        grad_x = np.zeros_like(upstream, shape=self.shape)
        grad_x[targets] = -upstream
        return grad_x
