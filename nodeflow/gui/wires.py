"""How values look on the canvas: pin text, wire colours and highlight colours.

Pure functions (no dearpygui), so the formatting and colouring are tested headless and
the per-frame canvas refresh only has to compare strings and colour tuples.
"""
from __future__ import annotations

import math

import numpy as np

from ..views.images import NEGATIVE, POSITIVE, ZERO

RGBA = tuple[int, int, int, int]

# Highlights of the node being evaluated and the wires it feeds, by phase.
PHASE_COLOURS: dict[str, RGBA] = {
    "forward": (120, 230, 110, 255),   # green: values flow forwards
    "backward": (235, 95, 215, 255),   # magenta: blame flows back
    "update": (90, 220, 235, 255),     # cyan: weights are written
}
BAD_COLOUR: RGBA = (235, 40, 40, 255)  # NaN or infinity
IDLE_WIRE: RGBA = (110, 110, 120, 255)  # a wire with no value yet
WIRE_SCALE = 1.0  # |mean value| shown at full colour
MAX_PIN_TEXT = 28  # characters of numbers on a pin before it shows a summary instead

# Title-bar colours of node families (Grasshopper-like: one hue per kind of node).
FAMILY_COLOURS: dict[str, RGBA] = {
    "data": (70, 110, 70, 255),
    "parameters": (150, 105, 40, 255),
    "forward": (55, 95, 150, 255),
    "loss": (150, 60, 60, 255),
    "backward": (115, 65, 140, 255),
    "update": (45, 120, 125, 255),
    "metrics": (95, 95, 95, 255),
    "view": (60, 60, 75, 255),
    "math": (92, 98, 60, 255),
    "group": (178, 146, 48, 255),
    "library": (150, 124, 66, 255),
}


def fmt_number(x: float, digits: int = 4) -> str:
    """A scalar in ``digits`` significant digits (NaN and infinity spelled out, short exponents)."""
    if not math.isfinite(x):
        return "NaN" if x != x else ("+inf" if x > 0 else "-inf")
    if x == 0:
        return "0"
    text = f"{x:.{digits}g}"
    return text.replace("e-0", "e-").replace("e+0", "e") if "e" in text else text


def format_value(value: np.ndarray | None, *, full: int = 4) -> str:
    """Pin text on one line: a scalar in 4 significant digits, up to ``full`` numbers in
    full (3 digits, matrix rows split by |), anything bigger as its shape and range."""
    if value is None:
        return "-"
    a = np.asarray(value, dtype=float)
    if a.size == 1:
        return fmt_number(float(a.reshape(-1)[0]))
    if a.size <= full and a.ndim <= 2:
        rows = (a.reshape(1, -1) if a.ndim == 1 else a).tolist()  # Python floats format faster
        for digits in (3, 2):  # fewer digits rather than a node too wide for its column
            text = "[" + " | ".join(" ".join(fmt_number(v, digits) for v in row) for row in rows) + "]"
            if len(text) <= MAX_PIN_TEXT:
                return text
    shape = "x".join(str(d) for d in a.shape)
    finite = a[np.isfinite(a)]
    if finite.size < a.size:
        return f"{shape}  {a.size - finite.size} NaN/inf"
    return f"{shape}  {fmt_number(float(finite.min()))} .. {fmt_number(float(finite.max()))}"


def short_value(value: np.ndarray | None, chars: int = 10) -> str:
    """A value in at most about ``chars`` characters (beside a pin inside a node): a scalar,
    a short vector, else the shape and, if it fits, the range."""
    if value is None:
        return "-"
    a = np.asarray(value, dtype=float)
    if a.size == 1:
        return fmt_number(float(a.reshape(-1)[0]))
    if a.size <= 3 and (a.ndim == 1 or max(a.shape) == a.size):  # a vector, or a one-row / one-column matrix
        text = "[" + " ".join(fmt_number(v, 2) for v in a.ravel().tolist()) + "]"
        if len(text) <= chars + 2:
            return text
    shape = f"[{a.size}]" if a.ndim == 1 else "x".join(str(d) for d in a.shape)
    finite = a[np.isfinite(a)]
    if finite.size < a.size:
        return f"{shape} NaN"
    ranged = f"{shape} {fmt_number(float(finite.min()), 2)}..{fmt_number(float(finite.max()), 2)}"
    return ranged if len(ranged) <= chars + 2 else shape


def wire_thickness(value: np.ndarray | None) -> float:
    """Pixels of a wire at 100 %: thicker for bigger values (mean magnitude, square-root scale)."""
    if value is None or value.size == 0:
        return 1.5
    m = float(np.abs(value).sum()) / value.size
    if not math.isfinite(m):
        return 4.0
    return 1.2 + 3.6 * math.sqrt(min(m / WIRE_SCALE, 1.0))


def format_full(value: np.ndarray | None, limit: int = 12) -> str:
    """A Watch node's text: the whole value, rows clipped to ``limit`` numbers."""
    if value is None:
        return "-"
    a = np.asarray(value, dtype=float)
    if a.size == 1:
        return fmt_number(float(a.reshape(-1)[0]))
    rows = a.reshape(1, -1) if a.ndim == 1 else a.reshape(a.shape[0], -1)
    lines = []
    for row in rows[:limit].tolist():
        cells = "  ".join(fmt_number(v) for v in row[:limit])
        lines.append(f"[{cells}{'  ...' if len(row) > limit else ''}]")
    if len(rows) > limit:
        lines.append(f"... {len(rows) - limit} more rows")
    return "\n".join(lines)


def _lerp_colour(t: float) -> RGBA:
    """The diverging scale at t in [-1, 1] (same colours as nodeflow.pictures.diverging)."""
    end = NEGATIVE if t < 0 else POSITIVE
    t = abs(t)
    return tuple(int((z + t * (e - z)) * 255 + 0.5) for z, e in zip(ZERO, end)) + (255,)


STEPS = 64  # shades on each side of zero: finer than the eye can tell on a wire
_SHADES = [_lerp_colour(k / STEPS) for k in range(-STEPS, STEPS + 1)]


def wire_colour(value: np.ndarray | None) -> RGBA:
    """Diverging colour of a wire from its mean value: orange negative, blue positive,
    pale near zero, red for NaN/inf. Cheap: called for every wire after every step."""
    if value is None or value.size == 0:
        return IDLE_WIRE
    m = float(value.flat[0]) if value.size == 1 else float(value.sum()) / value.size
    if not math.isfinite(m):
        return BAD_COLOUR
    return _SHADES[STEPS + round(max(-1.0, min(1.0, m / WIRE_SCALE)) * STEPS)]


def is_bad(value: np.ndarray | None) -> bool:
    return value is not None and not np.isfinite(value).all()


def micros(us: float) -> str:
    """Per-node time for the profiler overlay."""
    return f"{us:.1f} us" if us < 1000 else f"{us / 1000:.2f} ms"


GRADCHECK_COLOURS: dict[str, RGBA] = {
    "ok": (80, 200, 90, 255),
    "check": (235, 170, 40, 255),
    "WRONG": (235, 60, 60, 255),
}


def gradcheck_badge(verdict: str, rel_error: float) -> tuple[str, RGBA]:
    """Text and colour of a Weights/Bias node's gradient-check badge."""
    return f"grad {verdict}  {rel_error:.1e}", GRADCHECK_COLOURS[verdict]
