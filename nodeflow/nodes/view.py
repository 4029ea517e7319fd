"""Viewers: nodes that only show what is wired into them (the editor draws them)."""
from __future__ import annotations

from .base import ANY, NodeType, Param, Port


class Watch(NodeType):
    """Shows whatever value is wired into it."""

    name = "Watch"
    family = "view"
    phase = "passive"
    inputs = (Port("value", ANY, "any value"),)
    formula = ("shows the value wired in (computes nothing)",)


class HeatMap(NodeType):
    """Draws any vector or matrix as coloured cells: orange negative, blue positive."""

    name = "HeatMap"
    family = "view"
    phase = "passive"
    params = (Param("cell", 10, "int", "pixels per cell", lo=2, hi=40),)
    inputs = (Port("value", ANY, "a vector or matrix"),)
    formula = ("draws the value wired in, one cell per number (computes nothing)",)


class UnitImages(NodeType):
    """Draws each unit's incoming weights (a row of W) as a small picture, when the inputs are one.

    Wire a hidden layer's weights in: with 8×8 or 20×20 images as inputs, each unit's
    picture shows the strokes it looks for.
    """

    name = "UnitImages"
    family = "view"
    phase = "passive"
    params = (Param("zoom", 5, "int", "screen pixels per image pixel", lo=1, hi=20),)
    inputs = (Port("W", ("units", "pixels"), "a weight matrix whose inputs are image pixels"),)
    formula = ("draws row i of W as unit i's picture (computes nothing)",)
