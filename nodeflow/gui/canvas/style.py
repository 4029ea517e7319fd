"""How the canvas looks: colours, text sizes on screen and the levels of detail."""
from __future__ import annotations

from ..wires import BAD_COLOUR, FAMILY_COLOURS, PHASE_COLOURS, RGBA

BACKGROUND: RGBA = (34, 36, 42, 255)
GRID: RGBA = (41, 43, 51, 255)
GRID_STEP, GRID_REACH, GRID_ZOOM = 100.0, 8000.0, 0.3  # canvas units between lines, how far, shown from this zoom
SHADOW: RGBA = (12, 12, 16, 110)
BODY: RGBA = (50, 53, 61, 250)
BODY_DIM: RGBA = (40, 42, 48, 235)
EDGE: RGBA = (78, 82, 94, 255)
TEXT: RGBA = (232, 232, 236, 255)
PIN_TEXT: RGBA = (185, 188, 198, 255)
OPTIONAL_TEXT: RGBA = (135, 138, 148, 255)
VALUE_TEXT: RGBA = (240, 226, 160, 255)
CAPTION_TEXT: RGBA = (170, 215, 170, 255)  # an Expression's formula
DIM_TEXT: RGBA = (130, 130, 138, 255)
PIN: RGBA = (205, 208, 218, 255)
PIN_OPEN: RGBA = (120, 124, 136, 255)  # an input without a wire
SELECTED: RGBA = (255, 255, 255, 255)
SELECTED_WIRE: RGBA = (255, 250, 170, 255)
LABEL_BG: RGBA = (24, 25, 30, 225)
SKIPPED: RGBA = (235, 170, 60, 255)
PREVIEW: RGBA = (255, 255, 255, 200)  # a wire being dragged
BOX: RGBA = (120, 170, 255, 255)  # box selection
KNIFE: RGBA = (255, 110, 90, 255)  # the cut line of Ctrl+drag
MINIMAP_BG: RGBA = (22, 23, 28, 230)
MINIMAP_VIEW: RGBA = (230, 230, 240, 255)

LABEL_FONT = 12.0  # wire labels, in canvas units
MIN_TITLE_PX, MIN_LABEL_PX = 10.5, 10.0  # zoomed out, titles and wire labels stay this readable
DETAIL_ZOOM = 0.72  # below this zoom a node shows its title and a compact picture of its main value
TINY_PX = 34.0  # a node narrower than this on screen shows no text at all
PIN_RADIUS = 4.5  # canvas units (clamped on screen)
PULSE_RADIUS = 5.5  # pixels


def family_colour(family: str) -> RGBA:
    return FAMILY_COLOURS.get(family, FAMILY_COLOURS["view"])


def dim(c: RGBA, f: float = 0.45) -> RGBA:
    return (int(c[0] * f), int(c[1] * f), int(c[2] * f), c[3])


def wire_px(thickness: float, zoom: float) -> float:
    """A wire's thickness on screen: its value's thickness, thinner when zoomed out."""
    return max(1.0, thickness * min(1.4, max(0.45, zoom)) ** 0.75)


__all__ = ["BAD_COLOUR", "PHASE_COLOURS"]
