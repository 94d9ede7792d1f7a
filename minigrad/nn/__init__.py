"""Neural-network building blocks: modules, functional ops and losses."""
from . import functional, init
from .attention import MultiheadAttention
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .containers import ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module, Parameter
from .normalization import GroupNorm, LayerNorm, RMSNorm
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)

__all__ = ['Module', 'Parameter', 'Linear', 'Identity', 'Flatten', 'Unflatten', 'Sequential',
           'ModuleList', 'ReLU', 'LeakyReLU', 'ELU', 'GELU', 'Softplus', 'Sigmoid', 'Tanh', 'Softmax',
           'LogSoftmax', 'Dropout', 'MSELoss', 'L1Loss', 'HuberLoss', 'SmoothL1Loss',
           'CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'functional', 'init',
           'LayerNorm', 'RMSNorm', 'GroupNorm', 'MultiheadAttention', 'TransformerEncoderLayer',
           'TransformerEncoder', 'TransformerDecoderLayer', 'TransformerDecoder', 'Transformer']
