"""Wiring: every refused wire says why and leaves the graph as it was; every edit undoes."""
from __future__ import annotations

import numpy as np
import pytest

from nodeflow import Graph, Link, mlp
from nodeflow.errors import EditRefused


def snapshot(g: Graph):
    return (sorted(g.node_ids), sorted(g.links()), {n: dict(g.attrs(n)["params"]) for n in g.node_ids},
            {n: list(g.attrs(n)["pos"]) for n in g.node_ids}, dict(g.settings),
            {n: {k: v.copy() for k, v in g.state(n).items()} for n in g.node_ids})


def same(a, b) -> bool:
    if a[:5] != b[:5]:
        return False
    return all(a[5][n].keys() == b[5][n].keys() and all(np.array_equal(a[5][n][k], b[5][n][k]) for k in a[5][n])
               for n in a[5])


@pytest.fixture
def xor():
    return mlp([2, 2, 1], data="xor", seed=1)


@pytest.mark.parametrize("src,dst,message", [
    ("nosuch.y", "error.y", "there is no node 'nosuch'"),
    ("sigmoid_1.q", "error.y", "sigmoid_1 has no output 'q' (outputs: y, slope)"),
    ("sigmoid_1.z", "watch_1.value", "sigmoid_1.z is an input; a wire starts at an output"),
    ("sigmoid_1.y", "sigmoid_2.y", "sigmoid_2.y is an output; a wire must end at an input"),
    ("sigmoid_1.y", "error.y", "error.y already has a wire from sigmoid_2.y; an input takes one wire"),
    ("delta_2.delta", "sigmoid_2.z", None),  # an input already wired: refused before looking for loops
])
def test_refused_wires_say_why(xor, src, dst, message):
    xor.add_node("Watch")
    before = snapshot(xor)
    with pytest.raises(EditRefused) as e:
        xor.connect(src, dst)
    if message:
        assert message in str(e.value)
    assert "\n" not in str(e.value)
    assert same(snapshot(xor), before)


def test_a_wire_closing_a_loop_is_refused_and_the_loop_named(xor):
    xor.disconnect(Link("weighted_sum_2", "z", "sigmoid_2", "z"))
    before = snapshot(xor)
    with pytest.raises(EditRefused) as e:
        xor.connect("delta_2.delta", "sigmoid_2.z")
    assert str(e.value) == "refused: the wire would close a loop: sigmoid_2 -> delta_2 -> sigmoid_2"
    assert same(snapshot(xor), before)


def test_a_longer_loop_is_named_along_its_shortest_way(xor):
    xor.disconnect(Link("weighted_sum_1", "z", "sigmoid_1", "z"))
    with pytest.raises(EditRefused) as e:
        xor.connect("delta_2.delta", "sigmoid_1.z")
    assert str(e.value).endswith("loop: sigmoid_1 -> weighted_sum_2 -> sigmoid_2 -> delta_2 -> sigmoid_1")


def test_self_loop_is_refused():
    g = Graph()
    g.add_node("Sigmoid", "s")
    with pytest.raises(EditRefused, match="loop: s -> s"):
        g.connect("s.y", "s.z")


def test_a_shape_mismatch_is_refused_with_both_shapes(xor):
    xor.disconnect(Link("dataset", "target", "error", "target"))
    xor.add_node("Constant", "three", params={"value": [1.0, 2.0, 3.0]})
    before = snapshot(xor)
    with pytest.raises(EditRefused) as e:
        xor.connect("three.out", "error.target")
    msg = str(e.value)
    assert "shape mismatch at error.target: three.out gives (3,)" in msg
    assert "sigmoid_2.y (1,)" in msg
    assert same(snapshot(xor), before)


def test_a_downstream_shape_conflict_is_refused_too():
    g = Graph({"data": "spiral"})
    g.add_node("Dataset")
    g.add_node("Sigmoid", "s")
    g.add_node("Error", "e")
    g.connect("s.y", "e.y")
    g.connect("dataset.target", "e.target")  # fixes n = 3 at the error
    g.add_node("Weights", "w", params={"shape": [5, 2]})
    g.add_node("WeightedSum", "ws")
    g.connect("w.W", "ws.W")
    before = snapshot(g)
    with pytest.raises(EditRefused) as e:
        g.connect("ws.z", "s.z")
    assert str(e.value) == ("refused: shape mismatch at e.target: dataset.target gives (3,) but e needs (5,) "
                            "to match s.y (5,); the sizes here come from w upstream: resize it to fit")
    assert same(snapshot(g), before)


