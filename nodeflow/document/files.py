"""Graph files: readable JSON, validated on load, written atomically.

Format (version 1)::

    {
      "format": "nodeflow.graph",
      "version": 1,
      "settings": {"seed": 1, "lr": 0.3, "data": "xor", "split": 1.0, ...},
      "trained_epochs": 0,
      "view": {"zoom": 0.8, "center": [620.0, 380.0]},
      "nodes": [
        {"id": "weights_1", "type": "Weights", "label": "W1", "pos": [210.0, 0.0],
         "params": {"shape": [2, 2], "init": "uniform", "scale": 1.0, "value": [[0.5, 0.1], [0.7, 0.2]]}},
        ...
      ],
      "links": [{"from": "weights_1.W", "to": "weighted_sum_1.W"}, ...],
      "history": {"first_epoch": 1, "figures": {"mean_loss.loss": [0.27, 0.25], ...}}
    }

A CSV data path is stored relative to the graph file. Learned values (``value`` of
Weights and Bias) are nested lists under ``params``; ``history`` (only after training)
holds every metric's figure per epoch; ``view`` (optional) is where the canvas looked when
the file was saved (without it the editor fits the graph in view). See ``docs/graph-format.md``.
"""
from __future__ import annotations

import difflib
import json
import math
import os
import tempfile
from pathlib import Path

import numpy as np

from ..data import is_builtin, resolve_source
from ..errors import DataError, EditRefused, GraphFileError, NodeflowError
from ..nodes import NODE_TYPES
from ..nodes.base import known
from .epochlog import EpochLog
from .graph import ID_RE, Graph, Link
from .settings import SETTINGS, check_setting

FORMAT, VERSION = "nodeflow.graph", 1


# -- saving ---------------------------------------------------------------------------

def _relative_data(g: Graph, folder: Path) -> str:
    """The graph's CSV path, relative to ``folder`` (with / on every system)."""
    return Path(os.path.relpath(resolve_source(g.settings["data"], g.base_dir), folder)).as_posix()


def to_dict(g: Graph, path: str | os.PathLike | None = None) -> dict:
    """The file contents for ``g``, with a CSV path made relative to ``path``'s folder."""
    settings = {p.name: g.settings.get(p.name, p.default) for p in SETTINGS}
    if settings["encoding"] is None:  # record how the data was scaled, so predictions use it
        try:
            settings["encoding"] = g.data().encoding.as_dict()
        except DataError:
            pass
    if not is_builtin(settings["data"]):
        settings["data"] = _relative_data(g, Path(path).resolve().parent if path else g.base_dir)
    nodes = [node_entry(g, n) for n in g.node_ids]
    doc = {"format": FORMAT, "version": VERSION, "settings": settings, "trained_epochs": g.trained_epochs}
    if g.view is not None:
        doc["view"] = {"zoom": round(g.view.zoom, 4), "center": [round(v, 1) for v in g.view.center]}
    doc.update(nodes=nodes, links=link_entries(g.links()))
    if len(g.epoch_log):
        doc["history"] = g.epoch_log.to_json()
    return doc


def node_entry(g: Graph, n: str, pos=None) -> dict:
    """One node as a file holds it: id, type, label, position, and params with its saved values."""
    a = g.attrs(n)
    t = g.type_of(n)
    params = {p.name: a["params"][p.name] for p in t.params}
    params.update(saved_values(n, t, a["state"]))
    pos = a["pos"] if pos is None else pos
    return {"id": n, "type": t.name, "label": a["label"], "pos": [float(v) for v in pos], "params": params}


def saved_values(n: str, t, state: dict) -> dict:
    """The state a file keeps of a node (learned values), as nested lists."""
    out = {}
    for name in t.saved_state:
        arr = state.get(name)
        if arr is None:
            continue
        if not np.all(np.isfinite(arr)):
            raise NodeflowError(f"cannot save: {n}.{name} holds NaN or infinite numbers "
                                "(step back or reset the weights first)")
        if t.omit_zero_state and not np.any(arr):
            continue
        out[name] = np.asarray(arr, dtype=float).tolist()
    return out


def link_entries(links) -> list[dict]:
    return [{"from": f"{l.src}.{l.src_port}", "to": f"{l.dst}.{l.dst_port}"} for l in links]


