"""minigrad.exercises: right answers pass, and each typical mistake is caught with its own hint.

The right answers are tests/exercise_solutions.py (also substituted into notebook 04 by
tests/test_notebooks.py). Each planted mistake below is one of those answers with one
thing wrong, as a learner would write it.
"""
import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function
from minigrad.exercises import EXERCISE_LIST, EXERCISES, Node, check
from minigrad.exercises.grader import _reference, _tensors
from minigrad.exercises.walk import _reverse_topological, _walk_cases

import exercise_solutions as S

ANSWERS = {'exp': S.Exp, 'mul': S.Mul, 'sigmoid': S.Sigmoid, 'tanh': S.Tanh, 'matmul': S.MatMul,
           'softmax': S.Softmax, 'log_softmax': S.LogSoftmax, 'mse_loss': S.MSELoss,
           'cross_entropy': S.CrossEntropy, 'linear': S.Linear, 'backward_walk': S.backward_walk}


def run(name, answer, capsys):
    """(returned value, printed text) of check(name, answer)."""
    result = check(name, answer)
    return result, capsys.readouterr().out


def bad(base, backward=None, forward=None):
    """`base` with its backward (and/or forward) replaced: a planted mistake."""
    attrs = {}
    if backward is not None:
        attrs['backward'] = staticmethod(backward)
    if forward is not None:
        attrs['forward'] = staticmethod(forward)
    return type('Bad' + base.__name__, (base,), attrs)


def save_input(op):
    """A forward that saves its input x and returns op(x)."""
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return op(x)
    return forward


def onehot(log_p, target):
    out = mg.zeros_like(log_p)
    out[mg.arange(len(target)), target] = 1
    return out


def softmax_forward(normalise):
    def forward(ctx, x):
        e = x.exp()
        s = e / normalise(e)
        ctx.save_for_backward(s)
        return s
    return forward


# ------------------------------------------------------------- right answers

def test_the_exercises_are_the_issues_list_in_order():
    assert EXERCISES == ['exp', 'mul', 'sigmoid', 'tanh', 'matmul', 'softmax', 'log_softmax',
                         'mse_loss', 'cross_entropy', 'linear', 'backward_walk']
    assert set(ANSWERS) == set(EXERCISES)


@pytest.mark.parametrize('name', EXERCISES)
def test_right_answer_passes(name, capsys):
    ok, out = run(name, ANSWERS[name], capsys)
    assert ok is True, out
    assert out.startswith(f'✓ {name}: correct.') and out.count('\n') == 1


def test_output_is_the_same_every_time(capsys):
    wrong = bad(S.Sigmoid, backward=lambda ctx, g: g * ctx.saved_tensors[0])
    first = run('sigmoid', wrong, capsys)[1]
    assert run('sigmoid', wrong, capsys)[1] == first


def test_a_right_answer_may_use_needs_input_grad_and_return_none(capsys):
    class MSE(S.MSELoss):
        @staticmethod
        def backward(ctx, grad_output):
            diff, = ctx.saved_tensors
            grad = grad_output * 2 * diff / diff.numel()
            return (grad if ctx.needs_input_grad[0] else None,
                    -grad if ctx.needs_input_grad[1] else None)
    assert run('mse_loss', MSE, capsys)[0] is True


@pytest.mark.parametrize('extra', [(None,), (None, None)])
def test_extra_trailing_nones_are_accepted_as_pytorch_accepts_them(extra, capsys):
    class Linear(S.Linear):
        @staticmethod
        def backward(ctx, grad_output):
            return S.Linear.backward(ctx, grad_output) + extra
    assert run('linear', Linear, capsys)[0] is True


def test_an_extra_gradient_that_is_not_none_is_still_refused(capsys):
    ok, out = run('linear', bad(S.Linear, backward=lambda ctx, g: S.Linear.backward(ctx, g) + (g,)), capsys)
    assert ok is False and 'backward returned 4 gradients, but forward takes 3 inputs' in out, out


