"""How a check speaks: numbers and shapes as printed, the stop with a diagnosis, and the
line of the learner's own code that raised an error."""
import os
import traceback

# Frames in minigrad/ (the engine, its ops, this package) and in Python itself are not "your code".
_MINIGRAD = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_STDLIB = os.path.dirname(os.__file__)


def _shape(shape):
    return '()' if shape == () else str(tuple(shape))


def _element(index):
    return '[' + ', '.join(str(int(i)) for i in index) + ']'


def _num(value):
    return f'{value:.6g}'


class _Stop(Exception):
    """Ends a check early; its message is the diagnosis."""


def _fail(name, headline, *lines, hint=None):
    text = f'✗ {name}: {headline}'
    for line in lines:
        text += '\n    ' + line
    if hint:
        text += '\n    hint: ' + hint
    raise _Stop(text)


def _your_line(error):
    """'in backward, line 9: return grad_output @ b', the last frame of the learner's own code."""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        filename = frame.filename or ''
        if (filename.startswith(_MINIGRAD) or filename.startswith(_STDLIB)
                or 'site-packages' in filename or filename.startswith('<frozen')):
            continue
        code = f': {frame.line.strip()}' if frame.line else ''
        return f'in {frame.name}, line {frame.lineno}{code}'
    return None


def _last_line(error):
    return traceback.format_exception_only(type(error), error)[-1].strip()


def _crash(exercise_name, where, error, case_line, hint=None, doc=None):
    """Stops with the report of an error raised by the learner's code."""
    if isinstance(error, NotImplementedError):
        _fail(exercise_name, f'not written yet: your {where} raises NotImplementedError.',
              *([doc] if doc else []),
              'Replace `raise NotImplementedError` with your code, then run check again.')
    lines = [case_line]
    line = _your_line(error)
    if line:
        lines.append(line)
    lines.append(_last_line(error))
    if hint is None and isinstance(error, ValueError) and 'unpack' in str(error) and where == 'backward':
        hint = ('ctx.saved_tensors holds what forward passed to ctx.save_for_backward(...): '
                'save there every tensor backward needs.')
    if hint is None and isinstance(error, RecursionError):
        hint = 'a function calls itself without end (or too deeply).'
    _fail(exercise_name, f'your {where} raised an error.', *lines, hint=hint)
