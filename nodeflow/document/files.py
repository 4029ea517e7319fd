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
import os
import tempfile
from itertools import chain
from pathlib import Path

import numpy as np

from ..data import is_builtin, resolve_source
from ..errors import DataError, EditRefused, GraphFileError, NodeflowError
from ..limits import MAX_DEPTH, MAX_DIGITS, MAX_EPOCHS, brief, check_bytes, check_int, cut, human
from ..nodes import NODE_TYPES
from ..nodes.base import known, number_array
from ..outputs import check_output
from .epochlog import EpochLog
from .graph import ID_RE, Graph, Link
from .settings import SETTINGS, check_setting

FORMAT, VERSION = "nodeflow.graph", 1
MAX_POS = 1e9  # canvas coordinates
MAX_ID = 100  # characters in a node id
READ_COST = 4  # bytes of memory per byte of a graph file while it is read


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


_ENCODE = json.JSONEncoder(allow_nan=False, ensure_ascii=False).encode  # json.dumps(x, allow_nan=False, ...)


def dumps(obj, level: int = 0) -> str:
    """JSON laid out for reading: short flat things on one line, everything else one item a line.

    Linear in the size: a list of numbers, or a matrix of them, is encoded in one call, and
    a one-line form is tried only where it can fit (a container of over 50 items never does)."""
    if _scalar(obj):
        return _ENCODE(obj)
    if not obj:
        return "[]" if isinstance(obj, list) else "{}"
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(obj, list):
        numbers = _numbers(obj)
        if numbers is not None:  # one line, or one row a line: the same text as item by item
            return numbers if numbers[1] != "[" else "[\n" + inner + numbers[1:-1].replace(
                "], [", "],\n" + inner + "[") + "\n" + pad + "]"
        if all(_scalar(v) for v in obj):
            return _ENCODE(obj)
        return "[\n" + ",\n".join(inner + dumps(v, level + 1) for v in obj) + "\n" + pad + "]"
    if len(obj) <= 50 and all(_scalar(v) or (len(v) <= 50 and _flat(v)) for v in obj.values()):
        one_line = "{" + ", ".join(f"{_ENCODE(k)}: {dumps(v)}" for k, v in obj.items()) + "}"
        if len(one_line) <= 100:
            return one_line
    body = ",\n".join(f"{inner}{_ENCODE(k)}: {dumps(v, level + 1)}" for k, v in obj.items())
    return "{\n" + body + "\n" + pad + "}"