def test_a_shape_error_of_another_kind_in_softmax_gets_no_keepdim_hint(capsys):
    def backward(ctx, grad_output):            # the row sums transposed: (1, 3) against (3, 4)
        s, = ctx.saved_tensors
        return s * (grad_output - (grad_output * s).sum(dim=-1, keepdim=True).transpose(0, -1))
    ok, out = run('softmax', bad(S.Softmax, backward=backward), capsys)
    assert ok is False and 'raised an error' in out and 'case 2 of 4' in out, out
    assert not [line for line in out.splitlines() if 'hint:' in line], out


# ---------------------------------------------------------- planted mistakes

def _g(ctx):
    return ctx.saved_tensors


PLANTED = [
    # (exercise, wrong answer, words its hint must contain)
    ('exp', bad(S.Exp, backward=lambda ctx, g: _g(ctx)[0]), 'grad_output is missing'),
    ('exp', bad(S.Exp, forward=save_input(lambda x: x.exp()),
                backward=lambda ctx, g: g * _g(ctx)[0] * (_g(ctx)[0] - 1).exp()), 'power rule'),
    ('exp', bad(S.Exp, forward=save_input(lambda x: x.exp()),
                backward=lambda ctx, g: g * _g(ctx)[0]), 'the output itself'),
    ('mul', bad(S.Mul, backward=lambda ctx, g: (g * _g(ctx)[0], g * _g(ctx)[1])), 'the *other* input'),
    ('mul', bad(S.Mul, backward=lambda ctx, g: (g * _g(ctx)[1], g * _g(ctx)[1])), '∂(a·b)/∂b = a'),
    ('mul', bad(S.Mul, backward=lambda ctx, g: (g, g)), 'the rule of a + b'),
    ('mul', bad(S.Mul, backward=lambda ctx, g: (_g(ctx)[1], _g(ctx)[0])), 'grad_output is missing'),
    ('sigmoid', bad(S.Sigmoid, backward=lambda ctx, g: g * _g(ctx)[0]), "σ' written as σ"),
    ('sigmoid', bad(S.Sigmoid, forward=save_input(lambda x: x.sigmoid()),
                    backward=lambda ctx, g: g * _g(ctx)[0] * (1 - _g(ctx)[0])), 'you used the input x'),
    ('sigmoid', bad(S.Sigmoid, backward=lambda ctx, g: g * (1 - _g(ctx)[0])), 'a factor is missing'),
    ('sigmoid', bad(S.Sigmoid, backward=lambda ctx, g: g * (1 - _g(ctx)[0] ** 2)), "tanh's derivative"),
    ('sigmoid', bad(S.Sigmoid, backward=lambda ctx, g: _g(ctx)[0] * (1 - _g(ctx)[0])), 'grad_output is missing'),
    ('tanh', bad(S.Tanh, forward=save_input(lambda x: x.tanh()),
                 backward=lambda ctx, g: g * (1 - _g(ctx)[0] ** 2)), 'you used the input x'),
    ('tanh', bad(S.Tanh, backward=lambda ctx, g: g * (1 - _g(ctx)[0])), 'the square is missing'),
    ('tanh', bad(S.Tanh, backward=lambda ctx, g: g * _g(ctx)[0] * (1 - _g(ctx)[0])), "sigmoid's derivative"),
    ('tanh', bad(S.Tanh, backward=lambda ctx, g: g * _g(ctx)[0]), "tanh' written as tanh"),
    ('tanh', bad(S.Tanh, backward=lambda ctx, g: g * (_g(ctx)[0] ** 2 - 1)), 'the sign is flipped'),
    ('matmul', bad(S.MatMul, backward=lambda ctx, g: (g @ _g(ctx)[1], _g(ctx)[0].T @ g)),
     'missing transpose: grad_a = grad_output @ bᵀ'),
    ('matmul', bad(S.MatMul, backward=lambda ctx, g: (g @ _g(ctx)[1].T, _g(ctx)[0] @ g)),
     'missing transpose: grad_b = aᵀ @ grad_output'),
    ('matmul', bad(S.MatMul, backward=lambda ctx, g: (_g(ctx)[1].T @ g, _g(ctx)[0].T @ g)),
     'the factors are in the wrong order'),
    ('matmul', bad(S.MatMul, backward=lambda ctx, g: (g @ _g(ctx)[1].T, g @ _g(ctx)[0].T)),
     'the factors are in the wrong order'),
    ('matmul', bad(S.MatMul, backward=lambda ctx, g: (g * _g(ctx)[1], _g(ctx)[0].T @ g)),
     'not elementwise'),
    ('matmul', bad(S.MatMul, backward=lambda ctx, g: (g @ _g(ctx)[1].T, g.T @ _g(ctx)[0])),
     'grad_outputᵀ @ a is its transpose'),
    ('matmul', bad(S.MatMul, backward=lambda ctx, g: (_g(ctx)[1] @ g.T, _g(ctx)[0].T @ g)),
     'b @ grad_outputᵀ is its transpose'),
    ('softmax', bad(S.Softmax, backward=lambda ctx, g: g * _g(ctx)[0] * (1 - _g(ctx)[0])),
     'softmax treated as elementwise'),
    ('softmax', bad(S.Softmax, backward=lambda ctx, g: g - (g * _g(ctx)[0]).sum(dim=-1, keepdim=True)),
     'multiply by s'),
    ('softmax', bad(S.Softmax, backward=lambda ctx, g: _g(ctx)[0] * (g - g.sum(dim=-1, keepdim=True))),
     'weighted by the softmax'),
    ('softmax', bad(S.Softmax, backward=lambda ctx, g: _g(ctx)[0] * (g - (g * _g(ctx)[0]).sum(dim=0, keepdim=True))),
     'the sum runs over the wrong dim'),
    ('softmax', bad(S.Softmax, backward=lambda ctx, g: _g(ctx)[0] * (g - (g * _g(ctx)[0]).sum())),
     'summed over the whole tensor'),
    ('softmax', bad(S.Softmax, forward=softmax_forward(lambda e: e.sum(dim=-1, keepdim=True))),
     "Subtract each row's largest value"),
    ('softmax', bad(S.Softmax, forward=softmax_forward(lambda e: e.sum(dim=0, keepdim=True))),
     'normalised along the first dim'),
    ('softmax', bad(S.Softmax, forward=softmax_forward(lambda e: e.sum())),
     'divided by the sum over the whole tensor'),
    ('log_softmax', bad(S.LogSoftmax, backward=lambda ctx, g: g - _g(ctx)[0].exp()),
     'you used 1 for the row sum of grad_output'),
    ('log_softmax', bad(S.LogSoftmax, backward=lambda ctx, g: g * (1 - _g(ctx)[0].exp())),
     'log_softmax treated as elementwise'),
    ('log_softmax', bad(S.LogSoftmax, forward=save_input(lambda x: x - x.logsumexp(dim=-1, keepdim=True)),
                        backward=lambda ctx, g: g - _g(ctx)[0].exp() * g.sum(dim=-1, keepdim=True)),
     'not exp(x)'),
    ('log_softmax', bad(S.LogSoftmax, backward=lambda ctx, g: g - _g(ctx)[0].exp() * g.sum(dim=0, keepdim=True)),
     'the sum runs over the wrong dim'),
    ('log_softmax', bad(S.LogSoftmax, backward=lambda ctx, g: g - _g(ctx)[0].exp() * g.sum()),
     'over the whole tensor'),
    ('log_softmax', bad(S.LogSoftmax, forward=lambda ctx, x: _naive_log_softmax_forward(ctx, x)),
     'x − logsumexp(x)'),
    ('mse_loss', bad(S.MSELoss, backward=lambda ctx, g: (g * 2 * _g(ctx)[0], -g * 2 * _g(ctx)[0])),
     'a missing 1/N'),
    ('mse_loss', bad(S.MSELoss, backward=lambda ctx, g: (g * 2 * _g(ctx)[0] / len(_g(ctx)[0]),
                                                          -g * 2 * _g(ctx)[0] / len(_g(ctx)[0]))),
     'not over the batch of 3 rows'),
    ('mse_loss', bad(S.MSELoss, backward=lambda ctx, g: (g * _g(ctx)[0] / _g(ctx)[0].numel(),
                                                          -g * _g(ctx)[0] / _g(ctx)[0].numel())),
     'the factor 2 is missing'),
    ('mse_loss', bad(S.MSELoss, backward=lambda ctx, g: (g * 2 * _g(ctx)[0] / _g(ctx)[0].numel(),) * 2),
     'target enters as −target'),
    ('mse_loss', bad(S.MSELoss, backward=lambda ctx, g: (g * 2 * _g(ctx)[0] / _g(ctx)[0].numel(), None)),
     'target requires grad in this check'),
    ('mse_loss', bad(S.MSELoss, backward=lambda ctx, g: (2 * _g(ctx)[0] / _g(ctx)[0].numel(),
                                                          -2 * _g(ctx)[0] / _g(ctx)[0].numel())),
     'grad_output is missing'),
    ('mse_loss', bad(S.MSELoss, backward=lambda ctx, g: (-g * 2 * _g(ctx)[0] / _g(ctx)[0].numel(),
                                                          -g * 2 * _g(ctx)[0] / _g(ctx)[0].numel())),
     "the sign is flipped: input's gradient"),
    ('cross_entropy', bad(S.CrossEntropy, backward=lambda ctx, g: (g * (_g(ctx)[0].exp() - onehot(*_g(ctx))), None)),
     "a missing 1/N: 'mean' averages over the N = 4 rows"),
    ('cross_entropy', bad(S.CrossEntropy, backward=lambda ctx, g: (g * (_g(ctx)[0].exp() - onehot(*_g(ctx))) / _g(ctx)[0].numel(), None)),
     'not by N·C = 12'),
    ('cross_entropy', bad(S.CrossEntropy, backward=lambda ctx, g: (g * _g(ctx)[0].exp() / len(_g(ctx)[1]), None)),
     "subtract 1 at each row's target class"),
    ('cross_entropy', bad(S.CrossEntropy, backward=lambda ctx, g: (-g * onehot(*_g(ctx)) / len(_g(ctx)[1]), None)),
     'not −onehot / N'),
    ('cross_entropy', bad(S.CrossEntropy, backward=lambda ctx, g: (g * (onehot(*_g(ctx)) - _g(ctx)[0].exp()) / len(_g(ctx)[1]), None)),
     'the sign is flipped'),
    ('cross_entropy', bad(S.CrossEntropy, backward=lambda ctx, g: (g * (_g(ctx)[0] - onehot(*_g(ctx))) / len(_g(ctx)[1]), None)),
     'not their log'),
    ('cross_entropy', bad(S.CrossEntropy, backward=lambda ctx, g: g * (_g(ctx)[0].exp() - onehot(*_g(ctx))) / len(_g(ctx)[1])),
     'with None for target'),
    ('cross_entropy', bad(S.CrossEntropy, forward=lambda ctx, z, t: _naive_ce_forward(ctx, z, t)),
     'logsumexp(z) − z[t]'),
    ('cross_entropy', bad(S.CrossEntropy, backward=lambda ctx, g: (g * (_g(ctx)[0].exp() - _g(ctx)[1]) / len(_g(ctx)[1]), None)),
     'one way to build the one-hot rows'),
    ('linear', bad(S.Linear, backward=lambda ctx, g: (g @ _g(ctx)[1], g.T @ _g(ctx)[0], g)),
     'the bias gradient is not summed over the batch'),
    ('linear', bad(S.Linear, backward=lambda ctx, g: (g @ _g(ctx)[1], g.T @ _g(ctx)[0], g.mean(dim=0))),
     'sum over the batch, not mean'),
    ('linear', bad(S.Linear, backward=lambda ctx, g: (g @ _g(ctx)[1], g.T @ _g(ctx)[0], g.sum())),
     'sum over the batch dim only'),
    ('linear', bad(S.Linear, backward=lambda ctx, g: (g @ _g(ctx)[1], _g(ctx)[0].T @ g, g.sum(dim=0))),
     'weight is stored as (out_features, in_features)'),
    ('linear', bad(S.Linear, backward=lambda ctx, g: (g @ _g(ctx)[1].T, g.T @ _g(ctx)[0], g.sum(dim=0))),
     'backward uses weight itself'),
    ('linear', bad(S.Linear, backward=lambda ctx, g: (g @ _g(ctx)[1], g @ _g(ctx)[0], g.sum(dim=0))),
     'missing transpose: grad_weight = grad_outputᵀ @ x'),
    ('linear', bad(S.Linear, backward=lambda ctx, g: (g @ _g(ctx)[1], g.T @ _g(ctx)[0])),
     'one gradient per input of forward'),
    # Issue 24, item 8: the first linear case is square, so only the hint tells this one apart
    ('linear', bad(S.Linear, backward=lambda ctx, g: (g @ _g(ctx)[1], g.T @ _g(ctx)[0], g.sum(dim=1))),
     'summed over the wrong dim: sum over the 3 rows of the batch (dim 0)'),
    ('softmax', bad(S.Softmax, backward=lambda ctx, g: _g(ctx)[0] * (g - (g * _g(ctx)[0]).sum(dim=-1))),
     'a row sum without keepdim=True: summed along dim=-1, a (3, 4) tensor becomes (3,)'),
    ('log_softmax', bad(S.LogSoftmax, backward=lambda ctx, g: g - _g(ctx)[0].exp() * g.sum(dim=-1)),
     '.sum(dim=-1, keepdim=True) keeps the summed dim as 1, (3, 1)'),
]


