"""A data source loaded and split: ``load_data(source, ...)`` gives a ``Data``."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..limits import brief
from . import builtin
from .csvfile import read_csv
from .split import fold_indices, split_indices


@dataclass(frozen=True)
class Data:
    """A loaded data set, already split into train and test parts (read-only arrays)."""

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


def resolve_source(source: str, base_dir: str | os.PathLike | None) -> str:
    """A built-in name as is; a CSV path made absolute against the graph file's folder."""
    if builtin.is_builtin(source):
        return source
    path = Path(os.path.expanduser(source))
    if not path.is_absolute():
        path = Path(base_dir or ".") / path
    return str(path.resolve())


def default_split(source: str) -> float:
    """The training share a new graph on ``source`` starts with."""
    spec = builtin.BUILTIN.get(source)
    return spec.split if spec else 0.66


def load_data(source: str, base_dir=None, *, seed: int = 1, split: float = 0.66,
              samples: int = 0, target: str = "auto", fold: tuple[int, int] | None = None) -> Data:
    """Load and split a data source; raises DataError with a one-line reason.

    ``fold=(k, K)`` replaces the split by K-fold cross-validation: fold k is the test set.
    """
    if not source.strip():
        raise DataError(f"data is empty: name a built-in set ({', '.join(builtin.BUILTIN)}) or a CSV file")
    if "\x00" in source:
        raise DataError(f"data {brief(source)} holds a NUL character: no file is called that")
    resolved = resolve_source(source, base_dir)
    stamp = None
    if not builtin.is_builtin(source):
        try:
            st = os.stat(resolved)
        except OSError as e:
            if not source.lower().endswith(".csv") and os.sep not in source and "/" not in source:
                raise DataError(f"unknown data source {brief(source)} (built-in: {', '.join(builtin.BUILTIN)}; "
                                "or the path of a CSV file)") from None
            raise DataError(f"cannot read data file {brief(source)}: {e.strerror}") from None
        if stat.S_ISDIR(st.st_mode):
            raise DataError(f"data {brief(source)} is a folder, not a CSV file")
        if not stat.S_ISREG(st.st_mode):
            raise DataError(f"data {brief(source)} is not a regular file")
        stamp = (st.st_mtime_ns, st.st_size)
    return _load(resolved, stamp, int(seed), float(split), int(samples), target, fold)


@lru_cache(maxsize=32)
def _load(resolved: str, stamp, seed: int, split: float, samples: int, target: str, fold) -> Data:
    if builtin.is_builtin(resolved):
        name = resolved
        X, T, task, classes, features = builtin.make(resolved, samples, seed)
    else:
        name = os.path.basename(resolved)
        X, T, task, classes, features = read_csv(resolved, target)
    train, test = split_indices(len(X), split, seed) if fold is None else fold_indices(len(X), *fold, seed)
    if not len(train):
        raise DataError(f"{name}: no training samples ({len(X)} sample{'s' if len(X) != 1 else ''} "
                        f"with split {split:g}; use more samples or a larger split)")
    for a in (X, T, train, test):
        a.setflags(write=False)
    return Data(name, X, T, task, tuple(classes), tuple(features), train, test)
