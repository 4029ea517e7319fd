"""Pictures of the function the network computes: decision regions, a fitted curve, and each
hidden unit over the input plane; all in the data's own units, from a forward pass over a grid
on a copy of the run (numpy batch forms: a few milliseconds, cheap enough to redraw live)."""
from __future__ import annotations

import math

import numpy as np

from ..errors import NodeflowError
from . import NOTHING_WIRED, NoPicture, Picture, ViewContext, view
from .draw import FAINT, Axes, Canvas, class_colour, disc, padded, plot, ring, square, upscale
from .font import HEIGHT
from .images import BAD, NEGATIVE, POSITIVE, diverging

PALE = np.array([0.95, 0.95, 0.95])  # a region where the network is undecided
REGION_STRENGTH = 0.7  # how far a sure region goes from pale towards its class colour
CELL = 2  # screen pixels per grid point of the decision regions


def wired(ctx: ViewContext, what: str, *, inputs: int | None = None, task: str | None = None, port: str = "y"):
    """(session, data, the output port wired into ``port``); raises NoPicture, saying why ``what``
    cannot be drawn, when nothing is wired, or the data has not ``inputs`` features or is not of
    ``task`` ("class")."""
    s = ctx.session
    w = s.graph.wire_into(ctx.node, port) if s is not None else None
    if w is None:
        raise NoPicture(NOTHING_WIRED.note)
    try:
        data = s.plan.data
    except NodeflowError as e:
        raise NoPicture(str(e)) from None
    if inputs is not None and data.shapes[0] != inputs:
        raise NoPicture(f"{what}: for data with {inputs} input{'s' if inputs > 1 else ''}; {data.name} has "
                        f"{data.shapes[0]}")
    if task == "class" and data.task != "class":
        raise NoPicture(f"{what}: for classes; {data.name} has a numeric target")
    return s, data, (w.src, w.src_port)


def classes_of(T: np.ndarray) -> np.ndarray:
    """Each row's class: the target's argmax, or t ≥ 0.5 for a single output."""
    return (T[:, 0] >= 0.5).astype(int) if T.shape[1] == 1 else T.argmax(axis=1)


