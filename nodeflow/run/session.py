"""A session: one document, its current plan, its run, and the executors that advance it.

The session follows the graph's edits: a change that alters what is computed makes a
new plan at the next use, and a new run that carries on from the old one (same epoch,
history and trained values, except for nodes whose state the edit itself changed).
Trained values reach the document only through ``apply`` (before saving, say).

    >>> s = Session(graph)
    >>> s.step_node(); s.step_sample(); s.train(100)     # the stepper; whole epochs compiled
    >>> s.apply(); save(graph, "trained.json")
"""
from __future__ import annotations

from typing import Callable

import networkx as nx
import numpy as np

from ..document.epochlog import EpochLog
from ..document.graph import Graph, Link
from ..document.settings import DATA_SETTINGS
from ..errors import NotReady
from ..nodes.explain import Values
from ..nodes.kernel import jit_available
from ..outputs import say
from . import probe
from .compiled import CompiledEngine, Compiling
from .plan import Plan, Step, build_plan
from .state import EpochStats, Run
from .stepper import Stepper

QUIET_CHANGES = ("node_moved", "label_changed", "training_applied")  # edits that do not change what is computed


class Session:
    """Step and train a graph. ``fold=(k, K)`` tests on fold k of K instead of the split."""

    def __init__(self, graph: Graph, *, jit: bool | None = None, fold: tuple[int, int] | None = None,
                 history: int = 200):
        self.graph = graph
        self.fold = fold
        self.jit = jit_available() if jit is None else (jit and jit_available())
        self.stepper = Stepper(self.jit)
        self.history = history
        self._plan: Plan | None = None
        self._run: Run | None = None
        self._engine: CompiledEngine | None = None
        self._compiling: Compiling | None = None  # the engine being made in a worker thread
        self._stale_nodes: set[str] = set()  # nodes whose document state changed since the run began
        self._reshuffle = False
        self._log: tuple = (None, None)  # (what the run's stats were, their EpochLog)
        self._unsubscribe = graph.subscribe(self._on_change)

    def close(self) -> None:
        self._unsubscribe()

    # -- plan and run ------------------------------------------------------------------
    @property
    def plan(self) -> Plan:
        """The current execution plan; raises NotReady with the reason when there is none."""
        if self._plan is None:
            plan = build_plan(self.graph, self.fold)
            self._run = self._next_run(plan)
            self._plan = plan
        return self._plan

    @property
    def run(self) -> Run:
        """Everything that changes while training (raises NotReady like ``plan``)."""
        self.prepare()
        return self._run

    def prepare(self) -> Plan:
        """Make the plan and run now; raises NotReady with every reason the graph cannot run."""
        return self.plan

    @property
    def ready(self) -> bool:
        try:
            self.prepare()
        except NotReady:
            return False
        return True

    def _next_run(self, plan: Plan) -> Run:
        """A run for a new plan: the document's state, or the old run's where the edit left it alone."""
        old, g = self._run, self.graph
        flat = g.flat()
        states = {(n, name): v for n in flat.node_ids for name, v in flat.state(n).items()}
        if old is not None:
            states.update({key: v for key, v in old.state_values().items()
                           if not self._stale(key[0]) and key in plan.state_slots
                           and plan.state_slots[key].shape == old.plan.state_slots[key].shape})
        run = Run(plan, states, g.trained_epochs if old is None else old.epoch, history=self.history)
        if old is None and len(g.epoch_log) and g.epoch_log.last == g.trained_epochs:
            run.load_history(g.epoch_log.rows())
        if old is not None:
            run.stats = old.stats
            if not self._reshuffle:
                run.sample, run.order = min(old.sample, plan.n_train), old.order
            if run.sample >= plan.n_train:
                run.sample, run.order = 0, None
            run.last_node, run.phase = old.last_node, old.phase
            run.times = old.times
        self._stale_nodes.clear()
        self._reshuffle = False
        return run

    def _stale(self, node: str) -> bool:
        """The edits since the run began changed this node's values (or its group's)."""
        return node in self._stale_nodes or node.split("/", 1)[0] in self._stale_nodes

    def _on_change(self, kind: str, **details) -> None:
        if kind in QUIET_CHANGES:
            return
        node = details.get("node")
        if kind in ("state_changed", "node_added", "node_removed") and node:
            self._stale_nodes.add(node)
        if kind == "param_changed" and self.graph.type_of(node).name == "Group":  # its inside was replaced
            self._stale_nodes.add(node)
        if kind in ("link_added", "link_removed"):  # its inputs changed: its state may be shaped anew
            self._stale_nodes.add(details["link"].dst)
        if kind == "trained_changed":  # reset to epoch 0: the document's numbers, a fresh history
            self._stale_nodes.update(self.graph.node_ids)
            self._run = None
        if kind == "setting_changed" and details.get("name") in DATA_SETTINGS:
            self._reshuffle = True
        if self._run is not None and self._run.cursor > 0:  # abandon the half-done sample: back to its start
            self._run.restore()
        if self._run is not None:
            self._run.snapshots.clear()
        self._plan = None
        self._engine = None
        self._compiling = None  # a worker still making the old plan's engine finishes on its own

    def apply(self) -> None:
        """Write the run's trained values and epoch count into the document (before saving).

        After edits, only nodes the edits left alone take the run's values."""
        if self._run is None:
            return
        states = {n: v for n, v in self._run.trained_state().items()
                  if n.split("/", 1)[0] in self.graph and not self._stale(n)}
        self.graph.apply_training(states, self._run.epoch, self._epoch_log())

    def _epoch_log(self) -> EpochLog:
        """The run's per-epoch figures for the document (made again only when they changed)."""
        stats = self._run.stats
        key = (id(stats), len(stats), stats[-1] if stats else None)
        if self._log[0] != key:
            self._log = (key, EpochLog.from_rows((s.epoch, s.values) for s in stats))
        return self._log[1]

    # -- where training is -------------------------------------------------------------
    @property
    def epoch(self) -> int:
        """Epochs completed so far."""
        return self._run.epoch if self._run is not None else self.graph.trained_epochs

    @property
    def stats(self) -> list[EpochStats]:
        return self._run.stats if self._run is not None else []

    @property
    def sample(self) -> int:
        """The next sample's index within the epoch."""
        return self._run.sample if self._run is not None else 0

    @property
    def cursor(self) -> int:
        """The next step's index within the sample (0: between samples)."""
        return self._run.cursor if self._run is not None else 0

    @property
    def last_node(self) -> str | None:
        return self._run.last_node if self._run is not None else None

    @property
    def phase(self) -> str | None:
        return self._run.phase if self._run is not None else None

    @property
    def divergence(self):
        return self._run.divergence if self._run is not None else None

    @property
    def n_train(self) -> int:
        return self.plan.n_train

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.plan.steps

    @property
    def next_node(self) -> str:
        return self.plan.steps[self.run.cursor].node

    @property
    def evaluated(self) -> list[str]:
        """Nodes evaluated so far in the current sample (all of them right after a sample)."""
        run = self.run
        return [s.node for s in run.plan.steps[: run.cursor or len(run.plan.steps)]]

    @property
    def current_row(self) -> int:
        """Row (in the training set) of the sample being stepped, or of the last one."""
        return self.run.row

    # -- values ------------------------------------------------------------------------
    def value(self, node: str, port: str) -> np.ndarray:
        """A copy of the value on an output port (or on the wire into an input port)."""
        g = self.graph if node in self.graph else self.graph.flat()
        if g.port(node, port, "out") is None:
            w = g.wire_into(node, port)
            if w is None:
                raise KeyError(f"{node}.{port} is not an output and has no wire")
            node, port = w.src, w.src_port
        v = self.run.value(node, port)
        if v is None:
            raise NotReady(f"{node} is skipped: {self.plan.skipped[node]}")
        return v.copy()

    def state(self, node: str) -> dict[str, np.ndarray]:
        """Copies of a node's state arrays in the run now (weights, optimiser state, ...)."""
        return {name: self.run.value_of_state(n, name) for n, name in self.plan.state_slots if n == node}

    def wire_values(self) -> dict[Link, np.ndarray]:
        """The value every wire carries now (wires from skipped nodes carry none and are left out)."""
        run = self.run
        return {l: run.value(l.src, l.src_port).copy() for l in self.graph.links() if l.src not in run.plan.skipped}

    def last_values(self, node: str, digits: int = 4) -> Values:
        """What ``node`` read and wrote when it was last evaluated, its inputs as they were then
        (a parameter an update has since written into is taken from before the commit), for
        ``NodeType.worked``; a node inside a group is named ``group/node``. Raises NotReady
        saying why there are no such numbers."""
        run, plan, g = self.run, self.plan, self.graph.flat()
        if node not in g:
            raise NotReady("a group computes nothing itself: open it to see the numbers of its nodes")
        if node in plan.skipped:
            raise NotReady(f"skipped: {plan.skipped[node]}")
        if run.version == 0:
            raise NotReady("step once to see its numbers")
        if run.cursor and node in {s.node for s in plan.steps[run.cursor:]}:
            raise NotReady("not evaluated yet in this sample: step on to see its numbers")
        t = g.type_of(node)
        v = Values(digits=digits, runtime=dict(run.inputs))
        v.runtime["X"], v.runtime["T"] = run.inputs["X_train"], run.inputs["T_train"]
        step = next(s for s in plan.steps + plan.test_steps if s.node == node)
        args = run.args(step)
        for k, p in enumerate(g.inputs(node)):
            v.inputs[p.name] = self._as_read(g, node, p.name, np.array(args[len(t.runtime) + k], dtype=float), run)
        v.outputs = {p.name: run.value(node, p.name).copy() for p in g.outputs(node)}
        v.state = {name: run.value_of_state(n, name) for n, name in plan.state_slots if n == node}
        return v

    @staticmethod
    def _as_read(g: Graph, node: str, port: str, value: np.ndarray, run: Run) -> np.ndarray:
        """``value`` on ``port`` now, as ``node`` read it: a parameter that an update has written
        into since (the sample ended) is taken from before that commit (``g``: the flat graph)."""
        w = g.wire_into(node, port)
        if run.cursor or w is None:
            return value
        for c in run.plan.commits:
            if c.parameter == w.src:
                u = g.type_of(c.update)
                before = u.before_commit({p.name: run.value(c.update, p.name) for p in g.outputs(c.update)})
                return np.asarray(next(iter(before.values()))).reshape(value.shape)
        return value

    # -- stepping ----------------------------------------------------------------------
    def step_node(self) -> str:
        """Evaluate the next node (see ``Stepper.step_node``); returns its id."""
        return self.stepper.step_node(self.run)

    def step_sample(self) -> None:
        self.stepper.step_sample(self.run)

    def step_epoch(self) -> EpochStats:
        return self.stepper.step_epoch(self.run)

    def step_back(self) -> bool:
        """Undo the last sample step (or the part of a sample done so far). False if none is kept."""
        return self._run is not None and self._plan is not None and self._run.restore()

    @property
    def can_step_back(self) -> bool:
        return self._plan is not None and bool(self._run.snapshots)

    def train(self, epochs: int, *, samples: int | None = None,
              on_epoch: Callable[[EpochStats], bool | None] | None = None,
              engine: str = "fast") -> list[EpochStats]:
        """Train ``epochs`` epochs (or stop after ``samples`` sample steps); returns their figures.

        ``on_epoch`` is called after each epoch; returning True stops. ``engine="fast"`` runs
        whole epochs compiled (same numbers as ``"step"``, the stepper).
        """
        run = self.run
        first = len(run.stats)
        if engine == "step" or samples is not None or self.profiling:
            self.stepper.advance(run, epochs=epochs, samples=samples, on_epoch=on_epoch)
            return run.stats[first:]
        stop = False
        if epochs > 0 and (run.sample or run.cursor):  # finish the epoch the stepper started
            self.stepper.advance(run, epochs=1)
            epochs -= 1
            stop = on_epoch is not None and bool(on_epoch(run.stats[-1]))
        compiled = self.compiled() if epochs > 0 and not stop else None
        while compiled is not None and epochs > 0:
            before = run.epoch
            outcome = compiled.advance(run, epochs, on_epoch)
            epochs -= run.epoch - before
            if outcome != "diverging":
                return run.stats[first:]
            self.stepper.advance(run, epochs=1, on_epoch=on_epoch)  # names the node (raises Diverged)
            epochs -= 1
        if epochs > 0 and not stop:
            self.stepper.advance(run, epochs=epochs, on_epoch=on_epoch)
        return run.stats[first:]

    def compiled(self, wait: bool = True) -> CompiledEngine | None:
        """The plan's compiled engine, or None (after a one-line notice) when it cannot be had.

        ``wait=False`` never blocks: the engine is made in a worker thread (``compiling`` is
        True meanwhile) and None is returned until it is ready."""
        plan = self.plan
        if self._engine is not None and self._engine.plan is plan:
            return self._engine
        if not self.jit:
            say("the fast engine needs numba's JIT (off here); training with the stepper instead", once=True)
            return None
        job = self._compiling if self._compiling is not None and self._compiling.plan is plan else None
        if job is None and not wait:
            job = self._compiling = Compiling(plan)
        if job is not None:
            if not job.done and not wait:
                return None
            job.finished.wait()
            return self._took(job.engine, job.error)
        try:
            engine = CompiledEngine(plan)
        except Exception as e:  # a graph numba cannot type: the stepper can still run it
            return self._took(None, e)
        return self._took(engine, None)

    def _took(self, engine: CompiledEngine | None, error: Exception | None) -> CompiledEngine | None:
        if error is not None:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            say(f"the fast engine could not compile this graph ({type(error).__name__}: {first_line}); "
                "training with the stepper instead", once=True)
        self._engine = engine
        return engine

    @property
    def compiling(self) -> bool:
        """The current plan's engine is being made in a worker thread (``compiled(wait=False)``)."""
        job = self._compiling
        return job is not None and self._plan is job.plan and not job.done

    @property
    def stepper_ready(self) -> bool:
        """The stepper can run without compiling (no wait on the worker making the engine)."""
        job = self._compiling
        return job is None or self._plan is not job.plan or job.kernels_ready.is_set()

    # -- profiling ---------------------------------------------------------------------
    @property
    def profiling(self) -> bool:
        """Time every node (like Grasshopper's profiler); runs on the stepper while on."""
        return self.stepper.profiling

    @profiling.setter
    def profiling(self, on: bool) -> None:
        self.stepper.profiling = bool(on)
        if self._run is not None:
            self._run.times.clear()

    def node_times(self) -> dict[str, float]:
        """Mean microseconds each node took per evaluation since profiling was switched on."""
        times = self._run.times if self._run is not None else {}
        return {n: total / count / 1000 for n, (total, count) in times.items() if count}

    # -- forward-only evaluation -------------------------------------------------------
    def output_port(self) -> tuple[str, str]:
        """The port the network's prediction comes out of (what the error compares)."""
        g = self.graph
        for n in g.nodes_of_type("Error", "CrossEntropy", "Accuracy"):
            w = g.wire_into(n, "y")
            if w is not None:
                return w.src, w.src_port
        raise NotReady("no Error or Accuracy node says which output is the prediction")

    def steps_leading_to(self, nodes) -> list[Step]:
        """The steps of ``nodes`` (a group: the nodes inside it) and everything they depend on, in schedule order."""
        flat = self.graph.flat()
        needed = {n for n in flat.node_ids if n in nodes or n.split("/", 1)[0] in nodes}
        for n in list(needed):
            needed |= nx.ancestors(flat.nx, n)
        return [s for s in self.plan.steps if s.node in needed]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The network's output for each row of ``X`` (features as the Dataset serves them), from the
        nodes' own kernels. Runs on a copy of the run: nothing of the training state changes."""
        port = self.output_port()
        return probe.forward_rows(self, X, [port])[port]

    def predict_raw(self, X_raw) -> np.ndarray:
        """Outputs for inputs in the data's own units: its scaling applied to them, a numeric
        target's scaling undone on the way out (classes: the outputs, see ``probe.describe_output``)."""
        data = self.plan.data
        return data.decode(self.predict(data.encode(X_raw)))

    def forward(self, X: np.ndarray, ports: list[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        """The values at ``ports`` for many rows of served features at once (numpy batch forms where
        every node has one, else the kernels row by row), for pictures; the training state is untouched."""
        return probe.forward(self, X, ports)

    def probe(self, raw) -> "probe.Probe":
        """One input, in the data's own units, through the forward pass on a copy of the run: the
        probe's ``value(node, port)`` shows it on every wire; the training state is untouched."""
        return probe.probe(self, raw)
