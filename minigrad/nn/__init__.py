"""Neural-network building blocks: modules, functional ops and losses."""
from . import functional, init
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .containers import ModuleList, Sequential
from .dropout import Dropout
from .linear import Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss
from .module import Module, Parameter

__all__ = ['Module', 'Parameter', 'Linear', 'Identity', 'Sequential', 'ModuleList', 'ReLU',
           'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Dropout', 'MSELoss', 'L1Loss', 'HuberLoss',
           'CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'functional', 'init']
