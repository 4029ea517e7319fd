"""numba's on-disk cache of machine code, made to heal itself.

numba (0.68) loads a cache entry, an index file ``<function>.nbi`` and data files
``<function>.<n>.nbc``, by unpickling them and raises whatever that raises: a truncated
file gives ``EOFError``, half of one ``UnpicklingError``, random bytes anything
(numba/numba#10434); a flipped byte in the machine code may load and crash later. Here
every file carries a checksum, and an entry that fails to load for any reason is
deleted, compiled again and written anew (numba writes beside and renames), with one
line on stderr. A per-entry lock file keeps processes sharing a cache from deleting
what another has just written. When numba's cache internals are not as expected, this
falls back to numba's own ``cache=True``.

Imported only when a kernel is compiled: importing it imports numba (and, first, numba's BLAS
alone: ``blas``).
"""
from __future__ import annotations

import contextlib
import glob
import hashlib
import io
import os
import pickle

from . import blas

blas.load()  # before numba's target starts and looks for BLAS

import numba  # noqa: E402
from numba.core.caching import CompileResultCacheImpl, FunctionCache, IndexDataCacheFile

from ..outputs import locked, remove, say  # noqa: E402

MAGIC = b"nodeflow numba cache 1\n"
HEAD = len(MAGIC) + 32  # the magic, then the SHA-256 of the rest


class DamagedEntry(Exception):
    """A cache file is there but is not what was written."""


class _CheckedFiles(IndexDataCacheFile):
    """numba's index and data files, each stored as MAGIC + sha256(payload) + payload."""

    def _write(self, path: str, payload: bytes) -> None:
        with self._open_for_write(path) as f:  # numba's: a uniquely named temp file, then os.replace
            f.write(MAGIC + hashlib.sha256(payload).digest() + payload)

    def _read(self, path: str) -> bytes | None:
        """The payload; None when there is no file; DamagedEntry (or OSError) when it cannot be trusted."""
        try:
            with open(path, "rb") as f:
                blob = f.read()
        except FileNotFoundError:
            return None
        if not blob.startswith(MAGIC) or hashlib.sha256(blob[HEAD:]).digest() != blob[len(MAGIC):HEAD]:
            raise DamagedEntry(f"{os.path.basename(path)}: {len(blob)} bytes, checksum wrong")
        return blob[HEAD:]

    def _save_index(self, overloads) -> None:
        self._write(self._index_path, pickle.dumps(self._version, protocol=-1)
                    + self._dump((self._source_stamp, overloads)))

    def _load_index(self) -> dict:
        payload = self._read(self._index_path)
        if payload is None:
            return {}
        f = io.BytesIO(payload)
        if pickle.load(f) != self._version:  # written by another numba: not ours to read
            return {}
        stamp, overloads = pickle.loads(f.read())
        return overloads if stamp == self._source_stamp else {}

    def _save_data(self, name: str, data) -> None:
        self._write(self._data_path(name), self._dump(data))

    def load(self, key):
        """The entry for ``key``, None if there is none; raises if one is there but cannot be read."""
        name = self._load_index().get(key)
        if name is None:
            return None
        payload = self._read(self._data_path(name))
        return None if payload is None else pickle.loads(payload)

    def files(self) -> list[str]:
        """The index and every data file of this function."""
        base = self._index_path[: -len(".nbi")]
        return [self._index_path] + glob.glob(glob.escape(base) + ".*.nbc")


class _Impl(CompileResultCacheImpl):
    def get_filename_base(self, fullname, abiflags):
        """numba's name with ``.nodeflow``: files in the checked format never meet plain numba's."""
        return super().get_filename_base(fullname, abiflags) + ".nodeflow"


class HealingCache(FunctionCache):
    """A function's cache whose damaged entries are rebuilt, one line on stderr each."""

    _impl_class = _Impl

    def __init__(self, py_func, label: str):
        super().__init__(py_func)
        old = self._cache_file
        self._cache_file = _CheckedFiles(self._cache_path, self._impl.filename_base, old._source_stamp)
        self._label = label
        self._damage: str | None = None  # why the entry was discarded, until its replacement is written

    def _lock(self):
        return locked(os.path.join(self._cache_path, self._impl.filename_base + ".lock"))

    def load_overload(self, sig, target_context):
        with self._lock():
            try:
                return super().load_overload(sig, target_context)
            except Exception as e:  # anything at all: the entry is rebuilt, never trusted
                self._damage = _reason(e)
                self._discard()
                return None

    def save_overload(self, sig, data):
        try:
            with self._lock():
                super().save_overload(sig, data)
        except OSError as e:
            what = "its cache entry was unreadable and " if self._damage else ""
            say(f"compiled {self._label} but {what}could not write it to the cache ({_reason(e)})")
        else:
            if self._damage:
                say(f"rebuilt the compiled code of {self._label}: its cache entry could not be read "
                     f"({self._damage})")
        self._damage = None

    def _discard(self) -> None:
        for path in self._cache_file.files():
            remove(path)


def _reason(e: BaseException) -> str:
    if isinstance(e, DamagedEntry):
        return str(e)
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def cached_njit(fn=None, *, label: str | None = None, **options):
    """``numba.njit(**options)`` with a self-healing disk cache (``label`` names it in messages)."""
    if fn is None:
        return lambda f: cached_njit(f, label=label, **options)
    dispatcher = numba.njit(**options)(fn)
    try:
        dispatcher._cache = HealingCache(dispatcher.py_func, label or fn.__name__)
    except Exception:  # numba's cache internals changed, or nowhere to write: numba's own cache, or none
        with contextlib.suppress(Exception):
            dispatcher.enable_caching()
    return dispatcher
