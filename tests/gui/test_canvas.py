"""The drawn canvas with real mouse and keys (xdotool): zoom about the cursor, fit, wires at any
zoom, the view saved with the file, panning, cutting, selecting, the minimap, pulses, levels
of detail, where new nodes appear."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"

HELPERS = '''
import json
import math
import dearpygui.dearpygui as dpg
from nodeflow.document.graph import Link
from nodeflow.gui.scripting import click, drag, focus, holding, key, result, start, to_screen, until, window_id, xdotool



def inside(r, box, slack=0.5):
    return r[0] >= box[0] - slack and r[1] >= box[1] - slack and r[0] + r[2] <= box[0] + box[2] + slack \\
        and r[1] + r[3] <= box[1] + box[3] + slack


def wheel(win, at, notches):
    x, y = to_screen(win, at)
    xdotool("mousemove", x, y)
    yield 3
    for _ in range(abs(notches)):
        xdotool("click", 4 if notches > 0 else 5)
        yield 3
'''

ZOOM_FIT_WIRES = HELPERS + '''
def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app, "digits")
    out = {}
    # three wheel notches over a node: the node's point under the cursor stays put
    x, y, w, h = cv.screen_rect("sigmoid_1")
    at = (round(x + w * 0.3), round(y + h * 0.6))
    p = cv.canvas_point(at)
    z0 = cv.view.zoom
    yield from wheel(win, at, 3)
    out["wheel"] = [z0, cv.view.zoom, list(at), list(cv.to_window(p))]
    yield from wheel(win, at, -5)
    out["wheel_out"] = [cv.view.zoom, list(cv.to_window(p))]
    # pan away with the middle button, then F brings every node inside the canvas
    ex, ey, ew, eh = cv.rect_in_window()
    xdotool("mousemove", *to_screen(win, (ex + 100, ey + 100)))
    yield 2
    xdotool("mousedown", 2)
    yield 2
    for k in range(1, 5):
        xdotool("mousemove", *to_screen(win, (ex + 100 + 80 * k, ey + 100 + 50 * k)))
        yield 2
    xdotool("mouseup", 2)
    yield 3
    box = cv.rect_in_window()
    out["panned_out"] = sum(not inside(cv.screen_rect(n), box) for n in cv.nodes)
    yield from key(win, "f")
    yield 3
    out["after_fit"] = [n for n in cv.nodes if not inside(cv.screen_rect(n), box)]
    out["fit_zoom"] = cv.view.zoom
    zooms = []
    for name in ("ctrl+minus", "ctrl+equal", "1"):
        yield from key(win, name)
        yield 2
        zooms.append(cv.view.zoom)
    out["zoom_keys"] = zooms
    # a wire dragged at zoom 0.5 and at 1.5 is made
    c.disconnect(Link("weighted_sum_1", "z", "sigmoid_1", "z"))
    for zoom in (0.5, 1.5):
        cv.view.look_at(zoom, cv.nodes["sigmoid_1"].pos)
        yield 3
        n = len(c.graph.links())
        yield from drag(win, cv.pin_screen_pos("weighted_sum_1", "z", "out"), cv.pin_screen_pos("sigmoid_1", "z", "in"))
        yield from until(lambda: len(c.graph.links()) == n + 1, 30, f"the wire at zoom {zoom}")
        out[f"wire at {zoom}"] = [cv.view.zoom, c.message.text]
        c.undo()
        yield 2
    result(out)
'''


def test_wheel_zooms_about_the_cursor_f_fits_and_wires_drag_at_any_zoom(editor, needs_xdotool):
    r = editor.run(ZOOM_FIT_WIRES, file=GRAPHS / "digits.json")
    z0, z1, at, now = r["wheel"]
    assert z1 == pytest.approx(z0 * 1.15 ** 3) and math.dist(at, now) < 3
    z2, back = r["wheel_out"]
    assert z2 == pytest.approx(z0 * 1.15 ** -2) and math.dist(at, back) < 3
    assert r["panned_out"] > 0 and r["after_fit"] == []
    z = r["fit_zoom"]
    assert r["zoom_keys"] == [pytest.approx(z / 1.15 ** 2), pytest.approx(z), 1.0]
    for zoom in (0.5, 1.5):
        got, message = r[f"wire at {zoom}"]
        assert got == zoom and message == "connected weighted_sum_1.z -> sigmoid_1.z"


VIEW_SAVED = HELPERS + '''
def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app, "seen.json")
    out = {"fitted": cv.view.zoom}
    x, y, w, h = cv.screen_rect("weighted_sum_2")
    yield from wheel(win, (x + w / 2, y + h / 2), 4)
    # Space + drag pans (and Space then does not step)
    ex, ey, ew, eh = cv.rect_in_window()
    before = cv.view.center
    yield from holding("space", drag(win, (ex + 300, ey + 300), (ex + 200, ey + 260)))
    yield 4
    out["space_pan"] = [list(before), list(cv.view.center), c.session.sample, c.session.epoch]
    out["view"] = [cv.view.zoom, list(cv.view.center)]
    yield from key(win, "ctrl+s")
    yield from until(lambda: not c.dirty, 60, "Ctrl+S")
    out["file_view"] = json.load(open(c.path))["view"]
    cv.fit()
    yield 3
    c.open(c.path)
    yield from until(lambda: not cv.animating, 60, "the reopened graph")
    yield 2
    out["reopened"] = [cv.view.zoom, list(cv.view.center)]
    # Space alone steps one sample
    yield from key(win, "space")
    yield from until(lambda: c.session.sample == 1, 60, "Space to step")
    result(out)
'''


def test_ctrl_s_after_zooming_then_reopening_restores_the_view(editor, tmp_path, needs_xdotool):
    path = tmp_path / "seen.json"
    path.write_text((GRAPHS / "xor.json").read_text())
    r = editor.run(VIEW_SAVED, file=path)
    zoom, center = r["view"]
    assert zoom == pytest.approx(r["fitted"] * 1.15 ** 4)
    assert r["file_view"]["zoom"] == pytest.approx(zoom, abs=1e-4)
    assert r["reopened"][0] == pytest.approx(zoom, abs=1e-4)
    assert math.dist(r["reopened"][1], center) < 0.2
    (bx, by), (ax, ay), sample, epoch = r["space_pan"]
    assert (ax - bx) == pytest.approx(100 / zoom, abs=3) and (ay - by) == pytest.approx(40 / zoom, abs=3)
    assert sample == 0 and epoch == 0
    assert "view" not in json.loads((GRAPHS / "xor.json").read_text())


GESTURES = HELPERS + '''
def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app, "xor")
    out = {}
    cv.view.look_at(1.0, cv.nodes["sigmoid_1"].pos)
    yield 3
    # Ctrl + drag a line across a wire cuts it; Alt + click another cuts that one
    link = Link("weighted_sum_1", "z", "sigmoid_1", "z")
    mx, my = cv.wire_screen_point(link)
    n = len(c.graph.links())
    yield from holding("ctrl", drag(win, (mx - 2, my - 9), (mx + 2, my + 9)))
    yield from until(lambda: link not in cv.wires, 30, "the cut")
    out["cut"] = [n - len(c.graph.links()), c.message.text]
    c.undo()
    link2 = Link("sigmoid_1", "y", "weighted_sum_2", "x")
    yield from holding("alt", click(win, cv.wire_screen_point(link2)))
    yield from until(lambda: link2 not in cv.wires, 30, "Alt+click")
    c.undo()
    yield 3
    # a box dragged over empty canvas selects the nodes it touches; Delete removes them; Escape
    # while dragging a node puts it back
    cv.fit()
    yield 3
    x0, y0, _, _ = cv.screen_rect("weights_1")
    x1, y1, w1, h1 = cv.screen_rect("bias_1")
    yield from drag(win, (x0 - 10, y0 - 10), (x1 + w1 * 0.5, y1 + h1 * 0.5))
    out["box"] = sorted(cv.selection()[0])
    yield from key(win, "Delete")
    yield from until(lambda: "weights_1" not in c.graph, 30, "Delete")
    yield from key(win, "ctrl+z")
    yield from until(lambda: "weights_1" in cv.nodes, 30, "Ctrl+Z")
    x, y, w, h = cv.screen_rect("error")
    before = cv.nodes["error"].pos
    xdotool("mousemove", *to_screen(win, (x + 10, y + 5)))
    yield 2
    xdotool("mousedown", 1)
    yield 2
    xdotool("mousemove", *to_screen(win, (x + 90, y + 75)))
    yield 3
    moved = cv.nodes["error"].pos
    yield from key(win, "Escape")
    xdotool("mouseup", 1)
    yield 3
    out["escape"] = [list(before), list(moved), list(cv.nodes["error"].pos), list(c.graph.attrs("error")["pos"])]
    # zoomed in, the minimap shows in a corner that covers no node, and a click in it moves the view
    cv.view.look_at(1.6, cv.nodes["sigmoid_1"].pos)
    yield 3
    mm = cv.minimap.rect
    ox, oy = cv.origin()
    covered = [n for n in cv.nodes if mm and _overlap(cv.screen_rect(n), (ox + mm[0], oy + mm[1], mm[2], mm[3]))]
    out["minimap"] = [mm is not None, covered]
    target = cv.nodes["weights_2"].pos  # near the minimap's top: the window's bottom is off the test screen
    yield from click(win, (ox + cv.minimap.to_map(target)[0], oy + cv.minimap.to_map(target)[1]))
    yield 2
    out["minimap_click"] = [list(target), list(cv.view.center)]
    # a node added from the palette after panning far away appears in view, on top of nothing
    cv.view.look_at(1.0, (-3000.0, 2000.0))
    yield 3
    app.add_node("Tanh")
    yield 3
    r = cv.screen_rect("tanh_1")
    out["new_in_view"] = inside(r, cv.rect_in_window())
    cv.view.look_at(1.0, cv.nodes["sigmoid_1"].pos)
    yield 3
    app.add_node("Watch")
    yield 3
    others = [n for n in cv.nodes if n != "watch_1" and _overlap(cv.screen_rect(n), cv.screen_rect("watch_1"))]
    out["new_free"] = [inside(cv.screen_rect("watch_1"), cv.rect_in_window()), others]
    result(out)


def _overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
'''


def test_cut_select_delete_escape_minimap_and_new_nodes_in_view(editor, needs_xdotool):
    r = editor.run(GESTURES, file=GRAPHS / "xor.json")
    assert r["cut"] == [1, "deleted 1 wire"]
    assert r["box"] == ["bias_1", "weights_1"]
    before, moved, after, in_graph = r["escape"]
    assert moved != before and after == before == in_graph
    assert r["minimap"] == [True, []]
    target, center = r["minimap_click"]
    assert math.dist(target, center) < 12
    assert r["new_in_view"] and r["new_free"] == [True, []]


PULSES_AND_DETAIL = HELPERS + '''
from nodeflow.gui.canvas import geometry, style


def shown_pulses(cv):
    return [dpg.get_item_configuration(i)["center"] for i in cv.dots.made if dpg.get_item_configuration(i)["show"]]


def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app, "xor")
    out = {}
    cv.view.look_at(1.0, cv.nodes["weighted_sum_1"].pos)
    yield 3
    xdotool("key", "n")  # the data set: its wires pulse green
    yield from until(lambda: cv.pulses.flying, 60, "the pulses")  # (checked in the frame they start)
    outs = [l for l in cv.wires if l.src == c.session.last_node]
    flying = list(cv.pulses.flying)
    out["flying"] = sorted(str(p.link) for p in flying) == sorted(str(l) for l in outs)
    cv._draw_pulses(flying[0].start + flying[0].duration / 2)  # halfway (frames under Xvfb can be slow)
    centres = shown_pulses(cv)
    near = [min(geometry.distance(p, cv.wires[l].line) for l in outs) for p in centres]
    colours = {tuple(round(v * 255) for v in dpg.get_item_configuration(i)["fill"][:3]) for i in cv.dots.made
               if dpg.get_item_configuration(i)["show"]}
    out["pulses"] = [c.session.last_node, len(outs), len(centres), max(near, default=99), sorted(colours)]
    yield from until(lambda: not cv.pulses.busy, 120, "the pulses to arrive")
    yield 2
    out["after"] = len(shown_pulses(cv))
    c.animate = False
    yield from key(win, "n")
    yield 3
    out["animate_off"] = [len(shown_pulses(cv)), cv.pulses.busy]
    # levels of detail: pin names and values zoomed in, title and a compact picture zoomed out
    item = cv.nodes["weighted_sum_1"]
    out["detail"] = [dpg.get_item_configuration(item.detail)["show"], dpg.get_item_configuration(item.compact)["show"]]
    cv.view.look_at(0.3, cv.view.center)
    yield 3
    out["compact"] = [dpg.get_item_configuration(item.detail)["show"], dpg.get_item_configuration(item.compact)["show"],
                      dpg.get_item_configuration(item.title)["size"], item.swatch.size is not None]
    # nodes the plan skips (not connected to the loss) are dimmed with a badge
    stray = c.add_node("Sigmoid", (0.0, 0.0))  # wired to nothing: the plan leaves it out
    c.step_sample()
    yield 3
    badge = dpg.get_item_configuration(cv.nodes[stray].badge)
    out["skipped"] = [cv.nodes[stray].look[2], badge["text"], badge["show"], cv.nodes["dataset"].look[2]]
    c.delete([stray])
    # T tidies the layout (one undo step), Help -> Mouse and keys comes from the key registry
    c.move_nodes({"error": (5000.0, 5000.0)})
    yield from key(win, "t")
    yield 2
    from nodeflow.document import layout
    out["tidy"] = [c.graph.attrs("error")["pos"] == list(layout.tidy(c.graph)["error"]), list(cv.nodes["error"].pos)]
    yield from key(win, "ctrl+z")
    yield 2
    out["untidy"] = c.graph.attrs("error")["pos"]
    yield from key(win, "F1")
    yield 3
    helps = [w for w in dpg.get_windows() if dpg.get_item_label(w) == "Mouse and keys"]
    rows = [r for r in _walk(helps[0]) if dpg.get_item_type(r) == "mvAppItemType::mvTableRow"] if helps else []
    out["help"] = len(rows)
    result(out)


def _walk(item):
    for child in dpg.get_item_children(item, 1) or []:
        yield child
        yield from _walk(child)
'''


def test_pulses_run_along_the_wires_of_the_node_just_evaluated_and_detail_follows_the_zoom(editor, needs_xdotool):
    r = editor.run(PULSES_AND_DETAIL, file=GRAPHS / "xor.json")
    node, wires, dots, farthest, colours = r["pulses"]
    assert node == "dataset" and wires == 4 and dots >= wires and farthest < 1.0 and r["flying"]
    assert colours == [[120, 230, 110]]  # green: forward
    assert r["after"] == 0 and r["animate_off"] == [0, False]
    assert r["detail"] == [True, False]
    shown, compact, title_px, swatch = r["compact"]
    assert not shown and compact and title_px >= 10.5 and swatch
    dimmed, badge, badge_shown, error_dimmed = r["skipped"]
    assert dimmed and badge == "skipped: not connected to the loss" and badge_shown and not error_dimmed
    assert r["tidy"][0] and r["untidy"] == [5000.0, 5000.0]
    from nodeflow.gui.keys import MOUSE
    assert r["help"] == len(MOUSE)
