"""The backward pass: deltas, the blame each unit gets for the error (δ = dE/dz)."""
from __future__ import annotations

import numpy as np

from .explain import Line, total
from .kernel import kernel, rows_form
from .base import NodeType, Port


@kernel
def output_delta(grad, slope, delta):
    """δ = dE/dy ⊙ slope"""
    for i in range(delta.shape[0]):
        delta[i] = grad[i] * slope[i]


@kernel
def output_delta_jacobian(grad, jacobian, delta):
    """δ_j = Σ_i dE/dy_i · dy_i/dz_j"""
    for j in range(delta.shape[0]):
        s = 0.0
        for i in range(grad.shape[0]):
            s += grad[i] * jacobian[i, j]
        delta[j] = s


@kernel
def hidden_delta(W, delta_next, slope, delta):
    """δ = (Wᵀ·δ_next) ⊙ slope"""
    for j in range(delta.shape[0]):
        s = 0.0
        for i in range(delta_next.shape[0]):
            s += W[i, j] * delta_next[i]
        delta[j] = s * slope[j]


@rows_form(hidden_delta)
def hidden_delta_rows(W, D_next, slope, D):
    """D = (D_next·W) ⊙ slope: the deltas of many samples (rows) in one matrix product"""
    np.dot(D_next, W, D)
    for r in range(D.shape[0]):
        for j in range(D.shape[1]):
            D[r, j] *= slope[r, j]


@kernel
def hidden_delta_jacobian(W, delta_next, jacobian, delta):
    """δ_k = Σ_j (Wᵀ·δ_next)_j · dy_j/dz_k"""
    n = delta.shape[0]
    back = np.zeros(n)
    for j in range(n):
        for i in range(delta_next.shape[0]):
            back[j] += W[i, j] * delta_next[i]
    for k in range(n):
        s = 0.0
        for j in range(n):
            s += back[j] * jacobian[j, k]
        delta[k] = s


SLOPE = Port("slope", ("n",), "the activation's slope dy/dz (or Softmax's Jacobian)", alt=(("n", "n"),))


class Delta(NodeType):
    """Output delta: δ = dE/dy × slope, the blame on each output unit's weighted sum."""

    name = "Delta"
    family = "backward"
    phase = "backward"
    inputs = (Port("grad", ("n",), "dE/dy from the error"), SLOPE)
    outputs = (Port("delta", ("n",), "dE/dz of the output layer"),)
    formula = ("delta = grad ⊙ slope   (element by element: delta[i] = grad[i]·slope[i])",
               "with Softmax's Jacobian as slope: delta[j] = Σ_i grad[i]·slope[i,j]")

    @classmethod
    def worked(cls, params, settings, v, at):
        (j,) = at
        if v.inputs["slope"].ndim == 2:
            terms = [v.n("grad", (i,)) * v.n("slope", (i, j)) for i in range(v.size("grad"))]
            return [Line(f"delta[{j}]", f"Σ_i grad[i]·slope[i,{j}]", total(terms), v.get("delta", at))]
        return [Line(f"delta[{j}]", f"grad[{j}]·slope[{j}]", v.n("grad", at) * v.n("slope", at), v.get("delta", at))]

    @classmethod
    def kernel_for(cls, in_shapes, params):
        slope = in_shapes.get("slope")
        return output_delta_jacobian if slope is not None and len(slope) == 2 else output_delta


class BackDelta(NodeType):
    """Hidden delta: δ = (Wᵀ·δ_next) × slope, the blame passed back one layer."""

    name = "BackDelta"
    family = "backward"
    phase = "backward"
    inputs = (
        Port("W", ("next", "n"), "the next layer's weights"),
        Port("delta_next", ("next",), "the next layer's delta"),
        SLOPE,
    )
    outputs = (Port("delta", ("n",), "dE/dz of this layer"),)
    formula = ("delta = (Wᵀ·delta_next) ⊙ slope", "delta[j] = (Σ_i W[i,j]·delta_next[i])·slope[j]")

    @classmethod
    def kernel_for(cls, in_shapes, params):
        slope = in_shapes.get("slope")
        return hidden_delta_jacobian if slope is not None and len(slope) == 2 else hidden_delta

    @classmethod
    def worked(cls, params, settings, v, at):
        (j,) = at
        back = lambda k: total([v.n("W", (i, k)) * v.n("delta_next", (i,))  # noqa: E731
                                for i in range(v.size("delta_next"))])
        if v.inputs["slope"].ndim == 2:
            terms = [back(k) * v.n("slope", (k, j)) for k in range(v.size("delta"))]
            return [Line(f"delta[{j}]", f"Σ_k (Wᵀ·delta_next)[k]·slope[k,{j}]", total(terms), v.get("delta", at))]
        return [Line(f"delta[{j}]", f"(Σ_i W[i,{j}]·delta_next[i])·slope[{j}]", back(j) * v.n("slope", at),
                     v.get("delta", at))]
