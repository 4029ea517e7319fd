"""Node kernels: each node's math written once, as a plain Python loop.

A ``@kernel`` function reads its input arrays and writes its output arrays in place
(no allocation, so compiled code runs at hand-written speed). The stepper calls the
kernels one node at a time, the compiled engine calls them from one generated training
loop, and code export copies their source; so all three agree by construction.

numba compiles a kernel on first use (``k.jit``), never at import: the document layer
imports the node types without importing numba. The machine code is cached on disk and
a damaged cache entry is rebuilt (``jitcache``). Set ``NODEFLOW_JIT=0`` to run every
kernel as plain Python (slow, but needs no compiler).

Some kernels are written by code (``generated``: the primitives' element-by-element
loops, an Expression's formula); they keep their source text (``k.source``), and
before numba compiles one its text is written to a file in the cache folder, so numba
can cache it like any other.
"""
from __future__ import annotations

import dis
import hashlib
import inspect
import marshal
import math
import os
import threading
import types
from functools import lru_cache
from pathlib import Path
from typing import Callable

_JIT_LOCK = threading.RLock()  # re-entrant: making one kernel's dispatcher makes its callees'
KERNELS: dict[str, "Kernel"] = {}  # name -> kernel, every one defined (for export and the cache's fingerprint)


@lru_cache(maxsize=1)
def jit_available() -> bool:
    """numba is installed and not switched off (``NODEFLOW_JIT=0``); found without importing it."""
    if os.environ.get("NODEFLOW_JIT", "1") == "0":
        return False
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def cache_dir() -> Path:
    """Where compiled code is kept: ``$NODEFLOW_CACHE``, else ``~/.cache/nodeflow``."""
    return Path(os.environ.get("NODEFLOW_CACHE") or Path.home() / ".cache" / "nodeflow")


class Kernel:
    """A node's math: ``k.py`` is the plain function, ``k.jit`` its numba-compiled form."""

    def __init__(self, fn: Callable, inline: bool = False, source: str | None = None, named_by_source: bool = False):
        self.py = fn
        self.name = fn.__name__
        self.inline = inline
        self._source = source  # set for generated kernels
        self.named_by_source = named_by_source  # its name holds a hash of its source (an Expression's)
        self.rows: Kernel | None = None  # its matrix form: many samples (rows) at once (see ``rows_form``)
        self.rows_leave_last = False  # the matrix form takes all rows but the last, which this kernel takes
        self._jit = None

    @property
    def generated(self) -> bool:
        return self._source is not None

    @property
    def source(self) -> str:
        """The kernel's plain-Python source (what export copies)."""
        return self._source if self._source is not None else inspect.getsource(self.py)

    @property
    def fingerprint(self) -> bytes:
        """Changes whenever the kernel's code does (cheaper than reading its source: its bytecode,
        constants and names as Python compiled them, or a generated kernel's text)."""
        return self._source.encode() if self._source is not None else marshal.dumps(self.py.__code__)

    def __call__(self, *args):
        """Plain-Python call (how kernels call each other when not compiled)."""
        return self.py(*args)

    def __repr__(self) -> str:
        return f"<kernel {self.name}>"

    @property
    def jit(self):
        """The numba dispatcher, made on first use; kernels it calls are compiled dispatchers too."""
        with _JIT_LOCK:  # the fast engine's worker thread may ask at the same time
            if self._jit is None:
                self._jit = self._make_jit()
        return self._jit

    def _make_jit(self):
        from .jitcache import cached_njit

        fn = self._file_backed() if self.generated else self.py
        scope = dict(fn.__globals__)
        for name in self.callee_names():
            scope[name] = scope[name].jit
        compiled_fn = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)
        compiled_fn.__qualname__, compiled_fn.__module__ = fn.__qualname__, fn.__module__
        return cached_njit(compiled_fn, label=self.name, nogil=True, inline="always" if self.inline else "never")

    def _file_backed(self) -> Callable:
        """The generated function again, from a module file holding its source: numba caches
        compiled code by file and, to load it back, imports the function's module."""
        from .modulecache import cached_module

        scope = {k: v for k, v in self.py.__globals__.items() if not k.startswith("__")}
        module = cached_module(f"nodeflow_kernel_{self.name}", f"kernels/{self.name}.py", self._source, scope=scope)
        return getattr(module, self.name)

    def callee_names(self) -> list[str]:
        """Other kernels this one calls (export copies them too)."""
        names = {i.argval for i in dis.get_instructions(self.py) if i.opname == "LOAD_GLOBAL"}
        return sorted(n for n in names if isinstance(self.py.__globals__.get(n), Kernel))


def with_callees(kernels) -> list[Kernel]:
    """``kernels`` and every kernel they call, each once, callees first."""
    order: list[Kernel] = []

    def visit(k: Kernel) -> None:
        if k not in order:
            for name in k.callee_names():
                visit(KERNELS[name])
            order.append(k)

    for k in kernels:
        visit(k)
    return order


def kernel(fn: Callable | None = None, *, inline: bool = False):
    """Register ``fn`` as a node kernel. ``@kernel(inline=True)`` marks a small scalar
    helper that numba inlines into the kernels calling it."""
    if fn is None:
        return lambda f: kernel(f, inline=inline)
    k = Kernel(fn, inline)
    KERNELS[k.name] = k
    return k


def rows_form(of: Kernel, *, leave_last: bool = False):
    """Register the decorated kernel as ``of``'s matrix form, for mini-batches as matrices: the same
    arguments, every per-sample value (a wire's) with a leading row dimension. ``leave_last``: it
    takes all of a batch's rows but the last, which ``of`` itself then takes (to end the batch)."""
    def register(fn: Callable) -> Kernel:
        k = kernel(fn)
        of.rows, of.rows_leave_last = k, leave_last
        return k
    return register


def generated_kernel(name: str, source: str, scope: dict, *, named_by_source: bool = False) -> Kernel:
    """Register the kernel that ``source`` (one ``def name(...)``) defines, with ``scope`` as its globals.
    The same name and source give back the same kernel."""
    known = KERNELS.get(name)
    if known is not None and known.generated and known.source == source:
        return known
    if known is not None:
        raise ValueError(f"a different kernel is already called {name!r}")
    namespace = dict(scope)
    exec(compile(source, f"<kernel {name}>", "exec"), namespace)
    k = Kernel(namespace[name], source=source, named_by_source=named_by_source)
    KERNELS[name] = k
    return k


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@kernel
def all_finite(a):
    """False when any element of ``a`` is NaN or infinite (checked after every step)."""
    for i in range(a.size):
        if not math.isfinite(a[i]):
            return False
    return True
