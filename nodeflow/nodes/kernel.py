"""Node kernels: each node's math written once, as a plain Python loop.

A ``@kernel`` function reads its input arrays and writes its output arrays in place
(no allocation, so compiled code runs at hand-written speed). The stepper calls the
kernels one node at a time, the compiled engine calls them from one generated training
loop, and code export copies their source; so all three agree by construction.

numba compiles a kernel on first use (``k.jit``), never at import: the document layer
imports the node types without importing numba. The machine code is cached on disk and
a damaged cache entry is rebuilt (``jitcache``). Set ``NODEFLOW_JIT=0`` to run every
kernel as plain Python (slow, but needs no compiler).
"""
from __future__ import annotations

import dis
import math
import os
import types
from functools import lru_cache
from typing import Callable

KERNELS: dict[str, "Kernel"] = {}  # name -> kernel, every one defined (for export and the cache's fingerprint)


@lru_cache(maxsize=1)
def jit_available() -> bool:
    """numba is installed and not switched off (``NODEFLOW_JIT=0``)."""
    if os.environ.get("NODEFLOW_JIT", "1") == "0":
        return False
    try:
        import numba  # noqa: F401
    except Exception:  # pragma: no cover - depends on the machine
        return False
    return True


class Kernel:
    """A node's math: ``k.py`` is the plain function, ``k.jit`` its numba-compiled form."""

    def __init__(self, fn: Callable, inline: bool = False):
        self.py = fn
        self.name = fn.__name__
        self.inline = inline
        self._jit = None

    def __call__(self, *args):
        """Plain-Python call (how kernels call each other when not compiled)."""
        return self.py(*args)

    def __repr__(self) -> str:
        return f"<kernel {self.name}>"

    @property
    def jit(self):
        """The numba dispatcher, made on first use; kernels it calls are compiled dispatchers too."""
        if self._jit is None:
            from .jitcache import cached_njit

            fn = self.py
            scope = dict(fn.__globals__)
            for name in self.callee_names():
                scope[name] = scope[name].jit
            compiled_fn = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)
            compiled_fn.__qualname__, compiled_fn.__module__ = fn.__qualname__, fn.__module__
            self._jit = cached_njit(compiled_fn, label=self.name, nogil=True,
                                    inline="always" if self.inline else "never")
        return self._jit

    def callee_names(self) -> list[str]:
        """Other kernels this one calls (export copies them too)."""
        names = {i.argval for i in dis.get_instructions(self.py) if i.opname == "LOAD_GLOBAL"}
        return sorted(n for n in names if isinstance(self.py.__globals__.get(n), Kernel))


def kernel(fn: Callable | None = None, *, inline: bool = False):
    """Register ``fn`` as a node kernel. ``@kernel(inline=True)`` marks a small scalar
    helper that numba inlines into the kernels calling it."""
    if fn is None:
        return lambda f: kernel(f, inline=inline)
    k = Kernel(fn, inline)
    KERNELS[k.name] = k
    return k


@kernel
def all_finite(a):
    """False when any element of ``a`` is NaN or infinite (checked after every step)."""
    for i in range(a.size):
        if not math.isfinite(a[i]):
            return False
    return True
