"""A backward pass, step by step: which node ran, what came in, which rule, what went out.

    with mg.viz.trace_backward(params=model) as trace:
        loss.backward()
    print(trace)            # a table, in the order the engine ran the nodes
    trace.steps[0].grad_inputs

Each step is the chain rule at one node: the gradient of the loss with
respect to the node's output, ∂L/∂out, comes in; the node's derivative rule
turns it into ∂L/∂input for each of its inputs.
"""
import dataclasses
import textwrap

import numpy as np

from ..autograd import engine
from ._format import shape_text, summarize
from ._params import named_tensors


@dataclasses.dataclass(frozen=True)
class StepInput:
    """Where one input's gradient went: its name (or the node that made it), shape, gradient.

    `grad` is ∂L/∂input summed back to the input's shape, or None when this
    input needs no gradient.
    """
    name: str
    shape: tuple
    grad: np.ndarray = dataclasses.field(repr=False)
    tensor: object = dataclasses.field(repr=False, compare=False)


@dataclasses.dataclass(frozen=True)
class Step:
    """One node of the backward walk."""
    index: int                    # 0, 1, 2, ... in the order the engine ran them
    op: str                       # e.g. "MulBackward"
    rule: str                     # the op's derivative rule (first docstring line)
    output_shape: tuple
    grad_output: np.ndarray = dataclasses.field(repr=False)     # ∂L/∂out, coming in
    inputs: tuple = ()            # a StepInput per input, in the op's argument order
    node: object = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def grad_inputs(self):
        """∂L/∂input for each input (None where not needed), in argument order."""
        return tuple(i.grad for i in self.inputs)


WIDTH = 100        # columns: the table fits a notebook cell and a wide terminal


def _wrap(text, width, subsequent_indent=''):
    """`text` as lines of at most `width` columns (a word longer than that stays whole)."""
    if len(text) <= width:
        return [text]
    lead = text[:len(text) - len(text.lstrip(' '))]
    return textwrap.wrap(text.lstrip(' '), width, initial_indent=lead,
                         subsequent_indent=subsequent_indent, break_long_words=False,
                         break_on_hyphens=False)


