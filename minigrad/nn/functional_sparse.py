"""Lookups of minigrad.nn.functional: one_hot (integers, no gradient), embedding
(rows of a weight matrix, a composition of indexing, whose backward is a scatter-add) and
embedding_bag (the sum, mean or max of each bag of embeddings).
"""
import numpy as np

from ..autograd.mode import no_grad
from ..tensor import Tensor
from ._checks import _check_tensor

__all__ = ['one_hot', 'embedding', 'embedding_bag']


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


def _bags(index, offsets, include_last_offset):
    """The flat indices and, for each, the number of its bag; and the number of bags."""
    if index.ndim == 2:
        if offsets is not None:
            raise ValueError(f'if input is 2D, then offsets has to be None, as input is treated is a '
                             f'mini-batch of fixed length sequences. However, found offsets of type '
                             f'{type(offsets)}')
        return index.reshape(-1), np.repeat(np.arange(index.shape[0]), index.shape[1]), index.shape[0]
    if index.ndim != 1:
        raise ValueError(f'input has to be 1D or 2D Tensor, but got Tensor of dimension {index.ndim}')
    if offsets is None:
        raise ValueError('offsets has to be a 1D Tensor but got None')
    starts = offsets._array if isinstance(offsets, Tensor) else np.asarray(offsets)
    if starts.ndim != 1:
        raise ValueError('offsets has to be a 1D Tensor')
    if starts.size and starts[0] != 0:
        raise RuntimeError(f'offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to '
                           f'start from position 0. However, got {starts[0]}')
    if include_last_offset:
        index, starts = index[:int(starts[-1])] if starts.size else index[:0], starts[:-1]
    bag = np.searchsorted(starts, np.arange(index.size), side='right') - 1
    return index, bag, starts.size


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode='mean', sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """The sum, mean or max of the embeddings (rows of weight) of each bag of indices: the rows
    of a 2-D input, or the runs of a 1-D input that start at `offsets`. Indices equal to
    padding_idx are left out of their bag (an empty bag gives zeros); per_sample_weights
    (mode='sum') scale each embedding first. A composition: sum and mean are a constant
    (bags × indices) matrix times the looked-up rows; max, a max over each bag's rows."""
    _check_tensor(input, 'embedding_bag')
    if mode not in ('sum', 'mean', 'max'):
        raise ValueError('mode has to be one of sum, mean or max')
    if per_sample_weights is not None and mode != 'sum':
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights "
                                  f"is only supported for mode='sum' (got mode='{mode}'). Please open a "
                                  f"feature request on GitHub.")
    flat, bag, bags = _bags(input._array, offsets, include_last_offset)
    rows = embedding(Tensor._wrap(flat), weight, padding_idx, max_norm, norm_type, scale_grad_by_freq,
                     sparse)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1)[:flat.size].unsqueeze(1)
    kept = np.ones(flat.size, bool) if padding_idx is None else flat != _padding_index(padding_idx,
                                                                                       weight.shape[0])
    if mode == 'max':
        return _bag_max(rows, bag[kept], np.flatnonzero(kept), bags)
    members = np.zeros((bags, flat.size), dtype=weight._array.dtype)
    members[bag[kept], np.flatnonzero(kept)] = 1
    if mode == 'mean':
        members /= np.maximum(members.sum(axis=1, keepdims=True), 1)
    return Tensor._wrap(members) @ rows


def _bag_max(rows, bag, position, bags):
    """Each bag's elementwise max of its rows (zeros for an empty bag): the rows laid out as
    (bags, longest bag, dim), the gaps at -inf."""
    sizes = np.bincount(bag, minlength=bags)
    longest = max(int(sizes.max()) if sizes.size else 0, 1)
    slot = np.arange(bag.size) - np.concatenate([[0], np.cumsum(sizes)])[bag]
    where = np.zeros((bags, longest), np.int64)
    where[bag, slot] = position
    gap = np.ones((bags, longest), bool)
    gap[bag, slot] = False
    laid_out = rows[Tensor._wrap(where)].masked_fill(Tensor._wrap(gap[..., None]), float('-inf'))
    best = laid_out.max(dim=1).values
    return best.masked_fill(Tensor._wrap((sizes == 0)[:, None]), 0.0)
