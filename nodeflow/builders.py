"""Builders: whole deconstructed networks from a few numbers.

``mlp([7, 5, 3])`` lays out, left to right, the data, then per layer its weights and
bias, weighted sum and activation, then the error; below that row runs the backward
pass (deltas) and the updates, so blame visibly flows back under the forward pass.
"""
from __future__ import annotations

from pathlib import Path

from .datasets import DEFAULT_SPLIT
from .errors import DataError, NodeflowError
from .graph import Graph
from .nodes.forward import activation_type

COL = 210  # canvas units between columns
LAYER = 3 * COL  # a layer takes three columns: parameters, weighted sum, activation
TOP, PARAM_GAP, BACK = 0, 170, 400  # rows: forward, bias under weights, backward


def mlp(layers, activation: str = "sigmoid", *, lr: float = 0.3, data: str = "xor", seed: int = 1,
        split: float | None = None, samples: int = 0, target: str = "auto", init: str = "uniform",
        base_dir: str | Path | None = None) -> Graph:
    """A complete multi-layer perceptron: forward pass, squared error, deltas and SGD updates.

    ``layers`` lists the unit counts from the inputs to the outputs (``[7, 5, 3]``); the
    first must match the data's features and the last its outputs. Weights start from
    ``init`` (uniform [0, 1) by default), drawn from ``seed``.
    """
    layers = [int(n) for n in layers]
    if len(layers) < 2 or min(layers) < 1:
        raise NodeflowError(f"layers must be at least two positive sizes (inputs and outputs), not {layers}")
    act = activation_type(activation)
    if split is None:
        split = DEFAULT_SPLIT.get(data, 0.66)
    g = Graph({"seed": seed, "lr": lr, "data": data, "split": split, "samples": samples, "target": target,
               "network": {"builder": "mlp", "layers": layers, "activation": act.name.lower()}},
              base_dir=base_dir)
    d = g.data()
    n_in, n_out = d.shapes
    if layers[0] != n_in or layers[-1] != n_out:
        raise DataError(f"layers {','.join(map(str, layers))} do not fit {d.name}: it has {n_in} feature"
                        f"{'s' if n_in != 1 else ''} and {n_out} output{'s' if n_out != 1 else ''}, so the first "
                        f"layer must be {n_in} and the last {n_out}")
    L = len(layers) - 1
    add, wire = g.add_node, g.connect
    add("Dataset", "dataset", label="data", pos=(0, TOP + 60))
    x = "dataset.x"
    acts = []
    for l in range(1, L + 1):
        px = COL + (l - 1) * LAYER
        w_init = {"init": init} if init != "uniform" else {}
        add("Weights", f"weights_{l}", label=f"W{l}", pos=(px, TOP),
            params={"shape": [layers[l], layers[l - 1]], **w_init})
        add("Bias", f"bias_{l}", label=f"b{l}", pos=(px, TOP + PARAM_GAP), params={"size": layers[l], **w_init})
        add("WeightedSum", f"weighted_sum_{l}", label=f"sum {l}", pos=(px + COL, TOP + 60))
        a = f"{act.name.lower()}_{l}"
        add(act.name, a, label=f"{act.name.lower()} {l}", pos=(px + 2 * COL, TOP + 60))
        wire(f"weights_{l}.W", f"weighted_sum_{l}.W")
        wire(x, f"weighted_sum_{l}.x")
        wire(f"bias_{l}.b", f"weighted_sum_{l}.b")
        wire(f"weighted_sum_{l}.z", f"{a}.z")
        acts.append((a, x))
        x = f"{a}.y"
    right = COL + L * LAYER
    add("Error", "error", label="error", pos=(right, TOP + 60))
    wire(x, "error.y")
    wire("dataset.target", "error.target")
    add("MeanLoss", "mean_loss", label="mean loss", pos=(right + COL, TOP))
    wire("error.E", "mean_loss.E")
    if d.task == "class":
        add("Accuracy", "train_accuracy", label="train accuracy", pos=(right + COL, TOP + 130))
        wire(x, "train_accuracy.y")
        wire("dataset.target", "train_accuracy.target")
        if len(d.test):
            add("Accuracy", "test_accuracy", label="test accuracy", pos=(right + COL, TOP + 260),
                params={"on": "test"})
            wire(x, "test_accuracy.y")
            wire("dataset.target", "test_accuracy.target")
    for l in range(L, 0, -1):
        px = COL + (l - 1) * LAYER
        a, x_in = acts[l - 1]
        if l == L:
            add("Delta", f"delta_{l}", label=f"delta {l}", pos=(px + 2 * COL, BACK))
            wire("error.grad", f"delta_{l}.grad")
        else:
            add("BackDelta", f"delta_{l}", label=f"delta {l}", pos=(px + 2 * COL, BACK))
            wire(f"weights_{l + 1}.W", f"delta_{l}.W")
            wire(f"delta_{l + 1}.delta", f"delta_{l}.delta_next")
        wire(f"{a}.slope", f"delta_{l}.slope")
        add("WeightUpdate", f"weight_update_{l}", label=f"update W{l}", pos=(px + COL, BACK))
        wire(f"weights_{l}.W", f"weight_update_{l}.W")
        wire(f"delta_{l}.delta", f"weight_update_{l}.delta")
        wire(x_in, f"weight_update_{l}.x")
        add("BiasUpdate", f"bias_update_{l}", label=f"update b{l}", pos=(px + COL, BACK + PARAM_GAP))
        wire(f"bias_{l}.b", f"bias_update_{l}.b")
        wire(f"delta_{l}.delta", f"bias_update_{l}.delta")
    g.history.undo_stack.clear()  # a fresh network starts with nothing to undo
    return g
