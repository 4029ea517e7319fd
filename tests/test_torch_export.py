"""`nodeflow export --to torch`: autograd and torch's optimiser loop reach nodeflow's weights.

Every comparison is against nodeflow's stepper (``Session.train(n, engine="step")``), which
runs the graph's own delta and update nodes: equal weights to 1e-9 in float64 mean the
delta nodes compute backprop's gradient and the script applies the update nodes' rules.
"""
from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nodeflow.document.builders import mlp
from nodeflow.document.epochlog import EpochLog
from nodeflow.document.files import load, save
from nodeflow.document.graph import Graph
from nodeflow.errors import NodeflowError
from nodeflow.nodes.update import OPTIMIZERS
from nodeflow.nodes.base import NODE_TYPES, NodeType, Port
from nodeflow.nodes.forward import HIDDEN_ACTIVATIONS
from nodeflow.run import report
from nodeflow.run.export_torch import script
from nodeflow.run.session import Session

from conftest import GRAPHS, ROOT, run_cli

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="torch is not installed (pip install -e '.[torch]')")
HAND_WIRED = "it is a step wired by hand (math nodes, Expression, Register, Assign)"
# examples with a network trained by a rule wired from math nodes (beside one that maps): refused whole,
# naming the first such node; without that network (the prefix of its nodes), the rest maps
REFUSED = {"xor_opened": ("opened_weight_update_2/info (TrainingInfo)", "opened_"),
           "adding_neuron_article": ("article_weights_1_grad (Outer)", "article_")}
EXAMPLES = sorted(p for p in GRAPHS.glob("*.json") if p.stem not in REFUSED)


def kept(name: str) -> Graph:
    """A refused example with only the network that maps (the hand-wired one's nodes removed)."""
    g = load(GRAPHS / f"{name}.json")
    for n in [n for n in g.node_ids if n.startswith(REFUSED[name][1])]:
        g.remove_node(n)
    return g


# every example that maps, and the refused ones with only their mappable network: (name, build)
MAPPED = [(p.stem, lambda p=p: load(p)) for p in EXAMPLES] + [(f"{n}_kept", lambda n=n: kept(n)) for n in REFUSED]


def load_script(g, folder: Path, name: str = "train_torch"):
    """The exported script for graph ``g``, imported as a module (its main() takes argv)."""
    path = folder / f"{name}.py"
    path.write_text(script(Session(g), "test.json"))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def train_script(g, epochs: int, folder: Path, *args, rows: list | None = None) -> Session:
    """Train ``g`` with its torch script; a session on the graph the script saved. ``rows`` gets what
    the script's main returns: (epoch, every metric port's value) per epoch."""
    out = folder / "trained.json"
    got = load_script(g, folder).main(["--epochs", str(epochs), "--save-graph", str(out), *map(str, args)])
    if rows is not None:
        rows.extend(got)
    return Session(load(out))


def train_nodeflow(g, epochs: int) -> Session:
    s = Session(g)
    s.train(epochs, engine="step")
    return s


def assert_same_state(a: Session, b: Session, atol: float = 1e-9) -> None:
    """Every weight and every optimiser state (m, v, t) of the two runs agree to ``atol``."""
    sa, sb = a.run.trained_state(), b.run.trained_state()
    assert sa.keys() == sb.keys()
    for node, values in sa.items():
        for name, v in values.items():
            np.testing.assert_allclose(sb[node][name], v, rtol=0, atol=atol, err_msg=f"{node}.{name}")


def nodeflow_lines(s: Session, total: int) -> list[str]:
    return [report.epoch_line(k + 1, total, e.as_dict(), e.values) for k, e in enumerate(s.stats)]


def assert_same_figures(rows: list, s: Session) -> None:
    """Every metric port's figure (losses, accuracies, saturation; test ones too) of every epoch."""
    assert [epoch for epoch, _ in rows] == [e.epoch for e in s.stats]
    for (epoch, values), e in zip(rows, s.stats):
        assert values.keys() == e.values.keys(), epoch
        for port, v in e.values.items():
            assert values[port] == pytest.approx(v, rel=1e-12, abs=1e-12), f"epoch {epoch}: {port}"


