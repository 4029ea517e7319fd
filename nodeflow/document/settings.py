"""The graph-wide settings: seed, learning rate and where the data comes from."""
from __future__ import annotations

from ..data import BUILTIN
from ..data.scaling import SCALES, check_encoding
from ..limits import MAX_SAMPLES
from ..nodes.base import Param

SETTINGS: tuple[Param, ...] = (
    Param("seed", 1, "int", "fixes initial weights, the train/test split and the shuffling", lo=0),
    Param("lr", 0.3, "float", "learning rate used by every update node whose lr input is unwired", lo=0.0),
    Param("data", "xor", "str", f"a built-in set ({', '.join(BUILTIN)}) or a CSV path"),
    Param("batch_size", 1, "int", "samples per weight update; gradients are averaged over the batch", lo=1),
    Param("split", 0.66, "float", "fraction of the samples used for training; the rest is the test set", lo=0.01, hi=1.0),
    Param("samples", 0, "int", "how many samples a synthetic set has (0: its default)", lo=0, hi=MAX_SAMPLES),
    Param("target", "auto", "choice", "CSV last column: class labels, numeric values, or guess",
          choices=("auto", "class", "value")),
    Param("network", None, "network", "the recipe a generated network was built from (mlp layers, activation)"),
    Param("scale", "minmax", "choice", "how inputs and a numeric target are scaled: minmax to [0, 1], standard "
          "(mean 0, deviation 1) or none (raw numbers)", choices=SCALES),
    Param("tolerance", 1e-4, "float", "a numeric output counts as right within this share of the target "
          "(0.0001 = ±0.01 %)", lo=0.0),
    Param("encoding", None, "encoding", "the scaling a saved network was trained with, and the class names "
          "(written on save; changing data, target or scale forgets it)"),
)

SETTING = {p.name: p for p in SETTINGS}
DATA_SETTINGS = ("data", "samples", "target", "split", "seed", "scale", "encoding")  # changing one reloads the data
REENCODING = ("data", "target", "scale")  # changing one of these forgets a recorded encoding


def default_settings() -> dict:
    return {p.name: p.default for p in SETTINGS}


def check_setting(name: str, value):
    """Normalise one setting or raise ValueError naming it."""
    p = SETTING.get(name)
    if p is None:
        raise ValueError(f"unknown setting {name!r} (settings: {', '.join(SETTING)})")
    if p.kind == "network":
        return check_network(value)
    if p.kind == "encoding":
        return check_encoding(value)
    return p.check(value)


NETWORK_KEYS = {"output": str, "loss": str, "init": str, "scale": float, "bias": bool, "optimizer": str,
                "schedule": str, "l2": float, "l1": float, "lr": float}


def check_network(value):
    """The recipe of a generated network: {"builder": "mlp", "layers": [...], "activation": ..., options}."""
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("builder") != "mlp":
        raise ValueError("network must be {\"builder\": \"mlp\", \"layers\": [...], \"activation\": ...}")
    layers = Param("layers", None, "ints").check(value.get("layers"))
    if len(layers) < 2:
        raise ValueError("network.layers needs at least an input and an output size")
    act = value.get("activation", "sigmoid")
    if not isinstance(act, str):
        raise ValueError("network.activation must be a name")
    out = {"builder": "mlp", "layers": layers, "activation": act}
    for k, v in value.items():
        if k in out or k == "builder":
            continue
        kind = NETWORK_KEYS.get(k)
        if kind is None:
            raise ValueError(f"network has no option {k!r}")
        if kind is float and isinstance(v, (int, float)) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, kind) or (kind is not bool and isinstance(v, bool)):
            raise ValueError(f"network.{k} must be {({float: 'a number', bool: 'true or false'}).get(kind, 'a name')}")
        out[k] = v
    return out
