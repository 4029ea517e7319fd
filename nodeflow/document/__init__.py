"""The document layer: the graph (networkx), its undoable edits, shape inference,
settings, graph files and the builders that make whole networks. Nothing here changes
while training, and nothing here imports numba.

    graph.py     Graph: nodes, wires, validated undoable edits, change events
    edits.py     the primitive operations and the undo history
    shapes.py    shape inference, incremental per edit
    settings.py  the graph-wide settings
    files.py     reading and writing graph files (JSON)
    builders.py  mlp(): a whole deconstructed network from layer sizes
    groups.py    Group nodes (a graph inside a node), their ports and shapes; flattening for running
    grouping.py  group / ungroup as undoable edits; open a group's inside and write it back
    library.py   groups saved to a folder of your own, offered back as node types
    expand.py    open the box: built-in nodes as equivalent groups of math nodes
    article.py   the adding-neuron article's training rule, wired from math nodes and Assign
    examples.py  how each example in graphs/ is made
"""