# -- parity --------------------------------------------------------------------------------

@needs_torch
@pytest.mark.parametrize("name, build", MAPPED, ids=[name for name, _ in MAPPED])
def test_every_example_trains_to_nodeflows_weights_lines_and_figures(name, build, tmp_path, capsys):
    epochs = 1 if name == "digits" else 3
    rows: list = []
    trained = train_script(build(), epochs, tmp_path, rows=rows)
    printed = capsys.readouterr().out.splitlines()
    ref = train_nodeflow(build(), epochs)
    assert_same_state(ref, trained)
    assert printed == nodeflow_lines(ref, epochs)
    assert_same_figures(rows, ref)
    assert trained.graph.trained_epochs == epochs and len(trained.graph.epoch_log) == epochs


def test_every_example_maps_or_is_refused_whole():
    """The parity tests cover every example: each maps to torch, or is one of the refused."""
    for path in sorted(GRAPHS.glob("*.json")):
        if path.stem in REFUSED:
            with pytest.raises(NodeflowError, match=re.escape(HAND_WIRED)):
                script(Session(load(path)), path.name)
        else:
            compile(script(Session(load(path)), path.name), path.name, "exec")


@pytest.mark.parametrize("name", REFUSED)
def test_an_example_with_a_hand_wired_rule_is_refused_in_one_line(name, tmp_path):
    """Two networks, one of which maps: the whole file is refused, naming a node of the other."""
    out = run_cli("export", GRAPHS / f"{name}.json", "--to", "torch", "-o", tmp_path / "t.py")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
    assert out.stderr.startswith(f"nodeflow: error: {REFUSED[name][0]} has no torch equivalent: {HAND_WIRED}")
    assert "--to numpy" in out.stderr and not (tmp_path / "t.py").exists()


def every_update(g, **params):
    for n in g.nodes_of_type("WeightUpdate", "BiasUpdate"):
        for name, value in params.items():
            g.set_param(n, name, value)
    return g


@needs_torch
@pytest.mark.parametrize("example, optimizer", list(itertools.product(MAPPED, OPTIMIZERS)),
                         ids=lambda v: v[0] if isinstance(v, tuple) else v)
def test_every_example_with_each_optimiser_l1_l2_and_batches_of_3(example, optimizer, tmp_path, capsys):
    """RMSprop and Adam at a rate of their own size (0.01): at SGD's 0.3 they make digits chaotic, where
    nodeflow against itself with the weights 2 ulps apart differs as much as torch does (see the README)."""
    name, load_example = example

    def build():
        g = every_update(load_example(), optimizer=optimizer, l2=0.01, l1=0.001)
        g.set_setting("batch_size", 3)
        if optimizer in ("rmsprop", "adam"):
            g.set_setting("lr", 0.01)
        return g
    epochs = 1 if name == "digits" else 2
    assert_same_state(train_nodeflow(build(), epochs), train_script(build(), epochs, tmp_path))


LOSSES = {"squared": ("spiral", [2, 4, 3], "squared"), "softmax_cross_entropy": ("spiral", [2, 4, 3], "cross_entropy"),
          "sigmoid_cross_entropy": ("circle", [2, 4, 1], "cross_entropy")}


def regularised(data, layers, loss, optimizer, batch_size) -> Graph:
    """A small tanh network with L2 and L1 on every update node (biases too)."""
    lr = 0.03 if optimizer in ("rmsprop", "adam") else 0.3
    return every_update(mlp(layers, "tanh", data=data, samples=50, lr=lr, seed=4, loss=loss, optimizer=optimizer,
                            batch_size=batch_size, init="xavier"), l2=0.01, l1=0.002)


@needs_torch
@pytest.mark.parametrize("optimizer, loss, batch", list(itertools.product(
    OPTIMIZERS, LOSSES, (1, 3, "epoch"))))
def test_each_optimiser_loss_and_batch_size_with_l1_and_l2(optimizer, loss, batch, tmp_path, capsys):
    data, layers, kind = LOSSES[loss]
    size = 10_000 if batch == "epoch" else batch  # more than the 33 training samples: one batch an epoch
    trained = train_script(regularised(data, layers, kind, optimizer, size), 4, tmp_path)
    assert_same_state(train_nodeflow(regularised(data, layers, kind, optimizer, size), 4), trained)


