"""The README's pictures of the view nodes, drawn headless from the bundled examples after some
training: ``python -m nodeflow.views.gallery assets/`` (each picture doubled in size)."""
from __future__ import annotations

import sys
from pathlib import Path

from ..document.examples import EXAMPLES
from ..run.session import Session
from . import ViewContext, picture
from .draw import upscale
from .images import write_png

# file -> (example, epochs to train first, the view node, or (type, port its y is wired to) to add one)
SHOTS = {
    "view-decision-regions.png": ("circle_regions.json", 200, "decision_regions"),
    "view-hidden-units.png": ("circle_regions.json", 200, "hidden_units"),
    "view-fitted-curve.png": ("curve_fit.json", 300, "fitted_curve"),
    "view-confusion-matrix.png": ("cross_entropy.json", 20, ("ConfusionMatrix", "softmax_2.y")),
    "view-probabilities.png": ("cross_entropy.json", 20, ("Probabilities", "softmax_2.y")),
}


def shot(example: str, epochs: int, node) -> object:
    """The picture of one view node of an example after ``epochs`` epochs (and one more sample)."""
    g = EXAMPLES[example]()
    if not isinstance(node, str):
        type_name, port = node
        node = g.add_node(type_name)
        g.connect(port, f"{node}.y")
        if type_name == "Probabilities":
            g.connect("dataset.target", f"{node}.target")
    s = Session(g)
    s.train(epochs)
    s.step_sample()
    return picture(ViewContext(s, node, g.params(node)), g.type_of(node).name)


def main(folder: str) -> None:
    for name, (example, epochs, node) in SHOTS.items():
        p = shot(example, epochs, node)
        if p.rgb is None:
            raise SystemExit(f"{name}: nothing drawn ({p.note})")
        write_png(Path(folder) / name, upscale(p.rgb, 2))
        print(f"wrote {Path(folder) / name} ({p.rgb.shape[1]}×{p.rgb.shape[0]} drawn, shown at twice that)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "assets")
