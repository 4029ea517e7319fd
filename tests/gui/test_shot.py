"""``nodeflow shot``: every example fitted at 1280x800 shows every node inside the canvas, none
overlapping another; the picture is a PNG of the window; mistakes are one line."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from nodeflow.document.examples import EXAMPLES

GRAPHS = Path(__file__).resolve().parents[2] / "graphs"


def shot(display, *args, cwd=None):
    env = dict(os.environ, DISPLAY=display) if display else {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    return subprocess.run([sys.executable, "-m", "nodeflow", "shot", *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_example_fits_at_1280x800_without_overlaps(display, tmp_path, name):
    p = shot(display, GRAPHS / name, "-o", tmp_path / "s.png", "--size", "1280x800", "--fit",
             "--layout-json", tmp_path / "r.json")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == f"wrote {tmp_path / 's.png'} and {tmp_path / 'r.json'}"
    assert png_size(tmp_path / "s.png") == (1280, 800)
    r = json.loads((tmp_path / "r.json").read_text())
    cx, cy, cw, ch = r["canvas"]
    nodes = r["nodes"]
    assert set(nodes) == {n["id"] for n in json.loads((GRAPHS / name).read_text())["nodes"]}
    for n, (x, y, w, h) in nodes.items():
        assert cx <= x and cy <= y and x + w <= cx + cw and y + h <= cy + ch, (n, nodes[n], r["canvas"])
        assert w > 0 and h > 0
    pairs = [(a, b) for a in nodes for b in nodes if a < b and overlap(nodes[a], nodes[b])]
    assert pairs == []


def test_shot_trains_first_and_mistakes_are_one_line(display, tmp_path):
    p = shot(display, GRAPHS / "xor.json", "-o", tmp_path / "t.png", "--epochs", "3", "--size", "900x600")
    assert p.returncode == 0, p.stderr
    assert png_size(tmp_path / "t.png") == (900, 600)
    for args, message in (
            (["nope.json", "-o", tmp_path / "x.png"], "nope.json: no such file"),
            ([GRAPHS / "xor.json", "-o", tmp_path / "x.png", "--size", "big"], "--size must be WIDTHxHEIGHT"),
            ([GRAPHS / "xor.json", "-o", tmp_path / "no" / "x.png"], "cannot write"),
            ([GRAPHS / "xor.json", "-o", tmp_path / "x.png", "--select", "nope"], "--select: the graph has no node 'nope'")):
        p = shot(display, *args)
        assert p.returncode == 2 and message in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
        assert p.stderr.startswith("nodeflow: error: ") and not (tmp_path / "x.png").exists()
    p = shot(display, GRAPHS / "xor.json", "-o", tmp_path / "x.png", "--samples", "2", "--epochs", "2")
    assert p.returncode == 2 and "not allowed with argument --samples" in p.stderr.strip().splitlines()[-1]


def test_without_a_display_shot_starts_its_own_screen(tmp_path):
    if subprocess.run(["which", "Xvfb"], capture_output=True).returncode != 0:
        pytest.skip("Xvfb is not installed")
    p = shot(None, GRAPHS / "apples_oranges.json", "-o", tmp_path / "a.png", "--samples", "2")
    assert p.returncode == 0, p.stderr
    assert png_size(tmp_path / "a.png") == (1280, 800)


def test_without_a_display_or_xvfb_shot_says_so_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["PATH"] = str(tmp_path)  # no Xvfb to be found
    p = subprocess.run([sys.executable, "-m", "nodeflow", "shot", str(GRAPHS / "xor.json"), "-o", str(tmp_path / "n.png")],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stderr == ("nodeflow: error: no display to draw on and Xvfb is not installed "
                                              "(apt-get install xvfb)\n")


def test_shot_of_a_groups_inside(display, tmp_path):
    p = shot(display, GRAPHS / "xor_opened.json", "-o", tmp_path / "in.png", "--open", "opened_delta_1",
             "--samples", "1", "--layout-json", tmp_path / "in.json")
    assert p.returncode == 0, p.stderr
    r = json.loads((tmp_path / "in.json").read_text())
    assert sorted(r["nodes"]) == ["W_T", "back", "delta", "in_W", "in_delta_next", "in_slope", "out_delta"]
    cx, cy, cw, ch = r["canvas"]
    assert all(cx <= x and cy + 30 <= y and x + w <= cx + cw and y + h <= cy + ch for x, y, w, h in r["nodes"].values())
    for where, message in (("nope", "--open: the graph has no group 'nope' (its groups: opened_weighted_sum_1, "),
                           ("opened_delta_1/W_T", "--open: opened_delta_1 has no group 'W_T' (its groups: none)")):
        p = shot(display, GRAPHS / "xor_opened.json", "-o", tmp_path / "x.png", "--open", where)
        assert p.returncode == 2 and message in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
