"""Exercises: write an op's backward yourself, and let `check` say what is wrong.

    import minigrad as mg
    from minigrad.exercises import EXERCISES, check

    class Sigmoid(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ...                                 # compute σ(x); save what backward needs
        @staticmethod
        def backward(ctx, grad_output):
            ...                                 # return dL/dx, given dL/dσ(x)

    check('sigmoid', Sigmoid)                   # prints a diagnosis, returns True or False

Each exercise is an op written in PyTorch's custom-Function protocol, used as
`MyOp.apply(...)` with these arguments (backward returns one gradient per
argument of forward, None for an argument that takes none):

    exp(x)        the worked example        softmax(x), log_softmax(x)   along the last dim
    mul(a, b)     same shapes               mse_loss(input, target)      'mean'
    sigmoid(x)    tanh(x)                   cross_entropy(logits, target)  (N, C), int64 (N,), 'mean'
    matmul(a, b)  2-D                       linear(x, weight, bias)      x @ weight.T + bias

`check` runs it on several seeded float64 inputs (random values, several
shapes, then edge values), compares forward with minigrad's own op, and each
gradient with minigrad's rule and with central finite differences. It calls backward itself, so a gradient
must have exactly its input's shape (`.backward()` would sum a broadcast
gradient back for you, as PyTorch's does; here the point is to do it yourself).
On a wrong answer it prints which input's gradient is wrong, where, expected
against got, and a hint when the answer matches a typical mistake (a missing
1/N, a missing transpose, a bias gradient not summed over the batch, ...).
It never raises on a wrong answer: an error inside your code is reported with
its line and message.

The last exercise, 'backward_walk', is the engine itself: write
`backward_walk(root)`, which fills in `.grad` of every `Node` of a small graph
(see `Node`), and pass that function to `check`.
"""
from .catalog import EXERCISE_LIST, EXERCISES       # EXERCISE_LIST: each exercise, its cases and mistakes
from .grader import check
from .walk import Node

__all__ = ['EXERCISES', 'check', 'Node']
