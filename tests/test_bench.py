"""The benchmark: its references train exactly like the graph, and its table has the promised shape.

No timing asserts here: only structure, parity and that ``--quick`` runs.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nodeflow import bench
from nodeflow.bench import main
from nodeflow.bench.measure import IMPLEMENTATIONS, bench_workload
from nodeflow.bench.explicit import explicit_trainer
from nodeflow.bench.references import Network, max_difference, train_numpy, train_python, trained_params
from nodeflow.bench.table import COLUMNS, format_table
from nodeflow.bench.workloads import Workload, workloads
from nodeflow.document.builders import mlp
from nodeflow.run.session import Session

TOL = 1e-9


@pytest.fixture
def quick(tmp_path) -> dict[str, Workload]:
    return {w.name: w for w in workloads(tmp_path, quick=True)}


def _parity(g, epochs: int, limit: int | None = None) -> None:
    net = Network.from_graph(g)
    ev = Session(g)
    stats = ev.train(epochs, samples=limit, engine="step")
    stepped = trained_params(ev)
    for train in (train_python, train_numpy, lambda *a: explicit_trainer(net)(*a[1:])):
        got = train(net, epochs, limit)
        assert got.samples == (limit if limit is not None else epochs * len(net.X))
        assert max_difference((got.weights, got.biases), stepped) < TOL, train
        assert len(got.losses) == len(stats)
        np.testing.assert_allclose(got.losses, [s.loss for s in stats], rtol=0, atol=TOL)
        if net.classify:
            assert got.accuracies == [s.train_acc for s in stats]


def test_references_match_the_stepper_on_seeds(quick):
    _parity(quick["seeds"].build(), epochs=3)


def test_references_match_the_stepper_on_xor():
    _parity(mlp([2, 2, 1], data="xor", lr=1.0, seed=3), epochs=40)


@pytest.mark.parametrize("name", ["adding", "digits"])
def test_references_match_the_stepper_on_the_other_workloads(quick, name):
    _parity(quick[name].build(), epochs=2)


def test_references_stop_after_a_prefix_like_the_stepper(quick):
    g = quick["seeds"].build()
    _parity(g, epochs=3, limit=250)  # stops in the second epoch


def test_references_refuse_what_they_do_not_implement():
    with pytest.raises(ValueError):
        Network.from_graph(mlp([2, 2, 1], "tanh", data="xor"))
    with pytest.raises(ValueError):
        Network.from_graph(mlp([2, 2, 1], data="xor", optimizer="adam"))


def test_seeds_is_the_built_in_wheat_seeds_data(quick):
    assert quick["seeds"].data.startswith("built-in wheat-seeds")
    d = quick["seeds"].build().data()
    assert len(d.X_train) == 210 and d.shapes == (7, 3) and d.classes == ("Kama", "Rosa", "Canadian")


def test_full_workload_sizes(tmp_path):
    ws = {w.name: w for w in workloads(tmp_path)}
    assert ws["seeds"].epochs == 500 and ws["seeds"].full
    assert len(ws["adding"].build().data().X_train) == 500_000 and ws["adding"].epochs == 10
    assert ws["xor"].epochs == 5_000
    d = ws["digits"].build().data()
    assert d.X_train.shape == (1200, 64) and d.shapes == (64, 10) and ws["digits"].epochs == 20


def test_rows_of_one_workload(quick):
    w = quick["xor"]
    rows = bench_workload(w, budget=None)
    assert [r.implementation for r in rows] == list(IMPLEMENTATIONS)
    total = 4 * w.epochs
    assert rows[0].implementation == "explicit loop"  # the reference row: the limit
    for r in rows:
        assert r.samples == r.total == total and r.full and r.seconds > 0 and r.rate > 0
        assert r.vs_reference == pytest.approx(r.seconds / rows[0].seconds)
    assert rows[0].vs_reference == 1.0
    assert rows[-1].compile_seconds is not None and rows[-1].setup_seconds is not None
    assert len({r.shuffle_seconds for r in rows}) == 1
    for r in rows[1:]:  # every full run ends on the explicit loop's weights
        assert r.max_weight_diff < TOL


def test_a_slow_implementation_is_measured_on_a_prefix(quick):
    w = quick["adding"]
    rows = bench_workload(w, budget=1e-6, implementations=("plain Python", "stepper", "fast engine"))
    py, step, fast = rows
    assert not py.full and not step.full and py.samples < py.total and step.samples >= 200
    assert fast.full  # the fast engine always runs the whole workload
    assert py.full_seconds == pytest.approx(py.total / py.rate)
    assert py.max_weight_diff is None and fast.max_weight_diff is None  # nothing full to compare with
    text = format_table(rows)
    assert "~" in text and f"{py.samples:,}*" in text
    assert f"of {py.total:,} samples" in text


def test_seeds_is_measured_in_full_whatever_the_budget(quick):
    rows = bench_workload(quick["seeds"], budget=1e-6, implementations=("plain Python", "stepper"))
    assert all(r.full for r in rows)


def test_without_the_compiled_engine_its_row_shows_n_a(quick, monkeypatch):
    monkeypatch.setattr(Session, "compiled", lambda self: None)
    rows = bench_workload(quick["xor"], budget=None, implementations=IMPLEMENTATIONS)
    assert rows[-1].samples is None and rows[-1].rate is None
    text = format_table(rows)
    fast_line = next(line for line in text.splitlines() if "fast engine" in line and "n/a" in line)
    assert fast_line.split()[-4:] == ["n/a"] * 4
    assert "n/a: the compiled engine cannot run here (it falls back to the stepper)" in text


def test_table_structure(quick):
    rows = bench_workload(quick["xor"], budget=None) + bench_workload(quick["seeds"], budget=None)
    lines = format_table(rows).splitlines()
    assert lines[0].split("  ")[0] == "workload"
    for col in COLUMNS:
        assert col in lines[0]
    assert set(lines[1]) <= {"-", " "}
    k = len(IMPLEMENTATIONS)
    body = [line for line in lines[2:2 * k + 3] if line]  # two workloads of k rows, a blank line between
    assert lines[k + 2] == "" and lines[2 * k + 3] == ""
    assert [impl for line in body for impl in IMPLEMENTATIONS if impl in line] == list(IMPLEMENTATIONS) * 2
    assert body[0].startswith("XOR 2-2-1") and body[k].startswith("seeds 7-5-3")
    assert body[1].startswith(" ")  # the workload is named once
    widths = {len(line) for line in body}
    assert len(widths) == 1 or max(widths) - min(widths) <= max(len(c) for c in COLUMNS[-2:])
    starts = {line.index(impl) for line in body for impl in IMPLEMENTATIONS if impl in line}
    assert len(starts) == 1  # the implementation column is aligned


def test_quick_runs_and_prints_the_table(capsys):
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "workload" in out and "samples/s" in out and "×ref" in out and "explicit loop" in out
    for title in ("seeds 7-5-3", "adding neuron 2-1", "XOR 2-2-1", "digits 64-25-10", "784-100-10, batch 64"):
        assert title in out
    assert out.count("fast engine") >= 5 and "numpy mini-batch" in out
    assert "  seeds:   " in out


def test_json_rows_and_only(capsys):
    assert main(["--quick", "--json", "--only", "xor"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["implementation"] for r in rows] == list(IMPLEMENTATIONS)
    for r in rows:
        assert r["workload"] == "XOR 2-2-1" and r["total"] == 200 and r["epochs"] == 50
        assert r["samples_per_s"] > 0 and r["seconds"] > 0 and r["full_run"] is True
        assert set(r) >= {"vs_reference", "full_seconds", "compile_seconds", "data", "max_weight_diff"}


def test_the_real_fast_engine(capsys):
    assert main(["--quick", "--json", "--only", "xor"]) == 0
    rows = {r["implementation"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    fast = rows["fast engine"]
    assert fast["full_run"] and fast["compile_seconds"] is not None
    assert fast["max_weight_diff"] < TOL  # the engine ends on the reference's weights


def test_wiring_into_a_subcommand(capsys):
    import argparse

    p = argparse.ArgumentParser(prog="nodeflow")
    sub = p.add_subparsers(dest="command")
    bench.add_arguments(sub.add_parser("bench")).set_defaults(fn=bench.cmd_bench)
    a = p.parse_args(["bench", "--quick", "--only", "xor", "--only", "seeds", "--json"])
    assert a.fn(a) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["workload"] for r in rows} == {"XOR 2-2-1", "seeds 7-5-3"} and len(rows) == 2 * len(IMPLEMENTATIONS)
    with pytest.raises(SystemExit):
        p.parse_args(["bench", "--only", "nonsense"])
    assert bench.cmd_bench(argparse.Namespace(quick=True, only=["xor"], json=True)) == 0  # no --budget: fine


@pytest.mark.parametrize("build", [
    lambda: mlp([7, 5, 3], data="wheat-seeds", lr=0.3, seed=1),  # a test set: the test pass, test accuracy
    lambda: mlp([2, 1], "identity", data="adding", samples=300, lr=0.1),  # numbers: test loss, tolerance accuracy
    lambda: mlp([2, 3, 1], data="xor", lr=1.0, seed=3),  # a hidden sigmoid layer: its saturation
], ids=["seeds", "adding", "xor"])
def test_the_explicit_loop_does_the_graphs_work_and_gets_its_figures(build):
    g = build()
    net = Network.from_graph(g)
    ev = Session(g)
    stats = ev.train(3, engine="step")
    got = explicit_trainer(net)(3)
    assert max_difference((got.weights, got.biases), trained_params(ev)) < 1e-12
    L = len(net.weights)
    for f, s in zip(got.figures, stats):
        assert f[0] == pytest.approx(s.loss, abs=1e-12) and f[1] == s.train_acc
        for l in range(L - 1):
            assert f[2 + l] == s.values[f"saturation_{l + 1}.share"]
        if len(net.X_test):
            assert f[L + 2] == s.test_acc
            assert (s.test_loss is None) == (not net.test_loss)
            if net.test_loss:
                assert f[L + 1] == pytest.approx(s.test_loss, abs=1e-12)


def test_the_mini_batch_rows(quick):
    from nodeflow.bench.measure import MINIBATCH

    rows = bench_workload(quick["minibatch"])
    assert [r.implementation for r in rows] == list(MINIBATCH) and rows[0].vs_reference == 1.0
    for r in rows:
        assert r.workload == "784-100-10, batch 64" and r.total == 3_000
    engine = rows[-1]
    assert engine.full and engine.max_weight_diff < TOL  # matrix products: numpy's numbers up to rounding
    torch = rows[1]
    assert torch.samples is None or torch.max_weight_diff < TOL
