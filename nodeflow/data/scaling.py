"""How raw data becomes what the network sees, and back: per-column scaling and class names.

``scale`` (a graph setting) picks the scaling of the input columns and of a numeric
target: ``minmax`` maps each column's range to [0, 1] (a built-in set's own range, or a
CSV column's smallest and largest value), ``standard`` to mean 0 and standard deviation 1,
``none`` leaves raw numbers as they are. An ``Encoding`` records the scalings and the
class names; graph files keep it, so a saved network predicts in raw units with the
scaling it was trained with.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SCALES = ("minmax", "standard", "none")


@dataclass(frozen=True)
class Scaling:
    """served = (raw - offset) / scale, per column."""

    offset: tuple[float, ...]
    scale: tuple[float, ...]

    def apply(self, raw) -> np.ndarray:
        return (np.asarray(raw, dtype=float) - np.array(self.offset)) / np.array(self.scale)

    def undo(self, served) -> np.ndarray:
        return np.asarray(served, dtype=float) * np.array(self.scale) + np.array(self.offset)

    def as_dict(self) -> dict:
        return {"offset": list(self.offset), "scale": list(self.scale)}

    @classmethod
    def identity(cls, columns: int) -> "Scaling":
        return cls((0.0,) * columns, (1.0,) * columns)


def fit(values: np.ndarray, how: str, bounds: tuple[float, float] | None = None) -> Scaling:
    """The scaling of ``how`` for the columns of ``values``; ``bounds`` is the range the values can
    take, when known (min-max scaling then uses it rather than the sample's range)."""
    values = np.asarray(values, dtype=float)
    columns = values.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):  # a range too wide for float64 shows as inf: refused later
        return _fit(values, columns, how, bounds)


def _fit(values: np.ndarray, columns: int, how: str, bounds) -> Scaling:
    if how == "none":
        return Scaling.identity(columns)
    if how == "minmax":
        if bounds is not None:
            lo, hi = np.full(columns, float(bounds[0])), np.full(columns, float(bounds[1]))
        else:
            lo, hi = values.min(axis=0), values.max(axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        return Scaling(tuple(lo.tolist()), tuple(span.tolist()))
    if how == "standard":
        mean, std = values.mean(axis=0), values.std(axis=0)
        return Scaling(tuple(mean.tolist()), tuple(np.where(std > 0, std, 1.0).tolist()))
    raise ValueError(f"unknown scaling {how!r} (choose from {', '.join(SCALES)})")


@dataclass(frozen=True)
class Encoding:
    """The inputs' scaling, a numeric target's scaling (None for classes) and the class names."""

    inputs: Scaling
    target: Scaling | None = None
    classes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"inputs": self.inputs.as_dict(), "target": self.target.as_dict() if self.target else None,
                "classes": list(self.classes)}

    @classmethod
    def from_dict(cls, d: dict) -> "Encoding":
        """From a checked dict (see ``check_encoding``)."""
        target = d.get("target")
        return cls(Scaling(tuple(d["inputs"]["offset"]), tuple(d["inputs"]["scale"])),
                   Scaling(tuple(target["offset"]), tuple(target["scale"])) if target else None,
                   tuple(d.get("classes", ())))


def _check_scaling(v, where: str) -> dict:
    if not isinstance(v, dict) or set(v) != {"offset", "scale"}:
        raise ValueError(f"{where} must be {{\"offset\": [...], \"scale\": [...]}}")
    out = {}
    for k in ("offset", "scale"):
        nums = v[k]
        if not isinstance(nums, list) or not nums or not all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in nums):
            raise ValueError(f"{where}.{k} must be a list of finite numbers")
        out[k] = [float(x) for x in nums]
    if len(out["offset"]) != len(out["scale"]):
        raise ValueError(f"{where}: offset and scale must have the same length")
    if any(s == 0 for s in out["scale"]):
        raise ValueError(f"{where}.scale must not hold 0")
    return out


def check_encoding(value):
    """Normalise a recorded encoding ({"inputs": ..., "target": ... | null, "classes": [...]}) or raise ValueError."""
    if value is None:
        return None
    if not isinstance(value, dict) or "inputs" not in value or set(value) - {"inputs", "target", "classes"}:
        raise ValueError("encoding must be {\"inputs\": {...}, \"target\": {...} or null, \"classes\": [...]}")
    classes = value.get("classes", [])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise ValueError("encoding.classes must be a list of names")
    target = value.get("target")
    return {"inputs": _check_scaling(value["inputs"], "encoding.inputs"),
            "target": None if target is None else _check_scaling(target, "encoding.target"), "classes": classes}
