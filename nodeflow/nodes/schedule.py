"""The learning rate as a node: a schedule over epochs whose current rate shows on a wire."""
from __future__ import annotations

import math

from .explain import Line, call
from .kernel import kernel
from .base import NodeType, Param, Port

SCHEDULES = ("constant", "inverse", "step", "exponential")


@kernel
def scheduled_rate(epoch, base_lr, lr, rate, kind, b, drop, every, decay):
    """a = the node's rate (the settings' when 0), e = epoch from 0:
    constant a; inverse a / (b·(e+1)); step a·drop^floor(e/every); exponential a·exp(-decay·e)"""
    a = rate if rate > 0.0 else base_lr[0]
    e = epoch[0]
    if kind == 0.0:
        lr[0] = a
    elif kind == 1.0:
        lr[0] = a / (b * (e + 1.0))
    elif kind == 2.0:
        lr[0] = a * drop ** math.floor(e / every)
    else:
        lr[0] = a * math.exp(-decay * e)


class LearningRate(NodeType):
    """The learning rate this epoch, from a rate a and a schedule; wire it into updates' lr.

    The rate a is the node's ``rate``, or the settings' learning rate when that is 0.
    """

    name = "LearningRate"
    family = "update"
    phase = "forward"
    runtime = ("epoch", "base_lr")
    params = (
        Param("rate", 0.0, "float", "a, the starting rate (0: the settings' learning rate)", lo=0.0),
        Param("schedule", "constant", "choice", "how the rate changes with the epoch", choices=SCHEDULES),
        Param("b", 1.0, "float", "inverse: rate = a / (b·(epoch+1))", lo=1e-12),
        Param("drop", 0.5, "float", "step: multiply the rate by this every few epochs", lo=0.0),
        Param("every", 10, "int", "step: epochs between drops", lo=1),
        Param("decay", 0.01, "float", "exponential: rate = a·exp(-decay·epoch)", lo=0.0),
    )
    outputs = (Port("lr", (), "the learning rate now"),)

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return scheduled_rate

    @classmethod
    def consts(cls, params, settings):
        return (params["rate"], float(SCHEDULES.index(params["schedule"])), params["b"], params["drop"], float(params["every"]),
                params["decay"])

    RULES = {"constant": "a", "inverse": "a / (b·(e + 1))", "step": "a·drop^floor(e / every)",
             "exponential": "a·e^(−decay·e)"}

    @classmethod
    def formulas(cls, params, settings):
        a = f"{params['rate']:g}" if params["rate"] > 0 else f"the settings' rate, {settings.get('lr', 0):g}"
        return [f"lr = {cls.RULES[params['schedule']]}   (e: the epoch, from 0)", f"a = {a}"]

    @classmethod
    def worked(cls, params, settings, v, at):
        p = params
        a = v.num(p["rate"] if p["rate"] > 0 else v.get("base_lr", (0,)))
        e = v.n("epoch", (0,))
        expr = {"constant": lambda: a, "inverse": lambda: a / (v.num(p["b"]) * (e + 1)),
                "step": lambda: a * v.num(p["drop"]) ** call("floor", e / v.num(p["every"])),
                "exponential": lambda: a * call("exp", -(v.num(p["decay"]) * e))}[p["schedule"]]()
        return [Line("lr", cls.RULES[p["schedule"]], expr, v.get("lr"))]
