"""The Optimizer base class: parameter groups, zero_grad, and PyTorch's state_dict layout.

The update rules (SGD, Adam, ...) are in __init__.py; each defines `step`."""
import copy
import functools
import sys
import warnings

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor


def _records_step(step):
    """Wraps an Optimizer's `step` so that it notes it ran (LRScheduler warns if it did not)."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        self._opt_called = True
        return step(self, *args, **kwargs)
    return wrapper


class Optimizer:
    """Holds parameter groups (dicts of "params" and hyper-parameters) and per-parameter state.

    `opt.param_groups[0]["lr"] = 0.01` changes the learning rate between steps.
    `opt.state[p]` holds parameter p's buffers (NumPy arrays) and its step count (an int);
    `state_dict()` presents them in PyTorch's form.
    """

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError('params argument given to the optimizer should be an iterable of '
                            'Tensors or dicts, but got a single Tensor; wrap it in a list: [t]')
        if callable(params) and not hasattr(params, '__iter__'):
            raise TypeError('params argument given to the optimizer should be an iterable of '
                            f'Tensors or dicts, but got {type(params).__name__}; did you mean '
                            'model.parameters() (with the parentheses)?')
        self.defaults = defaults
        self.state = {}                         # param -> dict of buffers (keyed by identity)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError('optimizer got an empty parameter list (a model.parameters() '
                             'generator can be used only once: call it again for a second optimizer)')
        if not isinstance(groups[0], dict):
            groups = [{'params': groups}]
        for group in groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if 'step' in cls.__dict__:              # a custom optimizer's own step() counts too
            cls.step = _records_step(cls.step)

    def add_param_group(self, param_group):
        """Adds a dict with "params" and optional hyper-parameters (others take the defaults)."""
        params = param_group['params']
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f'optimizer can only optimize Tensors, but one of the params is '
                                f'{type(p).__name__}')
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (it is computed from other "
                                 "tensors); optimize the leaves it comes from, or .detach() it "
                                 "and set requires_grad_(True)")
        if len({id(p) for p in params}) != len(params):
            warnings.warn('optimizer contains a parameter group with duplicate parameters; '
                          'in future, this will cause an error; '
                          'see github.com/pytorch/pytorch/issues/40967 for more information',
                          UserWarning, stacklevel=_caller_level())
        known = {id(p) for g in self.param_groups for p in g['params']}
        if any(id(p) in known for p in params):
            raise ValueError('some parameters appear in more than one parameter group')
        group = dict(self.defaults)
        group.update(param_group)
        group['params'] = params
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Forgets the gradients (sets `.grad` to None, PyTorch's default) before the next backward."""
        for group in self.param_groups:
            for p in group['params']:
                if set_to_none:
                    p._grad = None
                elif p.grad is not None:
                    p.grad._array = np.zeros_like(p.grad._array)

    @_records_step
    def step(self, closure=None):
        """One update of every parameter that has a gradient; `closure` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        return loss

    def _update_group(self, group):
        raise NotImplementedError

    @staticmethod
    def _gradients(group, weight_decay):
        """(param, g) for each param of the group that has a gradient: g = ±∇ (minus under
        maximize) + weight_decay·θ; with neither, `.grad`'s own array, only to be read. For a
        0-d parameter g may be a NumPy scalar: copy it with np.array(g) to keep it as a buffer."""
        for p in group['params']:
            if p._grad is None:
                continue
            g = p._grad._array
            if group['maximize']:
                g = -g
            if weight_decay != 0:
                g = g + weight_decay * p._array
            yield p, g

    # ------------------------------------------------------------ checkpoints

    def state_dict(self):
        """The optimizer's state in PyTorch's layout:

            {'state': {0: {'step': tensor(3.), 'exp_avg': tensor(...), ...}, 1: {...}},
             'param_groups': [{'lr': 0.001, ..., 'params': [0, 1]}]}

        Parameters are numbered 0, 1, ... in group order; only parameters that have
        state appear under 'state'. As in PyTorch, buffers are Tensors that share the
        optimizer's arrays (later steps change them): save or copy the dict for a snapshot.
        """
        index = {}
        param_groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != 'params'}
            packed['params'] = [index.setdefault(id(p), len(index)) for p in group['params']]
            param_groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group['params']:
                if p in self.state:
                    state[index[id(p)]] = {name: _saved(name, value)
                                           for name, value in self.state[p].items()}
        return {'state': state, 'param_groups': param_groups}

    def load_state_dict(self, state_dict):
        """Restores hyper-parameters and buffers saved by `state_dict()` (this optimizer's,
        or a PyTorch optimizer's of the same kind whose tensors were turned into arrays).

        Saved parameter i is this optimizer's i-th parameter in group order; buffers are
        copied and cast to that parameter's dtype. Create an LRScheduler *before* loading:
        creating one resets the groups' lr, as in PyTorch.
        """
        groups, saved_groups = self.param_groups, state_dict['param_groups']
        if len(groups) != len(saved_groups):
            raise ValueError('loaded state dict has a different number of parameter groups')
        if any(len(g['params']) != len(s['params']) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        params = {i: p for group, saved in zip(groups, saved_groups)
                  for i, p in zip(saved['params'], group['params'])}
        state = {}
        for i, saved in state_dict['state'].items():
            if i not in params:
                raise ValueError(f'loaded state dict has state for parameter {i!r}, which none of '
                                 f'its param_groups lists')
            p = params[i]
            state[p] = {name: _loaded(name, value, p, i) for name, value in saved.items()}
        self.state = state
        self.param_groups = [{**self.defaults,
                              **{k: copy.deepcopy(v) for k, v in s.items() if k != 'params'},
                              'params': g['params']}
                             for g, s in zip(groups, saved_groups)]

    def __repr__(self):
        lines = [type(self).__name__ + ' (']
        for i, group in enumerate(self.param_groups):
            lines.append(f'Parameter Group {i}')
            lines += [f'    {key}: {group[key]}' for key in sorted(group) if key != 'params']
        return '\n'.join(lines + [')'])


def _saved(name, value):
    """A state entry as PyTorch shows it: buffers as Tensors (shared), the step as a float32 scalar."""
    if name == 'step':
        return Tensor._wrap(np.array(value, dtype=np.float32))
    if isinstance(value, np.ndarray):
        return Tensor._wrap(value)
    return value


def _loaded(name, value, p, index):
    """The internal form of a saved state entry: the step as an int, buffers as fresh arrays
    of the parameter's dtype and shape."""
    if isinstance(value, Tensor):
        value = value._array
    if name == 'step':
        return int(np.asarray(value).item())
    if value is None or np.isscalar(value):
        return value
    array = np.array(value)                 # a copy: stepping must not change the checkpoint
    if array.shape != p._array.shape:
        raise ValueError(f"loaded state dict has '{name}' of shape {array.shape} for parameter "
                         f"{index}, whose shape is {p._array.shape}")
    if array.dtype.kind == 'f':
        array = array.astype(p._array.dtype, copy=False)
    return array


def _caller_level():
    """The stacklevel of the first frame outside this package, so that a warning points at
    the user's `optim.SGD(...)` or `opt.add_param_group(...)` line."""
    frame, level = sys._getframe(1), 1
    package = __name__.partition('.')[0]      # 'minigrad'
    while frame is not None and frame.f_globals.get('__name__', '').partition('.')[0] == package:
        frame, level = frame.f_back, level + 1
    return level


def _check(value, name, low=0.0, high=None):
    if not low <= value or (high is not None and not value < high):
        raise ValueError(f'Invalid {name}: {value}')
