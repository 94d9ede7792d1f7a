"""Matrix products and matrix-shaped helpers: bmm, addmm, mv, outer, einsum, kron, cross, diag,
trace, tril/triu, cdist, ...; each rule is an op in ops/linalg.py. `mg.linalg` (linalg.py) holds
PyTorch's `torch.linalg` namespace."""
__all__ = []
