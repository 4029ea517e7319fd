"""The drawn items of one node and of one wire (dearpygui drawing API, canvas units).

Everything is drawn in canvas units under the canvas's transform, so panning and
zooming move and scale it without touching these items; only what does not scale with
the transform (text sizes, circle radii, line thickness) is set again when the zoom
changes, and only what changed is written when values change.
"""
from __future__ import annotations

from dataclasses import dataclass

import dearpygui.dearpygui as dpg

from ...document import layout
from ...document.layout import BOTTOM, PAD, PIN_FONT, TITLE_FONT, TITLE_H, VALUE_W, Box, fit_text, text_width
from ...nodes.base import Port
from .. import wires
from . import geometry, style
from .pictures import Picture, compact

Point = tuple[float, float]


def _text(parent, pos: Point, text: str, size: float, colour) -> int:
    return dpg.draw_text(pos, text, size=size, color=colour, parent=parent)


STACK = 6.0  # a group is drawn as a stack of cards: the one behind is offset this much


@dataclass(frozen=True)
class Look:
    """What a node is drawn from, besides its label, place and values: its box, its ports (an
    Expression's and a Group's follow its parameters), the family it works as, and whether it is
    a group. A node is drawn again when its look changes (a new formula, an edited group)."""

    box: Box
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]
    family: str
    group: bool
    sized: bool  # its type says how big its picture is (text and axes in it): shown at most at that size

    @classmethod
    def of(cls, g, node: str) -> "Look":
        t = g.type_of(node)
        return cls(layout.box(g, node), tuple(g.inputs(node)), tuple(g.outputs(node)), layout.acts_as(g, node),
                   t.name == "Group", t.picture_area is not None)


