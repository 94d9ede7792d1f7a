"""Lookups of minigrad.nn.functional: one_hot (integers, no gradient) and embedding
(rows of a weight matrix, a composition of indexing, whose backward is a scatter-add).
"""
import numpy as np

from ..autograd.mode import no_grad
from ..tensor import Tensor
from ._checks import _check_tensor

__all__ = ['one_hot', 'embedding']


def one_hot(tensor, num_classes=-1):
    """out[..., c] = 1 where tensor[...] == c, else 0: an int64 tensor of shape
    tensor.shape + (num_classes,); num_classes=-1 means max(tensor) + 1."""
    _check_tensor(tensor, 'one_hot', 'tensor')
    index = tensor._array
    if index.dtype != np.int64:
        raise RuntimeError(f'one_hot is only applicable to index tensor of type LongTensor (int64), '
                           f'got {tensor.dtype}; convert it with tensor.long()')
    if num_classes == -1:
        if not index.size:
            raise RuntimeError('Can not infer total number of classes from empty tensor; '
                               'pass num_classes')
        num_classes = int(index.max()) + 1
    if index.size and index.min() < 0:
        raise RuntimeError(f'Class values must be non-negative, got {index.min()}')
    if index.size and index.max() >= num_classes:
        raise RuntimeError(f'Class values must be smaller than num_classes={num_classes}, '
                           f'got {index.max()}')
    return Tensor._wrap((index[..., None] == np.arange(num_classes)).astype(np.int64))


def _padding_index(padding_idx, rows):
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise AssertionError(f'Padding_idx must be within num_embeddings: got {padding_idx} for '
                             f'{rows} embeddings')
    return padding_idx % rows


def _renorm(weight, index, max_norm, norm_type):
    """PyTorch's max_norm: the rows looked up whose norm exceeds max_norm are scaled, in place
    and without a gradient, to norm max_norm (/(norm + 1e-7), as PyTorch)."""
    rows = np.unique(index)
    norms = (np.abs(weight._array[rows]) ** norm_type).sum(axis=1) ** (1 / norm_type)
    over = norms > max_norm
    if over.any():
        with no_grad():
            scale = (max_norm / (norms[over] + 1e-7)).astype(weight.dtype)[:, None]
            weight[rows[over]] = weight[rows[over]] * Tensor._wrap(scale)


def _scaled_gradient(out, factor):
    """out with the same values, but a gradient scaled by `factor` (broadcast over rows):
    out · f + (out · (1 - f)) held constant."""
    return out * Tensor._wrap(factor) + Tensor._wrap(out._array * (1 - factor))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """weight[input]: row input[...] of the (num_embeddings, embedding_dim) weight for each
    index. The row padding_idx gets no gradient; scale_grad_by_freq divides each row's
    gradient by how often its index occurs in input. A composition (indexing)."""
    _check_tensor(input, 'embedding')
    _check_tensor(weight, 'embedding', 'weight')
    index = input._array
    if index.dtype.kind not in 'iu':
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following "
                           f"scalar types: Long, Int; but got {input.dtype} instead; convert with .long()")
    if weight.ndim != 2:
        raise RuntimeError(f"'weight' must be 2-D (num_embeddings, embedding_dim), got shape "
                           f"{tuple(weight._array.shape)}")
    if sparse:
        raise NotImplementedError('embedding(sparse=True): minigrad has no sparse gradients; '
                                  'use sparse=False')
    rows = weight._array.shape[0]
    if index.size and (index.min() < -rows or index.max() >= rows):
        raise IndexError(f'index out of range in self: indices must lie in [0, {rows - 1}] for '
                         f'{rows} embeddings, got values from {index.min()} to {index.max()}')
    padding_idx = _padding_index(padding_idx, rows)
    if max_norm is not None:
        _renorm(weight, index, max_norm, norm_type)
    out = weight[index]
    factor = np.ones(index.shape + (1,), dtype=weight.dtype)
    if scale_grad_by_freq:
        _, inverse, counts = np.unique(index, return_inverse=True, return_counts=True)
        factor = factor / counts[inverse.reshape(index.shape)][..., None]
    if padding_idx is not None:
        factor = np.where((index == padding_idx)[..., None], 0, factor).astype(weight.dtype)
    return _scaled_gradient(out, factor) if (scale_grad_by_freq or padding_idx is not None) else out
