"""How each bundled example in ``graphs/`` is made.

A test rebuilds them all and checks the committed files are exactly these.
(``python -m nodeflow.document.examples graphs`` runs this module.)
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from ..data.init import rng_for
from .article import article_update
from .builders import COL, NET_HEIGHT, add_mlp, mlp
from .expand import expand, expandable
from .graph import Graph


def xor() -> Graph:
    """2-2-1 sigmoid on the four XOR cases; classifies all four after 338 epochs."""
    return mlp([2, 2, 1], data="xor", lr=1.0, seed=3)


def adding_neuron() -> Graph:
    """One identity neuron with two inputs learns to add: its weights go to 1 and 1, its bias to 0."""
    return mlp([2, 1], "identity", data="adding", samples=200, lr=0.1)


def apples_oranges() -> Graph:
    """One sigmoid neuron draws the line between apples and oranges."""
    return mlp([2, 1], data="apples-oranges", samples=200, lr=0.5)


def symmetry() -> Graph:
    """Two XOR networks: all weights zero (the hidden units stay identical forever) above random ones
    (normal, σ = 1), which classify all four cases after 162 epochs."""
    g = mlp([2, 2, 1], data="xor", lr=1.0, seed=1, init="zeros", prefix="zero_", label="zero ")
    add_mlp(g, [2, 2, 1], prefix="random_", label="random ", origin=(0, NET_HEIGHT), init="normal")
    g.settings["network"] = None  # two networks: edit them by hand, not by the builder
    return g


def adam_vs_sgd() -> Graph:
    """The same 2-6-1 circle network twice: SGD (lr 0.5) sits still where Adam (lr 0.02) learns."""
    g = mlp([2, 6, 1], data="circle", lr=0.5, seed=1, init="uniform_sym", prefix="sgd_", label="SGD ")
    add_mlp(g, [2, 6, 1], prefix="adam_", label="Adam ", origin=(0, NET_HEIGHT), init="uniform_sym",
            optimizer="adam", lr=0.02)
    g.settings["network"] = None
    return g


def cross_entropy() -> Graph:
    """A softmax classifier of three spiral arms trained on cross-entropy (δ = y − t at the output)."""
    return mlp([2, 10, 3], "tanh", data="spiral", lr=0.1, seed=1, loss="cross_entropy", init="xavier")


def digits() -> Graph:
    """64-25-10 on the 8×8 handwritten digits; the pictures show what each hidden unit looks for.

    Needs scikit-learn (``pip install 'nodeflow[digits]'``). Small initial weights (normal,
    σ = 0.1) keep the unused border pixels pale, so the learned strokes stand out.
    """
    g = mlp([64, 25, 10], data="digits", lr=0.3, seed=1, init="normal", scale=0.1)
    g.add_node("UnitImages", "hidden_pictures", label="hidden units", pos=(210, -330))
    g.connect("weights_1.W", "hidden_pictures.W")
    g.history.undo_stack.clear()
    return g


def xor_opened() -> Graph:
    """The packaged XOR (top) next to the same network, from the same starting weights, with every
    node that has a primitive form opened into math nodes (bottom): both train to the same numbers."""
    g = mlp([2, 2, 1], data="xor", lr=1.0, seed=3)
    add_mlp(g, [2, 2, 1], prefix="opened_", label="opened ", origin=(0, NET_HEIGHT))
    for n in ("weights_1", "bias_1", "weights_2", "bias_2"):
        g.state(f"opened_{n}")["value"][...] = g.state(n)["value"]
    for n in [n for n in g.node_ids if n.startswith("opened_") and expandable(g, n)]:
        expand(g, n)
    g.settings["network"] = None
    g.history.undo_stack.clear()
    return g


def adding_neuron_article() -> Graph:
    """The adding-neuron article's neuron and its training rule, wired from math nodes.

    No bias; raw inputs in [0, 100) (the adding set times 100, and its sums too); weights
    starting in [0, 2); lr = 1 / (2·100000·(epoch + 1)) from a LearningRate node; and the
    article's step w ← w − lr·(grad − w) written by an Assign, with no WeightUpdate node
    (see ``article``)."""
    g = Graph({"seed": 1, "data": "adding", "samples": 200, "split": 0.66})
    g.add_node("Dataset", "dataset", label="data", pos=(0, 60))
    for n, port, y in (("x_raw", "x", 0), ("t_raw", "target", 170)):
        g.add_node("Scale", n, label=f"{port} × 100", pos=(COL, y), params={"k": 100.0})
        g.connect(f"dataset.{port}", f"{n}.a")
    g.add_node("Weights", "weights_1", label="w", pos=(COL, -170), params={"shape": [1, 2], "scale": 2.0})
    g.state("weights_1")["value"][...] = 2.0 * rng_for(1, "weights_1").random((1, 2))  # U[0, scale) as the article draws
    g.add_node("MatVec", "neuron", label="y = w·x", pos=(2 * COL, 0))
    g.add_node("Error", "error", pos=(3 * COL, 60))
    g.add_node("MeanLoss", "mean_loss", label="mean loss", pos=(4 * COL, 0))
    g.add_node("LearningRate", "learning_rate", label="lr = 1/(200000·(epoch+1))", pos=(2 * COL, 400),
               params={"rate": 1.0, "schedule": "inverse", "b": 200000.0})
    for a, b in (("weights_1.W", "neuron.W"), ("x_raw.out", "neuron.x"), ("neuron.out", "error.y"),
                 ("t_raw.out", "error.target"), ("error.E", "mean_loss.E")):
        g.connect(a, b)
    article_update(g, "weights_1", "error.grad", "x_raw.out", "learning_rate.lr", pos=(3 * COL, 400))
    g.history.undo_stack.clear()
    return g


EXAMPLES: dict[str, Callable[[], Graph]] = {
    "xor.json": xor,
    "adding_neuron.json": adding_neuron,
    "apples_oranges.json": apples_oranges,
    "symmetry.json": symmetry,
    "adam_vs_sgd.json": adam_vs_sgd,
    "cross_entropy.json": cross_entropy,
    "digits.json": digits,
    "xor_opened.json": xor_opened,
    "adding_neuron_article.json": adding_neuron_article,
}


def write_all(folder: str | Path) -> None:
    from .files import save

    for name, build in EXAMPLES.items():
        save(build(), Path(folder) / name)


if __name__ == "__main__":
    write_all(sys.argv[1] if len(sys.argv) > 1 else "graphs")