def _naive_log_softmax_forward(ctx, x):
    """log(e^x / Σ e^x) as written: nan at large x."""
    e = x.exp()
    y = (e / e.sum(dim=-1, keepdim=True)).log()
    ctx.save_for_backward(y)
    return y


def _naive_ce_forward(ctx, logits, target):
    """−log(softmax) without log-sum-exp: inf/nan at large logits."""
    e = logits.exp()
    p = e / e.sum(dim=1, keepdim=True)
    log_p = p.log()
    ctx.save_for_backward(log_p, target)
    return -log_p[mg.arange(len(target)), target].mean()


@pytest.mark.parametrize('name, answer, hint', PLANTED,
                         ids=[f'{n}-{i}' for i, (n, _, _) in enumerate(PLANTED)])
def test_planted_mistake_is_caught_with_its_hint(name, answer, hint, capsys):
    ok, out = run(name, answer, capsys)
    assert ok is False, out
    assert out.startswith(f'✗ {name}: '), out
    assert 'case ' in out, out                         # says on which inputs
    hint_lines = [line for line in out.splitlines() if line.strip().startswith('hint:')]
    assert any(hint in line for line in hint_lines), out


def test_every_exercise_has_planted_mistakes():
    assert {name for name, _, _ in PLANTED} | {'backward_walk'} == set(EXERCISES)
    assert all(sum(n == name for n, _, _ in PLANTED) >= 1 for name in EXERCISES if name != 'backward_walk')


