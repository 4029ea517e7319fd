"""Asking the network: its forward pass on inputs of your own, never touching the training state.

``forward_rows`` runs the very kernels, one row at a time, on a copy of the run (what
``Session.predict`` gives); ``forward_batch`` evaluates many rows at once with the nodes'
numpy batch forms (fast enough to redraw a picture of the whole input plane while the
network trains) and ``forward`` takes it when every node on the way has one. A ``Probe``
is one input, in the data's own units, run through a copy of the run: its wire values
show that input flowing through the forward pass.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import NodeflowError
from ..nodes import NODE_TYPES
from .state import Run

Port = tuple[str, str]  # (node, output port)


def _dataset(session) -> str:
    found = session.graph.nodes_of_type("Dataset")
    if not found:
        raise NodeflowError("the graph has no Dataset node to feed an input through")
    return found[0]


def _rows(session, X) -> np.ndarray:
    X = np.atleast_2d(np.asarray(X, dtype=float))
    n_in = session.plan.data.shapes[0]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise NodeflowError(f"an input needs {n_in} number{'s' if n_in != 1 else ''}, not {X.shape[-1]}")
    return X


def forward_rows(session, X, ports: list[Port]) -> dict[Port, np.ndarray]:
    """The values at ``ports`` for each row of ``X`` (features as the Dataset serves them), computed
    by the nodes' kernels row by row on a copy of the run."""
    X = _rows(session, X)
    probe = session.run.copy()
    dataset = _dataset(session)
    x = probe.value(dataset, "x")
    steps = [s for s in session.steps_leading_to({n for n, _ in ports}) if s.node != dataset]
    out = {p: np.empty((len(X),) + probe.value(*p).shape) for p in ports}
    for i in range(len(X)):
        x[...] = X[i]
        for s in steps:
            session.stepper.call(probe, s)
        for p in ports:
            out[p][i] = probe.value(*p)
    return out


def forward_batch(session, X, ports: list[Port]) -> dict[Port, np.ndarray] | None:
    """Like ``forward_rows`` but all rows at once, with each node's numpy batch form; None when a
    node on the way has none. Values that do not depend on the input (weights) are the run's."""
    X = _rows(session, X)
    g, run = session.graph, session.run
    copy: list[Run] = []  # made only if a node computes a value the same for every row

    def fixed(node: str, port: str) -> np.ndarray:
        return (copy[0] if copy else run).value(node, port)

    dataset = _dataset(session)
    rowwise: dict[Port, np.ndarray] = {(dataset, "x"): X}
    for s in session.steps_leading_to({n for n, _ in ports}):
        if s.node == dataset:
            continue
        t = NODE_TYPES[s.type]
        wires = {p.name: g.wire_into(s.node, p.name) for p in t.inputs}
        srcs = {name: (w.src, w.src_port) for name, w in wires.items() if w is not None}
        varying = {name for name, src in srcs.items() if src in rowwise}
        if not varying:  # the same for every row: the kernel once, on a copy of the run
            if s.kernel is not None:
                copy = copy or [run.copy()]
                session.stepper.call(copy[0], s)
            continue
        values = {name: rowwise[src] if name in varying else fixed(*src) for name, src in srcs.items()}
        outs = t.batch(values, varying, g.params(s.node))
        if outs is None:
            return None
        rowwise.update({(s.node, name): v for name, v in outs.items()})
    return {p: rowwise[p] if p in rowwise else np.broadcast_to(fixed(*p), (len(X),) + fixed(*p).shape).copy()
            for p in ports}


def forward(session, X, ports: list[Port]) -> dict[Port, np.ndarray]:
    """The values at ``ports`` for each row of ``X``: all at once where the nodes allow, else row by row."""
    out = forward_batch(session, X, ports)
    return out if out is not None else forward_rows(session, X, ports)


@dataclass
class Probe:
    """One input run through the forward pass on a copy of the run (the training state is untouched).

    ``run`` holds that pass's values on every wire of the ``evaluated`` nodes (the others keep the
    run's values); ``x`` is the input as the network sees it, ``y`` the output, ``raw`` it decoded.
    """

    run: Run
    raw_input: np.ndarray
    x: np.ndarray
    output: Port
    evaluated: tuple[str, ...]
    data: object  # the Data (for decoding and class names)

    def value(self, node: str, port: str) -> np.ndarray:
        return self.run.value(node, port).copy()

    def shows(self, node: str, port: str) -> bool:
        """Whether the value at ``node.port`` belongs to this input's forward pass: the input itself,
        and the outputs of every node evaluated for it (the data's target and what lies beyond the
        output, such as the error, do not); a group's output shows the inner port it exposes."""
        node, port = self.run.plan.source(node, port)
        return node in self.evaluated and (node != self.evaluated[0] or port == "x")

    @property
    def y(self) -> np.ndarray:
        return self.value(*self.output)

    @property
    def raw(self) -> np.ndarray:
        """The output in the target's own units (a numeric target's scaling undone)."""
        return self.data.decode(self.y)

    def describe(self) -> str:
        return describe_output(self.raw, self.data)


def probe(session, raw) -> Probe:
    """Run one input, given in the data's own units, through the forward pass on a copy of the run."""
    data = session.plan.data
    x = data.encode(_rows(session, raw))[0]
    run = session.run.copy()
    dataset = _dataset(session)
    run.value(dataset, "x")[...] = x
    output = session.output_port()
    steps = [s for s in session.steps_leading_to([output[0]]) if s.node != dataset]
    for s in steps:
        session.stepper.call(run, s)
    run.version += 1
    return Probe(run, np.asarray(raw, dtype=float).ravel(), x, output, (dataset, *(s.node for s in steps)), data)


def chosen_class(y: np.ndarray) -> int:
    """The class an output picks: its largest value, or 1 when a single output is ≥ 0.5."""
    y = np.asarray(y, dtype=float)
    return int(y[0] >= 0.5) if y.shape[-1] == 1 else int(np.argmax(y))


def describe_output(y, data) -> str:
    """An output in words: the number(s) for a numeric target, else the class and each class's output."""
    y = np.asarray(y, dtype=float).ravel()
    if data.task != "class":
        return ", ".join(f"{v:.6g}" for v in y)
    names = data.classes or tuple(str(i) for i in range(max(2, len(y))))
    best = names[chosen_class(y)]
    if len(y) == 1:
        return f"{best} (output {y[0]:.4f}: {names[1]} at 0.5 or more, else {names[0]})"
    return f"{best} (" + ", ".join(f"{n} {v:.4f}" for n, v in zip(names, y)) + ")"
