"""The installed command in a real terminal (tmux, 80x24): `geelark-tui --demo` end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed"),
]
COMMAND = [sys.executable, "-m", "geelark_tui", "--demo"]


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Callable[..., str]]:
    socket = f"geelark-tui-test-{os.getpid()}"

    def run(*args: str) -> str:
        out = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True,
                             check=False)
        return out.stdout

    yield run
    run("kill-server")


def wait_screen(tmux: Callable[..., str], text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", "demo")
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not on screen:\n{screen}")


def test_demo_in_a_real_terminal(tmux: Callable[..., str], tmp_path: Path) -> None:
    env = " ".join(f"{k}={v}" for k, v in {
        "TERM": "xterm-256color", "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / ".config"),
        "XDG_DATA_HOME": str(tmp_path / ".local/share")}.items())
    command = f"cd {Path.cwd()} && env {env} {' '.join(COMMAND)}; echo EXITED=$?; sleep 30"
    tmux("new-session", "-d", "-s", "demo", "-x", "80", "-y", "24", command)
    screen = wait_screen(tmux, "DEMO: simulated API at 127.0.0.1:")
    assert "40 unique IDs" in screen
    tmux("send-keys", "-t", "demo", "C-r")
    wait_screen(tmux, "Restart 40 tasks?")
    tmux("send-keys", "-t", "demo", "Enter")
    screen = wait_screen(tmux, "of 40 IDs", timeout=60)
    assert "restarted" in screen and "rejected" in screen
    tmux("send-keys", "-t", "demo", "C-q")
    wait_screen(tmux, "EXITED=0")
    assert not (tmp_path / ".config" / "geelark-tui").exists()