def test_a_wrong_value_names_input_element_expected_got_and_finite_differences(capsys):
    _, out = run('sigmoid', bad(S.Sigmoid, backward=lambda ctx, g: g * _g(ctx)[0]), capsys)
    assert 'the gradient of x is wrong' in out
    assert 'case 1 of 5: x (5,), random values; grad_output (5,), random' in out
    line = next(line for line in out.splitlines() if 'expected' in line)
    assert line.strip().startswith('at x[0] = ') and 'got' in line and 'finite differences' in line
    assert 'of 5 elements differ' in line


def test_a_wrong_shape_names_both_shapes(capsys):
    _, out = run('linear', bad(S.Linear, backward=lambda ctx, g: (g @ _g(ctx)[1], g.T @ _g(ctx)[0], g)), capsys)
    assert 'the gradient of bias has the wrong shape' in out
    assert 'bias has shape (3,); your gradient has shape (3, 3)' in out


def test_each_wrong_gradient_is_reported(capsys):
    wrong = bad(S.MatMul, backward=lambda ctx, g: (g @ _g(ctx)[1], _g(ctx)[0] @ g))
    _, out = run('matmul', wrong, capsys)
    assert 'The gradient of a is wrong' in out and 'The gradient of b is wrong' in out
    assert 'grad_a = grad_output @ bᵀ' in out and 'grad_b = aᵀ @ grad_output' in out


