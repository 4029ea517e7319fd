"""One sample step changes every weight exactly as independent computations say."""
from __future__ import annotations

import numpy as np
import pytest

from nodeflow import Session, mlp
from reference import finite_difference, params_of, sgd_step

CASES = [
    ([2, 2, 1], "sigmoid", "xor"),
    ([2, 4, 3], "sigmoid", "spiral"),
    ([2, 3, 3, 1], "tanh", "circle"),
    ([2, 1], "identity", "adding"),
    ([2, 5, 3], "relu", "spiral"),
]


@pytest.mark.parametrize("layers,act,data", CASES)
def test_one_sample_step_matches_finite_differences(layers, act, data):
    lr = 0.3
    g = mlp(layers, act, data=data, lr=lr, seed=2)
    ev = Session(g)
    before = params_of(g)
    ev.step_sample()
    d = g.data()
    x, t = d.X_train[ev.current_row], d.T_train[ev.current_row]
    after = params_of(ev)
    fd = finite_difference([(W.copy(), b.copy()) for W, b in before], x, t, act)
    ref = sgd_step(before, x, t, lr, act)
    changed = []
    for l, ((W0, b0), (W1, b1), (gW, gb), (rW, rb)) in enumerate(zip(before, after, fd, ref), 1):
        np.testing.assert_allclose(W1 - W0, -lr * gW, rtol=0, atol=1e-9, err_msg=f"weights_{l} vs finite differences")
        np.testing.assert_allclose(b1 - b0, -lr * gb, rtol=0, atol=1e-9, err_msg=f"bias_{l} vs finite differences")
        np.testing.assert_allclose(W1, rW, rtol=0, atol=1e-12, err_msg=f"weights_{l} vs matrix backprop")
        np.testing.assert_allclose(b1, rb, rtol=0, atol=1e-12, err_msg=f"bias_{l} vs matrix backprop")
        changed.append(not np.array_equal(W1, W0))
    assert any(changed), "the step must change some weights"


def test_gradient_outputs_equal_finite_differences():
    """The update nodes' grad outputs are dE/dW, read off the wires."""
    layers = [2, 4, 3]
    g = mlp(layers, data="spiral", lr=0.1, seed=5)
    ev = Session(g)
    before = params_of(g)
    ev.step_sample()
    d = g.data()
    fd = finite_difference(before, d.X_train[ev.current_row], d.T_train[ev.current_row])
    for l, (gW, gb) in enumerate(fd, 1):
        np.testing.assert_allclose(ev.value(f"weight_update_{l}", "grad"), gW, atol=1e-9, rtol=0)
        np.testing.assert_allclose(ev.value(f"bias_update_{l}", "grad"), gb, atol=1e-9, rtol=0)


def test_softmax_output_uses_its_jacobian():
    """Squared error through a softmax: the delta must use the full Jacobian, not y(1-y)."""
    g = mlp([2, 3], "softmax", data="spiral", lr=0.5, seed=3)
    ev = Session(g)
    W0, b0 = g.state("weights_1")["value"].copy(), g.state("bias_1")["value"].copy()
    ev.step_sample()
    d = g.data()
    x, t = d.X_train[ev.current_row], d.T_train[ev.current_row]

    def E(W, b):
        z = W @ x + b
        y = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        return 0.5 * np.sum((t - y) ** 2)

    h = 1e-6
    gW = np.zeros_like(W0)
    for idx in np.ndindex(W0.shape):
        up, down = W0.copy(), W0.copy()
        up[idx] += h
        down[idx] -= h
        gW[idx] = (E(up, b0) - E(down, b0)) / (2 * h)
    np.testing.assert_allclose(ev.value("weights_1", "W") - W0, -0.5 * gW, atol=1e-9, rtol=0)


def test_hand_computed_step_of_the_adding_neuron():
    """y = w·x + b, δ = y − t, w ← w − lr·δ·x, b ← b − lr·δ, worked out by hand."""
    g = mlp([2, 1], "identity", data="adding", lr=0.1, seed=1, data_scale="none")
    g.state("weights_1")["value"][:] = [[0.5, 0.25]]
    g.state("bias_1")["value"][:] = [0.125]
    ev = Session(g)
    ev.step_sample()
    d = g.data()
    a, b = d.X_train[ev.current_row]
    t = a + b
    y = 0.5 * a + 0.25 * b + 0.125
    delta = y - t
    assert ev.value("identity_1", "y")[0] == pytest.approx(y, abs=1e-15)
    assert ev.value("error", "E")[()] == pytest.approx(0.5 * delta ** 2, abs=1e-15)
    np.testing.assert_allclose(ev.value("weights_1", "W"), [[0.5 - 0.1 * delta * a, 0.25 - 0.1 * delta * b]],
                               atol=1e-15)
    np.testing.assert_allclose(ev.value("bias_1", "b"), [0.125 - 0.1 * delta], atol=1e-15)
