"""Node boxes and the Tidy layout; the canvas view saved in graph files."""
from __future__ import annotations

import json

import pytest

from nodeflow import load, mlp, save
from nodeflow.document import layout
from nodeflow.document.examples import EXAMPLES
from nodeflow.errors import GraphFileError
from conftest import GRAPHS


def centre_x(g, n):
    x, _, w, _ = layout.rect(g, n)
    return x + w / 2


def top(g, n):
    return layout.rect(g, n)[1]


def bottom(g, n):
    _, y, _, h = layout.rect(g, n)
    return y + h


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_graphs_are_tidy_and_no_two_nodes_overlap(name):
    g = load(GRAPHS / name)
    rects = {n: layout.rect(g, n) for n in g.node_ids}
    assert layout.overlapping(rects, margin=10) == []
    assert {n: tuple(g.attrs(n)["pos"]) for n in g.node_ids} == {n: tuple(p) for n, p in layout.tidy(g).items()}


def test_a_network_reads_like_the_algorithm():
    g = mlp([7, 5, 3], data="wheat-seeds", lr=0.3)
    x = {n: layout.rect(g, n)[0] for n in g.node_ids}
    chain = ["dataset", "weighted_sum_1", "sigmoid_1", "weighted_sum_2", "sigmoid_2", "error", "mean_loss"]
    assert [x[n] for n in chain] == sorted(x[n] for n in chain) and len(set(x[n] for n in chain)) == len(chain)
    forward_bottom = max(bottom(g, n) for n in chain + ["train_accuracy", "test_accuracy"])
    # the backward chain runs right to left beneath the forward pass, each delta under its activation
    assert x["delta_2"] > x["delta_1"] and min(top(g, "delta_1"), top(g, "delta_2")) > forward_bottom
    for delta, act in (("delta_1", "sigmoid_1"), ("delta_2", "sigmoid_2")):
        assert centre_x(g, delta) == centre_x(g, act)
        assert layout.box(g, delta).flipped and not layout.box(g, act).flipped
    # each update under the parameter it updates, below the deltas; parameters above their sum
    for upd, param, total in (("weight_update_1", "weights_1", "weighted_sum_1"),
                              ("bias_update_1", "bias_1", "weighted_sum_1"),
                              ("weight_update_2", "weights_2", "weighted_sum_2"),
                              ("bias_update_2", "bias_2", "weighted_sum_2")):
        assert centre_x(g, upd) == centre_x(g, param)
        assert top(g, upd) > bottom(g, "delta_1") and bottom(g, param) < top(g, total)
        assert x[param] < x[total]
    assert top(g, "weights_1") < top(g, "bias_1") and top(g, "weight_update_1") < top(g, "bias_update_1")


def test_two_networks_are_stacked_and_views_sit_above_what_they_show():
    g = load(GRAPHS / "symmetry.json")
    zero = [n for n in g.node_ids if n.startswith("zero_")]
    rand = [n for n in g.node_ids if n.startswith("random_")]
    assert max(bottom(g, n) for n in zero) < min(top(g, n) for n in rand)
    d = load(GRAPHS / "digits.json")
    assert bottom(d, "hidden_pictures") < top(d, "weights_1") and centre_x(d, "hidden_pictures") == centre_x(d, "weights_1")


def test_tidy_places_stray_nodes_last_and_is_one_undo_step():
    g = mlp([2, 2, 1], data="xor")
    stray = g.add_node("Tanh", pos=(5, 5))
    watch = g.add_node("Watch", pos=(7, 7))
    g.connect("sigmoid_2.y", f"{watch}.value")
    before = {n: list(g.attrs(n)["pos"]) for n in g.node_ids}
    layout.apply(g)
    assert layout.overlapping({n: layout.rect(g, n) for n in g.node_ids}, margin=10) == []
    assert top(g, stray) > max(bottom(g, n) for n in g.node_ids if n != stray)
    assert bottom(g, watch) < top(g, "sigmoid_2") and centre_x(g, watch) == centre_x(g, "sigmoid_2")
    assert g.undo() == "tidy the layout"
    assert {n: list(g.attrs(n)["pos"]) for n in g.node_ids} == before


def test_a_node_box_depends_only_on_its_type():
    g = mlp([2, 2, 1], data="xor")
    b = layout.box(g, "weight_update_1")
    assert b == layout.box(g, "weight_update_2") and b.h == layout.TITLE_H + 6 * layout.ROW_H + layout.BOTTOM
    assert b.pin("W", "in") == (0.0, b.row_y(0)) and b.pin("new", "out") == (b.w, b.row_y(3))
    back = layout.box(g, "delta_1")  # mirrored: blame enters on the right and leaves on the left
    assert back.pin("delta_next", "in")[0] == back.w and back.pin("delta", "out")[0] == 0.0
    assert layout.fit_text("a rather long label", 14, 60).endswith("…")
    assert layout.text_width(layout.fit_text("a rather long label", 14, 60), 14) <= 60


