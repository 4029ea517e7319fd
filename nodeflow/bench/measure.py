"""Timing each implementation on a workload, on the whole of it or on a prefix."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from statistics import median
from typing import Callable

from ..data import epoch_order
from ..run.session import Session
from . import BUDGET
from .explicit import explicit_trainer
from .references import Network, Params, max_difference, numpy_trainer, python_trainer, trained_params
from .workloads import Workload

IMPLEMENTATIONS = ("explicit loop", "plain Python", "numpy", "stepper", "fast engine")  # the first: the reference
MINIBATCH = ("numpy mini-batch", "torch (CPU)", "fast engine")  # a mini-batch workload's, likewise
TRAINERS = {"explicit loop": explicit_trainer, "plain Python": python_trainer, "numpy": numpy_trainer}  # written here

REPEATS = 3  # whole runs of the explicit loop and the fast engine, the median timed: they take a fraction of a second


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
    max_weight_diff: float | None = None  # vs the reference row's final weights, when both ran in full
    vs_reference: float | None = None  # whole-workload time ÷ the reference row's (the limit): 1.5 = 50 % slower

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


def _fast_row(w: Workload, total: int) -> tuple[Row, Params | None]:
    """The compiled engine on the whole workload, after a first call (compilation) on a separate copy."""
    warm = Session(w.build())
    warm.prepare()
    first_call, ok = _timed(lambda: warm.compiled() is not None and warm.train(1) is not None)
    if not ok:
        return Row(w.title, "fast engine", None, total, None,
                   note="the compiled engine cannot run here (it falls back to the stepper)"), None
    times = []
    for _ in range(REPEATS):
        ev = Session(w.build())
        ev.prepare()
        setup, _ = _timed(ev.compiled)
        times.append(_timed(lambda: ev.train(w.epochs))[0])
    seconds = median(times)
    return Row(w.title, "fast engine", total, total, seconds, setup_seconds=setup,
               compile_seconds=max(0.0, first_call - setup - seconds / w.epochs)), trained_params(ev)


def _trainer_row(w: Workload, impl: str, net: Network, total: int, budget: float | None, probe: int):
    """A reference written here (``TRAINERS``); the explicit loop always runs in full."""
    trainer = TRAINERS[impl](net)

    def run(limit):
        return _timed(lambda: trainer(w.epochs, limit))

    samples, seconds, result = _measure(run, total, None if impl == "explicit loop" else budget, probe)
    if impl == "explicit loop":  # the reference: as many runs as the fast engine's
        seconds = median([seconds] + [run(None)[0] for _ in range(REPEATS - 1)])
    return Row(w.title, impl, samples, total, seconds), (result.weights, result.biases)


def _stepper_row(w: Workload, total: int, budget: float | None, probe: int):
    def run(limit):
        ev = Session(w.build())
        ev.prepare()
        seconds, _ = _timed(lambda: ev.train(w.epochs, samples=limit, engine="step"))
        return seconds, trained_params(ev)

    samples, seconds, params = _measure(run, total, budget, probe)
    return Row(w.title, "stepper", samples, total, seconds), params


def bench_workload(w: Workload, budget: float | None = BUDGET,
                   implementations: tuple[str, ...] | None = None) -> list[Row]:
    """Measure each implementation on one workload; rows in the order of ``implementations``
    (by default the workload's own: the reference first)."""
    if w.minibatch:
        from .minibatch import bench_minibatch

        return bench_minibatch(w, implementations or MINIBATCH)
    implementations = implementations or IMPLEMENTATIONS
    net = Network.from_graph(w.build())
    n = len(net.X)
    total = n * w.epochs
    limit_budget = None if w.full else budget
    probe = max(min(n, 2_000), 200)
    shuffle, _ = _timed(lambda: [epoch_order(net.seed, e, n) for e in range(w.epochs)])
    rows, params = [], []
    for impl in implementations:
        if impl in TRAINERS:
            row, p = _trainer_row(w, impl, net, total, limit_budget, probe)
        elif impl == "stepper":
            row, p = _stepper_row(w, total, limit_budget, probe)
        elif impl == "fast engine":
            row, p = _fast_row(w, total)
        else:
            raise ValueError(f"unknown implementation {impl!r} (choose from {', '.join(IMPLEMENTATIONS)})")
        row.shuffle_seconds = shuffle
        rows.append(row)
        params.append(p)
    compare(rows, params)
    return rows


def compare(rows: list[Row], params: list) -> None:
    """Each row's time and final weights against the first row's (the reference), where both ran in full."""
    ref, ref_params = rows[0], params[0]
    for r, p in zip(rows, params):
        if r.full_seconds and ref.full_seconds:
            r.vs_reference = r.full_seconds / ref.full_seconds
        if r is not ref and r.full and ref.full and p is not None and ref_params is not None:
            r.max_weight_diff = max_difference(p, ref_params)
