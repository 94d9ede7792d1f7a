"""`check`: runs a learner's Function on each case of its exercise, compares forward and every
gradient with minigrad's op and with finite differences, and says what is wrong and why."""
import warnings

import numpy as np

from ..autograd import Function, enable_grad, no_grad
from ..gradcheck import central_differences
from ..tensor import Tensor
from .catalog import EXERCISES, _BY_NAME
from .report import _Stop, _crash, _element, _fail, _num, _shape
from .walk import _check_walk

RTOL, ATOL = 1e-6, 1e-9         # your gradient against minigrad's rule (both in float64)
FD_EPS = 1e-6                   # central-difference step
FD_RTOL, FD_ATOL = 1e-3, 1e-5   # minigrad's rule against finite differences (as mg.gradcheck)


def check(name, function_class):
    """Runs exercise `name` on your answer, prints what is right or wrong, returns True/False.

    `function_class` is your `mg.autograd.Function` subclass (the class itself), or
    for 'backward_walk' your function `backward_walk(root)`. Never raises on a wrong
    answer; an error in your code is reported with its line.
    """
    if name not in EXERCISES:
        raise ValueError(f'no exercise called {name!r}; the exercises are: {", ".join(EXERCISES)}')
    try:
        with warnings.catch_warnings(), np.errstate(all='ignore'):
            warnings.simplefilter('ignore')     # overflow warnings: the values speak for themselves
            if name == 'backward_walk':
                report = _check_walk(function_class)
            else:
                report = _check_function(_BY_NAME[name], function_class)
    except _Stop as stop:
        print(str(stop))
        return False
    except Exception as error:      # a bug here must not look like the learner's
        print(f'✗ {name}: check could not judge this answer ({type(error).__name__}: {error}).')
        return False
    print(report)
    return True


def _tensors(exercise, arrays, grad=True):
    out = []
    for name in exercise.args:
        a = arrays[name]
        wants = grad and name in exercise.grads
        out.append(Tensor(a.copy(), requires_grad=wants))
    return out


def _reference(exercise, arrays, g):
    """(output, {input: gradient}) from minigrad's own op and engine."""
    with enable_grad():
        ts = _tensors(exercise, arrays)
        out = exercise.reference(*ts)
        out.backward(Tensor(np.array(g, dtype=np.float64)))
    grads = {n: t.grad.detach().numpy().copy() for n, t in zip(exercise.args, ts) if n in exercise.grads}
    return out.detach().numpy().copy(), grads


def _finite_differences(exercise, arrays, g, name):
    """d Σ(out · g) / d input, by central differences of minigrad's op, element by element."""
    def projected(values):
        with no_grad():
            return float(np.sum(exercise.reference(*_tensors(exercise, values, grad=False)).detach().numpy() * g))
    x = arrays[name].copy()
    values = dict(arrays, **{name: x})
    return central_differences(lambda: projected(values), x, lambda value: FD_EPS * max(1.0, abs(value)))


def _describe(exercise, case, number, total, g=None):
    parts = []
    for name in exercise.args:
        a = case.arrays[name]
        parts.append(f'{name} {_shape(a.shape)}' + (' int64' if a.dtype.kind == 'i' else ''))
    text = f'case {number} of {total}: {", ".join(parts)}, {case.label}'
    if g is not None:
        text += ('; grad_output = ' + _num(float(g)) if g.ndim == 0
                 else f'; grad_output {_shape(g.shape)}, random')
    return text


def _check_function(exercise, cls):
    name = exercise.name
    if not (isinstance(cls, type) and issubclass(cls, Function)):
        what = f'the class {cls.__name__}' if isinstance(cls, type) else f'a {type(cls).__name__}'
        owner = getattr(cls, '__self__', None)
        if isinstance(owner, type) and issubclass(owner, Function):
            what = f'{owner.__name__}.{cls.__name__}: pass the class itself, {owner.__name__}'
        _fail(name, f'check expects your mg.autograd.Function subclass itself, as in '
                    f'check({name!r}, MyOp), but got {what}.')
    rng = np.random.default_rng(EXERCISES.index(name) + 2024)
    cases = exercise.cases(rng)
    for number, case in enumerate(cases, 1):
        ref_out = exercise.reference(*_tensors(exercise, case.arrays, grad=False)).detach().numpy()
        g = (np.array(rng.choice([-1, 1]) * rng.uniform(1.2, 2.0)) if ref_out.ndim == 0
             else rng.standard_normal(ref_out.shape))
        _check_case(exercise, cls, case, _describe(exercise, case, number, len(cases), g), g)
    grads = [n for n in exercise.args if n in exercise.grads]
    which = (f'the gradient of {grads[0]}' if len(grads) == 1
             else 'the gradients of ' + ', '.join(grads[:-1]) + f' and {grads[-1]}')
    labels = '; '.join(dict.fromkeys(case.label for case in cases))
    return (f"✓ {name}: correct. Forward and {which} agree with minigrad's {name} and with finite "
            f'differences on {len(cases)} cases ({labels}).')


