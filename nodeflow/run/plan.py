"""The plan: a graph laid out for execution, immutable and free of arrays.

Every output port gets a slot in one flat array ``mem`` (the values on the wires) and
every state array a slot in ``smem`` (weights, optimiser and metric state). A step is a
node's kernel and where each of its arguments comes from, in the order given by
``schedule``: forward, then backward, then updates. A run (``state.Run``) owns the
arrays; the stepper, the compiled engine and export all read this one plan. A graph
with groups is planned as its flattened graph (``Graph.flat``): node ids inside groups
are ``group/inner``, and a group's outputs read the inner ports they show.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ..data import Data
from ..errors import NotReady
from ..nodes.base import PHASE_RANK, buffer_size, fmt_shape, known, matrix_shape
from ..nodes.kernel import Kernel

MEM, SMEM = "mem", "smem"  # the two flat buffers: wire values, state
DATA_INPUTS = ("X_train", "T_train", "X_test", "T_test")
RUNTIME_INPUTS = ("row", "epoch", "batch_end", "base_lr")  # see nodes.base.RUNTIME


@dataclass(frozen=True)
class Slot:
    """Where a value lives: ``buf[start:start + size]``, seen with ``shape``."""

    buf: str  # MEM or SMEM
    start: int
    shape: tuple

    @property
    def size(self) -> int:
        return buffer_size(self.shape)

    @property
    def stop(self) -> int:
        return self.start + self.size


@dataclass(frozen=True)
class Arg:
    """Where one kernel argument comes from."""

    kind: str  # "slot" | "input" (a named array of the run: X_train, row, base_lr, ...) | "zeros" | "const" | "values"
    slot: Slot | None = None
    name: str = ""
    shape: tuple = ()
    value: float = 0.0
    values: tuple = ()  # kind "values": numbers passed as a 1-D array (a Constant's)
    matrix: bool = False  # the kernel sees the slot as a matrix (nodes.base.matrix_shape)


@dataclass(frozen=True)
class Step:
    node: str
    type: str
    phase: str  # forward | backward | update
    kernel: Kernel | None
    args: tuple[Arg, ...]
    writes: tuple[tuple[str, Slot], ...] = ()  # outputs and state this step writes (checked for NaN)
    arg_names: tuple[str, ...] = ()  # the runtime value or input each of the first args is


@dataclass(frozen=True)
class Commit:
    """At the end of a sample step, an update's ``new`` value (an Assign's input) is written into its register."""

    new: Slot
    param: Slot
    update: str
    parameter: str


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]  # one training sample, in order
    test_steps: tuple[Step, ...]  # the forward pass run on every test sample at the end of an epoch
    mem_size: int
    smem_size: int
    out_slots: dict[tuple[str, str], Slot]  # outputs that live in mem
    state_slots: dict[tuple[str, str], Slot]
    aliases: dict[tuple[str, str], tuple[str, str]]  # register outputs -> (node, state name)
    commits: tuple[Commit, ...]
    resets: tuple[Slot, ...]  # metric state zeroed each epoch (train metrics)
    test_resets: tuple[Slot, ...]
    metric_ports: tuple[tuple[str, str], ...]  # every metric node's outputs: the figures kept per epoch
    test_nodes: tuple[str, ...]  # metric nodes measured on the test set
    metrics: dict[str, tuple[str, str]]  # loss / test_loss / train_acc / test_acc -> the port showing it
    phase_of: dict[str, str]
    data: Data
    seed: int
    batch_size: int
    lr: float
    saved: dict[str, tuple[str, ...]] = field(default_factory=dict)  # node -> state names written to files
    skipped: dict[str, str] = field(default_factory=dict)  # nodes left out (they feed no loss) -> why
    exposed: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # group output -> inner port

    def source(self, node: str, port: str) -> tuple[str, str]:
        """The output whose value ``node.port`` shows: itself, or for a group's output the inner port."""
        return self.exposed.get((node, port), (node, port))

    def slot(self, node: str, port: str) -> Slot:
        """The slot an output port's value lives in (a register's output is its state; a group's
        output is the inner port it shows)."""
        node, port = self.source(node, port)
        if (node, port) in self.aliases:
            return self.state_slots[self.aliases[(node, port)]]
        return self.out_slots[(node, port)]

    @property
    def n_train(self) -> int:
        return len(self.data.train)

    @property
    def has_test_pass(self) -> bool:
        """An epoch ends with a forward pass over the test set (there are test metrics and test samples)."""
        return bool(self.test_steps) and len(self.data.test) > 0

    @property
    def last_node(self) -> str:
        """The node a sample step ends on (what is shown as evaluated last)."""
        return next((s.node for s in reversed(self.steps) if s.kernel is not None), self.steps[-1].node)


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


