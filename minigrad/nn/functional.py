"""Activations, the linear layer and the losses as functions (`import minigrad.nn.functional as F`).

This module checks arguments and explains common mistakes; the math of each
function, forward and backward, lives in one op in `minigrad/ops/`, or, for the
compositions, in the function's docstring. Targets may be Tensors, NumPy arrays or
(nested) lists. By topic, F also gathers (and re-exports) nn/functional_losses.py (kl_div,
poisson_nll_loss, the margin losses...), functional_distance.py (normalize,
cosine_similarity, pairwise_distance), functional_dropout.py, functional_padding.py (pad),
functional_sparse.py (one_hot, embedding), functional_normalization.py (layer_norm, batch_norm,
group_norm, instance_norm, rms_norm), functional_attention.py (scaled_dot_product_attention),
functional_conv.py (conv1d/2d, conv_transpose1d/2d, unfold, fold) and functional_pooling.py
(max/avg/adaptive pools, interpolate); the argument checks they share are in nn/_checks.py.
"""
import warnings

import numpy as np

from ..dims import _reduction_dims
from ..functions import where
from ..ops import activations as act
from ..ops import linalg
from ..ops import losses
from ..random import numpy_generator
from ..tensor import Tensor
from .module import Parameter
from .functional_dropout import *  # noqa: F401,F403 (F.dropout, F.dropout2d, ...)
from .functional_padding import *  # noqa: F401,F403 (F.pad)
from .functional_sparse import *  # noqa: F401,F403 (F.one_hot, F.embedding)
from .functional_attention import *  # noqa: F401,F403 (F.scaled_dot_product_attention)
from .functional_distance import *  # noqa: F401,F403 (F.normalize, F.cosine_similarity, ...)
from .functional_losses import *  # noqa: F401,F403 (F.kl_div, F.poisson_nll_loss, ...)
from .functional_normalization import *  # noqa: F401,F403 (F.layer_norm, F.batch_norm, ...)
from .functional_conv import *  # noqa: F401,F403 (F.conv2d, F.conv_transpose2d, F.unfold, F.fold, ...)
from .functional_pooling import *  # noqa: F401,F403 (F.max_pool2d, F.avg_pool2d, F.interpolate, ...)
from ._checks import (_check_broadcasts_to, _check_float, _check_reduction, _check_tensor,  # noqa: F401
                      _constant, _float_target, _number, _warn_size)


# ------------------------------------------------------------ activations

# `inplace=True` (PyTorch's: overwrite the input with the result) is accepted by
# relu, leaky_relu, elu, silu, mish, hardtanh, relu6, selu, celu, hardsigmoid, hardswish, threshold, rrelu
# and the dropouts, and computed out of place: the same result, as a new tensor, and the
# input keeps its values.

def relu(input, inplace=False):
    """max(x, 0), elementwise."""
    return act.ReLU.apply(_check_tensor(input, 'relu'))


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope · x, elementwise. See `minigrad.ops.activations.LeakyReLU`."""
    negative_slope = _number(negative_slope, 'leaky_relu', 'negative_slope')
    return act.LeakyReLU.apply(_check_float(input, 'leaky_relu'), negative_slope=negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha · (eˣ - 1), elementwise. See `minigrad.ops.activations.ELU`."""
    alpha = _number(alpha, 'elu', 'alpha')
    return act.ELU.apply(_check_float(input, 'elu'), alpha=alpha)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + e^(beta·x)) / beta, and x itself where beta·x > threshold, elementwise.
    See `minigrad.ops.activations.Softplus`."""
    beta = _number(beta, 'softplus', 'beta')
    threshold = _number(threshold, 'softplus', 'threshold')
    return act.Softplus.apply(_check_float(input, 'softplus'), beta=beta, threshold=threshold)


def gelu(input, approximate='none'):
    """x · Φ(x), Φ the standard normal cdf; approximate='tanh' uses
    ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))). See `minigrad.ops.activations.GELU`."""
    _check_float(input, 'gelu')
    if approximate == 'none':
        return act.GELU.apply(input)
    if approximate == 'tanh':
        return act.GELUTanh.apply(input)
    raise ValueError(f"gelu(): approximate argument must be either 'none' or 'tanh', got {approximate!r}")


def sigmoid(input):
    """1 / (1 + e^-x), elementwise, without overflow for large |x|."""
    return act.Sigmoid.apply(_check_tensor(input, 'sigmoid'))


def tanh(input):
    """tanh(x), elementwise."""
    return act.Tanh.apply(_check_tensor(input, 'tanh'))


def _softmax_dim(input, dim, fn):
    _check_tensor(input, fn)
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f'{fn}() needs dim, one int: the dim to normalise over, e.g. dim=1 for '
                        f'scores of shape (N, C); got {dim!r}')
    return _reduction_dims(int(dim), input.ndim)


def softmax(input, dim):
    """e^x / Σ e^x along `dim` (computed after subtracting the max, so it never overflows)."""
    return act.Softmax.apply(input, dim=_softmax_dim(input, dim, 'softmax'))


def log_softmax(input, dim):
    """x - logsumexp(x) along `dim`: the log of softmax, without ever taking log(0)."""
    return act.LogSoftmax.apply(input, dim=_softmax_dim(input, dim, 'log_softmax'))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along `dim`: small values get the large weights. A composition (Neg, Softmax).
    dim=None picks PyTorch's deprecated implicit dim (0 for 0-, 1- and 3-D inputs, else 1), and warns."""
    if dim is None:
        _check_tensor(input, 'softmin')
        warnings.warn('Implicit dimension choice for softmin has been deprecated. Change the call to '
                      'include dim=X as an argument.', UserWarning, stacklevel=_stacklevel - 1)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    _softmax_dim(input, dim, 'softmin')
    if dtype is not None:
        input = input.to(dtype)
    _check_float(input, 'softmin')
    return softmax(-input, dim)


