"""Helpers for editor scripts (tests, screenshots, the frame benchmark).

A script is a generator ``script(app)`` run one step per rendered frame (see
``App.run``); these helpers wait for conditions, drive real input with xdotool and
hand results back to the process that started the editor.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator

import dearpygui.dearpygui as dpg


def until(cond: Callable[[], bool], frames: int = 600, what: str = "condition") -> Iterator[int]:
    """Render frames until ``cond()`` holds; raise TimeoutError after ``frames``."""
    for _ in range(frames):
        if cond():
            return
        yield 1
    raise TimeoutError(f"timed out waiting for {what}")


def result(data: dict) -> None:
    """Write the script's findings where the starting process looks (NODEFLOW_RESULT)."""
    path = os.environ.get("NODEFLOW_RESULT")
    if path:
        Path(path).write_text(json.dumps(data, indent=1, default=str))


def xdotool(*args) -> str:
    return subprocess.run(["xdotool", *map(str, args)], check=True, capture_output=True, text=True,
                          timeout=10).stdout


def window_id(title_part: str = "nodeflow") -> str:
    """The X window of the editor (searched by title)."""
    out = xdotool("search", "--name", title_part).split()
    if not out:
        raise RuntimeError(f"no window titled *{title_part}*")
    return out[-1]


def focus(win: str) -> None:
    """Give the editor the keyboard (there is no window manager under Xvfb)."""
    xdotool("windowfocus", "--sync", win)


def window_origin(win: str) -> tuple[int, int]:
    """Screen position of the window's client area."""
    out = xdotool("getwindowgeometry", "--shell", win)
    vals = dict(line.split("=", 1) for line in out.split() if "=" in line)
    return int(vals["X"]), int(vals["Y"])


def to_screen(win: str, xy: tuple[float, float]) -> tuple[int, int]:
    ox, oy = window_origin(win)
    return round(ox + xy[0]), round(oy + xy[1])


def drag(win: str, a: tuple[float, float], b: tuple[float, float], steps: int = 4) -> Iterator[int]:
    """Press the left button at ``a`` (window pixels), move to ``b`` in steps, release."""
    ax, ay = to_screen(win, a)
    bx, by = to_screen(win, b)
    xdotool("mousemove", ax, ay)
    yield 2
    xdotool("mousedown", 1)
    yield 2
    for k in range(1, steps + 1):
        xdotool("mousemove", round(ax + (bx - ax) * k / steps), round(ay + (by - ay) * k / steps))
        yield 1
    yield 2
    xdotool("mouseup", 1)
    yield 3


def click(win: str, at: tuple[float, float], button: int = 1) -> Iterator[int]:
    """Click at ``at`` (window pixels): button 1 left, 3 right."""
    x, y = to_screen(win, at)
    xdotool("mousemove", x, y)
    yield 2
    xdotool("click", button)
    yield 3


def holding(name: str, action: Iterator[int]) -> Iterator[int]:
    """Hold a key down (ctrl, alt, shift, space) through ``action``, a click or a drag."""
    xdotool("keydown", name)
    yield 2
    try:
        yield from action
    finally:
        xdotool("keyup", name)


def key(win: str, name: str) -> Iterator[int]:
    """Give ``win`` the keyboard, then press and release a key (xdotool names: space, e, ctrl+s)."""
    focus(win)
    xdotool("key", name)
    yield 3


def settled(app, frames: int = 3) -> Iterator[int]:
    """Wait until the editor has drawn ``frames`` frames (the canvas has its size) and the canvas
    has stopped animating."""
    yield from until(lambda: app.frames > frames and not app.canvas.animating, 300, "the canvas")


def start(app, title: str = "nodeflow") -> Iterator[int]:
    """Wait until the canvas has settled, then give the window (its title contains ``title``) the
    keyboard; returns the window's id."""
    yield from settled(app, 5)
    win = window_id(title)
    focus(win)
    yield 3
    return win


def drawn_text(item: int) -> str:
    """The text a ``draw_text`` item of the canvas shows."""
    return str(dpg.get_item_configuration(item)["text"])


@contextlib.contextmanager
def virtual_display(size: str = "1600x1000") -> Iterator[str]:
    """A private Xvfb screen for the duration (``:N``); Xvfb picks a free number."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    try:
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run_editor(script: str, file: str | Path | None = None, *, display: str | None = None,
               size: str | None = "1600x1000", timeout: float = 120, cwd: str | Path | None = None) -> dict:
    """Run the editor in a new process with ``script`` (FILE.py or module:function); return its result.
    ``size`` None: the editor sizes its window to the screen."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        env = dict(os.environ, NODEFLOW_RESULT=str(out))
        if display:
            env["DISPLAY"] = display
        cmd = [sys.executable, "-m", "nodeflow.gui.app", *([str(file)] if file else []), "--script", script,
               *(["--size", size] if size else [])]
        p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"editor failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
        return json.loads(out.read_text()) if out.exists() else {}


def request_close(win: str) -> None:
    """Ask the window to close, as a window manager's close button does (WM_DELETE_WINDOW)."""
    import ctypes

    class ClientMessage(ctypes.Structure):
        _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                    ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                    ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]

    class Event(ctypes.Union):
        _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]

    x = ctypes.cdll.LoadLibrary("libX11.so.6")
    x.XOpenDisplay.restype, x.XOpenDisplay.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    x.XInternAtom.restype, x.XInternAtom.argtypes = ctypes.c_ulong, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    d = x.XOpenDisplay(None)
    if not d:
        raise RuntimeError("cannot open the X display")
    ev = Event()
    ev.xclient.type = 33  # ClientMessage
    ev.xclient.window = int(win)
    ev.xclient.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
    ev.xclient.format = 32
    ev.xclient.data[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
    x.XSendEvent(d, int(win), 0, 0, ctypes.byref(ev))
    x.XCloseDisplay(d)  # flushes
