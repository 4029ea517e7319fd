"""Where numbers enter the graph: the Dataset (one sample at a time) and Constant."""
from __future__ import annotations

import numpy as np

from .explain import Line
from .kernel import kernel
from .base import ANY, NodeType, Param, Port


@kernel
def feed_sample(X, T, row, x, target):
    """x = X[row]; target = T[row]"""
    r = row[0]
    for j in range(x.shape[0]):
        x[j] = X[r, j]
    for j in range(target.shape[0]):
        target[j] = T[r, j]


class Dataset(NodeType):
    """Serves one training sample per step: its features ``x`` and its ``target``.

    The data source, train/test split and seed are the graph's settings. Samples are
    reshuffled at the start of every epoch, from the seed.
    """

    name = "Dataset"
    family = "data"
    phase = "forward"
    unique = True
    outputs = (
        Port("x", ("in",), "the sample's features (min-max normalised for CSV files)"),
        Port("target", ("out",), "what the network should output: one-hot class or a number"),
    )

    runtime = ("X", "T", "row")
    formula = ("x = X[row]: the features of the sample served now (the rows are shuffled each epoch)",
               "target = T[row]: what the network should output for it")

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return feed_sample

    @classmethod
    def worked(cls, params, settings, v, at):
        (j,) = at
        row = int(v.get("row", (0,)))
        lines = [Line(f"x[{j}]", f"X[{row},{j}]", v.n("x", at), v.get("x", at))]
        if j < v.size("target"):
            lines.append(Line(f"target[{j}]", f"T[{row},{j}]", v.n("target", at), v.get("target", at)))
        return lines

    @classmethod
    def source_shapes(cls, params, ctx):
        shapes = ctx.data_shapes()
        if shapes is None:
            return {}
        n_in, n_out = shapes
        return {"x": (n_in,), "target": (n_out,)}


@kernel
def fill(out, values):
    """out = the values, row by row"""
    k = 0
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = values[k]
            k += 1


class Constant(NodeType):
    """A fixed value (a number or an array of any shape) to feed any input."""

    name = "Constant"
    family = "data"
    phase = "forward"
    matrix_args = True
    params = (Param("value", 1.0, "array", "a number or a nested list of numbers"),)
    outputs = (Port("out", ANY, "the value"),)
    formula = ("out = value (a number or array set by hand)",)

    @classmethod
    def source_shapes(cls, params, ctx):
        return {"out": np.shape(params["value"])}

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return fill

    @classmethod
    def consts(cls, params, settings):
        return (tuple(float(v) for v in np.ravel(params["value"])),)
