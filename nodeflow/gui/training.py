"""The training panel: Run / Pause, the number of epochs, Cancel and the progress, each in a
place of its own that nothing above can push, over the plot of every MeanLoss (left axis)
and Accuracy (right axis, 0..1) node's figure per epoch. After a graph file is opened the
plot shows the training it has had (its saved history)."""
from __future__ import annotations

import math

import dearpygui.dearpygui as dpg

from .controller import Controller

PANEL_HEIGHT = 330  # the bottom of the right-hand column the panel takes (the inspector scrolls above it)


def panel_height(window_height: int) -> int:
    """The panel's height in a window this tall: smaller on small screens, so the inspector keeps room."""
    return max(230, min(PANEL_HEIGHT, int(0.36 * window_height)))
HEADING = (150, 190, 255, 255)


def progress_text(c: Controller) -> str:
    """``epoch 2,374 of 22,374 · this run: 2 of 20,000`` while running, else ``7 epochs trained``."""
    ev, rs = c.session, c.run_state
    if rs is None:
        return f"{ev.epoch:,} epoch{'s' * (ev.epoch != 1)} trained"
    text = (f"epoch {ev.epoch:,} of {rs.target_epoch:,} · this run: {ev.epoch - rs.start_epoch:,} "
            f"of {rs.target_epoch - rs.start_epoch:,}")
    return text + (" · compiling the fast engine..." if ev.compiling else "")


class TrainingPlot:
    """Run controls, progress and the per-epoch plot (two networks in one graph get a line each)."""

    def __init__(self, parent: int | str, ctrl: Controller, height: int = -1):
        self.ctrl = ctrl
        self._shown = None
        self.series: dict[str, int] = {}  # "node.port" -> line series
        self._points: dict[str, tuple[list, list]] = {}
        self._losses: set[str] = set()  # the series on the loss axis (left)
        self._loss_top: float | None = None  # the largest loss plotted (kept as points come, not rescanned)
        self._seen: tuple[int, int] = (0, 0)  # (id of the stats list, how many epochs are plotted)
        with dpg.group(parent=parent):
            dpg.add_text("Training", color=HEADING)
            with dpg.group(horizontal=True):
                self.run = dpg.add_button(label="Run", width=64, callback=lambda: ctrl.toggle_run())
                with dpg.tooltip(self.run):
                    dpg.add_text("R: train for this many epochs; again: pause")
                self.epochs = dpg.add_input_int(width=120, default_value=ctrl.run_epochs, min_value=1, min_clamped=True,
                                                max_value=10_000_000, max_clamped=True, step=100, step_fast=1000,
                                                callback=lambda s, a: setattr(ctrl, "run_epochs", a))
                dpg.add_text("epochs")
                self.cancel = dpg.add_button(label="Cancel", width=-1, callback=lambda: ctrl.cancel_run("cancelled"))
            self.progress = dpg.add_progress_bar(default_value=0.0, width=-1, overlay="0 epochs trained")
            with dpg.plot(height=height, width=-1, no_menus=True) as self.plot:
                self.legend = dpg.add_plot_legend(location=dpg.mvPlot_Location_North, horizontal=True, outside=True)
                self.x = dpg.add_plot_axis(dpg.mvXAxis, label="epoch")
                self.y = dpg.add_plot_axis(dpg.mvYAxis, label="loss")
                self.y2 = dpg.add_plot_axis(dpg.mvYAxis2, label="accuracy", opposite=True)
                dpg.set_axis_limits(self.y2, 0.0, 1.02)
            with dpg.theme() as self.dots:  # so that a single epoch shows as a point
                with dpg.theme_component(dpg.mvLineSeries):
                    dpg.add_theme_style(dpg.mvPlotStyleVar_Marker, dpg.mvPlotMarker_Circle, category=dpg.mvThemeCat_Plots)
                    dpg.add_theme_style(dpg.mvPlotStyleVar_MarkerSize, 1.5, category=dpg.mvThemeCat_Plots)

    def _series_for(self, key: str) -> int:
        """The line of one metric port, made on first sight (losses left, shares such as accuracy right)."""
        if key not in self.series:
            g = self.ctrl.graph
            node = key.rsplit(".", 1)[0]
            accuracy = node in g and not (g.type_of(node).metric_kind(g.params(node)) or "loss").endswith("loss")
            if node not in g:  # a saved figure of a node since removed: its name says which it was
                accuracy = not key.endswith(".loss")
            label = g.attrs(node)["label"] if node in g else node
            self.series[key] = dpg.add_line_series([], [], label=label, parent=self.y2 if accuracy else self.y)
            if not accuracy:
                self._losses.add(key)
            dpg.bind_item_theme(self.series[key], self.dots)
            self._points[key] = ([], [])
            dpg.configure_item(self.legend, horizontal=len(self.series) <= 3)
        return self.series[key]

    def _clear(self) -> None:
        for item in self.series.values():
            dpg.delete_item(item)
        self.series.clear()
        self._points.clear()
        self._losses.clear()
        self._loss_top = None

    def refresh(self) -> None:
        c = self.ctrl
        stats = c.session.stats
        rs = c.run_state
        key = (id(stats), len(stats), rs is not None, c.session.epoch, c.session.compiling)
        self._controls(c)
        if key == self._shown:
            return
        self._shown = key
        self._plot(stats)
        dpg.set_value(self.progress, rs.progress(c.session.epoch) if rs is not None else 0.0)
        dpg.configure_item(self.progress, overlay=progress_text(c))
        dpg.configure_item(self.cancel, enabled=rs is not None)

    def _controls(self, c: Controller) -> None:
        label = "Pause" if c.running else "Run"
        if dpg.get_item_label(self.run) != label:
            dpg.configure_item(self.run, label=label)
        if not dpg.get_item_state(self.epochs).get("active") and dpg.get_value(self.epochs) != c.run_epochs:
            dpg.set_value(self.epochs, c.run_epochs)

    def _plot(self, stats) -> None:
        seen_id, seen = self._seen
        if seen_id != id(stats) or seen > len(stats):  # another graph, a reset or a step back
            self._clear()
            seen = 0
        for s in stats[seen:]:
            for name, v in s.values.items():
                if v is not None and math.isfinite(v):
                    self._series_for(name)
                    xs, ys = self._points[name]
                    xs.append(s.epoch)
                    ys.append(v)
                    if name in self._losses:
                        self._loss_top = v if self._loss_top is None else max(self._loss_top, v)
        if len(stats) != seen:
            for name, item in self.series.items():
                dpg.set_value(item, list(self._points[name]))
        self._seen = (id(stats), len(stats))
        first = stats[0].epoch if stats else 1
        dpg.set_axis_limits(self.x, first - 0.5, max(stats[-1].epoch if stats else 1, first + 1) + 0.5)
        top = self._loss_top
        dpg.set_axis_limits(self.y, 0.0, max(1e-6, top) * 1.08 if top is not None else 1.0)
