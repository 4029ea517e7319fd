"""The probe panel: type an input in the data's own units, a field per feature named as the data
names it, and watch it flow through the forward pass (values on every wire, on a copy of the run;
the training state is not touched). Enter or Probe shows it; Leave or Esc returns to the training
values. Data with many features takes one field of comma-separated numbers. The panel is a
folded header under the settings until opened."""
from __future__ import annotations

import dearpygui.dearpygui as dpg
import numpy as np

from ..errors import NodeflowError
from .controller import Controller

MAX_FIELDS = 8  # more features than this: one field of comma-separated numbers
QUIET = (170, 170, 170, 255)
ANSWER = (215, 225, 180, 255)


def starting_value(v: float) -> str:
    """A feature's mean, as a short text to start from."""
    return f"{float(v):.3g}"


class ProbePanel:
    """Fields for one input (made again when the data's features change), Probe / Leave, the answer."""

    def __init__(self, parent: int | str, ctrl: Controller, before: int | str = 0):
        from .inspector import form  # (the inspector makes this panel: imported when it exists)

        self.ctrl = ctrl
        self.form = form
        self.fields: list[int] = []
        self.names: tuple[str, ...] = ()  # the fields' labels
        self.features: tuple | None = None  # what the fields are for (the data's feature names)
        self._seen = None
        # folded until opened, so that the selected node's part of the inspector keeps its room
        with dpg.collapsing_header(label="Probe: ask the network", default_open=False, parent=parent,
                                   before=before) as self.header:
            dpg.add_text("an input in the data's own units; training is not touched", color=QUIET, wrap=0)
            self.table = dpg.add_group()
            with dpg.group(horizontal=True):
                self.go = dpg.add_button(label="Probe", callback=lambda: self.probe())
                with dpg.tooltip(self.go):
                    dpg.add_text("show this input flowing through the forward pass (Enter in a field does too)")
                self.leave = dpg.add_button(label="Leave", callback=lambda: ctrl.leave_probe(say=True))
                with dpg.tooltip(self.leave):
                    dpg.add_text("Esc: back to the training values on the wires")
            self.answer = dpg.add_text("", wrap=0, color=ANSWER)

    def _data(self):
        try:
            return self.ctrl.session.plan.data
        except NodeflowError:
            return None

    def _build(self, data) -> None:
        """A field per feature (or one for all), each starting at the feature's mean."""
        dpg.delete_item(self.table, children_only=True)
        self.fields, self.names = [], ()
        if data is None:
            dpg.add_text("(no data: the graph is not ready)", parent=self.table, color=QUIET)
            return
        means = data.X_raw.mean(axis=0)
        table = self.form(self.table)
        names = data.features or tuple(f"x{i + 1}" for i in range(len(means)))
        if len(names) > MAX_FIELDS:
            names = (f"{len(names)} features",)
            starts = [", ".join(starting_value(v) for v in means)]
        else:
            starts = [starting_value(v) for v in means]
        self.names = names
        for name, start in zip(names, starts):
            with dpg.table_row(parent=table):
                dpg.add_text(name, color=(185, 185, 195, 255))
                self.fields.append(dpg.add_input_text(default_value=start, width=-1, on_enter=True,
                                                      callback=lambda: self.probe()))

    def values(self) -> list[float]:
        """The numbers typed (raises NodeflowError naming a field that is not a number)."""
        out = []
        for field in self.fields:
            for cell in str(dpg.get_value(field)).split(","):
                try:
                    out.append(float(cell))
                except ValueError:
                    raise NodeflowError(f"probe: {cell.strip()!r} is not a number") from None
        if not all(np.isfinite(out)):
            raise NodeflowError("probe: give finite numbers")
        return out

    def probe(self) -> bool:
        try:
            raw = self.values()
        except NodeflowError as e:
            self.ctrl.fail(e)
            return False
        return self.ctrl.probe(raw)

    def refresh(self) -> None:
        c = self.ctrl
        key = (id(c.session), c.graph.revision)
        if key != self._seen:
            self._seen = key
            data = self._data()
            features = None if data is None else (data.name, data.features, data.X.shape[1])
            if features != self.features or not self.fields:
                self.features = features
                self._build(data)
        p = c.probing
        text = "" if p is None else f"-> {p.describe()}"
        if dpg.get_value(self.answer) != text:
            dpg.set_value(self.answer, text)
        if dpg.get_item_configuration(self.leave)["enabled"] != (p is not None):
            dpg.configure_item(self.leave, enabled=p is not None)