class NodeItem:
    """One node: body, title, pins with names and values, badges, and a picture or text area."""

    def __init__(self, layer, textures, node: str, look: Look, label: str, pos):
        self.node, self.spec, self.label = node, look, label
        self.box: Box = look.box
        self.pos: Point = (float(pos[0]), float(pos[1]))
        self.family = style.family_colour(look.family)
        self.texts: list[tuple[int, float]] = []  # pin names and values: (text item, size in canvas units)
        self.zoom: float | None = None  # the zoom its sizes were last set for
        self.extras: dict[int, bool] = {}  # badge / note -> shown
        self.pending: dict = {}  # output -> a value not shown yet (the node was out of view)
        self.values: dict[str, int] = {}  # output -> its value text
        self.shown: dict[int, object] = {}  # item -> what it shows (so unchanged things are not written)
        self.look = None
        self.detail_shown = True  # the level of detail drawn (pin names and values, or compact)
        b = self.box
        self.root = dpg.add_draw_node(parent=layer)
        r = self.root
        dpg.draw_rectangle((3, 4), (b.w + 3, b.h + 4), color=(0, 0, 0, 0), fill=style.SHADOW, rounding=6, parent=r)
        if look.group:  # the card behind: a group holds more than it shows
            dpg.draw_rectangle((STACK, -STACK), (b.w + STACK, b.h - STACK), color=style.EDGE,
                               fill=style.dim(self.family, 0.75), rounding=5, parent=r)
        self.ring = dpg.draw_rectangle((-3, -3), (b.w + 3, b.h + 3), color=(0, 0, 0, 0), thickness=3, rounding=7,
                                       parent=r)
        self.body = dpg.draw_rectangle((0, 0), (b.w, b.h), color=style.EDGE, fill=style.BODY, rounding=5, parent=r)
        self.bar = dpg.add_draw_node(parent=r)
        dpg.draw_rectangle((0, 0), (b.w, TITLE_H), color=(0, 0, 0, 0), fill=self.family, rounding=5, parent=self.bar)
        dpg.draw_rectangle((0, TITLE_H / 2), (b.w, TITLE_H), color=(0, 0, 0, 0), fill=self.family, thickness=0,
                           parent=self.bar)
        self.bar_items = dpg.get_item_children(self.bar, 2)
        self.title = _text(r, (PAD, (TITLE_H - TITLE_FONT) / 2), label, TITLE_FONT, style.TEXT)
        self.detail = dpg.add_draw_node(parent=r)
        self.pins: dict[tuple[str, str], int] = {}
        self._pins(look)
        if b.caption:  # an Expression's formula, under its pins
            y = b.caption_y - PIN_FONT / 2
            self.texts.append((_text(self.detail, (PAD, y), b.caption, PIN_FONT, style.CAPTION_TEXT), PIN_FONT))
        self.compact = dpg.add_draw_node(parent=r, show=False)
        self.number = _text(self.compact, (PAD, TITLE_H), "", PIN_FONT, style.VALUE_TEXT)
        self.swatch = Picture(textures, self.compact, (PAD, TITLE_H + 2, b.w - 2 * PAD, b.h - TITLE_H - BOTTOM),
                              stretch=True)
        self.picture = Picture(textures, r, b.display, grow=not look.sized) if b.display else None
        self.note = _text(r, (PAD, (b.display or (0, TITLE_H))[1] + 4), "", 12.0, style.OPTIONAL_TEXT)
        self.badge = _text(r, (0, -17), "", PIN_FONT, style.TEXT)
        self.place(self.pos)

    def _pins(self, look: Look) -> None:
        b = self.box
        for direction, ports in (("in", look.inputs), ("out", look.outputs)):
            for p in ports:
                x, y = b.pin(p.name, direction)
                r = style.PIN_RADIUS  # a disc that scales with the view: a rectangle rounded all the way
                self.pins[(p.name, direction)] = dpg.draw_rectangle((x - r, y - r), (x + r, y + r), rounding=99,
                                                                    color=(20, 20, 24, 255), fill=style.PIN,
                                                                    parent=self.root)
                left = x == 0.0
                name = b.pin_name(p.name, direction)
                w = text_width(name, PIN_FONT)
                colour = style.OPTIONAL_TEXT if p.optional else style.PIN_TEXT
                at = (PAD if left else b.w - PAD - w, y - PIN_FONT / 2)
                self.texts.append((_text(self.detail, at, name, PIN_FONT, colour), PIN_FONT))
                if direction == "out":
                    self.values[p.name] = _text(self.detail, at, "", PIN_FONT, style.VALUE_TEXT)
                    self.texts.append((self.values[p.name], PIN_FONT))

    # -- where ---------------------------------------------------------------------------
    def place(self, pos: Point) -> None:
        self.pos = (float(pos[0]), float(pos[1]))
        dpg.apply_transform(self.root, dpg.create_translation_matrix([self.pos[0], self.pos[1]]))

    def rect(self) -> tuple[float, float, float, float]:
        return (self.pos[0], self.pos[1], self.box.w, self.box.h)

    def pin_at(self, port: str, direction: str) -> tuple[Point, int]:
        """A pin's centre in canvas units and the side its wires leave or enter by (+1 right, -1 left)."""
        x, y = self.box.pin(port, direction)
        return (self.pos[0] + x, self.pos[1] + y), (1 if x > 0 else -1)

    # -- what ----------------------------------------------------------------------------
    def _set(self, item: int, **kw) -> None:
        """Configure ``item`` unless it already shows exactly that."""
        key = tuple(sorted(kw.items()))
        if self.shown.get(item) != key:
            self.shown[item] = key
            dpg.configure_item(item, **kw)

    def set_label(self, label: str, zoom: float) -> None:
        self.label = label
        self.zoom = None
        self.zoomed(zoom)

    @staticmethod
    def value_text(value) -> str:
        """A value as it fits beside a pin."""
        text = wires.short_value(value)
        return text if text_width(text, PIN_FONT) <= VALUE_W else wires.short_value(value, 5)

    def show_value(self, port: str, value, visible: bool = True) -> None:
        """The value beside an output pin (right-aligned against its name; after it when mirrored);
        off screen, it waits (``catch_up``) until the node comes into view."""
        if not visible:
            self.pending[port] = value
            return
        self.pending.pop(port, None)
        text = self.value_text(value)
        x, y, _ = self.box.value_slot(port)
        w = text_width(text, PIN_FONT)
        self._set(self.values[port], text=text, pos=(x if self.box.flipped else x - w, y - PIN_FONT / 2))

    def catch_up(self) -> None:
        """Show the values that arrived while the node was out of view."""
        for port, value in list(self.pending.items()):
            self.show_value(port, value)

    def show_compact(self, value, picture: bool) -> None:
        """Zoomed out: a number for a scalar, else a heat strip or swatch (``picture``: redraw it now)."""
        if value is None or value.size == 1:
            self.swatch.clear()
            self._set(self.number, text="-" if value is None else wires.fmt_number(float(value.reshape(-1)[0]), 3))
        elif picture:
            self._set(self.number, text="")
            self.swatch.show(compact(value))

    def show_badge(self, text: str, colour) -> None:
        self._set(self.badge, text=text, color=colour, show=bool(text))
        self.extras[self.badge] = bool(text)
        self._size_extras()

    def show_note(self, text: str) -> None:
        self._set(self.note, text=text, show=bool(text))
        self.extras[self.note] = bool(text)
        self._size_extras()

    def _size_extras(self) -> None:
        """The badge and the note (when shown) at the current zoom."""
        if self.zoom is not None:
            for item, size in ((self.badge, PIN_FONT), (self.note, 12.0)):
                if self.extras.get(item):
                    self._set_size(item, size * self.zoom)

    def _set_size(self, item: int, px: float) -> None:
        if self.shown.get(("size", item)) != px:
            self.shown[("size", item)] = px
            dpg.configure_item(item, size=px)

    def set_look(self, ring, thickness: float, dimmed: bool) -> None:
        """Outline (selection, phase highlight, NaN) and dimming (pending or skipped nodes)."""
        look = (ring, thickness, dimmed)
        if look == self.look:
            return
        self.look = look
        dpg.configure_item(self.ring, color=ring or (0, 0, 0, 0), thickness=thickness)
        self._fill_body()
        for item in self.bar_items:
            dpg.configure_item(item, fill=style.dim(self.family) if dimmed else self.family)
        dpg.configure_item(self.title, color=style.DIM_TEXT if dimmed else style.TEXT)

    def _fill_body(self) -> None:
        """Zoomed in, a dark body under a coloured title bar; zoomed out, the family's colour throughout."""
        dimmed = bool(self.look and self.look[2])
        if self.detail_shown:
            fill = style.BODY_DIM if dimmed else style.BODY
        else:
            fill = style.dim(self.family, 0.35 if dimmed else 0.7)
        dpg.configure_item(self.body, fill=fill)

    def zoomed(self, zoom: float) -> None:
        """Text sizes (they do not follow the transform) and the level of detail for this zoom;
        pin names and values only while they are shown."""
        if zoom == self.zoom:
            return
        self.zoom = zoom
        detail = zoom >= style.DETAIL_ZOOM
        b = self.box
        if detail:
            for item, size in self.texts:
                self._set_size(item, size * zoom)
        self._size_extras()
        px = TITLE_FONT * zoom if detail else max(TITLE_FONT * zoom, style.MIN_TITLE_PX)
        size = px / zoom
        text = fit_text(self.label, size, b.w - 2 * PAD) if b.w * zoom >= style.TINY_PX else ""
        y = (TITLE_H - size) / 2 if detail else 3.0 / zoom
        dpg.configure_item(self.title, text=text, size=px, pos=(PAD, y))
        if not detail:
            top = y + size + 2.0 / zoom
            num = max(PIN_FONT * zoom, style.MIN_LABEL_PX)
            dpg.configure_item(self.number, size=num, pos=(PAD, top))
            bottom = b.h - BOTTOM if b.display is None else b.display[1] - 4.0
            self.swatch.move((PAD, top, b.w - 2 * PAD, max(bottom - top, 3.0 / zoom)))
        if detail != self.detail_shown:
            self.detail_shown = detail
            dpg.configure_item(self.detail, show=detail)
            dpg.configure_item(self.compact, show=not detail)
            dpg.configure_item(self.bar, show=detail)
            self._fill_body()

    def delete(self) -> None:
        self.swatch.clear()
        if self.picture is not None:
            self.picture.clear()
        dpg.delete_item(self.root)