def test_a_shape_error_in_a_product_gets_the_shapes(capsys):
    # right on the square case, then grad_output (3, 2) @ b (4, 2) fails
    wrong = bad(S.MatMul, backward=lambda ctx, g: (g @ _g(ctx)[1], _g(ctx)[0].T @ g))
    _, out = run('matmul', wrong, capsys)
    assert 'missing transpose' in out          # the square case already shows it
    def backward(ctx, g):       # right on the square first case only
        a, b = ctx.saved_tensors
        return (g @ b.T if a.shape == b.shape else g @ b), a.T @ g
    _, out = run('matmul', bad(S.MatMul, backward=backward), capsys)
    assert 'your backward raised an error' in out and 'case 2 of 5' in out
    assert 'grad_output is (3, 2), a is (3, 4), b is (4, 2)' in out


# ------------------------------------------------- errors in the learner's code

def test_a_blank_is_reported_as_not_written_yet(capsys):
    class Blank(Function):
        @staticmethod
        def forward(ctx, x):
            raise NotImplementedError  # your code here

        @staticmethod
        def backward(ctx, grad_output):
            raise NotImplementedError  # your code here
    ok, out = run('tanh', Blank, capsys)
    assert ok is False and out.startswith('✗ tanh: not written yet')
    ok, out = run('tanh', bad(S.Tanh, backward=Blank.backward), capsys)
    assert ok is False and 'not written yet: your backward' in out


