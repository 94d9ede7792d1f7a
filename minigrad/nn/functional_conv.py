"""F.conv1d, F.conv2d, F.conv_transpose1d, F.conv_transpose2d, F.unfold and F.fold.

Each checks its arguments with PyTorch's rules and words, then applies one op of
minigrad/ops/conv.py (im2col + matmul forward; the transposes and col2im backward).
A spatial size out of a convolution: ⌊(n + 2p - d(k-1) - 1) / s⌋ + 1; out of a transposed
one: (n - 1)s - 2p + d(k-1) + output_padding + 1.
"""
import numpy as np

from ..ops import conv as ops
from ._checks import _check_tensor

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
           'unfold', 'fold']


def _tuple(value, dims, name='value'):
    """An int or a sequence of `dims` ints as a tuple of `dims` ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * dims
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * dims
    if len(value) != dims:
        raise RuntimeError(f'expected {name} to be a single integer value or a list of {dims} values to '
                           f'match the convolution dimensions, but got {name}={list(value)}')
    return value


def _size(shape):
    return '[' + ', '.join(str(s) for s in shape) + ']'


def _batched(input, dims, fn):
    """The input with a batch dim (added for an unbatched one), and whether it was added."""
    _check_tensor(input, fn)
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f'Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {fn}, '
                           f'but got input of size: {_size(input.shape)}')
    return (input.unsqueeze(0), True) if input.ndim == dims + 1 else (input, False)


def _padding(padding, kernel, stride, dilation, dims):
    """Per dim (before, after) pads; 'same' pads d(k-1) in all, the odd one after (PyTorch's)."""
    if isinstance(padding, str):
        if padding == 'valid':
            return ((0, 0),) * dims
        if padding != 'same':
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)
    padding = _tuple(padding, dims, 'padding')
    if any(p < 0 for p in padding):
        raise RuntimeError('negative padding is not supported')
    return tuple((p, p) for p in padding)


def _check_weight(input, weight, bias, groups, transposed):
    """PyTorch's channel, group and bias checks, naming the shapes."""
    channels = weight.shape[0] if transposed else weight.shape[1] * groups
    if groups <= 0:
        raise RuntimeError('non-positive groups is not supported')
    if input.shape[1] != channels:
        given = f'Given transposed=1, weight of size' if transposed else f'Given groups={groups}, weight of size'
        raise RuntimeError(f'{given} {_size(weight.shape)}, expected input{_size(input.shape)} to have '
                           f'{channels} channels, but got {input.shape[1]} channels instead')
    if not transposed and weight.shape[0] % groups:
        raise RuntimeError(f'Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, '
                           f'but got weight of size {_size(weight.shape)} instead')
    out = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out):
        raise RuntimeError(f'Given weight of size {_size(weight.shape)}, expected bias to be 1-dimensional '
                           f'with {out} elements, but got bias of size {_size(bias.shape)} instead')
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != input.dtype):
        raise RuntimeError(f'Input type ({input.dtype}) and weight type ({weight.dtype}) should be the '
                           f'same (bias: {None if bias is None else bias.dtype})')


def _convolution(input, weight, bias, stride, padding, dilation, groups, dims, fn):
    """conv{dims}d: the argument checks, then the Conv op."""
    input, added = _batched(input, dims, fn)
    _check_tensor(weight, fn, 'weight')
    if weight.ndim != dims + 2:
        raise RuntimeError(f'Expected {dims + 2}-dimensional weight for {dims + 2}-dimensional input '
                           f'{_size(input.shape)}, but got {weight.ndim}-dimensional weight of size '
                           f'{_size(weight.shape)} instead')
    kernel = tuple(weight.shape[2:])
    stride, dilation = _tuple(stride, dims, 'stride'), _tuple(dilation, dims, 'dilation')
    if any(s <= 0 for s in stride):
        raise RuntimeError('non-positive stride is not supported')
    if any(d <= 0 for d in dilation):
        raise RuntimeError('dilation should be greater than zero')
    pads = _padding(padding, kernel, stride, dilation, dims)
    _check_weight(input, weight, bias, groups, transposed=False)
    size = tuple(input.shape[2:])
    padded = [n + b + a for n, (b, a) in zip(size, pads)]
    reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < r for p, r in zip(padded, reach)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, reach))}). Kernel size can't be greater "
                           f"than actual input size")
    w = ops.window(kernel, stride, pads, dilation, size)
    args = (input, weight) if bias is None else (input, weight, bias)
    out = ops.Conv.apply(*args, window=w, groups=groups)
    return out.squeeze(0) if added else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation, as PyTorch): input (N, C, L) or (C, L), weight
    (O, C/groups, k); y[n, o, l] = b[o] + Σ_{c,i} W[o, c, i] · xpad[n, c, l·s + i·d]."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1, 'conv1d')


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution: input (N, C, H, W) or (C, H, W), weight (O, C/groups, kh, kw); each output
    is b[o] + Σ W[o, c, i, j] · xpad[n, c, p·s + i·d, q·s + j·d]: im2col, then a matmul."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2, 'conv2d')


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution: input (N, C, D, H, W) or (C, D, H, W), weight (O, C/groups, kd, kh, kw)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 3, 'conv3d')


