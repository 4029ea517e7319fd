"""Keys typed into dialogs stay there; building networks again and again, and a long random run
of real mouse and key input, never crash the editor (one thread owns the state)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"

HELPERS = '''
import random
import dearpygui.dearpygui as dpg
from nodeflow.gui.scripting import click, focus, key, result, start, to_screen, until, window_id, xdotool



def file_dialog_open():
    return any(dpg.get_item_type(i) == "mvAppItemType::mvFileDialog" for i in dpg.get_all_items())


def file_dialog(win, name):
    """Type ``name`` into the file dialog's name field (a dialog of 720x440, centred) and press OK."""
    cx, cy = dpg.get_viewport_client_width() / 2, dpg.get_viewport_client_height() / 2
    yield from click(win, (cx, cy + 220 - 44))
    yield from key(win, "ctrl+a")
    xdotool("type", "--delay", "40", name)
    yield 6
    yield from click(win, (cx - 360 + 21, cy + 220 - 19))
    yield from until(lambda: not file_dialog_open(), 120, "the file dialog to close")
    yield 3
'''

TYPED_NAMES = HELPERS + '''
def script(app):
    c = app.ctrl
    win = yield from start(app)
    out = {}
    before = c.session.value("weights_1", "W").tolist()
    yield from key(win, "ctrl+shift+s")
    yield from until(file_dialog_open, 60, "Save As")
    yield from file_dialog(win, "brand new run")
    out["saved"] = [str(c.path), c.session.sample, c.session.epoch, c.session.cursor, c.running]
    yield from key(win, "ctrl+o")
    yield from until(file_dialog_open, 60, "Open")
    yield from file_dialog(win, "brand new run.json")
    out["opened"] = [str(c.path), c.session.sample, c.session.epoch, c.session.cursor, c.running, c.message.text]
    out["W"] = [before, c.session.value("weights_1", "W").tolist()]
    result(out)
'''


def test_typing_file_names_into_save_as_and_open_never_steps_or_runs(editor, tmp_path, needs_xdotool):
    path = tmp_path / "xor.json"
    path.write_text((GRAPHS / "xor.json").read_text())
    r = editor.run(TYPED_NAMES, file=path)
    saved = tmp_path / "brand new run.json"
    assert r["saved"] == [str(saved), 0, 0, 0, False]
    assert r["opened"][:5] == [str(saved), 0, 0, 0, False] and r["opened"][5].startswith("opened ")
    doc = json.loads(saved.read_text())
    assert doc["trained_epochs"] == 0
    original = json.loads(path.read_text())
    weights = lambda d: {n["id"]: n["params"].get("value") for n in d["nodes"]}  # noqa: E731
    assert weights(doc) == weights(original)
    assert r["W"][0] == r["W"][1]


NEW_NETWORKS = HELPERS + '''
def button(label):
    for w in dpg.get_windows():
        if dpg.does_item_exist(w) and dpg.is_item_shown(w):
            for item in _walk(w):
                if dpg.get_item_type(item) == "mvAppItemType::mvButton" and dpg.get_item_label(item) == label:
                    return item
    return None


def _walk(item):
    for child in dpg.get_item_children(item, 1) or []:
        yield child
        yield from _walk(child)


def press(win, label):
    yield from until(lambda: button(label) is not None and dpg.get_item_rect_size(button(label))[0] > 0, 120, label)
    yield 2
    x, y = dpg.get_item_rect_min(button(label))
    w, h = dpg.get_item_rect_size(button(label))
    yield from click(win, (x + w / 2, y + h / 2))


def script(app):
    c = app.ctrl
    win = yield from start(app)
    made = []
    for k in range(20):
        app.new_network()
        yield 3
        if button("Don't save") is not None:
            yield from press(win, "Don't save")
        yield from press(win, "Create")
        yield from until(lambda: button("Create") is None, 120, "the dialog to close")
        made.append([len(c.graph.node_ids), len(app.canvas.nodes), len(c.graph.links()), len(app.canvas.wires)])
    out = {"made": made, "errors": app.errors, "layers": c.graph.settings["network"]["layers"]}
    result(out)
