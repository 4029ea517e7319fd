"""nodeflow: backpropagation taken apart into nodes you can wire, step, watch and train.

The core (everything here except ``nodeflow.gui``) runs headless:

>>> from nodeflow import mlp, Session
>>> g = mlp([2, 2, 1], data="xor", lr=0.5, seed=1)
>>> s = Session(g)
>>> s.step_sample()

Layers, each importing only those below it: ``data`` (data sets, splits, initial
values), ``nodes`` (node types and their kernels), ``document`` (the graph, edits,
shapes, files, builders), ``run`` (plan, run state, stepper, compiled engine, export),
then ``gui`` and ``cli``. Below them all: ``errors`` (one-line mistakes), ``limits``
(what a file or argument may ask for) and ``outputs`` (paths checked before any work).
See docs/architecture.md.
"""
from importlib import import_module

_EXPORTS = {"Graph": "document.graph", "Link": "document.graph", "mlp": "document.builders",
            "load": "document.files", "save": "document.files", "Session": "run.session",
            "NodeflowError": "errors"}
__all__ = list(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    """Import on first use, so that ``nodeflow check`` loads only what it needs."""
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'nodeflow' has no attribute {name!r}")
