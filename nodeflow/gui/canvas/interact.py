"""Mouse on the canvas: one gesture at a time, read from dearpygui's input state each frame.

Left button: on a pin, drag a wire to a pin of the other kind; on a node, select it
(Shift toggles) and drag the selection (a double-click opens a group); on the path at the
top (inside a group), go back to the level clicked; on a wire, select it (Alt+click cuts it); on
empty canvas, drag a selection box (a click clears the selection). Ctrl+left drag cuts
every wire the line crosses (started on a wired input, it pulls that wire off).
Middle drag, right drag or Space+left drag pans; a right click opens the quick-add
box; the wheel zooms about the cursor; the minimap is clicked or dragged.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import dearpygui.dearpygui as dpg

from ...document.graph import Link

DRAG_PX = 4.0  # a press that moves less than this is a click
BUTTONS = (dpg.mvMouseButton_Left, dpg.mvMouseButton_Middle, dpg.mvMouseButton_Right)


@dataclass(frozen=True)
class Hit:
    """What is under a canvas point."""

    kind: str  # pin | node | wire | none
    node: str | None = None
    port: str | None = None
    direction: str | None = None  # in | out (pins)
    link: Link | None = None


def key_down(*keys) -> bool:
    return any(dpg.is_key_down(k) for k in keys)


def ctrl_down() -> bool:
    return key_down(dpg.mvKey_LControl, dpg.mvKey_RControl)


def shift_down() -> bool:
    return key_down(dpg.mvKey_LShift, dpg.mvKey_RShift)


def alt_down() -> bool:
    return key_down(dpg.mvKey_LAlt, dpg.mvKey_RAlt)


class Interaction:
    """The gesture in progress (``mode``) and what it started on."""

    def __init__(self, canvas):
        self.c = canvas
        self.mode: str | None = None
        self.button = None
        self.press_px = self.last_px = (0.0, 0.0)
        self.press_at = (0.0, 0.0)  # canvas units
        self.moved = False
        self.hit: Hit = Hit("none")
        self.start: dict[str, tuple[float, float]] = {}  # nodes being dragged -> where they started
        self.wheel = 0.0  # notches waiting (the wheel handler adds them)
        self.space_held = False  # Space is down: a left drag pans (and Space then does not step)
        self.space_panned = False

    @property
    def busy(self) -> bool:
        return self.mode is not None

    def poll(self) -> None:
        """Read this frame's mouse and advance the gesture."""
        c = self.c
        px = c.local_mouse()
        if self.wheel:
            if c.hovered():
                c.view.wheel(px, self.wheel)
            self.wheel = 0.0
        if self.mode is None:
            if c.hovered():
                for b in BUTTONS:
                    if dpg.is_mouse_button_clicked(b):
                        self.press(b, px)
                        break
            return
        self.drag(px)
        if not dpg.is_mouse_button_down(self.button):
            self.release(px)

    # -- press ----------------------------------------------------------------------------
    def press(self, button, px) -> None:
        c = self.c
        self.button, self.press_px, self.last_px, self.moved = button, px, px, False
        self.press_at = c.view.to_canvas(px)
        if button == dpg.mvMouseButton_Middle or (button == dpg.mvMouseButton_Left and self.space_held):
            self.mode = "pan"
            self.space_panned = self.space_held
            return
        if button == dpg.mvMouseButton_Right:
            self.mode = "right"
            return
        depth = c.crumbs.hit(px)
        if depth is not None:
            if depth < len(c.ctrl.levels):
                c.ctrl.leave_group(depth)
            return
        if c.minimap.hit(px):
            self.mode = "minimap"
            c.look_at(c.minimap.to_canvas(px))
            return
        self.hit = hit = c.hit(self.press_at)
        if hit.kind == "node" and dpg.is_mouse_button_double_clicked(button) and c.graph.type_of(hit.node).name == "Group":
            c.ctrl.open_group(hit.node)
            return
        if alt_down() and hit.kind == "wire":
            c.ctrl.disconnect(hit.link)
            return
        if ctrl_down():
            wired = hit.kind == "pin" and hit.direction == "in" and c.graph.wire_into(hit.node, hit.port)
            self.mode = "detach" if wired else "knife"
            return
        self.mode = {"pin": "wire", "node": "move", "wire": "wire-click", "none": "box"}[hit.kind]
        if hit.kind == "node":
            self._select_for_move(hit.node)
        elif hit.kind == "wire":
            c.select([], [hit.link])

    def _select_for_move(self, node: str) -> None:
        c = self.c
        if shift_down():
            c.toggle(node)
        elif node not in c.selected_nodes:
            c.select([node], [])
        self.start = {n: c.nodes[n].pos for n in c.selected_nodes if n in c.nodes}

    # -- drag -----------------------------------------------------------------------------
    def drag(self, px) -> None:
        c = self.c
        if not self.moved and math.dist(px, self.press_px) >= DRAG_PX:
            self.moved = True
        dx, dy = px[0] - self.last_px[0], px[1] - self.last_px[1]
        self.last_px = px
        at = c.view.to_canvas(px)
        if self.mode == "pan" or (self.mode == "right" and self.moved):
            c.view.pan(dx, dy)
        elif self.mode == "minimap":
            c.look_at(c.minimap.to_canvas(px))
        elif self.mode == "move" and self.moved:
            ox, oy = at[0] - self.press_at[0], at[1] - self.press_at[1]
            c.move_live({n: (round(x + ox), round(y + oy)) for n, (x, y) in self.start.items()})
        elif self.mode == "wire":
            c.overlay.wire(c.pin_point(self.hit), at, self.hit.direction)
        elif self.mode == "box" and self.moved:
            c.overlay.box(self.press_at, at)
        elif self.mode in ("knife", "detach") and self.moved:
            c.overlay.knife(self.press_at, at)

    # -- release --------------------------------------------------------------------------
    def release(self, px) -> None:
        c = self.c
        mode, self.mode = self.mode, None
        at = c.view.to_canvas(px)
        c.overlay.clear()
        if mode == "move" and self.moved:
            c.commit_moves(list(self.start))
        elif mode == "wire":
            self._finish_wire(c.hit(at, pin_slack=2.0))
        elif mode == "box":
            if self.moved:
                c.select_box(self.press_at, at, add=shift_down())
            elif not shift_down():
                c.select([], [])
        elif mode == "knife" and self.moved:
            c.cut(self.press_at, at)
        elif mode == "detach" and self.moved:
            w = c.graph.wire_into(self.hit.node, self.hit.port)
            if w is not None:
                c.ctrl.disconnect(w)
        elif mode == "right" and not self.moved:
            c.quick_add(self.press_px, self.press_at)

    def _finish_wire(self, target: Hit) -> None:
        a = self.hit
        if target.kind == "node" and target.node != a.node:
            target = self.c.free_pin(target.node, "in" if a.direction == "out" else "out")
        if target.kind != "pin" or target.direction == a.direction:
            if target.kind != "none" or self.moved:
                self.c.ctrl.say("drop the wire on a pin of the other kind (outputs on one side, inputs on the other)",
                                "warn")
            return
        src, dst = (a, target) if a.direction == "out" else (target, a)
        self.c.ctrl.connect(src.node, src.port, dst.node, dst.port)

    def cancel(self) -> bool:
        """Escape: drop the gesture in progress (dragged nodes go back). False if there was none."""
        if self.mode is None:
            return False
        if self.mode == "move":
            self.c.move_live(self.start)
        self.mode = None
        self.c.overlay.clear()
        return True
