"""``nodeflow bench``: how fast the graph trains, against per-sample references written here.

For each workload it times, on this machine and in one run:

- **plain Python**: lists and floats, one sample at a time (``train_python``);
- **numpy**: numpy arrays, one sample at a time (``train_numpy``);
- **numba loop**: the whole algorithm fused into one hand-written numba function
  (``numba_trainer``): what the deconstructed graph costs against code written by hand;
- **stepper**: the stepping evaluator, ``Evaluator(g).run(epochs)``;
- **fast engine**: ``Evaluator(g).run(epochs, engine="fast")``.

The references run exactly the graph's algorithm from the graph's own initial weights:
forward pass, squared error E = ½Σ(t−y)², output delta (y−t)·slope, hidden delta
(Wᵀδ)·slope, then SGD with batch size 1 (W ← W − lr·δxᵀ, b ← b − lr·δ), the samples
served in ``epoch_order(seed, epoch, n)`` order. Like the graph they also keep each
epoch's mean loss and train accuracy; every workload trains on all of its samples, so
the graph has no test pass either. Only training is timed: loading data, building
the graph and its plan, and the fast engine's first call (compilation, done on a
separate copy) are not.

Slow implementations on big workloads are measured on a prefix of the samples (about
``budget`` seconds of work) and their full-run time is extrapolated; the fast engine,
and every implementation on the seeds workload, always run in full.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from math import exp
from operator import mul
from pathlib import Path
from typing import Callable

import numpy as np

from .datasets import epoch_order
from .graph import Graph

SEEDS_CSV = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "wheat-seeds.csv"
IMPLEMENTATIONS = ("plain Python", "numpy", "numba loop", "stepper", "fast engine")
FAST_ENGINE = "fast"  # the engine name the "fast engine" rows pass to Evaluator.run
BUDGET = 3.0  # seconds of work a slow implementation gets on a big workload
QUICK_BUDGET = 0.3


# -- the references -------------------------------------------------------------------

@dataclass
class Network:
    """What the references need from a graph built by ``mlp``: its parameters, data and settings."""

    weights: list[np.ndarray]  # W1, W2, ... (units × inputs), copies of the initial values
    biases: list[np.ndarray]
    activations: list[str]  # "sigmoid" or "identity", per layer
    X: np.ndarray  # the training samples, in the graph's row order
    T: np.ndarray
    lr: float
    seed: int
    classify: bool  # the graph measures train accuracy (argmax, or 0.5 threshold for one output)

    @property
    def labels(self) -> np.ndarray:
        """Each sample's class as the Accuracy node sees it: the target's argmax, or t ≥ 0.5 for one output."""
        return (self.T[:, 0] >= 0.5).astype(int) if self.T.shape[1] == 1 else self.T.argmax(axis=1)

    @classmethod
    def from_graph(cls, g: Graph) -> Network:
        recipe = g.settings.get("network") or {}
        if recipe.get("builder") != "mlp" or recipe.get("loss", "squared") != "squared" \
                or recipe.get("optimizer", "sgd") != "sgd" or g.settings["batch_size"] != 1:
            raise ValueError("the references cover mlp networks with squared error, SGD and batch size 1")
        L = len(recipe["layers"]) - 1
        acts = [recipe["activation"]] * (L - 1) + [recipe.get("output", recipe["activation"])]
        if set(acts) - {"sigmoid", "identity"}:
            raise ValueError(f"the references know sigmoid and identity units, not {sorted(set(acts))}")
        d = g.data()
        return cls([g.state(f"weights_{l}")["value"].copy() for l in range(1, L + 1)],
                   [g.state(f"bias_{l}")["value"].copy() for l in range(1, L + 1)],
                   acts, np.array(d.X_train), np.array(d.T_train), float(g.settings["lr"]),
                   int(g.settings["seed"]), d.task == "class")


@dataclass
class Trained:
    """What a reference run leaves: the parameters and each epoch's mean loss and train accuracy."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    losses: list[float] = field(default_factory=list)  # one per completed epoch
    accuracies: list[float] = field(default_factory=list)  # one per completed epoch, when classifying
    samples: int = 0

    def end_epoch(self, loss: float, correct: float, n: int, classify: bool) -> None:
        """Record a whole epoch's figures, like the graph's MeanLoss and Accuracy nodes."""
        self.losses.append(loss / n)
        if classify:
            self.accuracies.append(correct / n)


