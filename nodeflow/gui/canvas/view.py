"""The canvas view: zoom and pan, and the conversions between canvas units and pixels.

Pure arithmetic (no dearpygui), so zooming about the cursor and fitting are tested
headless. ``screen = canvas * zoom + offset``, where screen is in pixels from the
canvas widget's top-left corner.
"""
from __future__ import annotations


Point = tuple[float, float]

MIN_ZOOM, MAX_ZOOM = 0.1, 3.0
NOTCH = 1.15  # zoom factor of one mouse-wheel notch
FIT_MARGIN = 24.0  # pixels left around a fitted graph


class View:
    """Zoom and offset of the canvas; ``version`` counts changes (redraw when it moves)."""

    def __init__(self, size: Point = (800.0, 600.0)):
        self.zoom = 1.0
        self.offset: Point = (0.0, 0.0)
        self.size: Point = size
        self.version = 0

    def _set(self, zoom: float, offset: Point) -> bool:
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        if zoom == self.zoom and offset == self.offset:
            return False
        self.zoom, self.offset = zoom, (float(offset[0]), float(offset[1]))
        self.version += 1
        return True

    def to_screen(self, p: Point) -> Point:
        return (p[0] * self.zoom + self.offset[0], p[1] * self.zoom + self.offset[1])

    def to_canvas(self, s: Point) -> Point:
        return ((s[0] - self.offset[0]) / self.zoom, (s[1] - self.offset[1]) / self.zoom)

    def middle(self) -> Point:
        """The middle of the widget, in pixels."""
        return (self.size[0] / 2, self.size[1] / 2)

    @property
    def center(self) -> Point:
        """The canvas point in the middle of the widget."""
        return self.to_canvas((self.size[0] / 2, self.size[1] / 2))

    def visible(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1): the part of the canvas in view."""
        a, b = self.to_canvas((0.0, 0.0)), self.to_canvas(self.size)
        return (a[0], a[1], b[0], b[1])

    def resize(self, size: Point) -> bool:
        """The widget changed size: keep the same canvas point in the middle."""
        if size == self.size:
            return False
        c = self.center
        self.size = size
        self.look_at(self.zoom, c)
        self.version += 1
        return True

    def look_at(self, zoom: float, center: Point) -> bool:
        """Show ``center`` in the middle at ``zoom``."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        return self._set(zoom, (self.size[0] / 2 - center[0] * zoom, self.size[1] / 2 - center[1] * zoom))

    def zoom_about(self, anchor: Point, factor: float) -> bool:
        """Zoom by ``factor`` keeping the canvas point under ``anchor`` (pixels) where it is."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        p = self.to_canvas(anchor)
        return self._set(zoom, (anchor[0] - p[0] * zoom, anchor[1] - p[1] * zoom))

    def wheel(self, anchor: Point, notches: float) -> bool:
        return self.zoom_about(anchor, NOTCH ** notches)

    def pan(self, dx: float, dy: float) -> bool:
        return self._set(self.zoom, (self.offset[0] + dx, self.offset[1] + dy))

    def fit(self, bounds: tuple[float, float, float, float] | None, max_zoom: float = 1.0) -> bool:
        """Show all of ``bounds`` (x0, y0, x1, y1), centred, at most at ``max_zoom``."""
        if bounds is None:
            return self.look_at(1.0, (self.size[0] / 2, self.size[1] / 2))
        x0, y0, x1, y1 = bounds
        room_w, room_h = max(self.size[0] - 2 * FIT_MARGIN, 1.0), max(self.size[1] - 2 * FIT_MARGIN, 1.0)
        zoom = min(max_zoom, room_w / max(x1 - x0, 1.0), room_h / max(y1 - y0, 1.0))
        return self.look_at(zoom, ((x0 + x1) / 2, (y0 + y1) / 2))

    def contains(self, bounds: tuple[float, float, float, float]) -> bool:
        """True when all of ``bounds`` is in view."""
        v = self.visible()
        return v[0] <= bounds[0] and v[1] <= bounds[1] and bounds[2] <= v[2] and bounds[3] <= v[3]
