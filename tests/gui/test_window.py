"""Start-up: no display gives one line and status 2; the window fits the screen it opens on."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nodeflow.gui.scripting import run_editor, virtual_display

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"
NO_DISPLAY = "nodeflow: error: no display to open the editor on ({}); `nodeflow run`, `check` and `export` work without one\n"


@pytest.mark.parametrize("command", [["-m", "nodeflow"], ["-m", "nodeflow", "open", str(GRAPHS / "xor.json")],
                                     ["-m", "nodeflow.gui.app"]])
@pytest.mark.parametrize("display, why", [(None, "DISPLAY is not set"), (":9876", "cannot open display :9876")])
def test_without_a_display_the_editor_says_so_in_one_line(command, display, why):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    if display:
        env["DISPLAY"] = display
    r = subprocess.run([sys.executable, *command], env=env, capture_output=True, text=True, timeout=120)
    assert (r.returncode, r.stdout, r.stderr) == (2, "", NO_DISPLAY.format(why))


PLACED = '''
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import result, until, window_id, xdotool

def script(app):
    yield from until(lambda: app.frames > 5)
    out = dict(xdotool("getwindowgeometry", "--shell", window_id("nodeflow")).split()[k].split("=") for k in range(1, 5))
    out["viewport"] = [dpg.get_viewport_width(), dpg.get_viewport_height()]
    app.screenshot("window.png")
    yield from until(lambda: __import__("os").path.exists("window.png"), 120, "the screenshot")
    yield 2
    result(out)
'''


@pytest.mark.parametrize("screen", ["1280x800", "1920x1080", "1024x600"])
def test_the_window_fits_the_screen_it_opens_on(screen, tmp_path):
    """With no window manager (Xvfb) nothing moves the window: where nodeflow puts it is where it is."""
    sw, sh = map(int, screen.split("x"))
    script = tmp_path / "placed.py"
    script.write_text(PLACED)
    try:
        with virtual_display(screen) as d:
            r = run_editor(str(script), GRAPHS / "xor.json", display=d, size=None, cwd=tmp_path)
    except RuntimeError as e:
        pytest.skip(f"no virtual screen: {e}")
    x, y, w, h = (int(r[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
    assert 0 <= x and 0 <= y and x + w <= sw and y + h <= sh, r
    assert [w, h] == r["viewport"] and w >= min(1600, sw - 32) and h >= min(1000, sh - 64)
    assert (tmp_path / "window.png").read_bytes()[:4] == b"\x89PNG"
