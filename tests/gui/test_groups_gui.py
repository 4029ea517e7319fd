"""Groups, open the box, the library and Expression formulas in the editor, with real mouse and keys
(xdotool): the numbers the editor trains are checked against the core trained directly."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nodeflow import Session, load
from nodeflow.document.expand import expand
from nodeflow.document.files import to_dict

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"

pytestmark = pytest.mark.usefixtures("needs_xdotool")

HELPERS = '''
import json
import dearpygui.dearpygui as dpg
from nodeflow.document.graph import Link
from nodeflow.gui import wires
from nodeflow.gui.scripting import click, drag, focus, holding, key, result, start, to_screen, until, window_id, xdotool



def title_of(cv, node):
    """A point on a node's title bar, in window pixels."""
    x, y, w, h = cv.screen_rect(node)
    return (x + w / 2, y + 8)


def select(win, cv, nodes):
    """Click the first node, Shift+click the others."""
    yield from click(win, title_of(cv, nodes[0]))
    yield from holding("shift", (frames for n in nodes[1:] for frames in click(win, title_of(cv, n))))
    yield 2


def double_click(win, at):
    xdotool("mousemove", *to_screen(win, at))
    yield 3
    xdotool("click", "--repeat", "2", "--delay", "80", "1")
    yield 6


def crumb(win, cv, depth):
    """Click the path's chip for ``depth`` (0: the file)."""
    x, y, w, h = cv.crumbs.chips[depth]
    ox, oy = cv.origin()
    yield from click(win, (ox + x + w / 2, oy + y + h / 2))
    yield 3


def widget(item):
    """A point inside a widget (near its left end: a field's label is on its right)."""
    x, y = dpg.get_item_rect_min(item)
    w, h = dpg.get_item_rect_size(item)
    return (x + min(24, w / 2), y + h / 2)


def type_into(win, item, text):
    """Click a text field, replace its text (ImGui takes one key a frame: wait for it all), press Enter."""
    yield from click(win, widget(item))
    xdotool("key", "ctrl+a")
    yield 2
    xdotool("type", "--delay", "15", text)
    yield from until(lambda: dpg.get_value(item) == text, 300, f"typing {text!r}")
    xdotool("key", "Return")
    yield 4


def epochs(win, c, n):
    """Press E ``n`` times (one epoch each, on the stepper)."""
    for k in range(n):
        before = c.session.epoch
        yield from key(win, "e")
        yield from until(lambda: c.session.epoch == before + 1, 300, "E")


def states(c):
    return {n: {k: v.tolist() for k, v in c.session.state(n).items()} for n in c.graph.node_ids
            if c.graph.type_of(n).saved_state}
