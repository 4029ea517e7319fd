"""The dearpygui editor: a thin view over the core graph, evaluator and files.

Modules:
    app          the window: menus, toolbar, layout, the frame loop (one thread runs every callback)
                 (``python -m nodeflow.gui.app FILE``)
    controller   every user action as a method, no dearpygui (the tests drive the editor through it)
    levels       working inside groups: the groups opened, their insides, edits written back at once
    canvas/      the drawn, zoomable canvas: nodes, wires with their values, pulses, gestures, minimap
    keys         every key binding once: handlers, menu shortcut texts and Help are made from it
    wires        how values look: pin text, wire labels, diverging colours and thickness, badges
    panels       palette (+ right-click quick add), status line
    inspector    settings, the selected node (parameters, what it computes) or wire
    probepanel   the probe: an input of one's own, in raw units, through the forward pass
    training     Run / epochs / Cancel / progress and the per-epoch plot
    datachoice   the data list: built-in sets, recent CSV files, "CSV file..."
    screen       is there a display, and where the window fits on it
    dialogs      New network, problems, unsaved changes, help, file choosing
    scripting    helpers for scripts run inside the editor (tests, screenshots, benchmark)
    shot         ``nodeflow shot``: the editor's picture of a graph file (or a group's inside), and its
                 node rectangles
    screenshots  ``python -m nodeflow.gui.screenshots assets/`` makes the README pictures
    bench_frame  ``python -m nodeflow.gui.bench_frame``: Python time per frame (``--idle S``: idle CPU)
    bench_views  ``python -m nodeflow.gui.bench_views``: what live view pictures cost a run

The editor keeps only maps from drawn items to node ids, ports and links; the graph is
the single source of truth and the canvas follows its change events (so undo and redo
need nothing special).
"""


def run_editor(path=None) -> int:
    from .app import main

    return main(path)
