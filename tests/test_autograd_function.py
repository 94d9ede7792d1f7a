"""Custom ops in PyTorch's protocol: minigrad/autograd/function.py (`mg.autograd.Function` and its
ctx, `FunctionCtx`). What ctx keeps and frees, needs_input_grad, mark_non_differentiable,
set_materialize_grads, setup_context, the checks on what forward and backward return, the node
a custom op records (name, rule, source), no_grad, create_graph and gradcheck; PyTorch is the
oracle wherever the behaviour is PyTorch's. tests/test_pytorch_idioms.py has the tutorial-level
tests of the protocol; these complement them."""
import inspect
import re

import numpy as np
import pytest

import minigrad as mg
from helpers import Cube
from minigrad.autograd import FunctionCtx

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason='PyTorch is not installed')
LIBS = [mg] + ([torch] if torch is not None else [])
lib_ids = lambda lib: lib.__name__


def twin(cls, lib):
    """`cls` (a minigrad Function) for `lib`: the same name and the same static methods."""
    if lib is mg:
        return cls
    methods = {k: v for k, v in vars(cls).items() if k in ('forward', 'backward', 'setup_context')}
    return type(cls.__name__, (torch.autograd.Function,), {'__doc__': cls.__doc__, **methods})


def leaf(lib, values, requires_grad=True):
    return lib.tensor(values, dtype=lib.float64, requires_grad=requires_grad)


def numpy(t):
    return None if t is None else t.detach().numpy()


# ------------------------------------------------------------------- ops the tests use

class Affine(mg.autograd.Function):
    """d (k x + y) = k dx + dy, with the number k between two tensors"""

    @staticmethod
    def forward(ctx, x, k, y):
        ctx.k = k
        return x * k + y

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.k, None, grad_output


class ScaledProduct(mg.autograd.Function):
    """d (k x y) = k y dx + k x dy, in PyTorch 2's split form (forward without ctx)"""

    @staticmethod
    def forward(x, y, k):
        return x * y * k

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, y, k = inputs
        ctx.save_for_backward(x, y)
        ctx.k = k
        ctx.output_seen = (tuple(output.shape), output.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        return grad_output * y * ctx.k, grad_output * x * ctx.k, None


# ------------------------------------------------------------ save_for_backward and freeing

class SavesWithNone(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(y, None, x)
        return x * y

    @staticmethod
    def backward(ctx, grad_output):
        y, nothing, x = ctx.saved_tensors
        ctx.seen = (y, nothing, x)
        return grad_output * y, grad_output * x


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_saved_tensors_come_back_in_order_with_none_kept(lib):
    """saved_tensors returns exactly what was saved, the same objects, None in its place."""
    x, y = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
    out = twin(SavesWithNone, lib).apply(x, y)
    node = out.grad_fn
    assert len(node.saved_tensors) == 3 and node.saved_tensors[1] is None
    out.sum().backward()
    assert node.seen[0] is y and node.seen[1] is None and node.seen[2] is x
    assert numpy(x.grad).tolist() == [3.0, 4.0] and numpy(y.grad).tolist() == [1.0, 2.0]


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_retain_graph_keeps_saved_tensors_until_the_last_backward(lib):
    """retain_graph=True keeps them (gradients accumulate); the next backward frees them."""
    x = leaf(lib, [1.0, -2.0])
    y = twin(Cube, lib).apply(x)
    y.sum().backward(retain_graph=True)
    assert y.grad_fn.saved_tensors[0] is x
    y.sum().backward()
    assert numpy(x.grad).tolist() == [6.0, 24.0]             # 2 × 3x²
    with pytest.raises(RuntimeError, match='Trying to backward through the graph a second time'):
        y.grad_fn.saved_tensors
    with pytest.raises(RuntimeError, match='retain_graph=True'):
        y.sum().backward()


@needs_torch
def test_freed_saved_tensors_message_is_pytorchs():
    """The message after backward freed ctx's tensors reads as PyTorch's (its first sentence)."""
    messages = []
    for lib in (mg, torch):
        y = twin(Cube, lib).apply(leaf(lib, [1.0]))
        y.backward()
        with pytest.raises(RuntimeError) as error:
            y.grad_fn.saved_tensors
        messages.append(str(error.value).split('. ')[0])
    assert messages[0] == messages[1]


@pytest.mark.parametrize('value', [3, 2.5, np.ones(2), 'x'], ids=['int', 'float', 'ndarray', 'str'])
@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_save_for_backward_of_a_non_tensor_is_a_type_error(lib, value):
    class SavesANumber(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, value)
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2

    with pytest.raises(TypeError, match=type(value).__name__):
        twin(SavesANumber, lib).apply(leaf(lib, [1.0]))


def test_save_for_backward_error_says_to_keep_values_as_attributes():
    class SavesK(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x, k)
            return x * k

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, None

    with pytest.raises(TypeError, match=r'only save tensors \(or None\), but got int.*ctx\.k = k'):
        SavesK.apply(leaf(mg, [1.0]), 3)


def test_nothing_saved_reads_as_an_empty_tuple():
    y = Affine.apply(leaf(mg, [1.0]), 2.0, leaf(mg, [0.0]))
    assert y.grad_fn.saved_tensors == ()


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_saved_input_changed_in_place_fails_backward(lib):
    """A tensor saved by a custom op and then changed in place: backward refuses, as PyTorch's."""
    x = leaf(lib, [1.0, 2.0])
    h = x * 1
    y = twin(Cube, lib).apply(h)
    h.mul_(2)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        y.sum().backward()


# ------------------------------------------------------------------------ needs_input_grad

class Product(mg.autograd.Function):
    """d (x y) = y dx + x dy, computing only the gradients asked for"""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        want_x, want_y = ctx.needs_input_grad
        return (grad_output * y if want_x else None), (grad_output * x if want_y else None)


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_needs_input_grad_follows_each_argument(lib):
    """One flag per argument of forward: tensors by requires_grad, everything else False."""
    x, y = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0], requires_grad=False)
    assert twin(Product, lib).apply(x, y).grad_fn.needs_input_grad == (True, False)
    assert twin(Product, lib).apply(y, x).grad_fn.needs_input_grad == (False, True)
    assert twin(Affine, lib).apply(x, 2.0, y).grad_fn.needs_input_grad == (True, False, False)
    twin(Product, lib).apply(x, y).sum().backward()
    assert numpy(x.grad).tolist() == [3.0, 4.0] and y.grad is None


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_none_gradient_for_an_input_that_requires_grad_leaves_its_grad_none(lib):
    class OnlyY(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad_output):
            return None, grad_output

    x, y = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
    twin(OnlyY, lib).apply(x, y).sum().backward()
    assert x.grad is None and numpy(y.grad).tolist() == [1.0, 1.0]


