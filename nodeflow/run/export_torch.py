"""``nodeflow export --to torch``: the graph as a PyTorch training script.

The network comes from ``torch_net`` (the graph, groups flattened, read as layers,
losses, updates and metrics): an ``nn.Module`` with one ``nn.Linear`` per WeightedSum,
the loss as the loss node defines it, autograd for the deltas, an optimiser that
applies each update node's own rule, and the metric nodes measured as nodeflow measures
them (Saturation from the activations' slopes, test figures after each epoch, a
tolerance in the target's own units). The script embeds the data as nodeflow scales and
splits it, the starting weights and optimiser state, and the graph file (to save the
trained weights into); it copies ``data.split.epoch_order`` and ``run.report`` so it
serves the samples in nodeflow's order and prints nodeflow's lines and warnings. It runs
as one process or under ``torchrun`` (DistributedDataParallel). Nothing here imports torch.
"""
from __future__ import annotations

import inspect
import string
import textwrap

import numpy as np

from ..data import epoch_order, is_builtin, resolve_source
from ..document.files import to_dict
from ..document.groups import SEP
from ..nodes import NODE_TYPES
from ..nodes.metrics import Accuracy, SATURATED_SLOPE
from .export import _report_source, _table
from .session import Session
from .torch_net import TorchNetwork, torch_network

ACTIVATION_CODE = {"Sigmoid": "torch.sigmoid({})", "Tanh": "torch.tanh({})", "ReLU": "torch.relu({})",
                   "Identity": "{}", "Softmax": "torch.softmax({}, dim=1)"}
RULE_SETTINGS = {"sgd": (), "momentum": ("momentum",), "rmsprop": ("rho", "eps"), "adam": ("beta1", "beta2", "eps")}


def _py(node: str) -> str:
    """A Python name for a node: its id (a node inside a group: ``group__inner``), or ``node_<id>``
    when the id has no digit (so it can be no keyword, builtin or nn.Module attribute)."""
    name = node.replace(SEP, "__")
    return name if any(c.isdigit() for c in name) else f"node_{name}"


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


def _module(net: TorchNetwork) -> tuple[str, str, str]:
    """The Network class's layer lines, forward lines and what forward returns."""
    g, layers, forward = net.graph, [], []
    for l in net.layers:
        units, inputs = g.params(l.weights)["shape"]
        name, act = _py(l.node), _py(l.activation)
        layers.append(f"self.{name} = nn.Linear({inputs}, {units}, bias={l.bias is not None}, dtype=DTYPE)"
                      f"  # W: {l.weights}, b: {l.bias or 'none (zero)'}")
        x = "x" if l.x[0] == net.dataset else _py(l.x[0])
        forward.append(f"{name} = self.{name}({x})  # {l.node}: z = W·x + b")
        forward.append(f"{act} = {ACTIVATION_CODE[l.kind].format(name)}  # {l.activation}: y = {l.kind.lower()}(z)")
    read = {loss.layer.activation for loss in net.losses} | {m.source for m in net.metrics if m.kind != "loss"}
    needed = [n for l in net.layers if l.activation in read for n in (l.node, l.activation)]
    returns = "".join(f"\n            {n!r}: {_py(n)}," for n in needed)
    return "\n        ".join(layers), "\n        ".join(forward), "{" + returns + "\n        }"


def _updates(net: TorchNetwork) -> str:
    """Each update node's parameter, rate node and the settings its rule reads."""
    g, rows = net.graph, {}
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


def _metrics(plan, net: TorchNetwork) -> tuple[str, str, str]:
    """TRAIN_METRICS and TEST_METRICS ("node.port" -> (kind, source)), and SLOPES (activation ->
    (its type, its weighted sum)) of the activations Saturation nodes read."""
    port = {n: f"{n}.{p}" for n, p in plan.metric_ports}
    train = {port[m.node]: (m.kind, m.source) for m in net.metrics if not m.on_test}
    test = {port[m.node]: (m.kind, m.source) for m in net.metrics if m.on_test and plan.has_test_pass}
    slopes = {l.activation: (l.kind, l.node) for l in net.layers
              if any(m.kind == "saturation" and m.source == l.activation for m in net.metrics)}
    return _entries(train), _entries(test), _entries(slopes)


