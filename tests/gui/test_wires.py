"""How values look on pins and wires."""
from __future__ import annotations

import numpy as np

from nodeflow.gui import wires


def test_pin_text():
    f = wires.format_value
    assert f(None) == "-"
    assert f(np.array(0.123456)) == "0.1235"
    assert f(np.array([1.0])) == "1"
    assert f(np.array([0.5, -0.25, 3.0])) == "[0.5 -0.25 3]"
    assert f(np.array([[3.4, 3.4], [5.46, 5.44]])) == "[3.4 3.4 | 5.46 5.44]"
    assert f(np.array([[-0.00826, -0.00826], [8.63e-06, 8.63e-06]])) == "2x2  -0.00826 .. 8.63e-6"
    assert f(np.arange(10.0)) == "10  0 .. 9"
    assert f(np.array([np.nan, 1.0])) == "[NaN 1]"
    assert f(np.array([np.inf] + [0.0] * 9)) == "10  1 NaN/inf"
    assert wires.fmt_number(-np.inf) == "-inf" and wires.fmt_number(1.5e-7) == "1.5e-7"


def test_watch_text_clips_big_values():
    text = wires.format_full(np.ones((20, 20)))
    assert text.count("\n") == 12 and text.endswith("... 8 more rows") and "..." in text.splitlines()[0]


def test_wire_colours_follow_the_sign():
    assert wires.wire_colour(None) == wires.IDLE_WIRE
    blue, orange, pale = (wires.wire_colour(np.array(v)) for v in (1.0, -1.0, 0.0))
    assert blue[2] > blue[0] and orange[0] > orange[2] and min(pale[:3]) > 200
    assert wires.wire_colour(np.array([1.0, np.nan])) == wires.BAD_COLOUR
    assert wires.wire_colour(np.array(0.5)) != blue  # paler than full scale


def test_badges_and_times():
    assert wires.gradcheck_badge("ok", 3e-9) == ("grad ok  3.0e-09", wires.GRADCHECK_COLOURS["ok"])
    assert wires.gradcheck_badge("WRONG", 0.5)[1] == wires.GRADCHECK_COLOURS["WRONG"]
    assert wires.micros(12.34) == "12.3 us" and wires.micros(2500) == "2.50 ms"


def test_short_values_beside_pins_fit_their_room():
    s = wires.short_value
    assert s(None) == "-" and s(np.array([0.73112])) == "0.7311" and s(np.array([0.731, -0.2])) == "[0.73 -0.2]"
    assert s(np.arange(3.0) / 10) == "[0 0.1 0.2]"
    assert s(np.arange(3.0) * 1.2345) == "[0 1.2 2.5]" and s(np.arange(3.0) - 1.23456) == "[3]" and s(np.arange(4.0)) == "[4] 0..3"
    assert s(np.array([[0.25, -0.5]])) == "[0.25 -0.5]" and s(np.ones((3, 1))) == "[1 1 1]"  # one row or column
    assert s(np.ones((2, 2))) == "2x2 1..1" and s(np.ones((25, 64))) == "25x64 1..1" and s(np.ones((25, 64)) * 0.123456) == "25x64"
    assert s(np.array([np.nan, 1.0])) == "[NaN 1]" and s(np.array([np.nan, 1.0, 2.0, 3.0])) == "[4] NaN"


def test_wire_thickness_follows_magnitude():
    t = wires.wire_thickness
    assert t(None) == 1.5 and t(np.zeros(3)) == 1.2
    assert t(np.array([0.1])) < t(np.array([-0.5])) < t(np.array([1.0])) == t(np.array([-7.0])) == 4.8
