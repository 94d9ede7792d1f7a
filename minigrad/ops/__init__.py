"""Differentiable ops, by family. Each is a `Function` with its forward and
its backward side by side; the docstring's first line is the derivative."""
