"""``nodeflow new`` sets what a graph file can, and every option survives the round trip through the file."""
from __future__ import annotations

import pytest

from nodeflow import load
from nodeflow.cli import main
from nodeflow.data import BUILTIN
from nodeflow.document.builders import layer_parameters


def new(tmp_path, *args, data="spiral", layers="2,5,3"):
    out = tmp_path / "g.json"
    assert main(["new", "mlp", "--layers", layers, "--data", data, "-o", str(out), *args]) == 0
    return load(out)


def updates(g):
    return [g.params(n) for n in g.nodes_of_type("WeightUpdate", "BiasUpdate")]


def test_every_option_round_trips_through_the_file(tmp_path):
    g = new(tmp_path, "--activation", "tanh", "--output", "softmax", "--loss", "cross_entropy", "--optimizer",
            "adam", "--lr", "0.05", "--l2", "0.001", "--l1", "0.0002", "--batch-size", "8", "--schedule", "inverse",
            "--scale", "standard", "--tolerance", "0.05", "--no-bias", "--init", "uniform", "--init-scale", "2",
            "--seed", "7", "--split", "0.5", "--samples", "90")
    s = g.settings
    assert (s["lr"], s["batch_size"], s["scale"], s["tolerance"], s["seed"], s["split"], s["samples"]) == (
        0.05, 8, "standard", 0.05, 7, 0.5, 90)
    assert s["network"] == {"builder": "mlp", "layers": [2, 5, 3], "activation": "tanh", "init": "uniform",
                            "output": "softmax", "loss": "cross_entropy", "scale": 2.0, "bias": False,
                            "optimizer": "adam", "schedule": "inverse", "l2": 0.001, "l1": 0.0002}
    assert [g.type_of(n).name for n in ("tanh_1", "softmax_2")] == ["Tanh", "Softmax"]
    assert g.params("error") == {"output": "softmax"} and g.type_of("error").name == "CrossEntropy"
    assert all((u["optimizer"], u["l2"], u["l1"]) == ("adam", 0.001, 0.0002) for u in updates(g))
    assert g.params("learning_rate")["schedule"] == "inverse"
    assert all(g.wire_into(n, "lr").src == "learning_rate" for n in g.nodes_of_type("WeightUpdate"))
    assert not g.nodes_of_type("Bias", "BiasUpdate") and all(b is None for _, b in layer_parameters(g))
    for w, _ in layer_parameters(g):
        p, v = g.params(w), g.state(w)["value"]
        assert (p["init"], p["scale"]) == ("uniform", 2.0) and v.min() >= 0 and v.max() < 2 and v.max() > 1
    assert g.data().encoding.inputs.offset != (0.0, 0.0)  # standard scaling: the mean


def test_defaults(tmp_path):
    g = new(tmp_path, data="circle", layers="2,4,1")
    s = g.settings
    assert (s["scale"], s["tolerance"], s["batch_size"], s["network"]["init"]) == ("minmax", 1e-4, 1, "xavier")
    assert g.type_of("sigmoid_2").name == "Sigmoid" and g.type_of("error").name == "Error"
    assert g.nodes_of_type("Bias") and g.nodes_of_type("Saturation") == ["saturation_1"]
    assert all(u["optimizer"] == "sgd" and u["l2"] == 0 for u in updates(g))


def test_a_numeric_target_gets_test_loss_and_tolerance_accuracy(tmp_path):
    g = new(tmp_path, "--output", "identity", "--tolerance", "0.1", data="polynomial", layers="1,6,1")
    assert g.params("test_loss") == {"on": "test"} and g.params("test_accuracy") == {"on": "test", "rule": "tolerance"}
    assert g.params("train_accuracy")["rule"] == "tolerance"


def test_help_lists_every_built_in_data_set(capsys):
    with pytest.raises(SystemExit):
        main(["new", "--help"])
    text = capsys.readouterr().out
    for name, spec in BUILTIN.items():
        assert f"  {name}" in text and spec.doc in text
    for flag in ("--loss", "--output", "--optimizer", "--l2", "--l1", "--batch-size", "--schedule", "--scale",
                 "--tolerance", "--no-bias"):
        assert flag in text


@pytest.mark.parametrize("args,message", [
    (["--activation", "softmax"], "softmax belongs on the output layer: use --output softmax"),
    (["--output", "magic"], "unknown activation 'magic'"),
    (["--loss", "cross_entropy", "--output", "tanh"], "cross-entropy needs a sigmoid or softmax output, not tanh"),
    (["--batch-size", "0"], "batch_size must be at least 1"),
    (["--tolerance", "-1"], "tolerance must be at least 0"),
])
def test_bad_options_are_one_line(tmp_path, capsys, args, message):
    assert main(["new", "mlp", "--layers", "2,5,3", "--data", "spiral", "-o", str(tmp_path / "g.json"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not (tmp_path / "g.json").exists()
