"""How each bundled example in ``graphs/`` is made.

A test rebuilds them all and checks the committed files are exactly these.
(``python -m nodeflow.document.examples graphs`` runs this module.)
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from . import layout
from .builders import add_mlp, mlp
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
    add_mlp(g, [2, 2, 1], prefix="random_", label="random ", init="normal")
    return _two_networks(g)


def _two_networks(g: Graph) -> Graph:
    """Lay out a graph holding two networks; the builder's recipe no longer describes it."""
    g.settings["network"] = None  # two networks: edit them by hand, not by the builder
    layout.apply(g)
    g.history.undo_stack.clear()
    return g


def adam_vs_sgd() -> Graph:
    """The same 2-6-1 circle network twice: SGD (lr 0.5) sits still where Adam (lr 0.02) learns."""
    g = mlp([2, 6, 1], data="circle", lr=0.5, seed=1, init="uniform_sym", prefix="sgd_", label="SGD ")
    add_mlp(g, [2, 6, 1], prefix="adam_", label="Adam ", init="uniform_sym", optimizer="adam", lr=0.02)
    return _two_networks(g)


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
    layout.apply(g)
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
}


def write_all(folder: str | Path) -> None:
    from .files import save

    for name, build in EXAMPLES.items():
        save(build(), Path(folder) / name)


if __name__ == "__main__":
    write_all(sys.argv[1] if len(sys.argv) > 1 else "graphs")