'''


def _reference(graph: str, epochs: int, edit=None) -> dict:
    """Parameters after training ``graph`` for ``epochs`` on the stepper, in the core alone."""
    g = load(GRAPHS / graph)
    if edit:
        edit(g)
    s = Session(g)
    s.train(epochs, engine="step")
    return {n: {k: v.tolist() for k, v in s.state(n).items()} for n in g.node_ids if g.type_of(n).saved_state}


GROUP_INSIDE = HELPERS + '''
def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app, "xor")
    out = {"links_before": sorted(map(str, c.graph.links()))}
    yield from select(win, cv, ["weighted_sum_1", "sigmoid_1"])
    yield from key(win, "ctrl+g")
    g = c.graph
    out["grouped"] = [c.message.text, cv.selection()[0], [p.name for p in cv.nodes["group_1"].spec.inputs],
                      [p.name for p in cv.nodes["group_1"].spec.outputs],
                      sorted(str(l) for l in cv.wires if "group_1" in (l.src, l.dst)),
                      sorted(str(l) for l in g.links_of("group_1"))]
    # double-click: inside the group, with the path back at the top
    yield from double_click(win, title_of(cv, "group_1"))
    out["inside"] = [c.levels.path(), sorted(cv.nodes), cv.crumbs.labels]
    # edit inside with the mouse: Alt+click cuts the wire into the group's output y, a drag wires it again
    link = Link("sigmoid_1", "y", "out_y", "value")
    yield from holding("alt", click(win, cv.wire_screen_point(link)))
    yield from until(lambda: link not in cv.wires, 30, "Alt+click")
    out["cut"] = [c.message.text, g.last_edit]
    yield from drag(win, cv.pin_screen_pos("sigmoid_1", "y", "out"), cv.pin_screen_pos("out_y", "value", "in"))
    yield from until(lambda: link in cv.wires, 30, "the wire dragged again")
    out["wired"] = [c.message.text, g.last_edit]
    x, y = title_of(cv, "sigmoid_1")
    yield from drag(win, (x, y), (x + 40, y + 70))
    out["moved"] = g.last_edit
    yield from key(win, "t")
    out["tidied"] = g.last_edit
    # back by the path; three epochs with E
    yield from crumb(win, cv, 0)
    out["back"] = [c.levels.path(), "group_1" in cv.nodes, cv.crumbs.labels]
    yield from epochs(win, c, 3)
    out["states"] = states(c)
    # inside again (I with the group selected): the inner wires carry the run's values
    c.step_sample()
    yield from click(win, title_of(cv, "group_1"))
    yield from key(win, "i")
    yield 4
    inner = Link("weighted_sum_1", "z", "sigmoid_1", "z")
    out["inner_value"] = [c.levels.path(), cv.wires[inner].value[0],
                          wires.format_value(c.session.value("group_1/weighted_sum_1", "z"))]
    yield from key(win, "u")
    out["up"] = c.levels.path()
    # ungroup: the graph is wired as before
    yield from click(win, title_of(cv, "group_1"))
    yield from key(win, "ctrl+shift+g")
    out["ungrouped"] = [c.message.text, sorted(cv.selection()[0]), sorted(map(str, g.links())),
                        sorted(str(l) for l in cv.wires)]
    yield from key(win, "ctrl+z")
    out["undone"] = [c.message.text, "group_1" in cv.nodes]
    result(dict(out, errors=app.errors))
'''


def test_group_a_selection_edit_inside_come_back_train_and_ungroup(editor):
    r = editor.run(GROUP_INSIDE, file=GRAPHS / "xor.json")
    msg, sel, ins, outs, drawn, linked = r["grouped"]
    assert msg.startswith("grouped 2 nodes into group_1") and sel == ["group_1"]
    assert ins == ["x", "W", "b"] and outs == ["y", "slope"] and drawn == linked and len(drawn) == 7
    path, nodes, labels = r["inside"]
    assert path == ["group_1"] and labels == ["xor.json", "group"]
    assert nodes == ["in_W", "in_b", "in_x", "out_slope", "out_y", "sigmoid_1", "weighted_sum_1"]
    assert r["cut"][1] == "disconnect sigmoid_1.y -> out_y.value (inside group_1)"
    assert r["wired"] == ["connected sigmoid_1.y -> out_y.value", "connect sigmoid_1.y -> out_y.value (inside group_1)"]
    assert r["moved"] == "move 1 node (inside group_1)" and r["tidied"] == "move 7 nodes (inside group_1)"
    assert r["back"] == [[], True, []]
    assert r["states"] == _reference("xor.json", 3)  # the same bits as the packaged XOR trained by the core
    path, shown, expected = r["inner_value"]
    assert path == ["group_1"] and shown == expected and shown not in ("", "-")
    assert r["up"] == []
    msg, sel, links, drawn = r["ungrouped"]
    assert msg == "ungrouped group_1 into 2 nodes" and sel == ["sigmoid_1", "weighted_sum_1"]
    assert links == r["links_before"] and drawn == links
    assert r["undone"] == ["undid ungroup group_1", True]
    assert r["errors"] == 0


NESTED = HELPERS + '''
def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app, "nest.json")
    out = {}
    yield from select(win, cv, ["weighted_sum_1", "sigmoid_1"])
    yield from key(win, "ctrl+g")
    yield from select(win, cv, ["group_1", "weighted_sum_2"])
    yield from key(win, "ctrl+g")
    out["outer"] = [c.message.text, [p.name for p in c.graph.inputs("group_2")]]
    yield from key(win, "ctrl+s")
    yield from until(lambda: not c.dirty, 60, "Ctrl+S")
    c.open(c.path)
    yield from until(lambda: not cv.animating, 60, "the reopened graph")
    out["reopened"] = [sorted(cv.nodes), c.graph.attrs("group_2")["type"]]
    c.step_sample()
    yield from double_click(win, title_of(cv, "group_2"))
    yield from double_click(win, title_of(cv, "group_1"))
    out["deep"] = [c.levels.path(), cv.crumbs.labels, sorted(cv.nodes)]
    inner = Link("sigmoid_1", "y", "out_y", "value")
    out["deep_value"] = [cv.wires[inner].value[0],
                         wires.format_value(c.session.value("group_2/group_1/sigmoid_1", "y"))]
    yield from crumb(win, cv, 1)
    out["one_up"] = [c.levels.path(), sorted(cv.nodes)]
    yield from crumb(win, cv, 0)
    out["top"] = [c.levels.path(), cv.crumbs.labels, "group_2" in cv.nodes]
    result(dict(out, errors=app.errors))
