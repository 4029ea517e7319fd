"""The pictures of what the network computes: their pixels against predictions, their notes when
they cannot draw, and that drawing them never changes the training state."""
from __future__ import annotations

import numpy as np
import pytest

from nodeflow import Session, load
from nodeflow.document.examples import EXAMPLES
from nodeflow.views import READS_RUN, VIEWS, ViewContext, picture
from nodeflow.views import charts, draw, font, function
from conftest import GRAPHS


def trained(name: str, epochs: int = 30) -> Session:
    s = Session(load(GRAPHS / name))
    s.train(epochs)
    return s


def draw_view(s: Session, node: str, **params):
    g = s.graph
    return picture(ViewContext(s, node, {**g.params(node), **params}), g.type_of(node).name)


@pytest.fixture(scope="module")
def circle() -> Session:
    return trained("circle_regions.json", 60)


def test_decision_region_pixels_are_predict_on_the_grid(circle):
    s, size = circle, 120
    data = s.plan.data
    pic = draw_view(s, "decision_regions", size=size, points=False)
    x_range, y_range, grid = function.plane(data, size)
    predicted = s.predict(data.encode(grid))  # the kernels, one grid point at a time
    n = int(np.ceil(size / function.CELL))
    area = pic.rgb[draw.MARGIN_TOP:draw.MARGIN_TOP + size, draw.MARGIN_LEFT:draw.MARGIN_LEFT + size]
    shown = area[::function.CELL, ::function.CELL].reshape(-1, 3)
    np.testing.assert_allclose(shown, function.region_colours(predicted), rtol=0, atol=1e-12)
    classes = (predicted[:, 0] >= 0.5).reshape(n, n)
    assert 0.2 < classes.mean() < 0.8  # both classes are on the picture
    blue = shown.reshape(n, n, 3)[..., 2] > shown.reshape(n, n, 3)[..., 0]  # class 1 (inside) is blue
    np.testing.assert_array_equal(blue, classes)
    assert x_range[0] < data.X_raw[:, 0].min() and x_range[1] > data.X_raw[:, 0].max()  # raw units, padded


def test_points_are_drawn_where_the_samples_are(circle):
    s = circle
    data = s.plan.data
    pic = draw_view(s, "decision_regions", size=120)
    bare = draw_view(s, "decision_regions", size=120, points=False)
    x_range, y_range, _ = function.plane(data, 120)
    ax = draw.Axes(draw.MARGIN_LEFT, draw.MARGIN_TOP, 120, 120, x_range, y_range)
    k = data.train[0]
    cx, cy = (int(round(float(v))) for v in (ax.px(data.X_raw[k, 0]), ax.py(data.X_raw[k, 1])))
    assert not np.allclose(pic.rgb[cy, cx], bare.rgb[cy, cx])
    changed = np.any(pic.rgb != bare.rgb, axis=2)
    assert changed[:draw.MARGIN_TOP].sum() == 0 and changed[:, :draw.MARGIN_LEFT].sum() == 0  # not on the axes


def test_a_probed_input_is_marked_where_it_is(circle):
    s, g = circle, circle.graph
    params = {**g.params("decision_regions"), "size": 120, "points": False}
    bare = picture(ViewContext(s, "decision_regions", params), "DecisionRegions")
    marked = picture(ViewContext(s, "decision_regions", params, probe=s.probe([0.3, 0.7])), "DecisionRegions")
    x_range, y_range, _ = function.plane(s.plan.data, 120)
    ax = draw.Axes(draw.MARGIN_LEFT, draw.MARGIN_TOP, 120, 120, x_range, y_range)
    cy, cx = np.argwhere(np.any(marked.rgb != bare.rgb, axis=2)).mean(axis=0)  # the middle of what changed
    assert abs(cx - ax.px(0.3)) < 0.5 and abs(cy - ax.py(0.7)) < 0.5
    x, y = (int(round(float(v))) for v in (ax.px(0.3), ax.py(0.7)))
    np.testing.assert_array_equal(marked.rgb[y, x + 5], function.PROBE_MARK)  # a white ring, radius 5..6
    np.testing.assert_array_equal(marked.rgb[y, x + 7], [0, 0, 0])  # between black ones
    np.testing.assert_array_equal(marked.rgb[y, x], bare.rgb[y, x])  # the region's colour shows inside
    ring = draw.ring(4)
    assert ring.shape == (9, 9) and ring[4, 0] and ring[4, 1] and not ring[4, 2] and not ring[4, 4]


