"""The node canvas: one dearpygui node per graph node, pins per port, links per wire.

The canvas follows the graph through its change events (so undo and redo need no
special care) and keeps only maps from widget ids to node ids, ports and links. Each
frame ``refresh`` writes the values on the output pins, colours the wires, highlights
the node being evaluated and draws the pictures of view nodes.
"""
from __future__ import annotations

from typing import Callable

import dearpygui.dearpygui as dpg
import numpy as np

from ..errors import NotReady
from ..document.graph import Graph, Link
from ..views import ViewContext, picture
from . import wires
from .controller import Controller

PIN_IN, PIN_OUT = "in", "out"
# Canvas units -> editor pixels. Files keep the builders' compact layout; nodes showing
# their values are taller than that layout assumes, so the editor spreads rows apart.
SCALE = (1.2, 1.6)
MARGIN = (20.0, 20.0)  # where the top-left node appears when a graph is opened
OPTIONAL_PIN = (150, 150, 160, 255)
Pin = tuple[str, str, str]  # (node, port, in|out)


class Themes:
    """Shared node themes (family title bars, phase highlights, red) and per-link themes."""

    def __init__(self) -> None:
        self.family = {f: self._node_theme(c) for f, c in wires.FAMILY_COLOURS.items()}
        self.phase = {p: self._node_theme(tuple(int(v * 0.75) for v in c[:3]) + (255,), outline=c)
                      for p, c in wires.PHASE_COLOURS.items()}
        self.bad = self._node_theme((170, 30, 30, 255), outline=wires.BAD_COLOUR)
        # nodes still to be evaluated in a half-done sample: dim, their values are the last sample's
        self.pending = {f: self._node_theme(tuple(int(v * 0.45) for v in c[:3]) + (255,), text=(150, 150, 150, 255))
                        for f, c in wires.FAMILY_COLOURS.items()}

    @staticmethod
    def _node_theme(colour, outline=None, text=None) -> int:
        hover = tuple(min(255, int(v * 1.2)) for v in colour[:3]) + (255,)
        with dpg.theme() as theme:
            with dpg.theme_component(dpg.mvAll):
                if text is not None:
                    dpg.add_theme_color(dpg.mvThemeCol_Text, text)
                dpg.add_theme_color(dpg.mvNodeCol_TitleBar, colour, category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_color(dpg.mvNodeCol_TitleBarHovered, hover, category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_color(dpg.mvNodeCol_TitleBarSelected, hover, category=dpg.mvThemeCat_Nodes)
                if outline is not None:
                    dpg.add_theme_color(dpg.mvNodeCol_NodeOutline, outline, category=dpg.mvThemeCat_Nodes)
                    dpg.add_theme_style(dpg.mvNodeStyleVar_NodeBorderThickness, 3.0, category=dpg.mvThemeCat_Nodes)
        return theme

    @staticmethod
    def link_theme(colour) -> tuple[int, int]:
        """A theme of its own for one link; returns (theme, colour item) so the colour can change."""
        with dpg.theme() as theme:
            with dpg.theme_component(dpg.mvAll):
                item = dpg.add_theme_color(dpg.mvNodeCol_Link, colour, category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_color(dpg.mvNodeCol_LinkHovered, (255, 255, 255, 255), category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_color(dpg.mvNodeCol_LinkSelected, (255, 255, 160, 255), category=dpg.mvThemeCat_Nodes)
        return theme, item


class NodeWidgets:
    """The widget ids of one node (all maps: the facts stay in the graph)."""

    def __init__(self, item: int):
        self.item = item
        self.pins: dict[tuple[str, str], int] = {}  # (port, in|out) -> attribute
        self.values: dict[str, int] = {}  # output port -> text showing its value
        self.extra: int | None = None  # text: gradient badge / profile time
        self.watch: int | None = None  # Watch node: the value as text
        self.image: int | None = None  # HeatMap / UnitImages: image item
        self.texture: int | None = None
        self.texture_size: tuple[int, int] | None = None
        self.note: int | None = None  # why a picture node shows nothing
        self.drawn = None  # what the picture shows: (value bytes, params)
        self.theme: int | None = None


class Canvas:
    """The node editor widget and its maps to the graph."""

    def __init__(self, ctrl: Controller, parent: int | str, textures: int, height: int = -1):
        self.ctrl = ctrl
        self.textures = textures
        self.parent = parent
        self.themes = Themes()
        self.nodes: dict[str, NodeWidgets] = {}
        self.item_node: dict[int, str] = {}
        self.pin_of: dict[int, Pin] = {}
        self.links: dict[Link, int] = {}
        self.item_link: dict[int, Link] = {}
        self.wired: dict[tuple[str, str], int] = {}  # output port -> how many wires leave it
        self.link_colour: dict[Link, tuple[int, tuple, int]] = {}  # link -> (colour item, colour shown, theme)
        self.text_cache: dict[int, str] = {}
        self._shown = None  # what the last refresh drew: see refresh()
        self._views: tuple = (None, {})  # (run, {(node, port): view of its memory})
        self._port_cache: dict[tuple[str, str], tuple] = {}  # (node, port) -> (bytes, text item, colour)
        self._unsubscribe: Callable[[], None] | None = None
        self.origin = MARGIN  # editor pixel of canvas (0, 0); set so a graph opens in view
        self.editor = dpg.add_node_editor(parent=parent, callback=self._on_link, delink_callback=self._on_delink,
                                          minimap=True, minimap_location=dpg.mvNodeMiniMap_Location_BottomRight,
                                          height=height)
        ctrl.on_replace(self.rebuild)
        self.rebuild(ctrl.graph)

    @property
    def graph(self) -> Graph:
        return self.ctrl.graph

    def to_screen(self, pos) -> list[int]:
        """Editor position of a node at canvas position ``pos``."""
        return [round(pos[0] * SCALE[0] + self.origin[0]), round(pos[1] * SCALE[1] + self.origin[1])]

    def to_canvas(self, xy) -> tuple[float, float]:
        """Canvas position of a node shown at editor position ``xy`` (inverse of to_screen)."""
        return (round((xy[0] - self.origin[0]) / SCALE[0], 1), round((xy[1] - self.origin[1]) / SCALE[1], 1))

    # -- building ----------------------------------------------------------------------
    def rebuild(self, graph: Graph) -> None:
        """Forget every widget and draw ``graph`` afresh (after open / new)."""
        if self._unsubscribe:
            self._unsubscribe()
        for link in list(self.links):
            self._drop_link(link)
        for node in list(self.nodes):
            self._drop_node(node)
        pos = [graph.attrs(n)["pos"] for n in graph.node_ids]
        self.origin = (round(MARGIN[0] - min((p[0] for p in pos), default=0.0) * SCALE[0]),
                       round(MARGIN[1] - min((p[1] for p in pos), default=0.0) * SCALE[1]))
        for n in graph.node_ids:
            self._add_node(n)
        for l in graph.links():
            self._add_link(l)
        self._unsubscribe = graph.subscribe(self._on_graph_event)
        self._shown = None

    def _on_graph_event(self, kind: str, **d) -> None:
        if kind == "node_added":
            self._add_node(d["node"])
        elif kind == "node_removed":
            self._drop_node(d["node"])
        elif kind == "link_added":
            self._add_link(d["link"])
        elif kind == "link_removed":
            self._drop_link(d["link"])
        elif kind == "node_moved" and d["node"] in self.nodes:
            pos = self.graph.attrs(d["node"])["pos"]
            dpg.set_item_pos(self.nodes[d["node"]].item, self.to_screen(pos))
        elif kind == "label_changed" and d["node"] in self.nodes:
            dpg.configure_item(self.nodes[d["node"]].item, label=self.graph.attrs(d["node"])["label"])
        self._shown = None

    def _add_node(self, node: str) -> None:
        g = self.graph
        t = g.type_of(node)
        a = g.attrs(node)
        with dpg.node(label=a["label"], parent=self.editor, pos=self.to_screen(a["pos"])) as item:
            w = NodeWidgets(item)
            for p in t.inputs:
                with dpg.node_attribute(attribute_type=dpg.mvNode_Attr_Input) as pin:
                    dpg.add_text(p.name, color=OPTIONAL_PIN if p.optional else (-255, 0, 0, 255))
                    if p.doc:
                        with dpg.tooltip(dpg.last_item()):
                            dpg.add_text(f"{p.name}: {p.doc}")
                w.pins[(p.name, PIN_IN)] = pin
                self.pin_of[pin] = (node, p.name, PIN_IN)
            for p in t.outputs:
                with dpg.node_attribute(attribute_type=dpg.mvNode_Attr_Output) as pin:
                    w.values[p.name] = dpg.add_text(f"{p.name}  -")
                    if p.doc:
                        with dpg.tooltip(w.values[p.name]):
                            dpg.add_text(f"{p.name}: {p.doc}")
                w.pins[(p.name, PIN_OUT)] = pin
                self.pin_of[pin] = (node, p.name, PIN_OUT)
            with dpg.node_attribute(attribute_type=dpg.mvNode_Attr_Static):
                w.extra = dpg.add_text("", show=False)
                if t.name == "Watch":
                    w.watch = dpg.add_text("-")
                elif t.name in ("HeatMap", "UnitImages"):
                    w.note = dpg.add_text("wire a value in", color=OPTIONAL_PIN)
                    w.image = dpg.add_group()
        self.nodes[node] = w
        self.item_node[item] = node
        self._set_node_theme(w, self.themes.family.get(t.family, self.themes.family["view"]))

    def _drop_node(self, node: str) -> None:
        w = self.nodes.pop(node, None)
        if w is None:
            return
        for l in [l for l in self.links if node in (l.src, l.dst)]:
            self._drop_link(l)
        for pin in w.pins.values():
            self.pin_of.pop(pin, None)
            self.text_cache.pop(pin, None)
        for t in list(w.values.values()) + [w.extra, w.watch]:
            self.text_cache.pop(t, None)
        self.item_node.pop(w.item, None)
        dpg.delete_item(w.item)
        if w.texture is not None:
            dpg.delete_item(w.texture)

    def _add_link(self, link: Link) -> None:
        if link in self.links or link.src not in self.nodes or link.dst not in self.nodes:
            return
        a = self.nodes[link.src].pins.get((link.src_port, PIN_OUT))
        b = self.nodes[link.dst].pins.get((link.dst_port, PIN_IN))
        if a is None or b is None:
            return
        item = dpg.add_node_link(a, b, parent=self.editor)
        colour = wires.IDLE_WIRE
        theme, colour_item = Themes.link_theme(colour)
        dpg.bind_item_theme(item, theme)
        self.links[link] = item
        self.item_link[item] = link
        self.wired[(link.src, link.src_port)] = self.wired.get((link.src, link.src_port), 0) + 1
        self.link_colour[link] = (colour_item, colour, theme)

    def _drop_link(self, link: Link) -> None:
        item = self.links.pop(link, None)
        if item is None:
            return
        self.item_link.pop(item, None)
        src = (link.src, link.src_port)
        self.wired[src] -= 1
        if not self.wired[src]:
            del self.wired[src]
        _, _, theme = self.link_colour.pop(link)
        if dpg.does_item_exist(item):
            dpg.delete_item(item)
        dpg.delete_item(theme)

    def _set_node_theme(self, w: NodeWidgets, theme: int) -> None:
        if w.theme != theme:
            dpg.bind_item_theme(w.item, theme)
            w.theme = theme

    # -- user actions on the editor ----------------------------------------------------
    def _on_link(self, sender, app_data) -> None:
        a, b = (self._item_id(x) for x in app_data)
        pa, pb = self.pin_of.get(a), self.pin_of.get(b)
        if pa is None or pb is None:
            return
        if pa[2] == PIN_IN:  # dragged from an input to an output
            pa, pb = pb, pa
        self.ctrl.connect(pa[0], pa[1], pb[0], pb[1])  # the graph's event draws the link

    def _on_delink(self, sender, app_data) -> None:
        link = self.item_link.get(self._item_id(app_data))
        if link is not None:
            self.ctrl.disconnect(link)

    @staticmethod
    def _item_id(x) -> int:
        return x if isinstance(x, int) else dpg.get_alias_id(x)

    def selection(self) -> tuple[list[str], list[Link]]:
        nodes = [self.item_node[i] for i in dpg.get_selected_nodes(self.editor) if i in self.item_node]
        links = [self.item_link[i] for i in dpg.get_selected_links(self.editor) if i in self.item_link]
        return nodes, links

    def delete_selection(self) -> bool:
        nodes, links = self.selection()
        ok = self.ctrl.delete(nodes, links)
        if ok:
            dpg.clear_selected_nodes(self.editor)
            dpg.clear_selected_links(self.editor)
        return ok

    def record_moves(self) -> bool:
        """After a mouse release: nodes whose widget moved are moved in the graph (undoable)."""
        moved = {}
        for node, w in self.nodes.items():
            pos = dpg.get_item_pos(w.item)
            if pos and list(pos) != self.to_screen(self.graph.attrs(node)["pos"]):
                moved[node] = self.to_canvas(pos)
        return self.ctrl.move_nodes(moved) if moved else False

    def grid_point(self, screen_xy: tuple[float, float] | None = None) -> tuple[float, float]:
        """Canvas coordinates of a point in the window (default: the middle of the editor).

        The pan offset cannot be read, so it is measured from any node: its on-screen
        corner minus its canvas position.
        """
        (ex, ey), (ew, eh) = self.editor_rect()
        if screen_xy is None or not (ex <= screen_xy[0] <= ex + ew and ey <= screen_xy[1] <= ey + eh):
            screen_xy = (ex + ew * 0.4, ey + eh * 0.4)
        off_x, off_y = ex, ey
        for node, w in self.nodes.items():
            if dpg.is_item_visible(w.item):
                (rx, ry), (gx, gy) = dpg.get_item_rect_min(w.item), dpg.get_item_pos(w.item)
                off_x, off_y = rx - gx, ry - gy
                break
        return self.to_canvas((screen_xy[0] - off_x, screen_xy[1] - off_y))

    def editor_rect(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The editor's top-left corner in the window and its size (its own rect_min is not kept,
        so the corner is that of the child window holding it)."""
        corner = dpg.get_item_state(self.parent).get("pos") or (0, 0)
        return (corner[0], corner[1]), tuple(dpg.get_item_rect_size(self.editor))

    def pin_screen_pos(self, node: str, port: str, direction: str) -> tuple[float, float]:
        """Where a pin's circle is, in viewport pixels (for tests driving the mouse)."""
        w = self.nodes[node]
        pin = w.pins[(port, direction)]
        text = dpg.get_item_children(pin, 1)[0]
        y, height = dpg.get_item_rect_min(text)[1], dpg.get_item_rect_size(text)[1]
        node_min, node_size = dpg.get_item_rect_min(w.item), dpg.get_item_rect_size(w.item)
        x = node_min[0] if direction == PIN_IN else node_min[0] + node_size[0]
        return (x, y + height / 2)

    # -- values ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the current values, colours and highlights (only what changed is touched)."""
        c = self.ctrl
        key = (c.values_version, c.session.profiling, id(c.gradchecks), c.running)
        if key == self._shown:
            return
        self._shown = key
        ev = c.session
        try:
            run = ev.run
        except NotReady:
            run = None
        plan = run.plan if run is not None else None
        value = self._value_reader(run)
        bad_node = ev.divergence.node if ev.divergence is not None and plan is not None and ev.cursor else None
        hot = ev.last_node if plan is not None and (ev.cursor or not c.running) else None
        phase_theme = self.themes.phase.get(ev.phase or "", None)
        times = c.node_times()
        pending = set(s.node for s in plan.steps[ev.cursor:]) if plan is not None and ev.cursor else set()
        port_colour: dict[tuple[str, str], wires.RGBA] = {}
        for node, w in self.nodes.items():
            for port, text in w.values.items():
                colour = self._show_port(node, port, text, value(node, port), (node, port) in self.wired)
                if colour is not None:
                    port_colour[(node, port)] = colour
            family = self.graph.type_of(node).family
            if node == bad_node:
                theme = self.themes.bad
            elif node == hot and phase_theme is not None:
                theme = phase_theme
            elif node in pending:
                theme = self.themes.pending.get(family, self.themes.pending["view"])
            else:
                theme = self.themes.family.get(family, self.themes.family["view"])
            self._set_node_theme(w, theme)
            self._refresh_extra(node, w, times)
            if w.watch is not None or w.image is not None:
                self._refresh_view(node, w, value)
        hot_colour = wires.PHASE_COLOURS.get(ev.phase or "")
        for link in self.links:
            colour = port_colour.get((link.src, link.src_port), wires.IDLE_WIRE)
            if link.src == hot and hot_colour and colour != wires.BAD_COLOUR:
                colour = hot_colour
            colour_item, shown, theme = self.link_colour[link]
            if colour != shown:
                dpg.set_value(colour_item, colour)
                self.link_colour[link] = (colour_item, colour, theme)

    def _show_port(self, node: str, port: str, text: int, v: np.ndarray | None, wired: bool) -> wires.RGBA | None:
        """Write a pin's value (if it changed) and return the colour of its wires (if it has any)."""
        raw = None if v is None else v.tobytes()
        seen = self._port_cache.get((node, port))
        if seen is not None and seen[0] == raw and seen[1] == text and (seen[2] is not None or not wired):
            return seen[2]
        self._set_text(text, f"{port}  {wires.format_value(v)}")
        colour = wires.wire_colour(v) if wired else None
        self._port_cache[(node, port)] = (raw, text, colour)
        return colour

    def _value_reader(self, run) -> Callable[[str, str], np.ndarray | None]:
        """``value(node, port)`` reading the run's memory through views kept per run."""
        if run is None:
            return lambda n, p: None
        if run is not self.ctrl.stepped_run:  # nothing computed since the last edit: only registers
            return lambda n, p: run.value(n, p) if (n, p) in run.plan.aliases else None
        if self._views[0] is not run:
            self._views = (run, {})
        views = self._views[1]

        def value(node: str, port: str) -> np.ndarray:
            v = views.get((node, port))
            if v is None:
                v = views[(node, port)] = run.value(node, port)
            return v

        return value

    def _set_text(self, item: int, text: str) -> None:
        if self.text_cache.get(item) != text:
            dpg.set_value(item, text)
            self.text_cache[item] = text

    def _refresh_extra(self, node: str, w: NodeWidgets, times: dict[str, float]) -> None:
        lines = []
        colour = (200, 200, 200, 255)
        check = self.ctrl.gradchecks.get(node)
        if check is not None:
            text, colour = wires.gradcheck_badge(check.verdict, check.rel_error)
            lines.append(text)
        if node in times:
            lines.append(wires.micros(times[node]))
        text = "\n".join(lines)
        if self.text_cache.get(w.extra) != text:
            self._set_text(w.extra, text)
            dpg.configure_item(w.extra, show=bool(text), color=colour)

    def _refresh_view(self, node: str, w: NodeWidgets, value) -> None:
        wire = self.graph.wire_into(node, self.graph.type_of(node).inputs[0].name)
        v = value(wire.src, wire.src_port) if wire is not None else None
        if w.watch is not None:
            self._set_text(w.watch, wires.format_full(v))
            return
        params = self.graph.params(node)
        drawn = (None if v is None else (v.shape, v.tobytes()), tuple(params.items()))
        if drawn == w.drawn:
            return
        w.drawn = drawn
        t = self.graph.type_of(node)
        shown = picture(ViewContext(self.ctrl.session, node, params, {t.inputs[0].name: v}), t.name)
        self._set_text(w.note, "" if shown.rgb is not None else shown.note)
        dpg.configure_item(w.note, show=shown.rgb is None)
        self._show_picture(w, shown.rgb)

    def _show_picture(self, w: NodeWidgets, rgb: np.ndarray | None) -> None:
        if rgb is None:
            if w.texture_size is not None:
                dpg.delete_item(w.image, children_only=True)
                w.texture_size = None
            return
        h, wd = rgb.shape[:2]
        rgba = np.concatenate([rgb, np.ones((h, wd, 1))], axis=2).astype(np.float32).ravel()
        if w.texture_size != (wd, h):
            dpg.delete_item(w.image, children_only=True)
            if w.texture is not None:
                dpg.delete_item(w.texture)
            w.texture = dpg.add_dynamic_texture(wd, h, rgba, parent=self.textures)
            dpg.add_image(w.texture, parent=w.image)
            w.texture_size = (wd, h)
        else:
            dpg.set_value(w.texture, rgba)