def _tolerance(g, data) -> tuple[float, float, float]:
    """(tolerance, target offset, target scale): what Accuracy's tolerance rule reads, from the
    settings and the data's encoding in force, as the plan hands them to its kernel."""
    encoding = data.encoding.as_dict() if data.encoding else None
    return Accuracy.consts({"rule": "tolerance"}, {**g.settings, "encoding": encoding})


def _without_values(nodes: list[dict]) -> list[dict]:
    """Graph-file node entries without their learned values (the script writes its own in), inside groups too."""
    out = []
    for node in nodes:
        t = NODE_TYPES.get(node["type"])
        params = {k: v for k, v in node["params"].items() if t is None or k not in t.saved_state}
        if node["type"] == "Group":
            params["graph"] = dict(params["graph"], nodes=_without_values(params["graph"]["nodes"]))
        out.append(dict(node, params=params))
    return out


def _graph(g) -> str:
    """The graph file without its learned values (the script writes its own in), CSV path made absolute."""
    doc = to_dict(g)
    if not is_builtin(g.settings["data"]):
        doc["settings"]["data"] = resolve_source(g.settings["data"], g.base_dir)
    doc["nodes"] = _without_values(doc["nodes"])
    head = "".join(f"    {k!r}: {v!r},\n" for k, v in doc.items() if k not in ("nodes", "links"))
    lists = "".join(f"    {k!r}: [\n" + "".join(f"        {item!r},\n" for item in doc[k]) + "    ],\n"
                    for k in ("nodes", "links"))
    return "{\n" + head + lists + "}"


