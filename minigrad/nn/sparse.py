"""Embedding: a lookup table of num_embeddings vectors of size embedding_dim, y = weight[input];
EmbeddingBag: the sum, mean or max of the vectors of each bag of indices."""
import numpy as np

from . import functional as F
from . import init
from ..autograd.mode import no_grad
from ..dtypes import get_default_dtype
from ..tensor import Tensor
from .module import Module, Parameter


def _zero_row(weight, row):
    if row is not None:
        with no_grad():
            weight[row] = Tensor._wrap(np.zeros(weight.shape[1], weight._array.dtype))


class Embedding(Module):
    """y[...] = weight[input[...]], weight of shape (num_embeddings, embedding_dim), drawn
    from N(0, 1) with the row padding_idx zeroed.

    The row padding_idx gets no gradient (it stays as it is: a fixed "no token" vector);
    max_norm rescales, in place, each row looked up whose norm_type-norm exceeds it;
    scale_grad_by_freq divides each row's gradient by its count in the batch.
    `_weight` gives the initial table (shared, not copied), `_freeze` keeps it out of training.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None,
                 dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        if padding_idx is not None:
            if padding_idx >= num_embeddings or padding_idx < -num_embeddings:
                raise AssertionError('Padding_idx must be within num_embeddings')
            padding_idx = padding_idx % num_embeddings
        self.padding_idx = padding_idx
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError('Shape of weight does not match num_embeddings and embedding_dim')
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self):
        """weight from N(0, 1), then the padding row zeroed."""
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self):
        _zero_row(self.weight, self.padding_idx)

    def forward(self, input):                   # noqa: A002 (PyTorch's argument name)
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f'{self.num_embeddings}, {self.embedding_dim}'
        if self.padding_idx is not None:
            s += f', padding_idx={self.padding_idx}'
        if self.max_norm is not None:
            s += f', max_norm={self.max_norm}'
        if self.norm_type != 2:
            s += f', norm_type={self.norm_type}'
        if self.scale_grad_by_freq is not False:
            s += f', scale_grad_by_freq={self.scale_grad_by_freq}'
        if self.sparse is not False:
            s += ', sparse=True'
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is `embeddings` (2-D, shared, not copied), frozen unless
        freeze=False. The padding row keeps its given values (it is not zeroed)."""
        if embeddings.dim() != 2:
            raise AssertionError('Embeddings parameter is expected to be 2-dimensional')
        rows, cols = embeddings.shape
        return cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, _freeze=freeze,
                   padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


class EmbeddingBag(Module):
    """The sum, mean or max of the embeddings (rows of weight, drawn from N(0, 1), the padding
    row zeroed) of each bag of indices, without building the (bag, index, dim) lookups first
    in PyTorch; here a composition (see F.embedding_bag). forward(input, offsets=None,
    per_sample_weights=None): bags are the rows of a 2-D input or the runs of a 1-D input
    starting at offsets."""

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, mode='mean', sparse=False, _weight=None,
                 include_last_offset=False, padding_idx=None, device=None, dtype=None):
        super().__init__()
        table = Embedding(num_embeddings, embedding_dim, padding_idx, _weight=_weight, dtype=dtype)
        # the table's checks, initialisation and weight; the lookup itself is F.embedding_bag's
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.weight = table.weight
        self.mode, self.sparse = mode, sparse
        self.include_last_offset = include_last_offset
        self.padding_idx = table.padding_idx

    def reset_parameters(self):
        """weight from N(0, 1), then the padding row zeroed."""
        init.normal_(self.weight)
        _zero_row(self.weight, self.padding_idx)

    def forward(self, input, offsets=None, per_sample_weights=None):     # noqa: A002
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
                               self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        s = f'{self.num_embeddings}, {self.embedding_dim}'
        if self.max_norm is not None:
            s += f', max_norm={self.max_norm!r}'
        if self.norm_type != 2:
            s += f', norm_type={self.norm_type!r}'
        if self.scale_grad_by_freq is not False:
            s += f', scale_grad_by_freq={self.scale_grad_by_freq!r}'
        s += f', mode={self.mode!r}'
        if self.padding_idx is not None:
            s += f', padding_idx={self.padding_idx!r}'
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, mode='mean', sparse=False, include_last_offset=False,
                        padding_idx=None):
        """An EmbeddingBag whose weight is `embeddings` (2-D, shared), frozen unless freeze=False."""
        if embeddings.dim() != 2:
            raise AssertionError('Embeddings parameter is expected to be 2-dimensional')
        rows, cols = embeddings.shape
        bag = cls(num_embeddings=rows, embedding_dim=cols, _weight=embeddings, max_norm=max_norm,
                  norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, mode=mode, sparse=sparse,
                  include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad_(not freeze)
        return bag
