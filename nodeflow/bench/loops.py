"""The explicit loop's numba functions (see ``explicit``), imported when the bench first runs it."""
from __future__ import annotations

import numba
import numpy as np

from .explicit import N_IN, N_OUT, Y_AT


@numba.njit(cache=True, nogil=True, inline="always")
def forward(P, layout, sigmoid, a, s, L):
    """Every layer's activations ``a`` and slopes ``s`` from the inputs in ``a``."""
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


@numba.njit(cache=True, nogil=True, inline="always")
def backward(P, layout, a, s, d, L, lr):
    """Hidden deltas (from the weights before their update), then SGD on every layer."""
    for l in range(L - 1, 0, -1):
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
            backward(P, layout, a, s, d, L, lr)
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
