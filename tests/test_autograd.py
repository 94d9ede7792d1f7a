"""minigrad.autograd, the engine: the backward walk (accumulation, shared nodes, freeing, grad
modes, hooks, retain_grad, errors that teach why), autograd.grad, anomaly mode, and the graph
that survives backward. Gradients of gradients: test_autograd_higher_order.py."""
import gc
import os
import weakref

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Op
from minigrad.ops.elementwise import Mul


class Identity(Op):
    """d x = dx, counting how often the engine calls backward."""
    calls = 0

    def forward(self, x):
        return x.copy()

    def backward(self, grad):
        Identity.calls += 1
        return grad


class CountingMul(Mul):
    """The real Mul, counting its backward calls."""
    calls = 0

    def backward(self, grad):
        CountingMul.calls += 1
        return super().backward(grad)


@pytest.fixture(autouse=True)
def reset_counters():
    Identity.calls = CountingMul.calls = 0


def leaf(values, dtype=mg.float64):
    return mg.tensor(values, dtype=dtype, requires_grad=True)


# ----------------------------------------------------------- accumulation

def test_gradients_accumulate_over_two_backward_calls_on_separate_graphs():
    x = leaf([1.0, 2.0])
    (x * 3).sum().backward()
    (x * 4).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [7.0, 7.0])


def test_gradients_accumulate_over_two_backward_calls_through_a_retained_graph():
    x = leaf([1.0, -2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    np.testing.assert_array_equal(x.grad._array, [2.0, -4.0])
    y.backward()
    np.testing.assert_array_equal(x.grad._array, [4.0, -8.0])


def test_backward_on_a_leaf_adds_the_gradient():
    x = leaf([1.0, 2.0])
    x.backward(gradient=mg.tensor([3.0, 4.0], dtype=mg.float64))
    x.backward(gradient=np.array([1.0, 1.0]))
    np.testing.assert_array_equal(x.grad._array, [4.0, 5.0])


def test_only_leaves_that_require_grad_get_a_gradient():
    x, c = leaf([1.0, 2.0]), mg.tensor([3.0, 4.0], dtype=mg.float64)
    y = x * c
    y.sum().backward()
    assert c.grad is None
    with pytest.warns(UserWarning, match='not a leaf Tensor.*retain_grad'):
        assert y.grad is None                   # PyTorch's warning: a non-leaf keeps no .grad
    np.testing.assert_array_equal(x.grad._array, [3.0, 4.0])


# ------------------------------------------------- shared nodes, diamonds

def test_diamond_graph_sums_both_paths_and_visits_the_shared_node_once():
    x = leaf([1.0, 2.0])
    shared = Identity.apply(x)
    out = (shared * 2 + shared * 3).sum()       # two paths from out back to `shared`
    out.backward()
    np.testing.assert_array_equal(x.grad._array, [5.0, 5.0])
    assert Identity.calls == 1


def test_product_of_two_branches():
    x = leaf([1.0, -3.0])
    a, b = x * 2, x * 3
    (a * b).sum().backward()                    # d/dx 6x² = 12x
    np.testing.assert_array_equal(x.grad._array, [12.0, -36.0])


def test_tensor_used_many_times():
    x = leaf([0.5, 2.0])
    y = x * x + x * x * x + x.exp() - x / x + x
    y.sum().backward()
    a = x._array
    np.testing.assert_allclose(x.grad._array, 2 * a + 3 * a ** 2 + np.exp(a) + 1, rtol=1e-12)
    assert mg.gradcheck(lambda x: x * x + x * x * x + x.exp() - x / x + x, leaf([0.5, 2.0]))


def test_same_tensor_on_both_sides_of_one_op():
    x = leaf([3.0])
    (x * x).backward()
    np.testing.assert_array_equal(x.grad._array, [6.0])


def test_nested_diamonds_visit_every_node_once():
    x = leaf([1.0])
    y = x
    for _ in range(20):                         # 2**20 paths, 40 nodes
        y = Identity.apply(y)
        y = y + y
    y.backward()
    assert Identity.calls == 20
    np.testing.assert_array_equal(x.grad._array, [2.0 ** 20])


# ------------------------------------------------------------- deep chain

def test_chain_of_100_000_ops_backprops_iteratively_visiting_each_node_once():
    n = 100_000
    x = leaf(1.0)
    c = mg.tensor(1.00001, dtype=mg.float64)
    y = x
    for _ in range(n):
        y = CountingMul.apply(y, c)
    y.backward(retain_graph=True)               # no RecursionError
    assert CountingMul.calls == n
    np.testing.assert_allclose(x.grad.item(), 1.00001 ** n, rtol=1e-9)
    del y                                       # freeing a deep graph must not overflow either
    gc.collect()


# ---------------------------------------------------- freeing, retain_graph

def test_backward_frees_what_the_graph_saved():
    x = leaf([1.0, 2.0])
    h = x * x
    node = h.grad_fn
    loss = h.sum()
    assert node.saved is not None
    loss.backward()
    assert node.saved is None                       # the saved values are freed ...
    assert node.inputs == (x, x) and loss.grad_fn.inputs == (h,)    # ... the structure stays
    with pytest.raises(RuntimeError, match='retain_graph=True'):
        loss.backward()


def test_intermediates_are_released_after_backward():
    x = leaf(np.ones(1000))

    def forward():
        hidden = x.exp()
        return weakref.ref(hidden), (hidden * 2).sum()

    hidden, loss = forward()
    assert hidden() is not None                 # the graph holds it
    loss.backward()
    assert loss.grad_fn.inputs[0].grad_fn.saved is None     # backward frees what was saved
    del loss
    assert hidden() is None                     # and the graph goes with its output: no cycles


def test_retain_graph_keeps_what_was_saved():
    x = leaf([1.0, 2.0])
    h = x * x
    loss = h.sum()
    loss.backward(retain_graph=True)
    assert h.grad_fn.saved is not None
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_array_equal(x.grad._array, [6.0, 12.0])
    assert h.grad_fn.saved is None


@pytest.mark.parametrize('through', ['same root', 'shared subgraph'])
def test_second_backward_through_a_freed_graph_says_to_retain_it(through):
    x = leaf([1.0, 2.0])
    h = x.exp()
    loss = (h * 2).sum()
    loss.backward()
    second = loss if through == 'same root' else (h * 3).sum()
    with pytest.raises(RuntimeError, match='retain_graph=True'):
        second.backward()


# ----------------------------------------------------------- backward args

def test_backward_without_gradient_needs_a_one_element_output():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match='scalar') as info:
        (x * 2).backward()
    assert '(2,)' in str(info.value)
    x.sum(dim=0, keepdim=True).unsqueeze(0).backward()     # shape (1, 1) is fine
    np.testing.assert_array_equal(x.grad._array, [1.0, 1.0])


@pytest.mark.parametrize('gradient', [
    mg.tensor([1.0, 10.0, 100.0], dtype=mg.float64),
    np.array([1.0, 10.0, 100.0]),
    [1.0, 10.0, 100.0],
], ids=['tensor', 'array', 'list'])
def test_backward_with_gradient(gradient):
    x = leaf([1.0, 2.0, 3.0])
    (x * x).backward(gradient=gradient)
    np.testing.assert_array_equal(x.grad._array, [2.0, 40.0, 600.0])


def test_backward_gradient_of_the_wrong_shape_is_an_error():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r'\(3,\).*\(2,\)'):
        (x * 2).backward(gradient=np.ones(2))


