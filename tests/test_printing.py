"""minigrad/printing.py against PyTorch: repr under every `set_printoptions` option and profile."""
import re

import numpy as np
import pytest

import minigrad as mg

VALUES = [np.array([1.2345, 100.0]), np.array([1e-5, 1.0]), np.array([1e9, 1.0]), np.array([1.0, 2.0]),
          np.array([1.5, -2.25, np.nan, np.inf]), np.arange(20.0), np.arange(2000.0) / 3,
          np.arange(12).reshape(3, 4), np.arange(1002), np.arange(60.0).reshape(3, 4, 5) / 7,
          np.array(3.25), np.array([True, False]), np.array([0.5, 1.0], np.float16)]

OPTIONS = [dict(precision=2), dict(sci_mode=False), dict(sci_mode=True), dict(sci_mode=True, precision=6),
           dict(threshold=5, edgeitems=1), dict(linewidth=30), dict(profile='short'), dict(profile='full'),
           dict(profile='short', precision=6), dict(edgeitems=2, threshold=10, linewidth=50)]


def reprs(lib):
    """The reprs, 'torch.float64' read as 'minigrad.float64'. That name is 3 characters longer, so
    where a dtype goes on a line of its own can differ: the line breaks before one are ignored."""
    return [re.sub(r',\n *dtype=', ', dtype=', repr(lib.tensor(v)).replace('torch.', 'minigrad.'))
            for v in VALUES]


@pytest.mark.parametrize('options', OPTIONS)
def test_reprs_under_each_option(torch, options):
    try:
        mg.set_printoptions(**options)
        torch.set_printoptions(**options)
        assert reprs(mg) == reprs(torch)
    finally:
        mg.set_printoptions(profile='default')
        torch.set_printoptions(profile='default')
    assert reprs(mg) == reprs(torch)


def test_options_add_up_and_a_profile_resets_them(torch):
    try:
        for lib in (mg, torch):
            lib.set_printoptions(sci_mode=True, precision=2)
            lib.set_printoptions(linewidth=40)          # precision stays, sci_mode back to None
        assert reprs(mg) == reprs(torch)
        for lib in (mg, torch):
            lib.set_printoptions(sci_mode=True)
        assert reprs(mg) == reprs(torch)
        for lib in (mg, torch):
            lib.set_printoptions(profile='default')     # sci_mode back to automatic too
        assert reprs(mg) == reprs(torch)
    finally:
        mg.set_printoptions(profile='default')
        torch.set_printoptions(profile='default')


def test_an_unknown_profile_is_an_error():
    """(PyTorch silently ignores it; a misspelt profile is worth saying.)"""
    with pytest.raises(ValueError, match='profile'):
        mg.set_printoptions(profile='ful')
    assert repr(mg.tensor([1.5])) == 'tensor([1.5000])'


def test_a_dtype_that_does_not_fit_goes_on_a_line_of_its_own(torch):
    for values in (np.arange(14.0) / 3, np.arange(12.0) / 3, np.array([1.2345, 100.0])):
        mine = repr(mg.tensor(values))
        assert mine == repr(torch.tensor(values)).replace('torch.', 'minigrad.')
    try:
        for lib in (mg, torch):
            lib.set_printoptions(linewidth=30)
        t = np.array([1.2345, 100.0])
        assert repr(mg.tensor(t, requires_grad=True)) == repr(torch.tensor(t, requires_grad=True)).replace(
            'torch.', 'minigrad.')
    finally:
        mg.set_printoptions(profile='default')
        torch.set_printoptions(profile='default')
