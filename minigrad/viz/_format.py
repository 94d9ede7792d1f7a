"""Short text for an array: its values when there are few, a summary otherwise."""
import numpy as np


def shape_text(shape):
    """(16, 2) for a matrix, () for a scalar, (3,) for a vector: Python's tuple spelling."""
    return str(tuple(shape))


def summarize(array, max_values=6):
    """The values, if at most `max_values` of them; else mean and std (min and max for integers)."""
    a = np.asarray(array)
    if a.size <= max_values:
        if a.ndim == 0:
            return _number(a.item())
        return np.array2string(a, separator=', ', max_line_width=10_000,
                               formatter={'float_kind': _number}).replace('\n', '')
    if a.dtype.kind == 'b':
        return f'{int(a.sum())} of {a.size} true'
    if a.dtype.kind in 'iu':
        return f'min {a.min()}, max {a.max()}'
    mean, std = a.mean(dtype=np.float64), a.std(dtype=np.float64)
    # A mean far below the spread is rounding noise (softmax gradients sum to 0): say so.
    shown = '≈0' if abs(mean) < 1e-4 * std else _number(mean)
    return f'mean {shown}, std {_number(std)}'


def rms(array):
    """Root mean square √(Σ g² / n): a gradient's typical size, comparable across shapes."""
    a = np.asarray(array, dtype=np.float64).ravel()
    return float(np.sqrt(np.dot(a, a) / a.size)) if a.size else 0.0


def _number(value):
    text = f'{value:.3g}'
    return '0' if text == '-0' else text
