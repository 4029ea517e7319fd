"""Running, views, gradient check, profiling, divergence, dialogs and screenshots, in a real window."""
from __future__ import annotations

from pathlib import Path

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"

FEATURES = '''
import inspect

import dearpygui.dearpygui as dpg
import numpy as np
from nodeflow.document.graph import Link
from nodeflow.gui import wires
from nodeflow.gui.scripting import result, until
from nodeflow.views.images import heat_map

GRAPHS = "%s"


def text(item):
    return dpg.get_item_configuration(item)["text"]


def modal_labels():
    return [dpg.get_item_label(w) for w in dpg.get_windows()
            if dpg.does_item_exist(w) and dpg.get_item_configuration(w).get("modal")]


def script(app):
    c, cv = app.ctrl, app.canvas
    out = {}
    yield 2
    # view nodes: a heat map of W1 and a watch on the output
    heat = c.add_node("HeatMap", (0, -200))
    watch = c.add_node("Watch", (1500, -200))
    c.connect("weights_1", "W", heat, "value")
    c.connect("sigmoid_2", "y", watch, "value")
    units = c.add_node("UnitImages", (300, -200))
    c.connect("weights_1", "W", units, "W")
    c.step_sample()
    yield 3
    out["units_note"] = [text(cv.nodes[units].note), cv.nodes[units].picture.size]
    out["heat_size"] = list(cv.nodes[heat].picture.size)
    out["heat_want"] = list(heat_map(c.session.value("weights_1", "W"), 10).shape[:2])
    out["watch"] = [text(cv.nodes[watch].note), wires.format_full(c.session.value("sigmoid_2", "y"), limit=6)]
    # the inspector's fields edit the graph (what typing + Enter does)
    def enter(item, value):  # dearpygui passes a callback as many of (sender, value, user data) as it takes
        cb = dpg.get_item_callback(item)
        cb(*(item, value, dpg.get_item_user_data(item))[:len(inspect.signature(cb).parameters)])

    enter(app.inspector.widgets["lr"], 0.75)
    app.inspector._build_node("weight_update_1")
    enter(app.inspector.node_widgets["optimizer"], "momentum")
    enter(app.inspector.node_widgets["momentum"], 0.5)
    enter(app.inspector.label, "first update")
    out["inspector"] = [c.graph.settings["lr"], c.graph.params("weight_update_1")["optimizer"],
                        c.graph.params("weight_update_1")["momentum"], c.graph.attrs("weight_update_1")["label"],
                        text(cv.nodes["weight_update_1"].title)]
    enter(app.inspector.node_widgets["momentum"], 5.0)
    out["bad_param"] = [c.message.kind, c.message.text]
    for _ in range(4):
        c.undo()
    yield 2
    # gradient check badges
    c.gradient_check()
    yield 2
    out["badges"] = {n: text(cv.nodes[n].badge) for n in ("weights_1", "bias_1", "weights_2", "bias_2")}
    out["badge_shown"] = dpg.is_item_shown(cv.nodes["weights_1"].badge)
    # profiling: microseconds on every node
    c.set_profiling(True)
    c.step_sample()
    yield 2
    out["profile"] = text(cv.nodes["sigmoid_1"].badge)
    c.set_profiling(False)
    # a run without animation, in slices, with the plot following
    c.animate, c.run_epochs = False, 30
    e0 = c.session.epoch
    c.toggle_run()
    yield from until(lambda: not c.running, 600, "the fast run")
    out["fast_run"] = [e0, c.session.epoch, len(dpg.get_value(app.plot.series["mean_loss.loss"])[0]), len(c.session.stats)]
    out["plot_loss"] = dpg.get_value(app.plot.series["mean_loss.loss"])[1][-1]
    out["plot_labels"] = sorted(dpg.get_item_label(s) for s in app.plot.series.values())
    out["last_loss"] = c.session.stats[-1].loss
    # an animated run, one sample at a time, then cancel a long one
    c.animate, c.speed, c.run_epochs = True, 200.0, 1
    e0 = c.session.epoch
    c.toggle_run()
    yield from until(lambda: not c.running, 600, "the animated run")
    out["animated"] = [e0, c.session.epoch]
    c.animate, c.run_epochs = False, 100000
    c.toggle_run()
    yield 3
    out["button_while_running"] = [dpg.get_item_label(app.plot.run), c.running, c.message.text]
    c.toggle_run()
    out["paused"] = [c.running, c.message.text]
    # a wire cut by a line across it (what Ctrl+drag does)
    link = Link("weights_1", "W", heat, "value")
    mx, my = cv.wires[link].mid
    cv.cut((mx - 15, my - 15), (mx + 15, my + 15))
    yield 2
    out["delinked"] = [link in cv.wires, c.graph.wire_into(heat, "value") is None]
    # screenshot
    app.screenshot("shot.png")
    yield from until(lambda: __import__("os").path.exists("shot.png"), 120, "the screenshot")
    yield 2
    out["shot"] = open("shot.png", "rb").read(8) == b"\\x89PNG\\r\\n\\x1a\\n"
    # divergence: red wire and node, one-line message, weights kept
    c.open(GRAPHS + "/adding_neuron.json")
    c.set_setting("lr", 100.0)
    c.animate, c.run_epochs = False, 5
    c.toggle_run()
    yield from until(lambda: not c.running, 600, "the diverging run")
    yield 2
    d = c.session.divergence
    bad_links = [str(l) for l, w in cv.wires.items() if w.value[1] == wires.BAD_COLOUR]
    out["diverged"] = {"message": c.message.text, "node": d.node if d else None,
                       "node_red": cv.nodes[d.node].look[0] == wires.BAD_COLOUR if d else False, "bad_links": bad_links,
                       "status": dpg.get_value(app.status.message)}
    c.step_back()
    yield 2
    out["after_back"] = [cv.nodes["error"].look[0] == wires.BAD_COLOUR,
                         [str(l) for l, w in cv.wires.items() if w.value[1] == wires.BAD_COLOUR]]
    # new network from the dialog
    app.new_network()
    yield 2
    out["confirm"] = modal_labels()
    for w in dpg.get_windows():
        if dpg.get_item_label(w) == "Unsaved changes":
            buttons = [b for b in dpg.get_item_children(dpg.get_item_children(w, 1)[-1], 1)]
            dont = next(b for b in buttons if dpg.get_item_label(b) == "Don't save")
            dpg.get_item_callback(dont)()
    yield 2
    out["dialog"] = modal_labels()
    for w in dpg.get_windows():
        if dpg.get_item_label(w) == "New network":
            dpg.delete_item(w)  # what its Cancel button does
            break
    yield 2
    c.new_network([2, 3, 1], "tanh", "xor", 0.5, 2)
    yield 2
    out["new"] = [len(c.graph.node_ids), len(cv.nodes), len(c.graph.links()), len(cv.wires), c.title,
                  c.graph.settings["network"]]
    out["bad_new"] = [c.new_network([3, 1], "sigmoid", "xor"), c.message.text]
    # closing with unsaved changes asks first
    app.request_quit()
    yield 2
    out["quit_asks"] = modal_labels()
    result(out)
''' % GRAPHS


