"""No bias, no crash: every example with its biases removed trains to the same numbers on the
stepper, the compiled engine and an exported script."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from nodeflow import Session, load, mlp, save
from nodeflow.run import report
from conftest import GRAPHS, run_cli
from test_engine import assert_close, assert_same

EXAMPLES = [p for p in sorted(GRAPHS.glob("*.json"))  # those whose biases are Bias nodes (not opened into groups)
            if not load(p).nodes_of_type("Group")]


def without_biases(path, **settings):
    g = load(path)
    for n in g.nodes_of_type("Bias", "BiasUpdate"):
        g.remove_node(n)
    for k, v in settings.items():
        g.set_setting(k, v)
    assert not g.problems() and g.nodes_of_type("WeightedSum")
    return g


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_bias_free_examples_agree_on_every_executor(path, tmp_path):
    small = {"split": 0.1} if path.stem == "digits" else {}  # plain-Python kernels in the script: fewer digits
    step, fast = Session(without_biases(path, **small)), Session(without_biases(path, **small))
    step.train(2, engine="step")
    assert fast.compiled() is not None  # it compiles (numba could not, with np.zeros in the generated code)
    fast.train(2, engine="fast")
    assert_same(step, fast)
    script, weights, graph = tmp_path / "train.py", tmp_path / "w.json", tmp_path / path.name
    save(without_biases(path, **small), graph)
    assert run_cli("export", graph, "-o", script).returncode == 0
    out = subprocess.run([sys.executable, str(script), "--epochs", "2", "--json", "--save-weights", str(weights)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert_close(rows, [report.epoch_record(s.epoch, s.as_dict(), s.values) for s in step.stats])
    for node, value in json.loads(weights.read_text()).items():
        np.testing.assert_allclose(value, step.value(node, "W"), rtol=0, atol=1e-9)


def test_the_builder_leaves_biases_out_and_the_neuron_still_adds():
    g = mlp([2, 1], "identity", data="adding", lr=0.1, bias=False, init="uniform", data_scale="none")
    assert not g.nodes_of_type("Bias", "BiasUpdate") and g.settings["network"]["bias"] is False
    s = Session(g)
    s.train(20)
    np.testing.assert_allclose(s.value("weights_1", "W"), [[1.0, 1.0]], atol=1e-6)
    assert "np.zeros" not in __import__("nodeflow.run.codegen", fromlist=["generate"]).generate(s.plan).functions
