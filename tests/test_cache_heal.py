"""A broken compiled-code cache heals itself: the entry is discarded, compiled again and
replaced, with one line on stderr; the run's numbers are those of a clean cache.

The end-to-end tests run the real command in subprocesses on a private cache: the fast
engine's (``NODEFLOW_CACHE``: the fused training loop's object file and shared library, a
mini-batch loop's generated module) and numba's machine code for the kernels and the
mini-batch loop (``NUMBA_CACHE_DIR``, which numba prefers to the package's ``__pycache__``;
the healing is the same either way).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import GRAPHS

XOR = str(GRAPHS / "xor.json")


def corrupt(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "empty":
        path.write_bytes(b"")
    elif how == "half":
        path.write_bytes(data[: len(data) // 2])
    elif how == "random":
        path.write_bytes(np.random.default_rng(len(data)).bytes(len(data)))
    elif how == "flipped":  # one byte in the middle: the pickle may still load, the machine code is wrong
        mid = len(data) // 2
        path.write_bytes(data[:mid] + bytes([data[mid] ^ 0xFF]) + data[mid + 1:])
    elif how == "folder":  # cannot be read, even by root
        path.unlink()
        path.mkdir()
    elif how == "unreadable":
        path.chmod(0)
    else:
        raise ValueError(how)


# -- in this process: one small function, every kind of damage to each of its files ------------

@pytest.fixture
def tiny(tmp_path):
    """A function in a module file of its own (numba caches it in that folder's __pycache__)."""
    import importlib.util

    path = tmp_path / "tinymod.py"
    path.write_text("def add(a, b):\n    return a + b\n")
    spec = importlib.util.spec_from_file_location(f"tinymod_{tmp_path.name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module.add
    del sys.modules[spec.name]


def fresh(fn):
    """A new dispatcher: nothing compiled in memory, so it reads the disk cache."""
    from nodeflow.nodes.jitcache import cached_njit

    return cached_njit(fn, label="add")


def cache_file(dispatcher, ext: str) -> Path:
    return sorted(Path(dispatcher.stats.cache_path).glob(f"*add*.nodeflow*.{ext}"))[0]


@pytest.mark.parametrize("ext", ["nbi", "nbc"])
@pytest.mark.parametrize("how", ["empty", "half", "random", "flipped", "folder"])
def test_every_damage_to_a_cache_file_is_rebuilt(tiny, capsys, how, ext):
    first = fresh(tiny)
    assert first(1, 2) == 3 and first.stats.cache_misses
    corrupt(cache_file(first, ext), how)
    healed = fresh(tiny)
    assert healed(1, 2) == 3
    err = capsys.readouterr().err
    assert err.startswith("nodeflow: rebuilt the compiled code of add: its cache entry could not be read (")
    assert err.count("\n") == 1
    again = fresh(tiny)
    assert again(1, 2) == 3 and sum(again.stats.cache_hits.values()) == 1 and capsys.readouterr().err == ""


def test_files_written_by_plain_numba_are_left_alone(tiny, capsys):
    import numba

    plain = numba.njit(cache=True)(tiny)
    assert plain(1, 2) == 3
    ours = fresh(tiny)
    assert ours(1, 2) == 3 and capsys.readouterr().err == ""  # its own files, beside numba's
    names = sorted(p.name for p in Path(ours.stats.cache_path).glob("*.nbi"))
    assert names == ["tinymod.add-1.py311.nbi", "tinymod.add-1.py311.nodeflow.nbi"]


def test_a_cache_that_cannot_be_written_only_costs_a_compile(tiny, capsys, monkeypatch):
    from nodeflow.nodes import jitcache

    def refuse(self, path, payload):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(jitcache._CheckedFiles, "_write", refuse)
    assert fresh(tiny)(1, 2) == 3
    assert capsys.readouterr().err.startswith("nodeflow: compiled add but could not write it to the cache")


def test_numba_internals_not_as_expected_fall_back_to_numba_own_cache(tiny, monkeypatch):
    from nodeflow.nodes import jitcache

    def broken(self, *a, **k):
        raise AttributeError("numba changed")
    monkeypatch.setattr(jitcache.HealingCache, "__init__", broken)
    d = fresh(tiny)
    assert d(1, 2) == 3 and type(d._cache).__name__ == "FunctionCache"


# -- the command, in real processes ------------------------------------------------------

@pytest.fixture(scope="module")
def caches(tmp_path_factory):
    """Private caches, filled by one clean run; returns (env, the clean run's stdout)."""
    root = tmp_path_factory.mktemp("caches")
    env = dict(os.environ, NODEFLOW_CACHE=str(root / "engine"), NUMBA_CACHE_DIR=str(root / "numba"))
    clean = nodeflow(env, "run", XOR, "--epochs", "3")
    assert clean.returncode == 0 and clean.stderr == "", clean.stderr
    return env, root, clean.stdout


@pytest.fixture(scope="module")
def batched(caches, tmp_path_factory):
    """XOR in mini-batches of 2 (its training loop: a generated module numba compiles), run once clean;
    returns its file and the clean run's stdout."""
    env, root, _ = caches
    path = str(tmp_path_factory.mktemp("batched") / "xor2.json")
    made = nodeflow(env, "new", "mlp", "--layers", "2,2,1", "--data", "xor", "--batch-size", "2", "-o", path)
    clean = nodeflow(env, "run", path, "--epochs", "3")
    assert made.returncode == clean.returncode == 0 and clean.stderr == "", made.stderr + clean.stderr
    return path, clean.stdout


def nodeflow(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nodeflow", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def entry(root: Path, pattern: str, ext: str) -> Path:
    """A kernel's numba cache file, or (``LOOP``) the fused training loop's object file or shared library."""
    folder, names = (root / "engine", f"{pattern}*.{ext}") if pattern == LOOP else \
        (root / "numba", f"{pattern}*.nodeflow*.{ext}")
    found = sorted(folder.rglob(names))
    assert found, f"no {names} under {folder}"
    return found[0]


KERNEL, LOOP = "forward.sigmoid-", "train_"  # a kernel's machine code; the graph's compiled training loop


@pytest.mark.parametrize("how,damaged", [  # every damage to every numba file is tested in-process above
    ("empty", ((KERNEL, "nbi"), (LOOP, "o"))), ("half", ((LOOP, "so"),)), ("flipped", ((LOOP, "o"),)),
    ("flipped", ((LOOP, "so"),)), ("folder", ((LOOP, "so"),)), ("random", ((KERNEL, "nbi"),)),
    ("flipped", ((KERNEL, "nbc"),)), ("folder", ((KERNEL, "nbc"),))])
def test_a_corrupted_entry_is_rebuilt_once(caches, how, damaged):
    env, root, clean = caches
    for name, ext in damaged:
        corrupt(entry(root, name, ext), how)
    which = {name for name, _ in damaged}
    # a cached training loop holds its kernels' code: a kernel alone is loaded by the stepper
    engine = ["--engine", "step"] if LOOP not in which else []
    r = nodeflow(env, "run", XOR, "--epochs", "3", *engine)
    assert r.returncode == 0 and r.stdout == clean
    lines = r.stderr.splitlines()
    assert len(lines) == len(which), r.stderr
    assert all(l.startswith("nodeflow: rebuilt the compiled code of ") for l in lines), r.stderr
    assert ("sigmoid" in r.stderr) == (KERNEL in which) and ("training loop" in r.stderr) == (LOOP in which)
    assert "could not compile" not in r.stderr
    again = nodeflow(env, "run", XOR, "--epochs", "3", *engine)
    assert again.stderr == "" and again.stdout == clean  # healed: the replacement loads


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission")
def test_an_unreadable_entry_is_rebuilt(caches):
    env, root, clean = caches
    corrupt(entry(root, LOOP, "o"), "unreadable")
    r = nodeflow(env, "run", XOR, "--epochs", "3")
    assert r.returncode == 0 and r.stdout == clean and r.stderr.startswith("nodeflow: rebuilt")


@pytest.mark.parametrize("how", ["empty", "random"])
def test_the_generated_module_is_rewritten(caches, batched, how):
    env, root, _ = caches
    path, clean = batched
    module = sorted((root / "engine").glob("train_*.py"))[0]
    corrupt(module, how)
    r = nodeflow(env, "run", path, "--epochs", "3")
    assert r.returncode == 0 and r.stdout == clean and "could not" not in r.stderr
    assert r.stderr.startswith("nodeflow: rebuilt") and r.stderr.count("\n") <= 2, r.stderr
    assert nodeflow(env, "run", path, "--epochs", "3").stderr == ""


@pytest.mark.parametrize("args", [["run", XOR, "--epochs", "3", "--engine", "step"], ["gradcheck", XOR]])
def test_the_stepper_and_gradcheck_survive_a_truncated_kernel_cache(caches, args):
    env, root, _ = caches
    good = nodeflow(env, *args)
    for name in ("forward.weighted_sum-", "backward.output_delta-"):
        corrupt(entry(root, name, "nbi"), "empty")
        corrupt(entry(root, name, "nbc"), "half")
    r = nodeflow(env, *args)
    assert r.returncode == 0 and r.stdout == good.stdout
    assert r.stderr.count("nodeflow: rebuilt the compiled code of ") == 2, r.stderr


def test_two_processes_heal_a_shared_cache_without_colliding(caches):
    env, root, clean = caches
    for ext in ("o", "so"):
        corrupt(entry(root, LOOP, ext), "random")
    for ext in ("nbi", "nbc"):
        corrupt(entry(root, KERNEL, ext), "half")
    procs = [subprocess.Popen([sys.executable, "-m", "nodeflow", "run", XOR, "--epochs", "3"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=600) + (p.returncode,) for p in procs]
    for out, err, code in results:
        assert code == 0 and out == clean, err
        assert all(l.startswith("nodeflow: rebuilt") for l in err.splitlines()), err
    assert nodeflow(env, "run", XOR, "--epochs", "3").stderr == ""
    assert not [p for p in root.rglob("*") if ".tmp" in p.name or p.suffix == ".tmp"]