def test_views_runs_checks_and_dialogs(editor):
    r = editor.run(FEATURES, file=GRAPHS / "xor.json")
    assert r["heat_size"] == r["heat_want"][::-1] == [20, 20]
    assert r["watch"][0] == r["watch"][1]
    assert r["units_note"] == ["2 inputs are not a square picture", None]
    assert r["inspector"] == [0.75, "momentum", 0.5, "first update", "first update"]
    assert r["bad_param"][0] == "error" and "momentum" in r["bad_param"][1]
    assert all(v.startswith("grad ok") for v in r["badges"].values()) and r["badge_shown"]
    assert r["profile"].endswith(" us") or r["profile"].endswith(" ms")
    assert r["button_while_running"][0] == "Pause", r["button_while_running"]
    e0, e1, points, stats = r["fast_run"]
    assert e1 == e0 + 30 and points == stats == 30
    assert abs(r["plot_loss"] - r["last_loss"]) < 1e-9
    assert r["plot_labels"] == ["mean loss", "saturation 1", "train accuracy"]  # every per-epoch figure
    assert r["animated"][1] == r["animated"][0] + 1
    assert r["paused"][0] is False and r["paused"][1].startswith("paused at epoch")
    assert r["delinked"] == [False, True]
    assert r["shot"]
    d = r["diverged"]
    assert d["message"].startswith("diverged: error.E became infinite") and "\n" not in d["message"]
    assert d["status"] == d["message"] and d["node_red"] and d["bad_links"]
    assert r["after_back"] == [False, []]
    assert "Unsaved changes" in r["confirm"] and "New network" in r["dialog"]
    n, widgets, links, link_widgets, title, recipe = r["new"]
    assert n == widgets and links == link_widgets and title.startswith("untitled *")
    assert recipe["layers"] == [2, 3, 1] and recipe["activation"] == "tanh"
    assert r["bad_new"][0] is False and "layers 3,1 do not fit" in r["bad_new"][1]
    assert "Unsaved changes" in r["quit_asks"]
