"""Side panels: the palette (with search), the inspector, the training plot, the toolbar
and the status line. Each panel reads the graph through the controller and edits it only
through the controller's methods."""
from __future__ import annotations

import contextlib
import json
import math
from typing import Callable, Iterator

import dearpygui.dearpygui as dpg

from ..errors import NotReady
from ..document.graph import Link
from ..nodes import palette
from ..nodes.base import Param
from ..document.settings import SETTING
from .controller import Controller
from .wires import format_full

MESSAGE_COLOURS = {"info": (200, 200, 200, 255), "warn": (240, 190, 70, 255), "error": (250, 90, 80, 255)}


def find_types(text: str, families: dict[str, str]) -> list[str]:
    """Type names whose name or family contains ``text``, in palette order."""
    q = text.strip().lower()
    return [n for n, f in families.items() if not q or q in n.lower() or q in f]


def type_families() -> dict[str, str]:
    """Every node type name -> its family, in palette order."""
    return {t.name: family for family, types in palette().items() for t in types}


PAYLOAD = "nodeflow-node-type"  # what a palette button carries when dragged onto the canvas


class Palette:
    """Node types grouped by family; typing filters, Enter or a click adds a node in view,
    dragging a button onto the canvas adds it where it is dropped."""

    def __init__(self, parent: int | str, add: Callable[[str], None], width: int = 190):
        self.add = add
        self.buttons: dict[str, int] = {}
        self.headers: dict[str, int] = {}
        self.types: dict[str, str] = {}  # type name -> family
        with dpg.child_window(parent=parent, width=width, border=False):
            dpg.add_text("Nodes")
            self.search = dpg.add_input_text(hint="search (Enter adds)", width=-1, callback=self._filter)
            for family, types in palette().items():
                if not types:
                    continue
                with dpg.collapsing_header(label=family, default_open=True) as h:
                    self.headers[family] = h
                    for t in types:
                        b = dpg.add_button(label=t.name, width=-1, callback=lambda s, a, u: self.add(u),
                                           user_data=t.name, payload_type=PAYLOAD)
                        with dpg.drag_payload(parent=b, drag_data=t.name, payload_type=PAYLOAD):
                            dpg.add_text(f"{t.name}: drop it on the canvas")
                        if t.doc:
                            with dpg.tooltip(b):
                                dpg.add_text(t.doc.strip().splitlines()[0], wrap=300)
                        self.buttons[t.name] = b
                        self.types[t.name] = family

    def matches(self, text: str | None = None) -> list[str]:
        """Type names matching the search text (name or family), in palette order."""
        return find_types(dpg.get_value(self.search) if text is None else text, self.types)

    def _filter(self, *_) -> None:
        shown = set(self.matches())
        for name, b in self.buttons.items():
            dpg.configure_item(b, show=name in shown)
        for family, h in self.headers.items():
            dpg.configure_item(h, show=any(self.types[n] == family for n in shown))

    def add_first_match(self) -> str | None:
        found = self.matches()
        if not found:
            return None
        self.add(found[0])
        dpg.set_value(self.search, "")
        self._filter()
        return found[0]


class QuickAdd:
    """Right-click on the canvas: a search box at the mouse; Enter or a click adds a node there."""

    ROWS = 10

    def __init__(self, add_at: Callable[[str, tuple[float, float]], None]):
        self.add_at = add_at
        self.at = (0.0, 0.0)
        self.types = type_families()
        with dpg.window(show=False, no_title_bar=True, no_resize=True, no_move=True, width=210, height=-1,
                        autosize=True) as self.window:
            self.search = dpg.add_input_text(hint="add a node here...", width=190, callback=self._filter)
            self.list = dpg.add_group()

    @property
    def shown(self) -> bool:
        return dpg.is_item_shown(self.window)

    def open(self, screen_xy: tuple[float, float], canvas_xy: tuple[float, float]) -> None:
        self.at = canvas_xy
        dpg.set_item_pos(self.window, [screen_xy[0], screen_xy[1]])
        dpg.set_value(self.search, "")
        self._filter()
        dpg.show_item(self.window)
        dpg.focus_item(self.search)

    def close(self) -> None:
        dpg.hide_item(self.window)

    def matches(self) -> list[str]:
        return find_types(dpg.get_value(self.search), self.types)

    def _filter(self, *_) -> None:
        dpg.delete_item(self.list, children_only=True)
        for name in self.matches()[: self.ROWS]:
            dpg.add_button(label=f"{name}  ({self.types[name]})", width=190, parent=self.list,
                           callback=lambda s, a, u: self.choose(u), user_data=name)

    def choose(self, name: str) -> None:
        self.close()
        self.add_at(name, self.at)

    def add_first_match(self) -> None:
        found = self.matches()
        if found:
            self.choose(found[0])