def _scalar(v) -> bool:
    return not isinstance(v, (dict, list))


def _flat(v) -> bool:
    """A scalar, or a container holding only scalars."""
    items = v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()
    return all(_scalar(x) for x in items)


def dumps(obj, level: int = 0) -> str:
    """JSON laid out for reading: short flat things on one line, everything else one item a line."""
    if _scalar(obj):
        return json.dumps(obj, allow_nan=False, ensure_ascii=False)
    if not obj:
        return "[]" if isinstance(obj, list) else "{}"
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(obj, list):
        one_line = "[" + ", ".join(dumps(v) for v in obj) + "]"
        if all(_scalar(v) for v in obj):
            return one_line
        return "[\n" + ",\n".join(inner + dumps(v, level + 1) for v in obj) + "\n" + pad + "]"
    one_line = "{" + ", ".join(f"{json.dumps(k)}: {dumps(v)}" for k, v in obj.items()) + "}"
    if all(_scalar(v) or _flat(v) for v in obj.values()) and len(one_line) <= 100:
        return one_line
    body = ",\n".join(f"{inner}{json.dumps(k)}: {dumps(v, level + 1)}" for k, v in obj.items())
    return "{\n" + body + "\n" + pad + "}"


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old file or the new one, never half."""
    path = Path(path)
    folder = path.resolve().parent
    if not folder.is_dir():
        raise NodeflowError(f"cannot write {path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save(g: Graph, path: str | os.PathLike) -> None:
    """Write ``g`` to ``path`` atomically: a crash leaves the old file or the new one, never half."""
    path = Path(path)
    atomic_write(path, dumps(to_dict(g, path)) + "\n")
    folder = path.resolve().parent
    if not is_builtin(g.settings["data"]):  # keep the data path relative to where the graph now lives
        g.settings["data"] = _relative_data(g, folder)
    g.base_dir = folder


# -- loading --------------------------------------------------------------------------

def load(path: str | os.PathLike) -> Graph:
    """Read a graph file; raises GraphFileError listing every problem found, with where."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GraphFileError(str(path), ["no such file"]) from None
    except IsADirectoryError:
        raise GraphFileError(str(path), ["is a folder, not a graph file"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise GraphFileError(str(path), [f"cannot read it: {getattr(e, 'strerror', None) or e}"]) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise GraphFileError(str(path), [f"line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})"]) from None
    return from_dict(doc, str(path), base_dir=path.resolve().parent)


def from_dict(doc, where: str = "<graph>", base_dir=None) -> Graph:
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise GraphFileError(where, ["the file must hold a JSON object"])
    if doc.get("format") != FORMAT:
        problems.append(f"format: expected {FORMAT!r}, found {doc.get('format')!r} (is this a nodeflow graph file?)")
    version = doc.get("version")
    if version != VERSION:
        newer = isinstance(version, int) and version > VERSION
        problems.append(f"version: {version!r} is not supported"
                        + (" (made by a newer nodeflow; please upgrade)" if newer else f" (expected {VERSION})"))
    if problems:
        raise GraphFileError(where, problems)

    settings = {}
    raw_settings = doc.get("settings", {})
    if not isinstance(raw_settings, dict):
        problems.append("settings: must be an object")
        raw_settings = {}
    for k, v in raw_settings.items():
        try:
            settings[k] = check_setting(k, v)
        except ValueError as e:
            problems.append(f"settings.{k}: {e}")
    g = Graph(settings, base_dir=base_dir)
    epochs = doc.get("trained_epochs", 0)
    if isinstance(epochs, int) and not isinstance(epochs, bool) and epochs >= 0:
        g.trained_epochs = epochs
    else:
        problems.append(f"trained_epochs: must be a whole number ≥ 0, not {epochs!r}")
    _load_view(g, doc.get("view"), problems)

    nodes = doc.get("nodes")
    if not isinstance(nodes, list):
        problems.append("nodes: must be a list")
        nodes = []
    for i, nd in enumerate(nodes):
        _load_node(g, i, nd, problems)

    links = doc.get("links", [])
    if not isinstance(links, list):
        problems.append("links: must be a list")
        links = []
    for i, ld in enumerate(links):
        where_ = f"links[{i}]"
        if not isinstance(ld, dict) or not isinstance(ld.get("from"), str) or not isinstance(ld.get("to"), str):
            problems.append(f"{where_}: must be {{\"from\": \"node.port\", \"to\": \"node.port\"}}")
            continue
        try:
            link = Link.parse(ld["from"], ld["to"])
            g.connect(*link)
        except EditRefused as e:
            msg = str(e).removeprefix("refused: ")
            problems.append(f"{where_} ({ld['from']} -> {ld['to']}): {msg}")
    problems += [f"nodes[{g.node_ids.index(n)}] ({n}): params.{msg}" for n, msg in g.state_problems()]
    if "history" in doc:
        g.epoch_log, found = EpochLog.from_json(doc["history"], g.trained_epochs)
        problems += found
    if problems:
        raise GraphFileError(where, problems)
    g.history.undo_stack.clear()
    return g


def _load_view(g: Graph, view, problems: list[str]) -> None:
    """The optional ``view``: {"zoom": number, "center": [x, y]}."""
    if view is None:
        return
    if not isinstance(view, dict) or set(view) != {"zoom", "center"}:
        problems.append(f"view: must be {{\"zoom\": number, \"center\": [x, y]}}, not {view!r}")
        return
    try:
        g.set_view(view["zoom"], view["center"])
    except ValueError as e:
        problems.append(f"view.{e}")


def _load_node(g: Graph, i: int, nd, problems: list[str]) -> None:
    if not isinstance(nd, dict):
        problems.append(f"nodes[{i}]: must be an object")
        return
    nid = nd.get("id")
    where = f"nodes[{i}]" + (f" ({nid})" if isinstance(nid, str) else "")
    if not isinstance(nid, str) or not ID_RE.match(nid):
        problems.append(f"{where}: id must be letters, digits and _, not {nid!r}")
        return
    t = NODE_TYPES.get(nd.get("type"))
    if t is None:
        close = difflib.get_close_matches(str(nd.get("type")), NODE_TYPES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"{where}: unknown node type {nd.get('type')!r}{hint}")
        return
    label = nd.get("label", nid)
    if not isinstance(label, str):
        problems.append(f"{where}: label must be text")
        label = nid
    pos = nd.get("pos", [0.0, 0.0])
    if not (isinstance(pos, list) and len(pos) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in pos)):
        problems.append(f"{where}: pos must be [x, y] numbers, not {pos!r}")
        pos = [0.0, 0.0]
    raw = nd.get("params", {})
    if not isinstance(raw, dict):
        problems.append(f"{where}: params must be an object")
        raw = {}
    params, values = {}, {}
    for k, v in raw.items():
        if k in t.saved_state:
            values[k] = v
            continue
        p = t.param(k)
        if p is None:
            allowed = ", ".join([q.name for q in t.params] + list(t.saved_state)) or "none"
            problems.append(f"{where}: {t.name} has no parameter {k!r} (it has: {allowed})")
            continue
        try:
            params[k] = p.check(v)
        except ValueError as e:
            problems.append(f"{where}: params.{e}")
    merged = dict(t.default_params(), **params)
    state = _saved_values(t, merged, values, where, problems)
    if t.saved_state and len(state) < len(t.saved_state):
        fresh = g._fresh_state(nid, t, merged)
        state = {**fresh, **state}
    try:
        g.add_node(t.name, nid, label=label, pos=pos, params=merged, state=state if t.saved_state else None)
    except EditRefused as e:
        problems.append(f"{where}: {str(e).removeprefix('refused: ')}")


def _saved_values(t, params: dict, values: dict, where: str, problems: list[str]) -> dict[str, np.ndarray]:
    """A node's saved state from its file entry: arrays of the node's size, finite."""
    state = {}
    expected = t.state_shapes(params, {}) if values else {}
    for k, v in values.items():
        try:
            arr = np.array(v, dtype=float)
        except (TypeError, ValueError):
            problems.append(f"{where}: params.{k} must be a (nested) list of numbers")
            continue
        if known(expected.get(k)) and arr.shape != tuple(expected[k]):
            problems.append(f"{where}: params.{k} has shape {list(arr.shape)} but the node's size says "
                            f"{list(expected[k])}")
        elif not np.all(np.isfinite(arr)):
            problems.append(f"{where}: params.{k} holds NaN or infinite numbers")
        else:
            state[k] = arr
    return state
