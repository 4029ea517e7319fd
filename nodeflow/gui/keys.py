"""Every key binding and mouse gesture, written once: the key handlers, the menus'
shortcut texts and Help -> Mouse and keys are all made from this table.

``ACTIONS`` maps an action name (a method the window provides) to its menu label, its
keys and its line in the help. ``MOUSE`` describes the gestures (the canvas implements
them). ``keyboard_owner()`` says what has the keyboard when it is not the editor (a text
field, a modal dialog, a file dialog): shortcuts never fire then.
"""
from __future__ import annotations

from dataclasses import dataclass

import dearpygui.dearpygui as dpg


@dataclass(frozen=True)
class Action:
    label: str  # as in the menu
    keys: str = ""  # "N", "Ctrl+S", "Ctrl+Shift+S", "Space", "Del", ... ("" for none)
    help: str = ""  # the help group it is listed under ("" for none)


ACTIONS: dict[str, Action] = {
    "new_network": Action("New network..."),
    "new_empty": Action("New empty graph"),
    "open": Action("Open...", "Ctrl+O", "Files"),
    "save": Action("Save", "Ctrl+S", "Files"),
    "save_as": Action("Save As...", "Ctrl+Shift+S", "Files"),
    "quit": Action("Quit", "Ctrl+Q", "Files"),
    "undo": Action("Undo", "Ctrl+Z", "Undo"),
    "redo": Action("Redo", "Ctrl+Y", "Undo"),
    "delete": Action("Delete selected", "Del", "Select / delete"),
    "select_all": Action("Select all", "Ctrl+A", "Select / delete"),
    "fit": Action("Fit the graph in view", "F", "Zoom"),
    "actual_size": Action("Zoom to 100 %", "1", "Zoom"),
    "zoom_in": Action("Zoom in", "Ctrl+=", "Zoom"),
    "zoom_out": Action("Zoom out", "Ctrl+-", "Zoom"),
    "tidy": Action("Tidy the layout", "T", "Layout"),
    "group": Action("Group the selected nodes", "Ctrl+G", "Groups"),
    "ungroup": Action("Ungroup", "Ctrl+Shift+G", "Groups"),
    "open_group": Action("Open the selected group (dive in)", "I", "Groups"),
    "leave_group": Action("Back out of the group (up)", "U", "Groups"),
    "open_box": Action("Open the box (as math nodes)", "Ctrl+B", "Groups"),
    "save_to_library": Action("Save the group to the library..."),
    "step_node": Action("Step one node", "N", "Step"),
    "step_sample": Action("Step one sample", "Space", "Step"),
    "step_epoch": Action("Step one epoch", "E", "Step"),
    "step_back": Action("Step back", "B", "Step"),
    "toggle_run": Action("Run / pause", "R", "Run"),
    "gradient_check": Action("Gradient check"),
    "reset_weights": Action("Reset weights"),
    "help": Action("Mouse and keys", "F1"),
    "cancel": Action("Cancel", "Esc", "Cancel"),
}

MENUS: dict[str, tuple[str, ...]] = {
    "File": ("new_network", "new_empty", "open", "save", "save_as", "-", "quit"),
    "Edit": ("undo", "redo", "-", "delete", "select_all"),
    "View": ("fit", "actual_size", "zoom_in", "zoom_out", "-", "tidy"),
    "Group": ("group", "ungroup", "-", "open_group", "leave_group", "-", "open_box", "-", "save_to_library"),
    "Train": ("step_node", "step_sample", "step_epoch", "toggle_run", "step_back", "-", "gradient_check",
              "reset_weights"),
    "Help": ("help",),
}

