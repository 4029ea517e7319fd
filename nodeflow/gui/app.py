"""The editor window: menus, toolbar, keyboard, layout and the render loop.

``python -m nodeflow.gui.app [FILE] [--script SCRIPT.py]`` opens the editor; a script
(used by the tests and the screenshot maker) defines ``script(app)``, a generator run
one step per frame: ``yield n`` waits ``n`` frames.

One thread owns everything: dearpygui queues every callback (manual callback
management) and the frame loop runs them between frames, then advances the run and
the canvas, so no callback ever changes the graph while a frame is reading it. With
nothing to do (no input, animation or training) the loop sleeps until the next input.
"""
from __future__ import annotations

import argparse
import ctypes
import importlib
import inspect
import runpy
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable, Generator

import dearpygui.dearpygui as dpg

from ..document import layout
from . import dialogs, keys, screen
from .canvas import Canvas
from .canvas.interact import ctrl_down, shift_down
from .canvas.view import NOTCH
from .controller import Controller
from .inspector import Inspector
from .panels import PAYLOAD, Palette, QuickAdd, StatusLine
from .training import TrainingPlot

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BACKGROUND = (30, 31, 36, 255)
SETTLE_FRAMES = 8  # frames drawn after the last input before the loop sleeps
TOOLTIP_WAKE = 0.7  # seconds: one more frame after the mouse stops, so that hover tooltips appear
Script = Callable[["App"], Generator]


