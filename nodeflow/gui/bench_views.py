"""What live view pictures cost a run: ``python -m nodeflow.gui.bench_views [--epochs 200] [--rounds 2]``.

Trains ``graphs/circle_regions.json`` (decision regions, hidden-unit pictures, confusion matrices,
probabilities) for EPOCHS epochs without animation in the editor, fitted at 1280x800, three ways:
the views on screen, the views scrolled out of view, and the view nodes deleted; each in a fresh
editor process after a short warm-up run (so the fast engine is compiled first), the rounds
interleaved. Reports the run's wall time, the pictures drawn and the time spent drawing them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from .scripting import result, run_editor, settled, until, virtual_display

CASES = ("views on screen", "views out of view", "no view nodes")
OPTIONS = "NODEFLOW_BENCH_VIEWS"


def script(app):
    """Inside the editor: warm up, arrange the case, train, report."""
    o = json.loads(os.environ[OPTIONS])
    c, cv = app.ctrl, app.canvas
    yield from settled(app)
    c.animate, c.run_epochs = False, 3
    c.toggle_run()  # compiles the fast engine (in the background) outside the timing
    yield from until(lambda: not c.running and c.session.compiled(wait=False) is not None, 100000, "the warm-up")
    views = [n for n in c.graph.node_ids if c.graph.type_of(n).family == "view"]
    if o["case"] == "no view nodes":
        c.delete(views)
    cv.fit()
    if o["case"] == "views out of view":  # the network stays in view, the row of views above it does not
        bottom = max(cv.nodes[n].rect()[1] + cv.nodes[n].rect()[3] for n in views)
        cv.look_at((cv.view.center[0], cv.view.center[1] + bottom - cv.in_view()[1] + 10))  # past the margin too
    yield 10
    shown = [n for n in views if n in cv.nodes and cv.nodes[n].rect()[1] < cv.view.visible()[3]
             and cv.nodes[n].rect()[1] + cv.nodes[n].rect()[3] > cv.view.visible()[1]]
    pics = cv.values.views
    n0, s0, f0, t0 = pics.count, pics.seconds, app.frames, len(app.frame_times)
    c.run_epochs = o["epochs"]
    start = time.perf_counter()
    c.toggle_run()
    yield from until(lambda: not c.running, 10 ** 6, "the run")
    seconds = time.perf_counter() - start
    update, shown_ms = sum(app.frame_times[t0:]), sum(app.view_times[t0:])
    result({"seconds": seconds, "pictures": pics.count - n0, "picture_ms": 1000 * (pics.seconds - s0),
            "frames": app.frames - f0, "views in view": len(shown), "epoch": c.session.epoch,
            "train_s": update - shown_ms, "show_s": shown_ms})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nodeflow.gui.bench_views", description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args(argv)
    graph = Path(__file__).resolve().parents[2] / "graphs" / "circle_regions.json"
    runs: dict[str, list[dict]] = {case: [] for case in CASES}
    with virtual_display("1344x864") as display:
        for _ in range(a.rounds):
            for case in CASES:
                os.environ[OPTIONS] = json.dumps({"case": case, "epochs": a.epochs})
                runs[case].append(run_editor("nodeflow.gui.bench_views:script", graph, display=display,
                                             size="1280x800", timeout=3600))
    print(f"{graph.name}: {a.epochs} epochs without animation in a 1280x800 editor, fitted ({a.rounds} rounds each)")
    for case, rs in runs.items():
        secs = ", ".join(f"{r['seconds']:.2f}" for r in rs)
        best = min(rs, key=lambda r: r["seconds"])
        print(f"  {case:18s} {secs} s   (best: training {best['train_s']:.2f} s, showing {best['show_s']:.2f} s, "
              f"{best['frames']} frames; {best['views in view']} views in view, {best['pictures']} pictures drawn in "
              f"{best['picture_ms']:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
