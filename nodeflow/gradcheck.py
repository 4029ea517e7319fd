"""Gradient checking: the graph's own backprop against a numerical derivative of its loss.

For every parameter node, the gradient its update node computes (the ``grad`` wire)
is compared with a central difference (E(w + h) - E(w - h)) / 2h of the loss, one
weight at a time. The relative error ‖g - ĝ‖ / (‖g‖ + ‖ĝ‖) is under 1e-7 for correct
backprop; a miswired delta gives errors near 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import NotReady
from .evaluator import Evaluator

GOOD, BAD = 1e-6, 1e-4  # under GOOD: right; over BAD: wrong; between: suspicious
LOSS_TYPES = ("Error", "CrossEntropy")


@dataclass(frozen=True)
class ParamCheck:
    node: str  # the Weights or Bias node
    update: str  # the update node whose grad is checked
    rel_error: float  # the largest over the samples checked
    abs_error: float

    @property
    def verdict(self) -> str:
        return "ok" if self.rel_error < GOOD else "WRONG" if self.rel_error > BAD else "check"


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def gradcheck(ev: Evaluator, samples: int = 3, h: float = 1e-5) -> list[ParamCheck]:
    """Check every parameter on the first ``samples`` training samples; nothing is changed."""
    p = ev.plan
    losses = ev.graph.nodes_of_type(*LOSS_TYPES)
    if not losses:
        raise NotReady("gradient checking needs an Error or CrossEntropy node (the loss to differentiate)")
    loss_steps = ev.steps_leading_to(losses)
    loss_values = [p.value(n, "E") for n in losses]
    saved_mem, saved_smem, saved_rt = p.mem.copy(), p.smem.copy(), {k: v.copy() for k, v in p.runtime.items()}
    worst: dict[str, tuple[float, float]] = {}
    try:
        for row in range(min(samples, len(p.X_train))):
            p.runtime["row"][0] = row
            p.runtime["batch_end"][0] = 1.0
            for s in p.steps:  # the graph's own gradients, on its grad wires
                if s.kernel is not None:
                    s.run(*s.args)
            for _, param, upd, pnode in p.commits:
                analytic = p.value(upd, "grad").copy()
                numeric = np.zeros_like(analytic)
                flat = param.reshape(-1)
                for k in range(flat.size):
                    keep = flat[k]
                    flat[k] = keep + h
                    up = _loss(loss_steps, loss_values)
                    flat[k] = keep - h
                    down = _loss(loss_steps, loss_values)
                    flat[k] = keep
                    numeric.reshape(-1)[k] = (up - down) / (2 * h)
                rel = relative_error(analytic, numeric)
                ab = float(np.abs(analytic - numeric).max())
                key = f"{pnode}\t{upd}"
                old = worst.get(key, (0.0, 0.0))
                worst[key] = (max(old[0], rel), max(old[1], ab))
            p.smem[:] = saved_smem  # undo what the update kernels accumulated
    finally:
        p.mem[:] = saved_mem
        p.smem[:] = saved_smem
        for k, v in saved_rt.items():
            p.runtime[k][:] = v
    return [ParamCheck(*key.split("\t"), *vals) for key, vals in worst.items()]


def _loss(steps, values) -> float:
    for s in steps:
        if s.kernel is not None:
            s.run(*s.args)
    return float(sum(v[()] for v in values))
