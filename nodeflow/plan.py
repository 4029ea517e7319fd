"""A plan: the graph laid out for execution, shared by the stepper and the fast engine.

Every output port gets a slice of one flat array ``mem`` (the values on the wires) and
every state array a slice of ``smem`` (weights, optimiser and metric state), so a
snapshot for step-back is two array copies. A node's step is its kernel and the
argument arrays it reads and writes, in the order given by ``schedule``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import networkx as nx
import numpy as np

from .errors import NotReady
from .jit import python_version
from .nodes.base import PHASE_RANK, buffer_size, fmt_shape, known

Slot = tuple[int, tuple]  # (offset, logical shape)


@dataclass
class Step:
    node: str
    type: str
    phase: str  # forward | backward | update
    kernel: Callable | None
    args: tuple  # arrays, then float constants
    writes: tuple = ()  # (name, array) this step writes: its outputs and state, checked for NaN
    arg_names: tuple = ()  # where each arg comes from: ("mem", node, port) | ("smem", node, name) | ("runtime", name)
    #                   | ("zeros", shape) | ("const", value)

    _run: Callable | None = None

    @property
    def run(self) -> Callable | None:
        """The kernel, ready to call with ``args`` (resolved on first use: the fast engine never needs it)."""
        if self._run is None:
            self._run = entry_point(self.kernel, self.args)
        return self._run


def entry_point(k: Callable | None, args: tuple) -> Callable | None:
    """The kernel's compiled code for exactly these argument types, so a call skips numba's dispatch.

    (Stepping calls a kernel per node per sample; the dispatch would be a third of the time.)
    """
    if k is None or not hasattr(k, "typeof_pyval"):
        return k
    return k.compile(tuple(k.typeof_pyval(a) for a in args))


@dataclass
class Plan:
    steps: list[Step]  # one training sample, in order
    test_steps: list[Step]  # the forward pass run on every test sample at the end of an epoch (kernels only)
    mem: np.ndarray
    smem: np.ndarray
    out_slots: dict[tuple[str, str], Slot]  # outputs that live in mem
    state_slots: dict[tuple[str, str], Slot]
    aliases: dict[tuple[str, str], tuple[str, str]]  # register outputs -> (node, state name)
    commits: list[tuple[np.ndarray, np.ndarray, str, str]]  # (update's new value, parameter state, update node, param node)
    resets: list[np.ndarray]  # metric state zeroed each epoch (train metrics)
    test_resets: list[np.ndarray]
    runtime: dict[str, np.ndarray]  # row, epoch, batch_end, base_lr: see nodes.base.RUNTIME
    data: object
    X_train: np.ndarray
    T_train: np.ndarray
    X_test: np.ndarray
    T_test: np.ndarray
    metrics: dict[str, tuple[str, str]] = field(default_factory=dict)  # loss/train_acc/test_acc -> (node, port)
    phase_of: dict[str, str] = field(default_factory=dict)

    @property
    def row(self) -> np.ndarray:
        return self.runtime["row"]

    @property
    def lr(self) -> np.ndarray:
        return self.runtime["base_lr"]

    def value(self, node: str, port: str) -> np.ndarray:
        """The value on an output port (a view: it changes as the plan runs)."""
        if (node, port) in self.aliases:
            buf, (off, shape) = self.smem, self.state_slots[self.aliases[(node, port)]]
        else:
            buf, (off, shape) = self.mem, self.out_slots[(node, port)]
        return buf[off:off + buffer_size(shape)].reshape(shape)


def phases(g) -> dict[str, str]:
    """Each node's phase; passive nodes (metrics, Watch) take the latest phase of their inputs."""
    out: dict[str, str] = {}
    for n in nx.topological_sort(g.nx):
        t = g.type_of(n)
        if t.phase != "passive":
            out[n] = t.phase
        else:
            srcs = [out[u] for u in g.nx.predecessors(n)]
            out[n] = max(srcs, key=PHASE_RANK.__getitem__) if srcs else "forward"
    return out


def schedule(g, phase_of: dict[str, str]) -> list[str]:
    """Topological order: forward, then backward, then updates; ties left to right on the canvas."""
    def key(n):
        x, y = g.attrs(n)["pos"]
        return (PHASE_RANK[phase_of[n]], x, y, n)
    return list(nx.lexicographical_topological_sort(g.nx, key=key))


