"""The ``nodeflow`` command.

    nodeflow                      open the editor on the bundled XOR example
    nodeflow open FILE            open a graph file in the editor
    nodeflow new mlp ...          write a generated network to a graph file
    nodeflow run FILE ...         train headless, one line per epoch (compiled, or --engine step)
    nodeflow check FILE           validate a graph file
    nodeflow gradcheck FILE       compare backprop's gradients with numerical ones
    nodeflow export FILE -o PY    write the graph as a standalone numpy training script
    nodeflow bench                time the engines against plain-Python and numpy references

A user mistake prints one line on stderr and exits with status 2; training that
diverges (NaN or infinity) stops with status 3, keeping the weights from before.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..data.builtin import BUILTIN

from ..errors import NodeflowError
from ..run import report

EXAMPLES = Path(__file__).resolve().parents[2] / "graphs"
BUNDLED = EXAMPLES / "xor.json"  # what `nodeflow` opens with no file


def _line(count: int, total: int, s) -> str:
    return report.epoch_line(count, total, s.as_dict(), s.values)


def cmd_new(a) -> int:
    from ..document.builders import mlp
    from ..document.files import save

    try:
        layers = [int(v) for v in a.layers.split(",")]
    except ValueError:
        raise NodeflowError(f"--layers must be sizes separated by commas, like 7,5,3 (got {a.layers!r})") from None
    out = Path(a.output)
    data = a.data
    base = Path.cwd()
    g = mlp(layers, a.activation, lr=a.lr, data=data, seed=a.seed, split=a.split, base_dir=base, init=a.init,
            samples=a.samples)
    save(g, out)
    print(f"wrote {out}: {len(g.node_ids)} nodes, {len(g.links())} links; {g.data().describe()}")
    return 0


def _load_for_run(a):
    from ..document.files import load

    g = load(a.file)
    if a.lr is not None:
        g.set_setting("lr", a.lr)
        own = [f"{n} ({g.params(n)['rate']:g})" for n in g.nodes_of_type("LearningRate") if g.params(n)["rate"] > 0]
        if own:
            print(f"nodeflow: note: --lr {a.lr:g} does not change the rate {', '.join(own)} "
                  "set for the updates wired to it", file=sys.stderr)
    return g


def cmd_run(a) -> int:
    from ..document.files import save
    from ..errors import Diverged
    from ..run.session import Session
    from .progress import Progress

    if a.epochs < 0:
        raise NodeflowError("--epochs must be 0 or more")
    if a.folds:
        return run_folds(a)
    g = _load_for_run(a)
    ev = Session(g)
    ev.prepare()  # NotReady says why before anything is printed
    bar = Progress(a.epochs)
    count = 0
    warned = False

    def on_epoch(s):
        nonlocal count, warned
        count += 1
        bar.clear()
        if a.json:
            print(json.dumps(report.epoch_record(count, s.as_dict(), s.values)), flush=True)
        else:
            print(_line(count, a.epochs, s), flush=True)
        if s.warning and not warned:
            print(f"nodeflow: warning: epoch {count}: {s.warning}", file=sys.stderr, flush=True)
        warned = bool(s.warning)
        bar.update(count)

    status = 0
    try:
        ev.train(a.epochs, samples=a.samples, on_epoch=on_epoch, engine=a.engine)
    except Diverged as e:
        bar.clear()
        ev.step_back()  # back to the start of the bad sample: every weight as before it
        print(f"nodeflow: error: {e}", file=sys.stderr, flush=True)
        status = 3
    finally:
        bar.clear()
    if status == 0 and a.samples is not None and count < a.epochs:
        msg = f"stopped after {a.samples} sample steps (epoch {count + 1}, sample {ev.sample} of {ev.n_train})"
        print(json.dumps({"stopped": True, "samples": a.samples}) if a.json else msg, flush=True)
    if a.save:
        ev.apply()
        save(g, a.save)
        if not a.json:
            print(f"saved {a.save}")
    return status


def run_folds(a) -> int:
    """K-fold cross-validation: every fold starts from the file's weights and tests on its own part."""
    from ..run.session import Session
    from .progress import Progress

    if a.save or a.samples is not None:
        raise NodeflowError("--folds cannot be combined with --save or --samples")
    bar = Progress(a.folds * a.epochs)
    accs = []
    for k in range(a.folds):
        ev = Session(_load_for_run(a), fold=(k, a.folds))
        ev.prepare()
        done = k * a.epochs

        def tick(s, done=done):
            bar.update(done + s.epoch - ev.stats[0].epoch + 1)
        stats = ev.train(a.epochs, on_epoch=tick, engine=a.engine)
        last = stats[-1] if stats else None
        bar.clear()
        acc = last.test_acc if last else None
        accs.append(acc)
        n_test = len(ev.plan.data.test)
        if a.json:
            print(json.dumps({"fold": k + 1, "test_acc": acc, "train_acc": last and last.train_acc,
                              "loss": last and last.loss, "test_samples": n_test}), flush=True)
        else:
            print(f"fold {k + 1}/{a.folds}  test {report.percent(acc)}  train {report.percent(last and last.train_acc)}"
                  f"  ({n_test} test samples)", flush=True)
    known = [x for x in accs if x is not None]
    mean = sum(known) / len(known) if known else None
    if a.json:
        print(json.dumps({"folds": a.folds, "mean_test_acc": mean, "scores": accs}))
    else:
        print(f"mean test accuracy {report.percent(mean)} over {a.folds} folds")
    return 0