def _check_case(exercise, cls, case, case_line, g):
    """Checks the learner's Function `cls` on one case: forward, backward called directly,
    then the two together through .backward(). Stops at the first thing wrong."""
    arrays = case.arrays
    ref_out, expected = _reference(exercise, arrays, g)
    info = exercise.info(arrays)
    out = _check_forward(exercise, cls, arrays, ref_out, case_line)
    ctx, returned = _call_backward(exercise, cls, out, arrays, g, case_line)
    saved = _safe(lambda: tuple(ctx.saved_tensors)) or ()      # their dtypes, for a precision hint
    dtypes = [out.detach().numpy().dtype] + [t.dtype for t in saved if isinstance(t, Tensor)]
    problems = []
    for n, r in zip(exercise.args, returned):
        if n in exercise.grads:
            problems += _judge_gradient(exercise, arrays, ref_out, g, n, r, expected[n], info, dtypes)
    _report_gradient_problems(exercise.name, problems, case_line)
    _check_through_backward(exercise, cls, arrays, g, expected, case_line)


def _check_forward(exercise, cls, arrays, ref_out, case_line):
    """Runs the learner's forward (through cls.apply) and compares it with minigrad's;
    returns its output."""
    name = exercise.name
    inputs = _tensors(exercise, arrays)
    with enable_grad():
        try:
            out = cls.apply(*inputs)
        except Exception as error:
            _crash(name, 'forward', error, case_line, doc=exercise.doc)
    for n, t in zip(exercise.args, inputs):
        if not np.array_equal(t.detach().numpy(), arrays[n]):
            _fail(name, f'your forward changed its input {n} in place.', case_line,
                  hint='write y = x - c rather than x -= c: an input belongs to the caller.')
    got = out.detach().numpy()
    if got.shape != ref_out.shape:
        _fail(name, 'forward returns the wrong shape.', case_line,
              f'expected shape {_shape(ref_out.shape)}, got {_shape(got.shape)}.')
    if not np.allclose(got, ref_out, rtol=RTOL, atol=ATOL):
        hint = _lower_precision(got, ref_out, [got.dtype]) or next(
            (h for test, h in exercise.forward_hints if _safe(test, arrays, got)), None)
        _fail(name, 'forward is wrong.', case_line, _where(got, ref_out, None, None), hint=hint)
    return out


def _call_backward(exercise, cls, out, arrays, g, case_line):
    """Calls the learner's backward directly, so that we see exactly what it returns;
    returns (ctx, a tuple of one gradient per input)."""
    name = exercise.name
    grad_output = Tensor(g.copy())
    ctx = out.grad_fn
    if ctx is None:
        _fail(name, 'forward returned a tensor without a graph node.', case_line,
              hint='forward must return a new tensor computed from the inputs.')
    try:
        with no_grad():
            returned = cls.backward(ctx, grad_output)
    except Exception as error:
        hint = _safe(exercise.crash_hint, arrays, error) if exercise.crash_hint else None
        _crash(name, 'backward', error, case_line, hint, doc=exercise.doc)
    if not np.array_equal(grad_output.detach().numpy(), g):
        _fail(name, 'your backward changed grad_output in place.', case_line,
              hint='the same grad_output may be passed to other nodes: write g = grad_output * s, '
                   'not grad_output *= s.')
    if isinstance(returned, list):
        _fail(name, 'backward returned a list.', case_line,
              hint='return a tuple, one gradient per input: return grad_a, grad_b.')
    returned = returned if isinstance(returned, tuple) else (returned,)
    if len(returned) > len(exercise.args) and all(r is None for r in returned[len(exercise.args):]):
        returned = returned[:len(exercise.args)]    # extra trailing Nones: PyTorch accepts them
    if len(returned) != len(exercise.args):
        _fail_gradient_count(exercise, len(returned), case_line)
    return ctx, returned