def _elementwise(op, input, fn, **options):
    return op.apply(_check_float(input, fn), **options)


def silu(input, inplace=False):
    """x σ(x), the swish activation. See `minigrad.ops.activations.SiLU`."""
    return _elementwise(act.SiLU, input, 'silu')


def mish(input, inplace=False):
    """x tanh(softplus(x)). See `minigrad.ops.activations.Mish`."""
    return _elementwise(act.Mish, input, 'mish')


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clip(x, min_val, max_val). See `minigrad.ops.activations.Hardtanh`."""
    min_val, max_val = _number(min_val, 'hardtanh', 'min_val'), _number(max_val, 'hardtanh', 'max_val')
    if min_val > max_val:
        raise ValueError(f'hardtanh(): min_val cannot be greater than max_val, got min_val={min_val}, '
                         f'max_val={max_val}')
    return _clip(input, 'hardtanh', min_val, max_val)


def _clip(input, fn, min_val, max_val):
    """Integers clip too, as in PyTorch (no gradient: they cannot require one)."""
    if _check_tensor(input, fn).dtype.kind in 'iu':
        return Tensor._wrap(np.clip(input._array, int(min_val), int(max_val)).astype(input.dtype))
    return _elementwise(act.Hardtanh, input, fn, min_val=min_val, max_val=max_val)


def relu6(input, inplace=False):
    """min(max(x, 0), 6) = hardtanh(x, 0, 6)."""
    return _clip(input, 'relu6', 0.0, 6.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale · (x where x > 0, else α (eˣ - 1)), α ≈ 1.6733, scale ≈ 1.0507 (self-normalising).
    See `minigrad.ops.activations.CELU`."""
    return _elementwise(act.CELU, input, 'selu', alpha=_SELU_ALPHA, inner=1.0, scale=_SELU_SCALE)


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else α (e^(x/α) - 1). See `minigrad.ops.activations.CELU`."""
    alpha = _number(alpha, 'celu', 'alpha')
    if alpha == 0:
        raise RuntimeError('ZeroDivisionError: celu() with alpha=0 divides by 0; use relu(x) instead')
    return _elementwise(act.CELU, input, 'celu', alpha=alpha, inner=alpha, scale=1.0)


def softsign(input):
    """x / (1 + |x|). See `minigrad.ops.activations.Softsign`."""
    return _elementwise(act.Softsign, input, 'softsign')


def logsigmoid(input):
    """log σ(x) = -softplus(-x), finite for any x. See `minigrad.ops.activations.LogSigmoid`."""
    return _elementwise(act.LogSigmoid, input, 'logsigmoid')


def hardsigmoid(input, inplace=False):
    """clip(x / 6 + 1/2, 0, 1). See `minigrad.ops.activations.Hardsigmoid`."""
    return _elementwise(act.Hardsigmoid, input, 'hardsigmoid')


def hardswish(input, inplace=False):
    """x · clip(x + 3, 0, 6) / 6. See `minigrad.ops.activations.Hardswish`."""
    return _elementwise(act.Hardswish, input, 'hardswish')


def _half(input, axis, first):
    half = input.shape[axis] // 2
    return input[(slice(None),) * axis + (slice(0, half) if first else slice(half, None),)]


def glu(input, dim=-1):
    """a σ(b), a and b the two halves of the input along `dim`. A composition (slices, Sigmoid, Mul)."""
    _check_float(input, 'glu')
    if input.ndim == 0:
        raise RuntimeError('glu does not support scalars because halving size must be even')
    axis = _reduction_dims(int(dim), input.ndim)
    if input.shape[axis] % 2:
        raise RuntimeError(f'Halving dimension must be even, but dimension {axis} is size '
                           f'{input.shape[axis]}')
    return _half(input, axis, True) * sigmoid(_half(input, axis, False))


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value. A composition (Where): d = dx where x > threshold, else 0."""
    _check_tensor(input, 'threshold')
    threshold, value = _number(threshold, 'threshold', 'threshold'), _number(value, 'threshold', 'value')
    if input.dtype.kind in 'iub':       # integers threshold too, as in PyTorch (no gradient)
        array = input._array
        return Tensor._wrap(np.where(array > threshold, array, value).astype(array.dtype))
    return where(input > threshold, input, _scalar(value, input))


