"""The minimap: the whole graph in small in a corner, with the part in view outlined.

It shows only when part of the graph is out of view, in the corner that covers the
fewest nodes on screen (none, when any corner is free). Clicking or dragging in it
moves the view there.
"""
from __future__ import annotations

import dearpygui.dearpygui as dpg

from . import geometry, style

MAX_SIZE = (210.0, 140.0)
INSET = 10.0
CORNERS = ("bottom right", "bottom left", "top right", "top left")


def corner_rect(corner: str, size, canvas) -> tuple[float, float, float, float]:
    """(x, y, w, h) of a minimap of ``size`` in ``corner`` of a canvas of ``canvas`` pixels."""
    w, h = size
    x = canvas[0] - w - INSET if "right" in corner else INSET
    y = canvas[1] - h - INSET if "bottom" in corner else INSET
    return (x, y, w, h)


def best_corner(size, canvas, node_rects) -> str:
    """The corner whose minimap would cover the fewest nodes (screen rects), bottom right first."""
    def covered(corner):
        x, y, w, h = corner_rect(corner, size, canvas)
        return sum(geometry.overlaps(r, (x - 4, y - 4, x + w + 4, y + h + 4)) for r in node_rects)
    return min(CORNERS, key=lambda c: (covered(c), CORNERS.index(c)))


class Minimap:
    def __init__(self, drawlist):
        self.root = dpg.add_draw_node(parent=drawlist, show=False)
        self.bg = dpg.draw_rectangle((0, 0), (1, 1), color=style.EDGE, fill=style.MINIMAP_BG, rounding=4,
                                     parent=self.root)
        self.nodes_layer = dpg.add_draw_node(parent=self.root)
        self.frame = dpg.draw_rectangle((0, 0), (1, 1), color=style.MINIMAP_VIEW, thickness=1.5, parent=self.root)
        self.rect: tuple[float, float, float, float] | None = None  # where it is on the canvas (pixels)
        self.map: tuple[float, float, float] = (1.0, 0.0, 0.0)  # scale, offset x, y: canvas units -> pixels
        self.shown_nodes: tuple | None = None

    def update(self, bounds, node_rects_canvas: dict, screen_rects: list, view, held: bool = False) -> None:
        """Place and draw it for graph ``bounds`` (x0, y0, x1, y1) and the current view; ``held``:
        it is being dragged in, so it stays where it is."""
        if not held and (bounds is None or view.contains(bounds)):
            self.rect = None
            dpg.configure_item(self.root, show=False)
            return
        x0, y0, x1, y1 = bounds
        if not held or self.rect is None:
            gw, gh = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
            s = min(MAX_SIZE[0] / gw, MAX_SIZE[1] / gh)
            size = (gw * s + 8, gh * s + 8)
            self.rect = corner_rect(best_corner(size, view.size, screen_rects), size, view.size)
            self.map = (s, self.rect[0] + 4 - x0 * s, self.rect[1] + 4 - y0 * s)
        rx, ry, rw, rh = self.rect
        dpg.configure_item(self.bg, pmin=(rx, ry), pmax=(rx + rw, ry + rh))
        key = (self.map, tuple(sorted(node_rects_canvas.items())))
        if key != self.shown_nodes:
            self.shown_nodes = key
            dpg.delete_item(self.nodes_layer, children_only=True)
            for (x, y, w, h), colour in node_rects_canvas.values():
                a, b = self.to_map((x, y)), self.to_map((x + w, y + h))
                dpg.draw_rectangle(a, b, color=(0, 0, 0, 0), fill=colour, parent=self.nodes_layer)
        vx0, vy0, vx1, vy1 = view.visible()
        a, b = self.to_map((max(vx0, x0 - 40), max(vy0, y0 - 40))), self.to_map((min(vx1, x1 + 40), min(vy1, y1 + 40)))
        dpg.configure_item(self.frame, pmin=(max(a[0], rx), max(a[1], ry)), pmax=(min(b[0], rx + rw), min(b[1], ry + rh)))
        dpg.configure_item(self.root, show=True)

    def to_map(self, p):
        s, ox, oy = self.map
        return (p[0] * s + ox, p[1] * s + oy)

    def to_canvas(self, px):
        """The canvas point under a pixel of the minimap."""
        s, ox, oy = self.map
        return ((px[0] - ox) / s, (px[1] - oy) / s)

    def hit(self, px) -> bool:
        return self.rect is not None and geometry.inside(px, self.rect)
