"""Differentiable ops, by family. Each is an `Op` (minigrad/autograd/graph.py) with its
forward and its backward side by side; the docstring's first line is the derivative.

`python -m minigrad.ops` prints every op's rule and where it is written, and
`derivative_table()` returns the same as rows. For one node of a graph,
`y.grad_fn.rule` and `y.grad_fn.source` give its rule and its 'file:line'.

What an op may use. Forward and backward are written once, against NumPy, and run two
ways: on arrays (ordinary backward) and, for `create_graph=True`, on Tensors seen through
NumPy's interface (minigrad/autograd/replay.py), so that the gradient is itself
differentiable. So an op's code may use only the NumPy that replay can run on Tensors:
arithmetic operators, indexing, the ufuncs, functions and array methods listed by
`python -m minigrad.ops --numpy` (np.exp, np.where, x.sum(axis=..., keepdims=True), ...).
Anything else (np.cosh, x.cumsum(), np.asarray(x)) still works on arrays but fails under
create_graph with an error that names the op and the call. Backward must not write into
its `grad` (the same array may reach other nodes); writing into an array it made itself
is fine.
"""
from .table import Row, derivative_table
