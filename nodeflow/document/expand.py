"""Open the box: a built-in node replaced by an equivalent group of math nodes.

``expand(g, node)`` swaps a Sigmoid, Tanh, ReLU, Identity, Softmax, WeightedSum, Error,
CrossEntropy, Delta, BackDelta, WeightUpdate or BiasUpdate for a Group (same id, label,
place and port names, so every wire stays) whose inside computes the same numbers from
primitives and Expressions, in the same order of operations as the node's kernel, so
training gives the same numbers. An update's optimiser state and mini-batch sums become
Registers written by Assign nodes; its batch end (and its learning rate when the lr
input is unwired) come from a TrainingInfo node.
"""
from __future__ import annotations

import numpy as np

from ..errors import EditRefused
from ..nodes.loss import CLIP
from ..nodes.update import OPTIMIZERS

GAP = 80.0  # between the columns of an opened node's inside (half that between the nodes of a column)
OPENED = " (opened)"  # an opened node's group is named after its type: "Sigmoid (opened)"


class _Box:
    """Collects the inside of one opened node: port nodes, inner nodes and their wires."""

    def __init__(self, g, node: str):
        self.g, self.node = g, node
        self.params = g.params(node)
        self.state = g.state(node)
        self.arriving = g.shapes().inputs[node]
        self.nodes: list[dict] = []
        self.links: list[tuple[str, str]] = []

    def shape(self, port: str) -> tuple:
        return tuple(self.arriving[port])

    def wired(self, port: str) -> bool:
        return self.g.wire_into(self.node, port) is not None

    def inp(self, name: str) -> str:
        self._add(f"in_{name}", "GroupInput", {"name": name}, name)
        return f"in_{name}.value"

    def out(self, name: str, src: str) -> None:
        self._add(f"out_{name}", "GroupOutput", {"name": name}, name)
        self.links.append((src, f"out_{name}.value"))

    def add(self, type_name: str, nid: str, params: dict | None = None, label: str | None = None, **wires) -> str:
        """An inner node with its input wires (port=source); returns its first output, ``nid.out``."""
        self._add(nid, type_name, params or {}, label or nid)
        self.links += [(src, f"{nid}.{port}") for port, src in wires.items()]
        return f"{nid}.out"

    def expr(self, nid: str, formula: str, **wires) -> str:
        return self.add("Expression", nid, {"formula": formula}, f"{nid} = {formula}", **wires)

    def register(self, nid: str, shape: tuple, value) -> str:
        shape = tuple(shape) or (1,)
        value = np.zeros(shape) if value is None else np.asarray(value, dtype=float)
        return self.add("Register", nid, {"shape": list(shape), "value": value.reshape(shape).tolist()})

    def assign(self, nid: str, target: str, value: str) -> None:
        self.add("Assign", nid, target=target, value=value)

    def _add(self, nid: str, type_name: str, params: dict, label: str) -> None:
        self.nodes.append({"id": nid, "type": type_name, "label": label, "pos": [0.0, 0.0], "params": params})

    def definition(self) -> dict:
        """The group's ``graph`` parameter, laid out left to right by how far each node is from the
        inputs (columns as wide as their widest node); its ports in the order of the node's own (so
        the group's box reads like the node's)."""
        from .layout import box_for

        self._order_ports()
        depth = {n["id"]: 0 for n in self.nodes}
        for _ in self.nodes:
            for src, dst in self.links:
                s, d = src.split(".")[0], dst.split(".")[0]
                depth[d] = max(depth[d], depth[s] + 1)
        boxes = {n["id"]: box_for(n["type"], n["params"]) for n in self.nodes}
        widths: dict[int, float] = {}
        for n in self.nodes:
            widths[depth[n["id"]]] = max(widths.get(depth[n["id"]], 0.0), boxes[n["id"]].w)
        xs = [sum(widths.get(c, 0.0) + GAP for c in range(k)) for k in range(max(widths) + 1)]
        below: dict[int, float] = {}
        for n in self.nodes:
            k = depth[n["id"]]
            n["pos"] = [float(xs[k] + (widths[k] - boxes[n["id"]].w) / 2), float(below.get(k, 0.0))]
            below[k] = below.get(k, 0.0) + boxes[n["id"]].h + GAP / 2
        return {"nodes": self.nodes, "links": [{"from": s, "to": d} for s, d in self.links]}


    def _order_ports(self) -> None:
        order = {("GroupInput", p.name): k for k, p in enumerate(self.g.inputs(self.node))}
        order.update({("GroupOutput", p.name): k for k, p in enumerate(self.g.outputs(self.node))})
        ports = sorted((n for n in self.nodes if n["type"] in ("GroupInput", "GroupOutput")),
                       key=lambda n: (n["type"], order.get((n["type"], n["params"]["name"]), len(order))))
        self.nodes = [n for n in ports if n["type"] == "GroupInput"] + [
            n for n in self.nodes if n["type"] not in ("GroupInput", "GroupOutput")] + [
            n for n in ports if n["type"] == "GroupOutput"]


def _num(x: float) -> str:
    return repr(float(x))


# -- forward --------------------------------------------------------------------------------

