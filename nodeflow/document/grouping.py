"""Group and ungroup: undoable edits that fold nodes into one Group node and back.

``group_nodes`` makes the selected nodes the inside of a new Group node. Its ports are
the inner ports left unconnected by the selection: one input per outside output that
fed the selection (feeding every inner input it fed) and one per inner input with no
wire at all; one output per inner output wired outside or not wired at all. Each port
is named after the inner port (``node_port`` where two would clash). ``ungroup`` puts
the inner nodes back and rewires them. ``open_group`` / ``close_group`` let an editor
work on a group's inside as a graph of its own and write it back as one edit.
"""
from __future__ import annotations

import networkx as nx

from ..errors import EditRefused
from .groups import inner_of

RELAY_GAP = 210  # GroupInput / GroupOutput nodes sit this far left / right of the inner nodes


def group_nodes(g, nodes, name: str = "group", node: str | None = None) -> str:
    """Fold ``nodes`` into one Group node called ``name`` (one undoable edit); returns its id."""
    sel = list(dict.fromkeys(nodes))
    _check_selection(g, sel)
    inside = set(sel)
    links = g.links()
    into = [l for l in links if l.dst in inside and l.src not in inside]
    out_of = [l for l in links if l.src in inside and l.dst not in inside]
    ports = _Ports(g, sel, into, out_of)
    defn = _definition(g, sel, [l for l in links if l.src in inside and l.dst in inside], ports)
    centre = _centre(g, sel)
    node = node or g.new_id("Group")  # chosen before the selection goes, so no id is used twice
    with g.group(f"group {', '.join(sel)}"):
        for n in sel:
            g.remove_node(n)
        gid = g.add_node("Group", node, label=name, pos=centre, params={"name": name, "graph": defn})
        for (src, sport), port in ports.by_source.items():
            g.connect(src, sport, gid, port)
        for l in out_of:
            g.connect(gid, ports.by_output[(l.src, l.src_port)], l.dst, l.dst_port)
    return gid


def _check_selection(g, sel) -> None:
    if not sel:
        raise EditRefused("select the nodes to group")
    for n in sel:
        if n not in g:
            raise EditRefused(f"there is no node {n!r}")
        if g.type_of(n).name == "Dataset":
            raise EditRefused("the Dataset cannot go into a group (it stays at the top of the graph)")
    inside = set(sel)
    after = set().union(*(nx.descendants(g.nx, n) for n in sel)) - inside
    before = set().union(*(nx.ancestors(g.nx, n) for n in sel)) - inside
    between = sorted(after & before)
    if between:
        raise EditRefused(f"refused: {between[0]} takes values from some of these nodes and gives values to others, "
                          "so they cannot be one group (group it too, or fewer nodes)")


class _Ports:
    """The new group's ports, named after the inner ports they lead to or come from."""

    def __init__(self, g, sel, into, out_of):
        self.taken: set[str] = set()
        self.by_source: dict[tuple[str, str], str] = {}  # outside output -> group input
        self.inputs: list[tuple[str, list, bool]] = []  # (port, inner (node, port) ends, optional)
        for l in into:
            key = (l.src, l.src_port)
            if key not in self.by_source:
                self.by_source[key] = self._name(l.dst, l.dst_port)
                self.inputs.append((self.by_source[key], [], False))
            next(p for p in self.inputs if p[0] == self.by_source[key])[1].append((l.dst, l.dst_port))
        for n in sel:
            for p in g.inputs(n):
                if g.wire_into(n, p.name) is None:
                    self.inputs.append((self._name(n, p.name), [(n, p.name)], p.optional))
        wired_out = {(l.src, l.src_port) for l in g.links() if l.src in sel}
        outside = {(l.src, l.src_port) for l in out_of}
        self.by_output = {(n, p.name): self._name(n, p.name) for n in sel for p in g.outputs(n)
                          if (n, p.name) in outside or (n, p.name) not in wired_out}

    def _name(self, node: str, port: str) -> str:
        name = port if port not in self.taken else f"{node}_{port}"
        k = 2
        while name in self.taken:
            name, k = f"{node}_{port}_{k}", k + 1
        self.taken.add(name)
        return name


