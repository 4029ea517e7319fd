"""``nodeflow expand``: open built-in nodes into equivalent groups of math nodes."""
from __future__ import annotations

from ..errors import NodeflowError


def add_parser(sub) -> None:
    x = sub.add_parser("expand", help="open nodes (Sigmoid, Delta, WeightUpdate, ...) into groups of math nodes")
    x.add_argument("file")
    x.add_argument("nodes", nargs="*", metavar="NODE", help="the nodes to open, by id")
    x.add_argument("--all", action="store_true", help="open every node that has a primitive form")
    x.add_argument("-o", "--output", required=True, help="the graph file to write")
    x.set_defaults(fn=cmd_expand)


def cmd_expand(a) -> int:
    from ..document.expand import expand, expandable
    from ..document.files import load, save

    g = load(a.file)
    nodes = list(a.nodes) + ([n for n in g.node_ids if expandable(g, n)] if a.all else [])
    if not nodes:
        raise NodeflowError("name the nodes to open (or --all)")
    for n in dict.fromkeys(nodes):
        expand(g, n)
    save(g, a.output)
    print(f"wrote {a.output}: opened {', '.join(dict.fromkeys(nodes))}; the same training, now in math nodes")
    return 0
