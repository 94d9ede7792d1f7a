"""Neural-network building blocks: modules, functional ops and losses."""
from . import functional, init, utils
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, RReLU, Sigmoid, SiLU, Softmax,
                         Softmax2d, Softmin, Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold)
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module, Parameter

__all__ = ['Module', 'Parameter', 'Linear', 'Identity', 'Flatten', 'Unflatten', 'Sequential',
           'ModuleList', 'ReLU', 'LeakyReLU', 'ELU', 'GELU', 'Softplus', 'Sigmoid', 'Tanh', 'Softmax',
           'LogSoftmax', 'Dropout', 'MSELoss', 'L1Loss', 'HuberLoss', 'SmoothL1Loss',
           'CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'functional', 'init', 'utils',
           'Threshold', 'RReLU', 'Hardtanh', 'ReLU6', 'Hardsigmoid', 'SiLU', 'Mish', 'Hardswish', 'CELU',
           'SELU', 'GLU', 'Hardshrink', 'LogSigmoid', 'Softshrink', 'PReLU', 'Softsign', 'Tanhshrink',
           'Softmin', 'Softmax2d', 'ModuleDict', 'ParameterList', 'ParameterDict']
