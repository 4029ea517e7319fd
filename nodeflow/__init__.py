"""nodeflow: backpropagation taken apart into nodes you can wire, step, watch and train.

The core (everything here except ``nodeflow.gui``) runs headless:

>>> from nodeflow import mlp, Evaluator
>>> g = mlp([2, 2, 1], data="xor", lr=0.5, seed=1)
>>> ev = Evaluator(g)
>>> ev.step_sample()
"""
from .errors import NodeflowError
from .graph import Graph, Link
from .builders import mlp
from .evaluator import Evaluator
from .fileio import load, save

__all__ = ["Graph", "Link", "mlp", "Evaluator", "load", "save", "NodeflowError"]
__version__ = "0.1.0"
