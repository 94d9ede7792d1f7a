"""Differentiable ops, by family. Each is an `Op` (minigrad/autograd) with its
forward and its backward side by side; the docstring's first line is the derivative.

`python -m minigrad.ops` prints every op's rule and where it is written, and
`derivative_table()` returns the same as rows. For one node of a graph,
`y.grad_fn.rule` and `y.grad_fn.source` give its rule and its 'file:line'."""
from .table import Row, derivative_table