def _fail_gradient_count(exercise, count, case_line):
    args = exercise.args
    without_grad = [n for n in args if n not in exercise.grads]
    _fail(exercise.name, f'backward returned {count} gradient{"s" * (count != 1)}, but '
                         f'forward takes {len(args)} input{"s" * (len(args) != 1)} '
                         f'({", ".join(args)}).', case_line,
          hint='return one gradient per input of forward, in the same order'
               + (', with None for ' + ', '.join(without_grad) + ' (it takes no gradient)'
                  if without_grad else '')
               + '.')


def _report_gradient_problems(name, problems, case_line):
    """Stops with the wrong gradients, if any: (headline, detail lines, hint) each."""
    if len(problems) == 1:
        headline, detail, hint = problems[0]
        _fail(name, headline, case_line, *detail, hint=hint)
    if problems:                        # one block per wrong gradient
        lines = [case_line]
        for headline, detail, hint in problems:
            lines.append(headline[0].upper() + headline[1:])
            lines += ['  ' + d for d in detail] + (['  hint: ' + hint] if hint else [])
        _fail(name, 'some gradients are wrong.', *lines)


def _check_through_backward(exercise, cls, arrays, g, expected, case_line):
    """The same gradients through .backward(), as the op is used."""
    name = exercise.name
    inputs = _tensors(exercise, arrays)
    try:
        with enable_grad():
            cls.apply(*inputs).backward(Tensor(g.copy()))
    except Exception as error:
        _crash(name, 'op (run through .backward())', error, case_line)
    for n, t in zip(exercise.args, inputs):
        if n in exercise.grads and (t.grad is None or not np.allclose(t.grad.detach().numpy(), expected[n], rtol=RTOL, atol=ATOL)):
            _fail(name, f'called directly your backward is right, but through .backward() the gradient '
                        f'of {n} comes out different.', case_line,
                  hint='does backward depend on something besides ctx and grad_output?')


def _safe(fn, *args):
    """fn(*args), or None if it raises (a hint's own test must never stop the check)."""
    try:
        return fn(*args)
    except Exception:
        return None


def _as_array(r):
    if isinstance(r, Tensor):
        return r.detach().numpy()
    if isinstance(r, np.ndarray):
        return r
    if isinstance(r, (float, int, np.floating, np.integer)) and not isinstance(r, bool):
        return np.asarray(r, dtype=np.float64)
    return None


def _where(got, expected, values, name, numeric=None):
    """'at x[1, 2] = 0.3: expected ..., got ... ; k of n elements differ'."""
    bad = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    index = np.unravel_index(int(np.argmax(bad)), got.shape) if got.ndim else ()
    at = f'at {name}{_element(index)} = {_num(values[index])}' if name else (
        f'at element {_element(index)}' if got.ndim else 'the value')
    fd = '' if numeric is None else f' (finite differences: {_num(numeric[index])})'
    text = f'{at}: expected {_num(expected[index])}{fd}, got {_num(got[index])}'
    if got.size > 1:
        text += f'; {int(bad.sum())} of {got.size} elements differ'
    return text + '.'


