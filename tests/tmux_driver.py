"""Drive a program in a private tmux server: the real-terminal tests share this."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TMUX = shutil.which("tmux")


@dataclass
class TmuxDriver:
    """One tmux server (its own socket) whose session "app" runs the program under test."""

    tmp: Path
    socket: str

    def tmux(self, *args: str, check: bool = True) -> str:
        assert TMUX is not None
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True,
                              text=True, check=check, timeout=10).stdout

    def screen(self, escapes: bool = False) -> str:
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "app")

    def wait_for(self, predicate: Callable[[str], bool], what: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{screen}")
