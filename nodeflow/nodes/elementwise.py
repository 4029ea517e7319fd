"""Element-by-element nodes: one formula, one generated loop kernel, numpy broadcasting.

An ``Elementwise`` node type computes ``out`` from its inputs one element at a time by a
formula (``a + b``; an Expression's is typed by the user). Its kernel is written from
the formula (``elementwise_kernel``) and sees every array as a matrix (a scalar as 1×1,
a vector as one row), so one kernel broadcasts any mix of scalars, vectors and
matrices the way numpy does: a size-1 row or column is reused along the other.

The scalar helpers below do what IEEE arithmetic does where plain Python would raise
(1/0, log 0, 10**400, exp 1000), so compiled and plain-Python kernels agree.
"""
from __future__ import annotations

import math
from typing import ClassVar

from .base import ANY, NodeType, Port, ShapeError, broadcast, fmt_shape, known
from .formula import Formula, parse, translate
from .kernel import Kernel, generated_kernel, kernel

EXP_MAX = 709.782712893384  # the largest x whose e^x is a finite double
POW_MAX = 709.78  # y·ln|x| above this overflows


@kernel(inline=True)
def f_div(x, y):
    """x / y; ±infinity when y is 0 (NaN for 0/0)"""
    if y == 0.0:
        if x == 0.0 or x != x:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


@kernel(inline=True)
def f_pow(x, y):
    """x ** y; infinite or NaN where Python would raise an error"""
    if x == 0.0 and y < 0.0:
        return math.inf
    if math.isfinite(x) and math.isfinite(y) and x != 0.0:
        if x < 0.0 and y != math.floor(y):
            return math.nan
        if y * math.log(abs(x)) > POW_MAX:
            return -math.inf if x < 0.0 and y % 2.0 == 1.0 else math.inf
    return x ** y


@kernel(inline=True)
def f_exp(x):
    """e^x; infinite when too large"""
    return math.inf if x > EXP_MAX else math.exp(x)


@kernel(inline=True)
def f_log(x):
    """ln x; -infinity at 0, NaN below"""
    if x > 0.0 or x != x:
        return math.log(x)
    return -math.inf if x == 0.0 else math.nan


@kernel(inline=True)
def f_sqrt(x):
    """√x; NaN below 0"""
    return math.sqrt(x) if x >= 0.0 or x != x else math.nan


@kernel(inline=True)
def f_sign(x):
    """1 above 0, -1 below, x itself at 0 (and NaN)"""
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return x


@kernel(inline=True)
def f_max(a, b):
    """the larger of a and b; NaN if either is"""
    return a if a >= b or a != a else b


@kernel(inline=True)
def f_min(a, b):
    """the smaller of a and b; NaN if either is"""
    return a if a <= b or a != a else b


SCOPE = {"math": math, "f_div": f_div, "f_pow": f_pow, "f_exp": f_exp, "f_log": f_log, "f_sqrt": f_sqrt,
         "f_sign": f_sign, "f_max": f_max, "f_min": f_min}


def elementwise_source(name: str, formula: Formula, arrays: tuple[str, ...], scalars: tuple[str, ...] = ()) -> str:
    """The loop kernel ``name(*arrays, out, *scalars)`` computing ``formula`` at every element of out."""
    head = f"def {name}({', '.join(arrays + ('out',) + scalars)}):"
    lines = [head, f'    """out = {formula.canonical}, element by element (numpy broadcasting)"""',
             "    for i in range(out.shape[0]):"]
    lines += [f"        {a}__i = i if {a}.shape[0] > 1 else 0" for a in arrays]
    lines.append("        for j in range(out.shape[1]):")
    lines += [f"            {a}__ = {a}[{a}__i, j if {a}.shape[1] > 1 else 0]" for a in arrays]
    lines.append(f"            out[i, j] = {translate(formula, lambda n: n + '__' if n in arrays else n)}")
    return "\n".join(lines) + "\n"


def elementwise_kernel(name: str, formula: Formula, arrays: tuple[str, ...], scalars: tuple[str, ...] = (),
                       *, named_by_source: bool = False) -> Kernel:
    return generated_kernel(name, elementwise_source(name, formula, arrays, scalars), SCOPE,
                            named_by_source=named_by_source)


MAX_RANK = 2


def check_rank(arriving: dict) -> None:
    """Primitives take scalars, vectors and matrices."""
    for name, shape in arriving.items():
        if len(shape) > MAX_RANK:
            raise ShapeError(f"{name} {fmt_shape(shape)} has {len(shape)} dimensions; "
                             "math nodes take scalars, vectors and matrices")


class Elementwise(NodeType):
    """Base of the element-by-element nodes: ``out`` = formula of the inputs, broadcast."""

    family = "math"
    phase = "passive"
    matrix_args = True
    element_rule: ClassVar[str] = ""  # out at each element, over the input names and the ``scalars`` params
    scalars: ClassVar[tuple[str, ...]] = ()
    outputs = (Port("out", ANY, "the result, shaped as the inputs broadcast together"),)
    kernel_name: ClassVar[str] = ""  # the generated kernel's name (default: the type's name in lower case)
    fn: ClassVar[Kernel | None] = None

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name and cls.element_rule:
            arrays = tuple(p.name for p in cls.inputs)
            cls.fn = elementwise_kernel(cls.kernel_name or cls.name.lower(), parse(cls.element_rule), arrays,
                                        cls.scalars)

    @classmethod
    def formulas(cls, params, settings):
        return [f"out = {cls.element_rule}, element by element (numpy broadcasting)"]

    @classmethod
    def output_shapes(cls, arriving, params, ctx):
        names = [p.name for p in cls.input_ports(params)]
        check_rank(arriving)
        if not all(known(arriving.get(n)) for n in names):
            return {"out": None}
        return {"out": broadcast({n: arriving[n] for n in names})}

    @classmethod
    def kernel_for(cls, in_shapes, params):
        return cls.fn

    @classmethod
    def consts(cls, params, settings):
        return tuple(float(params[s]) for s in cls.scalars)
