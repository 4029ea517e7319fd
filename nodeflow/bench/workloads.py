"""What the benchmark trains: four networks, each built fresh from the same initial weights."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..document.builders import mlp
from ..document.graph import Graph
from .minibatch import BATCH, SAMPLES, blob_set, build


@dataclass
class Workload:
    """One thing to train: how to build its graph (fresh, from the same initial weights) and for how long."""

    name: str  # for --only
    title: str  # the table's first column
    build: Callable[[], Graph]
    epochs: int
    data: str  # where the data came from
    full: bool = False  # measure every implementation in full, whatever the budget
    minibatch: bool = False  # mini-batches as matrices: numpy, torch and the engine (``minibatch``)


def _write_csv(path: Path, X: np.ndarray, labels: np.ndarray) -> Path:
    header = ",".join([f"x{j + 1}" for j in range(X.shape[1])] + ["class"])
    np.savetxt(path, np.column_stack([X, labels]), delimiter=",", header=header, comments="", fmt="%.10g")
    return path


def workloads(folder: Path, quick: bool = False) -> list[Workload]:
    """The benchmark's workloads; data files they need are written into ``folder``."""
    n_digits = 100 if quick else 1200
    try:
        from sklearn.datasets import load_digits

        d = load_digits()
        digits = _write_csv(folder / "digits.csv", d.data[:n_digits] / 16.0, d.target[:n_digits])
        digits_data = f"scikit-learn digits, first {n_digits:,} (×64, 10 classes)"
    except ImportError:
        digits = _write_csv(folder / "digits-synthetic.csv", *blob_set(n_digits, 64, 10, np.random.default_rng(2)))
        digits_data = f"synthetic {n_digits:,}×64, 10 classes (scikit-learn not installed)"
    pairs = 2_000 if quick else 500_000
    mini = 3_000 if quick else SAMPLES

    return [
        Workload("seeds", "seeds 7-5-3", lambda: mlp([7, 5, 3], data="wheat-seeds", lr=0.3, seed=1, split=1.0),
                 5 if quick else 500, "built-in wheat-seeds (210×7, 3 classes)", full=True),
        Workload("adding", "adding neuron 2-1",
                 lambda: mlp([2, 1], "identity", data="adding", samples=pairs, lr=0.1, split=1.0),
                 2 if quick else 10, f"built-in adding, {pairs:,} pairs"),
        Workload("xor", "XOR 2-2-1", lambda: mlp([2, 2, 1], data="xor", lr=1.0, seed=3),
                 50 if quick else 5_000, "built-in xor, 4 samples"),
        Workload("digits", "digits 64-25-10",
                 lambda: mlp([64, 25, 10], data=str(digits), lr=0.3, seed=1, split=1.0, init="normal", scale=0.1),
                 2 if quick else 20, digits_data),
        Workload("minibatch", f"784-100-10, batch {BATCH}", lambda: build(mini), 1,
                 f"synthetic {mini:,}×784, 10 classes (one Gaussian blob each)", full=True, minibatch=True),
    ]