def test_the_view_is_saved_and_restored_and_old_files_have_none(tmp_path):
    g = load(GRAPHS / "xor.json")
    assert g.view is None and "view" not in json.loads((GRAPHS / "xor.json").read_text())
    g.set_view(0.7, (812.345, -20))
    save(g, tmp_path / "v.json")
    doc = json.loads((tmp_path / "v.json").read_text())
    assert doc["view"] == {"zoom": 0.7, "center": [812.3, -20.0]} and list(doc)[4] == "view"
    h = load(tmp_path / "v.json")
    assert h.view.zoom == 0.7 and h.view.center == (812.3, -20.0)
    save(h, tmp_path / "w.json")
    assert (tmp_path / "v.json").read_bytes() == (tmp_path / "w.json").read_bytes()


@pytest.mark.parametrize("view,problem", [
    ({"zoom": 100, "center": [0, 0]}, "view.zoom must be a number from 0.05 to 8.0, not 100"),
    ({"zoom": 1, "center": [0]}, "view.center must be [x, y] numbers, not [0]"),
    ({"zoom": 1}, 'view: must be {"zoom": number, "center": [x, y]}'),
])
def test_a_bad_view_is_reported(tmp_path, view, problem):
    doc = json.loads((GRAPHS / "xor.json").read_text())
    doc["view"] = view
    (tmp_path / "b.json").write_text(json.dumps(doc))
    with pytest.raises(GraphFileError) as e:
        load(tmp_path / "b.json")
    assert any(p.startswith(problem) for p in e.value.problems), e.value.problems


def test_a_monitor_sits_above_what_it_watches_and_metrics_of_the_loss_at_the_right():
    from nodeflow.nodes import NODE_TYPES
    from nodeflow.nodes.base import ANY, NodeType, Port

    class Monitor(NodeType):  # a metric of a hidden layer (like a saturation share), not of the loss
        name, family, phase = "TestMonitor", "metrics", "passive"
        inputs = (Port("y", ANY),)

    try:
        g = mlp([2, 2, 1], data="xor")
        g.add_node("TestMonitor", "monitor")
        g.connect("sigmoid_1.y", "monitor.y")
        layout.apply(g)
        assert bottom(g, "monitor") < top(g, "sigmoid_1") and centre_x(g, "monitor") == centre_x(g, "sigmoid_1")
        assert layout.rect(g, "mean_loss")[0] > layout.rect(g, "error")[0]
        assert layout.rect(g, "train_accuracy")[0] > layout.rect(g, "error")[0]
    finally:
        del NODE_TYPES["TestMonitor"]


def test_views_sit_in_a_row_above_the_network_near_what_they_show():
    g = load(GRAPHS / "circle_regions.json")
    views = ["hidden_units", "decision_regions", "confusion", "probabilities"]  # ordered by what they show
    rest = [n for n in g.node_ids if n not in views]
    assert len({bottom(g, n) for n in views}) == 1 and bottom(g, views[0]) < min(top(g, n) for n in rest)
    rects = [layout.rect(g, n) for n in views]
    assert all(a[0] + a[2] + layout.COL_GAP <= b[0] for a, b in zip(rects, rects[1:]))  # left to right, apart
    assert max(x + w for x, _, w, _ in rects) <= max(layout.rect(g, n)[0] + layout.rect(g, n)[2] for n in rest)
    assert layout.rect(g, "hidden_units")[0] < centre_x(g, "sigmoid_1") < layout.rect(g, "decision_regions")[0]
    gap = layout.COL_GAP
    assert layout._pack_row([0, 10, 500], [100, 100, 100], 1000) == [0, 100 + gap, 500]  # pushed right
    assert layout._pack_row([800, 800], [150, 150], 1000) == [1000 - 300 - gap, 850]  # packed back from the edge
    assert layout._pack_row([-40], [100], 1000) == [0]


