"""The document: nodes and wires in a networkx MultiDiGraph, edited through validated,
undoable operations.

Each node carries ``type`` (a node type name), ``label``, ``pos``, ``params`` (its
settings) and ``state`` (the values it starts a run with, such as saved weights). Each
edge is keyed ``(src_port, dst_port)``. Every edit either succeeds and can be undone,
or is refused with a one-line reason and leaves the graph exactly as it was.

Nothing here changes while training: a run (``nodeflow.run``) works on its own copy of
the state and hands it back only on ``apply_training`` (before saving, for instance).

A node may be a Group (see ``groups``): its inside is a graph of its own, kept in its
``graph`` parameter. ``flat()`` is the graph with every group replaced by its inner
nodes (ids ``group/inner``): what problems are looked for in, and what runs.
"""
from __future__ import annotations

import contextlib
import copy
import math
import re
from pathlib import Path
from typing import Any, Callable, Collection, Iterator, NamedTuple

import networkx as nx
import numpy as np

from ..data import Data, load_data
from ..data.scaling import Encoding
from ..errors import DataError, EditRefused
from ..nodes import NODE_TYPES, NodeType
from ..nodes.base import ShapeContext, known
from . import fitting
from .epochlog import EpochLog
from . import groups as _groups  # noqa: F401  (registers the Group node types)
from .edits import AddLink, AddNode, Group, History, RemoveLink, RemoveNode, SetAttr, SetSetting, SetTrained
from .memory import memory_problem
from .settings import DATA_SETTINGS, REENCODING, check_setting, default_settings
from .shapes import ShapeReport, Shapes

ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Link(NamedTuple):
    src: str
    src_port: str
    dst: str
    dst_port: str

    def __str__(self) -> str:
        return f"{self.src}.{self.src_port} -> {self.dst}.{self.dst_port}"

    @classmethod
    def parse(cls, src: str, dst: str) -> "Link":
        """``Link.parse("ws_1.z", "sigmoid_1.z")``."""
        try:
            (a, ap), (b, bp) = src.rsplit(".", 1), dst.rsplit(".", 1)
        except ValueError:
            raise EditRefused(f"a wire end is written node.port, not {src if '.' not in src else dst!r}") from None
        return cls(a, ap, b, bp)


class View(NamedTuple):
    """What the canvas shows: its zoom (1 = 100 %) and the canvas point at its centre."""

    zoom: float
    center: tuple[float, float]

    ZOOM_RANGE = (0.05, 8.0)

    @classmethod
    def checked(cls, zoom, center) -> "View":
        """A view from file or editor values; ValueError with the reason if they are not one."""
        lo, hi = cls.ZOOM_RANGE
        if isinstance(zoom, bool) or not isinstance(zoom, (int, float)) or not lo <= zoom <= hi:
            raise ValueError(f"zoom must be a number from {lo} to {hi}, not {zoom!r}")
        if not (isinstance(center, (list, tuple)) and len(center) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in center)):
            raise ValueError(f"center must be [x, y] numbers, not {center!r}")
        return cls(float(zoom), (float(center[0]), float(center[1])))


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


