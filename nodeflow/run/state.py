"""The run: everything that changes while a graph trains, owned by one object.

A ``Run`` holds the wire memory ``mem`` and state memory ``smem`` laid out by a plan,
the named input arrays (the data and the runtime values kernels read), where training
is (epoch, sample, the node cursor within a sample), the per-epoch history, snapshots
for stepping back, the last divergence and per-node profile times. Executors advance
it; the document sees its values only when they are applied (``Run.trained_state``).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..errors import Diverged
from ..nodes.base import matrix_shape
from .plan import MEM, Arg, Plan, Slot, Step

RISING_EPOCHS, RISING_BY = 5, 1.1  # warn when the loss grew 5 epochs in a row, by 10 % or more
SATURATED_SHARE = 0.5  # warn when more than this share of a layer's sigmoid slopes was below 0.01 in an epoch


@dataclass(frozen=True)
class EpochStats:
    epoch: int  # 1-based
    loss: float | None
    train_acc: float | None
    test_acc: float | None
    values: dict = field(default_factory=dict)  # every metric node's value: {"node.port": value}
    warning: str | None = None  # e.g. the loss has grown for several epochs in a row, a layer is saturated
    test_loss: float | None = None  # the mean error on the test set, when measured

    def as_dict(self) -> dict:
        return {"epoch": self.epoch, "loss": self.loss, "test_loss": self.test_loss, "train_acc": self.train_acc,
                "test_acc": self.test_acc}


@dataclass(frozen=True)
class Snapshot:
    mem: np.ndarray
    smem: np.ndarray
    epoch: int
    sample: int
    n_stats: int
    last_node: str | None
    phase: str | None


class Run:
    """The training state of one plan. ``Run(plan, states, epoch)`` starts from the given state values."""

    def __init__(self, plan: Plan, states: dict[tuple[str, str], np.ndarray], epoch: int = 0, *,
                 history: int = 200):
        self.plan = plan
        self.mem = np.zeros(plan.mem_size)
        self.smem = np.zeros(plan.smem_size)
        for key, slot in plan.state_slots.items():
            if key in states and np.size(states[key]) == slot.size:
                self.view(slot).reshape(-1)[:] = np.ravel(states[key])
        d = plan.data
        self.inputs: dict[str, np.ndarray] = {
            "X_train": np.ascontiguousarray(d.X_train), "T_train": np.ascontiguousarray(d.T_train),
            "X_test": np.ascontiguousarray(d.X_test), "T_test": np.ascontiguousarray(d.T_test),
            "row": np.zeros(1, dtype=np.int64), "epoch": np.zeros(1), "batch_end": np.ones(1),
            "base_lr": np.array([plan.lr])}
        self.epoch = epoch  # epochs completed
        self.sample = 0  # index of the next sample within the epoch
        self.cursor = 0  # index of the next step within the sample
        self.order: np.ndarray | None = None  # this epoch's sample order
        self.stats: list[EpochStats] = []
        self.snapshots: deque[Snapshot] = deque(maxlen=history)
        self.last_node: str | None = None
        self.phase: str | None = None
        self.divergence: Diverged | None = None
        self.times: dict[str, list[int]] = {}  # node -> [total ns, evaluations] while profiling
        self.version = 0  # bumped by every change of the values (the editor redraws on it)
        self._saturation_nodes = tuple(s.node for s in plan.steps if s.type == "Saturation")
        self._bound: dict[int, tuple] = {}

    # -- memory ------------------------------------------------------------------------
    def view(self, slot: Slot) -> np.ndarray:
        """The array a slot names (a view: it changes as the run advances). Scalars are shape (1,)."""
        buf = self.mem if slot.buf == MEM else self.smem
        return buf[slot.start:slot.stop].reshape(slot.shape or (1,))

    def value(self, node: str, port: str) -> np.ndarray | None:
        """The value on an output port now (a view, in the port's own shape); None for a node the
        plan skips (``Plan.skipped``): it computes nothing."""
        if node in self.plan.skipped:
            return None
        slot = self.plan.slot(node, port)
        buf = self.mem if slot.buf == MEM else self.smem
        return buf[slot.start:slot.stop].reshape(slot.shape)

    def arg(self, a: Arg):
        if a.kind == "slot":
            v = self.view(a.slot)
            return v.reshape(matrix_shape(a.slot.shape)) if a.matrix else v
        if a.kind == "input":
            return self.inputs[a.name]
        if a.kind == "zeros":
            return np.zeros(a.shape)
        if a.kind == "values":
            return np.array(a.values, dtype=float)
        return a.value

    def args(self, step: Step) -> tuple:
        """A step's arguments as arrays of this run (made once per step)."""
        bound = self._bound.get(id(step))
        if bound is None:
            bound = self._bound[id(step)] = tuple(self.arg(a) for a in step.args)
        return bound

    @property
    def row(self) -> int:
        """Row (in the training set) of the sample being stepped, or of the last one."""
        return int(self.inputs["row"][0])

    def state_values(self) -> dict[tuple[str, str], np.ndarray]:
        """Every state array, copied: (node, name) -> value."""
        return {key: self.view(slot).reshape(slot.shape).copy() for key, slot in self.plan.state_slots.items()}

    def trained_state(self) -> dict[str, dict[str, np.ndarray]]:
        """What a graph file keeps of this run: each parameter's and optimiser's saved state."""
        out: dict[str, dict[str, np.ndarray]] = {}
        for node, names in self.plan.saved.items():
            out[node] = {n: self.value_of_state(node, n) for n in names if (node, n) in self.plan.state_slots}
        return out

    def value_of_state(self, node: str, name: str) -> np.ndarray:
        slot = self.plan.state_slots[(node, name)]
        return self.view(slot).reshape(slot.shape).copy()

    def copy(self) -> "Run":
        """An independent run at the same point (for probing and gradient checks)."""
        other = Run(self.plan, {}, self.epoch)
        other.mem[:], other.smem[:] = self.mem, self.smem
        for k in ("row", "epoch", "batch_end", "base_lr"):
            other.inputs[k][:] = self.inputs[k]
        other.sample, other.cursor, other.order = self.sample, self.cursor, self.order
        return other

    # -- history -----------------------------------------------------------------------
    def checkpoint(self) -> Snapshot:
        """The state now, to ``restore`` later."""
        return Snapshot(self.mem.copy(), self.smem.copy(), self.epoch, self.sample, len(self.stats),
                        self.last_node, self.phase)

    def snapshot(self) -> None:
        """Remember the state now, for stepping back (``restore()``)."""
        self.snapshots.append(self.checkpoint())

    def restore(self, snap: Snapshot | None = None) -> bool:
        """Go back to a snapshot (the last one taken, by default). False if there is none."""
        if snap is None:
            if not self.snapshots:
                return False
            snap = self.snapshots.pop()
        self.mem[:] = snap.mem
        self.smem[:] = snap.smem
        if self.epoch != snap.epoch:
            self.order = None
        self.epoch, self.sample = snap.epoch, snap.sample
        del self.stats[snap.n_stats:]
        self.cursor = 0
        self.last_node, self.phase = snap.last_node, snap.phase
        self.divergence = None
        if self.order is not None:
            self.inputs["row"][0] = self.order[self.sample]
        self.version += 1
        return True

    def record_epoch(self, values: dict[tuple[str, str], float], ran_test: bool) -> EpochStats:
        """Count one more epoch and keep its figures (every executor ends epochs here)."""
        plan = self.plan
        named = {f"{n}.{port}": v for (n, port), v in values.items() if ran_test or n not in plan.test_nodes}
        self.epoch += 1
        loss = self._metric(named, "loss")
        warnings = [w for w in (self._rising_warning(loss), self._saturation_warning(named)) if w]
        self.stats.append(self._stats(self.epoch, named, "; ".join(warnings) or None))
        return self.stats[-1]

    def _stats(self, epoch: int, named: dict[str, float], warning: str | None = None) -> EpochStats:
        return EpochStats(epoch, self._metric(named, "loss"), self._metric(named, "train_acc"),
                          self._metric(named, "test_acc"), dict(named), warning, self._metric(named, "test_loss"))

    def _metric(self, named: dict[str, float], name: str) -> float | None:
        """The figure ``name`` (loss, train_acc, test_acc, test_loss) among an epoch's "node.port" figures."""
        port = self.plan.metrics.get(name)
        return named.get(f"{port[0]}.{port[1]}") if port else None

    def load_history(self, rows) -> None:
        """Start the history from earlier epochs' figures: ``[(epoch, {"node.port": figure})]``."""
        self.stats = [self._stats(e, v) for e, v in rows]

    def _saturation_warning(self, named: dict) -> str | None:
        """Name the first layer most of whose sigmoid slopes were below 0.01 this epoch (Saturation nodes)."""
        for node in self._saturation_nodes:
            share = named.get(f"{node}.share")
            if share is not None and share > SATURATED_SHARE:
                return (f"{node}: {100 * share:.0f}% of the layer's sigmoid slopes were below 0.01 this epoch, "
                        "so the layer is saturated and barely learns; smaller weights help: init xavier (scaled "
                        "by fan-in), scaled inputs (scale minmax) or, if it came with training, a lower "
                        "learning rate or L2")
        return None

    def metric_values(self) -> dict[tuple[str, str], float]:
        return {(n, p): float(self.value(n, p)[()]) for n, p in self.plan.metric_ports}

    def _rising_warning(self, loss: float | None) -> str | None:
        if loss is None or len(self.stats) < RISING_EPOCHS or not (self.stats[-1].loss or 0.0) < loss:
            return None  # (most epochs: the loss did not grow)
        recent = [s.loss for s in self.stats[-RISING_EPOCHS:]] + [loss]
        if None in recent:
            return None
        if all(b > a for a, b in zip(recent, recent[1:])) and loss >= RISING_BY * recent[0]:
            return (f"the loss has grown for {RISING_EPOCHS} epochs in a row ({recent[0]:.4g} -> {loss:.4g}); "
                    "the learning rate may be too high")
        return None

    def learning_rates(self) -> list[float]:
        """The learning rates in use now (what every input called lr reads), for messages."""
        rates = set()
        for step in self.plan.steps:
            if "lr" in step.arg_names:
                rates.add(float(np.ravel(self.arg(step.args[step.arg_names.index("lr")]))[0]))
        return sorted(rates)
