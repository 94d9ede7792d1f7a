"""Containers: Sequential chains modules, ModuleList holds them."""
import collections

from .module import Module, _indent


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: children named "0", "1", ... in order."""

    def append(self, module):
        if not isinstance(module, Module):
            raise TypeError(f'{type(self).__name__} holds Modules, got {type(module).__name__}')
        self.add_module(str(len(self)), module)
        return self

    def __len__(self):
        return sum(1 for _ in self.children())

    def __iter__(self):
        return self.children()


class Sequential(_ModuleSequence):
    """Applies its modules in order: Sequential(a, b, c)(x) = c(b(a(x))).

    Children are named "0", "1", ... (or by the keys of an OrderedDict), so the
    state_dict keys are PyTorch's: "0.weight", "0.bias", "2.weight", ...
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                if not isinstance(module, Module):
                    raise TypeError(f'Sequential expects Modules, got {type(module).__name__} at '
                                    f'position {i}; did you mean to call it, e.g. nn.ReLU() not nn.ReLU?')
                self.add_module(str(i), module)

    def forward(self, input):                   # noqa: A002
        for module in self.children():
            input = module(input)
        return input

    def __getitem__(self, index):
        items = list(self.named_children())
        if isinstance(index, slice):
            return Sequential(collections.OrderedDict(items[index]))
        return items[index][1]


class ModuleList(_ModuleSequence):
    """A Python list of modules whose parameters are registered ("0.weight", ...); no forward."""

    def __init__(self, modules=None):
        super().__init__()
        for module in modules or ():
            self.append(module)

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def __getitem__(self, index):
        children = list(self.children())
        return ModuleList(children[index]) if isinstance(index, slice) else children[index]

    def _child_lines(self):
        # PyTorch folds runs of identical modules: "(0-2): 3 x Linear(...)".
        reprs = [repr(child) for child in self.children()]
        lines, start = [], 0
        for i in range(1, len(reprs) + 1):
            if i == len(reprs) or reprs[i] != reprs[start]:
                count = i - start
                name = f'({start})' if count == 1 else f'({start}-{i - 1}): {count} x'
                lines.append(f'{name}: ' if count == 1 else f'{name} ')
                lines[-1] += _indent(reprs[start], 2)
                start = i
        return lines