def _sigmoid(b: _Box) -> None:
    y = b.expr("y", "where(z >= 0, 1 / (1 + exp(-z)), exp(z) / (1 + exp(z)))", z=b.inp("z"))
    b.out("y", y)
    b.out("slope", b.expr("slope", "y * (1 - y)", y=y))


def _tanh(b: _Box) -> None:
    y = b.expr("y", "tanh(z)", z=b.inp("z"))
    b.out("y", y)
    b.out("slope", b.expr("slope", "1 - y * y", y=y))


def _relu(b: _Box) -> None:
    z = b.inp("z")
    b.out("y", b.expr("y", "where(z <= 0, 0, z)", z=z))
    b.out("slope", b.expr("slope", "where(z <= 0, 0, 1)", z=z))


def _identity(b: _Box) -> None:
    b.out("y", b.expr("y", "z", z=b.inp("z")))
    b.out("slope", b.add("Constant", "slope", {"value": np.ones(b.shape("z")).tolist()}))


def _softmax(b: _Box) -> None:
    z = b.inp("z")
    e = b.expr("e", "exp(z - m)", z=z, m=b.add("Max", "m", a=z))
    y = b.expr("y", "e / total", e=e, total=b.add("Sum", "total", a=e))
    n = b.shape("z")[0]
    rows = b.add("Outer", "y_rows", a=y, b=b.add("Constant", "ones", {"value": [1.0] * n}))
    b.out("y", y)
    b.out("slope", b.expr("jacobian", "Y * (I - y)", Y=rows, I=b.add("Constant", "I", {"value": np.eye(n).tolist()}),
                          y=y))


def _weighted_sum(b: _Box) -> None:
    wx = b.add("MatVec", "Wx", W=b.inp("W"), x=b.inp("x"))
    b.out("z", b.add("Add", "z", a=wx, b=b.inp("b")) if b.wired("b") else wx)


# -- loss and backward -----------------------------------------------------------------------

def _error(b: _Box) -> None:
    d = b.add("Subtract", "d", a=b.inp("y"), b=b.inp("target"))
    total = b.add("Sum", "sum", a=b.add("Multiply", "d2", a=d, b=d))
    b.out("E", b.add("Scale", "E", {"k": 0.5}, a=total))
    b.out("grad", d)


def _cross_entropy(b: _Box) -> None:
    y, t = b.inp("y"), b.inp("target")
    lo = _num(CLIP)
    if b.params["output"] == "sigmoid":
        p = f"clip(y, {lo}, 1 - {lo})"
        terms = b.expr("terms", f"t * log({p}) + (1 - t) * log(1 - {p})", t=t, y=y)
    else:
        terms = b.expr("terms", f"t * log(clip(y, {lo}, 1))", t=t, y=y)
    b.out("E", b.add("Negate", "E", a=b.add("Sum", "sum", a=terms)))
    b.out("delta", b.expr("delta", "y - t", y=y, t=t))


def _jacobian(b: _Box, slope: str, vector: str) -> str:
    """δ_j = Σ_i vector_i · slope_ij, or vector ⊙ slope for a slope vector."""
    if len(b.shape("slope")) == 2:
        return b.add("MatVec", "delta", W=b.add("Transpose", "slope_T", a=slope), x=vector)
    return b.add("Multiply", "delta", a=vector, b=slope)


def _delta(b: _Box) -> None:
    b.out("delta", _jacobian(b, b.inp("slope"), b.inp("grad")))


def _back_delta(b: _Box) -> None:
    back = b.add("MatVec", "back", W=b.add("Transpose", "W_T", a=b.inp("W")), x=b.inp("delta_next"))
    b.out("delta", _jacobian(b, b.inp("slope"), back))


# -- updates ------------------------------------------------------------------------------------

def _update(b: _Box, param: str) -> None:
    """WeightUpdate / BiasUpdate: the batch sum, regulariser, optimiser step and the writes."""
    p, st = b.params, b.state
    b.add("TrainingInfo", "info")
    end, lr = "info.batch_end", (b.inp("lr") if b.wired("lr") else "info.lr")
    w, delta = b.inp(param), b.inp("delta")
    grad = b.add("Outer", "grad", a=delta, b=b.inp("x")) if param == "W" else delta
    shape = b.shape(param)
    acc = b.register("acc", shape, st.get("acc"))
    count = b.register("count", (1,), st.get("count"))
    acc_sum = b.add("Add", "acc_sum", a=acc, b=grad)
    n = b.expr("n", "count + 1", count=count)
    reg = b.expr("reg", f"where(end, {_regulariser(p['l2'], p['l1'])}, 0)", end=end, W=w)
    g = b.expr("g", "acc_sum / n + reg", acc_sum=acc_sum, n=n, reg=reg)
    m = b.register("m", shape, st.get("m"))
    v = b.register("v", shape, st.get("v"))
    step, m_new, v_new = _optimizer(b, p, end, lr, g, m, v, st)
    b.assign(f"write_{param}", w, b.expr("new", f"{param} + step", step=step, **{param: w}))
    b.assign("write_acc", acc, b.expr("acc_next", "where(end, 0, acc_sum)", end=end, acc_sum=acc_sum))
    b.assign("write_count", count, b.expr("count_next", "where(end, 0, n)", end=end, n=n))
    for name, reg_, new in (("m", m, m_new), ("v", v, v_new)):
        if new is not None:
            b.assign(f"write_{name}", reg_, new)
    for name, src in (("grad", grad), ("reg", reg), ("step", step), ("new", "new.out"), ("m", m_new or m),
                      ("v", v_new or v)):
        b.out(name, src)


