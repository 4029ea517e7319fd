"""Mini-batches as matrices: the compiled engine against numpy and torch on an MNIST-sized network.

A 784-100-10 sigmoid network, squared error, plain SGD on the mean gradient of each
mini-batch of 64, on synthetic 784-feature samples (one Gaussian blob per class, like
MNIST's size, not its content). Every implementation trains the graph's algorithm from
the graph's initial weights, serving the samples in the graph's order:

- **numpy mini-batch**: numpy matrix products per batch (the reference row);
- **torch (CPU)**: the same formulas with torch tensors (float64, no autograd), when torch
  is installed;
- **fast engine**: ``Session(g).train(epochs)``: the batched ``train`` (``run.batched``).

Each also keeps the epoch's mean loss and train accuracy, as the graph does. Timed:
training only, after a first call on a separate copy (compiling, or loading; for torch,
a whole run, in which it sets up its CPU kernels and threads).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..data import epoch_order
from ..data.builtin import BUILTIN, builtin
from ..document.builders import layer_parameters, mlp

DATA = "bench-784"
LAYERS = (784, 100, 10)
SAMPLES, BATCH, LR = 60_000, 64, 0.5


def _register() -> None:
    """The synthetic data set, known only to the benchmark's process."""
    if DATA in BUILTIN:
        return

    @builtin(DATA, "synthetic: 784 features in [0, 1], 10 classes (nodeflow bench)", split=1.0, sized=True)
    def blobs(samples, rng):
        X, labels = blob_set(samples or SAMPLES, LAYERS[0], LAYERS[-1], rng)
        return X, np.eye(LAYERS[-1])[labels], "class", [str(c) for c in range(LAYERS[-1])], \
            [f"x{j}" for j in range(LAYERS[0])]


def blob_set(n: int, features: int, classes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic classification set: one Gaussian blob per class, features in [0, 1]; (X, labels)."""
    labels = np.arange(n) % classes
    centres = rng.random((classes, features))
    return np.clip(centres[labels] + rng.normal(0.0, 0.15, (n, features)), 0.0, 1.0), labels


def build(samples: int = SAMPLES, batch: int = BATCH):
    _register()
    return mlp(list(LAYERS), data=DATA, samples=samples, split=1.0, batch_size=batch, lr=LR, seed=1)


@dataclass
class Problem:
    """What the references need from the graph: starting weights, data, order, settings."""

    Ws: list[np.ndarray]
    bs: list[np.ndarray]
    X: np.ndarray
    T: np.ndarray
    seed: int
    batch: int
    lr: float

    @classmethod
    def of(cls, g) -> "Problem":
        d = g.data()
        layers = layer_parameters(g)
        return cls([g.state(w)["value"].copy() for w, _ in layers], [g.state(b)["value"].copy() for _, b in layers],
                   np.ascontiguousarray(d.X_train), np.ascontiguousarray(d.T_train), int(g.settings["seed"]),
                   int(g.settings["batch_size"]), float(g.settings["lr"]))


def train_numpy(p: Problem, epochs: int, xp=np, asarray=np.asarray) -> tuple[list, list, list]:
    """Mini-batch SGD with numpy matrix products (``xp``/``asarray``: torch's instead); returns the
    weights, biases and each epoch's (mean loss, train accuracy)."""
    Ws, bs = [asarray(W.copy()) for W in p.Ws], [asarray(b.copy()) for b in p.bs]
    X, T = asarray(p.X), asarray(p.T)
    n, figures = len(p.X), []
    for e in range(epochs):
        order = asarray(epoch_order(p.seed, e, n))
        loss, right = 0.0, 0
        for s in range(0, n, p.batch):
            rows = order[s:s + p.batch]
            ys, slopes = [X[rows]], []
            for W, b in zip(Ws, bs):
                y = 1.0 / (1.0 + xp.exp(-(ys[-1] @ W.T + b)))
                ys.append(y)
                slopes.append(y * (1.0 - y))
            grad = ys[-1] - T[rows]
            loss += 0.5 * float((grad * grad).sum())
            right += int((ys[-1].argmax(1) == T[rows].argmax(1)).sum())
            delta = grad * slopes[-1]
            for l in range(len(Ws) - 1, -1, -1):
                back = (delta @ Ws[l]) * slopes[l - 1] if l else None
                Ws[l] -= p.lr * (delta.T @ ys[l]) / len(rows)
                bs[l] -= p.lr * delta.sum(0) / len(rows)
                delta = back
        figures.append((loss / n, right / n))
    return Ws, bs, figures


def train_torch(p: Problem, epochs: int):
    import torch

    with torch.no_grad():
        Ws, bs, figures = train_numpy(p, epochs, torch, lambda a: torch.from_numpy(np.ascontiguousarray(a)))
    return [W.numpy() for W in Ws], [b.numpy() for b in bs], figures


def train_engine(g, epochs: int):
    """The compiled engine's seconds for ``epochs`` epochs (compiled first, untimed), and its result."""
    from ..run.session import Session

    s = Session(g)
    engine = s.compiled()
    if engine is None:
        return None, None
    engine.compile()
    start = time.perf_counter()
    s.train(epochs)
    seconds = time.perf_counter() - start
    layers = layer_parameters(g)
    return seconds, ([s.value(w, "W") for w, _ in layers], [s.value(b, "b") for _, b in layers],
                     [(st.loss, st.train_acc) for st in s.stats])


def bench_minibatch(w, implementations: tuple[str, ...]) -> list:
    """The rows of a mini-batch workload (``w.build`` makes its graph), the reference first."""
    from .measure import Row, compare

    g = w.build()
    p = Problem.of(g)
    total = len(p.X) * w.epochs
    rows, params = [], []
    for impl in implementations:
        result, note = None, ""
        start = time.perf_counter()
        if impl == "numpy mini-batch":
            result = train_numpy(p, w.epochs)
        elif impl == "torch (CPU)":
            try:
                train_torch(p, w.epochs)  # a first run, untimed: torch sets up its CPU kernels and threads
                start = time.perf_counter()
                result = train_torch(p, w.epochs)
            except ImportError:
                note = "torch is not installed"
        elif impl == "fast engine":
            seconds, result = train_engine(w.build(), w.epochs)
            note = "" if result else "the compiled engine cannot run here (it falls back to the stepper)"
        else:
            raise ValueError(f"unknown implementation {impl!r}")
        if impl != "fast engine":
            seconds = time.perf_counter() - start
        done = result is not None
        rows.append(Row(w.title, impl, total if done else None, total, seconds if done else None, note=note))
        params.append(result[:2] if done else None)
    compare(rows, params)
    return rows
