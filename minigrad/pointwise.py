"""Elementwise math beyond the arithmetic operators: log2, rsqrt, floor, fmod, atan2, erf, lerp, ...
as module functions and Tensor methods (with their in-place `X_`); each rule is an op in
ops/elementwise.py."""
__all__ = []
