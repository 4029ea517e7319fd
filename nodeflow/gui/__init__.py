"""The dearpygui editor: a thin view over the core graph, evaluator and files.

Modules:
    app          the window: menus, toolbar, keys, layout, render loop (``python -m nodeflow.gui.app FILE``)
    controller   every user action as a method, no dearpygui (the tests drive the editor through it)
    canvas       the node editor: nodes, pins, wires, selection, moves; values, colours and highlights
    wires        how values look: pin text, diverging wire colours, phase highlights, badges
    panels       palette (+ right-click quick add), status line
    inspector    settings, the selected node (parameters, what it computes) or wire
    training     Run / epochs / Cancel / progress and the per-epoch plot
    datachoice   the data list: built-in sets, recent CSV files, "CSV file..."
    screen       is there a display, and where the window fits on it
    dialogs      New network, problems, unsaved changes, help, file choosing
    scripting    helpers for scripts run inside the editor (tests, screenshots, benchmark)
    screenshots  ``python -m nodeflow.gui.screenshots assets/`` makes the README pictures
    bench_frame  ``python -m nodeflow.gui.bench_frame``: Python time per frame while animating

The editor keeps only maps from widget ids to node ids, ports and links; the graph is
the single source of truth and the canvas follows its change events (so undo and redo
need nothing special).
"""


def run_editor(path=None) -> int:
    from .app import main

    return main(path)
