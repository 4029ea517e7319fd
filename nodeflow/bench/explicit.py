"""The limit: the network's training written out by hand as one numba function of explicit loops.

Plain loops over rows and columns, every weight, bias, activation, slope and delta in
flat scratch arrays allocated once, nothing allocated per sample, per-sample SGD; it
does what the graph does on equal work: forward pass, squared error, output and hidden
deltas, W ← W − lr·δxᵀ and b ← b − lr·δ, each epoch's mean loss, train accuracy and
hidden sigmoid layers' saturation, and, when the graph has a test set, the test pass
(forward, the test loss for numeric targets, the test accuracy). Every operation is
written in the order the graph's kernels do it, so the weights agree with the graph's.
The bench reports every implementation as a ratio to this one.
"""
from __future__ import annotations

import numpy as np

from .references import Network, Trained, _epochs

# per-layer columns of the ``layout`` table
N_IN, N_OUT, W_AT, B_AT, X_AT, Y_AT = range(6)


def explicit_trainer(net: Network):
    """Train ``net`` with the explicit loops (``loops.train``); parameters copied in and out of one flat
    array before and after (not timed apart: a few microseconds)."""
    from .loops import train as loop

    sizes = [net.weights[0].shape[1]] + [W.shape[0] for W in net.weights]
    L = len(net.weights)
    layout = np.zeros((L, 6), dtype=np.int64)
    at, x = 0, 0
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        layout[l] = (sizes[l], sizes[l + 1], at, at + W.size, x, x + sizes[l])
        at += W.size + b.size
        x += sizes[l]
    sigmoid = np.array([act == "sigmoid" for act in net.activations])
    width = x + sizes[-1]
    a, s, d = np.zeros(width), np.zeros(width), np.zeros(width)
    saturation = np.zeros(L)
    rule = np.array(net.tolerance, dtype=float)

    def train(epochs: int, limit: int | None = None) -> Trained:
        P = np.concatenate([v.ravel() for W, b in zip(net.weights, net.biases) for v in (W, b)])
        orders = [order for order, _ in _epochs(net, epochs, limit)]
        whole = [o for o in orders if len(o) == len(net.X)]
        figures = np.zeros((len(orders), L + 3))
        if whole:  # whole epochs in one call; a last part-epoch (a prefix) in another
            loop(P, layout, sigmoid, saturation, net.X, net.T, net.X_test, net.T_test, net.lr, np.array(whole),
                 net.classify, rule, net.test_loss, a, s, d, figures)
        if len(orders) > len(whole):
            loop(P, layout, sigmoid, saturation, net.X, net.T, net.X_test[:0], net.T_test[:0], net.lr,
                 orders[-1][None, :], net.classify, rule, net.test_loss, a, s, d, figures[len(whole):])
        out = Trained(*_parameters(net, P, layout), samples=sum(map(len, orders)))
        out.losses = figures[:len(whole), 0].tolist()
        out.accuracies = figures[:len(whole), 1].tolist()
        out.figures = figures[:len(whole)]
        return out

    return train


def _parameters(net: Network, P: np.ndarray, layout: np.ndarray) -> tuple[list, list]:
    Ws = [P[w:w + W.size].reshape(W.shape).copy() for W, (_, _, w, _, _, _) in zip(net.weights, layout)]
    bs = [P[b:b + v.size].copy() for v, (_, _, _, b, _, _) in zip(net.biases, layout)]
    return Ws, bs
