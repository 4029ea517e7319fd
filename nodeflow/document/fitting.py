"""Parameters that take their shape from what they are wired to.

A Weights or Bias node that has never been trained (its values are still the ones
Reset weights would draw from the seed) has nothing to lose by being resized, so a wire
whose shape disagrees with it resizes it instead of being refused. ``fits`` lists the
resizings that would make a wire agree; ``hint`` says what to do when none can be made.
"""
from __future__ import annotations

from typing import NamedTuple

import networkx as nx
import numpy as np

from ..nodes.base import fmt_shape
from .shapes import fit


class Fit(NamedTuple):
    node: str  # a parameter node feeding the wire's destination
    params: dict  # what to set on it
    shape: tuple  # the shape its output takes then


def untrained(g, node: str) -> bool:
    """A parameter whose values are still the ones Reset weights would draw (nothing learned to lose)."""
    t = g.type_of(node)
    if not t.is_parameter:
        return False
    fresh = g._fresh_state(node, t, g.params(node))
    state = g.state(node)
    return set(fresh) == set(state) and all(np.array_equal(fresh[k], state[k]) for k in fresh)


def fits(g, link) -> list[Fit]:
    """Parameters wired into ``link.dst`` (``link`` counted as wired) that could be resized so
    that every wire into it agrees, best first: those that only grow a dimension (a new node's
    1 is a placeholder), then the one ``link`` starts from."""
    t = g.type_of(link.dst)
    rep = g.shapes()
    wires = {k[1]: (u, k[0]) for u, _, k in g.nx.in_edges(link.dst, keys=True)}
    wires[link.dst_port] = (link.src, link.src_port)
    arriving = {port: rep.outputs.get(src) for port, src in wires.items()}
    found = []
    for port, (node, out) in wires.items():
        now = arriving[port]
        want = fit(t, port, arriving, g.params(link.dst)) if g.type_of(node).is_parameter and now is not None else None
        if want is None or len(want) != len(now):
            continue
        shape = tuple(now[i] if d is None else d for i, d in enumerate(want))
        params = g.type_of(node).params_for_shape(out, shape) if shape != tuple(now) else None
        if params is not None:
            shrinks = sum(a < b for a, b in zip(shape, now))
            found.append(((shrinks, node != link.src), Fit(node, params, shape)))
    return [f for _, f in sorted(found, key=lambda item: item[0])]


def describe(f: Fit) -> str:
    """``weights_1 resized to (1, 2)``"""
    return f"{f.node} resized to {fmt_shape(f.shape)}"


def _setting(params: dict) -> str:
    return " and ".join(f"its {k} to {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in params.items())


def hint(g, link, candidates: list[Fit], tried: dict[str, str]) -> str:
    """What the user can do about a refused wire: the resizing that would fit and why it was
    not made (trained values, or other wires), or where the sizes come from."""
    for f in candidates:
        if f.node in tried:
            return f"{describe(f)} would fit here but not its other wires ({tried[f.node]})"
        return (f"to fit, set {f.node}'s {_setting(f.params).removeprefix('its ')} "
                "(it holds trained values, so it does not follow the wire by itself)")
    upstream = _nearest_parameters(g, link)
    if upstream:
        return f"the sizes here come from {', '.join(upstream)} upstream: resize {'it' if len(upstream) == 1 else 'them'} to fit"
    return "check that the wire comes from the right output"


def _nearest_parameters(g, link) -> list[str]:
    """The parameter nodes closest upstream of the wire's destination (its sizes come from them)."""
    sources = [link.src] + [u for u, _ in g.nx.in_edges(link.dst)]
    lengths: dict[str, int] = {}
    for s in sources:
        for n, d in nx.single_source_shortest_path_length(g.nx.reverse(copy=False), s).items():
            if g.type_of(n).is_parameter:
                lengths[n] = min(d, lengths.get(n, d))
    if not lengths:
        return []
    best = min(lengths.values())
    return sorted(n for n, d in lengths.items() if d == best)
