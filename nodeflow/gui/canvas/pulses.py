"""Pulses: a dot travelling along each output wire of a node just evaluated (pure timing).

``Evaluations`` works out, from one frame to the next, which plan steps the run has
evaluated (a node step, or the rest of a sample and the start of the next); anything
bigger (an epoch, a run at full speed, a step back) shows no pulses. ``Pulses`` keeps
the dots in flight and where each one is at a given time.
"""
from __future__ import annotations

from dataclasses import dataclass

PULSE_SECONDS = 0.3  # one wire, at the slowest
MIN_SECONDS = 0.06  # faster than this, pulses are not drawn at all


@dataclass(frozen=True)
class Pulse:
    link: object  # the wire (a graph Link)
    phase: str  # forward | backward | update: its colour
    start: float
    duration: float


class Pulses:
    """The pulses in flight."""

    def __init__(self) -> None:
        self.flying: list[Pulse] = []

    def emit(self, links_by_step: list[tuple[list, str]], now: float, span: float) -> None:
        """Start a pulse on each wire of each evaluated step, staggered in evaluation order over
        ``span`` seconds (one step: no stagger); each lasts ``PULSE_SECONDS`` or less."""
        n = len(links_by_step)
        duration = min(PULSE_SECONDS, span if n == 1 else span / 2)
        if duration < MIN_SECONDS:
            return
        stagger = 0.0 if n <= 1 else (span - duration) / (n - 1)
        for k, (links, phase) in enumerate(links_by_step):
            for link in links:
                self.flying.append(Pulse(link, phase, now + k * stagger, duration))

    def at(self, now: float) -> list[tuple[Pulse, float]]:
        """Each pulse in flight and how far along its wire it is (0..1); drops the finished ones."""
        self.flying = [p for p in self.flying if now < p.start + p.duration]
        return [(p, (now - p.start) / p.duration) for p in self.flying if now >= p.start]

    def clear(self) -> None:
        self.flying = []

    @property
    def busy(self) -> bool:
        return bool(self.flying)


class Evaluations:
    """Which steps were evaluated since the last look: compares (run, epoch, sample, cursor)."""

    def __init__(self) -> None:
        self.seen: tuple | None = None

    def since(self, run) -> list:
        """Plan steps evaluated since the previous call, in order (empty when unknown or too many)."""
        if run is None:
            self.seen = None
            return []
        now = (id(run), run.epoch, run.sample, run.cursor, run.version)
        before, self.seen = self.seen, now
        if before is None or before[0] != now[0] or before[4] == now[4]:
            return []
        steps = run.plan.steps
        _, e0, s0, c0, _ = before
        _, e1, s1, c1, _ = now
        if (e1, s1) == (e0, s0) and c1 > c0:
            return list(steps[c0:c1])
        next_sample = (e0, s0 + 1) if s0 + 1 < run.plan.n_train else (e0 + 1, 0)
        if (e1, s1) == next_sample:
            return list(steps[c0:]) + list(steps[:c1])
        return []