'''


def test_new_network_create_twenty_times_in_a_row(editor, tmp_path, needs_xdotool):
    g = tmp_path / "seeds.json"
    from nodeflow import mlp, save

    net = mlp([7, 5, 3], data="wheat-seeds", lr=0.3)
    save(net, g)
    r = editor.run(NEW_NETWORKS, file=g, timeout=600)
    assert len(r["made"]) == 20 and all(m == r["made"][0] for m in r["made"])
    nodes, widgets, links, wires = r["made"][0]
    assert nodes == widgets == len(net.node_ids) and links == wires == len(net.links())
    assert r["layers"] == [7, 5, 3]
    assert r["errors"] == 0


RANDOM = HELPERS + '''
KEYS = ["n", "n", "e", "b", "space", "f", "1", "t", "Delete", "ctrl+z", "ctrl+y", "Escape", "r", "ctrl+a",
        "ctrl+equal", "ctrl+minus"]


def script(app):
    c, cv = app.ctrl, app.canvas
    win = yield from start(app)
    rnd = random.Random(20261129)
    W, H = dpg.get_viewport_client_width(), min(dpg.get_viewport_client_height(), 880)
    ex, ey, ew, eh = cv.rect_in_window()
    log = []
    for k in range(300):
        what = rnd.choice(["key", "key", "click", "drag", "drag", "wheel", "right", "middle"])
        at = (rnd.uniform(ex, ex + ew), rnd.uniform(ey, min(ey + eh, H)))
        to = (rnd.uniform(ex, ex + ew), rnd.uniform(ey, min(ey + eh, H)))
        if what == "key":
            name = rnd.choice(KEYS)
            log.append(name)
            focus(win)
            xdotool("key", name)
        elif what == "click":
            xdotool("mousemove", *to_screen(win, (rnd.uniform(0, W), rnd.uniform(60, H))))
            yield 1
            xdotool("click", 1)
        elif what == "wheel":
            xdotool("mousemove", *to_screen(win, at))
            yield 1
            xdotool("click", rnd.choice([4, 5]))
        else:
            button = {"drag": 1, "right": 3, "middle": 2}[what]
            if rnd.random() < 0.3:
                xdotool("keydown", rnd.choice(["ctrl", "shift", "alt", "space"]))
            xdotool("mousemove", *to_screen(win, at))
            yield 1
            xdotool("mousedown", button)
            yield 1
            xdotool("mousemove", *to_screen(win, to))
            yield 1
            xdotool("mouseup", button)
            for m in ("ctrl", "shift", "alt", "space"):
                xdotool("keyup", m)
        yield 2
        if k % 50 == 49:
            app.quick_add.close()
    yield 5
    result({"frames": app.frames, "errors": app.errors, "running": dpg.is_dearpygui_running(), "keys": len(log),
            "nodes": [len(c.graph.node_ids), len(cv.nodes)], "links": [len(c.graph.links()), len(cv.wires)]})
'''


def test_three_hundred_random_mouse_and_key_actions_do_not_crash(editor, tmp_path, needs_xdotool):
    path = tmp_path / "xor.json"
    path.write_text((GRAPHS / "xor.json").read_text())
    r = editor.run(RANDOM, file=path, timeout=900)
    assert r["running"] and r["errors"] == 0 and r["keys"] > 50
    assert r["nodes"][0] == r["nodes"][1] and r["links"][0] == r["links"][1]


SLEEP = HELPERS + '''
import threading


def script(app):
    c = app.ctrl
    win = yield from start(app)
    marks = {}

    def before_key():
        marks.update(frames=app.frames, sleeping=app.sleeping, slept_at=app.slept_at)

    threading.Timer(3.0, before_key).start()  # (frames come only from input now: the script waits too)
    threading.Timer(3.1, lambda: (focus(win), xdotool("key", "n"))).start()
    app.allow_sleep = True
    yield from until(lambda: c.session.cursor == 1, 10 ** 6, "N to step")
    result({"marks": marks, "last": c.session.last_node})
'''


def test_an_idle_editor_sleeps_until_input_arrives(editor, tmp_path, needs_xdotool):
    r = editor.run(SLEEP, file=GRAPHS / "xor.json")
    m = r["marks"]
    assert m["sleeping"] and m["frames"] - m["slept_at"] <= 2  # one more frame (for tooltips), then none
    assert r["last"] == "dataset"  # the key woke it and was handled
