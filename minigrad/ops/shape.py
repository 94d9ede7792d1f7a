"""Shape and indexing ops: they move elements around, so backward moves the
gradient back (a reshape undoes a reshape, a scatter undoes a gather)."""
import numpy as np

from ..autograd.graph import Op, sum_to_shape


# ---------------------------------------------------------------- views
# A view names some elements of an array: `take(a)` reads them, `put(a, v)`
# writes v there, and `of(t)` is the shape op that makes the view of tensor t.
# Shape ops that return views record one on their output, so an in-place op on
# the view can also rewrite the history of the base, and a view made before its
# base was changed in place can take its history from the base again.

class At:
    """The elements a[index]."""
    def __init__(self, index):
        self.index = index

    def take(self, a):
        return a[self.index]

    def put(self, a, values):
        a[self.index] = values

    def of(self, t):
        return Index.apply(t, index=self.index)


class Piece(At):
    """a[index], one of the views split, chunk or unbind return together: while recording,
    PyTorch refuses to change such a view in place (Tensor._check_can_change reads this)."""
    def __init__(self, index, function, k):
        super().__init__(index)
        self.refuse_inplace = (f'Output {k} of {function} is a view and is being modified inplace. '
                               f'This view is the output of a function that returns multiple views. '
                               f'Such functions do not allow the output views to be modified '
                               f'inplace. You should replace the inplace operation by an '
                               f'out-of-place one.')


class Reshaped:
    """All of a, seen with another shape."""
    def __init__(self, shape):
        self.shape = shape

    def take(self, a):
        return a.reshape(self.shape)

    def put(self, a, values):
        a.reshape(self.shape)[...] = values        # `a` is contiguous here: reshape is a view

    def of(self, t):
        return Reshape.apply(t, shape=self.shape)


class Permuted:
    """All of a, with its axes reordered."""
    def __init__(self, dims):
        self.dims = dims

    def take(self, a):
        return a.transpose(self.dims)

    def put(self, a, values):
        a.transpose(self.dims)[...] = values

    def of(self, t):
        return Permute.apply(t, dims=self.dims)


class Expanded:
    """All of a, repeated along its size-1 axes to `shape`."""
    def __init__(self, shape):
        self.shape = shape

    def take(self, a):
        return np.broadcast_to(a, self.shape)

    def put(self, a, values):
        _broadcast(a, self.shape)[...] = values

    def of(self, t):
        return Expand.apply(t, shape=self.shape)


def _broadcast(a, shape):
    """np.broadcast_to(a, shape), writeable when `a` is: writes reach `a`, as through PyTorch's expand()."""
    out = np.broadcast_to(a, shape)
    if a.flags.writeable and out.size:
        out.flags.writeable = True
    return out


class SetView(Op):
    """d (base with view := v) = d base outside the view, dv inside it"""
    def forward(self, base, values, view):
        self.view = view
        out = base.copy()
        view.put(out, values)
        return out

    def backward(self, grad):
        need_base, need_values = self.needs_input_grad
        grad_base = None
        if need_base:
            grad_base = grad.copy()
            if isinstance(grad_base, np.generic):   # a 0-d gradient as a NumPy scalar: put needs an array
                grad_base = np.array(grad_base)
            self.view.put(grad_base, 0)
        return grad_base, (self.view.take(grad) if need_values else None)


# ------------------------------------------------------------ shape ops

class Reshape(Op):
    """d reshape(x) = reshape⁻¹(dx): the gradient takes the input's shape back"""
    def forward(self, x, shape):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.shape)


class Permute(Op):
    """d permute(x, p) = permute(dx, p⁻¹)"""
    def forward(self, x, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, grad):
        return grad.transpose(np.argsort(self.dims))


class Expand(Op):
    """d expand(x) = dx summed over the expanded axes"""
    def forward(self, x, shape):
        self.shape = x.shape
        return _broadcast(x, shape)             # a view: in-place writes reach x (Tensor.expand)

    def backward(self, grad):
        return sum_to_shape(grad, self.shape)


