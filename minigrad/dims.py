"""How `dim` and shape arguments are read: the one place, for Tensor's methods, the functions and nn.

PyTorch lets a 0-d tensor take dim 0 or -1 (as if it had one axis); a reduction
over it reduces nothing.
"""
import functools


def _wrap_dim(dim, ndim):
    """`dim` counted from the front; an IndexError in PyTorch's words when it is out of range."""
    rank = max(ndim, 1)                 # a 0-d tensor accepts dim 0 and -1, as in PyTorch
    if not -rank <= dim < rank:
        raise IndexError(f'Dimension out of range (expected to be in range of '
                         f'[{-rank}, {rank - 1}], but got {dim})')
    return dim % rank


def _reduction_dims(dim, ndim):
    """A reduction's `dim` (an int or a tuple) checked and counted from the front, or None for
    all dims: PyTorch's reading of `dim=None`, of `dim=()` and of any dim of a 0-d tensor."""
    if dim is None:
        return None
    dims = tuple(_wrap_dim(d, ndim) for d in ((dim,) if isinstance(dim, int) else dim))
    if not dims or ndim == 0:
        return None
    return dims[0] if isinstance(dim, int) else dims


def _check_extreme_of_empty(name, shape, dims):
    """max, min, amax, amin, argmax, argmin have no value over nothing: PyTorch's errors when
    the input is empty and no dim is given (RuntimeError; IndexError for the arg- ones), or when
    a dim reduced over has size 0 (IndexError). `dims`: None, an int or a tuple, counted."""
    if dims is None:
        if 0 in shape:
            error = IndexError if name.startswith('arg') else RuntimeError
            more = '' if name.startswith('arg') else (" Specify the reduction dim with the 'dim' "
                                                      "argument.")
            raise error(f'{name}(): Expected reduction dim to be specified for input.numel() == 0.'
                        + more)
        return
    for d in (dims,) if isinstance(dims, int) else dims:
        if shape and shape[d] == 0:
            raise IndexError(f'{name}(): Expected reduction dim {d} to have non-zero size.')


def _shape_arg(shape):
    """Accepts f(2, 3) and f((2, 3)) alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def _numpy_names(reduction):
    """Lets a reduction take NumPy's axis= and keepdims= for dim= and keepdim= (as PyTorch does)."""
    @functools.wraps(reduction)
    def with_numpy_names(self, *args, axis=None, keepdims=None, **kwargs):
        if axis is not None:
            kwargs['dim'] = axis
        if keepdims is not None:
            kwargs['keepdim'] = keepdims
        return reduction(self, *args, **kwargs)
    return with_numpy_names
