"""Containers: Sequential chains modules; ModuleList and ModuleDict hold them; ParameterList and
ParameterDict hold parameters. Each registers what it holds under PyTorch's names ("0", "1", ...
or the dict's keys), so `parameters()` finds them and `state_dict()` keys are PyTorch's."""
import collections
import collections.abc
import operator

from ..tensor import Tensor
from .module import Module, Parameter, _check_name, _indent


def _typename(value):
    """PyTorch's torch.typename: 'int', 'numpy.ndarray', ..."""
    kind = type(value)
    module = kind.__module__
    return kind.__qualname__ if module in ('', 'builtins') else f'{module}.{kind.__qualname__}'


def _entries(module):
    """A container's children as stored: [(name, module)] in order, repeats included
    (Sequential(a) * 2 holds `a` twice). Module keeps its children among its attributes."""
    return [(name, value) for name, value in vars(module).items() if isinstance(value, Module)]


def _add(container, name, module):
    _check_name(container, name)
    if not isinstance(module, Module) and module is not None:
        raise TypeError(f'{_typename(module)} is not a Module subclass; {type(container).__name__} holds '
                        f'Modules (did you mean to call it, e.g. nn.ReLU() not nn.ReLU?)')
    container.add_module(name, module)


def _replace_children(container, modules):
    """Re-registers `modules` as the children "0", "1", ... in that order (after an insert or a
    delete, as PyTorch renumbers)."""
    for name, _ in _entries(container):
        delattr(container, name)
    for i, module in enumerate(modules):
        container.add_module(str(i), module)


def _absolute(index, size):
    """A list index (negative counts from the end) as 0..size-1, or PyTorch's IndexError."""
    index = operator.index(index)
    if not -size <= index < size:
        raise IndexError(f'index {index} is out of range')
    return index % size


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: children named "0", "1", ... in order, and a list's API."""

    def append(self, module):
        _add(self, str(len(self)), module)
        return self

    def __len__(self):
        return len(_entries(self))

    def __iter__(self):
        return iter([module for _, module in _entries(self)])

    def __setitem__(self, index, module):
        name = _entries(self)[_absolute(index, len(self))][0]
        _add(self, name, module)

    def __delitem__(self, index):
        modules = [module for _, module in _entries(self)]
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[_absolute(index, len(modules))]
        _replace_children(self, modules)

    def pop(self, index):
        """Removes and returns the module at `index` (a slice: a container of those)."""
        removed = self[index]
        del self[index]
        return removed

    def __dir__(self):
        return [name for name in super().__dir__() if not name.isdigit()]


class Sequential(_ModuleSequence):
    """Applies its modules in order: Sequential(a, b, c)(x) = c(b(a(x))).

    Children are named "0", "1", ... (or by the keys of an OrderedDict), so the
    state_dict keys are PyTorch's: "0.weight", "0.bias", "2.weight", ...
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.OrderedDict):
            for name, module in args[0].items():
                _add(self, name, module)
        else:
            for i, module in enumerate(args):
                _add(self, str(i), module)

    def forward(self, input):                   # noqa: A002
        for module in vars(self).values():      # speed: the children in order (see _entries),
            if isinstance(module, Module):      # without a list of them: 0.9 → 0.25 µs a call
                input = module(input)
        return input

    def __getitem__(self, index):
        entries = _entries(self)
        if isinstance(index, slice):
            return type(self)(collections.OrderedDict(entries[index]))
        return entries[_absolute(index, len(entries))][1]

    def insert(self, index, module):
        """Puts `module` before position `index` (-len <= index <= len); the ones after move up."""
        if not isinstance(module, Module):
            raise AssertionError(f'module should be of type: {Module}')
        modules = list(self)
        if not -len(modules) <= index <= len(modules):
            raise IndexError(f'Index out of range: {index}')
        modules.insert(index, module)
        _replace_children(self, modules)
        return self

    def extend(self, sequential):
        for module in sequential:
            self.append(module)
        return self

    def _check_sequential(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(f'add operator supports only objects of Sequential class, but '
                             f'{type(other)} is given.')

    def __add__(self, other):
        """A new Sequential of both's modules (the same module objects, not copies)."""
        self._check_sequential(other)
        return Sequential(*self, *other)

    def __iadd__(self, other):
        self._check_sequential(other)
        return self.extend(list(other))

    def _check_factor(self, other):
        if not isinstance(other, int) or isinstance(other, bool):
            raise TypeError(f'unsupported operand type(s) for *: {type(self)} and {type(other)}')
        if other <= 0:
            raise ValueError(f'Non-positive multiplication factor {other} for {type(self)}')

    def __mul__(self, other):
        """`other` repeats of the same modules (shared weights, as PyTorch's)."""
        self._check_factor(other)
        return Sequential(*(list(self) * other))

    __rmul__ = __mul__

    def __imul__(self, other):
        self._check_factor(other)
        return self.extend(list(self) * (other - 1))


