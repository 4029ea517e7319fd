"""Modal dialogs: New network, problems, unsaved changes, and file choosing."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import dearpygui.dearpygui as dpg

from ..data import BUILTIN
from ..nodes import NODE_TYPES
from ..nodes.forward import HIDDEN_ACTIVATIONS, activation_type
from .controller import Controller
from .keys import help_rows


_OPAQUE: list[int] = []


def _centre(window: int, width: int, height: int) -> None:
    """Place a dialog mid-screen, with a solid background (the main window has none)."""
    vw, vh = dpg.get_viewport_client_width(), dpg.get_viewport_client_height()
    dpg.set_item_pos(window, [max(0, (vw - width) // 2), max(0, (vh - height) // 3)])
    dpg.bind_item_theme(window, opaque())


def opaque_window(window: int) -> None:
    dpg.bind_item_theme(window, opaque())


def opaque() -> int:
    """A theme giving windows a solid background."""
    if not _OPAQUE:
        with dpg.theme() as theme:
            with dpg.theme_component(dpg.mvAll):
                dpg.add_theme_color(dpg.mvThemeCol_WindowBg, (40, 42, 50, 255))
                dpg.add_theme_color(dpg.mvThemeCol_ChildBg, (34, 36, 42, 255))
        _OPAQUE.append(theme)
    return _OPAQUE[0]


def later(fn: Callable[[], None], frames: int = 2) -> None:
    """Run ``fn`` a few frames from now: a modal opened in the frame another closes is lost."""
    dpg.set_frame_callback(dpg.get_frame_count() + frames, lambda: fn())


def show_problems(title: str, lines: list[str]) -> None:
    """A modal listing every problem (e.g. why a file did not load). It opens two frames later:
    it is often asked for by a file dialog's OK, and a modal opened in the frame another closes
    is never shown."""
    later(lambda: _problems_window(title, lines))


PROBLEMS_SIZE = (760, 380)


def _problems_window(title: str, lines: list[str]) -> int:
    width, height = PROBLEMS_SIZE
    with dpg.window(label=title, modal=True, width=width, height=height, no_collapse=True,
                    on_close=lambda s: dpg.delete_item(s)) as win:
        dpg.add_text(f"{len(lines)} problem{'s' * (len(lines) != 1)}; nothing was changed:",
                     color=(250, 150, 120, 255))
        with dpg.child_window(height=-40, border=True):
            for line in lines:
                dpg.add_text(f"- {line}", wrap=width - 50)
        dpg.add_button(label="OK", width=90, callback=lambda: dpg.delete_item(win))
    _centre(win, width, height)
    return win


def show_help() -> int:
    """The mouse and keyboard cheat sheet (made from the key registry, ``keys.py``)."""
    with dpg.window(label="Mouse and keys", width=700, height=470, no_collapse=True,
                    on_close=lambda s: dpg.delete_item(s)) as win:
        with dpg.table(header_row=False, borders_innerH=True):
            dpg.add_table_column(width_fixed=True, init_width_or_weight=120)
            dpg.add_table_column()
            for what, how in help_rows():
                with dpg.table_row():
                    dpg.add_text(what, color=(150, 190, 255, 255))
                    dpg.add_text(how, wrap=540)
    _centre(win, 700, 470)
    return win


def confirm_unsaved(ctrl: Controller, then: Callable[[], None], save_as: Callable[[Callable], None]) -> None:
    """Ask to save unsaved changes, then call ``then`` (unless cancelled). Clean graphs go straight on."""
    if not ctrl.dirty:
        then()
        return
    name = ctrl.path.name if ctrl.path else "the untitled graph"

    def close():
        dpg.delete_item(win)

    def save():
        close()
        if ctrl.path:
            if ctrl.save():
                later(then)
        else:
            later(lambda: save_as(then))

    def discard():
        close()
        later(then)

    with dpg.window(label="Unsaved changes", modal=True, width=420, height=120, no_collapse=True,
                    on_close=lambda s: dpg.delete_item(s)) as win:
        dpg.add_text(f"Save the changes to {name}?")
        dpg.add_spacer(height=8)
        with dpg.group(horizontal=True):
            dpg.add_button(label="Save", width=100, callback=save)
            dpg.add_button(label="Don't save", width=100, callback=discard)
            dpg.add_button(label="Cancel", width=100, callback=close)
    _centre(win, 420, 120)


def new_network(ctrl: Controller) -> int:
    """Layer sizes, activation, data, learning rate and seed -> builders.mlp."""
    s = ctrl.graph.settings
    net = s.get("network") or {}
    layers = ",".join(map(str, net.get("layers", [2, 2, 1])))
    act = net.get("activation", "sigmoid")
    with dpg.window(label="New network", modal=True, width=460, height=230, no_collapse=True,
                    on_close=lambda s_: dpg.delete_item(s_)) as win:
        w_layers = dpg.add_input_text(label="layers", default_value=layers, hint="inputs, hidden..., outputs")
        w_act = dpg.add_combo(HIDDEN_ACTIVATIONS, label="activation",
                              default_value=act if act in HIDDEN_ACTIVATIONS else "sigmoid")
        w_data = dpg.add_input_text(label="data", default_value=str(s["data"]))
        with dpg.tooltip(w_data):
            dpg.add_text(f"{', '.join(BUILTIN)}, or a CSV file (last column: target)")
        w_lr = dpg.add_input_float(label="learning rate", default_value=float(s["lr"]), step=0, format="%.4g")
        w_seed = dpg.add_input_int(label="seed", default_value=int(s["seed"]), min_value=0, min_clamped=True)
        err = dpg.add_text("", color=(250, 90, 80, 255), wrap=430)

        def create():
            try:
                sizes = [int(v) for v in dpg.get_value(w_layers).replace(",", " ").split()]
                activation_type(dpg.get_value(w_act))
            except (ValueError, KeyError) as e:
                dpg.set_value(err, f"layers are whole numbers separated by commas ({e})")
                return
            if ctrl.new_network(sizes, dpg.get_value(w_act), dpg.get_value(w_data).strip(),
                                dpg.get_value(w_lr), dpg.get_value(w_seed)):
                dpg.delete_item(win)
            else:
                dpg.set_value(err, ctrl.message.text)

        with dpg.group(horizontal=True):
            dpg.add_button(label="Create", width=100, callback=create)
            dpg.add_button(label="Cancel", width=100, callback=lambda: dpg.delete_item(win))
    _centre(win, 460, 230)
    return win


GRAPH_FILES = ("Graph files (*.json){.json}", ".*")


def choose_file(title: str, callback: Callable[[Path], None], *, save: bool = False,
                folder: Path | None = None, name: str = "", extensions: tuple[str, ...] = GRAPH_FILES) -> int:
    """dearpygui's file dialog (for graph files unless ``extensions`` says otherwise); ``callback(path)`` on OK."""

    def chosen(sender, app_data):
        path = app_data.get("file_path_name") or ""
        dpg.delete_item(sender)
        if path:
            p = Path(path)
            if save and p.suffix != ".json":
                p = p.with_suffix(".json")
            callback(p)

    with dpg.file_dialog(label=title, width=720, height=440, modal=True, callback=chosen,
                         cancel_callback=lambda s, a: dpg.delete_item(s),
                         default_path=str(folder or Path.cwd()), default_filename=name) as dlg:
        for k, ext in enumerate(extensions):
            dpg.add_file_extension(ext, color=(150, 255, 150, 255) if k == 0 else (255, 255, 255, 255))
    dpg.bind_item_theme(dlg, opaque())
    return dlg


