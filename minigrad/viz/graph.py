"""The graph as a picture: tensors are boxes, ops are ovals, arrows follow the forward pass.

    print(to_dot(loss, params=model))          # DOT text, no Graphviz needed
    draw_graph(loss, params=model)             # a graphviz.Digraph (shows in Jupyter)

Draw it before or after `loss.backward()`: backward frees the values the ops
saved but keeps the graph's structure, and afterwards the boxes of leaves
show their `.grad` too. Intermediate tensors keep no gradient (as in
PyTorch); to see every gradient, intermediates included, record the pass:

    with trace_backward() as trace:
        loss.backward()
    draw_graph(loss, trace=trace, color_by_grad=True)

`color_by_grad=True` fills each box by the size of its gradient (root mean
square, on a log scale relative to the largest in the picture), so a
gradient vanishing on its way back shows as a fade from red to blue.
"""
import collections
import html

from ._format import rms, shape_text, summarize
from ._params import named_tensors

# Box fills by kind of tensor, and the op ovals.
COLORS = {
    'parameter': '#b7e4b0',     # green: what training changes
    'leaf': '#a6cee3',          # blue: a leaf that requires grad but is not a named parameter
    'constant': '#eeeeee',      # grey: data and targets, no gradient
    'intermediate': '#ffffff',  # white: made by an op
    'output': '#fdb863',        # orange: the tensor being drawn (usually the loss)
    'op': '#dcd6f7',            # lavender ovals: the ops, named after their grad_fn
}
# color_by_grad: small gradients pale blue, middling pale yellow, the largest orange-red.
GRAD_STOPS = ((0.0, (0xc6, 0xdb, 0xef)), (0.5, (0xff, 0xff, 0xbf)), (1.0, (0xfc, 0x8d, 0x59)))
GRAD_ZERO = '#bdbdbd'           # exactly zero: nothing flows at all
GRAD_DECADES = 6                # the colour scale spans 10⁻⁶ × the largest gradient up to it

_FREED_HINT = ('the graph of this tensor was freed by backward(). Draw it before calling '
               'backward(), call backward(retain_graph=True), or record the pass with '
               '`with minigrad.viz.trace_backward() as trace: loss.backward()` and pass trace=trace')


def to_dot(tensor, params=None, rankdir='TB', max_depth=None, color_by_grad=False, trace=None,
           show_values=True, show_rules=False, max_values=6, legend=True):
    """Graphviz DOT text for the graph that produced `tensor` (no Graphviz needed).

    params         a Module, a dict name -> Tensor, or (name, tensor) pairs: names
                   for the boxes (a named leaf that requires grad is a "parameter")
    rankdir        'TB' (inputs at the top), 'BT', 'LR' or 'RL'
    max_depth      draw at most this many ops back from `tensor`; earlier ones
                   collapse into one "⋯ N earlier ops" box per cut
    color_by_grad  fill boxes by gradient size (once backward has run) instead of kind
    trace          a `trace_backward()` record: supplies the gradients of intermediate
                   tensors (and the graph, should backward have dropped it)
    show_values    print values (at most `max_values` of them) or mean/std in boxes
    show_rules     print each op's derivative rule under its name
    legend         add a key to the colours
    """
    return _Picture(tensor, params, rankdir, max_depth, color_by_grad, trace,
                    show_values, show_rules, max_values, legend).dot()


def draw_graph(tensor, params=None, rankdir='TB', max_depth=None, color_by_grad=False,
               trace=None, show_values=True, show_rules=False, max_values=6, legend=True):
    """The same picture as `to_dot` as a `graphviz.Digraph`: shows itself in Jupyter,
    `.render('graph', format='png', cleanup=True)` saves it as graph.png, and its repr elsewhere says
    so. Needs `pip install "minigrad[viz]"` and, to render, Graphviz's `dot` program."""
    picture = _Picture(tensor, params, rankdir, max_depth, color_by_grad, trace,
                       show_values, show_rules, max_values, legend)
    graph = _digraph_class()('minigrad', graph_attr=picture.graph_attr,
                             node_attr=picture.node_attr, edge_attr=picture.edge_attr)
    for name, attrs in picture.nodes:
        graph.node(name, **attrs)
    for tail, head, attrs in picture.edges:
        graph.edge(tail, head, **attrs)
    tensors, ops = len(picture.tensors), picture.op_count
    graph.minigrad_summary = (f'{tensors} tensor{"s" if tensors != 1 else ""}, '
                              f'{ops} op{"s" if ops != 1 else ""}')
    return graph


# ------------------------------------------------------------ building it

