"""`mg.autograd`: reverse-mode differentiation. This file only gathers the names; each room
has one purpose, and imports run downward (mode, versions -> graph -> engine -> the rest):

    mode.py        grad modes (no_grad, enable_grad, ...) and anomaly mode
    versions.py    the version log: was a saved array changed in place?
    graph.py       the nodes: Op (an op's forward and backward), AccumulateGrad, broadcasting
    engine.py      backward, grad and the walk that applies the chain rule (one screen)
    replay.py      create_graph=True: an op's own rule run on Tensors, recording a graph
    function.py    PyTorch's protocol for your own ops: Function, ctx.save_for_backward
    functional.py  jacobian, hessian, vjp, jvp, hvp
"""
from .mode import (detect_anomaly, enable_grad, inference_mode, is_anomaly_enabled,
                   is_grad_enabled, no_grad, set_detect_anomaly, set_grad_enabled)
from .versions import bump_version, version
from .graph import AccumulateGrad, Op, rule_of, source_of, sum_to_shape
from .engine import backward, grad
from .function import Function, FunctionCtx
from . import functional, replay
from ..gradcheck import gradcheck, gradgradcheck
from ..legacy import Variable
