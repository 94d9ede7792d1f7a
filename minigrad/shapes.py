"""Shape functions beyond reshape and transpose: split, chunk, unbind, flip, roll, repeat, tile,
movedim, narrow, broadcast_to, meshgrid, new_zeros, ...; views where PyTorch gives views.

A view shares its base's memory and is recorded as a view (Tensor._viewed), so that an
in-place op through it is recorded in its base's history too: narrow, split, chunk and
unbind are basic slices (`t[:, 2:4]`), movedim, swapaxes and mT are permutes, broadcast_to
and meshgrid are expands, and Tensor.unfold is a window view (ops/shape.py's Unfold).
flip, roll, repeat, tile and repeat_interleave copy, as in PyTorch.
"""
import warnings

import numpy as np

from .device import check as _check_device
from .dims import _shape_arg, _wrap_dim
from .dtypes import Size
from .methods import tensor_method, tensor_property
from .ops import shape as sh
from .tensor import Tensor, _as_tensor

__all__ = ['narrow', 'movedim', 'moveaxis', 'swapaxes', 'swapdims', 'permute', 'split', 'chunk',
           'unbind', 'tensor_split', 'hsplit', 'vsplit', 'dsplit', 'flip', 'fliplr', 'flipud',
           'roll', 'tile', 'repeat_interleave', 'broadcast_to', 'broadcast_tensors',
           'broadcast_shapes', 'meshgrid']


def _along(dim, part):
    """The basic index that applies `part` (an int or a slice) along `dim`."""
    return (slice(None),) * dim + (part,)


# ---------------------------------------------------------------- views: slices

@tensor_method
def narrow(input, dim, start, length):      # noqa: A002 (PyTorch's names)
    """The view input[..., start:start + length, ...] along `dim` (start < 0 counts from the end)."""
    dim = _wrap_dim(dim, input.ndim)
    size, start = input.shape[dim], int(start)
    if not -size <= start <= size:
        raise IndexError(f'start out of range (expected to be in range of [{-size}, {size}], but '
                         f'got {start})')
    start %= size if size else 1
    if length < 0:
        raise RuntimeError(f'narrow(): length must be non-negative, got {length}.')
    if start + length > size:
        raise RuntimeError(f'start ({start}) + length ({length}) exceeds dimension size ({size}).')
    return input[_along(dim, slice(start, start + length))]


def _pieces(input, dim, bounds, function=None):     # noqa: A002
    """The views between consecutive bounds along `dim`; `function` names the PyTorch function
    whose pieces may not be changed in place while recording (split's, not tensor_split's)."""
    return tuple(_piece(input, _along(dim, slice(a, b)), function, k)
                 for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])))


def _piece(input, index, function, k):     # noqa: A002
    if function is None:
        return input[index]
    index = index + (Ellipsis,)             # a view even for one element
    return input._viewed(sh.Index.apply(input, index=index), sh.Piece(index, function, k))


def split(tensor, split_size_or_sections, dim=0):
    """Views of pieces along `dim`: each split_size long (the last may be shorter), or of the
    listed sizes."""
    dim = _wrap_dim(dim, tensor.ndim)
    size = tensor.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0 or step == 0 and size:
            raise RuntimeError(f'split_size can only be 0 if dimension size is 0, but got dimension '
                               f'size of {size}' if step == 0 else
                               f'split expects split_size be non-negative, but got split_size={step}')
        return _pieces(tensor, dim, list(range(0, size, step or 1)) + [size] if size else [0, 0], 'Split')
    sizes = [int(n) for n in split_size_or_sections]
    if sum(sizes) != size or any(n < 0 for n in sizes):
        raise RuntimeError(f'split_with_sizes expects split_sizes to sum exactly to {size} (input '
                           f'tensor\'s size at dimension {dim}), but got split_sizes={sizes}')
    return _pieces(tensor, dim, [0] + np.cumsum(sizes).tolist(), 'SplitWithSizes')


def _split_method(self, split_size, dim=0):
    """Tensor.split(split_size, dim=0): torch.split's own argument name on the method."""
    return split(self, split_size, dim)


_split_method.__name__ = 'split'
tensor_method(_split_method)