class _Picture:
    """Walks the graph once (breadth first, no recursion) into nodes and edges."""

    def __init__(self, root, params, rankdir, max_depth, color_by_grad, trace,
                 show_values, show_rules, max_values, legend):
        from ..tensor import Tensor
        if not isinstance(root, Tensor):
            raise TypeError(f'to_dot/draw_graph expect the Tensor to draw (e.g. the loss), '
                            f'got {type(root).__name__}')
        if rankdir not in ('TB', 'BT', 'LR', 'RL'):
            raise ValueError(f"rankdir must be 'TB', 'BT', 'LR' or 'RL', got {rankdir!r}")
        if max_depth is not None and (not isinstance(max_depth, int) or max_depth < 1):
            raise ValueError(f'max_depth must be a positive int or None, got {max_depth!r}')
        self.names = {id(t): name for name, t in named_tensors(params, 'draw_graph')} \
            if params is not None else {}
        self.trace, self.show_values, self.show_rules = trace, show_values, show_rules
        self.max_values, self.color_by_grad = max_values, color_by_grad
        self.graph_attr = {'rankdir': rankdir, 'nodesep': '0.3', 'ranksep': '0.35',
                           'fontname': 'Helvetica'}
        self.node_attr = {'fontname': 'Helvetica', 'fontsize': '11'}
        self.edge_attr = {'color': '#555555', 'arrowsize': '0.7'}
        self.nodes, self.edges = [], []
        self.tensors = []                # (dot id, tensor, its gradient or None)
        self._edge_inputs = []           # (edge index, the input tensor it comes from)
        self.op_count = 0                # ovals drawn
        self._ids = {}                   # id(tensor or node) -> dot id
        self.grad_scale = 0.0            # the largest gradient RMS, with color_by_grad
        self._walk(root, max_depth)
        self._style_by_grad()
        if legend:
            self._add_legend()

    # ---------------------------------------------------------- the walk
    def _walk(self, root, max_depth):
        if root.grad_fn is not None and self._inputs_of(root.grad_fn) is None:
            raise RuntimeError(_FREED_HINT)
        self._tensor_box(root, output=True)
        queue = collections.deque([(root, 1)])      # a tensor and the depth of the op that made it
        ops_seen = set()
        while queue:
            t, depth = queue.popleft()
            fn = t.grad_fn
            if fn is None:
                continue
            if id(fn) in ops_seen:                  # op already drawn for another output
                self.edges.append((self._ids[id(fn)], self._ids[id(t)], {}))
                continue
            if max_depth is not None and depth > max_depth:
                self._collapsed(t)
                continue
            ops_seen.add(id(fn))
            op = self._op_node(fn)
            self.edges.append((op, self._ids[id(t)], {}))
            inputs = self._inputs_of(fn)
            for t_in in inputs or ():
                fresh = id(t_in) not in self._ids
                box = self._tensor_box(t_in) if fresh else self._ids[id(t_in)]
                self.edges.append((box, op, {}))
                self._edge_inputs.append((len(self.edges) - 1, t_in))
                if fresh:
                    queue.append((t_in, depth + 1))

    def _inputs_of(self, fn):
        if fn._inputs is not None:
            return fn._inputs
        step = self.trace.step_of(fn) if self.trace is not None else None
        return None if step is None else tuple(i.tensor for i in step.inputs)

    def _new_id(self, obj, prefix):
        name = f'{prefix}{len(self._ids)}'
        self._ids[id(obj)] = name
        return name

    def _tensor_box(self, t, output=False):
        name = self._new_id(t, 't')
        kind = self._kind(t, output)
        grad = self._grad(t)
        lines = []
        title = self.names.get(id(t), 'output' if output else None)
        if title is not None:
            lines.append(f'<B>{_esc(title)}</B>')
        lines.append(_small(f'{shape_text(t.shape)} {t.dtype}'))
        if self.show_values:
            lines.append(_small(_esc(summarize(t._array, self.max_values))))
        if grad is not None:
            lines.append(_small(_esc('grad ' + summarize(grad, self.max_values)), '#8c0a0a'))
        style = 'rounded,filled' + (',dashed' if kind == 'constant' else '')
        self.nodes.append((name, {'label': '<' + '<BR/>'.join(lines) + '>', 'shape': 'box',
                                  'style': style, 'fillcolor': COLORS[kind],
                                  'tooltip': kind}))
        self.tensors.append((name, t, grad))
        return name

    def _op_node(self, fn):
        name = self._new_id(fn, 'op')
        self.op_count += 1
        label = f'<B>{_esc(fn.name)}</B>'
        if getattr(fn, 'label', None):      # e.g. "step 2", set by the layer that made the node
            label += '<BR/>' + _small(_esc(fn.label), size=9)
        if self.show_rules:
            label += '<BR/>' + _small(_esc(fn.rule), size=9)
        self.nodes.append((name, {'label': '<' + label + '>', 'shape': 'ellipse',
                                  'style': 'filled', 'fillcolor': COLORS['op'],
                                  'margin': '0.05,0.03'}))
        return name

    def _collapsed(self, t):
        """One "⋯ N earlier ops" box standing for everything that made `t`."""
        count, stack, seen = 0, [t.grad_fn], {id(t.grad_fn)}
        while stack and count < 10_000:
            fn = stack.pop()
            count += 1
            for t_in in self._inputs_of(fn) or ():
                if t_in.grad_fn is not None and id(t_in.grad_fn) not in seen:
                    seen.add(id(t_in.grad_fn))
                    stack.append(t_in.grad_fn)
        more = f'more{len(self.nodes)}'
        text = f'⋯ {count}{"+" if stack else ""} earlier op{"s" if count > 1 else ""}'
        self.nodes.append((more, {'label': text, 'shape': 'note', 'style': 'dashed',
                                  'fontcolor': '#555555'}))
        self.edges.append((more, self._ids[id(t)], {'style': 'dashed'}))

    def _kind(self, t, output):
        if output:
            return 'output'
        if t.grad_fn is not None:
            return 'intermediate'
        if not t.requires_grad:
            return 'constant'
        return 'parameter' if id(t) in self.names else 'leaf'

    def _grad(self, t):
        if t._grad is not None:          # not t.grad: on a non-leaf that warns, as in PyTorch
            return t._grad._array
        if self.trace is not None:
            return self.trace.grad_of(t)
        return None

    # --------------------------------------------------------- colouring
    def _style_by_grad(self):
        if not self.color_by_grad:
            return
        sizes = {name: rms(g) for name, _, g in self.tensors if g is not None}
        top = max(sizes.values(), default=0.0)
        self.grad_scale = top
        fills = {name: _grad_color(size, top) for name, size in sizes.items()}
        for name, attrs in self.nodes:
            if name in fills:
                attrs['fillcolor'] = fills[name]
        # The arrow into an op carries the input's gradient back: colour and thicken it.
        for index, t_in in self._edge_inputs:
            box = self._ids[id(t_in)]
            if box in sizes:
                tail, head, attrs = self.edges[index]
                attrs = dict(attrs, color=_darker(fills[box]),
                             penwidth=f'{1 + 2.5 * _position(sizes[box], top):.2f}')
                self.edges[index] = (tail, head, attrs)

    def _add_legend(self):
        # With color_by_grad only the boxes without a gradient keep their kind's colour.
        kinds = {self._kind(t, i == 0) for i, (_, t, g) in enumerate(self.tensors)
                 if not (self.color_by_grad and g is not None)}
        rows = [f'<TR><TD BGCOLOR="{COLORS[k]}">{k}</TD></TR>'
                for k in ('output', 'intermediate', 'parameter', 'leaf', 'constant') if k in kinds]
        rows.append(f'<TR><TD BGCOLOR="{COLORS["op"]}" STYLE="rounded">op (grad_fn)</TD></TR>')
        rows += [f'<TR><TD BORDER="0">{_esc(note)}</TD></TR>' for note in self._notation()]
        if self.color_by_grad:
            top = self.grad_scale
            if top > 0:
                rows.append('<TR><TD BORDER="0">fill: gradient RMS</TD></TR>')
                for exponent in range(0, -GRAD_DECADES - 1, -2):
                    size = top * 10.0 ** exponent
                    rows.append(f'<TR><TD BGCOLOR="{_grad_color(size, top)}">'
                                f'{size:.1e}{" or less" if exponent == -GRAD_DECADES else ""}'
                                '</TD></TR>')
                rows.append(f'<TR><TD BGCOLOR="{GRAD_ZERO}">exactly 0</TD></TR>')
            else:
                rows.append('<TR><TD BORDER="0">no gradients yet</TD></TR>')
        label = ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="3">'
                 + ''.join(rows) + '</TABLE>>')
        self.nodes.append(('legend', {'label': label, 'shape': 'plaintext', 'fontsize': '9'}))

    def _notation(self):
        """Lines saying what the boxes' shorthand means, for the shorthand this picture uses."""
        notes = []
        if any(t.shape == () for _, t, _ in self.tensors):
            notes.append('shape (): a scalar')
        arrays = [a for _, t, g in self.tensors for a in (t._array if self.show_values else None, g)
                  if a is not None and a.size > self.max_values]
        if arrays:
            notes.append(f'more than {self.max_values} values: mean and std')
        if any(summarize(a, self.max_values).startswith('mean ≈0') for a in arrays):
            notes.append('mean ≈0: rounding noise next to the std')
        return notes

    # --------------------------------------------------------- DOT text
    def dot(self):
        out = ['digraph minigrad {',
               f'  graph [{_attrs(self.graph_attr)}];',
               f'  node [{_attrs(self.node_attr)}];',
               f'  edge [{_attrs(self.edge_attr)}];']
        out += [f'  {name} [{_attrs(attrs)}];' for name, attrs in self.nodes]
        out += [f'  {tail} -> {head}' + (f' [{_attrs(attrs)}]' if attrs else '') + ';'
                for tail, head, attrs in self.edges]
        out.append('}')
        return '\n'.join(out) + '\n'


