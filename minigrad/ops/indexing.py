"""Ops that read or write elements at positions given by index tensors: gather, scatter,
index_select, index_put, put, masked_scatter.

Most are the two moves of ops/shape.py under PyTorch's names: a read x[i] (Index, whose
backward scatter-adds) and a write "x with x[i] := v" (SetView, whose backward zeroes dx at
i and gives v the gradient at i), or an add "x with v added at i" (IndexAdd). Each named
class below shares its base's rule; the position `i` is an integer-array index that the
function in minigrad/indexing.py builds from PyTorch's (dim, index) arguments.
"""
from .shape import Index, IndexAdd, SetView


# ---------------------------------------------------------------- reads

class Gather(Index):
    """d gather(x, dim, i) = dx scatter-added back at i (a repeated index adds up)"""


class IndexSelect(Index):
    """d index_select(x, dim, i) = dx index-added back along dim at i"""


class Take(Index):
    """d take(x, i) = dx scatter-added back into flat x at i"""


class MaskedSelect(Index):
    """d masked_select(x, m) = dx put back where m is True, 0 elsewhere"""


# ---------------------------------------------------------------- writes

class Scatter(SetView):
    """d scatter(x, i, src) = dx with 0 at i for x, and dx gathered at i for src"""


class IndexCopy(SetView):
    """d index_copy(x, dim, i, src) = dx with 0 at i for x, dx index-selected at i for src"""


class IndexFill(SetView):
    """d index_fill(x, dim, i, v) = dx with 0 at i for x, Σ dx at i for a tensor v"""


class IndexPut(SetView):
    """d index_put(x, i, v) = dx with 0 at i for x, dx[i] (summed to v's shape) for v"""


class Put(SetView):
    """d put(x, i, v) = dx with 0 at flat positions i for x, dx.flat[i] for v"""


class MaskedScatter(SetView):
    """d masked_scatter(x, m, src) = dx with 0 where m for x, dx[m] into src's first places"""


# ---------------------------------------------------------------- adds

class ScatterAdd(IndexAdd):
    """d scatter_add(x, i, src) = dx for x, dx gathered at i for src"""


class IndexPutAccumulate(IndexAdd):
    """d index_put(x, i, v, accumulate=True) = dx for x, dx[i] for v"""