def _scalar(value, input):
    return Tensor._wrap(np.asarray(value, dtype=input.dtype))


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0. A composition (Abs, Where): d = dx where |x| > lambd, else 0."""
    _check_float(input, 'hardshrink')
    lambd = _number(lambd, 'hardshrink', 'lambd')
    return where(input.abs() > lambd, input, _scalar(0, input))


def softshrink(input, lambd=0.5):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0 (shrinks toward 0 by lambd).
    A composition (Where): d = dx where |x| > lambd, else 0."""
    _check_float(input, 'softshrink')
    lambd = _number(lambd, 'softshrink', 'lambd')
    if lambd < 0:
        raise RuntimeError(f'lambda must be in range [0, 3.40282e+38] for input dtype Float, but found '
                           f'{lambd:g}')
    zero = _scalar(0, input)
    return where(input > lambd, input - lambd, where(input < -lambd, input + lambd, zero))


def tanhshrink(input):
    """x - tanh(x). A composition (Tanh, Sub): d = tanh(x)² dx."""
    return _check_float(input, 'tanhshrink') - tanh(input)


def prelu(input, weight):
    """x where x > 0, else a · x, with a learned slope `weight`: one for all channels (1 value)
    or one per channel (dim 1 of the input). A composition (Mul, Where):
    d = dx where x > 0, else a dx;  da = Σ x · grad over the entries where x <= 0 (of its channel)."""
    _check_float(input, 'prelu')
    _check_tensor(weight, 'prelu', 'weight')
    if weight.ndim > 1:
        raise RuntimeError(f'prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = '
                           f'{weight.ndim}')
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() not in (1, channels):
        raise RuntimeError(f'Mismatch of parameter numbers and input channel size. Found parameter '
                           f'numbers = {weight.numel()} and channel size = {channels}.')
    if weight.numel() == 1:             # (so a 0-d input gives a 0-d output)
        weight = weight.reshape(())
    elif input.ndim == 0:
        raise RuntimeError('Not allow zero-dim input tensor.')
    else:                               # one slope per channel: (C, 1, 1, ...) broadcasts on dim 1
        weight = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, weight * input)


def rrelu(input, lower=1. / 8, upper=1. / 3, training=False, inplace=False):
    """x where x >= 0, else a · x: in training a ~ U(lower, upper) drawn per element (with
    minigrad's generator), in eval the mean slope a = (lower + upper) / 2. d = a dx where x < 0."""
    _check_float(input, 'rrelu')
    lower, upper = _number(lower, 'rrelu', 'lower'), _number(upper, 'rrelu', 'upper')
    if lower > upper:
        raise RuntimeError('Lower bound should be less than or equal to the upper bound')
    if not training:
        return leaky_relu(input, (lower + upper) / 2)
    slopes = numpy_generator().uniform(lower, upper, size=input.shape)
    noise = np.where(input._array >= 0, 1, slopes).astype(input.dtype)
    return input * Tensor._wrap(noise)


