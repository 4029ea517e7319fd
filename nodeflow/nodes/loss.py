"""How wrong the output is: the error and its gradient with respect to the output."""
from __future__ import annotations

import math

from .explain import Line, call, total
from .kernel import kernel
from .base import NodeType, Param, Port

LOSSES = ("squared", "cross_entropy")  # what a built network's loss can be: Error, CrossEntropy
CLIP = 1e-12  # log(0) guard: probabilities are clipped to [CLIP, 1 - CLIP] inside the logarithm


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
    formula = ("E = ½·Σ_i (y[i] − target[i])²", "grad = dE/dy = y − target")
    element = "grad"

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return squared_error

    @classmethod
    def worked(cls, params, settings, v, at):
        (i,) = at
        diffs = [(v.n("y", (k,)) - v.n("target", (k,))) ** 2 for k in range(v.size("y"))]
        return [Line("E", "½·Σ_i (y[i] − target[i])²", 0.5 * total(diffs), v.get("E")),
                Line(f"grad[{i}]", f"y[{i}] − target[{i}]", v.n("y", at) - v.n("target", at), v.get("grad", at))]


@kernel
def binary_cross_entropy(y, target, E, delta):
    """E = -Σ [t·ln y + (1-t)·ln(1-y)]; with a sigmoid output, δ = dE/dz = y - t"""
    s = 0.0
    for i in range(y.shape[0]):
        p = min(max(y[i], CLIP), 1.0 - CLIP)
        s -= target[i] * math.log(p) + (1.0 - target[i]) * math.log(1.0 - p)
        delta[i] = y[i] - target[i]
    E[0] = s


@kernel
def categorical_cross_entropy(y, target, E, delta):
    """E = -Σ t·ln y; with a softmax output, δ = dE/dz = y - t"""
    s = 0.0
    for i in range(y.shape[0]):
        s -= target[i] * math.log(min(max(y[i], CLIP), 1.0))
        delta[i] = y[i] - target[i]
    E[0] = s


class CrossEntropy(NodeType):
    """Cross-entropy of a sigmoid or softmax output; its delta δ = y − t feeds the updates directly.

    The slope of the activation cancels out of dE/dz, which is why this pairing learns
    faster than squared error when the output is confidently wrong.
    """

    name = "CrossEntropy"
    family = "loss"
    phase = "backward"
    params = (Param("output", "softmax", "choice", "the output activation it pairs with (its δ assumes it)",
                    choices=("sigmoid", "softmax")),)
    inputs = (Port("y", ("n",), "the network's output (probabilities)"), Port("target", ("n",), "the wanted output"))
    outputs = (Port("E", (), "the error of this sample"), Port("delta", ("n",), "dE/dz of the output layer"))
    element = "delta"

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return binary_cross_entropy if params["output"] == "sigmoid" else categorical_cross_entropy

    @classmethod
    def formulas(cls, params, settings):
        e = ("E = −Σ_i [t[i]·ln y[i] + (1 − t[i])·ln(1 − y[i])]" if params["output"] == "sigmoid"
             else "E = −Σ_i t[i]·ln y[i]")
        return [f"{e}   (t: target)", f"delta = dE/dz = y − target   (the {params['output']}'s slope cancels out)"]

    @classmethod
    def worked(cls, params, settings, v, at):
        (i,) = at
        y, t = (lambda k: v.n("y", (k,))), (lambda k: v.n("target", (k,)))
        ln = lambda e: call("ln", e)  # noqa: E731
        if params["output"] == "sigmoid":
            terms = [t(k) * ln(y(k)) + (1 - t(k)) * ln(1 - y(k)) for k in range(v.size("y"))]
        else:
            terms = [t(k) * ln(y(k)) for k in range(v.size("y"))]
        rule = cls.formulas(params, settings)[0].split(" = ", 1)[1].split("   ")[0]
        return [Line("E", rule, -total(terms), v.get("E")),
                Line(f"delta[{i}]", f"y[{i}] − target[{i}]", y(i) - t(i), v.get("delta", at))]
