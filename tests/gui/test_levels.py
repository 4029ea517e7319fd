"""Working inside groups through the controller (no display): edits written back as one undoable
document edit each, refusals that change nothing, renamed ports keeping their wires, values read
from the run through groups, saving from inside."""
from __future__ import annotations

import numpy as np
import pytest

from nodeflow import Session, load, mlp
from nodeflow.document.graph import Link
from nodeflow.errors import NotReady
from nodeflow.gui.controller import Controller


def xor_controller() -> Controller:
    return Controller(mlp([2, 2, 1], data="xor", lr=1.0, seed=3))


def test_edits_inside_a_group_are_one_undoable_document_edit_each():
    c = xor_controller()
    heard = []
    c.on_level(lambda g, how: heard.append((how, sorted(g.node_ids))))
    gid = c.group(["weighted_sum_1", "sigmoid_1"], "layer 1")
    assert c.open_group(gid) and c.levels.path() == (gid,) and heard[-1][0] == "enter"
    inside = c.shown
    assert inside is not c.graph and "sigmoid_1" in inside and "sigmoid_1" not in c.graph
    assert inside.shapes().outputs[("sigmoid_1", "y")] == (2,)  # the shapes arriving are known inside
    assert c.move_nodes({"sigmoid_1": (500, 40)})
    assert c.graph.last_edit == "move 1 node (inside group_1)"
    assert c.disconnect(Link("sigmoid_1", "slope", "out_slope", "value"))
    assert c.graph.last_edit == "disconnect sigmoid_1.slope -> out_slope.value (inside group_1)"
    defn = c.graph.params(gid)["graph"]
    assert {"from": "sigmoid_1.slope", "to": "out_slope.value"} not in defn["links"]
    assert [n["pos"] for n in defn["nodes"] if n["id"] == "sigmoid_1"] == [[500.0, 40.0]]
    assert c.undo() and heard[-1][0] == "sync"  # the inside is opened again from the document
    assert c.shown is not inside and c.shown.wire_into("out_slope", "value") == Link("sigmoid_1", "slope", "out_slope",
                                                                                      "value")
    assert c.undo() and c.shown.attrs("sigmoid_1")["pos"] != [500.0, 40.0]
    assert c.undo() and c.levels.path() == () and "sigmoid_1" in c.graph  # the grouping itself undone: out
    assert c.leave_group() is False and c.message.text == "not inside a group"


def test_a_write_back_the_document_refuses_changes_nothing_and_says_why():
    c = xor_controller()
    gid = c.group(["weighted_sum_2", "sigmoid_2"])
    c.open_group(gid)
    assert c.disconnect(Link("sigmoid_2", "y", "out_y", "value"))  # for a moment the output gives nothing
    assert c.graph.problems()  # (the error's y has nothing to take)
    edits = len(c.graph.history.undo_stack)
    assert c.connect("in_x", "value", "out_y", "value") is None  # x is (2,): the error wants (1,)
    assert c.message.kind == "error" and c.message.text.startswith("refused: ")
    assert c.shown.wire_into("out_y", "value") is None and len(c.graph.history.undo_stack) == edits
    assert c.connect("sigmoid_2", "y", "out_y", "value") and c.graph.problems() == []


def test_a_port_renamed_inside_keeps_its_wires_and_new_port_nodes_get_free_names():
    c = xor_controller()
    gid = c.group(["weighted_sum_1", "sigmoid_1"])
    c.open_group(gid)
    assert c.set_param("in_x", "name", "inputs")
    assert [p.name for p in c.graph.inputs(gid)] == ["inputs", "W", "b"]
    assert c.graph.wire_into(gid, "inputs") == Link("dataset", "x", gid, "inputs")
    before = sorted(str(l) for l in c.graph.links() if l.src == gid)
    for node, name in (("out_y", "tmp"), ("out_slope", "y"), ("out_y", "slope")):  # the two outputs' names swapped
        assert c.set_param(node, "name", name)
    after = sorted(str(l) for l in c.graph.links() if l.src == gid)
    swap = {"y": "slope", "slope": "y"}
    assert after == sorted(f"{gid}.{swap[l.split(' ')[0].split('.')[1]]} -> {l.split(' -> ')[1]}" for l in before)
    assert c.graph.problems() == []
    assert c.add_node("GroupInput", (0, 300)) == "group_input_1" and c.shown.params("group_input_1")["name"] == "x"
    assert c.add_node("GroupInput", (0, 400)) == "group_input_2" and c.shown.params("group_input_2")["name"] == "x2"
    assert c.add_node("GroupOutput", (400, 300)) == "group_output_1"
    assert c.shown.params("group_output_1")["name"] == "y2"  # y is taken
    assert [p.name for p in c.graph.outputs(gid)][-1] == "y2"  # not wired inside yet: it gives nothing
    c.undo()
    assert "y2" not in [p.name for p in c.graph.outputs(gid)]


