"""See backprop happen: the graph as a picture, the backward pass step by step,
and each parameter's gradient norm during training.

NumPy only at import time; graphviz and matplotlib are imported when a
picture is asked for.
"""
from .flow import GradientFlow

__all__ = ['GradientFlow']
