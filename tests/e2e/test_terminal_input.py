"""End to end: whatever the terminal sends, the app lives on; an app that ends by an error never
exits 0. The installed `geelark-tui --demo` in a real terminal (tmux, 80x24).

Textual's driver decodes the terminal's bytes with a strict UTF-8 decoder: one invalid byte (a
binary paste, `tmux send-keys -H 82`) used to end the app, with exit code 0, even mid-run.
"""

from __future__ import annotations

import sys
import textwrap

import pytest
from tmux_driver import COMMAND, TmuxDriver

from geelark_tui.simulator import DEMO_IDS

pytestmark = pytest.mark.e2e

NEW_ID = "574376043897425800"  # not in the demo set
# Invalid UTF-8: lone continuation bytes, 0xff, sequences cut short (also at the very end).
BINARY_PASTE = b"\x82\xff junk \xc3 " + NEW_ID.encode() + b" \xe2\x82 \xf0\x9f\x98\n"


def start(term: TmuxDriver, command: str) -> None:
    tmp = term.tmp
    env = {"TERM": "xterm-256color", "HOME": str(tmp),
           "GEELARK_TUI_CONFIG": str(tmp / "config.toml"),
           "GEELARK_TUI_DATA_DIR": str(tmp / "data")}
    assignments = " ".join(f"{k}={v}" for k, v in env.items())
    term.tmux("new-session", "-d", "-s", "app", "-x", "80", "-y", "24",
              f"env -u NO_COLOR {assignments} {command}; echo EXITED=$?; sleep 60")


def send_bad_bytes(term: TmuxDriver, more: bytes = b"") -> None:
    term.keys("-H", "82")  # one byte that is not UTF-8
    term.paste(BINARY_PASTE + more)  # and a bracketed paste of them, around a valid ID


def test_invalid_bytes_idle_and_mid_run(terminal: TmuxDriver) -> None:
    start(terminal, f"{COMMAND} --demo")
    terminal.wait_for(lambda s: "40 unique IDs" in s, "the demo entry screen")

    # The demo's sample IDs start selected: what is typed or pasted replaces them. The paste
    # brings them back with one more, enough for a run to still be going a moment later.
    send_bad_bytes(terminal, "\n".join(DEMO_IDS).encode())
    # The paste arrived as one paste: its ID counted, its junk a token ignored, nothing lost.
    screen = terminal.wait_for(lambda s: "41 unique IDs" in s, "the pasted ID counted")
    assert "EXITED" not in screen

    terminal.keys("C-r")
    terminal.wait_for(lambda s: "Restart " in s and "tasks?" in s, "the confirmation",
                      timeout=30)
    terminal.keys("Enter")
    terminal.wait_for(lambda s: "Restarting" in s, "the run")
    send_bad_bytes(terminal)
    assert "Restarting" in terminal.screen(), "the run ended before the bytes were sent"

    screen = terminal.wait_for(lambda s: "41 of 41 rows" in s, "the results", timeout=60)
    assert "EXITED" not in screen
    terminal.keys("C-q")  # still answering keys
    terminal.wait_for(lambda s: "EXITED=0" in s, "a clean exit")


CRASHING_INPUT = """
    import sys

    from geelark_tui.cli import main
    from geelark_tui.tui.terminal import LenientLinuxDriver

    def run_input_thread(self):
        raise RuntimeError("the input thread failed")

    LenientLinuxDriver.run_input_thread = run_input_thread
    sys.exit(main(["--demo"]))
"""


def test_an_app_ended_by_an_error_does_not_exit_0(terminal: TmuxDriver) -> None:
    """The driver's input thread fails (as it did on an invalid byte): Textual ends the app
    with a traceback and, left to itself, exit code 0."""
    script = terminal.tmp / "crash.py"
    script.write_text(textwrap.dedent(CRASHING_INPUT))
    start(terminal, f"{sys.executable} {script}")
    screen = terminal.wait_for(lambda s: "EXITED=" in s, "the app to end")
    assert "the input thread failed" in screen
    assert "EXITED=1" in screen, screen