class Graph:
    """A deconstructed-backprop graph; the single source of truth for nodes and wires."""

    def __init__(self, settings: dict | None = None, base_dir: str | Path | None = None):
        self.nx = nx.MultiDiGraph()
        self.settings = default_settings()
        for k, v in (settings or {}).items():
            try:
                self.settings[k] = check_setting(k, v)
            except ValueError as e:
                raise EditRefused(f"settings: {e}") from None
        self.base_dir = Path(base_dir or ".").resolve()
        self.history = History()
        self._listeners: list[Callable] = []
        self._group: list | None = None
        self._shapes = Shapes(self.nx, ShapeContext(self.settings, self._data_shapes))
        self._pending: list | None = None  # events held back while an edit is being tried
        self.revision = 0  # counts changes: views compare it to know when to look again
        self.trained_epochs = 0  # epochs the state was trained for (saved; continues the shuffling)
        self.epoch_log = EpochLog()  # the figures of those epochs (saved; plotted on reopening)
        self.view: View | None = None  # where the canvas looked when the file was saved (None: fit)
        self.exposed: dict[tuple[str, str], tuple[str, str]] = {}  # flattened: (group, output) -> inner port
        self._flat: tuple[int, Graph] | None = None

    @classmethod
    def assembled(cls, settings: dict, base_dir, nodes: dict[str, dict], links: list["Link"]) -> "Graph":
        """A graph put together from parts already checked (no edits, no history): a flattened graph."""
        g = cls(settings, base_dir)
        for n, attrs in nodes.items():
            g.nx.add_node(n, **attrs)
        for l in links:
            g.nx.add_edge(l.src, l.dst, key=(l.src_port, l.dst_port))
        g._shapes.touch(*nodes)
        return g

    # -- events ------------------------------------------------------------------------
    def subscribe(self, fn: Callable[..., None]) -> Callable[[], None]:
        """Call ``fn(kind, **details)`` after every change; returns an unsubscribe function."""
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def _emit(self, kind: str, **details) -> None:
        self.revision += 1
        self._track_shapes(kind, details)
        if self._pending is not None:
            self._pending.append((kind, details))
            return
        for fn in list(self._listeners):
            fn(kind, **details)

    def _track_shapes(self, kind: str, d: dict) -> None:
        """Tell shape inference which nodes an edit touched."""
        if kind in ("node_added", "param_changed"):
            self._shapes.touch(d["node"])
        elif kind == "node_removed":
            self._shapes.drop(d["node"])
        elif kind in ("link_added", "link_removed"):
            self._shapes.touch(d["link"].dst)
        elif kind == "setting_changed" and d["name"] in DATA_SETTINGS:
            self._shapes.touch(*self.nodes_of_type("Dataset"))

    # -- queries -----------------------------------------------------------------------
    def __contains__(self, node: str) -> bool:
        return node in self.nx

    @property
    def node_ids(self) -> list[str]:
        return list(self.nx.nodes)

    def type_of(self, node: str) -> type[NodeType]:
        return NODE_TYPES[self.nx.nodes[node]["type"]]

    def attrs(self, node: str) -> dict:
        return self.nx.nodes[node]

    def params(self, node: str) -> dict:
        return self.nx.nodes[node]["params"]

    def state(self, node: str) -> dict[str, np.ndarray]:
        return self.nx.nodes[node]["state"]

    def links(self) -> list[Link]:
        return [Link(u, k[0], v, k[1]) for u, v, k in self.nx.edges(keys=True)]

    def inputs(self, node: str) -> tuple:
        """The input ports of this node (an Expression's or a Group's depend on its parameters)."""
        return self.type_of(node).input_ports(self.params(node))

    def outputs(self, node: str) -> tuple:
        return self.type_of(node).output_ports(self.params(node))

    def port(self, node: str, name: str, direction: str):
        """The node's input (``"in"``) or output port called ``name``, or None."""
        return self.type_of(node).port(name, direction, self.params(node))

    def links_of(self, node: str) -> list[Link]:
        return [l for l in self.links() if node in (l.src, l.dst)]

    def wire_into(self, node: str, port: str) -> Link | None:
        for u, _, k in self.nx.in_edges(node, keys=True):
            if k[1] == port:
                return Link(u, k[0], node, port)
        return None

    def nodes_of_type(self, *names: str) -> list[str]:
        return [n for n, d in self.nx.nodes(data=True) if d["type"] in names]

    def data(self, fold: tuple[int, int] | None = None, **overrides) -> Data:
        """The data the settings name, split (``fold=(k, K)``: fold k of K is the test set instead).
        ``overrides`` try other values of the data settings."""
        s = {k: overrides.get(k, self.settings[k]) for k in DATA_SETTINGS}
        return load_data(s["data"], self.base_dir, seed=s["seed"], split=s["split"], samples=s["samples"],
                         target=s["target"], fold=fold, scale=s["scale"],
                         encoding=Encoding.from_dict(s["encoding"]) if s["encoding"] else None)

    def _data_shapes(self):
        try:
            return self.data().shapes
        except DataError:
            return None

    def shapes(self) -> ShapeReport:
        """Every port's shape (inferred again only where edits touched the graph)."""
        return self._shapes.report()

    def unwired(self) -> dict[str, list[str]]:
        """Each node's inputs that need a wire and have none (nodes with none are left out)."""
        out: dict[str, list[str]] = {}
        for n in self.nx.nodes:
            ports = [p.name for p in self.inputs(n) if not p.optional and self.wire_into(n, p.name) is None]
            if ports:
                out[n] = ports
        return out

    def flat(self) -> "Graph":
        """This graph with every group replaced by its inner nodes (itself when it has no groups)."""
        if not self.nodes_of_type("Group"):
            return self
        if self._flat is None or self._flat[0] != self.revision:
            from .groups import flatten

            self._flat = (self.revision, flatten(self))
        return self._flat[1]

    def problems(self, *, for_running: bool = True, skip: Collection[str] = ()) -> list[str]:
        """Everything that stops this graph from being evaluated, each with where it is
        (inside a group: ``group/node``).

        ``skip``: nodes left out of running (see ``run.plan.skipped_nodes``), whose unwired inputs stop nothing."""
        flat = self.flat()
        if flat is not self:
            return flat.problems(for_running=for_running, skip=skip)
        out: list[str] = []
        if self.nodes_of_type("Dataset") or for_running:
            try:
                self.data()
            except DataError as e:
                out.append(f"settings.data: {e}")
        out += self.shapes().problems
        datasets_ = self.nodes_of_type("Dataset")
        if len(datasets_) > 1:
            out.append(f"only one Dataset node is allowed, found {len(datasets_)}: {', '.join(datasets_)}")
        if for_running and not datasets_ and len(self.nx):
            out.append("nothing to train on: add a Dataset node")
        unwired = self.unwired() if for_running else {}
        for n in self.nx.nodes:
            if n not in skip:
                out += [f"{n}.{port} is not connected" for port in unwired.get(n, ())]
        out += self.writer_problems(every=True)
        out += [f"{n}: {msg}" for n, msg in self.state_problems()]
        if for_running and not out and (too_big := memory_problem(self)):
            out.append(too_big)
        return out

    def writer_problems(self, every: bool = False) -> list[str]:
        """Registers written by two nodes (refused when wired); with ``every``, also commits
        whose target is not a register at all."""
        flat = self.flat()
        out: list[str] = []
        targets: dict[str, str] = {}
        for n in flat.nx.nodes:
            t = flat.type_of(n)
            for _, into in t.commits:
                w = flat.wire_into(n, into)
                if w is None:
                    continue
                if not flat.type_of(w.src).writable:
                    if every:
                        out.append(f"{n}.{into} must come from {t.commit_target} "
                                   f"(its new value is written there), not from {w.src}")
                elif w.src in targets:
                    out.append(f"{w.src} is updated by both {targets[w.src]} and {n}")
                else:
                    targets[w.src] = n
        return out

    def state_problems(self) -> list[tuple[str, str]]:
        """(node, problem) for state arrays holding NaN, or shaped unlike the node's size and wires."""
        out = []
        dims = self.shapes().dims
        for n in self.nx.nodes:
            want = self.type_of(n).state_shapes(self.params(n), dims.get(n, {}))
            for name, arr in self.state(n).items():
                if not np.all(np.isfinite(arr)):
                    out.append((n, f"{name} holds NaN or infinite numbers"))
                elif known(want.get(name)) and np.shape(arr) != tuple(want[name]):
                    out.append((n, f"{name} has shape {list(np.shape(arr))} but the node's size and wires say "
                                   f"{list(want[name])}"))
        return out

    # -- editing -----------------------------------------------------------------------
    @contextlib.contextmanager
    def group(self, label: str) -> Iterator[None]:
        """Make every edit inside one undo step; if one is refused, all are rolled back."""
        if self._group is not None:
            yield
            return
        self._group = []
        try:
            yield
        except BaseException:
            ops, self._group = self._group, None
            for op in reversed(ops):
                op.inverse().apply(self)
            raise
        ops, self._group = self._group, None
        if ops:
            self.history.record(Group(label, ops))

    def _do(self, op, label: str) -> None:
        op.apply(self)
        if self._group is not None:
            self._group.append(op)
        else:
            self.history.record(Group(label, [op]))

    def _wiring_problems(self, writers: bool) -> list[str]:
        """What an edit may not bring about: shapes that disagree, and (``writers``) a register with
        two writers."""
        return self.shapes().problems + (self.writer_problems() if writers else [])

    def _may_add_a_writer(self, op) -> bool:
        """Whether ``op`` can give a register a second writer: a wire into a node that commits or into
        a group, or a group added or redefined. (Looking at every node's wires for every edit made
        building a graph quadratic.)"""
        if isinstance(op, AddLink):
            t = self.type_of(op.link.dst)
        elif isinstance(op, AddNode):
            t = NODE_TYPES[op.attrs["type"]]
        elif isinstance(op, SetAttr):
            t = self.type_of(op.node)
        else:
            return False
        return bool(t.commits) or t.name == "Group"

    def _checked(self, op, label: str) -> None:
        """Apply ``op``; undo it and refuse if it creates a new shape or writer problem."""
        writers = self._may_add_a_writer(op)
        before = set(self._wiring_problems(writers))
        outer, self._pending = self._pending, []
        try:
            op.apply(self)
            new = [p for p in self._wiring_problems(writers) if p not in before]
            if new:
                op.inverse().apply(self)  # nobody was told, so nobody hears of the trial
                raise EditRefused(f"refused: {new[0]}")
        finally:
            events, self._pending = self._pending, outer
        for kind, details in events:
            self._emit(kind, **details)
        if self._group is not None:
            self._group.append(op)
        else:
            self.history.record(Group(label, [op]))

    def new_id(self, type_name: str) -> str:
        base = snake(type_name)
        if type_name in ("Dataset", "Error") and base not in self.nx:
            return base
        i = 1
        while f"{base}_{i}" in self.nx:
            i += 1
        return f"{base}_{i}"

    def add_node(self, type_name: str, node: str | None = None, *, label: str | None = None,
                 pos=(0.0, 0.0), params: dict | None = None, state: dict | None = None) -> str:
        """Add a node of a registered type; returns its id."""
        t = NODE_TYPES.get(type_name)
        if t is None:
            raise EditRefused(f"unknown node type {type_name!r}")
        if t.preset_of:  # e.g. a library group: a Group node holding the library's definition
            params = dict(copy.deepcopy(t.default_params()), **(params or {}))
            node = node or self.new_id(type_name)
            type_name, t = t.preset_of, NODE_TYPES[t.preset_of]
        node = node or self.new_id(type_name)
        if not ID_RE.match(node):
            raise EditRefused(f"node id {node!r} must be letters, digits and _ (not starting with a digit)")
        if node in self.nx:
            raise EditRefused(f"there is already a node called {node!r}")
        if t.unique and self.nodes_of_type(type_name):
            raise EditRefused(f"a graph has at most one {type_name} node; it already has "
                              f"{self.nodes_of_type(type_name)[0]}")
        merged = t.default_params()
        for k, v in (params or {}).items():
            merged[k] = self._check_param(t, node, k, v)
        attrs = {"type": type_name, "label": label or node, "pos": [float(pos[0]), float(pos[1])],
                 "params": merged, "state": dict(state) if state is not None else self._fresh_state(node, t, merged)}
        self._checked(AddNode(node, attrs), f"add {node}")
        return node

    def _check_param(self, t, node, name, value):
        p = t.param(name)
        if p is None:
            known_ = ", ".join(q.name for q in t.params) or "none"
            raise EditRefused(f"{node}: {t.name} has no parameter {name!r} (parameters: {known_})")
        try:
            return p.check(value)
        except ValueError as e:
            raise EditRefused(f"{node}: {e}") from None

    def _fresh_state(self, node: str, t: type[NodeType], params: dict) -> dict:
        shapes = t.state_shapes(params, {})
        return t.init_state(node, params, shapes, self.settings["seed"]) if shapes and all(
            known(s) for s in shapes.values()) else {}

    def remove_node(self, node: str) -> None:
        """Remove a node and every wire touching it."""
        self._require(node)
        with self.group(f"remove {node}"):
            for l in self.links_of(node):
                self._do(RemoveLink(l), "")
            self._do(RemoveNode(node, copy.deepcopy(dict(self.nx.nodes[node]))), "")

    def _require(self, node: str) -> None:
        if node not in self.nx:
            raise EditRefused(f"there is no node {node!r}")

    def connect(self, src: str, src_port: str | None = None, dst: str | None = None,
                dst_port: str | None = None) -> Link:
        """Wire an output to an input: ``connect("ws_1.z", "sigmoid_1.z")`` or four names.

        If the shapes disagree, a Weights or Bias node feeding the same node that was never
        trained takes the shape that fits, in the same undo step; else the refusal says what
        would fit (see ``fitting``)."""
        link = Link.parse(src, src_port) if dst is None else Link(src, src_port, dst, dst_port)
        self.check_link(link)
        try:
            self._checked(AddLink(link), f"connect {link}")
        except EditRefused as refused:
            self._connect_fitting(link, refused)
        return link

    def _connect_fitting(self, link: Link, refused: EditRefused) -> None:
        """Resize an untrained parameter so that ``link`` fits, or refuse with a hint."""
        candidates = fitting.fits(self, link)
        tried: dict[str, str] = {}
        for f in candidates:
            if not fitting.untrained(self, f.node):
                continue
            try:
                with self.group(f"connect {link} ({fitting.describe(f)})"):
                    for name, value in f.params.items():
                        self.set_param(f.node, name, value)
                    self._checked(AddLink(link), "")
                return
            except EditRefused as e:
                tried[f.node] = str(e).removeprefix("refused: ")
        raise EditRefused(f"{refused}; {fitting.hint(self, link, candidates, tried)}") from None

    @property
    def last_edit(self) -> str | None:
        """What the edit that Undo would undo did (``connect a.x -> b.x (weights_1 resized to (1, 2))``)."""
        return self.history.undo_stack[-1].label if self.history.undo_stack else None

    def check_link(self, link: Link) -> None:
        """Raise EditRefused with the reason if ``link`` may not be added (shapes aside)."""
        for n in (link.src, link.dst):
            self._require(n)
        if self.port(link.src, link.src_port, "out") is None:
            if self.port(link.src, link.src_port, "in") is not None:
                raise EditRefused(f"refused: {link.src}.{link.src_port} is an input; a wire starts at an output")
            raise EditRefused(f"{link.src} has no output {link.src_port!r} "
                              f"(outputs: {', '.join(p.name for p in self.outputs(link.src)) or 'none'})")
        if self.port(link.dst, link.dst_port, "in") is None:
            if self.port(link.dst, link.dst_port, "out") is not None:
                raise EditRefused(f"refused: {link.dst}.{link.dst_port} is an output; "
                                  "a wire must end at an input (outputs cannot be wired together)")
            raise EditRefused(f"{link.dst} has no input {link.dst_port!r} "
                              f"(inputs: {', '.join(p.name for p in self.inputs(link.dst)) or 'none'})")
        existing = self.wire_into(link.dst, link.dst_port)
        if existing == link:
            raise EditRefused(f"refused: {link} is already connected")
        if existing is not None:
            raise EditRefused(f"refused: {link.dst}.{link.dst_port} already has a wire from "
                              f"{existing.src}.{existing.src_port}; an input takes one wire")
        if link.src == link.dst or nx.has_path(self.nx, link.dst, link.src):
            loop = [link.dst] if link.src == link.dst else nx.shortest_path(self.nx, link.dst, link.src)
            raise EditRefused(f"refused: the wire would close a loop: {' -> '.join(loop + [link.dst])}")

    def disconnect(self, link: Link) -> None:
        if not self.nx.has_edge(link.src, link.dst, key=(link.src_port, link.dst_port)):
            raise EditRefused(f"there is no wire {link}")
        self._do(RemoveLink(link), f"disconnect {link}")

    def move(self, node: str, pos) -> None:
        self._require(node)
        old = list(self.nx.nodes[node]["pos"])
        new = [float(pos[0]), float(pos[1])]
        if old != new:
            self._do(SetAttr(node, "pos", old, new), f"move {node}")

    def set_view(self, zoom: float, center) -> None:
        """Remember where the canvas looks (saved with the file). Not an edit: no undo, no event."""
        self.view = View.checked(zoom, center)

    def set_label(self, node: str, label: str) -> None:
        self._require(node)
        self._do(SetAttr(node, "label", self.nx.nodes[node]["label"], str(label)), f"rename {node}")

    def set_param(self, node: str, name: str, value: Any) -> None:
        """Change a node parameter; parameters that size or fill a state re-initialise it. Wires
        into ports the change takes away (a name gone from a formula) are removed with it."""
        self._require(node)
        t = self.type_of(node)
        value = self._check_param(t, node, name, value)
        params = self.nx.nodes[node]["params"]
        if params[name] == value:
            return
        changed = dict(params, **{name: value})
        ins = {p.name for p in t.input_ports(changed)}
        outs = {p.name for p in t.output_ports(changed)}
        with self.group(f"set {node}.{name}"):
            for l in self.links_of(node):
                if (l.dst == node and l.dst_port not in ins) or (l.src == node and l.src_port not in outs):
                    self._do(RemoveLink(l), "")
            self._checked(SetAttr(node, f"params.{name}", copy.deepcopy(params[name]), value), "")
            if t.saved_state and name in ("shape", "size", "init", "scale", "optimizer", "fill"):
                self._reset(node)

    def set_setting(self, name: str, value: Any) -> None:
        """Change a graph setting (seed, lr, data, split, ...), refused if it breaks a wire's shapes."""
        try:
            value = check_setting(name, value)
        except ValueError as e:
            raise EditRefused(f"settings: {e}") from None
        if self.settings.get(name) == value:
            return
        forget = name in REENCODING and self.settings.get("encoding") is not None  # new data: scaled afresh
        if name in DATA_SETTINGS:
            try:
                self.data(**{name: value}, **({"encoding": None} if forget else {}))
            except DataError as e:
                raise EditRefused(f"refused: {e}") from None
        with self.group(f"set {name}"):
            if forget:
                self._do(SetSetting("encoding", copy.deepcopy(self.settings["encoding"]), None), "")
            self._checked(SetSetting(name, copy.deepcopy(self.settings.get(name)), value), "")

    def reset_weights(self, nodes: list[str] | None = None) -> None:
        """Re-initialise parameters (all of them by default) from the seed, back to epoch 0: one undo step."""
        with self.group("reset weights"):
            for n in nodes or self.node_ids:
                if self.type_of(n).saved_state:
                    self._reset(n)
            if nodes is None and (self.trained_epochs or len(self.epoch_log)):
                self._do(SetTrained(self.trained_epochs, 0, self.epoch_log, EpochLog()), "")

    def apply_training(self, states: dict[str, dict[str, np.ndarray]], epochs: int,
                       log: EpochLog | None = None) -> None:
        """Take a run's trained values, epoch count and (if given) per-epoch figures into the
        document (not an undoable edit: training is undone by stepping back, not by Ctrl+Z)."""
        inside: dict[str, dict] = {}
        for n, values in states.items():
            if "/" in n:  # a node inside a group: its values go into the group's definition
                group, rest = n.split("/", 1)
                inside.setdefault(group, {})[rest] = values
                continue
            state = self.state(n)
            for name, v in values.items():
                state[name] = np.array(v, dtype=float, copy=True)
        if inside:
            from .groups import with_values

            for group, values in inside.items():
                params = self.params(group)
                params["graph"] = with_values(params["graph"], values)
        self.trained_epochs = int(epochs)
        if log is not None:
            self.epoch_log = log
        self._emit("training_applied")

    def _reset(self, node: str) -> None:
        t = self.type_of(node)
        fresh = self._fresh_state(node, t, self.nx.nodes[node]["params"])
        self._do(SetAttr(node, "state", dict(self.nx.nodes[node]["state"]), fresh), "")

    def group_nodes(self, nodes, name: str = "group", node: str | None = None) -> str:
        """Fold these nodes into one Group node (one undoable edit; see ``grouping``); returns its id."""
        from .grouping import group_nodes

        return group_nodes(self, nodes, name, node)

    def ungroup(self, node: str) -> list[str]:
        """Put a group's inner nodes back in its place (one undoable edit); returns their ids."""
        from .grouping import ungroup

        return ungroup(self, node)

    def undo(self) -> str | None:
        """Undo the last edit; returns its label (None when there is nothing to undo)."""
        if not self.history.undo_stack:
            return None
        group = self.history.undo_stack.pop()
        for op in reversed(group.ops):
            op.inverse().apply(self)
        self.history.redo_stack.append(group)
        return group.label

    def redo(self) -> str | None:
        if not self.history.redo_stack:
            return None
        group = self.history.redo_stack.pop()
        for op in group.ops:
            op.apply(self)
        self.history.undo_stack.append(group)
        return group.label
