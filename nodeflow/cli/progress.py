"""A one-line progress bar on stderr, drawn only when stderr is a terminal."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, unit: str = "epochs", stream=None):
        self.total, self.unit = total, unit
        self.stream = stream or sys.stderr
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.perf_counter()
        self._drawn = 0.0

    def update(self, done: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        width = 30
        filled = int(width * done / max(self.total, 1))
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} {self.unit}  {now - self.start:.1f}s\033[K")
        self.stream.flush()

    def clear(self) -> None:
        """Erase the bar (before printing a line, or at the end)."""
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()
