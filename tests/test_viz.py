"""minigrad.viz: gradient flow, the DOT picture, the backward trace."""
import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.viz import GradientFlow


# ------------------------------------------------------------- GradientFlow

def _two_params():
    mg.manual_seed(0)
    w = mg.randn(3, 4, requires_grad=True)
    b = mg.randn(4, requires_grad=True)
    x = mg.randn(5, 3)
    return w, b, x


def test_gradient_flow_records_l2_norms_per_step():
    w, b, x = _two_params()
    flow = GradientFlow({'w': w, 'b': b})
    expected = {'w': [], 'b': []}
    for scale in (1.0, 3.0):
        w.grad = b.grad = None
        ((x @ w + b) ** 2 * scale).sum().backward()
        # d/dw sum(s (xw+b)²) = 2 s xᵀ(xw+b); d/db = 2 s Σ_rows (xw+b)
        z = x._array @ w._array + b._array
        expected['w'].append(np.linalg.norm(2 * scale * x._array.T @ z))
        expected['b'].append(np.linalg.norm(2 * scale * z.sum(0)))
        norms = flow.record()
        assert norms == {'w': flow.history['w'][-1], 'b': flow.history['b'][-1]}
    for name in ('w', 'b'):
        np.testing.assert_allclose(flow.history[name], expected[name], rtol=1e-5)
        assert all(type(v) is float for v in flow.history[name])
    assert flow.steps == [0, 1] and len(flow) == 2


def test_gradient_flow_accepts_pairs_tensors_and_modules():
    w, b, x = _two_params()
    (x @ w + b).sum().backward()

    class TinyModule:
        def named_parameters(self):
            yield 'layer.weight', w
            yield 'layer.bias', b

    for params, names in (([('w', w), ('b', b)], ['w', 'b']),
                          ([w, b], ['0', '1']),
                          (TinyModule(), ['layer.weight', 'layer.bias'])):
        flow = GradientFlow(params)
        flow.record(step=10)
        assert list(flow.history) == names
        assert flow.history[names[0]] == [pytest.approx(np.linalg.norm(w.grad._array))]
        assert flow.steps == [10]


def test_gradient_flow_missing_gradient_is_nan_and_warns_when_all_missing():
    w, b, x = _two_params()
    flow = GradientFlow({'w': w, 'b': b})
    with pytest.warns(UserWarning, match='after loss.backward'):
        flow.record()
    (x @ w).sum().backward()                       # b takes no part: no gradient
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        flow.record()
    assert math.isnan(flow.history['b'][1]) and flow.history['w'][1] > 0


def test_gradient_flow_rejects_bad_params():
    w, _, _ = _two_params()
    with pytest.raises(TypeError, match='single Tensor'):
        GradientFlow(w)
    with pytest.raises(TypeError, match='pairs'):
        GradientFlow([('w', w._array)])
    with pytest.raises(ValueError, match='no parameters'):
        GradientFlow({})


def test_gradient_flow_plot_is_log_scale_with_labels():
    matplotlib = pytest.importorskip('matplotlib')
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    w, b, x = _two_params()
    flow = GradientFlow({'w': w, 'b': b})
    for _ in range(3):
        w.grad = b.grad = None
        (x @ w + b).pow(2).sum().backward()
        flow.record()
    ax = flow.plot()
    try:
        assert ax.get_yscale() == 'log'
        assert ax.get_xlabel() and ax.get_ylabel()
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ['w', 'b']
        np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), flow.history['w'])
    finally:
        plt.close(ax.figure)


# ------------------------------------------------------------- the picture

from minigrad.viz import draw_graph, to_dot, trace_backward          # noqa: E402
from minigrad.viz.graph import COLORS, GRAD_STOPS, GRAD_ZERO          # noqa: E402


def _parse(dot):
    """{id: attribute text} for nodes and [(tail, head)] for edges of our DOT output."""
    import re
    nodes = {name: attrs for name, attrs in re.findall(r'^  (\w+) \[(.*)\];$', dot, re.M)
             if name not in ('graph', 'node', 'edge')}
    edges = re.findall(r'^  (\w+) -> (\w+)', dot, re.M)
    return nodes, edges


def _find(nodes, text):
    """The one node whose attributes contain `text`."""
    hits = [name for name, attrs in nodes.items() if text in attrs]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def _fill(attrs):
    import re
    return re.search(r'fillcolor="(#[0-9a-f]{6})"', attrs).group(1)


