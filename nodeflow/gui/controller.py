"""Everything a user can do in the editor, as plain methods (no dearpygui here).

The controller owns the open graph (the single source of truth), its file path, the
stepping session and the run in progress, and the groups opened to work inside (``levels``):
edits go to the graph shown (``shown``: the document, or a group's inside, written back
into the document at once). The window calls these methods from its
callbacks and the tests call them directly; every mistake ends up as a one-line
message in ``status`` instead of an exception.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..document import files as fileio
from ..document.builders import mlp
from ..document.expand import expand
from ..document.graph import Graph, Link
from ..document.groups import GroupInput, GroupOutput
from ..document.library import load_library, save_group
from ..errors import Diverged, GraphFileError, NodeflowError, NotReady
from ..nodes import NODE_TYPES
from ..run.gradcheck import ParamCheck, gradcheck
from ..run.session import Session
from ..run.state import EpochStats
from .levels import Levels

FRAME_BUDGET = 0.012  # seconds of training per frame while running without animation


@dataclass
class Message:
    text: str
    kind: str = "info"  # info | warn | error


@dataclass
class RunState:
    """A run in progress: how far it should go and how it advances each frame."""

    target_epoch: int
    start_epoch: int
    animate: bool
    started: float = field(default_factory=time.perf_counter)
    credit: float = 0.0  # steps owed to the animation (fractional)
    last: float = field(default_factory=time.perf_counter)
    shown: bool = False  # a frame has shown the run starting (before a possibly long first compile)

    def progress(self, epoch: int) -> float:
        span = self.target_epoch - self.start_epoch
        return 1.0 if span <= 0 else min(1.0, (epoch - self.start_epoch) / span)


WHERE = re.compile(r'^(?:nodes\[\d+\] \((?P<node>\w+)\)|links\[\d+\] \((?P<src>[^ ]+) -> (?P<dst>[^)]+)\)'
                   r'|settings\.(?P<setting>\w+)|(?P<top>trained_epochs|history))')


def problem_lines(path: str | Path, problems: list[str]) -> list[int | None]:
    """The line of a graph file each of its problems is on (None where it cannot be told),
    found from what the problem names: a node's id, a link's ends, a setting."""
    try:
        text = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return [None] * len(problems)

    def first(*needles: str) -> int | None:
        return next((k + 1 for k, line in enumerate(text) if all(n in line for n in needles)), None)

    out = []
    for p in problems:
        m = WHERE.match(p)
        if m is None:
            out.append(None)
        elif m["node"]:
            out.append(first(f'"id": "{m["node"]}"'))
        elif m["src"]:
            out.append(first(f'"{m["src"]}"', f'"{m["dst"]}"') or first(f'"{m["src"]}"'))
        else:
            out.append(first(f'"{m["setting"] or m["top"]}"'))
    return out


def skipped_text(skipped: dict[str, str], shown: int = 3) -> str:
    """``skipped tanh_1 (z is not connected), watch_1`` (nodes skipped only for reading another: by name)."""
    items = [n if why.startswith("reads ") else f"{n} ({why})" for n, why in skipped.items()]
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return "skipped " + ", ".join(items[:shown]) + more


def free_port_name(g: Graph, type_name: str) -> str:
    """A name no GroupInput (or GroupOutput) of ``g`` has yet: x, x2, x3, ..."""
    taken = {g.params(n)["name"] for n in g.nodes_of_type(type_name)}
    base = NODE_TYPES[type_name].default_params()["name"]
    k = 1
    while (name := base if k == 1 else f"{base}{k}") in taken:
        k += 1
    return name


class Controller:
    """The editor's actions over one open graph file."""

    def __init__(self, graph: Graph | None = None, path: str | Path | None = None):
        self.graph: Graph = graph if graph is not None else Graph()
        self.path: Path | None = Path(path) if path else None
        self.session = Session(self.graph)
        self.message = Message("")
        self.run_state: RunState | None = None
        self.run_epochs = 100  # how many epochs R trains for
        self.animate = True  # run by stepping visibly (else: fast engine, in slices)
        self.speed = 4.0  # steps per second while animating
        self.speed_unit = "samples"  # samples | nodes
        self.gradchecks: dict[str, ParamCheck] = {}
        self.values_version = 0  # bumped whenever values on the wires may have changed
        self._trained_steps = 0  # steps taken since the graph was opened (they change its weights)
        self.stepped_run = None  # the run the last step ran on: a newer one has computed nothing yet
        self.probing = None  # a run.probe.Probe whose values the wires show instead of the run's
        self._saved = self._edit_state()
        self._replace_listeners: list[Callable[[Graph], None]] = []
        self.levels = Levels()  # the groups opened, outermost first
        self._level_listeners: list[Callable[[Graph, str], None]] = []
        self._library_listeners: list[Callable[[], None]] = []
        self.on_error: Callable[[str, list[str]], None] | None = None  # show a dialog (title, lines)
        self.before_save: list[Callable[[], None]] = []  # called first by save (the canvas stores its view)

    # -- observation -------------------------------------------------------------------
    def on_replace(self, fn: Callable[[Graph], None]) -> None:
        """Call ``fn(graph)`` whenever another graph is opened or created."""
        self._replace_listeners.append(fn)

    def on_level(self, fn: Callable[[Graph, str], None]) -> None:
        """Call ``fn(graph shown, how)`` when a group is opened ("enter"), left ("leave"), or its
        inside opened again from the document ("sync": after undo, redo or applied training)."""
        self._level_listeners.append(fn)

    def on_library(self, fn: Callable[[], None]) -> None:
        """Call ``fn()`` when the library's node types change."""
        self._library_listeners.append(fn)

    @property
    def shown(self) -> Graph:
        """The graph the canvas shows and edits: the document, or the inside of the group opened."""
        return self.levels.shown(self.graph)

    def flat_port(self, node: str, port: str) -> tuple[str, str] | None:
        """Where the run keeps the value of an output of the graph shown (see ``Levels.flat_port``)."""
        return self.levels.flat_port(self.graph, node, port)

    def probe_port(self, node: str, port: str) -> tuple[str, str] | None:
        """Where the probe shown holds the value of an output of the graph shown (None: no probe, or
        its forward pass does not reach that output)."""
        at = self.flat_port(node, port)
        return at if self.probing is not None and at is not None and self.probing.shows(*at) else None

    def shown_id(self, flat: str) -> str | None:
        """The node of the graph shown that a node of the run is, or is inside (None: elsewhere)."""
        return self.levels.shown_id(flat)

    def _levels_changed(self, how: str) -> None:
        self.values_version += 1
        for fn in list(self._level_listeners):
            fn(self.shown, how)

    def _sync_levels(self) -> None:
        """Open again the insides the document changed under."""
        if len(self.levels) and self.levels.sync(self.graph):
            self._levels_changed("sync")

    def _edit_state(self) -> tuple:
        return (self.graph.history.current_id, self.graph.trained_epochs, self._trained_steps)

    @property
    def dirty(self) -> bool:
        """True when the graph differs from its file (edits or training since the last save)."""
        return self._edit_state() != self._saved

    @property
    def title(self) -> str:
        name = self.path.name if self.path else "untitled"
        return f"{name}{' *' if self.dirty else ''} - nodeflow"

    def say(self, text: str, kind: str = "info") -> None:
        self.message = Message(text, kind)

    def fail(self, e: Exception) -> None:
        self.say(str(e).splitlines()[0] if str(e) else type(e).__name__, "error")

    def status_line(self) -> str:
        """Epoch, sample, phase and the node being evaluated (recomputed only after a change)."""
        key = (self.values_version, self.graph.revision, id(self.session),
               self.running and (self.session.epoch, self.session.compiling))
        if getattr(self, "_status", (None,))[0] != key:
            self._status = (key, self._status_text())
        return self._status[1]

    def _status_text(self) -> str:
        ev = self.session
        try:
            n = ev.n_train
        except NotReady as e:
            return f"not ready: {e}"
        parts = [f"epoch {ev.epoch}", f"sample {min(ev.sample + (1 if ev.cursor else 0), n)}/{n}"]
        if ev.cursor:
            parts.append(f"{ev.phase}: {ev.last_node} (next {ev.next_node})")
        elif ev.last_node:
            parts.append("sample done")
        if ev.stats and ev.stats[-1].loss is not None:
            parts.append(f"loss {ev.stats[-1].loss:.4g}")
        if ev.plan.skipped:
            parts.append(skipped_text(ev.plan.skipped))
        if self.run_state:
            parts.append(f"running {100 * self.run_state.progress(ev.epoch):.0f}%")
            if ev.compiling:
                parts.append("compiling the fast engine (the stepper trains meanwhile)")
        return "   ".join(parts)

    # -- files -------------------------------------------------------------------------
    def _replace(self, graph: Graph, path: Path | None) -> None:
        self.cancel_run()
        self.leave_probe()
        self.session.close()
        profiling = self.session.profiling
        self.graph, self.path = graph, path
        self.levels.leave(0)
        self.session = Session(graph)
        self.session.profiling = profiling
        self.gradchecks = {}
        self._trained_steps = 0
        self._saved = self._edit_state()
        self.values_version += 1
        for fn in list(self._replace_listeners):
            fn(graph)

    def open(self, path: str | Path) -> bool:
        """Open a graph file; on failure show every problem and keep the current graph."""
        try:
            g = fileio.load(path)
        except GraphFileError as e:
            n = len(e.problems)
            self.say(f"cannot open {Path(path).name}: " + (e.problems[0] if n == 1 or not self.on_error else
                                                            f"{n} problems, each listed in the window opened"), "error")
            if self.on_error:
                where = problem_lines(path, e.problems)
                self.on_error(f"Cannot open {Path(path).name}",
                              [f"line {n}: {p}" if n else p for n, p in zip(where, e.problems)])
            return False
        except (NodeflowError, OSError) as e:
            self.fail(e)
            if self.on_error:
                self.on_error(f"Cannot open {Path(path).name}", [str(e)])
            return False
        self._replace(g, Path(path))
        self.say(f"opened {path}   (N node, Space sample, E epoch, R run, B back; right-click adds a node)")
        return True

    def save(self, path: str | Path | None = None) -> bool:
        """Save to ``path`` (or the current file); node positions and weights included."""
        target = Path(path) if path else self.path
        if target is None:
            self.say("no file name yet: use Save As", "error")
            return False
        if target.suffix == "":
            target = target.with_suffix(".json")
        for fn in self.before_save:
            fn()
        try:
            self.session.apply()
            fileio.save(self.graph, target)
        except (NodeflowError, OSError) as e:
            self.fail(e)
            return False
        finally:
            self._sync_levels()
        self.path = target
        self._saved = self._edit_state()
        self.say(f"saved {target}")
        return True

    def new_network(self, layers: Iterable[int], activation: str = "sigmoid", data: str = "xor",
                    lr: float = 0.3, seed: int = 1, base_dir: str | Path | None = None) -> bool:
        """Replace the graph by a freshly built multi-layer perceptron (unsaved)."""
        try:
            g = mlp(list(layers), activation, lr=lr, data=data, seed=seed,
                    base_dir=base_dir or (self.path.parent if self.path else None))
        except (NodeflowError, ValueError, KeyError) as e:
            self.fail(e)
            return False
        self._replace(g, None)
        self._saved = (-1,)  # a new network is unsaved
        self.say(f"new network {'-'.join(map(str, layers))}, {activation}, data {data}")
        return True

    def new_empty(self) -> None:
        """An empty canvas whose settings are those of the current graph."""
        s = {k: v for k, v in self.graph.settings.items() if k != "network"}
        self._replace(Graph(s, base_dir=self.graph.base_dir), None)
        self._saved = (-1,)
        self.say("new empty graph: add nodes from the palette")

    # -- editing -----------------------------------------------------------------------
    def _edit(self, fn: Callable[[Graph], object], quiet: bool = False, inside: bool = True):
        """Apply an edit ``fn(graph)`` to the graph shown (``inside`` False: to the document); a
        refusal becomes the status message. ``quiet``: it changes no numbers.

        The run's trained values go into the document first, so undoing the edit brings them back.
        Inside a group the edit is written back into the document at once (one undo step)."""
        self.leave_probe()
        try:
            self.session.apply()
            self._sync_levels()
            g = self.shown if inside else self.graph
            out = fn(g)
        except NodeflowError as e:
            self.fail(e)
            return None
        if inside and len(self.levels):
            try:
                self.levels.write_back(self.graph, f"{g.last_edit or 'edit'} (inside {'/'.join(self.levels.path())})")
            except NodeflowError as e:
                self.fail(e)
                self._levels_changed("sync")  # the insides were opened again from the unchanged document
                return None
        self.values_version += 1
        if not quiet:
            self.gradchecks = {}  # the computation changed: the last check no longer describes it
        return out if out is not None else True

    def add_node(self, type_name: str, pos=(0.0, 0.0)) -> str | None:
        """Add a node (a GroupInput or GroupOutput gets a port name not yet used)."""
        def go(g: Graph):
            params = None
            if type_name in (GroupInput.name, GroupOutput.name):
                params = {"name": free_port_name(g, type_name)}
            return g.add_node(type_name, pos=pos, params=params)

        node = self._edit(go)
        if node:
            self.say(f"added {node}")
        return node

    def connect(self, src: str, src_port: str, dst: str, dst_port: str) -> Link | None:
        """Wire an output to an input; a refusal shows its reason and changes nothing."""
        link = self._edit(lambda g: g.connect(src, src_port, dst, dst_port))
        if link:
            done = self.shown.last_edit or ""
            resized = done[len(f"connect {link} ("):-1] if done.startswith(f"connect {link} (") else ""
            self.say(f"connected {link}" + (f"; {resized} to fit (Ctrl+Z undoes both)" if resized else ""))
        return link

    def disconnect(self, link: Link) -> bool:
        ok = self._edit(lambda g: g.disconnect(link))
        if ok:
            self.say(f"removed wire {link}")
        return bool(ok)

    def delete(self, nodes: Iterable[str] = (), links: Iterable[Link] = ()) -> bool:
        """Remove wires and nodes (with their wires) as one undo step."""
        nodes, links = list(nodes), [l for l in links if l.src not in nodes and l.dst not in nodes]
        if not nodes and not links:
            return False

        def go(g: Graph):
            with g.group("delete"):
                for l in links:
                    g.disconnect(l)
                for n in nodes:
                    g.remove_node(n)

        ok = self._edit(go)
        if ok:
            what = [f"{len(nodes)} node{'s' * (len(nodes) != 1)}"] * bool(nodes) + \
                   [f"{len(links)} wire{'s' * (len(links) != 1)}"] * bool(links)
            self.say("deleted " + " and ".join(what))
        return bool(ok)

    def move_nodes(self, positions: dict[str, tuple[float, float]]) -> bool:
        """Record node moves (after a drag) as one undo step."""
        shown = self.shown
        moved = {n: p for n, p in positions.items() if n in shown
                 and [float(p[0]), float(p[1])] != shown.attrs(n)["pos"]}
        if not moved:
            return False

        def go(g: Graph):
            with g.group(f"move {len(moved)} node{'s' * (len(moved) != 1)}"):
                for n, p in moved.items():
                    g.move(n, p)

        return bool(self._edit(go, quiet=True))

    def set_setting(self, name: str, value) -> bool:
        ok = self._edit(lambda g: g.set_setting(name, value), inside=False)
        if ok:
            self.say(f"{name} = {self.graph.settings[name]}")
        return bool(ok)

    def set_label(self, node: str, label: str) -> bool:
        label = label.strip()
        if not label:
            self.say(f"{node}: a label cannot be empty", "error")
            return False
        ok = self._edit(lambda g: g.set_label(node, label), quiet=True)
        if ok:
            self.say(f"{node} is now labelled {label!r}")
        return bool(ok)

    def set_param(self, node: str, name: str, value) -> bool:
        ok = self._edit(lambda g: g.set_param(node, name, value))
        if ok:
            self.say(f"{node}.{name} = {self.shown.params(node)[name]}")
        return bool(ok)

    def reset_weights(self) -> bool:
        ok = self._edit(lambda g: g.reset_weights(), inside=False)
        if ok:
            self.gradchecks = {}
            self.say("weights reset from the seed")
        return bool(ok)

    def undo(self) -> bool:
        return self._history(self.graph.undo, "undid", "nothing to undo")

    def redo(self) -> bool:
        return self._history(self.graph.redo, "redid", "nothing to redo")

    def _history(self, move: Callable[[], str | None], done: str, none: str) -> bool:
        """Undo or redo one edit (stopping a run first) and say which."""
        self.cancel_run()
        self.leave_probe()
        label = move()
        self.values_version += 1
        self._sync_levels()
        self.say(f"{done} {label}" if label else none)
        return label is not None

    # -- groups ------------------------------------------------------------------------
    def group(self, nodes: Iterable[str], name: str = "group") -> str | None:
        """Fold the nodes into one Group node (one undo step); returns its id."""
        nodes = list(nodes)
        gid = self._edit(lambda g: g.group_nodes(nodes, name))
        if gid:
            self.say(f"grouped {len(nodes)} node{'s' * (len(nodes) != 1)} into {gid} (I opens it, "
                     "Ctrl+Shift+G ungroups)")
        return gid

    def ungroup(self, node: str) -> list[str] | None:
        """Put a group's nodes back in its place (one undo step); returns their ids."""
        ids = self._edit(lambda g: g.ungroup(node))
        if ids:
            self.say(f"ungrouped {node} into {len(ids)} node{'s' * (len(ids) != 1)}")
        return ids or None

    def open_box(self, node: str) -> bool:
        """Open a built-in node into the group of math nodes that computes the same (one undo step)."""
        ok = self._edit(lambda g: expand(g, node))
        if ok:
            self.say(f"opened {node} into math nodes (I shows them; Ctrl+Z closes it again)")
        return bool(ok)

    def open_group(self, node: str) -> bool:
        """Show the inside of the group ``node`` of the graph shown, to watch and edit it."""
        try:
            self.session.apply()
            self._sync_levels()
            self.levels.enter(self.graph, node)
        except NodeflowError as e:
            self.fail(e)
            return False
        self._levels_changed("enter")
        self.say(f"inside {' / '.join(self.levels.path())}: edits apply at once; U or the path "
                 "at the top goes back")
        return True

    def leave_group(self, depth: int | None = None) -> bool:
        """Go back out of the groups opened, to ``depth`` (default one level up; 0: the top)."""
        if not len(self.levels):
            self.say("not inside a group", "warn")
            return False
        self.levels.leave(len(self.levels) - 1 if depth is None else depth)
        self._levels_changed("leave")
        self.say(f"back in {' / '.join(self.levels.path()) or 'the graph'}")
        return True

    def save_to_library(self, node: str, name: str, doc: str = "") -> bool:
        """Write a group to the library folder as a node type called ``name`` (offered in the palette)."""
        try:
            self.session.apply()
            path = save_group(self.shown, node, name.strip(), doc)
        except (NodeflowError, OSError) as e:
            self.fail(e)
            return False
        self.say(f"saved {node} to the library as {name.strip()} ({path}); the palette offers it under library")
        self.load_library()
        return True

    def load_library(self) -> list[str]:
        """Read the library folder again (its groups become node types of the palette's library);
        files that cannot be read are named in the status line."""
        names, problems = load_library()
        for fn in list(self._library_listeners):
            fn()
        if problems:
            self.say(f"library: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                     "error")
        return names

    # -- stepping ----------------------------------------------------------------------
    def _step(self, fn: Callable) -> bool:
        """Run one stepping action; NotReady and divergence become status messages."""
        self.leave_probe()
        self.values_version += 1
        try:
            run = self.session.run
            if not run.plan.steps:
                raise NotReady("there is nothing to evaluate: add nodes from the palette")
            before = run.version
            try:
                fn()
            finally:
                if run.version != before:  # the values changed (a no-op leaves the file clean)
                    self._trained_steps += 1
                    self.stepped_run = run
        except Diverged as e:
            self.cancel_run()
            self.say(str(e), "error")
            return False
        except NotReady as e:
            self.cancel_run()
            self.say(f"cannot step: {e}", "error")
            return False
        return True

    def step_node(self) -> bool:
        ok = self._step(self.session.step_node)
        if ok:
            self.say(f"evaluated {self.session.last_node} ({self.session.phase})")
        return ok

    def step_sample(self) -> bool:
        ok = self._step(self.session.step_sample)
        if ok:
            self.say(f"sample done (row {self.session.current_row})")
        return ok

    def step_epoch(self) -> bool:
        ok = self._step(self.session.step_epoch)
        if ok:
            self._epoch_message(self.session.stats[-1])
        return ok

    def _epoch_message(self, s: EpochStats) -> None:
        if s.warning:
            self.say(f"epoch {s.epoch}: {s.warning}", "warn")
            return
        parts = [f"epoch {s.epoch}"]
        if s.loss is not None:
            parts.append(f"loss {s.loss:.4g}")
        if s.train_acc is not None:
            parts.append(f"train {100 * s.train_acc:.1f}%")
        if s.test_acc is not None:
            parts.append(f"test {100 * s.test_acc:.1f}%")
        self.say(", ".join(parts))

    def step_back(self) -> bool:
        self.cancel_run()
        self.leave_probe()
        if not self.session.step_back():
            self.say("nothing to step back to", "warn")
            return False
        self.values_version += 1
        self._trained_steps += 1
        self.stepped_run = self.session.run
        self.say("stepped back one sample")
        return True

    # -- running -----------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.run_state is not None

    def toggle_run(self) -> None:
        """R: start a run of ``run_epochs`` epochs, or pause the one in progress."""
        if self.running:
            self.cancel_run("paused")
            return
        if not self._step(lambda: None):  # says why the graph cannot run
            return
        e = self.session.epoch
        self.run_state = RunState(e + self.run_epochs, e, self.animate)
        self.say(f"running {self.run_epochs} epochs" + (" (animated)" if self.animate else ""))

    def cancel_run(self, why: str | None = None) -> None:
        if self.run_state is None:
            return
        self.run_state = None
        if why:
            self.say(f"{why} at epoch {self.session.epoch}")

    def tick(self, now: float | None = None) -> None:
        """Advance a run by one frame's worth: animated steps, or a time-boxed slice of training."""
        rs = self.run_state
        if rs is None:
            return
        now = time.perf_counter() if now is None else now
        if rs.animate:
            rs.credit = min(rs.credit + (now - rs.last) * self.speed, 50.0)
            rs.last = now
            step = self.session.step_node if self.speed_unit == "nodes" else self.session.step_sample
            while rs.credit >= 1.0 and self.run_state:
                rs.credit -= 1.0
                before = self.session.epoch
                if not self._step(step):
                    return
                if self.session.epoch != before:
                    self._epoch_message(self.session.stats[-1])
                    if self.session.epoch >= rs.target_epoch:
                        self._finish_run()
                        return
        elif not rs.shown:  # let a frame show the run starting: the first fast slice may compile
            rs.shown = True
        else:
            self._train_slice(rs, FRAME_BUDGET)

    def _train_slice(self, rs: RunState, budget: float) -> None:
        """Train without animation until ``budget`` seconds have passed (whole epochs when fast)."""
        end = time.perf_counter() + budget
        while self.run_state and time.perf_counter() < end:
            if self.session.epoch >= rs.target_epoch:
                self._finish_run()
                return
            before = len(self.session.stats)
            ready = not self.session.profiling and self._engine_ready()
            if ready and self.session.cursor == 0 and self.session.sample == 0:  # whole epochs, compiled
                ok = self._step(lambda: self._run_fast(1))
            elif not self.session.stepper_ready:  # the worker is compiling the kernels: show frames meanwhile
                return
            else:  # up to an epoch's end, while profiling, or while the fast engine compiles: a sample
                ok = self._step(self.session.step_sample)
            if not ok:
                return
            if len(self.session.stats) != before:
                self._epoch_message(self.session.stats[-1])
        if self.run_state and self.session.epoch >= rs.target_epoch:
            self._finish_run()

    def _engine_ready(self) -> bool:
        """The fast engine can train now; else it is compiled in the background (the stepper trains meanwhile)."""
        try:
            return self.session.compiled(wait=False) is not None
        except NotReady:
            return False

    def _run_fast(self, epochs: int) -> None:
        """One slice of training with the compiled engine (the stepper, after a notice, without numba)."""
        self.session.train(epochs, engine="fast")

    def _finish_run(self) -> None:
        self.run_state = None
        s = self.session.stats[-1] if self.session.stats else None
        if s is not None:
            self._epoch_message(s)
            self.message.text = "run finished: " + self.message.text

    # -- asking the network ----------------------------------------------------------
    def probe(self, raw) -> bool:
        """Show one input of the user's own (in the data's units) flowing through the forward pass, on
        a copy of the run: the wires show its values until the probe is left (Esc, a step, an edit)."""
        self.cancel_run("paused")
        try:
            p = self.session.probe(raw)
        except NodeflowError as e:
            self.fail(e)
            return False
        self.probing = p
        self.values_version += 1
        self.say(f"probe: {', '.join(f'{v:g}' for v in p.raw_input)} -> {p.describe()}   "
                 f"(training untouched; Esc returns to it)")
        return True

    def leave_probe(self, say: bool = False) -> None:
        """Back to the training values on the wires."""
        if self.probing is None:
            return
        self.probing = None
        self.values_version += 1
        if say:
            self.say("left the probe: the wires show the training values again")

    # -- inspection --------------------------------------------------------------------
    def gradient_check(self) -> list[ParamCheck]:
        """Compare each parameter's backprop gradient with a numerical one (nothing changes)."""
        try:
            checks = gradcheck(self.session)
        except NodeflowError as e:
            self.fail(e)
            return []
        self.gradchecks = {c.node: c for c in checks}
        worst = max(checks, key=lambda c: c.rel_error, default=None)
        if worst is None:
            self.say("gradient check: no parameters to check", "warn")
        else:
            self.say(f"gradient check: worst {worst.node} rel. error {worst.rel_error:.1e} ({worst.verdict})",
                     "info" if worst.verdict == "ok" else "warn")
        return checks

    def set_profiling(self, on: bool) -> None:
        self.session.profiling = on
        self.say("profiling: per-node times shown on the nodes" if on else "profiling off")

    def node_times(self) -> dict[str, float]:
        return self.session.node_times() if self.session.profiling else {}