def scheduled(schedule: str, rate: float, optimizer: str = "momentum") -> Graph:
    """A LearningRate node on ``schedule`` (with a rate of its own, or the settings' when 0) feeding every update."""
    g = mlp([2, 3, 1], data="circle", samples=40, lr=0.4, seed=2, schedule=schedule, optimizer=optimizer,
            batch_size=3)
    if not g.nodes_of_type("LearningRate"):  # the builder adds none for a constant rate: add it by hand
        g.add_node("LearningRate", "learning_rate")
        for n in g.nodes_of_type("WeightUpdate", "BiasUpdate"):
            g.connect("learning_rate.lr", f"{n}.lr")
    for name, value in (("rate", rate), ("every", 2), ("drop", 0.5), ("decay", 0.3), ("b", 2.0)):
        g.set_param("learning_rate", name, value)
    return g


@needs_torch
@pytest.mark.parametrize("schedule, rate", [("constant", 0.7), ("inverse", 0.0), ("step", 0.9),
                                            ("exponential", 0.0)])
def test_each_schedule(schedule, rate, tmp_path, capsys):
    trained = train_script(scheduled(schedule, rate), 6, tmp_path)
    assert_same_state(train_nodeflow(scheduled(schedule, rate), 6), trained)


@needs_torch
def test_carries_on_from_a_trained_graph_and_nodeflow_carries_on_from_the_script(tmp_path, capsys):
    """Epoch count (shuffling, schedule), optimiser state (m, v, t) and the figures of the epochs trained
    (the file's history) go both ways through graph files."""
    g = scheduled("inverse", 0.0, "adam")
    half = train_nodeflow(g, 2)
    half.apply()
    save(g, tmp_path / "half.json")
    trained = train_script(load(tmp_path / "half.json"), 2, tmp_path)  # epochs 3 and 4 in torch
    assert run_cli("check", tmp_path / "trained.json").returncode == 0
    four = train_nodeflow(scheduled("inverse", 0.0, "adam"), 4)
    assert trained.graph.epoch_log.to_json() == EpochLog.from_rows((s.epoch, s.values) for s in four.stats).to_json()
    trained.train(2, engine="step")  # 5 and 6 in nodeflow, from the graph the script saved
    assert_same_state(train_nodeflow(scheduled("inverse", 0.0, "adam"), 6), trained)
    assert trained.epoch == 6


@needs_torch
def test_a_frozen_layer_stays_put(tmp_path, capsys):
    """A parameter no update node writes keeps its value (requires_grad off), as in the graph."""
    def build():
        g = mlp([2, 2, 1], data="xor", lr=1.0, seed=3)
        g.remove_node("weight_update_1")
        return g
    trained = train_script(build(), 3, tmp_path)
    ref = train_nodeflow(build(), 3)
    assert_same_state(ref, trained)
    np.testing.assert_array_equal(trained.state("weights_1")["value"], build().state("weights_1")["value"])


@needs_torch
def test_saved_graph_finds_its_csv_from_another_folder(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "out").mkdir()
    rows = [f"{a},{b},{int(a > b)}" for a, b in np.random.default_rng(0).random((30, 2))]
    (tmp_path / "data" / "points.csv").write_text("a,b,class\n" + "\n".join(rows) + "\n")
    g = mlp([2, 2, 2], data="points.csv", base_dir=tmp_path / "data", seed=2)
    save(g, tmp_path / "data" / "points.json")
    module = load_script(load(tmp_path / "data" / "points.json"), tmp_path)
    module.main(["--epochs", "2", "--save-graph", str(tmp_path / "out" / "trained.json")])
    assert run_cli("check", tmp_path / "out" / "trained.json").returncode == 0
    assert_same_state(train_nodeflow(load(tmp_path / "data" / "points.json"), 2),
                      Session(load(tmp_path / "out" / "trained.json")))