class App:
    """One editor window over one controller (one per process: dearpygui is global)."""

    def __init__(self, ctrl: Controller, width: int = 1600, height: int = 1000, x: int = 0, y: int = 0):
        self.ctrl = ctrl
        self.width = width
        self.frames = 0
        self.frame_times: list[float] = []  # Python time spent in update() per frame (seconds)
        self.view_times: list[float] = []  # of which showing values, wires and highlights
        self._title = ""
        self._search_active: int | None = None  # the search box being typed in (Enter adds a node)
        self.errors = 0  # exceptions caught in callbacks and frames (a bug; the editor carries on)
        self.quiet = 0  # frames since the last input or change
        self.sleeping = False  # the loop waits for input
        self.allow_sleep = False  # may the loop sleep while a script runs (a script waits for frames)
        self.slept_at: int | None = None  # the frame count when the loop last went to sleep
        self._mouse = None
        self._space_down = False
        dpg.create_context()
        dpg.configure_app(manual_callback_management=True)
        self._fonts()
        self._style()
        self.textures = dpg.add_texture_registry()
        dpg.create_viewport(title=ctrl.title, width=width, height=height, x_pos=x, y_pos=y, disable_close=True,
                            vsync=True, clear_color=BACKGROUND)
        dpg.set_exit_callback(lambda: self.request_quit())
        ctrl.on_error = lambda title, lines: dialogs.show_problems(title, lines)
        self.chords = keys.chords()
        self._build()
        self._keys()
        dpg.setup_dearpygui()
        dpg.show_viewport()
        dpg.set_primary_window(self.window, True)

    # -- construction ------------------------------------------------------------------
    def _fonts(self) -> None:
        if FONT.exists():  # else dearpygui's own font
            with dpg.font_registry():
                dpg.bind_font(dpg.add_font(str(FONT), 15))

    def _style(self) -> None:
        with dpg.theme() as theme:
            with dpg.theme_component(dpg.mvAll):
                dpg.add_theme_style(dpg.mvStyleVar_FrameRounding, 3)
                dpg.add_theme_style(dpg.mvStyleVar_ItemSpacing, 6, 5)
                dpg.add_theme_color(dpg.mvThemeCol_WindowBg, (0, 0, 0, 0))  # the viewport's clear colour shows
                dpg.add_theme_color(dpg.mvThemeCol_ChildBg, (0, 0, 0, 0))  # no overdraw: software GL is fill-bound
                dpg.add_theme_color(dpg.mvThemeCol_Button, (55, 62, 80, 255))
                dpg.add_theme_color(dpg.mvThemeCol_ButtonHovered, (75, 90, 120, 255))
                dpg.add_theme_color(dpg.mvThemeCol_Header, (45, 50, 64, 255))
        dpg.bind_theme(theme)

    def _build(self) -> None:
        c = self.ctrl
        narrow = self.width < 1500  # small screens: narrower side panels, more canvas
        palette_w, side_w = (170, 320) if narrow else (200, 350)
        with dpg.window(label="nodeflow") as self.window:
            self._menus()
            self._toolbar()
            with dpg.group(horizontal=True):
                with dpg.child_window(width=palette_w, height=-30, border=False) as left:
                    pass
                with dpg.child_window(width=-side_w, height=-30, border=False, payload_type=PAYLOAD, no_scrollbar=True,
                                      no_scroll_with_mouse=True, drop_callback=lambda s, a: self.drop_node(a)) as middle:
                    pass
                with dpg.child_window(width=-1, height=-30, border=False) as right:
                    pass
            self.status = StatusLine(self.window, c)
        c.load_library()  # the library's groups are node types of the palette
        self.palette = Palette(left, self.add_node, palette_w - 10)
        c.on_library(self.palette.rebuild)
        c.on_level(lambda graph, how: self.palette.set_inside(bool(len(c.levels))))
        self.canvas = Canvas(c, middle, self.textures)
        c.before_save.append(self.canvas.store_view)
        self.inspector = Inspector(right, c, self.new_network)
        dpg.add_separator(parent=right)
        self.plot = TrainingPlot(right, c)
        self.quick_add = QuickAdd(lambda name, at: c.add_node(name, at), lambda: bool(len(c.levels)))
        self.canvas.on_quick_add = self.quick_add.open
        dialogs.opaque_window(self.quick_add.window)

    def _menus(self) -> None:
        """The menus, with their shortcut texts, from the key registry."""
        with dpg.menu_bar():
            for menu, names in keys.MENUS.items():
                with dpg.menu(label=menu):
                    for name in names:
                        if name == "-":
                            dpg.add_separator()
                            continue
                        a = keys.ACTIONS[name]
                        dpg.add_menu_item(label=a.label, shortcut=a.keys, callback=lambda s, d, u: self.act(u),
                                          user_data=name)

    def actions(self) -> dict[str, Callable[[], object]]:
        """What each action of the key registry does."""
        c, cv = self.ctrl, self.canvas
        return {
            "new_network": self.new_network, "new_empty": lambda: self.guard(c.new_empty),
            "open": self.open_dialog, "save": self.save, "save_as": lambda: self.save_as(),
            "quit": self.request_quit, "undo": c.undo, "redo": c.redo, "delete": cv.delete_selection,
            "select_all": lambda: cv.select(list(cv.nodes), []), "fit": cv.fit, "actual_size": cv.actual_size,
            "zoom_in": lambda: cv.view.zoom_about(cv.view.middle(), NOTCH ** 2),
            "zoom_out": lambda: cv.view.zoom_about(cv.view.middle(), NOTCH ** -2),
            "tidy": self.tidy, "step_node": c.step_node, "step_sample": c.step_sample, "step_epoch": c.step_epoch,
            "step_back": c.step_back, "toggle_run": c.toggle_run, "gradient_check": c.gradient_check,
            "reset_weights": c.reset_weights, "help": dialogs.show_help, "cancel": self.cancel,
            "group": lambda: self.group_selection(), "ungroup": lambda: self.ungroup_selection(),
            "open_group": lambda: self.open_selected_group(), "leave_group": lambda: self.ctrl.leave_group(),
            "open_box": lambda: self.open_box_selection(), "save_to_library": lambda: self.save_to_library(),
        }

    def act(self, name: str) -> None:
        self.actions()[name]()

    def _toolbar(self) -> None:
        c = self.ctrl
        with dpg.group(horizontal=True):
            for label, fn, tip in (("Node", c.step_node, "N: evaluate the next node"),
                                   ("Sample", c.step_sample, "Space: finish / do one sample"),
                                   ("Epoch", c.step_epoch, "E: finish / do one epoch"),
                                   ("Back", c.step_back, "B: undo the last sample step")):
                b = dpg.add_button(label=label, callback=lambda s, a, u: u(), user_data=fn)
                with dpg.tooltip(b):
                    dpg.add_text(tip)
            dpg.add_spacer(width=10)  # Run and its epochs are in the training panel (and R, Train -> Run)
            dpg.add_checkbox(label="animate", default_value=c.animate, callback=lambda s, a: setattr(c, "animate", a))
            dpg.add_slider_float(label="", width=140, default_value=c.speed, min_value=0.5, max_value=200.0,
                                 format="%.1f per second", callback=lambda s, a: setattr(c, "speed", a))
            dpg.add_combo(("samples", "nodes"), width=90, default_value=c.speed_unit,
                          callback=lambda s, a: setattr(c, "speed_unit", a))
            dpg.add_spacer(width=10)
            dpg.add_button(label="Gradient check", callback=c.gradient_check)
            self.profile_box = dpg.add_checkbox(label="Profile", callback=lambda s, a: c.set_profiling(a))

    def _keys(self) -> None:
        """Key handlers for every chord in the registry (plus Enter and Space's release), the wheel."""
        with dpg.handler_registry():
            for key in {ch.key for ch in self.chords} | {dpg.mvKey_Return}:
                dpg.add_key_press_handler(key=key, callback=lambda s, a, u: self.on_key(u), user_data=key)
            dpg.add_key_release_handler(key=dpg.mvKey_Spacebar, callback=lambda: self.on_space_release())
            dpg.add_mouse_wheel_handler(callback=lambda s, a: self.on_wheel(a))
            dpg.add_mouse_click_handler(button=dpg.mvMouseButton_Left, callback=lambda: self.on_left_click())

    def on_wheel(self, notches) -> None:
        self.canvas.input.wheel += float(notches)  # used only if the canvas is hovered (not under a dialog)

    def on_left_click(self) -> None:
        if self.quick_add.shown and not dpg.is_item_hovered(self.quick_add.window) and not any(
                dpg.is_item_hovered(i) for i in dpg.get_item_children(self.quick_add.list, 1) or []):
            self.quick_add.close()

    def on_key(self, key: int) -> None:
        """A key went down: Enter in a search box adds a node; otherwise the registry's action,
        unless a text field, a modal or a file dialog has the keyboard."""
        if key == dpg.mvKey_Return:
            if self._search_active == self.palette.search:
                self.palette.add_first_match()
            elif self._search_active == self.quick_add.search:
                self.quick_add.add_first_match()
            return
        name = self.chords.get(keys.Chord(key, ctrl_down(), shift_down()))
        if name is None:
            return
        owner = keys.keyboard_owner()
        if name == "cancel" and owner != "dialog":
            self.cancel()
        elif owner is None and name == "step_sample":
            if not self._space_down:  # (held down, the key repeats)
                self._space_down = True  # steps when released, unless Space + drag panned meanwhile
                self.canvas.input.space_held, self.canvas.input.space_panned = True, False
        elif owner is None:
            self.act(name)

    def on_space_release(self) -> None:
        held, self._space_down = self._space_down, False
        self.canvas.input.space_held = False
        if held and not self.canvas.input.space_panned and keys.keyboard_owner() is None:
            self.act("step_sample")

    def cancel(self) -> None:
        """Esc: drop the gesture in progress, or close the quick-add box, or leave the probe."""
        if self.canvas.input.cancel():
            return
        if self.quick_add.shown:
            self.quick_add.close()
        else:
            self.ctrl.leave_probe(say=True)

    def tidy(self) -> None:
        """Lay the graph out as the algorithm reads (one undo step), then show it all."""
        if self.ctrl.move_nodes(layout.tidy(self.ctrl.shown)):
            self.ctrl.say("tidied the layout (Ctrl+Z puts the nodes back)")
        self.canvas.fit()

    # -- groups ------------------------------------------------------------------------
    def selected_node(self, what: str, group: bool = False) -> str | None:
        """The one node selected (a group, if ``group``), or None after saying what to select."""
        nodes, _ = self.canvas.selection()
        g = self.ctrl.shown
        if len(nodes) == 1 and (not group or g.type_of(nodes[0]).name == "Group"):
            return nodes[0]
        self.ctrl.say(f"select {'a group' if group else 'one node'} to {what}", "warn")
        return None

    def group_selection(self) -> None:
        """Ctrl+G: the selected nodes become one group, selected."""
        gid = self.ctrl.group(self.canvas.selection()[0])
        if gid:
            self.canvas.select([gid], [])

    def ungroup_selection(self) -> None:
        node = self.selected_node("ungroup", group=True)
        ids = self.ctrl.ungroup(node) if node else None
        if ids:
            self.canvas.select(ids, [])

    def open_selected_group(self) -> None:
        """I: open the group selected (dive in); with nothing selected inside a group, go back out."""
        nodes, _ = self.canvas.selection()
        if not nodes and len(self.ctrl.levels):
            self.ctrl.leave_group()
            return
        node = self.selected_node("open (or double-click one)", group=True)
        if node:
            self.ctrl.open_group(node)

    def open_box_selection(self) -> None:
        node = self.selected_node("open into math nodes")
        if node and self.ctrl.open_box(node):
            self.canvas.select([node], [])

    def save_to_library(self) -> None:
        node = self.selected_node("save to the library", group=True)
        if node:
            dialogs.save_to_library(self.ctrl, node)

    # -- actions needing dialogs -------------------------------------------------------
    def add_node(self, type_name: str) -> str | None:
        """Add a palette node in view, on a free spot near the middle of the canvas."""
        return self.ctrl.add_node(type_name, self.canvas.spot_for(type_name))

    def drop_node(self, type_name: str) -> str | None:
        """A palette button dropped on the canvas: add that node under the mouse."""
        x, y = self.canvas.canvas_point(dpg.get_mouse_pos(local=False))
        return self.ctrl.add_node(type_name, (round(x), round(y)))

    def guard(self, then: Callable[[], None]) -> None:
        """Run ``then`` after offering to save unsaved changes."""
        dialogs.confirm_unsaved(self.ctrl, then, self.save_as)

    def new_network(self, *_) -> None:
        self.guard(lambda: dialogs.new_network(self.ctrl))

    def open_dialog(self, *_) -> None:
        folder = self.ctrl.path.parent if self.ctrl.path else Path.cwd()
        self.guard(lambda: dialogs.choose_file("Open graph", self.ctrl.open, folder=folder))

    def save(self, *_) -> None:
        if self.ctrl.path is None:
            self.save_as()
        else:
            self.ctrl.save()

    def save_as(self, then: Callable[[], None] | None = None) -> None:
        def chosen(path: Path) -> None:
            if self.ctrl.save(path) and then:
                then()

        p = self.ctrl.path
        dialogs.choose_file("Save graph as", chosen, save=True, folder=p.parent if p else Path.cwd(),
                            name=p.name if p else "untitled.json")

    def request_quit(self) -> None:
        self.guard(dpg.stop_dearpygui)

    # -- the loop ----------------------------------------------------------------------
    def update(self) -> None:
        """Everything done in Python each frame: advance a run, then show its state."""
        start = time.perf_counter()
        c = self.ctrl
        c.tick()
        shown = time.perf_counter()
        self.canvas.frame(shown)
        self.inspector.refresh(*self.canvas.selection())
        self.plot.refresh()
        self.status.refresh()
        if c.title != self._title:
            self._title = c.title
            dpg.set_viewport_title(self._title)
        self._search_active = next((i for i in (self.palette.search, self.quick_add.search)
                                    if dpg.get_item_state(i).get("active")), None)
        end = time.perf_counter()
        self.frame_times.append(end - start)
        self.view_times.append(end - shown)
        del self.frame_times[:-5000], self.view_times[:-5000]

    def run(self, script: Script | None = None) -> int:
        """The render loop; with a script, advance it once per frame until it ends."""
        gen = script(self) if script else None
        wait = 0
        code = 0
        while dpg.is_dearpygui_running():
            self._sleep_if_idle(gen is None or self.allow_sleep)
            dpg.render_dearpygui_frame()
            self.frames += 1
            self.run_callbacks()
            try:
                self.update()
            except Exception as e:
                self._internal_error(e)
            self._note_activity()
            if gen is None:
                continue
            if wait > 0:
                wait -= 1
                continue
            try:
                got = next(gen)
                wait = got if isinstance(got, int) else 0
            except StopIteration:
                break
            except Exception:
                traceback.print_exc()
                code = 1
                break
        dpg.destroy_context()
        return code

    def run_callbacks(self) -> int:
        """Run the callbacks dearpygui queued during the frame, here on the loop's thread."""
        jobs = dpg.get_callback_queue() or ()
        for job in jobs:
            fn = job[0]
            if fn is None:
                continue
            try:
                n = len(inspect.signature(fn).parameters)
                fn(*job[1:1 + n])
            except Exception as e:  # a bug in one callback must not take the editor down
                self._internal_error(e)
        self.quiet = 0 if jobs else self.quiet
        return len(jobs)

    def _internal_error(self, e: Exception) -> None:
        traceback.print_exc()
        self.errors += 1
        self.ctrl.say(f"internal error: {type(e).__name__}: {e}", "error")

    def _note_activity(self) -> None:
        """Count quiet frames: input, a run, pulses or a gesture reset the count."""
        mouse = tuple(dpg.get_mouse_pos(local=False))
        buttons = any(dpg.is_mouse_button_down(b) for b in (0, 1, 2))
        if mouse != self._mouse or buttons or self.ctrl.running or self.canvas.animating:
            self.quiet = 0
        else:
            self.quiet += 1
        self._mouse = mouse

    def _sleep_if_idle(self, allowed: bool) -> None:
        """Let the next frame wait for input when nothing has happened for a few frames."""
        idle = allowed and self.quiet >= SETTLE_FRAMES
        if idle != self.sleeping:
            self.sleeping = idle
            dpg.configure_app(wait_for_input=idle)
            if idle:
                self.slept_at = self.frames
                wake_later(TOOLTIP_WAKE)

    def screenshot(self, path: str | Path) -> None:
        """Save the window as a PNG (written during the next frames: yield a few after)."""
        dpg.output_frame_buffer(file=str(path))


