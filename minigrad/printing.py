"""How a tensor prints: `repr(t)` laid out as PyTorch lays it out (`tensor([[1., 2.]], requires_grad=True)`),
under the options `set_printoptions` sets (PyTorch's: precision, threshold, edgeitems, linewidth, sci_mode)."""
import numpy as np

from . import dtypes
from .dtypes import bool as bool_, int64

_PROFILES = {'default': dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             'short': dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             'full': dict(precision=4, threshold=float('inf'), edgeitems=3, linewidth=80)}
_options = dict(_PROFILES['default'], sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """How tensors print, as `torch.set_printoptions`: `precision` digits after the point,
    summarized (`...`) above `threshold` elements showing `edgeitems` at each end of a dim,
    `linewidth` columns, `sci_mode` True/False to force or forbid scientific notation (None:
    automatic; as in PyTorch, a call that does not give it sets it back to None). `profile`
    'default', 'short' (precision 2, edgeitems 2) or 'full' (no summary) first resets the
    others; the arguments given then apply."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions(): profile must be 'default', 'short' or 'full', "
                             f"got {profile!r}")
        _options.update(_PROFILES[profile])
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth)
    _options.update({name: value for name, value in given.items() if value is not None})
    _options['sci_mode'] = sci_mode     # every call sets it, None (automatic) when not given


def tensor_repr(tensor):
    """`tensor(<values>, <extras>)`: the dtype when it is not a default one (the default dtype,
    float32 unless changed, int64, bool), the size of an empty tensor, then grad_fn or requires_grad."""
    array = tensor._array
    extras = []
    if array.size == 0 and array.ndim != 1:
        extras.append(f'size={tuple(array.shape)}')
    if array.dtype not in (dtypes.get_default_dtype(), int64, bool_):
        extras.append(f'dtype=minigrad.{array.dtype}')
    if tensor.grad_fn is not None:
        extras.append(f'grad_fn=<{tensor.grad_fn.name}>')
    elif tensor.requires_grad:
        extras.append('requires_grad=True')
    return _add_suffixes('tensor(' + _format(array), extras)


def _add_suffixes(text, suffixes, indent=len('tensor(')):
    """`, size=...`, `, dtype=...`: on the last line while it stays within `linewidth`, else
    each on a new line of its own (PyTorch's rule)."""
    line = len(text) - text.rfind('\n') + 1
    for suffix in suffixes:
        if line + len(suffix) + 2 > _options['linewidth']:
            text += ',\n' + ' ' * indent + suffix
            line = indent + len(suffix)
        else:
            text += ', ' + suffix
            line += len(suffix) + 2
    return text + ')'


def _format(data):
    """The array part of repr, laid out as PyTorch does: `1.`, `1.5000`, `1.0000e-05`,
    padded to one width, as many per line as fit in `linewidth` (80) columns; over `threshold`
    (1000) elements, only the first and last `edgeitems` (3) along each dim."""
    if data.size == 0:
        return '[]'
    summarize = data.size > _options['threshold']
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
    magnitude = np.abs(finite[finite != 0]).astype(np.float64)     # float16 cannot hold 1e8
    # PyTorch's switch: a range wider than 1000x, or values above 1e8 or below 1e-4
    scientific = magnitude.size and (magnitude.max() / magnitude.min() > 1000
                                     or magnitude.max() > 1e8 or magnitude.min() < 1e-4)
    if _options['sci_mode'] is not None:           # set_printoptions(sci_mode=...) decides
        scientific = _options['sci_mode']
    if integral and not scientific:
        return lambda v: f'{v:.0f}.' if np.isfinite(v) else f'{v}'
    precision = _options['precision']
    return f'{{:.{precision}e}}'.format if scientific else f'{{:.{precision}f}}'.format


def _edges(data):
    """The first and last `edgeitems` along every dim (what a summarized repr shows)."""
    items = _options['edgeitems']
    for axis, n in enumerate(data.shape):
        if n > 2 * items:
            data = np.concatenate([data.take(range(items), axis), data.take(range(n - items, n), axis)], axis)
    return data


def _layout(data, fmt, item_width, indent, summarize):
    if data.ndim == 0:
        return fmt(data.item())
    n, items = data.shape[0], _options['edgeitems']
    cut = summarize and n > 2 * items
    parts = list(range(items)) + [None] + list(range(n - items, n)) if cut else range(n)
    if data.ndim == 1:
        items = [' ...' if i is None else fmt(data[i].item()) for i in parts]
        per_line = max(1, (_options['linewidth'] - indent) // item_width)
        lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'
    rows = ['...' if i is None else _layout(data[i], fmt, item_width, indent + 1, summarize)
            for i in parts]
    return '[' + (',' + '\n' * (data.ndim - 1) + ' ' * (indent + 1)).join(rows) + ']'