def test_leaf_gradient_keeps_the_leaf_dtype():
    x = mg.tensor([1.0, 2.0], requires_grad=True)                       # float32
    (x * mg.tensor([1.0, 2.0], dtype=mg.float64)).sum().backward()      # float64 graph
    assert x.grad.dtype == mg.float32


# ------------------------------------------------------------- grad modes

def test_no_grad_as_context_records_nothing():
    x = leaf([1.0])
    assert mg.is_grad_enabled()
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = x * 2
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    np.testing.assert_array_equal(y._array, [2.0])


def test_no_grad_as_decorator():
    x = leaf([1.0])

    @mg.no_grad()
    def double(t):
        assert not mg.is_grad_enabled()
        return t * 2

    y = double(x)
    assert double.__name__ == 'double'
    assert not y.requires_grad and mg.is_grad_enabled()


def test_enable_grad_inside_no_grad_and_nesting():
    x = leaf([1.0])
    with mg.no_grad():
        with mg.enable_grad():
            assert mg.is_grad_enabled()
            y = x * 2
        with mg.no_grad():
            assert not mg.is_grad_enabled()
        assert not mg.is_grad_enabled()

        @mg.enable_grad()
        def triple(t):
            return t * 3

        z = triple(x)
    assert y.requires_grad and z.requires_grad
    (y + z).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [5.0])


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with mg.no_grad():
            1 / 0
    assert mg.is_grad_enabled()


