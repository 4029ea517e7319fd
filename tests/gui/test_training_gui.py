"""The training panel, the saved history, the problems dialog and the formulas, in a real window."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


pytestmark = pytest.mark.usefixtures("needs_xdotool")


TRAIN_AND_SAVE = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import focus, key, result, until, window_id

def script(app):
    c = app.ctrl
    yield from until(lambda: app.frames > 3)
    c.animate, c.run_epochs = False, 7
    c.toggle_run()
    yield from until(lambda: not c.running, 1200, "7 epochs")
    win = window_id("nodeflow")
    yield from key(win, "ctrl+s")
    yield from until(lambda: not c.dirty, 60, "Ctrl+S")
    yield 2
    result({"points": {k: [list(v) for v in dpg.get_value(s)[:2]] for k, s in app.plot.series.items()},
            "overlay": dpg.get_item_configuration(app.plot.progress)["overlay"]})
'''

REOPENED = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import click, focus, key, result, until, window_id

def plotted(app):
    return {k: [list(v) for v in dpg.get_value(s)[:2]] for k, s in app.plot.series.items()}

def overlay(app):
    return dpg.get_item_configuration(app.plot.progress)["overlay"]

def script(app):
    c = app.ctrl
    yield from until(lambda: app.frames > 3)
    yield 3
    out = {"reopened": [plotted(app), overlay(app)], "loss_axis": [list(dpg.get_axis_limits(app.plot.y))]}
    app.screenshot("reopened.png")
    yield from until(lambda: __import__("os").path.exists("reopened.png"), 120, "the screenshot")
    win = window_id("nodeflow")
    focus(win)
    reset = next(b for b in dpg.get_all_items() if dpg.get_item_type(b) == "mvAppItemType::mvButton"
                 and dpg.get_item_label(b) == "Reset weights")
    x, y = dpg.get_item_rect_min(reset)
    yield from click(win, (x + 20, y + 8))
    yield from until(lambda: c.session.epoch == 0, 60, "Reset weights")
    yield 3
    out["reset"] = [plotted(app), overlay(app), c.graph.trained_epochs]
    out["loss_axis"].append(list(dpg.get_axis_limits(app.plot.y)))
    yield from key(win, "ctrl+z")
    yield from until(lambda: c.session.epoch == 7, 60, "Ctrl+Z")
    yield 3
    out["undone"] = [plotted(app), overlay(app)]
    result(out)
'''


def test_the_plot_comes_back_after_save_and_reopen(editor, tmp_path):
    path = tmp_path / "xor.json"
    path.write_text((GRAPHS / "xor.json").read_text())
    first = editor.run(TRAIN_AND_SAVE, file=path)
    saved = json.loads(path.read_text())
    assert saved["trained_epochs"] == 7 and first["overlay"] == "7 epochs trained"
    figures = saved["history"]["figures"]
    assert set(figures) == set(first["points"]) == {"mean_loss.loss", "train_accuracy.acc", "saturation_1.share"}
    for name, (xs, ys) in first["points"].items():
        assert xs == list(range(1, 8)) and ys == pytest.approx(figures[name], rel=1e-5)
    r = editor.run(REOPENED, file=path)
    plotted, overlay = r["reopened"]
    assert overlay == "7 epochs trained"
    assert plotted == {name: [list(range(1, 8)), ys] for name, ys in figures.items()}
    assert r["reset"] == [{}, "0 epochs trained", 0]
    top = max(figures["mean_loss.loss"]) * 1.08  # the loss axis reaches just above the largest loss
    assert r["loss_axis"][0] == pytest.approx([0.0, top], rel=1e-6) and r["loss_axis"][1] == pytest.approx([0.0, 1.0])
    assert r["undone"] == r["reopened"]


PANEL = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import click, focus, key, result, until, window_id, xdotool

def script(app):
    c = app.ctrl
    yield from until(lambda: app.frames > 3)
    win = window_id("nodeflow")
    focus(win)
    p = app.plot
    places = lambda: [list(dpg.get_item_rect_min(i)) for i in (p.run, p.epochs, p.cancel)]
    out = {"places": [places()]}
    buttons = [b for b in dpg.get_all_items() if dpg.get_item_type(b) == "mvAppItemType::mvButton"]
    out["runs"] = [b == p.run for b in buttons if dpg.get_item_label(b) in ("Run", "Pause")]
    out["epoch_fields"] = [i == p.epochs for i in dpg.get_all_items() if dpg.get_item_type(i) == "mvAppItemType::mvInputInt"
                           and dpg.get_value(i) == c.run_epochs]
    x, y, _, _ = app.canvas.screen_rect("weights_1")
    yield from click(win, (x + 20, y + 8))  # a node with parameters and formulas: the inspector grows
    yield from until(lambda: app.canvas.selection()[0] == ["weights_1"], 60, "the click on weights_1")
    yield 3
    out["places"].append(places())
    # type 20000 into the epochs field with real keys
    x, y = dpg.get_item_rect_min(p.epochs)
    yield from click(win, (x + 20, y + 8))
    xdotool("key", "ctrl+a")
    xdotool("type", "20000")
    yield 2
    xdotool("key", "Return")
    yield from until(lambda: c.run_epochs == 20000, 60, "the epochs typed")
    out["field"] = [dpg.get_item_rect_size(p.epochs)[0], dpg.get_text_size("20000")[0], c.session.epoch]
    c.animate = False
    x, y = dpg.get_item_rect_min(p.run)
    yield from click(win, (x + 20, y + 8))
    yield from until(lambda: c.running and c.session.epoch >= 3, 600, "the run to start")
    yield 2
    out["running"] = [dpg.get_item_label(p.run), dpg.get_item_configuration(p.progress)["overlay"], c.session.epoch,
                      c.run_state.start_epoch, places()]
    x, y = dpg.get_item_rect_min(p.cancel)
    yield from click(win, (x + 20, y + 8))
    yield from until(lambda: not c.running, 60, "Cancel")
    out["cancelled"] = [c.message.text, c.session.epoch]
    yield from key(win, "r")  # the key still runs (the panel's Run, for the epochs in its field)
    yield from until(lambda: c.running, 60, "R")
    yield 2
    out["r_key"] = [dpg.get_item_label(p.run), c.run_state.target_epoch - c.run_state.start_epoch]
    yield from key(win, "r")
    yield from until(lambda: not c.running, 60, "R again")
    out["r_again"] = c.message.text.split(" at epoch")[0]
    result(out)
'''


def test_run_cancel_and_progress_keep_their_places(editor):
    r = editor.run(PANEL, file=GRAPHS / "xor.json")
    assert r["places"][0] == r["places"][1] == r["running"][4]  # nothing moved them
    assert r["runs"] == [True] and r["epoch_fields"] == [True]  # one Run button and one epochs field: the panel's
    width, text, e0 = r["field"]
    assert width >= text + 60 and e0 == 0  # room for 20000 and the - + buttons; typing trained nothing
    label, overlay, epoch, start, _ = r["running"]
    assert label == "Pause" and start == 0
    assert re.fullmatch(r"epoch ([\d,]+) of 20,000 · this run: \1 of 20,000( · compiling the fast engine\.\.\.)?",
                        overlay), overlay
    message, stopped = r["cancelled"]
    assert message == f"cancelled at epoch {stopped}" and stopped >= 3
    assert r["r_key"] == ["Pause", 20000] and r["r_again"] == "paused"


PROBLEMS = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import result, until

def problems_windows():
    return [w for w in dpg.get_windows() if dpg.does_item_exist(w) and dpg.get_item_label(w) == "Cannot open bad.json"
            and dpg.is_item_shown(w)]

def script(app):
    c = app.ctrl
    yield from until(lambda: app.frames > 3)
    app.open_dialog()
    dialogs = lambda: [i for i in dpg.get_all_items() if dpg.get_item_type(i) == "mvAppItemType::mvFileDialog"]
    yield from until(dialogs, 30, "the Open dialog")
    dlg = dialogs()[0]
    dpg.get_item_callback(dlg)(dlg, {"file_path_name": __import__("os").path.abspath("bad.json")})  # its OK
    yield from until(problems_windows, 30, "the problems dialog")
    yield 3
    (win,) = problems_windows()
    texts = []
    for item in dpg.get_item_children(win, 1):  # the heading, then the list in its scrolling part
        kind = dpg.get_item_type(item)
        if kind == "mvAppItemType::mvText":
            texts.append(dpg.get_value(item))
        elif kind == "mvAppItemType::mvChildWindow":
            texts += [dpg.get_value(t) for t in dpg.get_item_children(item, 1)]
    app.screenshot("problems.png")
    yield from until(lambda: __import__("os").path.exists("problems.png"), 120, "the screenshot")
    yield 2
    result({"texts": texts, "status": c.message.text, "still": c.path.name if c.path else None})
'''

BAD_FILE = """{
  "format": "nodeflow.graph",
  "version": 1,
  "settings": {"seed": -1, "data": "xor"},
  "nodes": [
    {"id": "dataset", "type": "Dataset"},
    {"id": "w", "type": "Weights", "params": {"shape": [1, 2], "value": [1, 2, 3]}},
    {"id": "s", "type": "Sigmod"},
    {"id": "b", "type": "Bias", "params": {"sise": 2}}
  ],
  "links": [
    {"from": "dataset.x", "to": "nowhere.x"},
    {"from": "w.W", "to": "b.b"}
  ]
}
"""


def test_a_file_that_fails_to_load_lists_every_problem_with_its_line(editor, tmp_path):
    (tmp_path / "bad.json").write_text(BAD_FILE)
    r = editor.run(PROBLEMS, file=GRAPHS / "xor.json")
    assert r["texts"][0] == "6 problems; nothing was changed:"
    assert r["texts"][1:] == [
        "- line 4: settings.seed: seed must be at least 0, not -1",
        "- line 7: nodes[1] (w): params.value has shape [3] but the node's size says [1, 2]",
        "- line 8: nodes[2] (s): unknown node type 'Sigmod' (did you mean 'Sigmoid'?)",
        "- line 9: nodes[3] (b): Bias has no parameter 'sise' (it has: size, init, scale, value)",
        "- line 12: links[0] (dataset.x -> nowhere.x): there is no node 'nowhere'",
        "- line 13: links[1] (w.W -> b.b): b.b is an output; a wire must end at an input (outputs cannot be "
        "wired together)"]
    assert r["status"] == "cannot open bad.json: 6 problems, each listed in the window opened"
    assert r["still"] == "xor.json"  # the open graph stays


FORMULA = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import click, focus, result, until, window_id, xdotool

def script(app):
    c = app.ctrl
    yield from until(lambda: app.frames > 3)
    c.set_param("weight_update_1", "optimizer", "adam")
    c.set_param("weight_update_1", "l2", 0.001)
    for _ in range(3):
        c.step_sample()
    win = window_id("nodeflow")
    focus(win)
    x, y, _, _ = app.canvas.screen_rect("weight_update_1")
    yield from click(win, (x + 30, y + 8))
    yield from until(lambda: app.inspector.explained is not None and app.inspector.explained.node == "weight_update_1",
                     60, "the click on the update node")
    e = app.inspector.explained
    x, y = dpg.get_item_rect_min(e.fields[1])
    yield from click(win, (x + 20, y + 8))  # the column of the element: 1
    xdotool("key", "ctrl+a")
    xdotool("type", "1")
    xdotool("key", "Return")
    yield from until(lambda: e.at == [0, 1], 60, "the element picked")
    yield 3
    out = {"formulas": dpg.get_value(e.formulas), "worked": dpg.get_value(e.worked), "at": e.at}
    g = c.graph
    t = g.type_of("weight_update_1")
    out["want"] = "\\n".join(s for line in t.worked(g.params("weight_update_1"), g.settings,
                                                  c.session.last_values("weight_update_1"), (0, 1))
                             for s in line.lines())
    out["want_formulas"] = "\\n".join(t.formulas(g.params("weight_update_1"), g.settings))
    app.screenshot("formula.png")
    yield from until(lambda: __import__("os").path.exists("formula.png"), 120, "the screenshot")
    yield 2
    result(out)
'''


def test_the_inspector_shows_what_a_node_computes(editor, tmp_path):
    r = editor.run(FORMULA, file=GRAPHS / "apples_oranges.json")
    assert r["at"] == [0, 1]
    assert r["formulas"] == r["want_formulas"] and "step = −lr·m̂ / (√v̂ + ε)" in r["formulas"]
    assert r["worked"] == r["want"]
    assert r["worked"].startswith("grad[0,1] = delta[0]·x[1]") and "new[0,1] = W[0,1] + step[0,1]" in r["worked"]
    assert (tmp_path / "formula.png").read_bytes()[:4] == b"\x89PNG"
