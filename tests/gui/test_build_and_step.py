"""Build XOR from the palette in a real window, step it, and check what the pins show."""
from __future__ import annotations

BUILD_XOR = '''
import dearpygui.dearpygui as dpg
import numpy as np
from nodeflow.document import files as fileio
from nodeflow.document.graph import Link
from nodeflow.gui import wires
from nodeflow.gui.canvas.scene import NodeItem
from nodeflow.gui.canvas.style import PHASE_COLOURS
from nodeflow.gui.scripting import result, until

NODES = ["Dataset", "Weights", "Bias", "WeightedSum", "Sigmoid", "Weights", "Bias", "WeightedSum", "Sigmoid",
         "Error", "Delta", "BackDelta", "WeightUpdate", "BiasUpdate", "WeightUpdate", "BiasUpdate", "MeanLoss"]
PARAMS = {"weights_1": {"shape": [2, 2]}, "bias_1": {"size": 2}, "weights_2": {"shape": [1, 2]}, "bias_2": {"size": 1}}
WIRES = ["weights_1.W weighted_sum_1.W", "dataset.x weighted_sum_1.x", "weighted_sum_1.z sigmoid_1.z",
         "bias_1.b weighted_sum_1.b", "weights_2.W weighted_sum_2.W", "sigmoid_1.y weighted_sum_2.x",
         "bias_2.b weighted_sum_2.b", "weighted_sum_2.z sigmoid_2.z", "sigmoid_2.y error.y",
         "dataset.target error.target", "error.grad delta_1.grad", "sigmoid_2.slope delta_1.slope",
         "weights_2.W back_delta_1.W", "delta_1.delta back_delta_1.delta_next", "sigmoid_1.slope back_delta_1.slope",
         "weights_2.W weight_update_2.W", "delta_1.delta weight_update_2.delta", "sigmoid_1.y weight_update_2.x",
         "bias_2.b bias_update_2.b", "delta_1.delta bias_update_2.delta",
         "weights_1.W weight_update_1.W", "back_delta_1.delta weight_update_1.delta", "dataset.x weight_update_1.x",
         "bias_1.b bias_update_1.b", "back_delta_1.delta bias_update_1.delta", "error.E mean_loss_1.E"]


def text(item):
    return dpg.get_item_configuration(item)["text"]


def pins_match(app):
    """Every output's text beside its pin, and every wire's label, against the evaluator's value: the mismatches."""
    bad = []
    ev = app.ctrl.session
    for node, w in app.canvas.nodes.items():
        for port, item in w.values.items():
            want = NodeItem.value_text(ev.value(node, port))
            if text(item) != want:
                bad.append([node, port, text(item), want])
    shown = 0
    for link, w in app.canvas.wires.items():
        want = wires.format_value(ev.value(link.src, link.src_port))
        visible = dpg.get_item_configuration(w.label)["show"]
        shown += visible
        if w.value[0] != want or visible and text(w.text) != want:
            bad.append([str(link), text(w.text), want])
    return bad if shown else bad + ["no wire label shown"]


def connect_by_pins(app, src, dst):
    """The end of a wire dragged from an output pin and dropped on an input pin, found by hit-testing
    the pins where the canvas draws them."""
    cv = app.canvas
    (a, ap), (b, bp) = src.split("."), dst.split(".")
    cv.input.hit = cv.hit(cv.canvas_point(cv.pin_screen_pos(a, ap, "out")))
    cv.input._finish_wire(cv.hit(cv.canvas_point(cv.pin_screen_pos(b, bp, "in"))))


def script(app):
    c = app.ctrl
    out = {}
    c.new_empty()
    yield 3
    for t in NODES:
        app.palette.add(t)  # what a palette button does
    yield 2
    out["nodes"] = sorted(c.graph.node_ids)
    out["widgets"] = sorted(app.canvas.nodes)
    for n, ps in PARAMS.items():
        for k, v in ps.items():
            c.set_param(n, k, v)
    # search + Enter adds the first match
    dpg.set_value(app.palette.search, "meanl")
    app.palette._filter()
    out["search"] = app.palette.matches()
    before = set(c.graph.node_ids)
    app.palette.add_first_match()
    out["search_added"] = sorted(set(c.graph.node_ids) - before)
    c.delete(out["search_added"])
    yield 2
    for k, w in enumerate(WIRES):
        if w == "bias_1.b weighted_sum_1.b":  # first try a wire that closes a loop
            connect_by_pins(app, "sigmoid_1.y", "weighted_sum_1.b")
            yield 2
            out["refusal"] = c.message.text
            out["refusal_shown"] = dpg.get_value(app.status.message)
            out["links_after_refusal"] = len(app.canvas.wires)
        n = len(c.graph.links())
        connect_by_pins(app, *w.split())
        if len(c.graph.links()) != n + 1:
            out.setdefault("failed_wires", []).append([w, c.message.text])
    yield 3
    out["links"] = len(c.graph.links())
    if out.get("failed_wires"):
        result(out)
        return
    out["link_widgets"] = len(app.canvas.wires)
    app.canvas.fit()  # wire labels show where the whole graph is in view
    yield 3
    out["problems"] = c.graph.problems()
    # undo / redo the last wire
    c.undo()
    yield 2
    out["after_undo"] = [len(c.graph.links()), len(app.canvas.wires)]
    c.redo()
    yield 2
    out["after_redo"] = [len(c.graph.links()), len(app.canvas.wires)]
    # step a node, a sample, an epoch; pins must show the evaluator's values
    c.step_node()
    yield 3
    out["pending"] = [sorted(n for n, w in app.canvas.nodes.items() if w.look[2]),
                      sorted({s.node for s in c.session.steps[1:]})]
    out["hot"] = app.canvas.nodes[c.session.last_node].look[0] == PHASE_COLOURS["forward"]
    out["after_node"] = {"last": c.session.last_node, "first": c.session.steps[0].node, "bad": pins_match(app), "status": dpg.get_value(app.status.state)}
    c.step_sample()
    yield 3
    out["after_sample"] = {"sample": c.session.sample, "bad": pins_match(app)}
    c.step_epoch()
    yield 3
    out["after_epoch"] = {"epoch": c.session.epoch, "bad": pins_match(app),
                          "loss": c.session.stats[-1].loss, "title": dpg.get_viewport_title()}
    out["W1_pin"] = text(app.canvas.nodes["weights_1"].values["W"])
    out["W1_wire"] = app.canvas.wires[Link("weights_1", "W", "weighted_sum_1", "W")].value[0]
    out["W1"] = c.session.value("weights_1", "W").tolist()
    # save, reload, compare
    c.save("built.json")
    before = fileio.to_dict(c.graph)
    out["saved_W1"] = c.graph.state("weights_1")["value"].tolist() == out["W1"]  # saving took the trained values
    out["title_saved"] = c.title
    yield 2
    c.open("built.json")
    yield 3
    out["same_after_reload"] = fileio.to_dict(c.graph) == before
    out["widgets_after_reload"] = [len(app.canvas.nodes), len(app.canvas.wires)]
    # a file that fails to load leaves the graph alone and lists its problems
    open("broken.json", "w").write('{"format": "nodeflow.graph", "version": 1, "nodes": [{"id": "x", "type": "Nope"}]}')
    c.open("broken.json")
    yield 3
    out["broken_message"] = c.message.text
    out["dialogs"] = [dpg.get_item_label(w) for w in dpg.get_windows() if dpg.get_item_configuration(w).get("modal")]
    out["still_open"] = str(c.path)
    result(out)
'''