class BackwardTrace:
    """Records every node the engine visits while the `with` block runs.

    Made by `trace_backward()`. After the block: `steps` (a list of `Step`),
    `print(trace)` for a table, `grad_of(tensor)` for the gradient that reached
    any tensor of the graph (intermediates included), and `to_dot(loss,
    trace=trace)` / `draw_graph(loss, trace=trace)` draw the graph with every
    gradient in its box. The trace keeps the graph's tensors alive and
    copies every gradient: a tool for looking, not for training loops.
    """

    def __init__(self, params=None, max_values=6):
        named = named_tensors(params, 'trace_backward') if params is not None else []
        self.names = {id(t): name for name, t in named}
        self._named = named                            # keeps the ids above meaningful
        self.max_values = max_values
        self.steps = []
        self._by_node = {}            # id(node) -> Step
        self._leaf_grads = {}         # id(leaf) -> ∂L/∂leaf summed over this pass

    # ------------------------------------------------------------- recording
    def __enter__(self):
        engine._observers.append(self._observe)
        return self

    def __exit__(self, *exc):
        engine._observers.remove(self._observe)

    def _observe(self, node, grad_out, grads_in):
        inputs = []
        for i, t in enumerate(node._inputs):
            g = grads_in[i] if i < len(grads_in) else None
            if g is not None and t.requires_grad:
                # Copied: the engine may hand this very array to a leaf's .grad.
                g = np.array(engine.sum_to_shape(g, t._array.shape), dtype=t._array.dtype)
                if t.grad_fn is None:
                    previous = self._leaf_grads.get(id(t))
                    self._leaf_grads[id(t)] = g if previous is None else previous + g
            else:
                g = None
            inputs.append(StepInput(self._name(t), t.shape, g, t))
        step = Step(len(self.steps), node.name, node.rule, grad_out.shape,
                    grad_out.copy(), tuple(inputs), node)
        self.steps.append(step)
        self._by_node[id(node)] = step

    def _name(self, t):
        if id(t) in self.names:
            return self.names[id(t)]
        if t.grad_fn is not None:
            return f'(output of {t.grad_fn.name})'
        return '(leaf)' if t.requires_grad else '(constant)'

    # --------------------------------------------------------------- reading
    def __len__(self):
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def step_of(self, node):
        """The step at which `node` ran, or None if the engine did not visit it."""
        return self._by_node.get(id(node))

    def grad_of(self, tensor):
        """∂L/∂tensor as it flowed in this trace (None if no gradient reached it)."""
        if tensor.grad_fn is not None:
            step = self.step_of(tensor.grad_fn)
            return None if step is None else step.grad_output
        return self._leaf_grads.get(id(tensor))

    def __repr__(self):
        return f'<BackwardTrace: {len(self.steps)} steps>'

    def __str__(self):
        return self.table()

    def table(self, width=WIDTH):
        """The steps as text at most `width` columns wide (100, a notebook cell): one row per
        node, then its rule and one line per input, indented; a key to the notation last."""
        if not self.steps:
            return ('Backward trace: no steps recorded '
                    '(was backward() called inside the with block?)')
        show = lambda a: summarize(a, self.max_values)    # noqa: E731
        rows = [(str(s.index), _op_text(s), shape_text(s.output_shape), show(s.grad_output))
                for s in self.steps]
        head = ('#', 'node', 'out shape', '∂L/∂out (in)')
        widths = [max(len(r[c]) for r in rows + [head]) for c in range(4)]
        line = lambda r: '  '.join(x.ljust(w) for x, w in zip(r, widths)).rstrip()  # noqa: E731
        indent = ' ' * (widths[0] + 2)
        n = len(self.steps)
        out = _wrap(f'Backward trace: {n} step{"s" if n != 1 else ""}, in the order the engine '
                    'ran them (# = index in trace.steps). Each node receives ∂L/∂out, applies '
                    'its rule and sends ∂L/∂input to each of its inputs.', width)
        out += [line(head), line(['-' * w for w in widths])]
        shapes, texts = [], []
        for s, r in zip(self.steps, rows):
            out += _wrap(line(r), width, ' ' * (len(line(r)) - len(r[3])))
            out += _wrap(f'{indent}rule: {s.rule}', width, indent + ' ' * 6)
            shapes.append(s.output_shape)
            texts.append(r[3])
            for k, i in enumerate(s.inputs):
                sent = 'no gradient needed' if i.grad is None else show(i.grad)
                out += _wrap(f'{indent}→ input {k} {i.name} {shape_text(i.shape)}: '
                             f'∂L/∂input = {sent}', width, indent + ' ' * 4)
                shapes.append(i.shape)
                texts.append(sent)
        out += _wrap(self._key(shapes, texts), width)
        return '\n'.join(out)

    def _key(self, shapes, texts):
        """What the notation of this table means (only the parts it uses)."""
        parts = []
        if any(tuple(shape) == () for shape in shapes):
            parts.append('a shape () is a scalar (one number), (3,) a vector of 3')
        if any(t.startswith('mean ') for t in texts):
            parts.append(f'an array of more than {self.max_values} values shows as its mean and '
                         f'std')
        if any(t.startswith('mean ≈0') for t in texts):
            parts.append('"mean ≈0": a mean that is only rounding noise next to the spread (a '
                         'softmax gradient sums to 0 over the classes)')
        parts.append("a rule's symbols are defined in its op's docstring: "
                     "help(trace.steps[i].node)")
        return 'Key: ' + '; '.join(parts) + '.'


def _op_text(step):
    """The node's name, and its label if the code that made it gave one (an RNN: "step 2")."""
    label = getattr(step.node, 'label', None)
    return f'{step.op} ({label})' if label else step.op


def trace_backward(params=None, max_values=6):
    """Context manager recording each step of every backward pass run inside it.

    `params` (a Module, a dict name -> Tensor, or (name, tensor) pairs) names
    tensors in the table; arrays with more than `max_values` elements are
    shown as mean and std.

        with trace_backward(params={'x': x, 'w': w}) as trace:
            loss.backward()
        print(trace)
    """
    return BackwardTrace(params, max_values)
