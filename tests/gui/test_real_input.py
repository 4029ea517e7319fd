"""Real mouse and keyboard (xdotool) on the editor: drag a wire, step, save, select, move, cut,
delete, drop from the palette, quick-add, close."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nodeflow.document import files as fileio
from nodeflow.document.graph import Link

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"

DRIVE = '''
import dearpygui.dearpygui as dpg
from nodeflow.document.graph import Link
from nodeflow.gui import wires
from nodeflow.gui.scripting import click, drag, focus, holding, key, request_close, result, until, window_id, xdotool


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
    yield from until(lambda: c.session.sample == 1, 60, "Space to step a sample")
    yield from key(win, "e")
    yield from until(lambda: c.session.epoch == 1, 60, "E to step an epoch")
    out["epoch"] = c.session.epoch
    yield from key(win, "ctrl+s")
    yield from until(lambda: not c.dirty, 60, "Ctrl+S to save")
    out["title"] = dpg.get_viewport_title()
    # type in the palette's search box; Enter adds the first match (letters do not step meanwhile)
    x, y = dpg.get_item_rect_min(app.palette.search)
    yield from click(win, (x + 20, y + 8))
    xdotool("type", "watch")
    yield 3
    yield from key(win, "Return")
    yield from until(lambda: "watch_1" in app.canvas.nodes, 60, "Enter to add a Watch node")
    out["palette_enter"] = [c.session.epoch, c.session.sample, dpg.get_value(app.palette.search)]
    c.undo()
    # click a wire: the inspector shows the value it carries
    yield from click(win, app.canvas.wire_screen_point(Link("dataset", "x", "weighted_sum_1", "x")))
    yield from until(lambda: len(app.canvas.selection()[1]) == 1, 60, "the click to select a wire")
    yield 2
    out["wire"] = [dpg.get_value(app.inspector.title), dpg.get_value(app.inspector.wire_value),
                   wires.format_full(c.session.value("dataset", "x"))]
    # drag a node by its title bar: the move is recorded and undone with Ctrl+Z
    w = app.canvas.nodes["sigmoid_1"]
    x, y, _, _ = app.canvas.screen_rect("sigmoid_1")
    before = list(c.graph.attrs("sigmoid_1")["pos"])
    out["zoom"] = app.canvas.view.zoom
    yield from drag(win, (x + 20, y + 8), (x + 80, y + 48))
    yield from until(lambda: c.graph.attrs("sigmoid_1")["pos"] != before, 60, "the node move")
    out["moved"] = [before, list(c.graph.attrs("sigmoid_1")["pos"]), c.title]
    yield from key(win, "ctrl+z")
    yield from until(lambda: c.graph.attrs("sigmoid_1")["pos"] == before, 60, "Ctrl+Z to undo the move")
    yield 3
    out["widget_back"] = list(w.pos) == before
    # Ctrl+drag a wire off its input: the wire is removed
    n = len(c.graph.links())
    pin = app.canvas.pin_screen_pos("sigmoid_1", "z", "in")
    yield from holding("ctrl", drag(win, pin, (pin[0] - 40, pin[1] + 120)))
    yield from until(lambda: len(c.graph.links()) == n - 1, 60, "Ctrl+drag to remove the wire")
    out["delinked"] = c.graph.wire_into("sigmoid_1", "z") is None
    # click a node to select it, Delete removes it, Ctrl+Y... first Ctrl+Z brings it back
    x, y, _, _ = app.canvas.screen_rect("bias_1")
    yield from click(win, (x + 20, y + 8))
    yield from until(lambda: app.canvas.selection()[0] == ["bias_1"], 60, "the click to select bias_1")
    yield from key(win, "Delete")
    yield from until(lambda: "bias_1" not in c.graph, 60, "Delete to remove bias_1")
    out["deleted"] = ["bias_1" in app.canvas.nodes, len(c.graph.links())]
    yield from key(win, "ctrl+z")
    yield from until(lambda: "bias_1" in c.graph, 60, "Ctrl+Z to bring bias_1 back")
    out["restored"] = ["bias_1" in app.canvas.nodes, len(c.graph.links())]
    yield from key(win, "ctrl+y")
    yield from until(lambda: "bias_1" not in c.graph, 60, "Ctrl+Y to delete it again")
    # drag a palette button onto the canvas: the node appears where it is dropped
    ex, ey, _, _ = app.canvas.rect_in_window()
    x, y = dpg.get_item_rect_min(app.palette.buttons["Tanh"])
    yield from drag(win, (x + 30, y + 8), (ex + 300, ey + 500), steps=6)
    yield from until(lambda: "tanh_1" in app.canvas.nodes, 60, "the dropped Tanh node")
    yield 2
    out["dropped_at"] = [list(app.canvas.screen_rect("tanh_1")[:2]), [ex + 300, ey + 500]]
    # right-click the canvas, type, Enter: the node appears at the mouse
    yield from click(win, (ex + 600, ey + 520), button=3)
    yield from until(lambda: app.quick_add.shown, 60, "the quick-add box")
    xdotool("type", "relu")
    yield 4
    yield from key(win, "Return")
    yield from until(lambda: "re_lu_1" in app.canvas.nodes, 60, "the quick-added ReLU node")
    yield 2
    out["quick_added_at"] = [list(app.canvas.screen_rect("re_lu_1")[:2]), [ex + 600, ey + 520]]
    out["quick_closed"] = not app.quick_add.shown
    # the window's close button with unsaved changes asks first and keeps the editor open
    request_close(win)
    yield from until(lambda: any(dpg.get_item_label(w) == "Unsaved changes" for w in dpg.get_windows()), 60,
                     "the unsaved-changes question")
    out["still_running"] = dpg.is_dearpygui_running()
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


def test_drag_a_wire_step_and_save_with_real_input(editor, cut_xor, needs_xdotool):
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
    before_pos, after_pos, title = r["moved"]
    assert after_pos[0] - before_pos[0] == pytest.approx(60 / r["zoom"], abs=2) and title.endswith("* - nodeflow")
    assert after_pos[1] - before_pos[1] == pytest.approx(40 / r["zoom"], abs=2)
    assert r["widget_back"]
    assert r["delinked"]
    links = len(after["links"]) - 1  # the wire removed by Ctrl+drag
    assert r["deleted"] == [False, links - 2] and r["restored"] == [True, links]
    for got, want in (r["dropped_at"], r["quick_added_at"]):
        assert abs(got[0] - want[0]) <= 2 and abs(got[1] - want[1]) <= 2
    assert r["quick_closed"] and r["still_running"]
    assert r["palette_enter"] == [1, 0, ""]  # typing "e" in the box did not step an epoch
    assert r["wire"][0] == "Wire: dataset.x -> weighted_sum_1.x" and r["wire"][1] == r["wire"][2]
