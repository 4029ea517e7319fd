"""Make the README's pictures of the editor: ``python -m nodeflow.gui.screenshots assets/``.

Each picture is taken in its own editor process on a private Xvfb screen, at 1280x800
unless ``--size`` says otherwise:

- ``editor.png``: the whole XOR network after some training, stopped in a sample's
  backward pass, a pulse on its way along a wire and every value on its wire;
- ``inspector.png`` (1920x1080): XOR after six samples, update W1 selected: what it computes;
- ``digits.png``: the 64-25-10 digits network fitted in view after a few epochs;
- ``hidden-units.png``: zoomed in on its UnitImages node, what each hidden unit looks for;
- ``seeds-backward.png``: the 7-5-3 wheat-seeds network in the backward pass;
- ``views.png`` (1920x1080): the circle network after training, fitted in view, its view nodes
  live (hidden units over the input plane, decision regions, confusion matrices, probabilities);
- ``views-zoomed.png``: zoomed to 100 % on its decision regions and confusion matrices;
- ``curve-fit.png``: the 1-10-1 network's fitted curve through the noisy cubic;
- ``probe.png``: an input of one's own (0.3, 0.7) typed into the probe, flowing through the
  circle network: its values on the wires, its point ringed in the decision regions.
- ``xor-opened.png``: the packaged XOR above its twin opened into math nodes, after a sample;
- ``group-inside.png``: inside the twin's opened delta 1, with the path back.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .scripting import result, run_editor, settled, until, virtual_display

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
    _hold(cv, node, pulse_at)


def _hold(cv, src: str, at: float) -> None:
    """Time stands still for the picture: the pulses leaving ``src`` stay ``at`` of the way along."""
    held = [(p, at) for p in cv.pulses.flying if p.link.src == src]
    cv.pulses.at = lambda now: held


def _shoot(app, name: str):
    path = Path(os.environ["NODEFLOW_SHOTS"]) / name
    path.unlink(missing_ok=True)
    if shutil.which("xdotool"):  # the pointer sits mid-screen: move it off the window (no hover effects)
        subprocess.run(["xdotool", "mousemove", "2015", "1175"], check=False)
    yield 4
    app.screenshot(path)
    yield from until(lambda: path.exists() and path.stat().st_size > 0, 120, f"{name} to be written")
    yield 2


def editor(app):
    """XOR mid-sample in the backward pass: coloured wires with their values, a pulse, a loss curve."""
    yield from settled(app)
    yield from _train(app, 600)
    yield from _step_to(app, "delta_1")
    yield from _shoot(app, "editor.png")
    result({"epoch": app.ctrl.session.epoch, "node": app.ctrl.session.last_node})


def inspector(app):
    """XOR after six samples with update W1 selected: the inspector's rule and one element worked out."""
    yield from settled(app)
    for _ in range(6):
        app.ctrl.step_sample()
    app.canvas.select(["weight_update_1"], [])
    yield from until(lambda: not app.canvas.animating, 300, "the pulses")
    yield from _shoot(app, "inspector.png")
    result({"sample": app.ctrl.session.sample})


def digits(app):
    """Digits fitted in view after a few epochs."""
    yield from settled(app)
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
    yield from settled(app)
    yield from _train(app, 30)
    yield from _step_to(app, "delta_2", 0.5)
    yield from _shoot(app, "seeds-backward.png")
    result({"epoch": app.ctrl.session.epoch, "node": app.ctrl.session.last_node})


def _show(app, nodes: list[str], zoom: float | None = None) -> None:
    """Show ``nodes``: centred at ``zoom``, or (None) all of them as big as fits."""
    rects = [app.canvas.nodes[n].rect() for n in nodes]
    x0, y0 = min(r[0] for r in rects), min(r[1] for r in rects)
    x1, y1 = max(r[0] + r[2] for r in rects), max(r[1] + r[3] for r in rects)
    if zoom is None:
        app.canvas.view.fit((x0, y0, x1, y1))
    else:
        app.canvas.view.look_at(zoom, ((x0 + x1) / 2, (y0 + y1) / 2))


