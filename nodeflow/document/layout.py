"""Where nodes go and how big they are: node boxes and the Tidy layout.

Canvas units are screen pixels at 100 % zoom. A node's box depends only on its ports
(an Expression's and a Group's follow its parameters) and on what it works as (a group
opened from a Delta is mirrored like one), never on values: a value arriving never
changes a node's size, and the canvas draws exactly these boxes and the layout keeps
them apart.

``tidy(g)`` lays a graph out the way the algorithm reads: the forward pass left to
right (data, then per layer a column of parameters, the weighted sum, the activation),
the loss and metrics at the right; below it the backward chain, right to left (deltas
under the activations whose slope they use), and the updates under the parameters they
update (so each weight's wires run down its own column); view nodes in a row above, each
as near what it shows as the others allow. Separate networks (sharing the data) are
stacked; unconnected nodes go last.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import networkx as nx

from ..nodes import NODE_TYPES, NodeType

TITLE_FONT, PIN_FONT = 14.0, 13.0  # text sizes in canvas units
TITLE_H, ROW_H, BOTTOM = 24.0, 19.0, 7.0
PAD, GAP = 9.0, 6.0  # inside a node: edge to pin name; between texts
VALUE_W = 64.0  # room for a value next to an output's name
MIN_W, MAX_W = 120.0, 200.0
CAPTION_MAX_W = 360.0  # a node with a caption (an Expression's formula) may be this wide
DISPLAY = (168.0, 132.0)  # a view node's picture (or text) area, unless its type says (``picture_area``)
COL_GAP, ROW_GAP, BAND_GAP, BLOCK_GAP = 50.0, 18.0, 40.0, 90.0

# Advance widths of DejaVu Sans (the editor's font), in hundredths of the font size, for ' '..'~'.
_ADVANCE = (28, 35, 40, 72, 55, 82, 67, 24, 34, 34, 43, 72, 28, 31, 28, 29, 55, 55, 55, 55, 55, 55, 55, 55, 55,
            55, 29, 29, 72, 72, 72, 46, 86, 59, 59, 60, 67, 55, 50, 67, 65, 26, 26, 57, 48, 75, 65, 68, 52, 68,
            60, 55, 53, 63, 59, 85, 59, 53, 59, 34, 29, 34, 72, 43, 43, 53, 55, 48, 55, 53, 31, 55, 55, 24, 24,
            50, 24, 84, 55, 53, 55, 55, 36, 45, 34, 55, 51, 71, 51, 51, 46, 55, 29, 55, 72)


_WIDTH = {chr(32 + k): w for k, w in enumerate(_ADVANCE)}


def text_width(text: str, size: float) -> float:
    """Width of ``text`` drawn at ``size`` in the editor's font (other characters count as wide)."""
    return sum([_WIDTH.get(c, 62) for c in text]) * size / 100.0


