"""Graph files: exact round trips, every problem reported with where, atomic saves."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from nodeflow import Session, load, mlp, save
from nodeflow.errors import GraphFileError, NodeflowError
from conftest import GRAPHS


@pytest.mark.parametrize("name", sorted(p.name for p in GRAPHS.glob("*.json")))
def test_examples_save_load_save_gives_the_same_bytes(tmp_path, name):
    src = GRAPHS / name
    g = load(src)
    save(g, tmp_path / "a.json")
    save(load(tmp_path / "a.json"), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes() == src.read_bytes()


def test_trained_weights_round_trip_exactly(tmp_path):
    g = mlp([2, 4, 3], data="spiral", seed=3)
    ev = Session(g)
    ev.train(2)
    ev.apply()
    save(g, tmp_path / "t.json")
    h = load(tmp_path / "t.json")
    for n in g.node_ids:
        for k, v in g.state(n).items():
            if k in g.type_of(n).saved_state:  # all-zero optimiser state is left out of the file
                np.testing.assert_array_equal(h.state(n).get(k, np.zeros_like(v)), v)
        assert h.attrs(n)["pos"] == g.attrs(n)["pos"]
    assert sorted(h.links()) == sorted(g.links()) and h.trained_epochs == 2
    save(h, tmp_path / "u.json")
    assert (tmp_path / "t.json").read_bytes() == (tmp_path / "u.json").read_bytes()


def test_file_is_readable_json_with_the_documented_fields():
    doc = json.loads((GRAPHS / "xor.json").read_text())
    assert doc["format"] == "nodeflow.graph" and doc["version"] == 1
    assert set(doc["settings"]) >= {"seed", "lr", "data", "split"}
    w = next(n for n in doc["nodes"] if n["id"] == "weights_1")
    assert set(w) == {"id", "type", "label", "pos", "params"}
    assert np.array(w["params"]["value"]).shape == (2, 2)
    assert {"from": "weights_1.W", "to": "weighted_sum_1.W"} in doc["links"]


def test_csv_path_is_stored_relative_to_the_graph_file(tmp_path):
    data = tmp_path / "data" / "pts.csv"
    data.parent.mkdir()
    data.write_text("a,b,label\n0,0,no\n1,1,yes\n0,1,yes\n1,0,no\n")
    g = mlp([2, 2], data=str(data), seed=1)
    (tmp_path / "graphs").mkdir()
    save(g, tmp_path / "graphs" / "g.json")
    doc = json.loads((tmp_path / "graphs" / "g.json").read_text())
    assert doc["settings"]["data"] == "../data/pts.csv"
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    save(load(tmp_path / "graphs" / "g.json"), moved / "g.json")
    assert json.loads((moved / "g.json").read_text())["settings"]["data"] == "../data/pts.csv"
    assert load(moved / "g.json").data().X.shape == (4, 2)


def broken(tmp_path, mutate) -> Path:
    doc = json.loads((GRAPHS / "xor.json").read_text())
    mutate(doc)
    p = tmp_path / "broken.json"
    p.write_text(json.dumps(doc))
    return p


def node(doc, nid):
    return next(n for n in doc["nodes"] if n["id"] == nid)


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d.update(format="other"), "format: expected 'nodeflow.graph'"),
    (lambda d: d.update(version=7), "version: 7 is not supported (made by a newer nodeflow; please upgrade)"),
    (lambda d: node(d, "sigmoid_1").update(type="Sigmod"), "nodes[4] (sigmoid_1): unknown node type 'Sigmod' "
                                                           "(did you mean 'Sigmoid'?)"),
    (lambda d: d["links"].append({"from": "ghost.y", "to": "error.y"}), "links[29] (ghost.y -> error.y): there is "
                                                                        "no node 'ghost'"),
    (lambda d: d["links"].append({"from": "sigmoid_1.y", "to": "weighted_sum_2.q"}), "weighted_sum_2 has no input "
                                                                                     "'q'"),
    (lambda d: node(d, "weights_1")["params"].update(value=[[1, 2, 3], [4, 5, 6]]),
     "nodes[1] (weights_1): params.value has shape [2, 3] but the node's size says [2, 2]"),
    (lambda d: node(d, "bias_1")["params"].update(value=[float("nan"), 1.0]),
     "nodes[2] (bias_1): params.value holds NaN or infinite numbers"),
    (lambda d: d["settings"].update(lr="fast"), "settings.lr: lr must be a number, not 'fast'"),
    (lambda d: node(d, "weights_1")["params"].update(init="magic"), "nodes[1] (weights_1): params.init must be one of"),
    (lambda d: d["nodes"].append(dict(node(d, "error"))), "there is already a node called 'error'"),
])
def test_every_problem_is_reported_with_where(tmp_path, mutate, expected):
    with pytest.raises(GraphFileError) as e:
        load(broken(tmp_path, mutate))
    assert any(expected in p for p in e.value.problems), e.value.problems
    assert "\n" not in str(e.value)


def test_a_cycle_in_a_file_is_named(tmp_path):
    def cycle(d):
        d["links"] = [l for l in d["links"] if l["to"] != "sigmoid_2.z"]
        d["links"].append({"from": "delta_2.delta", "to": "sigmoid_2.z"})
    with pytest.raises(GraphFileError) as e:
        load(broken(tmp_path, cycle))
    assert any("would close a loop: sigmoid_2 -> delta_2 -> sigmoid_2" in p for p in e.value.problems)


def test_several_problems_are_all_reported(tmp_path):
    def many(d):
        node(d, "sigmoid_1")["type"] = "Nope"
        d["settings"]["seed"] = -4
        d["links"].append({"from": "x", "to": "y"})
    with pytest.raises(GraphFileError) as e:
        load(broken(tmp_path, many))
    assert len(e.value.problems) >= 3
    assert "and" in str(e.value) and "nodeflow check" in str(e.value)


@pytest.mark.parametrize("text,expected", [
    ("{\"format\": ", "line 1, column 12: not valid JSON"),
    ("[1, 2]", "the file must hold a JSON object"),
    ("", "line 1, column 1: not valid JSON"),
])
def test_unreadable_files(tmp_path, text, expected):
    p = tmp_path / "bad.json"
    p.write_text(text)
    with pytest.raises(GraphFileError, match=expected.replace("(", r"\(")):
        load(p)


def test_missing_file(tmp_path):
    with pytest.raises(GraphFileError, match="no such file"):
        load(tmp_path / "nothing.json")


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "g.json"
    save(mlp([2, 2, 1], data="xor"), target)
    old = target.read_bytes()
    g = mlp([2, 2, 1], data="xor", seed=9)

    def crash(*a):
        raise OSError("disk on fire")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        save(g, target)
    assert target.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["g.json"]


def test_nan_weights_are_not_saved(tmp_path):
    g = mlp([2, 2, 1], data="xor")
    g.state("weights_1")["value"][0, 0] = np.nan
    with pytest.raises(NodeflowError, match="cannot save: weights_1.value holds NaN"):
        save(g, tmp_path / "g.json")
    assert not (tmp_path / "g.json").exists()


def test_missing_values_are_initialised_from_the_seed(tmp_path):
    def strip(d):
        del node(d, "weights_1")["params"]["value"]
    a = load(broken(tmp_path, strip))
    b = load(broken(tmp_path, strip))
    np.testing.assert_array_equal(a.state("weights_1")["value"], b.state("weights_1")["value"])
    assert a.state("weights_1")["value"].shape == (2, 2)
