"""numba's BLAS without the rest of SciPy.

When numba's CPU target starts (the first compile, or the first load from its cache)
it checks for BLAS by importing ``scipy.linalg.cython_blas``, and that import runs
``scipy.linalg``'s ``__init__``: all of SciPy's linear algebra, about 0.2 s on a
2-core machine, for one extension module whose function pointers are all numba uses.
``load()`` loads that extension module alone, under its own name, so numba's check and
its matrix products (``np.dot`` in the mini-batch kernels) find it already there. Where
SciPy is missing or laid out otherwise, it does nothing and numba does as it always does.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

NAME = "scipy.linalg.cython_blas"


def load() -> None:
    """Put SciPy's ``cython_blas`` extension module into ``sys.modules`` without importing ``scipy.linalg``."""
    if NAME in sys.modules or "scipy.linalg" in sys.modules:
        return
    try:
        spec = importlib.util.find_spec("scipy")
        folder = Path(spec.origin).parent / "linalg" if spec and spec.origin else None
        files = [folder / f"cython_blas{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES] if folder else []
        path = next((f for f in files if f.exists()), None)
        if path is None:
            return
        blas = importlib.util.spec_from_file_location(NAME, path)
        module = importlib.util.module_from_spec(blas)
        sys.modules[NAME] = module
        blas.loader.exec_module(module)
    except Exception:  # numba imports it its own way
        sys.modules.pop(NAME, None)