def _mul_sum():
    x = mg.tensor([1.0, 2.0, 3.0])                       # data: no gradient
    w = mg.tensor([4.0, 5.0, 6.0], requires_grad=True)
    return x, w, (x * w).sum()


def test_dot_has_the_nodes_and_edges_of_a_small_graph():
    x, w, loss = _mul_sum()
    nodes, edges = _parse(to_dot(loss, params={'w': w}, legend=False))
    assert len(nodes) == 6                               # 4 tensors + 2 ops
    mul, add = _find(nodes, '<B>MulBackward</B>'), _find(nodes, '<B>SumBackward</B>')
    out, w_box = _find(nodes, '<B>output</B>'), _find(nodes, '<B>w</B>')
    x_box = _find(nodes, '>[1, 2, 3]<')
    mid = _find(nodes, '[4, 10, 18]')                    # x * w
    assert sorted(edges) == sorted([(x_box, mul), (w_box, mul), (mul, mid),
                                    (mid, add), (add, out)])
    assert '(3,) float32' in nodes[w_box] and '[4, 5, 6]' in nodes[w_box]
    assert '() float32' in nodes[out] and '>32<' in nodes[out]
    assert _fill(nodes[w_box]) == COLORS['parameter']
    assert _fill(nodes[x_box]) == COLORS['constant'] and 'dashed' in nodes[x_box]
    assert _fill(nodes[mid]) == COLORS['intermediate']
    assert _fill(nodes[out]) == COLORS['output']
    assert _fill(nodes[mul]) == COLORS['op'] and 'ellipse' in nodes[mul]
    assert '>grad ' not in to_dot(loss)                  # no backward yet: no gradients


def test_dot_names_parameters_of_a_module_and_marks_unnamed_leaves():
    mg.manual_seed(0)
    w, b = mg.randn(2, 3, requires_grad=True), mg.randn(2, requires_grad=True)
    x = mg.randn(4, 3)

    class Layer:
        def named_parameters(self):
            return iter([('fc.weight', w), ('fc.bias', b)])

    loss = ((x @ w.T + b) * mg.tensor(2.0, requires_grad=True)).mean()
    nodes, _ = _parse(to_dot(loss, params=Layer()))
    assert _fill(nodes[_find(nodes, '<B>fc.weight</B>')]) == COLORS['parameter']
    assert _fill(nodes[_find(nodes, '<B>fc.bias</B>')]) == COLORS['parameter']
    assert _fill(nodes[_find(nodes, '>2<')]) == COLORS['leaf']     # unnamed leaf needing grad
    x_box = _find(nodes, '(4, 3) float32')
    assert 'mean ' in nodes[x_box] and 'std ' in nodes[x_box]     # 12 values: a summary
    legend = nodes['legend']
    for kind in ('output', 'intermediate', 'parameter', 'leaf', 'constant', 'op (grad_fn)'):
        assert kind in legend


def test_dot_legend_explains_the_shorthand_it_uses():
    x, w, loss = _mul_sum()                              # 3 values each: shown whole
    legend = _parse(to_dot(loss))[0]['legend']
    assert 'shape (): a scalar' in legend and 'mean and std' not in legend
    mg.manual_seed(0)
    logits = mg.randn(4, 3, requires_grad=True)
    loss = (logits - logits.logsumexp(1, keepdim=True)).sum()   # each row's gradient sums to 0
    loss.backward(retain_graph=True)
    legend = _parse(to_dot(loss))[0]['legend']
    assert 'more than 6 values: mean and std' in legend
    assert 'mean ≈0: rounding noise next to the std' in legend


def test_dot_shows_leaf_gradients_after_backward_with_retain_graph():
    x, w, loss = _mul_sum()
    loss.backward(retain_graph=True)
    nodes, _ = _parse(to_dot(loss, params={'w': w}))
    assert 'grad [1, 2, 3]' in nodes[_find(nodes, '<B>w</B>')]     # d(x·w)/dw = x
    assert sum('>grad ' in a for a in nodes.values()) == 1          # intermediates keep none