@needs_torch
@pytest.mark.parametrize("hidden", HIDDEN_ACTIVATIONS)
def test_each_activation_and_a_softmax_under_squared_error(hidden, tmp_path, capsys):
    """Hidden ReLU / sigmoid / tanh / identity; the output Delta multiplies by Softmax's Jacobian."""
    def build():
        return mlp([2, 5, 3], hidden, data="spiral", samples=45, lr=0.2, seed=5, output="softmax",
                   init="uniform_sym", batch_size=2)
    assert_same_state(train_nodeflow(build(), 3), train_script(build(), 3, tmp_path))


@needs_torch
def test_a_network_in_groups_trains_and_saves_into_its_groups(tmp_path, capsys):
    """Groups (nested too) are flattened; the trained values go back into the groups' own graphs."""
    def build():
        g = load(GRAPHS / "xor.json")
        g.group_nodes(["weights_1", "bias_1", "weighted_sum_1", "sigmoid_1", "saturation_1"], "hidden layer", "hidden")
        g.group_nodes(["delta_1", "weight_update_1", "bias_update_1"], "its updates", "learn")
        g.group_nodes(["learn", "weight_update_2"], "updates", "updates")
        return g
    text = script(Session(build()), "g.json")
    assert "self.hidden__weighted_sum_1 = nn.Linear(2, 2, bias=True, dtype=DTYPE)" in text
    rows: list = []
    trained = train_script(build(), 3, tmp_path, rows=rows)
    ref = train_nodeflow(build(), 3)
    assert {"hidden/weights_1", "updates/learn/weight_update_1"} <= trained.run.trained_state().keys()
    assert_same_state(ref, trained)
    assert_same_figures(rows, ref)


@needs_torch
def test_nodes_nodeflow_skips_are_left_out(tmp_path, capsys):
    """An unwired node that feeds no loss (here a math node) computes nothing in nodeflow: nor in torch."""
    def build():
        g = load(GRAPHS / "xor.json")
        g.add_node("Add", "unfinished")
        g.connect("sigmoid_1.y", "unfinished.a")
        return g
    assert "unfinished" in Session(build()).plan.skipped
    assert_same_state(train_nodeflow(build(), 2), train_script(build(), 2, tmp_path))


@needs_torch
def test_a_layer_without_bias(tmp_path, capsys):
    def build():
        g = mlp([2, 3, 1], data="circle", samples=40, lr=0.5, seed=3)
        for n in ("bias_update_1", "bias_1"):
            g.remove_node(n)
        return g
    text = script(Session(build()), "g.json")
    assert "self.weighted_sum_1 = nn.Linear(2, 3, bias=False, dtype=DTYPE)" in text
    assert_same_state(train_nodeflow(build(), 3), train_script(build(), 3, tmp_path))


# -- the script as a program: lines, JSON, many processes ----------------------------------

def same_records(rows: list, ref: list) -> bool:
    """The same keys; accuracies equal, losses to 1e-12 (sums in another order), in networks too."""
    assert [r.keys() for r in rows] == [r.keys() for r in ref]
    for r, q in zip(rows, ref):
        for key, v in q.items():
            if key == "networks":
                same_records(list(r[key].values()), list(v.values()))
            elif v is None or "loss" not in key:
                assert r[key] == v, key
            else:
                assert r[key] == pytest.approx(v, rel=1e-12, abs=1e-12), key
    return True


@needs_torch
@pytest.mark.parametrize("name, key", [("adam_vs_sgd", "networks"), ("curve_fit", "test_loss")])
def test_script_prints_what_nodeflow_run_prints(name, key, tmp_path):
    """Two networks (the lines and JSON carry both); a numeric target (standardised, with a test loss and
    accuracy within 10 % in its own units)."""
    path = GRAPHS / f"{name}.json"
    assert run_cli("export", path, "--to", "torch", "-o", tmp_path / "t.py").returncode == 0
    for extra in ([], ["--json"]):
        torch_out = subprocess.run([sys.executable, tmp_path / "t.py", "--epochs", "3", *extra], capture_output=True,
                                   text=True, timeout=300)
        ours = run_cli("run", path, "--epochs", "3", *extra)
        assert torch_out.returncode == 0, torch_out.stderr
        if extra:
            rows, ref = ([json.loads(l) for l in o.stdout.splitlines()] for o in (torch_out, ours))
            assert rows[0].get(key) is not None and same_records(rows, ref)
        else:
            assert torch_out.stdout == ours.stdout


