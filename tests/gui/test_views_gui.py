"""View nodes drawn live inside their nodes, and the probe typed with real keys, in a real window."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nodeflow import mlp, save

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


pytestmark = pytest.mark.usefixtures("needs_xdotool")


LIVE = '''
import dearpygui.dearpygui as dpg
import numpy as np
from nodeflow.views import READS_RUN, ViewContext, picture
from nodeflow.gui.scripting import result, until

VIEWS = ["hidden_units", "decision_regions", "confusion", "probabilities"]


def on_canvas(app, node):
    """The picture a view node shows: its texture's pixels (RGB)."""
    p = app.canvas.nodes[node].picture
    w, h = p.size
    return np.array(dpg.get_value(p.texture), dtype=float).reshape(h, w, 4)[..., :3]


def headless(app, node):
    """What nodeflow.views draws for the node now, from the same session."""
    c = app.ctrl
    g = c.graph
    inputs = {p.name: c.session.value(w.src, w.src_port) for p in g.type_of(node).inputs
              if (w := g.wire_into(node, p.name)) is not None}
    return picture(ViewContext(c.session, node, g.params(node), inputs), g.type_of(node).name).rgb


def same(app):
    """Per view: does the canvas show exactly the headless picture (float32 textures: 1e-6)?"""
    return {n: bool(np.allclose(on_canvas(app, n), headless(app, n), rtol=0, atol=1e-6)) for n in VIEWS}


def script(app):
    c, cv = app.ctrl, app.canvas
    pics = cv.values.views
    yield from until(lambda: app.frames > 3 and not cv.animating, 300, "the canvas")
    c.step_sample()
    yield from until(lambda: all(cv.nodes[n].picture.size for n in VIEWS), 60, "the pictures")
    yield 2
    out = {"reads_run": sorted(READS_RUN), "first": same(app)}
    regions = on_canvas(app, "decision_regions")
    c.animate, c.run_epochs = False, 40
    n0 = pics.count
    c.toggle_run()
    yield from until(lambda: not c.running, 20000, "the run")
    yield 3
    out["trained"] = [same(app), bool(np.abs(on_canvas(app, "decision_regions") - regions).max() > 0.1),
                      pics.count - n0, c.session.epoch]
    bottom = max(cv.nodes[n].rect()[1] + cv.nodes[n].rect()[3] for n in VIEWS)  # the views out of view:
    cv.look_at((cv.view.center[0], cv.view.center[1] + bottom - cv.in_view()[1] + 10))
    yield 3
    n0 = pics.count
    c.step_epoch()
    yield 5
    out["out_of_view"] = [pics.count - n0, sorted(pics.waiting)]
    cv.fit()
    yield 5
    out["back_in_view"] = [pics.count - n0, sorted(pics.waiting), same(app)]
    result(out)
'''


def test_view_nodes_draw_live_inside_their_nodes(editor):
    r = editor.run(LIVE, file=GRAPHS / "circle_regions.json")
    assert r["reads_run"] == ["ConfusionMatrix", "DecisionRegions", "FittedCurve", "UnitActivations"]
    every = dict.fromkeys(["hidden_units", "decision_regions", "confusion", "probabilities"], True)
    assert r["first"] == every  # each node shows what nodeflow.views draws
    same, changed, redrawn, epoch = r["trained"]
    assert same == every and changed and epoch == 40  # redrawn as the weights changed, and up to date at the end
    assert 4 <= redrawn  # (how often while running depends on the time: rate-limited)
    assert r["out_of_view"] == [0, ["confusion", "decision_regions", "hidden_units", "probabilities"]]  # waiting
    assert r["back_in_view"] == [4, [], every]  # drawn once they came into view


PROBE = '''
import dearpygui.dearpygui as dpg
import numpy as np
from nodeflow.document.graph import Link
from nodeflow.gui.scripting import click, drawn_text, focus, key, result, until, window_id, xdotool


def training(c):
    s = c.session
    return [s.value("weights_1", "W").tolist(), s.value("bias_1", "b").tolist(), s.epoch, s.sample, s.cursor,
            s.run.mem.tobytes().hex(), s.run.version]


def shown(app):
    """What the canvas shows: wire labels and the values beside output pins."""
    cv = app.canvas
    wires = {str(l): w.value[0] for l, w in cv.wires.items() if l.src in ("dataset", "weighted_sum_1", "identity_1")}
    pins = {f"{n}.{p}": drawn_text(t) for n in ("dataset", "weighted_sum_1", "identity_1")
            for p, t in cv.nodes[n].values.items()}
    return {"wires": wires, "pins": pins}