def _epochs(net: Network, epochs: int, limit: int | None):
    """Each epoch's sample order (rows of ``net.X``), stopping after ``limit`` samples in all;
    yields (order, whether the epoch is whole)."""
    n = len(net.X)
    left = epochs * n if limit is None else limit
    for epoch in range(epochs):
        if left <= 0:
            return
        order = epoch_order(net.seed, epoch, n)[:left]
        left -= len(order)
        yield order, len(order) == n


Trainer = Callable[[int, "int | None"], Trained]  # (epochs, at most this many samples) -> result


def python_trainer(net: Network) -> Trainer:
    """Plain Python (lists and floats), one sample at a time; the data is converted before timing starts."""
    X, T, labels = net.X.tolist(), net.T.tolist(), net.labels.tolist()
    acts, lr, n = net.activations, net.lr, len(X)

    def train(epochs: int, limit: int | None = None) -> Trained:
        Ws = [W.tolist() for W in net.weights]
        bs = [b.tolist() for b in net.biases]
        out = Trained(Ws, bs)
        for order, whole in _epochs(net, epochs, limit):
            loss = correct = 0.0
            for r in order.tolist():
                ys, slopes = [X[r]], []
                for W, b, act in zip(Ws, bs, acts):  # forward: z = b + Σ w·x, added left to right
                    z = [sum(map(mul, row, ys[-1]), bi) for row, bi in zip(W, b)]
                    if act == "identity":
                        ys.append(z)
                        slopes.append([1.0] * len(z))
                    else:
                        y = [1.0 / (1.0 + exp(-v)) if v >= 0.0 else exp(v) / (1.0 + exp(v)) for v in z]
                        ys.append(y)
                        slopes.append([v * (1.0 - v) for v in y])
                t = T[r]
                grad = [yi - ti for yi, ti in zip(ys[-1], t)]
                loss += 0.5 * sum(map(mul, grad, grad))
                if net.classify:  # the first largest output, as the Accuracy node picks it
                    y = ys[-1]
                    correct += (y[0] >= 0.5 if len(y) == 1 else y.index(max(y))) == labels[r]
                delta = list(map(mul, grad, slopes[-1]))
                for l in range(len(Ws) - 1, -1, -1):  # backward, then update layer l
                    W, b, x = Ws[l], bs[l], ys[l]
                    if l:  # the hidden delta (Wᵀδ)·slope uses W before its update
                        back = [sum(map(mul, column, delta)) for column in zip(*W)]
                        next_delta = list(map(mul, back, slopes[l - 1]))
                    for i, di in enumerate(delta):
                        W[i] = [w - lr * (di * xj) for w, xj in zip(W[i], x)]
                        b[i] -= lr * di
                    if l:
                        delta = next_delta
            out.samples += len(order)
            if whole:
                out.end_epoch(loss, correct, n, net.classify)
        out.weights = [np.array(W) for W in Ws]
        out.biases = [np.array(b) for b in bs]
        return out

    return train


def numpy_trainer(net: Network) -> Trainer:
    """numpy arrays, one sample at a time (matrix-vector products per layer)."""
    X, T, labels, lr, n = net.X, net.T, net.labels, net.lr, len(net.X)
    sigmoid = [act == "sigmoid" for act in net.activations]

    def train(epochs: int, limit: int | None = None) -> Trained:
        Ws = [W.copy() for W in net.weights]
        bs = [b.copy() for b in net.biases]
        out = Trained(Ws, bs)
        for order, whole in _epochs(net, epochs, limit):
            loss = correct = 0.0
            for r in order:
                ys, slopes = [X[r]], []
                for W, b, sig in zip(Ws, bs, sigmoid):
                    z = W @ ys[-1] + b
                    if sig:
                        y = 1.0 / (1.0 + np.exp(-z))
                        slopes.append(y * (1.0 - y))
                    else:
                        y = z
                        slopes.append(np.ones_like(z))
                    ys.append(y)
                y, t = ys[-1], T[r]
                grad = y - t
                loss += 0.5 * float(grad @ grad)
                if net.classify:
                    correct += (y[0] >= 0.5 if len(y) == 1 else y.argmax()) == labels[r]
                delta = grad * slopes[-1]
                for l in range(len(Ws) - 1, -1, -1):
                    next_delta = (Ws[l].T @ delta) * slopes[l - 1] if l else None
                    Ws[l] -= lr * np.outer(delta, ys[l])
                    bs[l] -= lr * delta
                    delta = next_delta
            out.samples += len(order)
            if whole:
                out.end_epoch(loss, float(correct), n, net.classify)
        return out

    return train


