"""Shape inference: bind each node's dimension symbols from the wires coming into it.

Sources (Dataset, Weights, Bias, Constant) fix their output shapes from their params
or data; every other node's dims are bound, in topological order, by the shapes that
arrive on its inputs. A wire whose shape disagrees with a dim already bound is a
problem, reported with the wire that fixed the dim.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from .nodes import ANY, NODE_TYPES
from .nodes.base import ShapeContext, fmt_shape, resolve


@dataclass
class ShapeReport:
    outputs: dict[tuple[str, str], tuple | None] = field(default_factory=dict)  # (node, port) -> shape
    inputs: dict[str, dict[str, tuple]] = field(default_factory=dict)  # node -> {port: shape arriving}
    dims: dict[str, dict[str, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _bind(spec: tuple, shape: tuple, dims: dict, origin: dict, where: str):
    """Bind ``spec`` to ``shape``: (dims, origins), or ("conflict", wire that fixed the dim)
    or ("bad", reason) when the shape cannot fit at all."""
    if spec == ANY:
        return dims, origin
    if len(spec) != len(shape):
        return "bad", f"{len(shape)} dimension{'s' if len(shape) != 1 else ''} where {len(spec)} are needed"
    dims, origin = dict(dims), dict(origin)
    for sym, size in zip(spec, shape):
        if size is None:
            continue
        if isinstance(sym, int):
            if sym != size:
                return "bad", f"size {size} where {sym} is needed"
        elif sym in dims and dims[sym] != size:
            return "conflict", origin[sym]
        elif sym not in dims:
            dims[sym], origin[sym] = size, where
    return dims, origin


def infer(g: nx.MultiDiGraph, ctx: ShapeContext) -> ShapeReport:
    """Shapes of every port of a DAG of nodes, and every mismatch found."""
    rep = ShapeReport()
    for n in nx.topological_sort(g):
        t = NODE_TYPES[g.nodes[n]["type"]]
        dims: dict[str, int] = {}
        origin: dict[str, str] = {}
        fixed = t.source_shapes(g.nodes[n]["params"], ctx)
        for name, shape in fixed.items():
            bound = _bind(t.port(name, "out").shape, shape, dims, origin, f"{n}'s own settings")
            if isinstance(bound[0], dict):
                dims, origin = bound
        arriving: dict[str, tuple] = {}
        order = [p.name for p in t.inputs]
        for src, _, (sport, dport) in sorted(g.in_edges(n, keys=True), key=lambda e: order.index(e[2][1])):
            shape = rep.outputs.get((src, sport))
            if shape is None:
                continue
            port = t.port(dport, "in")
            where = f"{src}.{sport} {fmt_shape(shape)}"
            for spec in (port.shape,) + port.alt:
                result = _bind(spec, shape, dims, origin, where)
                if isinstance(result[0], dict):
                    break
            if isinstance(result[0], dict):
                dims, origin = result
                arriving[dport] = shape
                continue
            head = f"shape mismatch at {n}.{dport}: {src}.{sport} gives {fmt_shape(shape)}"
            kind, why = result
            if kind == "conflict":
                rep.problems.append(f"{head} but {n} needs {fmt_shape(resolve(port.shape, dims))} to match {why}")
            else:
                rep.problems.append(f"{head}: {why}")
        rep.dims[n] = dims
        rep.inputs[n] = arriving
        for port in t.outputs:
            rep.outputs[(n, port.name)] = fixed[port.name] if port.name in fixed else resolve(port.shape, dims)
    return rep