def script(app):
    c = app.ctrl
    yield from until(lambda: app.frames > 3 and not app.canvas.animating, 300, "the canvas")
    win = window_id("nodeflow")
    focus(win)
    for _ in range(3):
        yield from key(win, "n")  # mid-sample: the cursor is not at the start
    yield from until(lambda: c.session.cursor == 3, 60, "three nodes stepped")
    yield 3
    out = {"before": training(c), "shown_before": shown(app)}
    panel = app.inspector.probe
    out["folded"] = dpg.get_value(panel.header)
    x, y = dpg.get_item_rect_min(panel.header)
    yield from click(win, (x + 40, y + 8))  # open the panel
    yield from until(lambda: dpg.get_value(panel.header), 60, "the probe panel to open")
    yield 2
    out["features"] = list(panel.names)
    view = app.canvas.view.version
    for field, text in zip(panel.fields, ("2.2", "1.5")):
        x, y = dpg.get_item_rect_min(field)
        yield from click(win, (x + 30, y + 8))
        xdotool("key", "ctrl+a")
        xdotool("type", text)
        yield 2
    xdotool("key", "Return")
    yield from until(lambda: c.probing is not None, 60, "the probe")
    yield 5
    out["probing"] = [shown(app), dpg.get_value(panel.answer), c.message.text, sorted(c.probing.evaluated),
                      app.canvas.nodes["error"].look[2], app.canvas.view.version == view]
    out["during"] = training(c)
    yield from key(win, "Escape")
    yield from until(lambda: c.probing is None, 60, "Esc")
    yield 5
    out["left"] = [shown(app), c.message.text, dpg.get_value(panel.answer)]
    out["after"] = training(c)
    result(out)
'''

ROWS = "a,b,y\n1,10,5\n3,30,9\n2,20,4\n5,50,13\n"  # raw: a in [1, 5], b in [10, 50], y in [4, 13]


def test_a_probe_typed_in_raw_units_flows_through_and_leaves_training_alone(editor, tmp_path):
    from nodeflow.gui import wires
    import numpy as np

    (tmp_path / "rows.csv").write_text(ROWS)
    g = mlp([2, 1], "identity", data="rows.csv", split=1.0, target="value", base_dir=tmp_path)
    g.state("weights_1")["value"][:] = [[0.5, -0.25]]
    g.state("bias_1")["value"][:] = [0.125]
    save(g, tmp_path / "g.json")
    r = editor.run(PROBE, file=tmp_path / "g.json")
    x = [(2.2 - 1.0) / 4.0, (1.5 - 10.0) / 40.0]  # by hand: the inputs' min-max scaling
    z = 0.5 * x[0] - 0.25 * x[1] + 0.125  # the neuron
    raw = z * 9.0 + 4.0  # the target's scaling undone
    predicted = subprocess.run([sys.executable, "-m", "nodeflow", "predict", str(tmp_path / "g.json"),
                                "--input", "2.2,1.5"], capture_output=True, text=True, check=True).stdout
    assert predicted == f"2.2, 1.5 -> {raw:.6g}\n"
    assert r["folded"] is False and r["features"] == ["a", "b"]  # folded until opened; the data's own names
    shown, answer, message, evaluated, error_dimmed, same_view = r["probing"]
    xs, zs = wires.format_value(np.array(x)), wires.format_value(np.array([z]))
    assert xs == "[0.3 -0.212]" and shown["wires"] == {
        "dataset.x -> weighted_sum_1.x": xs, "dataset.x -> weight_update_1.x": xs,
        "dataset.target -> error.target": "", "dataset.target -> train_accuracy.target": "",  # no target: one's own
        "weighted_sum_1.z -> identity_1.z": zs, "identity_1.y -> error.y": zs, "identity_1.y -> train_accuracy.y": zs,
        "identity_1.slope -> delta_1.slope": "1"}
    assert shown["pins"]["dataset.x"] == "[0.3 -0.21]" and shown["pins"]["dataset.target"] == "-"
    assert shown["pins"]["weighted_sum_1.z"] == shown["pins"]["identity_1.y"] == f"{z:.4g}"
    assert answer == "-> " + predicted.split(" -> ")[1].strip()  # what nodeflow predict says
    assert message.startswith(f"probe: 2.2, 1.5 -> {raw:.6g}")
    assert evaluated == ["bias_1", "dataset", "identity_1", "weighted_sum_1", "weights_1"] and error_dimmed
    assert r["during"] == r["before"] == r["after"]  # weights, epoch, sample, cursor, memory: untouched
    shown, message, answer = r["left"]
    assert shown == r["shown_before"] and answer == "" and message.startswith("left the probe")
    assert same_view  # typing "1.5" did not zoom to 100 % (the 1 key): the field had the keyboard
    assert r["shown_before"]["pins"]["weighted_sum_1.z"] == "0"  # (not evaluated yet in this first sample)
