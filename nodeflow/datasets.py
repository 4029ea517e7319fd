"""Data sources: CSV files and built-in synthetic sets, split and shuffled from the seed.

A CSV file has numeric feature columns and, last, the target: class labels (text or a
few whole numbers, one-hot encoded) or a numeric value. A header row is optional.
Features are min-max normalised to [0, 1]; numeric targets are left as they are.
"""
from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import DataError

BUILTIN = ("xor", "adding", "apples-oranges", "circle", "spiral", "digits")
DEFAULT_SPLIT = {"xor": 1.0}  # four samples: train on all of them
MAX_AUTO_CLASSES = 10  # a numeric last column with at most this many whole values is a class label


@dataclass(frozen=True)
class Data:
    """A loaded data set, already split into train and test parts."""

    name: str
    X: np.ndarray  # (samples, features)
    T: np.ndarray  # (samples, outputs)
    task: str  # "class" or "value"
    classes: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    train: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # row indices
    test: np.ndarray = field(default_factory=lambda: np.zeros(0, int))

    @property
    def shapes(self) -> tuple[int, int]:
        return self.X.shape[1], self.T.shape[1]

    @property
    def X_train(self) -> np.ndarray:
        return self.X[self.train]

    @property
    def T_train(self) -> np.ndarray:
        return self.T[self.train]

    @property
    def X_test(self) -> np.ndarray:
        return self.X[self.test]

    @property
    def T_test(self) -> np.ndarray:
        return self.T[self.test]

    def describe(self) -> str:
        kind = f"{len(self.classes)} classes" if self.task == "class" else "numeric target"
        return (f"{self.name}: {len(self.X)} samples, {self.X.shape[1]} features, {kind}; "
                f"{len(self.train)} train / {len(self.test)} test")


def is_builtin(source: str) -> bool:
    return source in BUILTIN


def resolve_source(source: str, base_dir: str | os.PathLike | None) -> str:
    """A built-in name as is; a CSV path made absolute against the graph file's folder."""
    if is_builtin(source):
        return source
    path = Path(os.path.expanduser(source))
    if not path.is_absolute():
        path = Path(base_dir or ".") / path
    return str(path.resolve())


def load_data(source: str, base_dir=None, *, seed: int = 1, split: float = 0.66,
              samples: int = 0, target: str = "auto", fold: tuple[int, int] | None = None) -> Data:
    """Load and split a data source; raises DataError with a one-line reason.

    ``fold=(k, K)`` replaces the split by K-fold cross-validation: fold k is the test set.
    """
    resolved = resolve_source(source, base_dir)
    stamp = None
    if not is_builtin(source):
        try:
            st = os.stat(resolved)
        except OSError as e:
            if not source.lower().endswith(".csv") and os.sep not in source and "/" not in source:
                raise DataError(f"unknown data source {source!r} (built-in: {', '.join(BUILTIN)}; "
                                "or the path of a CSV file)") from None
            raise DataError(f"cannot read data file {source!r}: {e.strerror}") from None
        stamp = (st.st_mtime_ns, st.st_size)
    return _load(resolved, stamp, int(seed), float(split), int(samples), target, fold)


@lru_cache(maxsize=32)
def _load(resolved: str, stamp, seed: int, split: float, samples: int, target: str, fold) -> Data:
    if is_builtin(resolved):
        name = resolved
        X, T, task, classes, features = synthetic(resolved, samples, seed)
    else:
        name = os.path.basename(resolved)
        X, T, task, classes, features = read_csv(resolved, target)
    train, test = split_indices(len(X), split, seed) if fold is None else fold_indices(len(X), *fold, seed)
    for a in (X, T, train, test):
        a.setflags(write=False)
    return Data(name, X, T, task, tuple(classes), tuple(features), train, test)


