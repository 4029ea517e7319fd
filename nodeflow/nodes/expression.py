"""Expression: a node whose formula you type, with one input per name in it.

``a * (1 - a)``, ``where(z > 0, 1, 0)``, ``-(t*log(y) + (1-t)*log(1-y))``: see
``formula`` for what a formula may hold. The formula becomes a loop kernel (its source
is kept on the kernel), so it runs in the stepper, the compiled engine and an exported
script alike; its inputs broadcast as numpy's do.
"""
from __future__ import annotations

from functools import lru_cache

from .base import ANY, Param, Port
from .elementwise import Elementwise, elementwise_kernel
from .formula import Formula, FormulaError, parse
from .kernel import source_hash


@lru_cache(maxsize=512)
def formula_of(text: str) -> Formula:
    return parse(text)


def check_formula(text):
    """A formula parameter: allowed (returned as typed) or ValueError with one line saying why not."""
    try:
        formula_of(text)
    except FormulaError as e:
        raise ValueError(f"formula: {e}") from None
    return text


class Expression(Elementwise):
    """out = a formula you type, element by element; one input per name in it."""

    name = "Expression"
    params = (Param("formula", "a", "str", "e.g. a * (1 - a): names become inputs; + - * / **, comparisons, "
                    "and/or/not, exp log sqrt abs tanh sign max min clip where", validate=check_formula),)

    @classmethod
    def input_ports(cls, params):
        return tuple(Port(n, ANY, f"{n} in the formula") for n in formula_of(params["formula"]).names)

    @classmethod
    def formulas(cls, params, settings):
        return [f"out = {formula_of(params['formula']).canonical}, element by element (numpy broadcasting)"]

    @classmethod
    def kernel_for(cls, in_shapes, params):
        f = formula_of(params["formula"])
        return elementwise_kernel(f"expression_{source_hash(f.canonical + repr(f.names))}", f, f.names,
                                  named_by_source=True)
