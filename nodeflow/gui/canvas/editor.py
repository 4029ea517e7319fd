"""The canvas: the graph drawn with dearpygui's drawing API, zoomable, following the graph.

One drawlist holds a transformed root (the view: pan and zoom) with layers for wires,
nodes, wire labels, pulses and the gesture overlay; the minimap sits on top in pixels.
The canvas keeps only maps from graph ids to drawn items and follows the change events
of the graph shown (the document, or the inside of a group opened, with the path back
drawn at the top); ``frame`` (called once per frame by the window, on the frame loop's thread) reads
the mouse, applies a changed view, shows changed values and moves the pulses.
"""
from __future__ import annotations

import time
from typing import Callable

import dearpygui.dearpygui as dpg
import numpy as np

from ...document import layout
from ...document.graph import Graph, Link
from ..controller import Controller
from . import geometry, style
from .crumbs import Crumbs
from .dots import Dots
from .interact import Hit, Interaction
from .minimap import Minimap
from .overlay import Overlay
from .pulses import PULSE_SECONDS, Evaluations, Pulses
from .scene import Look, NodeItem, WireItem
from .values import ValueShower
from .view import View

Point = tuple[float, float]


class Canvas:
    """The drawn graph, its view, selection and gestures."""

    def __init__(self, ctrl: Controller, parent: int | str, textures: int | str):
        self.ctrl, self.parent, self.textures = ctrl, parent, textures
        self.view = View()
        self.drawlist = dpg.add_drawlist(800, 600, parent=parent)
        self.bg = dpg.draw_rectangle((0, 0), (800, 600), color=(0, 0, 0, 0), fill=style.BACKGROUND,
                                     parent=self.drawlist)
        self.root = dpg.add_draw_node(parent=self.drawlist)
        self.grid = self._grid()
        self.wire_layer = dpg.add_draw_node(parent=self.root)
        self.node_layer = dpg.add_draw_node(parent=self.root)
        self.label_layer = dpg.add_draw_node(parent=self.root)
        self.pulse_layer = dpg.add_draw_node(parent=self.root)
        self.overlay = Overlay(self.root)
        self.minimap = Minimap(self.drawlist)
        self.crumbs = Crumbs(self.drawlist)
        self.nodes: dict[str, NodeItem] = {}
        self.wires: dict[Link, WireItem] = {}
        self.selected_nodes: list[str] = []
        self.selected_links: list[Link] = []
        self.input = Interaction(self)
        self.pulses, self.evaluations = Pulses(), Evaluations()
        self.values = ValueShower(self)
        self.on_quick_add: Callable[[Point, Point], None] | None = None
        self.dots = Dots(self.pulse_layer)
        self._seen = {"view": -1, "zoom": None, "size": None, "minimap": None, "labels": None, "label layout": None}
        self._label_room: dict[Link, float] = {}  # the width each label was placed with
        self.layout_version = 0  # bumped when nodes or wires are added, removed or moved
        self._pending_view = True  # fit (or restore the file's view) once the canvas has a size
        self._probe_seen = None  # the probe whose pulses were sent
        self._unsubscribe: Callable[[], None] | None = None
        self._path: tuple[str, ...] = ()  # the groups opened, outermost first
        self._views: dict[tuple[str, ...], tuple[float, Point]] = {}  # each level's view when it was left
        self._sources: tuple = (None, {})  # (key, {node of the run: wires whose value it computes})
        ctrl.on_replace(self._replaced)
        ctrl.on_level(self._level)
        self.rebuild(ctrl.graph)

    @property
    def graph(self) -> Graph:
        """The graph shown: the document, or the inside of the group opened."""
        return self.ctrl.shown

    def _grid(self) -> int:
        """Faint lines every ``style.GRID_STEP`` canvas units (drawn once: the view's transform moves
        them; hidden when zoomed far out, where they would only be noise)."""
        grid = dpg.add_draw_node(parent=self.root)
        step, reach = style.GRID_STEP, style.GRID_REACH
        k = int(reach // step)
        for i in range(-k, k + 1):
            dpg.draw_line((i * step, -reach), (i * step, reach), color=style.GRID, parent=grid)
            dpg.draw_line((-reach, i * step), (reach, i * step), color=style.GRID, parent=grid)
        return grid

    # -- building ------------------------------------------------------------------------
    def _replaced(self, graph: Graph) -> None:
        """Another file or a new graph: its own view (fitted unless the file stores one)."""
        self._path, self._views = (), {}
        self.rebuild(graph)

    def _level(self, graph: Graph, how: str) -> None:
        """A group opened ("enter") or left ("leave"): the view that level had, or fitted the first
        time; an inside opened again from the document ("sync"): the same view and selection."""
        if how == "sync" and self.ctrl.levels.path() == self._path:
            selected = self.selection()
            self.rebuild(graph, keep_view=True)
            self.select(*selected)
            return
        self._views[self._path] = (self.view.zoom, self.view.center)
        self._path = self.ctrl.levels.path()
        self.rebuild(graph)

    def crumb_labels(self) -> list[str]:
        """The path from the document to the group shown: the file's name, then each group's label."""
        c = self.ctrl
        out = [c.path.name if c.path else "graph"]
        for depth, node in enumerate(c.levels.path()):
            out.append(c.levels.graph_at(c.graph, depth).attrs(node)["label"])
        return out

    def rebuild(self, graph: Graph, keep_view: bool = False) -> None:
        """Forget every item and draw ``graph`` afresh (after open / new, or on entering a group);
        fit or restore its view unless ``keep_view``."""
        if self._unsubscribe:
            self._unsubscribe()
        for link in list(self.wires):
            self._drop_wire(link)
        for node in list(self.nodes):
            self._drop_node(node)
        self.selected_nodes, self.selected_links = [], []
        self.pulses.clear()
        self.input.cancel()
        for n in graph.node_ids:
            self._add_node(n)
        for link in graph.links():
            self._add_wire(link)
        self._unsubscribe = graph.subscribe(self._on_graph_event)
        self._pending_view = self._pending_view or not keep_view
        self.values.forget()
        self.crumbs.show(self.crumb_labels() if self._path else [])

    def _on_graph_event(self, kind: str, **d) -> None:
        node = d.get("node")
        if kind == "node_added":
            self._add_node(node)
        elif kind == "node_removed":
            self._drop_node(node)
        elif kind == "link_added":
            self._add_wire(d["link"])
        elif kind == "link_removed":
            self._drop_wire(d["link"])
        elif kind == "node_moved" and node in self.nodes:
            self.move_live({node: self.graph.attrs(node)["pos"]})
        elif kind == "label_changed" and node in self.nodes:
            self.nodes[node].set_label(self.graph.attrs(node)["label"], self.view.zoom)
        elif kind == "param_changed" and node in self.nodes:
            self._redraw_if_new_look(node)
        self.values.forget()

    def _add_node(self, node: str) -> None:
        a = self.graph.attrs(node)
        item = NodeItem(self.node_layer, self.textures, node, Look.of(self.graph, node), a["label"], a["pos"])
        item.zoomed(self.view.zoom)
        self.nodes[node] = item
        self.layout_version += 1

    def _redraw_if_new_look(self, node: str) -> None:
        """A parameter changed the node's ports or box (a formula, a group's inside): draw it again,
        with its wires, keeping it selected."""
        if Look.of(self.graph, node) == self.nodes[node].spec:
            return
        selected = node in self.selected_nodes
        self._drop_node(node)
        self._add_node(node)
        for link in self.graph.links_of(node):
            self._add_wire(link)
        if selected:
            self.selected_nodes.append(node)

    def _drop_node(self, node: str) -> None:
        item = self.nodes.pop(node, None)
        if item is None:
            return
        for link in [l for l in self.wires if node in (l.src, l.dst)]:
            self._drop_wire(link)
        item.delete()
        self.values.drop(node)
        if node in self.selected_nodes:
            self.selected_nodes.remove(node)
        self.layout_version += 1

    def _add_wire(self, link: Link) -> None:
        if link in self.wires or link.src not in self.nodes or link.dst not in self.nodes:
            return
        self.wires[link] = WireItem(self.wire_layer, self.label_layer, link)
        self._place_wire(link)
        self.wires[link].zoomed(self.view.zoom)
        self.layout_version += 1

    def _drop_wire(self, link: Link) -> None:
        item = self.wires.pop(link, None)
        if item is not None:
            item.delete()
            if link in self.selected_links:
                self.selected_links.remove(link)
            self.layout_version += 1

    def _place_wire(self, link: Link) -> None:
        a, a_side = self.nodes[link.src].pin_at(link.src_port, "out")
        b, b_side = self.nodes[link.dst].pin_at(link.dst_port, "in")
        self.wires[link].place(a, a_side, b, b_side, self.view.zoom)

    # -- moving ----------------------------------------------------------------------------
    def move_live(self, positions: dict[str, Point]) -> None:
        """Draw nodes at ``positions`` (during a drag; the graph is told on release)."""
        for n, pos in positions.items():
            if n in self.nodes:
                self.nodes[n].place(pos)
                self.nodes[n].zoomed(self.view.zoom)
        for link in self.wires:
            if link.src in positions or link.dst in positions:
                self._place_wire(link)
        self.layout_version += 1

    def commit_moves(self, nodes: list[str]) -> bool:
        """After a drag: record where the nodes now are (one undo step), or put them back if refused."""
        moved = self.ctrl.move_nodes({n: self.nodes[n].pos for n in nodes if n in self.nodes})
        if not moved:
            self.move_live({n: self.graph.attrs(n)["pos"] for n in nodes if n in self.graph})
        return moved

    # -- the view ----------------------------------------------------------------------------
    def fit(self) -> None:
        """Show the whole graph (at most at 100 %), below the path back when inside a group."""
        bounds = layout.bounds(self.graph) if self.nodes else None
        self.view.fit(bounds)
        crumbs = self.crumbs.rect()
        if bounds is not None and crumbs is not None:  # room above for the path (at the zoom just found)
            pad = (crumbs[1] + crumbs[3]) / self.view.zoom
            self.view.fit((bounds[0], bounds[1] - pad, bounds[2], bounds[3] + pad))

    def actual_size(self) -> None:
        """100 %, about the middle of the canvas."""
        self.view.look_at(1.0, self.view.center)

    def look_at(self, center: Point) -> None:
        self.view.look_at(self.view.zoom, center)

    def store_view(self) -> None:
        """Put the view of the document's level into the document (it is saved with the file)."""
        zoom, center = self._views[()] if self._path else (self.view.zoom, self.view.center)
        self.ctrl.graph.set_view(round(zoom, 4), center)

    def _restore_view(self) -> None:
        v = self._views.get(self._path) if self._path else self.ctrl.graph.view
        if v is not None:
            self.view.look_at(*v)
        else:
            self.fit()

    def _track_size(self) -> None:
        size = tuple(dpg.get_item_rect_size(self.parent))
        if size[0] < 20 or size[1] < 20:
            return
        if size != self._seen["size"]:
            self._seen["size"] = size
            dpg.configure_item(self.drawlist, width=int(size[0]), height=int(size[1]))
            dpg.configure_item(self.bg, pmax=size)
            self.view.resize((float(size[0]), float(size[1])))
            self.crumbs.resize((float(size[0]), float(size[1])))
        if self._pending_view:
            self._pending_view = False
            self._restore_view()

    def _apply_view(self) -> None:
        v = self.view
        if v.version == self._seen["view"]:
            return
        self._seen["view"] = v.version
        dpg.apply_transform(self.root, dpg.create_translation_matrix(list(v.offset))
                            * dpg.create_scale_matrix([v.zoom, v.zoom, 1.0]))
        detail, was = v.zoom >= style.DETAIL_ZOOM, (self._seen["zoom"] or 0.0) >= style.DETAIL_ZOOM
        if detail != was:
            self.values.zoomed()
        gridded = v.zoom >= style.GRID_ZOOM
        if gridded != ((self._seen["zoom"] or 0.0) >= style.GRID_ZOOM) or self._seen["zoom"] is None:
            dpg.configure_item(self.grid, show=gridded)  # the level of detail changed: compact pictures are wanted, or not
        self._seen["zoom"] = v.zoom
        self._zoom_visible()

    def in_view(self) -> tuple[float, float, float, float]:
        """The visible part of the canvas with a margin (x0, y0, x1, y1): what lies outside is brought
        up to date (text sizes, values) only when it comes into view."""
        x0, y0, x1, y1 = self.view.visible()
        m = 200.0 / self.view.zoom
        return (x0 - m, y0 - m, x1 + m, y1 + m)

    def _zoom_visible(self) -> None:
        """Bring what is in view to the current zoom and values; what is not waits until it is
        (so zooming in on a big graph resizes only the text on screen)."""
        z = self.view.zoom
        box = self.in_view()
        for item in self.nodes.values():
            if (item.zoom != z or item.pending) and geometry.overlaps(item.rect(), box):
                item.zoomed(z)
                item.catch_up()
        for w in self.wires.values():
            if (w.zoom != z or w.stale) and w.within(box):
                w.zoomed(z)
        if self.values.views.in_view_now(box):  # a view node's picture waited for it
            self.values.pictures_due = True

    # -- each frame ------------------------------------------------------------------------
    def frame(self, now: float | None = None) -> None:
        """Everything the canvas does in a frame; each part only when its inputs changed."""
        now = time.perf_counter() if now is None else now
        self._track_size()
        if not self._pending_view:
            self.input.poll()
        self._apply_view()
        self.values.refresh(now)
        self._place_labels()
        self._emit_pulses(now)
        self._probe_pulses(now)
        self._draw_pulses(now)
        self._update_minimap()

    @property
    def animating(self) -> bool:
        """True while something moves by itself (a pulse, a gesture): keep drawing frames."""
        return self.pulses.busy or self.input.busy or self._pending_view

    def _emit_pulses(self, now: float) -> None:
        c = self.ctrl
        run = self.values.run
        steps = self.evaluations.since(run)
        if not steps or not c.animate:
            return
        unit = 1.0 / max(c.speed, 1e-6) if c.running else PULSE_SECONDS
        span = unit * len(steps) if c.running and c.speed_unit == "nodes" else (
            min(0.6, unit) if len(steps) > 1 else unit)
        outs = self.wire_sources(run)
        self.pulses.emit([(outs.get(s.node, []), s.phase) for s in steps], now, span)

    def _probe_pulses(self, now: float) -> None:
        """A new probe: pulses carry its input forward, node by node, to the output and the views."""
        p = self.ctrl.probing
        if p is self._probe_seen:
            return
        self._probe_seen = p
        if p is None or not self.ctrl.animate:
            return
        shown = self.ctrl.shown_id
        reached = {shown(n) for n in p.evaluated} | {n for n in self.nodes if self.graph.type_of(n).family == "view"}

        def carries(w: Link) -> bool:  # a wire of the probe's forward pass, into a node it reaches
            return w.dst in reached and self.ctrl.probe_port(w.src, w.src_port) is not None

        outs = self.wire_sources(p.run)
        steps = [([w for w in outs.get(n, ()) if carries(w)], "forward") for n in p.evaluated]
        steps = [s for s in steps if s[0]]
        self.pulses.emit(steps, now, min(2.0, 0.25 * len(steps)))

    def wire_sources(self, run) -> dict[str, list[Link]]:
        """The wires shown whose value each node of the run computes (a group's output wires under
        the inner node that gives it; inside a group, its input's wires under the node outside)."""
        key = (self.layout_version, id(run.plan), self._path)
        if self._sources[0] != key:
            outs: dict[str, list[Link]] = {}
            for link in self.wires:
                fp = self.ctrl.flat_port(link.src, link.src_port)
                if fp is not None:
                    outs.setdefault(run.plan.source(*fp)[0], []).append(link)
            self._sources = (key, outs)
        return self._sources[1]

    def _draw_pulses(self, now: float) -> None:
        if self.pulses.busy or self.dots.of:
            self.dots.draw(self.pulses.at(now), self.wires, self.view.visible())

    def _place_labels(self) -> None:
        """Put each wire's label where it covers no node and no other label (longest wires first).
        Each label gets some room to spare, so that placing again is needed only when the layout or
        the zoom changes or a value outgrows its room."""
        zoom = self.view.zoom
        first = (self.layout_version, zoom, self.values.version)
        if first == self._seen["labels"]:
            return
        self._seen["labels"] = first
        sizes = {link: w.label_size(zoom) for link, w in self.wires.items()}
        layout_key = (self.layout_version, zoom if zoom < style.DETAIL_ZOOM else None)
        room = self._label_room
        if layout_key == self._seen["label layout"] and all(
                s is None or s[0] <= room.get(link, -1.0) for link, s in sizes.items()):
            return
        self._seen["label layout"] = layout_key
        self._label_room = room = {link: (s[0] // 16 + 2) * 16 for link, s in sizes.items() if s is not None}
        obstacles = [(x - 3, y - 3, x + w + 3, y + h + 3) for x, y, w, h in (i.rect() for i in self.nodes.values())]
        order = sorted(room, key=lambda l: -self.wires[l].length)
        placed = geometry.place_labels([(link, self.wires[link].spots, room[link], sizes[link][1]) for link in order],
                                       obstacles)
        for link, w in self.wires.items():
            w.put_label(placed.get(link), zoom)

    def _update_minimap(self) -> None:
        key = (self.view.version, self.layout_version)
        if key == self._seen["minimap"]:
            return
        self._seen["minimap"] = key
        rects = {n: (item.rect(), item.family) for n, item in self.nodes.items()}
        screen = [self.to_pixels_rect(r) for r, _ in rects.values()] + [r for r in [self.crumbs.rect()] if r]
        x0 = [r[0] for r, _ in rects.values()]
        bounds = None if not rects else (min(x0), min(r[1] for r, _ in rects.values()),
                                         max(r[0] + r[2] for r, _ in rects.values()),
                                         max(r[1] + r[3] for r, _ in rects.values()))
        self.minimap.update(bounds, rects, screen, self.view, held=self.input.mode == "minimap")

    # -- where things are ------------------------------------------------------------------
    def origin(self) -> Point:
        """The canvas's top-left corner in window pixels."""
        x, y = dpg.get_item_rect_min(self.drawlist)
        return (float(x), float(y))

    def local_mouse(self) -> Point:
        mx, my = dpg.get_mouse_pos(local=False)
        ox, oy = self.origin()
        return (mx - ox, my - oy)

    def hovered(self) -> bool:
        return bool(dpg.is_item_hovered(self.drawlist))

    def to_pixels_rect(self, r) -> tuple[float, float, float, float]:
        """A canvas-unit rect (x, y, w, h) in pixels of the canvas."""
        x, y = self.view.to_screen((r[0], r[1]))
        return (x, y, r[2] * self.view.zoom, r[3] * self.view.zoom)

    def rect_in_window(self) -> tuple[float, float, float, float]:
        ox, oy = self.origin()
        return (ox, oy, self.view.size[0], self.view.size[1])

    def screen_rect(self, node: str) -> tuple[float, float, float, float]:
        """A node's rectangle in window pixels."""
        x, y, w, h = self.to_pixels_rect(self.nodes[node].rect())
        ox, oy = self.origin()
        return (ox + x, oy + y, w, h)

    def to_window(self, p: Point) -> Point:
        """A canvas point in window pixels."""
        x, y = self.view.to_screen(p)
        ox, oy = self.origin()
        return (ox + x, oy + y)

    def canvas_point(self, window_xy: Point) -> Point:
        """The canvas point under a window pixel."""
        ox, oy = self.origin()
        return self.view.to_canvas((window_xy[0] - ox, window_xy[1] - oy))

    def pin_screen_pos(self, node: str, port: str, direction: str) -> Point:
        return self.to_window(self.nodes[node].pin_at(port, direction)[0])

    def wire_screen_point(self, link: Link) -> Point:
        return self.to_window(self.wires[link].mid)

    def pin_point(self, hit: Hit):
        return self.nodes[hit.node].pin_at(hit.port, hit.direction)

    # -- hit testing -----------------------------------------------------------------------
    def hit(self, p: Point, pin_slack: float = 1.0) -> Hit:
        """The pin, node or wire at canvas point ``p`` (topmost first)."""
        z = self.view.zoom
        reach = max(9.0, 8.0 / z) * pin_slack
        best = None
        for node in reversed(list(self.nodes)):
            item = self.nodes[node]
            if not geometry.inside(p, item.rect(), reach):
                continue
            for (port, direction) in item.pins:
                (x, y), _ = item.pin_at(port, direction)
                d = ((x - p[0]) ** 2 + (y - p[1]) ** 2) ** 0.5
                if d <= reach and (best is None or d < best[0]):
                    best = (d, Hit("pin", node, port, direction))
            if best is None and geometry.inside(p, item.rect()):
                return Hit("node", node)
        if best is not None:
            return best[1]
        near = [(geometry.distance(p, w.line), link) for link, w in self.wires.items()]
        d, link = min(near, default=(None, None), key=lambda t: t[0])
        if d is not None and d <= 6.0 / z:
            return Hit("wire", link=link)
        return Hit("none")

    def free_pin(self, node: str, direction: str) -> Hit:
        """The first input without a wire (or the first output) of a node a wire was dropped on."""
        ports = self.graph.inputs(node) if direction == "in" else self.graph.outputs(node)
        for p in ports:
            if direction == "out" or self.graph.wire_into(node, p.name) is None:
                return Hit("pin", node, p.name, direction)
        return Hit("node", node)

    # -- selection and editing ---------------------------------------------------------------
    def selection(self) -> tuple[list[str], list[Link]]:
        return list(self.selected_nodes), list(self.selected_links)

    def select(self, nodes, links) -> None:
        self.selected_nodes = [n for n in nodes if n in self.nodes]
        self.selected_links = [l for l in links if l in self.wires]
        self.values.forget_looks()

    def toggle(self, node: str) -> None:
        nodes = [n for n in self.selected_nodes if n != node]
        self.select(nodes + ([node] if node not in self.selected_nodes else []), [])

    def select_box(self, a: Point, b: Point, add: bool = False) -> None:
        box = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
        inside = [n for n, item in self.nodes.items() if geometry.overlaps(item.rect(), box)]
        self.select((self.selected_nodes if add else []) + [n for n in inside if not add or n not in self.selected_nodes],
                    [])

    def delete_selection(self) -> bool:
        nodes, links = self.selection()
        ok = self.ctrl.delete(nodes, links)
        if ok:
            self.select([], [])
        return ok

    def cut(self, a: Point, b: Point) -> bool:
        """Remove every wire the line from ``a`` to ``b`` crosses (one undo step)."""
        cut = [link for link, w in self.wires.items() if geometry.crosses(a, b, w.line)]
        if not cut:
            return False
        return self.ctrl.delete([], cut)

    def quick_add(self, px: Point, at: Point) -> None:
        if self.on_quick_add is not None:
            ox, oy = self.origin()
            self.on_quick_add((ox + px[0], oy + px[1]), at)

    def spot_for(self, type_name: str, near: Point | None = None) -> Point:
        """Where a new node goes: the free place nearest ``near`` (default: the middle of the view),
        so that it appears in view and on top of nothing."""
        b = layout.new_box(type_name)
        cx, cy = near or self.view.center
        x0, y0, x1, y1 = self.view.visible()
        rects = [item.rect() for item in self.nodes.values()]
        step = 30.0
        for ring in range(0, 40):
            for k in range(max(1, 8 * ring)):
                ang = 2 * np.pi * k / max(1, 8 * ring)
                x = cx - b.w / 2 + ring * step * np.cos(ang)
                y = cy - b.h / 2 + ring * step * np.sin(ang)
                r = (x, y, b.w, b.h)
                if near is None and not (x0 <= x and y0 <= y and x + b.w <= x1 and y + b.h <= y1):
                    continue
                if not any(geometry.overlaps(r, (q[0] - 12, q[1] - 12, q[0] + q[2] + 12, q[1] + q[3] + 12))
                           for q in rects):
                    return (round(x), round(y))
        return (round(cx - b.w / 2), round(cy - b.h / 2))