def test_a_nodes_box_follows_its_own_ports_never_its_values():
    from nodeflow import Session
    from nodeflow.document.expand import expand

    g = mlp([2, 2, 1], data="xor")
    e = g.add_node("Expression", params={"formula": "a"})
    assert layout.box(g, e).inputs == ("a",)
    g.set_param(e, "formula", "where(z > 0, slope_of_z, 0) * y")
    b = layout.box(g, e)  # one pin per name, and the formula under them
    assert b.inputs == ("z", "slope_of_z", "y") and b.h == layout.TITLE_H + 4 * layout.ROW_H + layout.BOTTOM
    assert b.caption == "out = where(z > 0, slope_of_z, 0) * y"
    assert layout.text_width(b.caption, layout.PIN_FONT) <= b.w - 2 * layout.PAD <= layout.CAPTION_MAX_W
    gid = g.group_nodes(["weighted_sum_1", "sigmoid_1"])
    assert layout.box(g, gid).inputs == ("x", "W", "b") and layout.box(g, gid).outputs == ("y", "slope")
    before = layout.box(g, gid)
    Session(g).train(2)  # values arriving never resize a node
    assert layout.box(g, gid) == before
    for node, mirrored in (("delta_2", True), ("sigmoid_2", False), ("weight_update_2", False)):
        expand(g, node)  # an opened node is drawn as the node it replaces, mirrored or not
        assert layout.box(g, node).flipped is mirrored and layout.acts_as(g, node) == layout.acts_as(mlp(
            [2, 2, 1], data="xor"), node)
    assert layout.box(g, "delta_2").inputs == ("grad", "slope")  # in the Delta's order
    long = g.add_node("Expression", params={"formula": "a_rather_long_name * (1 - a_rather_long_name) + "
                                                      "another_long_name * another_long_name"})
    b = layout.box(g, long)  # at most so wide: the formula is shortened, and so are the pin names
    assert b.w == layout.CAPTION_MAX_W and b.caption.endswith("…")
    assert all(layout.text_width(b.pin_name(p, "in"), layout.PIN_FONT) <= b.name_w[0] for p in b.inputs)


def test_the_opened_twin_lines_up_with_the_packaged_network_node_for_node():
    g = load(GRAPHS / "xor_opened.json")
    twins = [(n, f"opened_{n}") for n in g.node_ids if f"opened_{n}" in g]
    assert len(twins) == 18
    offsets = {(layout.rect(g, b)[0] - layout.rect(g, a)[0], layout.rect(g, b)[1] - layout.rect(g, a)[1])
               for a, b in twins}
    assert len(offsets) == 1 and next(iter(offsets))[0] == 0  # straight below, column for column
    assert all(layout.box(g, a).flipped == layout.box(g, b).flipped and layout.rect(g, a)[2:] == layout.rect(g, b)[2:]
               for a, b in twins)
    s = load(GRAPHS / "symmetry.json")  # other stacked twins line up too
    assert {layout.rect(s, n)[0] - layout.rect(s, n.replace("zero_", "random_"))[0] for n in s.node_ids
            if n.startswith("zero_")} == {0.0}


def test_an_update_rule_wired_by_hand_sits_under_the_parameter_it_writes():
    g = load(GRAPHS / "adding_neuron_article.json")
    rule = ["article_weights_1_grad", "article_weights_1_step", "article_weights_1_write"]
    assert {centre_x(g, n) for n in rule} == {centre_x(g, "article_weights_1")}
    assert [top(g, n) for n in rule] == sorted(top(g, n) for n in rule)
    assert top(g, rule[0]) > bottom(g, "article_delta_1") or top(g, rule[0]) > bottom(g, "article_identity_1")
    assert centre_x(g, "gd_weight_update_1") == centre_x(g, "gd_weights_1")


def test_tidy_inside_a_group_reads_from_its_inputs_to_its_outputs():
    from nodeflow.document.expand import expand
    from nodeflow.document.grouping import open_group

    g = mlp([2, 2, 1], data="xor", optimizer="adam")
    expand(g, "weight_update_1")
    inside = open_group(g, "weight_update_1")
    layout.apply(inside)
    rects = {n: layout.rect(inside, n) for n in inside.node_ids}
    assert layout.overlapping(rects, margin=10) == []
    ins, outs = inside.nodes_of_type("GroupInput"), inside.nodes_of_type("GroupOutput")
    assert len({centre_x(inside, n) for n in ins}) == 1  # the inputs head the chain, in one column
    assert min(rects[n][0] for n in outs) > max(rects[n][0] for n in ins)  # the outputs further right


def test_a_library_groups_box_is_that_of_the_group_saved(tmp_path, monkeypatch):
    from nodeflow.document.library import load_library, save_group

    monkeypatch.setenv("NODEFLOW_LIBRARY", str(tmp_path))
    g = mlp([2, 2, 1], data="xor")
    gid = g.group_nodes(["weighted_sum_1", "sigmoid_1"])
    save_group(g, gid, "Layer")
    try:
        load_library()
        assert layout.new_box("Layer") == layout.box(g, gid)
        assert layout.new_box("Delta").flipped and layout.new_box("Delta") == layout.box(g, "delta_2")
    finally:
        load_library(tmp_path / "none")
