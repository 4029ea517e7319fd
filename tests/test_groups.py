"""Groups: group/ungroup as undoable edits, nesting, files, flattening for every executor, the library."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nodeflow import Session, load, mlp, save
from nodeflow.document.files import to_dict
from nodeflow.document.grouping import close_group, open_group
from nodeflow.document.library import library_dir, load_library, save_group
from nodeflow.errors import EditRefused, GraphFileError
from nodeflow.nodes import NODE_TYPES, palette

LAYER_1 = ["weighted_sum_1", "sigmoid_1"]


def xor():
    return mlp([2, 2, 1], data="xor", lr=1.0, seed=3)


def document(g) -> dict:
    """A graph's content, order aside."""
    d = to_dict(g)
    return {"nodes": sorted(json.dumps(n, sort_keys=True) for n in d["nodes"]),
            "links": sorted(json.dumps(l, sort_keys=True) for l in d["links"]), "settings": d["settings"]}


def trained(g, engine, epochs=5) -> Session:
    s = Session(g)
    s.train(epochs, engine=engine)
    return s


def test_grouped_nodes_get_their_unconnected_ports_as_named_ports():
    g = xor()
    gid = g.group_nodes(LAYER_1, "layer 1")
    assert gid == "group_1" and g.attrs(gid)["label"] == "layer 1"
    assert [p.name for p in g.inputs(gid)] == ["x", "W", "b"]  # from dataset.x, weights_1.W, bias_1.b
    assert [p.name for p in g.outputs(gid)] == ["y", "slope"]  # both leave the group
    assert sorted(str(l) for l in g.links_of(gid)) == sorted([
        "dataset.x -> group_1.x", "weights_1.W -> group_1.W", "bias_1.b -> group_1.b", "group_1.y -> weighted_sum_2.x",
        "group_1.y -> weight_update_2.x", "group_1.slope -> delta_1.slope", "group_1.slope -> saturation_1.slope"])
    assert g.shapes().outputs[(gid, "y")] == (2,) and g.problems() == []


def test_an_unwired_inner_input_becomes_an_optional_port_and_unused_outputs_ports_too():
    g = xor()
    gid = g.group_nodes(["weight_update_1"], "update")
    ports = {p.name: p.optional for p in g.inputs(gid)}
    assert ports == {"W": False, "delta": False, "x": False, "lr": True}
    assert [p.name for p in g.outputs(gid)] == ["grad", "reg", "step", "new", "m", "v"]


@pytest.mark.parametrize("engine", ["step", "fast"])
def test_a_grouped_graph_trains_to_the_same_bits(engine):
    g = xor()
    g.group_nodes(LAYER_1, "layer 1")
    g.group_nodes(["delta_1", "weight_update_1", "bias_update_1"], "learn 1")
    a, b = trained(g, engine), trained(xor(), engine)
    assert [s.as_dict() for s in a.stats] == [s.as_dict() for s in b.stats]
    for n in ("weights_1", "bias_1", "weights_2", "bias_2"):
        np.testing.assert_array_equal(a.state(n)["value"], b.state(n)["value"])
    np.testing.assert_array_equal(a.value("group_1", "y"), b.value("sigmoid_1", "y"))  # a group's output
    np.testing.assert_array_equal(a.value("group_1/sigmoid_1", "slope"), b.value("sigmoid_1", "slope"))  # inside


def test_group_undo_redo_and_ungroup_round_trip():
    g = xor()
    before = document(g)
    gid = g.group_nodes(LAYER_1, "layer 1")
    grouped = document(g)
    assert g.undo() == "group weighted_sum_1, sigmoid_1" and document(g) == before
    g.redo()
    assert document(g) == grouped
    assert g.ungroup(gid) == LAYER_1
    assert document(g) == before
    g.undo()
    assert document(g) == grouped


