"""The run layer: a plan derived from the document, a run that owns the training state,
and the executors that advance it (the stepper, the compiled engine), plus export.

    plan.py      immutable layout: slots and the step list (no arrays)
    state.py     Run: wire and state memory, epoch, cursor, history, snapshots, profile
    stepper.py   one node / sample / epoch at a time
    codegen.py   the plan written as one ``train`` function
    compiled.py  that function compiled by numba, cached on disk
    session.py   Session: a document, its plan and run, and both executors
    probe.py     forward passes on inputs of your own (row by row, or in numpy batches), never
                 touching the training state; Probe: one raw input through a copy of the run
    export.py    a standalone numpy script of the plan
    torch_net.py the graph read as torch layers, losses, updates and metrics (or refused, naming the node)
    export_torch.py  a PyTorch script of that network (autograd, DDP under torchrun); imports no torch
    gradcheck.py backprop against finite differences
    report.py    the per-epoch lines and JSON
"""
