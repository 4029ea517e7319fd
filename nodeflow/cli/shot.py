"""``nodeflow shot``: a PNG of the editor showing a graph file (for slides, and for tests)."""
from __future__ import annotations

import os
import shutil

from ..errors import NodeflowError
from ..outputs import check_output


def add_parser(sub) -> None:
    s = sub.add_parser("shot", help="save a picture of the editor showing a graph file")
    s.add_argument("file", help="graph file")
    s.add_argument("-o", "--output", required=True, help="PNG file to write")
    s.add_argument("--size", default="1280x800", help="window size WxH (default 1280x800)")
    s.add_argument("--fit", action="store_true", help="fit the whole graph in view (even if the file stores a view)")
    train = s.add_mutually_exclusive_group()
    train.add_argument("--samples", type=int, default=0, help="step N samples first")
    train.add_argument("--epochs", type=int, default=0, help="train N epochs first")
    s.add_argument("--layout-json", help="also write the canvas's and every node's rectangle in window pixels")
    s.add_argument("--open", metavar="GROUP", help="show the inside of this group (GROUP/INNER: a group inside it)")
    s.add_argument("--select", metavar="NODE", help="select this node (of the graph shown): the inspector shows what "
                                                    "it computes, with the last step's numbers")
    s.set_defaults(fn=cmd_shot)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise NodeflowError(f"--size must be WIDTHxHEIGHT in pixels, like 1280x800 (got {text!r})") from None
    if not (320 <= w <= 8000 and 240 <= h <= 8000):
        raise NodeflowError(f"--size {w}x{h} is out of range (320x240 to 8000x8000)")
    return w, h


def _groups(g, path: str | None) -> tuple[list[str], object]:
    """The groups ``--open`` names, outermost first, each checked to be a group where it is; and the
    graph shown (the innermost one's inside)."""
    from ..document.grouping import open_group

    names = [n for n in (path or "").split("/") if n]
    for k, node in enumerate(names):
        if node not in g or g.type_of(node).name != "Group":
            where = "/".join(names[:k]) or "the graph"
            groups = ", ".join(g.nodes_of_type("Group")) or "none"
            raise NodeflowError(f"--open: {where} has no group {node!r} (its groups: {groups})")
        g = open_group(g, node)
    return names, g


def cmd_shot(a) -> int:
    from ..document.files import load

    size = _size(a.size)
    if a.samples < 0 or a.epochs < 0:
        raise NodeflowError("--samples and --epochs must be 0 or more")
    g = load(a.file)  # a broken file is reported here, in one line
    groups, shown = _groups(g, a.open)
    if a.select is not None and a.select not in shown:
        where = f"group {'/'.join(groups)}" if groups else "the graph"
        raise NodeflowError(f"--select: {where} has no node {a.select!r}")
    for target in filter(None, (a.output, a.layout_json)):
        check_output(target)
    display = os.environ.get("DISPLAY")
    if not display and shutil.which("Xvfb") is None:
        raise NodeflowError("no display to draw on and Xvfb is not installed (apt-get install xvfb)")
    from ..gui.shot import shoot

    shoot(a.file, a.output, size=size, fit=a.fit, samples=a.samples, epochs=a.epochs, layout=a.layout_json,
          display=display or None, groups=groups, select=a.select)
    print(f"wrote {a.output}" + (f" and {a.layout_json}" if a.layout_json else ""))
    return 0
