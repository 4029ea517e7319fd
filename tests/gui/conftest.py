"""Editor tests: each runs the real editor in a subprocess on a private Xvfb screen.

dearpygui keeps global state, so every session gets its own process; a script
(``script(app)``, a generator run once per frame) drives it and writes its findings
as JSON, which the test then checks.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nodeflow.gui.scripting import run_editor, virtual_display


GL_PROBE = """
import dearpygui.dearpygui as dpg
dpg.create_context()
dpg.create_viewport(title="probe", width=200, height=100)
dpg.setup_dearpygui()
dpg.show_viewport()
dpg.render_dearpygui_frame()
dpg.destroy_context()
"""


@pytest.fixture
def needs_xdotool():
    """Tests that send real mouse and key events are skipped where xdotool is not installed."""
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt-get install xdotool)")


@pytest.fixture(scope="session")
def display():
    """A private ``Xvfb`` screen (1600x1000) shared by the session's editor tests."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb) so the editor cannot be tested")
    with virtual_display("1600x1000") as d:
        probe = subprocess.run([sys.executable, "-c", GL_PROBE], env=dict(os.environ, DISPLAY=d),
                               capture_output=True, text=True, timeout=60)
        if probe.returncode != 0:
            last = (probe.stderr.strip().splitlines() or ["no message"])[-1]
            pytest.skip(f"dearpygui cannot open an OpenGL window on Xvfb (install libgl1-mesa-dri): {last}")
        yield d


class Editor:
    """Runs ``python -m nodeflow.gui.app`` with a script and returns what the script reported."""

    def __init__(self, display: str, tmp: Path):
        self.display, self.tmp = display, tmp

    def run(self, script: str, file: str | Path | None = None, timeout: float = 120) -> dict:
        path = self.tmp / "script.py"
        path.write_text(textwrap.dedent(script))
        found = run_editor(str(path), file, display=self.display, timeout=timeout, cwd=self.tmp)
        assert found, "the script reported nothing"
        return found


@pytest.fixture
def editor(display, tmp_path) -> Editor:
    return Editor(display, tmp_path)


def pytest_collection_modifyitems(items):
    for item in items:
        if "display" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)
