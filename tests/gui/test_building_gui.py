"""Building from scratch with real mouse and keys: parameters follow their wires, stray nodes are
skipped, the data is chosen from a list."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nodeflow.data import BUILTIN

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


pytestmark = pytest.mark.usefixtures("needs_xdotool")


WIRE = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import drag, drawn_text, focus, key, result, until, window_id

def script(app):
    c = app.ctrl
    yield from until(lambda: app.frames > 3)
    c.new_empty()
    c.set_setting("data", "apples-oranges")
    for t, at in (("Dataset", (0, 0)), ("Weights", (0, 120)), ("WeightedSum", (260, 40))):
        c.add_node(t, at)
    yield 4
    win = window_id("nodeflow")
    focus(win)
    pin = app.canvas.pin_screen_pos
    yield from drag(win, pin("weights_1", "W", "out"), pin("weighted_sum_1", "W", "in"))
    yield from until(lambda: len(c.graph.links()) == 1, 60, "the W wire")
    out = {"before": [c.graph.params("weights_1")["shape"], c.graph.state("weights_1")["value"].tolist()]}
    yield from drag(win, pin("dataset", "x", "out"), pin("weighted_sum_1", "x", "in"))
    yield from until(lambda: len(c.graph.links()) == 2, 60, "the x wire")
    yield 3
    out["after"] = [c.graph.params("weights_1")["shape"], c.graph.state("weights_1")["value"].tolist()]
    out["message"] = c.message.text
    out["pin"] = drawn_text(app.canvas.nodes["weights_1"].values["W"])
    out["widgets"] = [len(app.canvas.wires), sorted(app.canvas.nodes)]
    yield from key(win, "ctrl+z")
    yield from until(lambda: len(c.graph.links()) == 1, 60, "Ctrl+Z")
    yield 2
    out["undone"] = [c.graph.params("weights_1")["shape"], c.graph.state("weights_1")["value"].tolist(),
                     len(app.canvas.wires)]
    yield from key(win, "ctrl+y")  # redo the x wire: the weights follow again
    yield from until(lambda: len(c.graph.links()) == 2, 60, "Ctrl+Y")
    c.add_node("Sigmoid", (420, 40))
    c.connect("weighted_sum_1", "z", "sigmoid_1", "z")
    yield from key(win, "space")  # a forward-only graph steps (no loss: nothing to skip for)
    yield from until(lambda: c.session.sample == 1, 60, "Space")
    out["stepped"] = [c.graph.params("weights_1")["shape"], c.session.value("sigmoid_1", "y").tolist()]
    result(out)
'''


def test_wiring_x_into_a_fresh_weighted_sum_resizes_its_weights(editor):
    r = editor.run(WIRE)
    (shape0, w0), (shape1, w1) = r["before"], r["after"]
    assert shape0 == [1, 1] and shape1 == [1, 2] and w1[0][0] == w0[0][0]  # drawn again from the same seed
    assert r["message"] == ("connected dataset.x -> weighted_sum_1.x; weights_1 resized to (1, 2) to fit "
                            "(Ctrl+Z undoes both)")
    assert r["pin"] == "[" + " ".join(f"{v:.2g}" for v in w1[0]) + "]"  # both numbers shown beside the pin
    assert r["widgets"] == [2, ["dataset", "weighted_sum_1", "weights_1"]]
    assert r["undone"] == [[1, 1], w0, 1]
    shape, y = r["stepped"]
    assert shape == [1, 2] and len(y) == 1 and 0 < y[0] < 1


STRAY = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import click, drawn_text, focus, key, result, until, window_id

def script(app):
    c = app.ctrl
    yield from until(lambda: app.frames > 3)
    win = window_id("nodeflow")
    focus(win)
    x, y = dpg.get_item_rect_min(app.palette.buttons["Tanh"])
    yield from click(win, (x + 30, y + 8))  # a palette click adds a Tanh, wired to nothing
    yield from until(lambda: "tanh_1" in c.graph, 60, "the Tanh node")
    out = {}
    for _ in range(3):
        yield from key(win, "n")
    yield from until(lambda: c.session.cursor == 3, 60, "N to step three nodes")
    out["after_n"] = [c.session.cursor, c.message.text, dpg.get_value(app.status.state)]
    yield from key(win, "space")
    yield from until(lambda: c.session.sample == 1, 60, "Space to finish the sample")
    yield 3
    stray = app.canvas.nodes["tanh_1"]
    out["pins"] = [drawn_text(app.canvas.nodes["sigmoid_2"].values["y"]), drawn_text(stray.values["y"])]
    badge = dpg.get_item_configuration(stray.badge)
    out["stray"] = [stray.look[2], badge["text"], badge["show"], app.canvas.nodes["sigmoid_2"].look[2]]
    out["want"] = c.session.value("sigmoid_2", "y").tolist()
    out["skipped"] = dict(c.session.plan.skipped)
    result(out)
'''


def test_a_stray_node_does_not_stop_stepping(editor):
    r = editor.run(STRAY, file=GRAPHS / "xor.json")
    cursor, message, status = r["after_n"]
    assert cursor == 3 and message.startswith("evaluated ")
    assert "skipped tanh_1 (z is not connected)" in status
    assert r["skipped"] == {"tanh_1": "z is not connected"}
    assert r["pins"] == [f"{r['want'][0]:.4g}", "-"]  # the network's value; nothing on the stray node
    assert r["stray"] == [True, "skipped: not connected to the loss", True, False]  # dimmed, with its badge


DATA = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui import datachoice
from nodeflow.gui.scripting import result, until

def pick(app, shown):
    """What choosing an entry of the data list does."""
    dpg.get_item_callback(app.inspector.data.combo)(app.inspector.data.combo, shown)

def file_dialogs():
    return [i for i in dpg.get_all_items() if dpg.get_item_type(i) == "mvAppItemType::mvFileDialog"]

def script(app):
    c = app.ctrl
    yield from until(lambda: app.frames > 3)
    out = {"items": dpg.get_item_configuration(app.inspector.data.combo)["items"],
           "shown": dpg.get_value(app.inspector.data.combo)}
    pick(app, "circle")
    yield 2
    out["circle"] = [c.graph.settings["data"], dpg.get_value(app.inspector.data.combo)]
    pick(app, datachoice.CSV_FILE)
    yield from until(lambda: file_dialogs(), 30, "the file dialog")
    (dlg,) = file_dialogs()
    out["dialog"] = dpg.get_item_label(dlg)
    dpg.get_item_callback(dlg)(dlg, {"file_path_name": __import__("os").path.abspath("fruit.csv")})  # its OK
    yield 3
    out["csv"] = [c.graph.settings["data"], dpg.get_value(app.inspector.data.combo), c.message.text]
    out["items_after"] = dpg.get_item_configuration(app.inspector.data.combo)["items"]
    pick(app, "xor")
    yield 2
    pick(app, out["items_after"][len(out["items"]) - 1])  # the recent file, chosen from the list again
    yield 2
    out["again"] = c.graph.settings["data"]
    result(out)
'''


def test_the_data_is_chosen_from_a_list(editor, tmp_path):
    import os

    (tmp_path / "fruit.csv").write_text("size,colour,sweetness\n1,2,0.5\n2,1,0.75\n3,3,0.25\n4,1,0.6\n")
    r = editor.run(DATA, file=GRAPHS / "xor.json")
    assert r["items"] == list(BUILTIN) + ["CSV file..."]  # every built-in set, from the one registry
    assert r["shown"] == "xor" and r["circle"] == ["circle", "circle"]
    assert r["dialog"] == "Data: a CSV file"
    path = str((tmp_path / "fruit.csv").resolve())
    assert r["csv"][0] == path and r["csv"][1] == f"fruit.csv  (…/{tmp_path.name})" and r["csv"][2] == f"data = {path}"
    assert r["items_after"][-2] == f"fruit.csv  (…/{tmp_path.name})" and r["again"] == path
    recent = json.loads((Path(os.environ["NODEFLOW_CONFIG"]) / "recent.json").read_text())
    assert recent["data"][0] == path