def _writing_into_the_input(function):
    """PyTorch's `relu_` beside `relu`: the same function, its result written into the input
    (an in-place op: the input's version goes up and autograd records it)."""
    name = function.__name__ + '_'

    def inplace(input, *args, **kwargs):           # noqa: A002
        return _check_tensor(input, name)._inplace(name, lambda t: function(t, *args, **kwargs))
    inplace.__name__ = inplace.__qualname__ = name
    inplace.__doc__ = f'In-place {function.__name__}: see `{function.__name__}`.'
    return inplace


relu_, elu_, celu_, selu_, leaky_relu_, hardtanh_, threshold_, rrelu_ = map(
    _writing_into_the_input, (relu, elu, celu, selu, leaky_relu, hardtanh, threshold, rrelu))


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g) / tau) along `dim`, g ~ Gumbel(0, 1) drawn with minigrad's generator.
    hard=True: the one-hot of its argmax forward, the soft sample's gradient backward
    (straight-through: y_hard - y.detach() + y). A composition."""
    _check_float(logits, 'gumbel_softmax', 'logits')
    axis = _reduction_dims(int(dim), logits.ndim)
    gumbels = -np.log(numpy_generator().exponential(size=logits._array.shape))
    y = softmax((logits + Tensor._wrap(gumbels.astype(logits.dtype))) / tau, axis)
    if not hard:
        return y
    winner = y._array.argmax(axis=axis)
    y_hard = np.zeros_like(y._array)
    np.put_along_axis(y_hard, np.expand_dims(winner, axis), 1, axis=axis)
    return Tensor._wrap(y_hard) - y.detach() + y


def linear(input, weight, bias=None):
    """input @ weight.T + bias, with weight shaped (out_features, in_features)."""
    if not _plain_linear(input, weight, bias):
        _check_linear(input, weight, bias)
    if bias is None:
        return linalg.Linear.apply(input, weight)
    return linalg.Linear.apply(input, weight, bias)


_TENSOR_TYPES = (Tensor, Parameter)       # exactly these: a subclass may override what is read


def _plain_linear(input, weight, bias):
    """True for linear()'s usual arguments, which need no closer look (speed: 0.3 µs, against
    1.1 µs for _check_linear): Tensors of one dtype, a 2-D weight that fits the input's last
    dim, no bias or a bias of shape (out_features,)."""
    if type(input) not in _TENSOR_TYPES or type(weight) not in _TENSOR_TYPES:
        return False
    x, w = input._array, weight._array
    return (w.ndim == 2 and x.ndim > 0 and x.shape[-1] == w.shape[1] and x.dtype == w.dtype and
            (bias is None or type(bias) in _TENSOR_TYPES and bias._array.shape == w.shape[:1]
             and bias._array.dtype == w.dtype))


def _check_linear(input, weight, bias):
    """Raises an error that says what is wrong with linear()'s arguments, if anything is."""
    _check_tensor(input, 'linear')
    _check_tensor(weight, 'linear', 'weight')
    if weight.ndim != 2:
        raise RuntimeError(f'linear(): weight must be 2-D (out_features, in_features), '
                           f'got shape {tuple(weight.shape)}')
    out_features, in_features = weight.shape
    if input.ndim == 0 or input._array.shape[-1] != in_features:
        last = input._array.shape[-1] if input.ndim else 'none (a 0-d tensor)'
        raise RuntimeError(f'linear(): the input\'s last dim must be in_features={in_features}, '
                           f'but the input has shape {tuple(input._array.shape)} (last dim {last}); '
                           f'weight has shape {tuple(weight.shape)} = (out_features, in_features)')
    if bias is not None and _check_tensor(bias, 'linear', 'bias').shape != (out_features,):
        raise RuntimeError(f'linear(): bias must have shape (out_features,) = ({out_features},), '
                           f'got {tuple(bias.shape)}')
    _check_linear_dtypes(input, weight, bias)


