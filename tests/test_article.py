"""The adding-neuron article's rule, wired from math nodes and Assign, against its loop written out."""
from __future__ import annotations

import numpy as np
import pytest

from nodeflow import Session, load, mlp
from nodeflow.data import epoch_order
from nodeflow.document.article import use_article_rule
from nodeflow.errors import EditRefused
from nodeflow.run.gradcheck import gradcheck
from conftest import GRAPHS


def article_loop(X, T, w, epochs, seed):
    """The article's training loop, transcribed: raw inputs, no bias, w ← w − lr·(grad − w)."""
    w = np.array(w, dtype=float)
    for epoch in range(epochs):
        lr = 1 / (2 * 100000 * (epoch + 1))
        for r in epoch_order(seed, epoch, len(X)):
            x, t = X[r], T[r, 0]  # adding-100, unscaled: raw inputs in [0, 100)
            y = w @ x
            grad = (y - t) * x
            w = w - lr * (grad - w)
    return w


@pytest.mark.parametrize("engine", ["step", "fast"])
def test_the_article_rule_gives_the_weights_of_the_articles_loop(engine):
    g = load(GRAPHS / "adding_neuron_article.json")
    assert g.nodes_of_type("WeightUpdate") == ["gd_weight_update_1"] and not g.nodes_of_type("BiasUpdate", "Bias")
    d = g.data()
    w0 = g.state("article_weights_1")["value"][0].copy()
    assert np.all((0 <= w0) & (w0 < 2))
    s = Session(g)
    s.train(20, engine=engine)
    want = article_loop(d.X_train, d.T_train, w0, 20, g.settings["seed"])
    np.testing.assert_allclose(s.value("article_weights_1", "W")[0], want, rtol=0, atol=1e-9)
    assert np.all(np.abs(want - 1.0) < 1e-3)  # the neuron has learned to add, nearly


def test_the_rule_replaces_a_weight_update_on_its_own_wires():
    g = mlp([2, 1], "identity", data="adding", lr=0.01, samples=200)
    write = use_article_rule(g, "weight_update_1")
    assert "weight_update_1" not in g and g.type_of(write).name == "Assign"
    assert g.params("weights_1_step")["formula"] == "W - lr * (G - W)"
    assert g.wire_into("weights_1_step", "lr").src == "training_info_1"  # the update read the settings' rate
    d = g.data()
    w, b = g.state("weights_1")["value"][0].copy(), g.state("bias_1")["value"].copy()
    s = Session(g)
    s.train(2)
    for epoch in range(2):  # the rule for w, plain SGD for the bias (its BiasUpdate stays)
        for r in epoch_order(1, epoch, len(d.X_train)):
            x, t = d.X_train[r], d.T_train[r, 0]
            delta = w @ x + b[0] - t
            w, b = w - 0.01 * (delta * x - w), b - 0.01 * delta
    np.testing.assert_allclose(s.value("weights_1", "W")[0], w, rtol=1e-12, atol=0)
    g.undo()
    assert g.type_of("weight_update_1").name == "WeightUpdate"


def test_only_a_weight_update_can_take_the_rule():
    with pytest.raises(EditRefused, match="'bias_update_1' is not a WeightUpdate node"):
        use_article_rule(mlp([2, 1], "identity", data="adding"), "bias_update_1")


def test_gradcheck_shows_the_article_step_is_the_gradient_minus_the_weights():
    """Read off the step, the rule's 'gradient' is grad − w: gradcheck finds it off by exactly the weights."""
    g = load(GRAPHS / "adding_neuron_article.json")
    w = g.state("article_weights_1")["value"]
    checks = {c.node: c for c in gradcheck(Session(g), samples=1)}
    assert checks["gd_weights_1"].verdict == "ok"  # plain gradient descent beside it
    check = checks["article_weights_1"]
    assert check.update == "article_weights_1_write" and check.verdict != "ok"
    assert check.abs_error == pytest.approx(np.abs(w).max(), rel=1e-6)
