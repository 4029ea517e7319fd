"""``nodeflow run``: train a graph headless, one line per epoch; and K-fold cross-validation."""
from __future__ import annotations

import json
import sys

from ..errors import NodeflowError
from ..limits import INT64_MAX, MAX_EPOCHS, brief
from ..run import report


def add_parser(sub) -> None:
    r = sub.add_parser("run", help="train a graph headless")
    r.add_argument("file")
    r.add_argument("--epochs", type=int, required=True)
    r.add_argument("--samples", type=int, default=None, help="stop after this many sample steps")
    r.add_argument("--save", help="write the trained graph here")
    r.add_argument("--json", action="store_true", help="one JSON object per epoch")
    r.add_argument("--lr", type=float, default=None, help="use this learning rate instead of the file's")
    r.add_argument("--folds", type=int, default=None,
                   help="k-fold cross-validation (k at least 2): per-fold and mean test accuracy")
    r.add_argument("--engine", choices=["fast", "step"], default="fast",
                   help="fast: whole epochs compiled (default); step: the stepping evaluator. Same numbers")
    r.set_defaults(fn=cmd_run)


def _line(count: int, total: int, s) -> str:
    return report.epoch_line(count, total, s.as_dict(), s.values)


def skipped_note(skipped: dict[str, str]) -> str:
    """One line: the nodes a run leaves out, and why."""
    return "skipped (they feed no loss): " + "; ".join(f"{n}: {why}" for n, why in skipped.items())


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

    _check_arguments(a)
    if a.folds is not None:
        return run_folds(a)
    g = _load_for_run(a)
    if g.trained_epochs + a.epochs > MAX_EPOCHS:
        raise NodeflowError(f"--epochs {a.epochs} after the file's {g.trained_epochs} would pass {MAX_EPOCHS} epochs")
    ev = Session(g, history=2)  # the CLI steps back at most once (after a divergence)
    ev.prepare()  # NotReady says why before anything is printed
    if ev.plan.skipped:
        print(f"nodeflow: note: {skipped_note(ev.plan.skipped)}", file=sys.stderr, flush=True)
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
    if a.save is not None:
        ev.apply()
        save(g, a.save)
        if not a.json:
            print(f"saved {a.save}")
    return status


def _check_arguments(a) -> None:
    """Every argument that can be refused, refused before any work (the --save path included)."""
    from ..outputs import check_output

    if not 0 <= a.epochs <= MAX_EPOCHS:
        raise NodeflowError(f"--epochs must be 0 or more and at most {MAX_EPOCHS}, not {brief(a.epochs)}")
    if a.samples is not None and a.samples < 0:
        raise NodeflowError(f"--samples must be 0 or more, not {a.samples}")
    if a.samples is not None and a.samples > INT64_MAX:
        raise NodeflowError(f"--samples must be at most {INT64_MAX}, not {brief(a.samples)}")
    if a.folds is not None:
        if a.folds < 2:
            raise NodeflowError(f"--folds must be at least 2 (train on k-1 parts, test on 1), not {a.folds}")
        if a.save is not None or a.samples is not None:
            raise NodeflowError("--folds cannot be combined with --save or --samples")
    if a.save is not None:
        check_output(a.save, "--save")


def run_folds(a) -> int:
    """K-fold cross-validation: every fold starts from the file's weights and tests on its own part."""
    from ..run.session import Session
    from .progress import Progress

    bar = Progress(a.folds * a.epochs)
    accs, test_losses = [], []
    for k in range(a.folds):
        ev = Session(_load_for_run(a), fold=(k, a.folds), history=2)
        ev.prepare()
        done = k * a.epochs

        def tick(s, done=done):
            bar.update(done + s.epoch - ev.stats[0].epoch + 1)
        stats = ev.train(a.epochs, on_epoch=tick, engine=a.engine)
        last = stats[-1] if stats else None
        bar.clear()
        acc, test_loss = (last.test_acc, last.test_loss) if last else (None, None)
        accs.append(acc)
        test_losses.append(test_loss)
        n_test = len(ev.plan.data.test)
        if a.json:
            print(json.dumps({"fold": k + 1, "test_acc": acc, "train_acc": last and last.train_acc,
                              "loss": last and last.loss, "test_loss": test_loss, "test_samples": n_test}), flush=True)
        else:
            losses = f"  test loss {report.loss_text(test_loss)}" if test_loss is not None else ""
            print(f"fold {k + 1}/{a.folds}  test {report.percent(acc)}  train {report.percent(last and last.train_acc)}"
                  f"{losses}  ({n_test} test samples)", flush=True)
    mean, mean_loss = _mean(accs), _mean(test_losses)
    if a.json:
        print(json.dumps({"folds": a.folds, "mean_test_acc": mean, "scores": accs, "mean_test_loss": mean_loss,
                          "test_losses": test_losses}))
    else:
        print(f"mean test accuracy {report.percent(mean)} over {a.folds} folds"
              + (f", mean test loss {report.loss_text(mean_loss)}" if mean_loss is not None else ""))
    return 0


def _mean(values: list) -> float | None:
    known = [x for x in values if x is not None]
    return sum(known) / len(known) if known else None
