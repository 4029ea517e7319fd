"""Per-sample references written here, outside nodeflow's graph: plain Python, numpy and the
explicit loops (``explicit``: the limit). Each trains exactly the graph's algorithm from the graph's own
initial weights: forward pass, squared error E = ½Σ(t−y)², output delta (y−t)·slope,
hidden delta (Wᵀδ)·slope, then SGD with batch size 1 (W ← W − lr·δxᵀ, b ← b − lr·δ),
the samples served in ``epoch_order(seed, epoch, n)`` order. Like the graph they also
keep each epoch's mean loss and train accuracy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import exp
from operator import mul
from typing import Callable

import numpy as np

from ..data import epoch_order
from ..document.builders import layer_parameters
from ..document.graph import Graph
from ..run.session import Session


@dataclass
class Network:
    """What the references need from a graph built by ``mlp``: its parameters, data and settings."""

    weights: list[np.ndarray]  # W1, W2, ... (units × inputs), copies of the initial values
    biases: list[np.ndarray]
    activations: list[str]  # "sigmoid" or "identity", per layer
    X: np.ndarray  # the training samples, in the graph's row order
    T: np.ndarray
    lr: float
    seed: int
    classify: bool  # the graph measures train accuracy (argmax, or 0.5 threshold for one output)
    X_test: np.ndarray = field(default_factory=lambda: np.zeros((0, 1)))  # the test set (the graph's test pass)
    T_test: np.ndarray = field(default_factory=lambda: np.zeros((0, 1)))
    test_loss: bool = False  # the test pass measures the loss too (numeric targets)
    tolerance: tuple = (0.0, 0.0, 1.0)  # numeric targets: right within tol·|target| in raw units (tol, offset, scale)

    @property
    def labels(self) -> np.ndarray:
        """Each sample's class as the Accuracy node sees it: the target's argmax, or t ≥ 0.5 for one output."""
        return (self.T[:, 0] >= 0.5).astype(int) if self.T.shape[1] == 1 else self.T.argmax(axis=1)

    @classmethod
    def from_graph(cls, g: Graph) -> Network:
        """The network of a graph built by ``mlp``, from its document's (starting) weights."""
        recipe = g.settings.get("network") or {}
        if recipe.get("builder") != "mlp" or recipe.get("loss", "squared") != "squared" \
                or recipe.get("optimizer", "sgd") != "sgd" or g.settings["batch_size"] != 1:
            raise ValueError("the references cover mlp networks with squared error, SGD and batch size 1")
        L = len(recipe["layers"]) - 1
        acts = [recipe["activation"]] * (L - 1) + [recipe.get("output", recipe["activation"])]
        if set(acts) - {"sigmoid", "identity"}:
            raise ValueError(f"the references know sigmoid and identity units, not {sorted(set(acts))}")
        d = g.data()
        layers = layer_parameters(g)
        settings = {**g.settings, "encoding": d.encoding.as_dict() if d.encoding else None}
        rule = g.type_of("train_accuracy").consts(g.params("train_accuracy"), settings)
        return cls([g.state(w)["value"].copy() for w, _ in layers], [g.state(b)["value"].copy() for _, b in layers],
                   acts, np.array(d.X_train), np.array(d.T_train), float(g.settings["lr"]),
                   int(g.settings["seed"]), d.task == "class", np.array(d.X_test).reshape(-1, d.shapes[0]),
                   np.array(d.T_test).reshape(-1, d.shapes[1]), d.task == "value" and len(d.test) > 0,
                   tuple(rule) or (0.0, 0.0, 1.0))