@needs_torch
def test_script_warns_of_a_saturated_layer_as_nodeflow_run_does(tmp_path):
    """Weights of σ = 20 saturate the hidden sigmoids: the script's Saturation share gives nodeflow's warning."""
    save(mlp([2, 2, 1], data="xor", init="normal", scale=20, seed=1, lr=1.0), tmp_path / "g.json")
    assert run_cli("export", tmp_path / "g.json", "--to", "torch", "-o", tmp_path / "t.py").returncode == 0
    torch_out = subprocess.run([sys.executable, tmp_path / "t.py", "--epochs", "3"], capture_output=True, text=True,
                               timeout=300)
    ours = run_cli("run", tmp_path / "g.json", "--epochs", "3")
    assert torch_out.stdout == ours.stdout
    assert ours.stderr.startswith("nodeflow: warning: epoch 1: saturation_1: 100% of the layer's sigmoid slopes")
    assert torch_out.stderr == ours.stderr.removeprefix("nodeflow: ")


def torchrun(script_path: Path, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           str(script_path), *map(str, args)], capture_output=True, text=True, timeout=600, env=env)


@needs_torch
# 33 training samples: with B = 3 the last batch has 3 (rank 1 gets none), with B = 9 it has 15 (9 and 6)
@pytest.mark.parametrize("per_process", [3, 9])
def test_two_processes_with_b_equal_one_with_2b(per_process, tmp_path, capsys):
    g = regularised("spiral", [2, 4, 3], "cross_entropy", "adam", 1)
    module = load_script(g, tmp_path)
    module.main(["--epochs", "3", "--batch-size", str(2 * per_process), "--save-graph", str(tmp_path / "one.json")])
    one_lines = capsys.readouterr().out
    out = torchrun(tmp_path / "train_torch.py", "--epochs", 3, "--batch-size", per_process,
                   "--save-graph", tmp_path / "two.json")
    assert out.returncode == 0, out.stderr
    assert out.stdout == one_lines  # printed once (rank 0), the same figures
    one, two = Session(load(tmp_path / "one.json")), Session(load(tmp_path / "two.json"))
    assert_same_state(one, two)
    assert two.graph.settings["batch_size"] == 2 * per_process
    assert_same_state(train_nodeflow(regularised("spiral", [2, 4, 3], "cross_entropy", "adam", 2 * per_process), 3),
                      two)


