"""Updates: sinks that turn a layer's delta into a parameter's next value.

Each update node computes this sample's gradient (``grad``), adds it to the mini-batch
sum, and when the batch ends (every sample, with the default batch size 1) applies its
optimiser to the batch-mean gradient plus the regulariser's contribution (``reg``).
``new`` is written into the parameter wired to the W (or b) input when the sample step
ends; mid-batch it equals the parameter, so nothing changes. Optimiser state (``m``,
``v``) shows on output wires and is saved in graph files.

Optimisers (per element, g = batch-mean gradient + reg, t = updates so far):
- sgd:      step = -lr·g
- momentum: m = μ·m - lr·g; step = m            (classical momentum, Rumelhart et al. 1986)
- rmsprop:  v = ρ·v + (1-ρ)·g²; step = -lr·g / (√v + ε)          (Tieleman & Hinton 2012)
- adam:     m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²;
            step = -lr·(m / (1-β1^t)) / (√(v / (1-β2^t)) + ε)        (Kingma & Ba 2015)
Regularisers: reg = λ2·W (L2, weight decay) + λ1·sign(W) (L1).
"""
from __future__ import annotations

import math

import numpy as np

from .explain import Line, call, evaluate
from .kernel import kernel, rows_form
from .base import NodeType, Param, Port

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")


@kernel
def bias_corrections(t, opt, beta1, beta2):
    """A batch ends: count the update in ``t``; Adam's bias corrections (1, 1 for the others)."""
    t[0] += 1.0
    if opt == 3:
        return 1.0 - beta1 ** t[0], 1.0 - beta2 ** t[0]
    return 1.0, 1.0


@kernel(inline=True)
def optimizer_step(w, g, lr, m, v, c1, c2, opt, momentum, rho, beta1, beta2, eps, l2, l1):
    """One parameter's step from its batch-mean gradient ``g``: returns (reg, step, m, v)."""
    r = 0.0
    if l2 != 0.0 or l1 != 0.0:
        r = l2 * w
        if w > 0.0:
            r += l1
        elif w < 0.0:
            r -= l1
        g += r
    if opt == 0:  # sgd
        s = -lr * g
    elif opt == 1:  # momentum
        m = momentum * m - lr * g
        s = m
    elif opt == 2:  # rmsprop
        v = rho * v + (1.0 - rho) * g * g
        s = -lr * g / (math.sqrt(v) + eps)
    else:  # adam
        m = beta1 * m + (1.0 - beta1) * g
        v = beta2 * v + (1.0 - beta2) * g * g
        s = -lr * (m / c1) / (math.sqrt(v / c2) + eps)
    return r, s, m, v


@kernel
def update_weights(batch_end, W, delta, x, lr, m, v, t, acc, count, grad, reg, step, new,
                   opt, momentum, rho, beta1, beta2, eps, l2, l1):
    """grad = dE/dW = δ·xᵀ, summed over the batch; at its end, new = W + optimiser step, else new = W"""
    n = count[0] + 1.0
    end = batch_end[0] > 0.0
    c1, c2 = bias_corrections(t, opt, beta1, beta2) if end else (1.0, 1.0)
    rate = lr[0]
    for i in range(W.shape[0]):
        d = delta[i]
        for j in range(W.shape[1]):
            g = d * x[j]
            grad[i, j] = g
            total = acc[i, j] + g
            if end:
                r, s, mi, vi = optimizer_step(W[i, j], total if n == 1.0 else total / n, rate, m[i, j], v[i, j],
                                              c1, c2, opt, momentum, rho, beta1, beta2, eps, l2, l1)
                if opt != 0:  # sgd keeps no state
                    m[i, j] = mi
                    v[i, j] = vi
                acc[i, j] = 0.0
            else:
                r = s = 0.0
                acc[i, j] = total
            reg[i, j] = r
            step[i, j] = s
            new[i, j] = W[i, j] + s
    count[0] = 0.0 if end else n


@rows_form(update_weights, leave_last=True)
def accumulate_weight_rows(batch_end, W, delta, x, lr, m, v, t, acc, count, grad, reg, step, new,
                           opt, momentum, rho, beta1, beta2, eps, l2, l1):
    """acc += δᵀ·x, count += rows: the gradients of many samples (rows) summed in one matrix product
    (in grad, which the last sample's own then replaces); the batch's last sample goes through
    update_weights, which applies the step"""
    np.dot(delta.T, x, grad)
    acc += grad
    count[0] += delta.shape[0]


