"""The node library, by family. Importing this package registers every node type.

Families: data, params, forward, loss, backward, update, schedule, metrics, view (the
deconstructed backprop kit); math (primitives), expression (formulas you type, read by
formula and compiled by elementwise), assign (Register, Assign, TrainingInfo: update rules
by hand). Group types live with the document (``document.groups``).
"""
from .base import ANY, NODE_TYPES, NodeType, Param, Port  # noqa: F401
from .kernel import KERNELS  # noqa: F401
from . import data, params, forward, loss, backward, update, schedule, metrics, view  # noqa: F401
from . import math, expression, assign  # noqa: F401

FAMILIES = ("data", "parameters", "forward", "loss", "backward", "update", "math", "metrics", "view")


def node_type(name: str) -> type[NodeType]:
    try:
        return NODE_TYPES[name]
    except KeyError:
        raise KeyError(f"unknown node type {name!r}") from None


def palette() -> dict[str, list[type[NodeType]]]:
    """Node types grouped by family, in palette order."""
    groups: dict[str, list] = {f: [] for f in FAMILIES}
    for t in NODE_TYPES.values():
        if t.in_palette:
            groups.setdefault(t.family, []).append(t)
    return groups
