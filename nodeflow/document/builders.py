"""Builders: whole deconstructed networks from a few numbers.

``mlp([7, 5, 3])`` builds the data, then per layer its weights and bias, weighted sum
and activation, then the error, the deltas and the updates; ``layout.apply`` places them
(forward left to right, blame flowing back beneath). ``add_mlp`` adds a second network
to a graph (sharing its Dataset), to compare two settings; lay the graph out after it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from ..data import default_split
from ..data.init import INITS
from ..errors import DataError, NodeflowError
from ..nodes.forward import activation_type
from ..nodes.loss import LOSSES
from ..nodes.schedule import SCHEDULES
from ..nodes.update import OPTIMIZERS
from . import layout
from .graph import Graph



def mlp(layers, activation: str = "sigmoid", *, lr: float = 0.3, data: str = "xor", seed: int = 1,
        split: float | None = None, samples: int = 0, target: str = "auto", batch_size: int = 1,
        data_scale: str = "minmax", tolerance: float = 1e-4, base_dir: str | Path | None = None,
        **network) -> Graph:
    """A complete multi-layer perceptron: forward pass, loss, deltas and updates.

    ``layers`` lists the unit counts from the inputs to the outputs (``[7, 5, 3]``); the
    first must match the data's features and the last its outputs. ``data_scale`` and
    ``tolerance`` are the graph's ``scale`` and ``tolerance`` settings. ``network`` takes the
    options of ``add_mlp`` (init, scale, bias, loss, output, optimizer, schedule, l2, l1, lr).
    """
    if split is None:
        split = default_split(data)
    g = Graph({"seed": seed, "lr": lr, "data": data, "split": split, "samples": samples, "target": target,
               "batch_size": batch_size, "scale": data_scale, "tolerance": tolerance}, base_dir=base_dir)
    g.add_node("Dataset", "dataset", label="data")
    recipe = add_mlp(g, layers, activation, **network)
    g.settings["network"] = recipe
    layout.apply(g)
    g.history.undo_stack.clear()  # a fresh network starts with nothing to undo
    return g


@dataclass
class _Net:
    """Adds one network's nodes and wires (ids prefixed, labels prefixed, positions shifted)."""

    g: Graph
    prefix: str
    label: str

    def add(self, type_name: str, nid: str, lbl: str, **params) -> None:
        self.g.add_node(type_name, self.prefix + nid, label=self.label + lbl, params=params or None)

    def wire(self, a: str, b: str) -> None:
        self.g.connect(a if a.startswith("dataset.") else self.prefix + a, self.prefix + b)


def _check_options(init, loss, optimizer, schedule) -> None:
    for value, allowed, what in ((init, INITS, "init"), (loss, LOSSES, "loss"), (optimizer, OPTIMIZERS, "optimizer"),
                                 (schedule, SCHEDULES, "schedule")):
        if value not in allowed:
            raise NodeflowError(f"unknown {what} {value!r} (choose from {', '.join(allowed)})")


def _check_fit(d, layers) -> None:
    n_in, n_out = d.shapes
    if layers[0] != n_in or layers[-1] != n_out:
        raise DataError(f"layers {','.join(map(str, layers))} do not fit {d.name}: it has {n_in} feature"
                        f"{'s' if n_in != 1 else ''} and {n_out} output{'s' if n_out != 1 else ''}, so the first "
                        f"layer must be {n_in} and the last {n_out}")


DEFAULT_INIT = "xavier"  # scales with fan-in, so wide layers start unsaturated; "uniform" is the articles' [0, 1)


def add_mlp(g: Graph, layers, activation: str = "sigmoid", *, prefix: str = "", label: str = "",
            init: str = DEFAULT_INIT, scale: float = 1.0,
            bias: bool = True, loss: str = "squared", output: str | None = None, optimizer: str = "sgd",
            schedule: str = "constant", l2: float = 0.0, l1: float = 0.0, lr: float = 0.0) -> dict:
    """Add one network, fed by the graph's ``dataset`` node; returns its recipe.

    ``prefix`` goes before every node id and ``label`` before every label, so two
    networks can share a graph (``layout.apply(g)`` places them). ``init`` and ``scale`` fill
    the weights (and biases); ``bias=False`` leaves the biases out. A ``schedule`` other
    than constant, or an ``lr`` of its own (instead of the settings'), adds a LearningRate
    node wired to every update. Hidden sigmoid layers get a Saturation node; a numeric
    target gets a test loss and accuracy within the settings' tolerance.
    """
    layers = [int(n) for n in layers]
    if len(layers) < 2 or min(layers) < 1:
        raise NodeflowError(f"layers must be at least two positive sizes (inputs and outputs), not {layers}")
    _check_options(init, loss, optimizer, schedule)
    d = g.data()
    _check_fit(d, layers)
    hidden = activation_type(activation)
    if output is None:
        output = ("sigmoid" if layers[-1] == 1 else "softmax") if loss == "cross_entropy" else hidden.name.lower()
    out_act = activation_type(output)
    if loss == "cross_entropy" and out_act.name not in ("Sigmoid", "Softmax"):
        raise NodeflowError(f"cross-entropy needs a sigmoid or softmax output, not {output}")
    net = _Net(g, prefix, label)
    init_params = dict(({"init": init} if init != "uniform" else {}), **({"scale": scale} if scale != 1.0 else {}))
    acts = _forward(net, layers, hidden, out_act, init_params, bias)
    out_delta = _loss(net, layers, loss, out_act, acts[-1][0] + ".y", d)
    update = {"optimizer": optimizer} if optimizer != "sgd" else {}
    rate_node = schedule != "constant" or lr > 0
    if rate_node:
        net.add("LearningRate", "learning_rate", "learning rate", schedule=schedule, rate=lr)
    reg = {k: v for k, v in (("l2", l2), ("l1", l1)) if v}
    _backward(net, layers, acts, out_delta, loss, update, reg, rate_node, bias)
    recipe = {"builder": "mlp", "layers": layers, "activation": hidden.name.lower(), "init": init}
    for k, v, default in (("output", out_act.name.lower(), hidden.name.lower()), ("loss", loss, "squared"),
                          ("scale", scale, 1.0), ("bias", bias, True), ("optimizer", optimizer, "sgd"),
                          ("schedule", schedule, "constant"), ("l2", l2, 0.0), ("l1", l1, 0.0)):
        if v != default:
            recipe[k] = v
    return recipe


