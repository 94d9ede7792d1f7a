"""minigrad: reverse-mode automatic differentiation on NumPy, for learning backprop.

`import minigrad as mg` gives what `import torch` gives a beginner: tensors and
their functions, `mg.nn`, `mg.nn.functional`, `mg.optim`, `mg.autograd`,
`mg.utils.data`, dtypes and devices (the CPU).
"""
import numpy as np

from . import autograd
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, logspace, normal, ones, ones_like, rand, rand_like, randint,
                       randint_like, randn, randn_like, randperm, zeros, zeros_like)
from .dtypes import (Size, bool, double, dtype, float, float16, float32, float64, half, int, int8,  # noqa: A004
                     int16, int32, int64, long, short, uint8)
from .device import accelerator, backends, cuda, device, get_default_device, set_default_device
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .random import Generator, manual_seed
from .serialization import load, save
from . import viz
from .tensor import Tensor
from .functions import (abs, add, amax, amin, argmax, argmin, cat, clamp, clone, cos, div, dot, exp,
                        flatten, is_tensor, log, log_softmax, logsumexp, matmul, max, maximum, mean,
                        min, minimum, mm, mul, neg, norm, numel, pow, prod, relu, reshape, sigmoid,
                        sin, softmax, sqrt, squeeze, stack, std, sub, sum, t, tanh, tensor,
                        transpose, unsqueeze, var, where)
from .logic import *                                # noqa: F401 F403  (each module's __all__)
from .pointwise import *                            # noqa: F401 F403
from .products import *                             # noqa: F401 F403
from .scans import *                                # noqa: F401 F403
from .indexing import *                             # noqa: F401 F403
from .shapes import *                               # noqa: F401 F403
from .sampling import *                             # noqa: F401 F403
from . import linalg, return_types
from .legacy import BoolTensor, DoubleTensor, FloatTensor, IntTensor, LongTensor

from . import nn, optim, utils                  # noqa: E402  (they import the names above)
from .nn.functional import (alpha_dropout, celu, cosine_similarity, dropout,  # noqa: E402  PyTorch has
                            pairwise_distance, selu)          # these at its top level too

from . import missing                           # noqa: E402
missing.install()                   # a PyTorch name minigrad lacks says so

__version__ = '0.1.0'
