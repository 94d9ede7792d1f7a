"""One function, two spellings: `mg.cumsum(t, 0)` and `t.cumsum(0)`.

PyTorch has most of its functions both as `torch.X(input, ...)` and as `Tensor.X(...)`.
The family modules (logic.py, pointwise.py, products.py, scans.py, indexing.py, shapes.py,
sampling.py) write each once, as `def X(input, ...)`, and `@tensor_method` makes it the
Tensor method too. `inplace=True` also gives `Tensor.X_`, which writes the result into the
tensor itself, recorded like `t += x` (see `Tensor._inplace`).
"""
from .tensor import Tensor


def tensor_method(fn=None, *, inplace=False):
    """Decorator: `fn(input, ...)` becomes `Tensor.<name>` as well (and `<name>_` with `inplace`)."""
    def install(fn):
        _install(fn.__name__, fn)
        if inplace:
            _install(fn.__name__ + '_', _in_place(fn))
        return fn
    return install(fn) if fn is not None else install


def _install(name, method):
    absent = type(Tensor).absent                # missing.py's stand-ins, which a real one replaces
    if name in vars(Tensor) and name not in absent:
        raise TypeError(f'Tensor.{name} is already defined; a name has one home')
    setattr(Tensor, name, method)
    type(Tensor).absent = absent - {name}


def _in_place(fn):
    name = fn.__name__ + '_'

    def method(self, *args, **kwargs):
        # tensors given by keyword (`src=s`) are operands too: in the graph, overlap-checked
        keys = [k for k, v in kwargs.items() if isinstance(v, Tensor)]
        rest = {k: v for k, v in kwargs.items() if k not in keys}

        def compute(old, *others):
            cut = len(others) - len(keys)
            return fn(old, *others[:cut], **rest, **dict(zip(keys, others[cut:])))
        return self._inplace(name, compute, *args, *[kwargs[k] for k in keys])
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f'In place: `t.{name}(...)` makes t its own `{fn.__name__}(...)`.'
    return method


def tensor_property(fn):
    """Decorator: `fn(self)` becomes the read-only attribute `Tensor.<name>` (t.mT)."""
    _install(fn.__name__, property(fn))
    return fn
