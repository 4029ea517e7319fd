"""The fast engine and code export give the stepper's numbers: same weights, same figures."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from nodeflow.errors import Diverged
from nodeflow.run import report
from nodeflow.run.session import Session
from nodeflow.document.files import load, save
from conftest import GRAPHS, run_cli

EXAMPLES = sorted(GRAPHS.glob("*.json"))
EPOCHS = 3


def pair(path, **settings):
    """Two sessions on two copies of one graph file."""
    evs = []
    for _ in range(2):
        g = load(path)
        for k, v in settings.items():
            g.set_setting(k, v)
        evs.append(Session(g))
    return evs


def assert_close(a, b, tol=1e-12) -> None:
    """Nested lists/dicts of numbers (or None) agree to ``tol``."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_close(a[k], b[k], tol)
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_close(x, y, tol)
    elif a is None or b is None:
        assert a is b
    else:
        assert abs(a - b) <= tol, (a, b)


def assert_same(a: Session, b: Session) -> None:
    np.testing.assert_allclose(b.run.smem, a.run.smem, rtol=0, atol=1e-9)  # weights and optimiser state
    np.testing.assert_allclose(b.run.mem, a.run.mem, rtol=0, atol=1e-9)  # every wire value
    assert b.epoch == a.epoch and b.sample == a.sample
    assert_close([s.as_dict() for s in b.stats], [s.as_dict() for s in a.stats])
    assert_close([s.values for s in b.stats], [s.values for s in a.stats])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_fast_engine_matches_stepper_on_every_example(path):
    step, fast = pair(path)
    step.train(EPOCHS, engine="step")
    fast.train(EPOCHS, engine="fast")
    assert_same(step, fast)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_exported_script_matches_stepper_on_every_example(path, tmp_path):
    script, weights = tmp_path / "train.py", tmp_path / "weights.json"
    epochs = EPOCHS
    if path.stem == "digits":  # plain-Python kernels take milliseconds a digit: one epoch on a tenth of them
        epochs = 1
        g = load(path)
        g.set_setting("split", 0.1)
        path = tmp_path / path.name
        save(g, path)
    assert run_cli("export", path, "-o", script).returncode == 0
    out = subprocess.run([sys.executable, str(script), "--epochs", str(epochs), "--json", "--save-weights",
                          str(weights)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    ev = Session(load(path))
    ev.train(epochs, engine="step")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert_close(rows, [report.epoch_record(s.epoch, s.as_dict(), s.values) for s in ev.stats])
    for node, value in json.loads(weights.read_text()).items():
        np.testing.assert_allclose(value, ev.value(node, "W" if "weights" in node else "b"), rtol=0, atol=1e-9)


def test_script_is_numpy_only_and_readable(tmp_path):
    script = tmp_path / "train.py"
    assert run_cli("export", GRAPHS / "xor.json", "-o", script).returncode == 0
    text = script.read_text()
    imports = {line.split()[1] for line in text.splitlines() if line.startswith(("import ", "from "))}
    assert imports == {"argparse", "io", "json", "math", "numpy"}
    assert "def sigmoid(z, y, slope):" in text and "def train(" in text  # the kernels' own source
    assert "sigmoid(weighted_sum_1_z, sigmoid_1_y, sigmoid_1_slope)  # sigmoid_1" in text


def test_fast_run_continues_a_half_done_epoch():
    step, fast = pair(GRAPHS / "apples_oranges.json")
    for ev in (step, fast):
        for _ in range(7):
            ev.step_sample()
        ev.step_node()
    step.train(4, engine="step")
    fast.train(4, engine="fast")
    assert_same(step, fast)


def test_stopping_from_on_epoch_stops_exactly_there():
    step, fast = pair(GRAPHS / "xor.json")
    step.train(3, engine="step")
    stats = fast.train(50, engine="fast", on_epoch=lambda s: s.epoch == 3)
    assert [s.epoch for s in stats] == [1, 2, 3]
    assert_same(step, fast)


@pytest.mark.parametrize("batch", [3, 1000])
def test_mini_batches_match(batch):
    step, fast = pair(GRAPHS / "apples_oranges.json", batch_size=batch)
    step.train(4, engine="step")
    fast.train(4, engine="fast")
    assert_same(step, fast)


def test_divergence_is_caught_at_the_same_node_and_sample():
    step, fast = pair(GRAPHS / "adding_neuron.json", lr=100.0)
    with pytest.raises(Diverged) as by_step:
        step.train(5, engine="step")
    with pytest.raises(Diverged) as by_fast:
        fast.train(5, engine="fast")
    assert str(by_fast.value) == str(by_step.value)
    assert "error.E" in str(by_fast.value) and "epoch 1" in str(by_fast.value)
    for ev in (step, fast):
        ev.step_back()
    assert_same(step, fast)
    assert np.isfinite(fast.run.smem).all()


def test_step_back_undoes_a_fast_run():
    ev = Session(load(GRAPHS / "xor.json"))
    before = ev.run.smem.copy()
    ev.train(20, engine="fast")
    assert ev.epoch == 20 and not np.array_equal(ev.run.smem, before)
    assert ev.step_back()
    assert ev.epoch == 0 and np.array_equal(ev.run.smem, before) and ev.stats == []


def test_second_process_loads_compiled_code_from_the_disk_cache(tmp_path):
    code = ("from nodeflow.run.session import Session; from nodeflow.document.files import load;"
            f"ev = Session(load({str(GRAPHS / 'apples_oranges.json')!r})); ev.train(1, engine='fast');"
            "s = ev.compiled().fn.stats; print(sum(s.cache_hits.values()), sum(s.cache_misses.values()))")
    env = {"NODEFLOW_CACHE": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                           env={**__import__("os").environ, **env}) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    first, second = (r.stdout.split() for r in runs)
    assert first[1] != "0"  # compiled the first time
    assert second[0] != "0" and second[1] == "0"  # loaded from disk the second time


def test_without_jit_the_stepper_runs_after_a_notice():
    env = {**__import__("os").environ, "NODEFLOW_JIT": "0"}
    out = subprocess.run([sys.executable, "-m", "nodeflow", "run", str(GRAPHS / "xor.json"), "--epochs", "2"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0
    assert out.stderr.strip().splitlines() == [
        "nodeflow: the fast engine needs numba's JIT (off here); training with the stepper instead"]
    assert out.stdout.splitlines()[-1].startswith("epoch 2/2  loss ")


def test_run_prints_the_same_lines_with_either_engine():
    fast = run_cli("run", GRAPHS / "adam_vs_sgd.json", "--epochs", "4", "--json")
    step = run_cli("run", GRAPHS / "adam_vs_sgd.json", "--epochs", "4", "--json", "--engine", "step")
    assert fast.returncode == step.returncode == 0
    assert_close([json.loads(line) for line in fast.stdout.splitlines()],
                 [json.loads(line) for line in step.stdout.splitlines()])


@pytest.mark.parametrize("args, message", [
    (["export", "missing.json", "-o", "t.py"], "missing.json"),
    (["export", str(GRAPHS / "xor.json"), "-o", "no/such/folder/t.py"], "folder"),
])
def test_export_mistakes_exit_2_with_one_line(args, message, tmp_path):
    out = run_cli(*args, cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and message in out.stderr and "Traceback" not in out.stderr
