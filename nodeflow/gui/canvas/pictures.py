"""Pictures drawn inside nodes: an RGB array on a dynamic texture, fitted into an area.

Used for view nodes (what ``nodeflow.views`` draws) and for the compact picture of a
node's main value when zoomed out (a heat strip for a vector, a swatch for a matrix).
The image lives in canvas units, so it scales with the zoom without being redrawn.
"""
from __future__ import annotations

import numpy as np
import dearpygui.dearpygui as dpg

from ...views.images import diverging

MAX_CELLS = 48  # a compact picture shows at most this many cells a side (bigger values are sampled)


class Picture:
    """One texture and its image item, fitted (aspect kept, unless ``stretch``) into ``area`` = (x, y, w, h);
    ``grow`` False: never drawn bigger than one texture pixel per canvas unit (crisp at 100 %)."""

    def __init__(self, textures: int | str, parent: int | str, area: tuple[float, float, float, float],
                 stretch: bool = False, grow: bool = True):
        self.textures, self.parent, self.area, self.stretch, self.grow = textures, parent, area, stretch, grow
        self.texture: int | None = None
        self.image: int | None = None
        self.size: tuple[int, int] | None = None  # (width, height) of the texture

    def show(self, rgb: np.ndarray | None) -> None:
        """Draw ``rgb`` ((h, w, 3) floats in 0..1), or nothing for None."""
        if rgb is None:
            self.clear()
            return
        h, w = rgb.shape[:2]
        rgba = np.concatenate([rgb, np.ones((h, w, 1))], axis=2).astype(np.float32).ravel()
        if self.size != (w, h):
            self.clear()
            self.texture = dpg.add_dynamic_texture(w, h, rgba, parent=self.textures)
            self.size = (w, h)
            self.image = dpg.draw_image(self.texture, *self._corners(), parent=self.parent)
        else:
            dpg.set_value(self.texture, rgba)

    def _corners(self):
        x, y, aw, ah = self.area
        if self.stretch:
            return (x, y), (x + aw, y + ah)
        w, h = self.size
        s = min(aw / w, ah / h) if self.grow else min(aw / w, ah / h, 1.0)
        x0, y0 = x + (aw - w * s) / 2, y + (ah - h * s) / 2
        return (x0, y0), (x0 + w * s, y0 + h * s)

    def move(self, area: tuple[float, float, float, float]) -> None:
        """Fit into another area."""
        if area != self.area:
            self.area = area
            if self.image is not None:
                pmin, pmax = self._corners()
                dpg.configure_item(self.image, pmin=pmin, pmax=pmax)

    def clear(self) -> None:
        if self.image is not None:
            dpg.delete_item(self.image)
        if self.texture is not None:
            dpg.delete_item(self.texture)
        self.image = self.texture = self.size = None


def compact(value: np.ndarray) -> np.ndarray:
    """A small picture of a vector or matrix: one cell per element (sampled down to
    ``MAX_CELLS`` a side), each cell a few pixels so that cells stay sharp when stretched."""
    a = np.asarray(value, dtype=float)
    m = a.reshape(1, -1) if a.ndim <= 1 else a.reshape(a.shape[0], -1)
    rows = np.linspace(0, m.shape[0] - 1, min(m.shape[0], MAX_CELLS)).round().astype(int)
    cols = np.linspace(0, m.shape[1] - 1, min(m.shape[1], MAX_CELLS)).round().astype(int)
    m = m[np.ix_(rows, cols)]
    cell = max(1, 64 // max(m.shape))
    return np.kron(diverging(m), np.ones((cell, cell, 1)))
