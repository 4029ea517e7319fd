"""Wire curves and hit testing, in canvas units (pure: no dearpygui).

A wire is a cubic Bézier leaving its output pin outwards and entering its input pin
from outside the node (a mirrored backward node has its inputs on the right, so its
wires arrive from the right). Hit tests use a polyline sampled once per geometry change.
"""
from __future__ import annotations

import math

Point = tuple[float, float]
Curve = tuple[Point, Point, Point, Point]
SAMPLES = 24  # polyline points per wire for hit tests and label placement


def curve(a: Point, a_side: int, b: Point, b_side: int) -> Curve:
    """The Bézier from pin ``a`` (on the side ``a_side``: +1 right edge, -1 left) to pin ``b``."""
    dx, dy = abs(b[0] - a[0]), abs(b[1] - a[1])
    reach = min(180.0, max(40.0, 0.45 * dx + 0.25 * dy))
    if a_side == b_side:  # same side (a slope wire down to a mirrored delta): a C-shaped loop
        reach = max(reach, 30.0 + 0.35 * dy)
    return (a, (a[0] + a_side * reach, a[1]), (b[0] + b_side * reach, b[1]), b)


def point(c: Curve, t: float) -> Point:
    u = 1.0 - t
    w = (u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t)
    return (sum(k * p[0] for k, p in zip(w, c)), sum(k * p[1] for k, p in zip(w, c)))


def polyline(c: Curve, n: int = SAMPLES) -> list[Point]:
    return [point(c, k / n) for k in range(n + 1)]


def midpoint(line: list[Point]) -> Point:
    """The point halfway along a polyline (by length, not by curve parameter)."""
    seg = [math.dist(p, q) for p, q in zip(line, line[1:])]
    half = sum(seg) / 2
    for (p, q), s in zip(zip(line, line[1:]), seg):
        if half <= s and s > 0:
            f = half / s
            return (p[0] + (q[0] - p[0]) * f, p[1] + (q[1] - p[1]) * f)
        half -= s
    return line[-1]


def length(line: list[Point]) -> float:
    return sum(math.dist(p, q) for p, q in zip(line, line[1:]))


def _seg_dist(p: Point, a: Point, b: Point) -> float:
    vx, vy = b[0] - a[0], b[1] - a[1]
    L = vx * vx + vy * vy
    t = 0.0 if L == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / L))
    return math.dist(p, (a[0] + t * vx, a[1] + t * vy))


def distance(p: Point, line: list[Point]) -> float:
    """Distance from ``p`` to a polyline."""
    return min(_seg_dist(p, a, b) for a, b in zip(line, line[1:]))


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def segments_cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """True when segment ab crosses segment cd."""
    d1, d2 = _cross(c, d, a), _cross(c, d, b)
    d3, d4 = _cross(a, b, c), _cross(a, b, d)
    return (d1 > 0) != (d2 > 0) and (d3 > 0) != (d4 > 0)


def crosses(a: Point, b: Point, line: list[Point]) -> bool:
    """True when the cut from ``a`` to ``b`` crosses a polyline."""
    return any(segments_cross(a, b, p, q) for p, q in zip(line, line[1:]))


def inside(p: Point, r: tuple[float, float, float, float], pad: float = 0.0) -> bool:
    """Is ``p`` in rectangle ``r`` = (x, y, w, h), grown by ``pad``?"""
    return r[0] - pad <= p[0] <= r[0] + r[2] + pad and r[1] - pad <= p[1] <= r[1] + r[3] + pad


def overlaps(r: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    """Does rectangle ``r`` (x, y, w, h) overlap ``box`` (x0, y0, x1, y1)?"""
    return r[0] < box[2] and box[0] < r[0] + r[2] and r[1] < box[3] and box[1] < r[1] + r[3]


SPOTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)  # where along a wire its label may go, best first


def along(line: list[Point], fractions=SPOTS) -> list[Point]:
    """Points at the given fractions of a polyline's length."""
    seg = [math.dist(p, q) for p, q in zip(line, line[1:])]
    total = sum(seg) or 1.0
    out = []
    for f in fractions:
        left = f * total
        for (p, q), s in zip(zip(line, line[1:]), seg):
            if left <= s and s > 0:
                k = left / s
                out.append((p[0] + (q[0] - p[0]) * k, p[1] + (q[1] - p[1]) * k))
                break
            left -= s
        else:
            out.append(line[-1])
    return out


class Grid:
    """Rectangles (x0, y0, x1, y1) in buckets, for quick overlap questions."""

    def __init__(self, cell: float = 120.0):
        self.cell = cell
        self.buckets: dict[tuple[int, int], list] = {}

    def _keys(self, r):
        c = self.cell
        for i in range(int(r[0] // c), int(r[2] // c) + 1):
            for j in range(int(r[1] // c), int(r[3] // c) + 1):
                yield (i, j)

    def add(self, r) -> None:
        for k in self._keys(r):
            self.buckets.setdefault(k, []).append(r)

    def hits(self, r) -> bool:
        return any(q[0] < r[2] and r[0] < q[2] and q[1] < r[3] and r[1] < q[3]
                   for k in self._keys(r) for q in self.buckets.get(k, ()))


def place_labels(labels: list[tuple[object, list[Point], float, float]], obstacles) -> dict[object, Point]:
    """Centres for labels (key, candidate spots, width, height) that cover no obstacle and no other
    label: each takes its first free spot, in the order given; a label with none is left out."""
    grid = Grid()
    for r in obstacles:
        grid.add(r)
    out = {}
    for key, spots, w, h in labels:
        for x, y in spots:
            r = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            if not grid.hits(r):
                grid.add(r)
                out[key] = (x, y)
                break
    return out
