"""Math primitives: small, general nodes to wire any formula, loss or update rule by hand.

Element by element, with numpy's broadcasting (a number or a row reused along a
matrix): Add, Subtract, Multiply, Divide, Negate, Scale, Power, Exp, Log, Abs,
Maximum, Minimum, Clip, Where. Reductions over every element or one axis: Sum, Mean,
Max, Min. Linear algebra: MatVec, Transpose, Outer. (Constant is with the data nodes;
Expression takes a formula you type.) Shapes are checked when a wire is connected: a
wire whose shape cannot go with the others is refused, naming both shapes.
"""
from __future__ import annotations

from typing import ClassVar

from .base import ANY, NodeType, Param, Port, ShapeError, fmt_shape, known
from .elementwise import Elementwise, check_rank, f_max, f_min
from .kernel import kernel


def one_shape(arriving: dict, name: str = "a") -> tuple | None:
    """The shape at input ``name`` once known (None before), checked to be at most a matrix."""
    check_rank(arriving)
    shape = arriving.get(name)
    return tuple(shape) if known(shape) else None


A = Port("a", ANY, "a number, vector or matrix")
B = Port("b", ANY, "a number, vector or matrix (broadcast against a)")


class Add(Elementwise):
    """out = a + b"""
    name, element_rule, inputs = "Add", "a + b", (A, B)


class Subtract(Elementwise):
    """out = a − b"""
    name, element_rule, inputs = "Subtract", "a - b", (A, B)


class Multiply(Elementwise):
    """out = a × b, element by element"""
    name, element_rule, inputs = "Multiply", "a * b", (A, B)


class Divide(Elementwise):
    """out = a / b (b = 0 gives ±infinity, which stops training as a divergence)"""
    name, element_rule, inputs = "Divide", "a / b", (A, B)


class Negate(Elementwise):
    """out = −a"""
    name, element_rule, inputs = "Negate", "-a", (A,)


class Scale(Elementwise):
    """out = k × a, k a number you set"""
    name, element_rule, inputs, scalars = "Scale", "k * a", (A,), ("k",)
    params = (Param("k", 1.0, "float", "the factor"),)


class Power(Elementwise):
    """out = a to the power b"""
    name, element_rule, inputs = "Power", "a ** b", (A, Port("b", ANY, "the exponent (broadcast against a)"))


class Exp(Elementwise):
    """out = e^a"""
    name, element_rule, inputs, kernel_name = "Exp", "exp(a)", (A,), "exponential"


class Log(Elementwise):
    """out = ln a (−infinity at 0, NaN below)"""
    name, element_rule, inputs, kernel_name = "Log", "log(a)", (A,), "logarithm"


class Abs(Elementwise):
    """out = |a|"""
    name, element_rule, inputs, kernel_name = "Abs", "abs(a)", (A,), "absolute"


class Maximum(Elementwise):
    """out = the larger of a and b, element by element"""
    name, element_rule, inputs = "Maximum", "max(a, b)", (A, B)


class Minimum(Elementwise):
    """out = the smaller of a and b, element by element"""
    name, element_rule, inputs = "Minimum", "min(a, b)", (A, B)


class Clip(Elementwise):
    """out = a held within [lo, hi] (gradient clipping, probabilities away from 0 and 1)"""
    name, element_rule, inputs, scalars = "Clip", "clip(a, lo, hi)", (A,), ("lo", "hi")
    params = (Param("lo", 0.0, "float", "the least value"), Param("hi", 1.0, "float", "the largest value"))


class Where(Elementwise):
    """out = a where mask is not 0, else b (a mask from a comparison is 1 or 0)"""
    name, element_rule = "Where", "where(mask, a, b)"
    inputs = (Port("mask", ANY, "where to take a"), A, B)


# -- reductions ----------------------------------------------------------------------------

@kernel(inline=True)
def combine(acc, x, op):
    """op 0 or 1: acc + x; 2: the larger; 3: the smaller"""
    if op < 2.0:
        return acc + x
    if op == 2.0:
        return f_max(acc, x)
    return f_min(acc, x)


@kernel
def reduce_all(a, out, op):
    """out = the sum (op 0), mean (1), largest (2) or smallest (3) of every element of a"""
    acc = a[0, 0]
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            if i > 0 or j > 0:
                acc = combine(acc, a[i, j], op)
    out[0, 0] = acc / a.size if op == 1.0 else acc


@kernel
def reduce_columns(a, out, op):
    """out[j] = sum / mean / largest / smallest of column j of a (numpy's axis 0)"""
    for j in range(a.shape[1]):
        acc = a[0, j]
        for i in range(1, a.shape[0]):
            acc = combine(acc, a[i, j], op)
        out[0, j] = acc / a.shape[0] if op == 1.0 else acc