# ------------------------------------------------- mark_non_differentiable, set_materialize_grads

class ArgMax(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        index = x.argmax()
        ctx.mark_non_differentiable(index)
        return index

    @staticmethod
    def backward(ctx, grad_output):
        return None


class Doubled(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = x * 2
        ctx.mark_non_differentiable(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        raise AssertionError('never called: the output does not require grad')


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_mark_non_differentiable_outputs_do_not_require_grad(lib):
    """A marked output (integer or float) is a constant: no grad_fn, no requires_grad."""
    x = leaf(lib, [0.5, 3.0, -1.0])
    index = twin(ArgMax, lib).apply(x)
    assert index.item() == 1 and not index.requires_grad and index.grad_fn is None
    doubled = twin(Doubled, lib).apply(x)
    assert numpy(doubled).tolist() == [1.0, 6.0, -2.0]
    assert not doubled.requires_grad and doubled.grad_fn is None


class Unmaterialized(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        ctx.received = grad_output
        return grad_output * 2


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_set_materialize_grads_false_still_passes_the_gradient(lib):
    """Accepted; with the output used, backward receives its gradient as a tensor."""
    x = leaf(lib, [1.0, 2.0, 3.0])
    y = twin(Unmaterialized, lib).apply(x)
    y.backward(lib.tensor([1.0, -1.0, 0.5], dtype=lib.float64))
    assert isinstance(y.grad_fn.received, lib.Tensor)
    assert numpy(y.grad_fn.received).tolist() == [1.0, -1.0, 0.5]
    assert numpy(x.grad).tolist() == [2.0, -2.0, 1.0]


# ------------------------------------------------------------------------------ setup_context

@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_setup_context_split_form(lib):
    """forward(*args) without ctx, then setup_context(ctx, inputs, output) fills ctx."""
    x, y = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, -1.0])
    out = twin(ScaledProduct, lib).apply(x, y, 2.0)
    node = out.grad_fn
    assert type(node).__name__ == 'ScaledProductBackward'
    assert node.output_seen == ((2,), False)         # setup_context sees forward's plain output
    assert node.needs_input_grad == (True, True, False) and node.k == 2.0
    assert node.saved_tensors[0] is x and node.saved_tensors[1] is y
    out.sum().backward()
    assert numpy(x.grad).tolist() == [6.0, -2.0] and numpy(y.grad).tolist() == [2.0, 4.0]


def test_setup_context_form_passes_gradcheck():
    x, y = leaf(mg, [0.3, -1.2, 2.0]), leaf(mg, [1.5, 0.7, -0.4])
    assert mg.gradcheck(lambda a, b: ScaledProduct.apply(a, b, -1.5), (x, y))


def test_without_setup_context_forward_receives_ctx_first():
    """Without setup_context, forward receives ctx first (the classic form)."""
    class Classic(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.got = isinstance(ctx, FunctionCtx)
            return x + 1

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    assert Classic.apply(leaf(mg, [1.0])).grad_fn.got is True


# ------------------------------------------------------------------------ non-tensor arguments

@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_a_number_between_tensors_gets_a_none_gradient(lib):
    x, y = leaf(lib, [1.0, 2.0]), leaf(lib, [0.5, 0.5])
    out = twin(Affine, lib).apply(x, 3.0, y)
    assert numpy(out).tolist() == [3.5, 6.5]
    out.sum().backward()
    assert numpy(x.grad).tolist() == [3.0, 3.0] and numpy(y.grad).tolist() == [1.0, 1.0]


def test_gradcheck_of_an_op_with_a_number_argument():
    x, y = leaf(mg, [0.3, -1.2]), leaf(mg, [1.5, 0.7])
    assert mg.gradcheck(lambda a, b: Affine.apply(a, -2.5, b), (x, y))


class GradientForTheNumber(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        return x * k

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 2, grad_output          # a gradient for k, which is no tensor


def test_a_gradient_for_a_non_tensor_argument_is_an_error():
    """G19: it was dropped without a look; PyTorch's words, position counted from 1."""
    with pytest.raises(RuntimeError, match='function GradientForTheNumberBackward returned a gradient '
                                           'different than None at position 2, but the corresponding '
                                           'forward input was not a Variable'):
        GradientForTheNumber.apply(leaf(mg, [1.0, 2.0]), 2.0).sum().backward()


@needs_torch
def test_a_gradient_for_a_non_tensor_argument_is_an_error_in_pytorch():
    """The behaviour the test above expects, as PyTorch has it."""
    with pytest.raises(RuntimeError, match='gradient different than None at position 2'):
        twin(GradientForTheNumber, torch).apply(leaf(torch, [1.0, 2.0]), 2.0).sum().backward()


# ------------------------------------------------------------ checks on what backward returns

def returning(*make_grads):
    """A two-input Function x * y whose backward returns make_grads(grad_output)."""
    class Returns(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad_output):
            grads = tuple(make(grad_output) for make in make_grads)
            return grads[0] if len(grads) == 1 else grads

    return Returns


@pytest.mark.parametrize('count', [1, 3])
@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_wrong_number_of_gradients_names_both_counts(lib, count):
    op = twin(returning(*[lambda g: g] * count), lib)
    with pytest.raises(RuntimeError, match=rf'function ReturnsBackward returned an incorrect number '
                                           rf'of gradients \(expected 2, got {count}\)'):
        op.apply(leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])).sum().backward()


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_invalid_gradient_names_its_index_and_both_shapes(lib):
    op = twin(returning(lambda g: g, lambda g: lib.ones(3, dtype=lib.float64)), lib)
    with pytest.raises(RuntimeError, match=r'returned an invalid gradient at index 1 - got \[3\] but '
                                           r'expected shape compatible with \[2\]'):
        op.apply(leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])).sum().backward()


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_gradient_of_a_broadcast_shape_is_summed_to_the_input(lib):
    """A (3, 2) gradient for a (2,) input is summed over the new axis, as PyTorch does."""
    op = twin(returning(lambda g: lib.ones(3, 2, dtype=lib.float64), lambda g: g), lib)
    x, y = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
    op.apply(x, y).sum().backward()
    assert numpy(x.grad).tolist() == [3.0, 3.0] and numpy(y.grad).tolist() == [1.0, 1.0]