@needs_torch
def test_cuda_without_a_gpu_is_one_line(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert run_cli("export", GRAPHS / "xor.json", "--to", "torch", "--device", "cuda", "-o", tmp_path / "t.py"
                   ).returncode == 0
    assert 'DEVICE = "cuda"' in (tmp_path / "t.py").read_text()
    out = subprocess.run([sys.executable, tmp_path / "t.py", "--epochs", "1"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 1 and out.stderr.strip().splitlines() == [
        "--device cuda: torch sees no GPU here (torch.cuda.is_available() is False)"]


# -- needs no torch: the exporter, its refusals, the import cost ----------------------------

def test_script_reads_like_a_torch_program(tmp_path):
    text = script(Session(load(GRAPHS / "xor.json")), "xor.json")
    for expected in ("class Network(nn.Module):", "self.weighted_sum_1 = nn.Linear(2, 2, bias=True, dtype=DTYPE)",
                     "sigmoid_1 = torch.sigmoid(weighted_sum_1)", "loss.backward()", "optimizer.step()",
                     "class UpdateRules(torch.optim.Optimizer):", "DistributedDataParallel(model",
                     "class EpochBatches(torch.utils.data.Sampler):", "def epoch_order(seed", "def epoch_line("):
        assert expected in text
    compile(text, "train_torch.py", "exec")


def rewire(g, dst: str, src: str) -> None:
    g.disconnect(g.wire_into(*dst.split(".")))
    g.connect(src, dst)


def _future_node(g):
    g.add_node("FutureActivation", "activation_1")
    g.connect("dataset.x", "activation_1.a")
    rewire(g, "weighted_sum_1.x", "activation_1.out")


REFUSALS = {
    "wrong-delta": ("symmetry", lambda g: rewire(g, "zero_weight_update_1.delta", "random_delta_1.delta"),
                    "zero_weight_update_1 (WeightUpdate) has no torch equivalent: its delta is not backprop's delta"),
    "wrong-x": ("symmetry", lambda g: rewire(g, "random_weight_update_1.x", "zero_sigmoid_1.y"),
                "random_weight_update_1 (WeightUpdate) has no torch equivalent: its x must be dataset.x"),
    "constant-input": ("xor", lambda g: (g.add_node("Constant", "half", params={"value": [0.5, 0.5]}),
                                         rewire(g, "weighted_sum_1.x", "half.out")),
                       "weighted_sum_1 (WeightedSum) has no torch equivalent: its x comes from half.out"),
    "mismatched-cross-entropy": ("cross_entropy", lambda g: g.set_param("error", "output", "sigmoid"),
                                 "error (CrossEntropy) has no torch equivalent: its delta y − t assumes a sigmoid"),
    "constant-rate": ("xor", lambda g: (g.add_node("Constant", "rate", params={"value": 0.5}),
                                        g.connect("rate.out", "weight_update_1.lr")),
                      "weight_update_1 (WeightUpdate) has no torch equivalent: its lr comes from rate"),
    "new-node-type": ("xor", _future_node,
                      "activation_1 (FutureActivation) has no torch equivalent: the torch export knows no "
                      "FutureActivation"),
}


@pytest.fixture
def future_type():
    """A node type nodeflow might gain later (a new activation, say), registered for one test only."""
    class Future(NodeType):
        family = "forward"
        inputs = (Port("a", ("n",)),)
        outputs = (Port("out", ("n",)),)

    Future.name = "FutureActivation"  # set after the class is made, so it is not registered for good
    NODE_TYPES[Future.name] = Future
    yield
    NODE_TYPES.pop(Future.name, None)


@pytest.mark.parametrize("case", REFUSALS)
def test_a_graph_torch_cannot_take_is_refused_in_one_line_naming_the_node(case, tmp_path, future_type):
    example, edit, message = REFUSALS[case]
    g = load(GRAPHS / f"{example}.json")
    edit(g)
    save(g, tmp_path / "g.json")
    out = run_cli("export", tmp_path / "g.json", "--to", "torch", "-o", tmp_path / "t.py") if case != "new-node-type" \
        else _export_in_process(tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith(f"nodeflow: error: {message}") and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "t.py").exists()


def _export_in_process(tmp_path):
    """The CLI in this process (where the test's node type is registered), its stderr captured."""
    import contextlib
    import io

    from nodeflow.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["export", str(tmp_path / "g.json"), "--to", "torch", "-o", str(tmp_path / "t.py")])
    return subprocess.CompletedProcess([], code, "", err.getvalue())


def test_views_and_constants_only_views_read_are_left_out(tmp_path):
    g = load(GRAPHS / "xor.json")
    g.add_node("Watch", "watch_delta")
    g.connect("delta_1.delta", "watch_delta.value")
    g.add_node("Constant", "shown")
    g.add_node("Watch", "watch_shown")
    g.connect("shown.out", "watch_shown.value")
    text = script(Session(g), "g.json")
    assert "watch_delta" not in text.split("GRAPH = ")[0] and "watch_delta" in text.split("GRAPH = ")[1]


def test_device_belongs_to_torch_export(tmp_path):
    out = run_cli("export", GRAPHS / "xor.json", "--device", "cuda", "-o", tmp_path / "t.py")
    assert out.returncode == 2 and out.stderr.startswith("nodeflow: error: --device is for --to torch")


def test_nodeflow_never_imports_torch(tmp_path):
    """Exporting, and everything else nodeflow does without a window, leaves torch unimported."""
    code = ("import sys; from nodeflow.cli import main; "
            f"main(['export', {str(GRAPHS / 'xor.json')!r}, '--to', 'torch', '-o', {str(tmp_path / 't.py')!r}]); "
            "import nodeflow.run.session, nodeflow.run.export, nodeflow.bench; "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
