"""``nodeflow export --to torch``: the graph as a PyTorch training script.

The network comes from ``torch_net`` (the graph read as layers, losses, updates and
metrics): an ``nn.Module`` with one ``nn.Linear`` per WeightedSum, the loss as the
loss node defines it, autograd for the deltas, and an optimiser that applies each
update node's own rule. The script embeds the data as nodeflow splits it, the starting
weights and optimiser state, and the graph file (to save the trained weights into);
it copies ``data.split.epoch_order`` and ``run.report`` so it serves the samples in
nodeflow's order and prints nodeflow's lines. It runs as one process or under
``torchrun`` (DistributedDataParallel). Nothing here imports torch.
"""
from __future__ import annotations

import inspect
import string
import textwrap

import numpy as np

from ..data import epoch_order, is_builtin, resolve_source
from ..document.files import to_dict
from .export import _report_source, _table
from .session import Session
from .torch_net import TorchNetwork, torch_network

ACTIVATION_CODE = {"Sigmoid": "torch.sigmoid({})", "Tanh": "torch.tanh({})", "ReLU": "torch.relu({})",
                   "Identity": "{}", "Softmax": "torch.softmax({}, dim=1)"}
RULE_SETTINGS = {"sgd": (), "momentum": ("momentum",), "rmsprop": ("rho", "eps"), "adam": ("beta1", "beta2", "eps")}


def _py(node: str) -> str:
    """A Python name for a node: its id, or ``node_<id>`` when the id has no digit (so it can be
    no keyword, builtin or nn.Module attribute)."""
    return node if any(c.isdigit() for c in node) else f"node_{node}"


def _array(a, pad: str = "    ") -> str:
    """A vector on one line, a matrix one row a line."""
    a = np.asarray(a, dtype=float)
    if a.ndim < 2:
        return repr(a.tolist())
    rows = "".join(f"{pad}    {row.tolist()!r},\n" for row in a)
    return f"[\n{rows}{pad}]"


def _entries(values: dict, show=repr) -> str:
    """A dict literal, an entry a line."""
    if not values:
        return "{}"
    return "{\n" + "".join(f"    {k!r}: {show(v)},\n" for k, v in values.items()) + "}"


def _module(g, net: TorchNetwork) -> tuple[str, str, str]:
    """The Network class's layer lines, forward lines and what forward returns."""
    layers, forward = [], []
    for l in net.layers:
        units, inputs = g.params(l.weights)["shape"]
        name, act = _py(l.node), _py(l.activation)
        layers.append(f"self.{name} = nn.Linear({inputs}, {units}, bias={l.bias is not None}, dtype=DTYPE)"
                      f"  # W: {l.weights}, b: {l.bias or 'none (zero)'}")
        x = "x" if l.x[0] == net.dataset else _py(l.x[0])
        forward.append(f"{name} = self.{name}({x})  # {l.node}: z = W·x + b")
        forward.append(f"{act} = {ACTIVATION_CODE[l.kind].format(name)}  # {l.activation}: y = {l.kind.lower()}(z)")
    needed = [n for loss in net.losses for n in (loss.layer.node, loss.layer.activation)]
    needed += [m.source for m in net.metrics if m.kind == "accuracy"]
    returns = "".join(f"\n            {n!r}: {_py(n)}," for n in dict.fromkeys(needed))
    return "\n        ".join(layers), "\n        ".join(forward), "{" + returns + "\n        }"


def _updates(g, net: TorchNetwork) -> str:
    """Each update node's parameter, rate node and the settings its rule reads."""
    rows = {}
    for u in net.updates:
        p = g.params(u.node)
        rows[u.node] = dict(parameter=u.parameter, rate=u.rate, optimizer=p["optimizer"],
                            **{k: p[k] for k in RULE_SETTINGS[p["optimizer"]] + ("l2", "l1")})
    return _entries(rows)


def _optimizer_state(run, net: TorchNetwork) -> str:
    """The optimiser state each update node starts from (left out where all zero, as in graph files)."""
    rows = {}
    for u in net.updates:
        state = {k: run.value_of_state(u.node, k) for k in ("m", "v")}
        parts = [f"{k!r}: {_array(v, '        ')}" for k, v in state.items() if v.any()]
        t = float(run.value_of_state(u.node, "t")[0])
        parts += [f"'t': {t!r}"] if t else []
        if parts:
            rows[u.node] = "{" + ", ".join(parts) + "}"
    return _entries(rows, str)