def _regulariser(l2: float, l1: float) -> str:
    """λ2·W + λ1·sign(W), the terms that are zero left out (as the kernel adds them)."""
    terms = [f"{_num(l2)} * W"] + ([f"{_num(l1)} * sign(W)"] if l1 else [])
    return " + ".join(terms) if l2 or l1 else "0 * W"


def _optimizer(b: _Box, p: dict, end: str, lr: str, g: str, m: str, v: str, st: dict):
    """(step, new m or None, new v or None) of the update's optimiser, at a batch end (0 between)."""
    opt = p["optimizer"]
    if opt == "sgd":
        return b.expr("step", "where(end, -lr * g, 0)", end=end, lr=lr, g=g), None, None
    if opt == "momentum":
        m_new = b.expr("m_new", f"where(end, {_num(p['momentum'])} * m - lr * g, m)", end=end, m=m, lr=lr, g=g)
        return b.expr("step", "where(end, m_new, 0)", end=end, m_new=m_new), m_new, None
    if opt == "rmsprop":
        rho = _num(p["rho"])
        v_new = b.expr("v_new", f"where(end, {rho} * v + (1 - {rho}) * g * g, v)", end=end, v=v, g=g)
        step = b.expr("step", f"where(end, -lr * g / (sqrt(v_new) + {_num(p['eps'])}), 0)", end=end, lr=lr, g=g,
                      v_new=v_new)
        return step, None, v_new
    b1, b2 = _num(p["beta1"]), _num(p["beta2"])
    t = b.register("t", (1,), st.get("t"))
    t_new = b.expr("t_new", "where(end, t + 1, t)", end=end, t=t)
    b.assign("write_t", t, t_new)
    m_new = b.expr("m_new", f"where(end, {b1} * m + (1 - {b1}) * g, m)", end=end, m=m, g=g)
    v_new = b.expr("v_new", f"where(end, {b2} * v + (1 - {b2}) * g * g, v)", end=end, v=v, g=g)
    c1 = b.expr("c1", f"1 - {b1} ** t", t=t_new)
    c2 = b.expr("c2", f"1 - {b2} ** t", t=t_new)
    step = b.expr("step", f"where(end, -lr * (m_new / c1) / (sqrt(v_new / c2) + {_num(p['eps'])}), 0)",
                  end=end, lr=lr, m_new=m_new, c1=c1, v_new=v_new, c2=c2)
    return step, m_new, v_new


OPENERS = {
    "Sigmoid": _sigmoid, "Tanh": _tanh, "ReLU": _relu, "Identity": _identity, "Softmax": _softmax,
    "WeightedSum": _weighted_sum, "Error": _error, "CrossEntropy": _cross_entropy, "Delta": _delta,
    "BackDelta": _back_delta, "WeightUpdate": lambda b: _update(b, "W"), "BiasUpdate": lambda b: _update(b, "b"),
}
assert set(OPTIMIZERS) == {"sgd", "momentum", "rmsprop", "adam"}  # _optimizer writes each one out


def opened_from(group_name: str) -> str | None:
    """The built-in type a group was opened from, read from its name (None: not an opened node)."""
    base = group_name[:-len(OPENED)] if group_name.endswith(OPENED) else None
    return base if base in OPENERS else None


def expandable(g, node: str) -> bool:
    return g.type_of(node).name in OPENERS


def primitive_form(g, node: str) -> dict:
    """The ``graph`` parameter of the group that computes what ``node`` computes."""
    t = g.type_of(node)
    if t.name not in OPENERS:
        raise EditRefused(f"{node} ({t.name}) has no primitive form; these do: {', '.join(OPENERS)}")
    for p in g.inputs(node):
        if g.wire_into(node, p.name) is not None and p.name not in g.shapes().inputs.get(node, {}):
            raise EditRefused(f"cannot open {node} yet: the shape of its input {p.name} is not known")
        if not p.optional and g.wire_into(node, p.name) is None:
            raise EditRefused(f"cannot open {node} yet: its input {p.name} is not connected")
    b = _Box(g, node)
    OPENERS[t.name](b)
    return b.definition()


def expand(g, node: str) -> str:
    """Replace ``node`` by its primitive form, a Group with the same id and ports (one undoable edit)."""
    if node not in g:
        raise EditRefused(f"there is no node {node!r}")
    defn = primitive_form(g, node)
    a = g.attrs(node)
    links = g.links_of(node)
    with g.group(f"open {node}"):
        g.remove_node(node)
        g.add_node("Group", node, label=a["label"], pos=a["pos"],
                   params={"name": a["type"] + OPENED, "graph": defn})
        for l in links:
            g.connect(*l)
    return node
