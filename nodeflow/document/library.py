"""The library: groups saved to a folder of your own, offered back as node types.

``save_group(g, node, name)`` writes a Group node's inside to ``<folder>/<name>.json``
(``{"format": "nodeflow.group", "version": 1, "name": ..., "doc": ..., "graph": {...}}``,
readable JSON like a graph file). ``load_library()`` reads every such file in the folder
and registers each as a node type of family ``library``: adding one (``g.add_node(name)``)
adds a Group node holding a copy of the saved inside, so a graph file that uses it is
complete without the library. The folder is ``$NODEFLOW_LIBRARY``, else
``~/.local/share/nodeflow/library``.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path

from ..errors import EditRefused, GraphFileError, NodeflowError
from ..nodes import NODE_TYPES
from .groups import Group, check_definition

FORMAT, VERSION = "nodeflow.group", 1
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def library_dir() -> Path:
    """Where library groups live: ``$NODEFLOW_LIBRARY``, else ``~/.local/share/nodeflow/library``."""
    return Path(os.environ.get("NODEFLOW_LIBRARY") or Path.home() / ".local" / "share" / "nodeflow" / "library")


class LibraryGroup(Group):
    """Base of the types read from the library: presets of a Group with the saved inside."""

    name = ""  # each library type sets its own
    family = "library"
    preset_of = "Group"
    in_palette = True
    path: Path | None = None


def save_group(g, node: str, name: str, doc: str = "", folder: str | os.PathLike | None = None) -> Path:
    """Write the group ``node``'s inside to the library as ``name`` (a new node type); returns the file."""
    from .files import atomic_write, dumps

    if node not in g or g.type_of(node).name != "Group":
        raise EditRefused(f"{node!r} is not a group (group some nodes first)")
    _check_name(name)
    folder = Path(folder) if folder is not None else library_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    atomic_write(path, dumps({"format": FORMAT, "version": VERSION, "name": name, "doc": doc,
                              "graph": g.params(node)["graph"]}) + "\n")
    return path


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise EditRefused(f"a library name is letters, digits and _ starting with a letter, not {name!r}")
    known = NODE_TYPES.get(name)
    if known is not None and not issubclass(known, LibraryGroup):
        raise EditRefused(f"{name} is a built-in node type; choose another name")


def read_group(path: str | os.PathLike) -> dict:
    """A library file's contents, checked; raises GraphFileError saying what is wrong."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise GraphFileError(str(path), [f"cannot read it: {getattr(e, 'strerror', None) or e}"]) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise GraphFileError(str(path), [f"not a nodeflow group file (format {FORMAT!r}, version {VERSION})"])
    try:
        _check_name(doc.get("name"))
        if not isinstance(doc.get("doc", ""), str):
            raise ValueError("doc must be text")
        check_definition(doc.get("graph"))
    except (NodeflowError, ValueError) as e:
        raise GraphFileError(str(path), [str(e)]) from None
    return doc


def load_library(folder: str | os.PathLike | None = None) -> tuple[list[str], list[str]]:
    """Register every group in the library folder as a node type (replacing those read before).

    Returns (names registered, problems with files that could not be read, one line each)."""
    for name in [n for n, t in NODE_TYPES.items() if issubclass(t, LibraryGroup) and t is not LibraryGroup]:
        del NODE_TYPES[name]
    folder = Path(folder) if folder is not None else library_dir()
    names, problems = [], []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            doc = read_group(path)
        except GraphFileError as e:
            problems.append(str(e))
            continue
        _register(doc, path)
        names.append(doc["name"])
    return names, problems


def _register(doc: dict, path: Path) -> None:
    params = (dataclasses.replace(Group.params[0], default=doc["name"]),
              dataclasses.replace(Group.params[1], default=doc["graph"]))
    type(doc["name"], (LibraryGroup,), {"name": doc["name"], "__doc__": doc.get("doc") or f"{doc['name']} (library)",
                                        "params": params, "path": path})
