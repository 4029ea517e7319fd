"""Choosing the data: a list of the built-in sets, the CSV files used lately, and "CSV file..."
(a file dialog). The recent files are kept in ``recent.json`` in the user's nodeflow folder
(``$NODEFLOW_CONFIG``, else ``~/.config/nodeflow``)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

import dearpygui.dearpygui as dpg

from ..data import BUILTIN, is_builtin, resolve_source
from ..document.files import atomic_write

CSV_FILE = "CSV file..."
KEEP = 8  # recent files remembered


def config_dir() -> Path:
    return Path(os.environ.get("NODEFLOW_CONFIG") or Path.home() / ".config" / "nodeflow")


class RecentFiles:
    """CSV files chosen lately, newest first, kept between sessions."""

    def __init__(self, path: Path | None = None):
        self.path = path or config_dir() / "recent.json"

    def load(self) -> list[str]:
        try:
            files = json.loads(self.path.read_text(encoding="utf-8")).get("data", [])
        except (OSError, ValueError, AttributeError):
            return []
        return [f for f in files if isinstance(f, str)][:KEEP]

    def add(self, file: str) -> list[str]:
        """Put ``file`` first; returns the list (kept for this session even where it cannot be saved)."""
        files = ([file] + [f for f in self.load() if f != file])[:KEEP]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps({"data": files}, indent=1) + "\n")
        except OSError:
            pass  # remembering is a convenience: a read-only home folder changes nothing else
        return files


def shown_name(path: str) -> str:
    """``seeds.csv  (…/datasets)``: the file, then its folder."""
    p = Path(path)
    return f"{p.name}  (…/{p.parent.name})" if p.parent.name else p.name


class DataChooser:
    """A combo of data sources. ``choose(source)`` is called with a built-in name or a CSV path."""

    def __init__(self, choose: Callable[[str], bool], pick_file: Callable[[Callable], None], *,
                 parent: int | str = 0, width: int = -1):
        self.choose, self.pick_file = choose, pick_file
        self.recent = RecentFiles()
        self.files = self.recent.load()
        self.items: dict[str, str] = {}  # shown -> source
        self.shown: tuple | None = None  # (setting, folder, recent files) the list was made for
        self.label = ""
        self.combo = dpg.add_combo([], parent=parent, width=width, callback=lambda s, a: self._picked(a))
        with dpg.tooltip(self.combo):
            self.tip = dpg.add_text("", wrap=320)

    def refresh(self, source: str, base_dir: Path) -> None:
        """Show ``source`` as chosen, in the list it is chosen from (remade only when either changes)."""
        key = (source, base_dir, tuple(self.files))
        if key != self.shown:
            self.shown = key
            current = resolve_source(source, base_dir)
            files = ([] if is_builtin(current) or current in self.files else [current]) + self.files
            self.items = {name: name for name in BUILTIN} | {shown_name(f): f for f in files} | {CSV_FILE: CSV_FILE}
            dpg.configure_item(self.combo, items=list(self.items))
            dpg.set_value(self.tip, BUILTIN[current].doc if is_builtin(current) else current)
            self.label = current if is_builtin(current) else shown_name(current)
        if not dpg.get_item_state(self.combo).get("active") and dpg.get_value(self.combo) != self.label:
            dpg.set_value(self.combo, self.label)

    def _picked(self, shown: str) -> None:
        source = self.items.get(shown)
        if source == CSV_FILE:
            self.pick_file(self.use_file)
        elif source is not None and is_builtin(source):
            self.choose(source)
        elif source is not None:
            self.use_file(source)
        self.shown = None  # show the setting again (a refusal leaves it as it was)

    def use_file(self, path: str | Path) -> bool:
        """Use a CSV file as the data; remembered among the recent files if it loads."""
        path = str(Path(path).resolve())
        ok = self.choose(path)
        if ok:
            self.files = self.recent.add(path)
        self.shown = None
        return ok
