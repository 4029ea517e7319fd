"""Stepping: node by node in backprop order, sample and epoch steps, stepping back, determinism."""
from __future__ import annotations

import numpy as np
import pytest

from nodeflow import Session, Graph, Link, load, mlp
from nodeflow.errors import NotReady
from nodeflow.nodes.base import PHASE_RANK
from conftest import GRAPHS
from reference import forward, params_of


def weights(ev):
    """Every parameter's and optimiser's trained values in a session's run (copies)."""
    return ev.run.trained_state()


def assert_same_weights(a, b, atol=0.0):
    assert a.keys() == b.keys()
    for n in a:
        for k in a[n]:
            np.testing.assert_allclose(a[n][k], b[n][k], rtol=0, atol=atol, err_msg=f"{n}.{k}")


def test_nodes_run_forward_then_backward_then_updates():
    g = mlp([2, 3, 3, 1], data="circle", seed=1)
    ev = Session(g)
    seen = []
    for _ in range(len(ev.steps)):
        node = ev.step_node()
        seen.append((node, ev.phase))
    ranks = [PHASE_RANK[p] for _, p in seen]
    assert ranks == sorted(ranks), "phases must not go back: forward, backward, update"
    nodes = [n for n, _ in seen]
    assert nodes[0] == "dataset"
    assert nodes.index("sigmoid_3") < nodes.index("error") < nodes.index("delta_3") < nodes.index("delta_2") \
        < nodes.index("delta_1") < nodes.index("weight_update_1")
    assert ev.sample == 1 and ev.cursor == 0


def test_wire_values_are_the_forward_pass_after_a_node_step():
    layers = [2, 4, 3]
    g = mlp(layers, data="spiral", seed=4)
    ev = Session(g)
    params = params_of(g)
    while ev.last_node != "sigmoid_2":
        ev.step_node()
    d = g.data()
    ys = forward(params, d.X_train[ev.current_row])
    np.testing.assert_allclose(ev.value("sigmoid_1", "y"), ys[1], atol=1e-15)
    np.testing.assert_allclose(ev.value("sigmoid_2", "y"), ys[2], atol=1e-15)
    np.testing.assert_allclose(ev.value("error", "y"), ys[2], atol=1e-15)  # the value on the wire into error.y
    wires = ev.wire_values()
    np.testing.assert_allclose(wires[Link("sigmoid_1", "y", "weighted_sum_2", "x")], ys[1], atol=1e-15)
    assert ev.phase == "forward"


def test_node_steps_add_up_to_a_sample_step():
    a, b = mlp([2, 4, 3], data="spiral", seed=2), mlp([2, 4, 3], data="spiral", seed=2)
    ea, eb = Session(a), Session(b)
    for _ in range(3):
        ea.step_sample()
        for _ in range(len(eb.steps)):
            eb.step_node()
    assert_same_weights(weights(ea), weights(eb))
    for link, v in ea.wire_values().items():
        np.testing.assert_array_equal(v, eb.wire_values()[link])


def test_epochs_record_loss_and_accuracy():
    g = mlp([2, 4, 3], data="spiral", seed=2)
    ev = Session(g)
    s = ev.step_epoch()
    assert s.epoch == 1 and ev.epoch == 1 and ev.sample == 0
    assert 0 < s.loss and 0 <= s.train_acc <= 1 and 0 <= s.test_acc <= 1
    assert ev.value("mean_loss", "loss")[()] == s.loss
    stats = ev.train(3)
    assert [x.epoch for x in stats] == [2, 3, 4] and ev.epoch == 4
    assert g.trained_epochs == 0  # the document learns of the training only when it is applied
    ev.apply()
    assert g.trained_epochs == 4


def test_test_accuracy_is_measured_on_the_test_set():
    g = mlp([2, 4, 3], data="spiral", seed=2)
    ev = Session(g)
    s = ev.step_epoch()
    d = g.data()
    pred = ev.predict(d.X_test)
    assert s.test_acc == pytest.approx(np.mean(pred.argmax(1) == d.T_test.argmax(1)), abs=1e-15)


def test_step_back_restores_everything_for_over_a_hundred_samples():
    g = mlp([2, 4, 3], data="spiral", seed=2)
    ev = Session(g)
    marks = []
    for _ in range(150):
        marks.append((weights(ev), ev.wire_values(), ev.epoch, ev.sample, len(ev.stats)))
        ev.step_sample()
    ev.step_node()
    ev.step_node()
    assert ev.step_back()  # the half-done sample
    assert ev.cursor == 0
    for w, wires, epoch, sample, n_stats in reversed(marks[-120:]):
        assert ev.step_back()
        assert_same_weights(weights(ev), w)
        assert (ev.epoch, ev.sample, len(ev.stats)) == (epoch, sample, n_stats)
        for link, v in wires.items():
            np.testing.assert_array_equal(ev.wire_values()[link], v)
    ev.step_sample()  # and forward again: the same numbers as the first time
    assert_same_weights(weights(ev), marks[-119][0])


def test_same_file_same_numbers(tmp_path):
    runs = []
    for _ in range(2):
        g = load(GRAPHS / "xor.json")
        ev = Session(g)
        ev.train(20)
        runs.append((weights(ev), [s.loss for s in ev.stats]))
    assert_same_weights(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]


def test_compiled_and_plain_python_kernels_agree():
    a, b = mlp([2, 4, 3], data="spiral", seed=2), mlp([2, 4, 3], data="spiral", seed=2)
    ea, eb = Session(a), Session(b, jit=False)
    ea.train(3)
    eb.train(3)
    assert_same_weights(weights(ea), weights(eb), atol=1e-12)


def test_an_edit_mid_sample_restarts_that_sample():
    g = mlp([2, 2, 1], data="xor", seed=1)
    ev = Session(g)
    ev.step_sample()
    w = weights(ev)
    for _ in range(5):
        ev.step_node()
    g.set_setting("lr", 0.01)
    assert ev.cursor == 0 and ev.sample == 1
    assert_same_weights(weights(ev), w)  # the new run carries the trained weights over
    ev.step_sample()
    assert ev.plan.lr == 0.01 and ev.run.inputs["base_lr"][0] == 0.01


def test_moving_a_node_keeps_the_sample_going():
    g = mlp([2, 2, 1], data="xor", seed=1)
    ev = Session(g)
    ev.step_node()
    ev.step_node()
    g.move("error", (5, 5))
    assert ev.cursor == 2


def test_an_unfinished_graph_says_what_is_missing():
    g = Graph({"data": "xor"})
    g.add_node("Dataset")
    g.add_node("Sigmoid", "s")
    g.add_node("Error")
    g.connect("s.y", "error.y")  # s feeds the loss: its missing wire stops everything
    with pytest.raises(NotReady, match=r"s.z is not connected \(and 1 more\)"):
        Session(g).step_node()


def test_a_resumed_file_continues_the_shuffle(tmp_path):
    from nodeflow import save

    g = mlp([2, 4, 3], data="spiral", seed=2)
    ev = Session(g)
    ev.train(2)
    ev.apply()
    save(g, tmp_path / "two.json")
    ev.train(1)
    resumed = load(tmp_path / "two.json")
    assert resumed.trained_epochs == 2
    again = Session(resumed)
    again.train(1)
    assert again.epoch == 3
    assert_same_weights(weights(again), weights(ev), atol=0)
