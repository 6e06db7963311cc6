"""Runs the instruction counts under pytest (about a minute; skipped without valgrind):

    python -m pytest tests/benchmarks -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from bench_instructions import report, run


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instruction_counts() -> None:
    r = run()
    print(report(r))
    # Sanity, not targets: the 10-line script does less than a bare Textual import and than
    # our command sending the same request; the app more than a minimal Textual app, which
    # does more than the bare import.
    assert r["httpx_floor"] < min(r["bare"], r["headless_one"])
    if "first_screen" in r:
        assert r["bare"] < r["minimal"] < r["first_screen"]
