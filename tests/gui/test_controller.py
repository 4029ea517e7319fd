"""The editor's actions without a window: files, edits, undo, stepping, runs, messages."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from nodeflow.document.builders import mlp
from nodeflow.document.graph import Link
from nodeflow.gui.controller import Controller
from nodeflow.run.session import Session

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


@pytest.fixture
def xor(tmp_path) -> Controller:
    path = tmp_path / "xor.json"
    path.write_text((GRAPHS / "xor.json").read_text())
    c = Controller()
    assert c.open(path)
    return c


def test_title_tracks_unsaved_changes(xor, tmp_path):
    assert xor.title == "xor.json - nodeflow" and not xor.dirty
    xor.move_nodes({"dataset": (5.0, 7.0)})
    assert xor.dirty and xor.title == "xor.json * - nodeflow"
    xor.undo()
    assert not xor.dirty
    xor.step_sample()  # training changes the weights, which the file holds
    assert xor.dirty
    assert xor.save()
    assert not xor.dirty and json.loads((tmp_path / "xor.json").read_text())["trained_epochs"] == 0


def test_refused_wire_changes_nothing_and_says_why(xor):
    n = len(xor.graph.links())
    assert xor.connect("sigmoid_2", "y", "weighted_sum_1", "b") is None
    assert xor.message.kind == "error"
    assert xor.message.text.startswith("refused: weighted_sum_1.b already has a wire")
    assert len(xor.graph.links()) == n and not xor.dirty


def test_delete_is_one_undo_step(xor):
    links = len(xor.graph.links())
    assert xor.delete(["bias_1"], [Link("sigmoid_1", "y", "weighted_sum_2", "x")])
    assert "bias_1" not in xor.graph and len(xor.graph.links()) == links - 3
    assert xor.message.text == "deleted 1 node and 1 wire"
    xor.undo()
    assert "bias_1" in xor.graph and len(xor.graph.links()) == links


def test_stepping_messages_and_status(xor):
    assert xor.status_line().startswith("epoch 0   sample 0/4")
    xor.step_node()
    assert xor.message.text.startswith("evaluated ") and "forward:" in xor.status_line()
    xor.step_epoch()
    assert xor.message.text.startswith("epoch 1, loss ")
    assert xor.step_back() and xor.session.epoch == 0


def test_run_without_animation_trains_in_slices(xor):
    xor.animate, xor.run_epochs = False, 25
    xor.toggle_run()
    assert xor.running and xor.message.text == "running 25 epochs"
    frames(xor, lambda: not xor.running)
    assert xor.session.epoch == 25 and xor.message.text.startswith("run finished: epoch 25")


def frames(c: Controller, done, seconds: float = 120.0) -> int:
    """Tick like the editor's frame loop (a frame every 5 ms) until ``done()``; returns the frames."""
    end, n = time.perf_counter() + seconds, 0
    while not done() and time.perf_counter() < end:
        c.tick()
        n += 1
        time.sleep(0.005)
    return n


def test_a_new_shape_compiles_in_the_background_while_the_stepper_trains(tmp_path, monkeypatch):
    monkeypatch.setenv("NODEFLOW_CACHE", str(tmp_path / "cold"))  # nothing compiled on disk yet
    c = Controller()
    assert c.new_network([2, 7, 3], "tanh", "spiral", 0.3, 5)
    c.animate, c.run_epochs = False, 40
    c.toggle_run()
    frames(c, lambda: c.session.compiling or not c.running)
    assert c.running and "compiling the fast engine (the stepper trains meanwhile)" in c.status_line()
    frames(c, lambda: not c.running)
    frames(c, lambda: not c.session.compiling)  # the stepper may have finished first
    engine = c.session.compiled(wait=False)
    assert c.session.epoch == 40 and engine is not None
    c.session.train(2, engine="fast")
    assert len(engine.fn.overloads) == 1  # the worker compiled it for the very arguments a run passes
    twin = Session(mlp([2, 7, 3], "tanh", data="spiral", lr=0.3, seed=5))
    twin.train(42, engine="step")
    assert [s.as_dict() for s in c.session.stats] == [s.as_dict() for s in twin.stats]
    np.testing.assert_array_equal(c.session.run.smem, twin.run.smem)


def test_animated_run_follows_the_speed(xor):
    xor.animate, xor.speed, xor.speed_unit, xor.run_epochs = True, 10.0, "nodes", 1
    xor.toggle_run()
    start = xor.run_state.last
    xor.tick(start + 0.35)  # 3.5 nodes owed: 3 evaluated now
    assert xor.session.cursor == 3 and xor.running
    xor.toggle_run()
    assert not xor.running and xor.message.text == "paused at epoch 0"


def test_divergence_stops_the_run_with_one_line(tmp_path):
    c = Controller()
    c.open(GRAPHS / "adding_neuron.json")
    c.set_setting("lr", 100.0)
    c.animate, c.run_epochs = False, 5
    c.toggle_run()
    frames(c, lambda: not c.running)
    assert not c.running and c.session.divergence is not None
    assert c.message.kind == "error" and c.message.text.startswith("diverged: error.E became infinite")
    assert c.save(tmp_path / "x.json")  # the weights from before the bad step are kept
    doc = json.loads((tmp_path / "x.json").read_text())
    assert all(np.isfinite(n["params"]["value"]).all() for n in doc["nodes"] if "value" in n["params"])


