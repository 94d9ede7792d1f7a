"""Embedding: a lookup table of num_embeddings vectors of size embedding_dim, y = weight[input]."""
import numpy as np

from . import functional as F
from . import init
from ..autograd.mode import no_grad
from ..dtypes import get_default_dtype
from ..tensor import Tensor
from .module import Module, Parameter


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
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = Tensor._wrap(np.zeros(self.embedding_dim,
                                                                      self.weight._array.dtype))

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
