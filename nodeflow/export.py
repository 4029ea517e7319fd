"""``nodeflow export``: the graph as a standalone, readable Python script (numpy only).

The script holds the node kernels' own source (the code nodeflow runs), the training
function the fast engine compiles (see ``codegen``), the starting values of every
parameter and the data, so it trains the same network from the same weights and
prints the same per-epoch figures as ``nodeflow run``.
"""
from __future__ import annotations

import inspect
import re
import textwrap

import numpy as np

from . import codegen
from .datasets import epoch_order
from .jit import KERNELS, python_version


def _kernel_sources(kernels) -> list[str]:
    """Plain-Python source of ``kernels`` and every kernel they call, callees first."""
    order: list[str] = []

    def visit(name):
        if name in order:
            return
        src = inspect.getsource(KERNELS[name])
        for other in KERNELS:
            if other != name and re.search(rf"\b{other}\(", src):
                visit(other)
        order.append(name)

    for k in kernels:
        visit(python_version(k).__name__)
    numbers = {name: value for n in order for name in KERNELS[n].__code__.co_names
               if isinstance(value := KERNELS[n].__globals__.get(name), (int, float))}
    consts = "".join(f"{name} = {value!r}\n" for name, value in sorted(numbers.items()))
    return ([consts] if consts else []) + [re.sub(r"^@kernel(\(.*\))?\n", "", inspect.getsource(KERNELS[n]))
                                           for n in order]


def _numbers(a: np.ndarray) -> str:
    return ", ".join(repr(float(v)) for v in np.asarray(a).ravel())


def _fill(buf_name: str, buf: np.ndarray, slots: dict) -> str:
    """Lines that put the non-zero slots of ``buf`` in place, one per node value."""
    lines = []
    for (node, name), (off, shape) in sorted(slots.items(), key=lambda kv: kv[1][0]):
        size = int(np.prod(shape)) if shape else 1
        part = buf[off:off + size]
        if part.any():
            lines.append(f"{buf_name}[{off}:{off + size}] = [{_numbers(part)}]  # {node}.{name}")
    return "\n    ".join(lines)


def _table(a: np.ndarray) -> str:
    return "\n".join(" ".join(repr(float(v)) for v in row) for row in np.atleast_2d(a))


def script(ev, source_name: str) -> str:
    """The text of a script that trains ``ev``'s graph from its current state."""
    from .cli import networks

    plan = ev.plan
    ports = ev.metric_ports()
    gen = codegen.generate(plan, ports, [(n, "acc") for n in ev.test_nodes()])
    nets = networks({f"{n}.{p}": column for column, (n, p) in enumerate(ports)})  # network -> figure -> column
    settings = ev.graph.settings
    ran_test = bool(plan.test_steps) and len(plan.X_test) > 0
    params = {n: (off, shape) for (n, name), (off, shape) in plan.state_slots.items()
              if ev.graph.type_of(n).is_parameter and name == "value"}
    kernels = "\n\n".join(_kernel_sources(gen.kernels))
    order_src = textwrap.dedent(inspect.getsource(epoch_order))
    return TEMPLATE.format(
        source=source_name, kernels=kernels, functions=gen.functions, epoch_order=order_src,
        mem_size=plan.mem.size, smem_size=plan.smem.size,
        fill="\n    ".join(filter(None, [_fill("mem", plan.mem, plan.out_slots),
                                          _fill("smem", plan.smem, plan.state_slots)])) or "pass",
        consts=_numbers(gen.consts), seed=int(settings["seed"]), lr=repr(float(plan.lr[0])),
        batch=int(settings["batch_size"]), first_epoch=ev.epoch, n_metrics=len(ports),
        networks=repr(nets), ran_test=ran_test, params=repr(params), matrices=repr(gen.matrices),
        shapes=repr((plan.X_train.shape[1], plan.T_train.shape[1])),
        x_train=_table(plan.X_train), t_train=_table(plan.T_train),
        x_test=_table(plan.X_test), t_test=_table(plan.T_test),
        n_train=len(plan.X_train), n_test=len(plan.X_test))


