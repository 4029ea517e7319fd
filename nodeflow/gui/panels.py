"""Side panels: the palette (with search), the quick-add search and the status line; the
inspector (``inspector``) and the training panel (``training``) have modules of their own.
Each panel reads the graph through the controller and edits it only through the
controller's methods."""
from __future__ import annotations

from typing import Callable

import dearpygui.dearpygui as dpg

from ..nodes import palette
from .controller import Controller

MESSAGE_COLOURS = {"info": (200, 200, 200, 255), "warn": (240, 190, 70, 255), "error": (250, 90, 80, 255)}


INSIDE_ONLY = ("group",)  # families offered only inside a group (its input and output ports)


def find_types(text: str, families: dict[str, str]) -> list[str]:
    """Type names whose name or family contains ``text``, in palette order."""
    q = text.strip().lower()
    return [n for n, f in families.items() if not q or q in n.lower() or q in f]


def type_families(inside: bool = False) -> dict[str, str]:
    """Every node type name -> its family, in palette order (a group's port nodes only ``inside`` one)."""
    return {t.name: family for family, types in palette().items() for t in types
            if inside or family not in INSIDE_ONLY}


PAYLOAD = "nodeflow-node-type"  # what a palette button carries when dragged onto the canvas


class Palette:
    """Node types grouped by family; typing filters, Enter or a click adds a node in view,
    dragging a button onto the canvas adds it where it is dropped. The library family holds
    the groups saved to the library (``rebuild`` after it changes); a group's port nodes are
    offered only while working inside a group (``set_inside``)."""

    def __init__(self, parent: int | str, add: Callable[[str], None], width: int = 190):
        self.add = add
        self.buttons: dict[str, int] = {}
        self.headers: dict[str, int] = {}
        self.types: dict[str, str] = {}  # type name -> family
        self.inside = False
        with dpg.child_window(parent=parent, width=width, border=False):
            dpg.add_text("Nodes")
            self.search = dpg.add_input_text(hint="search (Enter adds)", width=-1, callback=self._filter)
            self.families = dpg.add_group()
        self.rebuild()

    def rebuild(self) -> None:
        """Make the buttons again from the node types registered now (the library may have changed)."""
        dpg.delete_item(self.families, children_only=True)
        self.buttons, self.headers, self.types = {}, {}, {}
        for family, types in palette().items():
            if not types:
                continue
            with dpg.collapsing_header(label=family, default_open=True, parent=self.families) as h:
                self.headers[family] = h
                for t in types:
                    self._button(t, family)
        self._filter()

    def _button(self, t, family: str) -> None:
        b = dpg.add_button(label=t.name, width=-1, callback=lambda s, a, u: self.add(u), user_data=t.name,
                           payload_type=PAYLOAD)
        with dpg.drag_payload(parent=b, drag_data=t.name, payload_type=PAYLOAD):
            dpg.add_text(f"{t.name}: drop it on the canvas")
        doc = t.doc or (t.__doc__ if family == "library" else "")
        if doc:
            with dpg.tooltip(b):
                dpg.add_text(doc.strip().splitlines()[0], wrap=300)
        self.buttons[t.name] = b
        self.types[t.name] = family

    def set_inside(self, inside: bool) -> None:
        """Working inside a group (its GroupInput and GroupOutput are offered) or not."""
        if inside != self.inside:
            self.inside = inside
            self._filter()

    def offered(self) -> dict[str, str]:
        """Type name -> family of what may be added where the canvas is (see ``INSIDE_ONLY``)."""
        return {n: f for n, f in self.types.items() if self.inside or f not in INSIDE_ONLY}

    def matches(self, text: str | None = None) -> list[str]:
        """Type names matching the search text (name or family), in palette order."""
        return find_types(dpg.get_value(self.search) if text is None else text, self.offered())

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

    def __init__(self, add_at: Callable[[str, tuple[float, float]], None],
                 inside: Callable[[], bool] = lambda: False):
        self.add_at = add_at
        self.inside = inside  # working inside a group (its port nodes are offered)
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
        self.types = type_families(self.inside())  # the library may have changed
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