def test_dot_after_backward_shows_leaf_gradients_and_no_intermediate_ones():
    # backward frees the saved values but keeps the graph's structure, as PyTorch does:
    # the picture can still be drawn; intermediates have no .grad (a trace records them)
    x, w, loss = _mul_sum()
    before = _parse(to_dot(loss, params={'w': w}))
    loss.backward()
    with warnings.catch_warnings():
        warnings.simplefilter('error')               # reading non-leaf .grad would warn
        nodes, edges = _parse(to_dot(loss, params={'w': w}))
    assert edges == before[1] and nodes.keys() == before[0].keys()
    assert 'grad [1, 2, 3]' in nodes[_find(nodes, '<B>w</B>')]
    assert sum('>grad ' in a for a in nodes.values()) == 1


def test_dot_from_a_trace_draws_the_freed_graph_with_every_gradient():
    x, w, loss = _mul_sum()
    before = _parse(to_dot(loss, params={'w': w}))
    with trace_backward() as trace:
        loss.backward()
    nodes, edges = _parse(to_dot(loss, params={'w': w}, trace=trace))
    assert edges == before[1] and nodes.keys() == before[0].keys()
    assert 'grad 1<' in nodes[_find(nodes, '<B>output</B>')]
    assert 'grad [1, 1, 1]' in nodes[_find(nodes, '[4, 10, 18]')]
    assert 'grad [1, 2, 3]' in nodes[_find(nodes, '<B>w</B>')]
    assert '>grad ' not in nodes[_find(nodes, '>[1, 2, 3]<')]         # x needs none


def test_dot_colours_by_gradient_magnitude():
    big, tiny, dead = (mg.ones(3, requires_grad=True) for _ in range(3))
    loss = (big * 1.0).sum() + (tiny * 1e-7).sum() + (dead * 0.0).sum()
    loss.backward(retain_graph=True)
    dot = to_dot(loss, params={'big': big, 'tiny': tiny, 'dead': dead}, color_by_grad=True)
    nodes, _ = _parse(dot)
    hexed = lambda rgb: '#' + ''.join(f'{c:02x}' for c in rgb)   # noqa: E731
    big_box, tiny_box = _find(nodes, '<B>big</B>'), _find(nodes, '<B>tiny</B>')
    assert _fill(nodes[big_box]) == hexed(GRAD_STOPS[-1][1])
    assert _fill(nodes[tiny_box]) == hexed(GRAD_STOPS[0][1])     # < 1e-6 × the largest
    assert _fill(nodes[_find(nodes, '<B>dead</B>')]) == GRAD_ZERO
    assert 'gradient RMS' in nodes['legend'] and '1.0e+00' in nodes['legend']
    assert 'parameter' not in nodes['legend']            # every box is coloured by gradient
    # The arrows carrying gradients back are thicker where the gradient is larger.
    import re
    widths = dict(re.findall(r'^  (\w+) -> \w+ \[.*penwidth="([\d.]+)"', dot, re.M))
    assert float(widths[big_box]) > 3 and float(widths[tiny_box]) == 1


def test_dot_max_depth_collapses_earlier_ops_and_rankdir():
    x = mg.tensor([0.5], requires_grad=True)
    y = x
    for _ in range(10):
        y = y * 2.0
    dot = to_dot(y.sum(), max_depth=3, rankdir='LR', legend=False)
    nodes, edges = _parse(dot)
    assert sum('Backward' in a for a in nodes.values()) == 3
    assert _find(nodes, '⋯ 8 earlier ops')               # 11 ops in all, 3 drawn
    assert 'rankdir="LR"' in dot
    with pytest.raises(ValueError, match='rankdir'):
        to_dot(y, rankdir='sideways')
    with pytest.raises(TypeError, match='Tensor'):
        to_dot(y._array)


def test_dot_of_a_deep_graph_needs_no_recursion():
    y = mg.tensor([1.0], requires_grad=True)
    for _ in range(3000):
        y = y + 1.0
    nodes, edges = _parse(to_dot(y, legend=False, show_values=False))
    # 3000 ops, 3000 results, the leaf, and the constant 1.0 (one tensor, shared by every op)
    assert len(nodes) == 3000 * 2 + 2 and len(edges) == 3000 * 3


def test_draw_graph_renders_svg_when_dot_is_installed():
    pytest.importorskip('graphviz')
    import shutil
    if shutil.which('dot') is None:
        pytest.skip('Graphviz `dot` program not installed')
    x, w, loss = _mul_sum()
    graph = draw_graph(loss, params={'w': w}, show_rules=True)
    import graphviz
    assert isinstance(graph, graphviz.Digraph)
    svg = graph.pipe(format='svg', encoding='utf-8')
    assert '<svg' in svg and 'MulBackward' in svg and 'd(a * b) = b da + a db' in svg