def fit_text(text: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis so that it fits ``width``."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True)
class Box:
    """A node's size and where its pins, texts and picture area sit (relative to its top-left).

    Backward-family nodes are mirrored (inputs on the right, outputs on the left) so that
    blame visibly flows from right to left.
    """

    w: float
    h: float
    flipped: bool
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    display: tuple[float, float, float, float] | None  # x, y, w, h of a view node's area
    name_w: tuple[float, float] = (MAX_W, MAX_W)  # room for an input's and an output's name
    caption: str | None = None  # a line under the pins (an Expression's formula), fitted to the box
    caption_y: float = 0.0  # the middle of its line

    def row_y(self, k: int) -> float:
        return TITLE_H + ROW_H * (k + 0.5) + 2.0

    def pin(self, port: str, direction: str) -> tuple[float, float]:
        """Centre of a pin: inputs on the left edge (right if flipped), outputs opposite."""
        names = self.inputs if direction == "in" else self.outputs
        left = (direction == "in") != self.flipped
        return (0.0 if left else self.w, self.row_y(names.index(port)))

    def pin_name(self, port: str, direction: str) -> str:
        """A pin's name as drawn: shortened with an ellipsis where it would not fit beside the others."""
        return fit_text(port, PIN_FONT, self.name_w[0 if direction == "in" else 1])

    def value_slot(self, port: str) -> tuple[float, float, float]:
        """(right or left x, y, width) where an output's value text goes, beside its name."""
        name_w = text_width(self.pin_name(port, "out"), PIN_FONT)
        x = PAD + name_w + GAP if self.flipped else self.w - PAD - name_w - GAP
        return x, self.row_y(self.outputs.index(port)), VALUE_W


def box_of(t: type[NodeType], inputs: tuple[str, ...] | None = None, outputs: tuple[str, ...] | None = None,
           flipped: bool | None = None, caption: str | None = None) -> Box:
    """The box of a node of type ``t`` with these ports (default: the type's own ports); mirrored
    for the backward family unless ``flipped`` says otherwise; ``caption``: a line under the pins."""
    ins = tuple(p.name for p in t.inputs) if inputs is None else tuple(inputs)
    outs = tuple(p.name for p in t.outputs) if outputs is None else tuple(outputs)
    area = (t.picture_area or DISPLAY) if t.family == "view" else None
    return _box(area, t.family == "backward" if flipped is None else flipped, ins, outs, caption)


@functools.lru_cache(maxsize=4096)
def _box(area: tuple[float, float] | None, flipped: bool, ins: tuple[str, ...], outs: tuple[str, ...],
         caption: str | None) -> Box:
    in_w = max((text_width(n, PIN_FONT) for n in ins), default=0.0)
    out_w = max((text_width(n, PIN_FONT) for n in outs), default=0.0)
    middle = (VALUE_W if outs else 24.0) + 2 * GAP
    w = PAD + in_w + middle + out_w + PAD
    rows = max(len(ins), len(outs), 1)
    h = TITLE_H + rows * ROW_H + BOTTOM
    w = round(min(max(w, MIN_W), MAX_W))
    room = w - 2 * PAD - middle  # names wider than this share it in proportion
    scale = min(1.0, room / (in_w + out_w)) if in_w + out_w > 0 else 1.0
    display = None
    if area:  # a picture area below the pins, as big as the type's picture at 100 %
        aw, ah = area
        w = max(w, round(aw + 2 * PAD))
        display = ((w - aw) / 2, h - BOTTOM + 4.0, aw, ah)
        h += ah + 4.0
    caption_y = 0.0
    if caption:
        w = round(max(w, min(text_width(caption, PIN_FONT) + 2 * PAD, CAPTION_MAX_W)))
        caption = fit_text(caption, PIN_FONT, w - 2 * PAD)
        caption_y = h - BOTTOM + ROW_H / 2
        h += ROW_H
    return Box(w, h, flipped, ins, outs, display, (in_w * scale + 0.5, out_w * scale + 0.5), caption, caption_y)


def acts_as(g, node: str) -> str:
    """The family a node works as: its type's, but for a group that of what it holds (see ``group_family``)."""
    return _acts(g.type_of(node), g.params(node))


def _acts(t: type[NodeType], params: dict) -> str:
    return group_family(params) if "Group" in (t.name, t.preset_of) else t.family


def group_family(params: dict) -> str:
    """What a group works as: the node it was opened from; else "update" when something inside
    writes into a parameter, "backward" or "loss" when it holds such nodes; else "group"."""
    from .expand import opened_from
    from .groups import inner_of

    base = opened_from(params["name"])
    if base is not None:
        return NODE_TYPES[base].family
    families = _inner_families(inner_of(params["graph"]).graph)
    return next((f for f in ("update", "backward", "loss") if f in families), "group")


def _inner_families(inner) -> set[str]:
    """The families of the nodes inside a group (at every depth); "update" for any that commits."""
    out: set[str] = set()
    for n in inner.node_ids:
        t = inner.type_of(n)
        out.add("update" if t.commits else t.family)
        if t.name == "Group":
            out.add(group_family(inner.params(n)))
    return out


def new_box(type_name: str) -> Box:
    """The box a node of this type gets when added with its default parameters (a library group's
    ports are those of the group saved)."""
    return box_for(type_name, NODE_TYPES[type_name].default_params())


def box_for(type_name: str, params: dict) -> Box:
    """The box of a node of this type with these parameters, before it is in a graph."""
    t = NODE_TYPES[type_name]
    return _box_with(t, dict(t.default_params(), **params))


def box(g, node: str) -> Box:
    """A node's box, from its own ports (an Expression's or a Group's depend on its parameters) and
    its caption."""
    return _box_with(g.type_of(node), g.params(node))


def _box_with(t: type[NodeType], params: dict) -> Box:
    """Its own ports, mirrored when it works as a backward node (a group: as what it holds), and
    its caption."""
    names = (tuple(p.name for p in ports) for ports in (t.input_ports(params), t.output_ports(params)))
    return box_of(t, *names, flipped=_acts(t, params) == "backward", caption=_caption(t, params))


def _caption(t: type[NodeType], params: dict) -> str | None:
    """The line a node shows under its pins: an Expression's formula (``out = a * (1 - a)``)."""
    if t.name != "Expression":
        return None
    from ..nodes.expression import formula_of

    return "out = " + formula_of(params["formula"]).canonical


def rect(g, node: str) -> tuple[float, float, float, float]:
    """(x, y, w, h) of a node on the canvas."""
    b = box(g, node)
    x, y = g.attrs(node)["pos"]
    return (x, y, b.w, b.h)


def bounds(g, nodes=None) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) around ``nodes`` (default all); None for no nodes."""
    rects = [rect(g, n) for n in (g.node_ids if nodes is None else nodes)]
    if not rects:
        return None
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[0] + r[2] for r in rects), max(r[1] + r[3] for r in rects))


def overlapping(rects: dict[str, tuple[float, float, float, float]], margin: float = 0.0) -> list[tuple[str, str]]:
    """Pairs of rectangles (x, y, w, h) that overlap (closer than ``margin``)."""
    items = sorted(rects.items(), key=lambda kv: kv[1][0])
    out = []
    for i, (a, (ax, ay, aw, ah)) in enumerate(items):
        for b, (bx, by, bw, bh) in items[i + 1:]:
            if bx >= ax + aw + margin:
                break
            if by < ay + ah + margin and ay < by + bh + margin:
                out.append((a, b))
    return out


# -- Tidy ---------------------------------------------------------------------------------

TOP, PARAMS, FORWARD, DELTAS, UPDATES = range(5)  # bands, top to bottom
BOTTOM_ALIGNED = (TOP, PARAMS)  # these bands hug the forward row from above


class _Roles:
    """What each node is, for the layout (from its type and its wires)."""

    def __init__(self, g):
        self.g = g
        self.t = {n: g.type_of(n) for n in g.node_ids}
        self.acts = {n: acts_as(g, n) for n in g.node_ids}
        self.has_inputs = {n: bool(g.inputs(n)) for n in g.node_ids}
        self.helps: dict[str, str] = {}  # math nodes whose values go only into updates -> an update they feed
        order = g.node_ids.index
        for n in reversed(list(nx.topological_sort(g.nx))):
            after = sorted(g.nx.successors(n), key=order)
            if after and self.acts[n] in ("math", "group") and all(self.is_update(s) for s in after):
                self.helps[n] = self.helps.get(after[0], after[0])

    def is_head(self, n) -> bool:  # the data set (or inside a group, its inputs): the head of the forward chain
        t = self.t[n]
        return (t.family == "data" and t.unique) or t.name == "GroupInput"

    def is_source(self, n) -> bool:  # parameters, constants, learning rates
        return not self.has_inputs[n] and not self.is_head(n)

    def is_update(self, n) -> bool:
        """Updates (and the math of an update rule wired by hand, which goes with them)."""
        return bool(self.t[n].commits) or (self.t[n].name == "Group" and self.acts[n] == "update") or n in self.helps

    def is_backward(self, n) -> bool:
        return self.acts[n] == "backward"

    def is_view(self, n) -> bool:
        """View nodes, and monitors: metrics that watch neither a loss nor the data (placed above
        what they watch rather than with the loss)."""
        t = self.t[n]
        if t.family == "metrics" and not any(self.g.nx.successors(n)):
            return not any(self.acts[p] == "loss" or self.is_head(p) for p in self.g.nx.predecessors(n))
        return t.family == "view"

    def is_chain(self, n) -> bool:  # forward nodes, loss, metrics and the head
        return not (self.is_source(n) or self.is_update(n) or self.is_backward(n) or self.is_view(n))

    def is_metric(self, n) -> bool:
        return self.t[n].family == "metrics"

    def param_of(self, n) -> str | None:
        """The parameter an update writes into (for a group: the first one wired into it)."""
        if n in self.helps:
            return self.param_of(self.helps[n])
        ports = [into for _, into in self.t[n].commits] or [p.name for p in self.g.inputs(n)]
        for into in ports:
            w = self.g.wire_into(n, into)
            if w is not None and (self.t[n].commits or self.t[w.src].writable):
                return w.src
        return None


def _sources(g, n: str) -> list[str]:
    """The nodes wired into ``n``, in the order of its inputs (not of the wires' making, which a
    file does not keep)."""
    wires = (g.wire_into(n, p.name) for p in g.inputs(n))
    return [w.src for w in wires if w is not None]


def _input_rank(g, consumer: str, src: str) -> int:
    """Index of the first input of ``consumer`` wired from ``src`` (so W sits above b)."""
    ports = g.inputs(consumer)
    for k, p in enumerate(ports):
        w = g.wire_into(consumer, p.name)
        if w is not None and w.src == src:
            return k
    return len(ports)


def _chain_columns(g, r: _Roles, block: set[str]) -> dict[str, int]:
    """Columns of the forward chain by longest path (the data counts as column 0 for a network
    stacked under the first, so that twin networks line up); metrics after everything else."""
    col: dict[str, int] = {}
    for n in nx.topological_sort(g.nx):
        if n in block and r.is_chain(n):
            preds = [col[p] if p in col else 0 for p in g.nx.predecessors(n) if p in col or r.is_head(p)]
            col[n] = max(preds, default=-1) + 1
    last = max((c for n, c in col.items() if not r.is_metric(n)), default=0)
    for n in col:
        if r.is_metric(n) and not any(r.is_chain(s) for s in g.nx.successors(n)):
            col[n] = max(col[n], last + 1)
    return col


def _place_columns(g, r: _Roles, block: set[str], chain: dict[str, int]) -> dict[str, tuple[int, int]]:
    """(grid column, band) of every node of a block; a parameter column precedes each chain column
    whose nodes take parameters."""
    first_use: dict[str, int] = {}
    for n in block:
        if r.is_source(n):
            uses = [chain[s] for s in g.nx.successors(n) if s in chain]
            if uses:
                first_use[n] = min(uses)
    needs = sorted(set(first_use.values()))
    grid: dict[int, int] = {}  # chain column -> grid column
    k = 0
    for c in range(max(chain.values(), default=-1) + 1):
        if c in needs:
            k += 1
        grid[c] = k
        k += 1
    place = {n: (grid[c], FORWARD) for n, c in chain.items()}
    place.update({n: (grid[c] - 1, PARAMS) for n, c in first_use.items()})
    _place_backward(g, r, block, place)
    for n in sorted(block, key=g.node_ids.index):
        if n in place:
            continue
        if r.is_update(n):
            p = r.param_of(n)
            place[n] = (place[p][0] if p in place else 0, UPDATES)
        elif r.is_source(n) and any(r.is_update(s) or r.is_backward(s) for s in g.nx.successors(n)):
            place[n] = (0, DELTAS)
    for n in sorted(block, key=g.node_ids.index):
        if n not in place and r.is_view(n):
            src = next((p for p in _sources(g, n) if p in place), None)
            place[n] = (place[src][0] if src else 0, TOP)
    for n in block:
        place.setdefault(n, (0, FORWARD))
    return place


def _place_backward(g, r: _Roles, block: set[str], place: dict) -> None:
    """Deltas under the chain node they take from (the activation), right to left."""
    for n in nx.topological_sort(g.nx):
        if n not in block or not r.is_backward(n):
            continue
        chain = [place[p][0] for p in g.nx.predecessors(n) if p in place and place[p][1] == FORWARD]
        back = [place[p][0] for p in g.nx.predecessors(n) if p in place and place[p][1] == DELTAS]
        col = min(chain) if chain else max(min(back, default=1) - 1, 0)
        place[n] = (col, DELTAS)


def _stack_key(g, r: _Roles, n: str, place: dict):
    """Order within one column and band: parameters by the input they feed (W above b),
    updates like their parameters, the rest as the graph lists them."""
    order = g.node_ids.index
    if r.is_source(n):
        consumers = [s for s in g.nx.successors(n) if s in place and place[s][1] == FORWARD]
        return (min((_input_rank(g, s, n) for s in consumers), default=9), order(n))
    if r.is_update(n) and r.param_of(n) in place:
        p = r.param_of(n)
        return _stack_key(g, r, p, place) + (order(n),)
    return (9, order(n))


def _blocks(g, r: _Roles) -> tuple[list[set[str]], set[str]]:
    """Networks that share only the data: one block each (the data goes with the first); and
    the nodes without any wire."""
    rest = g.nx.subgraph([n for n in g.node_ids if not r.is_head(n)])
    comps = sorted((set(c) for c in nx.weakly_connected_components(rest)), key=lambda c: min(map(g.node_ids.index, c)))
    wired = [c for c in comps if len(c) > 1 or any(g.nx.degree(n) for n in c)]
    loose = set().union(*(c for c in comps if c not in wired))
    heads = {n for n in g.node_ids if r.is_head(n)}
    blocks = wired or ([set()] if heads else [])
    if blocks:
        blocks[0] |= {h for h in heads if g.nx.degree(h)}
        loose |= {h for h in heads if not g.nx.degree(h)}
    return [b for b in blocks if b], loose


def tidy(g) -> dict[str, tuple[float, float]]:
    """New top-left positions of every node (see the module docstring); nothing is changed."""
    r = _Roles(g)
    blocks, loose = _blocks(g, r)
    places = [_place_columns(g, r, b, _chain_columns(g, r, b)) for b in blocks]
    widths: dict[int, float] = {}
    for place in places:
        for n, (c, _) in place.items():  # (the row of views above the chain does not widen a column)
            widths[c] = max(widths.get(c, 0.0), 0.0 if _in_row(r, place, n) else box(g, n).w)
    xs, x = {}, 0.0
    for c in range(max(widths, default=-1) + 1):
        xs[c] = x
        x += widths.get(c, 0.0) + COL_GAP if c in widths else 0.0
    out: dict[str, tuple[float, float]] = {}
    y = 0.0
    for place in places:
        y = _stack_block(g, r, place, xs, widths, y, out) + BLOCK_GAP
    x = 0.0
    for n in sorted(loose, key=g.node_ids.index):
        out[n] = (x, y)
        x += box(g, n).w + COL_GAP
    return out


def _in_row(r: _Roles, place: dict, n: str) -> bool:
    """View nodes go in a row above everything (monitors, small, stay right above what they watch)."""
    return place[n][1] == TOP and r.t[n].family == "view"


def _stack_block(g, r, place, xs, widths, top, out) -> float:
    """The views' row, then each column's nodes stacked band by band; returns the block's bottom."""
    row = sorted((n for n in place if _in_row(r, place, n)), key=lambda n: (place[n][0], _stack_key(g, r, n, place)))
    if row:
        top = _place_row(g, row, place, xs, widths, top, out) + BAND_GAP
    cells: dict[tuple[int, int], list[str]] = {}
    for n in sorted(place, key=lambda n: _stack_key(g, r, n, place)):
        if n not in row:
            cells.setdefault(place[n], []).append(n)
    height = {k: sum(box(g, n).h for n in ns) + ROW_GAP * (len(ns) - 1) for k, ns in cells.items()}
    band_h = {b: max((h for (c, bb), h in height.items() if bb == b), default=None) for b in range(5)}
    y = top
    for band in range(5):
        if band_h[band] is None:
            continue
        for (c, b), nodes in cells.items():
            if b != band:
                continue
            yy = y + (band_h[band] - height[(c, b)] if band in BOTTOM_ALIGNED else 0.0)
            for n in nodes:
                bw = box(g, n).w
                out[n] = (xs[c] + (widths[c] - bw) / 2, yy)
                yy += box(g, n).h + ROW_GAP
        y += band_h[band] + BAND_GAP
    return y - BAND_GAP


