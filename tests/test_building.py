"""Building from scratch: parameters take their shape from their wires; stray nodes are skipped."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nodeflow.data.init import initial_values, rng_for
from nodeflow.document.files import load, save
from nodeflow.document.graph import Graph, Link
from nodeflow.errors import EditRefused, NotReady
from nodeflow.run.export import script
from nodeflow.run.session import Session
from conftest import GRAPHS, run_cli


def neuron(data: str = "apples-oranges") -> Graph:
    """A fresh Dataset, Weights (1, 1), Bias (1,) and WeightedSum, the Weights wired in."""
    g = Graph({"data": data})
    for t in ("Dataset", "Weights", "Bias", "WeightedSum"):
        g.add_node(t)
    g.connect("weights_1.W", "weighted_sum_1.W")
    return g


def test_fresh_weights_take_the_shape_of_the_data_in_one_undo_step():
    g = neuron()
    before = g.state("weights_1")["value"].copy()
    assert before.shape == (1, 1)
    g.connect("dataset.x", "weighted_sum_1.x")
    assert g.params("weights_1")["shape"] == [1, 2]
    assert g.last_edit == "connect dataset.x -> weighted_sum_1.x (weights_1 resized to (1, 2))"
    want = initial_values("uniform", (1, 2), rng_for(g.settings["seed"], "weights_1"), 2, 1, 1.0)
    np.testing.assert_array_equal(g.state("weights_1")["value"], want)  # drawn from the seed, as Reset draws
    assert g.shapes().outputs[("weighted_sum_1", "z")] == (1,)
    assert g.undo() == "connect dataset.x -> weighted_sum_1.x (weights_1 resized to (1, 2))"
    assert g.params("weights_1")["shape"] == [1, 1] and g.wire_into("weighted_sum_1", "x") is None
    np.testing.assert_array_equal(g.state("weights_1")["value"], before)
    g.redo()
    assert g.params("weights_1")["shape"] == [1, 2] and g.wire_into("weighted_sum_1", "x") is not None


def test_a_bias_follows_the_weights_and_the_weights_grow_to_a_bias():
    g = neuron()
    g.connect("dataset.x", "weighted_sum_1.x")
    g.connect("bias_1.b", "weighted_sum_1.b")  # (1,) already fits
    assert g.params("bias_1")["size"] == 1
    g.disconnect(Link("bias_1", "b", "weighted_sum_1", "b"))
    g.set_param("bias_1", "size", 3)  # the user wants three units: the weights follow, not the bias
    g.connect("bias_1.b", "weighted_sum_1.b")
    assert g.params("weights_1")["shape"] == [3, 2] and g.params("bias_1")["size"] == 3
    h = neuron()
    h.set_param("weights_1", "shape", [4, 1])
    h.add_node("Bias", "b4")
    h.connect("b4.b", "weighted_sum_1.b")  # a wire from a fresh bias: the bias follows the weights
    assert h.params("b4")["size"] == 4 and h.params("weights_1")["shape"] == [4, 1]


def test_trained_weights_keep_their_shape_and_the_refusal_says_what_fits():
    g = neuron()
    g.state("weights_1")["value"][0, 0] = 0.123  # learned: no longer what the seed draws
    with pytest.raises(EditRefused) as e:
        g.connect("dataset.x", "weighted_sum_1.x")
    msg = str(e.value)
    assert msg.startswith("refused: shape mismatch at weighted_sum_1.x: dataset.x gives (2,)")
    assert msg.endswith("; to fit, set weights_1's shape to 1, 2 "
                        "(it holds trained values, so it does not follow the wire by itself)")
    assert "\n" not in msg and g.params("weights_1")["shape"] == [1, 1] and len(g.links()) == 1
    g.reset_weights()
    g.connect("dataset.x", "weighted_sum_1.x")  # reset: it follows again
    assert g.params("weights_1")["shape"] == [1, 2]


def test_a_resize_that_breaks_another_wire_is_refused_whole():
    g = neuron()
    g.add_node("WeightUpdate", "u")
    g.add_node("Constant", "c", params={"value": [1.0]})
    g.connect("weights_1.W", "u.W")
    g.connect("c.out", "u.x")  # the update says the weights take 1 input
    with pytest.raises(EditRefused, match=r"weights_1 resized to \(1, 2\) would fit here but not its other "
                                          r"wires \(shape mismatch at u.x"):
        g.connect("dataset.x", "weighted_sum_1.x")
    assert g.params("weights_1")["shape"] == [1, 1] and len(g.links()) == 3


def test_other_refusals_point_to_where_the_sizes_come_from():
    g = load(GRAPHS / "xor.json")
    g.disconnect(Link("dataset", "target", "error", "target"))
    g.add_node("Constant", "three", params={"value": [0.0, 1.0, 0.0]})
    with pytest.raises(EditRefused) as e:
        g.connect("three.out", "error.target")
    assert str(e.value).endswith("; the sizes here come from bias_2, weights_2 upstream: resize them to fit")


def stray(g: Graph) -> Graph:
    """Add a Tanh with nothing wired into it, and a Watch on it."""
    g.add_node("Tanh", "tanh_1", pos=(50.0, 300.0))
    g.add_node("Watch", "watch_1", pos=(80.0, 300.0))
    g.connect("tanh_1.y", "watch_1.value")
    return g


def test_a_stray_node_is_skipped_and_the_rest_trains_as_without_it():
    clean, messy = Session(load(GRAPHS / "xor.json")), Session(stray(load(GRAPHS / "xor.json")))
    assert messy.plan.skipped == {"tanh_1": "z is not connected", "watch_1": "reads tanh_1, which is skipped"}
    assert clean.plan.skipped == {}
    for ev in (clean, messy):
        ev.step_node()
        ev.step_sample()
        ev.train(2, engine="step")
        ev.train(3, engine="fast")
    assert [s.as_dict() for s in messy.stats] == [s.as_dict() for s in clean.stats]
    for n in clean.graph.node_ids:
        for name, v in clean.state(n).items():
            np.testing.assert_array_equal(messy.state(n)[name], v)
    np.testing.assert_array_equal(messy.value("sigmoid_2", "y"), clean.value("sigmoid_2", "y"))
    assert messy.run.value("tanh_1", "y") is None
    with pytest.raises(NotReady, match="tanh_1 is skipped: z is not connected"):
        messy.value("tanh_1", "y")
    assert Link("tanh_1", "y", "watch_1", "value") not in messy.wire_values()


def test_the_export_of_a_graph_with_a_stray_node_is_the_clean_one_with_a_note():
    clean = script(Session(load(GRAPHS / "xor.json")), "xor.json").splitlines()
    messy = script(Session(stray(load(GRAPHS / "xor.json"))), "xor.json").splitlines()
    note = [line for line in messy if line not in clean]
    assert note == ["Left out, as nodeflow leaves it out (it feeds no loss): tanh_1 (z is not connected).",
                    "Left out, as nodeflow leaves it out (it feeds no loss): watch_1 (reads tanh_1, which is skipped)."]
    assert [line for line in messy if line not in note] == clean


def test_run_and_check_say_what_is_skipped(tmp_path):
    path = tmp_path / "stray.json"
    save(stray(load(GRAPHS / "xor.json")), path)
    r = run_cli("run", path, "--epochs", "2")
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2
    assert r.stderr == ("nodeflow: note: skipped (they feed no loss): tanh_1: z is not connected; "
                        "watch_1: reads tanh_1, which is skipped\n")
    r = run_cli("check", path)
    assert r.returncode == 0 and r.stdout.startswith("ok: 21 nodes, 30 links; skipped (they feed no loss): tanh_1")


def test_a_missing_wire_that_feeds_the_loss_still_stops_it_with_the_reason():
    g = stray(load(GRAPHS / "xor.json"))
    g.disconnect(Link("dataset", "target", "error", "target"))
    with pytest.raises(NotReady, match=r"^error.target is not connected$"):
        Session(g).prepare()


def test_a_forward_only_graph_steps_without_a_loss():
    g = Graph({"data": "xor"})
    g.add_node("Dataset")
    g.add_node("Weights", "w")
    g.add_node("WeightedSum", "ws")
    g.add_node("Sigmoid", "s")
    g.add_node("Sigmoid", "loose")
    for a, b in (("w.W", "ws.W"), ("dataset.x", "ws.x"), ("ws.z", "s.z")):
        g.connect(a, b)
    assert g.params("w")["shape"] == [1, 2]
    ev = Session(g)
    ev.step_sample()
    assert ev.plan.skipped == {"loose": "z is not connected"}
    x, w = ev.value("dataset", "x"), ev.value("w", "W")
    np.testing.assert_allclose(ev.value("s", "y"), 1 / (1 + np.exp(-(w @ x))))
    assert json.dumps(ev.plan.skipped)  # plain data: the editor shows it
