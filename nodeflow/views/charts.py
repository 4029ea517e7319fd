"""Charts of what the network answers: a confusion matrix (train and test) and one sample's
output as a bar per class, with the class names."""
from __future__ import annotations

import numpy as np

from ..run.probe import chosen_class
from . import NOTHING_WIRED, Picture, ViewContext, view
from .draw import BACKGROUND, FAINT, INK, Canvas
from .font import HEIGHT, WIDTH
from .function import classes_of, wired
from .images import NEGATIVE, POSITIVE

RIGHT, WRONG = POSITIVE, NEGATIVE  # blue diagonal, orange mistakes
NAME_CHARS, COLUMN_CHARS = 10, 7


def class_names(data, outputs: int) -> tuple[str, ...]:
    return data.classes or tuple(str(i) for i in range(max(2, outputs)))


def confusion(true: np.ndarray, picked: np.ndarray, k: int) -> np.ndarray:
    """counts[i, j]: samples of class i the network takes for class j."""
    return np.bincount(true * k + picked, minlength=k * k).reshape(k, k)


def _matrix(c: Canvas, x: int, y: int, counts: np.ndarray, cell: tuple[int, int]) -> None:
    """One matrix at (x, y): (w, h) cells shaded by their share of the row, with the count."""
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    (w, h), k = cell, len(counts)
    for i in range(k):
        for j in range(k):
            colour = BACKGROUND + share[i, j] * ((RIGHT if i == j else WRONG) - BACKGROUND)
            c.fill(x + j * w + 1, y + i * h + 1, x + (j + 1) * w, y + (i + 1) * h, colour)
            text = str(counts[i, j])
            if len(text) * WIDTH <= w:
                c.text(x + j * w + w // 2, y + i * h + (h - HEIGHT) // 2 + 1, text,
                       INK if share[i, j] < 0.6 else np.zeros(3), "centre")


def confusions(s, data, port) -> tuple[tuple[str, ...], list[tuple[str, np.ndarray]]]:
    """The class names, and the confusion counts on the training and on the test set (if any) of the
    output at ``port`` now."""
    parts = [(name, rows) for name, rows in (("train", data.train), ("test", data.test)) if len(rows)]
    outs = s.forward(data.X[np.concatenate([r for _, r in parts])], [port])[port]
    names = class_names(data, outs.shape[1])
    picked = classes_of(outs)  # as chosen_class: argmax, or ≥ 0.5 for one output
    start, out = 0, []
    for name, rows in parts:
        out.append((name, confusion(classes_of(data.T[rows]), picked[start:start + len(rows)], len(names))))
        start += len(rows)
    return names, out


@view("ConfusionMatrix", reads_run=True)
def confusion_matrix(ctx: ViewContext) -> Picture:
    s, data, port = wired(ctx, "a confusion matrix", task="class")
    names, parts = confusions(s, data, port)
    k, h = len(names), ctx.params["cell"]
    w = max(h, WIDTH * min(COLUMN_CHARS, max(map(len, names))) + 4)  # wide enough for the column's name
    label_w = WIDTH * min(NAME_CHARS, max(8, *map(len, names))) + 6  # room for "taken as" too
    top = 2 * (HEIGHT + 4)  # a matrix's title, then the column names
    c = Canvas(top + k * h + 4, label_w + len(parts) * (k * w + 14))
    for p, (name, counts) in enumerate(parts):
        x = label_w + p * (k * w + 14)
        c.text(x, 2, f"{name}: {100 * np.trace(counts) / max(counts.sum(), 1):.0f}% right", INK)
        for j, n in enumerate(names):
            c.text(x + j * w + w // 2, HEIGHT + 4, n, FAINT, "centre", max_chars=max(1, w // WIDTH))
        _matrix(c, x, top, counts, (w, h))
    c.text(label_w - 6, HEIGHT + 4, "taken as", FAINT, "right")
    for i, n in enumerate(names):
        c.text(2, top + i * h + (h - HEIGHT) // 2 + 1, n, FAINT, max_chars=NAME_CHARS)
    return Picture(c.rgb, "rows: the true class; columns: the class the network takes it for")


def _input(ctx: ViewContext, port: str):
    """The value on the wire into ``port``: as given, else read from the session (None if unwired)."""
    if port in ctx.inputs:
        return ctx.inputs[port]
    w = ctx.session.graph.wire_into(ctx.node, port) if ctx.session is not None else None
    try:
        return ctx.session.value(w.src, w.src_port) if w is not None else None
    except Exception:  # not ready yet: nothing to show
        return None


@view("Probabilities")
def probabilities(ctx: ViewContext) -> Picture:
    y = _input(ctx, "y")
    if y is None:
        return NOTHING_WIRED
    y = np.asarray(y, dtype=float).ravel()
    data = ctx.session.plan.data if ctx.session is not None and ctx.session.ready else None
    if data is not None and data.task != "class":
        return Picture(None, "the output is a number, not classes: " + ", ".join(f"{v:.4g}" for v in data.decode(y)))
    names = class_names(data, len(y)) if data is not None else tuple(str(i) for i in range(max(2, len(y))))
    p = np.array([1.0 - y[0], y[0]]) if len(y) == 1 else y
    target = _input(ctx, "target")
    want = chosen_class(np.asarray(target, float).ravel()) if target is not None else None
    return Picture(bars(p, names, chosen_class(y), want, ctx.params["width"]))


def bars(p: np.ndarray, names, picked: int, want: int | None, width: int) -> np.ndarray:
    """One bar per class: its name, a bar as long as its share (blue: the class picked), the share in %;
    ``want`` (the target's class) is marked with an arrow."""
    row, label_w = HEIGHT + 6, WIDTH * min(NAME_CHARS, max(map(len, names))) + 8
    c = Canvas(len(p) * row + 4, label_w + width + 9 * WIDTH)
    for i, (n, v) in enumerate(zip(names, p)):
        y = 2 + i * row
        c.text(2, y + 3, n, INK if i == want else FAINT, max_chars=NAME_CHARS)
        c.fill(label_w, y + 1, label_w + width, y + row - 1, BACKGROUND * 1.4)
        share = float(np.clip(v, 0.0, 1.0)) if np.isfinite(v) else 0.0
        c.fill(label_w, y + 1, label_w + round(share * width), y + row - 1, RIGHT if i == picked else FAINT)
        c.text(label_w + width + 4, y + 3, f"{100 * v:.1f}%" + (" <" if i == want else ""), INK)
    return c.rgb