def _numba_loop():
    """The algorithm fused into one hand-written numba loop: what a programmer would write by hand,
    so the table shows what taking backprop apart into nodes costs. Compiled on first use."""
    import numba

    @numba.njit(cache=True, nogil=True)
    def loop(Ws, bs, sigmoid, X, T, labels, lr, order, n, classify, losses, accs):
        L = len(Ws)
        ys = [X[0].copy()]
        slopes, deltas = [], []
        for l in range(L):
            ys.append(np.zeros(Ws[l].shape[0]))
            slopes.append(np.zeros(Ws[l].shape[0]))
            deltas.append(np.zeros(Ws[l].shape[0]))
        loss = correct = 0.0
        for k in range(order.shape[0]):
            r = order[k]
            ys[0][:] = X[r]
            for l in range(L):  # forward
                W, b, x, y, slope = Ws[l], bs[l], ys[l], ys[l + 1], slopes[l]
                for i in range(W.shape[0]):
                    z = b[i]
                    for j in range(W.shape[1]):
                        z += W[i, j] * x[j]
                    if not sigmoid[l]:
                        y[i], slope[i] = z, 1.0
                    else:
                        y[i] = 1.0 / (1.0 + np.exp(-z)) if z >= 0.0 else np.exp(z) / (1.0 + np.exp(z))
                        slope[i] = y[i] * (1.0 - y[i])
            y, t, e = ys[L], T[r], 0.0
            best = 0
            for i in range(y.shape[0]):
                d = y[i] - t[i]
                e += d * d
                deltas[L - 1][i] = d * slopes[L - 1][i]
                if y[i] > y[best]:
                    best = i
            loss += 0.5 * e
            if classify:
                correct += ((1 if y[0] >= 0.5 else 0) if y.shape[0] == 1 else best) == labels[r]
            for l in range(L - 1, 0, -1):  # hidden deltas, from the weights before their update
                W = Ws[l]
                for j in range(W.shape[1]):
                    back = 0.0
                    for i in range(W.shape[0]):
                        back += W[i, j] * deltas[l][i]
                    deltas[l - 1][j] = back * slopes[l - 1][j]
            for l in range(L):  # SGD
                W, b, x, delta = Ws[l], bs[l], ys[l], deltas[l]
                for i in range(W.shape[0]):
                    for j in range(W.shape[1]):
                        W[i, j] += -lr * (delta[i] * x[j])
                    b[i] += -lr * delta[i]
            if (k + 1) % n == 0:
                losses[k // n], accs[k // n] = loss / n, correct / n
                loss = correct = 0.0

    return loop


def numba_trainer(net: Network) -> Trainer:
    """The hand-written numba loop (``_numba_loop``); the sample order is made before it runs."""
    from numba.typed import List

    loop = _numba_loop()
    n = len(net.X)
    sigmoid = np.array([act == "sigmoid" for act in net.activations])

    def train(epochs: int, limit: int | None = None) -> Trained:
        Ws, bs = List(W.copy() for W in net.weights), List(b.copy() for b in net.biases)
        orders = [order for order, _ in _epochs(net, epochs, limit)]
        order = np.concatenate(orders) if orders else np.zeros(0, dtype=np.int64)
        whole = len(order) // n
        losses, accs = np.zeros(whole), np.zeros(whole)
        loop(Ws, bs, sigmoid, net.X, net.T, net.labels, net.lr, order, n, net.classify, losses, accs)
        out = Trained(list(Ws), list(bs), losses.tolist(), accs.tolist() if net.classify else [], len(order))
        return out

    return train


def train_python(net: Network, epochs: int, limit: int | None = None) -> Trained:
    """Train the plain-Python reference for ``epochs`` epochs (or its first ``limit`` samples)."""
    return python_trainer(net)(epochs, limit)


def train_numpy(net: Network, epochs: int, limit: int | None = None) -> Trained:
    """Train the numpy reference for ``epochs`` epochs (or its first ``limit`` samples)."""
    return numpy_trainer(net)(epochs, limit)


TRAINERS = {"plain Python": python_trainer, "numpy": numpy_trainer, "numba loop": numba_trainer}
Params = tuple[list[np.ndarray], list[np.ndarray]]  # (weights, biases), layer by layer


def graph_params(g: Graph) -> Params:
    """The weights and biases of an mlp graph, as they are now."""
    L = len(g.settings["network"]["layers"]) - 1
    return ([g.state(f"weights_{l}")["value"].copy() for l in range(1, L + 1)],
            [g.state(f"bias_{l}")["value"].copy() for l in range(1, L + 1)])


def max_difference(a: Params, b: Params) -> float:
    """The largest absolute difference between two sets of (weights, biases)."""
    return max(float(np.max(np.abs(x - y))) for xs, ys in zip(a, b) for x, y in zip(xs, ys))


# -- workloads ------------------------------------------------------------------------

@dataclass
class Workload:
    """One thing to train: how to build its graph (fresh, from the same initial weights) and for how long."""

    name: str  # for --only
    title: str  # the table's first column
    build: Callable[[], Graph]
    epochs: int
    data: str  # where the data came from
    full: bool = False  # measure every implementation in full, whatever the budget


def _write_csv(path: Path, X: np.ndarray, labels: np.ndarray) -> Path:
    header = ",".join([f"x{j + 1}" for j in range(X.shape[1])] + ["class"])
    np.savetxt(path, np.column_stack([X, labels]), delimiter=",", header=header, comments="", fmt="%.10g")
    return path


def _blobs(n: int, features: int, classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic classification set: one Gaussian blob per class, features in [0, 1]."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % classes
    centres = rng.random((classes, features))
    X = np.clip(centres[labels] + rng.normal(0.0, 0.15, (n, features)), 0.0, 1.0)
    return X, labels


def workloads(folder: Path, quick: bool = False) -> list[Workload]:
    """The benchmark's workloads; data files they need are written into ``folder``."""
    from .builders import mlp

    if SEEDS_CSV.exists():
        seeds, seeds_data = SEEDS_CSV, f"{SEEDS_CSV.name} (210×7, 3 classes)"
    else:
        seeds = _write_csv(folder / "seeds-synthetic.csv", *_blobs(210, 7, 3, seed=1))
        seeds_data = f"synthetic 210×7, 3 classes ({SEEDS_CSV} not found)"
    n_digits = 100 if quick else 1200
    try:
        from sklearn.datasets import load_digits

        d = load_digits()
        digits = _write_csv(folder / "digits.csv", d.data[:n_digits] / 16.0, d.target[:n_digits])
        digits_data = f"scikit-learn digits, first {n_digits:,} (×64, 10 classes)"
    except ImportError:
        digits = _write_csv(folder / "digits-synthetic.csv", *_blobs(n_digits, 64, 10, seed=2))
        digits_data = f"synthetic {n_digits:,}×64, 10 classes (scikit-learn not installed)"
    pairs = 2_000 if quick else 500_000

    return [
        Workload("seeds", "seeds 7-5-3", lambda: mlp([7, 5, 3], data=str(seeds), lr=0.3, seed=1, split=1.0),
                 5 if quick else 500, seeds_data, full=True),
        Workload("adding", "adding neuron 2-1",
                 lambda: mlp([2, 1], "identity", data="adding", samples=pairs, lr=0.1, split=1.0),
                 2 if quick else 10, f"built-in adding, {pairs:,} pairs"),
        Workload("xor", "XOR 2-2-1", lambda: mlp([2, 2, 1], data="xor", lr=1.0, seed=3),
                 50 if quick else 5_000, "built-in xor, 4 samples"),
        Workload("digits", "digits 64-25-10",
                 lambda: mlp([64, 25, 10], data=str(digits), lr=0.3, seed=1, split=1.0, init="normal", scale=0.1),
                 2 if quick else 20, digits_data),
    ]


# -- measuring ------------------------------------------------------------------------

@dataclass
class Row:
    """One implementation on one workload."""

    workload: str
    implementation: str
    samples: int | None  # samples measured (None: not measured)
    total: int  # samples in the whole workload
    seconds: float | None  # time for the measured samples
    note: str = ""
    compile_seconds: float | None = None  # the fast engine's first call (on a copy) less setup and one epoch
    setup_seconds: float | None = None  # the fast engine's setup for this evaluator (code generation), not timed
    shuffle_seconds: float | None = None  # the workload's epoch_order calls alone (every implementation makes them)
    max_weight_diff: float | None = None  # vs the plain-Python reference, when both ran in full
    vs_python: float | None = None  # samples/s relative to plain Python (higher is faster)
    vs_numpy: float | None = None

    @property
    def rate(self) -> float | None:
        return self.samples / self.seconds if self.samples and self.seconds else None

    @property
    def full(self) -> bool:
        return self.samples == self.total

    @property
    def full_seconds(self) -> float | None:
        """The time for the whole workload: measured, or extrapolated from the prefix."""
        return self.total / self.rate if self.rate else None

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(samples_per_s=self.rate, full_run=self.full, full_seconds=self.full_seconds)
        return d


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _measure(run: Callable[[int | None], tuple[float, object]], total: int, budget: float | None,
             probe: int) -> tuple[int, float, object]:
    """Time ``run(limit)`` (which returns seconds and a result) on the whole workload or on a prefix.

    Probe runs first warm up (the stepper's kernels load on their first call) and,
    growing until one takes a tenth of the budget, estimate the speed; with a budget, if
    the whole workload would take much longer than it, about ``budget`` seconds' worth
    of samples is measured instead.
    """
    n = min(total, probe)
    while True:
        seconds, _ = run(n)
        if budget is None or n == total or seconds >= budget / 10:
            break
        n = min(total, 4 * n)
    rate = n / max(seconds, 1e-9)
    if budget is None or total <= 1.5 * budget * rate:
        n = total
    else:
        n = max(n, int(budget * rate))
    seconds, result = run(None if n == total else n)
    return n, seconds, result


def _fast_engine() -> tuple[Callable | None, str | None]:
    """(prepare, why not). ``prepare(ev)`` readies an evaluator's compiled engine before the timing
    starts and returns False when the engine would fall back to the stepper for this graph."""
    if FAST_ENGINE != "fast":
        return (lambda ev: True), None
    try:
        from . import engine
    except ImportError as e:
        return None, f"not available ({e})"
    engine_for = getattr(engine, "engine_for", None)
    if engine_for is None:  # no separate setup: it is timed with the run
        return (lambda ev: True), None
    return (lambda ev: engine_for(ev) is not None), None


def _fast_row(w: Workload, total: int) -> tuple[Row, Params | None]:
    """The fast engine on the whole workload, after a first call (compilation) on a separate copy."""
    from .evaluator import Evaluator

    prepare, why = _fast_engine()
    if prepare is None:
        return Row(w.title, "fast engine", None, total, None, note=why), None
    warm = Evaluator(w.build())
    warm.plan
    first_call, ok = _timed(lambda: prepare(warm) and warm.run(1, engine=FAST_ENGINE) is not None)
    if not ok:
        return Row(w.title, "fast engine", None, total, None,
                   note="the fast engine cannot run this graph (it falls back to the stepper)"), None
    ev = Evaluator(w.build())
    ev.plan
    setup, _ = _timed(lambda: prepare(ev))
    seconds, _ = _timed(lambda: ev.run(w.epochs, engine=FAST_ENGINE))
    return Row(w.title, "fast engine", total, total, seconds, setup_seconds=setup,
               compile_seconds=max(0.0, first_call - setup - seconds / w.epochs)), graph_params(ev.graph)


def bench_workload(w: Workload, budget: float | None = BUDGET,
                   implementations: tuple[str, ...] = IMPLEMENTATIONS) -> list[Row]:
    """Measure each implementation on one workload; rows in the order of ``implementations``."""
    from .evaluator import Evaluator

    net = Network.from_graph(w.build())
    n = len(net.X)
    total = n * w.epochs
    limit_budget = None if w.full else budget
    probe = max(min(n, 2_000), 200)
    reference = None  # the plain-Python reference's final parameters, when it ran in full
    shuffle, _ = _timed(lambda: [epoch_order(net.seed, e, n) for e in range(w.epochs)])
    rows = []
    for impl in implementations:
        if impl in TRAINERS:
            trainer = TRAINERS[impl](net)

            def run(limit, trainer=trainer):
                return _timed(lambda: trainer(w.epochs, limit))

            samples, seconds, result = _measure(run, total, limit_budget, probe)
            row = Row(w.title, impl, samples, total, seconds)
            params = (result.weights, result.biases)
        elif impl == "stepper":
            def run(limit):
                ev = Evaluator(w.build())
                ev.plan
                seconds, _ = _timed(lambda: ev.run(w.epochs, samples=limit))
                return seconds, graph_params(ev.graph)

            samples, seconds, params = _measure(run, total, limit_budget, probe)
            row = Row(w.title, impl, samples, total, seconds)
        elif impl == "fast engine":
            row, params = _fast_row(w, total)
        else:
            raise ValueError(f"unknown implementation {impl!r} (choose from {', '.join(IMPLEMENTATIONS)})")
        row.shuffle_seconds = shuffle
        if row.full:
            if impl == "plain Python":
                reference = params
            elif reference is not None:
                row.max_weight_diff = max_difference(params, reference)
        rows.append(row)
    by_impl = {r.implementation: r.rate for r in rows}
    for r in rows:
        if r.rate:
            r.vs_python = r.rate / by_impl["plain Python"] if by_impl.get("plain Python") else None
            r.vs_numpy = r.rate / by_impl["numpy"] if by_impl.get("numpy") else None
    return rows


# -- the table ------------------------------------------------------------------------

COLUMNS = ("workload", "implementation", "samples", "time (s)", "samples/s", "×plain-Python", "×numpy")
NUMERIC = {"samples", "time (s)", "samples/s", "×plain-Python", "×numpy"}


def _ratio(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:,.0f}"


def _seconds(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.3f}" if v < 10 else f"{v:.2f}" if v < 100 else f"{v:,.0f}"


def table_cells(rows: list[Row]) -> list[tuple[str, ...]]:
    """The table's cells, header first; a measured prefix shows as "~" on its extrapolated time."""
    cells = [COLUMNS]
    last = None
    for r in rows:
        if r.samples is None:
            body = ("n/a",) * 5
        else:
            samples = f"{r.samples:,}" if r.full else f"{r.samples:,}*"
            time_cell = _seconds(r.seconds) if r.full else f"~{r.full_seconds:,.3g}"
            body = (samples, time_cell, f"{r.rate:,.0f}", _ratio(r.vs_python), _ratio(r.vs_numpy))
        cells.append((r.workload if r.workload != last else "", r.implementation) + body)
        last = r.workload
    return cells


def format_table(rows: list[Row], header: list[str] | None = None) -> str:
    """An aligned text table of the rows, with the header lines above and the notes below."""
    cells = table_cells(rows)
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = list(header or [])

    def line(c):
        return "  ".join(v.rjust(wd) if COLUMNS[i] in NUMERIC else v.ljust(wd)
                         for i, (v, wd) in enumerate(zip(c, widths))).rstrip()

    lines.append(line(cells[0]))
    lines.append("  ".join("-" * wd for wd in widths))
    for c, r in zip(cells[1:], rows):
        if c[0] and len(lines) > len(header or []) + 2:
            lines.append("")
        lines.append(line(c))
    lines.append("")
    lines.extend(footnotes(rows))
    return "\n".join(lines)


def _duration(v: float) -> str:
    return f"{1000 * v:.0f} ms" if v < 1 else f"{v:.1f} s"


def footnotes(rows: list[Row]) -> list[str]:
    notes = []
    prefix = [r for r in rows if r.samples is not None and not r.full]
    if prefix:
        notes.append("* measured on a prefix of the workload's samples; ~ time is extrapolated to the whole "
                     "workload from that rate:")
        notes.extend(f"    {r.workload}, {r.implementation}: {r.samples:,} of {r.total:,} samples in "
                     f"{r.seconds:.2f} s" for r in prefix)
    compiled = [r for r in rows if r.compile_seconds is not None]
    if compiled:
        notes.append("fast engine, not included above: first call on a separate copy (compiling, or loading from "
                     "the disk cache) "
                     + ", ".join(f"{r.workload} {_duration(r.compile_seconds)}" for r in compiled)
                     + "; setup per run (code generation) "
                     + ", ".join(_duration(r.setup_seconds) for r in compiled))
    shuffles = {r.workload: r.shuffle_seconds for r in rows if r.shuffle_seconds is not None}
    if shuffles:
        notes.append("shuffling alone (epoch_order for every epoch of the workload, which every implementation "
                     "calls): "
                     + ", ".join(f"{name} {_duration(v)}" for name, v in shuffles.items()))
    diffs: dict[str, float] = {}
    for r in rows:
        if r.max_weight_diff is not None:
            diffs[r.implementation] = max(diffs.get(r.implementation, 0.0), r.max_weight_diff)
    if diffs:
        notes.append("final weights vs plain Python's, where both ran in full: largest difference "
                     + ", ".join(f"{impl} {d:.1e}" for impl, d in diffs.items()))
    missing: dict[str, list[str]] = {}
    for r in rows:
        if r.samples is None:
            missing.setdefault(r.note, []).append(r.workload)
    notes.extend(f"n/a: {note} ({', '.join(names)})" for note, names in missing.items())
    return notes


def header_lines(ws: list[Workload]) -> list[str]:
    return ["nodeflow bench: training time on this machine (data loading, graph building and compilation "
            "not included)",
            "SGD, batch size 1, squared error; all samples train (no test split); every implementation "
            "also tracks each epoch's mean loss and train accuracy",
            "×plain-Python, ×numpy: samples/s relative to the per-sample references (higher is faster)",
            "data:"] + [f"  {w.name + ':':<8} {w.data}" for w in ws] + [""]


# -- the command ----------------------------------------------------------------------

def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of ``nodeflow bench``."""
    p.add_argument("--quick", action="store_true", help="small sizes: a fast look (seconds, not a minute)")
    p.add_argument("--json", action="store_true", help="one JSON object per row instead of the table")
    p.add_argument("--only", action="append", metavar="NAME", choices=("seeds", "adding", "xor", "digits"),
                   help="run only this workload: seeds, adding, xor or digits (may be repeated)")
    p.add_argument("--budget", type=float, default=None,
                   help=f"seconds a slow implementation gets on a big workload before its time is extrapolated "
                        f"(default {BUDGET:g}; --quick {QUICK_BUDGET:g})")
    return p


def cmd_bench(a: argparse.Namespace) -> int:
    """Run the benchmark with the options of ``add_arguments``; prints the table (or JSON rows). Returns 0."""
    quick, as_json, only = getattr(a, "quick", False), getattr(a, "json", False), getattr(a, "only", None)
    budget = getattr(a, "budget", None)
    if budget is None:
        budget = QUICK_BUDGET if quick else BUDGET
    progress = not as_json and sys.stderr.isatty()
    with tempfile.TemporaryDirectory(prefix="nodeflow-bench-") as folder:
        ws = [w for w in workloads(Path(folder), quick=quick) if not only or w.name in only]
        if not as_json:
            print("\n".join(header_lines(ws)), flush=True)
        rows = []
        for w in ws:
            if progress:
                print(f"measuring {w.title} ...", end="\r", file=sys.stderr, flush=True)
            wrows = bench_workload(w, budget)
            rows.extend(wrows)
            if as_json:
                for r in wrows:
                    print(json.dumps(dict(r.as_dict(), data=w.data, epochs=w.epochs)), flush=True)
        if progress:
            print(" " * 60, end="\r", file=sys.stderr, flush=True)
        if not as_json:
            print(format_table(rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m nodeflow.bench [--quick] [--json] [--only NAME]``."""
    p = add_arguments(argparse.ArgumentParser(prog="nodeflow bench", description="Time the stepper and the fast "
                                            "engine against plain-Python and numpy per-sample references."))
    return cmd_bench(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