@pytest.mark.parametrize('small, got', [(lambda g: mg.ones(1, dtype=mg.float64), r'\[1\]'),
                                        (lambda g: mg.tensor(1.0, dtype=mg.float64), r'\[\]'),
                                        (lambda g: 1.0, r'\[\]')], ids=['shape1', 'scalar', 'float'])
def test_gradient_smaller_than_its_input_is_an_invalid_gradient(small, got):
    """The input must broadcast to the gradient (NumPy's reshape error came out before)."""
    op = returning(small, lambda g: g)
    with pytest.raises(RuntimeError, match=r'Function ReturnsBackward returned an invalid gradient at '
                                           rf'index 0 - got {got} but expected shape compatible '
                                           r'with \[2\]'):
        op.apply(leaf(mg, [1.0, 2.0]), leaf(mg, [3.0, 4.0])).sum().backward()


@needs_torch
def test_gradient_smaller_than_its_input_is_an_invalid_gradient_in_pytorch():
    """The behaviour the test above expects, as PyTorch has it."""
    op = twin(returning(lambda g: torch.ones(1, dtype=torch.float64), lambda g: g), torch)
    with pytest.raises(RuntimeError, match=r'invalid gradient at index 0 - got \[1\] but expected '
                                           r'shape compatible with \[2\]'):
        op.apply(leaf(torch, [1.0, 2.0]), leaf(torch, [3.0, 4.0])).sum().backward()


