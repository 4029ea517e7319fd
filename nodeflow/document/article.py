"""The adding-neuron article's training rule, wired from math nodes and Assign.

The article trains one neuron without a bias to add two numbers. Its loop, for each
sample (x the two raw inputs, t their sum, w the two weights), as we read it:

    y    = w · x
    grad = (y − t) · x            the gradient dE/dw of E = ½ (y − t)²
    w    = w − lr · (grad − w)    its "regularised" step

That is gradient descent plus lr·w each step: an L2 term with λ = −1, which pushes the
weights away from zero rather than towards it. WeightUpdate cannot express it (its l2
must be ≥ 0); math nodes and an Assign can. With raw inputs in [0, 100) the gradient
dwarfs the extra term and the weights still settle near 1; with inputs scaled to
[0, 1) it would not.
"""
from __future__ import annotations

from ..errors import EditRefused
from .graph import Graph

RULE = "W - lr * (G - W)"  # the article's step, as an Expression


def article_update(g: Graph, weights: str, delta: str, x: str, lr: str, pos: tuple[float, float] = (0.0, 0.0)) -> str:
    """Wire the article's step for the Weights node ``weights`` from ``delta`` (the neuron's dE/dy),
    its inputs ``x`` and the rate ``lr`` (ports as ``node.port``): G = δ·xᵀ, new = W − lr·(G − W),
    written into W by an Assign at the end of each sample. Returns the Assign's id."""
    px, py = pos
    grad = g.add_node("Outer", f"{weights}_grad", label="G = δ·xᵀ", pos=(px, py))
    new = g.add_node("Expression", f"{weights}_step", label=f"new = {RULE}", pos=(px + 210, py),
                     params={"formula": RULE})
    write = g.add_node("Assign", f"{weights}_write", label=f"{weights} ← new", pos=(px + 420, py))
    for src, dst in ((delta, f"{grad}.a"), (x, f"{grad}.b"), (f"{weights}.W", f"{new}.W"), (f"{grad}.out", f"{new}.G"),
                     (lr, f"{new}.lr"), (f"{weights}.W", f"{write}.target"), (f"{new}.out", f"{write}.value")):
        g.connect(src, dst)
    return write


def use_article_rule(g: Graph, update: str) -> str:
    """Replace the WeightUpdate ``update`` by the article's rule on the same wires (one undoable edit)."""
    if update not in g or g.type_of(update).name != "WeightUpdate":
        raise EditRefused(f"{update!r} is not a WeightUpdate node")
    wires = {p: g.wire_into(update, p) for p in ("W", "delta", "x", "lr")}
    if None in (wires["W"], wires["delta"], wires["x"]):
        raise EditRefused(f"{update} must have its W, delta and x wired")
    lr = f"{wires['lr'].src}.{wires['lr'].src_port}" if wires["lr"] else None
    pos = tuple(g.attrs(update)["pos"])
    with g.group(f"article rule for {wires['W'].src}"):
        g.remove_node(update)
        if lr is None:
            lr = f"{g.add_node('TrainingInfo', pos=(pos[0] - 210, pos[1]))}.lr"
        return article_update(g, wires["W"].src, f"{wires['delta'].src}.{wires['delta'].src_port}",
                              f"{wires['x'].src}.{wires['x'].src_port}", lr, pos=pos)
