"""``nodeflow check``: validate a graph file, listing every problem."""
from __future__ import annotations

import sys


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="validate a graph file")
    c.add_argument("file")
    c.set_defaults(fn=cmd_check)


def cmd_check(a) -> int:
    from ..document.files import load
    from ..errors import GraphFileError

    try:
        g = load(a.file)
    except GraphFileError as e:
        for p in e.problems:
            print(f"{a.file}: {p}", file=sys.stderr)
        return 2
    from ..run.plan import skipped_nodes
    from .train import skipped_note

    skipped = skipped_nodes(g)
    problems = g.problems(skip=skipped)
    if problems:
        for p in problems:
            print(f"{a.file}: {p}", file=sys.stderr)
        return 2
    print(f"ok: {len(g.node_ids)} nodes, {len(g.links())} links" + (f"; {skipped_note(skipped)}" if skipped else ""))
    return 0


