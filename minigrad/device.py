"""Devices, as PyTorch names them. minigrad computes with NumPy on the CPU only,
so `mg.device('cpu')` is the one device; asking for another says so clearly,
and `mg.cuda.is_available()` is False, so the usual device-picking line

    device = 'cuda' if mg.cuda.is_available() else 'cpu'

runs unchanged."""
import types


class device:
    """`mg.device('cpu')`; 'cuda', 'mps' and others can be named but not used."""

    def __init__(self, type='cpu', index=None):          # noqa: A002 (PyTorch's names)
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f'device() expects a string like "cpu", got {type!r}')
        kind, _, number = type.partition(':')
        self.type = kind
        self.index = int(number) if number else index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f'{self.type}:{self.index}'

    def __repr__(self):
        index = '' if self.index is None else f', index={self.index}'
        return f"device(type='{self.type}'{index})"


CPU = device('cpu')


def check(dev, where='this'):
    """`dev` (None, a string or a device) as the CPU device, or a clear error for any other."""
    if dev is None:
        return CPU
    dev = device(dev)
    if dev.type != 'cpu':
        raise RuntimeError(f"minigrad runs on NumPy, on the CPU only, so {where} cannot use device "
                           f"'{dev}'; use 'cpu' (mg.cuda.is_available() is False, so the usual "
                           f"`'cuda' if mg.cuda.is_available() else 'cpu'` picks it)")
    return CPU


def set_default_device(dev):
    """Accepts 'cpu' (the only device); any other raises."""
    check(dev, 'set_default_device')


def get_default_device():
    return CPU


def _false(*args, **kwargs):
    return False


def _nothing(*args, **kwargs):
    return None


cuda = types.SimpleNamespace(
    is_available=_false, device_count=lambda: 0, manual_seed=_nothing, manual_seed_all=_nothing,
    synchronize=_nothing, empty_cache=_nothing)
cuda.__doc__ = 'No CUDA here: is_available() is False; seeding and synchronizing do nothing.'

backends = types.SimpleNamespace(
    mps=types.SimpleNamespace(is_available=_false, is_built=_false),
    cuda=types.SimpleNamespace(is_built=_false),
    cudnn=types.SimpleNamespace(is_available=_false, deterministic=False, benchmark=False,
                                enabled=False),
)

accelerator = types.SimpleNamespace(is_available=_false, current_accelerator=_nothing,
                                    device_count=lambda: 0)
