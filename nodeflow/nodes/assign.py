"""Your own update rules: Register holds a value between samples, Assign writes one.

An Assign node is a sink like the update nodes: when the sample step ends, the value
wired into it is written into the register wired to its ``target`` (a Weights, Bias or
Register node), so the graph stays a DAG. Any update rule (momentum, a regulariser of
your own, gradient clipping) can be wired from math nodes and Assign. TrainingInfo
brings the run's own numbers onto wires: the epoch, whether this sample ends a
mini-batch, and the settings' learning rate.
"""
from __future__ import annotations

import numpy as np

from .base import ANY, NodeType, Param, Port, ShapeError, fmt_shape, known
from .kernel import kernel


class Register(NodeType):
    """Holds a value between samples (a velocity, a counter, a running sum); Assign writes it."""

    name = "Register"
    family = "parameters"
    phase = "forward"
    params = (Param("shape", [1], "ints", "its size, e.g. [1] for one number or [2, 3]"),
              Param("fill", 0.0, "float", "the value it starts with (and returns to on Reset weights)"))
    outputs = (Port("out", ANY, "the value it holds"),)
    state = (Port("value", ANY, "the value, kept between samples"),)
    saved_state = ("value",)
    alias = {"out": "value"}
    writable = True
    formula = ("out: the value it holds, kept between samples",
               "at the end of each sample value ← what an Assign wired to it was given")

    @classmethod
    def source_shapes(cls, params, ctx):
        return {"out": tuple(params["shape"])}

    @classmethod
    def state_shapes(cls, params, dims):
        return {"value": tuple(params["shape"])}

    @classmethod
    def init_state(cls, node_id, params, shapes, seed):
        return {"value": np.full(tuple(params["shape"]), float(params["fill"]))}


class Assign(NodeType):
    """At the end of each sample step, target's register takes the value (like an update's new)."""

    name = "Assign"
    family = "update"
    phase = "update"
    inputs = (Port("target", ANY, "the register to write: wire a Weights' W, a Bias' b or a Register's out"),
              Port("value", ANY, "its next value, shaped like it"))
    commits = (("value", "target"),)
    commit_target = "a Weights, Bias or Register node"
    formula = ("at the end of each sample: target ← value (as an update writes its new)",)

    @classmethod
    def output_shapes(cls, arriving, params, ctx):
        target, value = arriving.get("target"), arriving.get("value")
        if known(target) and known(value) and tuple(target) != tuple(value):
            raise ShapeError(f"value {fmt_shape(value)} does not fit target {fmt_shape(target)}")
        return {}


@kernel
def training_info(epoch, batch_end, base_lr, epoch_now, end_now, lr_now):
    """epoch_now = the epoch (from 0); end_now = 1 at the last sample of a mini-batch; lr_now = the settings' rate"""
    epoch_now[0] = epoch[0]
    end_now[0] = batch_end[0]
    lr_now[0] = base_lr[0]


class TrainingInfo(NodeType):
    """Where training is, on wires: the epoch, the end of a mini-batch, the settings' learning rate."""

    name = "TrainingInfo"
    family = "update"
    phase = "forward"
    runtime = ("epoch", "batch_end", "base_lr")
    formula = ("epoch = epochs done so far", "batch_end = 1 at a mini-batch's last sample, else 0",
               "lr = the settings' learning rate")
    outputs = (Port("epoch", (), "the epoch, counted from 0"),
               Port("batch_end", (), "1 when this sample ends a mini-batch (every sample at batch size 1), else 0"),
               Port("lr", (), "the learning rate in the settings"))

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return training_info
