"""The nodeflow command: new, run, check; every user mistake exits 2 with one line on stderr."""
from __future__ import annotations

import json

import pytest

from nodeflow.cli import main
from conftest import GRAPHS, run_cli


def test_new_run_save_and_check(tmp_path, capsys):
    out = tmp_path / "spiral.json"
    assert main(["new", "mlp", "--layers", "2,6,3", "--data", "spiral", "--lr", "0.5", "--seed", "4",
                 "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["check", str(out)]) == 0
    assert capsys.readouterr().out == "ok: 20 nodes, 31 links\n"  # 1 + 4 per layer + 4 + 3 per layer + saturation of the hidden layer
    trained = tmp_path / "trained.json"
    assert main(["run", str(out), "--epochs", "3", "--save", str(trained)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("epoch 1/3  loss ") and " train " in lines[0] and "%  test " in lines[0]
    assert lines[-1] == f"saved {trained}"
    assert json.loads(trained.read_text())["trained_epochs"] == 3


def test_run_json_lines(capsys):
    assert main(["run", str(GRAPHS / "apples_oranges.json"), "--epochs", "2", "--json"]) == 0
    rows = [json.loads(l) for l in capsys.readouterr().out.splitlines()]
    assert [r["epoch"] for r in rows] == [1, 2]
    assert set(rows[0]) == {"epoch", "loss", "test_loss", "train_acc", "test_acc"}
    assert rows[0]["test_loss"] is None  # measured for numeric targets
    assert all(0 <= r["train_acc"] <= 1 and 0 <= r["test_acc"] <= 1 for r in rows)


def test_run_stops_after_k_samples(tmp_path, capsys):
    saved = tmp_path / "k.json"
    assert main(["run", str(GRAPHS / "apples_oranges.json"), "--epochs", "10", "--samples", "140", "--save",
                 str(saved)]) == 0
    out = capsys.readouterr().out
    assert sum(l.startswith("epoch ") for l in out.splitlines()) == 1  # 132 samples make one epoch
    assert "stopped after 140 sample steps (epoch 2, sample 8 of 132)" in out


def test_xor_line_shows_no_test_set(capsys):
    assert main(["run", str(GRAPHS / "xor.json"), "--epochs", "1"]) == 0
    assert capsys.readouterr().out.strip().endswith("test —")


def test_new_rejects_layers_that_do_not_fit(tmp_path, capsys):
    assert main(["new", "mlp", "--layers", "3,2,1", "--data", "xor", "-o", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err
    assert err == ("nodeflow: error: layers 3,2,1 do not fit xor: it has 2 features and 1 output, so the first "
                   "layer must be 2 and the last 1\n")
    assert not (tmp_path / "x.json").exists()


def write(tmp_path, mutate, name="g.json"):
    doc = json.loads((GRAPHS / "xor.json").read_text())
    mutate(doc)
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


def _node(doc, nid):
    return next(n for n in doc["nodes"] if n["id"] == nid)


def _cycle(d):
    d["links"] = [l for l in d["links"] if l["to"] != "sigmoid_2.z"] + [{"from": "delta_2.delta",
                                                                          "to": "sigmoid_2.z"}]


BAD = {
    "missing file": (lambda tmp: tmp / "absent.json", "absent.json: no such file"),
    "broken file": (lambda tmp: (tmp / "b.json").write_text("{oops") and tmp / "b.json",
                    "b.json: line 1, column 2: not valid JSON"),
    "unknown node type": (lambda tmp: write(tmp, lambda d: _node(d, "error").update(type="Eror")),
                          "unknown node type 'Eror' (did you mean 'Error'?)"),
    "dangling link": (lambda tmp: write(tmp, lambda d: d["links"].append({"from": "gone.y", "to": "error.y"})),
                      "there is no node 'gone'"),
    "cycle": (lambda tmp: write(tmp, _cycle), "would close a loop: sigmoid_2 -> delta_2 -> sigmoid_2"),
    "wrong value shape": (lambda tmp: write(tmp, lambda d: _node(d, "bias_1")["params"].update(value=[1, 2, 3])),
                          "params.value has shape [3] but the node's size says [2]"),
    "NaN in weights": (lambda tmp: write(tmp, lambda d: _node(d, "weights_1")["params"]["value"][0].__setitem__(
        0, float("nan"))), "nodes[1] (weights_1): params.value holds NaN or infinite numbers"),
    "ragged CSV": (lambda tmp: (tmp / "r.csv").write_text("1,2,1\n3,1\n") and
                   write(tmp, lambda d: d["settings"].update(data="r.csv")), "r.csv line 2: 2 values, expected 3"),
    "text in a numeric column": (lambda tmp: (tmp / "t.csv").write_text("1,2,1\n3,x,0\n") and
                                 write(tmp, lambda d: d["settings"].update(data="t.csv")),
                                 "t.csv line 2, column 2 (x2): 'x' is not a number"),
}


@pytest.mark.parametrize("case", BAD)
@pytest.mark.parametrize("command", ["run", "check"])
def test_user_mistakes_exit_2_with_one_line(tmp_path, case, command):
    make, expected = BAD[case]
    path = make(tmp_path)
    args = [command, path] + (["--epochs", "1"] if command == "run" else [])
    r = run_cli(*args, cwd=tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert expected in r.stderr
    if command == "run":
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("nodeflow: error: ")
        assert r.stdout == ""


def test_bad_csv_for_new_exits_2(tmp_path):
    (tmp_path / "r.csv").write_text("1,2,1\n3,1\n")
    r = run_cli("new", "mlp", "--layers", "2,2", "--data", "r.csv", "-o", "out.json", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr == "nodeflow: error: r.csv line 2: 2 values, expected 3 like the first row\n"
    assert not (tmp_path / "out.json").exists()


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    r = run_cli("run", GRAPHS / "xor.json", "--epochs", "5")
    assert r.returncode == 0 and r.stderr == ""
    assert len(r.stdout.splitlines()) == 5


def test_nodeflow_alone_opens_the_bundled_xor_example(monkeypatch):
    import nodeflow.gui

    opened = []
    monkeypatch.setattr(nodeflow.gui, "run_editor", lambda path: opened.append(path) or 0)
    assert main([]) == 0 and main(["open"]) == 0
    assert opened == [str(GRAPHS / "xor.json")] * 2


def test_lr_says_when_a_learning_rate_node_keeps_its_own_rate():
    r = run_cli("run", GRAPHS / "adam_vs_sgd.json", "--epochs", "1", "--lr", "0.1")
    assert r.returncode == 0
    assert r.stderr == ("nodeflow: note: --lr 0.1 does not change the rate adam_learning_rate (0.02) "
                        "set for the updates wired to it\n")
    quiet = run_cli("run", GRAPHS / "xor.json", "--epochs", "1", "--lr", "0.1")
    assert quiet.returncode == 0 and quiet.stderr == ""
