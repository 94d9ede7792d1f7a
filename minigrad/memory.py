"""Memory overlap: PyTorch's checks before an in-place op writes into a tensor.

An in-place op may not write into a tensor some of whose elements share one memory location
(an `expand()`ed view), nor read an operand that overlaps the written-to tensor only in part
(`x[1:].add_(x[:-1])`): the result would depend on the order the elements are written in.
As in PyTorch (`at::has_internal_overlap`, `at::get_overlap_status`), a layout too hard to
judge (neither dense nor broadcast) passes.
"""
import numpy as np

INTERNAL = ('unsupported operation: more than one element of the written-to tensor refers to a '
            'single memory location. Please clone() the tensor before performing the operation.')
PARTIAL = ('unsupported operation: some elements of the input tensor and the written-to tensor '
           'refer to a single memory location. Please clone() the tensor before performing the '
           'operation.')


def _dense(a):
    """True if `a`'s elements fill a block of memory exactly once, in some order of its axes."""
    step = a.itemsize
    for s, n in sorted((abs(s), n) for n, s in zip(a.shape, a.strides) if n != 1):
        if s != step:
            return False
        step *= n
    return True


def check_internal(a):
    """Raises PyTorch's error if two elements of `a` are one memory location (a stride 0)."""
    if 0 in a.strides and a.size and any(s == 0 and n > 1 for n, s in zip(a.shape, a.strides)):
        raise RuntimeError(INTERNAL)


def check_partial(target, operand):
    """Raises PyTorch's error if `operand` shares some, but not all, of `target`'s memory."""
    if operand is target or not target.size or not operand.size:
        return
    if not np.may_share_memory(target, operand) or not (_dense(target) and _dense(operand)):
        return
    start_t, start_o = _start(target), _start(operand)
    end_t, end_o = start_t + target.nbytes, start_o + operand.nbytes
    if start_t == start_o and end_t == end_o and _steps(target) == _steps(operand):
        return                                  # the same elements: x.add_(x) is fine
    if start_t < end_o and start_o < end_t:
        raise RuntimeError(PARTIAL)


def _steps(a):
    """`a`'s strides where they matter: a dim of size 1 has none (NumPy gives None's dim 0)."""
    return [s for n, s in zip(a.shape, a.strides) if n != 1]


def _start(a):
    """The address of `a`'s lowest element."""
    return a.__array_interface__['data'][0] + sum(s * (n - 1) for n, s in zip(a.shape, a.strides) if s < 0)
