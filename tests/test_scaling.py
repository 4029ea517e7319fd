"""The scale setting (minmax, standard, none) for inputs and numeric targets, and the recorded
encoding in graph files."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nodeflow import load, mlp, save
from nodeflow.cli import main
from nodeflow.data import load_data
from nodeflow.data.scaling import check_encoding

ROWS = "a,b,y\n1,10,5\n3,30,9\n2,20,4\n5,50,13\n"


@pytest.fixture
def rows(tmp_path):
    p = tmp_path / "rows.csv"
    p.write_text(ROWS)
    return str(p)


def test_the_three_scalings(rows):
    raw = np.array([[1, 10], [3, 30], [2, 20], [5, 50]], float)
    t = np.array([[5], [9], [4], [13]], float)
    mm, sd, no = (load_data(rows, split=1.0, target="value", scale=k) for k in ("minmax", "standard", "none"))
    np.testing.assert_allclose(mm.X, (raw - [1, 10]) / [4, 40])
    np.testing.assert_allclose(mm.T, (t - 4) / 9)
    np.testing.assert_allclose(sd.X.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(sd.X.std(axis=0), 1)
    np.testing.assert_allclose(sd.T.std(), 1)
    np.testing.assert_array_equal(no.X, raw)
    np.testing.assert_array_equal(no.T, t)
    for d in (mm, sd, no):
        np.testing.assert_allclose(d.X_raw, raw)
        np.testing.assert_allclose(d.decode(d.T), t)
        np.testing.assert_allclose(d.encode(raw), d.X)


def test_built_in_sets_scale_by_their_own_range():
    d = load_data("adding-100", seed=1)
    assert d.encoding.inputs.as_dict() == {"offset": [0.0, 0.0], "scale": [100.0, 100.0]}  # not the sample's range
    np.testing.assert_array_equal(d.X * 100.0, d.X_raw)
    xor = load_data("xor", split=1.0)
    np.testing.assert_array_equal(xor.X, [[0, 0], [0, 1], [1, 0], [1, 1]])  # [0, 1] already: unchanged


def test_a_constant_column_is_left_alone(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("1,7,a\n2,7,b\n3,7,a\n")
    for scale in ("minmax", "standard"):
        d = load_data(str(p), split=1.0, scale=scale)
        assert np.all(np.isfinite(d.X)) and d.encoding.inputs.scale[1] == 1.0


def test_a_recorded_encoding_that_does_not_fit_the_data_is_reported(rows, tmp_path, capsys):
    g = mlp([2, 1], "identity", data=rows, split=1.0, target="value")
    path = tmp_path / "g.json"
    save(g, path)
    doc = json.loads(path.read_text())
    doc["settings"]["encoding"]["inputs"] = {"offset": [0.0, 0.0, 0.0], "scale": [1.0, 1.0, 1.0]}
    path.write_text(json.dumps(doc))
    assert main(["check", str(path)]) == 2
    assert "rows.csv has 2 features but the graph's recorded scaling (settings.encoding) is for 3" in \
        capsys.readouterr().err


@pytest.mark.parametrize("value,message", [
    ({"inputs": {"offset": [0.0], "scale": [0.0]}}, "encoding.inputs.scale must not hold 0"),
    ({"inputs": {"offset": [0.0, 1.0], "scale": [1.0]}}, "offset and scale must have the same length"),
    ({"inputs": {"offset": ["a"], "scale": [1.0]}}, "encoding.inputs.offset must be a list of finite numbers"),
    ({"target": None}, "encoding must be"),
    ({"inputs": {"offset": [0.0], "scale": [1.0]}, "classes": [1]}, "encoding.classes must be a list of names"),
])
def test_bad_encodings_are_refused(value, message):
    with pytest.raises(ValueError, match=message):
        check_encoding(value)


def test_saving_a_loaded_file_gives_the_same_bytes(rows, tmp_path):
    path, again = tmp_path / "g.json", tmp_path / "again.json"
    save(mlp([2, 1], "identity", data=rows, split=1.0, target="value", data_scale="standard"), path)
    save(load(path), again)
    assert again.read_bytes() == path.read_bytes()
