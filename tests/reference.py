"""An independent, vectorised numpy implementation of the same network, for checking the graph.

It shares no code with nodeflow: forward pass, squared error, backprop by the chain
rule written out with matrices, and SGD.
"""
from __future__ import annotations

import numpy as np

ACT = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda y: y * (1 - y)),
    "tanh": (np.tanh, lambda y: 1 - y ** 2),
    "identity": (lambda z: z, lambda y: np.ones_like(y)),
    "relu": (lambda z: np.maximum(z, 0), lambda y: (y > 0).astype(float)),
}


def params_of(source):
    """[(W, b), ...] of a network built by nodeflow.mlp: a graph's starting values, or a session's
    values now. (Only finding the numbers uses nodeflow; none of the math below does.)"""
    from nodeflow.document.builders import layer_parameters

    if hasattr(source, "run"):
        return [(source.value(w, "W"), source.value(b, "b")) for w, b in layer_parameters(source.graph)]
    return [(source.state(w)["value"].copy(), source.state(b)["value"].copy()) for w, b in layer_parameters(source)]


def forward(params, x, act="sigmoid"):
    f, _ = ACT[act]
    ys = [x]
    for W, b in params:
        ys.append(f(W @ ys[-1] + b))
    return ys


def loss(params, x, t, act="sigmoid"):
    y = forward(params, x, act)[-1]
    return 0.5 * np.sum((t - y) ** 2)


def gradients(params, x, t, act="sigmoid"):
    """dE/dW, dE/db for every layer, by backprop written with matrices."""
    _, slope = ACT[act]
    ys = forward(params, x, act)
    delta = (ys[-1] - t) * slope(ys[-1])
    grads = []
    for l in range(len(params) - 1, -1, -1):
        W, _ = params[l]
        grads.append((np.outer(delta, ys[l]), delta.copy()))
        if l:
            delta = (W.T @ delta) * slope(ys[l])
    return grads[::-1]


def sgd_step(params, x, t, lr, act="sigmoid"):
    return [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, gradients(params, x, t, act))]


def finite_difference(params, x, t, act="sigmoid", h=1e-5):
    """Central-difference estimate of dE/dW and dE/db, one number at a time."""
    out = []
    for l, (W, b) in enumerate(params):
        gs = []
        for arr in (W, b):
            g = np.zeros_like(arr)
            for idx in np.ndindex(arr.shape):
                keep = arr[idx]
                arr[idx] = keep + h
                up = loss(params, x, t, act)
                arr[idx] = keep - h
                down = loss(params, x, t, act)
                arr[idx] = keep
                g[idx] = (up - down) / (2 * h)
            gs.append(g)
        out.append(tuple(gs))
    return out
