"""Neural-network building blocks: modules, functional ops and losses."""
from . import functional, init
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .containers import ModuleList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module, Parameter
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d,
                      AvgPool2d, MaxPool1d, MaxPool2d)
from .upsampling import PixelShuffle, PixelUnshuffle, Upsample

__all__ = ['Module', 'Parameter', 'Linear', 'Identity', 'Flatten', 'Unflatten', 'Sequential',
           'ModuleList', 'ReLU', 'LeakyReLU', 'ELU', 'GELU', 'Softplus', 'Sigmoid', 'Tanh', 'Softmax',
           'LogSoftmax', 'Dropout', 'MSELoss', 'L1Loss', 'HuberLoss', 'SmoothL1Loss',
           'CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'functional', 'init',
           'Conv1d', 'Conv2d', 'ConvTranspose1d', 'ConvTranspose2d', 'MaxPool1d', 'MaxPool2d', 'AvgPool1d',
           'AvgPool2d', 'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveMaxPool1d', 'AdaptiveMaxPool2d',
           'Upsample', 'PixelShuffle', 'PixelUnshuffle']
