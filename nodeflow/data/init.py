"""Initial values for Weights and Bias nodes, all drawn from the graph's seed.

Each parameter node gets its own random stream, ``default_rng([seed, crc32(node id)])``,
so adding or removing one node never changes another node's starting values.
"""
from __future__ import annotations

import zlib

import numpy as np

INITS = ("uniform", "zeros", "constant", "uniform_sym", "normal", "xavier", "he")


def rng_for(seed: int, node_id: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(node_id.encode())])


def initial_values(kind: str, shape: tuple[int, ...], rng: np.random.Generator,
                   fan_in: int, fan_out: int, scale: float = 1.0) -> np.ndarray:
    """Values for one parameter array.

    uniform: U[0, scale) (U[0, 1), the classic from-scratch tutorials, by default); zeros; constant: all ``scale``;
    uniform_sym: U[-scale, scale); normal: N(0, scale²); xavier: U[-a, a) with
    a = sqrt(6 / (fan_in + fan_out)); he: N(0, 2 / fan_in).
    """
    if kind == "uniform":
        return rng.random(shape) * scale
    if kind == "zeros":
        return np.zeros(shape)
    if kind == "constant":
        return np.full(shape, float(scale))
    if kind == "uniform_sym":
        return rng.uniform(-scale, scale, shape)
    if kind == "normal":
        return rng.normal(0.0, scale, shape)
    if kind == "xavier":
        a = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-a, a, shape)
    if kind == "he":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
    raise ValueError(f"unknown initialisation {kind!r} (choose from {', '.join(INITS)})")
