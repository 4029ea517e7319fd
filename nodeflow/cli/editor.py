"""``nodeflow open``: the editor (``nodeflow`` alone opens the bundled XOR example)."""
from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "graphs"
BUNDLED = EXAMPLES / "xor.json"  # what `nodeflow` opens with no file


def add_parser(sub) -> None:
    o = sub.add_parser("open", help="open a graph file in the editor")
    o.add_argument("file", nargs="?", help="graph file (default: the XOR example)")
    o.set_defaults(fn=cmd_open)


def cmd_open(a) -> int:
    from ..gui import run_editor

    return run_editor(a.file or (str(BUNDLED) if BUNDLED.exists() else None))
