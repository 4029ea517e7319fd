"""The dearpygui editor (a thin view over the core)."""


def run_editor(path=None) -> int:
    from .app import main

    return main(path)
