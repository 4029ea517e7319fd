"""Updates: sinks that compute a parameter's gradient and its next value.

The ``new`` output is committed into the parameter wired to the W (or b) input when
the sample step ends; ``lr`` comes from the graph's settings unless it is wired.
"""
from __future__ import annotations

from ..jit import kernel
from .base import NodeType, Port


@kernel
def sgd_weights(W, delta, x, lr, grad, new):
    """grad = dE/dW = δ·xᵀ; new = W - lr·grad"""
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            g = delta[i] * x[j]
            grad[i, j] = g
            new[i, j] = W[i, j] - lr[0] * g


@kernel
def sgd_bias(b, delta, lr, grad, new):
    """grad = dE/db = δ; new = b - lr·grad"""
    for i in range(b.shape[0]):
        grad[i] = delta[i]
        new[i] = b[i] - lr[0] * delta[i]


LR = Port("lr", (), "learning rate (the graph's setting when unwired)", optional=True)


class WeightUpdate(NodeType):
    """SGD on a weight matrix: W ← W − lr·δ·xᵀ, committed at the end of the step."""

    name = "WeightUpdate"
    family = "update"
    phase = "update"
    inputs = (
        Port("W", ("out", "in"), "the Weights node to update"),
        Port("delta", ("out",), "this layer's delta"),
        Port("x", ("in",), "this layer's inputs"),
        LR,
    )
    outputs = (Port("grad", ("out", "in"), "dE/dW"), Port("new", ("out", "in"), "the next weights"))
    commits = (("new", "W"),)

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return sgd_weights


class BiasUpdate(NodeType):
    """SGD on a bias vector: b ← b − lr·δ, committed at the end of the step."""

    name = "BiasUpdate"
    family = "update"
    phase = "update"
    inputs = (Port("b", ("out",), "the Bias node to update"), Port("delta", ("out",), "this layer's delta"), LR)
    outputs = (Port("grad", ("out",), "dE/db"), Port("new", ("out",), "the next biases"))
    commits = (("new", "b"),)

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return sgd_bias
