"""The canvas's arithmetic without a window: view, wire geometry, label placement, pulses,
the minimap's corner, and the key registry the menus, handlers and help are made from."""
from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from nodeflow import mlp
from nodeflow.gui import keys
from nodeflow.gui.canvas import geometry
from nodeflow.gui.canvas.minimap import best_corner, corner_rect
from nodeflow.gui.canvas.pulses import Evaluations, Pulses
from nodeflow.gui.canvas.view import MAX_ZOOM, MIN_ZOOM, View
from nodeflow.run.session import Session


def test_zooming_about_a_point_keeps_it_under_the_cursor():
    v = View((800, 600))
    v.look_at(0.8, (300.0, 200.0))
    anchor = (123.0, 456.0)
    p = v.to_canvas(anchor)
    for notches in (3, -7, 2):
        v.wheel(anchor, notches)
        assert math.dist(v.to_screen(p), anchor) < 1e-9
    assert v.zoom == pytest.approx(0.8 * 1.15 ** -2)
    v.zoom_about(anchor, 1000.0)
    assert v.zoom == MAX_ZOOM and math.dist(v.to_screen(p), anchor) < 1e-9
    v.zoom_about(anchor, 1e-6)
    assert v.zoom == MIN_ZOOM


def test_fit_shows_everything_centred_and_never_beyond_100_percent():
    v = View((800, 600))
    v.fit((100.0, 50.0, 2100.0, 850.0))
    assert v.zoom == pytest.approx((800 - 48) / 2000) and v.contains((100.0, 50.0, 2100.0, 850.0))
    assert v.center == pytest.approx((1100.0, 450.0))
    v.fit((0.0, 0.0, 100.0, 50.0))
    assert v.zoom == 1.0
    c = v.center
    v.resize((1000, 700))
    assert v.center == pytest.approx(c) and v.size == (1000, 700)
    before = v.version
    v.pan(0, 0)
    assert v.version == before  # nothing changed, nothing to redraw


def test_wires_leave_outwards_and_enter_from_outside_and_hit_tests_find_them():
    c = geometry.curve((100.0, 50.0), 1, (400.0, 250.0), -1)
    assert c[1][0] > 100 and c[2][0] < 400 and c[1][1] == 50 and c[2][1] == 250
    back = geometry.curve((400.0, 300.0), -1, (100.0, 300.0), 1)  # a mirrored delta's output to another's input
    assert back[1][0] < 400 and back[2][0] > 100
    line = geometry.polyline(c)
    assert geometry.point(c, 0) == (100.0, 50.0) and geometry.point(c, 1) == (400.0, 250.0)
    mid = geometry.midpoint(line)
    assert geometry.distance(mid, line) < 1e-9 and geometry.distance((mid[0], mid[1] + 30), line) > 10
    assert geometry.crosses((mid[0] - 5, mid[1] - 40), (mid[0] + 5, mid[1] + 40), line)
    assert not geometry.crosses((0, 0), (50, 400), line)
    spots = geometry.along(line)
    assert spots[0] == pytest.approx(mid) and len(spots) == len(geometry.SPOTS)


def test_labels_avoid_nodes_and_each_other():
    a = [(0.0, 0.0), (100.0, 0.0), (200.0, 0.0)]
    b = [(0.0, 4.0), (100.0, 4.0), (200.0, 4.0)]
    labels = [("a", geometry.along(a), 40.0, 12.0), ("b", geometry.along(b), 40.0, 12.0)]
    placed = geometry.place_labels(labels, obstacles=[])
    assert placed["a"] == (100.0, 0.0) and placed["b"][0] != 100.0  # b moved along its wire
    blocked = geometry.place_labels(labels[:1], obstacles=[(-10, -50, 210, 50)])
    assert blocked == {}


def test_pulses_follow_evaluation_order_and_stop_when_too_fast():
    p = Pulses()
    p.emit([(["w1", "w2"], "forward"), (["w3"], "backward")], now=10.0, span=0.6)
    starts = {x.link: (x.start, x.phase) for x in p.flying}
    assert starts["w1"] == (10.0, "forward") and starts["w3"][0] > 10.0 and starts["w3"][1] == "backward"
    assert [x.link for x, t in p.at(10.1)] == ["w1", "w2"]
    assert p.at(11.0) == [] and not p.busy
    p.emit([(["w1"], "update")], now=0.0, span=0.03)
    assert not p.busy  # too fast to see: values only


def test_evaluations_name_the_steps_done_since_the_last_look():
    s = Session(mlp([2, 2, 1], data="xor"))
    ev = Evaluations()
    run = s.run
    assert ev.since(run) == []
    s.step_node()
    s.step_node()
    assert [x.node for x in ev.since(run)] == [x.node for x in run.plan.steps[:2]]
    s.step_sample()  # the rest of the sample
    assert [x.node for x in ev.since(run)] == [x.node for x in run.plan.steps[2:]]
    s.step_sample()
    s.step_sample()  # two samples in one look: too many to show
    assert ev.since(run) == []
    s.step_back()
    assert ev.since(run) == []


def test_the_minimap_takes_a_corner_that_covers_no_node():
    size, canvas = (200.0, 100.0), (1000.0, 700.0)
    assert best_corner(size, canvas, []) == "bottom right"
    br = corner_rect("bottom right", size, canvas)
    node_there = (br[0] + 20, br[1] + 20, 50, 30)
    assert best_corner(size, canvas, [node_there]) == "bottom left"
    everywhere = [corner_rect(c, size, canvas) for c in ("bottom right", "bottom left", "top right")]
    assert best_corner(size, canvas, everywhere) == "top left"


def test_every_key_is_written_once_and_menus_and_help_come_from_it():
    from nodeflow.gui.app import App

    names = set(App.actions(SimpleNamespace(ctrl=SimpleNamespace(**{n: None for n in (
        "undo", "redo", "step_node", "step_sample", "step_epoch", "step_back", "toggle_run", "gradient_check",
        "reset_weights", "new_empty")}), canvas=SimpleNamespace(delete_selection=None, fit=None, actual_size=None,
                                                              view=None), **{n: None for n in (
        "new_network", "guard", "open_dialog", "save", "save_as", "request_quit", "tidy", "cancel")})))
    assert names == set(keys.ACTIONS)
    in_menus = [n for ns in keys.MENUS.values() for n in ns if n != "-"]
    assert len(in_menus) == len(set(in_menus)) and set(in_menus) <= set(keys.ACTIONS)
    chords = keys.chords()
    assert len(chords) == sum(bool(a.keys) for a in keys.ACTIONS.values())  # no two actions share keys
    assert keys.parse("Ctrl+Shift+S") == keys.Chord(keys.dpg.mvKey_S, True, True)
    assert chords[keys.Chord(keys.dpg.mvKey_Spacebar)] == "step_sample"
    help_text = dict(keys.help_rows())
    assert "N step one node" in help_text["Step"] and "F fit the graph in view" in help_text["Zoom"]
    assert "Ctrl+S save" in help_text["Files"]
    grouped = {a.help for a in keys.ACTIONS.values() if a.help}
    assert grouped <= set(help_text)