def views(app, zoomed: bool = False):
    """The circle network's views, live after training: fitted, or zoomed to 100 % on two of them."""
    c = app.ctrl
    yield from settled(app)
    yield from _train(app, 300)
    c.step_sample()
    yield 3  # (the pulses start in the next frame)
    yield from until(lambda: not app.canvas.animating, 300, "the pulses")
    if zoomed:
        _show(app, ["decision_regions", "confusion", "sigmoid_2"], 1.0)
        yield from until(lambda: not app.canvas.values.views.waiting, 60, "the pictures")
    yield from _shoot(app, "views-zoomed.png" if zoomed else "views.png")
    result({"epoch": c.session.epoch})


def views_zoomed(app):
    yield from views(app, zoomed=True)


def curve(app):
    """The fitted curve of the noisy cubic, after training."""
    yield from settled(app)
    yield from _train(app, 300)
    _show(app, ["fitted_curve", "identity_2", "error"], 0.9)
    yield from until(lambda: not app.canvas.values.views.waiting, 60, "the pictures")
    yield from _shoot(app, "curve-fit.png")
    result({"epoch": app.ctrl.session.epoch})


def probe(app):
    """An input typed into the probe (0.3, 0.7) on its way through the trained circle network."""
    import dearpygui.dearpygui as dpg

    c, cv = app.ctrl, app.canvas
    yield from settled(app)
    yield from _train(app, 300)
    _show(app, ["dataset", "sigmoid_2", "decision_regions", "error"])
    panel = app.inspector.probe
    dpg.set_value(panel.header, True)  # (open)
    for field, text in zip(panel.fields, ("0.3", "0.7")):
        dpg.set_value(field, text)
    panel.probe()
    yield from until(lambda: any(p.link.src == "weighted_sum_2" for p in cv.pulses.flying), 120, "the pulses")
    _hold(cv, "weighted_sum_2", 0.5)
    yield from until(lambda: not cv.values.views.waiting, 60, "the pictures")
    yield from _shoot(app, "probe.png")
    result({"epoch": c.session.epoch, "probe": c.message.text})


def opened(app):
    """xor_opened.json fitted after one sample, then the inside of its opened delta 1."""
    c, cv = app.ctrl, app.canvas
    yield from settled(app)
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
         "inspector.png": ("inspector", lambda tmp: ROOT / "graphs" / "xor.json", "1920x1080"),
         "digits.png": ("digits", lambda tmp: ROOT / "graphs" / "digits.json"),
         "seeds-backward.png": ("seeds", _seeds_graph),
         "views.png": ("views", lambda tmp: ROOT / "graphs" / "circle_regions.json", "1920x1080"),
         "views-zoomed.png": ("views_zoomed", lambda tmp: ROOT / "graphs" / "circle_regions.json"),
         "curve-fit.png": ("curve", lambda tmp: ROOT / "graphs" / "curve_fit.json"),
         "probe.png": ("probe", lambda tmp: ROOT / "graphs" / "circle_regions.json"),
         "xor-opened.png": ("opened", lambda tmp: ROOT / "graphs" / "xor_opened.json")}


def make(folder: str | Path, names=None, size: str = SIZE) -> list[Path]:
    import tempfile

    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["NODEFLOW_SHOTS"] = str(folder)
    made = []
    with tempfile.TemporaryDirectory() as tmp, virtual_display("2020x1180") as display:
        for name, (fn, graph, *own) in SHOTS.items():  # (a picture may have a size of its own)
            if names and name not in names:
                continue
            run_editor(f"nodeflow.gui.screenshots:{fn}", graph(Path(tmp)), display=display, size=own[0] if own else size,
                       timeout=600)
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
