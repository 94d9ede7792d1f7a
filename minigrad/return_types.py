"""The named tuples PyTorch's functions return (`torch.return_types`): `values, indices = x.max(1)`
works, and so do `x.sort(0).indices` and `x.topk(3).values`. Named after the function, as there."""
import collections

__all__ = ['max', 'min', 'sort', 'topk', 'kthvalue', 'median', 'nanmedian', 'mode', 'cummax',
           'cummin', 'histogram']


def _named(name, *fields):
    pair = collections.namedtuple(name, fields)
    pair.__module__ = __name__          # so it pickles, as minigrad.return_types.<name>
    return pair


max = _named('max', 'values', 'indices')                # noqa: A001 (PyTorch's names)
min = _named('min', 'values', 'indices')                # noqa: A001
sort = _named('sort', 'values', 'indices')
topk = _named('topk', 'values', 'indices')
kthvalue = _named('kthvalue', 'values', 'indices')
median = _named('median', 'values', 'indices')
nanmedian = _named('nanmedian', 'values', 'indices')
mode = _named('mode', 'values', 'indices')
cummax = _named('cummax', 'values', 'indices')
cummin = _named('cummin', 'values', 'indices')
histogram = _named('histogram', 'hist', 'bin_edges')
