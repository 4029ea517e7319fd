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