'''


def test_nested_groups_are_saved_reopened_and_opened_two_deep(editor, tmp_path):
    path = tmp_path / "nest.json"
    path.write_text((GRAPHS / "xor.json").read_text())
    r = editor.run(NESTED, file=path)
    assert r["outer"][0].startswith("grouped 2 nodes into group_2") and "W" in r["outer"][1]
    nodes, kind = r["reopened"]
    assert kind == "Group" and "group_2" in nodes and "group_1" not in nodes and "weighted_sum_2" not in nodes
    levels, labels, inside = r["deep"]
    assert levels == ["group_2", "group_1"] and labels == ["nest.json", "group", "group"]
    assert "sigmoid_1" in inside and "weighted_sum_1" in inside
    assert r["deep_value"][0] == r["deep_value"][1] and r["deep_value"][0] not in ("", "-")
    assert r["one_up"][0] == ["group_2"] and "group_1" in r["one_up"][1] and "weighted_sum_2" in r["one_up"][1]
    assert r["top"] == [[], [], True]
    g = load(path)  # what was saved: the groups, nested, and the same numbers as the packaged XOR
    assert g.params("group_2")["graph"]["nodes"][0]["id"] == "group_1"
    s, ref = Session(g), Session(load(GRAPHS / "xor.json"))
    s.train(2, engine="step")
    ref.train(2, engine="step")
    assert all(np.array_equal(s.state(n)["value"], ref.state(n)["value"]) for n in ("weights_1", "weights_2"))
    assert r["errors"] == 0


LIBRARY = HELPERS + '''
def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app, "xor")
    out = {"palette_at_start": sorted(n for n, f in app.palette.types.items() if f == "library")}
    if out["palette_at_start"]:  # the second session: the library was read at start; add it from the palette
        yield from type_into(win, app.palette.search, "DenseSigmoid")
        node = "dense_sigmoid_1"
        yield from until(lambda: node in cv.nodes, 30, "the library node")
        out["added"] = [c.graph.attrs(node)["type"], [p.name for p in cv.nodes[node].spec.inputs],
                        [p.name for p in cv.nodes[node].spec.outputs], c.graph.params(node)["name"]]
        result(dict(out, errors=app.errors))
        return
    yield from select(win, cv, ["weighted_sum_1", "sigmoid_1"])
    yield from key(win, "ctrl+g")
    yield 3
    yield from click(win, widget(app.inspector.buttons["library"]))
    yield 4
    dialog = [w for w in dpg.get_windows() if dpg.get_item_label(w) == "Save to the library"][0]
    name = next(i for i in dpg.get_item_children(dialog, 1) if dpg.get_item_label(i) == "name")
    out["default_name"] = dpg.get_value(name)
    yield from type_into(win, name, "Sigmoid")  # a built-in type's name is refused in the dialog
    out["refused"] = [c.message.text, dpg.does_item_exist(dialog)]
    yield from type_into(win, name, "DenseSigmoid")
    yield from until(lambda: not dpg.does_item_exist(dialog), 60, "the dialog to close")
    out["saved"] = [c.message.text, sorted(n for n, f in app.palette.types.items() if f == "library")]
    # added from the palette like any node: a group with the saved inside
    yield from type_into(win, app.palette.search, "DenseSigmoid")
    yield from until(lambda: "dense_sigmoid_1" in cv.nodes, 30, "the library node")
    out["added"] = [c.graph.attrs("dense_sigmoid_1")["type"], [p.name for p in cv.nodes["dense_sigmoid_1"].spec.inputs]]
    result(dict(out, errors=app.errors))
