"""Open the box: every example, opened into math nodes, trains to the same numbers on every executor."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from nodeflow import Session, load, mlp, save
from nodeflow.document.expand import OPENERS, expand, expandable, primitive_form
from nodeflow.document.files import from_dict, to_dict
from nodeflow.errors import EditRefused
from nodeflow.run.gradcheck import gradcheck
from conftest import GRAPHS, run_cli
from test_engine import assert_close

EXAMPLES = sorted(GRAPHS.glob("*.json"))
TOL = 1e-12


def open_all(g):
    for n in [n for n in g.node_ids if expandable(g, n)]:
        expand(g, n)
    return g


def parameters(g) -> dict[str, str]:
    """Weights and Bias nodes (never opened) -> the port showing their value."""
    return {n: "W" if g.type_of(n).name == "Weights" else "b" for n in g.flat().node_ids
            if g.flat().type_of(n).is_parameter}


def pair(path, tmp_path):
    """The example and its opened twin (digits on a tenth of its samples, so plain Python keeps up)."""
    graphs = []
    for opened in (False, True):
        g = load(path)
        if path.stem == "digits":
            g.set_setting("split", 0.1)
        graphs.append(open_all(g) if opened else g)
    assert any(graphs[1].type_of(n).name == "Group" for n in graphs[1].node_ids)
    return graphs


def by_session(g, engine, epochs):
    s = Session(g)
    s.train(epochs, engine=engine)
    rows = [dict(s_.as_dict(), values=s_.values) for s_ in s.stats]
    return rows, {n: s.value(n, p).tolist() for n, p in parameters(g).items()}


def by_script(g, tmp_path, name, epochs):
    save(g, tmp_path / f"{name}.json")
    script, weights = tmp_path / f"{name}.py", tmp_path / f"{name}_weights.json"
    assert run_cli("export", tmp_path / f"{name}.json", "-o", script).returncode == 0
    out = subprocess.run([sys.executable, str(script), "--epochs", str(epochs), "--json", "--save-weights",
                          str(weights)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()], json.loads(weights.read_text())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("executor", ["step", "fast", "export"])
def test_every_example_opened_trains_to_the_same_numbers(path, executor, tmp_path):
    original, opened = pair(path, tmp_path)
    epochs = 1 if path.stem == "digits" and executor == "export" else 2
    if executor == "export":
        want, got = by_script(original, tmp_path, "original", epochs), by_script(opened, tmp_path, "opened", epochs)
    else:
        want, got = by_session(original, executor, epochs), by_session(opened, executor, epochs)
    assert_close(got[0], want[0], TOL)  # every epoch's figures
    assert got[1].keys() == want[1].keys()
    for n in want[1]:
        np.testing.assert_allclose(got[1][n], want[1][n], rtol=0, atol=TOL, err_msg=n)


NETWORKS = [
    dict(layers=[2, 3], activation="softmax", data="spiral", lr=0.5, seed=3),
    dict(layers=[2, 5, 3], activation="relu", data="spiral", lr=0.3, seed=2),
    dict(layers=[2, 3, 1], activation="tanh", data="circle", loss="cross_entropy"),
    dict(layers=[2, 4, 1], activation="identity", data="circle", lr=0.05, optimizer="momentum", l2=0.01, l1=0.001,
         batch_size=5),
    dict(layers=[2, 4, 1], data="circle", optimizer="rmsprop", lr=0.01, l2=0.1),
    dict(layers=[2, 4, 1], data="circle", optimizer="adam", lr=0.01, batch_size=7, schedule="inverse", l1=0.01),
]


@pytest.mark.parametrize("kw", NETWORKS, ids=lambda kw: f"{kw.get('activation', 'sigmoid')}-{kw.get('optimizer', 'sgd')}")
def test_every_activation_loss_optimiser_and_regulariser_opens_exactly(kw):
    """Opened nodes do the kernel's operations in the kernel's order: the same bits, except a weighted sum,
    whose bias is added last rather than first (the difference stays at the last bit)."""
    kw = dict(kw)
    layers = kw.pop("layers")
    g, h, h_but_sums = mlp(layers, **kw), open_all(mlp(layers, **kw)), mlp(layers, **kw)
    for n in [n for n in h_but_sums.node_ids if expandable(h_but_sums, n) and n.startswith(("sigmoid", "tanh",
              "relu", "identity", "softmax", "error", "delta", "weight_update", "bias_update"))]:
        expand(h_but_sums, n)
    a, b, c = (by_session(x, "step", 3) for x in (g, h, h_but_sums))
    assert_close(b[0], a[0], TOL)
    assert c == a
    opened_types = {h.params(n)["name"] for n in h.node_ids if h.type_of(n).name == "Group"}
    assert opened_types >= {"WeightUpdate (opened)", "BiasUpdate (opened)", "WeightedSum (opened)"}


def test_every_opener_is_exercised():
    seen = set()
    for kw in NETWORKS + [dict(layers=[2, 2, 1], data="xor")]:
        kw = dict(kw)
        g = mlp(kw.pop("layers"), **kw)
        seen |= {g.type_of(n).name for n in g.node_ids if expandable(g, n)}
    assert seen == set(OPENERS)


def test_an_opened_update_keeps_its_optimiser_state():
    g = mlp([2, 3, 1], data="circle", optimizer="adam", lr=0.01, seed=4)
    s = Session(g)
    s.train(3)
    s.apply()
    trained = s.state("weight_update_1")
    b = Session(from_dict(to_dict(g)))  # the same trained graph, not opened
    expand(g, "weight_update_1")
    inner = {n["id"]: n for n in g.params("weight_update_1")["graph"]["nodes"]}
    np.testing.assert_array_equal(inner["m"]["params"]["value"], trained["m"])
    assert inner["t"]["params"]["value"] == [3 * s.n_train]
    a = Session(g)
    a.train(2)
    b.train(2)
    np.testing.assert_allclose(a.value("weights_1", "W"), b.value("weights_1", "W"), rtol=0, atol=TOL)


def test_opening_is_one_undoable_edit_that_keeps_every_wire():
    g = load(GRAPHS / "xor.json")
    wires = sorted(map(str, g.links()))
    expand(g, "weight_update_1")
    assert g.type_of("weight_update_1").name == "Group" and sorted(map(str, g.links())) == wires
    assert [p.name for p in g.outputs("weight_update_1")] == ["grad", "reg", "step", "new", "m", "v"]
    assert g.undo() == "open weight_update_1" and g.type_of("weight_update_1").name == "WeightUpdate"


@pytest.mark.parametrize("node, message", [
    ("mean_loss", "mean_loss (MeanLoss) has no primitive form; these do: Sigmoid, Tanh"),
    ("nope", "there is no node 'nope'"),
])
def test_what_cannot_be_opened_is_refused(node, message):
    g = load(GRAPHS / "xor.json")
    with pytest.raises(EditRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        expand(g, node)


def test_an_unwired_node_cannot_be_opened_yet():
    g = mlp([2, 2, 1], data="xor")
    g.disconnect(g.wire_into("sigmoid_1", "z"))
    with pytest.raises(EditRefused, match="cannot open sigmoid_1 yet: its input z is not connected"):
        primitive_form(g, "sigmoid_1")


def test_expand_command_writes_the_opened_graph(tmp_path):
    out = run_cli("expand", GRAPHS / "xor.json", "sigmoid_1", "weight_update_1", "-o", tmp_path / "o.json")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"wrote {tmp_path / 'o.json'}: opened sigmoid_1, weight_update_1")
    g = load(tmp_path / "o.json")
    assert {n for n in g.node_ids if g.type_of(n).name == "Group"} == {"sigmoid_1", "weight_update_1"}
    assert by_session(g, "step", 3) == by_session(load(GRAPHS / "xor.json"), "step", 3)
    every = run_cli("expand", GRAPHS / "xor.json", "--all", "-o", tmp_path / "all.json")
    assert every.returncode == 0 and len(load(tmp_path / "all.json").nodes_of_type("Group")) == 11


@pytest.mark.parametrize("args, message", [
    (["mean_loss"], "nodeflow: error: mean_loss (MeanLoss) has no primitive form"),
    (["nope"], "nodeflow: error: there is no node 'nope'"),
    ([], "nodeflow: error: name the nodes to open (or --all)"),
])
def test_expand_mistakes_exit_2_with_one_line(args, message, tmp_path):
    out = run_cli("expand", GRAPHS / "xor.json", *args, "-o", tmp_path / "o.json")
    assert out.returncode == 2 and out.stderr.startswith(message) and out.stderr.count("\n") == 1
    assert not (tmp_path / "o.json").exists()


# -- gradient checking on graphs built from primitives ---------------------------------------------

def sgd_by_hand(miswired: bool = False):
    """A 2-2-1 sigmoid network whose backprop and updates are all math nodes and Assigns (no built-in
    delta or update node); ``miswired`` forgets the output slope."""
    g = mlp([2, 2, 1], data="xor", lr=0.5, seed=5)
    for n in ("delta_2", "delta_1", "weight_update_1", "bias_update_1", "weight_update_2", "bias_update_2"):
        g.remove_node(n)
    g.add_node("TrainingInfo", "info")
    g.add_node("Expression", "d2", params={"formula": "grad" if miswired else "grad * slope"})
    g.add_node("MatVec", "back")
    g.add_node("Transpose", "w2t")
    g.add_node("Multiply", "d1")
    for a, b in (("error.grad", "d2.grad"), ("weights_2.W", "w2t.a"), ("w2t.out", "back.W"), ("d2.out", "back.x"),
                 ("back.out", "d1.a"), ("sigmoid_1.slope", "d1.b")):
        g.connect(a, b)
    if not miswired:
        g.connect("sigmoid_2.slope", "d2.slope")
    for layer, delta, x in ((1, "d1.out", "dataset.x"), (2, "d2.out", "sigmoid_1.y")):
        g.add_node("Outer", f"gw{layer}")
        g.connect(delta, f"gw{layer}.a")
        g.connect(x, f"gw{layer}.b")
        for p, port, grad in (("weights", "W", f"gw{layer}.out"), ("bias", "b", delta)):
            step = g.add_node("Expression", f"new_{p}_{layer}", params={"formula": "p - lr * g"})
            write = g.add_node("Assign", f"write_{p}_{layer}")
            for a, b in ((f"{p}_{layer}.{port}", f"{step}.p"), ("info.lr", f"{step}.lr"), (grad, f"{step}.g"),
                         (f"{p}_{layer}.{port}", f"{write}.target"), (f"{step}.out", f"{write}.value")):
                g.connect(a, b)
    return g


def test_gradcheck_passes_on_backprop_wired_from_primitives_and_catches_a_miswiring():
    checks = gradcheck(Session(sgd_by_hand()))
    assert {c.node for c in checks} == {"weights_1", "bias_1", "weights_2", "bias_2"}
    assert all(c.verdict == "ok" for c in checks), checks
    assert by_session(sgd_by_hand(), "step", 4) == by_session(mlp([2, 2, 1], data="xor", lr=0.5, seed=5), "step", 4)
    wrong = {c.node: c.verdict for c in gradcheck(Session(sgd_by_hand(miswired=True)))}
    assert wrong["weights_2"] == "WRONG" and wrong["weights_1"] == "WRONG"


@pytest.mark.parametrize("name", ["xor.json", "cross_entropy.json", "adam_vs_sgd.json"])
def test_gradcheck_on_opened_examples(name):
    """An opened update shows its gradient at its group's grad port, whatever its optimiser."""
    checks = gradcheck(Session(open_all(load(GRAPHS / name))))
    assert checks and all(c.verdict == "ok" for c in checks), checks
