"""Scans and sorting: cumsum, cumprod, diff, sort, topk, median, quantile, searchsorted, histc, ...;
each differentiable one's rule is an op in ops/scans.py."""
__all__ = []
