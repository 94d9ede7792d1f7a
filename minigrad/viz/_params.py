"""Turning "the parameters" (a Module, a dict, or pairs) into (name, Tensor) pairs."""


def named_tensors(params, who):
    """A list of (name, tensor) from a Module, a dict name -> Tensor, or an iterable.

    The iterable may hold (name, tensor) pairs, as `model.named_parameters()`
    gives, or bare tensors, as `model.parameters()` gives (named "0", "1", ...).
    """
    from ..tensor import Tensor
    if hasattr(params, 'named_parameters'):
        items = list(params.named_parameters())
    elif isinstance(params, dict):
        items = list(params.items())
    elif isinstance(params, Tensor):
        raise TypeError(f'{who} expects several parameters (a Module, a dict name -> Tensor or '
                        f'(name, tensor) pairs), got a single Tensor; pass {{"x": x}} instead')
    else:
        try:
            items = list(params)
        except TypeError:
            raise TypeError(f'{who} expects a Module, a dict name -> Tensor or an iterable of '
                            f'(name, tensor) pairs, got {type(params).__name__}') from None
        items = [(str(i), item) if isinstance(item, Tensor) else item
                 for i, item in enumerate(items)]
    pairs = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Tensor)):
            raise TypeError(f'{who} expects (name, Tensor) pairs, got {item!r:.80}')
        pairs.append((str(item[0]), item[1]))
    return pairs
