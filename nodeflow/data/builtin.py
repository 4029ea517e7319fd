"""The built-in data sets, one registry: ``BUILTIN[name]`` says how each is made.

Every maker returns ``(X, T, task, classes, features)`` in the set's own units;
``bounds`` is the range its features can take, when known (min-max scaling maps it to
[0, 1]; see ``scaling``). Synthetic sets are drawn from the seed and take a size
(``samples``, 0 for the set's own default); the others are fixed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import DataError
from .csvfile import read_csv

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BuiltinSet:
    name: str
    doc: str  # one line, for --help and the editor's data list
    make: Callable  # (samples, rng) -> (X, T, task, classes, features)
    split: float = 0.66  # default share of training samples
    sized: bool = False  # takes a ``samples`` size
    bounds: tuple[float, float] | None = None  # the range every feature can take (None: see the data)


BUILTIN: dict[str, BuiltinSet] = {}


def builtin(name: str, doc: str, *, split: float = 0.66, sized: bool = False,
            bounds: tuple[float, float] | None = (0.0, 1.0)):
    def register(make):
        BUILTIN[name] = BuiltinSet(name, doc, make, split, sized, bounds)
        return make
    return register


def is_builtin(source: str) -> bool:
    return source in BUILTIN


def make(name: str, samples: int, seed: int):
    """(X, T, task, classes, features) of a built-in set."""
    try:
        spec = BUILTIN[name]
    except KeyError:
        raise DataError(f"unknown data set {name!r} (built-in: {', '.join(BUILTIN)}; or a CSV path)") from None
    return spec.make(samples, np.random.default_rng([seed, 7]))


@builtin("xor", "the four cases of exclusive or (2 inputs, 1 output)", split=1.0)
def xor(samples, rng):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([[0.0], [1.0], [1.0], [0.0]]), "class", ["0", "1"], ["a", "b"]


@builtin("adding", "pairs of numbers in [0, 1) and their sum (a numeric target)", sized=True)
def adding(samples, rng):
    X = rng.random((samples or 1000, 2))
    return X, X.sum(axis=1, keepdims=True), "value", [], ["a", "b"]


@builtin("adding-100", "pairs of numbers in [0, 100) and their sum, raw, as in the adding-neuron article",
         sized=True, bounds=(0.0, 100.0))
def adding_100(samples, rng):
    X = 100.0 * rng.random((samples or 1000, 2))
    return X, X.sum(axis=1, keepdims=True), "value", [], ["a", "b"]


@builtin("polynomial", "a noisy cubic y = x³ - 2x + N(0, 0.3²), x in [-2, 2] (1 input, a numeric target)",
         sized=True, bounds=(-2.0, 2.0))
def polynomial(samples, rng):
    x = rng.uniform(-2.0, 2.0, (samples or 200, 1))
    return x, x ** 3 - 2.0 * x + rng.normal(0.0, 0.3, x.shape), "value", [], ["x"]


@builtin("apples-oranges", "size and colour of fruit; oranges lie above a line", sized=True)
def apples_oranges(samples, rng):
    X = rng.random((samples or 300, 2))
    T = (X[:, 1] > 0.25 + 0.5 * X[:, 0]).astype(float).reshape(-1, 1)
    return X, T, "class", ["apple", "orange"], ["size", "colour"]


@builtin("circle", "points inside or outside a circle (half the square each)", sized=True)
def circle(samples, rng):
    X = rng.random((samples or 300, 2))
    T = (((X - 0.5) ** 2).sum(axis=1) < 0.4 ** 2).astype(float).reshape(-1, 1)
    return X, T, "class", ["outside", "inside"], ["x", "y"]


@builtin("spiral", "three interleaved spiral arms (2 inputs, 3 classes)", sized=True)
def spiral(samples, rng):
    n = samples or 300
    arm = np.arange(n) % 3
    t = rng.random(n)
    angle = arm * 2 * np.pi / 3 + 4.0 * t + rng.normal(0, 0.15, n)
    X = 0.5 + 0.45 * t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return X, np.eye(3)[arm], "class", ["arm 1", "arm 2", "arm 3"], ["x", "y"]


SEEDS_FEATURES = ["area", "perimeter", "compactness", "kernel length", "kernel width", "asymmetry", "groove length"]


@builtin("wheat-seeds", "UCI seeds: 210 wheat kernels, 7 measurements, 3 varieties (CC BY 4.0)", bounds=None)
def wheat_seeds(samples, rng):
    X, T, task, _, _ = read_csv(str(HERE / "wheat-seeds.csv"))
    return X, T, task, ["Kama", "Rosa", "Canadian"], SEEDS_FEATURES


@builtin("digits", "1,797 handwritten digits, 8×8 pixels of ink 0 to 16 (needs scikit-learn)", bounds=(0.0, 16.0))
def digits(samples=0, rng=None):
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise DataError("the digits data comes with scikit-learn: pip install 'nodeflow[digits]'") from None
    d = load_digits()
    features = [f"pixel {r},{c}" for r in range(8) for c in range(8)]
    return d.data.astype(float), np.eye(10)[d.target], "class", [str(i) for i in range(10)], features