def cmd_gradcheck(a) -> int:
    from ..document.files import load
    from ..run.gradcheck import BAD, GOOD, gradcheck
    from ..run.session import Session

    ev = Session(load(a.file))
    results = gradcheck(ev, samples=a.samples)
    width = max([len(r.node) for r in results] + [9])
    uwidth = max([len(r.update) for r in results] + [6])
    print(f"{'parameter':<{width}}  {'update':<{uwidth}}  rel. error  abs. error")
    for r in results:
        print(f"{r.node:<{width}}  {r.update:<{uwidth}}  {r.rel_error:10.2e}  {r.abs_error:10.2e}  {r.verdict}")
    bad = [r for r in results if r.rel_error > BAD]
    if bad:
        print(f"backprop disagrees with the numerical gradient for {', '.join(r.node for r in bad)} "
              f"(relative error over {BAD:g}): check the wiring of their deltas and updates", file=sys.stderr)
        return 1
    worst = max((r.rel_error for r in results), default=0.0)
    print(f"gradients agree (largest relative error {worst:.1e}; under {GOOD:g} is right)")
    return 0


def cmd_check(a) -> int:
    from ..document.files import load
    from ..errors import GraphFileError

    try:
        g = load(a.file)
    except GraphFileError as e:
        for p in e.problems:
            print(f"{a.file}: {p}", file=sys.stderr)
        return 2
    problems = g.problems()
    if problems:
        for p in problems:
            print(f"{a.file}: {p}", file=sys.stderr)
        return 2
    print(f"ok: {len(g.node_ids)} nodes, {len(g.links())} links")
    return 0


def cmd_export(a) -> int:
    from ..document.files import atomic_write, load
    from ..run.export import script
    from ..run.session import Session

    ev = Session(load(a.file))
    ev.prepare()  # NotReady says why the graph cannot run
    atomic_write(a.output, script(ev, Path(a.file).name))
    print(f"wrote {a.output}: run it with `python {a.output} --epochs N` (needs only numpy)")
    return 0


def cmd_bench(a) -> int:
    from ..bench import cmd_bench as bench

    return bench(a)


def cmd_open(a) -> int:
    from ..gui import run_editor

    return run_editor(a.file or (str(BUNDLED) if BUNDLED.exists() else None))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nodeflow", description="Backpropagation taken apart into nodes you can "
                                "wire, step, watch and train.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    o = sub.add_parser("open", help="open a graph file in the editor")
    o.add_argument("file", nargs="?", help="graph file (default: the XOR example)")
    o.set_defaults(fn=cmd_open)

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

    r = sub.add_parser("run", help="train a graph headless")
    r.add_argument("file")
    r.add_argument("--epochs", type=int, required=True)
    r.add_argument("--samples", type=int, default=None, help="stop after this many sample steps")
    r.add_argument("--save", help="write the trained graph here")
    r.add_argument("--json", action="store_true", help="one JSON object per epoch")
    r.add_argument("--lr", type=float, default=None, help="use this learning rate instead of the file's")
    r.add_argument("--folds", type=int, default=0, help="k-fold cross-validation: per-fold and mean test accuracy")
    r.add_argument("--engine", choices=["fast", "step"], default="fast",
                   help="fast: whole epochs compiled (default); step: the stepping evaluator. Same numbers")
    r.set_defaults(fn=cmd_run)

    x = sub.add_parser("export", help="write the graph as a standalone training script (numpy only)")
    x.add_argument("file")
    x.add_argument("-o", "--output", required=True, help="the script to write, e.g. train.py")
    x.set_defaults(fn=cmd_export)

    from ..bench import add_arguments
    b = add_arguments(sub.add_parser("bench", help="time the stepper and the fast engine against references"))
    b.set_defaults(fn=cmd_bench)

    gc = sub.add_parser("gradcheck", help="compare backprop's gradients with numerical ones")
    gc.add_argument("file")
    gc.add_argument("--samples", type=int, default=3, help="training samples to check on (default 3)")
    gc.set_defaults(fn=cmd_gradcheck)

    c = sub.add_parser("check", help="validate a graph file")
    c.add_argument("file")
    c.set_defaults(fn=cmd_check)
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
    except KeyboardInterrupt:
        print("nodeflow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