def script(session: Session, source_name: str, device: str = "cpu") -> str:
    """The text of a PyTorch script that trains the session's graph from where its run is now
    (raises NodeflowError naming a node torch has no equivalent for)."""
    g, plan, run = session.graph, session.plan, session.run
    d = plan.data
    net = torch_network(g, d, plan.skipped)
    layers, forward, returns = _module(net)
    train_metrics, test_metrics, slopes = _metrics(plan, net)
    losses = {l.node: (l.kind, l.layer.node, l.layer.activation) for l in net.losses}
    return string.Template(TEMPLATE).substitute(
        source=source_name.replace("\\", "/").replace('"', "'"), seed=plan.seed,
        lr=repr(float(run.inputs["base_lr"][0])), batch=plan.batch_size,
        first_epoch=run.epoch, device=device, layers=layers, forward=forward, returns=returns,
        parameters=_entries({p: f"{_py(layer)}.{name}" for p, layer, name in net.parameters()}),
        initial=_entries({p: run.value_of_state(p, "value") for p, _, _ in net.parameters()}, _array),
        updates=_updates(net), optimizer_state=_optimizer_state(run, net),
        schedules=_entries({r: net.graph.params(r) for r in net.rates}), losses=_entries(losses),
        train_metrics=train_metrics, test_metrics=test_metrics, slopes=slopes,
        saturated_slope=SATURATED_SLOPE, tolerance="{!r}, {!r}, {!r}".format(*_tolerance(g, d)),
        encoding=_entries(d.encoding.as_dict() if d.encoding else {}),
        saturation=repr(tuple(s.node for s in plan.steps if s.type == "Saturation")),
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
import sys

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


# Weights / Bias node -> the torch parameter holding it, and the values it starts from (a node inside a
# group is "group/node")
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


def errors(out, t):
    """Each loss node's E per sample, from the forward pass's values ``out``."""
    return {node: sample_losses(kind, out[z], out[y], t) for node, (kind, z, y) in LOSSES.items()}


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

# metric port -> (what it measures, what it reads), counted as the samples pass, before their batch's update:
#   loss: a loss node's mean E; accuracy: the share of an activation's y in the right class;
#   tolerance: the share within TOLERANCE of the target; saturation: the share of an activation's slopes
#   below SATURATED_SLOPE (MeanLoss, Accuracy and Saturation nodes)
TRAIN_METRICS = $train_metrics
# metric port -> the same, measured on the test set at the end of every epoch
TEST_METRICS = $test_metrics
# activation a Saturation node reads -> (its type, the weighted sum it applies to)
SLOPES = $slopes
SATURATED_SLOPE = $saturated_slope
# Accuracy by tolerance: right when every output is within TOLERANCE·|target| of the target, both in the
# target's own units: raw = served·TARGET_SCALE + TARGET_OFFSET (the data's scaling undone)
TOLERANCE, TARGET_OFFSET, TARGET_SCALE = $tolerance


def correct(y, t):
    """Which samples are classified right: argmax for several outputs, the 0.5 threshold for one."""
    if y.shape[1] == 1:
        return (y[:, 0] >= 0.5) == (t[:, 0] >= 0.5)
    return y.argmax(dim=1) == t.argmax(dim=1)


def within_tolerance(y, t):
    """Which samples have every output within TOLERANCE of its target, in the target's own units."""
    t = t * TARGET_SCALE + TARGET_OFFSET
    return ~((y * TARGET_SCALE + TARGET_OFFSET - t).abs() > TOLERANCE * t.abs()).any(dim=1)


def slope(kind, z, y):
    """An activation's slope dy/dz as its node computes it (no autograd: it is only counted)."""
    if kind == "Sigmoid":
        return y * (1.0 - y)
    if kind == "Tanh":
        return 1.0 - y * y
    if kind == "ReLU":
        return (~(z <= 0.0)).to(z.dtype)
    return torch.ones_like(z)


def measure(kind, source, out, E, t):
    """One metric's (sum, count) over a batch's forward pass ``out`` and errors ``E``."""
    if kind == "loss":
        return E[source].sum(), len(t)
    if kind == "saturation":
        activation, z = SLOPES[source]
        slopes = slope(activation, out[z], out[source])
        return (slopes < SATURATED_SLOPE).sum(), slopes.numel()
    right = within_tolerance(out[source], t) if kind == "tolerance" else correct(out[source], t)
    return right.sum(), len(t)


def train_epoch(model, optimizer, batches, X, T, world):
    """One epoch of mini-batches: forward, loss, loss.backward(), optimizer.step().
    Returns each train metric's [sum, count] over this process's samples."""
    sums = [torch.zeros((), dtype=DTYPE, device=X.device) for _ in TRAIN_METRICS]
    counts = [0] * len(TRAIN_METRICS)
    for rows, batch in batches:
        rows = rows.to(X.device)
        x, t = X[rows], T[rows]
        out = model(x)
        E = errors(out, t)
        with torch.no_grad():
            for i, (kind, source) in enumerate(TRAIN_METRICS.values()):
                total, count = measure(kind, source, out, E, t)
                sums[i] += total
                counts[i] += count
        # the gradient averaged over the batch's samples, not over processes: DDP divides by world
        loss = sum(e.sum() for e in E.values()) * (world / batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return torch.tensor([[float(total), count] for total, count in zip(sums, counts)], dtype=DTYPE,
                        device=X.device).reshape(len(TRAIN_METRICS), 2)


@torch.no_grad()
def test_metrics(model, X, T):
    """Each test metric's value: one forward pass over the test set with the epoch's final weights."""
    out = model(X)
    E = errors(out, T)
    values = {}
    for port, (kind, source) in TEST_METRICS.items():
        total, count = measure(kind, source, out, E, T)
        values[port] = float(total) / count
    return values


# -- what each epoch prints (the same code as `nodeflow run`) ------------------------------

# figure -> the metric port showing it
METRICS = $metrics

$report

# Saturation nodes, in the order nodeflow looks at them for its warning
SATURATION = $saturation


def figures_of(totals, tested):
    """(loss, test_loss, train_acc, test_acc figures; every metric port's value) of one epoch."""
    values = {port: float(totals[i, 0] / totals[i, 1]) for i, port in enumerate(TRAIN_METRICS)}
    values = dict(sorted({**values, **tested}.items()))
    return {name: values.get(port) for name, port in METRICS.items()}, values


# -- saving the weights into a nodeflow graph ----------------------------------------------

GRAPH = $graph


def node_params(doc, node):
    """The params of ``node`` in a graph file's contents; "group/inner" lives inside the group's graph."""
    head, _, rest = node.partition("/")
    params = next(n["params"] for n in doc["nodes"] if n["id"] == head)
    return node_params(params["graph"], rest) if rest else params


def figure(v):
    """A figure as graph files keep it: 6 significant digits (None: not measured, or not finite)."""
    return float(f"{v:.6g}") if v is not None and math.isfinite(v) else None


def with_history(doc, rows):
    """The file's per-epoch figures (what the editor plots) followed by this run's."""
    old = (doc.get("history") or {}).get("figures", {})
    before = max((len(v) for v in old.values()), default=0)
    names = dict.fromkeys([*old, *(name for _, values in rows for name in values)])
    figures = {name: old.get(name, [None] * before) + [figure(values.get(name)) for _, values in rows]
               for name in names}
    return {"first_epoch": doc["history"]["first_epoch"] if before else FIRST_EPOCH + 1, "figures": figures}


def save_graph(path, model, optimizer, rows, batch_size):
    """The graph this script came from, with the trained weights, optimiser state, epoch count and
    figures (``rows``: (epoch, values) of each epoch trained); `nodeflow run OUT` carries on from
    here. Its batch_size is the one trained with."""
    doc = json.loads(json.dumps(GRAPH))
    parameters = dict(model.named_parameters())
    for node, name in PARAMETERS.items():
        node_params(doc, node)["value"] = parameters[name].detach().cpu().tolist()
    for group in optimizer.param_groups:
        s = optimizer.state[group["params"][0]]
        params = node_params(doc, group["update"])
        params.update({k: s[k].cpu().tolist() for k in ("m", "v") if s[k].any()})
        if s["t"]:
            params["t"] = [s["t"]]
    doc["trained_epochs"] = FIRST_EPOCH + len(rows)
    if rows:
        doc["history"] = with_history(doc, rows)
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


def warn(epoch, losses, values, warned):
    """Print nodeflow's warning for this epoch (a rising loss, a saturated layer) when it starts; whether one holds."""
    warning = epoch_warning(losses, {node: values.get(f"{node}.share") for node in SATURATION})
    if warning and not warned:
        print(f"warning: epoch {epoch}: {warning}", file=sys.stderr, flush=True)
    return bool(warning)


def main(argv=None):
    """Train; returns (epoch, every metric port's value) of each epoch."""
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
    losses = (GRAPH.get("history") or {}).get("figures", {}).get(METRICS.get("loss"), [])[-RISING_EPOCHS:]
    rows, warned = [], False
    for i in range(args.epochs):
        optimizer.set_epoch(FIRST_EPOCH + i)
        batches.set_epoch(FIRST_EPOCH + i)
        totals = train_epoch(trained, optimizer, batches, X_train, T_train, world)
        if world > 1:
            dist.all_reduce(totals)
        if not all(torch.isfinite(p).all() for p in model.parameters()):
            raise SystemExit(f"diverged in epoch {i + 1}: a weight became NaN or infinite; lower the learning rate")
        figures, values = figures_of(totals, test_metrics(model, X_test, T_test) if TEST_METRICS else {})
        rows.append((FIRST_EPOCH + i + 1, values))
        losses = [*losses, figures.get("loss")][-RISING_EPOCHS - 1:]
        if rank == 0:
            print(json.dumps(epoch_record(i + 1, figures, values)) if args.json else
                  epoch_line(i + 1, args.epochs, figures, values), flush=True)
            warned = warn(i + 1, losses, values, warned)
    if args.save_graph and rank == 0:
        save_graph(args.save_graph, model, optimizer, rows, args.batch_size * world)
    if world > 1:
        dist.barrier()  # every process waits for rank 0's file
        del trained  # DDP's reducer goes while the process group lives (left to interpreter exit,
        gc.collect()  # it sometimes aborts the process: "terminate called without an active exception")
        dist.destroy_process_group()
    return rows


# the data as nodeflow serves it, scaled (served = (raw − offset) / scale, per column) and split:
# $n_train training and $n_test test samples. The scaling (the graph's settings.encoding):
ENCODING = $encoding
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
