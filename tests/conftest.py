"""Shared fixtures: example paths, the bundled wheat-seeds data, a CLI runner."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graphs"
SEEDS_CSV = ROOT / "nodeflow" / "data" / "wheat-seeds.csv"  # the built-in set "wheat-seeds" reads it


@pytest.fixture(scope="session", autouse=True)
def engine_cache(tmp_path_factory) -> Path:
    """The fast engine's compiled code goes to a fresh folder, shared by this run's subprocesses and
    by its other workers (pytest-xdist), so each graph shape is compiled once per run."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.getbasetemp().parent / "engine-cache"
        folder.mkdir(exist_ok=True)
    else:
        folder = tmp_path_factory.mktemp("engine-cache")
    os.environ["NODEFLOW_CACHE"] = str(folder)
    return folder


@pytest.fixture(scope="session", autouse=True)
def user_config(tmp_path_factory) -> Path:
    """The editor's remembered things (recent data files) go to a fresh folder, not the user's."""
    folder = tmp_path_factory.mktemp("config")
    os.environ["NODEFLOW_CONFIG"] = str(folder)
    return folder


@pytest.fixture
def seeds_csv() -> Path:
    if not SEEDS_CSV.exists():
        pytest.skip(f"wheat-seeds data not found at {SEEDS_CSV}")
    return SEEDS_CSV


def run_cli(*args, cwd=None, timeout=300) -> subprocess.CompletedProcess:
    """Run ``python -m nodeflow ARGS`` in a real process."""
    return subprocess.run([sys.executable, "-m", "nodeflow", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)