_GLFW: list = []


def wake_later(seconds: float) -> None:
    """Post an empty event after ``seconds`` so that a sleeping loop draws one more frame
    (GLFW's glfwPostEmptyEvent, from the dearpygui library itself)."""
    if not _GLFW:
        _GLFW.append(ctypes.CDLL(dpg.internal_dpg.__file__).glfwPostEmptyEvent)
    timer = threading.Timer(seconds, _GLFW[0])
    timer.daemon = True
    timer.start()


def load_script(spec: str) -> Script:
    """``path/to/file.py`` (its ``script``) or ``package.module:function``."""
    if spec.endswith(".py"):
        return runpy.run_path(spec)["script"]
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name or "script")


def main(path: str | None = None, script: str | None = None, size: tuple[int, int] | None = None) -> int:
    """Open the editor; ``size`` None: as big as fits the screen. No display: one line, status 2."""
    try:
        window = screen.place(screen.work_area(), size)  # before dearpygui asks GLFW for a window
    except screen.NoDisplay as e:
        print(f"nodeflow: error: {e}", file=sys.stderr)
        return 2
    ctrl = Controller()
    app = App(ctrl, window.width, window.height, window.x, window.y)
    if path and not ctrl.open(path):  # the problems show in a dialog over an empty graph
        print(f"nodeflow: {ctrl.message.text}", file=sys.stderr)
    fn = load_script(script) if script else None
    return app.run(fn)


def cli(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nodeflow.gui.app", description="the nodeflow editor")
    ap.add_argument("file", nargs="?", help="graph file to open")
    ap.add_argument("--script", help="FILE.py defining script(app), or module:function; a generator run once per frame")
    ap.add_argument("--size", default=None, help="window size WxH (default: as big as fits the screen)")
    a = ap.parse_args(argv)
    size = tuple(int(v) for v in a.size.lower().split("x")) if a.size else None
    return main(a.file, a.script, size)


if __name__ == "__main__":
    sys.exit(cli())