def test_groups_nest_and_save_load_save_gives_the_same_bytes(tmp_path):
    g = xor()
    inner = g.group_nodes(["delta_1", "weight_update_1"], "blame")
    outer = g.group_nodes([inner, "bias_update_1"], "learn")
    assert (inner, outer) == ("group_1", "group_2")
    assert {n for n in g.flat().node_ids if "/" in n} == {"group_2/group_1/delta_1",
                                                            "group_2/group_1/weight_update_1",
                                                            "group_2/bias_update_1"}
    save(g, tmp_path / "a.json")
    save(load(tmp_path / "a.json"), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    doc = json.loads((tmp_path / "a.json").read_text())
    group = next(n for n in doc["nodes"] if n["id"] == outer)
    assert {n["type"] for n in group["params"]["graph"]["nodes"]} == {"Group", "BiasUpdate", "GroupInput", "GroupOutput"}
    assert trained(load(tmp_path / "a.json"), "fast").stats[-1].loss == trained(xor(), "fast").stats[-1].loss


def test_trained_values_inside_groups_are_saved_and_training_continues(tmp_path):
    g = xor()
    g.group_nodes(["weights_1", "bias_1", "weighted_sum_1", "sigmoid_1"], "layer 1")
    s = trained(g, "fast", 7)
    s.apply()
    save(g, tmp_path / "t.json")
    h = load(tmp_path / "t.json")
    assert h.trained_epochs == 7
    again = trained(h, "fast", 3)
    straight = trained(xor(), "fast", 10)
    np.testing.assert_array_equal(again.state("group_1/weights_1")["value"], straight.state("weights_1")["value"])
    assert again.stats[-1].loss == straight.stats[-1].loss


@pytest.mark.parametrize("nodes, message", [
    (["weighted_sum_1", "delta_1"], "refused: delta_2 takes values from some of these nodes and gives values to others, "
                                    "so they cannot be one group"),
    (["dataset", "weights_1"], "the Dataset cannot go into a group"),
    ([], "select the nodes to group"),
    (["nope"], "there is no node 'nope'"),
])
def test_groups_that_cannot_be_made_are_refused(nodes, message):
    g = xor()
    before = document(g)
    with pytest.raises(EditRefused, match=message):
        g.group_nodes(nodes)
    assert document(g) == before and not g.history.undo_stack


def test_a_second_writer_reaching_a_parameter_through_a_group_is_refused():
    g = xor()
    gid = g.group_nodes(["weight_update_1"], "update")
    g.add_node("Assign", "mine")
    with pytest.raises(EditRefused, match=f"weights_1 is updated by both {gid}/weight_update_1 and mine"):
        g.connect("weights_1.W", "mine.target")


def test_a_broken_group_definition_is_reported_with_where(tmp_path):
    g = xor()
    g.group_nodes(LAYER_1, "layer 1")
    doc = to_dict(g)
    group = next(n for n in doc["nodes"] if n["id"] == "group_1")
    group["params"]["graph"]["nodes"][1]["type"] = "Sigmoyd"
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    with pytest.raises(GraphFileError) as e:
        load(tmp_path / "bad.json")
    assert "(group_1): params.graph: nodes[1] (sigmoid_1): unknown node type 'Sigmoyd' (did you mean 'Sigmoid'?)" \
        in e.value.problems[0]


def test_open_a_group_edit_its_inside_and_close_it_as_one_undoable_edit():
    g = xor()
    gid = g.group_nodes(["sigmoid_1"], "act")
    inside = open_group(g, gid)
    assert sorted(inside.node_ids) == ["in_z", "out_slope", "out_y", "sigmoid_1"]
    inside.remove_node("out_slope")
    close_group(g, gid, inside)  # the group loses its slope port, and the wire from it goes with it
    assert [p.name for p in g.outputs(gid)] == ["y"] and g.wire_into("delta_1", "slope") is None
    g.undo()
    assert [p.name for p in g.outputs(gid)] == ["y", "slope"] and g.wire_into("delta_1", "slope") is not None


# -- the library -------------------------------------------------------------------------------

@pytest.fixture
def library(tmp_path, monkeypatch):
    monkeypatch.setenv("NODEFLOW_LIBRARY", str(tmp_path / "lib"))
    yield tmp_path / "lib"
    load_library(tmp_path / "nothing")  # forget what the test registered


def test_save_to_library_and_add_it_back_as_a_node_type(library):
    g = xor()
    gid = g.group_nodes(LAYER_1, "dense sigmoid")
    path = save_group(g, gid, "DenseSigmoid", "a weighted sum and a sigmoid")
    assert library_dir() == library and path == library / "DenseSigmoid.json"
    saved = json.loads(path.read_text())
    assert saved["format"] == "nodeflow.group" and saved["graph"] == g.params(gid)["graph"]
    assert load_library() == (["DenseSigmoid"], [])
    assert NODE_TYPES["DenseSigmoid"].family == "library"
    assert [t.name for t in palette()["library"]] == ["DenseSigmoid"]
    h = xor()
    n = h.add_node("DenseSigmoid")
    assert n == "dense_sigmoid_1" and h.attrs(n)["type"] == "Group"  # a file using it needs no library
    assert h.params(n)["graph"] == saved["graph"] and h.params(n)["graph"] is not saved["graph"]
    assert [p.name for p in h.inputs(n)] == ["x", "W", "b"]
    h.undo()
    assert n not in h


def test_library_problems_are_one_line_each_and_names_are_checked(library):
    library.mkdir()
    (library / "broken.json").write_text("{not json")
    (library / "other.json").write_text(json.dumps({"format": "nodeflow.group", "version": 1, "name": "Sigmoid",
                                                    "graph": {"nodes": [], "links": []}}))
    names, problems = load_library()
    assert names == [] and len(problems) == 2 and all("\n" not in p for p in problems)
    assert "Sigmoid is a built-in node type; choose another name" in problems[1]
    g = xor()
    gid = g.group_nodes(LAYER_1)
    with pytest.raises(EditRefused, match="is a built-in node type"):
        save_group(g, gid, "Sigmoid")
    with pytest.raises(EditRefused, match="letters, digits and _"):
        save_group(g, gid, "my group")
    with pytest.raises(EditRefused, match="'weights_1' is not a group"):
        save_group(g, "weights_1", "W")


def test_a_file_with_groups_nested_too_deep_is_refused_in_one_line(tmp_path):
    inside = {"nodes": [{"id": "w", "type": "Watch"}], "links": []}
    for k in range(30):
        inside = {"nodes": [{"id": f"g{k}", "type": "Group", "params": {"graph": inside}}], "links": []}
    (tmp_path / "deep.json").write_text(json.dumps({"format": "nodeflow.graph", "version": 1, "nodes": inside["nodes"]}))
    with pytest.raises(GraphFileError) as e:
        load(tmp_path / "deep.json")
    assert "params.graph: groups nest more than 20 deep" in e.value.problems[0] and "\n" not in e.value.problems[0]
