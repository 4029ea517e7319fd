"""The fuzz suite (issue 12): hundreds of seeded hostile inputs through the real command.

Every case must end with status 0, 2 (one line saying what is wrong) or 3 (diverged),
never a traceback, a Python warning or a message of many lines. The cases run in this
process (``tests/fuzz.py``); saving is also killed mid-write in real processes.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import traceback

import pytest

import fuzz
from conftest import ROOT

SEED = 12
COUNTS = {"graph": 500, "csv": 200, "args": 300}  # 1,000 cases


@pytest.fixture(autouse=True)
def small_ceiling(monkeypatch):
    """Sizes a file may ask for stay small here, so an accepted case never takes long."""
    monkeypatch.setenv("NODEFLOW_MAX_MEMORY", "256M")


def check_all(cases, tmp_path) -> dict:
    failures, outcomes = [], {}
    for i, case in enumerate(cases):
        folder = tmp_path / str(i)
        folder.mkdir()
        try:
            code, out, err, seen = fuzz.run_case(case, folder)
        except Exception as e:  # what a user would see as a traceback
            tb = traceback.extract_tb(e.__traceback__)[-1]
            failures.append(f"{case.name[:150]}: {type(e).__name__}: {str(e)[:100]} at {tb.filename}:{tb.lineno}")
            continue
        outcomes[code] = outcomes.get(code, 0) + 1
        failures += [f"{case.name[:150]}: {p}" for p in fuzz.problems(case, code, out, err, seen)]
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures[:40])
    return outcomes


def test_mutated_graph_files(tmp_path):
    cases = fuzz.graph_cases(SEED, COUNTS["graph"])
    outcomes = check_all(cases, tmp_path)
    assert len(cases) == COUNTS["graph"] and outcomes.get(2, 0) > 100 and outcomes.get(0, 0) > 50, outcomes


def test_hostile_csv_files(tmp_path):
    cases = fuzz.csv_cases(SEED, COUNTS["csv"])
    outcomes = check_all(cases, tmp_path)
    assert outcomes.get(2, 0) > 20 and outcomes.get(0, 0) > 20, outcomes


def test_hostile_argument_sets(tmp_path):
    cases = fuzz.argument_cases(SEED, COUNTS["args"])
    outcomes = check_all(cases, tmp_path)
    assert outcomes.get(2, 0) > 50 and outcomes.get(0, 0) > 10, outcomes


def test_the_generator_is_seeded():
    a, b = fuzz.graph_cases(3, 20), fuzz.graph_cases(3, 20)
    assert [(c.name, c.files) for c in a] == [(c.name, c.files) for c in b]
    assert [c.name for c in fuzz.argument_cases(3, 20)] == [c.name for c in fuzz.argument_cases(3, 20)]


def test_the_harness_sees_a_traceback_and_a_multi_line_error():
    case = fuzz.Case("x", ["run", "g.json"])
    assert fuzz.problems(case, 1, "", "Traceback (most recent call last):\n  ...\n", [])
    assert fuzz.problems(case, 2, "", "nodeflow: error: a\nnodeflow: error: b\n", [])
    assert fuzz.problems(case, 0, "", "", ["RuntimeWarning: overflow encountered in subtract"])
    assert not fuzz.problems(case, 2, "", "nodeflow: error: one line\n", [])


SAVER = """
import sys
from nodeflow import mlp, save
graphs = [mlp([2, 3000, 1], data="xor", seed=s) for s in (1, 2)]
print("ready", flush=True)
i = 0
while True:
    save(graphs[i % 2], sys.argv[1])
    i += 1
"""


def test_killing_a_save_never_leaves_a_broken_file(tmp_path):
    """SIGKILL at random moments of repeated saves: the file is always one whole version."""
    from nodeflow import load, mlp, save

    target = tmp_path / "g.json"
    versions = set()
    for s in (1, 2):
        save(mlp([2, 3000, 1], data="xor", seed=s), tmp_path / f"v{s}.json")
        versions.add((tmp_path / f"v{s}.json").read_bytes())
    rng = __import__("random").Random(SEED)
    for trial in range(6):
        p = subprocess.Popen([sys.executable, "-c", SAVER, str(target)], stdout=subprocess.PIPE, cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
        assert p.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.05, 0.6))
        p.send_signal(signal.SIGKILL)
        p.wait()
        if target.exists():
            assert target.read_bytes() in versions, f"trial {trial}: a half-written file"
            assert load(target).node_ids
        leftovers = [q.name for q in tmp_path.iterdir() if q.name not in ("g.json", "v1.json", "v2.json")]
        assert all(n.startswith(".g.json.") and n.endswith(".tmp") for n in leftovers), leftovers
    assert target.exists() and json.loads(target.read_text())["format"] == "nodeflow.graph"
