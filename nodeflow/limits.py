"""Limits on what a file or an argument may ask for, checked when it is read.

Every value that sizes an array is checked against the memory ceiling: the
``NODEFLOW_MAX_MEMORY`` environment variable (bytes, or with a unit: ``512M``, ``4G``,
``1.5T``), else the memory available now (``MemAvailable``, within a cgroup's limit).
Whole numbers must fit in int64 (the compiled engine's integers); JSON may nest at most
``MAX_DEPTH`` levels and an integer literal have at most Python's digit limit.
Messages quote user values through ``brief``: at most ~60 characters.

Imports nothing of nodeflow but its errors.
"""
from __future__ import annotations

import math
import os
import re
import sys

INT64_MAX = 2 ** 63 - 1
MAX_EPOCHS = 2 ** 53  # epochs are counted in float64 on the wires: exact up to here
MAX_SAMPLES = 10 ** 7  # a synthetic set's size (the sets are for teaching: this is plenty)
MAX_CLASSES = 1000  # distinct labels a class target may have
MAX_DEPTH = 200  # JSON nesting: a graph file needs 6 levels, each group inside another 4 more (groups nest 20 deep)
MAX_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300  # Python's int-string limit
FLOAT_BYTES = 8
ENV = "NODEFLOW_MAX_MEMORY"
_UNITS = {"": 1, "K": 2 ** 10, "M": 2 ** 20, "G": 2 ** 30, "T": 2 ** 40, "P": 2 ** 50}


def brief(value, limit: int = 60) -> str:
    """``repr(value)`` cut to about ``limit`` characters, saying how long the whole was."""
    if value is None or isinstance(value, bool):  # as the file spells them
        return {None: "null", True: "true", False: "false"}[value]
    text = value if isinstance(value, str) else None
    if text is not None and len(text) > limit:
        return f"{text[:limit]!r}… ({len(text)} characters)"
    r = repr(value)
    return r if len(r) <= limit else f"{r[:limit]}… ({len(r)} characters)"


def cut(text: str, limit: int = 60) -> str:
    """``text`` on one line (control characters escaped), its first ``limit`` characters if long."""
    if not text.isprintable():
        text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "…"


def human(n_bytes: float) -> str:
    """1 GiB, 7.28 TiB, 512 MiB, 100 bytes."""
    for unit, size in (("PiB", 2 ** 50), ("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if n_bytes >= size:
            return f"{n_bytes / size:.3g} {unit}"
    return f"{int(n_bytes)} bytes"


def parse_size(text: str) -> int:
    """``"4G"`` -> 4294967296; ``"512M"``, ``"1.5T"``, ``"1000000"`` (bytes); ValueError otherwise."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([KMGTP]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if not m or float(m.group(1)) <= 0:
        raise ValueError(f"{ENV} must be a size such as 4G, 512M or 1000000 (bytes), not {brief(text)}")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def _available() -> int | None:
    """Memory available now: MemAvailable, capped by the cgroup's limit; None when unknown."""
    found = []
    try:
        with open("/proc/meminfo") as f:
            found += [int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:")]
    except (OSError, ValueError, IndexError):
        try:
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            pass
    try:
        with open("/sys/fs/cgroup/memory.max") as f, open("/sys/fs/cgroup/memory.current") as g:
            top = f.read().strip()
            if top != "max":
                found.append(int(top) - int(g.read().strip()))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def memory_limit() -> tuple[int, str]:
    """(bytes, where the figure comes from) for messages."""
    if os.environ.get(ENV):
        return parse_size(os.environ[ENV]), ENV
    avail = _available()
    if avail is None:
        return 2 ** 62, "no limit known"
    return avail, f"the memory available; set {ENV} to change it"


def check_bytes(n_bytes: float, what: str) -> None:
    """Raise ValueError "``what`` needs 7.28 TiB of memory; the limit is ..." when over the ceiling."""
    limit, source = memory_limit()
    if n_bytes > limit:
        raise ValueError(f"{what} needs {human(n_bytes)} of memory; the limit is {human(limit)} ({source})")


def check_floats(count: float, what: str) -> None:
    """``count`` float64 numbers must fit under the memory ceiling."""
    check_bytes(float(count) * FLOAT_BYTES, what)


def check_int(name: str, value: int, lo: int | None = 0, hi: int = INT64_MAX) -> int:
    """A whole number in [lo, hi]; ValueError naming ``name`` and the limit otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, not {brief(value)}")
    if lo is not None and value < lo:
        raise ValueError(f"{name} must be at least {lo}, not {brief(value)}")
    if value > hi:
        raise ValueError(f"{name} must be at most {hi}, not {brief(value)}")
    return value


def elements(shape) -> float:
    """How many numbers an array of ``shape`` holds (as a float: no overflow)."""
    return math.prod(float(d) for d in shape)