MOUSE: tuple[tuple[str, str], ...] = (
    ("Add a node", "click it in the palette or drag it onto the canvas; type in the palette's search box and "
                   "press Enter; or right-click the canvas and search there. New nodes appear in view"),
    ("Wire", "drag from an output pin to an input pin (or the other way); a refused wire says why in the "
             "status line"),
    ("Cut a wire", "Ctrl + drag a line across wires, or Ctrl + drag a wire off its input pin, or Alt + click it"),
    ("Select / delete", "click a node or wire (Shift + click adds), or drag a box around nodes; drag selected "
                        "nodes to move them; a selected wire's whole value shows in the inspector"),
    ("Pan", "drag with the middle or right mouse button, or hold Space and drag, or click in the minimap"),
    ("Zoom", "mouse wheel, about the cursor"),
    ("Layout", "lays the graph out as the algorithm reads: forward left to right, blame flowing back beneath"),
    ("Groups", "select nodes and group them into one node whose ports are their unconnected ports; "
               "double-click a group to work inside it (the path at the top of the canvas goes back); "
               "a built-in node opens into the math nodes that compute it; Group -> Save the group to the "
               "library adds it to the palette"),
    ("Step", "evaluates the graph one node, one sample or one epoch at a time"),
    ("Run", "trains for the epochs set in the training panel (again: pause); untick animate for full speed"),
    ("Undo", "every edit, moves and tidying included"),
    ("Files", ""),
    ("Cancel", "drops the gesture in progress, closes the quick-add box, or leaves the probe"),
    ("Colours", "wires: orange negative, blue positive, thicker for bigger values, red NaN; a dot runs along "
                "the wires of the node just evaluated: green forward, magenta backward, cyan updates; dimmed "
                "nodes are still to come in this sample, or skipped (not connected to the loss)"),
)

_NAMED = {"Space": dpg.mvKey_Spacebar, "Del": dpg.mvKey_Delete, "Esc": dpg.mvKey_Escape,
          "-": dpg.mvKey_Minus, "=": dpg.mvKey_Minus + 4, "F1": dpg.mvKey_F1}  # ImGuiKey_Equal follows Minus by 4


@dataclass(frozen=True)
class Chord:
    key: int
    ctrl: bool = False
    shift: bool = False


def parse(keys: str) -> Chord:
    """``"Ctrl+Shift+S"`` -> Chord(mvKey_S, ctrl=True, shift=True)."""
    *mods, name = keys.split("+")
    code = _NAMED.get(name) or getattr(dpg, f"mvKey_{name}")
    return Chord(code, "Ctrl" in mods, "Shift" in mods)


def chords() -> dict[Chord, str]:
    """Every chord -> the action it runs."""
    return {parse(a.keys): name for name, a in ACTIONS.items() if a.keys}


def help_rows() -> list[tuple[str, str]]:
    """(what, how) lines of Help -> Mouse and keys: each gesture with the keys of its group."""
    rows = []
    for what, how in MOUSE:
        keys = [f"{a.keys} {a.label.lower().rstrip('.')}" for a in ACTIONS.values() if a.help == what and a.keys]
        rows.append((what, "; ".join(filter(None, [how, ", ".join(keys)]))))
    return rows


TEXT_INPUTS = {"mvAppItemType::mvInputText", "mvAppItemType::mvInputInt", "mvAppItemType::mvInputFloat",
               "mvAppItemType::mvInputDouble", "mvAppItemType::mvSliderFloat", "mvAppItemType::mvSliderInt",
               "mvAppItemType::mvDragFloat", "mvAppItemType::mvDragInt", "mvAppItemType::mvCombo"}


def keyboard_owner() -> str | None:
    """What has the keyboard instead of the editor: "dialog" (a modal window or a file dialog is
    open), "text" (a text field or other value widget is being edited), or None. Walks the
    windows' widgets only (never the canvas's drawn items)."""
    owner = None
    for root in dpg.get_windows():
        kind = dpg.get_item_type(root)
        if kind not in ("mvAppItemType::mvFileDialog", "mvAppItemType::mvWindowAppItem") or not dpg.is_item_shown(root):
            continue
        if kind == "mvAppItemType::mvFileDialog" or dpg.get_item_configuration(root).get("modal"):
            return "dialog"
        if owner is None and _editing(root):
            owner = "text"
    return owner


def _editing(item) -> bool:
    """Is a text field (or other value widget) inside ``item`` being edited?"""
    for child in dpg.get_item_children(item, 1) or ():
        if dpg.get_item_type(child) in TEXT_INPUTS:
            if dpg.get_item_state(child).get("active"):
                return True
        elif _editing(child):
            return True
    return False
