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
        z = x.data @ w.data + b.data
        expected['w'].append(np.linalg.norm(2 * scale * x.data.T @ z))
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
        assert flow.history[names[0]] == [pytest.approx(np.linalg.norm(w.grad.data))]
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
        GradientFlow([('w', w.data)])
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
