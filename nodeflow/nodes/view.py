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


# -- pictures of what the network computes (drawn from the run, never changing it; see nodeflow.views) --

Y = Port("y", ("n",), "a layer's output: wire the network's output (or, for UnitActivations, a hidden layer)")
SIZE = Param("size", 240, "int", "pixels per side of the plot", lo=40, hi=600)


class DecisionRegions(NodeType):
    """The classes the network gives every point of the input plane (2 inputs), as coloured regions;
    training points (discs) and test points (squares) on top, in the data's own units.

    Wire the network's output into ``y``; the picture follows the weights as they learn.
    """

    name = "DecisionRegions"
    family = "view"
    phase = "passive"
    params = (SIZE, Param("points", True, "bool", "draw the data points"))
    picture_area = (296.0, 284.0)  # the plot of the default size with its axes
    formula = ("the class of every point of the input plane: y = network(x1, x2) on a grid (computes nothing)",)
    inputs = (Y,)


class FittedCurve(NodeType):
    """The network's output against its one input, in the data's own units, over the data points
    (training discs, test squares): the curve a regression network has fitted."""

    name = "FittedCurve"
    family = "view"
    phase = "passive"
    params = (SIZE, Param("points", True, "bool", "draw the data points"))
    picture_area = (296.0, 284.0)
    formula = ("y = network(x) along the input's range, over the data (computes nothing)",)
    inputs = (Y,)


class UnitActivations(NodeType):
    """Each unit's activation over the input plane (2 inputs) as a small picture, as TensorFlow
    Playground draws its neurons: wire a hidden layer's ``y`` in."""

    name = "UnitActivations"
    family = "view"
    phase = "passive"
    params = (Param("tile", 56, "int", "pixels per side of each unit's picture", lo=12, hi=200),)
    picture_area = (192.0, 154.0)  # six units of the default tile, three a row
    formula = ("each unit's y over the input plane, on a grid (computes nothing)",)
    inputs = (Y,)


class ConfusionMatrix(NodeType):
    """How often each true class (rows) is taken for each class (columns), on the training and the
    test set, from the network now: wire its output into ``y``."""

    name = "ConfusionMatrix"
    family = "view"
    phase = "passive"
    params = (Param("cell", 26, "int", "pixels per cell", lo=12, hi=80),)
    picture_area = (286.0, 110.0)  # three classes, train and test, at the default cell
    formula = ("cell [i, j] = samples of class i the network takes for class j (computes nothing)",)
    inputs = (Y,)


class Probabilities(NodeType):
    """The output for the sample on the wire as a bar per class, with the class names; the class it
    picks is blue, and the target's class (when ``target`` is wired) is marked."""

    name = "Probabilities"
    family = "view"
    phase = "passive"
    params = (Param("width", 120, "int", "pixels of a full bar", lo=30, hi=400),)
    picture_area = (224.0, 52.0)  # three classes
    formula = ("one bar per class: y[i] (computes nothing)",)
    inputs = (Port("y", ("n",), "the network's output"),
              Port("target", ("n",), "the wanted output (marks the true class)", optional=True))
