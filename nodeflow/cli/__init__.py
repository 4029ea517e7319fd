"""The ``nodeflow`` command.

    nodeflow                      open the editor on the bundled XOR example
    nodeflow open FILE            open a graph file in the editor
    nodeflow new mlp ...          write a generated network to a graph file
    nodeflow run FILE ...         train headless, one line per epoch (compiled, or --engine step)
    nodeflow predict FILE ...     the network's output for your own inputs, in raw units
    nodeflow check FILE           validate a graph file
    nodeflow gradcheck FILE       compare backprop's gradients with numerical ones
    nodeflow export FILE -o PY    write the graph as a standalone numpy training script
    nodeflow export FILE --to torch -o PY   ... or as a PyTorch script (also runs under torchrun)
    nodeflow expand FILE NODE -o OUT   open nodes into equivalent groups of math nodes
    nodeflow shot FILE -o PNG     save a picture of the editor showing the graph
    nodeflow bench                time the engines against plain-Python and numpy references

A user mistake prints one line on stderr and exits with status 2; training that
diverges (NaN or infinity) stops with status 3, keeping the weights from before.
"""
from __future__ import annotations

import argparse
import re
import sys

from ..errors import NodeflowError
from . import bench, check, editor, expand, export, gradcheck, new, predict, shot, train

COMMANDS = (editor, new, train, predict, export, expand, shot, bench, gradcheck, check)  # in --help order


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake in the arguments is one line too (``--help`` still shows the usage)."""

    def error(self, message: str):
        message = re.sub(r"'([^']{60})[^']{2,}'", r"'\1…'", message)  # quote at most ~60 characters of a value
        self.exit(2, f"nodeflow: error: {message} (see `{self.prog} --help`)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nodeflow", description="Backpropagation taken apart into nodes you can "
                "wire, step, watch and train.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        args = parser().parse_args(["open"])
    try:
        return args.fn(args)
    except NodeflowError as e:
        print(f"nodeflow: error: {e}", file=sys.stderr)
        return 2
    except MemoryError as e:  # what the limits did not foresee: still one line
        print(f"nodeflow: error: out of memory ({str(e) or 'an allocation failed'}); "
              "see NODEFLOW_MAX_MEMORY in the README", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nodeflow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
