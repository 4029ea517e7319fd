"""The pulses on screen: a head and a fainter tail per pulse, moved along its wire each frame.

Each pulse keeps its two dots (from a pool) while it flies, so a frame only moves them;
a dot is styled the first time it comes into view, and dots out of view are not touched.
"""
from __future__ import annotations

import dearpygui.dearpygui as dpg

from . import geometry, style

SHAPES = ((0.0, 1.0, 255, 255), (0.08, 0.6, 140, 0))  # (how far behind, radius scale, fill alpha, ring alpha)


class Dots:
    def __init__(self, parent):
        self.parent = parent
        self.made: list[int] = []  # every dot ever made
        self.of: dict = {}  # pulse in flight -> its dots
        self.free: list[int] = []
        self.shown: dict[int, bool | None] = {}  # dot -> shown (None: not styled for its pulse yet)

    def draw(self, flying, wires, visible) -> None:
        """``flying``: (pulse, fraction of the way); ``wires``: link -> WireItem; ``visible``: (x0, y0, x1, y1)."""
        alive = set()
        for p, t in flying:
            w = wires.get(p.link)
            if w is None:
                continue
            alive.add(p)
            dots = self.of.get(p) or self._take(p)
            for item, shape in zip(dots, SHAPES):
                self._move(item, shape, geometry.point(w.curve_points, max(t - shape[0], 0.0)), p.phase, visible)
        for p in [p for p in self.of if p not in alive]:
            for item in self.of.pop(p):
                if self.shown.get(item):
                    dpg.configure_item(item, show=False)
                self.shown[item] = False
                self.free.append(item)

    def _take(self, pulse) -> list[int]:
        dots = []
        for _ in SHAPES:
            if self.free:
                item = self.free.pop()
            else:
                item = dpg.draw_circle((0, 0), 1, parent=self.parent, show=False)
                self.made.append(item)
            self.shown[item] = None
            dots.append(item)
        self.of[pulse] = dots
        return dots

    def _move(self, item: int, shape, at, phase: str, visible) -> None:
        x0, y0, x1, y1 = visible
        on = x0 <= at[0] <= x1 and y0 <= at[1] <= y1
        if on and self.shown[item] is None:
            _, scale, alpha, ring = shape
            colour = style.PHASE_COLOURS.get(phase, style.PREVIEW)
            dpg.configure_item(item, center=at, show=True, radius=style.PULSE_RADIUS * scale,
                               fill=colour[:3] + (alpha,), color=(255, 255, 255, ring))
        elif on:
            dpg.configure_item(item, center=at, show=True)
        elif self.shown[item]:
            dpg.configure_item(item, show=False)
        if on or self.shown[item] is not None:
            self.shown[item] = on
