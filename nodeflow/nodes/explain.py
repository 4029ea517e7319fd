"""What a node computes, in the words a learner reads: its formulas, and one element
worked out with the numbers of the node's last evaluation.

Each node type states its formulas (``NodeType.formulas``) and works an element out
(``NodeType.worked``) next to its kernel. A worked line's expression is built from
``Expr`` values, which are both shown (``0.5·(−0.3)``, ``e^(…)``, ``√…``) and evaluable
Python (``0.5*(-0.3)``): the tests evaluate every expression with full-precision numbers
and compare it with what the kernel wrote.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

DIGITS = 4  # significant digits shown
CLIP = 1e-12  # as the loss kernels clip probabilities inside the logarithm


def fmt(x: float, digits: int = DIGITS) -> str:
    """A number as shown: 4 significant digits, a real minus sign."""
    text = f"{float(x):.{digits}g}"
    return text.replace("-", "−")


class Expr:
    """An expression both shown and evaluated. ``rank`` orders precedence: 1 sums, 2 products,
    3 powers, 4 atoms (a negative number is 0: it is put in brackets wherever it is an operand)."""

    def __init__(self, py: str, shown: str, rank: int = 4):
        self.py, self.shown, self.rank = py, shown, rank

    def _wrap(self, rank: int) -> tuple[str, str]:
        if self.rank >= rank:
            return self.py, self.shown
        return f"({self.py})", f"({self.shown})"

    def _op(self, other, py_op: str, shown_op: str, rank: int, right_rank: int | None = None) -> "Expr":
        other = other if isinstance(other, Expr) else Const(other)
        (ap, ash), (bp, bsh) = self._wrap(rank), other._wrap(right_rank or rank + 1)
        gap = "" if shown_op == "·" else " "
        return Expr(f"{ap} {py_op} {bp}", f"{ash}{gap}{shown_op}{gap}{bsh}", rank)

    def __add__(self, other):
        return self._op(other, "+", "+", 1, 1)

    def __sub__(self, other):
        return self._op(other, "-", "−", 1)

    def __mul__(self, other):
        return self._op(other, "*", "·", 2, 2)

    def __radd__(self, other):
        return Const(other) + self

    def __rsub__(self, other):
        return Const(other) - self

    def __rmul__(self, other):
        return Const(other) * self

    def __rtruediv__(self, other):
        return Const(other) / self

    def __truediv__(self, other):
        return self._op(other, "/", "/", 2)

    def __pow__(self, other):
        other = other if isinstance(other, Expr) else Const(other)
        (ap, ash), (bp, bsh) = self._wrap(4), other._wrap(4)
        return Expr(f"{ap} ** {bp}", f"{ash}^{bsh}", 3)

    def __neg__(self):
        py, shown = self._wrap(2)
        return Expr(f"-{py}", f"−{shown}", 0)


def Const(x, digits: int = DIGITS, exact: bool = False) -> Expr:
    """A number: shown to ``digits`` digits, evaluated in full (``exact``: shown in full too)."""
    x = float(x) + 0.0  # no −0
    shown = repr(x).replace("-", "−") if exact else fmt(x, digits)
    if shown.endswith(".0"):
        shown = shown[:-2]
    return Expr(repr(x), shown, 4 if x >= 0 else 0)


def call(name: str, arg: Expr, shown: str | None = None) -> Expr:
    """A function of one argument: ``exp`` shows as e^…, ``sqrt`` as √…, others by name."""
    py = f"{name}({arg.py})"
    if name == "exp":
        return Expr(py, f"e^{arg._wrap(4)[1]}", 3)
    if name == "sqrt":
        return Expr(py, f"√{arg._wrap(4)[1]}", 4)
    return Expr(py, f"{shown or name}({arg.shown})", 4)


def total(terms: list[Expr], keep: int = 6) -> Expr:
    """A sum of terms; shown in full up to ``keep`` terms, else the first three, …, the last."""
    if not terms:
        return Const(0)
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    if len(terms) > keep:
        head = terms[0]
        for t in terms[1:3]:
            head = head + t
        out.shown = f"{head.shown} + … + {terms[-1]._wrap(2)[1]}  ({len(terms)} terms)"
    return out


NAMES = {"exp": math.exp, "tanh": math.tanh, "sqrt": math.sqrt, "max": max,
         "ln": lambda v: math.log(min(max(v, CLIP), 1.0)), "sign": lambda v: float(np.sign(v)),
         "floor": math.floor}


def evaluate(e: Expr) -> float:
    """The value of an expression (what the tests compare with the kernels' results)."""
    return float(eval(e.py, {"__builtins__": {}}, dict(NAMES)))


@dataclass
class Line:
    """One worked element: ``lhs = rule = numbers = value``; ``value`` None: the expression's own."""

    lhs: str
    rule: str
    expr: Expr | None = None
    value: float | None = None

    def parts(self, digits: int = DIGITS) -> list[str]:
        """``[lhs, rule, numbers, value]``, leaving out what would only repeat the part before."""
        parts = [self.lhs] + [self.rule] * bool(self.rule)
        if self.expr is not None:
            value = evaluate(self.expr) if self.value is None else self.value
            for p in (self.expr.shown, fmt(value, digits)):
                if p != parts[-1]:
                    parts.append(p)
        return parts

    def text(self, digits: int = DIGITS) -> str:
        """On one line: ``y[0] = 1 / (1 + e^(−z[0])) = 1 / (1 + e^(−0.3)) = 0.5744``."""
        return " = ".join(self.parts(digits))

    def lines(self, digits: int = DIGITS, width: int = 40) -> list[str]:
        """For a narrow panel: on one line if it is short, else the rule and the numbers under it."""
        parts = self.parts(digits)
        if len(" = ".join(parts)) <= width:
            return [" = ".join(parts)]
        head = " = ".join(parts[:2])
        return [head] + (["    = " + " = ".join(parts[2:])] if len(parts) > 2 else [])


@dataclass
class Values:
    """What a node read and wrote in its last evaluation: ports by name (inputs as they were then)."""

    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    state: dict[str, np.ndarray] = field(default_factory=dict)
    runtime: dict[str, np.ndarray] = field(default_factory=dict)  # row, epoch, batch_end, base_lr, X, T
    digits: int = DIGITS  # the tests ask for 17 to evaluate the expressions exactly

    def get(self, name: str, at: tuple = ()) -> float:
        """The number at index ``at`` of an input, output, state or runtime value (first found)."""
        for table in (self.inputs, self.outputs, self.state, self.runtime):
            if name in table:
                a = np.asarray(table[name])
                return float(a.reshape(-1)[0] if not at and a.size == 1 else a[at])
        raise KeyError(name)

    def n(self, name: str, at: tuple = ()) -> Expr:
        """That number as an expression."""
        return Const(self.get(name, at), self.digits, exact=self.digits > 15)

    def num(self, x: float) -> Expr:
        return Const(x, self.digits, exact=self.digits > 15)

    def size(self, name: str, axis: int = 0) -> int:
        for table in (self.inputs, self.outputs, self.state):
            if name in table:
                return int(np.shape(table[name])[axis])
        raise KeyError(name)


def idx(at: tuple) -> str:
    """``[0]``, ``[1,2]``"""
    return "[" + ",".join(map(str, at)) + "]" if at else ""
