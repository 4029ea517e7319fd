"""Asking the network: predictions in raw units by hand, probes that leave training alone, the
numpy batch forms against the kernels, and ``nodeflow predict``."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nodeflow import Session, load, mlp, save
from nodeflow.cli import main
from nodeflow.nodes import NODE_TYPES, KERNELS
from nodeflow.run.probe import forward_batch, forward_rows
from conftest import GRAPHS

ROWS = "a,b,y\n1,10,5\n3,30,9\n2,20,4\n5,50,13\n"  # raw: a in [1, 5], b in [10, 50], y in [4, 13]


@pytest.fixture
def linear(tmp_path):
    """A 2-1 identity neuron on a CSV with a numeric target, min-max scaled, with weights set by hand."""
    (tmp_path / "rows.csv").write_text(ROWS)
    g = mlp([2, 1], "identity", data="rows.csv", split=1.0, target="value", base_dir=tmp_path)
    g.state("weights_1")["value"][:] = [[0.5, -0.25]]
    g.state("bias_1")["value"][:] = [0.125]
    return g


def by_hand(a: float, b: float) -> float:
    xa, xb = (a - 1.0) / 4.0, (b - 10.0) / 40.0  # the inputs' min-max scaling
    y = 0.5 * xa - 0.25 * xb + 0.125  # the neuron, in scaled units
    return y * 9.0 + 4.0  # the target's scaling undone: span 13 - 4, offset 4


def test_predict_in_raw_units_equals_a_hand_computation(linear, tmp_path, capsys):
    s = Session(linear)
    for a, b in [(2.2, 1.5), (1024.0, 2048.0), (3.0, 30.0)]:
        assert s.predict_raw([[a, b]])[0, 0] == pytest.approx(by_hand(a, b), rel=1e-12)
    save(linear, tmp_path / "g.json")
    assert main(["predict", str(tmp_path / "g.json"), "--input", "2.2,1.5", "--input", "1024,2048"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"2.2, 1.5 -> {by_hand(2.2, 1.5):.6g}", f"1024, 2048 -> {by_hand(1024, 2048):.6g}"]


def test_the_recorded_scaling_is_used_even_when_the_data_changes(linear, tmp_path, capsys):
    path = tmp_path / "g.json"
    save(linear, path)
    doc = json.loads(path.read_text())
    assert doc["settings"]["encoding"] == {"inputs": {"offset": [1.0, 10.0], "scale": [4.0, 40.0]},
                                           "target": {"offset": [4.0], "scale": [9.0]}, "classes": []}
    (tmp_path / "rows.csv").write_text(ROWS + "100,1000,500\n")  # new rows would change a fresh min-max
    assert Session(load(path)).predict_raw([[2.2, 1.5]])[0, 0] == pytest.approx(by_hand(2.2, 1.5), rel=1e-12)
    g = load(path)
    g.set_setting("scale", "none")  # a new scaling forgets the recorded one (and Ctrl+Z brings it back)
    assert g.settings["encoding"] is None and g.data().encoding.inputs.offset == (0.0, 0.0)
    g.undo()
    assert g.settings["encoding"] == doc["settings"]["encoding"]


def test_predict_csv_and_class_names(tmp_path, capsys):
    ev = Session(load(GRAPHS / "apples_oranges.json"))
    ev.train(20)
    ev.apply()
    path = tmp_path / "fruit.json"
    save(ev.graph, path)
    (tmp_path / "in.csv").write_text("size,colour\n0.5,0.9\n0.5,0.1\n")
    assert main(["predict", str(path), "--csv", str(tmp_path / "in.csv"), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["class"] for r in rows] == ["orange", "apple"]  # oranges lie above the line
    want = Session(load(path)).predict(np.array([[0.5, 0.9], [0.5, 0.1]]))  # bounds [0, 1]: raw = served
    np.testing.assert_allclose([r["output"] for r in rows], want, rtol=0, atol=0)
    assert main(["predict", str(path), "--input", "0.5,0.9"]) == 0
    assert capsys.readouterr().out.startswith(f"0.5, 0.9 -> orange (output {want[0, 0]:.4f}")


@pytest.mark.parametrize("args,message", [
    (["--input", "1,2,3"], "--input 1,2,3: apples-oranges has 2 features (size, colour), so give 2 numbers"),
    (["--input", "1,x"], "--input 1,x, value 2: 'x' is not a number"),
    ([], "give --input X1,X2,... or --csv FILE"),
    (["--csv", "missing.csv"], "cannot read missing.csv"),
])
def test_predict_mistakes_are_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["predict", str(GRAPHS / "apples_oranges.json"), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nodeflow: error: ") and message in err and err.count("\n") == 1


def test_a_probe_flows_through_a_copy_and_leaves_training_alone():
    ev = Session(load(GRAPHS / "xor.json"))
    ev.train(3)
    ev.step_node()
    before = (ev.run.mem.copy(), ev.run.smem.copy(), ev.epoch, ev.sample, ev.cursor, len(ev.run.snapshots))
    p = ev.probe([1.0, 0.0])
    after = (ev.run.mem, ev.run.smem, ev.epoch, ev.sample, ev.cursor, len(ev.run.snapshots))
    assert all(np.array_equal(x, y) for x, y in zip(before, after))
    assert p.evaluated[0] == "dataset" and p.evaluated[-1] == "sigmoid_2" and "error" not in p.evaluated
    np.testing.assert_array_equal(p.value("dataset", "x"), [1.0, 0.0])
    w1, b1 = ev.value("weights_1", "W"), ev.value("bias_1", "b")
    np.testing.assert_allclose(p.value("weighted_sum_1", "z"), w1 @ [1.0, 0.0] + b1, rtol=1e-15)
    np.testing.assert_array_equal(p.y, ev.predict([[1.0, 0.0]])[0])


def test_a_groups_outputs_belong_to_the_probe_whose_pass_runs_inside_it():
    g = mlp([2, 2, 1], data="xor")
    gid = g.group_nodes(["weighted_sum_1", "sigmoid_1"])
    ev = Session(g)
    p = ev.probe([1.0, 0.0])
    assert p.shows(gid, "y") and p.shows(gid, "slope") and not p.shows("error", "E")
    w1, b1 = ev.value("weights_1", "W"), ev.value("bias_1", "b")
    np.testing.assert_allclose(p.value(gid, "y"), 1 / (1 + np.exp(-(w1 @ [1.0, 0.0] + b1))), rtol=1e-15)


@pytest.mark.parametrize("path", sorted(GRAPHS.glob("*.json")), ids=lambda p: p.stem)
def test_batch_forms_give_the_kernels_numbers_on_every_example(path):
    ev = Session(load(path))
    ev.train(1, engine="step")  # weights off their start (the stepper: no compiling)
    ports = [(s.node, p.name) for s in ev.plan.steps for p in NODE_TYPES[s.type].outputs
             if NODE_TYPES[s.type].family == "forward"]  # every weighted sum and activation
    X = ev.plan.data.X[:200]
    fast, slow = forward_batch(ev, X, ports), forward_rows(ev, X, ports)
    assert fast is not None and set(fast) == set(slow) and ports
    for p in ports:
        np.testing.assert_allclose(fast[p], slow[p], rtol=1e-12, atol=1e-14, err_msg=str(p))


@pytest.mark.parametrize("name", ["Sigmoid", "Tanh", "ReLU", "Identity", "Softmax"])
def test_each_activation_batch_form_equals_its_kernel_even_far_out(name):
    z = np.array([[-800.0, -30.0, -1e-3, 0.0], [1e-3, 2.0, 40.0, 800.0], [np.nan, 1.0, -1.0, 0.5]])
    t = NODE_TYPES[name]
    out = t.batch({"z": z}, {"z"}, {})
    k = KERNELS[t.fn.name].py
    for i, row in enumerate(z):
        y, slope = np.empty(4), np.empty((4, 4) if name == "Softmax" else 4)
        k(row, y, slope)
        np.testing.assert_allclose(out["y"][i], y, rtol=1e-15, atol=0, equal_nan=True)
        np.testing.assert_allclose(out["slope"][i], slope, rtol=1e-15, atol=0, equal_nan=True)