def _forward(net: _Net, layers, hidden, out_act, init_params, bias: bool) -> list[tuple[str, str]]:
    """Weights, bias, weighted sum and activation per layer; returns each layer's (activation, input)."""
    L = len(layers) - 1
    x = "dataset.x"
    acts = []
    for l in range(1, L + 1):
        act = out_act if l == L else hidden
        a = f"{act.name.lower()}_{l}"
        net.add("Weights", f"weights_{l}", f"W{l}", shape=[layers[l], layers[l - 1]], **init_params)
        if bias:
            net.add("Bias", f"bias_{l}", f"b{l}", size=layers[l], **init_params)
        net.add("WeightedSum", f"weighted_sum_{l}", f"sum {l}")
        net.add(act.name, a, f"{act.name.lower()} {l}")
        net.wire(f"weights_{l}.W", f"weighted_sum_{l}.W")
        net.wire(x, f"weighted_sum_{l}.x")
        if bias:
            net.wire(f"bias_{l}.b", f"weighted_sum_{l}.b")
        net.wire(f"weighted_sum_{l}.z", f"{a}.z")
        if act.name == "Sigmoid" and l < L:  # says when a hidden layer saturates (a sure output is no harm)
            net.add("Saturation", f"saturation_{l}", f"saturation {l}")
            net.wire(f"{a}.slope", f"saturation_{l}.slope")
        acts.append((a, x))
        x = f"{a}.y"
    return acts


def _loss(net: _Net, layers, loss: str, out_act, y: str, d) -> str:
    """The error, mean loss and accuracy nodes; returns the output delta's port."""
    L = len(layers) - 1
    if loss == "squared":
        net.add("Error", "error", "error")
        out_delta = f"delta_{L}.delta"
    else:
        net.add("CrossEntropy", "error", "cross-entropy", output=out_act.name.lower())
        out_delta = "error.delta"
    net.wire(y, "error.y")
    net.wire("dataset.target", "error.target")
    net.add("MeanLoss", "mean_loss", "mean loss")
    net.wire("error.E", "mean_loss.E")
    tested = len(d.test) > 0
    if d.task == "value" and tested:
        net.add("MeanLoss", "test_loss", "test loss", on="test")
        net.wire("error.E", "test_loss.E")
    rule = {} if d.task == "class" else {"rule": "tolerance"}
    for name, lbl, on in (("train_accuracy", "train accuracy", "train"), ("test_accuracy", "test accuracy", "test")):
        if on == "test" and not tested:
            continue
        net.add("Accuracy", name, lbl, **({"on": on} if on == "test" else {}), **rule)
        net.wire(y, f"{name}.y")
        net.wire("dataset.target", f"{name}.target")
    return out_delta


def _backward(net: _Net, layers, acts, out_delta: str, loss: str, update: dict, reg: dict, rate_node: bool,
              bias: bool) -> None:
    """Deltas and the weight and bias updates, from the output layer back."""
    L = len(layers) - 1
    for l in range(L, 0, -1):
        a, x_in = acts[l - 1]
        delta = out_delta if l == L else f"delta_{l}.delta"
        if l == L and loss == "squared":
            net.add("Delta", f"delta_{l}", f"delta {l}")
            net.wire("error.grad", f"delta_{l}.grad")
            net.wire(f"{a}.slope", f"delta_{l}.slope")
        elif l < L:
            net.add("BackDelta", f"delta_{l}", f"delta {l}")
            net.wire(f"weights_{l + 1}.W", f"delta_{l}.W")
            net.wire(out_delta if l + 1 == L else f"delta_{l + 1}.delta", f"delta_{l}.delta_next")
            net.wire(f"{a}.slope", f"delta_{l}.slope")
        net.add("WeightUpdate", f"weight_update_{l}", f"update W{l}", **update, **reg)
        net.wire(f"weights_{l}.W", f"weight_update_{l}.W")
        net.wire(delta, f"weight_update_{l}.delta")
        net.wire(x_in, f"weight_update_{l}.x")
        updates = [f"weight_update_{l}"]
        if bias:
            net.add("BiasUpdate", f"bias_update_{l}", f"update b{l}", **update)
            net.wire(f"bias_{l}.b", f"bias_update_{l}.b")
            net.wire(delta, f"bias_update_{l}.delta")
            updates.append(f"bias_update_{l}")
        if rate_node:
            for u in updates:
                net.wire("learning_rate.lr", f"{u}.lr")


def layer_parameters(g: Graph, prefix: str = "") -> list[tuple[str, str]]:
    """(Weights node, Bias node) of each layer of a built network, inputs to outputs, found by
    following the wires into its weighted sums (``prefix`` picks one of several networks)."""
    out = []
    for n in nx.topological_sort(g.nx):
        if g.type_of(n).name == "WeightedSum" and n.startswith(prefix):
            w, b = g.wire_into(n, "W"), g.wire_into(n, "b")
            out.append((w.src, b.src if b is not None else None))
    return out
