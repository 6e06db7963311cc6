"""Drive a program in a private tmux server: the real-terminal tests share this."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TMUX = shutil.which("tmux")
# The installed console script beside the interpreter running the tests (the one installed
# from this checkout), else on PATH.
COMMAND = shutil.which("geelark-tui", path=str(Path(sys.executable).parent)) or shutil.which(
    "geelark-tui")


@dataclass
class TmuxDriver:
    """One tmux server (its own socket) whose session "app" runs the program under test."""

    tmp: Path
    socket: str

    def tmux(self, *args: str, check: bool = True) -> str:
        assert TMUX is not None
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True,
                              text=True, check=check, timeout=10).stdout

    def close(self) -> None:
        """Stop the server and remove its socket file (tmux leaves it behind, also when the
        server ended with its last session): `-L name` is `$TMUX_TMPDIR/tmux-UID/name`."""
        self.tmux("kill-server", check=False)
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)

    def paste(self, text: str | bytes) -> None:
        """A real bracketed paste of ``text`` (bytes as they are, valid UTF-8 or not)."""
        buffer = self.tmp / "paste.txt"
        buffer.write_bytes(text.encode() if isinstance(text, str) else text)
        self.tmux("load-buffer", "-b", "paste", str(buffer))
        self.tmux("paste-buffer", "-p", "-d", "-b", "paste", "-t", "app")

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