@kernel
def update_bias(batch_end, b, delta, lr, m, v, t, acc, count, grad, reg, step, new,
                opt, momentum, rho, beta1, beta2, eps, l2, l1):
    """grad = dE/db = δ, summed over the batch; at its end, new = b + optimiser step, else new = b"""
    n = count[0] + 1.0
    end = batch_end[0] > 0.0
    c1, c2 = bias_corrections(t, opt, beta1, beta2) if end else (1.0, 1.0)
    rate = lr[0]
    for i in range(b.shape[0]):
        grad[i] = delta[i]
        total = acc[i] + delta[i]
        if end:
            r, s, mi, vi = optimizer_step(b[i], total if n == 1.0 else total / n, rate, m[i], v[i],
                                          c1, c2, opt, momentum, rho, beta1, beta2, eps, l2, l1)
            if opt != 0:  # sgd keeps no state
                m[i] = mi
                v[i] = vi
            acc[i] = 0.0
        else:
            r = s = 0.0
            acc[i] = total
        reg[i] = r
        step[i] = s
        new[i] = b[i] + s
    count[0] = 0.0 if end else n


LR = Port("lr", (), "learning rate (the settings' rate when unwired)", optional=True)
OPTIMIZER_PARAMS = (
    Param("optimizer", "sgd", "choice", "how the gradient becomes a step", choices=OPTIMIZERS),
    Param("momentum", 0.9, "float", "μ, momentum's memory of past steps", lo=0.0, hi=1.0),
    Param("rho", 0.9, "float", "ρ, RMSprop's decay of the squared-gradient average", lo=0.0, hi=1.0),
    Param("beta1", 0.9, "float", "β1, Adam's decay of the gradient average", lo=0.0, hi=1.0),
    Param("beta2", 0.999, "float", "β2, Adam's decay of the squared-gradient average", lo=0.0, hi=1.0),
    Param("eps", 1e-8, "float", "ε, keeps RMSprop and Adam from dividing by zero", lo=0.0),
    Param("l2", 0.0, "float", "λ of L2 regularisation (weight decay): adds λ·W to the gradient", lo=0.0),
    Param("l1", 0.0, "float", "λ of L1 regularisation: adds λ·sign(W) to the gradient", lo=0.0),
)