def test_draw_graph_says_how_to_install_dot_when_it_is_missing(monkeypatch, tmp_path):
    graphviz = pytest.importorskip('graphviz')
    x, w, loss = _mul_sum()
    graph = draw_graph(loss)
    monkeypatch.setenv('PATH', str(tmp_path))           # no `dot` on this PATH
    with pytest.raises(graphviz.ExecutableNotFound, match='apt-get install graphviz'):
        graph.pipe(format='svg')
    with pytest.raises(RuntimeError, match='apt-get install graphviz'):
        graph.render(tmp_path / 'g', format='png')
    assert 'MulBackward' in to_dot(loss)                 # DOT text still works


def test_draw_graph_repr_says_what_it_is_and_how_to_save_it_without_an_address():
    pytest.importorskip('graphviz')
    x, w, loss = _mul_sum()
    graph = draw_graph(loss, params={'w': w})
    text = repr(graph)
    assert 'graph picture of 4 tensors, 2 ops' in text and 'graphviz.Digraph' in text
    assert ".render('graph', format='png', cleanup=True)" in text and 'Jupyter' in text
    assert ' at 0x' not in text and '<locals>' not in text
    assert max(map(len, text.splitlines())) <= 100
    assert ' at 0x' not in repr(graph.copy())            # a copy keeps a readable repr
    assert hasattr(graph, '_repr_mimebundle_') or hasattr(graph, '_repr_svg_')   # Jupyter draws it


def test_draw_graph_without_the_graphviz_package_names_the_extra(monkeypatch):
    import sys
    from minigrad.viz import graph
    monkeypatch.setitem(sys.modules, 'graphviz', None)
    monkeypatch.setattr(graph, '_DIGRAPH', None)
    x, w, loss = _mul_sum()
    with pytest.raises(ImportError, match=r'minigrad\[viz\]'):
        draw_graph(loss)


# ----------------------------------------------------------- the trace

def test_trace_of_sum_of_product_matches_hand_gradients():
    a = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = mg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    loss = (a * b).sum()                                 # b broadcasts over the rows of a
    with trace_backward(params={'a': a, 'b': b}) as trace:
        loss.backward()
    assert [s.op for s in trace.steps] == ['SumBackward', 'MulBackward']
    total, mul = trace.steps
    # Step 0: L = Σ p, so ∂L/∂p = 1 everywhere.
    assert total.output_shape == () and total.grad_output == 1
    assert total.rule == 'd Σ x = Σ dx: every element gets the incoming gradient'
    np.testing.assert_array_equal(total.grad_inputs[0], np.ones((2, 3)))
    # Step 1: p = a * b, so ∂L/∂a = 1 · b (per row), ∂L/∂b = Σ_rows a (broadcast undone).
    assert mul.output_shape == (2, 3) and mul.rule == 'd(a * b) = b da + a db'
    np.testing.assert_array_equal(mul.grad_output, np.ones((2, 3)))
    assert [i.name for i in mul.inputs] == ['a', 'b']
    np.testing.assert_array_equal(mul.grad_inputs[0], [[0.5, -1.0, 2.0]] * 2)
    np.testing.assert_array_equal(mul.grad_inputs[1], [5.0, 7.0, 9.0])
    assert mul.inputs[1].shape == (3,)
    np.testing.assert_array_equal(trace.grad_of(b), b.grad._array)
    text = str(trace)
    assert 'SumBackward' in text and 'd(a * b) = b da + a db' in text
    assert '→ input 1 b (3,): ∂L/∂input = [5, 7, 9]' in text