def split_indices(n: int, split: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle the rows from the seed; the first ``split`` share is the training set."""
    order = np.random.default_rng([seed, 0]).permutation(n)
    n_train = n if split >= 1.0 else min(n - 1, max(1, round(split * n)))
    return np.sort(order[:n_train]), np.sort(order[n_train:])


def fold_indices(n: int, k: int, folds: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """K-fold cross-validation: shuffle from the seed, cut into ``folds`` parts, test on part ``k``."""
    if not 2 <= folds <= n:
        raise DataError(f"cross-validation needs between 2 and {n} folds, not {folds}")
    parts = np.array_split(np.random.default_rng([seed, 0]).permutation(n), folds)
    test = np.sort(parts[k])
    return np.sort(np.concatenate([p for i, p in enumerate(parts) if i != k])), test


def epoch_order(seed: int, epoch: int, n: int) -> np.ndarray:
    """The order the training samples are served in epoch ``epoch`` (0-based)."""
    return np.random.default_rng([seed, 1, epoch]).permutation(n)


# -- CSV ------------------------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v


def read_csv(path: str, target: str = "auto"):
    """Parse a CSV file into features X, targets T (one-hot for classes) and names."""
    name = os.path.basename(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [(i, [c.strip() for c in row]) for i, row in enumerate(csv.reader(f), 1)]
    except OSError as e:
        raise DataError(f"cannot read data file {name!r}: {e.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as e:
        raise DataError(f"{name}: not a readable CSV text file ({e})") from None
    rows = [(i, r) for i, r in rows if any(r)]
    if not rows:
        raise DataError(f"{name}: the file has no rows")
    width = len(rows[0][1])
    if width < 2:
        raise DataError(f"{name} line {rows[0][0]}: need at least one feature column and a target column")
    header = None
    if any(_number(c) is None for c in rows[0][1][:-1]):
        header = rows[0][1]
        rows = rows[1:]
    if len(rows) < 2:
        raise DataError(f"{name}: need at least two data rows, found {len(rows)}")
    features = header[:-1] if header else [f"x{j + 1}" for j in range(width - 1)]
    X = np.empty((len(rows), width - 1))
    labels = []
    for r, (line, row) in enumerate(rows):
        if len(row) != width:
            raise DataError(f"{name} line {line}: {len(row)} values, expected {width} like the first row")
        for j, cell in enumerate(row[:-1]):
            v = _number(cell)
            if v is None or not math.isfinite(v):
                what = "an empty value" if cell == "" else f"{cell!r} is not a number"
                raise DataError(f"{name} line {line}, column {j + 1} ({features[j]}): {what}")
            X[r, j] = v
        if row[-1] == "":
            raise DataError(f"{name} line {line}, column {width} (target): an empty value")
        labels.append(row[-1])
    T, task, classes = _targets(name, labels, target, rows)
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    X = (X - lo) / span
    return X, T, task, classes, features


def _targets(name: str, labels: list[str], target: str, rows):
    numbers = [_number(s) for s in labels]
    numeric = all(v is not None and math.isfinite(v) for v in numbers)
    if target == "value" or (target == "auto" and numeric and not _looks_like_classes(numbers)):
        if not numeric:
            bad = next(k for k, v in enumerate(numbers) if v is None or not math.isfinite(v))
            raise DataError(f"{name} line {rows[bad][0]}: target {labels[bad]!r} is not a number")
        return np.array(numbers, dtype=float).reshape(-1, 1), "value", []
    if numeric:
        keys = sorted(set(numbers))
        classes = [f"{k:g}" for k in keys]
        index = {k: i for i, k in enumerate(keys)}
        ids = [index[v] for v in numbers]
    else:
        classes = sorted(set(labels))
        index = {k: i for i, k in enumerate(classes)}
        ids = [index[s] for s in labels]
    if len(classes) < 2:
        raise DataError(f"{name}: the target column has only one class ({classes[0]})")
    return np.eye(len(classes))[ids], "class", classes


def _looks_like_classes(numbers: list[float]) -> bool:
    distinct = set(numbers)
    return all(float(v).is_integer() for v in distinct) and len(distinct) <= MAX_AUTO_CLASSES


# -- built-in sets --------------------------------------------------------------------

def digits():
    """The 1,797 handwritten digits (8×8 pixels, 0–16) that scikit-learn ships, scaled to [0, 1]."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise DataError("the digits data comes with scikit-learn: pip install 'nodeflow[digits]'") from None
    d = load_digits()
    features = [f"pixel {r},{c}" for r in range(8) for c in range(8)]
    return d.data / 16.0, np.eye(10)[d.target], "class", [str(i) for i in range(10)], features


def synthetic(name: str, samples: int, seed: int):
    """A built-in set: (X, T, task, classes, features), features in [0, 1] (``samples``: synthetic sets' size)."""
    rng = np.random.default_rng([seed, 7])
    if name == "digits":
        return digits()
    if name == "xor":
        X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        return X, np.array([[0.0], [1.0], [1.0], [0.0]]), "class", ["0", "1"], ["a", "b"]
    n = samples or {"adding": 1000}.get(name, 300)
    if name == "adding":
        X = rng.random((n, 2))
        return X, X.sum(axis=1, keepdims=True), "value", [], ["a", "b"]
    if name == "apples-oranges":  # size and colour; oranges lie above the line
        X = rng.random((n, 2))
        T = (X[:, 1] > 0.25 + 0.5 * X[:, 0]).astype(float).reshape(-1, 1)
        return X, T, "class", ["apple", "orange"], ["size", "colour"]
    if name == "circle":  # inside a circle of radius 0.4 around the centre: half the square
        X = rng.random((n, 2))
        T = (((X - 0.5) ** 2).sum(axis=1) < 0.4 ** 2).astype(float).reshape(-1, 1)
        return X, T, "class", ["outside", "inside"], ["x", "y"]
    if name == "spiral":  # three interleaved arms
        arm = np.arange(n) % 3
        t = rng.random(n)
        angle = arm * 2 * np.pi / 3 + 4.0 * t + rng.normal(0, 0.15, n)
        X = 0.5 + 0.45 * t[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        return X, np.eye(3)[arm], "class", ["arm 1", "arm 2", "arm 3"], ["x", "y"]
    raise DataError(f"unknown data set {name!r} (built-in: {', '.join(BUILTIN)}; or a CSV path)")
