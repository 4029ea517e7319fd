"""What view nodes draw, computed headless: one registry for the editor, ``nodeflow shot``
and the tests.

A view is a function ``draw(ctx) -> Picture`` registered for a node type with
``@view("TypeName")``; it reads the node's input values (and, for pictures of what the
network computes, the session) and returns an RGB array. Nothing here imports the GUI.

Types registered with ``reads_run=True`` (``READS_RUN``) picture the whole network (its
decision regions, its fitted curve): they change whenever the run does, not only when
their input wire does, and cost a forward pass over a grid (a few milliseconds), so
whoever draws them should redraw them at most a few times a second while training.
They never change the run: they only read it (``run.probe``; a kernel they need runs on a copy).

    images.py    colour scales, heat maps, weight pictures, write_png
    draw.py      text, markers, lines and plots with axes, into RGB arrays; font.py its letters
    function.py  DecisionRegions, FittedCurve, UnitActivations: the function over the inputs
    charts.py    ConfusionMatrix, Probabilities
    gallery.py   the README's pictures of them
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .images import heat_map, image_shape, unit_images


@dataclass(frozen=True)
class Picture:
    rgb: np.ndarray | None  # (height, width, 3) floats in [0, 1]; None: nothing to draw
    note: str = ""  # why nothing is drawn, or a caption


@dataclass
class ViewContext:
    session: object  # the run.session.Session showing the graph
    node: str
    params: dict
    inputs: dict[str, np.ndarray | None] = field(default_factory=dict)  # input port -> the value on its wire
    probe: object = None  # the run.probe.Probe being shown (an input of the user's own), or None


VIEWS: dict[str, Callable[[ViewContext], Picture]] = {}
READS_RUN: set[str] = set()  # types whose picture follows the run (all weights), not just their input wire


def view(type_name: str, *, reads_run: bool = False):
    """Register ``draw(ctx) -> Picture`` as what nodes of ``type_name`` show."""
    def register(draw):
        VIEWS[type_name] = draw
        if reads_run:
            READS_RUN.add(type_name)
        return draw
    return register


class NoPicture(Exception):
    """Raised by a view with nothing to draw; its message (why) is shown instead."""


def picture(ctx: ViewContext, type_name: str) -> Picture | None:
    """The picture a node of ``type_name`` shows (None: the type has no picture)."""
    draw = VIEWS.get(type_name)
    if draw is None:
        return None
    try:
        return draw(ctx)
    except NoPicture as e:
        return Picture(None, str(e))


NOTHING_WIRED = Picture(None, "wire a value in")


@view("HeatMap")
def _heat_map(ctx: ViewContext) -> Picture:
    v = ctx.inputs.get("value")
    return NOTHING_WIRED if v is None else Picture(heat_map(v, ctx.params["cell"]))


@view("UnitImages")
def _unit_images(ctx: ViewContext) -> Picture:
    v = ctx.inputs.get("W")
    if v is None:
        return NOTHING_WIRED
    if np.ndim(v) == 2 and image_shape(np.shape(v)[1]):
        return Picture(unit_images(v, zoom=ctx.params["zoom"]))
    return Picture(None, f"{np.shape(v)[-1]} inputs are not a square picture")


from . import charts, function  # noqa: E402,F401  (register their views)
