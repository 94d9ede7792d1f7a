"""The Tensor: a NumPy array, an optional gradient, and the op that made it.

Every differentiable method is one line that applies an op from
`minigrad/ops/`, where its forward and backward stand side by side. What a
tensor builds on has a module of its own: dtypes.py (dtype names, inference,
promotion, Size), printing.py (repr), dims.py (dim arguments), random.py (the
generator); the module functions (`mg.exp`, `mg.where`, `mg.sum`) are in functions.py.

This file is long because the class is: PyTorch's Tensor has some 160 methods
(about 700 lines here, the one-line ones written one to a line), and the
bookkeeping of in-place changes and views belongs to the class.
"""
import math
import warnings
import weakref

import numpy as np

from .autograd import engine, graph, mode, versions
from . import device as _device
from . import dtypes, memory, return_types
from .dtypes import (_LEGACY_NAMES, Size, _promote, _to_array, bool as bool_, float16, float32,
                     float64, int32, int64)
from .dims import _check_extreme_of_empty, _numpy_names, _reduction_dims, _shape_arg, _wrap_dim
from .ops import activations as act
from .ops import elementwise as ew
from .ops import linalg
from .ops import reductions as red
from .ops import shape as sh
from .printing import tensor_repr
from .random import numpy_generator


_new = object.__new__
_ndarray = np.ndarray


_LEAF_INPLACE = ('a leaf Variable that requires grad is being used in an in-place operation. '
                 'To change a weight by hand, do it under `with mg.no_grad():` '
                 '(e.g. `with mg.no_grad(): w -= lr * w.grad`), or change w.data instead.')
_NO_GRAD_VIEW_HINT = (' Given that this use case is ambiguous and error-prone, it is forbidden. You can '
                      'clarify your code by moving both the view and the inplace either both inside '
                      "the no_grad block (if you don't want the inplace to be tracked) or both "
                      'outside (if you want the inplace to be tracked).')
_NO_GRAD_VIEW = ('A view was created in no_grad mode and is being modified inplace with grad mode '
                 'enabled.' + _NO_GRAD_VIEW_HINT)
_VIEW_OF_LEAF = ('a view of a leaf Variable that requires grad is being used in an in-place '
                 'operation. Change the leaf itself under `with mg.no_grad():`.')


_NOT_A_LEAF = ("you can only change requires_grad flags of leaf variables. If you want to use a computed "
               "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")


def _check_can_require_grad(array):
    if array.dtype.kind != 'f':
        raise RuntimeError(f'only Tensors of floating point dtype can require gradients '
                           f'(this one is {array.dtype}); pass dtype=mg.float32 to make one')


class _TensorType(type):
    """The Tensor's type. `absent`: the stand-ins minigrad/missing.py puts on the class for
    PyTorch methods minigrad lacks; `dir()` (so help() and completion) leaves them out."""
    absent = frozenset()

    def __dir__(cls):
        return sorted(set(super().__dir__()) - _TensorType.absent)


