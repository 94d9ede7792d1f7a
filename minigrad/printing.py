"""How a tensor prints: `repr(t)` laid out as PyTorch lays it out (`tensor([[1., 2.]], requires_grad=True)`)."""
import numpy as np

from .dtypes import bool as bool_, float32, int64


def tensor_repr(tensor):
    """`tensor(<values>, <extras>)`: the dtype when it is not a default one (float32, int64,
    bool), the size of an empty tensor, then grad_fn or requires_grad."""
    array = tensor._array
    extras = []
    if array.size == 0 and array.ndim != 1:
        extras.append(f'size={tuple(array.shape)}')
    if array.dtype not in (float32, int64, bool_):
        extras.append(f'dtype=minigrad.{array.dtype}')
    if tensor.grad_fn is not None:
        extras.append(f'grad_fn=<{tensor.grad_fn.name}>')
    elif tensor.requires_grad:
        extras.append('requires_grad=True')
    return 'tensor(' + ', '.join([_format(array)] + extras) + ')'


def _format(data):
    """The array part of repr, laid out as PyTorch does: `1.`, `1.5000`, `1.0000e-05`,
    padded to one width, as many per line as fit in 80 columns; over 1000
    elements, only the first and last 3 along each dim."""
    if data.size == 0:
        return '[]'
    summarize = data.size > 1000
    fmt = _element_format(_edges(data) if summarize else data)
    shown = _edges(data) if summarize else data
    width = max(len(fmt(v)) for v in shown.flat)
    return _layout(data, lambda v: fmt(v).rjust(width), width + 2, len('tensor('), summarize)


def _element_format(data):
    if data.dtype.kind == 'b':
        return str
    if data.dtype.kind != 'f':
        return lambda v: str(int(v))
    finite = data[np.isfinite(data)]
    integral = finite.size == 0 or np.all(finite == np.round(finite))
    magnitude = np.abs(finite[finite != 0]) if finite.size else finite
    # PyTorch's switch: a range wider than 1000x, or values above 1e8 or below 1e-4
    scientific = magnitude.size and (magnitude.max() / magnitude.min() > 1000
                                     or magnitude.max() > 1e8 or magnitude.min() < 1e-4)
    if scientific:
        return '{:.4e}'.format
    if integral:
        return lambda v: f'{v:.0f}.' if np.isfinite(v) else f'{v}'
    return '{:.4f}'.format


def _edges(data, items=3):
    """The first and last `items` along every dim (what a summarized repr shows)."""
    for axis, n in enumerate(data.shape):
        if n > 2 * items:
            data = np.concatenate([data.take(range(items), axis), data.take(range(n - items, n), axis)], axis)
    return data


def _layout(data, fmt, item_width, indent, summarize):
    if data.ndim == 0:
        return fmt(data.item())
    n = data.shape[0]
    cut = summarize and n > 6
    parts = list(range(3)) + [None] + list(range(n - 3, n)) if cut else range(n)
    if data.ndim == 1:
        items = [' ...' if i is None else fmt(data[i].item()) for i in parts]
        per_line = max(1, (80 - indent) // item_width)
        lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'
    rows = ['...' if i is None else _layout(data[i], fmt, item_width, indent + 1, summarize)
            for i in parts]
    return '[' + (',' + '\n' * (data.ndim - 1) + ' ' * (indent + 1)).join(rows) + ']'
