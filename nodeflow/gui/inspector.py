"""The inspector: graph settings (the data chosen from a list), the network recipe, and the
selected node (its label, parameters and what it computes, one element worked out with the
numbers of its last evaluation) or wire (the whole value it carries). A group shows what it
holds and buttons to open, ungroup or save it to the library; a node with a primitive form
a button to open it into math nodes. A parameter the graph refuses (an Expression's formula)
keeps the text typed, and the status line says why.

It scrolls in a part of the column of its own, so that the training panel below it stays
where it is however much the inspector shows."""
from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Callable, Iterator

import dearpygui.dearpygui as dpg

from ..document.expand import expandable
from ..document.graph import Link
from ..document.settings import SETTING
from ..errors import NotReady
from ..nodes.base import Param
from . import dialogs
from .controller import Controller
from .datachoice import DataChooser
from .probepanel import ProbePanel
from .training import PANEL_HEIGHT, panel_height
from .wires import format_full

LABEL_WIDTH = 92
WRAP = 0  # wrap at the panel's right edge, whatever its width
HEADING = (150, 190, 255, 255)
QUIET = (170, 170, 170, 255)


def _parse(p: Param, text: str):
    """Text typed for a list or array parameter, as the value to check."""
    if p.kind in ("shape", "ints"):
        return [int(v) for v in text.replace("[", "").replace("]", "").replace(",", " ").split()]
    return json.loads(text)


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
    """Graph settings, the network recipe, and the selected node or wire."""

    SETTINGS = ("lr", "data", "split", "seed", "batch_size")

    def __init__(self, parent: int | str, ctrl: Controller, new_network: Callable[[], None]):
        self.ctrl = ctrl
        self.widgets: dict[str, int] = {}
        self.shown: tuple | None = None  # (graph, node, its type, wire) the lower part shows
        self.node_widgets: dict[str, int] = {}
        self.wire_value: int | None = None
        self.label: int | None = None  # the selected node's label field
        self.explained: Explained | None = None
        self.refused: dict[str, object] = {}  # param -> its value when text typed for it was refused
        self.buttons: dict[str, int] = {}  # the selected group's (or openable node's) buttons
        self.below = PANEL_HEIGHT  # room left below for the training panel
        with dpg.child_window(parent=parent, height=-PANEL_HEIGHT, border=False) as self.scroll:
            self._settings(new_network)
            self.probe = ProbePanel(self.scroll, ctrl)
            dpg.add_separator()
            self.title = dpg.add_text("Node: (select one, or a wire)", color=HEADING)
            self.node_group = dpg.add_group()

    def _settings(self, new_network: Callable[[], None]) -> None:
        ctrl = self.ctrl
        with dpg.collapsing_header(label="Settings", default_open=True) as self.settings:
            table = form(self.settings)
            self._settings_rows(table)
            self.network = dpg.add_text("", wrap=WRAP)
            with dpg.group(horizontal=True):
                dpg.add_button(label="New network...", callback=lambda: new_network())
                dpg.add_button(label="Reset weights", callback=lambda: ctrl.reset_weights())

    def _settings_rows(self, table: int) -> None:
        with row(table, "learning rate", SETTING["lr"].doc):
            with dpg.group(horizontal=True):
                self.widgets["lr_slider"] = dpg.add_slider_float(
                    width=150, min_value=0.0, max_value=2.0, format="%.3f", callback=lambda s, a: self._setting("lr", a))
                self.widgets["lr"] = dpg.add_input_float(width=-1, step=0, format="%.5g", on_enter=True,
                                                         callback=lambda s, a: self._setting("lr", a))
        with row(table, "data", SETTING["data"].doc):
            self.data = DataChooser(lambda v: self.ctrl.set_setting("data", v), self._pick_csv)
        with row(table, "train split", SETTING["split"].doc):
            self.widgets["split"] = dpg.add_slider_float(width=-1, min_value=0.05, max_value=1.0, format="%.2f",
                                                         callback=lambda s, a: self._setting("split", a))
        with row(table, "seed", SETTING["seed"].doc):
            self.widgets["seed"] = dpg.add_input_int(width=-1, min_value=0, min_clamped=True, on_enter=True,
                                                     callback=lambda s, a: self._setting("seed", a))
        with row(table, "batch size", SETTING["batch_size"].doc):
            self.widgets["batch_size"] = dpg.add_input_int(width=-1, min_value=1, min_clamped=True, on_enter=True,
                                                           callback=lambda s, a: self._setting("batch_size", a))
        self.widgets["data"] = self.data.combo

    def _pick_csv(self, then: Callable[[Path], None]) -> None:
        folder = self.ctrl.path.parent if self.ctrl.path else Path.cwd()
        dialogs.choose_file("Data: a CSV file", then, folder=folder, extensions=("CSV files (*.csv){.csv}", ".*"))

    def _setting(self, name: str, value) -> None:
        if name == "split" or name == "lr":
            value = round(float(value), 6)
        self.ctrl.set_setting(name, value)

    def refresh(self, selected: list[str], links: list[Link] = ()) -> None:
        """Show current settings and the selected node or wire (widgets being edited are left alone)."""
        below = panel_height(dpg.get_viewport_client_height())
        if below != self.below:
            self.below = below
            dpg.configure_item(self.scroll, height=-below)
        g = self.ctrl.graph
        s = g.settings
        for k, v in {"lr_slider": s["lr"], "lr": s["lr"], "split": s["split"], "seed": s["seed"],
                     "batch_size": s["batch_size"]}.items():
            self._show(self.widgets[k], v)
        self.data.refresh(s["data"], g.base_dir)
        self.probe.refresh()
        net = s.get("network")
        self._show(self.network, f"network: {'-'.join(map(str, net['layers']))} {net['activation']}" if net
                   else "network: built by hand")
        g = self.ctrl.shown  # the selection is of the graph the canvas shows (maybe a group's inside)
        node = selected[0] if len(selected) == 1 and selected[0] in g else None
        link = links[0] if node is None and len(links) == 1 else None
        shown = (id(g), node, g.type_of(node).name if node else None, link)
        if shown != self.shown:
            self.shown = shown
            self.refused = {}
            self._build_node(node) if link is None else self._build_link(link)
        if node is not None:
            self._show(self.label, g.attrs(node)["label"])
            params = g.params(node)
            for name, item in self.node_widgets.items():
                if name in self.refused and self.refused[name] == params[name]:
                    continue  # the text typed stays until it is changed or the value is
                self.refused.pop(name, None)
                self._show(item, self._display(g.type_of(node).param(name), params[name]))
            if self.explained is not None:
                self.explained.refresh()
        elif link is not None:
            self._show(self.wire_value, self._wire_text(link))

    def _wire_text(self, link: Link) -> str:
        at = self.ctrl.flat_port(link.src, link.src_port)
        p = self.ctrl.probing
        if p is not None and at is not None:
            return format_full(p.value(*at)) if p.shows(*at) else "(not part of the probe's forward pass)"
        try:
            if at is None:
                raise KeyError(link.src)
            return format_full(self.ctrl.session.value(*at))
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
        self.explained = None
        if node is None:
            dpg.set_value(self.title, "Node: (select one, or a wire)")
            return
        g = self.ctrl.shown
        t = g.type_of(node)
        dpg.set_value(self.title, f"Node: {node} ({t.name})")
        doc = t.doc or t.__doc__ or ""
        if doc.strip():
            dpg.add_text(doc.strip().splitlines()[0], wrap=WRAP, parent=self.node_group, color=QUIET)
        self._group_buttons(g, node)
        self.explained = Explained(self.node_group, self.ctrl, node)
        table = form(self.node_group)
        with row(table, "label", "the name shown on the node"):
            self.label = dpg.add_input_text(default_value=g.attrs(node)["label"], on_enter=True, width=-1,
                                            callback=lambda s_, a: self.ctrl.set_label(node, a))
        params = g.params(node)
        for p in t.params:
            if p.kind == "graph":  # a group's inside: open it to see and edit it
                continue
            with row(table, p.name, p.doc):
                self.node_widgets[p.name] = self._param_field(node, p, self._display(p, params[p.name]))
        if not t.params:
            dpg.add_text("no parameters", parent=self.node_group, color=(140, 140, 140, 255))

    def _param_field(self, node: str, p: Param, v) -> int:
        kw = dict(width=-1, user_data=(node, p), callback=lambda s_, a, u: self._param(*u, a))
        if p.kind == "choice":
            return dpg.add_combo(list(p.choices), default_value=v, **kw)
        if p.kind == "bool":
            return dpg.add_checkbox(default_value=v, **kw)
        if p.kind == "int":
            return dpg.add_input_int(default_value=v, on_enter=True, **kw)
        if p.kind == "float":
            return dpg.add_input_float(default_value=v, on_enter=True, step=0, format="%.6g", **kw)
        return dpg.add_input_text(default_value=str(v), on_enter=True, **kw)

    def _group_buttons(self, g, node: str) -> None:
        """A group: what it holds, and open / ungroup / save to the library; a built-in node with a
        primitive form: open it into math nodes."""
        c = self.ctrl
        b = self.buttons = {}
        if g.type_of(node).name == "Group":
            inner = g.params(node)["graph"]["nodes"]
            ports = f"{len(g.inputs(node))} in, {len(g.outputs(node))} out"
            dpg.add_text(f"holds {len(inner)} nodes ({ports})", parent=self.node_group, color=QUIET)
            with dpg.group(horizontal=True, parent=self.node_group):
                b["open"] = dpg.add_button(label="Open (I)", callback=lambda: c.open_group(node))
                b["ungroup"] = dpg.add_button(label="Ungroup", callback=lambda: c.ungroup(node))
                b["library"] = dpg.add_button(label="Save to library...",
                                              callback=lambda: dialogs.save_to_library(c, node))
        elif expandable(g, node):
            b["open_box"] = dpg.add_button(label="Open the box (as math nodes)", parent=self.node_group,
                                           callback=lambda: c.open_box(node))

    def _param(self, node: str, p: Param, value) -> None:
        if p.kind in ("shape", "ints", "array"):
            try:
                value = _parse(p, value)
            except (ValueError, json.JSONDecodeError):
                self.ctrl.say(f"{node}.{p.name}: cannot read {value!r} ({p.doc or p.kind})", "error")
                return
        if not self.ctrl.set_param(node, p.name, value) and node in self.ctrl.shown:
            self.refused[p.name] = self.ctrl.shown.params(node)[p.name]


