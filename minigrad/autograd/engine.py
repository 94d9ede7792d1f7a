"""The backward pass: `backward`, `grad`, and the walk that applies the chain rule node by node.

The walk starts at the output with d output / d output = 1, runs each node's backward once all
its consumers have sent their gradient (Kahn's algorithm, no recursion), sums broadcast
gradients back to each input's shape (graph.sum_to_shape) and adds what reaches a leaf into
its `.grad`. It knows nothing about individual ops: each node's `backward` is the op's own.
"""
import weakref

import numpy as np

from . import graph, mode, versions
from .graph import sum_to_shape

_ndarray = np.ndarray


#: Called as observer(node, grad_out, grads_in) for each node the walk visits
#: (used by `minigrad.viz.trace_backward`); empty when nobody is watching.
_observers = []


def _run_hooks(hooks, grad):
    """Calls each hook with the gradient; one that returns a tensor replaces it (same shape and dtype)."""
    for hook in tuple(hooks):               # a hook may remove itself (its handle) as it runs
        array_mode = not isinstance(grad, graph.Tensor)
        result = hook(graph.Tensor._wrap(grad) if array_mode else grad)
        if result is None:
            continue
        if array_mode:
            result = result._array if isinstance(result, graph.Tensor) else np.asarray(result)
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
    for t, g, owned in leaves.values():
        if t._grad is None and type(g) is _ndarray and not t._hooks:   # speed: the usual first
            t._grad = graph.Tensor._wrap(g if owned else g.copy())    # gradient, without a call
        else:
            _accumulate_leaf(t, g, owned)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """The gradients of `outputs` with respect to each of `inputs` (PyTorch's torch.autograd.grad);
    `.grad` is left as it is. With create_graph=True they are differentiable in turn."""
    outputs = [outputs] if isinstance(outputs, graph.Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, graph.Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, graph.Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    for t in outputs:
        if not t.requires_grad:
            raise RuntimeError('element 0 of tensors does not require grad and does not have a '
                               'grad_fn: the outputs must be computed from inputs that require grad')
    seeds = [(t, _seed(t, g, create_graph)) for t, g in zip(outputs, grad_outputs)]
    retain_graph = create_graph if retain_graph is None else retain_graph
    captured = {t.grad_fn: None for t in inputs if t.grad_fn is not None}
    needed = _needed([t.grad_fn for t, _ in seeds if t.grad_fn is not None],
                     {id(t) for t in inputs if t.grad_fn is None}, captured)
    leaves = _walk(seeds, retain_graph, create_graph, captured, needed)
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
        results.append(None if g is None else g if isinstance(g, graph.Tensor) else graph.Tensor._wrap(g))
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
        return graph.Tensor._wrap(ones) if create_graph else ones
    if isinstance(gradient, graph.Tensor):
        gradient = gradient if create_graph else gradient._array
    else:
        gradient = np.asarray(gradient, dtype=output._array.dtype)
    if tuple(gradient.shape) != tuple(output.shape):
        raise RuntimeError(f'backward(gradient=...) needs the shape of the tensor, '
                           f'{tuple(output.shape)}, got {tuple(gradient.shape)}')
    if not isinstance(gradient, graph.Tensor):
        gradient = np.asarray(gradient, dtype=output._array.dtype)
        return graph.Tensor._wrap(gradient) if create_graph else gradient
    return _fit_dtype(gradient, output._array.dtype)


# The walk is iterative, so a graph may be as deep as memory allows, and it visits each node
# once, so its time is linear in the graph's size. `captured` (for autograd.grad) maps nodes
# to the gradient that reached them; `needed` (also for autograd.grad) holds the nodes through
# which an input is reached: as in PyTorch, only these run (and are freed).
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

def _walk(seeds, retain_graph, create_graph, captured=None, needed=None):
    """The backward pass from (tensor, gradient) seeds, by Kahn's algorithm: each node runs once,
    when all its consumers have sent their gradient. Returns {id(leaf): (leaf, sum, owned)}."""
    grads, leaves, consumers, ready = _start(seeds, needed)
    plain = not (create_graph or mode._anomaly or _observers or needed is not None)  # speed: above
    while ready:
        node = ready.pop()
        grad_out = grads.pop(node, None)
        if plain and grad_out is not None and not node.hooks and node.retained is None:
            grads_in = node.backward(grad_out)
        elif (grads_in := _node_backward(node, grad_out, create_graph, captured, needed)) is None:
            continue                            # autograd.grad has no input beyond this node
        for t, g in zip(node._inputs, grads_in if type(grads_in) is tuple else (grads_in,)):
            fn = t.grad_fn
            if g is not None and t._requires_grad:
                data = t._array
                if g.shape != data.shape or g.dtype is not data.dtype:
                    g = _fit(g, data)
                if fn is None:                  # a leaf: its gradients are added up
                    _add_leaf(leaves, t, g, g is not grad_out and getattr(g, 'base', None) is None)
                    continue
                grads[fn] = grads[fn] + g if fn in grads else g
            elif fn is None:                    # a constant, or a leaf this node sends nothing
                continue
            consumers[fn] = waiting = consumers[fn] - 1
            if not waiting:                     # every consumer of fn has sent its gradient
                ready.append(fn)
        if not retain_graph and node.saved is not None:     # free the saved values (a node that
            node.saved, node.clock = None, _RELEASED        # saved none may run again, as in PyTorch)
    return leaves


def _start(seeds, needed=None):
    """Where the walk starts: the seed gradients per node, {id(leaf): (leaf, gradient, owned)}
    for seeds that are leaves, each node's consumer count, and the nodes ready to run first."""
    grads, leaves = {}, {}
    for t, g in seeds:
        if t.grad_fn is None:
            _add_leaf(leaves, t, g, False)
        else:
            grads[t.grad_fn] = grads[t.grad_fn] + g if t.grad_fn in grads else g
    return (grads, leaves) + _count_consumers(list(grads), needed)


def _add_leaf(leaves, t, g, owned):
    """Adds leaf t's gradient g into `leaves` ({id(leaf): (leaf, gradient, owned)}); a sum is owned."""
    key = id(t)
    leaves[key] = (t, leaves[key][1] + g, True) if key in leaves else (t, g, owned)


def _count_consumers(starts, needed=None):
    """How many nodes send a gradient to each node reachable from `starts` (through `needed`
    nodes only, if given), and the nodes of `starts` that no other node sends one to."""
    consumers = dict.fromkeys(starts, 0)
    stack = list(starts)
    while stack:
        node = stack.pop()
        if needed is not None and node not in needed:
            continue                        # the walk will not run it: neither check nor count on
        if node.clock != versions._clock:   # freed, or something was changed in place since
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


def _needed(starts, leaf_ids, captured):
    """The nodes from which a gradient reaches a leaf in `leaf_ids` or a `captured` node: the
    ones autograd.grad runs (PyTorch's engine runs no others). Depth first, each node once."""
    needed, seen = set(), set()
    stack = [(node, False) for node in starts]
    while stack:
        node, inputs_done = stack.pop()
        fns = [t.grad_fn if node.clock == versions._clock else versions._grad_fn_at(t, node)[0]
               for t in node._inputs]
        if inputs_done:
            if any(id(t) in leaf_ids if fn is None else fn in needed or fn in captured
                   for t, fn in zip(node._inputs, fns)):
                needed.add(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack += [(fn, False) for fn in fns if fn is not None]
    return needed


def _node_backward(node, grad_out, create_graph, captured, needed=None):
    """One chain-rule step with everything around it: capture, hooks, retain_grad, anomaly
    checks, observers. (The walk calls `node.backward` directly when none of these apply.)
    None for a node autograd.grad need not run (no input lies beyond it): it is not run."""
    if captured and node in captured:       # autograd.grad's non-leaf inputs, before hooks (PyTorch)
        captured[node] = grad_out
    if needed is not None and node not in needed:
        return None
    if grad_out is None:                    # nothing reached this node: it passes nothing on,
        grads_in = node._missing_gradient(create_graph)     # or zeros' gradients (custom Function)
        return (None,) * len(node._inputs) if grads_in is None else grads_in
    if node.hooks:
        grad_out = _run_hooks(node.hooks, grad_out)
    if node.retained is not None and node.retained() is not None:
        _accumulate_leaf(node.retained(), grad_out, owned=False)
    grads_in = node.backward_graph(grad_out) if create_graph else node.backward(grad_out)
    if type(grads_in) is not tuple:
        grads_in = (grads_in,)
    if mode._anomaly:
        mode._check_nan(node, grads_in)
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
    return g.to(dtype) if isinstance(g, graph.Tensor) else g.astype(dtype)


def _accumulate_leaf(t, g, owned):
    """`t.grad += g`, after the tensor's hooks; a first gradient is stored itself if it is owned
    (see above _walk), else as a copy."""
    if t._hooks:
        g = _run_hooks(t._hooks, g)
        owned = False                       # a hook's result may be the caller's array
    if isinstance(g, graph.Tensor):         # create_graph: the gradient is a Tensor in the graph
        with mode.enable_grad():            # a copy (PyTorch's CopyBackwards): never shared
            t._grad = g.clone() if t._grad is None else t._grad + g
    elif t._grad is None:
        t._grad = graph.Tensor._wrap(g if owned else g.copy())
    else:
        t._grad._array = np.asarray(t._grad._array + g)    # 0-d arrays add up to a NumPy scalar


def _catch_up(node):
    """For a node made before some in-place op: raises if a value it saved was changed since,
    and points each input that took a new history since at a stand-in for its old one. Only
    the storages and tensors changed since the node was made are looked at, when known."""
    changed = versions.changed_since(node.clock)
    storages, retargeted = changed if changed is not None else (None, None)
    if getattr(node, 'saved', None) is not None and (storages is None or storages and
                                                     versions.saves_from(node, storages)):
        versions._check_saved(node)
    if retargeted is None or retargeted and not retargeted.isdisjoint(map(id, node._inputs)):
        inputs = []
        for t in node._inputs:
            grad_fn, requires_grad = versions._grad_fn_at(t, node)
            if grad_fn is not t.grad_fn or requires_grad != t.requires_grad:
                t = graph.Tensor._wrap(t._array, requires_grad)
                t.grad_fn = grad_fn
            inputs.append(t)
        node._inputs = tuple(inputs)
    node.clock = versions._clock


def retain(tensor):
    """Makes a non-leaf tensor keep its `.grad` after backward (weakly, so no cycle)."""
    tensor.grad_fn.retained = weakref.ref(tensor)
