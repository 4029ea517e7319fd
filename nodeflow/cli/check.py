"""``nodeflow check``: validate a graph file, listing every problem."""
from __future__ import annotations

import sys


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="validate a graph file")
    c.add_argument("file")
    c.set_defaults(fn=cmd_check)


def cmd_check(a) -> int:
    from ..document.files import load
    from ..errors import GraphFileError, NotReady
    from ..run.plan import build_plan, skipped_nodes
    from .train import skipped_note

    try:
        g = load(a.file)
    except GraphFileError as e:
        for p in e.problems:
            print(f"{a.file}: {p}", file=sys.stderr)
        return 2
    skipped = skipped_nodes(g.flat())
    problems = g.problems(skip=skipped)
    if not problems:
        try:
            build_plan(g)  # what `run` lays out before it trains: everything it could trip on
        except NotReady as e:
            problems = [str(e)]
    if problems:
        for p in problems:
            print(f"{a.file}: {p}", file=sys.stderr)
        return 2
    print(f"ok: {len(g.node_ids)} nodes, {len(g.links())} links" + (f"; {skipped_note(skipped)}" if skipped else ""))
    return 0


