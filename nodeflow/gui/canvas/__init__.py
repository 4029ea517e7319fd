"""The canvas: the graph drawn with dearpygui's drawing API, zoomable and pannable.

Modules:
    editor    Canvas: the drawlist, the maps from graph ids to drawn items, the frame
    view      zoom and pan arithmetic (pure)
    geometry  wire curves and hit tests (pure)
    scene     the items of one node and one wire
    values    values, colours, highlights, badges and pictures, shown when they change
    pulses    dots travelling along the wires of an evaluated node (pure timing)
    dots      the pulses drawn: a head and a tail per pulse, moved each frame
    interact  mouse gestures
    overlay   what a gesture draws while it lasts
    minimap   the whole graph in small, in a corner that covers no node if it can
    crumbs    inside a group: the path back out, across the top
    pictures  RGB arrays on textures inside nodes
    viewnodes view nodes' pictures: redrawn when what they show changes, in view, rate-limited
    style     colours, text sizes, levels of detail
"""
from .editor import Canvas

__all__ = ["Canvas"]
