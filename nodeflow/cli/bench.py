"""``nodeflow bench``: how fast, against references (the ``nodeflow.bench`` package)."""
from __future__ import annotations


def add_parser(sub) -> None:
    from ..bench import add_arguments, cmd_bench

    b = sub.add_parser("bench", help="time the stepper and the compiled engine against references")
    add_arguments(b).set_defaults(fn=cmd_bench)