def region_colours(y: np.ndarray) -> np.ndarray:
    """The colour of each output row: its class's colour, paler the less sure the network is."""
    y = np.atleast_2d(np.asarray(y, dtype=float))
    if y.shape[1] == 1:
        t = 2.0 * y[:, 0] - 1.0
        cls, sure = (t >= 0).astype(int), np.clip(np.abs(t), 0.0, 1.0)
    else:
        k = y.shape[1]
        cls, sure = y.argmax(axis=1), np.clip((y.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    rgb = PALE + (REGION_STRENGTH * sure)[:, None] * (class_colour(cls) - PALE)
    rgb[~np.isfinite(y).all(axis=1)] = BAD
    return rgb


def plane(data, size: int, cell: int = CELL) -> tuple[tuple, tuple, np.ndarray]:
    """The input plane a picture shows: x and y ranges (raw units, the data's padded) and the raw
    grid points, one per ``cell`` pixels, row by row from the top left."""
    raw = data.X_raw
    x_range, y_range = padded(raw[:, 0].min(), raw[:, 0].max()), padded(raw[:, 1].min(), raw[:, 1].max())
    n = math.ceil(size / cell)
    xs, ys = Axes(0, 0, size, size, x_range, y_range).grid(n, n)
    gx, gy = np.meshgrid(xs, ys)
    return x_range, y_range, np.stack([gx.ravel(), gy.ravel()], axis=1)


def draw_points(c: Canvas, ax: Axes, data, colours_of) -> None:
    """Training samples as discs, test samples as squares, each in ``colours_of(rows)``, outlined."""
    raw = data.X_raw
    r = 3 if len(raw) <= 150 else 2  # smaller markers when there are many
    for rows, outer, inner in ((data.train, disc(r + 1), disc(r)), (data.test, square(r + 1, 3), square(r, 2))):
        if len(rows):
            xs, ys = ax.px(raw[rows, 0]), ax.py(raw[rows, -1] if raw.shape[1] > 1 else data.decode(data.T)[rows, 0])
            c.stamp(xs, ys, outer, np.tile(PALE, (len(rows), 1)))
            c.stamp(xs, ys, inner, colours_of(rows))


@view("DecisionRegions", reads_run=True)
def decision_regions(ctx: ViewContext) -> Picture:
    s, data, port = wired(ctx, "decision regions", inputs=2, task="class")
    size = ctx.params["size"]
    x_range, y_range, grid = plane(data, size)
    y = s.forward(data.encode(grid), [port])[port]
    n = math.ceil(size / CELL)
    c, ax = plot(size, size, x_range, y_range, data.features[0], data.features[1])
    c.paste(ax.left, ax.top, upscale(region_colours(y).reshape(n, n, 3), CELL)[:size, :size])
    if ctx.params["points"]:
        cls = classes_of(data.T)
        draw_points(c, ax, data, lambda rows: 0.8 * class_colour(cls[rows]))
    if ctx.probe is not None:
        mark_probe(c, ax, *ctx.probe.raw_input[:2])
    return Picture(c.rgb, "discs: training samples, squares: test samples")


PROBE_MARK = np.array([1.0, 1.0, 1.0])


def mark_probe(c: Canvas, ax: Axes, x: float, y: float) -> None:
    """The probed input: a white ring between black ones (to show on any colour), clipped to the plot."""
    lo, hi = ax.y_range
    px, py = ax.px(np.clip([x], *ax.x_range)), ax.py(np.clip([y], lo, hi))
    for radius, colour in ((8, np.zeros(3)), (6, PROBE_MARK), (4, np.zeros(3))):
        c.stamp(px, py, ring(radius), colour[None, :])


CURVE = np.array([1.0, 0.85, 0.25])
TRAIN_POINT, TEST_POINT = POSITIVE, NEGATIVE


@view("FittedCurve", reads_run=True)
def fitted_curve(ctx: ViewContext) -> Picture:
    s, data, port = wired(ctx, "a fitted curve", inputs=1)
    size = ctx.params["size"]
    xr, tr = data.X_raw[:, 0], data.decode(data.T)[:, 0]
    x_range = padded(xr.min(), xr.max())
    c, ax = plot(size, size, x_range, padded(tr.min(), tr.max(), 0.1), data.features[0],
                 "output" if data.task == "class" else "target")
    xs = ax.grid(size, 1)[0]
    y = s.forward(data.encode(xs[:, None]), [port])[port][:, 0]
    if port == s.output_port():
        y = data.decode(y[:, None])[:, 0]
    if ctx.params["points"]:
        draw_points(c, ax, data, lambda rows: np.where(np.isin(rows, data.train)[:, None], TRAIN_POINT, TEST_POINT))
    lo, hi = ax.y_range
    c.polyline(ax.px(xs), ax.py(np.clip(y, lo, hi)), CURVE)
    if ctx.probe is not None and port == s.output_port():
        mark_probe(c, ax, ctx.probe.raw_input[0], float(ctx.probe.raw[0]))
    return Picture(c.rgb, "the network's output (line); discs: training samples, squares: test samples")


def unit_colours(values: np.ndarray, kind: str) -> np.ndarray:
    """Colours of one unit's activations: orange below its middle, blue above (sigmoid's middle is 0.5)."""
    if kind == "Sigmoid":
        return diverging(values - 0.5, 0.5)
    if kind == "Tanh":
        return diverging(values, 1.0)
    return diverging(values)


@view("UnitActivations", reads_run=True)
def unit_activations(ctx: ViewContext) -> Picture:
    s, data, port = wired(ctx, "unit pictures", inputs=2)
    tile = ctx.params["tile"]
    cell = 2 if tile >= 24 else 1
    x_range, y_range, grid = plane(data, tile, cell)
    act = s.forward(data.encode(grid), [port])[port]
    act = act.reshape(len(grid), -1)
    units, n = act.shape[1], math.ceil(tile / cell)
    kind = s.graph.type_of(port[0]).name
    columns = math.ceil(math.sqrt(units))
    gap, label = 6, HEIGHT + 2
    c = Canvas(math.ceil(units / columns) * (tile + gap + label) + gap, columns * (tile + gap) + gap)
    for u in range(units):
        r, k = divmod(u, columns)
        x, y = gap + k * (tile + gap), gap + r * (tile + gap + label)
        c.text(x, y, f"{port[0]}[{u}]" if tile >= 60 else str(u + 1), FAINT, max_chars=max(1, tile // 6))
        c.paste(x, y + label, upscale(unit_colours(act[:, u], kind).reshape(n, n, 3), cell)[:tile, :tile])
    return Picture(c.rgb, f"each unit over {data.features[0]} {x_range[0]:.3g}..{x_range[1]:.3g} (across) and "
                          f"{data.features[1]} {y_range[0]:.3g}..{y_range[1]:.3g} (up); blue high, orange low")

