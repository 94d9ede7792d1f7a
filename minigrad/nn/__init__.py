"""Neural-network building blocks: modules, functional ops and losses."""
from . import functional, init, utils
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, RReLU, Sigmoid, SiLU, Softmax,
                         Softmax2d, Softmin, Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold)
from .attention import MultiheadAttention
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module, Parameter
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, InstanceNorm1d, InstanceNorm2d,
                            InstanceNorm3d, LayerNorm, RMSNorm)
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d,
                      AvgPool2d, MaxPool1d, MaxPool2d)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding, EmbeddingBag
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder,
                          TransformerEncoderLayer)
from .upsampling import PixelShuffle, PixelUnshuffle, Upsample

__all__ = ['Module', 'Parameter', 'Linear', 'Identity', 'Flatten', 'Unflatten', 'Sequential',
           'ModuleList', 'ReLU', 'LeakyReLU', 'ELU', 'GELU', 'Softplus', 'Sigmoid', 'Tanh', 'Softmax',
           'LogSoftmax', 'Dropout', 'MSELoss', 'L1Loss', 'HuberLoss', 'SmoothL1Loss',
           'CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'functional', 'init', 'utils',
           'Threshold', 'RReLU', 'Hardtanh', 'ReLU6', 'Hardsigmoid', 'SiLU', 'Mish', 'Hardswish', 'CELU',
           'SELU', 'GLU', 'Hardshrink', 'LogSigmoid', 'Softshrink', 'PReLU', 'Softsign', 'Tanhshrink',
           'Softmin', 'Softmax2d', 'ModuleDict', 'ParameterList', 'ParameterDict',
           'LayerNorm', 'RMSNorm', 'GroupNorm', 'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d',
           'InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d', 'Embedding', 'EmbeddingBag',
           'Dropout1d', 'Dropout2d', 'AlphaDropout',
           'RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell',
           'MultiheadAttention', 'TransformerEncoderLayer', 'TransformerEncoder',
           'TransformerDecoderLayer', 'TransformerDecoder', 'Transformer',
           'Conv1d', 'Conv2d', 'ConvTranspose1d', 'ConvTranspose2d', 'MaxPool1d', 'MaxPool2d', 'AvgPool1d',
           'AvgPool2d', 'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveMaxPool1d', 'AdaptiveMaxPool2d',
           'Upsample', 'PixelShuffle', 'PixelUnshuffle']
