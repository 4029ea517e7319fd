"""The plan as code: one Python function, ``train``, that runs whole epochs.

The generated function calls the very same node kernels as the stepper, in the same
order, on views of the same flat ``mem``/``smem`` arrays, so the numbers agree. The
compiled engine has numba compile it; ``nodeflow export`` copies it, with the kernels'
plain-Python source, into a standalone script.

``train(*SIGNATURE, *matrices)`` runs ``len(orders)`` epochs: ``orders[e]`` is the sample
order of epoch ``e``; after each epoch it writes every metric into ``stats[e]``. It
returns the number of epochs done: fewer when a value became NaN or infinite, in which
case mem and smem hold the state from the start of the epoch that went wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..nodes.base import matrix_shape
from ..nodes.kernel import Kernel, all_finite
from .plan import Arg, Plan, Slot, Step

SIGNATURE = ("mem", "smem", "X_train", "T_train", "X_test", "T_test", "row", "epoch", "batch_end", "base_lr",
             "orders", "first_epoch", "batch", "consts", "stats", "backup_mem", "backup_smem", "saved")


@dataclass
class Generated:
    functions: str  # the source of ``train``; it needs numpy as np and the kernels
    kernels: list[Kernel]  # the kernels it calls, in first-use order
    consts: np.ndarray  # the numbers passed as ``consts`` (node params, and zeros for unwired optional inputs),
    # so the source is the same for any values
    matrices: dict[str, Slot]  # extra arguments of train: the 2-D values, by name

    def matrix_args(self, mem: np.ndarray, smem: np.ndarray, **more: np.ndarray) -> list[np.ndarray]:
        """The 2-D views ``train`` takes after its fixed arguments (``more``: other buffers they view)."""
        bufs = {"mem": mem, "smem": smem, **more}
        return [bufs[s.buf][s.start:s.stop].reshape(s.shape) for s in self.matrices.values()]


def slot_names(plan: Plan) -> dict[Slot, str]:
    """A readable variable name for every slot: ``node_port`` (a register's: ``node_value``; inside a
    group ``group__node_port``), made unique where two would read the same."""
    names = {slot: f"{n}_{p}" for (n, p), slot in plan.out_slots.items()}
    names.update({slot: f"{n}_{p}" for (n, p), slot in plan.state_slots.items()})
    taken: set[str] = set()
    out = {}
    for slot, name in names.items():
        var = re.sub(r"\W", "_", name.replace("/", "__"))
        while var in taken:
            var += "_"
        taken.add(var)
        out[slot] = var
    return out


class _Writer:
    """Turns step arguments into names: views of mem/smem, inputs, zeros and constants."""

    def __init__(self, plan: Plan):
        self.names = slot_names(plan)
        self.views: dict[str, str] = {}  # variable -> expression, in first-use order
        self.consts: list[float] = []
        self.kernels: list[Kernel] = [all_finite]
        self.matrices: dict[str, Slot] = {}  # 2-D views, passed as arguments after SIGNATURE

    def view(self, slot: Slot) -> str:
        var = self.names[slot]
        if len(slot.shape) > 1:  # passed in as an argument: numba is slow to compile reshape()
            self.matrices.setdefault(var, slot)
        else:
            self.views.setdefault(var, f"{slot.buf}[{slot.start}:{slot.stop}]")
        return var

    def arg(self, a: Arg) -> str:
        if a.kind == "slot":
            shape = matrix_shape(a.slot.shape) if a.matrix else a.slot.shape
            if shape == a.slot.shape:
                return self.view(a.slot)
            var = f"{self.names[a.slot]}_as_{'x'.join(map(str, shape))}"  # the same numbers seen as a matrix
            self.matrices.setdefault(var, Slot(a.slot.buf, a.slot.start, shape))
            return var
        if a.kind == "input":
            return a.name
        if a.kind == "zeros":  # an unwired optional input: zeros kept in consts (compiled code may not allocate)
            var = "zeros_" + "x".join(map(str, a.shape))
            if var not in self.views:
                start = len(self.consts)
                self.consts += [0.0] * int(np.prod(a.shape))
                view = f"consts[{start}:{len(self.consts)}]"
                self.views[var] = view if len(a.shape) == 1 else f"{view}.reshape({a.shape})"
            return var
        if a.kind == "values":
            start = len(self.consts)
            self.consts += list(a.values)
            return f"consts[{start}:{len(self.consts)}]"
        self.consts.append(a.value)
        return f"consts[{len(self.consts) - 1}]"

    def call(self, s: Step) -> str:
        if s.kernel not in self.kernels:
            self.kernels.append(s.kernel)
        return f"{s.kernel.name}({', '.join(self.arg(a) for a in s.args)})  # {s.node}"


def _copy(dst: Slot, src: Slot) -> str:
    return f"for i in range({dst.size}): {dst.buf}[{dst.start} + i] = {src.buf}[{src.start} + i]"


def _first(slot: Slot) -> str:
    return f"{slot.buf}[{slot.start}]"


def _zero(slot: Slot) -> str:
    return f"for i in range({slot.start}, {slot.stop}): {slot.buf}[i] = 0.0"


def _block(lines: list[str], indent: int) -> str:
    pad = " " * indent
    return "".join(f"{pad}{line}\n" for line in lines) or f"{pad}pass\n"


def generate(plan: Plan) -> Generated:
    """Write the plan as Python source defining ``train`` (see the module docstring)."""
    w = _Writer(plan)
    sample = [w.call(s) for s in plan.steps if s.kernel is not None]
    test = [w.call(s) for s in plan.test_steps]
    views = "".join(f"    {var} = {expr}\n" for var, expr in w.views.items())
    head = f'''def train({", ".join(SIGNATURE + tuple(w.matrices))}):
    """Run len(orders) epochs; returns how many finished without NaN or infinity."""
    n = orders.shape[1]
    # every wire value and every state array is a view of mem or smem
{views}
'''
    return Generated(head + epochs(plan, sample, test), w.kernels, np.array(w.consts, dtype=float), w.matrices)


def epochs(plan: Plan, sample: list[str], test: list[str], batched: bool = False) -> str:
    """The loop over epochs of ``train`` (after its head has set up ``n`` and the arrays): the
    sample steps (``sample``, one line each), commits, the test pass (``test``) and the checks.
    ``batched``: the loop is over mini-batches (``s0``, ``rows``) and ``sample`` sets row and batch_end."""
    loop = (["for s0 in range(0, n, batch):", "    rows = min(batch, n - s0)"] if batched else
            ["for s in range(n):", "    row[0] = orders[e, s]",
             "    batch_end[0] = 1.0 if (s + 1) % batch == 0 or s + 1 == n else 0.0"])
    commits = [f"{_copy(c.param, c.new)}  # {c.update}.new -> {c.parameter}" for c in plan.commits]
    test_figures = [_first(plan.slot(n, p)) for n, p in plan.metric_ports if n in plan.test_nodes]
    kept = [f"kept_{k} = {at}" for k, at in enumerate(test_figures)]
    put_back = [f"{at} = kept_{k}" for k, at in enumerate(test_figures)]
    metrics = [f"stats[e, {k}] = {_first(plan.slot(n, p))}  # {n}.{p}" for k, (n, p) in enumerate(plan.metric_ports)]
    return f'''    for e in range(orders.shape[0]):
        for i in range(mem.size): backup_mem[i] = mem[i]
        for i in range(smem.size): backup_smem[i] = smem[i]
        epoch[0] = first_epoch + e
{_block([_zero(s) for s in plan.resets], 8)}{_block(loop, 8)}{_block(sample, 12)}            # the parameters take their new values
{_block(commits, 12)}        if {plan.has_test_pass}:  # the test pass: forward only, wire values put back after
            for i in range(mem.size): saved[i] = mem[i]
{_block([_zero(s) for s in plan.test_resets], 12)}            for i in range(X_test.shape[0]):
                row[0] = i
{_block(test, 16)}{_block(kept, 12) if kept else ""}            for i in range(mem.size): mem[i] = saved[i]
{_block(put_back, 12) if put_back else ""}            row[0] = orders[e, n - 1]
        if not (all_finite(mem) and all_finite(smem)):
            for i in range(mem.size): mem[i] = backup_mem[i]
            for i in range(smem.size): smem[i] = backup_smem[i]
            return e
{_block(metrics, 8)}    return orders.shape[0]
'''
