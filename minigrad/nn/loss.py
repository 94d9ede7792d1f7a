"""Loss modules: each stores its options and calls the matching function in `F`.

`loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, target)` is the same
as `F.cross_entropy(logits, target)`; the math and the gradient live there.
"""
from . import functional as F
from .module import Module


class _Loss(Module):
    def __init__(self, reduction='mean'):
        super().__init__()
        F._check_reduction(reduction)
        self.reduction = reduction


class MSELoss(_Loss):
    """mean of (input - target)²"""

    def forward(self, input, target):           # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """mean of |input - target|"""

    def forward(self, input, target):           # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """mean of ½d² if |d| < delta else delta·(|d| - ½delta), with d = input - target"""

    def __init__(self, reduction='mean', delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):           # noqa: A002
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """mean of ½d²/beta if |d| < beta else |d| - ½beta, with d = input - target (beta=0: L1Loss)"""

    def __init__(self, reduction='mean', beta=1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):           # noqa: A002
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class CrossEntropyLoss(_Loss):
    """-log softmax(input)[target], averaged: raw logits in, one fused op (see F.cross_entropy)."""

    def __init__(self, weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0):
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):           # noqa: A002
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """-input[target], averaged: expects log-probabilities (e.g. from LogSoftmax)."""

    def __init__(self, weight=None, ignore_index=-100, reduction='mean'):
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index

    def forward(self, input, target):           # noqa: A002
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_Loss):
    """-[t log p + (1 - t) log(1 - p)], averaged: expects probabilities (e.g. from Sigmoid)."""

    def __init__(self, weight=None, reduction='mean'):
        super().__init__(reduction)
        self.weight = weight

    def forward(self, input, target):           # noqa: A002
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """BCELoss of sigmoid(input), computed stably from the raw logits in one op."""

    def __init__(self, weight=None, reduction='mean', pos_weight=None):
        super().__init__(reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input, target):           # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction, pos_weight=self.pos_weight)
