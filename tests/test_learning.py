"""What the learner reads about: optimisers, regularisation, batches, schedules, losses, init, CV."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nodeflow import Session, load, mlp, save
from nodeflow.data import fold_indices
from nodeflow.document.examples import symmetry
from conftest import run_cli
from reference import gradients, params_of

LR = 0.05


def hand_step(opt, P, g, st, t, lr=LR):
    """One update by the published rule (st holds m and v; t counts updates from 1)."""
    if opt == "sgd":
        return P - lr * g
    if opt == "momentum":  # Rumelhart, Hinton & Williams 1986: Δw(t) = -lr·g + μ·Δw(t-1)
        st["m"] = 0.9 * st["m"] - lr * g
        return P + st["m"]
    if opt == "rmsprop":  # Tieleman & Hinton 2012, lecture 6e
        st["v"] = 0.9 * st["v"] + 0.1 * g ** 2
        return P - lr * g / (np.sqrt(st["v"]) + 1e-8)
    if opt == "adam":  # Kingma & Ba 2015, algorithm 1
        st["m"] = 0.9 * st["m"] + 0.1 * g
        st["v"] = 0.999 * st["v"] + 0.001 * g ** 2
        m_hat, v_hat = st["m"] / (1 - 0.9 ** t), st["v"] / (1 - 0.999 ** t)
        return P - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
    raise ValueError(opt)


@pytest.mark.parametrize("opt", ["sgd", "momentum", "rmsprop", "adam"])
@pytest.mark.parametrize("l2,l1", [(0.0, 0.0), (0.01, 0.002)])
def test_first_three_updates_follow_the_published_rule(opt, l2, l1):
    layers = [2, 3, 3]
    g = mlp(layers, data="spiral", lr=LR, seed=6, optimizer=opt, l2=l2, l1=l1, init="uniform_sym")
    ev = Session(g)
    d = g.data()
    params = params_of(g)
    states = [[{"m": np.zeros_like(a), "v": np.zeros_like(a)} for a in pair] for pair in params]
    for t in range(1, 4):
        ev.step_sample()
        grads = gradients(params, d.X_train[ev.current_row], d.T_train[ev.current_row])
        new = []
        for (W, b), (gW, gb), (sW, sb) in zip(params, grads, states):
            gW = gW + l2 * W + l1 * np.sign(W)  # regularisers apply to weights only
            new.append((hand_step(opt, W, gW, sW, t), hand_step(opt, b, gb, sb, t)))
        params = new
        for l, (W, b) in enumerate(params, 1):
            np.testing.assert_allclose(ev.value(f"weights_{l}", "W"), W, rtol=0, atol=1e-12)
            np.testing.assert_allclose(ev.value(f"bias_{l}", "b"), b, rtol=0, atol=1e-12)
    if opt in ("momentum", "adam"):  # the optimiser's state is on the wires
        np.testing.assert_allclose(ev.value("weight_update_1", "m"), states[0][0]["m"], rtol=0, atol=1e-12)


def test_regulariser_contribution_is_its_own_wire():
    g = mlp([2, 3, 1], data="circle", lr=0.1, seed=2, l2=0.5, l1=0.25, init="uniform_sym")
    ev = Session(g)
    W = g.state("weights_1")["value"].copy()
    ev.step_sample()
    np.testing.assert_allclose(ev.value("weight_update_1", "reg"), 0.5 * W + 0.25 * np.sign(W), atol=1e-15)
    np.testing.assert_allclose(ev.value("weight_update_1", "step"),
                               -0.1 * (ev.value("weight_update_1", "grad") + ev.value("weight_update_1", "reg")),
                               atol=1e-15)


def test_mini_batches_average_the_gradients():
    layers = [2, 4, 3]
    g = mlp(layers, data="spiral", lr=0.2, seed=3, batch_size=4)
    ev = Session(g)
    d = g.data()
    start = params_of(g)
    grads = []
    for i in range(4):
        ev.step_sample()
        grads.append(gradients(start, d.X_train[ev.current_row], d.T_train[ev.current_row]))
        if i < 3:  # mid-batch: nothing moves
            for l, (W, b) in enumerate(start, 1):
                np.testing.assert_array_equal(ev.value(f"weights_{l}", "W"), W)
                assert not ev.value(f"weight_update_{l}", "step").any()
    for l, (W, b) in enumerate(start, 1):
        mean_gW = np.mean([gr[l - 1][0] for gr in grads], axis=0)
        mean_gb = np.mean([gr[l - 1][1] for gr in grads], axis=0)
        np.testing.assert_allclose(ev.value(f"weights_{l}", "W"), W - 0.2 * mean_gW, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ev.value(f"bias_{l}", "b"), b - 0.2 * mean_gb, rtol=0, atol=1e-12)


def test_the_last_batch_of_an_epoch_may_be_short():
    g = mlp([2, 2, 1], data="xor", batch_size=3)  # four samples: a batch of 3, then one of 1
    ev = Session(g)
    ev.step_epoch()
    assert ev.value("weight_update_1", "m").shape == (2, 2)
    assert ev.state("weight_update_1")["t"][0] == 2.0
    ev.step_epoch()
    assert ev.state("weight_update_1")["t"][0] == 4.0


def test_whole_epoch_batches():
    g = mlp([2, 2, 1], data="xor", batch_size=1000)
    ev = Session(g)
    ev.train(3)
    assert ev.state("bias_update_2")["t"][0] == 3.0


@pytest.mark.parametrize("schedule,params,expected", [
    ("constant", {}, lambda a, e: a),
    ("inverse", {"b": 2.0}, lambda a, e: a / (2.0 * (e + 1))),
    ("step", {"drop": 0.5, "every": 2}, lambda a, e: a * 0.5 ** (e // 2)),
    ("exponential", {"decay": 0.1}, lambda a, e: a * np.exp(-0.1 * e)),
])
def test_learning_rate_schedules(schedule, params, expected):
    g = mlp([2, 1], "identity", data="adding", samples=20, lr=0.3, schedule="inverse")
    for k, v in dict(params, schedule=schedule).items():
        g.set_param("learning_rate", k, v)
    ev = Session(g)
    for e in range(6):
        ev.step_sample()
        assert ev.value("learning_rate", "lr")[()] == pytest.approx(expected(0.3, e), rel=1e-15)
        assert ev.value("weight_update_1", "lr")[()] == ev.value("learning_rate", "lr")[()]
        ev.step_epoch()


def test_inverse_schedule_shrinks_the_adding_neurons_steps():
    """The update of epoch e uses a / (b·(e+1)): the step equals that rate times the gradient."""
    g = mlp([2, 1], "identity", data="adding", samples=30, lr=0.2, schedule="inverse")
    ev = Session(g)
    ev.train(4)
    ev.step_sample()
    step = ev.value("weight_update_1", "step")
    np.testing.assert_allclose(step, -0.2 / 5 * ev.value("weight_update_1", "grad"), rtol=1e-13)


def finite_dz(E, z, h=1e-6):
    out = np.zeros_like(z)
    for i in range(len(z)):
        up, down = z.copy(), z.copy()
        up[i] += h
        down[i] -= h
        out[i] = (E(up) - E(down)) / (2 * h)
    return out


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize("case", ["squared+sigmoid", "squared+softmax", "bce+sigmoid", "cce+softmax"])
def test_each_loss_delta_is_its_finite_difference_gradient(case):
    loss, act = case.split("+")
    data, layers = ("apples-oranges", [2, 1]) if act == "sigmoid" else ("spiral", [2, 3])
    g = mlp(layers, act, data=data, seed=4, init="uniform_sym",
            loss="squared" if loss == "squared" else "cross_entropy")
    ev = Session(g)
    while ev.phase != "update":
        ev.step_node()
    d = g.data()
    t = d.T_train[ev.current_row]
    z = ev.value("weighted_sum_1", "z")
    f = _sigmoid if act == "sigmoid" else _softmax
    E = {"squared": lambda z: 0.5 * np.sum((t - f(z)) ** 2),
         "bce": lambda z: -np.sum(t * np.log(f(z)) + (1 - t) * np.log(1 - f(z))),
         "cce": lambda z: -np.sum(t * np.log(f(z)))}[loss]
    delta = ev.value("delta_1" if loss == "squared" else "error", "delta")
    assert ev.value("error", "E")[()] == pytest.approx(E(z), rel=1e-12)
    np.testing.assert_allclose(delta, finite_dz(E, z), rtol=0, atol=1e-8)


@pytest.mark.parametrize("init,check", [
    ("zeros", lambda w: np.all(w == 0)),
    ("constant", lambda w: np.all(w == 0.5)),
    ("uniform", lambda w: w.min() >= 0 and w.max() < 0.5 and w.max() > 0.45 and w.std() > 0.1),  # [0, scale)
    ("uniform_sym", lambda w: w.min() >= -0.5 and w.max() < 0.5 and abs(w.mean()) < 0.05),
    ("normal", lambda w: abs(w.std() - 0.5) < 0.05),
    ("xavier", lambda w: np.abs(w).max() <= np.sqrt(6 / (40 + 30)) and w.std() > 0.1),
    ("he", lambda w: abs(w.std() - np.sqrt(2 / 40)) < 0.03),
])
def test_initialisations(init, check):
    from nodeflow import Graph

    g = Graph({"seed": 5})
    g.add_node("Weights", "w", params={"shape": [30, 40], "init": init, "scale": 0.5})
    w = g.state("w")["value"]
    assert check(w), (init, w.min(), w.max(), w.std())
    g2 = Graph({"seed": 5})
    g2.add_node("Weights", "w", params={"shape": [30, 40], "init": init, "scale": 0.5})
    np.testing.assert_array_equal(g2.state("w")["value"], w)  # the same seed, the same values
    g.set_setting("seed", 6)
    g.reset_weights()
    assert init in ("zeros", "constant") or not np.array_equal(g.state("w")["value"], w)


def test_zero_initialisation_keeps_hidden_units_identical():
    ev = Session(symmetry())
    ev.train(300)
    zW1, zb1, zW2 = (ev.state(n)["value"] for n in ("zero_weights_1", "zero_bias_1", "zero_weights_2"))
    np.testing.assert_array_equal(zW1[0], zW1[1])
    assert zb1[0] == zb1[1] and zW2[0, 0] == zW2[0, 1]
    assert np.any(zW1 != 0), "they do learn, but all the same thing"
    rW1, rb1 = ev.state("random_weights_1")["value"], ev.state("random_bias_1")["value"]
    units = np.column_stack([rW1, rb1])  # each hidden unit: its incoming weights and its bias
    assert np.abs(units[0] - units[1]).max() > 1.0


def test_optimiser_state_is_saved_and_training_continues_exactly(tmp_path):
    g = mlp([2, 4, 3], data="spiral", seed=2, optimizer="adam", lr=0.01)
    ev = Session(g)
    ev.train(2)
    ev.apply()
    save(g, tmp_path / "adam.json")
    doc = json.loads((tmp_path / "adam.json").read_text())
    upd = next(n for n in doc["nodes"] if n["id"] == "weight_update_1")["params"]
    assert np.array(upd["m"]).shape == (4, 2) and np.array(upd["v"]).shape == (4, 2) and upd["t"][0] > 0
    ev.train(1)
    resumed = Session(load(tmp_path / "adam.json"))
    resumed.train(1)
    for n in ("weights_1", "bias_2", "weight_update_1"):
        for k, v in ev.state(n).items():
            if k in g.type_of(n).saved_state:
                np.testing.assert_array_equal(resumed.state(n)[k], v)


def test_folds_partition_the_data():
    tests = [fold_indices(23, k, 5, seed=1)[1] for k in range(5)]
    assert sorted(np.concatenate(tests)) == list(range(23))
    train, test = fold_indices(23, 2, 5, seed=1)
    assert not set(train) & set(test) and len(train) + len(test) == 23


def test_cross_validation_on_wheat_seeds(tmp_path):
    """The README's wheat-seeds commands, from a folder that is not the repository."""
    r = run_cli("new", "mlp", "--layers", "7,5,3", "--data", "wheat-seeds", "--lr", "0.3", "--split", "0.66",
                "-o", "seeds.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("wrote seeds.json: 20 nodes, 31 links; wheat-seeds: 210 samples, 7 features, 3 classes; "
                        "139 train / 71 test\n")
    r = run_cli("run", "seeds.json", "--epochs", "500", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.splitlines()[-1].endswith("test 91.5%"), r.stderr
    r = run_cli("run", "seeds.json", "--epochs", "500", "--folds", "5", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    folds, summary = rows[:-1], rows[-1]
    assert [f["fold"] for f in folds] == [1, 2, 3, 4, 5] and all(f["test_samples"] == 42 for f in folds)
    assert summary["mean_test_acc"] == pytest.approx(np.mean([f["test_acc"] for f in folds]))
    assert summary["mean_test_acc"] >= 0.90
    assert [round(100 * f["test_acc"], 1) for f in folds] == [92.9, 90.5, 97.6, 97.6, 95.2]  # as the README says
    assert round(100 * summary["mean_test_acc"], 1) == 94.8
    r = run_cli("new", "mlp", "--layers", "7,5,3", "--data", "wheat-seeds", "--lr", "0.3", "--split", "0.66",
                "--init", "uniform", "-o", "uniform.json", cwd=tmp_path)  # the article's U[0, 1) weights
    r = run_cli("run", "uniform.json", "--epochs", "500", "--folds", "5", "--json", cwd=tmp_path)
    folds = [json.loads(l) for l in r.stdout.splitlines()][:-1]
    assert [round(100 * f["test_acc"], 1) for f in folds] == [92.9, 90.5, 95.2, 97.6, 95.2]  # as the README says
