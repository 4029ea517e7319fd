"""Pictures of numbers: a diverging colour scale, heat maps and hidden-unit images.

Pure numpy (no GUI): the editor turns these RGB arrays into textures, tests check
them, and ``write_png`` saves them without any imaging library.
"""
from __future__ import annotations

import math
import struct
import zlib

import numpy as np

NEGATIVE = np.array([0.96, 0.55, 0.18])  # orange, as TensorFlow Playground shows negative weights
POSITIVE = np.array([0.20, 0.50, 0.95])  # blue for positive
ZERO = np.array([0.93, 0.93, 0.93])  # near white for zero
BAD = np.array([0.85, 0.10, 0.10])  # NaN or infinity


def diverging(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """RGB in [0, 1] for each value: orange below zero, blue above, paler nearer zero.

    ``scale`` is the magnitude shown at full colour (default: the largest |value|);
    NaN and infinity are red.
    """
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    if scale is None:
        scale = float(np.abs(v[finite]).max()) if finite.any() else 1.0
    t = np.clip(np.where(finite, v, 0.0) / (scale or 1.0), -1.0, 1.0)[..., None]
    rgb = ZERO + np.where(t < 0, -t * (NEGATIVE - ZERO), t * (POSITIVE - ZERO))
    rgb[~finite] = BAD
    return rgb


def heat_map(matrix: np.ndarray, cell: int = 8) -> np.ndarray:
    """A matrix (or vector, as one row) drawn as cells of ``cell`` pixels."""
    m = np.atleast_2d(np.asarray(matrix, dtype=float))
    if m.ndim > 2:
        m = m.reshape(m.shape[0], -1)
    return np.kron(diverging(m), np.ones((cell, cell, 1)))


def image_shape(n_inputs: int) -> tuple[int, int] | None:
    """The square picture ``n_inputs`` pixels make (64 -> 8×8, 400 -> 20×20), if any."""
    side = math.isqrt(n_inputs)
    return (side, side) if side * side == n_inputs and side > 1 else None


def unit_images(W: np.ndarray, shape: tuple[int, int] | None = None, zoom: int = 4, gap: int = 2,
                columns: int | None = None) -> np.ndarray:
    """Each hidden unit's incoming weights (a row of W) as a small picture, in a grid.

    Each picture has its own colour scale, so every unit's pattern is visible.
    """
    W = np.atleast_2d(np.asarray(W, dtype=float))
    units, n = W.shape
    shape = shape or image_shape(n)
    if shape is None:
        raise ValueError(f"{n} inputs do not make a square picture")
    columns = columns or math.ceil(math.sqrt(units))
    rows = math.ceil(units / columns)
    h, w = shape[0] * zoom, shape[1] * zoom
    out = np.full((rows * (h + gap) + gap, columns * (w + gap) + gap, 3), 0.25)
    for u in range(units):
        r, c = divmod(u, columns)
        tile = np.kron(diverging(W[u].reshape(shape)), np.ones((zoom, zoom, 1)))
        y, x = gap + r * (h + gap), gap + c * (w + gap)
        out[y:y + h, x:x + w] = tile
    return out


def write_png(path, rgb: np.ndarray) -> None:
    """Save an (H, W, 3) array of [0, 1] floats as an 8-bit PNG."""
    data = (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)
    h, w = data.shape[:2]
    raw = b"".join(b"\x00" + data[y].tobytes() for y in range(h))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(png)