TEMPLATE = '''#!/usr/bin/env python3
"""A neural network trained by backpropagation, written out by `nodeflow export` from {source}.

Each function below is one node of the graph (the very code nodeflow runs); `train`
calls them in the graph's order for every sample: forward, error, deltas, updates.
Every value on a wire lives in the array `mem`, every parameter and optimiser state
in `smem`. Needs only numpy.

    python this_script.py [--epochs N] [--json] [--save-weights FILE.json]
"""
import argparse
import io
import json
import math

import numpy as np

SEED = {seed}
LEARNING_RATE = {lr}
BATCH_SIZE = {batch}
FIRST_EPOCH = {first_epoch}  # epochs the graph had trained before it was exported
CONSTS = np.array([{consts}])  # node settings (optimiser, schedule), in the order train() reads them
PARAMETERS = {params}  # node -> (offset in smem, shape)
MATRICES = {matrices}  # the 2-D values train() takes as arguments: name -> (array, start, stop, shape)
NETWORKS = {networks}  # network -> figure -> column of the per-epoch stats


# -- node kernels -----------------------------------------------------------------------

{kernels}


# -- the graph as code -------------------------------------------------------------------

{functions}

{epoch_order}

# -- data and starting values ------------------------------------------------------------

def starting_memory():
    mem = np.zeros({mem_size})
    smem = np.zeros({smem_size})
    {fill}
    return mem, smem


def table(text, columns):
    if not text.strip():
        return np.zeros((0, columns))
    return np.loadtxt(io.StringIO(text), ndmin=2).reshape(-1, columns)


def percent(v):
    return "—" if v is None else f"{{100 * v:.1f}}%"


def loss_text(v):
    return "—" if v is None else f"{{v:.4f}}" if v >= 1e-3 or v == 0 else f"{{v:.3e}}"


def network_figures(row):
    """network -> {{"loss", "train_acc", "test_acc"}} -> value (None when not measured)"""
    return {{net: {{name: (float(row[col]) if name != "test_acc" or {ran_test} else None) for name, col in cols.items()}}
            for net, cols in NETWORKS.items()}}


def epoch_line(i, total, row):
    figures = network_figures(row)
    if len(figures) > 1:
        parts = [f"{{net}}: loss {{loss_text(f.get('loss'))}} train {{percent(f.get('train_acc'))}} "
                 f"test {{percent(f.get('test_acc'))}}" for net, f in figures.items()]
        return f"epoch {{i}}/{{total}}  " + "  |  ".join(parts)
    f = next(iter(figures.values()), {{}})
    return (f"epoch {{i}}/{{total}}  loss {{loss_text(f.get('loss'))}}  train {{percent(f.get('train_acc'))}}  "
            f"test {{percent(f.get('test_acc'))}}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="one JSON object per epoch")
    parser.add_argument("--save-weights", metavar="FILE", help="write the trained parameters as JSON")
    args = parser.parse_args()
    n_in, n_out = {shapes}
    X_train, T_train = table(X_TRAIN, n_in), table(T_TRAIN, n_out)
    X_test, T_test = table(X_TEST, n_in), table(T_TEST, n_out)
    mem, smem = starting_memory()
    row, epoch, batch_end, base_lr = np.zeros(1, dtype=np.int64), np.zeros(1), np.ones(1), np.array([LEARNING_RATE])
    backup_mem, backup_smem, saved = np.empty_like(mem), np.empty_like(smem), np.empty_like(mem)
    matrices = [{{"mem": mem, "smem": smem}}[buf][a:b].reshape(shape) for buf, a, b, shape in MATRICES.values()]
    for i in range(args.epochs):
        e = FIRST_EPOCH + i
        orders = epoch_order(SEED, e, len(X_train))[None, :]
        stats = np.zeros((1, {n_metrics}))
        if train(mem, smem, X_train, T_train, X_test, T_test, row, epoch, batch_end, base_lr, orders, e,
                 BATCH_SIZE, CONSTS, stats, backup_mem, backup_smem, saved, *matrices) < 1:
            raise SystemExit(f"diverged in epoch {{i + 1}}: a value became NaN or infinite; lower the learning rate")
        if args.json:
            first = next(iter(network_figures(stats[0]).values()), {{}})
            print(json.dumps({{"epoch": i + 1, "loss": first.get("loss"), "train_acc": first.get("train_acc"),
                              "test_acc": first.get("test_acc")}}), flush=True)
        else:
            print(epoch_line(i + 1, args.epochs, stats[0]), flush=True)
    if args.save_weights:
        with open(args.save_weights, "w") as f:
            json.dump({{node: smem[off:off + int(np.prod(shape))].reshape(shape).tolist()
                       for node, (off, shape) in PARAMETERS.items()}}, f)


# the data, already normalised and split as nodeflow serves it: {n_train} training and {n_test} test samples
X_TRAIN = """
{x_train}
"""
T_TRAIN = """
{t_train}
"""
X_TEST = """
{x_test}
"""
T_TEST = """
{t_test}
"""

if __name__ == "__main__":
    main()
'''