def test_build_xor_from_palette_step_and_save(editor):
    r = editor.run(BUILD_XOR)
    assert "failed_wires" not in r
    assert len(r["nodes"]) == 17 and r["widgets"] == r["nodes"]
    assert r["search"] == ["MeanLoss"] and r["search_added"] == ["mean_loss_2"]
    assert r["refusal"].startswith("refused: the wire would close a loop: weighted_sum_1 -> sigmoid_1")
    assert r["refusal_shown"] == r["refusal"]
    assert r["links_after_refusal"] == 3
    assert r["links"] == r["link_widgets"] == 26
    assert r["problems"] == []
    assert r["after_undo"] == [25, 25] and r["after_redo"] == [26, 26]
    assert r["pending"][0] == r["pending"][1] and len(r["pending"][0]) == 16 and r["hot"]
    node = r["after_node"]
    assert node["last"] == node["first"] and node["bad"] == []
    assert f"forward: {node['last']}" in node["status"]
    assert r["after_sample"]["sample"] == 1 and r["after_sample"]["bad"] == []
    assert r["after_epoch"]["epoch"] == 1 and r["after_epoch"]["bad"] == []
    assert r["after_epoch"]["loss"] > 0 and r["after_epoch"]["title"].startswith("untitled *")
    w = r["W1"]
    assert r["W1_wire"] == "[" + " | ".join(" ".join(f"{v:.3g}" for v in row) for row in w) + "]"  # 4 numbers: all
    ranged = f"2x2 {min(map(min, w)):.2g}..{max(map(max, w)):.2g}"  # too long for the room beside a pin:
    assert len(ranged) > 12 and r["W1_pin"] == "2x2"  # the shape alone
    assert r["title_saved"].startswith("built.json - ")
    assert r["saved_W1"] and r["same_after_reload"] and r["widgets_after_reload"] == [17, 26]
    assert "Nope" in r["broken_message"] and r["dialogs"] == ["Cannot open broken.json"]
    assert r["still_open"].endswith("built.json")
