"""Runs the start-up benchmark under pytest (about 10 s):

    python -m pytest tests/benchmarks -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_startup import (
    TARGET_HEADLESS_RATIO,
    TARGET_RATIO,
    TARGET_S,
    headless_imports,
    report,
    run,
)


def test_headless_never_imports_textual(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "GEELARK_TUI_CONFIG": str(tmp_path / "c.toml")}
    r = headless_imports(env)
    assert r["restart_help_exit"] == 0 and r["restart_exit"] == 2, r  # 2: no IDs given
    assert r["restart_help_textual_modules"] == 0, r
    assert r["restart_textual_modules"] == 0, r


def test_no_textual_below_the_tui() -> None:
    code = ("import sys, geelark_tui.headless, geelark_tui.simulator, geelark_tui.runlog; "
            "sys.exit(any(m.split('.')[0] == 'textual' for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_startup_to_first_screen() -> None:
    r = run()
    print("\n" + report(r))
    assert r["headless_one_ratio"] <= TARGET_HEADLESS_RATIO, report(r)
    if r["launch_s"] is None:
        return  # no tmux here: only the baseline and the headless figures were measured
    assert r["launch_s"] < TARGET_S, report(r)
    assert r["ratio"] <= TARGET_RATIO, report(r)