def _check_linear_dtypes(input, weight, bias):
    """PyTorch multiplies no mixed dtypes: a float64 batch (NumPy's default, kept by
    mg.from_numpy) into a float32 layer is an error there, not a float64 result."""
    if input._array.dtype != weight._array.dtype:
        got, want = _dtype_name(input), _dtype_name(weight)
        raise RuntimeError(f'mat1 and mat2 must have the same dtype, but got {got} and {want}: the '
                           f'input is {input._array.dtype} but the weight is {weight._array.dtype}; '
                           f'convert the input, e.g. x.{_CONVERTERS.get(want, "to(weight.dtype)")}'
                           f'{" (NumPy arrays are float64)" if got == "Double" else ""}')
    if bias is not None and bias._array.dtype != weight._array.dtype:
        raise RuntimeError(f'self and mat2 must have the same dtype, but got {_dtype_name(bias)} and '
                           f'{_dtype_name(weight)}: the bias is {bias._array.dtype} but the weight is '
                           f'{weight._array.dtype}; convert the bias, e.g. bias.to(weight.dtype)')


_TORCH_NAMES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'int64': 'Long',
                'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}
_CONVERTERS = {'Float': 'float()', 'Double': 'double()', 'Half': 'half()'}


def _dtype_name(t):
    """PyTorch's name for the dtype, as its messages print it: Float, Double, Long, ..."""
    return _TORCH_NAMES.get(t._array.dtype.name, str(t._array.dtype))


# ------------------------------------------------------- regression losses

def _regression(op, fn, input, target, reduction, **options):
    _check_float(input, fn)
    _check_reduction(reduction)
    target = _float_target(target, input)
    if target._array.shape != input._array.shape:
        _warn_size(input, target, fn)
    return op.apply(input, target, reduction=reduction, **options)


def mse_loss(input, target, *, reduction='mean'):
    """Mean squared error: mean((input - target)²). See `minigrad.ops.losses.MSE`."""
    return _regression(losses.MSE, 'mse_loss', input, target, reduction)


def l1_loss(input, target, *, reduction='mean'):
    """Mean absolute error: mean(|input - target|). See `minigrad.ops.losses.L1`."""
    return _regression(losses.L1, 'l1_loss', input, target, reduction)


def huber_loss(input, target, *, reduction='mean', delta=1.0, weight=None):
    """Squared error below `delta`, absolute error beyond. See `minigrad.ops.losses.Huber`.
    `weight` (the input's shape) scales each element's loss before the reduction."""
    if not delta > 0:
        raise ValueError(f'huber_loss does not support non-positive values for delta, got {delta}')
    if weight is None:
        return _regression(losses.Huber, 'huber_loss', input, target, reduction, delta=float(delta))
    _check_float(input, 'huber_loss')
    _check_reduction(reduction)
    weight = _float_target(_check_tensor(weight, 'huber_loss', 'weight'), input)
    if weight._array.shape != input._array.shape:
        raise ValueError(f'Weights and input must have the same size: weight {tuple(weight._array.shape)}, '
                         f'input {tuple(input._array.shape)}')
    weighted = _regression(losses.Huber, 'huber_loss', input, target, 'none', delta=float(delta)) * weight
    return weighted if reduction == 'none' else weighted.sum() if reduction == 'sum' else weighted.mean()


def smooth_l1_loss(input, target, *, reduction='mean', beta=1.0):
    """Squared error / (2 beta) below `beta`, absolute error - beta/2 beyond; beta=0 is the L1 loss.
    See `minigrad.ops.losses.SmoothL1`."""
    if not beta >= 0:
        raise ValueError(f'smooth_l1_loss does not support negative values for beta, got {beta}')
    return _regression(losses.SmoothL1, 'smooth_l1_loss', input, target, reduction, beta=float(beta))


# --------------------------------------------------- binary classification

def _binary(fn, input, target, reduction):
    _check_float(input, fn)
    _check_reduction(reduction)
    target = _float_target(target, input)
    if target._array.shape != input._array.shape:
        raise ValueError(f'{fn}(): using a target size ({tuple(target._array.shape)}) that is different to the '
                         f'input size ({tuple(input._array.shape)}) is not supported. Please ensure they have '
                         f'the same size, e.g. with target.reshape(input._array.shape).')
    return target


