"""PyTorch's `torch.utils.hooks`: the handle `Tensor.register_hook` returns."""
from ..autograd.graph import RemovableHandle

__all__ = ['RemovableHandle']
