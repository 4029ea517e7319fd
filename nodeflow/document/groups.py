"""Groups (Grasshopper's clusters): a node whose inside is a graph of its own.

A ``Group`` node keeps its inside in its ``graph`` parameter, written as a graph file
writes nodes and links (so a saved group is readable JSON). Inside, ``GroupInput`` and
``GroupOutput`` nodes are its ports: a wire into the group's input ``x`` goes on from the
GroupInput called ``x`` to every inner input wired from it; the group's output ``y`` is
what arrives at the GroupOutput called ``y``. Groups nest.

Nothing runs a group as such: ``flatten`` replaces every group (at every depth) by its
inner nodes, with ids ``group/inner``, wired straight through, so the stepper, the
compiled engine and export all run a grouped graph as one flat graph. A definition is
never changed in place (an edit or a training result replaces it), so its parsed form
is kept per definition.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import numpy as np

from ..errors import GraphFileError
from ..nodes.base import ANY, NodeType, Param, Port, ShapeError

PORT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SEP = "/"  # between a group's id and an inner node's id in a flattened graph


def check_port_name(name):
    if not isinstance(name, str) or not PORT_RE.match(name):
        raise ValueError(f"name must be letters, digits and _ (starting with a letter), not {name!r}")
    return name


class GroupInput(NodeType):
    """Inside a group: one of its inputs. What is wired into the group there comes out here."""

    name = "GroupInput"
    family = "group"
    phase = "forward"
    params = (Param("name", "x", "str", "the group's input port", validate=check_port_name),
              Param("optional", False, "bool", "the group runs with this input unwired (inner inputs then unwired)"))
    outputs = (Port("value", ANY, "what arrives at the group's input"),)
    formula = ("value = what is wired into the group's input of this name",)

    @classmethod
    def source_shapes(cls, params, ctx):
        shape = ctx.group_inputs.get(params["name"])
        return {} if shape is None else {"value": tuple(shape)}


class GroupOutput(NodeType):
    """Inside a group: one of its outputs. What is wired in here leaves the group."""

    name = "GroupOutput"
    family = "group"
    phase = "passive"
    params = (Param("name", "y", "str", "the group's output port", validate=check_port_name),)
    inputs = (Port("value", ANY, "what the group gives out at this port"),)
    formula = ("the group's output of this name = value",)


def check_definition(defn):
    """A group's ``graph`` parameter: its inside, checked as a graph file is (first problem raised)."""
    inner_of(defn)
    return defn


class Group(NodeType):
    """A group of nodes shown as one; its ports are the GroupInput and GroupOutput nodes inside."""

    name = "Group"
    family = "group"
    phase = "passive"
    in_palette = False
    formula = ("what its inner nodes compute, in their order (open it to see them)",)
    params = (Param("name", "group", "str", "what the group is called"),
              Param("graph", {"nodes": [], "links": []}, "graph", "its inner nodes and links, as in a graph file",
                    validate=check_definition))

    @classmethod
    def input_ports(cls, params):
        return inner_of(params["graph"]).inputs

    @classmethod
    def output_ports(cls, params):
        return inner_of(params["graph"]).outputs

    @classmethod
    def output_shapes(cls, arriving, params, ctx):
        return inner_of(params["graph"]).shapes(arriving)


@dataclass
class Inner:
    """A group definition read: its inner graph and its ports."""

    graph: object  # Graph
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    input_nodes: dict[str, str]  # port name -> GroupInput node
    output_nodes: dict[str, str]

    def shapes(self, arriving: dict) -> dict:
        """The group's output shapes for these input shapes; ShapeError for a clash inside."""
        g = self.graph
        given = g._shapes.ctx.group_inputs
        changed = [n for name, n in self.input_nodes.items() if given.get(name) != arriving.get(name)]
        given.clear()
        given.update({k: tuple(v) for k, v in arriving.items()})
        g._shapes.touch(*changed)
        rep = g.shapes()
        if rep.problems:
            raise ShapeError(f"inside: {rep.problems[0]}")
        return {name: rep.inputs.get(n, {}).get("value") for name, n in self.output_nodes.items()}


_INNER: dict[int, tuple[dict, Inner]] = {}  # id(definition) -> (definition, kept alive; its reading)
_INNER_LIMIT = 2048
MAX_NESTING = 20  # groups inside groups
_reading = [0]  # how deep the definition being read is


def inner_of(defn: dict) -> Inner:
    """The reading of a group definition (validated as a graph file; raises ValueError with the first problem)."""
    hit = _INNER.get(id(defn))
    if hit is not None and hit[0] is defn:
        return hit[1]
    inner = _read(defn)
    if len(_INNER) >= _INNER_LIMIT:
        _INNER.pop(next(iter(_INNER)))
    _INNER[id(defn)] = (defn, inner)
    return inner