# ------------------------------------------------------------------ hooks

def test_hook_on_a_leaf_sees_the_summed_gradient_once():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g._array.copy()))
    (x * 2 + x * 3).sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [5.0, 5.0])
    np.testing.assert_array_equal(x.grad._array, [5.0, 5.0])


def test_hook_on_a_leaf_can_replace_its_gradient():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 10)
    x.register_hook(lambda g: g + 1)            # hooks run in order, each on the last result
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [21.0, 21.0])


def test_hook_on_a_non_leaf_changes_what_flows_on():
    x = leaf([1.0, 2.0])
    y = x * 3
    seen = []
    y.register_hook(lambda g: seen.append(g._array.copy()))
    y.register_hook(lambda g: g * 0.5)
    (y * y).sum().backward()                    # d/dy = 2y = [6, 12]
    np.testing.assert_array_equal(seen[0], [6.0, 12.0])
    np.testing.assert_array_equal(x.grad._array, [9.0, 18.0])      # 3 * 0.5 * 2y


def test_hook_needs_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match='require'):
        mg.tensor([1.0]).register_hook(lambda g: g)


# Issue 15, item 4: a hook may not change the gradient's shape or dtype
@pytest.mark.parametrize('hook, words', [(lambda g: g.sum(), 'changed the size'),
                                         (lambda g: g.double(), 'changed the type')])
def test_hook_changing_shape_or_dtype_raises(hook, words):
    for on_leaf in (True, False):
        x = mg.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        (x if on_leaf else y).register_hook(hook)
        with pytest.raises(RuntimeError, match=words):
            (y * 3).sum().backward()


# ------------------------------------------------------------- retain_grad

def test_non_leaf_has_no_grad_unless_retained():
    x = leaf([1.0, 2.0])
    y, z = x * 3, x * 4
    y.retain_grad()
    (y * y + z).sum().backward()
    np.testing.assert_array_equal(y.grad._array, 2 * y._array)      # retained: no warning
    with pytest.warns(UserWarning, match='not a leaf Tensor'):
        assert z.grad is None


@pytest.mark.parametrize('hook_first', [True, False])
def test_retained_grad_is_taken_after_the_hooks(hook_first):
    # PyTorch runs the retain_grad hook last, whatever the registration order.
    x = leaf([1.0])
    y = x * 3
    if hook_first:
        y.register_hook(lambda g: g * 2)
    y.retain_grad()
    if not hook_first:
        y.register_hook(lambda g: g * 2)
    (y * 5).sum().backward()
    np.testing.assert_array_equal(y.grad._array, [10.0])
    np.testing.assert_array_equal(x.grad._array, [30.0])


def test_retain_grad_on_a_leaf_changes_nothing():
    x = leaf([1.0])
    x.retain_grad()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad._array, [2.0])


def test_retained_grad_accumulates_like_a_leaf():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    z = y.sum()
    z.backward(retain_graph=True)
    z.backward()
    np.testing.assert_array_equal(x.grad._array, [4.0, 4.0])
    np.testing.assert_array_equal(y.grad._array, [2.0, 2.0])           # PyTorch: tensor([2., 2.])


# --------------------------------------------------- errors that teach why

def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match='does not require grad') as info:
        mg.tensor([1.0, 2.0]).sum().backward()
    assert 'requires_grad=True' in str(info.value)


def test_backward_under_no_grad_says_why():
    x = leaf([1.0])
    with mg.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match='no_grad'):
        y.backward()


def test_backward_on_an_integer_tensor_says_why():
    with pytest.raises(RuntimeError, match='integer'):
        mg.tensor([1, 2]).sum().backward()


@pytest.mark.parametrize('make', [
    lambda: mg.tensor([1, 2], requires_grad=True),
    lambda: mg.tensor([True], requires_grad=True),
    lambda: mg.tensor([1, 2]).requires_grad_(),
    lambda: mg.arange(3, requires_grad=True),
    lambda: mg.zeros(2, dtype=mg.int64, requires_grad=True),
], ids=['tensor int', 'tensor bool', 'requires_grad_', 'arange', 'zeros int64'])
def test_integer_tensors_cannot_require_grad(make):
    with pytest.raises(RuntimeError, match='floating point'):
        make()


