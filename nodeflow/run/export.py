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

from ..data import epoch_order
from ..nodes.kernel import KERNELS, Kernel, with_callees
from . import codegen, report
from .plan import Plan, Slot
from .session import Session


def _kernel_sources(kernels: list[Kernel]) -> list[str]:
    """Plain-Python source of ``kernels`` and every kernel they call, callees first."""
    order = [k.name for k in with_callees(kernels)]
    numbers = {name: value for n in order for name in KERNELS[n].py.__code__.co_names
               if isinstance(value := KERNELS[n].py.__globals__.get(name), (int, float))}
    consts = "".join(f"{name} = {value!r}\n" for name, value in sorted(numbers.items()))
    return ([consts] if consts else []) + [re.sub(r"^@kernel(\(.*\))?\n", "", KERNELS[n].source) for n in order]


def _numbers(a: np.ndarray) -> str:
    return ", ".join(repr(float(v)) for v in np.asarray(a).ravel())


def _fill(buf_name: str, buf: np.ndarray, slots: dict[tuple[str, str], Slot]) -> str:
    """Lines that put the non-zero slots of ``buf`` in place, one per node value."""
    lines = []
    for (node, name), slot in sorted(slots.items(), key=lambda kv: kv[1].start):
        part = buf[slot.start:slot.stop]
        if part.any():
            lines.append(f"{buf_name}[{slot.start}:{slot.stop}] = [{_numbers(part)}]  # {node}.{name}")
    return "\n    ".join(lines)


def _table(a: np.ndarray) -> str:
    return "\n".join(" ".join(repr(float(v)) for v in row) for row in np.atleast_2d(a))


def _report_source() -> str:
    """The functions that format each epoch's line (``run.report``), without its docstring."""
    src = inspect.getsource(report)
    return src[src.index("SUFFIXES"):]


def script(session: Session, source_name: str) -> str:
    """The text of a script that trains the session's graph from where its run is now."""
    plan: Plan = session.plan
    run = session.run
    gen = codegen.generate(plan)
    columns = {f"{n}.{p}": k for k, (n, p) in enumerate(plan.metric_ports)}
    metrics = {name: f"{n}.{p}" for name, (n, p) in plan.metrics.items()}
    test_ports = [f"{n}.{p}" for n, p in plan.metric_ports if n in plan.test_nodes]
    flat = session.graph.flat()
    params = {n: (slot.start, slot.shape) for (n, name), slot in plan.state_slots.items()
              if flat.type_of(n).is_parameter and name == "value"}
    matrices = {name: (s.buf, s.start, s.stop, s.shape) for name, s in gen.matrices.items()}
    d = plan.data
    return TEMPLATE.format(
        source=source_name, kernels="\n\n".join(_kernel_sources(gen.kernels)), functions=gen.functions,
        epoch_order=textwrap.dedent(inspect.getsource(epoch_order)), report=_report_source(),
        signature=repr(codegen.SIGNATURE), mem_size=plan.mem_size, smem_size=plan.smem_size,
        fill="\n    ".join(filter(None, [_fill("mem", run.mem, plan.out_slots),
                                          _fill("smem", run.smem, plan.state_slots)])) or "pass",
        consts=_numbers(gen.consts), seed=plan.seed, lr=repr(float(run.inputs["base_lr"][0])),
        batch=plan.batch_size, first_epoch=run.epoch, columns=repr(columns), metrics=repr(metrics),
        test_ports=repr(test_ports), ran_test=plan.has_test_pass, params=repr(params), matrices=repr(matrices),
        shapes=repr(d.shapes), x_train=_table(d.X_train), t_train=_table(d.T_train),
        x_test=_table(d.X_test), t_test=_table(d.T_test), n_train=len(d.train), n_test=len(d.test),
        skipped="".join(f"\nLeft out, as nodeflow leaves it out (it feeds no loss): {n} ({why})."
                        for n, why in plan.skipped.items()))


TEMPLATE = '''#!/usr/bin/env python3
"""A neural network trained by backpropagation, written out by `nodeflow export` from {source}.

Each function below is one node of the graph (the very code nodeflow runs); `train`
calls them in the graph's order for every sample: forward, error, deltas, updates.
Every value on a wire lives in the array `mem`, every parameter and optimiser state
in `smem`. Needs only numpy.{skipped}

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
CONSTS = np.array([{consts}])  # node settings (optimiser, schedule) and zeros (unwired inputs), as train() reads them
PARAMETERS = {params}  # node -> (offset in smem, shape)
MATRICES = {matrices}  # the 2-D values train() takes as arguments: name -> (array, start, stop, shape)
SIGNATURE = {signature}  # train()'s fixed arguments, in order
COLUMNS = {columns}  # metric port -> its column in the per-epoch stats
METRICS = {metrics}  # figure -> the metric port showing it
TEST_PORTS = {test_ports}  # measured on the test set (only when there is one)
RAN_TEST = {ran_test}


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


# -- what each epoch prints (the same code as `nodeflow run`) ----------------------------

{report}

def figures_of(row):
    """(loss, train_acc, test_acc figures; every metric port's value) of one epoch's stats row."""
    values = {{port: float(row[col]) for port, col in COLUMNS.items() if RAN_TEST or port not in TEST_PORTS}}
    return {{name: values.get(port) for name, port in METRICS.items()}}, values


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
    values = dict(mem=mem, smem=smem, X_train=X_train, T_train=T_train, X_test=X_test, T_test=T_test, row=row,
                  epoch=epoch, batch_end=batch_end, base_lr=base_lr, batch=BATCH_SIZE, consts=CONSTS,
                  backup_mem=backup_mem, backup_smem=backup_smem, saved=saved)
    for i in range(args.epochs):
        e = FIRST_EPOCH + i
        values.update(orders=epoch_order(SEED, e, len(X_train))[None, :], first_epoch=e,
                      stats=np.zeros((1, len(COLUMNS))))
        if train(*(values[name] for name in SIGNATURE), *matrices) < 1:
            raise SystemExit(f"diverged in epoch {{i + 1}}: a value became NaN or infinite; lower the learning rate")
        figures, metric_values = figures_of(values["stats"][0])
        if args.json:
            print(json.dumps(epoch_record(i + 1, figures, metric_values)), flush=True)
        else:
            print(epoch_line(i + 1, args.epochs, figures, metric_values), flush=True)
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