class Tensor(metaclass=_TensorType):
    """A multi-dimensional array that can record the ops applied to it.

    `Tensor(data, requires_grad=False, dtype=None)`: Python floats become
    float32, Python ints int64, bools bool; a NumPy array keeps its dtype.
    """

    __slots__ = ('_array', '_grad', '_requires_grad', 'grad_fn', '_hooks', '_history', '_base',
                 '_views', '_accumulator', '__weakref__')
    __array_priority__ = 1000               # ndarray <op> Tensor defers to Tensor

    def __init__(self, data, requires_grad=False, dtype=None, device=None):
        _device.check(device, 'a tensor')
        self._array = _to_array(data, dtype)
        self._grad = None
        self.grad_fn = None
        self._hooks = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array, requires_grad=False):
        """A Tensor around `array` without copying or checks: how minigrad makes its tensors."""
        t = _new(cls)
        t._array = array if type(array) is _ndarray else np.asarray(array)
        t._grad = t.grad_fn = t._hooks = None
        t._requires_grad = requires_grad
        return t

    # ------------------------------------------------------------ attributes
    @property
    def data(self):
        """This tensor's values as a new Tensor sharing its memory, cut from the graph, with a
        version count of its own (PyTorch's): changing it is no error for a backward that saved
        this tensor. (Its array's base is a memoryview, so versions.py sees a storage of its own.)"""
        return Tensor._wrap(np.asarray(memoryview(self._array)))

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f'Tensor.data must be set to a Tensor, got {type(value).__name__}; '
                            f'wrap it: t.data = mg.tensor(values)')
        base = value._array.base
        if isinstance(base, memoryview) and base.obj is self._array:
            return                              # `t.data -= ...` wrote into t itself: nothing to replace
        self._array = value._array

    @property
    def shape(self):
        return Size(self._array.shape)

    @property
    def ndim(self):
        return self._array.ndim

    @property
    def dtype(self):
        return self._array.dtype

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        """The gradient backward computed (a Tensor), or None. Only leaves keep one, unless
        retain_grad() was called; reading it on another tensor warns, as in PyTorch."""
        if self._grad is None and self.grad_fn is not None and not self._retains_grad():
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being "
                          "accessed. Its .grad attribute won't be populated during backward(). "
                          "If you want it, call .retain_grad() on the non-leaf Tensor before "
                          "backward; if you meant the leaf (a weight or an input), read that "
                          "tensor's .grad instead.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        """Sets the gradient by hand: None, or a Tensor of this tensor's shape and dtype (PyTorch's checks)."""
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f'assigned grad expected to be a Tensor or None but got grad of type '
                                f'{type(value).__name__}; wrap it: t.grad = mg.tensor(values)')
            if value._array.shape != self._array.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._array.shape)}' "
                                   f"to a tensor of size '{list(self._array.shape)}'. Please ensure that "
                                   f"the gradient and the tensor are the same size")
            if value._array.dtype != self._array.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{value.dtype}' to a "
                                   f"tensor with dtype '{self.dtype}'; convert it: "
                                   f"t.grad = g.to({self.dtype.name!r})")
        self._grad = value

    def _retains_grad(self):
        ref = self.grad_fn.retained
        return ref is not None and ref() is self

    @property
    def device(self):
        return _device.CPU

    is_cuda = False

    @property
    def _version(self):
        """How many times this tensor's storage was changed in place."""
        return versions.version(self._array)

    def dim(self):
        return self._array.ndim

    ndimension = dim

    def is_floating_point(self): return self._array.dtype.kind == 'f'
    def element_size(self): return self._array.itemsize

    @property
    def T(self):
        if self.ndim != 2:
            raise ValueError(f'.T expects a 2-D tensor, got {self.ndim}-D; use permute() for other ranks')
        return self.permute(1, 0)

    def item(self):
        if self._array.size != 1:
            raise ValueError(f'item() needs a tensor with one element, got shape {tuple(self.shape)}')
        return self._array.item()

    def numpy(self, force=False):
        """The NumPy array itself (no copy: changing one changes the other)."""
        if force:
            return self._array.copy() if self.requires_grad else self._array
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._array

    def tolist(self): return self._array.tolist()
    def numel(self): return self._array.size

    nelement = numel

    def size(self, dim=None):
        return self.shape if dim is None else self._array.shape[_wrap_dim(dim, self.ndim)]

    def __len__(self):
        if self.ndim == 0:
            raise TypeError('len() of a 0-d tensor')
        return self.shape[0]

    def __hash__(self):
        return id(self)

    def __bool__(self):
        if self._array.size != 1:
            raise RuntimeError(f'Boolean value of Tensor with {self._array.size} elements is ambiguous; '
                               f'use .any() or .all() on ._array')
        return bool(self._array)

    def __float__(self):
        return float(self.item())

    def __index__(self):
        if self._array.dtype.kind not in 'iub' or self._array.size != 1:
            raise TypeError(f'only integer tensors of a single element can be converted to an '
                            f'index (this one: {self.dtype}, shape {tuple(self.shape)})')
        return int(self.item())

    def __format__(self, spec):
        """`f"{loss:.4f}"` formats the number in a one-element tensor; otherwise its repr."""
        if self._array.size == 1 and (self._array.ndim == 0 or spec):
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __int__(self):
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:          # np.exp(t) would silently drop the gradient
            raise RuntimeError("Can't convert a Tensor that requires grad to a NumPy array: "
                               "the result would not be in the graph. Use the tensor's own "
                               "methods (t.exp(), mg.exp(t)) or t.detach().numpy() for the values.")
        return self._array if dtype is None else self._array.astype(dtype)

    # NumPy's protocols. minigrad/numpy_api.py builds on this class, so it hands itself in
    # as `Tensor._numpy` rather than being imported here.
    _numpy = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """`np.exp(t)`, `array * t`: NumPy's functions on tensors are Tensor ops (see numpy_api);
        `arr -= t` stays an array."""
        return self._numpy.apply_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return self._numpy.apply_function(func, args, kwargs)

    # -------------------------------------------------------------- autograd
    def detach(self):
        """The same data, cut from the graph."""
        return Tensor._wrap(self._array)

    def detach_(self):
        if self.grad_fn is not None and getattr(self, '_base', None) is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn, self.requires_grad = None, False
        return self

    def clone(self):
        """A copy with its own storage; unlike detach() it stays in the graph."""
        return ew.Clone.apply(self)

    # ------------------------------------------------------- copy and pickle
    # The values and requires_grad, not the graph or the views (PyTorch's rules).
    def __reduce_ex__(self, protocol):
        return _rebuilt, (type(self), self._array, self.requires_grad)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError('Only Tensors created explicitly by the user (graph leaves) support '
                               'the deepcopy protocol; deepcopy t.detach() instead')
        copy = _rebuilt(type(self), self._array.copy(), self.requires_grad)
        if self._grad is not None:
            copy._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = copy
        return copy

    # ---------------------------------------------------- dtype and device
    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False):
        """`to(dtype)`, `to(device)`, `to(device, dtype)` or `to(other)`: this tensor if nothing changes."""
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, (str, _device.device)):
                device = arg
            else:
                dtype = arg
        _device.check(device, '.to()')
        out = self if dtype is None else self._cast(np.dtype(dtype))
        return out.clone() if copy and out is self else out

    def _cast(self, dtype):
        if dtype == self._array.dtype:
            return self
        if dtype.kind != 'f' and self.requires_grad:     # not differentiable: a constant result
            return Tensor._wrap(self._array.astype(dtype))
        return ew.Cast.apply(self, dtype=dtype)

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        _device.check('cuda', '.cuda()')

    def float(self): return self._cast(float32)
    def double(self): return self._cast(float64)
    def half(self): return self._cast(float16)
    def long(self): return self._cast(int64)
    def int(self): return self._cast(int32)
    def bool(self): return self._cast(bool_)
    def type_as(self, other): return self._cast(other.dtype)

    def type(self, dtype=None):
        if dtype is None:
            return 'minigrad.' + _LEGACY_NAMES.get(self.dtype, str(self.dtype))
        return self._cast(np.dtype(dtype))

    def retain_grad(self):
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            engine.retain(self)

    def register_hook(self, hook):
        """Calls hook(grad) when this tensor's gradient is computed; a returned tensor replaces it.
        Returns a handle whose `.remove()` takes the hook out (PyTorch's RemovableHandle)."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            hooks = self.grad_fn.hooks = self.grad_fn.hooks or []
        else:
            hooks = self._hooks = self._hooks or []
        hooks.append(hook)
        return graph.RemovableHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Computes d self / d leaf for every leaf that requires grad, adding it to `leaf.grad`.
        With create_graph=True the gradients are themselves in a graph (differentiable again)."""
        if not self._requires_grad:
            why = ('integer and bool tensors never do' if self.dtype.kind != 'f' else
                   'set requires_grad=True on the inputs you want gradients for, '
                   'and do not compute it under no_grad()')
            raise RuntimeError(f'element 0 of tensors does not require grad and does not have '
                               f'a grad_fn: {why}')
        engine.backward(self, gradient, retain_graph, create_graph)

    # -------------------------------------------------------------- in place
    # An in-place op changes this tensor's storage, so views and `.data` see it,
    # and bumps its version. Under no_grad (or with nothing requiring grad)
    # that is all. Otherwise it is recorded: the result of the same op, out of
    # place, on a copy of the old value becomes this tensor's new history,
    # and nodes made earlier keep the old history (`_history`, read by the walk).

    def _inplace(self, name, compute, *others, overlap=True):
        """Makes `compute(self, *others)` (an out-of-place Tensor op) this tensor's value.
        `overlap`: whether PyTorch refuses an operand that shares part of this tensor's memory."""
        if overlap:
            for other in others:
                if isinstance(other, Tensor):
                    memory.check_partial(self._array, other._array)
        if not (mode._grad_enabled and (self.requires_grad or _any_requires_grad(others))):
            with mode.no_grad():
                result = compute(self, *others)
            self._write(result._array, name)
            return self
        self._check_can_change()
        result = compute(self._snapshot(), *others)
        self._write(result._array, name)
        if (result._array.dtype == self._array.dtype      # a node that saved its output saves
                and graph.share_saved(result.grad_fn, result._array, self._array)):   # this tensor
            result.grad_fn.clock = versions._clock          # as of this write, as in PyTorch
        self._become(result)
        self._rewrite_bases()
        self._refresh_views()
        return self

    def _overwrite(self, name, values, where=sh.At(...)):
        """Sets the elements `where` (all by default) to `values` (broadcast, converted), in place."""
        if not isinstance(values, Tensor):
            values = Tensor._wrap(np.asarray(values, dtype=self._array.dtype))
        region = where.take(self._array)
        memory.check_partial(region, values._array)
        if not (mode._grad_enabled and (self.requires_grad or values.requires_grad)):
            if name not in ('fill_', 'zero_'):  # PyTorch fills an expand()ed tensor, nothing else
                memory.check_internal(region)
            try:
                where.put(self._array, values._array)
            except ValueError as error:         # read-only (an expand()ed view) or not broadcastable
                raise RuntimeError(f'{name}: cannot write values of shape {list(values.shape)} '
                                   f'into a tensor of shape {list(self.shape)} ({error})') from None
            versions.bump_version(self._array, name)
            return self
        return self._inplace(name, lambda old, v: sh.SetView.apply(old, v, view=where), values,
                             overlap=False)      # checked above, against the region written

    def _check_can_change(self):
        link = getattr(self, '_base', None)
        if link is not None and link[1] is None:
            raise RuntimeError(_NO_GRAD_VIEW)
        if link is not None and hasattr(link[1], 'refuse_inplace'):     # a split() piece
            raise RuntimeError(link[1].refuse_inplace)
        if self.grad_fn is None and self.requires_grad:
            raise RuntimeError(_LEAF_INPLACE)
        while link is not None:
            base = link[0]
            link = getattr(base, '_base', None)
            if link is not None and link[1] is None:
                raise RuntimeError(f'Output 0 of {self.grad_fn.name[:-8]} is a view of a view which '
                                   f'was created in no_grad mode and is being modified inplace with '
                                   f'grad mode enabled.{_NO_GRAD_VIEW_HINT}')
            if base.grad_fn is None and base.requires_grad:
                raise RuntimeError(_VIEW_OF_LEAF)

    def _snapshot(self):
        """A copy of this tensor's value and history, for a recorded in-place op to start from."""
        old = Tensor._wrap(self._array.copy())
        old.grad_fn, old._requires_grad = self.grad_fn, self._requires_grad
        return old

    def _write(self, values, name):
        target = self._array
        memory.check_internal(target)
        if values.shape != target.shape:
            raise RuntimeError(f'{name}: output with shape {list(target.shape)} doesn\'t match the '
                               f'broadcast shape {list(values.shape)}')
        if not np.can_cast(values.dtype, target.dtype, 'same_kind'):
            raise RuntimeError(f"{name}: result type {values.dtype} can't be cast to the desired "
                               f"output type {target.dtype}; convert the tensor first, e.g. t = t.float()")
        try:
            np.copyto(target, values, casting='unsafe')
        except ValueError as error:             # read-only: an expand()ed view
            raise RuntimeError(f'{name}: cannot write into this tensor ({error}); '
                               f'change a .clone() of it instead') from None
        versions.bump_version(target, name)

    def _become(self, result, requires_grad=True):
        """Takes `result`'s place in the graph; nodes made before keep the old history."""
        old = self.grad_fn
        self._history = (getattr(self, '_history', None) or ()) + (    # later than every node
            (versions.tick(self), old, self.requires_grad),)            # made before, even one
                                                                        # as of the last write
        self.grad_fn, self._requires_grad = result.grad_fn, requires_grad
        if old is not None and old.retained is not None and old.retained() is self:
            old.retained = None                 # retain_grad() follows the tensor, as in PyTorch
            engine.retain(self)

    def _rewrite_bases(self):
        """After an in-place op on a view, records the change in the history of what it views."""
        view, link = self, getattr(self, '_base', None)
        while link is not None:
            base, where, _ = link
            base._become(sh.SetView.apply(base._snapshot(), view, view=where))
            view, link = base, getattr(base, '_base', None)

    # PyTorch's rule for views: a view made before its base, or another view of the base, was
    # changed in place takes its history from the base again (as that view of the new base).
    # The views that could need it are listed on their root (`_views`, weak references in the
    # order they were made, so a view's base comes before it), and refreshed after a recorded
    # in-place op: nothing to do, and no cost, while nothing is changed in place.

    def _viewed(self, out, where):
        """Makes `out`, which shares this tensor's memory, its view: `where` says which elements."""
        if not mode._grad_enabled:              # under no_grad: a leaf (PyTorch), never rewritten
            out._base = (self, None, None)
            out._requires_grad = self._requires_grad
            return out
        link = getattr(self, '_base', None)
        root = link[2] if link is not None and link[1] is not None else self
        out._base = (self, where, root)
        if root.grad_fn is not None or not root.requires_grad:   # a leaf's views cannot change history
            views = getattr(root, '_views', None)
            if views is None:
                views = root._views = []
            elif len(views) >= 16 and not len(views) & (len(views) - 1):     # at 16, 32, 64, ...
                views[:] = [ref for ref in views if ref() is not None]     # amortised O(1)
            views.append(weakref.ref(out))
        return out

    def _refresh_views(self):
        """After a recorded in-place op on this tensor: every other view of its root (which
        _rewrite_bases updated) becomes that view of its base's new history."""
        link = getattr(self, '_base', None)
        root = link[2] if link is not None and link[1] is not None else self
        if not getattr(root, '_views', None):
            return
        changed = set()
        t = self
        while t is not None:
            changed.add(id(t))
            link = getattr(t, '_base', None)
            t = link[0] if link is not None and link[1] is not None else None
        live = []
        for ref in root._views:
            view = ref()
            if view is not None:
                live.append(ref)
                if id(view) not in changed:
                    base, where, _ = view._base
                    fresh = where.of(base)
                    view._become(fresh, fresh.requires_grad)
        root._views = live

    def __iadd__(self, other): return self._inplace('add_', Tensor.__add__, other)
    def __isub__(self, other): return self._inplace('sub_', Tensor.__sub__, other)
    def __imul__(self, other): return self._inplace('mul_', Tensor.__mul__, other)
    def __itruediv__(self, other): return self._inplace('div_', Tensor.__truediv__, other)
    def __ipow__(self, other): return self._inplace('pow_', Tensor.__pow__, other)

    def __setitem__(self, index, value):
        self._overwrite('setitem', value, sh.At(_view_index(_to_index(index))))

    def add_(self, other, alpha=1):
        return self._inplace('add_', lambda s, o: s.add(o, alpha=alpha), other)

    def sub_(self, other, alpha=1):
        return self._inplace('sub_', lambda s, o: s.sub(o, alpha=alpha), other)

    def mul_(self, other): return self._inplace('mul_', Tensor.__mul__, other)
    def div_(self, other): return self._inplace('div_', Tensor.__truediv__, other)
    def pow_(self, exponent): return self._inplace('pow_', Tensor.__pow__, exponent)

    def clamp_(self, min=None, max=None):            # noqa: A002 (PyTorch's names)
        return self._inplace('clamp_', lambda s: s.clamp(min, max))

    def masked_fill_(self, mask, value):
        return self._inplace('masked_fill_', lambda s, v: s.masked_fill(mask, v), value, overlap=False)

    def neg_(self): return self._inplace('neg_', Tensor.__neg__)
    def exp_(self): return self._inplace('exp_', Tensor.exp)
    def log_(self): return self._inplace('log_', Tensor.log)
    def sqrt_(self): return self._inplace('sqrt_', Tensor.sqrt)
    def abs_(self): return self._inplace('abs_', Tensor.abs)
    def relu_(self): return self._inplace('relu_', Tensor.relu)
    def sigmoid_(self): return self._inplace('sigmoid_', Tensor.sigmoid)
    def tanh_(self): return self._inplace('tanh_', Tensor.tanh)
    def zero_(self): return self._overwrite('zero_', 0)
    def fill_(self, value): return self._overwrite('fill_', value)

    def copy_(self, src):
        """Copies `src`'s values (broadcast, converted to this dtype) into this tensor."""
        return self._overwrite('copy_', src)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return self._overwrite('normal_', numpy_generator(generator).normal(mean, std, self._array.shape))

    def uniform_(self, a=0.0, b=1.0, *, generator=None):        # PyTorch's names: from a to b
        return self._overwrite('uniform_', numpy_generator(generator).uniform(a, b, self._array.shape))

    def random_(self, from_=0, to=None, *, generator=None):
        """Integers drawn uniformly from [from_, to - 1] (`random_(to)` means [0, to - 1])."""
        if to is None:
            from_, to = 0, from_
            if to == 0:
                raise ValueError('random_() needs an upper bound here, e.g. t.random_(0, 10)')
        return self._overwrite('random_', numpy_generator(generator).integers(from_, to, self._array.shape))

    @property
    def requires_grad(self):
        """Whether gradients are recorded for this tensor (a leaf's flag to set)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        # A computed tensor's flag follows from its inputs: PyTorch refuses to set it either way
        # (switching it off would silently cut the graph). requires_grad_(True) is allowed.
        if self.grad_fn is not None:
            raise RuntimeError(_NOT_A_LEAF)
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        if requires_grad:
            _check_can_require_grad(self._array)
        elif self.grad_fn is not None:
            raise RuntimeError(_NOT_A_LEAF)
        self._requires_grad = requires_grad
        return self

    # ------------------------------------------------------------- operators
    def __add__(self, other): return _binary(ew.Add, self, other)
    def __radd__(self, other): return _binary(ew.Add, self, other, reflected=True)
    def __sub__(self, other): return _binary(ew.Sub, self, other)
    def __rsub__(self, other): return _binary(ew.Sub, self, other, reflected=True)
    def __mul__(self, other): return _binary(ew.Mul, self, other)
    def __rmul__(self, other): return _binary(ew.Mul, self, other, reflected=True)
    def __truediv__(self, other): return _binary(ew.Div, self, other)
    def __rtruediv__(self, other): return _binary(ew.Div, self, other, reflected=True)
    def __pow__(self, other): return _binary(ew.Pow, self, other)
    def __rpow__(self, other): return _binary(ew.Pow, self, other, reflected=True)
    def __neg__(self): return ew.Neg.apply(self)
    def __abs__(self): return self.abs()
    def __pos__(self): return self

    def add(self, other, alpha=1):
        """self + alpha * other"""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        """self - alpha * other"""
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other): return self * other
    def div(self, other): return self / other
    def neg(self): return -self
    def matmul(self, other): return self @ other

    def mm(self, mat2):
        """Matrix product of two 2-D tensors."""
        if self.ndim != 2 or _ndim(mat2) != 2:
            raise RuntimeError(f'mm: both arguments must be 2-D matrices, got shapes '
                               f'{tuple(self.shape)} and {tuple(_shape(mat2))}; use @ or matmul for others')
        return self @ mat2

    def dot(self, other):
        """Inner product of two 1-D tensors."""
        if self.ndim != 1 or _ndim(other) != 1:
            raise RuntimeError(f'1D tensors expected, but got {self.ndim}D and {_ndim(other)}D tensors')
        return self @ other

    def t(self):
        """The transpose of a tensor of at most 2 dims."""
        if self.ndim > 2:
            raise RuntimeError(f't() expects a tensor with <= 2 dimensions, but self is {self.ndim}D; '
                               f'use transpose(dim0, dim1) or permute')
        return self.reshape(self._array.shape) if self.ndim < 2 else self.transpose(0, 1)   # a view

    def masked_fill(self, mask, value):
        """`value` where `mask` is True, else this tensor's element (`mg.where(mask, value, self)`)."""
        mask = _as_tensor(mask)
        if mask._array.dtype != bool_:
            raise TypeError(f'masked_fill only supports boolean masks, but got mask with dtype {mask.dtype}')
        like = value if isinstance(value, Tensor) else self
        return ew.Where.apply(mask, *_promote(_as_tensor(value, like), self))

    def __matmul__(self, other):
        other = _as_tensor(other, self)
        _check_matmul(self._array.shape, other._array.shape)
        if self._array.dtype != other._array.dtype:     # PyTorch promotes no matrix product
            raise RuntimeError(f'expected m1 and m2 to have the same dtype, but got: '
                               f'{self._array.dtype} != {other._array.dtype}; convert one, '
                               f'e.g. x.float() or x.to(w.dtype)')
        return linalg.MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return _as_tensor(other, self).__matmul__(self)

    def _compare(self, other, op):
        other = other._array if isinstance(other, Tensor) else other
        return Tensor._wrap(op(self._array, other))

    def __lt__(self, other): return self._compare(other, np.less)
    def __le__(self, other): return self._compare(other, np.less_equal)
    def __gt__(self, other): return self._compare(other, np.greater)
    def __ge__(self, other): return self._compare(other, np.greater_equal)
    def __eq__(self, other): return self._compare(other, np.equal)
    def __ne__(self, other): return self._compare(other, np.not_equal)

    def __getitem__(self, index):
        index = _to_index(index)
        if sh._is_basic(index):                 # a view, as in PyTorch: writes to it reach self
            index = _view_index(index)
            return self._viewed(sh.Index.apply(self, index=index), sh.At(index))
        return sh.Index.apply(self, index=index)

    # ------------------------------------------------------------------ math
    def _float(self):
        """Itself if floating point, else a copy in the default dtype (float32 unless
        set_default_dtype changed it): exp, log, ... of integers give that (PyTorch)."""
        if self._array.dtype.kind == 'f':
            return self
        return Tensor._wrap(self._array.astype(dtypes.get_default_dtype()))

    def exp(self): return ew.Exp.apply(self._float())
    def log(self): return ew.Log.apply(self._float())
    def sqrt(self): return ew.Sqrt.apply(self._float())
    def log1p(self): return ew.Log1p.apply(self._float())
    def expm1(self): return ew.Expm1.apply(self._float())
    def abs(self): return ew.Abs.apply(self)
    def sin(self): return ew.Sin.apply(self._float())
    def cos(self): return ew.Cos.apply(self._float())
    def tanh(self): return act.Tanh.apply(self._float())
    def sigmoid(self): return act.Sigmoid.apply(self._float())
    def relu(self): return act.ReLU.apply(self)
    def softmax(self, dim): return act.Softmax.apply(self, dim=dim)
    def log_softmax(self, dim): return act.LogSoftmax.apply(self, dim=dim)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return _clamp_by_tensors(self, min, max)
        if isinstance(min, float) or isinstance(max, float):    # an integer tensor: float32 (PyTorch)
            return ew.Clamp.apply(self._float(), min=min, max=max)
        return ew.Clamp.apply(self, min=min, max=max)

    def pow(self, exponent): return self ** exponent
    def maximum(self, other): return _binary(ew.Maximum, self, other)
    def minimum(self, other): return _binary(ew.Minimum, self, other)

    # ------------------------------------------------------------ reductions
    @_numpy_names
    def sum(self, dim=None, keepdim=False):
        return red.Sum.apply(self, dim=_reduction_dims(dim, self.ndim), keepdim=keepdim)

    @_numpy_names
    def mean(self, dim=None, keepdim=False):
        if self.dtype.kind != 'f':
            raise RuntimeError(f'mean() needs a floating point tensor, got {self.dtype}; '
                               f'convert first, e.g. mg.tensor(t._array, dtype=mg.float32)')
        return red.Mean.apply(self, dim=_reduction_dims(dim, self.ndim), keepdim=keepdim)

    @_numpy_names
    def var(self, dim=None, unbiased=True, keepdim=False):
        return red.Var.apply(self, dim=_reduction_dims(dim, self.ndim), keepdim=keepdim, unbiased=unbiased)

    @_numpy_names
    def std(self, dim=None, unbiased=True, keepdim=False):
        """The square root of var() (its gradient is 0 where all values are equal, as in PyTorch)."""
        return ew.RootOrZero.apply(self.var(dim=dim, unbiased=unbiased, keepdim=keepdim))

    @_numpy_names
    def prod(self, dim=None, keepdim=False):
        if dim is not None and not isinstance(dim, int):
            raise TypeError(f'prod() takes one int dim (or none), got {dim!r}')
        return red.Prod.apply(self, dim=_reduction_dims(dim, self.ndim), keepdim=keepdim)

    def norm(self, p='fro', dim=None, keepdim=False):
        """The p-norm (Σ |x|ᵖ)^(1/p) over `dim` (all elements by default); 'fro' is p = 2."""
        p = 2 if p == 'fro' else p
        if p == 2:                              # gradient x / ‖x‖, 0 at x = 0 (PyTorch)
            return ew.NormRoot.apply((self * self).sum(dim=dim, keepdim=keepdim))
        if isinstance(p, str) or isinstance(p, bool):
            raise RuntimeError(f"norm: p={p!r} is not supported here; 'fro' and numbers are "
                               f"('nuc' needs singular values, which minigrad does not have)")
        dims = _reduction_dims(dim, self.ndim)
        dims = tuple(range(self.ndim)) if dims is None else (dims,) if isinstance(dims, int) else dims
        return linalg.VectorNorm.apply(self._float(), ord=float(p), dim=dims, keepdim=keepdim)

    @_numpy_names
    def amax(self, dim=None, keepdim=False):
        _check_extreme_of_empty('amax', self._array.shape, dim := _reduction_dims(dim, self.ndim))
        return red.AMax.apply(self, dim=dim, keepdim=keepdim)

    @_numpy_names
    def amin(self, dim=None, keepdim=False):
        _check_extreme_of_empty('amin', self._array.shape, dim := _reduction_dims(dim, self.ndim))
        return red.AMin.apply(self, dim=dim, keepdim=keepdim)

    @_numpy_names
    def logsumexp(self, dim=None, keepdim=False):
        return red.LogSumExp.apply(self, dim=_reduction_dims(dim, self.ndim), keepdim=keepdim)

    @_numpy_names
    def max(self, dim=None, keepdim=False):
        """The largest element, or with `dim` the pair (values, indices) along it.

        Its derivative: `max()` is `amax()`, an AMaxBackward node (ties share the gradient);
        `max(dim).values` is a MaxBackward node (ops/reductions.py: the gradient goes to the
        returned index), as in PyTorch.
        """
        if dim is None:
            _check_extreme_of_empty('max', self._array.shape, None)
            return self.amax()
        return self._extreme_along(red.Max, np.argmax, dim, keepdim)

    @_numpy_names
    def min(self, dim=None, keepdim=False):
        """The smallest element, or with `dim` the pair (values, indices) along it: as max, with
        AMinBackward and MinBackward nodes."""
        if dim is None:
            _check_extreme_of_empty('min', self._array.shape, None)
            return self.amin()
        return self._extreme_along(red.Min, np.argmin, dim, keepdim)

    def _extreme_along(self, op, arg, dim, keepdim):
        """(values, indices) along `dim`: indices = arg(x) (np.argmax or np.argmin, no gradient),
        values = op (red.Max or red.Min), whose backward puts the gradient at those indices."""
        if self.ndim == 0:                      # the one element, at index 0 (PyTorch)
            _wrap_dim(dim, 0)
            return self.reshape(1)._extreme_along(op, arg, 0, False)
        dim = _wrap_dim(dim, self.ndim)
        _check_extreme_of_empty(op.__name__.lower(), self._array.shape, dim)
        indices = np.expand_dims(arg(self._array, axis=dim), dim)
        values = op.apply(self, indices=indices, dim=dim, keepdim=keepdim)
        named = return_types.max if op is red.Max else return_types.min
        return named(values, Tensor._wrap(indices if keepdim else indices.squeeze(dim)))

    @_numpy_names
    def argmax(self, dim=None, keepdim=False):
        return Tensor._wrap(_arg(np.argmax, self._array, dim, keepdim))

    @_numpy_names
    def argmin(self, dim=None, keepdim=False):
        return Tensor._wrap(_arg(np.argmin, self._array, dim, keepdim))

    # ----------------------------------------------------------------- shape
    def reshape(self, *shape):
        shape = _shape_arg(shape)
        known = math.prod([n for n in shape if n != -1])
        if -1 in shape:
            valid = shape.count(-1) == 1 and known > 0 and self._array.size % known == 0
        else:
            valid = known == self._array.size
        if not valid:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {self._array.size}")
        out = sh.Reshape.apply(self, shape=shape)
        if out._array.base is not None and np.may_share_memory(out._array, self._array):
            self._viewed(out, sh.Reshaped(out._array.shape))   # a view: writes reach self
        return out                                              # else a copy, never a view

    def view(self, *shape):
        """reshape() that never copies: the result shares this tensor's memory."""
        out = self.reshape(*shape)
        if out._array.size and getattr(out, '_base', (None,))[0] is not self:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                               "least one dimension spans across two contiguous subspaces). Use "
                               ".reshape(...) instead.")
        return out

    def view_as(self, other): return self.view(*other.shape)
    def reshape_as(self, other): return self.reshape(*other.shape)
    def expand_as(self, other): return self.expand(*other.shape)

    def permute(self, *dims):
        dims = tuple(_wrap_dim(d, self.ndim) for d in _shape_arg(dims))
        if sorted(dims) != list(range(self.ndim)):
            raise RuntimeError(f'permute(): dims {dims} must be a reordering of the '
                               f'{self.ndim} dims of a tensor of shape {tuple(self.shape)}')
        return self._viewed(sh.Permute.apply(self, dims=dims), sh.Permuted(dims))

    def transpose(self, dim0, dim1):
        dim0, dim1 = _wrap_dim(dim0, self.ndim), _wrap_dim(dim1, self.ndim)
        if self.ndim == 0:                      # dims 0 and -1 name the one (absent) dim
            return self.reshape(())
        dims = list(range(self.ndim))
        dims[dim0], dims[dim1] = dims[dim1], dims[dim0]
        return self.permute(*dims)

    def flatten(self, start_dim=0, end_dim=-1):
        start, end = _wrap_dim(start_dim, self.ndim), _wrap_dim(end_dim, self.ndim)
        if start > end:
            raise RuntimeError(f'flatten() has invalid args: start_dim ({start_dim}) cannot come '
                               f'after end_dim ({end_dim})')
        if self.ndim == 0:
            return self.reshape(1)
        shape = self._array.shape
        return self.reshape(*shape[:start], math.prod(shape[start:end + 1]), *shape[end + 1:])

    def unsqueeze(self, dim):
        dim = _wrap_dim(dim, self.ndim + 1)
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self, dim=None):
        dims = range(self.ndim) if dim is None else [dim] if isinstance(dim, int) else dim
        dims = {_wrap_dim(d, self.ndim) for d in dims}
        return self.reshape(*[n for i, n in enumerate(self.shape) if not (i in dims and n == 1)])

    def expand(self, *shape):
        shape = _shape_arg(shape)
        lead = len(shape) - self.ndim
        for i, n in enumerate(shape[:lead]):
            if n == -1:
                raise RuntimeError(f"expand(): the expanded size of the tensor (-1) isn't allowed in "
                                   f"a leading, non-existing dimension {i}; give its size")
        shape = tuple(self._array.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        try:
            np.broadcast_shapes(self.shape, shape)
        except ValueError:
            raise RuntimeError(f'expand(): cannot expand shape {tuple(self.shape)} to {shape}') from None
        return self._viewed(sh.Expand.apply(self, shape=shape), sh.Expanded(shape))

    # ------------------------------------------------------------------ repr
    def __dir__(self):
        return sorted(set(object.__dir__(self)) - _TensorType.absent)

    def __repr__(self):
        return tensor_repr(self)


graph.Tensor = Tensor     # handed in: the graph module is built below us

dtypes.Tensor = Tensor        # handed in, as to the engine: dtypes.py is built below us

_constants = {}


def _constant(number, dtype):
    """`number` as a 0-d tensor of `dtype`, shared by every op that meets that number and dtype.
    Its memory is a bytes object, so no flag can make it writeable, and a graph shows it as a
    tensor of its own (Op.inputs), so nothing done to a graph can reach the shared one."""
    # speed: a fresh tensor per op costs 0.5 µs and two more objects: 13% of a 20,000-op chain
    constant = _constants.get((number, dtype))
    if constant is None:
        constant = Tensor._wrap(np.frombuffer(np.array(number, dtype).tobytes(), dtype).reshape(()))
        if number != 0 and number == number and len(_constants) < 1024:   # not ±0 or nan
            _constants[(number, dtype)] = constant
            graph._shared.add(id(constant))
    return constant


def _rebuilt(cls, array, requires_grad):
    """A tensor (or Parameter) of class `cls` holding `array`: what unpickling makes."""
    t = cls._wrap(array)
    t._requires_grad = requires_grad
    return t


def _binary(op, a, b, reflected=False):
    """Applies a two-input op to tensor `a` and anything `b` (a tensor, number or array)."""
    b = b if isinstance(b, Tensor) else _as_tensor(b, a)
    if a._array.dtype is not b._array.dtype:
        a, b = _promote(a, b)
    return op.apply(b, a) if reflected else op.apply(a, b)


def _clamp_by_tensors(x, lo, hi):
    """clamp with a tensor bound (differentiable in it too); a missing bound is the dtype's extreme."""
    bounds = [_as_tensor(b, x) for b in (lo, hi) if b is not None]
    for b in bounds:
        x, _ = _promote(x, b)
    dtype = x._array.dtype
    info = np.finfo(dtype) if dtype.kind == 'f' else np.iinfo(dtype)
    lo, hi = [_as_tensor(b, x) if b is not None else _constant(edge, dtype)
              for b, edge in ((lo, -np.inf if dtype.kind == 'f' else info.min),
                              (hi, np.inf if dtype.kind == 'f' else info.max))]
    lo, hi = [b if b._array.dtype == dtype else b._cast(dtype) for b in (lo, hi)]
    return ew.ClampBy.apply(x, lo, hi)


def _any_requires_grad(values):
    return any(isinstance(v, Tensor) and v.requires_grad for v in values)


def _ndim(x):
    return x.ndim if isinstance(x, Tensor) else np.ndim(x)


def _shape(x):
    return x.shape if isinstance(x, Tensor) else np.shape(x)


def _to_index(index):
    """Tensors, lists and ranges in an index become NumPy arrays."""
    if isinstance(index, tuple):
        return tuple(_to_index(i) for i in index)
    if isinstance(index, Tensor):
        return index._array
    if isinstance(index, (list, range)):
        return np.asarray(index)
    return index


def _view_index(index):
    """A basic index with an Ellipsis, so that NumPy returns a view even for one element (x[0])."""
    if not sh._is_basic(index) or index is Ellipsis or isinstance(index, tuple) and Ellipsis in index:
        return index
    return (*index, ...) if isinstance(index, tuple) else (index, ...)


def _arg(arg, data, dim, keepdim):
    _check_extreme_of_empty(arg.__name__, data.shape, None if dim is None else _wrap_dim(dim, data.ndim))
    if dim is None:
        out = np.asarray(arg(data))
        return out.reshape((1,) * data.ndim) if keepdim else out
    return arg(data, axis=dim, keepdims=keepdim)


def _check_matmul(a, b):
    if not a or not b:
        raise RuntimeError(f'matmul: both arguments need at least 1 dimension, got shapes {a} and {b}')
    inner_a = a[-1]
    inner_b = b[-2] if len(b) > 1 else b[0]
    if inner_a != inner_b:
        raise RuntimeError(f'matmul: shapes {a} and {b} cannot be multiplied '
                           f'({inner_a} columns on the left, {inner_b} rows on the right)')


# ------------------------------------------------------ making operands
# (the module functions, mg.exp, mg.cat, mg.where, ..., are in functions.py)

def _as_tensor(x, like=None):
    """`x` as a Tensor. As an operand of tensor `like`, a Python number takes its dtype when
    their kinds agree (x * 0.5 stays float32; an int32 tensor + 1 stays int32)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(like, Tensor) and isinstance(x, (int, float)):
        kind = like._array.dtype.kind
        if kind == 'f' or kind in 'iu' and not isinstance(x, (bool, float)):
            return _constant(x, like._array.dtype)
    return Tensor._wrap(_to_array(x))
