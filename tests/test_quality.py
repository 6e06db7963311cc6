"""The house rules that a tool can check: lint, types, and a core that never imports textual."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ["api", "engine.py", "pacing.py", "events.py", "ids.py", "config.py", "configstore.py",
        "settings.py", "recentsets.py", "history.py", "report.py", "simulator.py", "sim_tasks.py",
        "preflight.py", "connection.py", "headless.py", "redact.py"]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_never_imports_textual() -> None:
    package = ROOT / "geelark_tui"
    files = [f for name in CORE for f in
             ((package / name).rglob("*.py") if (package / name).is_dir() else [package / name])]
    assert len(files) > 10
    for path in files:
        bad = {m for m in _imports(path) if m.split(".")[0] in ("textual", "rich")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff not installed")
def test_ruff_is_clean() -> None:
    result = subprocess.run(["ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-3000:]