def test_a_crash_is_reported_with_its_line_and_message(capsys):
    def backward(ctx, grad_output):
        y, = ctx.saved_tensors
        return grad_output * (1 - y * undefined_name)      # noqa: F821
    ok, out = run('tanh', bad(S.Tanh, backward=backward), capsys)
    assert ok is False
    assert 'your backward raised an error' in out
    assert 'in backward, line ' in out and 'undefined_name' in out
    assert "NameError: name 'undefined_name' is not defined" in out
    assert 'Traceback' not in out


def test_an_error_raised_inside_minigrad_is_reported_at_the_learners_line(capsys):
    """The frames of minigrad (its engine, its ops, the exercises package) are skipped."""
    def forward(ctx, x):
        return x @ mg.ones(7, 7)
    ok, out = run('tanh', bad(S.Tanh, forward=forward), capsys)
    assert ok is False and 'your forward raised an error' in out
    assert f'in forward, line {forward.__code__.co_firstlineno + 1}: return x @ mg.ones(7, 7)' in out

    def backward(ctx, grad_output):
        return grad_output @ mg.ones(7, 7)
    ok, out = run('tanh', bad(S.Tanh, backward=backward), capsys)
    assert ok is False and 'your backward raised an error' in out
    assert (f'in backward, line {backward.__code__.co_firstlineno + 1}: '
            'return grad_output @ mg.ones(7, 7)') in out
    assert 'RuntimeError: matmul: shapes (5,) and (7, 7) cannot be multiplied' in out


def test_nothing_saved_gets_a_hint(capsys):
    ok, out = run('tanh', bad(S.Tanh, forward=lambda ctx, x: x.tanh()), capsys)
    assert ok is False and 'ctx.save_for_backward' in out


def test_changing_an_input_or_grad_output_in_place_is_caught(capsys):
    def forward(ctx, x):
        x -= x.amax(dim=-1, keepdim=True)
        return S.Softmax.forward(ctx, x)
    ok, out = run('softmax', bad(S.Softmax, forward=forward), capsys)
    assert ok is False and 'changed its input x in place' in out

    def backward(ctx, grad_output):
        s, = ctx.saved_tensors
        grad_output -= (grad_output * s).sum(dim=-1, keepdim=True)
        return s * grad_output
    ok, out = run('softmax', bad(S.Softmax, backward=backward), capsys)
    assert ok is False and 'changed grad_output in place' in out