def _judge_gradient(exercise, arrays, ref_out, g, n, returned, expected, info, dtypes):
    """[] if `returned` is the right gradient of input `n`; else [(headline, lines, hint)]."""
    x = arrays[n]
    if returned is None:
        hint = None
        if exercise.name == 'mse_loss' and n == 'target':
            hint = ('target requires grad in this check, so it needs its gradient too (minus '
                    "input's); None is right only when ctx.needs_input_grad[1] is False.")
        return [(f'backward returned None as the gradient of {n}, which needs one.', [], hint)]
    got = _as_array(returned)
    if got is None:
        return [(f'the gradient of {n} is a {type(returned).__name__}, not a tensor.', [],
                 'return a tensor of the input\'s shape, computed from grad_output.')]
    v = dict(arrays, out=ref_out)
    if got.shape == expected.shape and np.allclose(got, expected, rtol=RTOL, atol=ATOL):
        numeric = _finite_differences(exercise, arrays, g, n)
        if not np.allclose(expected, numeric, rtol=FD_RTOL, atol=FD_ATOL):
            return [(f"minigrad's own rule for {n} disagrees with finite differences: a bug in "
                     'minigrad, not in your answer. Please report it.', [], None)]
        return []
    hint = _mistake_hint(exercise, v, g, n, got, expected, info)
    if got.shape != expected.shape:
        lines = [f'{n} has shape {_shape(x.shape)}; your gradient has shape {_shape(got.shape)}.']
        if hint is None:
            if got.ndim == 2 and got.shape == expected.shape[::-1] and np.allclose(got.T, expected, rtol=RTOL, atol=ATOL):
                hint = 'your gradient is the transpose of the right one.'
            elif got.shape == g.shape:
                hint = ("that is grad_output's shape: a gradient always has its input's shape. Was "
                        f'{n} broadcast or used along a dim that you must sum over?')
            else:
                hint = f"a gradient always has its input's shape, here {_shape(x.shape)}."
        return [(f'the gradient of {n} has the wrong shape.', lines, hint)]
    numeric = _finite_differences(exercise, arrays, g, n)
    lines = [_where(got, expected, x, n, numeric)]
    if hint is None:
        hint = _generic_hint(exercise, arrays, g, n, got, expected, dtypes + [got.dtype]) or (
            'it matches none of the typical mistakes; compare each factor of your formula with '
            'the derivation, on the element above.')
    return [(f'the gradient of {n} is wrong.', lines, hint)]


def _same(a, b):
    return a is not None and np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)


def _mistake_hint(exercise, v, g, n, got, expected, info):
    for mistake in exercise.mistakes:
        if mistake.input != n:
            continue
        try:
            wrong = mistake.wrong(v, g)
        except Exception:
            continue
        if wrong is None:
            continue
        wrong = np.asarray(wrong, dtype=np.float64)
        if _same(wrong, expected):
            continue                    # on these values the mistake gives the right answer
        if _same(got, wrong):
            return mistake.hint.format(**info)
    return None


def _lower_precision(got, expected, dtypes):
    """A hint if `got` is right to a few digits only, as float32 arithmetic would give."""
    if not np.allclose(got, expected, rtol=1e-4, atol=1e-7):
        return None
    low = [str(d) for d in dtypes if d.kind == 'f' and d.itemsize < 8]
    if low:
        return (f'right to about {low[0]} precision only: your op computes in {low[0]}. Keep it in '
                "float64, the inputs' dtype (look for a .float() or a float32 tensor in your code).")
    return ('right to a few digits only: precision is lost somewhere, as in a difference of '
            'nearly equal numbers; compute it in the form of the rule derived above.')


def _generic_hint(exercise, arrays, g, n, got, expected, dtypes=()):
    if _lower_precision(got, expected, dtypes):
        return _lower_precision(got, expected, dtypes)
    if not np.all(np.isfinite(got)):
        bad = np.unravel_index(int(np.argmax(~np.isfinite(got))), got.shape) if got.ndim else ()
        return (f'your gradient is {_num(got[bad])} at {n}{_element(bad)} = {_num(arrays[n][bad])}: '
                'something overflowed (e^x of a large x is inf). Write the gradient with the output '
                'forward computed (saved), which is already stable.')
    if not np.all(g == 1):
        ones = np.ones_like(g)
        _, local = _reference(exercise, arrays, ones)
        if _same(got, local[n]):
            return ('grad_output is missing: backward returns dL/dinput = dL/doutput · doutput/dinput '
                    '(the chain rule); multiply your local derivative by grad_output.')
    if np.allclose(got, 0, atol=ATOL):
        return 'your gradient is all zeros.'
    if got.ndim == 2 and _same(got, expected.T):
        return 'your gradient is the transpose of the right one.'
    if _same(got, -expected):
        return 'the sign is flipped.'
    nonzero = np.abs(expected) > 1e-6 * np.abs(expected).max()
    if nonzero.any():
        ratios = got[nonzero] / expected[nonzero]
        c = ratios.flat[0]
        if np.allclose(ratios, c, rtol=1e-6) and _same(got, c * expected):
            return (f'your gradient is {_num(c)} times the right one everywhere: a constant factor is '
                    'missing or extra (such as 2, 1/N, or grad_output).')
    return None
