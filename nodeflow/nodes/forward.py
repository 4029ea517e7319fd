"""The forward pass: weighted sums and activations.

Every activation outputs ``y`` and its ``slope`` dy/dz, so a delta node can use it;
Softmax's slope is its full Jacobian (its outputs depend on every input).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import NodeflowError
from .explain import Const, Line, call, total
from .kernel import kernel, rows_form
from .base import NodeType, Port


@kernel
def weighted_sum(W, x, b, z):
    """z = W·x + b"""
    for i in range(z.shape[0]):
        s = b[i]
        for j in range(x.shape[0]):
            s += W[i, j] * x[j]
        z[i] = s


@rows_form(weighted_sum)
def weighted_sum_rows(W, X, b, Z):
    """Z = X·Wᵀ + b: the weighted sums of many samples (rows) in one matrix product"""
    np.dot(X, W.T, Z)
    for r in range(Z.shape[0]):
        for i in range(Z.shape[1]):
            Z[r, i] += b[i]


@kernel
def sigmoid(z, y, slope):
    """y = 1 / (1 + e^-z); slope = y (1 - y)"""
    for i in range(z.shape[0]):
        if z[i] >= 0.0:
            y[i] = 1.0 / (1.0 + math.exp(-z[i]))
        else:
            e = math.exp(z[i])
            y[i] = e / (1.0 + e)
        slope[i] = y[i] * (1.0 - y[i])


@kernel
def tanh(z, y, slope):
    """y = tanh z; slope = 1 - y²"""
    for i in range(z.shape[0]):
        y[i] = math.tanh(z[i])
        slope[i] = 1.0 - y[i] * y[i]


@kernel
def relu(z, y, slope):
    """y = max(z, 0); slope = 1 where z > 0, else 0"""
    for i in range(z.shape[0]):
        if z[i] <= 0.0:
            y[i] = 0.0
            slope[i] = 0.0
        else:  # also carries NaN through
            y[i] = z[i]
            slope[i] = 1.0


@kernel
def identity(z, y, slope):
    """y = z; slope = 1"""
    for i in range(z.shape[0]):
        y[i] = z[i]
        slope[i] = 1.0


@kernel
def softmax(z, y, jacobian):
    """y_i = e^z_i / Σ e^z_j; jacobian_ij = y_i (δ_ij - y_j)"""
    m = z[0]
    for i in range(z.shape[0]):
        if z[i] > m:
            m = z[i]
    total = 0.0
    for i in range(z.shape[0]):
        y[i] = math.exp(z[i] - m)
        total += y[i]
    for i in range(z.shape[0]):
        y[i] /= total
    for i in range(z.shape[0]):
        for j in range(z.shape[0]):
            jacobian[i, j] = y[i] * ((1.0 if i == j else 0.0) - y[j])


class WeightedSum(NodeType):
    """z = W·x + b: each unit's weighted sum of its inputs plus its bias."""

    name = "WeightedSum"
    family = "forward"
    phase = "forward"
    inputs = (
        Port("W", ("out", "in"), "weights, one row per unit"),
        Port("x", ("in",), "the inputs to this layer"),
        Port("b", ("out",), "biases (zero when unwired)", optional=True),
    )
    outputs = (Port("z", ("out",), "the weighted sums"),)
    formula = ("z = W·x + b", "z[i] = Σ_j W[i,j]·x[j] + b[i]")

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return weighted_sum

    @classmethod
    def worked(cls, params, settings, v, at):
        i = at[0]
        terms = [v.n("W", (i, j)) * v.n("x", (j,)) for j in range(v.size("x"))]
        return [Line(f"z[{i}]", f"Σ_j W[{i},j]·x[j] + b[{i}]", total(terms + [v.n("b", (i,))]), v.get("z", at))]

    @classmethod
    def batch(cls, inputs, rows, params):
        if rows != {"x"}:
            return None
        z = inputs["x"] @ inputs["W"].T
        return {"z": z + inputs["b"] if "b" in inputs else z}


class Activation(NodeType):
    """Base of the activations: z in, y and slope out."""

    family = "forward"
    phase = "forward"
    inputs = (Port("z", ("n",), "weighted sums"),)
    outputs = (Port("y", ("n",), "activations"), Port("slope", ("n",), "dy/dz, for the delta"))
    fn = None
    batch_fn = None  # numpy form: z (rows, n) -> (y, slope)

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return cls.fn

    @classmethod
    def worked(cls, params, settings, v, at):
        (i,) = at
        y, slope = cls.element_rules(v.n("z", at), v.n("y", at))
        return [Line(f"y[{i}]", cls.formula[0].split(" = ", 1)[1].replace("z", f"z[{i}]"), y, v.get("y", at)),
                Line(f"slope[{i}]", cls.formula[1].split(" = ")[-1].replace("y", f"y[{i}]").replace("z", f"z[{i}]"),
                     slope, v.get("slope", at))]

    @classmethod
    def element_rules(cls, z, y):
        """(y, slope) of one element as expressions of its z and y."""
        raise NotImplementedError

    @classmethod
    def batch(cls, inputs, rows, params):
        if rows != {"z"} or cls.batch_fn is None:
            return None
        y, slope = cls.batch_fn(inputs["z"])
        return {"y": y, "slope": slope}


