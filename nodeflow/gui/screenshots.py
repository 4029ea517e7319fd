"""Make the README's pictures of the editor: ``python -m nodeflow.gui.screenshots assets/``.

Each picture is taken in its own editor process on a private Xvfb screen, at 1280x800
unless ``--size`` says otherwise:

- ``editor.png``: the whole XOR network after some training, stopped in a sample's
  backward pass, a pulse on its way along a wire and every value on its wire;
- ``digits.png``: the 64-25-10 digits network fitted in view after a few epochs;
- ``hidden-units.png``: zoomed in on its UnitImages node, what each hidden unit looks for;
- ``seeds-backward.png``: the 7-5-3 wheat-seeds network in the backward pass;
- ``xor-opened.png``: the packaged XOR above its twin opened into math nodes, after a sample;
- ``group-inside.png``: inside the twin's opened delta 1, with the path back.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .scripting import result, run_editor, until, virtual_display

ROOT = Path(__file__).resolve().parents[2]
SIZE = "1280x800"


def _train(app, epochs: int):
    c = app.ctrl
    c.animate, c.run_epochs = False, epochs
    c.toggle_run()
    yield from until(lambda: not c.running, 3000, f"{epochs} epochs of training")
    c.animate = True


def _step_to(app, node: str, pulse_at: float = 0.55):
    """Step node by node until ``node`` has just been evaluated; hold its pulses ``pulse_at`` of the way."""
    c, cv = app.ctrl, app.canvas
    c.step_sample()
    while c.session.last_node != node:
        c.step_node()
        yield 1
    yield from until(lambda: any(p.link.src == node for p in cv.pulses.flying), 60, "the pulses")
    held = [(p, pulse_at) for p in cv.pulses.flying if p.link.src == node]
    cv.pulses.at = lambda now: held  # time stands still for the picture


def _shoot(app, name: str):
    path = Path(os.environ["NODEFLOW_SHOTS"]) / name
    path.unlink(missing_ok=True)
    yield 4
    app.screenshot(path)
    yield from until(lambda: path.exists() and path.stat().st_size > 0, 120, f"{name} to be written")
    yield 2


def editor(app):
    """XOR mid-sample in the backward pass: coloured wires with their values, a pulse, a loss curve."""
    yield from until(lambda: app.frames > 3 and not app.canvas.animating, 300, "the canvas")
    yield from _train(app, 600)
    yield from _step_to(app, "delta_1")
    yield from _shoot(app, "editor.png")
    result({"epoch": app.ctrl.session.epoch, "node": app.ctrl.session.last_node})


def digits(app):
    """Digits fitted in view after a few epochs."""
    yield from until(lambda: app.frames > 3 and not app.canvas.animating, 300, "the canvas")
    yield from _train(app, 5)
    app.ctrl.step_sample()
    yield from _shoot(app, "digits.png")
    cv = app.canvas
    x, y, w, h = cv.nodes["hidden_pictures"].rect()
    cv.view.look_at(2.2, (x + w / 2, y + h / 2 + 20))
    yield from _shoot(app, "hidden-units.png")
    result({"epoch": app.ctrl.session.epoch})


def seeds(app):
    """The 7-5-3 wheat-seeds network in the backward pass."""
    yield from until(lambda: app.frames > 3 and not app.canvas.animating, 300, "the canvas")
    yield from _train(app, 30)
    yield from _step_to(app, "delta_2", 0.5)
    yield from _shoot(app, "seeds-backward.png")
    result({"epoch": app.ctrl.session.epoch, "node": app.ctrl.session.last_node})


def opened(app):
    """xor_opened.json fitted after one sample, then the inside of its opened delta 1."""
    c, cv = app.ctrl, app.canvas
    yield from until(lambda: app.frames > 3 and not cv.animating, 300, "the canvas")
    c.step_sample()
    yield from _shoot(app, "xor-opened.png")
    c.open_group("opened_delta_1")
    yield from until(lambda: not cv.animating, 300, "the group's inside")
    yield from _shoot(app, "group-inside.png")
    result({"levels": list(c.levels.path()), "sample": c.session.sample})


def _seeds_graph(folder: Path) -> Path:
    from ..document.builders import mlp
    from ..document.files import save

    path = folder / "seeds.json"
    save(mlp([7, 5, 3], data="wheat-seeds", lr=0.3), path)
    return path


SHOTS = {"editor.png": ("editor", lambda tmp: ROOT / "graphs" / "xor.json"),
         "digits.png": ("digits", lambda tmp: ROOT / "graphs" / "digits.json"),
         "seeds-backward.png": ("seeds", _seeds_graph),
         "xor-opened.png": ("opened", lambda tmp: ROOT / "graphs" / "xor_opened.json")}


def make(folder: str | Path, names=None, size: str = SIZE) -> list[Path]:
    import tempfile

    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["NODEFLOW_SHOTS"] = str(folder)
    made = []
    w, h = size.split("x")
    with tempfile.TemporaryDirectory() as tmp, virtual_display(f"{int(w) + 100}x{int(h) + 100}") as display:
        for name, (fn, graph) in SHOTS.items():
            if names and name not in names:
                continue
            run_editor(f"nodeflow.gui.screenshots:{fn}", graph(Path(tmp)), display=display, size=size, timeout=600)
            made.append(folder / name)
    return made


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nodeflow.gui.screenshots", description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default="assets")
    ap.add_argument("--only", nargs="*", help="picture names to make (default: all)")
    ap.add_argument("--size", default=SIZE, help=f"window size WxH (default {SIZE})")
    a = ap.parse_args(argv)
    for p in make(a.folder, a.only, a.size):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
