"""The document: nodes and wires in a networkx MultiDiGraph, edited through validated,
undoable operations.

Each node carries ``type`` (a node type name), ``label``, ``pos``, ``params`` (its
settings) and ``state`` (the values it starts a run with, such as saved weights). Each
edge is keyed ``(src_port, dst_port)``. Every edit either succeeds and can be undone,
or is refused with a one-line reason and leaves the graph exactly as it was.

Nothing here changes while training: a run (``nodeflow.run``) works on its own copy of
the state and hands it back only on ``apply_training`` (before saving, for instance).
"""
from __future__ import annotations

import contextlib
import copy
import re
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import networkx as nx
import numpy as np

from ..data import Data, load_data
from ..errors import DataError, EditRefused
from ..nodes import NODE_TYPES, NodeType
from ..nodes.base import ShapeContext, known
from .edits import AddLink, AddNode, Group, History, RemoveLink, RemoveNode, SetAttr, SetSetting, SetTrained
from .memory import memory_problem
from .settings import DATA_SETTINGS, check_setting, default_settings
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
                         target=s["target"], fold=fold)

    def _data_shapes(self):
        try:
            return self.data().shapes
        except DataError:
            return None

    def shapes(self) -> ShapeReport:
        """Every port's shape (inferred again only where edits touched the graph)."""
        return self._shapes.report()

    def problems(self, *, for_running: bool = True) -> list[str]:
        """Everything that stops this graph from being evaluated, each with where it is."""
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
        targets: dict[str, str] = {}
        for n in self.nx.nodes:
            t = self.type_of(n)
            for p in t.inputs:
                if not p.optional and self.wire_into(n, p.name) is None and for_running:
                    out.append(f"{n}.{p.name} is not connected")
            for _, into in t.commits:
                w = self.wire_into(n, into)
                if w is None:
                    continue
                if not self.type_of(w.src).is_parameter:
                    out.append(f"{n}.{into} must come from a Weights or Bias node "
                               f"(its new value is written there), not from {w.src}")
                elif w.src in targets:
                    out.append(f"{w.src} is updated by both {targets[w.src]} and {n}")
                else:
                    targets[w.src] = n
        out += [f"{n}: {msg}" for n, msg in self.state_problems()]
        if for_running and not out and (too_big := memory_problem(self)):
            out.append(too_big)
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

    def _checked(self, op, label: str) -> None:
        """Apply ``op``; undo it and refuse if it creates a new shape problem."""
        before = set(self.shapes().problems)
        outer, self._pending = self._pending, []
        try:
            op.apply(self)
            new = [p for p in self.shapes().problems if p not in before]
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
        """Wire an output to an input: ``connect("ws_1.z", "sigmoid_1.z")`` or four names."""
        link = Link.parse(src, src_port) if dst is None else Link(src, src_port, dst, dst_port)
        self.check_link(link)
        self._checked(AddLink(link), f"connect {link}")
        return link

    def check_link(self, link: Link) -> None:
        """Raise EditRefused with the reason if ``link`` may not be added (shapes aside)."""
        for n in (link.src, link.dst):
            self._require(n)
        ts, td = self.type_of(link.src), self.type_of(link.dst)
        if ts.port(link.src_port, "out") is None:
            if ts.port(link.src_port, "in") is not None:
                raise EditRefused(f"refused: {link.src}.{link.src_port} is an input; a wire starts at an output")
            raise EditRefused(f"{link.src} has no output {link.src_port!r} "
                              f"(outputs: {', '.join(p.name for p in ts.outputs) or 'none'})")
        if td.port(link.dst_port, "in") is None:
            if td.port(link.dst_port, "out") is not None:
                raise EditRefused(f"refused: {link.dst}.{link.dst_port} is an output; "
                                  "a wire must end at an input (outputs cannot be wired together)")
            raise EditRefused(f"{link.dst} has no input {link.dst_port!r} "
                              f"(inputs: {', '.join(p.name for p in td.inputs) or 'none'})")
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

    def set_label(self, node: str, label: str) -> None:
        self._require(node)
        self._do(SetAttr(node, "label", self.nx.nodes[node]["label"], str(label)), f"rename {node}")

    def set_param(self, node: str, name: str, value: Any) -> None:
        """Change a node parameter; parameters that size or fill a state re-initialise it."""
        self._require(node)
        t = self.type_of(node)
        value = self._check_param(t, node, name, value)
        params = self.nx.nodes[node]["params"]
        if params[name] == value:
            return
        with self.group(f"set {node}.{name}"):
            self._checked(SetAttr(node, f"params.{name}", copy.deepcopy(params[name]), value), "")
            if t.saved_state and name in ("shape", "size", "init", "scale", "optimizer"):
                self._reset(node)

    def set_setting(self, name: str, value: Any) -> None:
        """Change a graph setting (seed, lr, data, split, ...), refused if it breaks a wire's shapes."""
        try:
            value = check_setting(name, value)
        except ValueError as e:
            raise EditRefused(f"settings: {e}") from None
        if self.settings.get(name) == value:
            return
        if name in DATA_SETTINGS:
            try:
                self.data(**{name: value})
            except DataError as e:
                raise EditRefused(f"refused: {e}") from None
        self._checked(SetSetting(name, copy.deepcopy(self.settings.get(name)), value), f"set {name}")

    def reset_weights(self, nodes: list[str] | None = None) -> None:
        """Re-initialise parameters (all of them by default) from the seed, back to epoch 0: one undo step."""
        with self.group("reset weights"):
            for n in nodes or self.node_ids:
                if self.type_of(n).saved_state:
                    self._reset(n)
            if nodes is None and self.trained_epochs:
                self._do(SetTrained(self.trained_epochs, 0), "")

    def apply_training(self, states: dict[str, dict[str, np.ndarray]], epochs: int) -> None:
        """Take a run's trained values and epoch count into the document (not an undoable edit:
        training is undone by stepping back, not by Ctrl+Z)."""
        for n, values in states.items():
            state = self.state(n)
            for name, v in values.items():
                state[name] = np.array(v, dtype=float, copy=True)
        self.trained_epochs = int(epochs)
        self._emit("training_applied")

    def _reset(self, node: str) -> None:
        t = self.type_of(node)
        fresh = self._fresh_state(node, t, self.nx.nodes[node]["params"])
        self._do(SetAttr(node, "state", dict(self.nx.nodes[node]["state"]), fresh), "")

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