def binary_cross_entropy(input, target, weight=None, *, reduction='mean'):
    """-w [y log p + (1 - y) log(1 - p)] for probabilities p in [0, 1] (logs clamped at -100).
    See `minigrad.ops.losses.BCE`."""
    target = _binary('binary_cross_entropy', input, target, reduction)
    if input._array.size:
        low, high = input._array.min(), input._array.max()
        if not (low >= 0 and high <= 1):
            raise ValueError(f'binary_cross_entropy() expects input probabilities in [0, 1], '
                             f'but the input ranges from {low:.4g} to {high:.4g}. For raw scores '
                             f'(logits) use binary_cross_entropy_with_logits, or apply sigmoid first.')
        low, high = target._array.min(), target._array.max()
        if not (low >= 0 and high <= 1):
            raise ValueError(f'binary_cross_entropy() expects targets in [0, 1], but the target '
                             f'ranges from {low:.4g} to {high:.4g}')
    weight = _constant(weight, input, 'binary_cross_entropy', 'weight')
    _check_broadcasts_to(weight, input._array.shape, 'binary_cross_entropy', 'weight')
    return losses.BCE.apply(input, target, weight=weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, *, reduction='mean',
                                     pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target), computed stably from the logits.
    `pos_weight` scales the positive term (broadcast over the last dim).
    See `minigrad.ops.losses.BCEWithLogits`."""
    fn = 'binary_cross_entropy_with_logits'
    target = _binary(fn, input, target, reduction)
    weight = _constant(weight, input, fn, 'weight')
    pos_weight = _constant(pos_weight, input, fn, 'pos_weight')
    _check_broadcasts_to(weight, input._array.shape, fn, 'weight')
    _check_broadcasts_to(pos_weight, input._array.shape, fn, 'pos_weight')
    return losses.BCEWithLogits.apply(input, target, weight=weight, pos_weight=pos_weight,
                                      reduction=reduction)


# ----------------------------------------------- multi-class classification

def _class_dim(input, fn):
    if input.ndim == 0:
        raise ValueError(f'{fn}() expects input of shape (N, C) or (C,) (C classes), got a 0-d tensor')
    return losses.class_axis(input.ndim)


def _describe(input, axis):
    """What a class-index target must be, e.g. for input (64, 10): 'an integer target of
    shape (N,) = (64,) with class indices in [0, 9] for 10 classes'."""
    classes = input._array.shape[axis]
    if input.ndim == 1:     # one unbatched sample; a batch of scores missing its class dim lands here too
        return (f'logits of shape (N, C) (N samples, C classes) with an integer target of shape (N,), '
                f'or unbatched logits of shape (C,) = ({classes},) with a 0-d integer target '
                f'(a class index in [0, {classes - 1}])')
    shape = input._array.shape[:axis] + input._array.shape[axis + 1:]
    symbolic = '(N,)' if input.ndim == 2 else '(N, d1, ...)'
    return (f'an integer target of shape {symbolic} = {shape} with class indices in '
            f'[0, {classes - 1}] for {classes} classes')


def _unbatched_hint(input, index):
    """Why 1-D logits with a target of N labels is wrong, and the fix."""
    if input.ndim != 1 or index.ndim != 1:
        return ''
    return (f'; 1-D logits hold one sample\'s {input._array.shape[0]} class scores: for a batch of '
            f'{index.shape[0]} samples pass logits of shape ({index.shape[0]}, C), e.g. from a final '
            f'nn.Linear(features, C), not one score per sample')


def _class_indices(fn, input, target, axis, ignore_index):
    """Checks class-index targets (integer dtype, the input's shape without the class dim,
    in range); returns them and the ignore_index the op must look for (None if absent)."""
    index = target._array if isinstance(target, Tensor) else np.asarray(target)
    expected = input._array.shape[:axis] + input._array.shape[axis + 1:]
    classes = input._array.shape[axis]
    if index.dtype.kind not in 'iu':
        raise ValueError(f'{fn}() expects {_describe(input, axis)} (input shape {tuple(input._array.shape)}), '
                         f'but the target has dtype {index.dtype} and shape {tuple(index.shape)}; convert '
                         f'class labels with dtype=mg.int64'
                         f'{_unbatched_hint(input, index) if index.shape != expected else ""}')
    if input.ndim == 1 and index.shape == (1,):
        index = index.reshape(())       # PyTorch accepts a 1-element target for unbatched logits
    if index.shape != expected:
        hint = (' (squeeze away the extra dim)' if index.shape == expected + (1,) else
                _unbatched_hint(input, index))
        raise ValueError(f'{fn}() expects {_describe(input, axis)} (input shape {tuple(input._array.shape)}), '
                         f'but the target has shape {tuple(index.shape)}{hint}')
    if not index.size:
        return index, None
    low, high = index.min(), index.max()
    if low < 0 or high >= classes:
        bad = index[((index < 0) | (index >= classes)) & (index != ignore_index)]
        if bad.size:
            raise ValueError(f'{fn}(): target holds class index {bad.flat[0]}, out of range for '
                             f'{classes} classes (input shape {tuple(input._array.shape)}): class indices must lie '
                             f'in [0, {classes - 1}], or equal ignore_index={ignore_index}')
    # The op skips looking for ignored targets when none can be there.
    return index, (ignore_index if low <= ignore_index <= high else None)