def _metrics(plan, net: TorchNetwork) -> tuple[str, str]:
    """TRAIN_METRICS ("node.port" -> (loss|accuracy, source)) and TEST_METRICS ("node.port" -> source)."""
    port = {n: f"{n}.{p}" for n, p in plan.metric_ports}
    train = {port[m.node]: (m.kind, m.source) for m in net.metrics if not m.on_test}
    test = {port[m.node]: m.source for m in net.metrics if m.on_test and plan.has_test_pass}
    return _entries(train), _entries(test)


def _graph(g) -> str:
    """The graph file without its learned values (the script writes its own in), CSV path made absolute."""
    doc = to_dict(g)
    if not is_builtin(g.settings["data"]):
        doc["settings"]["data"] = resolve_source(g.settings["data"], g.base_dir)
    for node in doc["nodes"]:
        for name in g.type_of(node["id"]).saved_state:
            node["params"].pop(name, None)
    head = "".join(f"    {k!r}: {v!r},\n" for k, v in doc.items() if k not in ("nodes", "links"))
    lists = "".join(f"    {k!r}: [\n" + "".join(f"        {item!r},\n" for item in doc[k]) + "    ],\n"
                    for k in ("nodes", "links"))
    return "{\n" + head + lists + "}"


def script(session: Session, source_name: str, device: str = "cpu") -> str:
    """The text of a PyTorch script that trains the session's graph from where its run is now
    (raises NodeflowError naming a node torch has no equivalent for)."""
    g, plan, run = session.graph, session.plan, session.run
    net = torch_network(g, plan.data)
    layers, forward, returns = _module(g, net)
    train_metrics, test_metrics = _metrics(plan, net)
    d = plan.data
    losses = {l.node: (l.kind, l.layer.node, l.layer.activation) for l in net.losses}
    return string.Template(TEMPLATE).substitute(
        source=source_name.replace("\\", "/").replace('"', "'"), seed=plan.seed,
        lr=repr(float(run.inputs["base_lr"][0])), batch=plan.batch_size,
        first_epoch=run.epoch, device=device, layers=layers, forward=forward, returns=returns,
        parameters=_entries(dict(net.parameters())),
        initial=_entries({p: run.value_of_state(p, "value") for p, _ in net.parameters()}, _array),
        updates=_updates(g, net), optimizer_state=_optimizer_state(run, net),
        schedules=_entries({r: g.params(r) for r in net.rates}), losses=_entries(losses),
        train_metrics=train_metrics, test_metrics=test_metrics,
        metrics=_entries({name: f"{n}.{p}" for name, (n, p) in plan.metrics.items()}),
        epoch_order=textwrap.dedent(inspect.getsource(epoch_order)), report=_report_source(),
        graph=_graph(g), shapes=repr(d.shapes), n_train=len(d.train), n_test=len(d.test),
        x_train=_table(d.X_train), t_train=_table(d.T_train), x_test=_table(d.X_test), t_test=_table(d.T_test))


