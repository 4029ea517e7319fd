"""The screen the editor opens on: is there one, and where does a window fit on it.

Asked before dearpygui makes its window, through the GLFW that dearpygui carries (its
symbols are exported on Linux and macOS), so that no display means one line and exit
status 2 rather than GLFW's assertion, and the window is placed inside the work area of
the primary monitor (without a window manager nothing else would place it).
"""
from __future__ import annotations

import ctypes
import os
import sys
from typing import NamedTuple

from ..errors import NodeflowError

DEFAULT_SIZE = (1600, 1000)  # what the editor asks for on a big screen
MARGIN = 16  # kept free around a window sized to the screen
TITLE_BAR = 32  # room for a window manager's title bar above it


class Area(NamedTuple):
    x: int
    y: int
    width: int
    height: int


class NoDisplay(NodeflowError):
    """There is no screen to open a window on."""


def _glfw():
    """dearpygui's GLFW, or None where it has none (Windows draws with DirectX)."""
    import dearpygui._dearpygui as core

    try:
        lib = ctypes.CDLL(core.__file__)
        lib.glfwInit, lib.glfwGetPrimaryMonitor, lib.glfwGetMonitorWorkarea  # noqa: B018 (present?)
    except (OSError, AttributeError):
        return None
    lib.glfwGetPrimaryMonitor.restype = ctypes.c_void_p
    lib.glfwGetMonitorWorkarea.argtypes = [ctypes.c_void_p] + [ctypes.POINTER(ctypes.c_int)] * 4
    return lib


def _why_no_display() -> str:
    display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    return f"cannot open display {display}" if display else "DISPLAY is not set"


def work_area() -> Area | None:
    """The primary monitor's work area (without panels and docks), or None if it cannot be told.
    Raises NoDisplay when there is no display at all."""
    glfw = _glfw()
    if glfw is None:
        return _windows_work_area()
    if not glfw.glfwInit():
        raise NoDisplay(f"no display to open the editor on ({_why_no_display()}); "
                        "`nodeflow run`, `check` and `export` work without one")
    try:
        monitor = glfw.glfwGetPrimaryMonitor()
        if not monitor:
            return None
        x, y, w, h = (ctypes.c_int() for _ in range(4))
        glfw.glfwGetMonitorWorkarea(monitor, *(ctypes.byref(v) for v in (x, y, w, h)))
        return Area(x.value, y.value, w.value, h.value) if w.value > 0 and h.value > 0 else None
    finally:
        glfw.glfwTerminate()  # dearpygui starts GLFW its own way


def _windows_work_area() -> Area | None:
    if sys.platform != "win32":
        return None
    rect = (ctypes.c_long * 4)()
    if not ctypes.windll.user32.SystemParametersInfoW(0x30, 0, ctypes.byref(rect), 0):  # SPI_GETWORKAREA
        return None
    return Area(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1])


def place(area: Area | None, size: tuple[int, int] | None = None) -> Area:
    """Where the window goes: ``size`` (else as big as ``DEFAULT_SIZE`` leaving room for margins
    and a title bar), shrunk to fit the work area and centred in it."""
    if area is None:
        w, h = size or DEFAULT_SIZE
        return Area(0, 0, w, h)
    if size is None:
        w = min(DEFAULT_SIZE[0], area.width - 2 * MARGIN)
        h = min(DEFAULT_SIZE[1], area.height - 2 * MARGIN - TITLE_BAR)
    else:
        w, h = min(size[0], area.width), min(size[1], area.height)
    return Area(area.x + (area.width - w) // 2, area.y + max(0, (area.height - h) // 2), w, h)