def _class_weight(weight, input, axis, fn):
    weight = _constant(weight, input, fn, 'weight')
    if weight is not None and weight.shape != (input._array.shape[axis],):
        raise ValueError(f'{fn}(): weight should hold one value per class, shape '
                         f'({input._array.shape[axis]},), got shape {tuple(weight.shape)}')
    return weight


def _looks_like_probabilities(data, axis):
    """Every row in [0, 1] and summing to 1, like softmax's output (logits fail at once)?"""
    if data.shape[axis] < 2 or data.size == 0:
        return False
    return bool(data.min() >= 0 and data.max() <= 1
                and np.all(np.abs(data.sum(axis=axis) - 1) <= 1e-4))


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction='mean',
                  label_smoothing=0.0):
    """Softmax cross-entropy of raw logits: -log softmax(input)[target], averaged.

    `target` holds class indices (the input's shape without the class dim) or
    class probabilities (the input's shape, floating point).
    See `minigrad.ops.losses.CrossEntropy` and `CrossEntropyProbs` for the math.
    """
    fn = 'cross_entropy'
    _check_float(input, fn)
    _check_reduction(reduction)
    axis = _class_dim(input, fn)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f'label_smoothing must be between 0.0 and 1.0, got {label_smoothing}')
    weight = _class_weight(weight, input, axis, fn)
    if _looks_like_probabilities(input._array, axis):
        warnings.warn('cross_entropy() got an input whose rows all lie in [0, 1] and sum to 1: '
                      'these look like probabilities (e.g. a softmax output). cross_entropy '
                      'applies log_softmax itself and wants raw logits: pass the scores from '
                      'before the softmax (drop the softmax layer).', UserWarning, stacklevel=2)
    target_shape = target.shape if isinstance(target, (Tensor, np.ndarray)) else np.shape(target)
    if target_shape == input._array.shape:
        target_dtype = np.asarray(target._array if isinstance(target, Tensor) else target).dtype
        if target_dtype.kind == 'f':
            if ignore_index != -100:
                raise ValueError('cross_entropy(): ignore_index is not supported for class-'
                                 'probability (floating point) targets')
            target = _float_target(target, input)
            return losses.CrossEntropyProbs.apply(input, target, weight=weight,
                                                  label_smoothing=float(label_smoothing),
                                                  reduction=reduction)
        raise ValueError(f'cross_entropy(): a target of the input\'s shape {tuple(input._array.shape)} holds '
                         f'class probabilities and must be floating point, got {target_dtype}; '
                         f'for class labels pass {_describe(input, axis)}')
    index, ignore_index = _class_indices(fn, input, target, axis, ignore_index)
    return losses.CrossEntropy.apply(input, index=index, weight=weight, ignore_index=ignore_index,
                                     label_smoothing=float(label_smoothing), reduction=reduction)


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction='mean'):
    """Negative log-likelihood of log-probabilities (e.g. log_softmax output): -input[target].
    See `minigrad.ops.losses.NLL`."""
    fn = 'nll_loss'
    _check_float(input, fn)
    _check_reduction(reduction)
    axis = _class_dim(input, fn)
    weight = _class_weight(weight, input, axis, fn)
    if _looks_like_probabilities(input._array, axis):    # log-probabilities are all <= 0
        warnings.warn('nll_loss() got an input whose rows all lie in [0, 1] and sum to 1: these '
                      'look like probabilities (e.g. a softmax output). nll_loss wants '
                      'log-probabilities: use log_softmax instead of softmax, or pass the raw '
                      'scores to cross_entropy.', UserWarning, stacklevel=2)
    index, ignore_index = _class_indices(fn, input, target, axis, ignore_index)
    return losses.NLL.apply(input, index=index, weight=weight, ignore_index=ignore_index,
                            reduction=reduction)