'''


def test_save_a_group_to_the_library_and_add_it_from_the_palette(editor, tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    monkeypatch.setenv("NODEFLOW_LIBRARY", str(lib))
    r = editor.run(LIBRARY, file=GRAPHS / "xor.json")
    assert r["palette_at_start"] == [] and r["default_name"] == "MyGroup"
    assert "Sigmoid is a built-in node type; choose another name" in r["refused"][0] and r["refused"][1]
    assert r["saved"][0].startswith("saved group_1 to the library as DenseSigmoid") and r["saved"][1] == ["DenseSigmoid"]
    assert r["added"] == ["Group", ["x", "W", "b"]]
    saved = json.loads((lib / "DenseSigmoid.json").read_text())
    assert saved["format"] == "nodeflow.group" and saved["name"] == "DenseSigmoid"
    assert sorted(n["id"] for n in saved["graph"]["nodes"]) == [
        "in_W", "in_b", "in_x", "out_slope", "out_y", "sigmoid_1", "weighted_sum_1"]
    r = editor.run(LIBRARY, file=GRAPHS / "xor.json")  # a new session reads the library at start
    assert r["palette_at_start"] == ["DenseSigmoid"]
    assert r["added"] == ["Group", ["x", "W", "b"], ["y", "slope"], "DenseSigmoid"] and r["errors"] == 0


OPEN_BOX = HELPERS + '''
def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app, "xor")
    out = {}
    yield from click(win, title_of(cv, "sigmoid_1"))
    yield from key(win, "ctrl+b")
    out["opened"] = [c.message.text, c.graph.attrs("sigmoid_1")["type"], c.graph.params("sigmoid_1")["name"],
                     [p.name for p in cv.nodes["sigmoid_1"].spec.outputs], cv.selection()[0]]
    yield from epochs(win, c, 3)
    out["states"] = states(c)
    yield from key(win, "i")
    yield 3
    out["inside"] = sorted(cv.nodes)
    yield from key(win, "u")
    yield from key(win, "ctrl+z")  # the run goes on; the box closes again
    out["closed"] = [c.message.text, c.graph.attrs("sigmoid_1")["type"]]
    # the inspector's button opens a Delta too (mirrored like the Delta it replaces)
    yield from click(win, title_of(cv, "delta_2"))
    yield 3
    yield from click(win, widget(app.inspector.buttons["open_box"]))
    out["delta"] = [c.graph.attrs("delta_2")["type"], cv.nodes["delta_2"].box.flipped]
    result(dict(out, errors=app.errors))
