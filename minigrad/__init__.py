"""minigrad: reverse-mode automatic differentiation on NumPy, for learning backprop."""
import numpy as np

from .autograd import enable_grad, is_grad_enabled, no_grad
from .creation import arange, eye, full, ones, ones_like, rand, randn, randn_like, zeros, zeros_like
from .gradcheck import GradcheckError, gradcheck
from .random import manual_seed
from .serialization import load, save
from . import viz
from .tensor import (Tensor, abs, cat, clamp, cos, exp, log, log_softmax, matmul, maximum,
                     minimum, pow, relu, sigmoid, sin, softmax, sqrt, stack, tanh, tensor, where)

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool = np.dtype(np.bool_)                       # noqa: A001 (mirrors torch.bool)

__version__ = '0.1.0'
