"""The stepping evaluator: run a graph one node, one sample or one epoch at a time.

A sample step evaluates every node once, in schedule order (forward, error, deltas,
updates), then commits each update's ``new`` value into its parameter. At the end of
an epoch the test set is run through the forward pass and the epoch's figures are
recorded. After any step the value on every wire, the node evaluated last and its
phase can be read; the last ``history`` sample steps can be stepped back.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

import networkx as nx
import numpy as np

from .datasets import epoch_order
from .errors import Diverged, NotReady
from .graph import Graph, Link
from .jit import JIT_AVAILABLE, all_finite
from .plan import Plan, Step, build_plan

QUIET_CHANGES = ("node_moved", "label_changed")  # edits that do not change what is computed
RISING_EPOCHS, RISING_BY = 5, 1.1  # warn when the loss grew 5 epochs in a row, by 10 % or more


@dataclass(frozen=True)
class EpochStats:
    epoch: int  # 1-based
    loss: float | None
    train_acc: float | None
    test_acc: float | None
    values: dict = field(default_factory=dict)  # every metric node's value: {"node.port": value}
    warning: str | None = None  # e.g. the loss has grown for several epochs in a row

    def as_dict(self) -> dict:
        return {"epoch": self.epoch, "loss": self.loss, "train_acc": self.train_acc, "test_acc": self.test_acc}


@dataclass
class _Snapshot:
    mem: np.ndarray
    smem: np.ndarray
    epoch: int
    sample: int
    n_stats: int
    last_node: str | None
    phase: str | None


class Evaluator:
    """A stepping session over a graph. Edits to the graph are picked up at the next step."""

    def __init__(self, graph: Graph, *, jit: bool | None = None, history: int = 200):
        self.graph = graph
        self.jit = JIT_AVAILABLE if jit is None else (jit and JIT_AVAILABLE)
        self.sample = 0  # index of the next sample within the epoch
        self.cursor = 0  # index of the next step within the sample
        self.stats: list[EpochStats] = []
        self.last_node: str | None = None
        self.phase: str | None = None
        self.divergence: Diverged | None = None  # set when a step produced NaN or infinity
        self._profiling = False
        self._times: dict[str, list[int]] = {}
        self._plan: Plan | None = None
        self._order: np.ndarray | None = None
        self._snapshots: deque[_Snapshot] = deque(maxlen=history)
        self._unsubscribe = graph.subscribe(self._on_change)

    def close(self) -> None:
        self._unsubscribe()

    # -- the plan ----------------------------------------------------------------------
    @property
    def plan(self) -> Plan:
        """The current execution plan; raises NotReady with the reason when there is none."""
        if self._plan is None:
            self._plan = build_plan(self.graph, jit=self.jit)
            if self.sample >= len(self._plan.X_train):
                self.sample = 0
        return self._plan

    @property
    def ready(self) -> bool:
        try:
            self.plan
        except NotReady:
            return False
        return True

    def _on_change(self, kind: str, **details) -> None:
        if kind in QUIET_CHANGES or self._plan is None:
            return
        if self.cursor > 0:  # abandon the half-done sample: back to its start
            self._restore(self._snapshots.pop())
        self._plan = None
        self._snapshots.clear()
        if kind == "setting_changed" and details.get("name") in ("data", "samples", "seed", "split", "target"):
            self.sample = 0
            self._order = None

    @property
    def epoch(self) -> int:
        """Epochs completed so far (kept in the graph, so a saved file continues from there)."""
        return self.graph.trained_epochs

    @property
    def n_train(self) -> int:
        return len(self.plan.X_train)

    @property
    def steps(self) -> list[Step]:
        return self.plan.steps

    @property
    def next_node(self) -> str:
        return self.plan.steps[self.cursor].node

    @property
    def evaluated(self) -> list[str]:
        """Nodes evaluated so far in the current sample (all of them right after a sample)."""
        steps = self.plan.steps
        return [s.node for s in steps[: self.cursor]] if self.cursor else [s.node for s in steps]

    # -- values ------------------------------------------------------------------------
    def value(self, node: str, port: str) -> np.ndarray:
        """A copy of the value on an output port (or on the wire into an input port)."""
        t = self.graph.type_of(node)
        if t.port(port, "out") is None:
            w = self.graph.wire_into(node, port)
            if w is None:
                raise KeyError(f"{node}.{port} is not an output and has no wire")
            node, port = w.src, w.src_port
        return self.plan.value(node, port).copy()

    def wire_values(self) -> dict[Link, np.ndarray]:
        """The value every wire carries now."""
        p = self.plan
        return {l: p.value(l.src, l.src_port).copy() for l in self.graph.links()}

    @property
    def current_row(self) -> int | None:
        """Row (in the training set) of the sample being stepped, or of the last one."""
        return int(self.plan.row[0])

    # -- stepping ----------------------------------------------------------------------
    def _push_snapshot(self) -> None:
        """Remember the state now, for step_back()."""
        p = self.plan
        self._snapshots.append(_Snapshot(p.mem.copy(), p.smem.copy(), self.epoch, self.sample,
                                         len(self.stats), self.last_node, self.phase))

    def _begin_sample(self) -> None:
        p = self.plan
        self._push_snapshot()
        n = len(p.X_train)
        if self.sample == 0 or self._order is None:
            self._order = epoch_order(self.graph.settings["seed"], self.epoch, n)
            if self.sample == 0:
                for r in p.resets:
                    r[:] = 0.0
        rt = p.runtime
        rt["row"][0] = self._order[self.sample]
        rt["epoch"][0] = self.epoch
        batch = self.graph.settings["batch_size"]
        rt["batch_end"][0] = 1.0 if (self.sample + 1) % batch == 0 or self.sample + 1 == n else 0.0
        self.divergence = None

    def _end_sample(self) -> None:
        p = self.plan
        for new, param, _, _ in p.commits:
            param[...] = new
        self.cursor = 0
        self.sample += 1
        if self.sample >= len(p.X_train):
            self._end_epoch()

    def _end_epoch(self) -> None:
        p = self.plan
        ran_test = bool(p.test_steps) and len(p.X_test) > 0
        if ran_test:
            saved = p.mem.copy()
            for r in p.test_resets:
                r[:] = 0.0
            for i in range(len(p.X_test)):
                p.row[0] = i
                for s in p.test_steps:
                    s.run(*s.args)
            results = {n: p.value(n, "acc").copy() for n in self.test_nodes()}
            p.mem[:] = saved
            for n, v in results.items():
                p.value(n, "acc")[...] = v
            p.row[0] = self._order[-1] if self._order is not None else 0
        self._record_epoch({(n, port): float(p.value(n, port)[()]) for n, port in self.metric_ports()}, ran_test)
        self.sample = 0
        self._order = None

    def _record_epoch(self, values: dict[tuple[str, str], float], ran_test: bool) -> EpochStats:
        """Count one more epoch and keep its figures (the stepper and the fast engine both end epochs here)."""
        p = self.plan
        test_nodes = self.test_nodes()
        named = {f"{n}.{port}": v for (n, port), v in values.items() if ran_test or n not in test_nodes}

        def metric(name):
            key = "{}.{}".format(*p.metrics[name]) if name in p.metrics else None
            return named.get(key)

        self.graph.trained_epochs += 1
        loss = metric("loss")
        self.stats.append(EpochStats(self.epoch, loss, metric("train_acc"), metric("test_acc"), named,
                                     self._rising_warning(loss)))
        return self.stats[-1]

    def _rising_warning(self, loss: float | None) -> str | None:
        recent = [s.loss for s in self.stats[-RISING_EPOCHS:]] + [loss]
        if loss is None or len(recent) <= RISING_EPOCHS or None in recent:
            return None
        if all(b > a for a, b in zip(recent, recent[1:])) and loss >= RISING_BY * recent[0]:
            return (f"the loss has grown for {RISING_EPOCHS} epochs in a row ({recent[0]:.4g} -> {loss:.4g}); "
                    "the learning rate may be too high")
        return None

    def test_nodes(self) -> list[str]:
        """Accuracy nodes measured on the test set at the end of each epoch."""
        g = self.graph
        return [n for n in g.nodes_of_type("Accuracy") if g.params(n)["on"] == "test"]

    def metric_ports(self) -> list[tuple[str, str]]:
        """Every output of a MeanLoss or Accuracy node: the figures kept per epoch."""
        g = self.graph
        return sorted((n, p.name) for n in g.nodes_of_type("MeanLoss", "Accuracy")
                      for p in g.type_of(n).outputs)

    def step_node(self) -> str:
        """Evaluate the next node; returns its id. The last node of a sample commits the updates.

        Raises Diverged if the node produced NaN or infinity: the bad value stays on its
        wires, the weights are as before the sample, and step_back() undoes the sample.
        """
        p = self.plan
        if self.cursor == 0:
            self._begin_sample()
        s = p.steps[self.cursor]
        if self.profiling:
            self._timed(s)
        elif s.kernel is not None:
            s.run(*s.args)
        self.last_node, self.phase = s.node, s.phase
        self.cursor += 1
        self._check(s)
        if self.cursor == len(p.steps):
            self.phase = "update"
            self._end_sample()
        return s.node

    def _timed(self, s: Step) -> None:
        start = time.perf_counter_ns()
        if s.kernel is not None:
            s.run(*s.args)
        spent = self._times.setdefault(s.node, [0, 0])
        spent[0] += time.perf_counter_ns() - start
        spent[1] += 1

    def node_times(self) -> dict[str, float]:
        """Mean microseconds each node took per evaluation since profiling was switched on."""
        return {n: total / count / 1000 for n, (total, count) in self._times.items() if count}

    @property
    def profiling(self) -> bool:
        """Time every node (like Grasshopper's profiler); costs a little speed while on."""
        return self._profiling

    @profiling.setter
    def profiling(self, on: bool) -> None:
        self._profiling = bool(on)
        self._times.clear()

    def _check(self, s: Step) -> None:
        for name, arr in s.writes:
            if not np.isfinite(arr).all():
                bad = arr[~np.isfinite(arr)].flat[0]
                self.divergence = Diverged(s.node, name, float(bad), self.epoch + 1, self.sample + 1,
                                           len(self.plan.X_train), float(self.plan.lr[0]))
                raise self.divergence

    def step_sample(self) -> None:
        """Finish the current sample (or do a whole one); raises Diverged like step_node."""
        p = self.plan
        if self.cursor == 0:
            self._begin_sample()
        if self.profiling:
            for s in p.steps[self.cursor:]:
                self._timed(s)
        else:
            for s in p.steps[self.cursor:]:
                if s.kernel is not None:
                    s.run(*s.args)
        if not (all_finite(p.mem) and all_finite(p.smem)):
            self._find_divergence()
        last = p.steps[-1]
        self.last_node, self.phase = last.node, "update"
        self._end_sample()

    def _find_divergence(self) -> None:
        """Redo this sample node by node from its start and stop at the first non-finite value."""
        snap = self._snapshots[-1]
        p = self.plan
        p.mem[:] = snap.mem
        p.smem[:] = snap.smem
        for k, s in enumerate(p.steps):
            if s.kernel is not None:
                s.run(*s.args)
            self.cursor = k + 1
            self.last_node, self.phase = s.node, s.phase
            self._check(s)
        raise AssertionError("a non-finite value appeared but no node produced it")  # pragma: no cover

    def step_epoch(self) -> EpochStats:
        """Finish the current epoch (or do a whole one); returns its figures."""
        start = self.epoch
        while self.epoch == start:
            self.step_sample()
        return self.stats[-1]

    def run(self, epochs: int, *, samples: int | None = None,
            on_epoch: Callable[[EpochStats], bool | None] | None = None,
            engine: str = "step") -> list[EpochStats]:
        """Train for ``epochs`` epochs (or stop after ``samples`` sample steps).

        ``on_epoch`` is called after each epoch; returning True stops the run.
        ``engine="fast"`` runs whole epochs in one compiled function (same numbers).
        """
        if engine == "fast" and samples is None:
            from .engine import run_fast

            return run_fast(self, epochs, on_epoch=on_epoch)
        first = len(self.stats)
        done = 0
        target_epoch = self.epoch + epochs
        while self.epoch < target_epoch:
            if samples is not None and done >= samples:
                break
            before = self.epoch
            self.step_sample()
            done += 1
            if self.epoch != before and on_epoch is not None and on_epoch(self.stats[-1]):
                break
        return self.stats[first:]

    def step_back(self) -> bool:
        """Undo the last sample step (or the part of a sample done so far). False if none is kept."""
        if self._plan is None or not self._snapshots:
            return False
        self._restore(self._snapshots.pop())
        return True

    @property
    def can_step_back(self) -> bool:
        return self._plan is not None and bool(self._snapshots)

    def _restore(self, snap: _Snapshot) -> None:
        p = self._plan
        p.mem[:] = snap.mem
        p.smem[:] = snap.smem
        if self.graph.trained_epochs != snap.epoch:
            self._order = None
        self.graph.trained_epochs = snap.epoch
        self.sample = snap.sample
        del self.stats[snap.n_stats:]
        self.cursor = 0
        self.last_node, self.phase = snap.last_node, snap.phase
        if self._order is not None:
            p.row[0] = self._order[self.sample]

    # -- forward-only evaluation -------------------------------------------------------
    def output_port(self) -> tuple[str, str]:
        """The port the network's prediction comes out of (what the error compares)."""
        g = self.graph
        for n in g.nodes_of_type("Error", "Accuracy"):
            w = g.wire_into(n, "y")
            if w is not None:
                return w.src, w.src_port
        raise NotReady("no Error or Accuracy node says which output is the prediction")

    def steps_leading_to(self, nodes) -> list[Step]:
        """The steps of ``nodes`` and everything they depend on, in schedule order."""
        needed = set(nodes)
        for n in nodes:
            needed |= nx.ancestors(self.graph.nx, n)
        return [s for s in self.plan.steps if s.node in needed]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Run the forward pass on each row of ``X`` (values on the wires are left as they were)."""
        p = self.plan
        node, port = self.output_port()
        steps = self.steps_leading_to([node])
        X = np.ascontiguousarray(np.atleast_2d(np.asarray(X, dtype=float)))
        out = np.empty((len(X),) + p.value(node, port).shape)
        saved, row = p.mem.copy(), p.row[0]
        try:
            feed = [s for s in steps if s.type == "Dataset"]
            for i in range(len(X)):
                for s in steps:
                    if s in feed:
                        s.args[3][:] = X[i]
                    elif s.kernel is not None:
                        s.run(*s.args)
                out[i] = p.value(node, port)
        finally:
            p.mem[:] = saved
            p.row[0] = row
        return out