@pytest.mark.parametrize('op, name', [
    (lambda a, b: a + b, 'Add'),
    (lambda a, b: a - b, 'Sub'),
    (lambda a, b: a * b, 'Mul'),
    (lambda a, b: a / b, 'Div'),
    (lambda a, b: a ** b, 'Pow'),
    (mg.maximum, 'Maximum'),
    (lambda a, b: mg.where(mg.tensor(True), a, b), 'Where'),
])
def test_shape_mismatch_names_the_op_and_both_shapes(op, name):
    a, b = mg.ones(2, 3, requires_grad=True), mg.ones(4)
    with pytest.raises(RuntimeError) as info:
        op(a, b)
    message = str(info.value)
    assert name in message and '(2, 3)' in message and '(4,)' in message


@pytest.mark.parametrize('a, b', [((3, 4), (5,)), ((2, 3, 4), (2, 1, 5)), ((3,), (4,)), ((1, 4, 1), (3, 5, 2))])
def test_a_broadcast_error_states_the_shapes_once_in_pytorchs_words(torch, a, b):
    with pytest.raises(RuntimeError) as ours:
        mg.ones(*a, requires_grad=True) + mg.ones(*b)
    with pytest.raises(RuntimeError) as theirs:
        torch.ones(*a) + torch.ones(*b)
    message = str(ours.value)
    assert message.count(str(a)) == 1 and message.count(str(b)) == 1, message
    assert str(theirs.value).lower() in message.lower()      # "the size of tensor a (4) must match ..."
    assert 'equal or 1' in message                           # how broadcasting lines sizes up


def test_requires_grad_can_only_be_switched_off_on_leaves():
    x = leaf([1.0])
    y = x * 2
    with pytest.raises(RuntimeError, match='leaf'):
        y.requires_grad_(False)
    assert x.requires_grad_(False) is x and not x.requires_grad


# ------------------------------------------------- gradients never alias

def test_leaves_summed_together_get_distinct_gradient_arrays():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    assert a.grad._array is not b.grad._array
    assert not np.shares_memory(a.grad._array, b.grad._array)
    a.grad._array[0] = 100.0
    np.testing.assert_array_equal(b.grad._array, [1.0, 1.0])


def test_leaf_gradient_does_not_alias_the_gradient_passed_in():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    g = mg.tensor([1.0, 1.0], dtype=mg.float64)
    (a + b).backward(gradient=g)
    for t in (a, b):
        assert not np.shares_memory(t.grad._array, g._array)
    g._array[:] = 7.0
    np.testing.assert_array_equal(a.grad._array, [1.0, 1.0])
    x = leaf([1.0, 2.0])
    x.backward(gradient=g)
    assert not np.shares_memory(x.grad._array, g._array)


@pytest.mark.parametrize('fn', [
    lambda a, b: (a.sum() + b.sum()),
    lambda a, b: mg.cat([a, b]).sum(),
    lambda a, b: mg.stack([a, b]).sum(),
    lambda a, b: (a.reshape(2, 1) - b.reshape(2, 1)).sum(),
    lambda a, b: (a.expand(3, 2) + b).sum(),
    lambda a, b: mg.where(mg.tensor([True, False]), a, b).sum(),
], ids=['sum', 'cat', 'stack', 'reshape', 'expand', 'where'])
def test_leaf_gradients_are_writable_and_independent(fn):
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    fn(a, b).backward()
    before = b.grad._array.copy()
    a.grad.zero_()                              # an optimizer's zero_grad writes in place
    a.grad._array += 1.0
    np.testing.assert_array_equal(b.grad._array, before)
    b.grad.zero_()
    np.testing.assert_array_equal(a.grad._array, [1.0, 1.0])


def test_retained_grad_does_not_alias_leaf_grads():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = a + b
    y.retain_grad()
    y.sum().backward()
    assert not np.shares_memory(y.grad._array, a.grad._array)
    assert not np.shares_memory(y.grad._array, b.grad._array)


# ------------------------------------------------------------------- autograd.grad

def test_grad_leaves_dot_grad_alone_and_checks_unused():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    z = mg.tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    g, = mg.autograd.grad(y, x, retain_graph=True)
    assert g.tolist() == [2.0, 4.0] and x.grad is None
    with pytest.raises(RuntimeError, match='not have been used in the graph.*allow_unused=True'):
        mg.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = mg.autograd.grad(y, [x, z], allow_unused=True)
    assert gz is None and gx.tolist() == [2.0, 4.0]