def _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, dims, fn):
    """conv_transpose{dims}d: the argument checks, then the ConvTranspose op."""
    if isinstance(padding, str):
        raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str")
    input, added = _batched(input, dims, fn)
    _check_tensor(weight, fn, 'weight')
    kernel = tuple(weight.shape[2:])
    stride, dilation = _tuple(stride, dims, 'stride'), _tuple(dilation, dims, 'dilation')
    padding, extra = _tuple(padding, dims, 'padding'), _tuple(output_padding, dims, 'output_padding')
    if any(s <= 0 for s in stride):
        raise RuntimeError('non-positive stride is not supported')
    if any(p < 0 for p in padding):
        raise RuntimeError('negative padding is not supported')
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        names = ['depth', 'height', 'width'][-dims:] if dims > 1 else ['width']
        said = ' '.join(f'output_padding_{a}: {e}' for a, e in zip(names, extra))
        said += ' ' + ' '.join(f'stride_{a}: {s}' for a, s in zip(names, stride))
        said += ' ' + ' '.join(f'dilation_{a}: {d}' for a, d in zip(names, dilation))
        raise RuntimeError(f'output padding must be smaller than either stride or dilation, but got {said}')
    _check_weight(input, weight, bias, groups, transposed=True)
    grid = tuple(input.shape[2:])
    size = tuple((n - 1) * s - 2 * p + d * (k - 1) + e + 1
                 for n, s, p, d, k, e in zip(grid, stride, padding, dilation, kernel, extra))
    if any(n <= 0 for n in size):
        raise RuntimeError(f'Given input size per channel: ({" x ".join(map(str, grid))}). Calculated '
                           f'output size per channel: ({" x ".join(map(str, size))}). Output size is too small')
    w = ops.Window(kernel, stride, tuple((p, p) for p in padding), dilation, size, grid)
    args = (input, weight) if bias is None else (input, weight, bias)
    out = ops.ConvTranspose.apply(*args, window=w, groups=groups)
    return out.squeeze(0) if added else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transpose (adjoint) of conv1d: input (N, C, L), weight (C, O/groups, k);
    y = col2im(Wᵀ x): each input position spreads W's kernel onto the output, s apart."""
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                       'conv_transpose1d')


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transpose (adjoint) of conv2d: input (N, C, H, W), weight (C, O/groups, kh, kw);
    y = col2im(Wᵀ x), conv2d's input gradient run forward."""
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                       'conv_transpose2d')


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The transpose (adjoint) of conv3d: input (N, C, D, H, W), weight (C, O/groups, kd, kh, kw)."""
    return _transposed(input, weight, bias, stride, padding, output_padding, groups, dilation, 3,
                       'conv_transpose3d')


def _fold_args(kernel_size, dilation, padding, stride):
    return (_tuple(kernel_size, 2, 'kernel_size'), _tuple(dilation, 2, 'dilation'),
            _tuple(padding, 2, 'padding'), _tuple(stride, 2, 'stride'))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C·kh·kw, L), column l the window at output position l
    (row-major over the Ho × Wo grid), rows ordered (c, i, j). See minigrad/ops/conv.py."""
    _check_tensor(input, 'unfold')
    if input.ndim not in (3, 4):
        raise NotImplementedError(f'Input Error: Only 3D or 4D input Tensors are supported '
                                  f'(got {input.ndim}D)')
    added = input.ndim == 3
    x = input.unsqueeze(0) if added else input
    kernel, dilation, padding, stride = _fold_args(kernel_size, dilation, padding, stride)
    w = ops.window(kernel, stride, padding, dilation, tuple(x.shape[2:]))
    if any(o <= 0 for o in w.out):
        raise RuntimeError(f'Given input with spatial size {tuple(x.shape[2:])}, kernel_size={kernel}, '
                           f'dilation={dilation}, padding={padding}, calculated shape of the array of '
                           f'sliding blocks as {w.out}, but its components must be at least one.')
    out = ops.Im2Col.apply(x, window=w)
    return out.squeeze(0) if added else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im, unfold's transpose: (N, C·kh·kw, L) -> (N, C, *output_size), each column added
    back at its window's place (overlaps add up)."""
    _check_tensor(input, 'fold')
    if input.ndim not in (2, 3):
        raise NotImplementedError(f'Input Error: Only unbatched (2D) or batched (3D) input Tensors are '
                                  f'supported (got {input.ndim}D)')
    added = input.ndim == 2
    x = input.unsqueeze(0) if added else input
    size = _tuple(output_size, 2, 'output_size')
    kernel, dilation, padding, stride = _fold_args(kernel_size, dilation, padding, stride)
    w = ops.window(kernel, stride, padding, dilation, size)
    k = kernel[0] * kernel[1]
    if x.shape[1] % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={x.shape[1]} and kernel_size={kernel}")
    if x.shape[2] != w.out[0] * w.out[1]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation={dilation}, "
                           f"padding={padding}, stride={stride}, expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {w.out[0]} * {w.out[1]} = "
                           f"{w.out[0] * w.out[1]}, but got input.size(2)={x.shape[2]}.")
    out = ops.Col2Im.apply(x, channels=x.shape[1] // k, window=w)
    return out.squeeze(0) if added else out
