"""Measuring how learning goes: per-epoch mean loss and accuracy."""
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


RUNNING = (Port("running", (2,), "running totals of this epoch"),)


def running_ratio(out: str, what: str):
    """``worked`` of a metric: its output as the ratio of its running totals."""
    def worked(cls, params, settings, v, at):
        if not v.get("running", (1,)):
            return [Line(out, "nothing counted yet this epoch")]
        return [Line(out, what, v.n("running", (0,)) / v.n("running", (1,)), v.get(out))]
    return classmethod(worked)


class MeanLoss(NodeType):
    """The mean error over the samples of this epoch so far."""

    name = "MeanLoss"
    family = "metrics"
    phase = "passive"
    inputs = (Port("E", (), "the error of each sample"),)
    outputs = (Port("loss", (), "mean error this epoch"),)
    state = RUNNING
    formula = ("loss = (Σ E over this epoch's samples so far) / their number",)
    resets_each_epoch = True
    is_metric = True

    worked = running_ratio("loss", "ΣE / samples")

    @classmethod
    def metric_kind(cls, params):
        return "loss"

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return mean_loss


class Accuracy(NodeType):
    """Share of samples classified right (argmax for several outputs, threshold 0.5 for one).

    ``on: train`` counts the training samples as they pass (before their update);
    ``on: test`` is measured on the test set at the end of every epoch.
    """

    name = "Accuracy"
    family = "metrics"
    phase = "passive"
    params = (Param("on", "train", "choice", "which samples to count", choices=("train", "test")),)
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
        y = in_shapes.get("y")
        return accuracy_threshold if y is not None and y[0] == 1 else accuracy_argmax