@pytest.mark.parametrize('answer, words', [
    (S.Sigmoid.apply, 'but got Sigmoid.apply: pass the class itself, Sigmoid'),
    (S.Sigmoid(), 'but got a Sigmoid'),
    (int, 'but got the class int'),
    (bad(S.Sigmoid, forward=lambda ctx, x: x.sigmoid().numpy()), 'must return a Tensor'),
    (bad(S.Sigmoid, backward=lambda ctx, g: 'oops'), 'is a str, not a tensor'),
    (bad(S.Sigmoid, backward=lambda ctx, g: [g]), 'returned a list'),
    (bad(S.Sigmoid, backward=lambda ctx, g: None), 'returned None as the gradient of x'),
    (bad(S.Sigmoid, forward=lambda ctx, x: x.sigmoid().sum()), 'forward returns the wrong shape'),
    (bad(S.Sigmoid, forward=lambda ctx, x: x.tanh()), 'forward is wrong'),
])
def test_anything_wrong_is_reported_never_raised(answer, words, capsys):
    ok, out = run('sigmoid', answer, capsys)
    assert ok is False and out.startswith('✗ sigmoid: ')
    assert words in out, out


def test_a_float32_answer_is_told_to_keep_float64(capsys):
    def forward(ctx, x):
        s = x.sigmoid().float()
        ctx.save_for_backward(s)
        return s
    ok, out = run('sigmoid', bad(S.Sigmoid, forward=forward), capsys)
    assert ok is False and 'right to about float32 precision only: your op computes in float32' in out


def test_an_unknown_exercise_name_is_an_error():
    with pytest.raises(ValueError, match='no exercise called .sigmod.; the exercises are: exp, mul'):
        check('sigmod', S.Sigmoid)


# ---------------------------------------------------------- the backward walk

def _order_dfs(root):
    """A recursive topological sort (micrograd's): each node after its parents."""
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for parent, _ in node.parents:
                visit(parent)
            order.append(node)
    visit(root)
    return order[::-1]


def _order_stack(root):
    """Reverse topological order without recursion (as the model answer, but returned)."""
    return _reverse_topological(root)


def walk_with(order, step, start=1.0):
    def walk(root):
        if start is not None:
            root.grad = start
        for node in order(root):
            for parent, local in node.parents:
                step(node, parent, local)
    return walk


def _add(node, parent, local):
    parent.grad += node.grad * local


def _assign(node, parent, local):
    parent.grad = node.grad * local


def _no_local(node, parent, local):
    parent.grad += node.grad


def _no_upstream(node, parent, local):
    parent.grad += local


def _preorder(root):
    """Each node once, in the order a stack first reaches it: before all its users are done."""
    root.grad = 1.0
    stack, seen = [root], {id(root)}
    while stack:
        node = stack.pop()
        for parent, local in node.parents:
            parent.grad += node.grad * local
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)


def _per_path(root):
    """Passes gradients along every path, recursively: right, but one call deep per node."""
    def send(node, grad):
        node.grad += grad
        for parent, local in node.parents:
            send(parent, grad * local)
    send(root, 1.0)


def _leaves_only(root):
    for node in _order_stack(root):
        if not node.parents:
            node.grad = 1.0


WALK_MISTAKES = [
    (walk_with(_order_stack, _assign), 'do not overwrite it (=)'),
    (walk_with(_order_stack, _add, start=None), 'root.grad = 1.0'),
    (walk_with(_order_stack, _add, start=2.0), 'root.grad must be 1.0'),
    (walk_with(_order_stack, _no_local), 'the local derivative is missing'),
    (walk_with(_order_stack, _no_upstream), 'the gradient of the node that uses it is missing'),
    (_preorder, 'reverse topological order'),
    (walk_with(_order_dfs, _add), 'explicit stack'),
    (_per_path, 'explicit stack'),
    (_leaves_only, 'root.grad = 1.0'),
    (walk_with(lambda root: [root], _add), 'no gradient reached'),
]