@tensor_method
def chunk(input, chunks, dim=0):            # noqa: A002
    """split() into pieces of ceil(size / chunks): at most `chunks` views."""
    if chunks <= 0:
        raise RuntimeError(f'chunk expects `chunks` to be greater than 0, got: {chunks}')
    size = input.shape[_wrap_dim(dim, input.ndim)]
    return split(input, -(-size // chunks) if size else 0, dim)


@tensor_method
def unbind(input, dim=0):                   # noqa: A002
    """The views input[..., k, ...] along `dim`, k = 0, 1, ..., one dim fewer each."""
    if input.ndim == 0:
        raise IndexError('Dimension specified as 0 but tensor has no dimensions')
    dim = _wrap_dim(dim, input.ndim)
    return tuple(_piece(input, _along(dim, k), 'Unbind', k) for k in range(input.shape[dim]))


@tensor_method
def tensor_split(input, indices_or_sections, dim=0):    # noqa: A002
    """Views: `n` pieces as equal as can be (the first size % n one longer), or cut at the
    listed indices (NumPy's array_split)."""
    dim = _wrap_dim(dim, input.ndim)
    size = input.shape[dim]
    if isinstance(indices_or_sections, Tensor) and indices_or_sections.ndim == 0:
        indices_or_sections = int(indices_or_sections)
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f'number of sections must be larger than 0, got {n}')
        lengths = [size // n + (k < size % n) for k in range(n)]
        return _pieces(input, dim, [0] + np.cumsum(lengths).tolist())
    cuts = [min(max(int(i) + (size if int(i) < 0 else 0), 0), size) for i in indices_or_sections]
    starts, stops = [0] + cuts, cuts + [size]
    return tuple(input[_along(dim, slice(a, max(a, b)))] for a, b in zip(starts, stops))


def _split_at(name, input, indices_or_sections, dim, min_ndim):     # noqa: A002
    """hsplit, vsplit, dsplit: tensor_split along `dim` of a tensor of at least `min_ndim` dims,
    where an int must divide the size."""
    if input.ndim < min_ndim:
        raise RuntimeError(f'torch.{name} requires a tensor with at least {min_ndim} dimension, but '
                           f'got a tensor with {input.ndim} dimensions!')
    if isinstance(indices_or_sections, int) and input.shape[dim] % indices_or_sections:
        raise RuntimeError(f'torch.{name} attempted to split along dimension {dim}, but the size of '
                           f'the dimension {input.shape[dim]} is not divisible by the split_size '
                           f'{indices_or_sections}!')
    return tensor_split(input, indices_or_sections, dim)


@tensor_method
def hsplit(input, indices_or_sections):     # noqa: A002
    """tensor_split along dim 1 (dim 0 for 1-D); an int must divide the size."""
    return _split_at('hsplit', input, indices_or_sections, 1 if input.ndim > 1 else 0, 1)


@tensor_method
def vsplit(input, indices_or_sections):     # noqa: A002
    """tensor_split along dim 0 of a tensor of at least 2 dims; an int must divide the size."""
    return _split_at('vsplit', input, indices_or_sections, 0, 2)


@tensor_method
def dsplit(input, indices_or_sections):     # noqa: A002
    """tensor_split along dim 2 of a tensor of at least 3 dims; an int must divide the size."""
    return _split_at('dsplit', input, indices_or_sections, 2, 3)


# ---------------------------------------------------------------- views: permutes

def permute(input, dims):                   # noqa: A002
    """The view with input's dims reordered: dim k of the result is dim dims[k] of input."""
    return input.permute(*dims)


def _dims_list(name, dims, ndim):
    dims = [_wrap_dim(d, ndim) for d in ((dims,) if isinstance(dims, int) else dims)]
    if len(set(dims)) != len(dims):
        raise RuntimeError(f'movedim: repeated dim in `{name}` ({dims})')
    return dims


@tensor_method
def movedim(input, source, destination):    # noqa: A002
    """The view with dims `source` moved to places `destination`, the others in their order."""
    src = _dims_list('source', source, input.ndim)
    dst = _dims_list('destination', destination, input.ndim)
    if len(src) != len(dst):
        raise RuntimeError(f'movedim: Invalid source or destination dims: source ({src} dims) should '
                           f'contain the same number of dims as destination ({dst} dims)')
    order = [d for d in range(input.ndim) if d not in src]
    for place, d in sorted(zip(dst, src)):
        order.insert(place, d)
    return input.permute(*order) if input.ndim else input.reshape(())


@tensor_method
def moveaxis(input, source, destination):   # noqa: A002
    """NumPy's name for movedim."""
    return movedim(input, source, destination)


@tensor_method
def swapaxes(input, axis0, axis1):          # noqa: A002
    """NumPy's name for transpose(axis0, axis1): a view."""
    return input.transpose(axis0, axis1)


@tensor_method
def swapdims(input, dim0, dim1):            # noqa: A002
    """transpose(dim0, dim1): a view."""
    return input.transpose(dim0, dim1)


@tensor_property
def mT(self):                               # noqa: N802 (PyTorch's name)
    """The view with the last two dims swapped (each matrix of a batch transposed)."""
    if self.ndim < 2:
        raise RuntimeError(f'tensor.mT is only supported on matrices or batches of matrices. Got '
                           f'{self.ndim}-D tensor.')
    return self.transpose(-2, -1)


@tensor_property
def mH(self):                               # noqa: N802
    """The conjugate of mT; for real tensors (all of minigrad's) mT itself."""
    if self.ndim < 2:
        raise RuntimeError(f'tensor.mH is only supported on matrices or batches of matrices. Got '
                           f'{self.ndim}-D tensor.')
    return self.transpose(-2, -1)


# ---------------------------------------------------------------- views: unfold

def unfold(self, dimension, size, step):
    """The view of every window of `size` elements along `dimension`, `step` apart: that dim
    becomes the window count, and a last dim of `size` holds each window."""
    if self.ndim == 0:
        return unfold(self.reshape(1), 0, size, step).reshape(-1)
    dim = _wrap_dim(dimension, self.ndim)
    if size > self.shape[dim] or size < 0:
        raise RuntimeError(f'maximum size for tensor at dimension {dim} is {self.shape[dim]} but '
                           f'size is {size}')
    if step <= 0:
        raise RuntimeError(f'step is {step} but must be > 0')
    return self._viewed(sh.Unfold.apply(self, dim=dim, size=size, step=step), sh.Unfolded(dim, size, step))


tensor_method(unfold)           # Tensor.unfold only: torch.unfold is not a function


# ---------------------------------------------------------------- copies

def _grid(shape, moved):
    """An integer-array index over every dim: np.arange(n), or moved[d] for the dims in `moved`."""
    return np.ix_(*[moved.get(d, np.arange(n)) for d, n in enumerate(shape)])


def flip(input, dims):                      # noqa: A002
    """A copy with the order of the elements along `dims` reversed."""
    if isinstance(dims, int):
        raise TypeError(f"flip(): argument 'dims' must be tuple of ints, not int ({dims})")
    dims = [_wrap_dim(d, input.ndim) for d in dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError(f'dim {dims[0]} appears multiple times in the list of dims')
    if input.ndim == 0:
        return input.clone()
    return sh.Flip.apply(input, index=_grid(input.shape, {d: np.arange(input.shape[d])[::-1] for d in dims}))


def _flip_method(self, *dims_args, dims=None):
    """Tensor.flip(*dims): t.flip(0, 1), t.flip((0, 1)) or t.flip(dims=(0, 1))."""
    if dims is None:
        dims = dims_args[0] if len(dims_args) == 1 and not isinstance(dims_args[0], int) else dims_args
    return flip(self, tuple(dims))


_flip_method.__name__ = 'flip'
tensor_method(_flip_method)


@tensor_method
def fliplr(input):                          # noqa: A002
    """flip(input, (1,)): left and right swapped."""
    if input.ndim < 2:
        raise RuntimeError(f'Input must be >= 2-d, got {input.ndim}-d.')
    return flip(input, (1,))


@tensor_method
def flipud(input):                          # noqa: A002
    """flip(input, (0,)): up and down swapped."""
    if input.ndim < 1:
        raise RuntimeError('Input must be >= 1-d.')
    return flip(input, (0,))


@tensor_method
def roll(input, shifts, dims=None):         # noqa: A002
    """out[(i + s) mod n] = input[i] along each dim (all elements in order when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f'shifts and dimensions must align. shifts: {len(shifts)}, dims:0')
        return roll(input.reshape(-1), shifts, 0).reshape(input.shape)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f'shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}')
    if input.ndim == 0:
        return input.clone()
    moved = {}
    for s, d in zip(shifts, dims):
        d = _wrap_dim(d, input.ndim)
        n = input.shape[d]
        moved[d] = (moved.get(d, np.arange(n)) - s) % n if n else np.arange(0)
    return sh.Roll.apply(input, index=_grid(input.shape, moved))


def repeat(self, *sizes):
    """A copy of self repeated sizes[k] times along dim k (leading new dims if more sizes).
    (A composition: reshape with a 1 before each dim, expand those to the sizes, reshape.
    The gradient is the sum over the copies, expand's rule.)"""
    sizes = _shape_arg(sizes)
    if len(sizes) < self.ndim:
        raise RuntimeError(f'Number of dimensions of repeat dims can not be smaller than number of '
                           f'dimensions of tensor (repeat dims {list(sizes)}, tensor '
                           f'{list(self.shape)})')
    if any(n < 0 for n in sizes):
        raise RuntimeError(f'Trying to create tensor with negative dimension: {list(sizes)}')
    shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
    paired = [n for s in shape for n in (1, s)]
    wide = [n for r, s in zip(sizes, shape) for n in (r, s)]
    out = self.reshape(*paired).expand(*wide).reshape(*[r * s for r, s in zip(sizes, shape)])
    return out.clone() if np.may_share_memory(out._array, self._array) else out   # a copy always


tensor_method(repeat)           # Tensor.repeat only: torch.repeat is not a function


def tile(input, dims):                      # noqa: A002
    """repeat(), with ones put before `dims` when it has fewer entries than input has dims."""
    dims = tuple(dims)
    return input.repeat(*((1,) * (input.ndim - len(dims)) + dims))


def _tile_method(self, *dims):
    """Tensor.tile(*dims): t.tile(2, 2) or t.tile((2, 2))."""
    return tile(self, _shape_arg(dims))


_tile_method.__name__ = 'tile'
tensor_method(_tile_method)


@tensor_method
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):    # noqa: A002
    """Each element (each slice along `dim`) repeated repeats[k] times in place; with dim=None
    the flattened input. `repeat_interleave(r)` alone is arange(len(r)) repeated by r."""
    if repeats is None:                     # torch.repeat_interleave(repeats)
        counts = _repeats(input)
        return Tensor._wrap(np.repeat(np.arange(counts.size), counts))
    x = input.reshape(-1) if dim is None else input.reshape(input.shape or (1,))
    dim = 0 if dim is None else _wrap_dim(dim, x.ndim)
    counts = _repeats(repeats)
    if counts.size not in (1, x.shape[dim]):
        raise RuntimeError(f'repeats must have the same size as input along dim, but got '
                           f'repeats.size(0) = {counts.size} and input.size({dim}) = {x.shape[dim]}')
    index = np.repeat(np.arange(x.shape[dim]), np.broadcast_to(counts, (x.shape[dim],)))
    if output_size is not None and output_size != index.size:
        raise RuntimeError(f'repeat_interleave: Invalid output_size, expected {index.size} but got '
                           f'{output_size}')
    return sh.RepeatInterleave.apply(x, index=_along(dim, index))


def _repeats(repeats):
    if isinstance(repeats, Tensor):
        if repeats.dtype.kind not in 'iu':
            raise RuntimeError(f'repeat_interleave: repeats must be an integer tensor, got '
                               f'{repeats.dtype}')
        if repeats.ndim > 1:
            raise RuntimeError(f'repeats must be 0-dim or 1-dim tensor, got shape {list(repeats.shape)}')
    counts = np.asarray(_as_tensor(repeats)._array).reshape(-1)
    if (counts < 0).any():
        raise RuntimeError('repeats can not be negative')
    return counts


# ---------------------------------------------------------------- broadcasting

@tensor_method
def broadcast_to(input, size):              # noqa: A002
    """input.expand(size): a view."""
    return input.expand(*size)


def broadcast_shapes(*shapes):
    """The shape all `shapes` broadcast to (NumPy's rules), as an mg.Size."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(f'Shape mismatch: objects cannot be broadcast to a single shape: '
                           f'{", ".join(map(str, shapes))}') from None


def broadcast_tensors(*tensors):
    """Each tensor expanded (a view) to the shape all of them broadcast to."""
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(*shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    """Grids from 1-D tensors: result k varies along dim k (indexing='ij') and is constant
    along the others; 'xy' swaps the roles of the first two dims. Each result is an expand
    view of its input."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn('torch.meshgrid: in an upcoming release, it will be required to pass the '
                      'indexing argument.', UserWarning, stacklevel=2)
        indexing = 'ij'
    if indexing not in ('ij', 'xy'):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f'{indexing}')
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f'torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got '
                               f'one of shape {list(t.shape)}')
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f'meshgrid expects all tensors to have the same dtype, got '
                               f'{tensors[0].dtype} and {t.dtype}')
    order = list(range(len(tensors)))
    if indexing == 'xy' and len(tensors) > 1:
        order[0], order[1] = 1, 0
    sizes = [t.numel() for t in tensors]
    shape = [sizes[k] for k in order]
    grids = []
    for k, t in enumerate(tensors):
        place = order.index(k)
        grids.append(t.reshape(*[-1 if d == place else 1 for d in range(len(shape))]).expand(*shape))
    return tuple(grids)