def test_gradient_that_is_not_a_tensor_names_its_type_and_index():
    op = returning(lambda g: g, lambda g: 'oops')
    with pytest.raises(TypeError, match=r'returned a gradient of type str at index 1; expected a Tensor'):
        op.apply(leaf(mg, [1.0, 2.0]), leaf(mg, [3.0, 4.0])).sum().backward()


# ------------------------------------------------------------- checks on what forward returns

@pytest.mark.parametrize('result', [lambda x: 1.0, lambda x: x._array, lambda x: (x, x)],
                         ids=['float', 'ndarray', 'tuple'])
def test_forward_must_return_a_tensor(result):
    class NotATensor(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return result(x)

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output

    with pytest.raises(TypeError, match='NotATensor.forward must return a Tensor, got'):
        NotATensor.apply(leaf(mg, [1.0]))


class Rounded(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.long()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def test_integer_output_of_a_differentiable_op_is_an_error():
    with pytest.raises(RuntimeError, match='Rounded.forward returned a int64 tensor, which cannot '
                                           'carry a gradient'):
        Rounded.apply(leaf(mg, [1.5, 2.5]))


def test_integer_output_is_fine_when_nothing_requires_grad():
    out = Rounded.apply(leaf(mg, [1.5, -2.5], requires_grad=False))
    assert out.dtype == mg.int64 and out.tolist() == [1, -2] and out.grad_fn is None
    with mg.no_grad():
        assert Rounded.apply(leaf(mg, [1.5])).grad_fn is None


class Identity(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 5


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_forward_returning_its_input_gives_a_new_tensor_in_the_graph(lib):
    """The input stays a leaf; the output is another tensor, with the custom backward."""
    x = leaf(lib, [1.0, 2.0])
    y = twin(Identity, lib).apply(x)
    assert y is not x and x.grad_fn is None and x.is_leaf
    assert type(y.grad_fn).__name__ == 'IdentityBackward' and numpy(y).tolist() == [1.0, 2.0]
    y.sum().backward()
    assert numpy(x.grad).tolist() == [5.0, 5.0]


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_forward_returning_an_input_that_needs_no_grad(lib):
    x = leaf(lib, [1.0, 2.0], requires_grad=False)
    y = twin(Identity, lib).apply(x)
    assert y is not x and not y.requires_grad and y.grad_fn is None


# ---------------------------------------------------------------- the node a custom op records

@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_grad_fn_is_named_for_the_class_and_leads_to_the_input(lib):
    x = leaf(lib, [1.0, 2.0])
    node = twin(Cube, lib).apply(x).grad_fn
    assert type(node).__name__ == 'CubeBackward' and node.name() == 'CubeBackward'
    (edge, _), = node.next_functions
    assert type(edge).__name__ == 'AccumulateGrad' and edge.variable is x


def test_each_function_class_has_its_own_node_class():
    x = leaf(mg, [1.0])
    cube, product = Cube.apply(x).grad_fn, Product.apply(x, x).grad_fn
    assert isinstance(cube, FunctionCtx) and isinstance(product, FunctionCtx)
    assert type(cube) is not type(product) and type(cube) is Cube._backward_cls
    assert repr(cube) == '<CubeBackward>' and str(product.name) == 'ProductBackward'
    assert Cube.apply(x).grad_fn is not cube                   # one node per call


def test_rule_is_the_first_line_of_the_class_docstring():
    x = leaf(mg, [1.0])
    assert Cube.apply(x).grad_fn.rule == 'd x³ = 3x² dx'
    assert Product.apply(x, x).grad_fn.rule == 'd (x y) = y dx + x dy, computing only the gradients asked for'
    assert Identity.apply(x).grad_fn.rule == ''                   # no docstring


def test_source_points_at_the_users_class():
    node = Affine.apply(leaf(mg, [1.0]), 2.0, leaf(mg, [1.0]))
    path, line = node.grad_fn.source.rsplit(':', 1)
    assert path.endswith('test_autograd_function.py')
    assert int(line) == inspect.getsourcelines(Affine)[1]


# ------------------------------------------------------------------------- grad mode

class Spy(mg.autograd.Function):
    """Records whether grad mode was on in forward and in backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.forward_grad_mode = (mg if isinstance(x, mg.Tensor) else torch).is_grad_enabled()
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        lib = mg if isinstance(grad_output, mg.Tensor) else torch
        ctx.backward_grad_mode = lib.is_grad_enabled()
        x, = ctx.saved_tensors
        return grad_output * 2 * x


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_forward_runs_without_grad_and_backward_with_it_only_for_create_graph(lib):
    x = leaf(lib, [1.0])
    y = twin(Spy, lib).apply(x)
    assert y.grad_fn.forward_grad_mode is False
    y.backward(retain_graph=True)
    assert y.grad_fn.backward_grad_mode is False
    g, = lib.autograd.grad(y, x, create_graph=True)
    assert y.grad_fn.backward_grad_mode is True and g.requires_grad and g.grad_fn is not None


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_no_graph_under_no_grad_even_for_inputs_that_require_grad(lib):
    x = leaf(lib, [2.0, 3.0])
    with lib.no_grad():
        y = twin(Cube, lib).apply(x)
    assert y.grad_fn is None and not y.requires_grad and numpy(y).tolist() == [8.0, 27.0]


# ---------------------------------------------------------------------- create_graph, gradcheck

@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_second_derivative_through_a_two_input_backward(lib):
    """out = 2xy: ∂out/∂x = 2y, ∂out/∂y = 2x; d/dx Σ(2y · 2x) = 4y, d/dy = 4x."""
    x, y = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, -1.0])
    gx, gy = lib.autograd.grad(twin(ScaledProduct, lib).apply(x, y, 2.0).sum(), (x, y),
                               create_graph=True)
    assert numpy(gx).tolist() == [6.0, -2.0] and numpy(gy).tolist() == [2.0, 4.0]
    hx, hy = lib.autograd.grad((gx * gy).sum(), (x, y))
    assert numpy(hx).tolist() == [12.0, -4.0] and numpy(hy).tolist() == [4.0, 8.0]


def test_third_derivative_of_cube_is_six():
    x = leaf(mg, [0.5, -2.0])
    g, = mg.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    h, = mg.autograd.grad(g.sum(), x, create_graph=True)
    t, = mg.autograd.grad(h.sum(), x)
    assert t.tolist() == [6.0, 6.0]


def test_gradgradcheck_of_custom_ops_with_several_inputs():
    x, y = leaf(mg, [0.3, -1.2, 2.0]), leaf(mg, [1.5, 0.7, -0.4])
    assert mg.gradgradcheck(lambda a, b: ScaledProduct.apply(a, b, 0.5), (x, y))
    assert mg.gradgradcheck(lambda a, b: Product.apply(Cube.apply(a), b), (x, y))


# ------------------------------------------- None gradients, freed ctx, trailing Nones (G20-G24)

class PlusOne(mg.autograd.Function):
    """d(2x) taken as 2 dx + 1: a backward whose result on a zero gradient is not zero"""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 2 + 1


class Blocks(mg.autograd.Function):
    """d(3x) taken as nothing: backward passes None on"""

    @staticmethod
    def forward(ctx, x):
        return x * 3

    @staticmethod
    def backward(ctx, grad_output):
        return None


@pytest.mark.parametrize('between', ['nothing', 'exp'])
@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_a_none_gradient_reaches_an_earlier_custom_function_as_zeros(lib, between):
    """G20: PyTorch materializes the missing gradient as zeros for a custom Function's backward
    (here 2·0 + 1 = 1), through built-in ops between; a leaf reached by nothing keeps None."""
    x = leaf(lib, [1.0, 2.0, 3.0])
    h = twin(PlusOne, lib).apply(x)
    twin(Blocks, lib).apply(h.exp() if between == 'exp' else h).sum().backward()
    assert numpy(x.grad).tolist() == [1.0, 1.0, 1.0]
    z = leaf(lib, [1.0])
    twin(Blocks, lib).apply(z).sum().backward()
    assert z.grad is None


class SeesNone(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2

    @staticmethod
    def backward(ctx, grad_output):
        ctx.received = grad_output
        return None if grad_output is None else grad_output * 2


@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_set_materialize_grads_false_passes_none_when_nothing_reached(lib):
    x = leaf(lib, [1.0, 2.0])
    y = twin(SeesNone, lib).apply(x)
    twin(Blocks, lib).apply(y).sum().backward()
    assert y.grad_fn.received is None and x.grad is None


def saving(what):
    """x * 2 whose forward saves `what` (nothing, no call, None, x)."""
    class Saves(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            if what != 'no call':
                ctx.save_for_backward(*{'nothing': (), 'None': (None,), 'x': (x,)}[what])
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 2
    return Saves


@pytest.mark.parametrize('what', ['nothing', 'no call', 'None', 'x'])
@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_saved_tensors_after_backward_freed_them_raises(lib, what):
    """G23: with nothing saved, minigrad returned () after backward; PyTorch raises whatever
    was saved (and retain_graph=True keeps them readable)."""
    y = twin(saving(what), lib).apply(leaf(lib, [1.0, 2.0]))
    y.sum().backward(retain_graph=True)
    assert len(y.grad_fn.saved_tensors) == {'nothing': 0, 'no call': 0, 'None': 1, 'x': 1}[what]
    y.sum().backward()
    with pytest.raises(RuntimeError, match=r'Trying to backward through the graph a second time \(or '
                                           r'directly access saved tensors after they have already '
                                           r'been freed\)'):
        y.grad_fn.saved_tensors


@pytest.mark.parametrize('extra, error', [((None,), None), ((None, None), None),
                                          ((None, 'g'), 'expected 1, got 3')])
@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_extra_trailing_nones_are_accepted_as_in_pytorch(lib, extra, error):
    """G24: PyTorch drops extra gradients past forward's inputs when all are None."""
    class Trailing(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            return (grad_output * 2,) + tuple(grad_output if e == 'g' else e for e in extra)

    x = leaf(lib, [1.0, 2.0])
    if error is None:
        twin(Trailing, lib).apply(x).sum().backward()
        assert numpy(x.grad).tolist() == [2.0, 2.0]
    else:
        with pytest.raises(RuntimeError, match=rf'function TrailingBackward returned an incorrect '
                                               rf'number of gradients \({error}\)'):
            twin(Trailing, lib).apply(x).sum().backward()


@pytest.mark.parametrize('shape', [(1,), (), (2,), (3, 2)])
@pytest.mark.parametrize('lib', LIBS, ids=lib_ids)
def test_a_gradient_the_input_does_not_broadcast_to_is_invalid(lib, shape):
    """PyTorch's check: the input's shape must expand to the gradient's; [1] and [] for a [3]
    input are invalid (minigrad raised NumPy's reshape error, or passed a [1] through)."""
    op = twin(returning(lambda g: lib.ones(shape, dtype=lib.float64), lambda g: g), lib)
    with pytest.raises(RuntimeError, match=re.escape(f'Function ReturnsBackward returned an invalid '
                                                     f'gradient at index 0 - got {list(shape)} but '
                                                     f'expected shape compatible with [3]')):
        op.apply(leaf(lib, [1.0, 2.0, 3.0]), leaf(lib, [3.0, 4.0, 5.0])).sum().backward()
