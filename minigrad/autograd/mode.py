"""Grad modes and anomaly mode: whether ops record a graph, and how closely backward is watched.

`with mg.no_grad():` (also `enable_grad`, `set_grad_enabled`, `inference_mode`) sets one flag
that `Op.apply` reads before each op; anomaly mode makes nodes remember the line of user code
that made them and makes a backward step that returns nan raise, naming that line.
"""
import functools
import linecache
import os
import sys

import numpy as np

_grad_enabled = True



class _GradMode:
    """Context manager and decorator that sets whether ops record a graph."""

    enabled = True

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Ops run inside `with mg.no_grad():` record no graph (also a decorator)."""
    enabled = False


class enable_grad(_GradMode):
    """Re-enables graph recording inside a `no_grad` block (also a decorator)."""
    enabled = True


class set_grad_enabled(_GradMode):
    """`with mg.set_grad_enabled(flag):` records a graph only if `flag`; called alone, sets it."""

    def __init__(self, mode):
        global _grad_enabled
        self.enabled, self._previous = bool(mode), _grad_enabled
        _grad_enabled = self.enabled            # takes effect at once, as in PyTorch

    def __enter__(self):
        global _grad_enabled
        _grad_enabled = self.enabled

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self.enabled):
                return func(*args, **kwargs)
        global _grad_enabled
        _grad_enabled = self._previous          # as a decorator it must not change the mode now
        return wrapper


class inference_mode(_GradMode):
    """Like `no_grad` (PyTorch's faster variant; minigrad has one mode for both)."""

    def __init__(self, mode=True):
        self.enabled = not mode


def is_grad_enabled():
    """True when ops record the graph needed for `backward()`."""
    return _grad_enabled


# -------------------------------------------------------------- anomaly mode

_anomaly = False
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def set_detect_anomaly(mode, check_nan=True):
    """Anomaly mode on or off: nodes remember the line of your code that made them, and a
    backward step that returns nan raises an error naming the node and that line."""
    global _anomaly
    _anomaly = bool(mode) and bool(check_nan)


def is_anomaly_enabled():
    return _anomaly


class detect_anomaly:
    """`with mg.autograd.detect_anomaly():` turns anomaly mode on inside the block."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = _anomaly
        set_detect_anomaly(True, self.check_nan)

    def __exit__(self, *exc):
        set_detect_anomaly(self._previous)


def _user_line():
    """'file:line: code' of the innermost call outside minigrad (where the user made the node)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return 'an unknown place'
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    if 'ipykernel_' in frame.f_code.co_filename:    # a notebook cell: its temporary file says nothing
        return f'a notebook cell, line {frame.f_lineno}: {code}'
    return f'{frame.f_code.co_filename}:{frame.f_lineno}: {code}'


def _check_nan(node, grads_in):
    """In anomaly mode: a backward step that returned nan raises, naming the forward call."""
    for i, g in enumerate(grads_in):
        array = getattr(g, '_array', g)             # a Tensor under create_graph, else an array
        if array is not None and np.isnan(array).any():
            made = node.__dict__.get('made_at', 'an unknown place (made before anomaly mode was on)')
            raise RuntimeError(f"Function '{node.name}' returned nan values in its {i}th output. "
                               f"It was made by this line of the forward pass:\n    {made}")

