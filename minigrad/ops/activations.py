"""Activation functions: each saves its output, which is all its derivative needs."""
import numpy as np

from ..autograd import Op


class Tanh(Op):
    """d tanh(x) = (1 - tanh(x)²) dx"""
    def forward(self, x):
        self.saved = np.tanh(x)
        return self.saved

    def backward(self, grad):
        y = self.saved
        return grad * (1 - y * y)


class Sigmoid(Op):
    """d σ(x) = σ(x) (1 - σ(x)) dx"""
    def forward(self, x):
        # exp of -|x| never overflows; pick the form that is exact on each side.
        e = np.exp(-np.abs(x))
        self.saved = np.where(x >= 0, 1, e) / (1 + e)
        return self.saved

    def backward(self, grad):
        y = self.saved
        return grad * y * (1 - y)


class ReLU(Op):
    """d relu(x) = dx where x > 0, else 0"""
    def forward(self, x):
        self.saved = np.maximum(x, 0)
        return self.saved

    def backward(self, grad):
        return grad * (self.saved > 0)


class Softmax(Op):
    """d softmax(x)_i = s_i (dx_i - Σ_j s_j dx_j)"""
    def forward(self, x, dim):
        self.dim = dim
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        self.saved = e / e.sum(axis=dim, keepdims=True)
        return self.saved

    def backward(self, grad):
        s = self.saved
        return s * (grad - (grad * s).sum(axis=self.dim, keepdims=True))


class LogSoftmax(Op):
    """d log_softmax(x)_i = dx_i - Σ_j softmax(x)_j dx_j"""
    def forward(self, x, dim):
        self.dim = dim
        shifted = x - x.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        self.saved = out
        return out

    def backward(self, grad):
        softmax = np.exp(self.saved)
        return grad - softmax * grad.sum(axis=self.dim, keepdims=True)
