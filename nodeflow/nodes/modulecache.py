"""Generated Python modules kept as files in the cache folder.

numba caches a function's machine code beside the file of its module and, to load it
back, imports that module by name; so code nodeflow writes (a generated kernel, a
graph's training loop) is written to a file first, under a per-entry lock, and run from
its text (no ``.pyc`` to go stale). A file that does not hold the text is rewritten (for a
file named by a hash of its text that means damage: one line on stderr says so); a cache
folder that cannot be written gives a scratch folder, with one line too.
"""
from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import types
from functools import lru_cache
from pathlib import Path

from ..outputs import locked, replace_bytes, say
from .kernel import cache_dir


def cached_module(name: str, file_name: str, text: str, what: str | None = None,
                  scope: dict | None = None) -> types.ModuleType:
    """``text`` run as the module ``name`` (its globals start as ``scope``), its file ``file_name``
    in the cache folder written first. ``what`` names the code when its file, named by a hash of
    its text, is found damaged (None: the same name may hold a newer text; rewritten silently)."""
    path = _module_file(file_name, text, what)
    module = types.ModuleType(name)
    module.__file__ = str(path)
    module.__dict__.update(scope or {})
    sys.modules[name] = module  # numba's disk cache finds a function's module by name
    exec(compile(text, str(path), "exec"), module.__dict__)
    return module


def _module_file(file_name: str, text: str, what: str | None) -> Path:
    try:
        path = cache_dir() / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        return _write_module(path, text, what)
    except OSError as e:
        say(f"cannot write the compiled-code cache in {cache_dir()} ({e.strerror or e}); compiling without it",
            once=True)
        path = Path(_scratch()) / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        return _write_module(path, text, what)


def _write_module(path: Path, text: str, what: str | None) -> Path:
    """Write the module file (under a lock) unless it already holds ``text``."""
    data = text.encode()
    with locked(path.with_suffix(".lock")):
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            old = None
        except OSError:  # unreadable, or a folder in its place
            old = b""
        if old == data:
            return path
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        replace_bytes(path, data)
    if old is not None and what is not None:
        say(f"rebuilt the compiled code of {what}: its module {path.name} was damaged", once=True)
    return path


@lru_cache(maxsize=1)
def _scratch() -> str:
    folder = tempfile.mkdtemp(prefix="nodeflow-cache-")
    atexit.register(shutil.rmtree, folder, True)
    return folder
