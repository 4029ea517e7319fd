"""The fast engine at speed: one loop of machine code loaded without numba, mini-batches as matrices.

No timing asserts: what is checked is that the fast forms run (and which one), that
they give the stepper's numbers, and what a process imports.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from nodeflow import load, mlp, outputs
from nodeflow.run import compiled, native
from nodeflow.run.batched import Batched, batchable
from nodeflow.run.fused import Fused
from nodeflow.run.session import Session
from conftest import GRAPHS, ROOT


def twins(make, **settings):
    """Two sessions on two copies of a graph, with ``settings``."""
    out = []
    for _ in range(2):
        g = make()
        for k, v in settings.items():
            g.set_setting(k, v)
        out.append(Session(g))
    return out


def test_the_fused_form_is_bit_identical_to_the_stepper_and_calls_no_kernel():
    step, fast = twins(lambda: mlp([7, 5, 3], data="wheat-seeds", lr=0.3, seed=1))
    engine = fast.compiled()
    assert isinstance(engine.form, Fused) and isinstance(engine.fn, native.Native)
    step.train(4, engine="step")
    fast.train(4)
    assert np.array_equal(step.run.mem, fast.run.mem) and np.array_equal(step.run.smem, fast.run.smem)
    assert [s.as_dict() for s in step.stats] == [s.as_dict() for s in fast.stats]


@pytest.mark.parametrize("path, batch", [("apples_oranges", 3), ("apples_oranges", 1000), ("digits", 16),
                                         ("adam_vs_sgd", 4), ("cross_entropy", 5), ("curve_fit", None)])
def test_mini_batches_as_matrices_give_the_per_sample_numbers(path, batch):
    settings = {"batch_size": batch} if batch else {}
    if path == "digits":
        settings["split"] = 0.2
    step, fast = twins(lambda: load(GRAPHS / f"{path}.json"), **settings)
    assert isinstance(fast.compiled().form, Batched)
    step.train(3, engine="step")
    fast.train(3)
    np.testing.assert_allclose(fast.run.smem, step.run.smem, rtol=0, atol=1e-9)  # weights, optimiser state
    np.testing.assert_allclose(fast.run.mem, step.run.mem, rtol=0, atol=1e-9)  # every wire: the last sample's
    for a, b in zip(fast.stats, step.stats):
        assert a.train_acc == b.train_acc and a.test_acc == b.test_acc
        assert abs(a.loss - b.loss) < 1e-9
    assert fast.epoch == step.epoch == 3 and fast.sample == step.sample == 0


def test_a_rule_that_writes_mid_batch_keeps_the_per_sample_loop():
    """An Assign commits every sample, so its batch cannot run as matrices: the fused per-sample form runs."""
    step, fast = twins(lambda: load(GRAPHS / "adding_neuron_article.json"), batch_size=4)
    assert not batchable(fast.plan) and isinstance(fast.compiled().form, Fused)
    step.train(2, engine="step")
    fast.train(2)
    assert np.array_equal(step.run.smem, fast.run.smem)


def test_batch_size_one_is_not_batched():
    assert not batchable(Session(load(GRAPHS / "xor.json")).plan)


def _run(code: str, cache) -> subprocess.CompletedProcess:
    env = dict(os.environ, NODEFLOW_CACHE=str(cache))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env,
                          cwd=ROOT)


TRAIN_AND_REPORT = (
    "import sys, json; from nodeflow import Session, load; s = Session(load(sys.argv[1] if len(sys.argv) > 1 else "
    "{path!r})); s.train(3); print(json.dumps([[x.loss for x in s.stats], s.run.smem.tolist(), "
    "[m for m in ('numba', 'scipy', 'llvmlite', 'scipy.linalg') if m in sys.modules]]))")


def test_a_cached_graph_trains_without_numba_in_the_process(tmp_path):
    code = TRAIN_AND_REPORT.format(path=str(GRAPHS / "xor.json"))
    first, second = _run(code, tmp_path), _run(code, tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    (loss1, smem1, imported1), (loss2, smem2, imported2) = json.loads(first.stdout), json.loads(second.stdout)
    assert "numba" in imported1 and "scipy.linalg" not in imported1  # compiled the first time, BLAS alone
    assert imported2 == [] or imported2 == ["llvmlite"]  # loaded the second: no numba, no scipy
    assert loss1 == loss2 and smem1 == smem2
    assert list(tmp_path.glob("train_*.o"))


@pytest.mark.parametrize("name", ["xor", "xor_opened"])  # xor_opened: generated kernels, written as modules too
def test_a_cache_that_cannot_be_written_costs_a_line_and_nothing_else(tmp_path, name):
    code = TRAIN_AND_REPORT.format(path=str(GRAPHS / f"{name}.json"))
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    good, plain = _run(code, tmp_path / "cache"), _run(code, blocked)
    assert good.returncode == plain.returncode == 0, plain.stderr
    assert plain.stderr.startswith("nodeflow: cannot write the compiled-code cache in ") and \
        plain.stderr.count("\n") == 1, plain.stderr
    assert json.loads(plain.stdout)[:2] == json.loads(good.stdout)[:2]


def test_without_a_shared_library_the_object_file_is_loaded_by_llvmlite(tmp_path):
    code = TRAIN_AND_REPORT.format(path=str(GRAPHS / "xor.json"))
    first = _run(code, tmp_path)
    for lib in tmp_path.glob("train_*.so"):
        lib.unlink()
    second = _run(code, tmp_path)
    assert first.returncode == second.returncode == 0, second.stderr
    (loss1, smem1, _), (loss2, smem2, imported2) = json.loads(first.stdout), json.loads(second.stdout)
    assert imported2 == ["llvmlite"] and loss1 == loss2 and smem1 == smem2


def test_check_imports_no_compiler(tmp_path):
    code = ("import sys; from nodeflow.cli import main; status = main(['check', sys.argv[1]]); "
            "print([m for m in ('numba', 'scipy', 'llvmlite') if m in sys.modules])")
    env = dict(os.environ, NODEFLOW_CACHE=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code, str(GRAPHS / "circle_regions.json")], capture_output=True,
                         text=True, timeout=300, env=env)
    assert out.returncode == 0 and out.stdout.splitlines()[-1] == "[]", out.stderr


def test_where_the_fused_form_cannot_be_made_the_per_node_form_runs(monkeypatch, capsys, tmp_path):
    def refuse(text):
        raise RuntimeError("no machine code today")

    monkeypatch.setattr("nodeflow.run.fused._compile", refuse)
    monkeypatch.setattr(native, "_loaded", {})
    monkeypatch.setattr(outputs, "_said", set())
    monkeypatch.setenv("NODEFLOW_CACHE", str(tmp_path))
    step, fast = twins(lambda: load(GRAPHS / "xor.json"))
    engine = fast.compiled()
    assert isinstance(engine.form, compiled.PerNode)
    assert "no machine code today" in capsys.readouterr().err
    step.train(3, engine="step")
    fast.train(3)
    assert np.array_equal(step.run.smem, fast.run.smem)


def test_an_error_in_the_compiled_code_leaves_the_run_at_that_epochs_start():
    """The fused code reports a Python exception (a division by zero, say) as -1: the run goes back to
    the start of the epoch it happened in, with the epochs before it recorded."""
    s, twin = twins(lambda: load(GRAPHS / "xor.json"))
    engine = s.compiled()
    fn = engine.fn

    def fails_in_the_second_epoch(*args):
        fn(*args[:-3], 1, *args[-2:])  # the first epoch, as the real code does it
        backup_mem, backup_smem = engine._scratch[1][:2]
        backup_mem[:], backup_smem[:] = s.run.mem, s.run.smem  # the second starts: its backup ...
        s.run.inputs["epoch"][0] = 1.0
        s.run.mem[:] = np.nan  # ... and it stops half way
        return -1

    engine.fn = fails_in_the_second_epoch
    assert engine.train(s.run, 3) == 1
    twin.train(1)
    assert s.epoch == 1 and len(s.stats) == 1
    assert np.array_equal(s.run.mem, twin.run.mem) and np.array_equal(s.run.smem, twin.run.smem)
