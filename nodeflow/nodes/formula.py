"""Formulas: what an Expression node computes, read with ``ast`` and checked against a whitelist.

A formula is one Python expression of names (each becomes an input of the node) and
numbers, with the operators ``+ - * / **``, comparisons (``< <= > >= == !=``), ``and``,
``or``, ``not``, ``a if c else b`` and the functions in ``FUNCTIONS``. Anything else
(attribute access, indexing, lambda, comprehensions, strings, calls of anything but those
functions) is refused with one line naming the part. A formula is never run by Python:
``translate`` turns it into the code of one element (see ``elementwise``), where each
operation gives what IEEE arithmetic gives (x/0 is infinite, log of a negative number
NaN) on every executor. A comparison is 1 where true and 0 where false; ``where(c, a, b)``
takes ``a`` where ``c`` is not 0.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Callable

MAX_LENGTH = 500
MAX_DEPTH = 100  # operations nested in one another
# name -> (arguments, what it is); each becomes code in _call
FUNCTIONS = {
    "exp": (1, "e to the power x"), "log": (1, "natural logarithm"), "sqrt": (1, "square root"),
    "abs": (1, "absolute value"), "tanh": (1, "hyperbolic tangent"), "sign": (1, "-1, 0 or 1"),
    "max": (2, "the larger of two"), "min": (2, "the smaller of two"), "clip": (3, "clip(x, lo, hi)"),
    "where": (3, "where(c, a, b): a where c is not 0, else b"),
}
RESERVED = {"i", "j", "out", "range", "math", "np"}  # names the generated loop uses itself
HELPER = {"exp": "f_exp", "log": "f_log", "sqrt": "f_sqrt", "sign": "f_sign", "max": "f_max", "min": "f_min"}
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}
COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
REFUSED = {ast.Attribute: "attribute access", ast.Lambda: "lambda", ast.Subscript: "indexing",
           ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
           ast.GeneratorExp: "a comprehension", ast.NamedExpr: "assignment", ast.Starred: "unpacking",
           ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
           ast.JoinedStr: "a string", ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
           ast.Slice: "a slice"}


class FormulaError(ValueError):
    """A formula that is not allowed; the message is one line naming the offending part."""


@dataclass(frozen=True)
class Formula:
    text: str  # as typed
    tree: ast.Expression
    names: tuple[str, ...]  # its free names, in order of first appearance: one input each

    @property
    def canonical(self) -> str:
        """The formula written out again (whitespace and redundant brackets normalised)."""
        return ast.unparse(self.tree)


def parse(text: str) -> Formula:
    """Read and check a formula; raises FormulaError (one line) when it is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("formula is empty: type something like a * (1 - a)")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        where = f", column {e.offset}" if e.offset and e.offset <= len(text.strip()) else ""
        raise FormulaError(f"`{' '.join(text.split())}` is not a formula ({e.msg}{where})") from None
    except (RecursionError, MemoryError):
        tree = None
    if tree is None or _depth(tree) > MAX_DEPTH:
        raise FormulaError(f"formula nests more than {MAX_DEPTH} operations in one another")
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = []
    for node in ast.walk(tree):
        if id(node) not in called:
            _check(node, text.strip())
            if isinstance(node, ast.Name):
                names.append(node)
    ordered = dict.fromkeys(n.id for n in sorted(names, key=lambda n: (n.lineno, n.col_offset)))
    return Formula(text, tree, tuple(ordered))


def _depth(tree: ast.AST) -> int:
    """How deeply the formula's operations nest (counted without recursion)."""
    deepest, todo = 0, [(tree, 1)]
    while todo:
        node, d = todo.pop()
        deepest = max(deepest, d)
        todo += [(child, d + 1) for child in ast.iter_child_nodes(node)]
    return deepest


def _part(node: ast.AST, text: str) -> str:
    return ast.get_source_segment(text, node) or ast.unparse(node)


def _check(node: ast.AST, text: str) -> None:
    """Refuse a node of the tree that a formula may not hold."""
    part = _part(node, text)
    if type(node) in REFUSED:
        raise FormulaError(f"{REFUSED[type(node)]} (`{part}`) is not allowed in a formula")
    if isinstance(node, ast.Name):
        _check_name(node.id)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"`{part}` is not a number (a formula holds names, numbers and operators)")
        if not math.isfinite(node.value):
            raise FormulaError(f"`{part}` is too large a number")
    elif isinstance(node, ast.Call):
        _check_call(node, part)
    elif isinstance(node, ast.BinOp) and type(node.op) not in (*OPERATORS, ast.Div, ast.Pow):
        raise FormulaError(f"operator `{_symbol(node, text)}` (in `{part}`) is not allowed; use + - * / **")
    elif isinstance(node, ast.Compare) and any(type(op) not in COMPARE for op in node.ops):
        raise FormulaError(f"`{part}` is not allowed: compare with < <= > >= == !=")
    elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
                               ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)):
        raise FormulaError(f"`{part}` is not allowed in a formula")