def test_the_walk_model_answer_and_a_recursive_one_agree_on_small_graphs():
    for build in [case for _, case in _walk_cases()][:4]:
        a, b = build(), build()
        S.backward_walk(a)
        walk_with(_order_dfs, _add)(b)
        assert [n.grad for n in _order_stack(a)] == [n.grad for n in _order_stack(b)]


@pytest.mark.parametrize('walk, hint', WALK_MISTAKES, ids=[h for _, h in WALK_MISTAKES])
def test_planted_walk_mistake_is_caught_with_its_hint(walk, hint, capsys):
    ok, out = run('backward_walk', walk, capsys)
    assert ok is False, out
    assert out.startswith('✗ backward_walk: ') and 'case ' in out
    hint_lines = [line for line in out.splitlines() if line.strip().startswith('hint:')]
    assert any(hint in line for line in hint_lines), out


def test_the_walk_names_the_node_and_both_values(capsys):
    _, out = run('backward_walk', walk_with(_order_stack, _assign), capsys)
    assert 'case 2 of 5: a value used twice, out = x·x + x' in out
    assert '`x` (value 1.5) has grad 1.5, expected 4.' in out
    assert '`x` is used 3 times (by `out`, `x*x`)' in out


def test_a_function_class_for_the_walk_is_reported(capsys):
    ok, out = run('backward_walk', S.Sigmoid, capsys)
    assert ok is False and 'expects your function backward_walk' in out


def test_nodes_record_local_derivatives_and_match_the_engine():
    x, y = Node(2.0, 'x'), Node(-3.0, 'y')
    z = (x * y + x / y - 2 / x + (-x).exp() + (x ** 3).log() + y.relu() + (1 - y).tanh())
    assert [p.name for p, _ in (x * y).parents] == ['x', 'y']
    assert [local for _, local in (x * y).parents] == [-3.0, 2.0]
    assert [local for _, local in (x * x).parents] == [2.0, 2.0]
    S.backward_walk(z)
    z._tensor.backward()
    assert np.isclose(x.grad, x._tensor.grad.item(), rtol=1e-12)
    assert np.isclose(y.grad, y._tensor.grad.item(), rtol=1e-12)
    assert repr(x).startswith("Node('x', value=2, grad=")
    assert '0x' not in repr(z)


# ------------------------------------------------------ the checker's ground truth

def test_the_references_agree_with_pytorch(torch):
    """The gradients check compares with (minigrad's ops) are PyTorch's, on every case."""
    tf = torch.nn.functional
    torch_ops = {'exp': torch.exp, 'mul': torch.mul, 'sigmoid': torch.sigmoid, 'tanh': torch.tanh,
                 'matmul': torch.matmul, 'softmax': lambda x: tf.softmax(x, dim=-1),
                 'log_softmax': lambda x: tf.log_softmax(x, dim=-1), 'mse_loss': tf.mse_loss,
                 'cross_entropy': tf.cross_entropy, 'linear': tf.linear}
    rng = np.random.default_rng(0)
    for exercise in EXERCISE_LIST:
        for case in exercise.cases(rng):
            shape = exercise.reference(*_tensors(exercise, case.arrays, grad=False)).shape
            g = rng.standard_normal(tuple(shape))
            out, grads = _reference(exercise, case.arrays, g)
            ts = [torch.tensor(case.arrays[n], requires_grad=n in exercise.grads) for n in exercise.args]
            t_out = torch_ops[exercise.name](*ts)
            t_out.backward(torch.tensor(g))
            np.testing.assert_allclose(out, t_out.detach().numpy(), rtol=1e-12, atol=1e-12)
            for n, t in zip(exercise.args, ts):
                if n in exercise.grads:
                    np.testing.assert_allclose(grads[n], t.grad.numpy(), rtol=1e-10, atol=1e-14,
                                               err_msg=f'{exercise.name}: {n}, {case.label}')
