"""What a gesture draws while it lasts: the wire being dragged, the selection box, the cut line."""
from __future__ import annotations

import dearpygui.dearpygui as dpg

from . import geometry, style


class Overlay:
    def __init__(self, parent):
        self.root = dpg.add_draw_node(parent=parent)
        self.curve = dpg.draw_bezier_cubic((0, 0), (0, 0), (0, 0), (0, 0), color=style.PREVIEW, thickness=2.0,
                                           parent=self.root, show=False)
        self.rect = dpg.draw_rectangle((0, 0), (0, 0), color=style.BOX, fill=style.BOX[:3] + (40,), thickness=1.0,
                                       parent=self.root, show=False)
        self.line = dpg.draw_line((0, 0), (0, 0), color=style.KNIFE, thickness=2.0, parent=self.root, show=False)

    def wire(self, pin, to, direction: str) -> None:
        """A wire from ``pin`` = ((x, y), side) to the mouse at ``to``."""
        (x, y), side = pin
        c = geometry.curve((x, y), side, to, -side) if direction == "out" else geometry.curve(to, -side, (x, y), side)
        dpg.configure_item(self.curve, p1=c[0], p2=c[1], p3=c[2], p4=c[3], show=True)

    def box(self, a, b) -> None:
        dpg.configure_item(self.rect, pmin=(min(a[0], b[0]), min(a[1], b[1])),
                           pmax=(max(a[0], b[0]), max(a[1], b[1])), show=True)

    def knife(self, a, b) -> None:
        dpg.configure_item(self.line, p1=a, p2=b, show=True)

    def clear(self) -> None:
        for item in (self.curve, self.rect, self.line):
            dpg.configure_item(item, show=False)
