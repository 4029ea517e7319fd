"""``nodeflow bench``: how fast the graph trains, against references written here.

For each per-sample workload it times, on this machine and in one run:

- **explicit loop**: the training written out by hand as one numba function of plain
  loops over rows and columns, scratch arrays allocated once (``explicit``): the limit,
  the reference row every other row's time is a ratio to (``×ref``);
- **plain Python**: lists and floats, one sample at a time (``train_python``);
- **numpy**: numpy arrays, one sample at a time (``train_numpy``);
- **stepper**: ``Session(g).train(epochs, engine="step")``;
- **fast engine**: ``Session(g).train(epochs)``, the compiled engine.

The references run exactly the graph's algorithm from the graph's own initial weights:
forward pass, squared error E = ½Σ(t−y)², output delta (y−t)·slope, hidden delta
(Wᵀδ)·slope, then SGD with batch size 1 (W ← W − lr·δxᵀ, b ← b − lr·δ), the samples
served in ``epoch_order(seed, epoch, n)`` order. Like the graph they also keep each
epoch's mean loss and train accuracy; every workload trains on all of its samples, so
the graph has no test pass either. Only training is timed: loading data, building
the graph and its plan, and the fast engine's first call (compilation, done on a
separate copy) are not. The explicit loop and the fast engine, a fraction of a second
each, are timed over three whole runs (the median).

The mini-batch workload (``minibatch``: a 784-100-10 network, batches of 64 as
matrices) has its own rows: numpy mini-batches (its reference), torch on the CPU when
installed, and the fast engine.

Modules: ``references`` and ``explicit`` (the per-sample references; ``loops``: the explicit
loop's numba functions), ``minibatch``,
``workloads``, ``measure`` (timing, rows), ``table``. Nothing in nodeflow's core imports
this package.

Slow implementations on big workloads are measured on a prefix of the samples (about
``budget`` seconds of work) and their full-run time is extrapolated; the explicit loop,
the fast engine, and every implementation on the seeds workload, always run in full.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BUDGET = 3.0  # seconds of work a slow implementation gets on a big workload
QUICK_BUDGET = 0.3


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options of ``nodeflow bench``."""
    p.add_argument("--quick", action="store_true", help="small sizes: a fast look (seconds, not a minute)")
    p.add_argument("--json", action="store_true", help="one JSON object per row instead of the table")
    p.add_argument("--only", action="append", metavar="NAME",
                   choices=("seeds", "adding", "xor", "digits", "minibatch"),
                   help="run only this workload: seeds, adding, xor, digits or minibatch (may be repeated)")
    p.add_argument("--budget", type=float, default=None,
                   help=f"seconds a slow implementation gets on a big workload before its time is extrapolated "
                        f"(default {BUDGET:g}; --quick {QUICK_BUDGET:g})")
    return p


def cmd_bench(a: argparse.Namespace) -> int:
    """Run the benchmark with the options of ``add_arguments``; prints the table (or JSON rows). Returns 0."""
    import tempfile

    from .measure import bench_workload
    from .table import format_table, header_lines
    from .workloads import workloads

    quick, as_json, only = getattr(a, "quick", False), getattr(a, "json", False), getattr(a, "only", None)
    budget = getattr(a, "budget", None)
    if budget is None:
        budget = QUICK_BUDGET if quick else BUDGET
    progress = not as_json and sys.stderr.isatty()
    with tempfile.TemporaryDirectory(prefix="nodeflow-bench-") as folder:
        ws = [w for w in workloads(Path(folder), quick=quick) if not only or w.name in only]
        if not as_json:
            print("\n".join(header_lines(ws)), flush=True)
        rows = []
        for w in ws:
            if progress:
                print(f"measuring {w.title} ...", end="\r", file=sys.stderr, flush=True)
            wrows = bench_workload(w, budget)
            rows.extend(wrows)
            if as_json:
                for r in wrows:
                    print(json.dumps(dict(r.as_dict(), data=w.data, epochs=w.epochs)), flush=True)
        if progress:
            print(" " * 60, end="\r", file=sys.stderr, flush=True)
        if not as_json:
            print(format_table(rows))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m nodeflow.bench [--quick] [--json] [--only NAME]``."""
    p = add_arguments(argparse.ArgumentParser(prog="nodeflow bench", description="Time the stepper and the fast "
                                            "engine against plain-Python and numpy per-sample references."))
    return cmd_bench(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
