"""CSV data files: numeric feature columns, then the target (class labels or a number).

A header row is optional. Class labels are one-hot encoded; features and numeric
targets are read as they are (``dataset`` scales them as the ``scale`` setting says).
"""
from __future__ import annotations

import csv
import math
import os

import numpy as np

from ..errors import DataError

MAX_AUTO_CLASSES = 10  # a numeric last column with at most this many whole values is a class label


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_csv(path: str, target: str = "auto"):
    """Parse a CSV file into (X, T, task, classes, features), raw numbers."""
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
    X, labels = _features(name, rows, width, features)
    T, task, classes = _targets(name, labels, target, rows)
    return X, T, task, classes, features


def _features(name: str, rows, width: int, features) -> tuple[np.ndarray, list[str]]:
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
    return X, labels


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
