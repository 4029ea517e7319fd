"""Showing the run on the canvas: values beside pins and on wires, wire colours and
thickness, node highlights, badges and pictures.

Inside a group, the values are the run's values of the inner nodes (see
``Controller.flat_port``); shown at the top, a group is lit while a node inside it is.

Runs when something it shows may have changed (a step, an edit, the selection, the
level of detail), and writes only what differs from what is shown. While training
without animation it looks at most ``EVERY`` seconds apart, and while training pictures are
redrawn at most ``PICTURES_EVERY`` seconds apart and at most ``PICTURES_SHARE`` of the time (a
round that took 30 ms waits 0.3 s), so drawing never slows training down much.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ...errors import NotReady
from ...views import VIEWS
from .. import wires
from . import geometry, style
from .viewnodes import ViewPictures

EVERY = 0.1
PICTURES_EVERY = 0.25
PICTURES_SHARE = 0.1


class ValueShower:
    def __init__(self, canvas):
        self.c = canvas
        self.shown: tuple | None = None
        self.version = 0  # counts the times values were shown
        self.run = None
        self.last = 0.0  # when values were last shown
        self.last_pictures = 0.0
        self.pictures_cost = 0.0  # seconds the last round of pictures took
        self.pictures_due = False  # a picture changed but waits for its turn
        self.looks_due = True
        self._views: tuple = (None, {})  # (run, {(node, port): view of its memory})
        self.ports: dict[tuple[str, str], tuple] = {}  # (node, port) -> (bytes, label, colour, thickness)
        self.drawn: dict[str, object] = {}  # node -> what its picture shows
        self.skipped: set[str] = set()  # nodes the plan leaves out (not connected to the loss)
        self.views = ViewPictures(canvas)

    def forget(self) -> None:
        """The graph changed: look again."""
        self.shown = None

    def drop(self, node: str) -> None:
        """A node's items are gone (removed, or drawn again): what they showed is forgotten."""
        for port in [k for k in self.ports if k[0] == node]:
            del self.ports[port]
        self.drawn.pop(node, None)
        self.drawn.pop(f"compact:{node}", None)

    def forget_looks(self) -> None:
        self.looks_due = True

    def zoomed(self) -> None:
        """The level of detail may have changed: compact pictures are wanted (or not)."""
        self.shown = None
        self.drawn = {k: v for k, v in self.drawn.items() if not str(k).startswith("compact:")}

    def refresh(self, now: float) -> None:
        ctrl = self.c.ctrl
        detail = self.c.view.zoom >= style.DETAIL_ZOOM
        key = (ctrl.values_version, ctrl.session.profiling, id(ctrl.gradchecks), ctrl.running, id(ctrl.session),
               self.c.layout_version, detail)
        if key == self.shown and not self.pictures_due and not self.looks_due:
            return
        if ctrl.running and not ctrl.animate and now - self.last < EVERY and self.shown is not None:
            return
        self.last, self.shown, self.looks_due = now, key, False
        self.version += 1
        wait = max(PICTURES_EVERY, self.pictures_cost / PICTURES_SHARE)
        pictures = not ctrl.running or now - self.last_pictures >= wait
        spent = self.views.seconds
        self.pictures_due = False
        run = self._current_run()
        value = self._reader(run)
        colours = self._ports(value, detail, pictures)
        hot, phase = self._hot(run), style.PHASE_COLOURS.get(ctrl.session.phase or "")
        self._looks(run, hot, phase)
        self._views_and_badges(value, pictures)
        self._wires(colours, run, hot, phase)
        if pictures:
            self.last_pictures, self.pictures_cost = now, self.views.seconds - spent

    def _current_run(self):
        try:
            self.run = self.c.ctrl.session.run
        except NotReady:
            self.run = None
        return self.run

    def _reader(self, run) -> Callable[[str, str], np.ndarray | None]:
        """``value(node, port)`` of the graph shown, reading the run's memory through views kept per run
        (while a probe is shown: the probe's values, and nothing on wires its forward pass does not reach)."""
        if run is None:
            return lambda n, p: None
        flat = self.c.ctrl.flat_port
        probe = self.c.ctrl.probing
        if probe is not None:
            def probed(n: str, p: str) -> np.ndarray | None:
                at = self.c.ctrl.probe_port(n, p)
                return None if at is None else probe.run.value(*at)
            return probed
        if run is not self.c.ctrl.stepped_run:  # nothing computed since the last edit: only registers
            def register(n: str, p: str) -> np.ndarray | None:
                at = flat(n, p)
                return run.value(*at) if at is not None and run.plan.source(*at) in run.plan.aliases else None
            return register
        if self._views[0] is not run:
            self._views = (run, {})
        views = self._views[1]

        def value(node: str, port: str) -> np.ndarray | None:
            at = flat(node, port)
            if at is None:
                return None
            v = views.get(at)
            if v is None:
                try:
                    v = views[at] = run.value(*at)
                except KeyError:  # not part of the plan (a skipped node, one added inside since)
                    return None
            return v

        return value

    def _ports(self, value, detail: bool, pictures: bool) -> dict[tuple[str, str], tuple]:
        """Each output's value beside its pin (or compact) and what its wires look like."""
        out = {}
        box = self.c.in_view()
        for node, item in self.c.nodes.items():
            visible = geometry.overlaps(item.rect(), box)
            for k, port in enumerate(item.values):
                v = value(node, port)
                raw = None if v is None else v.tobytes()
                seen = self.ports.get((node, port))
                if seen is None or seen[0] != raw:
                    seen = (raw, wires.format_value(v), wires.wire_colour(v), wires.wire_thickness(v))
                    self.ports[(node, port)] = seen
                    item.show_value(port, v, visible)
                out[(node, port)] = seen[1:]
                if k == 0 and not detail:
                    self._compact(node, item, v, raw, pictures)
        return out

    def _compact(self, node, item, v, raw, pictures: bool) -> None:
        key = f"compact:{node}"
        if self.drawn.get(key) == raw:
            return
        if v is not None and v.size > 1 and not pictures:
            self.pictures_due = True
            return
        self.drawn[key] = raw
        item.show_compact(v, True)

    def _hot(self, run) -> str | None:
        """The node of the run just evaluated, lit with its wires (none while training runs on
        without a half-done sample, or while a probe is shown)."""
        ctrl = self.c.ctrl
        ev = ctrl.session
        if run is None or ctrl.probing is not None or not (ev.cursor or not ctrl.running):
            return None
        return ev.last_node

    def _looks(self, run, hot: str | None, phase) -> None:
        """Outlines and dimming: NaN red, the node just evaluated (``hot``) in its phase's colour,
        the selection white; nodes still to come in this sample and skipped nodes dimmed."""
        ctrl = self.c.ctrl
        ev, shown = ctrl.session, ctrl.shown_id
        plan = run.plan if run is not None else None
        if ctrl.probing is not None:  # the probe's forward pass stands out; what it does not reach is dimmed
            views = {n for n in self.c.nodes if self.c.graph.type_of(n).name in VIEWS}
            pending, bad = set(self.c.nodes) - {shown(n) for n in ctrl.probing.evaluated} - views, None
        else:
            bad = ev.divergence.node if ev.divergence is not None and plan is not None and ev.cursor else None
            bad = shown(bad) if bad else None
            pending = {shown(s.node) for s in plan.steps[ev.cursor:]} if plan is not None and ev.cursor else set()
        hot = shown(hot) if hot else None
        skipped = self._skipped(plan)
        selected = set(self.c.selected_nodes)
        for node, item in self.c.nodes.items():
            if node == bad:
                ring, px = style.BAD_COLOUR, 3.5
            elif node == hot and phase is not None:
                ring, px = phase, 3.5
            elif node in selected:
                ring, px = style.SELECTED, 2.0
            else:
                ring, px = None, 0.0
            item.set_look(ring, px, node in pending or node in skipped)
        self.skipped = skipped

    def _skipped(self, plan) -> set[str]:
        """Nodes shown whose every node in the run is left out of the plan (not connected to the loss)."""
        if plan is None or not plan.skipped:
            return set()
        shown = self.c.ctrl.shown_id
        out = {shown(n) for n in plan.skipped} - {None}
        return out - {shown(s.node) for s in plan.steps}

    def _views_and_badges(self, value, pictures: bool) -> None:
        ctrl = self.c.ctrl
        times: dict[str, float] = {}
        for n, t in ctrl.node_times().items():  # a group's time is that of the nodes inside it
            at = ctrl.shown_id(n)
            if at is not None:
                times[at] = times.get(at, 0.0) + t
        prefix = ctrl.levels.prefix()
        checks = {n[len(prefix):]: c for n, c in ctrl.gradchecks.items() if n.startswith(prefix)}
        g = self.c.graph
        for node, item in self.c.nodes.items():
            lines, colour = [], style.TEXT
            if node in self.skipped:
                lines.append("skipped: not connected to the loss")
                colour = style.SKIPPED
            check = checks.get(node)
            if check is not None:
                text, colour = wires.gradcheck_badge(check.verdict, check.rel_error)
                lines.append(text)
            if node in times:
                lines.append(wires.micros(times[node]))
            item.show_badge("   ".join(lines), colour)
            if item.box.display is not None and g.type_of(node).inputs:
                self._display(node, item, value, pictures)

    def _display(self, node, item, value, pictures: bool) -> None:
        """A view node's area: the registered picture (see ``viewnodes``), or the value as text (Watch)."""
        g = self.c.graph
        t = g.type_of(node)
        wired = {p.name: g.wire_into(node, p.name) for p in t.inputs}
        inputs = {p: value(w.src, w.src_port) for p, w in wired.items() if w is not None}
        if t.name in VIEWS:
            if not self.views.show(node, item, t.name, inputs, self.run, self.c.ctrl.probing, pictures):
                self.pictures_due = True
            return
        v = inputs.get(t.inputs[0].name)
        drawn = (item, None if v is None else (v.shape, v.tobytes()))
        if self.drawn.get(node) != drawn:
            self.drawn[node] = drawn
            item.show_note(wires.format_full(v, limit=6) if v is not None else "wire a value in")

    def _wires(self, colours: dict, run, hot: str | None, hot_colour) -> None:
        hot_wires = set(self.c.wire_sources(run).get(hot, ())) if hot else set()
        selected = set(self.c.selected_links)
        zoom = self.c.view.zoom
        box = self.c.in_view()
        for link, w in self.c.wires.items():
            label, colour, thickness = colours.get((link.src, link.src_port), ("", wires.IDLE_WIRE, 1.5))
            if label == "-":
                label = ""
            if link in hot_wires and hot_colour and colour != wires.BAD_COLOUR:
                colour = hot_colour
            if w.selected != (link in selected):
                w.selected = link in selected
                w.drawn = None
            w.show(label, colour, thickness, zoom, w.within(box))
            if w.drawn is None:
                w.zoomed(zoom)