def test_trace_of_tanh_of_product_matches_hand_gradients():
    x = mg.tensor([0.5, -1.0], dtype=mg.float64)         # constant: no gradient sent to it
    w = mg.tensor([2.0, 0.25], requires_grad=True, dtype=mg.float64)
    y = (x * w).tanh()
    g = np.array([3.0, -2.0])
    with trace_backward() as trace:
        y.backward(mg.tensor(g))
    tanh, mul = trace.steps
    assert (tanh.op, mul.op) == ('TanhBackward', 'MulBackward')
    t = np.tanh(x._array * w._array)
    assert tanh.rule == 'd tanh(x) = (1 - tanh(x)²) dx'
    np.testing.assert_allclose(tanh.grad_output, g)
    np.testing.assert_allclose(tanh.grad_inputs[0], g * (1 - t ** 2))
    np.testing.assert_allclose(mul.grad_inputs[1], g * (1 - t ** 2) * x._array)
    assert mul.grad_inputs[0] is None and mul.inputs[0].name == '(constant)'
    assert 'no gradient needed' in str(trace)
    assert mul.inputs[1].grad.dtype == np.float64


def test_trace_fits_a_100_column_cell_and_explains_its_notation():
    nn = pytest.importorskip('minigrad.nn')
    import minigrad.nn.functional as F
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    loss = F.cross_entropy(model(mg.randn(4, 2)), mg.tensor([0, 1, 2, 1]))
    with trace_backward(params=model) as trace:
        loss.backward()
    text = str(trace)
    assert max(map(len, text.splitlines())) <= 100, max(text.splitlines(), key=len)
    assert 'rule: d ce = ' in text and 'rule: d(x Wᵀ + b) = ' in text      # every rule, whole
    key = text[text.index('Key:'):]
    assert '() is a scalar' in key and 'mean and std' in key and 'mean ≈0' in key
    assert 'help(trace.steps[i].node)' in key
    assert trace.table(width=60).count('\n') > text.count('\n')          # narrower: more lines
    one = trace_backward()
    with one:
        (mg.tensor(2.0, requires_grad=True) * 3.0).backward()
    assert str(one).startswith('Backward trace: 1 step,')


def test_trace_stops_listening_after_the_block_and_copies_gradients():
    from minigrad.autograd import engine
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    before = list(engine._observers)
    with pytest.raises(ZeroDivisionError):
        with trace_backward() as trace:
            (w * 3.0).sum().backward()
            1 / 0
    assert engine._observers == before
    (w * 5.0).sum().backward()                           # not recorded
    assert len(trace) == 2
    w.grad.zero_()                                       # the trace keeps its own copies
    np.testing.assert_array_equal(trace.steps[1].grad_inputs[0], [3.0, 3.0])


# ----------------------------------------------------------- the example

def test_example_writes_the_pictures_and_prints_the_trace(tmp_path, monkeypatch, capsys):
    pytest.importorskip('minigrad.nn.functional')
    import pathlib
    import runpy
    import shutil
    script = pathlib.Path(__file__).parent.parent / 'examples' / 'visualize_graph.py'
    monkeypatch.setattr('sys.argv', [str(script), '--out', str(tmp_path), '--format', 'svg'])
    runpy.run_path(str(script), run_name='__main__')
    printed = capsys.readouterr().out
    for op in ('CrossEntropyBackward', 'LinearBackward', 'ReLUBackward'):
        assert op in printed
    assert '0.weight' in printed and 'd(x Wᵀ + b) = ' in printed
    for stem in ('graph_forward', 'graph_backward'):
        dot = (tmp_path / f'{stem}.dot').read_text(encoding='utf-8')
        assert '<B>0.weight</B>' in dot and '<B>2.bias</B>' in dot and '<B>loss</B>' in dot
        if shutil.which('dot') is not None:
            assert '<svg' in (tmp_path / f'{stem}.svg').read_text(encoding='utf-8')
    assert '>grad ' in (tmp_path / 'graph_backward.dot').read_text(encoding='utf-8')


def test_gradient_flow_of_an_nn_module_uses_its_parameter_names():
    nn = pytest.importorskip('minigrad.nn')
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    flow = GradientFlow(model)
    model(mg.randn(5, 3)).sum().backward()
    flow.record()
    assert list(flow.history) == ['0.weight', '0.bias', '2.weight', '2.bias']
    assert flow.history['2.bias'] == [pytest.approx(np.sqrt(2) * 5)]   # Σ over 5 rows of 1


def test_gradient_flow_norm_survives_float32_overflow():
    # A diverging run: the sum of squares overflows float32, the norm itself does not.
    w = mg.zeros(3, requires_grad=True)
    w.grad = mg.tensor(np.array([3e30, 4e30, 0], dtype=np.float32))
    flow = GradientFlow({"w": w})
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        norms = flow.record()
    assert norms['w'] == pytest.approx(5e30, rel=1e-6)