def test_a_bad_file_keeps_the_open_graph(xor, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "nodeflow.graph", "version": 1, "nodes": [{"id": "a", "type": "Nope"}, 3]}')
    shown = []
    xor.on_error = lambda title, lines: shown.append((title, lines))
    assert not xor.open(bad)
    assert xor.path.name == "xor.json" and "weights_1" in xor.graph
    assert shown and shown[0][0] == "Cannot open bad.json" and len(shown[0][1]) >= 2


def test_new_network_and_bad_sizes(xor):
    assert not xor.new_network([3, 1], "sigmoid", "xor")
    assert "do not fit" in xor.message.text and xor.path.name == "xor.json"
    assert xor.new_network([2, 4, 1], "tanh", "xor", lr=0.1, seed=5)
    g = xor.graph
    assert xor.path is None and xor.dirty and g.settings["lr"] == 0.1 and g.settings["seed"] == 5
    assert g.params("weights_1")["shape"] == [4, 2] and "tanh_1" in g


def test_gradient_check_and_profiling(xor):
    checks = xor.gradient_check()
    assert {c.node for c in checks} == {"weights_1", "bias_1", "weights_2", "bias_2"}
    assert all(c.verdict == "ok" for c in checks) and set(xor.gradchecks) == {c.node for c in checks}
    xor.set_profiling(True)
    xor.step_sample()
    times = xor.node_times()
    assert set(times) == {s.node for s in xor.session.steps} and all(t > 0 for t in times.values())
    # microseconds: compiling a kernel on its first call (a second or more) is not counted; a call is
    # far below this bound even on a loaded machine
    assert times["dataset"] < 50_000


def test_settings_and_params_through_the_controller(xor):
    assert xor.set_setting("lr", 0.05) and xor.graph.settings["lr"] == 0.05
    assert not xor.set_setting("split", 5.0) and xor.message.kind == "error"
    assert xor.message.text == "settings: split must be at most 1, not 5"
    assert xor.set_param("weight_update_1", "optimizer", "adam")
    assert not xor.set_param("weights_1", "shape", [3, 3])  # does not fit its wires
    assert xor.message.text == ("refused: shape mismatch at weighted_sum_1.x: dataset.x gives (2,) but weighted_sum_1 "
                                "needs (3,) to match weights_1.W (3, 3)")
    assert xor.graph.params("weights_1")["shape"] == [2, 2]
    before = xor.graph.state("weights_1")["value"].copy()
    xor.step_epoch()
    assert xor.reset_weights()
    np.testing.assert_array_equal(xor.graph.state("weights_1")["value"], before)


def test_an_empty_graph_cannot_be_stepped_or_run():
    c = Controller()
    for action in (c.step_node, c.step_sample, c.step_epoch):
        assert not action()
        assert c.message.text == "cannot step: there is nothing to evaluate: add nodes from the palette"
    c.toggle_run()
    assert not c.running
    c.add_node("Weights")
    assert not c.step_node() and "nothing to train on" in c.message.text


def test_labels_and_stale_gradient_checks(xor):
    xor.gradient_check()
    assert xor.gradchecks
    assert xor.set_label("weights_1", "  first weights ") and xor.graph.attrs("weights_1")["label"] == "first weights"
    xor.move_nodes({"weights_1": (1.0, 2.0)})
    assert xor.gradchecks  # labels and moves change no numbers
    xor.set_setting("lr", 0.1)
    assert not xor.gradchecks  # other edits make the last check stale
    assert not xor.set_label("weights_1", " ") and xor.message.kind == "error"
    for _ in range(3):
        xor.undo()
    assert xor.graph.attrs("weights_1")["label"] == "W1"


def test_profiling_stays_on_for_the_next_graph(xor):
    xor.set_profiling(True)
    xor.open(GRAPHS / "xor.json")
    assert xor.session.profiling


def test_run_then_pause_on_an_untouched_file_leaves_it_clean(xor):
    xor.animate = True
    xor.toggle_run()
    assert xor.running
    xor.toggle_run()  # paused before a single step was taken
    assert not xor.running and not xor.dirty and "*" not in xor.title


def test_a_probe_shows_until_a_step_an_edit_or_leaving_and_pauses_a_run(xor):
    xor.step_node()
    v = xor.values_version
    assert xor.probe([1.0, 0.0]) and xor.probing is not None and xor.values_version == v + 1
    assert xor.message.text.startswith("probe: 1, 0 -> ") and "training untouched" in xor.message.text
    np.testing.assert_array_equal(xor.probing.value("dataset", "x"), [1.0, 0.0])
    assert xor.probing.shows("sigmoid_2", "y") and not xor.probing.shows("dataset", "target")
    assert not xor.probing.shows("error", "E")  # beyond the output: not part of the forward pass
    xor.step_node()  # a step returns to the training values
    assert xor.probing is None and xor.message.text.startswith("evaluated ")
    assert xor.probe([0.0, 1.0])
    xor.set_setting("lr", 0.5)  # so does an edit
    assert xor.probing is None
    xor.probe([0.0, 1.0])
    xor.leave_probe(say=True)
    assert xor.probing is None and xor.message.text.startswith("left the probe")
    xor.animate, xor.run_epochs = False, 1000
    xor.toggle_run()
    assert xor.running and xor.probe([1.0, 1.0]) and not xor.running  # probing pauses a run
    assert not xor.probe([1.0]) and xor.probing is not None  # one number for two features: refused, said
    assert xor.message.kind == "error" and "2 numbers" in xor.message.text
