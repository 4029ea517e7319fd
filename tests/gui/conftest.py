"""Editor tests: each runs the real editor in a subprocess on a private Xvfb screen.

dearpygui keeps global state, so every session gets its own process; a script
(``script(app)``, a generator run once per frame) drives it and writes its findings
as JSON, which the test then checks.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GRAPHS = ROOT / "graphs"


@pytest.fixture(scope="session")
def display():
    """A private ``Xvfb`` screen (1600x1000); its number is chosen by Xvfb (-displayfd)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb) so the editor cannot be tested")
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as f:
        number = f.readline().strip()
    if not number:
        proc.kill()
        pytest.skip("Xvfb did not start")
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=10)


class Editor:
    """Runs ``python -m nodeflow.gui.app`` with a script and returns what the script reported."""

    def __init__(self, display: str, tmp: Path):
        self.display, self.tmp = display, tmp

    def run(self, script: str, file: str | Path | None = None, timeout: float = 90, size: str = "1600x1000") -> dict:
        path = self.tmp / "script.py"
        path.write_text(textwrap.dedent(script))
        out = self.tmp / "result.json"
        out.unlink(missing_ok=True)
        env = dict(os.environ, DISPLAY=self.display, NODEFLOW_RESULT=str(out))
        cmd = [sys.executable, "-m", "nodeflow.gui.app", "--script", str(path), "--size", size]
        if file:
            cmd.insert(3, str(file))
        p = subprocess.run(cmd, env=env, cwd=self.tmp, capture_output=True, text=True, timeout=timeout)
        assert p.returncode == 0, f"editor failed ({p.returncode}):\n{p.stdout}\n{p.stderr}"
        assert out.exists(), f"the script reported nothing:\n{p.stdout}\n{p.stderr}"
        return json.loads(out.read_text())


@pytest.fixture
def editor(display, tmp_path) -> Editor:
    return Editor(display, tmp_path)


def pytest_collection_modifyitems(items):
    for item in items:
        if "display" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)
