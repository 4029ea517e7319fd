"""Learned parameters: sources that hold their value between steps (registers).

An update node reads a parameter over an ordinary wire; its ``new`` value is written
back into the parameter when the sample step ends, so the graph stays a DAG.
"""
from __future__ import annotations

from ..data.init import INITS, initial_values, rng_for
from .base import NodeType, Param, Port
from .explain import Line


def _value_now(cls, params, settings, v, at):
    """A parameter's element now (its update has written it at the end of the last sample)."""
    port = cls.outputs[0].name
    return [Line(f"{port}[{','.join(map(str, at))}]", "", v.n(port, at), v.get(port, at))]

INIT_PARAMS = (
    Param("init", "uniform", "choice", "how Reset weights fills the values", choices=INITS),
    Param("scale", 1.0, "float", "range [0, scale) (uniform), constant value, ± range (uniform_sym) or σ (normal)"),
)


class Weights(NodeType):
    """A weight matrix W (rows = units of this layer, columns = inputs to it)."""

    name = "Weights"
    family = "parameters"
    phase = "forward"
    params = (Param("shape", [1, 1], "shape", "[units, inputs]", lo=2, sizes=True),) + INIT_PARAMS
    outputs = (Port("W", ("rows", "cols"), "the current weights"),)
    state = (Port("value", ("rows", "cols"), "the weights, kept between steps"),)
    saved_state = ("value",)
    alias = {"W": "value"}
    is_parameter = True
    formula = ("W: one row of weights per unit, one column per input; kept between samples",
               "at the end of each sample W ← new, from the WeightUpdate wired to it")
    writable = True

    @classmethod
    def source_shapes(cls, params, ctx):
        return {"W": tuple(params["shape"])}

    @classmethod
    def state_shapes(cls, params, dims):
        return {"value": tuple(params["shape"])}

    worked = classmethod(_value_now)

    @classmethod
    def params_for_shape(cls, port, shape):
        return {"shape": list(shape)} if len(shape) == 2 else None

    @classmethod
    def init_state(cls, node_id, params, shapes, seed):
        rows, cols = params["shape"]
        value = initial_values(params["init"], (rows, cols), rng_for(seed, node_id), cols, rows, params["scale"])
        return {"value": value}


class Bias(NodeType):
    """A bias vector b, one number per unit (xavier and he start biases at zero)."""

    name = "Bias"
    family = "parameters"
    phase = "forward"
    params = (Param("size", 1, "int", "units", lo=1, sizes=True),) + INIT_PARAMS
    outputs = (Port("b", ("size",), "the current biases"),)
    state = (Port("value", ("size",), "the biases, kept between steps"),)
    saved_state = ("value",)
    alias = {"b": "value"}
    is_parameter = True
    formula = ("b: one bias per unit; kept between samples",
               "at the end of each sample b ← new, from the BiasUpdate wired to it")
    writable = True

    @classmethod
    def source_shapes(cls, params, ctx):
        return {"b": (params["size"],)}

    @classmethod
    def state_shapes(cls, params, dims):
        return {"value": (params["size"],)}

    worked = classmethod(_value_now)

    @classmethod
    def params_for_shape(cls, port, shape):
        return {"size": shape[0]} if len(shape) == 1 else None

    @classmethod
    def init_state(cls, node_id, params, shapes, seed):
        n = params["size"]
        init = params["init"]
        if init in ("xavier", "he"):  # fan-based schemes are for weights; biases start at zero
            init = "zeros"
        return {"value": initial_values(init, (n,), rng_for(seed, node_id), 1, n, params["scale"])}
