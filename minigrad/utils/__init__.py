"""PyTorch's `torch.utils` subset: `minigrad.utils.data` (datasets, samplers, DataLoader)."""
from . import data

__all__ = ['data']