def _place_row(g, row: list[str], place: dict, xs: dict, widths: dict, top: float, out: dict) -> float:
    """View nodes in one row from ``top``, bottoms aligned, each as near the middle of its column as
    the others allow, within the columns' span; returns the row's bottom."""
    h = max(box(g, n).h for n in row)
    right = max(xs[c] + w for c, w in widths.items())
    wanted = [xs[place[n][0]] + (widths[place[n][0]] - box(g, n).w) / 2 for n in row]
    for n, x in zip(row, _pack_row(wanted, [box(g, n).w for n in row], right)):
        out[n] = (x, top + h - box(g, n).h)
    return top + h


def _pack_row(wanted: list[float], widths: list[float], right: float) -> list[float]:
    """Left edges for boxes in a row, in order, ``COL_GAP`` apart: each as near its ``wanted`` edge as
    the others allow, the row kept left of ``right`` (and right of 0) where it fits."""
    x: list[float] = []
    for want, w in zip(wanted, widths):
        x.append(want if not x else max(want, x[-1] + widths[len(x) - 1] + COL_GAP))
    if x and x[-1] + widths[-1] > right:  # pushed out on the right: pack back from there
        x[-1] = right - widths[-1]
        for i in range(len(x) - 2, -1, -1):
            x[i] = min(x[i], x[i + 1] - COL_GAP - widths[i])
    shift = max(0.0, -x[0]) if x else 0.0
    return [v + shift for v in x]


def apply(g) -> None:
    """Move every node where ``tidy`` puts it, as one undoable edit."""
    with g.group("tidy the layout"):
        for n, pos in tidy(g).items():
            g.move(n, pos)
