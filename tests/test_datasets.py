"""Data: CSV parsing with clear errors, normalisation, one-hot classes, splits, synthetic sets."""
from __future__ import annotations

import numpy as np
import pytest

from nodeflow.data import BUILTIN, epoch_order, load_data, split_indices
from nodeflow.errors import DataError


def csv(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_headerless_csv_with_integer_classes(tmp_path):
    d = load_data(csv(tmp_path, "1,10,1\n3,20,2\n2,30,3\n5,40,1\n"), split=1.0)
    np.testing.assert_allclose(d.X[:, 0], [0, 0.5, 0.25, 1])
    np.testing.assert_allclose(d.X[:, 1], [0, 1 / 3, 2 / 3, 1])
    assert d.task == "class" and d.classes == ("1", "2", "3")
    np.testing.assert_array_equal(d.T, np.eye(3)[[0, 1, 2, 0]])
    assert d.features == ("x1", "x2")


def test_header_and_text_labels(tmp_path):
    d = load_data(csv(tmp_path, "size,colour,fruit\n1,2,apple\n2,4,orange\n3,3,apple\n"), split=1.0)
    assert d.features == ("size", "colour") and d.classes == ("apple", "orange")
    np.testing.assert_array_equal(d.T, [[1, 0], [0, 1], [1, 0]])


def test_numeric_target_is_kept_as_a_value(tmp_path):
    path = csv(tmp_path, "a,b,sum\n0.5,0.25,0.75\n0.1,0.2,0.3\n0.9,0.9,1.8\n")
    d = load_data(path, split=1.0, scale="none")
    assert d.task == "value"
    np.testing.assert_allclose(d.T[:, 0], [0.75, 0.3, 1.8])
    d = load_data(path, split=1.0)  # min-max scaled like the inputs by default; decode undoes it
    np.testing.assert_allclose(d.T[:, 0], [0.45 / 1.5, 0.0, 1.0])
    np.testing.assert_allclose(d.decode(d.T)[:, 0], [0.75, 0.3, 1.8])


def test_target_kind_can_be_forced(tmp_path):
    path = csv(tmp_path, "1,1\n2,2\n3,3\n")
    assert load_data(path, split=1.0).task == "class"
    assert load_data(path, split=1.0, target="value").task == "value"


@pytest.mark.parametrize("text,expected", [
    ("1,2,3\n4,5\n", "d.csv line 2: 2 values, expected 3 like the first row"),
    ("a,b,c\n1,2,x\n1,oops,y\n", "d.csv line 3, column 2 (b): 'oops' is not a number"),
    ("1,2,x\n1,,y\n", "d.csv line 2, column 2 (x2): an empty value"),
    ("", "d.csv: the file has no rows"),
    ("a,b,c\n1,2,3\n", "d.csv: need at least two data rows, found 1"),
    ("1,2,same\n3,4,same\n", "the target column has only one class (same)"),
    ("5\n6\n", "need at least one feature column and a target column"),
])
def test_bad_csv_says_what_and_where(tmp_path, text, expected):
    with pytest.raises(DataError) as e:
        load_data(csv(tmp_path, text))
    assert expected in str(e.value)
    assert "\n" not in str(e.value)


def test_missing_file_and_unknown_name(tmp_path):
    with pytest.raises(DataError, match="cannot read data file"):
        load_data(str(tmp_path / "none.csv"))
    with pytest.raises(DataError, match="unknown data source 'spirals'"):
        load_data("spirals")


def test_wheat_seeds(seeds_csv):
    d = load_data(str(seeds_csv), split=0.66, seed=1)
    assert d.X.shape == (210, 7) and d.T.shape == (210, 3) and d.classes == ("1", "2", "3")
    assert d.X.min() == 0 and d.X.max() == 1
    assert len(d.train) == 139 and len(d.test) == 71
    assert not set(d.train) & set(d.test)


def test_split_and_shuffle_come_from_the_seed():
    a, b = split_indices(100, 0.7, 1), split_indices(100, 0.7, 1)
    np.testing.assert_array_equal(a[0], b[0])
    assert len(a[0]) == 70 and len(a[1]) == 30
    assert not np.array_equal(split_indices(100, 0.7, 2)[0], a[0])
    np.testing.assert_array_equal(epoch_order(1, 3, 50), epoch_order(1, 3, 50))
    assert not np.array_equal(epoch_order(1, 3, 50), epoch_order(1, 4, 50))
    assert sorted(epoch_order(1, 3, 50)) == list(range(50))


@pytest.mark.parametrize("name", BUILTIN)
def test_built_in_sets(name):
    if name == "digits":
        pytest.importorskip("sklearn")
    d = load_data(name, seed=1)
    assert d.X.min() >= 0 and d.X.max() <= 1
    assert len(d.train) + len(d.test) == len(d.X)
    if name in ("adding", "adding-100"):
        np.testing.assert_allclose(d.decode(d.T)[:, 0], d.X_raw.sum(1))
        assert d.X_raw.max() > (50 if name == "adding-100" else 0.5)
    elif name == "polynomial":
        x, y = d.X_raw[:, 0], d.decode(d.T)[:, 0]
        assert -2 <= x.min() and x.max() <= 2 and np.std(y - (x ** 3 - 2 * x)) == pytest.approx(0.3, abs=0.05)
    elif name == "xor":
        np.testing.assert_array_equal(d.T[:, 0], [0, 1, 1, 0])
    else:
        counts = d.T.sum(0) if d.T.shape[1] > 1 else np.array([d.T.sum(), len(d.T) - d.T.sum()])
        assert counts.min() > 0.5 * len(d.T) / len(counts), "classes should be roughly balanced"
