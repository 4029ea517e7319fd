"""What a node type is: named ports with symbolic shapes, parameters, state and a kernel.

A node type is a class with class attributes only; instances live in the graph as
plain data (``type`` name, ``params`` dict, ``state`` arrays). Shapes are tuples of
dimension symbols (``("out", "in")``) bound when wires are connected; ``ANY`` accepts
any shape.

Kernel calling convention (see ``nodes.kernel``):
``kernel(*runtime, *inputs, *state, *outputs, *consts)``, all arrays except the trailing
float constants (a constant may also be a tuple of numbers, passed as a 1-D array); a
scalar port is a 1-element array. ``runtime`` names values the evaluator supplies (see
``RUNTIME``). A type with ``matrix_args`` sees every array as a matrix (``matrix_shape``):
a scalar as 1×1, a vector as one row, so one kernel serves every rank.

Most types have fixed ports (class attributes); a type whose ports depend on its
parameters (an Expression's inputs are the names in its formula) overrides
``input_ports`` / ``output_ports``. A type whose output shapes are computed rather than
bound by dimension symbols (broadcasting, reductions) overrides ``output_shapes`` and
raises ``ShapeError`` when its inputs cannot go together.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar

import numpy as np

from ..limits import INT64_MAX, brief, check_floats, check_int, elements

ANY = ("*",)
Shape = tuple  # of int | None (None = not known yet)

PHASES = ("forward", "backward", "update")

RUNTIME = {
    "X": "the features of the set being served (train, or test during the test pass)",
    "T": "the targets of that set",
    "row": "int64[1]: the row being served",
    "epoch": "float[1]: the epoch number, from 0",
    "batch_end": "float[1]: 1 when this sample ends a mini-batch (or the epoch), else 0",
    "base_lr": "float[1]: the learning rate in the settings",
}
PHASE_RANK = {"forward": 0, "backward": 1, "update": 2}


@dataclass(frozen=True)
class Port:
    """A named input, output or state array of a node type."""

    name: str
    shape: tuple = ()
    doc: str = ""
    optional: bool = False
    alt: tuple = ()  # other shapes an input accepts, e.g. a Jacobian instead of a slope


@dataclass(frozen=True)
class Param:
    """A user-editable setting of a node (or of the whole graph): checked on every edit."""

    name: str
    default: Any
    kind: str = "float"  # float | int | bool | choice | shape | ints | str | array
    doc: str = ""
    choices: tuple = ()
    lo: float | None = None
    hi: float | None = None
    validate: Callable[[Any], Any] | None = None  # a further check (raises ValueError), e.g. a formula's
    sizes: bool = False  # the value sizes an array of floats: checked against the memory ceiling (limits.py)

    def check(self, value: Any) -> Any:
        """Return ``value`` normalised to this parameter's kind, or raise ValueError."""
        k = self.kind
        if k == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise ValueError(f"{self.name} must be a number, not {brief(value)}")
            try:
                value = float(value)
            except OverflowError:
                raise ValueError(f"{self.name} is too large for a float: {brief(value)}") from None
            if not math.isfinite(value):
                raise ValueError(f"{self.name} must be finite, not {value}")
        elif k == "int":
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) and not (
                isinstance(value, float) and value.is_integer()
            ):
                raise ValueError(f"{self.name} must be a whole number, not {brief(value)}")
            value = check_int(self.name, int(value), None, INT64_MAX if self.hi is None else int(self.hi))
        elif k == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{self.name} must be true or false, not {brief(value)}")
        elif k == "choice":
            if value not in self.choices:
                raise ValueError(f"{self.name} must be one of {', '.join(map(str, self.choices))}; got {brief(value)}")
        elif k in ("shape", "ints"):
            if not isinstance(value, (list, tuple)) or not value or not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) and 1 <= v <= INT64_MAX for v in value
            ):
                raise ValueError(f"{self.name} must be a list of positive whole numbers (int64), not {brief(value)}")
            value = [int(v) for v in value]
            if k == "shape" and self.lo is not None and len(value) != int(self.lo):
                raise ValueError(f"{self.name} must have {int(self.lo)} numbers, not {len(value)}")
        elif k == "str":
            if not isinstance(value, str):
                raise ValueError(f"{self.name} must be text, not {brief(value)}")
        elif k == "array":
            value = number_array(value, self.name).tolist()
        elif k == "graph":
            if not isinstance(value, dict) or not isinstance(value.get("nodes"), list) \
                    or not isinstance(value.get("links", []), list):
                raise ValueError(f"{self.name} must be {{\"nodes\": [...], \"links\": [...]}}")
        if k in ("float", "int"):
            if self.lo is not None and value < self.lo:
                raise ValueError(f"{self.name} must be at least {self.lo:g}, not {value:g}")
            if self.hi is not None and value > self.hi:
                raise ValueError(f"{self.name} must be at most {self.hi:g}, not {value:g}")
        if self.validate is not None:
            value = self.validate(value)
        if self.sizes:
            check_floats(elements(value if k == "shape" else [value]), f"{self.name} {brief(value)}")
        return value