'''


def test_open_a_sigmoid_into_primitives_and_train_to_the_same_numbers(editor):
    r = editor.run(OPEN_BOX, file=GRAPHS / "xor.json")
    msg, kind, name, outs, sel = r["opened"]
    assert msg.startswith("opened sigmoid_1 into math nodes") and kind == "Group" and name == "Sigmoid (opened)"
    assert outs == ["y", "slope"] and sel == ["sigmoid_1"]
    core = _reference("xor.json", 3, lambda g: expand(g, "sigmoid_1"))  # the core's own opened graph
    packaged = _reference("xor.json", 3)
    for n, state in r["states"].items():
        for k, v in state.items():
            assert np.allclose(v, core[n][k], rtol=0, atol=1e-12) and np.allclose(v, packaged[n][k], rtol=0, atol=1e-12)
    assert r["inside"] == ["in_z", "out_slope", "out_y", "slope", "y"]
    assert r["closed"] == ["undid open sigmoid_1", "Sigmoid"]
    assert r["delta"] == ["Group", True] and r["errors"] == 0


FORMULA = HELPERS + '''
def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app, "xor")
    out = {}
    yield from type_into(win, app.palette.search, "Expression")
    node = "expression_1"
    yield from until(lambda: node in cv.nodes, 30, "the Expression")
    c.connect("sigmoid_1", "y", node, "a")
    yield from click(win, title_of(cv, node))
    yield 3
    field = app.inspector.node_widgets["formula"]
    yield from type_into(win, field, "a * (1 - b)")
    out["two"] = [c.message.text, [p.name for p in cv.nodes[node].spec.inputs], sorted(str(l) for l in cv.wires
                                                                                       if l.dst == node)]
    for bad in ("__import__('os')", "a.real", "lambda: 1"):
        yield from type_into(win, field, bad)
        out[bad] = [c.message.text, c.message.kind, [p.name for p in cv.nodes[node].spec.inputs], dpg.get_value(field),
                    c.graph.params(node)["formula"]]
    yield from type_into(win, field, "b + 1")  # a's wire goes with the name a
    out["one"] = [[p.name for p in cv.nodes[node].spec.inputs], sorted(str(l) for l in c.graph.links() if l.dst == node),
                  sorted(str(l) for l in cv.wires if l.dst == node), dpg.get_value(field)]
    yield from key(win, "ctrl+z")
    out["undo"] = [[p.name for p in cv.nodes[node].spec.inputs], sorted(str(l) for l in cv.wires if l.dst == node)]
    result(dict(out, errors=app.errors))
'''


def test_a_formula_typed_in_the_inspector_makes_the_inputs_and_a_refusal_changes_nothing(editor):
    r = editor.run(FORMULA, file=GRAPHS / "xor.json")
    assert r["two"] == ["expression_1.formula = a * (1 - b)", ["a", "b"], ["sigmoid_1.y -> expression_1.a"]]
    for bad, part in (("__import__('os')", "__import__"), ("a.real", "real"), ("lambda: 1", "lambda")):
        msg, kind, ins, typed, formula = r[bad]
        assert msg.startswith("expression_1: formula: ") and part in msg and kind == "error", msg
        assert ins == ["a", "b"] and typed == bad and formula == "a * (1 - b)"
    assert r["one"] == [["b"], [], [], "b + 1"]
    assert r["undo"] == [["a", "b"], ["sigmoid_1.y -> expression_1.a"]]
    assert r["errors"] == 0


def test_the_core_reference_is_what_it_says():
    """The references above: the packaged XOR and its opened twin agree to 1e-12 (and differ from
    an untrained XOR), so an editor that trained nothing would fail the tests."""
    a, b = _reference("xor.json", 3), _reference("xor.json", 3, lambda g: expand(g, "sigmoid_1"))
    untrained = to_dict(load(GRAPHS / "xor.json"))
    w0 = next(n for n in untrained["nodes"] if n["id"] == "weights_1")["params"]["value"]
    assert np.allclose(a["weights_1"]["value"], b["weights_1"]["value"], rtol=0, atol=1e-12)
    assert not np.allclose(a["weights_1"]["value"], w0)
