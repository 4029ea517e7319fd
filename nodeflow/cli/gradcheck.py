"""``nodeflow gradcheck``: backprop's gradients against finite differences."""
from __future__ import annotations

import sys

from ..errors import NodeflowError


def add_parser(sub) -> None:
    gc = sub.add_parser("gradcheck", help="compare backprop's gradients with numerical ones")
    gc.add_argument("file")
    gc.add_argument("--samples", type=int, default=3, help="training samples to check on (default 3)")
    gc.set_defaults(fn=cmd_gradcheck)


def cmd_gradcheck(a) -> int:
    from ..document.files import load
    from ..run.gradcheck import BAD, GOOD, gradcheck
    from ..run.session import Session

    if a.samples < 1:
        raise NodeflowError(f"--samples must be 1 or more: with {a.samples} there is nothing to check")
    ev = Session(load(a.file))
    results = gradcheck(ev, samples=a.samples)
    width = max([len(r.node) for r in results] + [9])
    uwidth = max([len(r.update) for r in results] + [6])
    print(f"{'parameter':<{width}}  {'update':<{uwidth}}  rel. error  abs. error")
    for r in results:
        print(f"{r.node:<{width}}  {r.update:<{uwidth}}  {r.rel_error:10.2e}  {r.abs_error:10.2e}  {r.verdict}")
    bad = [r for r in results if r.rel_error > BAD]
    if bad:
        print(f"backprop disagrees with the numerical gradient for {', '.join(r.node for r in bad)} "
              f"(relative error over {BAD:g}): check the wiring of their deltas and updates", file=sys.stderr)
        return 1
    worst = max((r.rel_error for r in results), default=0.0)
    print(f"gradients agree (largest relative error {worst:.1e}; under {GOOD:g} is right)")
    return 0


