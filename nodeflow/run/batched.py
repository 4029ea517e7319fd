"""Mini-batches as matrices: the compiled engine's ``train`` for batch sizes above one.

With a batch of B samples, nothing a sample computes changes the parameters until the
batch ends (an update's ``new`` is the parameter itself mid-batch), so the batch can
be run node by node instead of sample by sample: each wire value gets B rows in a
batch buffer (``bmem``), a kernel with a matrix form (``Kernel.rows``: the weighted
sum Z = X·Wᵀ + b, the hidden delta, the weight gradient summed over the batch, each a
BLAS matrix product) takes every row at once, and every other kernel runs row by row.
An update's last row goes through its own kernel, which applies the step, so the
batch ends exactly as it does sample by sample; every wire's last row is then copied
into ``mem``. The numbers are the per-sample ones up to the order in which the matrix
products add up (``batchable`` says when this applies; else the per-sample engine runs).
"""
from __future__ import annotations

import numpy as np

from ..nodes.base import NODE_TYPES, matrix_shape
from . import codegen
from .compiled import PerNode, _load
from .plan import MEM, Arg, Plan, Slot, Step

BUFFER = "bmem"


def batchable(plan: Plan) -> bool:
    """Batches of more than one sample that can run as matrices: every commit is an update's (it
    changes nothing mid-batch), and what an update alone writes (its last row) only commits read."""
    if plan.batch_size <= 1:
        return False
    types = {s.node: NODE_TYPES[s.type] for s in plan.steps}
    if not all(c.update in types and types[c.update].commits_at_batch_end for c in plan.commits):
        return False
    last_only = {slot for s in plan.steps if s.kernel is not None and s.kernel.rows_leave_last
                 for _, slot in s.writes if slot.buf == MEM}
    for s in plan.steps + plan.test_steps:
        written = {slot for _, slot in s.writes}
        if any(a.kind == "slot" and a.slot in last_only and a.slot not in written for a in s.args):
            return False
    return True


class _Writer(codegen._Writer):
    """Per-sample views for the test pass and the commits; batch-buffer views for the steps."""

    def __init__(self, plan: Plan):
        super().__init__(plan)
        self.B = plan.batch_size
        self.rows_at: dict[Slot, int] = {}  # batched slot -> its offset in bmem (B rows of it)
        self.size = 0  # of bmem

    def rows(self, a: Arg) -> str:
        """The batch buffer of a wire value, with a leading row dimension, as the kernel sees it."""
        slot = a.slot
        shape = matrix_shape(slot.shape) if a.matrix else (slot.shape or (1,))
        if slot not in self.rows_at:
            self.rows_at[slot] = self.size
            self.size += self.B * slot.size
        plain = shape == (slot.shape or (1,))
        var = f"{self.names[slot]}_rows" + ("" if plain else f"_as_{'x'.join(map(str, shape))}")
        self.matrices.setdefault(var, Slot(BUFFER, self.rows_at[slot], (self.B,) + tuple(shape)))
        return var

    def step(self, s: Step) -> list[str]:
        """A step over the batch's rows: its matrix form on all rows (or all but the last), and
        its own kernel on each remaining row."""
        k, form = s.kernel, s.kernel.rows
        for used in (k, form):
            if used is not None and used not in self.kernels:
                self.kernels.append(used)
        written = {slot for _, slot in s.writes}
        last_alone = form is not None and k.rows_leave_last

        def args(pick: str) -> str:
            return ", ".join(self.rows(a) + pick if a.kind == "slot" and a.slot.buf == MEM
                             and not (last_alone and a.slot in written) else self.arg(a) for a in s.args)

        lines = []
        if form is not None:
            lines.append(f"{form.name}({args('[:rows - 1]' if last_alone else '[:rows]')})  # {s.node}, as matrices")
            if not last_alone:
                return lines
        first = "rows - 1" if last_alone else "0"
        return lines + [f"for r in range({first}, rows):  # {s.node}, row by row",
                        "    row[0] = orders[e, s0 + r]",
                        "    batch_end[0] = 1.0 if r == rows - 1 else 0.0",
                        f"    {k.name}({args('[r]')})"]

    def last_rows(self) -> list[str]:
        """Every batched wire's last row, into mem (where the stepper leaves each wire's value)."""
        lines = []
        for slot, at in self.rows_at.items():
            var = f"{self.names[slot]}_rows_flat"
            self.matrices.setdefault(var, Slot(BUFFER, at, (self.B, slot.size)))
            lines.append(f"for i in range({slot.size}): mem[{slot.start} + i] = {var}[rows - 1, i]")
        return lines


def generate(plan: Plan) -> tuple[codegen.Generated, int]:
    """The batched ``train`` (codegen's signature, its views and the batch views as matrix
    arguments) and the size of the batch buffer it needs."""
    w = _Writer(plan)
    sample = [line for s in plan.steps if s.kernel is not None for line in w.step(s)] + w.last_rows()
    test = [w.call(s) for s in plan.test_steps]
    views = "".join(f"    {var} = {expr}\n" for var, expr in w.views.items())
    args = ", ".join(codegen.SIGNATURE + tuple(w.matrices))
    # train (compiled as codegen's is) calls batches, compiled with numba's runtime on (its matrix
    # products return arrays), which the kernels it calls inherit
    head = (f"def train({args}):\n    return batches({args})\n\n\n"
            f"@cached_njit(label=\"this graph's mini-batch loop\", nogil=True, _nrt=True)\ndef batches({args}):\n"
            '    """Run len(orders) epochs in mini-batches as matrices; returns how many finished without NaN '
            'or infinity."""\n    n = orders.shape[1]\n' + views)
    text = head + codegen.epochs(plan, sample, test, batched=True)
    return codegen.Generated(text, w.kernels, np.array(w.consts, dtype=float), w.matrices), w.size


class Batched(PerNode):
    """The batched ``train`` compiled by numba (its matrix products call BLAS, so numba is imported
    when it runs), with a batch buffer per run."""

    def __init__(self, plan: Plan):
        self.generated, self.size = generate(plan)
        self.fn = _load(self.generated)
        self._buffer = (None, None)

    def args(self, run, arrays: dict, counts: dict) -> list:
        if self._buffer[0] is not run:
            self._buffer = (run, np.zeros(self.size))
        values = dict(arrays, consts=self.generated.consts, **counts)
        return [values[name] for name in codegen.SIGNATURE] + \
            self.generated.matrix_args(run.mem, run.smem, **{BUFFER: self._buffer[1]})