class ModuleList(_ModuleSequence):
    """A Python list of modules whose parameters are registered ("0.weight", ...); no forward."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def extend(self, modules):
        if not isinstance(modules, collections.abc.Iterable):
            raise TypeError(f'ModuleList.extend should be called with an iterable, but got '
                            f'{type(modules).__name__}')
        for module in list(modules):               # list(): `ml.extend(ml)` doubles it once
            self.append(module)
        return self

    __iadd__ = extend

    def __add__(self, other):
        return ModuleList([*self, *other])

    def insert(self, index, module):
        """Puts `module` before position `index` (as list.insert); the ones after move up."""
        modules = list(self)
        modules.insert(index, module)
        _replace_children(self, modules)

    def __getitem__(self, index):
        modules = list(self)
        if isinstance(index, slice):
            return type(self)(modules[index])
        return modules[_absolute(index, len(modules))]

    def _child_lines(self):
        # PyTorch folds runs of identical modules: "(0-2): 3 x Linear(...)".
        reprs = [repr(child) for child in self]
        lines, start = [], 0
        for i in range(1, len(reprs) + 1):
            if i == len(reprs) or reprs[i] != reprs[start]:
                count = i - start
                name = f'({start}): ' if count == 1 else f'({start}-{i - 1}): {count} x '
                lines.append(name + _indent(reprs[start], 2))
                start = i
        return lines


class ModuleDict(Module):
    """A dict of modules, its keys the children's names (so "encoder.weight" in state_dict);
    keys keep their insertion order, as a Python dict's."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        children = dict(_entries(self))
        if key not in children:
            raise KeyError(key)
        return children[key]

    def __setitem__(self, key, module):
        _add(self, key, module)

    def __delitem__(self, key):
        if key not in self:
            raise KeyError(key)
        delattr(self, key)

    def __len__(self):
        return len(_entries(self))

    def __iter__(self):
        return iter(self.keys())

    def __contains__(self, key):
        return key in dict(_entries(self))

    def clear(self):
        for key in self.keys():
            delattr(self, key)

    def pop(self, key):
        module = self[key]
        del self[key]
        return module

    def keys(self):
        return dict(_entries(self)).keys()

    def items(self):
        return dict(_entries(self)).items()

    def values(self):
        return dict(_entries(self)).values()

    def update(self, modules):
        """Adds each (key, module) of a mapping (in its order) or of an iterable of pairs."""
        if not isinstance(modules, collections.abc.Iterable):
            raise TypeError(f'ModuleDict.update should be called with an iterable of key/value pairs, '
                            f'but got {type(modules).__name__}')
        pairs = modules.items() if isinstance(modules, (collections.abc.Mapping, ModuleDict)) else modules
        for j, pair in enumerate(pairs):
            _check_pair(pair, j, 'ModuleDict')
            self[pair[0]] = pair[1]


def _check_pair(pair, j, kind):
    if not isinstance(pair, collections.abc.Iterable):
        raise TypeError(f'{kind} update sequence element #{j} should be Iterable; is{type(pair).__name__}')
    if len(pair) != 2:
        raise ValueError(f'{kind} update sequence element #{j} has length {len(pair)}; 2 is required')