class Index(Op):
    """d x[i] = dx scattered back to position i (repeated indices add up)"""
    def forward(self, x, index):
        self.shape, self.index = x.shape, index
        out = x[index]          # integer arrays: NumPy may lay the copy out in another order
        return out if out.flags.c_contiguous or _is_basic(index) else out.copy()

    def backward(self, grad):
        full = np.zeros_like(grad, shape=self.shape)
        if _is_basic(self.index):
            full[self.index] = grad             # positions are distinct: plain assignment
        else:
            np.add.at(full, self.index, grad)   # integer arrays may repeat a position
        return full


class IndexAdd(Op):
    """d (x with values added at index) = dx, and dvalues = d(out)[index]"""
    def forward(self, x, values, index):
        self.index = index
        out = x.copy()
        np.add.at(out, index, values)
        return out

    def backward(self, grad):
        need_x, need_values = self.needs_input_grad
        return (grad if need_x else None), (grad[self.index] if need_values else None)


def _is_basic(index):
    """True for indices made only of ints, slices, None and Ellipsis."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


class Cat(Op):
    """d cat(xs) = the matching slice of dx for each x"""
    def forward(self, *xs, dim=0):
        self.dim = dim
        self.bounds = np.cumsum([x.shape[dim] for x in xs])[:-1]
        return np.concatenate(xs, axis=dim)

    def backward(self, grad):
        return tuple(np.split(grad, self.bounds, axis=self.dim))


class Stack(Op):
    """d stack(xs)[k] = dx[k] along the new axis"""
    def forward(self, *xs, dim=0):
        self.dim = dim
        return np.stack(xs, axis=dim)

    def backward(self, grad):
        return tuple(np.moveaxis(grad, self.dim, 0))


class TakeAlong(Op):
    """d take_along(x, i) = dx at positions i, summed where i repeats"""
    def forward(self, x, indices, dim):
        self.shape, self.indices, self.dim = x.shape, indices, dim
        return np.take_along_axis(x, indices, axis=dim)

    def backward(self, grad):
        full = np.zeros_like(grad, shape=self.shape)
        np.add.at(full, _along_index(self.indices, self.dim), grad)    # a repeated index adds up
        return full


def _along_index(indices, dim):
    """The integer-array index that picks what np.take_along_axis(x, indices, dim) picks."""
    grid = list(np.indices(indices.shape, sparse=True))
    grid[dim] = indices
    return tuple(grid)


# ------------------------------------------- index-made copies (shapes.py)
# Each reads x at an integer-array index built by its function, so each is Index's rule.

class Flip(Index):
    """d flip(x, dims) = flip(dx, dims)   (a copy, as PyTorch's flip)"""


class Roll(Index):
    """d roll(x, s) = roll(dx, -s)"""


class RepeatInterleave(Index):
    """d repeat_interleave(x, r) = dx summed over each element's r copies"""


# ---------------------------------------------------------------- unfold

class Unfolded:
    """The windows of a along `dim`: `size` long, `step` apart (Tensor.unfold's view)."""
    def __init__(self, dim, size, step):
        self.dim, self.size, self.step = dim, size, step

    def take(self, a):
        return _windows(a, self.dim, self.size, self.step)

    def put(self, a, values):
        _windows(a, self.dim, self.size, self.step)[...] = values

    def of(self, t):
        return Unfold.apply(t, dim=self.dim, size=self.size, step=self.step)


def _windows(a, dim, size, step):
    """A view of `a`: axis `dim` becomes the window starts, a last axis the window."""
    w = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim, writeable=a.flags.writeable)
    return w[(slice(None),) * dim + (slice(None, None, step),)]


class Unfold(Op):
    """d unfold(x) = each window's dx added back at its place (overlapping windows add up)"""
    def forward(self, x, dim, size, step):
        self.shape, self.dim, self.size, self.step = x.shape, dim, size, step
        return _windows(x, dim, size, step)

    def backward(self, grad):
        full = np.zeros_like(grad, shape=self.shape)
        starts = np.arange(grad.shape[self.dim]) * self.step
        places = (slice(None),) * self.dim + (starts[:, None] + np.arange(self.size),)
        np.add.at(full, places, np.moveaxis(grad, -1, self.dim + 1))
        return full
