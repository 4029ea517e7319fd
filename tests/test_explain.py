"""What a node computes: every node type's formulas, and its worked elements, whose numbers
(evaluated in full precision) give exactly what its kernel wrote."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from nodeflow.document.builders import mlp
from nodeflow.document.files import load
from nodeflow.errors import NotReady
from nodeflow.nodes import NODE_TYPES
from nodeflow.nodes.explain import evaluate
from nodeflow.run.session import Session
from conftest import GRAPHS


def element_shape(ev: Session, node: str) -> tuple:
    t = ev.graph.type_of(node)
    port = t.element or (t.outputs[0].name if t.outputs else None)
    return ev.run.value(node, port).shape if port else ()


def check_every_element(ev: Session, limit: int = 3) -> int:
    """Evaluate every worked line of every node (up to ``limit`` indices per axis) against the run's
    values; returns how many lines were checked."""
    g, checked = ev.graph, 0
    for node in g.node_ids:
        try:
            v = ev.last_values(node, digits=17)
        except NotReady:
            continue
        t = g.type_of(node)
        for at in itertools.product(*(range(min(d, limit)) for d in element_shape(ev, node))):
            for line in t.worked(g.params(node), g.settings, v, at):
                assert "\n" not in line.text()
                if line.expr is None or line.value is None:
                    continue
                got = evaluate(line.expr)
                assert got == pytest.approx(line.value, rel=1e-9, abs=1e-12), (node, at, line.text(17))
                checked += 1
    return checked


@pytest.mark.parametrize("name", ["xor", "adam_vs_sgd", "cross_entropy", "adding_neuron", "apples_oranges"])
def test_worked_numbers_give_what_the_kernels_wrote(name):
    ev = Session(load(GRAPHS / f"{name}.json"))
    ev.step_sample()
    ev.step_sample()
    assert check_every_element(ev) > 10
    ev.train(2)  # the fast engine: the same numbers, read after its last sample
    assert check_every_element(ev) > 10


@pytest.mark.parametrize("optimizer, l2, l1", [("sgd", 0.01, 0.0), ("momentum", 0.0, 0.001),
                                               ("rmsprop", 0.001, 0.001), ("adam", 0.01, 0.0)])
def test_every_optimiser_and_regulariser_works_out(optimizer, l2, l1):
    g = mlp([2, 3, 1], "tanh", data="circle", lr=0.2, seed=4)
    for n in g.nodes_of_type("WeightUpdate", "BiasUpdate"):
        for k, val in (("optimizer", optimizer), ("l2", l2), ("l1", l1)):
            g.set_param(n, k, val)
    ev = Session(g)
    for _ in range(3):
        ev.step_sample()
    assert check_every_element(ev) > 20


@pytest.mark.parametrize("schedule", ["constant", "inverse", "step", "exponential"])
def test_learning_rate_schedules_work_out(schedule):
    g = load(GRAPHS / "adam_vs_sgd.json")
    lr = g.nodes_of_type("LearningRate")[0]
    g.set_param(lr, "schedule", schedule)
    g.set_param(lr, "every", 1)
    ev = Session(g)
    ev.train(3, engine="step")
    ev.step_sample()
    v = ev.last_values(lr, digits=17)
    (line,) = g.type_of(lr).worked(g.params(lr), g.settings, v, ())
    assert evaluate(line.expr) == pytest.approx(line.value, rel=1e-12) and line.value == ev.value(lr, "lr")[()]


def test_relu_identity_and_a_softmax_with_squared_error_work_out():
    for g in (mlp([2, 4, 3], "relu", data="spiral", lr=0.1, seed=2, output="softmax"),  # Jacobian deltas
              mlp([2, 3, 1], "identity", data="adding", lr=0.1, seed=2)):
        ev = Session(g)
        for _ in range(5):
            ev.step_sample()
        assert check_every_element(ev) > 20
        assert not g.nodes_of_type("Softmax") or ev.last_values(g.nodes_of_type("Delta")[0]).inputs["slope"].ndim == 2


def test_a_step_half_way_through_a_sample():
    ev = Session(load(GRAPHS / "xor.json"))
    ev.step_sample()
    for _ in range(6):
        ev.step_node()
    assert check_every_element(ev) > 5
    pending = ev.plan.steps[ev.cursor].node
    with pytest.raises(NotReady, match="not evaluated yet in this sample"):
        ev.last_values(pending)
    fresh = Session(load(GRAPHS / "xor.json"))
    with pytest.raises(NotReady, match="step once"):
        fresh.last_values("weighted_sum_1")


def test_inputs_are_taken_as_they_were_read_before_the_updates_wrote():
    ev = Session(load(GRAPHS / "xor.json"))
    ev.step_sample()
    v = ev.last_values("weighted_sum_2")
    w_now = ev.value("weights_2", "W")
    assert not np.array_equal(v.inputs["W"], w_now)  # the update has written since
    np.testing.assert_allclose(v.inputs["W"] @ v.inputs["x"] + v.inputs["b"], ev.value("weighted_sum_2", "z"))


def test_formulas_state_the_rules():
    wu, settings = NODE_TYPES["WeightUpdate"], {"batch_size": 1, "lr": 0.3}
    p = dict(wu.default_params(), l2=0.01)
    assert "so W ← W − lr·(delta ⊗ x) − lr·l2·W" in wu.formulas(p, settings)
    p["optimizer"] = "adam"
    adam = "\n".join(wu.formulas(p, settings))
    for rule in ("m ← β1·m + (1 − β1)·g", "v ← β2·v + (1 − β2)·g²", "m̂ = m / (1 − β1^t)", "v̂ = v / (1 − β2^t)",
                 "step = −lr·m̂ / (√v̂ + ε)", "reg = l2·W", "β1 = 0.9, β2 = 0.999, ε = 1e-08, l2 = 0.01"):
        assert rule in adam
    assert NODE_TYPES["Delta"].formulas({}, settings)[0].startswith("delta = grad ⊙ slope")
    assert NODE_TYPES["BackDelta"].formulas({}, settings)[0] == "delta = (Wᵀ·delta_next) ⊙ slope"
    assert all(t.formulas(t.default_params(), settings) for t in NODE_TYPES.values())  # every type says something


def test_a_worked_line_as_shown():
    ev = Session(load(GRAPHS / "xor.json"))
    ev.step_sample()
    g = ev.graph
    lines = [l.text() for l in g.type_of("sigmoid_1").worked({}, g.settings, ev.last_values("sigmoid_1"), (0,))]
    z, y = ev.value("weighted_sum_1", "z")[0], ev.value("sigmoid_1", "y")[0]
    assert lines[0] == f"y[0] = 1 / (1 + e^(−z[0])) = 1 / (1 + e^(−{z:.4g})) = {y:.4g}"
    assert lines[1] == f"slope[0] = y[0]·(1 − y[0]) = {y:.4g}·(1 − {y:.4g}) = {y * (1 - y):.4g}"