def _position(size, top):
    """Where `size` sits on the colour scale: 0 at 10⁻⁶·top or below, 1 at top."""
    import math
    if size <= 0 or top <= 0:
        return 0.0
    return min(1.0, max(0.0, 1 + math.log10(size / top) / GRAD_DECADES))


def _grad_color(size, top):
    if size == 0:
        return GRAD_ZERO
    x = _position(size, top)
    for (x0, c0), (x1, c1) in zip(GRAD_STOPS, GRAD_STOPS[1:]):
        if x <= x1:
            f = (x - x0) / (x1 - x0)
            return '#' + ''.join(f'{round(a + f * (b - a)):02x}' for a, b in zip(c0, c1))
    return '#' + ''.join(f'{c:02x}' for c in GRAD_STOPS[-1][1])


def _darker(color):
    return '#' + ''.join(f'{int(int(color[i:i + 2], 16) * 0.7):02x}' for i in (1, 3, 5))


def _esc(text):
    return html.escape(text, quote=False)


def _small(text, color=None, size=10):
    colour = f' COLOR="{color}"' if color else ''
    return f'<FONT POINT-SIZE="{size}"{colour}>{text}</FONT>'


def _attrs(attrs):
    """name="value" pairs; a value in <...> is an HTML label and goes in as it is."""
    def value(v):
        v = str(v)
        if v.startswith('<') and v.endswith('>'):
            return v
        return '"' + v.replace('\\', '\\\\').replace('"', '\\"') + '"'
    return ', '.join(f'{k}={value(v)}' for k, v in attrs.items())


