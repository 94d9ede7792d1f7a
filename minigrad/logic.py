"""Checks and logic: comparisons as functions, all/any, allclose/isclose/equal, isnan/isinf/isfinite,
the logical ops, nonzero, count_nonzero, unique, bincount. Their results are constants (bool or
integer tensors): nothing here has a derivative."""
__all__ = []
