"""Shape and indexing ops: they move elements around, so backward moves the
gradient back (a reshape undoes a reshape, a scatter undoes a gather)."""
import numpy as np

from ..autograd import Op, sum_to_shape


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
        return np.broadcast_to(x, shape)

    def backward(self, grad):
        return sum_to_shape(grad, self.shape)


class Index(Op):
    """d x[i] = dx scattered back to position i (repeated indices add up)"""
    def forward(self, x, index):
        self.shape, self.index = x.shape, index
        return x[index]

    def backward(self, grad):
        full = np.zeros(self.shape, dtype=grad.dtype)
        if _is_basic(self.index):
            full[self.index] = grad             # positions are distinct: plain assignment
        else:
            np.add.at(full, self.index, grad)   # integer arrays may repeat a position
        return full


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
    """d take_along(x, i) = dx at positions i (distinct along dim, as argmax gives)"""
    def forward(self, x, indices, dim):
        self.shape, self.indices, self.dim = x.shape, indices, dim
        return np.take_along_axis(x, indices, axis=dim)

    def backward(self, grad):
        full = np.zeros(self.shape, dtype=grad.dtype)
        np.put_along_axis(full, self.indices, grad, axis=self.dim)
        return full