def _parse(p: Param, text: str):
    """Text typed for a list or array parameter, as the value to check."""
    if p.kind in ("shape", "ints"):
        return [int(v) for v in text.replace("[", "").replace("]", "").replace(",", " ").split()]
    return json.loads(text)


LABEL_WIDTH = 92


def form(parent: int | str) -> int:
    """A two-column table: labels on the left, their fields filling the rest."""
    table = dpg.add_table(parent=parent, header_row=False, pad_outerX=False)
    dpg.add_table_column(parent=table, width_fixed=True, init_width_or_weight=LABEL_WIDTH)
    dpg.add_table_column(parent=table, width_stretch=True)
    return table


@contextlib.contextmanager
def row(table: int, label: str, tip: str = "") -> Iterator[None]:
    """One labelled row of a form; the field made inside the block goes on the right."""
    with dpg.table_row(parent=table):
        text = dpg.add_text(label, color=(185, 185, 195, 255))
        if tip:
            with dpg.tooltip(text):
                dpg.add_text(tip, wrap=300)
        yield


class Inspector:
    """Graph settings, the network recipe, and the parameters of the selected node."""

    SETTINGS = ("lr", "data", "split", "seed", "batch_size")

    def __init__(self, parent: int | str, ctrl: Controller, new_network: Callable[[], None]):
        self.ctrl = ctrl
        self.widgets: dict[str, int] = {}
        self.shown: tuple | None = None  # (graph, node, its type, wire) the lower part shows
        self.node_widgets: dict[str, int] = {}
        self.wire_value: int | None = None
        self.label: int | None = None  # the selected node's label field
        with dpg.group(parent=parent):
            dpg.add_text("Settings", color=(150, 190, 255, 255))
            table = form(dpg.last_container())
            with row(table, "learning rate", SETTING["lr"].doc):
                with dpg.group(horizontal=True):
                    self.widgets["lr_slider"] = dpg.add_slider_float(
                        width=150, min_value=0.0, max_value=2.0, format="%.3f",
                        callback=lambda s, a: self._setting("lr", a))
                    self.widgets["lr"] = dpg.add_input_float(width=-1, step=0, format="%.5g", on_enter=True,
                                                             callback=lambda s, a: self._setting("lr", a))
            with row(table, "data", SETTING["data"].doc):
                self.widgets["data"] = dpg.add_input_text(width=-1, on_enter=True,
                                                          callback=lambda s, a: self._setting("data", a))
            with row(table, "train split", SETTING["split"].doc):
                self.widgets["split"] = dpg.add_slider_float(width=-1, min_value=0.05, max_value=1.0, format="%.2f",
                                                             callback=lambda s, a: self._setting("split", a))
            with row(table, "seed", SETTING["seed"].doc):
                self.widgets["seed"] = dpg.add_input_int(width=-1, min_value=0, min_clamped=True, on_enter=True,
                                                         callback=lambda s, a: self._setting("seed", a))
            with row(table, "batch size", SETTING["batch_size"].doc):
                self.widgets["batch_size"] = dpg.add_input_int(width=-1, min_value=1, min_clamped=True, on_enter=True,
                                                               callback=lambda s, a: self._setting("batch_size", a))
            self.network = dpg.add_text("", wrap=300)
            with dpg.group(horizontal=True):
                dpg.add_button(label="New network...", callback=lambda: new_network())
                dpg.add_button(label="Reset weights", callback=lambda: ctrl.reset_weights())
            dpg.add_separator()
            self.title = dpg.add_text("Node: (select one, or a wire)", color=(150, 190, 255, 255))
            self.node_group = dpg.add_group()

    def _setting(self, name: str, value) -> None:
        if name == "split" or name == "lr":
            value = round(float(value), 6)
        self.ctrl.set_setting(name, value)

    def refresh(self, selected: list[str], links: list[Link] = ()) -> None:
        """Show current settings and the selected node or wire (widgets being edited are left alone)."""
        s = self.ctrl.graph.settings
        values = {"lr_slider": s["lr"], "lr": s["lr"], "data": s["data"], "split": s["split"], "seed": s["seed"],
                  "batch_size": s["batch_size"]}
        for k, v in values.items():
            self._show(self.widgets[k], v)
        net = s.get("network")
        text = (f"network: {'-'.join(map(str, net['layers']))} {net['activation']}" if net
                else "network: built by hand")
        self._show(self.network, text)
        g = self.ctrl.graph
        node = selected[0] if len(selected) == 1 and selected[0] in g else None
        link = links[0] if node is None and len(links) == 1 else None
        shown = (id(g), node, g.type_of(node).name if node else None, link)
        if shown != self.shown:
            self.shown = shown
            self._build_node(node) if link is None else self._build_link(link)
        if node is not None:
            self._show(self.label, g.attrs(node)["label"])
            params = g.params(node)
            for name, item in self.node_widgets.items():
                self._show(item, self._display(g.type_of(node).param(name), params[name]))
        elif link is not None:
            self._show(self.wire_value, self._wire_text(link))

    def _wire_text(self, link: Link) -> str:
        try:
            return format_full(self.ctrl.session.value(link.src, link.src_port))
        except (NotReady, KeyError):
            return "(not computed yet)"

    def _build_link(self, link: Link) -> None:
        """A selected wire: the whole value it carries, live."""
        self._build_node(None)
        dpg.set_value(self.title, f"Wire: {link}")
        self.wire_value = dpg.add_text(self._wire_text(link), parent=self.node_group)

    @staticmethod
    def _show(item: int, value) -> None:
        if not dpg.get_item_state(item).get("active") and dpg.get_value(item) != value:
            dpg.set_value(item, value)

    @staticmethod
    def _display(p: Param, value):
        if p.kind in ("shape", "ints"):
            return ", ".join(map(str, value))
        if p.kind == "array":
            return json.dumps(value)
        if p.kind == "str":
            return str(value)
        return value

    def _build_node(self, node: str | None) -> None:
        dpg.delete_item(self.node_group, children_only=True)
        self.node_widgets = {}
        if node is None:
            dpg.set_value(self.title, "Node: (select one, or a wire)")
            return
        g = self.ctrl.graph
        t = g.type_of(node)
        dpg.set_value(self.title, f"Node: {node} ({t.name})")
        if t.doc:
            dpg.add_text(t.doc.strip().splitlines()[0], wrap=300, parent=self.node_group, color=(170, 170, 170, 255))
        table = form(self.node_group)
        with row(table, "label", "the name shown on the node"):
            self.label = dpg.add_input_text(default_value=g.attrs(node)["label"], on_enter=True, width=-1,
                                            callback=lambda s_, a: self.ctrl.set_label(node, a))
        params = g.params(node)
        for p in t.params:
            v = self._display(p, params[p.name])
            kw = dict(width=-1, user_data=(node, p), callback=lambda s_, a, u: self._param(*u, a))
            with row(table, p.name, p.doc):
                if p.kind == "choice":
                    item = dpg.add_combo(list(p.choices), default_value=v, **kw)
                elif p.kind == "bool":
                    item = dpg.add_checkbox(default_value=v, **kw)
                elif p.kind == "int":
                    item = dpg.add_input_int(default_value=v, on_enter=True, **kw)
                elif p.kind == "float":
                    item = dpg.add_input_float(default_value=v, on_enter=True, step=0, format="%.6g", **kw)
                else:
                    item = dpg.add_input_text(default_value=str(v), on_enter=True, **kw)
            self.node_widgets[p.name] = item
        if not t.params:
            dpg.add_text("no parameters", parent=self.node_group, color=(140, 140, 140, 255))

    def _param(self, node: str, p: Param, value) -> None:
        if p.kind in ("shape", "ints", "array"):
            try:
                value = _parse(p, value)
            except (ValueError, json.JSONDecodeError):
                self.ctrl.say(f"{node}.{p.name}: cannot read {value!r} ({p.doc or p.kind})", "error")
                return
        self.ctrl.set_param(node, p.name, value)


