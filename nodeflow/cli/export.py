"""``nodeflow export``: the graph as a standalone training script (numpy, or PyTorch with ``--to torch``)."""
from __future__ import annotations

from pathlib import Path

from ..errors import NodeflowError


def add_parser(sub) -> None:
    x = sub.add_parser("export", help="write the graph as a standalone training script (numpy, or PyTorch)")
    x.add_argument("file")
    x.add_argument("-o", "--output", required=True, help="the script to write, e.g. train.py")
    x.add_argument("--to", choices=["numpy", "torch"], default="numpy",
                   help="numpy: nodeflow's own kernels (default); torch: an nn.Module trained with autograd, "
                        "also under torchrun")
    x.add_argument("--device", choices=["cpu", "cuda"], default=None,
                   help="--to torch: the device the script trains on by default (cpu)")
    x.set_defaults(fn=cmd_export)


def cmd_export(a) -> int:
    from ..document.files import atomic_write, load
    from ..outputs import check_output
    from ..run.session import Session

    if a.device and a.to != "torch":
        raise NodeflowError("--device is for --to torch (the numpy script runs on the CPU)")
    check_output(a.output, "-o")
    ev = Session(load(a.file))
    ev.prepare()  # NotReady says why the graph cannot run
    if a.to == "torch":
        from ..run.export_torch import script

        atomic_write(a.output, script(ev, Path(a.file).name, a.device or "cpu"))
        print(f"wrote {a.output}: run it with `python {a.output} --epochs N`, or on N processes with "
              f"`torchrun --nproc_per_node N {a.output} --epochs N` (needs torch and numpy)")
        return 0
    from ..run.export import script

    atomic_write(a.output, script(ev, Path(a.file).name))
    print(f"wrote {a.output}: run it with `python {a.output} --epochs N` (needs only numpy)")
    return 0
