"""The stepper: advance a run one node, one sample or one epoch at a time.

A sample step evaluates every node once, in the plan's order (forward, error, deltas,
updates), then commits each update's ``new`` value into its parameter. At the end of
an epoch the test set is run through the forward pass and the epoch's figures are
recorded. After any step the value on every wire, the node evaluated last and its
phase can be read from the run; ``Run.restore`` steps back.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from ..data import epoch_order
from ..errors import Diverged
from ..nodes.kernel import Kernel, all_finite
from .plan import Plan, Step
from .state import EpochStats, Run


def entry_point(k: Kernel, args: tuple, jit: bool) -> Callable:
    """The kernel's code for exactly these argument types, so a call skips numba's dispatch.

    (Stepping calls a kernel per node per sample; the dispatch would be a third of the time.)
    """
    if not jit:
        return k.py
    d = k.jit
    types = tuple(d.typeof_pyval(a) for a in args)
    done = d.overloads.get(types)  # compiled already: no need for numba's lock (a worker may hold it)
    return done.entry_point if done is not None else d.compile(types)


def warm_kernels(plan: Plan) -> None:
    """Compile every kernel the stepper calls for ``plan`` (the fast engine's worker does this first)."""
    run = Run(plan, {})
    entry_point(all_finite, (run.mem,), True)
    for s in plan.steps + plan.test_steps:
        if s.kernel is not None:
            entry_point(s.kernel, run.args(s), True)


class Stepper:
    """Runs kernels one by one. ``jit=False`` runs their plain-Python form."""

    def __init__(self, jit: bool):
        self.jit = jit
        self.profiling = False
        self._plan: Plan | None = None
        self._calls: dict[int, Callable] = {}

    def _finite(self, a: np.ndarray) -> bool:
        """No NaN or infinity in ``a`` (numba is imported at the first step, not before)."""
        return (all_finite.jit if self.jit else all_finite.py)(a)

    def call(self, run: Run, s: Step) -> None:
        """Evaluate one step's kernel on the run (nothing else: no cursor, no checks); timed while profiling."""
        fn, args = self._bound(run, s)
        if not self.profiling:
            if fn is not None:
                fn(*args)
            return
        start = time.perf_counter_ns()
        if fn is not None:
            fn(*args)
        spent = run.times.setdefault(s.node, [0, 0])
        spent[0] += time.perf_counter_ns() - start
        spent[1] += 1

    def _bound(self, run: Run, s: Step) -> tuple[Callable | None, tuple]:
        """The step's compiled entry point (made on first use, so compiling is never timed) and its arguments."""
        if s.kernel is None:
            return None, ()
        if run.plan is not self._plan:
            self._plan, self._calls = run.plan, {}
        fn = self._calls.get(id(s))
        args = run.args(s)
        if fn is None:
            fn = self._calls[id(s)] = entry_point(s.kernel, args, self.jit)
        return fn, args

    # -- one node, one sample ----------------------------------------------------------
    def step_node(self, run: Run) -> str:
        """Evaluate the next node; returns its id. The last node of a sample commits the updates.

        Raises Diverged if the node produced NaN or infinity: the bad value stays on its
        wires, the weights are as before the sample, and ``run.restore()`` undoes the sample.
        """
        steps = run.plan.steps
        if run.cursor == 0:
            self._begin_sample(run)
        s = steps[run.cursor]
        self.call(run, s)
        run.last_node, run.phase = s.node, s.phase
        run.cursor += 1
        run.version += 1
        self._check(run, s)
        if run.cursor == len(steps):
            run.phase = "update"
            self._end_sample(run)
        return s.node

    def step_sample(self, run: Run) -> None:
        """Finish the current sample (or do a whole one); raises Diverged like step_node."""
        plan = run.plan
        if run.cursor == 0:
            self._begin_sample(run)
        for s in plan.steps[run.cursor:]:
            self.call(run, s)
        run.version += 1
        if not (self._finite(run.mem) and self._finite(run.smem)):
            self._find_divergence(run)
        run.last_node, run.phase = plan.steps[-1].node, "update"
        self._end_sample(run)

    def step_epoch(self, run: Run) -> EpochStats:
        """Finish the current epoch (or do a whole one); returns its figures."""
        start = run.epoch
        while run.epoch == start:
            self.step_sample(run)
        return run.stats[-1]

    def advance(self, run: Run, *, epochs: int, samples: int | None = None,
                on_epoch: Callable[[EpochStats], bool | None] | None = None) -> None:
        """Train ``epochs`` epochs (or stop after ``samples`` sample steps); ``on_epoch`` returning True stops."""
        done = 0
        target = run.epoch + epochs
        while run.epoch < target and (samples is None or done < samples):
            before = run.epoch
            self.step_sample(run)
            done += 1
            if run.epoch != before and on_epoch is not None and on_epoch(run.stats[-1]):
                break

    # -- sample and epoch boundaries -------------------------------------------------------
    def _begin_sample(self, run: Run) -> None:
        plan = run.plan
        run.snapshot()
        n = plan.n_train
        if run.sample == 0 or run.order is None:
            run.order = epoch_order(plan.seed, run.epoch, n)
            if run.sample == 0:
                for slot in plan.resets:
                    run.view(slot)[:] = 0.0
        inp = run.inputs
        inp["row"][0] = run.order[run.sample]
        inp["epoch"][0] = run.epoch
        inp["batch_end"][0] = 1.0 if (run.sample + 1) % plan.batch_size == 0 or run.sample + 1 == n else 0.0
        run.divergence = None

    def _end_sample(self, run: Run) -> None:
        for c in run.plan.commits:
            run.view(c.param)[...] = run.view(c.new)
        run.cursor = 0
        run.sample += 1
        if run.sample >= run.plan.n_train:
            self._end_epoch(run)

    def _end_epoch(self, run: Run) -> None:
        plan = run.plan
        if plan.has_test_pass:
            self._test_pass(run)
        run.record_epoch(run.metric_values(), plan.has_test_pass)
        run.sample = 0
        run.order = None

    def _test_pass(self, run: Run) -> None:
        """The test metrics over the test set; every wire value is put back afterwards."""
        plan = run.plan
        saved = run.mem.copy()
        for slot in plan.test_resets:
            run.view(slot)[:] = 0.0
        row = run.inputs["row"]
        for i in range(len(plan.data.test)):
            row[0] = i
            for s in plan.test_steps:
                self.call(run, s)
        results = {(n, p): run.value(n, p).copy() for n, p in plan.metric_ports if n in plan.test_nodes}
        run.mem[:] = saved
        for (n, p), v in results.items():
            run.value(n, p)[...] = v
        row[0] = run.order[-1] if run.order is not None else 0

    # -- divergence ------------------------------------------------------------------------
    def _check(self, run: Run, s: Step) -> None:
        for name, slot in s.writes:
            arr = run.view(slot)
            if not np.isfinite(arr).all():
                bad = arr[~np.isfinite(arr)].flat[0]
                run.divergence = Diverged(s.node, name, float(bad), run.epoch + 1, run.sample + 1,
                                          run.plan.n_train, run.learning_rates())
                raise run.divergence

    def _find_divergence(self, run: Run) -> None:
        """Redo this sample node by node from its start and stop at the first non-finite value."""
        snap = run.snapshots[-1]
        run.mem[:] = snap.mem
        run.smem[:] = snap.smem
        for k, s in enumerate(run.plan.steps):
            self.call(run, s)
            run.cursor = k + 1
            run.last_node, run.phase = s.node, s.phase
            self._check(run, s)
        raise AssertionError("a non-finite value appeared but no node produced it")  # pragma: no cover