class Update(NodeType):
    """Base of the update nodes: optimiser settings, state and outputs shared by W and b."""

    family = "update"
    phase = "update"
    runtime = ("batch_end",)
    params = OPTIMIZER_PARAMS
    saved_state = ("m", "v", "t")
    omit_zero_state = True
    commits_at_batch_end = True  # mid-batch, new is the parameter itself
    alias = {"m": "m", "v": "v"}
    dims: tuple = ()

    P: str = "W"  # the parameter's name in the formulas
    GRAD: str = "delta ⊗ x"  # its gradient dE/dP for one sample

    @classmethod
    def consts(cls, params, settings):
        p = params
        return (float(OPTIMIZERS.index(p["optimizer"])), p["momentum"], p["rho"], p["beta1"], p["beta2"],
                p["eps"], p["l2"], p["l1"])

    @classmethod
    def before_commit(cls, outputs):
        return {into: outputs["new"] - outputs["step"] for _, into in cls.commits}

    @classmethod
    def formulas(cls, params, settings):
        P, p, batch = cls.P, params, settings.get("batch_size", 1)
        reg = [t for t, on in ((f"l2·{P}", p["l2"]), (f"l1·sign({P})", p["l1"])) if on]
        g = "grad" if batch == 1 else f"the mean of grad over the batch of {batch}"
        lines = [f"grad = dE/d{P} = {cls.GRAD}"] + ([f"reg = {' + '.join(reg)}"] if reg else [])
        lines.append(f"g = {g}" + (" + reg" if reg else ""))
        lines += OPTIMIZER_RULES[p["optimizer"]]
        lines.append(f"new = {P} + step   ({P} ← new at the end of the sample)")
        if p["optimizer"] == "sgd":
            grad = f"({cls.GRAD})" if " " in cls.GRAD else cls.GRAD
            lines.append(f"so {P} ← {P} − lr·{grad}" + "".join(f" − lr·{t}" for t in reg)
                         + (" (the batch's mean)" if batch > 1 else ""))
        if batch > 1:
            lines.append("mid-batch, grad is only added up: step = 0 and new = " + P)
        shown = [f"{sym} = {p[k]:g}" for k, sym, opts in CONSTANTS if p["optimizer"] in opts and (p[k] or sym[0] != "l")]
        return lines + ([", ".join(shown)] if shown else [])

    @classmethod
    def worked(cls, params, settings, v, at):
        el = "".join(f"[{i}]" for i in at) if len(at) == 1 else f"[{','.join(map(str, at))}]"
        lines = [cls._grad_line(v, at, el)]
        if v.get("batch_end") == 0.0:
            return lines + [Line(f"step{el}", "0 (mid-batch: grad is added to the batch's sum)", v.num(0.0),
                                 v.get("step", at)), Line(f"new{el}", f"{cls.P}{el}", v.n(cls.P, at), v.get("new", at))]
        if settings.get("batch_size", 1) > 1:
            return lines + [Line(f"{name}{el}", "(from the batch's mean gradient)", v.n(name, at), v.get(name, at))
                            for name in ("reg", "step", "new")]
        return lines + _optimizer_lines(cls.P, params, v, at, el)

    @classmethod
    def _grad_line(cls, v, at, el):
        raise NotImplementedError

    @classmethod
    def _ports(cls, dims):
        state = (
            Port("m", dims, "momentum's velocity, or Adam's gradient average"),
            Port("v", dims, "RMSprop's or Adam's squared-gradient average"),
            Port("t", (1,), "updates applied so far"),
            Port("acc", dims, "gradient summed over the mini-batch so far"),
            Port("count", (1,), "samples in the mini-batch so far"),
        )
        outputs = (
            Port("grad", dims, "dE/dparameter for this sample"),
            Port("reg", dims, "the regulariser's contribution to the gradient"),
            Port("step", dims, "the change applied (zero mid-batch)"),
            Port("new", dims, "the parameter's next value"),
            Port("m", dims, "optimiser state: velocity / gradient average"),
            Port("v", dims, "optimiser state: squared-gradient average"),
        )
        return state, outputs


OPTIMIZER_RULES = {
    "sgd": ["step = −lr·g"],
    "momentum": ["m ← μ·m − lr·g", "step = m"],
    "rmsprop": ["v ← ρ·v + (1 − ρ)·g²", "step = −lr·g / (√v + ε)"],
    "adam": ["m ← β1·m + (1 − β1)·g", "v ← β2·v + (1 − β2)·g²",
             "m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)   (t: updates so far)", "step = −lr·m̂ / (√v̂ + ε)"],
}
CONSTANTS = (("momentum", "μ", ("momentum",)), ("rho", "ρ", ("rmsprop",)), ("beta1", "β1", ("adam",)),
             ("beta2", "β2", ("adam",)), ("eps", "ε", ("rmsprop", "adam")), ("l2", "l2", OPTIMIZERS),
             ("l1", "l1", OPTIMIZERS))


