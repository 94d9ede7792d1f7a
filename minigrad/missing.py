"""A PyTorch name that minigrad lacks says so: `mg.fft`, `t.stft()`, `nn.Conv3d`, `F.ctc_loss`.

Without this, `import minigrad as torch` stops at a bare "module 'minigrad' has no attribute
'fft'", and a learner cannot tell "not built (yet)" from a typo. The names PyTorch has are in
pytorch_names.py. A name that exists must cost nothing more to look up:
  * a module's `__getattr__` runs only after the ordinary lookup failed, so modules get one;
  * a class's `__getattr__` would slow every attribute of every Tensor (CPython then no longer
    specialises `t.x`: op overhead +8% measured), so the Tensor instead gets, for each method
    PyTorch has and it lacks, a stand-in that raises the error when read (and that `dir()`
    and help() leave out: see `_TensorType` in tensor.py).
"""
import sys

from .tensor import Tensor

README = "see 'Coming from PyTorch' in minigrad's README for what differs"

# minigrad's namespace -> PyTorch's, as pytorch_names.py calls it
NAMESPACES = {'minigrad': 'torch', 'minigrad.nn': 'nn', 'minigrad.nn.functional': 'nn.functional',
              'minigrad.nn.init': 'nn.init', 'minigrad.nn.utils': 'nn.utils', 'minigrad.linalg': 'linalg',
              'minigrad.optim': 'optim', 'minigrad.utils.data': 'utils.data', 'minigrad.autograd': 'autograd'}

_names = {}


def pytorch_has(space, name):
    """Whether PyTorch 2.13 has `name` in `space` ('torch', 'Tensor', 'nn', 'nn.functional', ...)."""
    if not _names:
        from .pytorch_names import NAMES
        _names.update((key, frozenset(value.split())) for key, value in NAMES.items())
    return name in _names[space]


def _message(owner, space, name):
    plain = f"{owner} has no attribute '{name}'"
    if name.startswith('_') or not pytorch_has(space, name):
        return plain
    spelled = 'torch' if space == 'torch' else f'torch.{space}'
    return f"{plain}: minigrad has no `{spelled}.{name}` (PyTorch has it); {README}"


def _module_getattr(module):
    space = NAMESPACES[module.__name__]

    def __getattr__(name):
        raise AttributeError(_message(f"module '{module.__name__}'", space, name),
                             name=name, obj=module)
    return __getattr__


class Missing:
    """Stands in for a Tensor attribute PyTorch has and minigrad lacks: reading it raises."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __get__(self, tensor, owner=None):
        raise AttributeError(_message("'Tensor' object", 'Tensor', self.name), name=self.name,
                             obj=tensor)


def install():
    """Gives minigrad's namespaces, and the Tensor, the helpful error (once they are imported)."""
    for module_name in NAMESPACES:
        module = sys.modules[module_name]
        if '__getattr__' not in vars(module):       # a module with a lazy attribute of its own keeps it
            module.__getattr__ = _module_getattr(module)
    pytorch_has('Tensor', '')                       # reads the list
    absent = {name for name in _names['Tensor'] if not hasattr(Tensor, name)}
    for name in absent:
        setattr(Tensor, name, Missing(name))
    type(Tensor).absent = frozenset(absent)         # dir() leaves them out
