"""Parameters as one flat vector and back (for methods that see a model as a point in ℝⁿ)."""
from ...functions import cat
from ...tensor import Tensor


def parameters_to_vector(parameters):
    """All the parameters, flattened and concatenated in order: one 1-D tensor (differentiable:
    its gradient flows back to each parameter)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Sets the parameters' values to consecutive slices of `vec` (the inverse of
    parameters_to_vector); each parameter then shares memory with `vec`, as in PyTorch."""
    if not isinstance(vec, Tensor):
        module = type(vec).__module__
        name = type(vec).__qualname__ if module in ('', 'builtins') else f'{module}.{type(vec).__qualname__}'
        raise TypeError(f'expected torch.Tensor, but got: {name}')
    pointer = 0
    for param in parameters:
        count = param.numel()
        param.data = vec[pointer:pointer + count].reshape(param.shape).data
        pointer += count