# ---------------------------------------------------------------- new tensors like this one

def _new(self, array, dtype, device, requires_grad):
    _check_device(device, 'a tensor')
    return Tensor(array.astype(self.dtype if dtype is None else np.dtype(dtype), copy=False),
                  requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    """A tensor of zeros of `size`, of this tensor's dtype unless `dtype` is given."""
    return _new(self, np.zeros(_shape_arg(size)), dtype, device, requires_grad)


def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """A tensor of ones of `size`, of this tensor's dtype unless `dtype` is given."""
    return _new(self, np.ones(_shape_arg(size)), dtype, device, requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    """A tensor of `size` whose values are not to be read (minigrad's are zeros)."""
    return _new(self, np.zeros(_shape_arg(size)), dtype, device, requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    """A tensor of `size` filled with `fill_value`, of this tensor's dtype unless `dtype` is given."""
    return _new(self, np.full(_shape_arg((size,)), fill_value), dtype, device, requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    """A new leaf holding a copy of `data`, of this tensor's dtype unless `dtype` is given."""
    if isinstance(data, Tensor):
        warnings.warn('To copy construct from a tensor, it is recommended to use '
                      'sourceTensor.detach().clone() or sourceTensor.detach().clone()'
                      '.requires_grad_(True), rather than tensor.new_tensor(sourceTensor).',
                      UserWarning, stacklevel=2)
        data = data._array
    return _new(self, np.array(data), dtype, device, requires_grad)


# ---------------------------------------------------------------- memory layout

def contiguous(self, memory_format=None):
    """This tensor if its elements lie in memory in row-major order, else such a copy (clone)."""
    return self if self._array.flags.c_contiguous else self.clone()


def is_contiguous(self, memory_format=None):
    """Whether the elements lie in memory in row-major order, without gaps."""
    return bool(self._array.flags.c_contiguous)


def stride(self, dim=None):
    """How many elements apart in memory consecutive indices along each dim are (0 where
    expanded); an int for one `dim`."""
    steps = [s // self._array.itemsize for s in self._array.strides]
    shape = self._array.shape
    for d in reversed(range(len(steps))):   # a size-1 dim NumPy made with None: PyTorch's unsqueeze
        if shape[d] == 1 and steps[d] == 0:
            steps[d] = steps[d + 1] * shape[d + 1] if d + 1 < len(steps) else 1
    steps = tuple(steps)
    return steps if dim is None else steps[_wrap_dim(dim, self.ndim)]


def storage_offset(self):
    """How many elements into its storage (the array it views, or its own) this tensor starts."""
    root = self._array
    while True:
        base = root.base
        if isinstance(base, memoryview):            # Tensor.data's arrays
            base = base.obj
        elif base is not None and not isinstance(base, np.ndarray):
            base = getattr(base, 'base', None)      # as_strided's holder
        if not isinstance(base, np.ndarray):
            break
        root = base
    start = self._array.__array_interface__['data'][0]
    return (start - root.__array_interface__['data'][0]) // self._array.itemsize


for _method in (new_zeros, new_ones, new_empty, new_full, new_tensor, contiguous, is_contiguous,
                stride, storage_offset):
    tensor_method(_method)      # Tensor methods only
