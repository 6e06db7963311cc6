"""The end-to-end tests' terminal: a private tmux server running the installed command."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tmux_driver import COMMAND, TMUX, TmuxDriver

if os.environ.get("CI") and not (TMUX and COMMAND):
    raise RuntimeError("CI must install tmux and the geelark-tui command (.ci/run does)")


@pytest.fixture
def terminal(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[TmuxDriver]:
    if not (TMUX and COMMAND):
        pytest.skip("needs tmux and the installed geelark-tui command")
    term = TmuxDriver(tmp_path, f"geelark-e2e-{os.getpid()}-{request.node.name}"[:90])
    yield term
    term.close()