@kernel
def reduce_rows(a, out, op):
    """out[i] = sum / mean / largest / smallest of row i of a (numpy's axis 1)"""
    for i in range(a.shape[0]):
        acc = a[i, 0]
        for j in range(1, a.shape[1]):
            acc = combine(acc, a[i, j], op)
        out[0, i] = acc / a.shape[1] if op == 1.0 else acc


AXES = ("all", "0", "1")


class Reduction(NodeType):
    """Base of Sum, Mean, Max and Min: over every element, or along one axis as numpy does."""

    family = "math"
    phase = "passive"
    matrix_args = True
    inputs = (Port("a", ANY, "a vector or matrix"),)
    outputs = (Port("out", ANY, "a number (axis all), or one per column (axis 0) or row (axis 1)"),)
    params = (Param("axis", "all", "choice", "all: every element; 0: down each column; 1: along each row",
                    choices=AXES),)
    op: ClassVar[float] = 0.0

    @classmethod
    def output_shapes(cls, arriving, params, ctx):
        a = one_shape(arriving)
        if a is None:
            return {"out": None}
        axis = params["axis"]
        if axis == "all":
            return {"out": ()}
        if int(axis) >= len(a):
            raise ShapeError(f"a {fmt_shape(a)} has no axis {axis}")
        return {"out": tuple(d for k, d in enumerate(a) if k != int(axis))}

    @classmethod
    def kernel_for(cls, in_shapes, params):
        a = in_shapes.get("a") or ()
        if params["axis"] == "all" or len(a) < 2:
            return reduce_all
        return reduce_columns if params["axis"] == "0" else reduce_rows

    @classmethod
    def consts(cls, params, settings):
        return (cls.op,)


class Sum(Reduction):
    """out = Σ a"""
    formula = ("out = Σ a (over every element, or along the axis)",)
    name, op = "Sum", 0.0


class Mean(Reduction):
    """out = the mean of a"""
    formula = ("out = Σ a / count (over every element, or along the axis)",)
    name, op = "Mean", 1.0


class Max(Reduction):
    """out = the largest element of a"""
    formula = ("out = the largest a (over every element, or along the axis)",)
    name, op = "Max", 2.0


class Min(Reduction):
    """out = the smallest element of a"""
    formula = ("out = the smallest a (over every element, or along the axis)",)
    name, op = "Min", 3.0


# -- linear algebra ------------------------------------------------------------------------

@kernel
def matvec(W, x, out):
    """out = W·x: out_i = Σ_j W_ij x_j"""
    for i in range(W.shape[0]):
        s = 0.0
        for j in range(W.shape[1]):
            s += W[i, j] * x[0, j]
        out[0, i] = s


@kernel
def transpose(a, out):
    """out = aᵀ (a vector or a number is its own transpose, as in numpy)"""
    if out.shape[0] == a.shape[1] and out.shape[1] == a.shape[0]:
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                out[j, i] = a[i, j]
    else:
        for j in range(a.shape[1]):
            out[0, j] = a[0, j]


@kernel
def outer(a, b, out):
    """out_ij = a_i b_j"""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = a[0, i] * b[0, j]


class LinearAlgebra(NodeType):
    family = "math"
    phase = "passive"
    matrix_args = True
    fn = None

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return cls.fn


class MatVec(LinearAlgebra):
    """out = W·x, a matrix times a vector (a weighted sum without the bias)"""

    name, fn = "MatVec", matvec
    formula = ("out = W·x", "out[i] = Σ_j W[i,j]·x[j]")
    inputs = (Port("W", ("m", "n"), "a matrix"), Port("x", ("n",), "a vector, one number per column of W"))
    outputs = (Port("out", ("m",), "one number per row of W"),)


class Transpose(LinearAlgebra):
    """out = aᵀ: rows become columns (a vector stays as it is, as in numpy)"""

    name, fn = "Transpose", transpose
    formula = ("out = aᵀ", "out[j,i] = a[i,j]")
    inputs = (Port("a", ANY, "a matrix"),)
    outputs = (Port("out", ANY, "the matrix transposed"),)

    @classmethod
    def output_shapes(cls, arriving, params, ctx):
        a = one_shape(arriving)
        return {"out": None if a is None else tuple(reversed(a))}


class Outer(LinearAlgebra):
    """out = a·bᵀ, every a_i times every b_j (the gradient δ·xᵀ of a weight matrix)"""

    name, fn = "Outer", outer
    formula = ("out = a·bᵀ", "out[i,j] = a[i]·b[j]")
    inputs = (Port("a", ("m",), "a vector: the rows"), Port("b", ("n",), "a vector: the columns"))
    outputs = (Port("out", ("m", "n"), "the matrix a_i b_j"),)
