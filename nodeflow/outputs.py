"""Files nodeflow writes: output paths checked before any work, per-entry locks, cache files
replaced whole, and the one-line notices nodeflow prints on stderr.

``check_output(path, "--save")`` is what every command that writes a file calls first,
so that a path it cannot write is refused in one line before anything is computed
(an empty path, a folder, a missing folder, a file where a folder should be, no
permission). Writing itself is ``document.files.atomic_write``: a temporary file beside
the target, renamed over it, removed on failure.

Imports nothing of nodeflow but its errors and limits.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from .errors import NodeflowError
from .limits import brief

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks; writes are still atomic
    fcntl = None


def check_output(path, option: str | None = None) -> Path:
    """``path`` as a Path if a file can be written there now; else NodeflowError in one line.

    ``option`` (``"-o"``, ``"--save"``) starts the message, so it names what the user typed."""
    text = os.fspath(path)
    head = f"{option} {brief(text)}" if option else f"cannot write {brief(text)}"
    if not text.strip():
        raise NodeflowError(f"{option or 'output'}: the path is empty; give a file name")
    p = Path(text)
    if text.endswith(("/", os.sep)) or p.is_dir():
        raise NodeflowError(f"{head}: is a folder; give a file name (such as {brief(str(p / 'name'))})")
    folder = Path(os.path.dirname(os.path.abspath(text)))
    if not folder.exists():
        raise NodeflowError(f"{head}: the folder {brief(str(folder))} does not exist")
    if not folder.is_dir():
        raise NodeflowError(f"{head}: {brief(str(folder))} is a file, not a folder")
    if p.exists() and not p.is_file():
        raise NodeflowError(f"{head}: is not a regular file")
    if p.exists() and not os.access(p, os.W_OK):
        raise NodeflowError(f"{head}: the file is read-only")
    try:  # the only sure test: make (and remove) a temporary file where the real one will be made
        fd, probe = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise NodeflowError(f"{head}: cannot write in {brief(str(folder))} ({e.strerror or e})") from None
    return p


@contextlib.contextmanager
def locked(lock_path: str | os.PathLike):
    """Hold an exclusive lock on ``lock_path`` (made if need be) for the block; other processes
    wait. Where no lock file can be made (a read-only folder), the block runs unlocked."""
    if fcntl is None:
        yield
        return
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def replace_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it over ``path`` (readers see
    the old file or the new one); the temporary file never stays behind."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove(path: str | os.PathLike) -> None:
    """Delete a file, or a folder in its place (a damaged cache entry); nothing if it cannot be."""
    with contextlib.suppress(OSError):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


_said: set[str] = set()


def say(message: str, once: bool = False) -> None:
    """``nodeflow: message`` on one line of stderr (``once``: not again in this process)."""
    if once:
        if message in _said:
            return
        _said.add(message)
    print(f"nodeflow: {message}", file=sys.stderr, flush=True)
