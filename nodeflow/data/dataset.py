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
from .scaling import Encoding, fit
from .split import fold_indices, split_indices


@dataclass(frozen=True)
class Data:
    """A loaded data set, already split into train and test parts (read-only arrays).

    ``X`` and a numeric ``T`` are scaled as the network sees them; ``encoding`` turns raw
    numbers into these and back (``encode``, ``decode``)."""

    name: str
    X: np.ndarray  # (samples, features)
    T: np.ndarray  # (samples, outputs)
    task: str  # "class" or "value"
    classes: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    train: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # row indices
    test: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    encoding: Encoding | None = None  # None: raw numbers are what the network sees

    def encode(self, raw) -> np.ndarray:
        """Raw input rows (in the data's own units) as the network sees them."""
        raw = np.atleast_2d(np.asarray(raw, dtype=float))
        return raw if self.encoding is None else self.encoding.inputs.apply(raw)

    def decode(self, y) -> np.ndarray:
        """Network outputs in the target's own units (a numeric target's scaling undone)."""
        y = np.asarray(y, dtype=float)
        return y if self.encoding is None or self.encoding.target is None else self.encoding.target.undo(y)

    @property
    def X_raw(self) -> np.ndarray:
        """The features in their own units."""
        return self.X if self.encoding is None else self.encoding.inputs.undo(self.X)

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
              samples: int = 0, target: str = "auto", fold: tuple[int, int] | None = None,
              scale: str = "minmax", encoding: Encoding | None = None) -> Data:
    """Load, scale and split a data source; raises DataError with a one-line reason.

    ``fold=(k, K)`` replaces the split by K-fold cross-validation: fold k is the test set.
    ``scale`` says how inputs and a numeric target are scaled (see ``scaling``); a recorded
    ``encoding`` (from a graph file) is used instead, so a trained network sees what it saw.
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
    return _load(resolved, stamp, int(seed), float(split), int(samples), target, fold, scale, encoding)


@lru_cache(maxsize=32)
def _load(resolved: str, stamp, seed: int, split: float, samples: int, target: str, fold, scale: str,
          recorded: Encoding | None) -> Data:
    if builtin.is_builtin(resolved):
        name = resolved
        X, T, task, classes, features = builtin.make(resolved, samples, seed)
        bounds = builtin.BUILTIN[resolved].bounds
    else:
        name = os.path.basename(resolved)
        X, T, task, classes, features = read_csv(resolved, target)
        bounds = None
    enc = recorded or Encoding(fit(X, scale, bounds), fit(T, scale) if task == "value" else None, tuple(classes))
    _check_encoding(name, enc, X, T, task)
    with np.errstate(over="ignore", invalid="ignore"):
        X, T = enc.inputs.apply(X), (enc.target.apply(T) if enc.target else np.asarray(T, dtype=float))
    _check_finite(name, X, features, "column")
    _check_finite(name, T, ["target"], "target")
    train, test = split_indices(len(X), split, seed) if fold is None else fold_indices(len(X), *fold, seed)
    if not len(train):
        raise DataError(f"{name}: no training samples ({len(X)} sample{'s' if len(X) != 1 else ''} "
                        f"with split {split:g}; use more samples or a larger split)")
    for a in (X, T, train, test):
        a.setflags(write=False)
    return Data(name, X, T, task, tuple(classes), tuple(features), train, test, enc)


def _check_finite(name: str, served: np.ndarray, names, what: str) -> None:
    """Scaled values must be numbers: a column whose range overflows float64 (say -1e308 to 1e308) is refused."""
    bad = ~np.isfinite(served).all(axis=0)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        label = f"column {j + 1} ({names[j]})" if what == "column" else "the target"
        raise DataError(f"{name}: {label} spans a range too wide for float64 numbers once scaled; "
                        "divide it by a power of ten first")


def _check_encoding(name: str, enc: Encoding, X, T, task: str) -> None:
    """A recorded encoding must fit the data: as many inputs, and a target scaling only for numbers."""
    if len(enc.inputs.offset) != X.shape[1]:
        raise DataError(f"{name} has {X.shape[1]} feature{'s' if X.shape[1] != 1 else ''} but the graph's recorded "
                        f"scaling (settings.encoding) is for {len(enc.inputs.offset)}")
    if (enc.target is not None) != (task == "value") or (enc.target and len(enc.target.offset) != T.shape[1]):
        raise DataError(f"{name}'s target does not fit the graph's recorded scaling (settings.encoding): "
                        f"the data has {'a numeric target' if task == 'value' else 'classes'}")