NUMBERS = (int, float, np.integer, np.floating)


def number_array(value: Any, name: str) -> np.ndarray:
    """``value`` (a number or nested lists of numbers: no text, no true/false) as a finite float array."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        kinds = {float}
    else:
        kinds = None
    try:
        kinds = kinds or set(map(type, np.array(value, dtype=object).ravel().tolist()))
    except ValueError:  # ragged beyond what numpy can hold
        kinds = {list}
    if not all(issubclass(t, NUMBERS) and not issubclass(t, (bool, np.bool_)) for t in kinds):
        raise ValueError(f"{name} must be a number or a (nested) list of numbers")
    try:
        arr = np.array(value, dtype=float)
    except OverflowError:
        raise ValueError(f"{name} holds a number too large for a float") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite numbers")
    return arr


class ShapeError(ValueError):
    """Inputs whose shapes cannot go together (the message names them and their shapes)."""


NODE_TYPES: dict[str, type["NodeType"]] = {}


class NodeType:
    """Base of every node type. Subclasses set the class attributes below."""

    name: ClassVar[str] = ""
    family: ClassVar[str] = ""  # palette group
    phase: ClassVar[str] = "forward"  # forward | backward | update | passive (takes its inputs' phase)
    doc: ClassVar[str] = ""
    inputs: ClassVar[tuple[Port, ...]] = ()
    outputs: ClassVar[tuple[Port, ...]] = ()
    state: ClassVar[tuple[Port, ...]] = ()
    params: ClassVar[tuple[Param, ...]] = ()
    saved_state: ClassVar[tuple[str, ...]] = ()  # state written to graph files (learned values)
    alias: ClassVar[dict[str, str]] = {}  # output port -> state array it shows (a register's output)
    commits: ClassVar[tuple[tuple[str, str], ...]] = ()  # (output, input): copy output into that input's source
    commits_at_batch_end: ClassVar[bool] = False  # its commits change nothing until a mini-batch ends
    resets_each_epoch: ClassVar[bool] = False  # state zeroed at the start of every epoch (metrics)
    unique: ClassVar[bool] = False  # at most one per graph
    is_parameter: ClassVar[bool] = False  # a learned register (Weights, Bias) that updates write into
    omit_zero_state: ClassVar[bool] = False  # leave all-zero saved state out of files (optimiser state)
    runtime: ClassVar[tuple[str, ...]] = ()  # values the run passes ahead of the inputs (see RUNTIME)
    is_metric: ClassVar[bool] = False  # its outputs are the per-epoch figures (loss, accuracy)
    formula: ClassVar[tuple[str, ...]] = ()  # what it computes, one line each (see ``formulas``)
    element: ClassVar[str | None] = None  # the output whose elements ``worked`` picks from (None: the first)
    writable: ClassVar[bool] = False  # a register that commits (updates, Assign) may write into
    commit_target: ClassVar[str] = "a Weights or Bias node"  # what its commits may write into, for messages
    matrix_args: ClassVar[bool] = False  # its kernel sees every array as a matrix (see matrix_shape)
    preset_of: ClassVar[str | None] = None  # adding one adds a node of this type with these default params
    in_palette: ClassVar[bool] = True  # offered in the palette (a Group is made by grouping instead)
    picture_area: ClassVar[tuple[float, float] | None] = None  # a view node's picture (w, h) at 100 % (None: default)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.name:
            NODE_TYPES[cls.name] = cls

    # -- hooks -----------------------------------------------------------------------
    @classmethod
    def input_ports(cls, params: dict) -> tuple[Port, ...]:
        """This node's inputs (the class's, unless they depend on its parameters)."""
        return cls.inputs

    @classmethod
    def output_ports(cls, params: dict) -> tuple[Port, ...]:
        return cls.outputs

    @classmethod
    def output_shapes(cls, arriving: dict[str, Shape], params: dict, ctx: "ShapeContext") -> dict[str, Shape] | None:
        """Output shapes computed from the shapes arriving at the inputs; None: bound by the ports'
        dimension symbols. Raises ShapeError when the inputs cannot go together."""
        return None

    @classmethod
    def source_shapes(cls, params: dict, ctx: "ShapeContext") -> dict[str, Shape]:
        """Shapes this node fixes by itself (sources: from params or data). Default: none."""
        return {}

    @classmethod
    def kernel_for(cls, in_shapes: dict[str, Shape], params: dict) -> Callable | None:
        """The kernel to run for these input shapes (None: nothing to compute)."""
        return None

    @classmethod
    def consts(cls, params: dict, settings: dict) -> tuple[float, ...]:
        """Float constants appended to the kernel's arguments."""
        return ()

    @classmethod
    def init_state(cls, node_id: str, params: dict, shapes: dict[str, Shape], seed: int) -> dict[str, np.ndarray]:
        """Fresh state arrays (zeros unless a subclass initialises them otherwise)."""
        return {p.name: np.zeros(shapes[p.name]) for p in cls.state if shapes.get(p.name) is not None}

    @classmethod
    def state_shapes(cls, params: dict, dims: dict[str, int]) -> dict[str, Shape]:
        return {p.name: resolve(p.shape, dims) for p in cls.state}

    @classmethod
    def formulas(cls, params: dict, settings: dict) -> list[str]:
        """What this node computes, and for backward and update nodes their rule, one line each."""
        return list(cls.formula)

    @classmethod
    def worked(cls, params: dict, settings: dict, v, at: tuple) -> list:
        """Element ``at`` (an index into ``element``) worked out with the numbers of the node's last
        evaluation ``v`` (``explain.Values``): a list of ``explain.Line`` (empty: nothing to work out)."""
        return []

    @classmethod
    def before_commit(cls, outputs: dict) -> dict:
        """For an update: the value each input it commits into held before the commit, from its outputs."""
        return {}

    @classmethod
    def params_for_shape(cls, port: str, shape: tuple) -> dict | None:
        """For a parameter (Weights, Bias): the params that make output ``port`` have ``shape``
        (None: this node cannot take that shape)."""
        return None

    @classmethod
    def batch(cls, inputs: dict[str, np.ndarray], rows: set[str], params: dict) -> dict[str, np.ndarray] | None:
        """The outputs for many samples at once, in numpy (for live pictures of the function): inputs
        named in ``rows`` carry a leading axis of samples, the others are one value for all. None: no
        such form (the kernel then runs sample by sample). Tests hold it to the kernel's numbers."""
        return None

    @classmethod
    def metric_kind(cls, params: dict) -> str | None:
        """For a metric node: "loss", "train_acc" or "test_acc" (what its figure is)."""
        return None

    @classmethod
    def on_test_set(cls, params: dict) -> bool:
        """True for a metric measured on the test set at the end of each epoch."""
        return cls.metric_kind(params) == "test_acc"

    # -- helpers ---------------------------------------------------------------------
    @classmethod
    def port(cls, name: str, direction: str, params: dict | None = None) -> Port | None:
        """The input (``"in"``) or output port called ``name`` (of a node with these params)."""
        if params is None:
            ports = cls.inputs if direction == "in" else cls.outputs
        else:
            ports = cls.input_ports(params) if direction == "in" else cls.output_ports(params)
        return next((p for p in ports if p.name == name), None)

    @classmethod
    def default_params(cls) -> dict:
        return {p.name: p.default for p in cls.params}

    @classmethod
    def param(cls, name: str) -> Param | None:
        return next((p for p in cls.params if p.name == name), None)


