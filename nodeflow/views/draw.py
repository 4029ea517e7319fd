"""Drawing into RGB arrays with numpy: text, markers, lines and plots with axes in raw units.

The view pictures are drawn here, headless, so the editor, the tests and the README
images show the very same pixels. Coordinates are pixels, (x, y) from the top left.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import font
from .images import NEGATIVE, POSITIVE

BACKGROUND = np.array([0.16, 0.16, 0.18])  # like the editor's node bodies
INK = np.array([0.86, 0.86, 0.86])
FAINT = np.array([0.55, 0.55, 0.58])
PLOT_AREA = np.array([0.22, 0.22, 0.25])
GRID = np.array([0.28, 0.28, 0.31])
# class colours: orange and blue first (TensorFlow Playground's two classes), then others
CLASS_COLOURS = np.array([NEGATIVE, POSITIVE, [0.30, 0.69, 0.29], [0.60, 0.40, 0.75],
                          [0.89, 0.25, 0.30], [0.55, 0.36, 0.25], [0.93, 0.45, 0.72], [0.50, 0.50, 0.50],
                          [0.70, 0.70, 0.15], [0.10, 0.72, 0.78]])


def class_colour(k):
    """The colour of class ``k`` (an int, or an array of them: one colour each)."""
    return CLASS_COLOURS[k % len(CLASS_COLOURS)]


class Canvas:
    """An (h, w, 3) picture being drawn."""

    def __init__(self, height: int, width: int, colour=BACKGROUND):
        self.rgb = np.empty((int(height), int(width), 3))
        self.rgb[...] = colour

    @property
    def height(self) -> int:
        return self.rgb.shape[0]

    @property
    def width(self) -> int:
        return self.rgb.shape[1]

    def fill(self, x0: int, y0: int, x1: int, y1: int, colour) -> None:
        """Fill the pixels x0 ≤ x < x1, y0 ≤ y < y1 (clipped to the picture)."""
        x0, x1 = max(0, int(x0)), min(self.width, int(x1))
        y0, y1 = max(0, int(y0)), min(self.height, int(y1))
        if x0 < x1 and y0 < y1:
            self.rgb[y0:y1, x0:x1] = colour

    def paste(self, x: int, y: int, rgb: np.ndarray) -> None:
        h, w = rgb.shape[:2]
        self.rgb[y:y + h, x:x + w] = rgb[: self.height - y, : self.width - x]

    def text(self, x: int, y: int, text: str, colour=INK, align: str = "left", max_chars: int | None = None) -> int:
        """Write one line of text whose top is at ``y``; ``align`` left, right or centre on ``x``.
        Returns its width in pixels."""
        if max_chars is not None and len(text) > max_chars:
            text = text[: max(1, max_chars - 1)] + "~"
        ys, xs, w = font.pixels(text)
        x = int(x - w if align == "right" else x - w // 2 if align == "centre" else x)
        ys, xs = ys + int(y), xs + x
        inside = (ys >= 0) & (ys < self.height) & (xs >= 0) & (xs < self.width)
        self.rgb[ys[inside], xs[inside]] = colour
        return w

    def stamp(self, xs, ys, shape: np.ndarray, colours) -> None:
        """Put the pixels of a small boolean ``shape`` (centred) at every (xs, ys), in ``colours`` (one a point)."""
        oy, ox = np.nonzero(shape)
        oy, ox = oy - shape.shape[0] // 2, ox - shape.shape[1] // 2
        py = np.round(np.asarray(ys, float)).astype(int)[:, None] + oy[None, :]
        px = np.round(np.asarray(xs, float)).astype(int)[:, None] + ox[None, :]
        c = np.broadcast_to(np.asarray(colours, float).reshape(-1, 1, 3), py.shape + (3,))
        inside = (py >= 0) & (py < self.height) & (px >= 0) & (px < self.width)
        self.rgb[py[inside], px[inside]] = c[inside]

    def polyline(self, xs, ys, colour, width: int = 2) -> None:
        """A line through the points (xs[i], ys[i]), one point per column or closer."""
        xs, ys = np.round(np.asarray(xs, float)).astype(int), np.asarray(ys, float)
        ok = np.isfinite(ys)
        for i in range(len(xs) - 1):
            if ok[i] and ok[i + 1]:
                lo, hi = sorted((ys[i], ys[i + 1]))
                self.fill(xs[i], round(lo) - width // 2, max(xs[i + 1], xs[i] + 1), round(hi) - width // 2 + width,
                          colour)


def disc(radius: int) -> np.ndarray:
    r = np.arange(-radius, radius + 1)
    return r[:, None] ** 2 + r[None, :] ** 2 <= radius * radius + radius


def ring(radius: int) -> np.ndarray:
    """A circle two pixels thick."""
    return disc(radius) & ~np.pad(disc(radius - 2), 2)


def square(radius: int, thickness: int = 2) -> np.ndarray:
    s = np.ones((2 * radius + 1, 2 * radius + 1), bool)
    s[thickness:-thickness, thickness:-thickness] = False
    return s


def nice_ticks(lo: float, hi: float, most: int = 5) -> list[float]:
    """Round numbers (1, 2 or 5 × 10^k apart) between lo and hi: as many as fit in ``most``."""
    span = hi - lo
    if not span > 0 or not math.isfinite(span):
        return [lo]
    mag = 10 ** math.floor(math.log10(span / most))
    for step in (m * mag for m in (1, 2, 5, 10, 20, 50)):
        first = math.ceil(lo / step - 1e-9) * step
        count = int((hi - first) / step + 1e-9) + 1
        if count <= most:
            return [round(first + k * step, 12) for k in range(count)]
    return [lo, hi]  # pragma: no cover - one of the steps always fits


def tick_text(v: float) -> str:
    return f"{v:.4g}".replace("e+0", "e").replace("e-0", "e-")


def padded(lo: float, hi: float, share: float = 0.05) -> tuple[float, float]:
    """A range a little wider than [lo, hi] (or around a single value)."""
    if not hi > lo:
        return lo - 1.0, hi + 1.0
    pad = share * (hi - lo)
    return lo - pad, hi + pad


@dataclass
class Axes:
    """A plot area at (left, top) of ``size`` pixels showing x_range × y_range (raw units)."""

    left: int
    top: int
    width: int
    height: int
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def px(self, x) -> np.ndarray:
        lo, hi = self.x_range
        return self.left + (np.asarray(x, float) - lo) / (hi - lo) * (self.width - 1)

    def py(self, y) -> np.ndarray:
        lo, hi = self.y_range
        return self.top + (hi - np.asarray(y, float)) / (hi - lo) * (self.height - 1)

    def grid(self, columns: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """The raw x of ``columns`` evenly spaced pixel centres, and the raw y of ``rows`` (top first)."""
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        return (x0 + (np.arange(columns) + 0.5) / columns * (x1 - x0),
                y1 - (np.arange(rows) + 0.5) / rows * (y1 - y0))


MARGIN_LEFT, MARGIN_TOP, MARGIN_BOTTOM, MARGIN = 8 * font.WIDTH, font.HEIGHT + 6, 2 * font.HEIGHT + 8, 8


def plot(width: int, height: int, x_range, y_range, x_name: str, y_name: str) -> tuple[Canvas, Axes]:
    """A picture with an empty plot area of width × height pixels, ticks and names on both axes
    (the y axis's name above it)."""
    c = Canvas(MARGIN_TOP + height + MARGIN_BOTTOM, MARGIN_LEFT + width + MARGIN)
    ax = Axes(MARGIN_LEFT, MARGIN_TOP, width, height, tuple(x_range), tuple(y_range))
    bottom = ax.top + height
    c.fill(ax.left, ax.top, ax.left + width, bottom, PLOT_AREA)
    for v in nice_ticks(*x_range):
        x = int(round(float(ax.px(v))))
        c.fill(x, ax.top, x + 1, bottom, GRID)
        c.fill(x, bottom, x + 1, bottom + 3, FAINT)
        c.text(x, bottom + 4, tick_text(v), FAINT, "centre")
    for v in nice_ticks(*y_range):
        y = int(round(float(ax.py(v))))
        c.fill(ax.left, y, ax.left + width, y + 1, GRID)
        c.fill(ax.left - 3, y, ax.left, y + 1, FAINT)
        c.text(ax.left - 4, y - font.HEIGHT // 2, tick_text(v), FAINT, "right", max_chars=7)
    c.text(ax.left + width // 2, bottom + 5 + font.HEIGHT, x_name, INK, "centre", max_chars=width // font.WIDTH)
    c.text(2, 2, y_name, INK, max_chars=(MARGIN_LEFT + width) // font.WIDTH)
    return c, ax


def upscale(rgb: np.ndarray, factor: int) -> np.ndarray:
    """Each pixel as a factor × factor block."""
    return np.repeat(np.repeat(rgb, factor, axis=0), factor, axis=1) if factor > 1 else rgb
