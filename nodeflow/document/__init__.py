"""The document layer: the graph (networkx), its undoable edits, shape inference,
settings, graph files and the builders that make whole networks. Nothing here changes
while training, and nothing here imports numba.

    graph.py     Graph: nodes, wires, validated undoable edits, change events
    edits.py     the primitive operations and the undo history
    shapes.py    shape inference, incremental per edit
    settings.py  the graph-wide settings
    files.py     reading and writing graph files (JSON)
    builders.py  mlp(): a whole deconstructed network from layer sizes
    examples.py  how each example in graphs/ is made
"""
