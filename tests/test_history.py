"""The per-epoch history: saved in the graph file, back in a reopened session, cleared by Reset weights."""
from __future__ import annotations

import json

import pytest

from nodeflow.document.epochlog import EpochLog
from nodeflow.document.files import from_dict, load, save, to_dict
from nodeflow.errors import GraphFileError
from nodeflow.run.session import Session
from conftest import GRAPHS


def trained(tmp_path, epochs=5):
    ev = Session(load(GRAPHS / "apples_oranges.json"))
    ev.train(epochs)
    ev.apply()
    path = tmp_path / "trained.json"
    save(ev.graph, path)
    return ev, path


def six(v):
    return float(f"{v:.6g}")


def test_the_history_is_saved_and_a_reopened_session_starts_from_it(tmp_path):
    ev, path = trained(tmp_path)
    doc = json.loads(path.read_text())
    assert doc["trained_epochs"] == 5 and doc["history"]["first_epoch"] == 1
    assert doc["history"]["figures"]["mean_loss.loss"] == [six(s.loss) for s in ev.stats]
    assert doc["history"]["figures"]["test_accuracy.acc"] == [six(s.test_acc) for s in ev.stats]
    again = Session(load(path))
    assert again.epoch == 5 and [s.epoch for s in again.run.stats] == [1, 2, 3, 4, 5]
    assert [s.loss for s in again.stats] == [six(s.loss) for s in ev.stats]
    assert [s.test_acc for s in again.stats] == [six(s.test_acc) for s in ev.stats]
    again.train(2)
    ev.train(2)
    assert [s.epoch for s in again.stats] == list(range(1, 8))
    assert again.stats[-1].loss == ev.stats[-1].loss  # training goes on exactly as without the save
    again.apply()
    save(again.graph, tmp_path / "seven.json")
    assert len(json.loads((tmp_path / "seven.json").read_text())["history"]["figures"]["mean_loss.loss"]) == 7


def test_a_file_with_history_saves_back_to_the_same_bytes(tmp_path):
    _, path = trained(tmp_path)
    save(load(path), tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_files_without_history_still_load_and_keep_none():
    g = load(GRAPHS / "xor.json")
    assert len(g.epoch_log) == 0 and "history" not in to_dict(g)
    doc = to_dict(g)
    doc["trained_epochs"] = 7  # trained before files kept a history
    ev = Session(from_dict(doc))
    assert ev.epoch == 7 and ev.run.stats == []
    ev.train(1)
    assert [s.epoch for s in ev.stats] == [8]
    ev.apply()
    assert ev.graph.epoch_log.first == 8 and to_dict(ev.graph)["history"]["first_epoch"] == 8


@pytest.mark.parametrize("history, problem", [
    ([1, 2], 'history: must be {"first_epoch": N, "figures": {"node.port": [numbers]}}'),
    ({"first_epoch": 0, "figures": {}}, "history.first_epoch: must be a whole number ≥ 1, not 0"),
    ({"first_epoch": 1, "figures": {"mean_loss.loss": [0.1, "x"]}},
     "history.figures.mean_loss.loss: must be a list of numbers (or null)"),
    ({"first_epoch": 1, "figures": {"a.loss": [0.1, 0.2], "b.acc": [0.5]}},
     "history.figures: every list must have one figure per epoch (lengths differ)"),
    ({"first_epoch": 1, "figures": {"mean_loss.loss": [0.1, 0.2]}},
     "history: its last epoch is 2 but trained_epochs is 3"),
])
def test_a_bad_history_is_reported_with_where(history, problem):
    doc = to_dict(load(GRAPHS / "xor.json"))
    doc["trained_epochs"] = 3
    doc["history"] = history
    with pytest.raises(GraphFileError) as e:
        from_dict(doc, "g.json")
    assert e.value.problems == [problem]


def test_reset_weights_clears_the_history_and_undo_brings_it_back(tmp_path):
    _, path = trained(tmp_path)
    g = load(path)
    ev = Session(g)
    assert len(ev.run.stats) == 5
    g.reset_weights()
    assert g.trained_epochs == 0 and len(g.epoch_log) == 0
    assert ev.epoch == 0 and ev.run.stats == []
    g.undo()
    assert g.trained_epochs == 5 and ev.epoch == 5 and len(ev.run.stats) == 5


def test_a_log_keeps_only_consecutive_epochs_and_six_digits():
    log = EpochLog.from_rows([(3, {"l.loss": 0.1}), (5, {"l.loss": 1 / 3, "a.acc": 0.5}), (6, {"a.acc": None})])
    assert log.first == 5 and log.last == 6
    assert log.figures == {"l.loss": [0.333333, None], "a.acc": [0.5, None]}
    assert list(log.rows()) == [(5, {"l.loss": 0.333333, "a.acc": 0.5}), (6, {})]