def _optimizer_lines(P: str, p: dict, v, at: tuple, el: str) -> list[Line]:
    """A batch of one sample ended: reg, g, the optimiser's state and step, and the new value, worked out.
    (The optimiser's state before the step, m′ and v′, follows from its state after it.)"""
    w, lr, grad = v.n(P, at), v.n("lr"), v.n("grad", at)
    lines = []
    if p["l2"] or p["l1"]:
        reg = v.num(p["l2"]) * w + v.num(p["l1"]) * call("sign", w)
        lines.append(Line(f"reg{el}", f"l2·{P}{el} + l1·sign({P}{el})", reg, v.get("reg", at)))
    g_val = v.get("grad", at) + v.get("reg", at)
    g = grad + v.n("reg", at) if p["l2"] or p["l1"] else grad
    lines.append(Line(f"g{el}", "grad + reg" if p["l2"] or p["l1"] else "grad", g, g_val))
    g = v.num(g_val)
    opt, m, vv = p["optimizer"], v.get("m", at), v.get("v", at)
    if opt == "sgd":
        step = -(lr * g)
    elif opt == "momentum":
        mu = v.num(p["momentum"])
        before = (m + v.get("lr") * g_val) / p["momentum"] if p["momentum"] else 0.0
        lines.append(Line(f"m{el}", f"μ·m′ − lr·g   (m′ = {v.num(before).shown}, before)", mu * v.num(before) - lr * g, m))
        step = v.n("m", at)
    elif opt == "rmsprop":
        rho = v.num(p["rho"])
        before = (vv - (1 - p["rho"]) * g_val ** 2) / p["rho"] if p["rho"] else 0.0
        lines.append(Line(f"v{el}", f"ρ·v′ + (1 − ρ)·g²   (v′ = {v.num(before).shown})", rho * v.num(before)
                          + (1 - rho) * g ** 2, vv))
        step = -(lr * g / (call("sqrt", v.n("v", at)) + v.num(p["eps"])))
    else:
        lines += _adam_lines(p, v, at, el, g, g_val)
        t = v.get("t", (0,))
        m_hat = v.n("m", at) / (1 - v.num(p["beta1"]) ** v.num(t))
        v_hat = v.n("v", at) / (1 - v.num(p["beta2"]) ** v.num(t))
        lines += [Line(f"m̂{el}", f"m / (1 − β1^t)   (t = {t:g})", m_hat), Line(f"v̂{el}", "v / (1 − β2^t)", v_hat)]
        step = -(lr * v.num(evaluate(m_hat)) / (call("sqrt", v.num(evaluate(v_hat))) + v.num(p["eps"])))
    rule = {"sgd": "−lr·g", "momentum": "m", "rmsprop": "−lr·g / (√v + ε)", "adam": "−lr·m̂ / (√v̂ + ε)"}[opt]
    lines.append(Line(f"step{el}", rule, step, v.get("step", at)))
    lines.append(Line(f"new{el}", f"{P}{el} + step{el}", w + v.n("step", at), v.get("new", at)))
    return lines


def _adam_lines(p, v, at, el, g, g_val) -> list[Line]:
    m, vv = v.get("m", at), v.get("v", at)
    b1, b2 = p["beta1"], p["beta2"]
    m0 = (m - (1 - b1) * g_val) / b1 if b1 else 0.0
    v0 = (vv - (1 - b2) * g_val ** 2) / b2 if b2 else 0.0
    return [Line(f"m{el}", f"β1·m′ + (1 − β1)·g   (m′ = {v.num(m0).shown}, before)",
                 v.num(b1) * v.num(m0) + (1 - v.num(b1)) * g, m),
            Line(f"v{el}", f"β2·v′ + (1 − β2)·g²   (v′ = {v.num(v0).shown})",
                 v.num(b2) * v.num(v0) + (1 - v.num(b2)) * g ** 2, vv)]


class WeightUpdate(Update):
    """W ← W + step, from the gradient δ·xᵀ (plain SGD: W − lr·δ·xᵀ), at the end of each step."""

    name = "WeightUpdate"
    inputs = (
        Port("W", ("out", "in"), "the Weights node to update"),
        Port("delta", ("out",), "this layer's delta"),
        Port("x", ("in",), "this layer's inputs"),
        LR,
    )
    state, outputs = Update._ports(("out", "in"))
    commits = (("new", "W"),)
    element = "new"

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return update_weights

    @classmethod
    def _grad_line(cls, v, at, el):
        i, j = at
        return Line(f"grad{el}", f"delta[{i}]·x[{j}]", v.n("delta", (i,)) * v.n("x", (j,)), v.get("grad", at))


class BiasUpdate(Update):
    """b ← b + step, from the gradient δ (plain SGD: b − lr·δ), at the end of each step."""

    name = "BiasUpdate"
    inputs = (Port("b", ("out",), "the Bias node to update"), Port("delta", ("out",), "this layer's delta"), LR)
    state, outputs = Update._ports(("out",))
    commits = (("new", "b"),)
    element = "new"
    P, GRAD = "b", "delta"

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return update_bias

    @classmethod
    def _grad_line(cls, v, at, el):
        return Line(f"grad{el}", f"delta{el}", v.n("delta", at), v.get("grad", at))