def test_every_edit_undoes_and_redoes(xor):
    states = [snapshot(xor)]
    xor.add_node("Watch", "w", pos=(10, 20))
    states.append(snapshot(xor))
    xor.connect("error.E", "w.value")
    states.append(snapshot(xor))
    xor.move("w", (100, 200))
    states.append(snapshot(xor))
    xor.set_param("weights_1", "init", "he")  # re-initialises the weights too
    states.append(snapshot(xor))
    xor.set_setting("lr", 0.05)
    states.append(snapshot(xor))
    xor.disconnect(Link("error", "E", "w", "value"))
    states.append(snapshot(xor))
    xor.remove_node("sigmoid_1")  # and its five wires
    states.append(snapshot(xor))
    xor.reset_weights()
    states.append(snapshot(xor))
    for want in reversed(states[:-1]):
        assert xor.undo() is not None
        assert same(snapshot(xor), want)
    assert xor.undo() is None
    for want in states[1:]:
        assert xor.redo() is not None
        assert same(snapshot(xor), want)
    assert xor.redo() is None


def test_a_new_edit_clears_redo(xor):
    xor.add_node("Watch", "w")
    xor.undo()
    xor.add_node("Watch", "v")
    assert xor.redo() is None


def test_a_refused_step_inside_a_group_rolls_the_whole_group_back(xor):
    before = snapshot(xor)
    with pytest.raises(EditRefused):
        with xor.group("two wires"):
            xor.add_node("Watch", "w")
            xor.connect("error.E", "w.value")
            xor.connect("error.E", "w.value")
    assert same(snapshot(xor), before)
    assert xor.undo() is None


def test_bad_params_and_settings_are_refused(xor):
    before = snapshot(xor)
    with pytest.raises(EditRefused, match="weights_1: shape must be a list of positive whole numbers"):
        xor.set_param("weights_1", "shape", [0, 2])
    with pytest.raises(EditRefused, match="has no parameter 'colour'"):
        xor.set_param("weights_1", "colour", 1)
    with pytest.raises(EditRefused, match="settings: lr must be at least 0"):
        xor.set_setting("lr", -1)
    with pytest.raises(EditRefused, match="unknown data source 'xro'"):
        xor.set_setting("data", "xro")
    with pytest.raises(EditRefused, match="shape mismatch"):
        xor.set_setting("data", "spiral")  # three outputs no longer fit the 1-unit output layer
    with pytest.raises(EditRefused, match="shape mismatch"):
        xor.set_param("weights_2", "shape", [3, 2])
    assert same(snapshot(xor), before)


def test_only_one_dataset(xor):
    with pytest.raises(EditRefused, match="at most one Dataset"):
        xor.add_node("Dataset")


def test_events_reach_subscribers_but_not_for_refused_edits(xor):
    seen = []
    xor.subscribe(lambda kind, **d: seen.append(kind))
    xor.add_node("Watch", "w")
    with pytest.raises(EditRefused):
        xor.connect("sigmoid_1.y", "error.y")
    xor.undo()
    assert seen == ["node_added", "node_removed"]


def test_problems_list_what_blocks_running():
    g = Graph({"data": "xor"})
    g.add_node("Dataset")
    g.add_node("Sigmoid", "s")
    g.add_node("WeightUpdate", "u")
    g.add_node("Constant", "c", params={"value": [[1.0, 2.0]]})
    g.connect("c.out", "u.W")
    problems = g.problems()
    assert "s.z is not connected" in problems
    assert "u.W must come from a Weights or Bias node (its new value is written there), not from c" in problems


def test_building_infers_shapes_incrementally():
    """Each edit re-infers only what it touches: building a network is linear in its size."""
    per_node = []
    for hidden in (8, 38):
        g = mlp([2] + [4] * hidden + [1], data="circle")
        per_node.append(g._shapes.inferences / len(g.node_ids))
    assert per_node[1] <= per_node[0] * 1.1 and per_node[1] < 8  # whole-graph inference per edit would be ~n
    g = mlp([2, 3, 1], data="circle")
    full = g.shapes()
    from nodeflow.document.shapes import infer
    fresh = infer(g.nx, g._shapes.ctx)
    assert fresh.outputs == full.outputs and fresh.dims == full.dims and fresh.problems == full.problems == []


def test_an_edit_upstream_reaches_every_node_downstream():
    g = Graph({"data": "circle"})
    g.add_node("Dataset")
    g.add_node("Weights", "w", params={"shape": [3, 2]})
    for t, n in (("WeightedSum", "ws"), ("Sigmoid", "s"), ("Watch", "watch")):
        g.add_node(t, n)
    for a, b in (("dataset.x", "ws.x"), ("w.W", "ws.W"), ("ws.z", "s.z"), ("s.y", "watch.value")):
        g.connect(a, b)
    assert g.shapes().outputs[("s", "y")] == (3,)
    g.disconnect(Link("w", "W", "ws", "W"))
    g.set_param("w", "shape", [5, 2])
    g.connect("w.W", "ws.W")
    assert g.shapes().outputs[("ws", "z")] == g.shapes().outputs[("s", "y")] == (5,)
    assert g.shapes().inputs["watch"]["value"] == (5,)