class WireItem:
    """One wire: a Bézier curve whose colour and thickness follow its value, and a label (placed
    by the canvas where it covers no node and no other label)."""

    def __init__(self, wire_layer, label_layer, link):
        self.link = link
        self.curve = dpg.draw_bezier_cubic((0, 0), (0, 0), (0, 0), (0, 0), color=wires.IDLE_WIRE, thickness=1.5,
                                           parent=wire_layer)
        self.label = dpg.add_draw_node(parent=label_layer, show=False)
        self.bg = dpg.draw_rectangle((0, 0), (1, 1), color=(0, 0, 0, 0), fill=style.LABEL_BG, rounding=3,
                                     parent=self.label)
        self.text = dpg.draw_text((0, 0), "", size=style.LABEL_FONT, color=style.TEXT, parent=self.label)
        self.curve_points: geometry.Curve = ((0.0, 0.0),) * 4
        self.line: list[Point] = []
        self.spots: list[Point] = []  # where its label may go, best first
        self.mid: Point = (0.0, 0.0)
        self.value = ("", wires.IDLE_WIRE, 1.5)  # label text, colour, thickness at 100 %
        self.selected = False
        self.drawn: tuple | None = None  # (colour, px) on screen
        self.at: Point | None = None  # where its label is (None: no room)
        self.label_drawn: tuple | None = None
        self.length = 0.0
        self.bbox = (0.0, 0.0, 0.0, 0.0)
        self.zoom: float | None = None
        self.stale = False  # its value changed while it was out of view
        self.label_px = 0.0
        self._size: tuple | None = None  # (text, zoom) -> label size, the last one asked

    def place(self, a: Point, a_side: int, b: Point, b_side: int, zoom: float) -> None:
        c = geometry.curve(a, a_side, b, b_side)
        dpg.configure_item(self.curve, p1=c[0], p2=c[1], p3=c[2], p4=c[3])
        self.curve_points = c
        self.line = geometry.polyline(c)
        self.spots = geometry.along(self.line)
        self.mid = self.spots[0]
        self.length = geometry.length(self.line)
        xs, ys = [p[0] for p in self.line], [p[1] for p in self.line]
        self.bbox = (min(xs), min(ys), max(xs), max(ys))

    def within(self, box) -> bool:
        """Does the wire's bounding box overlap ``box`` (x0, y0, x1, y1)?"""
        b = self.bbox
        return b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3]

    def show(self, text: str, colour, thickness: float, zoom: float, visible: bool = True) -> None:
        """A new value: drawn now if the wire is in view, else when it comes into view."""
        if (text, colour, thickness) != self.value:
            self.value = (text, colour, thickness)
            self.stale = not visible
            if visible:
                self.zoomed(zoom)

    @staticmethod
    def text_size(zoom: float) -> float:
        """The label's text size in canvas units (zoomed out it keeps a readable size on screen)."""
        return max(style.LABEL_FONT * zoom, style.MIN_LABEL_PX) / zoom

    def label_size(self, zoom: float) -> tuple[float, float] | None:
        """(width, height) its label needs, in canvas units; None without a value."""
        if not self.value[0]:
            return None
        key = (self.value[0], zoom)
        if self._size is None or self._size[0] != key:
            size = self.text_size(zoom)
            self._size = (key, (text_width(self.value[0], size) + 6.0 / zoom, size + 3.6 / zoom))
        return self._size[1]

    def put_label(self, at: Point | None, zoom: float) -> None:
        self.at = at
        self.zoomed(zoom)

    def zoomed(self, zoom: float) -> None:
        self.zoom, self.stale = zoom, False
        text, colour, thickness = self.value
        drawn = (style.SELECTED_WIRE if self.selected else colour,
                 style.wire_px(thickness, zoom) + (1.5 if self.selected else 0.0))
        if drawn != self.drawn:
            self.drawn = drawn
            dpg.configure_item(self.curve, color=drawn[0], thickness=drawn[1])
        size = self.text_size(zoom)
        shown = (text, colour, self.at, size) if text and self.at is not None else None
        if shown == self.label_drawn:
            if shown is not None and self.label_px != size * zoom:  # zoomed in detail: only the text size
                self.label_px = size * zoom
                dpg.configure_item(self.text, size=self.label_px)
            return
        self.label_drawn = shown
        if shown is None:
            dpg.configure_item(self.label, show=False)
            return
        w, pad = text_width(text, size), 3.0 / zoom
        x, y = self.at[0] - w / 2, self.at[1] - size / 2
        light = tuple(int(v + (255 - v) * 0.35) for v in colour[:3]) + (255,)
        dpg.configure_item(self.bg, pmin=(x - pad, y - pad * 0.6), pmax=(x + w + pad, y + size + pad * 0.6))
        self.label_px = size * zoom
        dpg.configure_item(self.text, pos=(x, y), text=text, size=self.label_px, color=light)
        dpg.configure_item(self.label, show=True)

    def delete(self) -> None:
        dpg.delete_item(self.curve)
        dpg.delete_item(self.label)
