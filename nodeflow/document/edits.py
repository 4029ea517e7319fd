"""Undoable edits: each user action is a group of primitive operations with inverses.

``History`` keeps the groups; undo applies a group's inverses in reverse order. The
graph validates an edit before recording it, so replaying an undo or redo never fails.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np


def _copy_state(state: dict) -> dict:
    return {k: np.array(v, dtype=float, copy=True) for k, v in state.items()}


@dataclass
class AddNode:
    node: str
    attrs: dict

    def apply(self, g) -> None:
        attrs = copy.deepcopy({k: v for k, v in self.attrs.items() if k != "state"})
        g.nx.add_node(self.node, **attrs, state=_copy_state(self.attrs.get("state", {})))
        g._emit("node_added", node=self.node)

    def inverse(self):
        return RemoveNode(self.node, self.attrs)


@dataclass
class RemoveNode:
    node: str
    attrs: dict

    def apply(self, g) -> None:
        g.nx.remove_node(self.node)
        g._emit("node_removed", node=self.node)

    def inverse(self):
        return AddNode(self.node, self.attrs)


@dataclass
class AddLink:
    link: Any  # graph.Link

    def apply(self, g) -> None:
        l = self.link
        g.nx.add_edge(l.src, l.dst, key=(l.src_port, l.dst_port))
        g._emit("link_added", link=l)

    def inverse(self):
        return RemoveLink(self.link)


@dataclass
class RemoveLink:
    link: Any

    def apply(self, g) -> None:
        l = self.link
        g.nx.remove_edge(l.src, l.dst, key=(l.src_port, l.dst_port))
        g._emit("link_removed", link=l)

    def inverse(self):
        return AddLink(self.link)


@dataclass
class SetAttr:
    """Change one node attribute: ``pos``, ``label``, a param (``params.NAME``) or its state."""

    node: str
    key: str
    old: Any
    new: Any

    EVENTS = {"pos": "node_moved", "label": "label_changed", "state": "state_changed"}

    def apply(self, g) -> None:
        attrs = g.nx.nodes[self.node]
        value = _copy_state(self.new) if self.key == "state" else copy.deepcopy(self.new)
        if self.key.startswith("params."):
            attrs["params"][self.key[7:]] = value
            g._emit("param_changed", node=self.node, name=self.key[7:])
        else:
            attrs[self.key] = value
            g._emit(self.EVENTS[self.key], node=self.node)

    def inverse(self):
        return SetAttr(self.node, self.key, self.new, self.old)


@dataclass
class SetSetting:
    name: str
    old: Any
    new: Any

    def apply(self, g) -> None:
        g.settings[self.name] = copy.deepcopy(self.new)
        g._emit("setting_changed", name=self.name)

    def inverse(self):
        return SetSetting(self.name, self.new, self.old)


@dataclass
class SetTrained:
    """Change how many epochs the document's state was trained for, and their figures (Reset weights: 0, none)."""

    old: int
    new: int
    old_log: Any = None  # the per-epoch figures (document.epochlog.EpochLog) before and after; None: kept
    new_log: Any = None

    def apply(self, g) -> None:
        g.trained_epochs = self.new
        if self.new_log is not None:
            g.epoch_log = self.new_log
        g._emit("trained_changed")

    def inverse(self):
        return SetTrained(self.new, self.old, self.new_log, self.old_log)


_ids = itertools.count(1)


@dataclass
class Group:
    label: str
    ops: list
    id: int = 0

    def __post_init__(self):
        self.id = next(_ids)


class History:
    """Undo and redo stacks of edit groups."""

    def __init__(self, limit: int = 500):
        self.undo_stack: list[Group] = []
        self.redo_stack: list[Group] = []
        self.limit = limit

    def record(self, group: Group) -> None:
        self.undo_stack.append(group)
        del self.undo_stack[: -self.limit]
        self.redo_stack.clear()

    @property
    def current_id(self) -> int:
        """Identifies the graph's edit state: equal ids mean the same edits are applied."""
        return self.undo_stack[-1].id if self.undo_stack else 0
