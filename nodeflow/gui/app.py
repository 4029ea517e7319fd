"""The editor window: menus, toolbar, keyboard, layout and the render loop.

``python -m nodeflow.gui.app [FILE] [--script SCRIPT.py]`` opens the editor; a script
(used by the tests and the screenshot maker) defines ``script(app)``, a generator run
one step per frame: ``yield n`` waits ``n`` frames.
"""
from __future__ import annotations

import argparse
import importlib
import runpy
import sys
import time
import traceback
from pathlib import Path
from typing import Callable, Generator

import dearpygui.dearpygui as dpg

from . import dialogs, screen
from .canvas import Canvas
from .controller import Controller
from .panels import PAYLOAD, Inspector, Palette, QuickAdd, StatusLine, TrainingPlot

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
TEXT_INPUTS = {"mvAppItemType::mvInputText", "mvAppItemType::mvInputInt", "mvAppItemType::mvInputFloat",
               "mvAppItemType::mvSliderFloat", "mvAppItemType::mvSliderInt", "mvAppItemType::mvCombo"}
BACKGROUND = (30, 31, 36, 255)
Script = Callable[["App"], Generator]


class App:
    """One editor window over one controller (one per process: dearpygui is global)."""

    def __init__(self, ctrl: Controller, width: int = 1600, height: int = 1000, x: int = 0, y: int = 0):
        self.ctrl = ctrl
        self.frames = 0
        self.frame_times: list[float] = []  # Python time spent in update() per frame (seconds)
        self.view_times: list[float] = []  # of which showing values, wires and highlights
        self._title = ""
        self._search_active: int | None = None  # the search box being typed in (Enter adds a node)
        self._add_count = 0
        dpg.create_context()
        self._fonts()
        self._style()
        self.textures = dpg.add_texture_registry()
        dpg.create_viewport(title=ctrl.title, width=width, height=height, x_pos=x, y_pos=y, disable_close=True,
                            vsync=True, clear_color=BACKGROUND)
        dpg.set_exit_callback(lambda: self.request_quit())
        ctrl.on_error = lambda title, lines: dialogs.show_problems(title, lines)
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
                dpg.add_theme_color(dpg.mvNodeCol_GridBackground, (36, 38, 44, 255), category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_color(dpg.mvNodeCol_GridLine, (48, 50, 58, 255), category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_color(dpg.mvNodeCol_NodeBackground, (52, 54, 62, 245), category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_color(dpg.mvNodeCol_NodeBackgroundHovered, (60, 62, 72, 245),
                                    category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_color(dpg.mvNodeCol_NodeBackgroundSelected, (66, 70, 84, 245),
                                    category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_color(dpg.mvNodeCol_Pin, (200, 200, 210, 255), category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_style(dpg.mvNodeStyleVar_LinkThickness, 3.5, category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_style(dpg.mvNodeStyleVar_PinCircleRadius, 4.5, category=dpg.mvThemeCat_Nodes)
                dpg.add_theme_style(dpg.mvNodeStyleVar_NodePadding, 8, 4, category=dpg.mvThemeCat_Nodes)
        dpg.bind_theme(theme)

    def _build(self) -> None:
        c = self.ctrl
        with dpg.window(label="nodeflow") as self.window:
            self._menus()
            self._toolbar()
            with dpg.group(horizontal=True):
                with dpg.child_window(width=200, height=-30, border=False) as left:
                    pass
                with dpg.child_window(width=-350, height=-30, border=False, payload_type=PAYLOAD,
                                      drop_callback=lambda s, a: self.drop_node(a)) as middle:
                    pass
                with dpg.child_window(width=-1, height=-30, border=False) as right:
                    pass
            self.status = StatusLine(self.window, c)
        self.palette = Palette(left, self.add_node)
        self.canvas = Canvas(c, middle, self.textures)
        self.inspector = Inspector(right, c, self.new_network)
        dpg.add_separator(parent=right)
        self.plot = TrainingPlot(right, c)
        self.quick_add = QuickAdd(lambda name, at: c.add_node(name, at))
        dialogs.opaque_window(self.quick_add.window)

    def _menus(self) -> None:
        c = self.ctrl
        with dpg.menu_bar():
            with dpg.menu(label="File"):
                dpg.add_menu_item(label="New network...", callback=self.new_network)
                dpg.add_menu_item(label="New empty graph", callback=lambda: self.guard(c.new_empty))
                dpg.add_menu_item(label="Open...", shortcut="Ctrl+O", callback=self.open_dialog)
                dpg.add_menu_item(label="Save", shortcut="Ctrl+S", callback=self.save)
                dpg.add_menu_item(label="Save As...", shortcut="Ctrl+Shift+S", callback=lambda: self.save_as())
                dpg.add_separator()
                dpg.add_menu_item(label="Quit", callback=self.request_quit)
            with dpg.menu(label="Edit"):
                dpg.add_menu_item(label="Undo", shortcut="Ctrl+Z", callback=c.undo)
                dpg.add_menu_item(label="Redo", shortcut="Ctrl+Y", callback=c.redo)
                dpg.add_menu_item(label="Delete selected", shortcut="Del",
                                  callback=lambda: self.canvas.delete_selection())
            with dpg.menu(label="Train"):
                dpg.add_menu_item(label="Step one node", shortcut="N", callback=c.step_node)
                dpg.add_menu_item(label="Step one sample", shortcut="Space", callback=c.step_sample)
                dpg.add_menu_item(label="Step one epoch", shortcut="E", callback=c.step_epoch)
                dpg.add_menu_item(label="Run / pause", shortcut="R", callback=c.toggle_run)
                dpg.add_menu_item(label="Step back", shortcut="B", callback=c.step_back)
                dpg.add_separator()
                dpg.add_menu_item(label="Gradient check", callback=c.gradient_check)
                dpg.add_menu_item(label="Reset weights", callback=c.reset_weights)
            with dpg.menu(label="Help"):
                dpg.add_menu_item(label="Mouse and keys", callback=lambda: dialogs.show_help())

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
            self.run_button = dpg.add_button(label="Run", width=70, callback=c.toggle_run)
            with dpg.tooltip(self.run_button):
                dpg.add_text("R: train for the number of epochs set; R again pauses")
            dpg.add_input_int(label="epochs", width=90, default_value=c.run_epochs, min_value=1, min_clamped=True,
                              callback=lambda s, a: setattr(c, "run_epochs", a))
            dpg.add_spacer(width=10)
            dpg.add_checkbox(label="animate", default_value=c.animate, callback=lambda s, a: setattr(c, "animate", a))
            dpg.add_slider_float(label="", width=140, default_value=c.speed, min_value=0.5, max_value=200.0,
                                 format="%.1f per second", callback=lambda s, a: setattr(c, "speed", a))
            dpg.add_combo(("samples", "nodes"), width=90, default_value=c.speed_unit,
                          callback=lambda s, a: setattr(c, "speed_unit", a))
            dpg.add_spacer(width=10)
            dpg.add_button(label="Gradient check", callback=c.gradient_check)
            self.profile_box = dpg.add_checkbox(label="Profile", callback=lambda s, a: c.set_profiling(a))

    def _keys(self) -> None:
        c = self.ctrl
        plain = {dpg.mvKey_N: c.step_node, dpg.mvKey_Spacebar: c.step_sample, dpg.mvKey_E: c.step_epoch,
                 dpg.mvKey_R: c.toggle_run, dpg.mvKey_B: c.step_back,
                 dpg.mvKey_Delete: lambda: self.canvas.delete_selection()}
        ctrl_keys = {dpg.mvKey_Z: c.undo, dpg.mvKey_Y: c.redo, dpg.mvKey_O: self.open_dialog,
                     dpg.mvKey_S: self.save}
        with dpg.handler_registry():
            for key in set(plain) | set(ctrl_keys) | {dpg.mvKey_Return}:
                dpg.add_key_press_handler(key=key, callback=lambda s, a, u: self.on_key(*u),
                                          user_data=(key, plain, ctrl_keys))
            dpg.add_mouse_release_handler(button=dpg.mvMouseButton_Left, callback=lambda: self.canvas.record_moves())
            dpg.add_mouse_click_handler(button=dpg.mvMouseButton_Right, callback=lambda: self.on_right_click())
            dpg.add_mouse_click_handler(button=dpg.mvMouseButton_Left, callback=lambda: self.on_left_click())
            dpg.add_key_press_handler(key=dpg.mvKey_Escape, callback=lambda: self.quick_add.close())

    def on_right_click(self) -> None:
        """Right-click on the canvas opens the quick-add search at the mouse."""
        if dpg.is_item_hovered(self.canvas.editor):
            xy = dpg.get_mouse_pos(local=False)
            self.quick_add.open(xy, self.canvas.grid_point(xy))

    def on_left_click(self) -> None:
        if self.quick_add.shown and not dpg.is_item_hovered(self.quick_add.window) and not any(
                dpg.is_item_hovered(i) for i in dpg.get_item_children(self.quick_add.list, 1) or []):
            self.quick_add.close()

    def on_key(self, key: int, plain: dict, ctrl_keys: dict) -> None:
        """Shortcuts; plain letters are ignored while typing in a text field."""
        if key == dpg.mvKey_Return:
            if self._search_active == self.palette.search:
                self.palette.add_first_match()
            elif self._search_active == self.quick_add.search:
                self.quick_add.add_first_match()
            return
        ctrl_down = dpg.is_key_down(dpg.mvKey_LControl) or dpg.is_key_down(dpg.mvKey_RControl)
        shift_down = dpg.is_key_down(dpg.mvKey_LShift) or dpg.is_key_down(dpg.mvKey_RShift)
        if ctrl_down:
            if key == dpg.mvKey_S and shift_down:
                self.save_as()
            elif key in (dpg.mvKey_Z, dpg.mvKey_Y) and self.typing():
                return  # the text field undoes its own typing
            elif key in ctrl_keys:
                ctrl_keys[key]()
        elif key in plain and not self.typing():
            plain[key]()

    @staticmethod
    def typing() -> bool:
        """True while a text field (or any value widget) has the keyboard."""
        return any(dpg.get_item_type(i) in TEXT_INPUTS and dpg.get_item_state(i).get("active") for i in dpg.get_all_items())

    # -- actions needing dialogs -------------------------------------------------------
    def add_node(self, type_name: str) -> str | None:
        """Add a palette node in the visible part of the canvas (cascading a little)."""
        x, y = self.canvas.grid_point()
        k = self._add_count % 8
        self._add_count += 1
        return self.ctrl.add_node(type_name, (x + 24 * k, y + 24 * k))

    def drop_node(self, type_name: str) -> str | None:
        """A palette button dropped on the canvas: add that node under the mouse."""
        return self.ctrl.add_node(type_name, self.canvas.grid_point(dpg.get_mouse_pos(local=False)))

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
        self.canvas.refresh()
        self.inspector.refresh(*self.canvas.selection())
        self.plot.refresh()
        self.status.refresh()
        label = "Pause" if c.running else "Run"
        if dpg.get_item_label(self.run_button) != label:
            dpg.configure_item(self.run_button, label=label)
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
            self.update()
            dpg.render_dearpygui_frame()
            self.frames += 1
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

    def screenshot(self, path: str | Path) -> None:
        """Save the window as a PNG (written during the next frames: yield a few after)."""
        dpg.output_frame_buffer(file=str(path))


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