@dataclass
class Trained:
    """What a reference run leaves: the parameters and each epoch's mean loss and train accuracy."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    losses: list[float] = field(default_factory=list)  # one per completed epoch
    accuracies: list[float] = field(default_factory=list)  # one per completed epoch, when classifying
    samples: int = 0

    def end_epoch(self, loss: float, correct: float, n: int, classify: bool) -> None:
        """Record a whole epoch's figures, like the graph's MeanLoss and Accuracy nodes."""
        self.losses.append(loss / n)
        if classify:
            self.accuracies.append(correct / n)


def _epochs(net: Network, epochs: int, limit: int | None):
    """Each epoch's sample order (rows of ``net.X``), stopping after ``limit`` samples in all;
    yields (order, whether the epoch is whole)."""
    n = len(net.X)
    left = epochs * n if limit is None else limit
    for epoch in range(epochs):
        if left <= 0:
            return
        order = epoch_order(net.seed, epoch, n)[:left]
        left -= len(order)
        yield order, len(order) == n


Trainer = Callable[[int, "int | None"], Trained]  # (epochs, at most this many samples) -> result


def python_trainer(net: Network) -> Trainer:
    """Plain Python (lists and floats), one sample at a time; the data is converted before timing starts."""
    X, T, labels = net.X.tolist(), net.T.tolist(), net.labels.tolist()
    acts, lr, n = net.activations, net.lr, len(X)

    def train(epochs: int, limit: int | None = None) -> Trained:
        Ws = [W.tolist() for W in net.weights]
        bs = [b.tolist() for b in net.biases]
        out = Trained(Ws, bs)
        for order, whole in _epochs(net, epochs, limit):
            loss = correct = 0.0
            for r in order.tolist():
                ys, slopes = [X[r]], []
                for W, b, act in zip(Ws, bs, acts):  # forward: z = b + Σ w·x, added left to right
                    z = [sum(map(mul, row, ys[-1]), bi) for row, bi in zip(W, b)]
                    if act == "identity":
                        ys.append(z)
                        slopes.append([1.0] * len(z))
                    else:
                        y = [1.0 / (1.0 + exp(-v)) if v >= 0.0 else exp(v) / (1.0 + exp(v)) for v in z]
                        ys.append(y)
                        slopes.append([v * (1.0 - v) for v in y])
                t = T[r]
                grad = [yi - ti for yi, ti in zip(ys[-1], t)]
                loss += 0.5 * sum(map(mul, grad, grad))
                if net.classify:  # the first largest output, as the Accuracy node picks it
                    y = ys[-1]
                    correct += (y[0] >= 0.5 if len(y) == 1 else y.index(max(y))) == labels[r]
                delta = list(map(mul, grad, slopes[-1]))
                for l in range(len(Ws) - 1, -1, -1):  # backward, then update layer l
                    W, b, x = Ws[l], bs[l], ys[l]
                    if l:  # the hidden delta (Wᵀδ)·slope uses W before its update
                        back = [sum(map(mul, column, delta)) for column in zip(*W)]
                        next_delta = list(map(mul, back, slopes[l - 1]))
                    for i, di in enumerate(delta):
                        W[i] = [w - lr * (di * xj) for w, xj in zip(W[i], x)]
                        b[i] -= lr * di
                    if l:
                        delta = next_delta
            out.samples += len(order)
            if whole:
                out.end_epoch(loss, correct, n, net.classify)
        out.weights = [np.array(W) for W in Ws]
        out.biases = [np.array(b) for b in bs]
        return out

    return train


def numpy_trainer(net: Network) -> Trainer:
    """numpy arrays, one sample at a time (matrix-vector products per layer)."""
    X, T, labels, lr, n = net.X, net.T, net.labels, net.lr, len(net.X)
    sigmoid = [act == "sigmoid" for act in net.activations]

    def train(epochs: int, limit: int | None = None) -> Trained:
        Ws = [W.copy() for W in net.weights]
        bs = [b.copy() for b in net.biases]
        out = Trained(Ws, bs)
        for order, whole in _epochs(net, epochs, limit):
            loss = correct = 0.0
            for r in order:
                ys, slopes = [X[r]], []
                for W, b, sig in zip(Ws, bs, sigmoid):
                    z = W @ ys[-1] + b
                    if sig:
                        y = 1.0 / (1.0 + np.exp(-z))
                        slopes.append(y * (1.0 - y))
                    else:
                        y = z
                        slopes.append(np.ones_like(z))
                    ys.append(y)
                y, t = ys[-1], T[r]
                grad = y - t
                loss += 0.5 * float(grad @ grad)
                if net.classify:
                    correct += (y[0] >= 0.5 if len(y) == 1 else y.argmax()) == labels[r]
                delta = grad * slopes[-1]
                for l in range(len(Ws) - 1, -1, -1):
                    next_delta = (Ws[l].T @ delta) * slopes[l - 1] if l else None
                    Ws[l] -= lr * np.outer(delta, ys[l])
                    bs[l] -= lr * delta
                    delta = next_delta
            out.samples += len(order)
            if whole:
                out.end_epoch(loss, float(correct), n, net.classify)
        return out

    return train


def train_python(net: Network, epochs: int, limit: int | None = None) -> Trained:
    """Train the plain-Python reference for ``epochs`` epochs (or its first ``limit`` samples)."""
    return python_trainer(net)(epochs, limit)


def train_numpy(net: Network, epochs: int, limit: int | None = None) -> Trained:
    """Train the numpy reference for ``epochs`` epochs (or its first ``limit`` samples)."""
    return numpy_trainer(net)(epochs, limit)


Params = tuple[list[np.ndarray], list[np.ndarray]]  # (weights, biases), layer by layer


def trained_params(session: Session) -> Params:
    """The weights and biases of an mlp graph's run, as they are now."""
    layers = layer_parameters(session.graph)
    return ([session.value(w, "W") for w, _ in layers], [session.value(b, "b") for _, b in layers])


def max_difference(a: Params, b: Params) -> float:
    """The largest absolute difference between two sets of (weights, biases)."""
    return max(float(np.max(np.abs(x - y))) for xs, ys in zip(a, b) for x, y in zip(xs, ys))


