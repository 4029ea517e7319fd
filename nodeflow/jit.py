"""Node kernels: plain Python loops, compiled by numba when it is available.

Every node's math is written once, as a ``@kernel`` function that reads its input
arrays and writes its output arrays in place (no allocation, so compiled code runs
at hand-written speed). The stepping evaluator calls these kernels one node at a
time, the fast engine inlines them into one compiled training loop, and code export
copies their source; so all three agree by construction.

Set ``NODEFLOW_JIT=0`` to run every kernel as plain Python (slow, but needs no compiler).
"""
from __future__ import annotations

import math
import os
from typing import Callable

try:  # numba is a declared dependency, but the core still works without it
    import numba
except Exception:  # pragma: no cover - depends on the machine
    numba = None

JIT_AVAILABLE = numba is not None and os.environ.get("NODEFLOW_JIT", "1") != "0"

KERNELS: dict[str, Callable] = {}


def kernel(fn: Callable | None = None, *, inline: bool = False):
    """Register ``fn`` as a node kernel and return its compiled form (or ``fn`` itself).

    ``@kernel(inline=True)`` marks a small scalar helper that numba inlines into its
    callers. The plain function stays reachable as ``compiled.py`` for the Python
    fallback and for code export.
    """
    if fn is None:
        return lambda f: kernel(f, inline=inline)
    KERNELS[fn.__name__] = fn
    if not JIT_AVAILABLE:
        fn.py = fn
        return fn
    compiled = numba.njit(cache=True, nogil=True, inline="always" if inline else "never")(fn)
    compiled.py = fn
    return compiled


def python_version(k: Callable) -> Callable:
    """The plain-Python function behind a kernel (compiled or not)."""
    return getattr(k, "py", k)


@kernel
def all_finite(a):
    """False when any element of ``a`` is NaN or infinite (checked after every step)."""
    for i in range(a.size):
        if not math.isfinite(a[i]):
            return False
    return True
