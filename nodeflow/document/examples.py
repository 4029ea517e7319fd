"""How each bundled example in ``graphs/`` is made.

A test rebuilds them all and checks the committed files are exactly these.
(``python -m nodeflow.document.examples graphs`` runs this module.)
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from . import layout
from .article import use_article_rule
from .builders import add_mlp, mlp
from .expand import expand, expandable
from .graph import Graph


def xor() -> Graph:
    """2-2-1 sigmoid on the four XOR cases; classifies all four after 338 epochs.

    Weights from U[0, 1) as in the from-scratch tutorials (``init="uniform"``)."""
    return mlp([2, 2, 1], data="xor", lr=1.0, seed=3, init="uniform")


def adding_neuron() -> Graph:
    """One identity neuron with two inputs learns to add: its weights go to 1 and 1, its bias to 0.

    Raw numbers in [0, 1) (``data_scale="none"``), weights from U[0, 1) (``init="uniform"``)."""
    return mlp([2, 1], "identity", data="adding", samples=200, lr=0.1, data_scale="none", init="uniform")


def apples_oranges() -> Graph:
    """One sigmoid neuron draws the line between apples and oranges (weights from U[0, 1))."""
    return mlp([2, 1], data="apples-oranges", samples=200, lr=0.5, init="uniform")


def symmetry() -> Graph:
    """Two XOR networks: all weights zero (the hidden units stay identical forever) above random ones
    (normal, σ = 1), which classify all four cases after 162 epochs."""
    g = mlp([2, 2, 1], data="xor", lr=1.0, seed=1, init="zeros", prefix="zero_", label="zero ")
    add_mlp(g, [2, 2, 1], prefix="random_", label="random ", init="normal")
    return _finished(g, hand_made=True)


def _finished(g: Graph, hand_made: bool = False) -> Graph:
    """Lay the graph out (Tidy) with nothing to undo; ``hand_made``: the builder's recipe no longer
    describes it (two networks, nodes added), so it is edited by hand."""
    if hand_made:
        g.settings["network"] = None
    layout.apply(g)
    g.history.undo_stack.clear()
    return g


def adam_vs_sgd() -> Graph:
    """The same 2-6-1 circle network twice: SGD (lr 0.5) sits still where Adam (lr 0.02) learns."""
    g = mlp([2, 6, 1], data="circle", lr=0.5, seed=1, init="uniform_sym", prefix="sgd_", label="SGD ")
    add_mlp(g, [2, 6, 1], prefix="adam_", label="Adam ", init="uniform_sym", optimizer="adam", lr=0.02)
    return _finished(g, hand_made=True)


def cross_entropy() -> Graph:
    """A softmax classifier of three spiral arms trained on cross-entropy (δ = y − t at the output)."""
    return mlp([2, 10, 3], "tanh", data="spiral", lr=0.1, seed=1, loss="cross_entropy", init="xavier")


def digits() -> Graph:
    """64-25-10 on the 8×8 handwritten digits; the pictures show what each hidden unit looks for.

    Needs scikit-learn (``pip install 'nodeflow[digits]'``). Small initial weights (normal,
    σ = 0.1) keep the unused border pixels pale, so the learned strokes stand out.
    """
    g = mlp([64, 25, 10], data="digits", lr=0.3, seed=1, init="normal", scale=0.1)
    g.add_node("UnitImages", "hidden_pictures", label="hidden units")
    g.connect("weights_1.W", "hidden_pictures.W")
    return _finished(g)


def _views(g: Graph, views: list[tuple[str, str, str]]) -> Graph:
    """Add view nodes: (type, id, the port wired into its ``y``)."""
    for type_name, node, port in views:
        g.add_node(type_name, node, label=node.replace("_", " "))
        g.connect(port, f"{node}.y")
    return g


def xor_opened() -> Graph:
    """The packaged XOR (top) next to the same network, from the same starting weights, with every
    node that has a primitive form opened into math nodes (bottom): both train to the same numbers."""
    g = mlp([2, 2, 1], data="xor", lr=1.0, seed=3)
    add_mlp(g, [2, 2, 1], prefix="opened_", label="opened ")
    for n in ("weights_1", "bias_1", "weights_2", "bias_2"):
        g.state(f"opened_{n}")["value"][...] = g.state(n)["value"]
    layout.apply(g)  # the opened nodes take the places of the ones they replace
    for n in [n for n in g.node_ids if n.startswith("opened_") and expandable(g, n)]:
        expand(g, n)
    return _finished(g, hand_made=True)


def circle_regions() -> Graph:
    """2-6-1 sigmoid network on the circle, drawn as TensorFlow Playground draws it: the decision
    regions over the input plane with the training and test points, each hidden unit's activation
    over the plane, the confusion matrices and the current sample's class probabilities.

    The default initialisation (xavier, scaled by fan-in) and plain SGD at lr 1.0."""
    g = mlp([2, 6, 1], data="circle", lr=1.0, seed=2)
    _views(g, [("UnitActivations", "hidden_units", "sigmoid_1.y"), ("DecisionRegions", "decision_regions", "sigmoid_2.y"),
               ("ConfusionMatrix", "confusion", "sigmoid_2.y"), ("Probabilities", "probabilities", "sigmoid_2.y")])
    g.connect("dataset.target", "probabilities.target")
    return _finished(g)


def curve_fit() -> Graph:
    """1-10-1 network (sigmoid hidden units, a linear output) fits a noisy cubic: the fitted curve
    over the training and test points, in the data's own units. Adam, lr 0.02, mini-batches of 4;
    the input and the target are standardised for the network (mean 0, deviation 1: centred inputs
    learn the cubic's bends sooner than [0, 1] ones) and unscaled for the picture; an output counts
    as right within ±10 % of its target."""
    g = mlp([1, 10, 1], data="polynomial", lr=0.02, seed=1, output="identity", optimizer="adam", tolerance=0.1,
            batch_size=4, data_scale="standard")
    return _finished(_views(g, [("FittedCurve", "fitted_curve", "identity_2.y")]))


ARTICLE = dict(init="uniform", scale=2.0, bias=False, schedule="inverse")  # the adding-neuron article's set-up


def adding_neuron_setup(**network) -> Graph:
    """The adding neuron as the article sets it up, trained by plain gradient descent: two weights
    and no bias, raw numbers drawn from [0, 100) (no scaling), weights from [0, 2)
    (``init="uniform"``, scale 2), the rate 1 / (2·100000·(epoch + 1)) from a LearningRate node
    (inverse schedule, a = 1, b = 200000), and an output counting as right within ±0.01 % of
    the sum. Every test sum is within ±0.01 % from epoch 8."""
    g = mlp([2, 1], "identity", data="adding-100", lr=1.0, seed=1, data_scale="none", tolerance=1e-4,
            **ARTICLE, **network)
    g.set_param(network.get("prefix", "") + "learning_rate", "b", 200000.0)
    g.history.undo_stack.clear()
    return g


def adding_neuron_article() -> Graph:
    """The article's set-up twice, from the same starting weights: above, plain gradient descent
    (``adding_neuron_setup``); below, the article's own step w ← w − lr·(grad − w), wired from math
    nodes and an Assign instead of a WeightUpdate (see ``article``)."""
    g = adding_neuron_setup(prefix="gd_", label="gradient descent: ")
    add_mlp(g, [2, 1], "identity", prefix="article_", label="article: ", **ARTICLE)
    g.set_param("article_learning_rate", "b", 200000.0)
    start = adding_neuron_setup().state("weights_1")["value"]
    for n in ("gd_weights_1", "article_weights_1"):
        g.state(n)["value"][...] = start
    use_article_rule(g, "article_weight_update_1")
    return _finished(g, hand_made=True)


EXAMPLES: dict[str, Callable[[], Graph]] = {
    "xor.json": xor,
    "adding_neuron.json": adding_neuron,
    "apples_oranges.json": apples_oranges,
    "symmetry.json": symmetry,
    "adam_vs_sgd.json": adam_vs_sgd,
    "cross_entropy.json": cross_entropy,
    "digits.json": digits,
    "circle_regions.json": circle_regions,
    "curve_fit.json": curve_fit,
    "xor_opened.json": xor_opened,
    "adding_neuron_article.json": adding_neuron_article,
}


def write_all(folder: str | Path) -> None:
    from .files import save

    for name, build in EXAMPLES.items():
        save(build(), Path(folder) / name)


if __name__ == "__main__":
    write_all(sys.argv[1] if len(sys.argv) > 1 else "graphs")
