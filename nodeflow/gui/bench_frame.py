"""Per-frame cost of the editor: ``python -m nodeflow.gui.bench_frame`` (``--idle S``: the CPU an
idle editor uses over S seconds).

On a 60-node, 100-wire network (an MLP with eight layers of weights) it measures the
Python time of each frame (``App.update``: advancing the run, the canvas, the panels)
while an animated run steps nodes with pulses in flight, while the view pans, while it
zooms, and with nothing happening; and it counts the drawing calls each frame makes, to
show that panning and zooming redo no work that did not change (panning: one transform;
zooming: text sizes and thicknesses, no values). A frame at 60 Hz has 16.7 ms.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .scripting import result, run_editor, virtual_display

FRAMES = 240
LAYERS = [2, 4, 4, 4, 4, 4, 4, 4, 1]  # eight layers of weights: 60 nodes, 100 wires


def _figures(seconds: list[float]) -> dict:
    ms = np.array(seconds) * 1000
    return {"frames": len(ms), "mean_ms": round(float(ms.mean()), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3),
            "max_ms": round(float(ms.max()), 3)}


class Calls:
    """Counts dearpygui drawing calls (configure_item, apply_transform, set_value) per frame."""

    NAMES = ("configure_item", "apply_transform", "set_value")

    def __init__(self, dpg):
        self.dpg, self.n, self.saved = dpg, 0, {}
        for name in self.NAMES:
            fn = self.saved[name] = getattr(dpg, name)
            setattr(dpg, name, self._counting(fn))

    def _counting(self, fn):
        def counted(*a, **kw):
            self.n += 1
            return fn(*a, **kw)
        return counted

    def take(self) -> int:
        n, self.n = self.n, 0
        return n


def _measure(app, frames: int, each=None):
    """Run ``frames`` frames (calling ``each(k)`` before each) and collect the frame times, the
    drawing calls and how often values were shown."""
    start = len(app.frame_times)
    calls, shown = [], []
    for k in range(frames):
        if each is not None:
            each(k)
        before = app.canvas.values.version
        app.calls.take()
        yield 0
        calls.append(app.calls.take())
        shown.append(app.canvas.values.version - before)
    times = app.frame_times[start + 1:]
    return {"update": _figures(times), "calls per frame": round(float(np.mean(calls[1:])), 1),
            "values shown in": f"{sum(shown[1:])} of {frames - 1} frames"}


def script(app):
    """Inside the editor: animate, pan, zoom, idle; report per-frame figures."""
    import dearpygui.dearpygui as dpg

    c, cv = app.ctrl, app.canvas
    app.calls = Calls(dpg)
    yield 5
    cv.view.look_at(1.0, cv.view.center)  # detail: pins, values, labels
    c.step_sample()  # builds the plan and loads the compiled kernels outside the timing
    yield 5
    out = {"nodes": len(c.graph.node_ids), "wires": len(c.graph.links())}
    for unit, speed in (("nodes", 12.0), ("samples", 3.0)):
        c.animate, c.speed_unit, c.speed, c.run_epochs = True, unit, speed, 1000
        c.toggle_run()
        pulses = []
        animated = yield from _measure(app, FRAMES, lambda k: pulses.append(len(cv.pulses.flying)))
        animated["pulses in flight (mean)"] = round(float(np.mean(pulses)), 1)
        out[f"animated run, {speed:g} {unit}/s"] = animated
        c.cancel_run()
        yield 30  # let the last pulses land
    out["pan 3 px a frame"] = yield from _measure(app, FRAMES, lambda k: cv.view.pan(3, 1))
    out["zoom a notch a frame"] = yield from _measure(
        app, FRAMES, lambda k: cv.view.wheel(cv.view.middle(), 1 if k % 8 < 4 else -1))
    out["nothing happening"] = yield from _measure(app, FRAMES)
    result(out)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle(seconds: float, file: str | Path) -> dict:
    """Start the editor on ``file`` (no script: its real loop) on a private screen, let it settle, then
    measure the share of one core it uses over ``seconds`` while nobody touches it."""
    with virtual_display("1700x1100") as display:
        env = dict(os.environ, DISPLAY=display)
        p = subprocess.Popen([sys.executable, "-m", "nodeflow.gui.app", str(file)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(6.0)
            c0, t0 = cpu_seconds(p.pid), time.monotonic()
            time.sleep(seconds)
            c1, t1 = cpu_seconds(p.pid), time.monotonic()
        finally:
            p.terminate()
            p.wait(timeout=10)
    return {"seconds": round(t1 - t0, 2), "cpu_seconds": round(c1 - c0, 3), "percent": round(100 * (c1 - c0) / (t1 - t0), 2)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nodeflow.gui.bench_frame", description=__doc__.splitlines()[0])
    ap.add_argument("--idle", type=float, metavar="S", help="measure the CPU of an idle editor over S seconds instead")
    a = ap.parse_args(argv)
    if a.idle:
        graph = Path(__file__).resolve().parents[2] / "graphs" / "xor.json"
        r = idle(a.idle, graph)
        print(f"idle editor on {graph.name}: {r['cpu_seconds']} s of CPU in {r['seconds']} s = {r['percent']} % of a core")
        return 0
    from ..document.builders import mlp
    from ..document.files import save

    with tempfile.TemporaryDirectory() as tmp, virtual_display("1700x1100") as display:
        path = Path(tmp) / "deep.json"
        save(mlp(LAYERS, data="xor", lr=0.5), path)
        r = run_editor("nodeflow.gui.bench_frame:script", path, display=display, size="1600x1000", timeout=900)
    print(f"{r['nodes']} nodes, {r['wires']} wires, 1600x1000 window at 100 % zoom; Python time per frame "
          "(App.update: run, canvas, panels), drawing calls per frame, frames in which values were shown:")
    for what, f in r.items():
        if not isinstance(f, dict):
            continue
        u = f["update"]
        extra = f"   pulses in flight {f['pulses in flight (mean)']}" if "pulses in flight (mean)" in f else ""
        print(f"  {what:34s} mean {u['mean_ms']:6.3f} ms  p95 {u['p95_ms']:6.3f} ms  max {u['max_ms']:6.3f} ms   "
              f"calls {f['calls per frame']:6.1f}   values shown in {f['values shown in']}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
