"""``nodeflow shot``: the editor's picture of a graph file (or of a group's inside), and where
everything is on it.

``shoot(...)`` runs the editor in its own process (on the display given, or on a private
Xvfb screen) with ``script``, which trains if asked, fits the view if asked, saves the
window as a PNG (with a node selected, if asked: the inspector shows it) and, with ``layout``, writes the canvas's rectangle and every node's
rectangle in window pixels as JSON: ``{"canvas": [x, y, w, h], "nodes": {id: [x, y, w, h]}}``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import NodeflowError

OPTIONS = "NODEFLOW_SHOT"  # how the options reach the editor process (JSON)


def script(app):
    """Inside the editor: wait for the canvas, train, fit, then write the picture and the rectangles."""
    import dearpygui.dearpygui as dpg

    from .scripting import settled, until

    o = json.loads(os.environ[OPTIONS])
    dpg.set_viewport_pos([0, 0])
    c, cv = app.ctrl, app.canvas
    yield from settled(app)
    if o.get("samples"):
        for _ in range(o["samples"]):
            if not c.step_sample():
                raise NodeflowError(c.message.text)
    elif o.get("epochs"):
        c.animate, c.run_epochs = False, o["epochs"]
        c.toggle_run()
        yield from until(lambda: not c.running, 100000, "training")
        if c.message.kind == "error":
            raise NodeflowError(c.message.text)
    for node in o.get("groups") or ():
        if not c.open_group(node):
            raise NodeflowError(c.message.text)
        yield from until(lambda: not cv.animating, 300, "the group's inside")
    if o.get("fit"):
        cv.fit()
    if o.get("select"):
        cv.select([o["select"]], [])
    yield 6
    if o.get("layout"):
        rects = {"canvas": list(cv.rect_in_window()), "nodes": {n: list(cv.screen_rect(n)) for n in cv.nodes}}
        Path(o["layout"]).write_text(json.dumps(rects, indent=1) + "\n")
    out = Path(o["out"])
    out.unlink(missing_ok=True)
    app.screenshot(out)
    yield from until(lambda: out.exists() and out.stat().st_size > 0, 300, "the picture to be written")
    yield 2


def shoot(file: str | Path, out: str | Path, *, size: tuple[int, int] = (1280, 800), fit: bool = False,
          samples: int = 0, epochs: int = 0, layout: str | Path | None = None, display: str | None = None,
          groups: list[str] | None = None, select: str | None = None) -> None:
    """Save the editor's picture of ``file`` as ``out`` (PNG), inside ``groups`` (outermost first) if
    given, with the node ``select`` selected; raises NodeflowError with one line."""
    from .scripting import run_editor, virtual_display

    opts = {"out": str(Path(out).resolve()), "fit": fit, "samples": samples, "epochs": epochs,
            "layout": str(Path(layout).resolve()) if layout else None, "groups": groups or [], "select": select}
    os.environ[OPTIONS] = json.dumps(opts)
    w, h = size
    try:
        if display:
            run_editor("nodeflow.gui.shot:script", file, display=display, size=f"{w}x{h}", timeout=900)
            return
        with virtual_display(f"{w + 64}x{h + 64}") as screen:
            run_editor("nodeflow.gui.shot:script", file, display=screen, size=f"{w}x{h}", timeout=900)
    except RuntimeError as e:
        lines = [line for line in str(e).splitlines() if line.strip()]
        last = lines[-1] if lines else str(e)
        if "Error: " in last:  # the editor's exception: keep its message
            last = last.split("Error: ", 1)[1]
        raise NodeflowError(f"no picture made: {last}") from None
