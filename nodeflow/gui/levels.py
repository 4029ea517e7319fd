"""Working inside groups: the groups opened, one inside another, and their insides (no dearpygui here).

The document stays the one graph the session runs. Opening a group gives its inside as a
graph of its own (``grouping.open_group``), which the canvas shows and edits; every edit
made there is written back at once, through every group opened, as one undoable edit of
the document named after the inner edit (``write_back``). Undo and redo act on the
document; wherever it then differs from an inside (or training put new values into it),
that inside is opened again from it (``sync``).

Values inside come from the document's run, where an inner node has the id
``group/inner`` (``flat_port``, ``shown_id``).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..document.graph import Graph
from ..document.grouping import close_group, open_group
from ..document.groups import SEP
from ..errors import EditRefused


@dataclass
class Level:
    """One group opened: its id one level up, its inside, and the definition that inside was read from."""

    node: str
    graph: Graph
    defn: dict


class Levels:
    def __init__(self):
        self.stack: list[Level] = []

    def __len__(self) -> int:
        return len(self.stack)

    def graph_at(self, root: Graph, depth: int) -> Graph:
        """The graph shown at ``depth`` (0: the document)."""
        return self.stack[depth - 1].graph if depth else root

    def shown(self, root: Graph) -> Graph:
        return self.graph_at(root, len(self.stack))

    def prefix(self, depth: int | None = None) -> str:
        """What an inner node's id is prefixed with in the run (``group_1/``; "" at the top)."""
        ids = [lv.node for lv in self.stack[:len(self.stack) if depth is None else depth]]
        return "".join(n + SEP for n in ids)

    def path(self) -> tuple[str, ...]:
        return tuple(lv.node for lv in self.stack)

    # -- going in and out -------------------------------------------------------------------
    def enter(self, root: Graph, node: str) -> Graph:
        """Open the group ``node`` of the graph shown; returns its inside (EditRefused if not a group)."""
        parent = self.shown(root)
        if node not in parent or parent.type_of(node).name != "Group":
            raise EditRefused(f"{node!r} is not a group (select one to open it)")
        self.stack.append(Level(node, open_group(parent, node), parent.params(node)["graph"]))
        return self.stack[-1].graph

    def leave(self, depth: int) -> None:
        """Go back out to ``depth`` (0: the document)."""
        del self.stack[max(depth, 0):]

    # -- keeping the insides and the document together --------------------------------------
    def write_back(self, root: Graph, label: str) -> None:
        """Write the innermost inside into its group, and so on up to the document, as one
        document edit called ``label``. If the document refuses it, the insides are opened
        again from the unchanged document and EditRefused says why."""
        try:
            for depth in range(len(self.stack) - 1, 0, -1):
                self._close(self.graph_at(root, depth), self.stack[depth])
            with root.group(label):
                self._close(root, self.stack[0])
        except EditRefused:
            self.sync(root, force=True)
            raise

    @staticmethod
    def _close(parent: Graph, level: Level) -> None:
        """Write one inside into its group; the wires of a port renamed inside follow the new name."""
        renamed = _renamed_ports(level.defn, level.graph)
        follow = [l for l in parent.links_of(level.node)
                  if ("in", l.dst_port) in renamed and l.dst == level.node
                  or ("out", l.src_port) in renamed and l.src == level.node]
        for l in follow:
            parent.disconnect(l)
        close_group(parent, level.node, level.graph)
        for l in follow:
            if l.dst == level.node:
                parent.connect(l.src, l.src_port, l.dst, renamed[("in", l.dst_port)])
            else:
                parent.connect(l.src, renamed[("out", l.src_port)], l.dst, l.dst_port)
        level.defn = parent.params(level.node)["graph"]

    def sync(self, root: Graph, force: bool = False) -> bool:
        """Open again every inside whose definition in the document changed (undo, redo,
        trained values applied), leaving the groups that are gone; True if any changed."""
        parent, changed = root, False
        for depth, level in enumerate(self.stack):
            if level.node not in parent or parent.type_of(level.node).name != "Group":
                del self.stack[depth:]
                return True
            defn = parent.params(level.node)["graph"]
            if force or changed or defn is not level.defn:
                self.stack[depth] = Level(level.node, open_group(parent, level.node), defn)
                changed = True
            parent = self.stack[depth].graph
        return changed

    # -- the run's ids -------------------------------------------------------------------------
    def flat_port(self, root: Graph, node: str, port: str) -> tuple[str, str] | None:
        """Where the run keeps the value of output ``node.port`` of the graph shown: the node's
        id in the run; for a group input, what is wired into the group (None when nothing is)."""
        depth = len(self.stack)
        while True:
            g = self.graph_at(root, depth)
            if node not in g:
                return None
            if g.type_of(node).name != "GroupInput":
                return self.prefix(depth) + node, port
            if depth == 0:
                return None
            w = self.graph_at(root, depth - 1).wire_into(self.stack[depth - 1].node, g.params(node)["name"])
            if w is None:
                return None
            node, port, depth = w.src, w.src_port, depth - 1

    def shown_id(self, flat: str) -> str | None:
        """The node of the graph shown that a node of the run is (or is inside); None if elsewhere."""
        prefix = self.prefix()
        if not flat.startswith(prefix):
            return None
        return flat[len(prefix):].split(SEP, 1)[0]


def _renamed_ports(defn: dict, inside: Graph) -> dict[tuple[str, str], str]:
    """("in" or "out", old name) -> new name, for each GroupInput / GroupOutput renamed inside."""
    out = {}
    for nd in defn["nodes"]:
        kind = {"GroupInput": "in", "GroupOutput": "out"}.get(nd["type"])
        if kind and nd["id"] in inside and inside.type_of(nd["id"]).name == nd["type"]:
            old, new = nd.get("params", {}).get("name"), inside.params(nd["id"])["name"]
            if old is not None and old != new:
                out[(kind, old)] = new
    return out
