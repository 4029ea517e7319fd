"""Editor tests: each runs the real editor in a subprocess on a private Xvfb screen.

dearpygui keeps global state, so every session gets its own process; a script
(``script(app)``, a generator run once per frame) drives it and writes its findings
as JSON, which the test then checks.
"""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from nodeflow.gui.scripting import run_editor, virtual_display


@pytest.fixture(scope="session")
def display():
    """A private ``Xvfb`` screen (1600x1000) shared by the session's editor tests."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb) so the editor cannot be tested")
    with virtual_display("1600x1000") as d:
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
