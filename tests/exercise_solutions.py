"""Model answers to the exercises of minigrad.exercises (notebook 04).

They live in the tests, not in the notebook: tests/test_notebooks.py runs notebook 04
with each blank cell's definition replaced by the one of the same name here, so each
definition must run on its own with the notebook's imports (`mg`, `Function`).
tests/test_exercises.py checks them, and plants typical mistakes in them.
"""
import minigrad as mg
from minigrad.autograd import Function

__all__ = ['Exp', 'Mul', 'Sigmoid', 'Tanh', 'MatMul', 'Softmax', 'LogSoftmax', 'MSELoss',
           'CrossEntropy', 'Linear', 'backward_walk']


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)            # d eˣ = eˣ dx: backward needs the output
        return y

    @staticmethod
    def backward(ctx, grad_output):
        y, = ctx.saved_tensors
        return grad_output * y


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return grad_output * b, grad_output * a


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        s = x.sigmoid()
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_output):
        s, = ctx.saved_tensors
        return grad_output * s * (1 - s)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.tanh()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        y, = ctx.saved_tensors
        return grad_output * (1 - y * y)


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return grad_output @ b.T, a.T @ grad_output


class Softmax(Function):
    @staticmethod
    def forward(ctx, x):
        e = (x - x.amax(dim=-1, keepdim=True)).exp()
        s = e / e.sum(dim=-1, keepdim=True)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_output):
        s, = ctx.saved_tensors
        return s * (grad_output - (grad_output * s).sum(dim=-1, keepdim=True))


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x):
        y = x - x.logsumexp(dim=-1, keepdim=True)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        y, = ctx.saved_tensors
        return grad_output - y.exp() * grad_output.sum(dim=-1, keepdim=True)


class MSELoss(Function):
    @staticmethod
    def forward(ctx, input, target):
        diff = input - target
        ctx.save_for_backward(diff)
        return (diff * diff).mean()

    @staticmethod
    def backward(ctx, grad_output):
        diff, = ctx.saved_tensors
        grad = grad_output * 2 * diff / diff.numel()
        return grad, -grad


class CrossEntropy(Function):
    @staticmethod
    def forward(ctx, logits, target):
        log_p = logits - logits.logsumexp(dim=1, keepdim=True)
        ctx.save_for_backward(log_p, target)
        return -log_p[mg.arange(len(target)), target].mean()

    @staticmethod
    def backward(ctx, grad_output):
        log_p, target = ctx.saved_tensors
        n = len(target)
        onehot = mg.zeros_like(log_p)
        onehot[mg.arange(n), target] = 1
        return grad_output * (log_p.exp() - onehot) / n, None


class Linear(Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        return x @ weight.T + bias

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        return grad_output @ weight, grad_output.T @ x, grad_output.sum(dim=0)


def backward_walk(root):
    # 1. Count each node's users (a node used twice by the same op counts twice).
    users = {}
    stack, seen = [root], {id(root)}
    while stack:
        node = stack.pop()
        for parent, _ in node.parents:
            users[id(parent)] = users.get(id(parent), 0) + 1
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    # 2. From the root down: a node passes its gradient on once all its users have given theirs.
    root.grad = 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        for parent, local in node.parents:
            parent.grad += node.grad * local
            users[id(parent)] -= 1
            if users[id(parent)] == 0:
                ready.append(parent)
