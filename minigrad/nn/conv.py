"""Convolution layers: Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d (PyTorch's arguments,
weight shapes, initialisation and reprs). The math is F.conv2d's (im2col + matmul, see
minigrad/ops/conv.py); a padding_mode other than 'zeros' pads with F.pad first."""
import math

import numpy as np

from . import functional as F
from . import init
from ..dtypes import get_default_dtype
from .functional_conv import _tuple
from .module import Module, Parameter

_PADDING_MODES = ('zeros', 'reflect', 'replicate', 'circular')


class _ConvNd(Module):
    """What every convolution layer shares: arguments, weight, bias, init and repr."""

    _dims = 2
    transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode='zeros', device=None, dtype=None, output_padding=0):
        super().__init__()
        if groups <= 0:
            raise ValueError('groups must be a positive integer')
        if in_channels % groups != 0:
            raise ValueError('in_channels must be divisible by groups')
        if out_channels % groups != 0:
            raise ValueError('out_channels must be divisible by groups')
        dims = self._dims
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = _tuple(kernel_size, dims), _tuple(stride, dims)
        self.dilation, self.output_padding = _tuple(dilation, dims), _tuple(output_padding, dims)
        if isinstance(padding, str):
            if padding not in ('same', 'valid'):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == 'same' and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        self.padding = padding if isinstance(padding, str) else _tuple(padding, dims)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {{{', '.join(map(repr, _PADDING_MODES))}}}, "
                             f"but got padding_mode='{padding_mode}'")
        self.padding_mode = padding_mode
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        shape = ((in_channels, out_channels // groups) if self.transposed else
                 (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        self.bias = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """W by kaiming_uniform_(a=√5): U(±1/√fan_in), fan_in = weight.shape[1] · kernel size;
        b from U(±1/√fan_in) (PyTorch's reset_parameters)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _pads(self):
        """F.pad's list for a padding_mode other than 'zeros': last dim first, (before, after)."""
        if self.padding == 'valid':
            return [0, 0] * self._dims
        if self.padding == 'same':
            total = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            pairs = [(t // 2, t - t // 2) for t in total]
        else:
            pairs = [(p, p) for p in self.padding]
        return [p for pair in reversed(pairs) for p in pair]

    def _conv(self, input, conv):
        if self.padding_mode == 'zeros':
            return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        padded = F.pad(input, self._pads(), mode=self.padding_mode)
        return conv(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self):
        s = f'{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}'
        if self.padding != (0,) * self._dims:
            s += f', padding={self.padding}'
        if self.dilation != (1,) * self._dims:
            s += f', dilation={self.dilation}'
        if self.output_padding != (0,) * self._dims:
            s += f', output_padding={self.output_padding}'
        if self.groups != 1:
            s += f', groups={self.groups}'
        if self.bias is None:
            s += ', bias=False'
        if self.padding_mode != 'zeros':
            s += f', padding_mode={self.padding_mode}'
        return s


class Conv1d(_ConvNd):
    """y = conv1d(x, W) + b over (N, C_in, L) inputs; W (C_out, C_in/groups, k)."""
    _dims = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype)

    def forward(self, input):                   # noqa: A002 (PyTorch's argument name)
        return self._conv(input, F.conv1d)


class Conv2d(_ConvNd):
    """y = conv2d(x, W) + b over (N, C_in, H, W) inputs; W (C_out, C_in/groups, kh, kw)."""
    _dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype)

    def forward(self, input):                   # noqa: A002
        return self._conv(input, F.conv2d)


class _ConvTransposeNd(_ConvNd):
    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None):
        if padding_mode != 'zeros':
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f'{type(self).__name__} does not take a padding string, got {padding!r}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype, output_padding)

    def _output_padding(self, input, output_size):
        """The output_padding that makes the output `output_size` (PyTorch's forward argument)."""
        if output_size is None:
            return self.output_padding
        dims = self._dims
        output_size = list(output_size)[-dims:]
        if len(output_size) != dims:
            raise ValueError(f'ConvTranspose{dims}D: for {input.ndim}D input, output_size must have '
                             f'{dims} or {dims + 2} elements (got {len(output_size)})')
        extra = []
        for i in range(dims):
            smallest = ((input.shape[input.ndim - dims + i] - 1) * self.stride[i] - 2 * self.padding[i]
                        + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            if not smallest <= output_size[i] < smallest + self.stride[i]:
                raise ValueError(f'requested an output size of {output_size}, but valid sizes range from '
                                 f'{smallest} to {smallest + self.stride[i] - 1} (for an input of '
                                 f'{list(input.shape[-dims:])})')
            extra.append(output_size[i] - smallest)
        return tuple(extra)

    def _transpose(self, input, output_size, conv):
        return conv(input, self.weight, self.bias, self.stride, self.padding,
                    self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """conv1d's transpose (its input gradient run forward); W (C_in, C_out/groups, k)."""
    _dims = 1

    def forward(self, input, output_size=None):     # noqa: A002
        return self._transpose(input, output_size, F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """conv2d's transpose (its input gradient run forward); W (C_in, C_out/groups, kh, kw)."""
    _dims = 2

    def forward(self, input, output_size=None):     # noqa: A002
        return self._transpose(input, output_size, F.conv_transpose2d)