def skipped_nodes(g) -> dict[str, str]:
    """Nodes that cannot be evaluated and feed no loss, each with why: left out of the plan
    rather than stopping it. A node is skipped when an input of it needs a wire and has
    none, or when it reads a skipped node; one that feeds a loss, a node that writes a
    parameter (an update, an Assign) or a metric is never skipped: its missing wire stops
    the graph instead."""
    unwired = g.unwired()
    if not unwired:
        return {}
    losses = [n for n in g.node_ids if g.type_of(n).family == "loss" or g.type_of(n).commits
              or g.type_of(n).is_metric]  # what training needs: losses, what writes parameters, metrics
    feeds_loss = set(losses).union(*(nx.ancestors(g.nx, n) for n in losses))
    skipped: dict[str, str] = {}
    for n in nx.topological_sort(g.nx):
        if n in feeds_loss:
            continue
        if n in unwired:
            ports = unwired[n]
            skipped[n] = f"{', '.join(ports)} {'is' if len(ports) == 1 else 'are'} not connected"
        elif (cause := next((u for u in g.nx.predecessors(n) if u in skipped), None)) is not None:
            skipped[n] = f"reads {cause}, which is skipped"
    return skipped


def build_plan(g, fold: tuple[int, int] | None = None) -> Plan:
    """Lay the graph out for execution, or raise NotReady with the reasons it cannot run.

    Nodes that cannot be evaluated and feed no loss are left out (``Plan.skipped``).
    ``fold=(k, K)``: cross-validation, fold k of K is the test set instead of the split.
    """
    flat = g.flat()  # groups replaced by their inner nodes (ids "group/inner")
    skipped = skipped_nodes(flat)
    problems = g.problems(skip=skipped)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise NotReady(problems[0] + more)
    g = flat
    phase_of = phases(g)
    order = [n for n in schedule(g, phase_of) if n not in skipped]
    out_slots, state_slots, mem_size, smem_size = _layout(g, order)
    aliases = {(n, out): (n, st) for n in order for out, st in g.type_of(n).alias.items()}
    slots = _Slots(out_slots, state_slots, aliases)
    data = g.data(fold)
    settings = {**g.settings, "encoding": data.encoding.as_dict() if data.encoding else None}  # the one in force
    test_nodes = tuple(n for n in order if g.type_of(n).on_test_set(g.params(n)))
    steps = tuple(_step(g, n, slots, phase_of[n], settings) for n in order if n not in test_nodes)
    test_steps = _test_steps(g, order, test_nodes, slots, phase_of, settings)
    commits = tuple(Commit(_new_value(g, n, out, slots), slots.of(w.src, w.src_port), n, w.src)
                    for n in order for out, into in g.type_of(n).commits
                    if (w := g.wire_into(n, into)) is not None)
    resets = tuple(state_slots[(n, p.name)] for n in order for p in g.type_of(n).state
                   if g.type_of(n).resets_each_epoch and n not in test_nodes)
    test_resets = tuple(state_slots[(n, p.name)] for n in test_nodes for p in g.type_of(n).state)
    metric_ports, metrics = _metrics(g, order)
    s = g.settings
    saved = {n: g.type_of(n).saved_state for n in order if g.type_of(n).saved_state}
    return Plan(steps, test_steps, mem_size, smem_size, out_slots, state_slots, aliases, commits, resets,
                test_resets, metric_ports, test_nodes, metrics, phase_of, data, int(s["seed"]),
                int(s["batch_size"]), float(s["lr"]), saved, skipped, g.exposed)


def _new_value(g, n: str, name: str, slots: "_Slots") -> Slot:
    """Where a commit's value is: the node's output ``name`` (an update's new), or what is wired
    into its input ``name`` (an Assign's value)."""
    if g.port(n, name, "out") is not None:
        return slots.out[(n, name)]
    w = g.wire_into(n, name)
    return slots.of(w.src, w.src_port)


