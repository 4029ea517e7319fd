"""View nodes' pictures on the canvas (what ``nodeflow.views`` draws), redrawn only when needed.

A picture is redrawn when what it shows changes: the values on its input wires, its
parameters and the probe; a picture of the whole network (``READS_RUN``: decision regions,
the fitted curve, the units over the input plane, confusion matrices) also whenever the run
changes (every step changes the weights). The caller limits how often pictures are drawn
while training; a node out of view waits until it comes into view. So the pictures follow
the network as it learns without slowing training down.
"""
from __future__ import annotations

import time

import numpy as np

from ...views import READS_RUN, ViewContext, picture
from . import geometry


class ViewPictures:
    """What each view node's picture shows, and drawing it when that changes."""

    def __init__(self, canvas):
        self.c = canvas
        self.drawn: dict[str, tuple] = {}  # node -> (its NodeItem, what its picture shows)
        self.waiting: set[str] = set()  # out of date but out of view: drawn when they come into view
        self.seconds = 0.0  # time spent drawing pictures (measured)
        self.count = 0  # pictures drawn

    @staticmethod
    def what(type_name: str, inputs: dict, params: dict, run, probe) -> tuple:
        """What a picture depends on: its inputs' values, its parameters, the probe's input and, for a
        picture of the whole network, the run (its identity and version)."""
        values = tuple((p, None if v is None else (v.shape, v.tobytes())) for p, v in inputs.items())
        asked = None if probe is None else probe.raw_input.tobytes()
        state = (id(run), getattr(run, "version", None)) if type_name in READS_RUN else None
        return values, tuple(params.items()), asked, state

    def show(self, node: str, item, type_name: str, inputs: dict[str, np.ndarray | None], run, probe,
             allowed: bool) -> bool:
        """Bring ``node``'s picture up to date if it is in view; False when it is out of date but not
        ``allowed`` now (the caller tries again later)."""
        params = self.c.graph.params(node)
        what = self.what(type_name, inputs, params, run, probe)
        seen = self.drawn.get(node)
        if seen is not None and seen[0] is item and seen[1] == what:
            self.waiting.discard(node)
            return True
        if not geometry.overlaps(item.rect(), self.c.in_view()):
            self.waiting.add(node)
            return True
        if not allowed:
            return False
        self.waiting.discard(node)
        self.drawn[node] = (item, what)
        start = time.perf_counter()
        shown = picture(ViewContext(self.c.ctrl.session, node, params, inputs, probe), type_name)
        item.show_note("" if shown.rgb is not None else shown.note)
        item.picture.show(shown.rgb)
        self.seconds += time.perf_counter() - start
        self.count += 1
        return True

    def in_view_now(self, box) -> bool:
        """True when a picture waiting for its node to come into view can now be drawn."""
        nodes = self.c.nodes
        return any(n in nodes and geometry.overlaps(nodes[n].rect(), box) for n in self.waiting)
