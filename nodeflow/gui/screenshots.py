"""Make the README's pictures of the editor: ``python -m nodeflow.gui.screenshots assets/``.

Each picture is taken in its own editor process on a private Xvfb screen:
``editor.png`` is XOR after some training, stopped in the middle of a sample's backward
pass; ``hidden-units.png`` is the digits network after a few epochs, its UnitImages node
drawing what each of the 25 hidden units looks for.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .scripting import click, focus, result, run_editor, until, virtual_display, window_id

ROOT = Path(__file__).resolve().parents[2]
SIZE = "1920x1080"


def _train(app, epochs: int):
    c = app.ctrl
    c.animate, c.run_epochs = False, epochs
    c.toggle_run()
    yield from until(lambda: not c.running, 3000, f"{epochs} epochs of training")


def _select(app, node: str):
    """Click a node's title bar so the inspector shows it."""
    import dearpygui.dearpygui as dpg

    win = window_id("nodeflow")
    focus(win)
    x, y = dpg.get_item_rect_min(app.canvas.nodes[node].item)
    yield from click(win, (x + 30, y + 8))
    yield from until(lambda: app.canvas.selection()[0] == [node], 60, f"{node} to be selected")
    yield 4


def _shoot(app, name: str):
    path = Path(os.environ["NODEFLOW_SHOTS"]) / name
    path.unlink(missing_ok=True)
    app.screenshot(path)
    yield from until(lambda: path.exists() and path.stat().st_size > 0, 120, f"{name} to be written")
    yield 2


def editor(app):
    """XOR mid-sample: coloured wires, values on the pins, a loss curve."""
    c = app.ctrl
    yield 3
    yield from _train(app, 600)
    c.step_sample()
    while c.session.phase != "backward" or c.session.last_node != "delta_1":
        c.step_node()
    yield 4
    yield from _select(app, "weight_update_1")
    yield from _shoot(app, "editor.png")
    result({"epoch": c.session.epoch, "node": c.session.last_node})


def hidden_units(app):
    """Digits after a few epochs: the hidden units' incoming weights as pictures."""
    c = app.ctrl
    yield 3
    for node in c.graph.nodes_of_type("UnitImages"):
        c.set_param(node, "zoom", 8)  # bigger pictures for the README
    yield from _train(app, 10)
    c.step_sample()
    yield 6
    yield from _shoot(app, "hidden-units.png")
    result({"epoch": c.session.epoch})


SHOTS = {"editor.png": ("editor", ROOT / "graphs" / "xor.json"),
         "hidden-units.png": ("hidden_units", ROOT / "graphs" / "digits.json")}


def make(folder: str | Path, names=None) -> list[Path]:
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["NODEFLOW_SHOTS"] = str(folder)
    made = []
    w, h = SIZE.split("x")
    with virtual_display(f"{int(w) + 100}x{int(h) + 100}") as display:
        for name, (fn, graph) in SHOTS.items():
            if names and name not in names:
                continue
            run_editor(f"nodeflow.gui.screenshots:{fn}", graph, display=display, size=SIZE, timeout=300)
            made.append(folder / name)
    return made


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nodeflow.gui.screenshots", description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default="assets")
    ap.add_argument("--only", nargs="*", help="picture names to make (default: all)")
    a = ap.parse_args(argv)
    for p in make(a.folder, a.only):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
