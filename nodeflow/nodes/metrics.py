"""Measuring how learning goes: per-epoch mean loss, accuracy and how saturated a layer is."""
from __future__ import annotations

from .explain import Line
from .kernel import kernel
from .base import NodeType, Param, Port


@kernel
def mean_loss(E, running, loss):
    """running = [sum, count]; loss = sum / count (this epoch so far)"""
    running[0] += E[0]
    running[1] += 1.0
    loss[0] = running[0] / running[1]


@kernel
def accuracy_argmax(y, target, running, acc):
    """correct when the largest output is the target's class"""
    best = 0
    want = 0
    for i in range(y.shape[0]):
        if y[i] > y[best]:
            best = i
        if target[i] > target[want]:
            want = i
    if best == want:
        running[0] += 1.0
    running[1] += 1.0
    acc[0] = running[0] / running[1]


@kernel
def accuracy_threshold(y, target, running, acc):
    """one output: correct when y and target fall on the same side of 0.5"""
    if (y[0] >= 0.5) == (target[0] >= 0.5):
        running[0] += 1.0
    running[1] += 1.0
    acc[0] = running[0] / running[1]


@kernel
def accuracy_tolerance(y, target, running, acc, tol, offset, scale):
    """correct when every output is within tol·|target| of the target, both in raw units (v·scale + offset)"""
    ok = True
    for i in range(y.shape[0]):
        t = target[i] * scale + offset
        if abs(y[i] * scale + offset - t) > tol * abs(t):
            ok = False
    if ok:
        running[0] += 1.0
    running[1] += 1.0
    acc[0] = running[0] / running[1]


SATURATED_SLOPE = 0.01  # a sigmoid slope below this barely passes any blame back (|z| > 4.6)


@kernel
def saturated_share(slope, running, share):
    """share = slopes below SATURATED_SLOPE / slopes seen, this epoch so far"""
    for i in range(slope.shape[0]):
        if slope[i] < SATURATED_SLOPE:
            running[0] += 1.0
    running[1] += slope.shape[0]
    share[0] = running[0] / running[1]


RUNNING = (Port("running", (2,), "running totals of this epoch"),)
ON = Param("on", "train", "choice", "which samples to count", choices=("train", "test"))


def running_ratio(out: str, what: str):
    """``worked`` of a metric: its output as the ratio of its running totals."""
    def worked(cls, params, settings, v, at):
        if not v.get("running", (1,)):
            return [Line(out, "nothing counted yet this epoch")]
        return [Line(out, what, v.n("running", (0,)) / v.n("running", (1,)), v.get(out))]
    return classmethod(worked)


class MeanLoss(NodeType):
    """The mean error over the samples of this epoch so far.

    ``on: test`` is measured on the test set at the end of every epoch (wire it to an Error
    node: the test pass runs the error, never a delta or an update).
    """

    name = "MeanLoss"
    family = "metrics"
    phase = "passive"
    params = (ON,)
    inputs = (Port("E", (), "the error of each sample"),)
    outputs = (Port("loss", (), "mean error this epoch"),)
    state = RUNNING
    formula = ("loss = (Σ E over this epoch's samples so far) / their number",)
    resets_each_epoch = True
    is_metric = True

    worked = running_ratio("loss", "ΣE / samples")

    @classmethod
    def metric_kind(cls, params):
        return "test_loss" if params["on"] == "test" else "loss"

    @classmethod
    def on_test_set(cls, params):
        return params["on"] == "test"

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return mean_loss


class Accuracy(NodeType):
    """Share of samples right: the right class (argmax for several outputs, threshold 0.5 for one),
    or, with ``rule: tolerance``, numbers within the settings' relative tolerance of the target,
    in the target's own units (0.0001: ±0.01 %).

    ``on: train`` counts the training samples as they pass (before their update);
    ``on: test`` is measured on the test set at the end of every epoch.
    """

    name = "Accuracy"
    family = "metrics"
    phase = "passive"
    params = (ON, Param("rule", "class", "choice", "class: the right class; tolerance: a number close enough",
                        choices=("class", "tolerance")))
    inputs = (Port("y", ("n",), "the network's output"), Port("target", ("n",), "the wanted output"))
    outputs = (Port("acc", (), "fraction right"),)
    state = RUNNING
    formula = ("acc = samples right / samples counted this epoch",
               "right: with one output, y and target on the same side of 0.5; with several, the largest y is "
               "the target's class")
    resets_each_epoch = True
    is_metric = True

    worked = running_ratio("acc", "right / counted")

    @classmethod
    def metric_kind(cls, params):
        return "test_acc" if params["on"] == "test" else "train_acc"

    @classmethod
    def kernel_for(cls, in_shapes, params):
        if params["rule"] == "tolerance":
            return accuracy_tolerance
        y = in_shapes.get("y")
        return accuracy_threshold if y is not None and y[0] == 1 else accuracy_argmax

    @classmethod
    def consts(cls, params, settings):
        """tolerance, and the target's scaling (its first column: numeric targets are one column)."""
        if params["rule"] != "tolerance":
            return ()
        target = (settings.get("encoding") or {}).get("target") or {"offset": [0.0], "scale": [1.0]}
        return (settings["tolerance"], target["offset"][0], target["scale"][0])


class Saturation(NodeType):
    """Share of a sigmoid layer's slopes below 0.01 this epoch: near 1, the layer is saturated.

    A saturated unit's slope y(1 − y) is almost 0, so almost no blame passes through it and
    its weights barely move; too large initial weights or raw, unscaled inputs cause it.
    """

    name = "Saturation"
    family = "metrics"
    phase = "passive"
    inputs = (Port("slope", ("n",), "a sigmoid's slope dy/dz"),)
    outputs = (Port("share", (), "share of slopes below 0.01 this epoch"),)
    state = RUNNING
    resets_each_epoch = True
    is_metric = True
    formula = ("share = slopes below 0.01 / slopes counted this epoch",)

    @classmethod
    def metric_kind(cls, params):
        return "saturation"

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return saturated_share
