"""A graph read as a PyTorch network: which nodes are layers, losses, updates and metrics.

``torch_network(graph, data, skipped)`` reads the graph as nodeflow runs it: groups
flattened (inner ids ``group/inner``), views and the nodes the plan skips left out. A
WeightedSum fed by a Weights (and Bias) node, with one activation on its output, is a
layer (``nn.Linear`` plus the activation); an Error or CrossEntropy node on a layer's
output is a loss; the Delta and BackDelta nodes must be wired exactly as backprop's deltas
are, so that autograd computes what they compute; every WeightUpdate and BiasUpdate must
read its layer's delta (and inputs); MeanLoss, Accuracy and Saturation are metrics.
Anything else (math nodes, Expression, Register and Assign: computations wired by hand)
is refused with a one-line NodeflowError naming the node. Imports no torch: this only
reads the document.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import networkx as nx
import numpy as np

from ..document.graph import Graph
from ..errors import NodeflowError

ACTIVATIONS = ("Sigmoid", "Tanh", "ReLU", "Identity", "Softmax")
KNOWN = ("Dataset", "Constant", "Weights", "Bias", "WeightedSum", *ACTIVATIONS, "Error", "CrossEntropy", "Delta",
         "BackDelta", "WeightUpdate", "BiasUpdate", "LearningRate", "MeanLoss", "Accuracy", "Saturation")
Port = tuple[str, str]  # (node, port)


@dataclass(frozen=True)
class Layer:
    node: str  # the WeightedSum
    weights: str
    bias: str | None  # None: the weighted sum has no b wire (a layer without bias)
    activation: str
    kind: str  # the activation's node type
    x: Port  # what the weighted sum reads: the Dataset's x or the previous activation's y


@dataclass(frozen=True)
class Loss:
    node: str
    kind: str  # squared | softmax_cross_entropy | sigmoid_cross_entropy
    layer: Layer  # the output layer it reads


@dataclass(frozen=True)
class Update:
    node: str
    parameter: str  # the Weights or Bias node it writes
    rate: str | None  # the LearningRate node wired to its lr (None: the settings' rate)


@dataclass(frozen=True)
class Metric:
    node: str
    kind: str  # loss (MeanLoss) | accuracy, tolerance (Accuracy by class, by number) | saturation (Saturation)
    source: str  # the loss node (loss) or the activation (the others) it reads
    on_test: bool


@dataclass(frozen=True)
class TorchNetwork:
    graph: Graph  # the graph read: flattened, without views and skipped nodes (the node ids below are its)
    dataset: str
    layers: tuple[Layer, ...]  # in the graph's order
    losses: tuple[Loss, ...]
    updates: tuple[Update, ...]
    rates: tuple[str, ...]  # LearningRate nodes the updates read
    metrics: tuple[Metric, ...]

    def parameters(self) -> list[tuple[str, str, str]]:
        """(Weights or Bias node, its layer's WeightedSum, "weight" or "bias"), inputs to outputs."""
        out = []
        for l in self.layers:
            out.append((l.weights, l.node, "weight"))
            if l.bias:
                out.append((l.bias, l.node, "bias"))
        return out


def refuse(g, node: str, why: str) -> NoReturn:
    raise NodeflowError(f"{node} ({g.type_of(node).name}) has no torch equivalent: {why}")


def _type(g, node: str) -> str:
    return g.type_of(node).name


def _src(g, node: str, port: str) -> Port | None:
    w = g.wire_into(node, port)
    return None if w is None else (w.src, w.src_port)


def _users(g, node: str, port: str) -> list[str]:
    """The nodes reading ``node.port``."""
    return [l.dst for l in g.links_of(node) if l.src == node and l.src_port == port]


def _layers(g, dataset: str) -> dict[str, Layer]:
    """Every WeightedSum as a layer, in the graph's order."""
    layers: dict[str, Layer] = {}
    inputs = {(dataset, "x")}
    owner: dict[str, str] = {}  # parameter node -> the weighted sum it feeds
    for n in nx.topological_sort(g.nx):
        if _type(g, n) != "WeightedSum":
            continue
        w, b, x = _src(g, n, "W"), _src(g, n, "b"), _src(g, n, "x")
        if _type(g, w[0]) != "Weights" or (b is not None and _type(g, b[0]) != "Bias"):
            refuse(g, n, "its W must come from a Weights node and its b from a Bias node")
        if x not in inputs:
            refuse(g, n, f"its x comes from {x[0]}.{x[1]}, not the Dataset's x or a layer's activation")
        for p in filter(None, (w, b)):
            if p[0] in owner:
                refuse(g, n, f"it shares {p[0]} with {owner[p[0]]}")
            owner[p[0]] = n
        users = _users(g, n, "z")
        if len(users) != 1 or _type(g, users[0]) not in ACTIVATIONS:
            refuse(g, n, f"its z must feed one activation ({', '.join(ACTIVATIONS)}) and nothing else but views")
        a = users[0]
        layers[n] = Layer(n, w[0], b and b[0], a, _type(g, a), x)
        inputs.add((a, "y"))
    return layers


def _losses(g, dataset: str, layers: dict[str, Layer], T_train: np.ndarray) -> dict[str, Loss]:
    by_activation = {l.activation: l for l in layers.values()}
    losses = {}
    for n in g.nodes_of_type("Error", "CrossEntropy"):
        y = _src(g, n, "y")
        if y[1] != "y" or y[0] not in by_activation:
            refuse(g, n, f"its y comes from {y[0]}.{y[1]}, not a layer's activation")
        if _src(g, n, "target") != (dataset, "target"):
            refuse(g, n, "its target must be the Dataset's target")
        layer = by_activation[y[0]]
        kind = "squared"
        if _type(g, n) == "CrossEntropy":
            output = g.params(n)["output"]
            if layer.kind.lower() != output:
                refuse(g, n, f"its delta y − t assumes a {output} output, but {layer.activation} is {layer.kind}")
            if output == "softmax" and not np.allclose(T_train.sum(axis=1), 1.0):
                refuse(g, n, "its delta y − t is the gradient only when every target sums to 1")
            kind = f"{output}_cross_entropy"
        losses[n] = Loss(n, kind, layer)
    return losses


def _deltas(g, layers: dict[str, Layer], losses: dict[str, Loss]) -> dict[str, set[Port]]:
    """For each layer, the ports carrying its delta dE/dz as backprop defines it (output layer first)."""
    deltas: dict[str, set[Port]] = {}
    for l in reversed(list(layers.values())):
        after = [n for n in _users(g, l.activation, "y") if n in layers or n in losses]
        if len(after) > 1:
            refuse(g, l.activation, f"its y feeds {len(after)} layers and losses; nodeflow's deltas follow one path")
        ports: set[Port] = set()
        if after and after[0] in losses and losses[after[0]].kind != "squared":
            ports = {(after[0], "delta")}  # CrossEntropy's delta is the output layer's
        elif after and after[0] in losses:
            ports = {(d, "delta") for d in g.nodes_of_type("Delta")
                     if _src(g, d, "grad") == (after[0], "grad") and _src(g, d, "slope") == (l.activation, "slope")}
        elif after:
            nxt = layers[after[0]]
            ports = {(d, "delta") for d in g.nodes_of_type("BackDelta")
                     if _src(g, d, "W") == (nxt.weights, "W") and _src(g, d, "delta_next") in deltas[nxt.node]
                     and _src(g, d, "slope") == (l.activation, "slope")}
        deltas[l.node] = ports
    return deltas


def _updates(g, layers: dict[str, Layer], deltas: dict[str, set[Port]]) -> list[Update]:
    of_parameter = {p: (l, port) for l in layers.values() for p, port in ((l.weights, "W"), (l.bias, "b")) if p}
    out = []
    for n in g.nodes_of_type("WeightUpdate", "BiasUpdate"):
        port = "W" if _type(g, n) == "WeightUpdate" else "b"
        p = _src(g, n, port)[0]
        if of_parameter.get(p, (None, None))[1] != port:
            refuse(g, n, f"{p} is not the {'weights' if port == 'W' else 'bias'} of a layer")
        layer = of_parameter[p][0]
        if _src(g, n, "delta") not in deltas[layer.node]:
            refuse(g, n, f"its delta is not backprop's delta of {layer.node}")
        if port == "W" and _src(g, n, "x") != layer.x:
            refuse(g, n, f"its x must be {layer.x[0]}.{layer.x[1]}, what {layer.node} reads")
        lr = _src(g, n, "lr")
        if lr is not None and _type(g, lr[0]) != "LearningRate":
            refuse(g, n, f"its lr comes from {lr[0]}, not a LearningRate node")
        out.append(Update(n, p, lr and lr[0]))
    return out


def _metrics(g, dataset: str, layers: dict[str, Layer], losses: dict[str, Loss]) -> list[Metric]:
    by_activation = {l.activation: l for l in layers.values()}
    out = []
    for n in sorted(g.nodes_of_type("MeanLoss", "Accuracy", "Saturation")):
        t, params = g.type_of(n), g.params(n)
        if t.name == "MeanLoss":
            e = _src(g, n, "E")
            if e[1] != "E" or e[0] not in losses:
                refuse(g, n, f"its E comes from {e[0]}.{e[1]}, not an Error or CrossEntropy node's E")
            out.append(Metric(n, "loss", e[0], t.on_test_set(params)))
        elif t.name == "Saturation":
            slope = _src(g, n, "slope")
            if slope[1] != "slope" or slope[0] not in by_activation:
                refuse(g, n, f"its slope comes from {slope[0]}.{slope[1]}, not a layer's activation")
            out.append(Metric(n, "saturation", slope[0], False))
        else:
            y = _src(g, n, "y")
            if y[1] != "y" or y[0] not in by_activation or _src(g, n, "target") != (dataset, "target"):
                refuse(g, n, "it must read a layer's activation y and the Dataset's target")
            kind = "tolerance" if params["rule"] == "tolerance" else "accuracy"
            out.append(Metric(n, kind, y[0], t.on_test_set(params)))
    return out


def _inert(g, n: str) -> bool:
    """A Constant nothing reads (views are gone): nothing it does changes training."""
    return _type(g, n) == "Constant" and not _users(g, n, "out")


def _unknown(g, n: str) -> str:
    """Why the exporter cannot take a node of a type it does not know."""
    t = g.type_of(n)
    if t.family == "math" or t.name in ("Register", "Assign", "TrainingInfo"):
        return ("it is a step wired by hand (math nodes, Expression, Register, Assign), which the torch "
                "export does not translate; `nodeflow export --to numpy` keeps it")
    return f"the torch export knows no {t.name} node"


def readable(g, skipped=()) -> Graph:
    """The graph as nodeflow runs it: groups flattened, and without views and the nodes the plan
    skips (they compute nothing training uses)."""
    g = g.flat()
    keep = [n for n in g.node_ids if n not in skipped and g.type_of(n).family != "view"]
    if len(keep) == len(g.node_ids):
        return g
    kept = set(keep)
    links = [l for l in g.links() if l.src in kept and l.dst in kept]
    return Graph.assembled(g.settings, g.base_dir, {n: g.attrs(n) for n in keep}, links)


def torch_network(g, data, skipped=()) -> TorchNetwork:
    """The graph as layers, losses, updates and metrics; raises NodeflowError naming a node torch cannot take.
    ``skipped``: the nodes the plan leaves out (``Plan.skipped``)."""
    g = readable(g, skipped)
    for n in nx.topological_sort(g.nx):
        if _type(g, n) not in KNOWN:
            refuse(g, n, _unknown(g, n))
    dataset = g.nodes_of_type("Dataset")[0]
    layers = _layers(g, dataset)
    losses = _losses(g, dataset, layers, data.T_train)
    deltas = _deltas(g, layers, losses)
    updates = _updates(g, layers, deltas)
    metrics = _metrics(g, dataset, layers, losses)
    rates = tuple(dict.fromkeys(u.rate for u in updates if u.rate))
    mapped = {dataset, *losses, *rates, *(u.node for u in updates), *(m.node for m in metrics),
              *(d for ports in deltas.values() for d, _ in ports)}
    for l in layers.values():
        mapped |= {l.node, l.weights, l.activation} | ({l.bias} if l.bias else set())
    for n in nx.topological_sort(g.nx):
        if n not in mapped and not _inert(g, n):
            refuse(g, n, "it is not part of a layer, loss, backprop delta, update or metric that torch can take")
    if not updates:
        raise NodeflowError("nothing to train: no WeightUpdate or BiasUpdate node writes a Weights or Bias node")
    return TorchNetwork(g, dataset, tuple(layers.values()), tuple(losses.values()), tuple(updates), rates,
                        tuple(metrics))
