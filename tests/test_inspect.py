"""Seeing inside and catching mistakes: gradient checks, the divergence guard, pictures, digits, timing."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nodeflow import Session, Link, load, mlp
from nodeflow.errors import DataError, Diverged
from nodeflow.run.gradcheck import gradcheck
from nodeflow.views.images import diverging, heat_map, image_shape, unit_images, write_png
from conftest import GRAPHS, run_cli

EXAMPLES = sorted(p.name for p in GRAPHS.glob("*.json"))


@pytest.mark.parametrize("name", [n for n in EXAMPLES if n != "adding_neuron_article.json"])  # its rule is not
def test_gradcheck_passes_on_every_example(name):  # gradient descent on purpose: see test_article.py
    if name == "digits.json":
        pytest.importorskip("sklearn")
    results = gradcheck(Session(load(GRAPHS / name)), samples=2)
    assert results and all(r.rel_error < 1e-7 for r in results), [(r.node, r.rel_error) for r in results]
    assert {r.node for r in results} == set(load(GRAPHS / name).nodes_of_type("Weights", "Bias"))


def miswired():
    """A delta that skips the activation slope: error.grad wired straight into the update."""
    g = mlp([2, 3, 1], data="circle", seed=1)
    g.disconnect(Link("delta_2", "delta", "weight_update_2", "delta"))
    g.connect("error.grad", "weight_update_2.delta")
    return g


def test_gradcheck_catches_a_delta_that_skips_the_slope():
    by_node = {r.node: r for r in gradcheck(Session(miswired()))}
    assert by_node["weights_2"].verdict == "WRONG" and by_node["weights_2"].rel_error > 0.1
    assert by_node["weights_1"].verdict == "ok"  # its own delta is still right


def test_gradcheck_leaves_the_graph_as_it_was():
    g = load(GRAPHS / "adam_vs_sgd.json")
    ev = Session(g)
    ev.step_sample()
    before = ev.run.smem.copy(), ev.run.mem.copy()
    gradcheck(ev)
    np.testing.assert_array_equal(ev.run.smem, before[0])
    np.testing.assert_array_equal(ev.run.mem, before[1])


def test_gradcheck_command(tmp_path):
    from nodeflow import save

    r = run_cli("gradcheck", GRAPHS / "xor.json")
    assert r.returncode == 0 and "gradients agree" in r.stdout and r.stdout.count(" ok") == 4
    save(miswired(), tmp_path / "bad.json")
    r = run_cli("gradcheck", tmp_path / "bad.json")
    assert r.returncode == 1 and "WRONG" in r.stdout
    assert "backprop disagrees with the numerical gradient for weights_2" in r.stderr


def test_a_huge_learning_rate_stops_with_the_node_and_epoch(tmp_path):
    out = tmp_path / "after.json"
    r = run_cli("run", GRAPHS / "adding_neuron.json", "--epochs", "20", "--lr", "100", "--save", out)
    assert r.returncode == 3, r.stderr
    assert "nodeflow: error: diverged: error.E became infinite at epoch 1, sample" in r.stderr
    assert "Try a lower learning rate (now 100)" in r.stderr and "Traceback" not in r.stderr
    doc = json.loads(out.read_text())
    values = [np.array(n["params"]["value"]) for n in doc["nodes"] if "value" in n["params"]]
    assert values and all(np.isfinite(v).all() for v in values)


def stopped_by_the_guard():
    """The adding neuron with a learning rate of 100, already stopped by the guard."""
    g = load(GRAPHS / "adding_neuron.json")
    g.set_setting("lr", 100.0)
    ev = Session(g)
    with pytest.raises(Diverged) as e:
        ev.train(5)
    return g, ev, e.value


def test_divergence_keeps_the_weights_and_step_back_works():
    g, ev, err = stopped_by_the_guard()
    assert (err.node, err.port) == ("error", "E")
    assert ev.divergence is err and ev.last_node == "error" and ev.cursor > 0
    assert not np.isfinite(ev.value("error", "E")).all()  # the bad value stays on its wire to be seen
    W = ev.value("weights_1", "W")
    assert np.isfinite(W).all() and not np.array_equal(W, g.state("weights_1")["value"])  # trained, not the start
    assert ev.step_back() and ev.cursor == 0
    np.testing.assert_array_equal(ev.value("weights_1", "W"), W)
    assert np.isfinite(ev.run.mem).all()


def test_stepping_node_by_node_stops_at_the_first_bad_node():
    _, ev, _ = stopped_by_the_guard()
    ev.step_back()
    with pytest.raises(Diverged) as e:
        for _ in range(100):
            ev.step_node()
    assert e.value.node == "error" and ev.last_node == "error"


def test_a_growing_loss_warns():
    g = load(GRAPHS / "adding_neuron.json")
    g.set_setting("lr", 1.5)
    ev = Session(g)
    with pytest.raises(Diverged):
        ev.train(30)
    warned = [s.epoch for s in ev.stats if s.warning]
    assert warned and warned[0] == 6  # five rises in a row after epoch 1
    assert "the loss has grown for 5 epochs in a row" in ev.stats[5].warning
    quiet = Session(load(GRAPHS / "xor.json"))
    assert not any(s.warning for s in quiet.train(300))


def test_digits_network_learns():
    pytest.importorskip("sklearn")
    g = load(GRAPHS / "digits.json")
    assert g.data().X.shape == (1797, 64)
    ev = Session(g)
    ev.train(10)
    assert ev.stats[-1].test_acc >= 0.9
    pictures = unit_images(ev.value("weights_1", "W"))
    assert pictures.shape == (5 * (8 * 4 + 2) + 2, 5 * (8 * 4 + 2) + 2, 3)  # 25 units, 8×8 pixels zoomed 4×


def test_digits_without_scikit_learn_says_how_to_get_it(monkeypatch):
    import builtins

    from nodeflow.data import builtin

    real = builtins.__import__

    def no_sklearn(name, *a, **k):
        if name.startswith("sklearn"):
            raise ImportError(name)
        return real(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(DataError, match=r"pip install 'nodeflow\[digits\]'"):
        builtin.digits()


def test_colour_scale():
    rgb = diverging(np.array([-2.0, 0.0, 2.0, np.nan, 1.0]))
    assert rgb[0, 0] > rgb[0, 2]  # negative: orange (more red than blue)
    assert rgb[2, 2] > rgb[2, 0]  # positive: blue
    np.testing.assert_allclose(rgb[1], [0.93, 0.93, 0.93])
    np.testing.assert_allclose(rgb[3], [0.85, 0.1, 0.1])  # NaN: red
    assert np.all(np.abs(rgb[4] - rgb[1]) < np.abs(rgb[2] - rgb[1]) + 1e-12)  # half as strong as the extreme


def test_pictures_and_png(tmp_path):
    assert image_shape(64) == (8, 8) and image_shape(400) == (20, 20) and image_shape(7) is None
    W = np.arange(3 * 64, dtype=float).reshape(3, 64) - 90
    img = unit_images(W, zoom=2, gap=1)
    assert img.shape == (2 * 17 + 1, 2 * 17 + 1, 3)
    assert heat_map(np.ones((2, 3)), cell=4).shape == (8, 12, 3)
    with pytest.raises(ValueError, match="7 inputs do not make a square picture"):
        unit_images(np.ones((2, 7)))
    write_png(tmp_path / "p.png", img)
    data = (tmp_path / "p.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(data[16:20], "big") == img.shape[1]


def test_per_node_timing():
    g = load(GRAPHS / "xor.json")
    ev = Session(g)
    ev.profiling = True
    ev.train(5)
    times = ev.node_times()
    assert set(times) == {s.node for s in ev.steps}
    assert all(t > 0 for t in times.values())
    ev.profiling = False
    assert ev.node_times() == {}


def test_divergence_quotes_the_rate_in_effect():
    g = mlp([2, 1], "identity", data="adding", lr=0.1, schedule="exponential")
    g.set_param("learning_rate", "decay", 0.0)
    g.set_param("learning_rate", "rate", 100.0)  # the rate the updates get, not the settings' 0.1
    with pytest.raises(Diverged, match=r"Try a lower learning rate \(now 100\)$"):
        Session(g).train(5, engine="step")
