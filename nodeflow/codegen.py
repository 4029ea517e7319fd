"""The graph as code: a plan written out as one Python function that trains whole epochs.

The generated ``train`` function calls the very same node kernels as the stepping
evaluator, in the same order, on views of the same flat ``mem``/``smem`` arrays, so
the numbers agree. The fast engine compiles it with numba; ``nodeflow export`` copies
it, with the kernels' plain-Python source, into a standalone script.

``train(*SIGNATURE, *matrices)`` runs ``len(orders)`` epochs: ``orders[e]`` is the sample order of epoch ``e``; after each
epoch it writes every metric into ``stats[e]``. It returns the number of epochs done:
fewer when a value became NaN or infinite, in which case mem and smem hold the state
from the start of the epoch that went wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .jit import all_finite
from .plan import Plan, Step

SIGNATURE = ("mem", "smem", "X_train", "T_train", "X_test", "T_test", "row", "epoch", "batch_end", "base_lr",
             "orders", "first_epoch", "batch", "consts", "stats", "backup_mem", "backup_smem", "saved")


@dataclass
class Generated:
    functions: str  # the source of ``train``; it needs numpy as np and the kernels
    kernels: list  # the kernel functions it calls (compiled or plain), in first-use order
    consts: np.ndarray  # the numbers passed as ``consts`` (node params), so the source is the same for any values
    metric_ports: list[tuple[str, str]]  # stats[e, k] is the value of metric_ports[k] after epoch e
    test_acc_ports: list[tuple[str, str]]
    matrices: dict[str, tuple]  # extra arguments of train: name -> (buffer name, start, stop, shape)

    def matrix_args(self, mem: np.ndarray, smem: np.ndarray) -> list[np.ndarray]:
        """The 2-D views ``train`` takes after its fixed arguments."""
        bufs = {"mem": mem, "smem": smem}
        return [bufs[b][a:z].reshape(shape) for b, a, z, shape in self.matrices.values()]


def _name(text: str) -> str:
    return re.sub(r"\W", "_", text)


class _Writer:
    """Turns the plan's argument arrays into named views of mem/smem and the runtime arrays."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.views: dict[str, str] = {}  # variable -> expression, in first-use order
        self.consts: list[float] = []
        self.kernels: list = [all_finite]
        self.matrices: dict[str, tuple] = {}  # 2-D views, passed as arguments after SIGNATURE

    def slice_of(self, arr: np.ndarray) -> tuple[str, int, int]:
        """Which flat buffer ``arr`` lives in, and where."""
        for buf_name, buf in (("mem", self.plan.mem), ("smem", self.plan.smem)):
            start = buf.ctypes.data
            if start <= arr.ctypes.data < start + buf.nbytes or (arr.size == 0 and arr.base is buf):
                off = (arr.ctypes.data - start) // buf.itemsize
                return buf_name, off, off + arr.size
        raise ValueError("array is not part of the plan's memory")

    def view(self, arr: np.ndarray, label: tuple) -> str:
        buf, a, b = self.slice_of(arr)
        var = _name("_".join(str(x) for x in label[1:]))
        shape = tuple(arr.shape)
        if len(shape) > 1:  # passed in as an argument: numba is slow to compile reshape()
            self.matrices.setdefault(var, (buf, a, b, shape))
        else:
            self.views.setdefault(var, f"{buf}[{a}:{b}]")
        return var

    def arg(self, a, label: tuple, test: bool) -> str:
        kind = label[0]
        if kind in ("mem", "smem"):
            return self.view(a, label)
        if kind == "runtime":
            name = label[1]
            if name in ("X", "T"):
                return f"{name}_{'test' if test else 'train'}"
            return name
        if kind == "zeros":
            var = "zeros_" + "x".join(str(d) for d in (label[1] or (1,)))
            self.views.setdefault(var, f"np.zeros({tuple(label[1] or (1,))})")
            return var
        self.consts.append(float(label[1]))
        return f"consts[{len(self.consts) - 1}]"

    def call(self, s: Step, test: bool = False) -> str:
        fn = s.kernel
        plain = getattr(fn, "py", fn)
        if plain not in [getattr(k, "py", k) for k in self.kernels]:
            self.kernels.append(fn)
        args = ", ".join(self.arg(a, lab, test) for a, lab in zip(s.args, s.arg_names))
        return f"{plain.__name__}({args})  # {s.node}"

    def first(self, arr: np.ndarray) -> str:
        buf, a, _ = self.slice_of(arr)
        return f"{buf}[{a}]"


def generate(plan: Plan, metric_ports: list[tuple[str, str]], test_acc_ports: list[tuple[str, str]]) -> Generated:
    """Write the plan as Python source defining ``train`` (see the module docstring)."""
    w = _Writer(plan)
    sample = [w.call(s) for s in plan.steps if s.kernel is not None]
    commits = []
    for new, param, upd, par in plan.commits:
        (dst, a, b), (src, c, _) = w.slice_of(param), w.slice_of(new)
        commits.append(f"for i in range({b - a}): {dst}[{a} + i] = {src}[{c} + i]  # {upd}.new -> {par}")

    def zero(arr):
        buf, a, b = w.slice_of(arr)
        return f"for i in range({a}, {b}): {buf}[i] = 0.0"

    resets = [zero(r) for r in plan.resets]
    test = [w.call(s, test=True) for s in plan.test_steps]
    test_resets = [zero(r) for r in plan.test_resets]
    keep = [w.first(plan.value(n, p)) for n, p in test_acc_ports]
    metrics = [f"stats[e, {k}] = {w.first(plan.value(n, p))}  # {n}.{p}" for k, (n, p) in enumerate(metric_ports)]

    def block(lines, indent):
        pad = " " * indent
        return "".join(f"{pad}{line}\n" for line in lines) or f"{pad}pass\n"

    kept = "".join(f"            kept_{k} = {at}\n" for k, at in enumerate(keep))
    put_back = "".join(f"            {at} = kept_{k}\n" for k, at in enumerate(keep))
    views = "".join(f"    {var} = {expr}\n" for var, expr in w.views.items())
    functions = f'''def train({", ".join(SIGNATURE + tuple(w.matrices))}):
    """Run len(orders) epochs; returns how many finished without NaN or infinity."""
    n = orders.shape[1]
    # every wire value and every state array is a view of mem or smem
{views}
    for e in range(orders.shape[0]):
        for i in range(mem.size): backup_mem[i] = mem[i]
        for i in range(smem.size): backup_smem[i] = smem[i]
        epoch[0] = first_epoch + e
{block(resets, 8)}        for s in range(n):
            row[0] = orders[e, s]
            batch_end[0] = 1.0 if (s + 1) % batch == 0 or s + 1 == n else 0.0
{block(sample, 12)}            # the parameters take their new values
{block(commits, 12)}        if X_test.shape[0] > 0 and {bool(test)}:  # the test pass: forward only, wire values put back after
            for i in range(mem.size): saved[i] = mem[i]
{block(test_resets, 12)}            for i in range(X_test.shape[0]):
                row[0] = i
{block(test, 16)}{kept}            for i in range(mem.size): mem[i] = saved[i]
{put_back}            row[0] = orders[e, n - 1]
        if not (all_finite(mem) and all_finite(smem)):
            for i in range(mem.size): mem[i] = backup_mem[i]
            for i in range(smem.size): smem[i] = backup_smem[i]
            return e
{block(metrics, 8)}    return orders.shape[0]
'''
    return Generated(functions, w.kernels, np.array(w.consts, dtype=float), list(metric_ports), list(test_acc_ports),
                     w.matrices)
