"""PyTorch's `torch.utils` subset: `minigrad.utils.data` (datasets, samplers, DataLoader) and
`minigrad.utils.hooks` (RemovableHandle)."""
from . import data, hooks

__all__ = ['data', 'hooks']
