"""Shape inference: bind each node's dimension symbols from the wires coming into it.

Sources (Dataset, Weights, Bias, Constant) fix their output shapes from their params
or data; every other node's dims are bound, in topological order, by the shapes that
arrive on its inputs. A wire whose shape disagrees with a dim already bound is a
problem, reported with the wire that fixed the dim. Node types whose output shapes are
computed (broadcasting math nodes, reductions, groups) say so through
``NodeType.output_shapes``; inputs that cannot go together are a problem naming them.

``Shapes`` keeps the result and, after an edit, infers again only the nodes the edit
touched and those downstream of them, so building a graph edit by edit is linear.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ..nodes import ANY, NODE_TYPES
from ..nodes.base import ShapeContext, ShapeError, fmt_shape, resolve


@dataclass
class ShapeReport:
    outputs: dict[tuple[str, str], tuple | None] = field(default_factory=dict)  # (node, port) -> shape
    inputs: dict[str, dict[str, tuple]] = field(default_factory=dict)  # node -> {port: shape arriving}
    dims: dict[str, dict[str, int]] = field(default_factory=dict)
    node_problems: dict[str, list[str]] = field(default_factory=dict)  # node -> mismatches at its inputs

    @property
    def problems(self) -> list[str]:
        return [p for ps in self.node_problems.values() for p in ps]

    def forget(self, node: str) -> None:
        for table in (self.inputs, self.dims, self.node_problems):
            table.pop(node, None)
        for key in [k for k in self.outputs if k[0] == node]:
            del self.outputs[key]


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


def infer_node(g: nx.MultiDiGraph, n: str, ctx: ShapeContext, rep: ShapeReport) -> None:
    """Infer one node's dims and output shapes from its inputs' (already inferred) shapes."""
    t = NODE_TYPES[g.nodes[n]["type"]]
    params = g.nodes[n]["params"]
    dims: dict[str, int] = {}
    origin: dict[str, str] = {}
    fixed = t.source_shapes(params, ctx)
    for name, shape in fixed.items():
        bound = _bind(t.port(name, "out", params).shape, shape, dims, origin, f"{n}'s own settings")
        if isinstance(bound[0], dict):
            dims, origin = bound
    arriving: dict[str, tuple] = {}
    sources: dict[str, str] = {}
    problems: list[str] = []
    order = [p.name for p in t.input_ports(params)]
    for src, _, (sport, dport) in sorted(g.in_edges(n, keys=True), key=lambda e: order.index(e[2][1])):
        shape = rep.outputs.get((src, sport))
        if shape is None:
            continue
        port = t.port(dport, "in", params)
        result = _bind_port(port, shape, dims, origin, f"{src}.{sport} {fmt_shape(shape)}")
        if isinstance(result[0], dict):
            dims, origin = result
            arriving[dport] = shape
            sources[dport] = f"{src}.{sport}"
            continue
        head = f"shape mismatch at {n}.{dport}: {src}.{sport} gives {fmt_shape(shape)}"
        kind, why = result
        if kind == "conflict":
            problems.append(f"{head} but {n} needs {fmt_shape(resolve(port.shape, dims))} to match {why}")
        else:
            problems.append(f"{head}: {why}")
    computed = _computed(t, n, params, ctx, arriving, sources, problems)
    rep.dims[n] = dims
    rep.inputs[n] = arriving
    rep.node_problems[n] = problems
    for port in t.output_ports(params):
        if port.name in fixed:
            rep.outputs[(n, port.name)] = fixed[port.name]
        elif computed is not None:
            rep.outputs[(n, port.name)] = computed.get(port.name)
        else:
            rep.outputs[(n, port.name)] = resolve(port.shape, dims)


def _computed(t, n, params, ctx, arriving, sources, problems) -> dict | None:
    """The node type's own output shapes (None: bound by dimension symbols); a clash is a problem
    naming the wires that brought the shapes."""
    try:
        return t.output_shapes(arriving, params, ctx)
    except ShapeError as e:
        wires = ", ".join(f"{port} from {src}" for port, src in sources.items())
        problems.append(f"shape mismatch at {n}: {e}" + (f" ({wires})" if wires else ""))
        return {}


def _bind_port(port, shape: tuple, dims: dict, origin: dict, where: str) -> tuple:
    """``_bind`` against the port's shape, else against each shape it also accepts (``port.alt``)."""
    for spec in (port.shape,) + port.alt:
        result = _bind(spec, shape, dims, origin, where)
        if isinstance(result[0], dict):
            break
    return result


def fit(t, port: str, arriving: dict[str, tuple], params: dict) -> tuple | None:
    """The shape input ``port`` of a node of type ``t`` (with ``params``: an Expression's and a
    group's ports follow them) must have to agree with the shapes ``arriving`` on its other
    inputs (None in a dimension they leave open); None if those disagree among themselves."""
    dims: dict[str, int] = {}
    origin: dict[str, str] = {}
    for p in t.input_ports(params):
        shape = arriving.get(p.name)
        if p.name == port or shape is None:
            continue
        bound = _bind_port(p, shape, dims, origin, p.name)
        if not isinstance(bound[0], dict):
            return None
        dims, origin = bound
    spec = t.port(port, "in", params).shape
    return None if spec == ANY else resolve(spec, dims)


def infer(g: nx.MultiDiGraph, ctx: ShapeContext) -> ShapeReport:
    """Shapes of every port of a DAG of nodes, and every mismatch found."""
    rep = ShapeReport()
    for n in nx.topological_sort(g):
        infer_node(g, n, ctx, rep)
    return rep


class Shapes:
    """A ShapeReport kept up to date: ``touch(nodes)`` after an edit, ``report()`` to read it."""

    def __init__(self, g: nx.MultiDiGraph, ctx: ShapeContext):
        self.g, self.ctx = g, ctx
        self.rep = ShapeReport()
        self.stale: set[str] = set()
        self.inferences = 0  # nodes inferred so far (the tests count them)

    def touch(self, *nodes: str) -> None:
        """These nodes' own shapes may have changed (their params, wires or data)."""
        self.stale.update(nodes)

    def drop(self, node: str) -> None:
        """A node was removed."""
        self.rep.forget(node)
        self.stale.discard(node)

    def report(self) -> ShapeReport:
        if self.stale:
            live = {n for n in self.stale if n in self.g}
            affected = set(live)
            for n in live:
                affected |= nx.descendants(self.g, n)
            self.stale.clear()
            for n in nx.topological_sort(self.g.subgraph(affected)):
                infer_node(self.g, n, self.ctx, self.rep)
                self.inferences += 1
        return self.rep