def _sigmoid(z):
    e = np.exp(-np.abs(z))  # the kernel's two branches: 1/(1+e^-z) for z >= 0, e^z/(1+e^z) below
    y = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return y, y * (1.0 - y)


def _tanh(z):
    y = np.tanh(z)
    return y, 1.0 - y * y


def _relu(z):
    keep = ~(z <= 0.0)  # as the kernel: NaN is carried through
    return np.where(keep, z, 0.0), keep.astype(float)


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    y = e / e.sum(axis=-1, keepdims=True)
    return y, y[..., :, None] * (np.eye(z.shape[-1]) - y[..., None, :])


class Sigmoid(Activation):
    """Squashes z into (0, 1): y = 1/(1+e^-z), slope y(1-y)."""

    name = "Sigmoid"
    fn = sigmoid
    batch_fn = staticmethod(_sigmoid)
    formula = ("y = 1 / (1 + e^(−z))", "slope = dy/dz = y·(1 − y)")

    @classmethod
    def element_rules(cls, z, y):
        return 1 / (1 + call("exp", -z)), y * (1 - y)


class Tanh(Activation):
    """Squashes z into (-1, 1): y = tanh z, slope 1-y²."""

    name = "Tanh"
    fn = tanh
    batch_fn = staticmethod(_tanh)
    formula = ("y = tanh(z)", "slope = dy/dz = 1 − y²")

    @classmethod
    def element_rules(cls, z, y):
        return call("tanh", z), 1 - y ** 2


class ReLU(Activation):
    """Keeps positive z, zeroes the rest: y = max(z, 0), slope 1 or 0."""

    name = "ReLU"
    fn = relu
    batch_fn = staticmethod(_relu)
    formula = ("y = max(z, 0)", "slope = dy/dz = 1 if z > 0, else 0")

    @classmethod
    def worked(cls, params, settings, v, at):
        (i,) = at
        z = v.get("z", at)
        return [Line(f"y[{i}]", f"max(z[{i}], 0)", v.n("z", at) if z > 0 else v.num(0.0), v.get("y", at)),
                Line(f"slope[{i}]", f"{'1, as' if z > 0 else '0, as not'} z[{i}] = {v.n('z', at).shown} > 0",
                     None)]


class Identity(Activation):
    """Passes z through: y = z, slope 1 (a linear unit)."""

    name = "Identity"
    fn = identity
    batch_fn = staticmethod(lambda z: (z.copy(), np.ones_like(z)))
    formula = ("y = z", "slope = dy/dz = 1")

    @classmethod
    def element_rules(cls, z, y):
        return z, Const(1)


class Softmax(Activation):
    """Turns z into probabilities that sum to 1; slope is the Jacobian dy_i/dz_j."""

    name = "Softmax"
    outputs = (Port("y", ("n",), "probabilities"), Port("slope", ("n", "n"), "Jacobian dy_i/dz_j"))
    fn = softmax
    batch_fn = staticmethod(_softmax)
    formula = ("y[i] = e^z[i] / Σ_j e^z[j]", "slope[i,j] = dy[i]/dz[j] = y[i]·(δ_ij − y[j])  (δ_ij: 1 if i = j, else 0)")

    @classmethod
    def worked(cls, params, settings, v, at):
        (i,) = at
        n = v.size("z")
        y = call("exp", v.n("z", at)) / total([call("exp", v.n("z", (j,))) for j in range(n)])
        return [Line(f"y[{i}]", f"e^z[{i}] / Σ_j e^z[j]", y, v.get("y", at)),
                Line(f"slope[{i},{i}]", f"y[{i}]·(1 − y[{i}])", v.n("y", at) * (1 - v.n("y", at)),
                     v.get("slope", (i, i)))]


ACTIVATIONS = {cls.name.lower(): cls for cls in (Sigmoid, Tanh, ReLU, Identity, Softmax)}
HIDDEN_ACTIVATIONS = tuple(n for n in ACTIVATIONS if n != "softmax")  # softmax belongs on an output layer


def activation_type(name: str) -> type[Activation]:
    try:
        return ACTIVATIONS[name.lower()]
    except KeyError:
        raise NodeflowError(f"unknown activation {name!r} (choose from {', '.join(ACTIVATIONS)})") from None


__all__ = ["WeightedSum", "Sigmoid", "Tanh", "ReLU", "Identity", "Softmax", "ACTIVATIONS", "HIDDEN_ACTIVATIONS",
           "activation_type"]
