"""Math primitives, Expression, Register/Assign: values against numpy, shape rules, refusals."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nodeflow import Graph, Session
from nodeflow.errors import EditRefused
from nodeflow.nodes import elementwise as ew

S, V, M, C = 2.5, [1.5, -2.0, 3.0], [[1.0, -2.0, 0.5], [4.0, 0.25, -3.0]], [[2.0], [-0.5]]  # (), (3,), (2,3), (2,1)
POS_V, POS_M = [1.5, 2.0, 3.0], [[1.0, 2.0, 0.5], [4.0, 0.25, 3.0]]

BINARY = {"Add": np.add, "Subtract": np.subtract, "Multiply": np.multiply, "Divide": np.divide,
          "Maximum": np.maximum, "Minimum": np.minimum}
UNARY = {"Negate": np.negative, "Exp": np.exp, "Abs": np.abs}
SHAPE_PAIRS = [(S, V), (V, S), (V, V), (M, V), (V, M), (M, S), (C, V), (C, M), (M, M)]

CASES = [(t, {}, {"a": a, "b": b}, f(np.array(a), np.array(b))) for t, f in BINARY.items() for a, b in SHAPE_PAIRS]
CASES += [(t, {}, {"a": a}, f(np.array(a))) for t, f in UNARY.items() for a in (S, V, M)]
CASES += [("Power", {}, {"a": POS_M, "b": V}, np.power(POS_M, V)), ("Power", {}, {"a": POS_V, "b": S}, np.power(POS_V, S)),
          ("Log", {}, {"a": POS_M}, np.log(POS_M)), ("Log", {}, {"a": S}, np.log(S)),
          ("Scale", {"k": -1.5}, {"a": M}, -1.5 * np.array(M)),
          ("Clip", {"lo": -1.0, "hi": 2.0}, {"a": M}, np.clip(M, -1.0, 2.0)),
          ("Where", {}, {"mask": [1.0, 0.0, 2.0], "a": M, "b": S}, np.where(np.array([1.0, 0.0, 2.0]) != 0, M, S)),
          ("Where", {}, {"mask": C, "a": V, "b": M}, np.where(np.array(C) != 0, V, M))]
CASES += [(t, {"axis": axis}, {"a": a}, f(np.array(a), axis=None if axis == "all" else int(axis)))
          for t, f in (("Sum", np.sum), ("Mean", np.mean), ("Max", np.max), ("Min", np.min))
          for axis, a in (("all", M), ("0", M), ("1", M), ("all", V), ("0", V), ("all", S))]
CASES += [("MatVec", {}, {"W": M, "x": V}, np.array(M) @ np.array(V)),
          ("Transpose", {}, {"a": M}, np.array(M).T), ("Transpose", {}, {"a": V}, np.array(V)),
          ("Transpose", {}, {"a": C}, np.array(C).T), ("Outer", {}, {"a": V, "b": [2.0, -1.0]}, np.outer(V, [2.0, -1.0])),
          ("Expression", {"formula": "a * (1 - a)"}, {"a": M}, np.array(M) * (1 - np.array(M))),
          ("Expression", {"formula": "where(z > 0, 1, 0)"}, {"z": M}, np.where(np.array(M) > 0, 1.0, 0.0)),
          ("Expression", {"formula": "-(t*log(y) + (1-t)*log(1-y))"}, {"t": [1.0, 0.0, 1.0], "y": [[0.9, 0.2, 0.6]]},
           -(np.array([1.0, 0.0, 1.0]) * np.log([[0.9, 0.2, 0.6]]) + np.array([0.0, 1.0, 0.0]) * np.log([[0.1, 0.8, 0.4]]))),
          ("Expression", {"formula": "0 < a <= 1 and not b == 2 or a > 3.5"}, {"a": M, "b": C},
           ((0 < np.array(M)) & (np.array(M) <= 1) & ~(np.array(C) == 2) | (np.array(M) > 3.5)).astype(float)),
          ("Expression", {"formula": "sqrt(abs(a)) + sign(a) * tanh(a) ** 2 + clip(a, -1, 1) + max(a, 0) - min(a, b)"},
           {"a": M, "b": S}, np.sqrt(np.abs(M)) + np.sign(M) * np.tanh(M) ** 2 + np.clip(M, -1, 1)
           + np.maximum(M, 0) - np.minimum(M, S)),
          ("Expression", {"formula": "a if a > 0 else -a / 2"}, {"a": V}, np.where(np.array(V) > 0, V, -np.array(V) / 2))]


def build(cases) -> tuple[Graph, list[str]]:
    """One graph holding every case: constants wired into the node under test (a Dataset so it runs)."""
    g = Graph({"data": "xor"})
    g.add_node("Dataset")
    nodes = []
    for k, (type_name, params, inputs, _) in enumerate(cases):
        n = g.add_node(type_name, f"n{k}", params=params)
        for port, value in inputs.items():
            c = g.add_node("Constant", f"n{k}_{port}", params={"value": value})
            g.connect(f"{c}.out", f"{n}.{port}")
        nodes.append(n)
    return g, nodes


@pytest.fixture(scope="module")
def graph():
    return build(CASES)


@pytest.mark.parametrize("engine", ["jit", "python", "fast"])
def test_every_primitive_gives_numpys_values_and_shape(graph, engine):
    g, nodes = graph
    s = Session(g, jit=engine != "python")
    if engine == "fast":
        s.train(1, engine="fast")
        assert s.compiled() is not None
    else:
        s.step_sample()
    for n, (type_name, params, inputs, want) in zip(nodes, CASES):
        got = s.value(n, "out")
        assert got.shape == np.shape(want), (type_name, params, got.shape, np.shape(want))
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15, err_msg=f"{type_name} {params} {inputs}")
        assert g.shapes().outputs[(n, "out")] == np.shape(want)


def test_a_constant_of_any_shape_reaches_its_wire():
    cube = np.arange(8.0).reshape(2, 2, 2)
    g = Graph({"data": "xor"})
    g.add_node("Dataset")
    g.add_node("Constant", "c", params={"value": cube.tolist()})
    g.add_node("Watch", "w")
    g.connect("c.out", "w.value")
    s = Session(g)
    s.step_sample()
    np.testing.assert_array_equal(s.value("w", "value"), cube)


@pytest.mark.parametrize("fn, args, want", [
    (ew.f_div, (1.0, 0.0), math.inf), (ew.f_div, (-1.0, 0.0), -math.inf), (ew.f_div, (1.0, -0.0), -math.inf),
    (ew.f_div, (0.0, 0.0), math.nan), (ew.f_div, (6.0, 4.0), 1.5), (ew.f_pow, (0.0, -1.0), math.inf),
    (ew.f_pow, (-8.0, 1 / 3), math.nan), (ew.f_pow, (10.0, 400.0), math.inf), (ew.f_pow, (-10.0, 401.0), -math.inf),
    (ew.f_pow, (-2.0, 3.0), -8.0), (ew.f_pow, (2.0, 0.5), math.sqrt(2.0)), (ew.f_exp, (1000.0,), math.inf),
    (ew.f_exp, (1.0,), math.e), (ew.f_log, (0.0,), -math.inf), (ew.f_log, (-1.0,), math.nan),
    (ew.f_log, (math.e,), 1.0), (ew.f_sqrt, (-1.0,), math.nan), (ew.f_sqrt, (9.0,), 3.0),
    (ew.f_sign, (-3.0,), -1.0), (ew.f_sign, (0.0,), 0.0), (ew.f_sign, (math.nan,), math.nan),
    (ew.f_max, (math.nan, 1.0), math.nan), (ew.f_max, (1.0, math.nan), math.nan), (ew.f_min, (1.0, math.nan), math.nan),
    (ew.f_min, (1.0, 2.0), 1.0),
])
def test_scalar_math_gives_ieee_results_never_an_error(fn, args, want):
    """Plain Python would raise (1/0, log 0, 10**400, a complex power); compiled numba would not: both agree."""
    for impl in (fn.py, fn.jit):
        got = impl(*args)
        assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want, rel=1e-15), (fn, args, got)


# -- shape rules ---------------------------------------------------------------------------------

def two_constants(a, b, type_name="Add", params=None):
    g = Graph({"data": "xor"})
    g.add_node("Constant", "a", params={"value": a})
    g.add_node("Constant", "b", params={"value": b})
    g.add_node(type_name, "op", params=params)
    return g


@pytest.mark.parametrize("a, b, port_a, port_b, shapes", [
    ([1.0, 2.0, 3.0], [1.0, 2.0], "a", "b", ("(3,)", "(2,)")),
    ([[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0, 3.0], "a", "b", ("(2, 2)", "(3,)")),
    ([[1.0], [2.0], [3.0]], [[1.0, 2.0], [3.0, 4.0]], "a", "b", ("(3, 1)", "(2, 2)")),
])
def test_shapes_that_do_not_broadcast_are_refused_naming_both(a, b, port_a, port_b, shapes):
    g = two_constants(a, b)
    g.connect("a.out", "op.a")
    with pytest.raises(EditRefused) as e:
        g.connect("b.out", "op.b")
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("refused: shape mismatch at op:")
    assert f"a {shapes[0]} and b {shapes[1]} do not broadcast together" in msg
    assert "a from a.out, b from b.out" in msg
    assert g.wire_into("op", "b") is None  # the graph is as it was


@pytest.mark.parametrize("type_name, params, value, message", [
    ("Sum", {"axis": "1"}, [1.0, 2.0], "a (2,) has no axis 1"),
    ("Mean", {"axis": "0"}, 3.0, "a () has no axis 0"),
    ("Add", {}, np.zeros((2, 2, 2)).tolist(), "a (2, 2, 2) has 3 dimensions; math nodes take scalars, vectors and matrices"),
    ("Transpose", {}, np.zeros((2, 2, 2)).tolist(), "a (2, 2, 2) has 3 dimensions"),
])
def test_one_input_shape_rules(type_name, params, value, message):
    g = Graph({"data": "xor"})
    g.add_node("Constant", "a", params={"value": value})
    g.add_node(type_name, "op", params=params)
    with pytest.raises(EditRefused, match="refused: shape mismatch at op: " + message.replace("(", r"\(").replace(")", r"\)")):
        g.connect("a.out", "op.a")


def test_matvec_and_outer_check_their_dimensions():
    g = two_constants([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [1.0, 2.0], "MatVec")
    g.connect("a.out", "op.W")
    with pytest.raises(EditRefused, match=r"shape mismatch at op.x: b.out gives \(2,\) but op needs \(3,\)"):
        g.connect("b.out", "op.x")
    g = two_constants([[1.0, 2.0]], [1.0, 2.0], "Outer")
    with pytest.raises(EditRefused, match=r"needed"):
        g.connect("a.out", "op.a")


def test_a_shape_change_upstream_that_breaks_broadcasting_is_refused():
    g = two_constants([1.0, 2.0, 3.0], 1.0)
    g.connect("a.out", "op.a")
    g.connect("b.out", "op.b")
    with pytest.raises(EditRefused, match=r"a \(3,\) and b \(2,\) do not broadcast"):
        g.set_param("b", "value", [1.0, 2.0])
    assert g.params("b")["value"] == 1.0


def test_a_weights_node_that_does_not_fit_an_expression_is_refused_saying_what_to_resize():
    from nodeflow import mlp

    g = mlp([2, 2, 1], data="xor")
    e = g.add_node("Expression", params={"formula": "a + b"})
    w = g.add_node("Weights", params={"shape": [3, 3]})
    g.connect("dataset", "x", e, "a")
    with pytest.raises(EditRefused, match=rf"a \(2,\) and b \(3, 3\) do not broadcast .* resize it to fit"):
        g.connect(w, "W", e, "b")  # (the ports of an Expression follow its formula)
    assert g.wire_into(e, "b") is None


# -- Expression ------------------------------------------------------------------------------

@pytest.mark.parametrize("formula, message", [
    ("__import__('os')", "`__import__` is not a function a formula may call"),
    ("a.b", "attribute access (`a.b`) is not allowed"),
    ("os.system('ls')", "calling `os.system('ls')` is not allowed"),
    ("lambda x: x", "lambda (`lambda x: x`) is not allowed"),
    ("[x for x in a]", "a comprehension (`[x for x in a]`) is not allowed"),
    ("sum(x for x in a)", "`sum` is not a function a formula may call"),
    ("a[0]", "indexing (`a[0]`) is not allowed"),
    ("'text'", "`'text'` is not a number"),
    ("a % 2", "operator `%` (in `a % 2`) is not allowed"),
    ("a is b", "`a is b` is not allowed: compare with"),
    ("(a := 3)", "assignment (`a := 3`) is not allowed"),
    ("clip(a, lo=0, hi=1)", "keyword arguments (`clip(a, lo=0, hi=1)`) are not allowed"),
    ("max(a)", "max takes 2 arguments, not 1"),
    ("exp + 1", "`exp` is a function"),
    ("_a + 1", "name `_a` may not start or end with _"),
    ("out + 1", "`out` is a name the node uses itself"),
    ("a +", "`a +` is not a formula (invalid syntax"),
    ("", "formula is empty"),
    ("-" * 200 + "a", "formula nests more than 100 operations in one another"),
])
def test_a_formula_outside_the_whitelist_is_refused_in_one_line(formula, message):
    g = Graph()
    with pytest.raises(EditRefused) as e:
        g.add_node("Expression", "ex", params={"formula": formula})
    assert str(e.value).startswith("ex: formula: ") and message in str(e.value) and "\n" not in str(e.value)
    assert "ex" not in g


def test_an_expressions_inputs_follow_its_formula_and_vanished_wires_go_with_the_edit():
    g = two_constants([1.0, 2.0], 3.0, "Expression", {"formula": "a * b"})
    assert [p.name for p in g.inputs("op")] == ["a", "b"]
    g.connect("a.out", "op.a")
    g.connect("b.out", "op.b")
    g.set_param("op", "formula", "exp(a) - c")
    assert [p.name for p in g.inputs("op")] == ["a", "c"]
    assert [str(l) for l in g.links()] == ["a.out -> op.a"]
    g.undo()
    assert g.params("op")["formula"] == "a * b" and len(g.links()) == 2


def test_expressions_that_read_alike_share_one_kernel_whose_source_is_kept():
    k1 = ew_kernel("a*(1-a)")
    k2 = ew_kernel("a * (1 - a)")
    assert k1 is k2 and k1.generated and "def expression_" in k1.source
    assert "out[i, j] = (a__ * (1.0 - a__))" in k1.source


def ew_kernel(formula):
    from nodeflow.nodes.expression import Expression

    return Expression.kernel_for({}, {"formula": formula})


# -- Register, Assign, TrainingInfo ------------------------------------------------------------

def counter_graph(batch_size=1):
    g = Graph({"data": "xor", "split": 1.0, "batch_size": batch_size, "lr": 0.25})
    g.add_node("Dataset")
    g.add_node("Register", "count", params={"shape": [1], "fill": 10.0})
    g.add_node("Expression", "next", params={"formula": "c + 1"})
    g.add_node("Assign", "write")
    g.add_node("TrainingInfo", "info")
    for a, b in (("count.out", "next.c"), ("count.out", "write.target"), ("next.out", "write.value")):
        g.connect(a, b)
    return g


def test_assign_writes_its_register_when_the_sample_step_ends():
    s = Session(counter_graph())
    for k in range(3):
        s.step_node()
        assert s.value("count", "out")[0] == 10.0 + k  # mid-sample: the register still holds the old value
        s.step_sample()
        assert s.value("count", "out")[0] == 11.0 + k and s.value("next", "out")[0] == 11.0 + k
    f = Session(counter_graph())
    f.train(5, engine="fast")
    assert f.value("count", "out")[0] == 10.0 + 5 * 4


def test_training_info_shows_epoch_batch_end_and_rate():
    s = Session(counter_graph(batch_size=3))
    seen = []
    for _ in range(8):
        s.step_sample()
        seen.append((s.value("info", "epoch")[()], s.value("info", "batch_end")[()]))
    assert seen == [(0, 0), (0, 0), (0, 1), (0, 1), (1, 0), (1, 0), (1, 1), (1, 1)]
    assert s.value("info", "lr")[()] == 0.25


def test_two_writers_into_one_register_are_refused_when_wired():
    g = counter_graph()
    g.add_node("Assign", "again")
    with pytest.raises(EditRefused, match="refused: count is updated by both write and again"):
        g.connect("count.out", "again.target")
    from nodeflow import mlp

    g = mlp([2, 2, 1], data="xor")
    g.add_node("Assign", "mine")
    with pytest.raises(EditRefused, match="refused: weights_1 is updated by both weight_update_1 and mine"):
        g.connect("weights_1.W", "mine.target")


def test_assign_checks_its_value_fits_and_its_target_is_a_register():
    g = counter_graph()
    g.add_node("Constant", "pair", params={"value": [1.0, 2.0]})
    g.disconnect(next(l for l in g.links() if l.dst == "write" and l.dst_port == "value"))
    with pytest.raises(EditRefused, match=r"shape mismatch at write: value \(2,\) does not fit target \(1,\)"):
        g.connect("pair.out", "write.value")
    g.add_node("Assign", "bad")
    g.connect("pair.out", "bad.target")
    assert ("bad.target must come from a Weights, Bias or Register node (its new value is written there), "
            "not from pair") in g.problems()
