"""How much memory running a graph takes, against the ceiling (``nodeflow.limits``).

A run holds every wire's value and every state array (``mem`` and ``smem``) several
times over: the run's own, a snapshot to step back to, and the compiled engine's two
backups; and the data twice (the loaded set and the run's train/test copies). The
estimate lets ``check`` refuse a graph that ``run`` could not hold.
"""
from __future__ import annotations

from ..errors import DataError
from ..limits import check_floats, elements
from ..nodes.base import known

RUN_COPIES = 4  # the run's memory, a snapshot, the compiled engine's backups of mem and smem
DATA_COPIES = 2  # the loaded set, and the train/test arrays the run reads


def run_floats(g) -> float:
    """Numbers the run of ``g`` holds (wires, state, data), as far as the shapes are known."""
    rep = g.shapes()
    wires = states = 0.0
    for n in g.node_ids:
        t = g.type_of(n)
        for p in t.outputs:
            shape = rep.outputs.get((n, p.name))
            if p.name not in t.alias and known(shape):
                wires += max(elements(shape), 1.0)
        for shape in t.state_shapes(g.params(n), rep.dims.get(n, {})).values():
            if known(shape):
                states += max(elements(shape), 1.0)
    try:
        d = g.data()
        data = float(d.X.size + d.T.size)
    except DataError:
        data = 0.0
    return (wires + states) * RUN_COPIES + data * DATA_COPIES


def memory_problem(g) -> str | None:
    """"running this graph needs ... of memory; the limit is ..." when it does not fit, else None."""
    try:
        check_floats(run_floats(g), "running this graph")
    except ValueError as e:
        return str(e)
    return None