def build_plan(g, *, jit: bool = True) -> Plan:
    """Lay the graph out for execution, or raise NotReady with every reason it cannot run."""
    problems = g.problems()
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise NotReady(problems[0] + more)
    data = g.data()
    rep = g.shapes()
    phase_of = phases(g)
    order = schedule(g, phase_of)

    # memory layout: outputs in mem, state in smem
    out_slots: dict[tuple[str, str], Slot] = {}
    state_slots: dict[tuple[str, str], Slot] = {}
    m = s = 0
    for n in order:
        t = g.type_of(n)
        st_shapes = t.state_shapes(g.params(n), rep.dims[n])
        for p in t.state:
            shape = st_shapes[p.name]
            state_slots[(n, p.name)] = (s, shape)
            s += buffer_size(shape)
        for p in t.outputs:
            shape = rep.outputs[(n, p.name)]
            if not known(shape):
                raise NotReady(f"cannot tell the shape of {n}.{p.name} {fmt_shape(shape)}")
            if p.name not in t.alias:
                out_slots[(n, p.name)] = (m, shape)
                m += buffer_size(shape)
    mem, smem = np.zeros(m), np.zeros(s)

    def view(buf, slot):
        off, shape = slot
        return buf[off:off + buffer_size(shape)].reshape(shape if shape else (1,))

    # copy current state in, and point the graph's state at its new home
    for (n, name), slot in state_slots.items():
        v = view(smem, slot)
        cur = g.state(n).get(name)
        if cur is not None:
            if np.shape(cur) != slot[1]:
                raise NotReady(f"{n}: {name} has shape {fmt_shape(np.shape(cur))}, expected {fmt_shape(slot[1])}")
            v[...] = cur
        g.state(n)[name] = v.reshape(slot[1]) if slot[1] else v
    aliases = {(n, out): (n, st) for n in order for out, st in g.type_of(n).alias.items()}

    row = np.zeros(1, dtype=np.int64)
    lr = np.array([g.settings["lr"]])
    runtime = {"row": row, "epoch": np.zeros(1), "batch_end": np.ones(1), "base_lr": lr}
    X_train, T_train = np.ascontiguousarray(data.X_train), np.ascontiguousarray(data.T_train)
    X_test, T_test = np.ascontiguousarray(data.X_test), np.ascontiguousarray(data.T_test)
    pick = (lambda k: k) if jit else python_version

    def out_view(n, port):
        if (n, port) in aliases:  # a register's output is its state
            return view(smem, state_slots[aliases[(n, port)]]), ("smem",) + aliases[(n, port)]
        return view(mem, out_slots[(n, port)]), ("mem", n, port)

    def make_step(n, test=False):
        t = g.type_of(n)
        params = g.params(n)
        k = t.kernel_for(rep.inputs[n], params)
        args, names, writes, state_writes = [], [], [], []
        for name in t.runtime:
            if name in ("X", "T"):
                args.append({"X": (X_test, X_train), "T": (T_test, T_train)}[name][0 if test else 1])
            else:
                args.append(runtime[name])
            names.append(("runtime", name))
        for p in t.inputs:
            w = g.wire_into(n, p.name)
            if w is not None:
                a, nm = out_view(w.src, w.src_port)
            elif p.name == "lr":
                a, nm = lr, ("runtime", "base_lr")
            else:  # an unwired optional input reads zeros
                shape = rep.inputs[n].get(p.name) or tuple(rep.dims[n].get(d, 1) for d in p.shape)
                a, nm = np.zeros(shape or (1,)), ("zeros", shape)
            args.append(a)
            names.append(nm)
        for p in t.state:
            args.append(view(smem, state_slots[(n, p.name)]))
            names.append(("smem", n, p.name))
            state_writes.append((p.name, args[-1]))
        for p in t.outputs:
            if p.name not in t.alias:
                a, nm = out_view(n, p.name)
                args.append(a)
                names.append(nm)
                writes.append((p.name, a))
        for c in t.consts(params, g.settings):
            args.append(float(c))
            names.append(("const", float(c)))
        return Step(n, t.name, phase_of[n], pick(k) if k is not None else None, tuple(args),
                    tuple(writes + state_writes), tuple(names))

    test_nodes = [n for n in order if g.type_of(n).name == "Accuracy" and g.params(n)["on"] == "test"]
    steps = [make_step(n) for n in order if n not in test_nodes]
    needed = set(test_nodes)
    for n in test_nodes:
        needed |= nx.ancestors(g.nx, n)
    bad = [n for n in needed if phase_of[n] != "forward" and n not in test_nodes]
    if bad:
        raise NotReady(f"{test_nodes[0]} (on test) may only read forward values, but depends on {sorted(bad)[0]}")
    test_steps = [st for st in (make_step(n, test=True) for n in order if n in needed) if st.kernel is not None]

    commits = []
    for n in order:
        t = g.type_of(n)
        for out, into in t.commits:
            w = g.wire_into(n, into)
            param_t = g.type_of(w.src)
            target = g.state(w.src)[param_t.alias[w.src_port]]
            commits.append((view(mem, out_slots[(n, out)]).reshape(target.shape), target, n, w.src))
    resets = [view(smem, state_slots[(n, p.name)]) for n in order for p in g.type_of(n).state
              if g.type_of(n).resets_each_epoch and n not in test_nodes]
    test_resets = [view(smem, state_slots[(n, p.name)]) for n in test_nodes for p in g.type_of(n).state]

    metrics = {}
    for n in sorted(order):
        t = g.type_of(n).name
        if t == "MeanLoss":
            metrics.setdefault("loss", (n, "loss"))
        elif t == "Accuracy":
            metrics.setdefault("test_acc" if g.params(n)["on"] == "test" else "train_acc", (n, "acc"))
    return Plan(steps, test_steps, mem, smem, out_slots, state_slots, aliases, commits, resets, test_resets, runtime,
                data, X_train, T_train, X_test, T_test, metrics, phase_of)