def _numbers(obj: list) -> str | None:
    """A list of numbers, or a list of lists of numbers, encoded in one call; None for anything else."""
    if isinstance(obj[0], dict):
        return None
    text = _ENCODE(obj)
    if '"' in text or "{" in text:  # text, objects: item by item
        return None
    rows = text.count("[") - 1
    if rows == 0 or (rows == len(obj) and all(type(v) is list for v in obj)):
        return text
    return None


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves the old file or the new one, never half."""
    path = check_output(path)
    folder = Path(os.path.abspath(path)).parent  # beside the path as given (a symlink is replaced, not followed)
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
        if path.is_file():  # the text, and the numbers it holds as Python objects: about 4 bytes per byte
            check_bytes(READ_COST * path.stat().st_size, f"reading this {human(path.stat().st_size)} file")
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is skipped, as in CSV files
    except ValueError as e:
        raise GraphFileError(str(path), [str(e)]) from None
    except FileNotFoundError:
        raise GraphFileError(str(path), ["no such file"]) from None
    except IsADirectoryError:
        raise GraphFileError(str(path), ["is a folder, not a graph file"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise GraphFileError(str(path), [f"cannot read it: {getattr(e, 'strerror', None) or e}"]) from None
    return from_dict(parse_json(text, str(path)), str(path), base_dir=path.resolve().parent)


class _LongNumber(ValueError):
    pass


def _whole_number(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_DIGITS:
        raise _LongNumber(literal)
    return int(literal)


def parse_json(text: str, where: str):
    """The JSON in ``text``, or GraphFileError: invalid JSON, an integer literal of more digits than
    Python converts, nesting deeper than MAX_DEPTH levels; each with its line where it has one."""
    try:
        doc = json.loads(text, parse_int=_whole_number)
    except json.JSONDecodeError as e:
        raise GraphFileError(where, [f"line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})"]) from None
    except _LongNumber as e:
        literal = e.args[0]
        line = text.count("\n", 0, max(text.find(literal), 0)) + 1
        raise GraphFileError(where, [f"line {line}: a number of {len(literal.lstrip('-'))} digits "
                                     f"(at most {MAX_DIGITS} are read)"]) from None
    except RecursionError:
        doc = None
    if doc is None or _deeper_than(doc, MAX_DEPTH):
        raise GraphFileError(where, [f"the JSON is nested more than {MAX_DEPTH} levels deep "
                                     "(a graph file needs 6)"])
    return doc


def _deeper_than(doc, limit: int) -> bool:
    """True when ``doc`` nests lists and objects more than ``limit`` levels (level by level, no
    recursion; the values of a level are looked at in C, so a million numbers cost milliseconds)."""
    level, depth = [doc] if type(doc) in (list, dict) else [], 0
    while level:
        depth += 1
        if depth > limit:
            return True
        values = [c.values() if type(c) is dict else c for c in level]
        if not {list, dict} & set(map(type, chain.from_iterable(values))):
            return False
        level = [x for x in chain.from_iterable(values) if type(x) in (list, dict)]
    return False


def from_dict(doc, where: str = "<graph>", base_dir=None) -> Graph:
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise GraphFileError(where, ["the file must hold a JSON object"])
    if doc.get("format") != FORMAT:
        problems.append(f"format: expected {FORMAT!r}, found {brief(doc.get('format'))} "
                        "(is this a nodeflow graph file?)")
    version = doc.get("version")
    if type(version) is not int or version != VERSION:  # true == 1 and 1.0 == 1 in Python: not here
        newer = type(version) is int and version > VERSION
        problems.append(f"version: {brief(version)} is not supported"
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
            problems.append(f"settings.{brief(k) if len(k) > 40 else k}: {e}")
    g = Graph(settings, base_dir=base_dir)
    try:
        g.trained_epochs = check_int("trained_epochs", doc.get("trained_epochs", 0), 0, MAX_EPOCHS)
    except ValueError as e:
        problems.append(f"trained_epochs: {str(e).removeprefix('trained_epochs ')}")
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
            problems.append(f"{where_} ({cut(ld['from'])} -> {cut(ld['to'])}): {cut(msg, 200)}")
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
    if not isinstance(nid, str) or not ID_RE.match(nid) or len(nid) > MAX_ID:
        problems.append(f"nodes[{i}]: id must be letters, digits and _ (at most {MAX_ID}), not {brief(nid)}")
        return
    t = NODE_TYPES.get(nd.get("type")) if isinstance(nd.get("type"), str) else None
    if t is None:
        close = difflib.get_close_matches(str(nd.get("type"))[:100], NODE_TYPES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"{where}: unknown node type {brief(nd.get('type'))}{hint}")
        return
    label = nd.get("label", nid)
    if not isinstance(label, str):
        problems.append(f"{where}: label must be text")
        label = nid
    pos = nd.get("pos", [0.0, 0.0])
    if not (isinstance(pos, list) and len(pos) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= MAX_POS for v in pos)):
        problems.append(f"{where}: pos must be [x, y] numbers within ±{MAX_POS:g}, not {brief(pos)}")
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
            problems.append(f"{where}: {t.name} has no parameter {brief(k)} (it has: {allowed})")
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
            arr = number_array(v, f"params.{k}")  # numbers only: "0.5" or true is refused, as for lr
        except ValueError as e:
            problems.append(f"{where}: {e}")
            continue
        if known(expected.get(k)) and arr.shape != tuple(expected[k]):
            problems.append(f"{where}: params.{k} has shape {list(arr.shape)} but the node's size says "
                            f"{list(expected[k])}")
        else:
            state[k] = arr
    return state
