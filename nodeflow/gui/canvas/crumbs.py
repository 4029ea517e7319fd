"""The path back out of the groups opened, drawn across the top of the canvas (in pixels).

``graph › layer 1 › inner``: the file, then each group opened; clicking one goes back to
it. While a group is open the canvas also gets a thin frame in the group colour, so it is
plain that what is shown is an inside.
"""
from __future__ import annotations

import dearpygui.dearpygui as dpg

from ...document.layout import text_width
from ..wires import FAMILY_COLOURS
from . import geometry, style

FONT = 14.0
PAD, GAP, INSET, HEIGHT = 8.0, 18.0, 8.0, 24.0
SEPARATOR = "›"
HINT = "U: back out"
ACCENT = FAMILY_COLOURS["group"]


class Crumbs:
    def __init__(self, drawlist):
        self.root = dpg.add_draw_node(parent=drawlist, show=False)
        self.frame = dpg.draw_rectangle((0, 0), (1, 1), color=ACCENT, thickness=3.0, parent=self.root)
        self.items = dpg.add_draw_node(parent=self.root)
        self.chips: list[tuple[float, float, float, float]] = []  # (x, y, w, h) of each, outermost first
        self.labels: list[str] = []
        self.size = (0.0, 0.0)

    def show(self, labels: list[str]) -> None:
        """Draw the path ``labels`` (the file, then each group opened); nothing at the top level."""
        self.labels = list(labels)
        dpg.delete_item(self.items, children_only=True)
        self.chips = []
        if len(labels) < 2:
            dpg.configure_item(self.root, show=False)
            return
        x = INSET
        for k, label in enumerate(labels):
            w = text_width(label, FONT) + 2 * PAD
            last = k == len(labels) - 1
            dpg.draw_rectangle((x, INSET), (x + w, INSET + HEIGHT), rounding=4, parent=self.items,
                               color=ACCENT if last else style.EDGE, fill=style.dim(ACCENT, 0.8) if last else style.LABEL_BG)
            dpg.draw_text((x + PAD, INSET + (HEIGHT - FONT) / 2 - 1), label, size=FONT, parent=self.items,
                          color=style.TEXT if last else style.PIN_TEXT)
            self.chips.append((x, INSET, w, HEIGHT))
            x += w
            if not last:
                dpg.draw_text((x + (GAP - text_width(SEPARATOR, FONT)) / 2, INSET + (HEIGHT - FONT) / 2 - 1), SEPARATOR,
                              size=FONT, color=style.PIN_TEXT, parent=self.items)
                x += GAP
        dpg.draw_text((x + GAP, INSET + (HEIGHT - 12.0) / 2), HINT, size=12.0, color=style.OPTIONAL_TEXT,
                      parent=self.items)
        dpg.configure_item(self.root, show=True)

    def resize(self, size: tuple[float, float]) -> None:
        self.size = size
        dpg.configure_item(self.frame, pmin=(1.5, 1.5), pmax=(size[0] - 1.5, size[1] - 1.5))

    def hit(self, px) -> int | None:
        """The depth of the chip at pixel ``px`` (0: the document), or None."""
        for k, r in enumerate(self.chips):
            if geometry.inside(px, r):
                return k
        return None

    def rect(self) -> tuple[float, float, float, float] | None:
        """Where the path is drawn (x, y, w, h in pixels), hint included; None when not shown."""
        if not self.chips:
            return None
        x, y, w, h = self.chips[-1]
        return (INSET, y, x + w + GAP + text_width(HINT, 12.0) - INSET, h)