# ----------------------------------------------------- graphviz, lazily

_DOT_MISSING = ('Rendering needs the Graphviz program `dot`, which was not found on PATH. '
                'Install it: on Debian/Ubuntu `sudo apt-get install graphviz`, on macOS '
                '`brew install graphviz`, on Windows `winget install graphviz` (or the '
                'installer from graphviz.org), in conda `conda install graphviz`. '
                'minigrad.viz.to_dot() still gives the DOT text without it.')

_DIGRAPH = None


def _digraph_class():
    """A graphviz.Digraph whose rendering says how to install `dot` when it is missing."""
    global _DIGRAPH
    if _DIGRAPH is not None:
        return _DIGRAPH
    try:
        import graphviz
    except ImportError:
        raise ImportError('draw_graph() needs the graphviz Python package: '
                          'pip install "minigrad[viz]" (or pip install graphviz); '
                          'to_dot() gives the DOT text without it') from None

    class DotNotFound(graphviz.ExecutableNotFound):
        """Graphviz's `dot` program is missing; the message says how to install it."""
        def __init__(self, message):
            RuntimeError.__init__(self, message)

    class Digraph(graphviz.Digraph):
        """A graphviz.Digraph that says what it is when printed outside Jupyter."""
        minigrad_summary = None          # "9 tensors, 5 ops", set by draw_graph

        def __repr__(self):
            what = f' of {self.minigrad_summary}' if self.minigrad_summary else ''
            return (f'<minigrad graph picture{what} (a graphviz.Digraph).\n'
                    f" Jupyter draws it inline. Elsewhere: .render('graph', format='png', cleanup=True) writes "
                    f'graph.png\n'
                    f" (needs Graphviz's `dot` program); .source is the DOT text.>")

        def pipe(self, *args, **kwargs):
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as error:
                raise DotNotFound(_DOT_MISSING) from error

        def render(self, *args, **kwargs):
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as error:
                raise DotNotFound(_DOT_MISSING) from error

    Digraph.__module__ = DotNotFound.__module__ = __name__
    _DIGRAPH = Digraph
    return Digraph