def _layout(g, order):
    """Slots for every output (in mem) and every state array (in smem)."""
    rep = g.shapes()
    out_slots: dict[tuple[str, str], Slot] = {}
    state_slots: dict[tuple[str, str], Slot] = {}
    m = s = 0
    for n in order:
        t = g.type_of(n)
        st_shapes = t.state_shapes(g.params(n), rep.dims[n])
        for p in t.state:
            state_slots[(n, p.name)] = Slot(SMEM, s, tuple(st_shapes[p.name]))
            s += state_slots[(n, p.name)].size
        for p in g.outputs(n):
            shape = rep.outputs[(n, p.name)]
            if not known(shape):
                raise NotReady(f"cannot tell the shape of {n}.{p.name} {fmt_shape(shape)}")
            if p.name not in t.alias:
                out_slots[(n, p.name)] = Slot(MEM, m, tuple(shape))
                m += out_slots[(n, p.name)].size
    return out_slots, state_slots, m, s


@dataclass(frozen=True)
class _Slots:
    out: dict
    state: dict
    aliases: dict

    def of(self, node: str, port: str) -> Slot:
        key = self.aliases.get((node, port))
        return self.state[key] if key else self.out[(node, port)]


def _step(g, n: str, slots: _Slots, phase: str, settings: dict, test: bool = False) -> Step:
    """One node's kernel call: runtime values, inputs, state, outputs, then float constants
    (from the node's params and ``settings``: the graph's, with the data's encoding in force)."""
    t = g.type_of(n)
    params = g.params(n)
    rep = g.shapes()
    m = t.matrix_args
    args: list[Arg] = []
    names: list[str] = []
    for name in t.runtime:
        names.append(name)
        if name in ("X", "T"):
            name = f"{name}_{'test' if test else 'train'}"
        args.append(Arg("input", name=name))
    for p in g.inputs(n):
        names.append(p.name)
        w = g.wire_into(n, p.name)
        if w is not None:
            args.append(Arg("slot", slots.of(w.src, w.src_port), matrix=m))
        elif p.name == "lr":
            args.append(Arg("input", name="base_lr"))
        else:  # an unwired optional input reads zeros
            shape = rep.inputs[n].get(p.name) or tuple(rep.dims[n].get(d, 1) for d in p.shape)
            args.append(Arg("zeros", shape=matrix_shape(shape) if m else tuple(shape) or (1,)))
    writes = []
    state_writes = []
    for p in t.state:
        args.append(Arg("slot", slots.state[(n, p.name)], matrix=m))
        state_writes.append((p.name, slots.state[(n, p.name)]))
    for p in g.outputs(n):
        if p.name not in t.alias:
            args.append(Arg("slot", slots.out[(n, p.name)], matrix=m))
            writes.append((p.name, slots.out[(n, p.name)]))
    args += [Arg("values", values=c) if isinstance(c, tuple) else Arg("const", value=float(c))
             for c in t.consts(params, settings)]
    return Step(n, t.name, phase, t.kernel_for(rep.inputs[n], params), tuple(args), tuple(writes + state_writes),
                tuple(names))


def _test_steps(g, order, test_nodes, slots, phase_of, settings) -> tuple[Step, ...]:
    """The test metrics and the nodes they read (forward nodes, and stateless ones such as the
    error), run on test samples; nothing that keeps state (an update) may run on them."""
    needed = set(test_nodes)
    for n in test_nodes:
        needed |= nx.ancestors(g.nx, n)
    bad = [n for n in needed if phase_of[n] != "forward" and n not in test_nodes and g.type_of(n).state]
    if bad:
        raise NotReady(f"{test_nodes[0]} (on test) may only read forward values and errors, but depends on "
                       f"{sorted(bad)[0]}")
    steps = (_step(g, n, slots, phase_of[n], settings, test=True) for n in order if n in needed)
    return tuple(s for s in steps if s.kernel is not None)


def _metrics(g, order) -> tuple[tuple, dict]:
    """Every metric node's outputs (sorted), and which of them is the loss / train / test accuracy."""
    ports = []
    named: dict[str, tuple[str, str]] = {}
    for n in sorted(order):
        t = g.type_of(n)
        if t.is_metric:
            ports += [(n, p.name) for p in g.outputs(n)]
            named.setdefault(t.metric_kind(g.params(n)), (n, g.outputs(n)[0].name))
    return tuple(sorted(ports)), named
