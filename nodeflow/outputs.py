"""Files nodeflow writes: output paths checked before any work, and per-entry locks.

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
import tempfile
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
    say = f"{option} {brief(text)}" if option else f"cannot write {brief(text)}"
    if not text.strip():
        raise NodeflowError(f"{option or 'output'}: the path is empty; give a file name")
    p = Path(text)
    if text.endswith(("/", os.sep)) or p.is_dir():
        raise NodeflowError(f"{say}: is a folder; give a file name (such as {brief(str(p / 'name'))})")
    folder = Path(os.path.dirname(os.path.abspath(text)))
    if not folder.exists():
        raise NodeflowError(f"{say}: the folder {brief(str(folder))} does not exist")
    if not folder.is_dir():
        raise NodeflowError(f"{say}: {brief(str(folder))} is a file, not a folder")
    if p.exists() and not p.is_file():
        raise NodeflowError(f"{say}: is not a regular file")
    if p.exists() and not os.access(p, os.W_OK):
        raise NodeflowError(f"{say}: the file is read-only")
    try:  # the only sure test: make (and remove) a temporary file where the real one will be made
        fd, probe = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise NodeflowError(f"{say}: cannot write in {brief(str(folder))} ({e.strerror or e})") from None
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
