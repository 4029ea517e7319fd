"""The per-epoch figures of the training that gave a document its state.

Kept with the document (and saved in its file) so that a reopened graph plots the
training it has had; a run starts its history from it. Figures are kept to 6
significant digits: enough for a plot, and a saved file reads back to the same bytes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Iterator

DIGITS = 6


def _figure(v) -> float | None:
    return float(f"{v:.{DIGITS}g}") if v is not None and math.isfinite(v) else None


@dataclass
class EpochLog:
    """Every metric port's figure ("node.port" -> one per epoch) for epochs ``first``, ``first + 1``, ..."""

    first: int = 1
    figures: dict[str, list[float | None]] = field(default_factory=dict)

    def __len__(self) -> int:
        return max((len(v) for v in self.figures.values()), default=0)

    @property
    def last(self) -> int:
        """The last epoch logged (``first - 1`` when empty)."""
        return self.first + len(self) - 1

    def rows(self) -> Iterator[tuple[int, dict[str, float]]]:
        """(epoch, {"node.port": figure}) per epoch, figures not measured left out."""
        for k in range(len(self)):
            yield self.first + k, {name: v[k] for name, v in self.figures.items() if v[k] is not None}

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, dict[str, float | None]]]) -> "EpochLog":
        """The log of consecutive epochs' figures (after a gap, only the epochs since it)."""
        rows = list(rows)
        start = 0
        for k in range(1, len(rows)):
            if rows[k][0] != rows[k - 1][0] + 1:
                start = k
        rows = rows[start:]
        names: dict[str, None] = {}
        for _, values in rows:
            names.update(dict.fromkeys(values))
        figures = {n: [_figure(values.get(n)) for _, values in rows] for n in names}
        return cls(rows[0][0] if rows else 1, figures)

    def to_json(self) -> dict:
        return {"first_epoch": self.first, "figures": self.figures}

    @classmethod
    def from_json(cls, raw, trained_epochs: int) -> tuple["EpochLog", list[str]]:
        """The log a file holds under "history", and its problems (each naming where)."""
        if not isinstance(raw, dict) or set(raw) != {"first_epoch", "figures"}:
            return cls(), ['history: must be {"first_epoch": N, "figures": {"node.port": [numbers]}}']
        first, figures = raw["first_epoch"], raw["figures"]
        if not isinstance(first, int) or isinstance(first, bool) or first < 1:
            return cls(), [f"history.first_epoch: must be a whole number ≥ 1, not {first!r}"]
        if not isinstance(figures, dict):
            return cls(), ["history.figures: must be an object of lists"]
        problems = []
        for name, v in figures.items():
            if not isinstance(v, list) or not all(
                    x is None or isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
                problems.append(f"history.figures.{name}: must be a list of numbers (or null)")
        lengths = {len(v) for v in figures.values() if isinstance(v, list)}
        if not problems and len(lengths) > 1:
            problems.append("history.figures: every list must have one figure per epoch (lengths differ)")
        if problems:
            return cls(), problems
        log = cls(first, {n: [_figure(x) for x in v] for n, v in figures.items()})
        if len(log) and log.last != trained_epochs:
            return cls(), [f"history: its last epoch is {log.last} but trained_epochs is {trained_epochs}"]
        return log, []
