"""Per-frame cost of the editor: ``python -m nodeflow.gui.bench_frame``.

Animates the 7-5-3 wheat-seeds network (one node per frame, then one sample per
frame) and reports the mean and 95th percentile of the Python time per frame spent
updating every pin text, wire colour, highlight and panel, and of the evaluation step.
A frame at 60 Hz has 16.7 ms.
"""
from __future__ import annotations

import argparse
import sys
import time
import tempfile
from pathlib import Path

import numpy as np

from .scripting import result, run_editor, virtual_display

FRAMES = 150


def _figures(seconds: list[float]) -> dict:
    ms = np.array(seconds) * 1000
    return {"frames": len(ms), "mean_ms": round(float(ms.mean()), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3),
            "max_ms": round(float(ms.max()), 3)}


def script(app):
    """Inside the editor: one step per frame; time the step, the view update and the frame."""
    c = app.ctrl
    yield 5
    c.step_sample()  # builds the plan (and loads compiled kernels) outside the timing
    yield 5
    out = {"nodes": len(c.graph.node_ids), "links": len(c.graph.links())}
    for unit, step in (("node", c.step_node), ("sample", c.step_sample)):
        start = len(app.frame_times)
        steps, walls = [], []
        last = time.perf_counter()
        for _ in range(FRAMES):
            t = time.perf_counter()
            walls.append(t - last)
            last = t
            step()
            steps.append(time.perf_counter() - t)
            yield 0  # the next frame shows this step
        out[f"one {unit} per frame"] = {"view": _figures(app.view_times[start + 1:]), "step": _figures(steps),
                                        "whole frame": _figures(walls[1:])}
    result(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nodeflow.gui.bench_frame", description=__doc__.splitlines()[0])
    ap.parse_args(argv)
    from ..document.builders import mlp
    from ..document.files import save

    with tempfile.TemporaryDirectory() as tmp, virtual_display() as display:
        path = Path(tmp) / "seeds.json"
        save(mlp([7, 5, 3], data="wheat-seeds", lr=0.3), path)
        r = run_editor("nodeflow.gui.bench_frame:script", path, display=display, timeout=600)
    print(f"7-5-3 seeds graph: {r['nodes']} nodes, {r['links']} wires; Python time per frame:")
    print("  view = writing pin values, wire colours, highlights, panels; step = the evaluator;")
    print("  whole frame = wall time including rendering (software OpenGL under Xvfb: not the editor's cost)")
    for what in ("one node per frame", "one sample per frame"):
        for part, f in r[what].items():
            print(f"{what:22s} {part:12s} mean {f['mean_ms']:7.3f} ms   p95 {f['p95_ms']:7.3f} ms   "
                  f"max {f['max_ms']:7.3f} ms   ({f['frames']} frames)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