def test_grad_of_a_non_leaf_and_with_grad_outputs():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2
    y = h ** 2
    gh, gx = mg.autograd.grad(y, [h, x], grad_outputs=mg.tensor([1.0, 0.0, -1.0]))
    assert gh.tolist() == [4.0, 0.0, -12.0] and gx.tolist() == [8.0, 0.0, -24.0]


def test_grad_of_several_outputs_adds_them():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a, b = (x * 3).sum(), (x * x).sum()
    g, = mg.autograd.grad([a, b], x)
    assert g.tolist() == [5.0, 7.0]


# ------------------------------------------------------------------- anomaly mode

def test_anomaly_mode_names_the_node_and_the_forward_line():
    x = mg.tensor([1.0, 0.0], requires_grad=True)
    with mg.autograd.detect_anomaly():
        y = x.sqrt()                            # d sqrt at 0 times 0 below: nan
        loss = (y * 0).sum()
        with pytest.raises(RuntimeError, match=r"'SqrtBackward' returned nan") as info, \
                np.errstate(invalid='ignore', divide='ignore'):
            loss.backward()
    assert os.path.basename(__file__) in str(info.value) and 'y = x.sqrt()' in str(info.value)
    assert not mg.autograd.is_anomaly_enabled()


def test_anomaly_mode_is_off_by_default_and_switchable():
    assert not mg.autograd.is_anomaly_enabled()
    mg.autograd.set_detect_anomaly(True)
    try:
        y = (mg.tensor([1.0], requires_grad=True) * 2)
        assert os.path.basename(__file__) in y.grad_fn.made_at
    finally:
        mg.autograd.set_detect_anomaly(False)
    assert 'made_at' not in (mg.tensor([1.0], requires_grad=True) * 2).grad_fn.__dict__


# ------------------------------------------------------------ the graph after backward

def test_structure_survives_backward_and_a_second_backward_still_raises():
    w = mg.tensor([[1.0, 2.0]], requires_grad=True)
    loss = (w @ mg.tensor([[3.0], [4.0]])).tanh().sum()
    loss.backward()
    names = []
    node = loss.grad_fn
    while node.next_functions:
        names.append(node.name)
        node = node.next_functions[0][0]
    assert names == ['SumBackward', 'TanhBackward', 'MatMulBackward'] and node.variable is w
    with pytest.raises(RuntimeError, match='retain_graph=True'):
        loss.backward()
    dot = mg.viz.to_dot(loss)
    assert 'TanhBackward' in dot and 'grad' in dot


# ------------------------------------------------- .grad never shared (G26), hooks at second order (G5)

try:
    import torch as _torch
except ImportError:                         # the expected numbers below are PyTorch's
    _torch = None