def _describe(value, dtype_name):
    """A ParameterList/ParameterDict line: "Parameter containing: [minigrad.float32 of size 3x4]"."""
    if not isinstance(value, Tensor):
        return f'Object of type: {type(value).__name__}'
    kind = 'Parameter' if isinstance(value, Parameter) else 'Tensor'
    return f"{kind} containing: [{dtype_name(value)} of size {'x'.join(str(n) for n in value.shape)}]"


class ParameterList(Module):
    """A list of parameters, registered as "0", "1", ...; a Tensor put in becomes a Parameter
    (other values are kept as they are, unregistered)."""

    def __init__(self, values=None):
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def __len__(self):
        return self._size

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)([self[i] for i in range(*index.indices(len(self)))])
        return getattr(self, str(_absolute(index, len(self))))

    def __setitem__(self, index, value):
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)
        setattr(self, str(_absolute(index, len(self))), value)

    def __iter__(self):
        return iter([self[i] for i in range(len(self))])

    def append(self, value):
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values):
        if not isinstance(values, collections.abc.Iterable) or isinstance(values, Tensor):
            raise TypeError(f'ParameterList.extend should be called with an iterable, but got '
                            f'{type(values).__name__}')
        for value in values:
            self.append(value)
        return self

    __iadd__ = extend

    def __dir__(self):
        return [name for name in super().__dir__() if not name.isdigit()]

    def extra_repr(self):
        return '\n'.join(f'  ({i}): ' + _describe(value, lambda t: f'minigrad.{t.dtype}')
                         for i, value in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError('ParameterList should not be called.')


class ParameterDict(Module):
    """A dict of parameters, registered under its keys; a Tensor put in becomes a Parameter.
    A plain dict's items are added in sorted key order (an OrderedDict's in its order), as PyTorch."""

    def __init__(self, parameters=None):
        super().__init__()
        self._keys = {}
        if parameters is not None:
            self.update(parameters)

    def _check_key(self, key):
        if not isinstance(key, str):
            raise TypeError(f"Index given to ParameterDict cannot be used as a key as it is not a string "
                            f"(type is '{type(key).__name__}'). Open an issue on github if you need "
                            f"non-string keys.")
        return key

    def __getitem__(self, key):
        return getattr(self, self._check_key(key))

    def __setitem__(self, key, value):
        self._check_key(key)
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)
        if isinstance(value, Parameter):
            _check_name(self, key, 'parameter')
        setattr(self, key, value)
        self._keys[key] = None

    def __delitem__(self, key):
        del self._keys[key]
        delattr(self, self._check_key(key))

    def __len__(self):
        return len(self._keys)

    def __iter__(self):
        return iter(self._keys)

    def __reversed__(self):
        return reversed(list(self._keys))

    def __contains__(self, key):
        return key in self._keys

    def copy(self):
        return ParameterDict(collections.OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self):
        for key in list(self._keys):
            del self[key]

    def pop(self, key):
        value = self[key]
        del self[key]
        return value

    def popitem(self):
        """Removes and returns the last (key, value) added."""
        key = next(reversed(list(self._keys)))
        return key, self.pop(key)

    def get(self, key, default=None):
        return self[key] if key in self else default

    def fromkeys(self, keys, default=None):
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        return self._keys.keys()

    def items(self):
        return ((k, self[k]) for k in self._keys)

    def values(self):
        return (self[k] for k in self._keys)

    def update(self, parameters):
        if not isinstance(parameters, collections.abc.Iterable):
            raise TypeError(f'ParametersDict.update should be called with an iterable of key/value pairs, '
                            f'but got {type(parameters).__name__}')
        if isinstance(parameters, (collections.OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, collections.abc.Mapping):
            pairs = sorted(parameters.items())
        else:
            pairs = parameters
        for j, pair in enumerate(pairs):
            _check_pair(pair, j, 'ParameterDict')
            self[pair[0]] = pair[1]

    def extra_repr(self):
        return '\n'.join(f'  ({key}): ' + _describe(value, lambda t: t.type()) for key, value in self.items())

    def __call__(self, input):                  # noqa: A002
        raise RuntimeError('ParameterDict should not be called.')

    def __or__(self, other):
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other):
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other):
        self.update(other)
        return self
