"""PyTorch's `torch.linalg` namespace: `mg.linalg.norm`, `vector_norm`, `matrix_norm`."""
__all__ = []
