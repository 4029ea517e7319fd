"""Gradient checking: the graph's own backprop against a numerical derivative of its loss.

For every parameter node, the gradient its update node computes (the ``grad`` wire)
is compared with a central difference (E(w + h) - E(w - h)) / 2h of the loss, one
weight at a time. The relative error ‖g - ĝ‖ / (‖g‖ + ‖ĝ‖) is under 1e-7 for correct
backprop; a miswired delta gives errors near 1.

An opened update (a group) shows its gradient at the group's grad output. A parameter
written by an Assign of your own has no grad wire: its gradient is read off the step it
is about to take, g = (W - new) / lr, with
the learning rate the graph uses (fitted as the best multiple of ĝ when several rates
are in use). So plain gradient descent wired by hand checks as "ok", and a rule that is
not gradient descent on the loss shows how far it is from it. The loss is what the
MeanLoss nodes are fed (else the Error and CrossEntropy nodes' E).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import NotReady
from .session import Session

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
    """‖a - b‖ / (‖a‖ + ‖b‖), computed on a common scale so that huge gradients do not overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        denom = np.linalg.norm(a) + np.linalg.norm(b)
        if np.isfinite(denom):
            return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)
        scale = max(float(np.abs(a).max()), float(np.abs(b).max()))
        a, b = a / scale, b / scale
        return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


def gradcheck(session: Session, samples: int = 3, h: float = 1e-5) -> list[ParamCheck]:
    """Check every parameter on the first ``samples`` training samples, on a copy of the run."""
    plan = session.plan
    losses = loss_ports(session.graph)
    if not losses:
        raise NotReady("gradient checking needs an Error or CrossEntropy node, or a MeanLoss node fed "
                       "the loss (the loss to differentiate)")
    if not plan.commits:
        raise NotReady("nothing to check: no update node writes into a Weights or Bias node")
    loss_steps = session.steps_leading_to([n for n, _ in losses])
    flat = session.graph.flat()
    run = session.run.copy()
    start = run.smem.copy()
    worst: dict[tuple[str, str], tuple[float, float]] = {}
    for row in range(min(samples, plan.n_train)):
        run.inputs["row"][0] = row
        run.inputs["batch_end"][0] = 1.0
        for s in plan.steps:  # the graph's own gradients, on its grad wires
            session.stepper.call(run, s)
        for c in plan.commits:
            if not flat.type_of(c.parameter).is_parameter:
                continue  # a Register (optimiser state, a counter), not a learned parameter
            own, is_step = _own_gradient(flat, plan, run, c)  # read before the loss is run again
            with np.errstate(over="ignore", invalid="ignore"):
                numeric = _numeric_gradient(run.view(c.param).reshape(-1), run.view(c.param).shape, h,
                                            lambda: _loss(session, run, loss_steps, losses))
            analytic = _from_step(own, numeric, run.learning_rates()) if is_step else own
            if not (np.all(np.isfinite(analytic)) and np.all(np.isfinite(numeric))):
                raise NotReady(f"{c.parameter}: the loss or its gradient is not finite at these weights "
                               f"(sample {row + 1}); there is nothing to compare")
            rel = relative_error(analytic, numeric)
            ab = float(np.abs(analytic - numeric).max())
            old = worst.get((c.parameter, c.update), (0.0, 0.0))
            worst[(c.parameter, c.update)] = (max(old[0], rel), max(old[1], ab))
        run.smem[:] = start  # undo what the update kernels accumulated
    return [ParamCheck(*key, *vals) for key, vals in worst.items()]


def _numeric_gradient(flat: np.ndarray, shape: tuple, h: float, loss) -> np.ndarray:
    """Central differences of ``loss()`` with respect to each element of ``flat`` (changed in place, restored)."""
    numeric = np.zeros(flat.size)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + h
        up = loss()
        flat[k] = keep - h
        down = loss()
        flat[k] = keep
        numeric[k] = (up - down) / (2 * h)
    return numeric.reshape(shape)


def loss_ports(g) -> list[tuple[str, str]]:
    """The ports carrying each sample's loss: what the training MeanLoss nodes are fed (each port once),
    else the losses' E."""
    fed = [(w.src, w.src_port) for n in g.nodes_of_type("MeanLoss")
           if not g.type_of(n).on_test_set(g.params(n)) and (w := g.wire_into(n, "E")) is not None]
    return list(dict.fromkeys(fed)) or [(n, "E") for n in g.nodes_of_type(*LOSS_TYPES)]


def _own_gradient(flat, plan, run, c) -> tuple[np.ndarray, bool]:
    """The graph's own gradient for a commit: (the update's grad wire, False) (an opened update's: its
    group's), or (the step an Assign is about to take, True)."""
    if flat.port(c.update, "grad", "out") is not None:
        return run.value(c.update, "grad").copy(), False
    parts = c.update.split("/")
    for k in range(len(parts) - 1, 0, -1):
        if ("/".join(parts[:k]), "grad") in plan.exposed:
            return run.value("/".join(parts[:k]), "grad").copy(), False
    return run.view(c.new) - run.view(c.param), True


def _from_step(step: np.ndarray, numeric: np.ndarray, rates: list[float]) -> np.ndarray:
    """The gradient a step of gradient descent was taken from: -step / lr (lr fitted when unclear)."""
    if len(rates) == 1 and rates[0] > 0:
        return -step / rates[0]
    fitted = -float(np.vdot(step, numeric)) / max(float(np.vdot(numeric, numeric)), 1e-300)
    return -step / fitted if fitted > 0 else -step


def _loss(session, run, steps, losses) -> float:
    for s in steps:
        session.stepper.call(run, s)
    return float(sum(run.value(n, p).sum() for n, p in losses))
