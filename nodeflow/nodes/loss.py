"""How wrong the output is: the error and its gradient with respect to the output."""
from __future__ import annotations

from ..jit import kernel
from .base import NodeType, Port


@kernel
def squared_error(y, target, E, grad):
    """E = ½ Σ (target - y)²; grad = dE/dy = y - target"""
    s = 0.0
    for i in range(y.shape[0]):
        d = y[i] - target[i]
        grad[i] = d
        s += d * d
    E[0] = 0.5 * s


class Error(NodeType):
    """Squared error E = ½·Σ(target − y)² and its gradient dE/dy = y − target."""

    name = "Error"
    family = "loss"
    phase = "backward"
    inputs = (Port("y", ("n",), "the network's output"), Port("target", ("n",), "the wanted output"))
    outputs = (Port("E", (), "the error of this sample"), Port("grad", ("n",), "dE/dy, where the blame starts"))

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return squared_error