def _check_name(name: str) -> None:
    if name in FUNCTIONS:
        raise FormulaError(f"`{name}` is a function: call it, as in {name}(x)")
    if name.startswith("_") or name.endswith("_") or "__" in name:
        raise FormulaError(f"name `{name}` may not start or end with _ or hold __")
    if name in RESERVED or name.startswith("f_") or name.startswith("expression_"):
        raise FormulaError(f"`{name}` is a name the node uses itself; call that input something else")


def _check_call(node: ast.Call, part: str) -> None:
    if not isinstance(node.func, ast.Name):
        raise FormulaError(f"calling `{part}` is not allowed (functions: {', '.join(FUNCTIONS)})")
    name = node.func.id
    if name not in FUNCTIONS:
        raise FormulaError(f"`{name}` is not a function a formula may call (functions: {', '.join(FUNCTIONS)})")
    if node.keywords:
        raise FormulaError(f"keyword arguments (`{part}`) are not allowed; give them in order")
    wanted = FUNCTIONS[name][0]
    if len(node.args) != wanted:
        raise FormulaError(f"{name} takes {wanted} argument{'s' if wanted > 1 else ''}, not {len(node.args)} (`{part}`)")


def _symbol(node: ast.BinOp, text: str) -> str:
    left, right = _part(node.left, text), _part(node.right, text)
    whole = _part(node, text)
    middle = whole[whole.find(left) + len(left):whole.rfind(right)] if left in whole and right in whole else ""
    return middle.strip(" ()") or type(node.op).__name__


# -- translation into the code of one element ----------------------------------------------

def translate(formula: Formula, name_code: Callable[[str], str]) -> str:
    """The formula as Python code of one element; ``name_code`` says how each name is read."""
    code, kind = _code(formula.tree.body, name_code)
    return _number(code, kind)


def _number(code: str, kind: str) -> str:
    return f"(1.0 if {code} else 0.0)" if kind == "bool" else code


def _truth(code: str, kind: str) -> str:
    return code if kind == "bool" else f"({code} != 0.0)"


def _code(node: ast.AST, name_code) -> tuple[str, str]:
    """(code, "num" | "bool") of a checked node."""
    if isinstance(node, ast.Constant):
        return repr(float(node.value)), "num"
    if isinstance(node, ast.Name):
        return name_code(node.id), "num"
    if isinstance(node, ast.UnaryOp):
        code, kind = _code(node.operand, name_code)
        if isinstance(node.op, ast.Not):
            return f"(not {_truth(code, kind)})", "bool"
        return (f"(-{_number(code, kind)})" if isinstance(node.op, ast.USub) else _number(code, kind)), "num"
    if isinstance(node, ast.BinOp):
        a, b = (_number(*_code(x, name_code)) for x in (node.left, node.right))
        if isinstance(node.op, ast.Div):
            return f"f_div({a}, {b})", "num"
        if isinstance(node.op, ast.Pow):
            return f"f_pow({a}, {b})", "num"
        return f"({a} {OPERATORS[type(node.op)]} {b})", "num"
    if isinstance(node, ast.Compare):
        parts = [_number(*_code(node.left, name_code))]
        for op, right in zip(node.ops, node.comparators):
            parts += [COMPARE[type(op)], _number(*_code(right, name_code))]
        return f"({' '.join(parts)})", "bool"
    if isinstance(node, ast.BoolOp):
        word = " and " if isinstance(node.op, ast.And) else " or "
        return "(" + word.join(_truth(*_code(v, name_code)) for v in node.values) + ")", "bool"
    if isinstance(node, ast.IfExp):
        return _choose(node.test, node.body, node.orelse, name_code), "num"
    return _call(node, name_code), "num"


def _choose(test, a, b, name_code) -> str:
    return (f"({_number(*_code(a, name_code))} if {_truth(*_code(test, name_code))} "
            f"else {_number(*_code(b, name_code))})")


def _call(node: ast.Call, name_code) -> str:
    name = node.func.id
    if name == "where":
        return _choose(*node.args, name_code)
    args = [_number(*_code(a, name_code)) for a in node.args]
    if name == "clip":
        return f"f_min(f_max({args[0]}, {args[1]}), {args[2]})"
    if name == "abs":
        return f"abs({args[0]})"
    if name == "tanh":
        return f"math.tanh({args[0]})"
    return f"{HELPER[name]}({', '.join(args)})"