TEMPLATE = '''#!/usr/bin/env python3
"""A neural network trained with PyTorch, written by `nodeflow export --to torch` from $source.

The graph's weighted sums are nn.Linear layers and its activations torch functions
(Network), its loss node the loss, its update nodes the optimiser (UpdateRules);
autograd, loss.backward(), computes what the graph's delta nodes computed. Samples
come in nodeflow's order and the lines printed are nodeflow's; in float64 the weights
are `nodeflow run`'s up to rounding. Needs torch and numpy.

    python this_script.py [--epochs N] [--batch-size B] [--device cpu|cuda] [--json] [--save-graph OUT.json]
    torchrun --nproc_per_node N this_script.py ...   # N processes, DistributedDataParallel: batches of N·B
"""
import argparse
import gc
import io
import json
import math
import os

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel

SEED = $seed
LEARNING_RATE = $lr  # the settings' rate: for updates without an lr wire, and LearningRate nodes whose rate is 0
BATCH_SIZE = $batch  # samples per weight update (per process, under torchrun)
FIRST_EPOCH = $first_epoch  # epochs the graph had trained before it was exported
DEVICE = "$device"
DTYPE = torch.float64


# -- the network ---------------------------------------------------------------------------

class Network(nn.Module):
    """The graph's forward pass: one nn.Linear per WeightedSum node, then its activation node."""

    def __init__(self):
        super().__init__()
        $layers

    def forward(self, x):
        """One line per node, in the graph's order; returns what the losses and metrics read, by node."""
        $forward
        return $returns


# Weights / Bias node -> the torch parameter holding it, and the values it starts from
PARAMETERS = $parameters
INITIAL = $initial


@torch.no_grad()
def load_values(model):
    """The graph's starting values; parameters no update node writes stay fixed, as in the graph."""
    parameters = dict(model.named_parameters())
    updated = {u["parameter"] for u in UPDATES.values()}
    for node, name in PARAMETERS.items():
        parameters[name].copy_(torch.tensor(INITIAL[node], dtype=DTYPE))
        parameters[name].requires_grad_(node in updated)


# -- the loss ------------------------------------------------------------------------------

# loss node -> (its kind, the output layer's z and y)
LOSSES = $losses


def sample_losses(kind, z, y, t):
    """Each sample's error E, as the graph's loss node defines it; autograd differentiates this.

    (Cross-entropy is taken from z, where torch needs no clip; nodeflow clips y to
    [1e-12, 1 - 1e-12] inside the logarithm of the E it shows, which differs only for a
    sample whose E is above 27.6. The gradient, y - t, is the same.)"""
    if kind == "squared":  # Error: E = ½·Σ(t − y)²
        return 0.5 * ((t - y) ** 2).sum(dim=1)
    if kind == "softmax_cross_entropy":  # CrossEntropy: E = −Σ t·ln y, y = softmax(z)
        return F.cross_entropy(z, t, reduction="none")
    # CrossEntropy of a sigmoid output: E = −Σ [t·ln y + (1 − t)·ln(1 − y)], y = σ(z)
    return F.binary_cross_entropy_with_logits(z, t, reduction="none").sum(dim=1)


# -- the updates ---------------------------------------------------------------------------

# update node -> the parameter it writes, the LearningRate node it reads (None: LEARNING_RATE), its rule's settings
UPDATES = $updates
# m, v and t each update node starts from (zero when left out)
OPTIMIZER_STATE = $optimizer_state
# LearningRate node -> its settings
SCHEDULES = $schedules


def learning_rate(rate_node, epoch):
    """The rate an update uses in ``epoch`` (from 0): the settings' rate when no LearningRate node
    feeds it, else that node's a (its rate, or the settings' when 0) on its schedule:
    constant a; inverse a / (b·(epoch+1)); step a·drop^floor(epoch/every); exponential a·exp(−decay·epoch)."""
    if rate_node is None:
        return LEARNING_RATE
    s = SCHEDULES[rate_node]
    a = s["rate"] if s["rate"] > 0.0 else LEARNING_RATE
    if s["schedule"] == "inverse":
        return a / (s["b"] * (epoch + 1.0))
    if s["schedule"] == "step":
        return a * s["drop"] ** math.floor(epoch / s["every"])
    if s["schedule"] == "exponential":
        return a * math.exp(-s["decay"] * epoch)
    return a


class UpdateRules(torch.optim.Optimizer):
    """The update nodes' rules, one parameter group per node, exactly as nodeflow defines them.

    Per element, with g = the gradient averaged over the mini-batch + reg and t = updates so far:
      reg = λ2·W + λ1·sign(W)            (L2 and L1; torch's weight_decay is the L2 part only)
      sgd:       step = −lr·g            (torch.optim.SGD)
      momentum:  m = μ·m − lr·g; step = m
                 (torch.optim.SGD(momentum=μ) keeps b = μ·b + g and steps −lr·b: the same only while
                 lr is constant, so the rule is written out here)
      rmsprop:   v = ρ·v + (1 − ρ)·g²; step = −lr·g / (√v + ε)            (torch.optim.RMSprop(alpha=ρ))
      adam:      m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²;
                 step = −lr·(m / (1 − β1^t)) / (√(v / (1 − β2^t)) + ε)    (torch.optim.Adam)
      W ← W + step
    """

    def __init__(self, model):
        parameters = dict(model.named_parameters())
        groups = [dict(settings, params=[parameters[PARAMETERS[settings["parameter"]]]], update=node, lr=0.0)
                  for node, settings in UPDATES.items()]
        super().__init__(groups, {})
        for group in self.param_groups:
            w = group["params"][0]
            saved = OPTIMIZER_STATE.get(group["update"], {})
            m, v = (torch.zeros_like(w) + torch.tensor(saved.get(k, 0.0), dtype=DTYPE, device=w.device) for k in "mv")
            self.state[w] = {"m": m, "v": v, "t": saved.get("t", 0.0)}

    def set_epoch(self, epoch):
        for group in self.param_groups:
            group["lr"] = learning_rate(group["rate"], epoch)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            w = group["params"][0]
            s = self.state[w]
            g = w.grad + (group["l2"] * w + group["l1"] * torch.sign(w))
            s["t"] += 1.0
            lr, rule = group["lr"], group["optimizer"]
            if rule == "sgd":
                step = -lr * g
            elif rule == "momentum":
                s["m"] = group["momentum"] * s["m"] - lr * g
                step = s["m"]
            elif rule == "rmsprop":
                s["v"] = group["rho"] * s["v"] + (1.0 - group["rho"]) * g * g
                step = -lr * g / (torch.sqrt(s["v"]) + group["eps"])
            else:  # adam
                s["m"] = group["beta1"] * s["m"] + (1.0 - group["beta1"]) * g
                s["v"] = group["beta2"] * s["v"] + (1.0 - group["beta2"]) * g * g
                c1, c2 = 1.0 - group["beta1"] ** s["t"], 1.0 - group["beta2"] ** s["t"]
                step = -lr * (s["m"] / c1) / (torch.sqrt(s["v"] / c2) + group["eps"])
            w.add_(step)


# -- the samples ---------------------------------------------------------------------------

$epoch_order

class EpochBatches(torch.utils.data.Sampler):
    """A distributed sampler: this process's share of every mini-batch, in nodeflow's order.

    Each epoch serves the training samples in epoch_order(SEED, epoch, n), cut into batches
    of world·B (the last may be short); process ``rank`` takes the rank-th B of each batch
    (fewer, or none, in a short one). Unlike torch's DistributedSampler it does not pad the
    epoch with repeated samples nor shuffle by its own generator, so N processes with B
    each train on exactly the batches one process with N·B does. Yields (rows, batch): this
    process's rows and how many samples the whole batch has.
    """

    def __init__(self, n, batch_size, rank=0, world=1):
        self.n, self.batch_size, self.rank, self.world, self.epoch = n, batch_size, rank, world, 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __len__(self):
        return -(-self.n // (self.batch_size * self.world))

    def __iter__(self):
        order = epoch_order(SEED, self.epoch, self.n)
        size = self.batch_size * self.world
        for start in range(0, self.n, size):
            end = min(start + size, self.n)
            first = min(start + self.rank * self.batch_size, end)
            yield torch.from_numpy(order[first:min(first + self.batch_size, end)]), end - start


# -- training ------------------------------------------------------------------------------

# metric port -> (loss: the mean E of a loss node | accuracy: of an activation's y), counted as the samples
# pass, before their batch's update
TRAIN_METRICS = $train_metrics
# metric port -> the activation it reads, measured on the test set at the end of every epoch
TEST_METRICS = $test_metrics


def correct(y, t):
    """How many samples are classified right: argmax for several outputs, the 0.5 threshold for one."""
    if y.shape[1] == 1:
        return ((y[:, 0] >= 0.5) == (t[:, 0] >= 0.5)).sum()
    return (y.argmax(dim=1) == t.argmax(dim=1)).sum()


def train_epoch(model, optimizer, batches, X, T, world):
    """One epoch of mini-batches: forward, loss, loss.backward(), optimizer.step().
    Returns each train metric's [sum, count] over this process's samples."""
    totals = torch.zeros(len(TRAIN_METRICS), 2, dtype=DTYPE, device=X.device)
    for rows, batch in batches:
        rows = rows.to(X.device)
        x, t = X[rows], T[rows]
        out = model(x)
        E = {node: sample_losses(kind, out[z], out[y], t) for node, (kind, z, y) in LOSSES.items()}
        with torch.no_grad():
            for i, (kind, source) in enumerate(TRAIN_METRICS.values()):
                totals[i, 0] += E[source].sum() if kind == "loss" else correct(out[source], t)
                totals[i, 1] += len(t)
        # the gradient averaged over the batch's samples, not over processes: DDP divides by world
        loss = sum(e.sum() for e in E.values()) * (world / batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return totals


@torch.no_grad()
def test_metrics(model, X, T):
    out = model(X)
    return {port: float(correct(out[source], T)) / len(T) for port, source in TEST_METRICS.items()}


# -- what each epoch prints (the same code as `nodeflow run`) ------------------------------

# figure -> the metric port showing it
METRICS = $metrics

$report

def figures_of(totals, tested):
    """(loss, train_acc, test_acc figures; every metric port's value) of one epoch."""
    values = {port: float(totals[i, 0] / totals[i, 1]) for i, port in enumerate(TRAIN_METRICS)}
    values = dict(sorted({**values, **tested}.items()))
    return {name: values.get(port) for name, port in METRICS.items()}, values


# -- saving the weights into a nodeflow graph ----------------------------------------------

GRAPH = $graph


def save_graph(path, model, optimizer, epochs, batch_size):
    """The graph this script came from, with the trained weights, optimiser state and epoch count
    (`nodeflow run OUT` carries on from here); its batch_size is the one trained with."""
    doc = json.loads(json.dumps(GRAPH))
    params = {node["id"]: node["params"] for node in doc["nodes"]}
    parameters = dict(model.named_parameters())
    for node, name in PARAMETERS.items():
        params[node]["value"] = parameters[name].detach().cpu().tolist()
    for group in optimizer.param_groups:
        s = optimizer.state[group["params"][0]]
        params[group["update"]].update({k: s[k].cpu().tolist() for k in ("m", "v") if s[k].any()})
        if s["t"]:
            params[group["update"]]["t"] = [s["t"]]
    doc["trained_epochs"] = FIRST_EPOCH + epochs
    doc["settings"]["batch_size"] = batch_size
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\\n")


# -- main ----------------------------------------------------------------------------------

def table(text, columns):
    if not text.strip():
        return np.zeros((0, columns))
    return np.loadtxt(io.StringIO(text), ndmin=2).reshape(-1, columns)


def start(device_name):
    """(rank, world size, device): one process, or one of torchrun's (gloo on CPU, nccl on GPU)."""
    world, rank = int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))
    if device_name == "cuda":
        if not torch.cuda.is_available():
            raise SystemExit("--device cuda: torch sees no GPU here (torch.cuda.is_available() is False)")
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return rank, world, device


def arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                        help=f"samples per update in each process (default {BATCH_SIZE}, the graph's)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default=DEVICE)
    parser.add_argument("--json", action="store_true", help="one JSON object per epoch")
    parser.add_argument("--save-graph", metavar="OUT", help="write the trained graph here (a nodeflow graph file)")
    args = parser.parse_args(argv)
    if args.epochs < 0 or args.batch_size < 1:
        parser.error("--epochs must be 0 or more and --batch-size 1 or more")
    return args


def main(argv=None):
    args = arguments(argv)
    rank, world, device = start(args.device)
    n_in, n_out = $shapes
    X_train, T_train, X_test, T_test = (torch.tensor(table(text, n), dtype=DTYPE, device=device) for text, n in
                                        ((X_TRAIN, n_in), (T_TRAIN, n_out), (X_TEST, n_in), (T_TEST, n_out)))
    model = Network().to(device)
    load_values(model)
    optimizer = UpdateRules(model)
    gpus = None if device.index is None else [device]
    trained = model if world == 1 else DistributedDataParallel(model, device_ids=gpus)
    batches = EpochBatches(len(X_train), args.batch_size, rank, world)
    for i in range(args.epochs):
        optimizer.set_epoch(FIRST_EPOCH + i)
        batches.set_epoch(FIRST_EPOCH + i)
        totals = train_epoch(trained, optimizer, batches, X_train, T_train, world)
        if world > 1:
            dist.all_reduce(totals)
        if not all(torch.isfinite(p).all() for p in model.parameters()):
            raise SystemExit(f"diverged in epoch {i + 1}: a weight became NaN or infinite; lower the learning rate")
        figures, values = figures_of(totals, test_metrics(model, X_test, T_test) if TEST_METRICS else {})
        if rank == 0:
            print(json.dumps(epoch_record(i + 1, figures, values)) if args.json else
                  epoch_line(i + 1, args.epochs, figures, values), flush=True)
    if args.save_graph and rank == 0:
        save_graph(args.save_graph, model, optimizer, args.epochs, args.batch_size * world)
    if world > 1:
        dist.barrier()  # every process waits for rank 0's file
        del trained  # DDP's reducer goes while the process group lives (left to interpreter exit,
        gc.collect()  # it sometimes aborts the process: "terminate called without an active exception")
        dist.destroy_process_group()


# the data, already normalised and split as nodeflow serves it: $n_train training and $n_test test samples
X_TRAIN = """
$x_train
"""
T_TRAIN = """
$t_train
"""
X_TEST = """
$x_test
"""
T_TEST = """
$t_test
"""

if __name__ == "__main__":
    main()
'''
