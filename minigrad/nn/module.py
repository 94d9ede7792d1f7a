"""Module and Parameter: a model is an object whose attributes are its weights.

A `Module` finds its parameters and sub-modules by walking its own
attributes, so `self.fc = nn.Linear(2, 3)` is all it takes to register one.
The order, names and shapes of `state_dict()` are PyTorch's: a module's own
parameters first, then each child's, joined with dots ("0.weight").
"""
import collections
import collections.abc
import warnings

import numpy as np

from ..autograd import no_grad
from ..device import check as _check_device, device as _device_type
from ..dtypes import get_default_dtype
from ..tensor import Tensor
from . import _module_hooks


class Parameter(Tensor):
    """A Tensor that is a module's weight: `requires_grad=True` and found by `parameters()`."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        # A Tensor's array is shared, not copied (as in PyTorch); anything else converts.
        if data is None:
            data = np.empty(0, dtype=get_default_dtype())
        super().__init__(np.empty(0, data.dtype) if isinstance(data, Tensor) else data)
        if isinstance(data, Tensor):
            self._array = data._array
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()


class _IncompatibleKeys(collections.namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    """What `load_state_dict(strict=False)` skipped."""

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()


def _shape_str(shape):
    return '(' + ', '.join(str(n) for n in shape) + (',)' if len(shape) == 1 else ')')


class Module:
    """Base class of every layer and model.

    Subclasses call `super().__init__()`, assign parameters and sub-modules as
    attributes, and define `forward`; `model(x)` calls `model.forward(x)`.
    """

    def __init__(self):
        object.__setattr__(self, 'training', True)

    # -------------------------------------------------------- registration
    def __setattr__(self, name, value):
        d = self.__dict__
        if 'training' not in d and isinstance(value, (Module, Parameter)):
            kind = 'module' if isinstance(value, Module) else 'parameter'
            raise AttributeError(f'cannot assign {kind} before Module.__init__() call: call '
                                 f'super().__init__() first in {type(self).__name__}.__init__')
        if name in d.get('_buffer_names', ()) and value is not None and not isinstance(value, Tensor):
            raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                            f"(torch.Tensor or None expected)")
        old = d.get(name)
        if isinstance(old, Parameter) and value is not None and not isinstance(value, Parameter):
            raise TypeError(f"cannot assign {type(value).__name__} as parameter '{name}' "
                            f"(nn.Parameter or None expected); wrap it in nn.Parameter(...), or "
                            f"copy values in with `with mg.no_grad(): self.{name}.copy_(...)`")
        if (isinstance(value, Tensor) and not isinstance(value, Parameter) and value.requires_grad
                and value.grad_fn is None):         # a leaf: meant as a weight, not a cached output
            warnings.warn(f"attribute '{name}' of {type(self).__name__} is a Tensor with "
                          f"requires_grad=True but not an nn.Parameter, so parameters() and "
                          f"state_dict() will not see it; wrap it: nn.Parameter(tensor)", stacklevel=2)
        elif isinstance(value, (list, tuple)) and any(isinstance(v, (Module, Parameter)) for v in value):
            warnings.warn(f"attribute '{name}' of {type(self).__name__} is a Python "
                          f"{type(value).__name__} of modules/parameters; their parameters are not "
                          f"registered; use nn.Sequential(*{name}) or nn.ModuleList({name})", stacklevel=2)
        object.__setattr__(self, name, value)

    def register_parameter(self, name, param):
        """Same as `setattr(self, name, param)` (PyTorch's spelling), with its checks of the name."""
        _check_name(self, name, 'parameter')
        setattr(self, name, param)

    def add_module(self, name, module):
        """Same as `setattr(self, name, module)`; `name` may be any string without dots, e.g. "0"."""
        _check_name(self, name, 'module')
        setattr(self, name, module)

    register_module = add_module

    def register_buffer(self, name, tensor, persistent=True):
        """Keeps `tensor` as `self.<name>`: state, not a weight (BatchNorm's running mean).

        A buffer gets no gradient and no optimizer step, but moves with `to()` and, if
        persistent, is saved in `state_dict()` after the module's own parameters.
        """
        d = self.__dict__
        if 'training' not in d:
            raise AttributeError('cannot assign buffer before Module.__init__() call')
        if not isinstance(name, str):
            raise TypeError(f'buffer name should be a string. Got {type(name).__name__}')
        if '.' in name or name == '':
            raise KeyError('buffer name can\'t contain "."' if name else
                           'buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in d.get('_buffer_names', ()):
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            f"(torch Tensor or None required)")
        d.setdefault('_buffer_names', {})[name] = persistent
        object.__setattr__(self, name, tensor)

    def __delattr__(self, name):
        self.__dict__.get('_buffer_names', {}).pop(name, None)
        object.__delattr__(self, name)

    # ----------------------------------------------------------- traversal
    def _own_parameters(self):
        return [(k, v) for k, v in self.__dict__.items() if isinstance(v, Parameter)]

    def named_children(self):
        """(name, module) for each direct sub-module, in assignment order."""
        for name, value in self.__dict__.items():
            if isinstance(value, Module):
                yield name, value

    def children(self):
        """Each direct sub-module, in assignment order (an iterator, as in PyTorch)."""
        return iter([value for value in self.__dict__.values() if isinstance(value, Module)])

    def named_modules(self, memo=None, prefix=''):
        """(dotted name, module) for this module and every module below it, each once."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(memo, prefix + ('.' if prefix else '') + name)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix='', recurse=True):
        """(dotted name, Parameter), own parameters before the children's; shared ones once."""
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, param in module._own_parameters():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield module_prefix + ('.' if module_prefix else '') + name, param

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def _own_buffers(self, persistent_only=False):
        d = self.__dict__
        return [(k, d[k]) for k, persistent in d.get('_buffer_names', {}).items()
                if d[k] is not None and (persistent or not persistent_only)]

    def named_buffers(self, prefix='', recurse=True, remove_duplicate=True):
        """(dotted name, buffer) for every buffer, own first; a shared one once."""
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, buffer in module._own_buffers():
                if not remove_duplicate or id(buffer) not in seen:
                    seen.add(id(buffer))
                    yield module_prefix + ('.' if module_prefix else '') + name, buffer

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target):
        """The module at a dotted path, e.g. "encoder.layers.0"; "" is self."""
        module = self
        for i, name in enumerate(target.split('.') if target else []):
            child = module.__dict__.get(name)
            if not isinstance(child, Module):
                where = '.'.join(target.split('.')[:i]) or type(self).__name__
                raise AttributeError(f'{where} has no attribute `{name}`' if child is None
                                     else f'`{name}` is not an nn.Module')
            module = child
        return module

    def get_parameter(self, target):
        module_path, _, name = target.rpartition('.')
        param = self.get_submodule(module_path).__dict__.get(name)
        if not isinstance(param, Parameter):
            raise AttributeError(f'`{name}` is not an nn.Parameter')
        return param

    def get_buffer(self, target):
        module_path, _, name = target.rpartition('.')
        module = self.get_submodule(module_path)
        if name not in module.__dict__.get('_buffer_names', ()):
            raise AttributeError(f'`{name}` is not a buffer')
        return module.__dict__[name]

    # ------------------------------------------------------------- running
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'{type(self).__name__} has no forward(); define '
                                  f'`def forward(self, x): ...` in the class')

    _hooks = None       # a _module_hooks.Hooks once a hook is registered

    def __call__(self, *args, **kwargs):
        if self._hooks is None:
            return self.forward(*args, **kwargs)
        return _module_hooks.call(self, args, kwargs)

    def _add_hook(self, kind, entry, prepend=False):
        if self._hooks is None:
            object.__setattr__(self, '_hooks', _module_hooks.Hooks())
        return self._hooks.add(kind, entry, prepend)

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """hook(module, args) runs before forward; a non-None result replaces args."""
        return self._add_hook('forward_pre', (hook, with_kwargs), prepend)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """hook(module, args, output) runs after forward; a non-None result replaces output."""
        return self._add_hook('forward', (hook, with_kwargs), prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """hook(module, grad_output) runs when dL/d(outputs) are known; may return new ones."""
        return self._add_hook('backward_pre', hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """hook(module, grad_input, grad_output) runs when dL/d(inputs) are known, as the
        chain rule reaches the module's inputs; may return a new grad_input."""
        return self._add_hook('backward', hook, prepend)

    def zero_grad(self, set_to_none=True):
        """Forgets every parameter's gradient (sets `.grad` to None, as PyTorch does by default)."""
        for p in self.parameters():
            if set_to_none:
                p._grad = None
            elif p.grad is not None:
                p.grad._array = np.zeros_like(p.grad._array)

    def train(self, mode=True):
        """Training mode for this module and all below it (Dropout drops); returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f'training mode is expected to be boolean, got {type(mode).__name__}')
        for module in self.modules():
            object.__setattr__(module, 'training', mode)
        return self

    def eval(self):
        """Evaluation mode (Dropout is the identity); same as `train(False)`."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def apply(self, fn):
        """Calls fn(module) on every sub-module, then on self (e.g. for custom initialisation)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # --------------------------------------------------------------- dtype
    def to(self, *args, dtype=None, device=None, non_blocking=False, memory_format=None):
        """`to(dtype)`, `to(device)`, `to(device, dtype)` or `to(tensor)`: converts floating-point
        parameters, their grads and buffers, in place; returns self. The device must be the
        CPU: minigrad runs on NumPy."""
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, (str, _device_type)):
                device = arg
            else:
                dtype = arg
        _check_device(device, 'Module.to()')
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind not in 'fc':
            raise TypeError(f'nn.Module.to only accepts floating point or complex dtypes, but got '
                            f'desired dtype={dtype}')
        for t in [*self.parameters(), *self.buffers()]:
            if t._array.dtype.kind == 'f' and t._array.dtype != dtype:
                t._array = t._array.astype(dtype)
                if t.grad is not None:
                    t.grad._array = t.grad._array.astype(dtype)
        return self

    def cpu(self):
        return self

    def cuda(self, device=None):
        _check_device('cuda', 'Module.cuda()')

    def half(self):
        return self.to(np.float16)

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    # ---------------------------------------------------------- state dict
    def state_dict(self, *, destination=None, prefix='', keep_vars=False):
        """An ordered dict from dotted name to a detached Tensor sharing its data: each module's
        own parameters, then its persistent buffers, then its children's (PyTorch's order).

        The Tensors share memory with the module (as in PyTorch): copy them
        (`{k: v.clone() ...}`) to keep a snapshot while training goes on.
        """
        out = collections.OrderedDict() if destination is None else destination
        for name, value in self._state_items(prefix):
            out[name] = value if keep_vars else value.detach()
        return out

    def _state_items(self, prefix=''):
        """(dotted name, parameter or persistent buffer), in state_dict's order; a module that
        sits in two places is listed under both names (as PyTorch does, unlike parameters())."""
        dot = '.' if prefix else ''
        for key, value in self._own_parameters() + self._own_buffers(persistent_only=True):
            yield prefix + dot + key, value
        for name, child in self.named_children():
            yield from child._state_items(prefix + dot + name)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copies values into the parameters and buffers, keeping each one's dtype (with
        `assign=True`, each takes the checkpoint's array itself, and its dtype).

        Values may be Tensors or NumPy arrays. With `strict=True` the keys must
        match exactly; shapes must always match. Returns the missing and
        unexpected keys (as PyTorch does).
        """
        if not isinstance(state_dict, collections.abc.Mapping):
            raise TypeError(f'Expected state_dict to be dict-like, got {type(state_dict).__name__}')
        own = dict(self._state_items())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        updates = []
        for key, param in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            try:                              # never np.array(value, float): '1.5' is no weight
                array = value._array if isinstance(value, Tensor) else np.asarray(value)
            except Exception:                 # e.g. a ragged list
                array = None
            if array is None or array.dtype.kind not in 'biufc':
                kind = (f'{type(value).__name__}' if array is None else
                        f'{type(value).__name__} of NumPy dtype {array.dtype}')
                errors.append(f'While copying the parameter named "{key}", expected a Tensor or '
                              f'a numeric array from checkpoint but received {kind}')
                continue
            if array.dtype.kind == 'c' and param._array.dtype.kind != 'c':
                warnings.warn('Casting complex values to real discards the imaginary part',
                              UserWarning, stacklevel=2)
                array = array.real
            if array.shape != param._array.shape:
                errors.append(f'size mismatch for {key}: copying a param with shape '
                              f'{_shape_str(array.shape)} from checkpoint, the shape in current '
                              f'model is {_shape_str(param._array.shape)}.')
            else:
                updates.append((param, array))
        if strict:
            if unexpected:
                errors.insert(0, 'Unexpected key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, 'Missing key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError('Error(s) in loading state_dict for {}:\n\t{}'.format(
                type(self).__name__, '\n\t'.join(errors)))
        with no_grad():
            for param, array in updates:
                if assign:                        # the checkpoint's own array and dtype, shared
                    param._array = array
                else:
                    param._array[...] = array     # in place: optimizers keep their references
        return _IncompatibleKeys(missing, unexpected)

    # ---------------------------------------------------------------- repr
    def extra_repr(self):
        """The text inside this module's parentheses, e.g. "in_features=2, out_features=3, bias=True"."""
        return ''

    def _child_lines(self):
        return [f'({name}): ' + _indent(repr(child), 2) for name, child in self.named_children()]

    def __repr__(self):
        extra = self.extra_repr()
        children = self._child_lines()
        lines = (extra.split('\n') if extra else []) + children
        if not lines:
            return type(self).__name__ + '()'
        if len(lines) == 1 and not children:
            return f'{type(self).__name__}({lines[0]})'
        return type(self).__name__ + '(\n  ' + '\n  '.join(lines) + '\n)'


def _check_name(container, name, kind='module'):
    """PyTorch's rules for a child's name: a string, no dots, not empty, no clash with an attribute."""
    if not isinstance(name, str):
        raise TypeError(f'{kind} name should be a string. Got {type(name).__name__}')
    if '.' in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if name == '':
        raise KeyError(f'{kind} name can\'t be empty string ""')
    held = Module if kind == 'module' else Parameter
    if hasattr(container, name) and not isinstance(vars(container).get(name), held):
        raise KeyError(f"attribute '{name}' already exists")


def _indent(text, spaces):
    """Indents every line after the first (how PyTorch nests child reprs)."""
    lines = text.split('\n')
    return '\n'.join(lines[:1] + [' ' * spaces + line for line in lines[1:]])