@dataclass
class ShapeContext:
    """What shape inference needs beyond the wiring: the data's shapes and the settings."""

    settings: dict
    data_shapes: Callable[[], tuple[int, int] | None] = field(default=lambda: None)
    group_inputs: dict = field(default_factory=dict)  # inside a group: the shape arriving at each of its inputs


def resolve(spec: tuple, dims: dict[str, int]) -> Shape:
    """Substitute known dimension values into a symbolic shape (None where unknown)."""
    if spec == ANY:
        return None
    return tuple(d if isinstance(d, int) else dims.get(d) for d in spec)


def known(shape: Shape | None) -> bool:
    return shape is not None and all(d is not None for d in shape)


def fmt_shape(shape: Shape | None) -> str:
    if shape is None:
        return "(?)"
    inner = ", ".join("?" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def buffer_size(shape: Shape) -> int:
    """Elements a port's buffer holds (a scalar () still takes one slot)."""
    return int(np.prod(shape)) if shape else 1


def matrix_shape(shape: Shape) -> tuple[int, int]:
    """How a ``matrix_args`` kernel sees an array: a scalar as 1×1, a vector (n,) as one row 1×n,
    a matrix as itself (more dimensions: all but the last folded into the rows)."""
    if len(shape) == 0:
        return (1, 1)
    if len(shape) == 1:
        return (1, int(shape[0]))
    return (int(np.prod(shape[:-1])), int(shape[-1]))


def broadcast(shapes: dict[str, Shape]) -> Shape:
    """The shape numpy broadcasting gives these named shapes, or ShapeError naming two that clash."""
    out: list = []
    owner: list = []  # which input fixed each dimension of ``out`` (from the right)
    for name, shape in shapes.items():
        for k, size in enumerate(reversed(shape)):
            if k == len(out):
                out.append(size)
                owner.append(name)
            elif out[k] == 1 and size != 1:
                out[k], owner[k] = size, name
            elif size not in (1, out[k]):
                other = owner[k]
                raise ShapeError(f"{other} {fmt_shape(shapes[other])} and {name} {fmt_shape(shape)} "
                                 "do not broadcast together")
    return tuple(reversed(out))