def test_fitted_curve_runs_through_the_predictions():
    s = trained("curve_fit.json", 40)
    data, size = s.plan.data, 100
    pic = draw_view(s, "fitted_curve", size=size, points=False)
    xr, tr = data.X_raw[:, 0], data.decode(data.T)[:, 0]
    ax = draw.Axes(draw.MARGIN_LEFT, draw.MARGIN_TOP, size, size, draw.padded(xr.min(), xr.max()),
                   draw.padded(tr.min(), tr.max(), 0.1))
    xs = ax.grid(size, 1)[0]
    ys = s.predict_raw(xs[:, None])[:, 0]
    on_curve = np.all(np.isclose(pic.rgb, function.CURVE), axis=2)
    inside = (ys > ax.y_range[0]) & (ys < ax.y_range[1])
    for x, y in zip(ax.px(xs)[inside][:-1], ax.py(ys)[inside][:-1]):
        column = on_curve[:, int(round(float(x)))]
        assert column[int(round(float(y))) - 2:int(round(float(y))) + 3].any()


def test_hidden_unit_pictures_are_the_units_over_the_plane(circle):
    s, tile = circle, 24
    pic = draw_view(s, "hidden_units", tile=tile)
    x_range, y_range, grid = function.plane(s.plan.data, tile, 2)
    act = s.forward(s.plan.data.encode(grid), [("sigmoid_1", "y")])[("sigmoid_1", "y")]
    gap, label = 6, font.HEIGHT + 2
    for u in (0, 4):
        r, k = divmod(u, 3)
        x, y = gap + k * (tile + gap), gap + r * (tile + gap + label) + label
        shown = pic.rgb[y:y + tile:2, x:x + tile:2].reshape(-1, 3)
        np.testing.assert_allclose(shown, function.unit_colours(act[:, u], "Sigmoid"), atol=1e-12)


def test_confusion_counts_are_a_direct_count():
    s = trained("cross_entropy.json", 10)
    data = s.plan.data
    names, parts = charts.confusions(s, data, ("softmax_2", "y"))
    assert names == ("arm 1", "arm 2", "arm 3") and [p for p, _ in parts] == ["train", "test"]
    for (_, counts), rows in zip(parts, (data.train, data.test)):
        picked = s.predict(data.X[rows]).argmax(axis=1)
        true = data.T[rows].argmax(axis=1)
        for i in range(3):
            for j in range(3):
                assert counts[i, j] == np.sum((true == i) & (picked == j))
    assert parts[0][1].trace() / len(data.train) == pytest.approx(s.stats[-1].train_acc, abs=0.2)


