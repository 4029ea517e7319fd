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


def _compiled():
    """The loops, compiled on first use (numba's disk cache keeps them)."""
    import numba

    @numba.njit(cache=True, nogil=True, inline="always")
    def forward(P, layout, sigmoid, a, s, L):
        for l in range(L):
            n_in, n_out, w, b, x, y = layout[l]
            for i in range(n_out):
                z = P[b + i]
                for j in range(n_in):
                    z += P[w + i * n_in + j] * a[x + j]
                if not sigmoid[l]:
                    a[y + i] = z
                    s[y + i] = 1.0
                elif z >= 0.0:
                    a[y + i] = 1.0 / (1.0 + np.exp(-z))
                    s[y + i] = a[y + i] * (1.0 - a[y + i])
                else:
                    e = np.exp(z)
                    a[y + i] = e / (1.0 + e)
                    s[y + i] = a[y + i] * (1.0 - a[y + i])

    @numba.njit(cache=True, nogil=True, inline="always")
    def right(a, y, n_out, t, classify, rule):
        """The Accuracy node's rule: classes (threshold 0.5 for one output, else the first largest), or
        numbers within tol·|target| in raw units (rule = tol, offset, scale)."""
        if not classify:
            tol, offset, scale = rule[0], rule[1], rule[2]
            ok = True
            for i in range(n_out):
                want = t[i] * scale + offset
                if abs(a[y + i] * scale + offset - want) > tol * abs(want):
                    ok = False
            return ok
        if n_out == 1:
            return (a[y] >= 0.5) == (t[0] >= 0.5)
        best = want = 0
        for i in range(n_out):
            if a[y + i] > a[y + best]:
                best = i
            if t[i] > t[want]:
                want = i
        return best == want

    @numba.njit(cache=True, nogil=True)
    def train(P, layout, sigmoid, saturation, X, T, X_test, T_test, lr, orders, classify, rule, test_loss, a, s, d,
              figures):
        """figures[e] = loss, train accuracy, saturation share of each hidden layer..., test loss, test accuracy"""
        L = layout.shape[0]
        n_in0, n_out = layout[0, N_IN], layout[L - 1, N_OUT]
        y_out = layout[L - 1, Y_AT]
        n = orders.shape[1]
        for e in range(orders.shape[0]):
            loss = correct = 0.0
            for l in range(L):
                saturation[l] = 0.0
            for k in range(n):
                r = orders[e, k]
                for j in range(n_in0):
                    a[j] = X[r, j]
                forward(P, layout, sigmoid, a, s, L)
                t = T[r]
                if right(a, y_out, n_out, t, classify, rule):
                    correct += 1.0
                for l in range(L - 1):
                    if sigmoid[l]:
                        for i in range(layout[l, N_OUT]):
                            if s[layout[l, Y_AT] + i] < 0.01:
                                saturation[l] += 1.0
                sq = 0.0
                for i in range(n_out):
                    g = a[y_out + i] - t[i]
                    sq += g * g
                    d[y_out + i] = g * s[y_out + i]
                loss += 0.5 * sq
                for l in range(L - 1, 0, -1):  # hidden deltas, from the weights before their update
                    n_in, n_o, w, b, x, y = layout[l]
                    for j in range(n_in):
                        back = 0.0
                        for i in range(n_o):
                            back += P[w + i * n_in + j] * d[y + i]
                        d[x + j] = back * s[x + j]
                for l in range(L):  # SGD
                    n_in, n_o, w, b, x, y = layout[l]
                    for i in range(n_o):
                        delta = d[y + i]
                        for j in range(n_in):
                            P[w + i * n_in + j] = P[w + i * n_in + j] + -lr * (delta * a[x + j])
                        P[b + i] = P[b + i] + -lr * delta
            figures[e, 0], figures[e, 1] = loss / n, correct / n
            for l in range(L - 1):
                figures[e, 2 + l] = saturation[l] / (n * layout[l, N_OUT])
            if X_test.shape[0] > 0:  # the test pass: forward only
                test_sq = test_right = 0.0
                for r in range(X_test.shape[0]):
                    for j in range(n_in0):
                        a[j] = X_test[r, j]
                    forward(P, layout, sigmoid, a, s, L)
                    if test_loss:
                        sq = 0.0
                        for i in range(n_out):
                            g = a[y_out + i] - T_test[r, i]
                            sq += g * g
                        test_sq += 0.5 * sq
                    if right(a, y_out, n_out, T_test[r], classify, rule):
                        test_right += 1.0
                figures[e, L + 1] = test_sq / X_test.shape[0]
                figures[e, L + 2] = test_right / X_test.shape[0]

    return train


_TRAIN = []


def explicit_trainer(net: Network):
    """Train ``net`` with the explicit loops; parameters copied in and out of one flat array before and
    after (not timed apart: a few microseconds)."""
    if not _TRAIN:
        _TRAIN.append(_compiled())
    loop = _TRAIN[0]
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
