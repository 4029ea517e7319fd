"""``nodeflow new mlp``: a whole deconstructed network from layer sizes, written to a graph file."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..data.builtin import BUILTIN
from ..data.init import INITS
from ..data.scaling import SCALES
from ..errors import NodeflowError
from ..limits import brief
from ..nodes.loss import LOSSES
from ..nodes.schedule import SCHEDULES
from ..nodes.update import OPTIMIZERS
from ..outputs import check_output


def _epilog() -> str:
    width = max(map(len, BUILTIN))
    sets = "\n".join(f"  {name:<{width}}  {spec.doc}" for name, spec in BUILTIN.items())
    return f"built-in data sets (--data NAME):\n{sets}\n\nor --data FILE.csv: feature columns, the target last."


def add_parser(sub) -> None:
    n = sub.add_parser("new", help="generate a network and write it to a graph file", epilog=_epilog(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    n.add_argument("kind", choices=["mlp"], help="what to build (a multi-layer perceptron)")
    n.add_argument("--layers", required=True, help="unit counts from inputs to outputs, e.g. 7,5,3")
    n.add_argument("--data", required=True, help="a CSV file or a built-in set (listed below)")
    n.add_argument("--activation", default="sigmoid", help="hidden layers: sigmoid, tanh, relu or identity")
    n.add_argument("--output", dest="out_act", default=None, metavar="ACTIVATION",
                   help="the last layer's activation: sigmoid, tanh, relu, identity or softmax (default: as the "
                        "hidden layers; with cross-entropy, sigmoid for one output, else softmax)")
    n.add_argument("--loss", default="squared", choices=LOSSES, help="squared error (default) or cross_entropy")
    n.add_argument("--optimizer", default="sgd", choices=OPTIMIZERS, help="how updates step (default sgd)")
    n.add_argument("--lr", type=float, default=0.3, help="learning rate (default 0.3)")
    n.add_argument("--schedule", default="constant", choices=SCHEDULES,
                   help="learning rate over epochs (default constant; others add a LearningRate node)")
    n.add_argument("--l2", type=float, default=0.0, help="L2 regularisation λ (weight decay) on the weights")
    n.add_argument("--l1", type=float, default=0.0, help="L1 regularisation λ on the weights")
    n.add_argument("--batch-size", type=int, default=1, help="samples per weight update (default 1)")
    n.add_argument("--init", default="xavier", choices=INITS,
                   help="weight initialisation (default xavier: scaled by fan-in; uniform: [0, 1) as the articles)")
    n.add_argument("--init-scale", type=float, default=1.0,
                   help="uniform: weights in [0, s); uniform_sym: ±s; normal: σ; constant: the value (default 1)")
    n.add_argument("--no-bias", action="store_true", help="leave out the biases (each unit is w·x only)")
    n.add_argument("--scale", default="minmax", choices=SCALES,
                   help="scaling of the inputs and a numeric target: minmax to [0, 1] (default), standard "
                        "(mean 0, deviation 1) or none (raw numbers)")
    n.add_argument("--tolerance", type=float, default=1e-4,
                   help="numeric targets: an output within this share of the target counts as right "
                        "(default 0.0001 = ±0.01 %%)")
    n.add_argument("--split", type=float, default=None, help="training share of the data (default 0.66; xor 1.0)")
    n.add_argument("--seed", type=int, default=1, help="seed for weights, split and shuffling (default 1)")
    n.add_argument("--samples", type=int, default=0, help="size of a built-in synthetic set (default: its own)")
    n.add_argument("-o", "--output-file", dest="file", required=True, metavar="FILE",
                   help="graph file to write")
    n.set_defaults(fn=cmd_new)


def cmd_new(a) -> int:
    from ..document.builders import mlp
    from ..document.files import save

    out = check_output(a.file, "-o")
    try:
        layers = [int(v) for v in a.layers.split(",")]
    except ValueError:
        raise NodeflowError(f"--layers must be sizes separated by commas, like 7,5,3 (got {brief(a.layers)})") from None
    if a.activation.lower() == "softmax":
        raise NodeflowError("softmax belongs on the output layer: use --output softmax (--activation is for the "
                            "hidden layers)")
    if a.samples < 0:
        raise NodeflowError(f"--samples must be 0 (the set's own size) or more, not {a.samples}")
    g = mlp(layers, a.activation, lr=a.lr, data=a.data, seed=a.seed, split=a.split, base_dir=Path.cwd(),
            samples=a.samples, batch_size=a.batch_size, data_scale=a.scale, tolerance=a.tolerance,
            init=a.init, scale=a.init_scale, bias=not a.no_bias, loss=a.loss, output=a.out_act,
            optimizer=a.optimizer, schedule=a.schedule, l2=a.l2, l1=a.l1)
    save(g, out)
    print(f"wrote {out}: {len(g.node_ids)} nodes, {len(g.links())} links; {g.data().describe()}")
    return 0
