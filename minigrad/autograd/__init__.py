"""The reverse-mode engine: the op base class, the backward walk, grad modes, versions.

The engine knows nothing about individual ops. An op is a subclass of `Op`
with a `forward` on NumPy arrays and a `backward` that maps the gradient of
its output to the gradients of its inputs: the chain rule, one node at a
time. Everything op-specific lives in `minigrad/ops/`. PyTorch's protocol
for user-written ops, `minigrad.autograd.Function`, is in `function.py`.
"""
import collections
import functools
import linecache
import os
import sys
import weakref

import numpy as np

_grad_enabled = True
# speed: nodes share one needs_input_grad tuple per pattern of flags instead of each owning a new
# one for the garbage collector to track: 2% of the forward pass of a 20,000-op chain
_patterns = {}
_new = object.__new__
_ndarray = np.ndarray
Tensor = None           # minigrad.tensor sets this (it imports us, so we cannot import it)


# ---------------------------------------------------------------- grad modes

class _GradMode:
    """Context manager and decorator that sets whether ops record a graph."""

    enabled = True

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = self.enabled

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Ops run inside `with mg.no_grad():` record no graph (also a decorator)."""
    enabled = False


class enable_grad(_GradMode):
    """Re-enables graph recording inside a `no_grad` block (also a decorator)."""
    enabled = True


class set_grad_enabled(_GradMode):
    """`with mg.set_grad_enabled(flag):` records a graph only if `flag`; called alone, sets it."""

    def __init__(self, mode):
        global _grad_enabled
        self.enabled, self._previous = bool(mode), _grad_enabled
        _grad_enabled = self.enabled            # takes effect at once, as in PyTorch

    def __enter__(self):
        global _grad_enabled
        _grad_enabled = self.enabled

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(self.enabled):
                return func(*args, **kwargs)
        global _grad_enabled
        _grad_enabled = self._previous          # as a decorator it must not change the mode now
        return wrapper


class inference_mode(_GradMode):
    """Like `no_grad` (PyTorch's faster variant; minigrad has one mode for both)."""

    def __init__(self, mode=True):
        self.enabled = not mode


def is_grad_enabled():
    """True when ops record the graph needed for `backward()`."""
    return _grad_enabled


# -------------------------------------------------------------- anomaly mode

_anomaly = False
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def set_detect_anomaly(mode, check_nan=True):
    """Anomaly mode on or off: nodes remember the line of your code that made them, and a
    backward step that returns nan raises an error naming the node and that line."""
    global _anomaly
    _anomaly = bool(mode) and bool(check_nan)


def is_anomaly_enabled():
    return _anomaly


class detect_anomaly:
    """`with mg.autograd.detect_anomaly():` turns anomaly mode on inside the block."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = _anomaly
        set_detect_anomaly(True, self.check_nan)

    def __exit__(self, *exc):
        set_detect_anomaly(self._previous)


def _user_line():
    """'file:line: code' of the innermost call outside minigrad (where the user made the node)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return 'an unknown place'
    code = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
    return f'{frame.f_code.co_filename}:{frame.f_lineno}: {code}'


def _check_nan(node, grads_in):
    """In anomaly mode: a backward step that returned nan raises, naming the forward call."""
    for i, g in enumerate(grads_in):
        array = g._array if isinstance(g, Tensor) else g
        if array is not None and np.isnan(array).any():
            made = node.__dict__.get('made_at', 'an unknown place (made before anomaly mode was on)')
            raise RuntimeError(f"Function '{node.name}' returned nan values in its {i}th output. "
                               f"It was made by this line of the forward pass:\n    {made}")


# ------------------------------------------------------------------ versions
# An in-place op changes an array that a node may have saved for its backward.
# Each change is logged per storage (the array that owns the memory, so views
# share it) with a clock value; a node remembers the clock when it was made.
# Backward compares the two only when the clock has moved since the node was
# made, so a graph with no in-place ops pays one integer comparison per node.

_clock = 0
_changes = {}           # id(storage) -> [weak reference to it, version, deque of recent (clock, op name)]
_RECENT = 16            # changes remembered per storage, for the error message


def _storage(array):
    while isinstance(array.base, _ndarray):
        array = array.base
    return array


def _entry(array):
    """The change record of `array`'s storage, or None if it was never changed in place."""
    storage = _storage(array)
    entry = _changes.get(id(storage))
    return entry if entry is not None and entry[0]() is storage else None


def _forget(key):
    return lambda ref: _changes.pop(key, None) if _changes.get(key, (None,))[0] is ref else None


def bump_version(array, op_name):
    """Records that `op_name` changed `array` (and so every view of its storage) in place."""
    global _clock
    _clock += 1
    storage = array if array.base is None else _storage(array)
    key = id(storage)
    entry = _changes.get(key)
    if entry is None or entry[0]() is not storage:
        entry = _changes[key] = [weakref.ref(storage, _forget(key)), 0,
                                 collections.deque(maxlen=_RECENT)]
    entry[1] += 1
    entry[2].append((_clock, op_name))


def version(array):
    """How many in-place changes `array`'s storage has had (PyTorch's `t._version`)."""
    entry = _entry(array)
    return entry[1] if entry else 0


def _check_saved(node):
    """Raises PyTorch's error if a value `node` saved was changed in place after it was saved."""
    saved = node.saved
    for value in saved if isinstance(saved, (tuple, list)) else (saved,):
        array = value._array if isinstance(value, Tensor) else value
        entry = _entry(array) if isinstance(array, _ndarray) else None
        if entry and entry[2][-1][0] > node.clock:
            _, now, recent = entry
            later = [name for clock, name in recent if clock > node.clock]
            expected = now - len(later)
            if len(recent) == recent.maxlen and recent[0][0] > node.clock:
                expected = f'{expected} or lower'      # older changes were forgotten
            role = ('an input of' if any(t._array is array for t in node._inputs)
                    else 'a value saved by')
            raise RuntimeError(
                f'one of the variables needed for gradient computation has been modified by an '
                f'inplace operation: [{array.dtype} tensor of shape {list(array.shape)}], which is '
                f'{role} {node.name}, is at version {now}; expected version {expected} '
                f'instead. {node.name} saved it in the forward pass to compute its gradient, and '
                f'{" / ".join(sorted(set(later)))} changed it afterwards. Hint: use the out-of-place '
                f'form (y = y * 2 rather than y *= 2 or y.mul_(2)), or change a .clone() of it.')


def _grad_fn_at(t, node):
    """(grad_fn, requires_grad) of input `t` as it was when `node` was made (before any in-place op)."""
    for clock, grad_fn, requires_grad in getattr(t, '_history', None) or ():
        if clock > node.clock:
            return grad_fn, requires_grad
    return t.grad_fn, t.requires_grad


def _catch_up(node):
    """For a node made before some in-place op: raises if a value it saved was changed since,
    and points each input that took a new history since at a stand-in for its old one."""
    if getattr(node, 'saved', None) is not None:
        _check_saved(node)
    inputs = []
    for t in node._inputs:
        grad_fn, requires_grad = _grad_fn_at(t, node)
        if grad_fn is not t.grad_fn or requires_grad != t.requires_grad:
            t = Tensor._wrap(t._array, requires_grad)
            t.grad_fn = grad_fn
        inputs.append(t)
    node._inputs = tuple(inputs)
    node.clock = _clock


# ------------------------------------------------------------------ the node

class _Name(str):
    """A node's name, e.g. "MulBackward"; also callable, as PyTorch's `grad_fn.name()`."""

    def __call__(self):
        return str(self)


class Op:
    """One node of the graph: an op's forward and its backward, side by side.

    Subclasses define
      forward(self, *arrays, **options) -> array   (NumPy in, NumPy out)
      backward(self, grad) -> gradient for each input (a tuple, or one array
                              for a one-input op; None where not needed)
    and keep what backward needs in `self.saved`, which the engine frees after
    use. `self.needs_input_grad[i]` says whether input i wants a gradient; it is
    set before forward, so forward saves, and backward computes, only what is
    asked for. Gradients may have the broadcast shape of the output: the
    engine sums them back to each input's shape.
    Backward must never write into `grad`: the same array may reach other nodes.
    """

    __slots__ = ('_inputs', 'options', 'needs_input_grad', 'saved', 'clock', '__dict__')
    hooks = None        # gradient hooks of the output tensor (see Tensor.register_hook)
    retained = None     # weak reference to the output tensor, if it called retain_grad()
    name = _Name('OpBackward')

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.name = _Name(cls.__name__ + 'Backward')

    @classmethod
    def apply(cls, *inputs, **options):
        """Runs forward on the inputs' arrays; records the node if any input needs a gradient."""
        fn = _new(cls)                  # speed: ops have no __init__ to run
        # Known before forward, so that an op saves only what the wanted gradients need.
        needs = tuple([t.requires_grad for t in inputs]) if _grad_enabled else (False,) * len(inputs)
        fn.needs_input_grad = needs = _patterns.setdefault(needs, needs)   # speed: see _patterns
        try:
            data = fn.forward(*[t._array for t in inputs], **options)
        except ValueError as error:         # NumPy's shape errors, named for the learner
            shapes = ', '.join(str(t._array.shape) for t in inputs)
            raise RuntimeError(f'{cls.__name__}: {error} (input shapes: {shapes})') from None
        out = _new(Tensor)              # speed: Tensor._wrap inlined, 4% of a long chain's forward
        out._array = data if type(data) is _ndarray else np.asarray(data)
        out._grad = out.grad_fn = out._hooks = None
        out.requires_grad = False
        if True in needs:
            fn._inputs, fn.options = inputs, options
            fn.clock = _clock
            if _anomaly:
                fn.made_at = _user_line()
            out.grad_fn = fn
            out.requires_grad = True
        return out

    @property
    def next_functions(self):
        """PyTorch's edges: a (node, 0) pair per input; a leaf that requires grad
        appears as its `AccumulateGrad` node, an input that does not as (None, 0)."""
        if self._inputs is None:
            return ()
        edges = []
        for t in self._inputs:
            grad_fn, requires_grad = _grad_fn_at(t, self)
            edges.append((grad_fn if grad_fn is not None else
                          _accumulator(t) if requires_grad else None, 0))
        return tuple(edges)

    def __repr__(self):
        return f'<{self.name}>'

    @property
    def inputs(self):
        """The tensors this node's op was applied to. A number operand (the 0.5 of `x * 0.5`)
        shows as a tensor of its own: the engine shares one per number between all ops."""
        return None if self._inputs is None else tuple(map(_shown, self._inputs))

    @property
    def rule(self):
        """The derivative this node applies: the first line of its op's docstring."""
        return rule_of(type(self))

    @property
    def source(self):
        """Where this node's forward and backward are written, as 'file:line'."""
        return source_of(type(self))

    def forward(self, *arrays, **options):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    def backward_graph(self, grad):
        """The same backward rule, run on Tensors so that it records a graph (create_graph=True).

        An op that saved values replays its forward on its input Tensors first, so that what it
        saves is in the graph too; the op's NumPy code runs on Tensors (see numpy_api.Traced)."""
        from ..numpy_api import Traced, _unwrap
        if not isinstance(grad, Tensor):
            grad = Tensor._wrap(np.asarray(grad))
        with enable_grad():
            op = self
            if getattr(self, 'saved', None) is not None:
                op = type(self)()
                op.needs_input_grad = self.needs_input_grad
                op.forward(*[Traced(t) for t in self._inputs], **self.options)
            return _unwrap(op.backward(Traced(grad)))


_shared = set()          # ids of the number constants the engine shares (minigrad.tensor adds them)


def _shown(t):
    """`t`, or for a shared number constant a tensor of its own over the same read-only array,
    so that nothing done to what a graph shows can change another computation."""
    return Tensor._wrap(t._array) if id(t) in _shared else t


def rule_of(op_class):
    """The first line of an op class's docstring: the derivative rule it applies."""
    doc = (getattr(op_class, '_forward_cls', op_class).__doc__ or '').strip()
    return doc.splitlines()[0].strip() if doc else ''


def source_of(op_class):
    """'file:line' of an op class (of the user's Function class, for a custom op)."""
    import inspect
    cls = getattr(op_class, '_forward_cls', op_class)
    try:
        path, line = inspect.getsourcefile(cls), inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return 'an unknown place'
    root = os.path.dirname(_PACKAGE)
    return f'{os.path.relpath(path, root) if path.startswith(root) else path}:{line}'


class AccumulateGrad:
    """The node PyTorch shows for a leaf: backward ends here, adding into `variable.grad`."""

    name = _Name('AccumulateGrad')
    next_functions = ()

    def __init__(self, variable):
        self._variable = weakref.ref(variable)

    @property
    def variable(self):
        return self._variable()

    def __repr__(self):
        return '<AccumulateGrad>'


def _accumulator(leaf):
    """The one AccumulateGrad node of `leaf` (made on first use)."""
    node = getattr(leaf, '_accumulator', None)
    if node is None:
        node = leaf._accumulator = AccumulateGrad(leaf)
    return node


# ------------------------------------------------------- broadcasting, once

def sum_to_shape(grad, shape):
    """Sums a broadcast gradient back to `shape` (the adjoint of broadcasting)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1)
    grad = grad.sum(axis=axes, keepdims=True) if axes else grad
    return grad.reshape(shape)


# ----------------------------------------------------------- backward walk

#: Called as observer(node, grad_out, grads_in) for each node the walk visits
#: (used by `minigrad.viz.trace_backward`); empty when nobody is watching.
_observers = []


def _run_hooks(hooks, grad):
    """Calls each hook with the gradient; one that returns a tensor replaces it (same shape and dtype)."""
    for hook in hooks:
        array_mode = not isinstance(grad, Tensor)
        result = hook(Tensor._wrap(grad) if array_mode else grad)
        if result is None:
            continue
        if array_mode:
            result = result._array if isinstance(result, Tensor) else np.asarray(result)
        name = getattr(hook, '__name__', type(hook).__name__)
        if tuple(result.shape) != tuple(grad.shape):
            raise RuntimeError(f"hook '{name}' has changed the size of value: it returned shape "
                               f"{list(result.shape)} for a gradient of shape {list(grad.shape)}")
        if result.dtype != grad.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was {grad.dtype} "
                               f"got {result.dtype}); return a tensor of the gradient's dtype")
        grad = result
    return grad


_RELEASED = -1          # the clock of a node whose saved values backward has freed
_FREED = ('Trying to backward through the graph a second time (or directly access '
          'saved tensors after they have already been freed). Saved intermediate '
          'values of the graph are freed when you call .backward(). Specify '
          'retain_graph=True if you need to backward through the graph a second time.')


def backward(root, gradient=None, retain_graph=None, create_graph=False):
    """`root.backward()`: adds d root / d leaf into `.grad` of every leaf that requires grad."""
    retain_graph = create_graph if retain_graph is None else retain_graph
    leaves = _walk([(root, _seed(root, gradient, create_graph))], retain_graph, create_graph)
    for t, g, owned in _add_up(leaves).values():
        _accumulate_leaf(t, g, owned)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """The gradients of `outputs` with respect to each of `inputs` (PyTorch's torch.autograd.grad);
    `.grad` is left as it is. With create_graph=True they are differentiable in turn."""
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    for t in outputs:
        if not t.requires_grad:
            raise RuntimeError('element 0 of tensors does not require grad and does not have a '
                               'grad_fn: the outputs must be computed from inputs that require grad')
    seeds = [(t, _seed(t, g, create_graph)) for t, g in zip(outputs, grad_outputs)]
    retain_graph = create_graph if retain_graph is None else retain_graph
    captured = {t.grad_fn: None for t in inputs if t.grad_fn is not None}
    leaves = _add_up(_walk(seeds, retain_graph, create_graph, captured))
    results = []
    for i, t in enumerate(inputs):
        if t.grad_fn is not None:
            g = captured[t.grad_fn]
        else:
            g = leaves[id(t)][1] if id(t) in leaves else None
            g = _run_hooks(t._hooks, g) if t._hooks and g is not None else g
        if g is None and not allow_unused:
            raise RuntimeError(f'One of the differentiated Tensors (input {i}, shape '
                               f'{list(t.shape)}) appears to not have been used in the graph. '
                               f'Set allow_unused=True if this is the desired behavior.')
        results.append(None if g is None else g if isinstance(g, Tensor) else Tensor._wrap(g))
    return tuple(results)


def _seed(output, gradient, create_graph):
    """d output / d output: ones for a one-element output, else the given `gradient`, checked."""
    if gradient is None:
        if output._array.size != 1:
            raise RuntimeError(f'grad can be implicitly created only for scalar outputs; this '
                               f'tensor has shape {tuple(output.shape)}: call .sum() first or pass '
                               f'backward(gradient=...) of that shape')
        shape, dtype = output._array.shape, output._array.dtype
        ones = np.array(1, dtype).reshape(shape)    # speed: np.ones costs 0.8 µs, this 0.3
        return Tensor._wrap(ones) if create_graph else ones
    if isinstance(gradient, Tensor):
        gradient = gradient if create_graph else gradient._array
    else:
        gradient = np.asarray(gradient, dtype=output._array.dtype)
    if tuple(gradient.shape) != tuple(output.shape):
        raise RuntimeError(f'backward(gradient=...) needs the shape of the tensor, '
                           f'{tuple(output.shape)}, got {tuple(gradient.shape)}')
    if not isinstance(gradient, Tensor):
        gradient = np.asarray(gradient, dtype=output._array.dtype)
        return Tensor._wrap(gradient) if create_graph else gradient
    return _fit_dtype(gradient, output._array.dtype)


# The walk is iterative, so a graph may be as deep as memory allows, and it visits each node
# once, so its time is linear in the graph's size. `captured` (for autograd.grad) maps nodes
# to the gradient that reached them.
#
# speed: when no hook, retain_grad, anomaly mode, observer, capture or create_graph needs the
# longer step (_node_backward), the walk calls node.backward alone (`plain`): 0.2 µs a node,
# 7% of a 40,000-node walk.
#
# A leaf's gradient is "owned" when the walk made that array for this leaf alone, so `.grad`
# may keep it without a copy (speed: the copy is 5-8% of an MNIST-sized MLP's training step).
# It is not owned when a node passed its incoming gradient through unchanged (Add sends the same
# array to both inputs), or a view of it, or when it is the caller's own seed: adding into
# those later would change another tensor's array.

def _walk(seeds, retain_graph, create_graph, captured=None):
    """The backward pass from (tensor, gradient) seeds, by Kahn's algorithm: each node runs once,
    when all its consumers have sent their gradient. Returns the (leaf, gradient, owned) found."""
    grads, leaves, consumers, ready = _start(seeds)
    plain = not (create_graph or _anomaly or _observers or captured)     # speed: see above
    while ready:
        node = ready.pop()
        grad_out = grads.pop(node, None)
        if plain and grad_out is not None and not node.hooks and node.retained is None:
            grads_in = node.backward(grad_out)
        else:
            grads_in = _node_backward(node, grad_out, create_graph, captured)
        for t, g in zip(node._inputs, grads_in if type(grads_in) is tuple else (grads_in,)):
            fn = t.grad_fn
            if g is not None and t.requires_grad:
                data = t._array
                if g.shape != data.shape or g.dtype is not data.dtype:
                    g = _fit(g, data)
                if fn is None:                  # a leaf: its gradients are added up after the walk
                    leaves.append((t, g, g is not grad_out and getattr(g, 'base', None) is None))
                    continue
                grads[fn] = grads[fn] + g if fn in grads else g
            elif fn is None:                    # a constant, or a leaf this node sends nothing
                continue
            consumers[fn] = waiting = consumers[fn] - 1
            if not waiting:                     # every consumer of fn has sent its gradient
                ready.append(fn)
        if not retain_graph:                # free the saved values; the structure stays (to draw)
            node.saved, node.clock = None, _RELEASED
    return leaves


def _start(seeds):
    """Where the walk starts: the seed gradients per node, (tensor, gradient, owned) for seeds
    that are leaves, each node's consumer count, and the nodes ready to run first."""
    grads, leaves = {}, []
    for t, g in seeds:
        if t.grad_fn is None:
            leaves.append((t, g, False))
        else:
            grads[t.grad_fn] = grads[t.grad_fn] + g if t.grad_fn in grads else g
    return (grads, leaves) + _count_consumers(list(grads))


def _count_consumers(starts):
    """How many nodes send a gradient to each node reachable from `starts`, and the nodes
    of `starts` that no other node sends one to (where the walk begins)."""
    consumers = dict.fromkeys(starts, 0)
    stack = list(starts)
    while stack:
        node = stack.pop()
        if node.clock != _clock:            # freed, or something was changed in place since
            if node.clock == _RELEASED:
                raise RuntimeError(_FREED)
            _catch_up(node)
        for t in node._inputs:
            fn = t.grad_fn
            if fn is not None:
                if fn in consumers:
                    consumers[fn] += 1
                else:
                    consumers[fn] = 1
                    stack.append(fn)
    return consumers, [node for node in starts if not consumers[node]]


def _node_backward(node, grad_out, create_graph, captured):
    """One chain-rule step with everything around it: capture, hooks, retain_grad, anomaly
    checks, observers. (The walk calls `node.backward` directly when none of these apply.)"""
    if grad_out is None:                    # nothing reached this node: no gradient to pass on
        return (None,) * len(node._inputs)
    if captured and node in captured:       # autograd.grad's non-leaf inputs, before hooks (PyTorch)
        captured[node] = grad_out
    if node.hooks:
        grad_out = _run_hooks(node.hooks, grad_out)
    if node.retained is not None and node.retained() is not None:
        _accumulate_leaf(node.retained(), grad_out, owned=False)
    grads_in = node.backward_graph(grad_out) if create_graph else node.backward(grad_out)
    if type(grads_in) is not tuple:
        grads_in = (grads_in,)
    if _anomaly:
        _check_nan(node, grads_in)
    for observer in _observers:
        observer(node, grad_out, grads_in)
    return grads_in


def _fit(g, data):
    """A gradient made to fit its input: broadcasting summed away, the input's dtype."""
    if g.shape != data.shape:
        g = sum_to_shape(g, data.shape)
    if g.dtype is not data.dtype and g.dtype != data.dtype:
        g = _fit_dtype(g, data.dtype)
    return g


def _fit_dtype(g, dtype):
    return g.to(dtype) if isinstance(g, Tensor) else g.astype(dtype)


def _add_up(leaves):
    """Each leaf's gradients added up: {id(leaf): (leaf, total, owned)} (a sum is a new array)."""
    totals = {}
    for t, g, owned in leaves:
        key = id(t)
        totals[key] = (t, totals[key][1] + g, True) if key in totals else (t, g, owned)
    return totals


def _accumulate_leaf(t, g, owned):
    """`t.grad += g`, after the tensor's hooks; a first gradient is stored itself if it is owned
    (see above _walk), else as a copy."""
    if t._hooks:
        g = _run_hooks(t._hooks, g)
        owned = False                       # a hook's result may be the caller's array
    if t._grad is None:
        t._grad = g if isinstance(g, Tensor) else Tensor._wrap(g if owned else g.copy())
    elif isinstance(g, Tensor):             # create_graph: the gradient is a Tensor in the graph
        t._grad = t._grad + g
    else:
        t._grad._array = np.asarray(t._grad._array + g)    # 0-d arrays add up to a NumPy scalar


def retain(tensor):
    """Makes a non-leaf tensor keep its `.grad` after backward (weakly, so no cycle)."""
    tensor.grad_fn.retained = weakref.ref(tensor)


from ..function import Function, FunctionCtx   # noqa: E402  (PyTorch's protocol; it builds on Op)
from ..legacy import Variable                         # noqa: E402  (PyTorch 0.3's name, kept for old code)


def __getattr__(name):
    """`mg.autograd.gradcheck` and `gradgradcheck` live in minigrad/gradcheck.py (imported late: it needs Tensor)."""
    if name in ('gradcheck', 'gradgradcheck'):
        import importlib
        return getattr(importlib.import_module('minigrad.gradcheck'), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
