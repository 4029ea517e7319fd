"""The bundled examples learn what they are meant to learn."""
from __future__ import annotations

import numpy as np

import pytest

from nodeflow import Session, load, mlp, save
from nodeflow.document.examples import EXAMPLES
from conftest import GRAPHS


def test_every_example_is_listed():
    assert sorted(p.name for p in GRAPHS.glob("*.json")) == sorted(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_committed_examples_are_what_their_recipes_build(tmp_path, name):
    save(EXAMPLES[name](), tmp_path / name)
    assert (tmp_path / name).read_bytes() == (GRAPHS / name).read_bytes(), f"run: python -m nodeflow.document.examples graphs"


def test_xor_classifies_all_four_cases():
    g = load(GRAPHS / "xor.json")
    ev = Session(g)
    X = g.data().X
    first = None
    for epoch in range(1, 1001):
        ev.step_epoch()
        if first is None and np.array_equal(ev.predict(X)[:, 0] >= 0.5, [False, True, True, False]):
            first = epoch
    assert first == 338  # measured; the README quotes it
    np.testing.assert_array_equal(ev.predict(X)[:, 0] >= 0.5, [False, True, True, False])
    assert ev.stats[-1].train_acc == 1.0


def test_adding_neuron_adds_within_a_hundredth_of_a_percent():
    g = load(GRAPHS / "adding_neuron.json")
    ev = Session(g)
    ev.train(30)
    d = g.data()
    a, b = d.X_test[:, 0], d.X_test[:, 1]
    pred = ev.predict(d.X_test)[:, 0]
    assert len(pred) == 68
    assert np.all(np.abs(pred - (a + b)) <= 1e-4 * (a + b)), np.max(np.abs(pred - (a + b)) / (a + b))
    np.testing.assert_allclose(ev.value("weights_1", "W"), [[1.0, 1.0]], atol=1e-4)


def test_apples_and_oranges_are_split_by_a_line():
    ev = Session(load(GRAPHS / "apples_oranges.json"))
    ev.train(300)
    assert ev.stats[-1].test_acc >= 0.95


def test_wheat_seeds_network_reaches_85_percent(seeds_csv):
    g = mlp([7, 5, 3], data=str(seeds_csv), lr=0.3, seed=1, split=0.66)
    ev = Session(g)
    ev.train(500)
    assert ev.stats[-1].test_acc >= 0.85


def test_adam_learns_the_circle_where_sgd_sits_still():
    ev = Session(load(GRAPHS / "adam_vs_sgd.json"))
    s = ev.train(50)[-1]
    assert s.values["adam_test_accuracy.acc"] >= 0.85
    assert s.values["sgd_test_accuracy.acc"] <= 0.6


def test_cross_entropy_classifier_learns_the_spiral():
    ev = Session(load(GRAPHS / "cross_entropy.json"))
    assert ev.train(150)[-1].test_acc >= 0.9


def test_circle_regions_learns_the_circle():
    ev = Session(load(GRAPHS / "circle_regions.json"))
    assert ev.train(200)[-1].test_acc >= 0.95  # measured: 98.0 %


def test_curve_fit_fits_the_cubic():
    ev = Session(load(GRAPHS / "curve_fit.json"))
    stats = ev.train(300)
    assert stats[0].test_loss > 0.3 and stats[-1].test_loss < 0.04  # measured: 0.509 -> 0.034 (standardised units)
    x = np.linspace(-1.8, 1.8, 37)[:, None]
    np.testing.assert_allclose(ev.predict_raw(x)[:, 0], x[:, 0] ** 3 - 2 * x[:, 0], atol=0.4)  # measured 0.32


def test_the_adding_article_setup_adds_within_a_hundredth_of_a_percent():
    from nodeflow.document.examples import adding_neuron_setup

    g = adding_neuron_setup()
    assert not g.nodes_of_type("Bias") and g.settings["scale"] == "none"
    w = g.state("weights_1")["value"]
    assert 0 <= w.min() and w.max() < 2  # drawn from [0, 2)
    ev = Session(g)
    stats = ev.train(8)
    assert [round(s.test_acc, 3) for s in stats] == [0.018, 0.082, 0.191, 0.362, 0.574, 0.797, 0.991, 1.0]
    assert ev.value("learning_rate", "lr")[()] == pytest.approx(1 / (2 * 100000 * 8))  # in epoch 8: 1/(2e5 (7 + 1))
    np.testing.assert_allclose(ev.predict_raw([[2.2, 1.5], [1024, 2048]])[:, 0], [3.7, 3072], rtol=1e-4)


def test_the_article_file_shows_gradient_descent_beside_the_articles_rule():
    ev = Session(load(GRAPHS / "adding_neuron_article.json"))
    assert ev.value("gd_weights_1", "W").tolist() == ev.value("article_weights_1", "W").tolist()  # same start
    last = ev.train(10)[-1].values
    assert last["gd_test_accuracy.acc"] == 1.0  # plain gradient descent: every test sum within ±0.01 %
    assert last["article_test_accuracy.acc"] == 0.0  # the rule's +lr·w keeps the weights off 1 by more than that
    assert abs(ev.value("article_weights_1", "W") - 1).max() < 1e-3