def _read(defn: dict) -> Inner:
    from .files import FORMAT, VERSION, from_dict

    if not isinstance(defn, dict) or not isinstance(defn.get("nodes"), list):
        raise ValueError("graph must be {\"nodes\": [...], \"links\": [...]}")
    if _reading[0] >= MAX_NESTING:
        raise ValueError(f"graph: groups nest more than {MAX_NESTING} deep")
    _reading[0] += 1
    try:
        g = from_dict({"format": FORMAT, "version": VERSION, "settings": {}, "nodes": defn["nodes"],
                       "links": defn.get("links", [])}, "graph")
    except GraphFileError as e:
        more = f" (and {len(e.problems) - 1} more)" if len(e.problems) > 1 else ""
        raise ValueError(f"graph: {e.problems[0]}{more}") from None
    finally:
        _reading[0] -= 1
    problems = []
    if g.nodes_of_type("Dataset"):
        problems.append("a group cannot hold the Dataset (it stays at the top of the graph)")
    ins, outs = _ports(g, "GroupInput", problems), _ports(g, "GroupOutput", problems)
    if problems:
        raise ValueError(f"graph: {problems[0]}")
    inputs = tuple(Port(name, ANY, f"into {n}", optional=g.params(n)["optional"]) for name, n in ins.items())
    outputs = tuple(Port(name, ANY, f"from {n}") for name, n in outs.items())
    return Inner(g, inputs, outputs, ins, outs)


def _ports(g, type_name: str, problems: list) -> dict[str, str]:
    out: dict[str, str] = {}
    for n in g.nodes_of_type(type_name):
        name = g.params(n)["name"]
        if name in out:
            problems.append(f"two {type_name} nodes are called {name}: {out[name]} and {n}")
        out[name] = n
    return out


# -- flattening ---------------------------------------------------------------------------

def flatten(g):
    """``g`` with every group replaced by its inner nodes (ids ``group/inner``), wired through.

    The result's ``exposed`` maps each group's output (at any depth) to the inner port it
    shows, so a value can be read at a group's port."""
    from .graph import Graph, Link

    parts = _Parts()
    parts.collect(g, "", (0.0, 0.0))
    links = []
    for (dst, dport), (src, sport) in parts.into.items():
        if dst in parts.nodes:
            end = parts.source(src, sport)
            if end is not None:
                links.append(Link(end[0], end[1], dst, dport))
    flat = Graph.assembled(g.settings, g.base_dir, parts.nodes, links)
    flat.exposed = {(n, p.name): end for n, params in parts.groups.items()
                    for p in Group.output_ports(params) if (end := parts.source(n, p.name)) is not None}
    return flat


class _Parts:
    """The pieces of a flattened graph, gathered level by level."""

    def __init__(self):
        self.nodes: dict[str, dict] = {}  # flat id -> attrs, of every node that runs
        self.groups: dict[str, dict] = {}  # flat id of a group -> its params
        self.relays: dict[str, str] = {}  # flat id of a GroupInput / GroupOutput -> its port name
        self.into: dict[tuple[str, str], tuple[str, str]] = {}  # (flat dst, port) -> (flat src, port), every level

    def collect(self, graph, prefix: str, origin) -> None:
        """Every node of ``graph`` and of the groups in it, with flat ids; an inner node is placed
        at its group's position (nudged by its own), so the schedule keeps a group's nodes together."""
        shrink = 0.001 if prefix else 1.0
        for n in graph.node_ids:
            fid, a = prefix + n, graph.attrs(n)
            pos = (origin[0] + a["pos"][0] * shrink, origin[1] + a["pos"][1] * shrink)
            if a["type"] == "Group":
                self.groups[fid] = a["params"]
                self.collect(inner_of(a["params"]["graph"]).graph, fid + SEP, pos)
            elif a["type"] in ("GroupInput", "GroupOutput"):
                self.relays[fid] = a["params"]["name"]
            else:
                self.nodes[fid] = {"type": a["type"], "label": a["label"], "pos": list(pos), "params": a["params"],
                                   "state": a["state"]}
        for l in graph.links():
            self.into[(prefix + l.dst, l.dst_port)] = (prefix + l.src, l.src_port)

    def source(self, fid: str, port: str):
        """The real node and port the value at ``fid.port`` comes from, through groups and their
        GroupInput / GroupOutput nodes; None where a group input is left unwired."""
        if fid in self.nodes:
            return fid, port
        if fid in self.groups:  # the group's output: what arrives at the GroupOutput of that name inside
            inner = inner_of(self.groups[fid]["graph"])
            src = self.into.get((fid + SEP + inner.output_nodes[port], "value"))
        else:  # a GroupInput: what is wired into its group's input of that name, one level up
            src = self.into.get((fid.rsplit(SEP, 1)[0], self.relays[fid]))
        return None if src is None else self.source(*src)


# -- trained values back into a definition -------------------------------------------------

def with_values(defn: dict, values: dict[str, dict[str, np.ndarray]]) -> dict:
    """A copy of ``defn`` whose inner nodes hold these values (``{"inner/deeper": {name: array}}``)."""
    from ..nodes import NODE_TYPES

    out = copy.copy(defn)
    out["nodes"] = list(defn["nodes"])
    by_id = {nd["id"]: k for k, nd in enumerate(out["nodes"])}
    deeper: dict[str, dict] = {}
    for path, state in values.items():
        head, _, rest = path.partition(SEP)
        if rest:
            deeper.setdefault(head, {})[rest] = state
            continue
        k = by_id[head]
        node = dict(out["nodes"][k], params=dict(out["nodes"][k]["params"]))
        t = NODE_TYPES[node["type"]]
        for name, arr in state.items():
            if t.omit_zero_state and not np.any(arr):
                node["params"].pop(name, None)
            else:
                node["params"][name] = np.asarray(arr, dtype=float).tolist()
        out["nodes"][k] = node
    for head, inner_values in deeper.items():
        k = by_id[head]
        node = dict(out["nodes"][k], params=dict(out["nodes"][k]["params"]))
        node["params"]["graph"] = with_values(node["params"]["graph"], inner_values)
        out["nodes"][k] = node
    return out