def test_values_inside_are_read_from_the_run_through_every_group_opened():
    c = xor_controller()
    inner = c.group(["weighted_sum_1", "sigmoid_1"])
    outer = c.group([inner, "weighted_sum_2"])
    c.step_sample()
    c.open_group(outer)
    assert c.flat_port(inner, "y") == (f"{outer}/{inner}", "y")  # a group's output: its own id in the run
    x_port = next(n for n in c.shown.nodes_of_type("GroupInput") if c.shown.params(n)["name"] == "x")
    assert c.flat_port(x_port, "value") == ("dataset", "x")  # an input: what is wired into the group outside
    c.open_group(inner)
    assert c.flat_port("sigmoid_1", "y") == (f"{outer}/{inner}/sigmoid_1", "y")
    w = next(n for n in c.shown.nodes_of_type("GroupInput") if c.shown.params(n)["name"] == "W")
    assert c.flat_port(w, "value") == ("weights_1", "W")  # through both groups' inputs
    assert c.shown_id(f"{outer}/{inner}/sigmoid_1") == "sigmoid_1" and c.shown_id("error") is None
    assert np.array_equal(c.session.value(*c.flat_port("sigmoid_1", "y")), c.session.value(outer, "y"))
    v = c.session.last_values(f"{outer}/{inner}/sigmoid_1")  # the inspector's worked numbers, inside
    assert np.array_equal(v.outputs["y"], c.session.value(f"{outer}/{inner}/sigmoid_1", "y"))
    c.leave_group(0)
    assert c.shown_id(f"{outer}/{inner}/sigmoid_1") == outer


def test_an_expressions_worked_numbers_have_its_inputs():
    g = mlp([2, 2, 1], data="xor", lr=1.0, seed=3)
    g.add_node("Expression", "e", params={"formula": "a * (1 - b)"})
    g.connect("sigmoid_1.y", "e.a")
    g.connect("sigmoid_1.slope", "e.b")
    g.add_node("Watch", "w")
    g.connect("e.out", "w.value")
    s = Session(g)
    s.step_sample()
    v = s.last_values("e")
    assert set(v.inputs) == {"a", "b"}
    assert np.array_equal(v.outputs["out"].ravel(), (v.inputs["a"] * (1 - v.inputs["b"])).ravel())
    gid = g.group_nodes(["e"])
    s = Session(g)
    s.step_sample()
    assert set(s.last_values(f"{gid}/e").inputs) == {"a", "b"}
    with pytest.raises(NotReady, match="a group computes nothing itself"):
        s.last_values(gid)


def test_saving_from_inside_a_group_keeps_the_trained_values_and_the_inside_up_to_date(tmp_path):
    c = xor_controller()
    gid = c.group(["weights_1", "weighted_sum_1"])
    c.open_group(gid)
    for _ in range(3):
        c.step_sample()
    trained = c.session.state(f"{gid}/weights_1")["value"]
    assert c.save(tmp_path / "inside.json")
    assert np.array_equal(c.shown.state("weights_1")["value"], trained)  # the inside opened again from the file's values
    g = load(tmp_path / "inside.json")
    saved = next(n for n in g.params(gid)["graph"]["nodes"] if n["id"] == "weights_1")["params"]["value"]
    assert np.array_equal(np.array(saved), trained)
    assert c.move_nodes({"weights_1": (-300, -300)})  # an edit inside after training: nothing trained is lost
    assert np.array_equal(c.session.state(f"{gid}/weights_1")["value"], trained)
