"""``nodeflow new mlp``: a whole deconstructed network from layer sizes, written to a graph file."""
from __future__ import annotations

from pathlib import Path

from ..data.builtin import BUILTIN
from ..errors import NodeflowError
from ..limits import brief
from ..outputs import check_output


def add_parser(sub) -> None:
    n = sub.add_parser("new", help="generate a network and write it to a graph file")
    n.add_argument("kind", choices=["mlp"], help="what to build (a multi-layer perceptron)")
    n.add_argument("--layers", required=True, help="unit counts from inputs to outputs, e.g. 7,5,3")
    n.add_argument("--data", required=True, help="a CSV file or a built-in set: " + ", ".join(BUILTIN))
    n.add_argument("--activation", default="sigmoid", help="sigmoid, tanh, relu, identity or softmax")
    n.add_argument("--lr", type=float, default=0.3, help="learning rate (default 0.3)")
    n.add_argument("--split", type=float, default=None, help="training share of the data (default 0.66; xor 1.0)")
    n.add_argument("--seed", type=int, default=1, help="seed for weights, split and shuffling (default 1)")
    n.add_argument("--init", default="uniform", help="weight initialisation (default uniform [0, 1))")
    n.add_argument("--samples", type=int, default=0, help="size of a built-in synthetic set (default: its own)")
    n.add_argument("-o", "--output", required=True, help="graph file to write")
    n.set_defaults(fn=cmd_new)


def cmd_new(a) -> int:
    from ..document.builders import mlp
    from ..document.files import save

    out = check_output(a.output, "-o")
    try:
        layers = [int(v) for v in a.layers.split(",")]
    except ValueError:
        raise NodeflowError(f"--layers must be sizes separated by commas, like 7,5,3 (got {brief(a.layers)})") from None
    if a.samples < 0:
        raise NodeflowError(f"--samples must be 0 (the set's own size) or more, not {a.samples}")
    data = a.data
    base = Path.cwd()
    g = mlp(layers, a.activation, lr=a.lr, data=data, seed=a.seed, split=a.split, base_dir=base, init=a.init,
            samples=a.samples)
    save(g, out)
    print(f"wrote {out}: {len(g.node_ids)} nodes, {len(g.links())} links; {g.data().describe()}")
    return 0


