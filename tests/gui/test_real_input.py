"""Real mouse and keyboard (xdotool) on the editor: drag a wire, step, save."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nodeflow import fileio
from nodeflow.graph import Link

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"

DRIVE = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import drag, focus, key, result, until, window_id


def script(app):
    c = app.ctrl
    out = {}
    yield from until(lambda: app.frames > 5)
    win = window_id("xor_cut.json")
    focus(win)
    yield 3
    a = app.canvas.pin_screen_pos("weighted_sum_1", "z", "out")
    b = app.canvas.pin_screen_pos("sigmoid_1", "z", "in")
    out["pins"] = [a, b]
    n = len(c.graph.links())
    yield from drag(win, a, b)
    yield from until(lambda: len(c.graph.links()) == n + 1, 60, "the dragged wire")
    out["links"] = len(c.graph.links())
    out["message"] = c.message.text
    yield from key(win, "space")
    yield from until(lambda: c.ev.sample == 1, 60, "Space to step a sample")
    yield from key(win, "e")
    yield from until(lambda: c.ev.epoch == 1, 60, "E to step an epoch")
    out["epoch"] = c.ev.epoch
    yield from key(win, "ctrl+s")
    yield from until(lambda: not c.dirty, 60, "Ctrl+S to save")
    out["title"] = dpg.get_viewport_title()
    result(out)
'''


@pytest.fixture
def cut_xor(tmp_path):
    """xor.json without the wire weighted_sum_1.z -> sigmoid_1.z."""
    g = fileio.load(GRAPHS / "xor.json")
    g.disconnect(Link("weighted_sum_1", "z", "sigmoid_1", "z"))
    path = tmp_path / "xor_cut.json"
    fileio.save(g, path)
    return path


def test_drag_a_wire_step_and_save_with_real_input(editor, cut_xor):
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed")
    before = json.loads(cut_xor.read_text())
    r = editor.run(DRIVE, file=cut_xor)
    assert r["links"] == len(before["links"]) + 1, r
    assert r["epoch"] == 1
    assert "*" not in r["title"]
    after = json.loads(cut_xor.read_text())
    assert {"from": "weighted_sum_1.z", "to": "sigmoid_1.z"} in after["links"]
    assert after["trained_epochs"] == 1
    w_before = next(n for n in before["nodes"] if n["id"] == "weights_1")["params"]["value"]
    w_after = next(n for n in after["nodes"] if n["id"] == "weights_1")["params"]["value"]
    assert w_before != w_after