def bar_lengths(rgb: np.ndarray, names) -> list[int]:
    """Pixels of bar colour (blue or grey) in the middle row of each class's bar."""
    left, row = font.WIDTH * max(map(len, names)) + 8, font.HEIGHT + 6
    bars = np.all(np.isclose(rgb, charts.RIGHT), axis=2) | np.all(np.isclose(rgb, draw.FAINT), axis=2)
    return [int(bars[2 + i * row + row // 2, left:].sum()) for i in range(len(names))]


def test_probability_bars_are_as_long_as_the_outputs(circle):
    s = circle
    s.step_sample()
    y = s.value("sigmoid_2", "y")[0]
    pic = draw_view(s, "probabilities", width=100)
    assert bar_lengths(pic.rgb, ("outside", "inside")) == [round(100 * (1 - y)), round(100 * y)]
    rgb = charts.bars(np.array([0.1, 0.63, 0.27]), ("A", "B", "C"), 1, 2, 100)
    assert bar_lengths(rgb, "ABC") == [10, 63, 27]
    picked = np.all(np.isclose(rgb, charts.RIGHT), axis=2)
    assert picked[2 + font.HEIGHT + 6 + 8].sum() == 63 and picked.sum() == 63 * (font.HEIGHT + 4)  # only B is blue


def test_views_never_change_the_run(circle):
    s = circle
    s.step_node()
    before = (s.run.mem.copy(), s.run.smem.copy(), s.run.version, s.cursor, s.sample, s.epoch)
    for node in ("decision_regions", "hidden_units", "confusion", "probabilities"):
        assert draw_view(s, node).rgb is not None
    assert all(np.array_equal(a, b) for a, b in zip(before, (s.run.mem, s.run.smem, s.run.version, s.cursor,
                                                            s.sample, s.epoch)))


def test_views_say_why_they_draw_nothing():
    s = Session(load(GRAPHS / "curve_fit.json"))
    g = s.graph
    g.add_node("FittedCurve", "unwired")
    assert draw_view(s, "unwired").note == "wire a value in"
    g.remove_node("unwired")  # (an unwired input stops the graph from running)
    for t in ("DecisionRegions", "UnitActivations", "ConfusionMatrix"):
        g.add_node(t, t.lower())
    g.connect("identity_2.y", "decisionregions.y")
    g.connect("identity_2.y", "confusionmatrix.y")
    g.connect("sigmoid_1.y", "unitactivations.y")
    assert draw_view(s, "decisionregions").note == "decision regions: for data with 2 inputs; polynomial has 1"
    assert draw_view(s, "unitactivations").note == "unit pictures: for data with 2 inputs; polynomial has 1"
    assert draw_view(s, "confusionmatrix").note == "a confusion matrix: for classes; polynomial has a numeric target"
    c = trained("circle_regions.json", 0)
    c.graph.add_node("FittedCurve", "curve")
    c.graph.connect("sigmoid_2.y", "curve.y")
    assert draw_view(c, "curve").note == "a fitted curve: for data with 1 input; circle has 2"


def test_every_view_type_is_registered_and_the_function_pictures_follow_the_run():
    view_types = {n for n, t in __import__("nodeflow.nodes", fromlist=["NODE_TYPES"]).NODE_TYPES.items()
                  if t.family == "view" and n != "Watch"}
    assert view_types <= set(VIEWS)
    assert READS_RUN == {"DecisionRegions", "FittedCurve", "UnitActivations", "ConfusionMatrix"}
    assert {"circle_regions.json", "curve_fit.json"} <= set(EXAMPLES)


def test_text_ticks_and_markers():
    m = font.mask("A1")
    assert m.shape == (font.HEIGHT, 2 * font.WIDTH) and m.any()
    assert font.mask("é").shape == (font.HEIGHT, font.WIDTH) and font.mask("é").any()  # a box, not nothing
    assert draw.nice_ticks(0, 1) == [0, 0.5, 1.0]
    assert draw.nice_ticks(-2.2, 2.2) == [-2, -1, 0, 1, 2]
    assert draw.nice_ticks(0, 100) == [0, 50, 100] and draw.nice_ticks(3, 3) == [3]
    assert draw.nice_ticks(-4.8, 5.3) == [-4, -2, 0, 2, 4]
    c = draw.Canvas(20, 20)
    c.stamp([3, 100], [3, 100], draw.disc(2), np.array([[1, 0, 0], [0, 1, 0]]))  # off the picture: clipped
    assert np.all(c.rgb[3, 3] == [1, 0, 0]) and np.isclose(c.rgb, [0, 1, 0]).all(axis=2).sum() == 0