def library_name(label: str) -> str:
    """A library name from a group's label: ``dense sigmoid`` -> ``DenseSigmoid`` (``MyGroup`` for
    ``group``: a built-in type's name is not free)."""
    words = "".join(c if c.isalnum() or c == "_" else " " for c in label).split()
    name = "".join(w[:1].upper() + w[1:] for w in words)
    name = name if name[:1].isalpha() else "Group" + name
    known = NODE_TYPES.get(name)
    return "My" + name if known is not None and known.family != "library" else name


def save_to_library(ctrl: Controller, node: str) -> int:
    """Ask for a library name (and a line saying what the group does), then save the group there;
    a refusal shows in the dialog, which stays open."""
    g = ctrl.shown
    with dpg.window(label="Save to the library", modal=True, width=480, height=190, no_collapse=True,
                    on_close=lambda s_: dpg.delete_item(s_)) as win:
        dpg.add_text(f"{node} becomes a node type of the palette's library family.", wrap=450)
        w_name = dpg.add_input_text(label="name", default_value=library_name(g.attrs(node)["label"]),
                                    hint="letters, digits and _", on_enter=True, callback=lambda: save())
        w_doc = dpg.add_input_text(label="what it does", hint="one line (shown as the palette's tooltip)")
        err = dpg.add_text("", color=(250, 90, 80, 255), wrap=450)

        def save():
            if ctrl.save_to_library(node, dpg.get_value(w_name), dpg.get_value(w_doc).strip()):
                dpg.delete_item(win)
            else:
                dpg.set_value(err, ctrl.message.text)

        with dpg.group(horizontal=True):
            dpg.add_button(label="Save", width=100, callback=lambda: save())
            dpg.add_button(label="Cancel", width=100, callback=lambda: dpg.delete_item(win))
    _centre(win, 480, 190)
    dpg.focus_item(w_name)
    return win
