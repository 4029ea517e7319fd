"""``nodeflow export``: the graph as a standalone numpy training script."""
from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    x = sub.add_parser("export", help="write the graph as a standalone training script (numpy only)")
    x.add_argument("file")
    x.add_argument("-o", "--output", required=True, help="the script to write, e.g. train.py")
    x.set_defaults(fn=cmd_export)


def cmd_export(a) -> int:
    from ..document.files import atomic_write, load
    from ..outputs import check_output
    from ..run.export import script
    from ..run.session import Session

    check_output(a.output, "-o")
    ev = Session(load(a.file))
    ev.prepare()  # NotReady says why the graph cannot run
    atomic_write(a.output, script(ev, Path(a.file).name))
    print(f"wrote {a.output}: run it with `python {a.output} --epochs N` (needs only numpy)")
    return 0


