"""Numbers as targets: the test loss, and the share of outputs within a relative tolerance of the
target in raw units, against direct counts; in the CLI lines, --json, the per-epoch stats and --folds."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nodeflow import Session, load, mlp, save
from nodeflow.cli import main
from nodeflow.document.examples import adding_neuron_setup
from conftest import GRAPHS


@pytest.fixture
def article_setup(tmp_path):
    """The adding-neuron article's set-up with plain gradient descent, as a file."""
    path = tmp_path / "adding_setup.json"
    save(adding_neuron_setup(), path)
    return path


def direct_within(pred_raw: np.ndarray, target_raw: np.ndarray, tol: float) -> float:
    return float(np.mean(np.all(np.abs(pred_raw - target_raw) <= tol * np.abs(target_raw), axis=1)))


@pytest.mark.parametrize("name,epochs", [("adding_setup.json", 6), ("curve_fit.json", 30),
                                         ("adding_neuron.json", 3)])
def test_tolerance_accuracy_and_test_loss_against_a_direct_count(name, epochs, article_setup):
    s = Session(load(article_setup if name == article_setup.name else GRAPHS / name))
    d, tol = s.plan.data, s.graph.settings["tolerance"]
    s.train(epochs - 1)
    seen = []  # this epoch's outputs and targets as the accuracy node saw them: before each sample's update
    for _ in range(s.n_train):
        s.step_sample()
        seen.append((s.value("train_accuracy", "y"), s.value("train_accuracy", "target")))
    last = s.stats[-1]
    y, t = (np.array([v for v, _ in seen]), np.array([v for _, v in seen]))
    assert last.train_acc == direct_within(d.decode(y), d.decode(t), tol)
    pred = s.predict(d.X_test)
    assert last.test_acc == direct_within(d.decode(pred), d.decode(d.T_test), tol)
    assert last.test_loss == pytest.approx(np.mean(0.5 * ((pred - d.T_test) ** 2).sum(axis=1)), rel=1e-12)
    assert 0 < last.test_acc < 1 or name != "curve_fit.json"


def test_the_tolerance_is_relative_and_in_raw_units(tmp_path):
    (tmp_path / "d.csv").write_text("x,y\n" + "".join(f"{i},{100 + i / 2}\n" for i in range(8)))  # 100 .. 103.5
    g = mlp([1, 1], "identity", data="d.csv", split=0.5, target="value", tolerance=0.01, base_dir=tmp_path,
            lr=0.0, bias=False)  # the output stays w·x: nothing is learned
    g.state("weights_1")["value"][:] = [[0.0]]
    s = Session(g)
    st = s.train(1)[-1]
    d = s.plan.data
    raw_out = d.decode(np.zeros((len(d.test), 1)))  # every output is 0 in scaled units: 100 in raw units
    np.testing.assert_allclose(raw_out, 100.0)
    want = direct_within(raw_out, d.decode(d.T_test), 0.01)
    assert st.test_acc == want == np.mean(d.decode(d.T_test)[:, 0] <= 100.0 / 0.99)  # |100 - t| <= 1 % of t
    assert 0 < want < 1


def test_cli_lines_json_and_folds_show_the_test_loss(capsys, article_setup):
    path = str(article_setup)
    assert main(["run", path, "--epochs", "8"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "epoch 1/8  loss 10.2274  test loss 0.0509  train 0.6%  test 1.8%"
    assert lines[-1] == "epoch 8/8  loss 6.300e-06  test loss 4.783e-06  train 99.8%  test 100.0%"
    assert main(["run", path, "--epochs", "2", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[1]["test_loss"] == pytest.approx(0.0033892559690802317, rel=1e-9) and rows[1]["test_acc"] > 0
    assert main(["run", path, "--epochs", "8", "--folds", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert all(" test loss " in line for line in out[:3]) and out[-1].startswith("mean test accuracy 100.0% over 3 "
                                                                                  "folds, mean test loss ")


def test_per_epoch_stats_carry_the_test_loss_for_the_plot():
    s = Session(load(GRAPHS / "curve_fit.json"))
    st = s.train(2)
    assert all(x.test_loss == x.values["test_loss.loss"] and x.test_loss > 0 for x in st)
    assert st[-1].as_dict()["test_loss"] == st[-1].test_loss
    assert Session(load(GRAPHS / "xor.json")).train(1)[-1].test_loss is None