class Explained:
    """What the selected node computes: its formulas, and one element (picked with a field per
    axis) worked out with the numbers of its last evaluation."""

    def __init__(self, parent: int, ctrl: Controller, node: str):
        self.ctrl, self.node = ctrl, node
        self.at: list[int] = []
        self.fields: list[int] = []
        self._seen = None
        dpg.add_text("What it computes", color=HEADING, parent=parent)
        self.formulas = dpg.add_text("", wrap=WRAP, parent=parent)
        self.picker = dpg.add_group(horizontal=True, parent=parent)
        self.worked = dpg.add_text("", wrap=WRAP, parent=parent, color=(215, 225, 180, 255))
        self.refresh()

    def element_shape(self) -> tuple:
        """The shape of the output whose elements are worked out (() for a number, or when unknown)."""
        g = self.ctrl.shown
        t = g.type_of(self.node)
        outs = g.outputs(self.node)
        port = t.element or (outs[0].name if outs else None)
        shape = g.shapes().outputs.get((self.node, port)) if port else None
        return tuple(shape) if shape and all(d is not None for d in shape) else ()

    def _build_picker(self, shape: tuple) -> None:
        dpg.delete_item(self.picker, children_only=True)
        self.at = [0] * len(shape)
        self.fields = []
        if not shape:
            return
        dpg.add_text("element" if len(shape) == 1 else "row, column", parent=self.picker, color=QUIET)
        for axis, n in enumerate(shape):
            self.fields.append(dpg.add_input_int(parent=self.picker, width=90, default_value=0, min_value=0,
                                                 max_value=n - 1, min_clamped=True, max_clamped=True,
                                                 callback=lambda s, a, u: self.pick(u, a), user_data=axis))

    def pick(self, axis: int, index: int) -> None:
        """Work out another element (the index of one axis)."""
        self.at[axis] = int(index)
        self._seen = None

    def refresh(self) -> None:
        c = self.ctrl
        g = c.shown
        if self.node not in g:
            return
        t = g.type_of(self.node)
        shape = self.element_shape()
        key = (c.values_version, g.revision, id(c.session), shape, tuple(self.at))
        if key == self._seen:
            return
        if len(shape) != len(self.at) or any(i >= n for i, n in zip(self.at, shape)):
            self._build_picker(shape)
        self._seen = (c.values_version, g.revision, id(c.session), shape, tuple(self.at))
        Inspector._show(self.formulas, "\n".join(t.formulas(g.params(self.node), g.settings)))
        Inspector._show(self.worked, self.worked_text(tuple(self.at)))

    def worked_text(self, at: tuple) -> str:
        g = self.ctrl.shown
        t = g.type_of(self.node)
        try:
            flat = self.ctrl.levels.prefix() + self.node  # its id in the run
            lines = t.worked(g.params(self.node), g.settings, self.ctrl.session.last_values(flat), at)
        except NotReady as e:
            return f"({e})"
        except (KeyError, IndexError):  # shapes being changed: shown again after the next step
            return ""
        return "\n".join(text for line in lines for text in line.lines())
