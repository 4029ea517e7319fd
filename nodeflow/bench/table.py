"""The benchmark's table: aligned text with notes underneath."""
from __future__ import annotations

from .measure import Row
from .workloads import Workload


COLUMNS = ("workload", "implementation", "samples", "time (s)", "samples/s", "×ref")
NUMERIC = {"samples", "time (s)", "samples/s", "×ref"}


def _ratio(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:,.0f}"


def _seconds(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.3f}" if v < 10 else f"{v:.2f}" if v < 100 else f"{v:,.0f}"


def table_cells(rows: list[Row]) -> list[tuple[str, ...]]:
    """The table's cells, header first; a measured prefix shows as "~" on its extrapolated time."""
    cells = [COLUMNS]
    last = None
    for r in rows:
        if r.samples is None:
            body = ("n/a",) * 4
        else:
            samples = f"{r.samples:,}" if r.full else f"{r.samples:,}*"
            time_cell = _seconds(r.seconds) if r.full else f"~{r.full_seconds:,.3g}"
            body = (samples, time_cell, f"{r.rate:,.0f}", _ratio(r.vs_reference))
        cells.append((r.workload if r.workload != last else "", r.implementation) + body)
        last = r.workload
    return cells


def format_table(rows: list[Row], header: list[str] | None = None) -> str:
    """An aligned text table of the rows, with the header lines above and the notes below."""
    cells = table_cells(rows)
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = list(header or [])

    def line(c):
        return "  ".join(v.rjust(wd) if COLUMNS[i] in NUMERIC else v.ljust(wd)
                         for i, (v, wd) in enumerate(zip(c, widths))).rstrip()

    lines.append(line(cells[0]))
    lines.append("  ".join("-" * wd for wd in widths))
    for c, r in zip(cells[1:], rows):
        if c[0] and len(lines) > len(header or []) + 2:
            lines.append("")
        lines.append(line(c))
    lines.append("")
    lines.extend(footnotes(rows))
    return "\n".join(lines)


def _duration(v: float) -> str:
    return f"{1000 * v:.0f} ms" if v < 1 else f"{v:.1f} s"


def footnotes(rows: list[Row]) -> list[str]:
    notes = []
    prefix = [r for r in rows if r.samples is not None and not r.full]
    if prefix:
        notes.append("* measured on a prefix of the workload's samples; ~ time is extrapolated to the whole "
                     "workload from that rate:")
        notes.extend(f"    {r.workload}, {r.implementation}: {r.samples:,} of {r.total:,} samples in "
                     f"{r.seconds:.2f} s" for r in prefix)
    compiled = [r for r in rows if r.compile_seconds is not None]
    if compiled:
        notes.append("fast engine, not included above: first call on a separate copy (compiling, or loading from "
                     "the disk cache) "
                     + ", ".join(f"{r.workload} {_duration(r.compile_seconds)}" for r in compiled)
                     + "; setup per run (code generation) "
                     + ", ".join(_duration(r.setup_seconds) for r in compiled))
    shuffles = {r.workload: r.shuffle_seconds for r in rows if r.shuffle_seconds is not None}
    if shuffles:
        notes.append("shuffling alone (epoch_order for every epoch of the workload, which every implementation "
                     "calls): "
                     + ", ".join(f"{name} {_duration(v)}" for name, v in shuffles.items()))
    diffs: dict[str, float] = {}
    for r in rows:
        if r.max_weight_diff is not None:
            diffs[r.implementation] = max(diffs.get(r.implementation, 0.0), r.max_weight_diff)
    if diffs:
        notes.append("final weights vs the reference row's, where both ran in full: largest difference "
                     + ", ".join(f"{impl} {d:.1e}" for impl, d in diffs.items()))
    missing: dict[str, list[str]] = {}
    for r in rows:
        if r.samples is None:
            missing.setdefault(r.note, []).append(r.workload)
    notes.extend(f"n/a: {note} ({', '.join(names)})" for note, names in missing.items())
    return notes


def header_lines(ws: list[Workload]) -> list[str]:
    return ["nodeflow bench: training time on this machine (data loading, graph building and compilation "
            "not included)",
            "SGD, batch size 1 (the mini-batch workload: 64), squared error; all samples train (no test split); "
            "every implementation "
            "also tracks each epoch's mean loss and train accuracy",
            "×ref: time for the whole workload relative to its first row, the reference (lower is faster); "
            "per sample, the reference is the explicit loop: the training written by hand as one numba function "
            "(the limit); for mini-batches, numpy's matrix products",
            "data:"] + [f"  {w.name + ':':<8} {w.data}" for w in ws] + [""]