def _shared_grad_run(lib, case):
    """Two leaves fed through one Add (the same incoming gradient for both), create_graph=True,
    then a second backward of a function of a.grad; the .grads of a, b (and a retained y)."""
    a = lib.tensor([0.3, 1.2], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([0.5, -0.7], dtype=lib.float64, requires_grad=True)
    y = a + b
    if case == 'retained':
        y.retain_grad()
    y.sin().sum().backward(create_graph=True)
    assert a.grad is not b.grad and (case != 'retained' or y.grad is not a.grad)
    (a.grad ** 2).sum().backward()
    grads = [a.grad, b.grad] + ([y.grad] if case == 'retained' else [])
    return [g.detach().numpy().tolist() for g in grads]


@pytest.mark.filterwarnings('ignore:Using backward')       # PyTorch's, on create_graph
@pytest.mark.parametrize('case', ['leaves', 'retained'])
def test_create_graph_grads_are_never_shared_between_leaves(case):
    got = _shared_grad_run(mg, case)
    expected = [[-0.3029, 0.0361]] * 2 + ([[-0.3029, 0.0361]] if case == 'retained' else [])
    np.testing.assert_allclose(got, expected, atol=1e-4)
    if _torch is not None:
        np.testing.assert_allclose(got, _shared_grad_run(_torch, case), rtol=1e-12)


def _hooked_second_order(lib, op):
    """A hook on y that the second backward passes through: through the output saved by
    exp's backward too (PyTorch unpacks it with y's grad_fn, so the hook sees that path)."""
    x = lib.tensor([0.3, 1.2], dtype=lib.float64, requires_grad=True)
    y = {'exp': x.exp, 'sigmoid': x.sigmoid, 'tanh': x.tanh, 'square': lambda: x * x}[op]()
    calls = []
    y.register_hook(lambda g: calls.append(1) or g * 2)
    g, = lib.autograd.grad((y * y).sum(), x, create_graph=True)
    g2, = lib.autograd.grad(g.sum(), x)
    return g2.numpy().tolist(), len(calls)


@pytest.mark.parametrize('op, expected', [('exp', [29.1539, 176.3708]), ('sigmoid', [0.3108, -0.3342]),
                                          ('tanh', [5.4572, -2.6474]), ('square', [3.6, 57.6])])
def test_hook_on_a_non_leaf_applies_in_the_second_backward(op, expected):
    got, calls = _hooked_second_order(mg, op)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert calls == 2
    if _torch is not None:
        np.testing.assert_allclose(got, _hooked_second_order(_torch, op)[0], rtol=1e-12)


def _hooks_removed(lib, leaf, how):
    """Two hooks (×10, ×100) on a leaf or on y; the first removed by `how`; the gradient."""
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    y = x * 3
    target = x if leaf else y
    first = target.register_hook(lambda g: g * 10)
    second = target.register_hook(lambda g: g * 100)
    if how == 'remove':
        first.remove()
        first.remove()                      # a second remove does nothing
    elif how == 'with':
        with first as handle:
            assert handle is first
    assert isinstance(first.id, int) and first.id != second.id
    (y * y).sum().backward()
    return x.grad.numpy().tolist()


@pytest.mark.parametrize('leaf', [True, False], ids=['leaf', 'non-leaf'])
@pytest.mark.parametrize('how', ['remove', 'with', 'kept'])
def test_register_hook_returns_a_handle_that_removes_it(leaf, how):
    """G16: register_hook returned the function itself, so a hook could not be taken out."""
    got = _hooks_removed(mg, leaf, how)
    assert got == ([18000.0, 36000.0] if how == 'kept' else [1800.0, 3600.0])
    if _torch is not None:
        assert got == _hooks_removed(_torch, leaf, how)


def test_a_hook_may_remove_itself_while_it_runs():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: seen.append('once') or handle.remove())
    x.register_hook(lambda g: seen.append('other'))
    (x * 2).sum().backward(retain_graph=True)
    (x * 2).sum().backward()
    assert seen == ['once', 'other', 'other']
    assert type(handle) is mg.utils.hooks.RemovableHandle


def _grad_twice(lib, case):
    """Two calls into one graph out = Σ sin(2x) + cos(3y), h = 2x, without retain_graph:
    'ok' and the second result, or 'raises' and the start of the error."""
    x = lib.tensor([0.3, 1.2], dtype=lib.float64, requires_grad=True)
    y = lib.tensor([0.5, -0.7], dtype=lib.float64, requires_grad=True)
    h = x * 2
    out = (h.sin() + (y * 3).cos()).sum()
    first, second = {'x then y': ((out, x), (out, y)), 'x then x': ((out, x), (out, x)),
                     'h then x': ((out, h), (out, x)), 'h then below h': ((out, h), (h.sum(), x)),
                     'y then backward': ((out, y), None)}[case]
    try:
        lib.autograd.grad(*first)
        if second is None:
            out.backward()
            return 'ok', x.grad.tolist()
        return 'ok', lib.autograd.grad(*second)[0].tolist()
    except RuntimeError as error:
        return 'raises', str(error)[:50]


FREED_START = 'Trying to backward through the graph a second time'


@pytest.mark.parametrize('case, expected', [
    ('x then y', ('ok', [-2.99248496, 2.58962810])),    # y's branch was not run, so not freed
    ('h then below h', ('ok', [2.0, 2.0])),             # nor what lies below a non-leaf input
    ('x then x', ('raises', FREED_START)),               # sin's saved input was freed
    ('h then x', ('raises', FREED_START)),
    ('y then backward', ('raises', FREED_START))])
def test_grad_frees_only_the_nodes_it_ran_through(case, expected):
    """G17: autograd.grad(out, [x]) freed the whole graph, so grad(out, [y]) raised."""
    got = _grad_twice(mg, case)
    assert got[0] == expected[0]
    if got[0] == 'ok':
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-8)
    else:
        assert got[1].startswith(expected[1])
    if _torch is not None:
        theirs = _grad_twice(_torch, case)
        assert got[0] == theirs[0] and (got[0] == 'raises' or np.allclose(got[1], theirs[1]))


def test_nodes_that_saved_nothing_may_run_again_as_in_pytorch():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    z = (x + 1).sum()                       # Add and Sum keep no tensor for their backward
    z.backward()
    z.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])