def _definition(g, sel, inner_links, ports: _Ports) -> dict:
    """The group's ``graph`` parameter: the selected nodes, their links, and the port nodes."""
    from .files import link_entries, node_entry
    from .graph import Link

    cx, cy = _centre(g, sel)
    xs, ys = zip(*(g.attrs(n)["pos"] for n in sel))
    nodes = [node_entry(g, n, pos=(g.attrs(n)["pos"][0] - cx, g.attrs(n)["pos"][1] - cy)) for n in sel]
    links = list(inner_links)
    ids = set(sel)
    for k, (port, ends, optional) in enumerate(ports.inputs):
        rid = _free(f"in_{port}", ids)
        nodes.append(_relay(rid, "GroupInput", port, (min(xs) - cx - RELAY_GAP, min(ys) - cy + 120 * k),
                            {"optional": optional}))
        links += [Link(rid, "value", n, p) for n, p in ends]
    for k, ((n, p), port) in enumerate(ports.by_output.items()):
        rid = _free(f"out_{port}", ids)
        nodes.append(_relay(rid, "GroupOutput", port, (max(xs) - cx + RELAY_GAP, min(ys) - cy + 120 * k), {}))
        links.append(Link(n, p, rid, "value"))
    return {"nodes": nodes, "links": link_entries(links)}


def _centre(g, sel) -> tuple[float, float]:
    """Where the group sits: the middle of its nodes (inner positions are kept relative to it)."""
    xs, ys = zip(*(g.attrs(n)["pos"] for n in sel))
    return sum(xs) / len(xs), sum(ys) / len(ys)


def _free(base: str, ids: set) -> str:
    name, k = base, 2
    while name in ids:
        name, k = f"{base}_{k}", k + 1
    ids.add(name)
    return name


def _relay(rid: str, type_name: str, port: str, pos, extra: dict) -> dict:
    return {"id": rid, "type": type_name, "label": port, "pos": [float(pos[0]), float(pos[1])],
            "params": {"name": port, **extra}}


def ungroup(g, node: str) -> list[str]:
    """Put a group's inner nodes back in its place, rewired (one undoable edit); returns their ids."""
    if node not in g or g.type_of(node).name != "Group":
        raise EditRefused(f"{node!r} is not a group")
    inner = inner_of(g.params(node)["graph"]).graph
    feeds = {p.name: g.wire_into(node, p.name) for p in g.inputs(node)}
    leaving = [l for l in g.links() if l.src == node]
    gx, gy = g.attrs(node)["pos"]
    real = [n for n in inner.node_ids if inner.type_of(n).name not in ("GroupInput", "GroupOutput")]
    with g.group(f"ungroup {node}"):
        g.remove_node(node)
        ids = {n: (n if n not in g else g.new_id(inner.type_of(n).name)) for n in real}
        for n in real:
            a, t = inner.attrs(n), inner.type_of(n)
            g.add_node(t.name, ids[n], label=a["label"], pos=(gx + a["pos"][0], gy + a["pos"][1]),
                       params=a["params"], state=inner.state(n) if t.saved_state else None)
        for src, sport, dst, dport in _rewired(inner, ids, feeds, leaving):
            g.connect(src, sport, dst, dport)
    return [ids[n] for n in real]


def _rewired(inner, ids, feeds, leaving):
    """The wires of the ungrouped nodes, as (src, port, dst, port) in the outer graph."""
    for l in inner.links():
        if inner.type_of(l.src).name == "GroupInput":
            outside = feeds.get(inner.params(l.src)["name"])
            sources = [(outside.src, outside.src_port)] if outside is not None else []
        else:
            sources = [(ids[l.src], l.src_port)]
        if inner.type_of(l.dst).name == "GroupOutput":
            port = inner.params(l.dst)["name"]
            targets = [(o.dst, o.dst_port) for o in leaving if o.src_port == port]
        else:
            targets = [(ids[l.dst], l.dst_port)]
        for src in sources:
            for dst in targets:
                yield (*src, *dst)


def open_group(g, node: str):
    """A group's inside as a graph of its own, to edit (write it back with ``close_group``); the
    shapes arriving at the group's inputs are known inside."""
    from .files import FORMAT, VERSION, from_dict

    if node not in g or g.type_of(node).name != "Group":
        raise EditRefused(f"{node!r} is not a group")
    defn = g.params(node)["graph"]
    inside = from_dict({"format": FORMAT, "version": VERSION, "settings": g.settings, "nodes": defn["nodes"],
                        "links": defn.get("links", [])}, node, base_dir=g.base_dir)
    arriving = {k: tuple(v) for k, v in g.shapes().inputs.get(node, {}).items() if v is not None}
    inside._shapes.ctx.group_inputs.update(arriving)  # so shapes inside are known, as in the group
    inside._shapes.touch(*inside.nodes_of_type("GroupInput"))
    return inside


def close_group(g, node: str, inside) -> None:
    """Write an edited inside back into its group (one undoable edit, refused if it breaks a wire)."""
    from .files import link_entries, node_entry

    g.set_param(node, "graph", {"nodes": [node_entry(inside, n) for n in inside.node_ids],
                                "links": link_entries(inside.links())})