class TrainingPlot:
    """Every MeanLoss (left axis) and Accuracy (right axis, 0..1) node's figure per epoch,
    live while running (two networks in one graph get a line each), with the run's
    progress and a Cancel button."""

    def __init__(self, parent: int | str, ctrl: Controller, height: int = -1):
        self.ctrl = ctrl
        self._shown = None
        self.series: dict[str, int] = {}  # "node.port" -> line series
        self._points: dict[str, tuple[list, list]] = {}
        self._seen: tuple[int, int] = (0, 0)  # (id of the stats list, how many epochs are plotted)
        with dpg.group(parent=parent):
            dpg.add_text("Training", color=(150, 190, 255, 255))
            with dpg.group(horizontal=True):
                self.progress = dpg.add_progress_bar(default_value=0.0, width=-80, overlay="0 epochs trained")
                self.cancel = dpg.add_button(label="Cancel", width=-1, callback=lambda: ctrl.cancel_run("cancelled"))
            with dpg.plot(height=height, width=-1, no_menus=True) as self.plot:
                self.legend = dpg.add_plot_legend(location=dpg.mvPlot_Location_North, horizontal=True, outside=True)
                self.x = dpg.add_plot_axis(dpg.mvXAxis, label="epoch")
                self.y = dpg.add_plot_axis(dpg.mvYAxis, label="loss")
                self.y2 = dpg.add_plot_axis(dpg.mvYAxis2, label="accuracy", opposite=True)
                dpg.set_axis_limits(self.y2, 0.0, 1.02)
            with dpg.theme() as self.dots:  # so that a single epoch shows as a point
                with dpg.theme_component(dpg.mvLineSeries):
                    dpg.add_theme_style(dpg.mvPlotStyleVar_Marker, dpg.mvPlotMarker_Circle, category=dpg.mvThemeCat_Plots)
                    dpg.add_theme_style(dpg.mvPlotStyleVar_MarkerSize, 1.5, category=dpg.mvThemeCat_Plots)

    def _series_for(self, key: str) -> int:
        """The line of one metric port, made on first sight (loss left, accuracy right)."""
        if key not in self.series:
            g = self.ctrl.graph
            node = key.rsplit(".", 1)[0]
            accuracy = node in g and (g.type_of(node).metric_kind(g.params(node)) or "").endswith("acc")
            label = g.attrs(node)["label"] if node in g else node
            self.series[key] = dpg.add_line_series([], [], label=label, parent=self.y2 if accuracy else self.y)
            dpg.bind_item_theme(self.series[key], self.dots)
            self._points[key] = ([], [])
            dpg.configure_item(self.legend, horizontal=len(self.series) <= 3)
        return self.series[key]

    def _clear(self) -> None:
        for item in self.series.values():
            dpg.delete_item(item)
        self.series.clear()
        self._points.clear()

    def refresh(self) -> None:
        c = self.ctrl
        stats = c.session.stats
        rs = c.run_state
        key = (id(stats), len(stats), rs is not None, c.session.epoch)
        if key == self._shown:
            return
        self._shown = key
        seen_id, seen = self._seen
        if seen_id != id(stats) or seen > len(stats):  # another graph, a reset or a step back
            self._clear()
            seen = 0
        for s in stats[seen:]:
            for name, v in s.values.items():
                if v is not None and math.isfinite(v):
                    self._series_for(name)
                    xs, ys = self._points[name]
                    xs.append(s.epoch)
                    ys.append(v)
        if len(stats) != seen:
            for name, item in self.series.items():
                dpg.set_value(item, list(self._points[name]))
        self._seen = (id(stats), len(stats))
        first = stats[0].epoch if stats else 1
        dpg.set_axis_limits(self.x, first - 0.5, max(stats[-1].epoch if stats else 1, first + 1) + 0.5)
        losses = [v for name, item in self.series.items() if dpg.get_item_parent(item) == self.y
                  for v in self._points[name][1]]
        dpg.set_axis_limits(self.y, 0.0, max(1e-6, max(losses)) * 1.08 if losses else 1.0)
        if rs is not None:
            dpg.set_value(self.progress, rs.progress(c.session.epoch))
            dpg.configure_item(self.progress, overlay=f"epoch {c.session.epoch} / {rs.target_epoch}")
        else:
            dpg.set_value(self.progress, 0.0)
            dpg.configure_item(self.progress, overlay=f"{c.session.epoch} epoch{'s' * (c.session.epoch != 1)} trained")
        dpg.configure_item(self.cancel, enabled=rs is not None)


class StatusLine:
    """Epoch, sample, phase and node on the left; the latest message on the right."""

    def __init__(self, parent: int | str, ctrl: Controller):
        self.ctrl = ctrl
        with dpg.group(horizontal=True, parent=parent):
            self.state = dpg.add_text("")
            dpg.add_text("|", color=(90, 90, 90, 255))
            self.message = dpg.add_text("")

    def refresh(self) -> None:
        c = self.ctrl
        state = c.status_line()
        if dpg.get_value(self.state) != state:
            dpg.set_value(self.state, state)
        m = c.message
        if dpg.get_value(self.message) != m.text:
            dpg.set_value(self.message, m.text)
            dpg.configure_item(self.message, color=MESSAGE_COLOURS.get(m.kind, MESSAGE_COLOURS["info"]))
