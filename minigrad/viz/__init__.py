"""See backprop happen: the graph as a picture, the backward pass step by step,
each parameter's gradient norm, and each layer's health during training.

    to_dot(loss, params=model)              DOT text, no Graphviz needed
    draw_graph(loss, params=model)          a graphviz.Digraph (Jupyter shows it)
    with trace_backward() as trace:         every node of the backward walk:
        loss.backward()                     print(trace), trace.steps
    GradientFlow(model).record()            gradient norms per training step
    Health(model).record()                  per layer: saturation, dead units, gradient
                                            and update-to-data ratios; summary() and plot()

NumPy only at import time; graphviz and matplotlib are imported when a
picture is asked for.
"""
from .flow import GradientFlow
from .graph import draw_graph, to_dot
from .health import Health
from .trace import BackwardTrace, Step, StepInput, trace_backward

__all__ = ['GradientFlow', 'Health', 'draw_graph', 'to_dot', 'trace_backward', 'BackwardTrace',
           'Step', 'StepInput']
