"""End to end: the installed `geelark-tui --demo` in a real terminal (tmux, 80x24).

A real bracketed paste (tmux load-buffer + paste-buffer -p), ctrl+r, enter, and the results
read back from capture-pane: what a support person over SSH would see.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from tmux_driver import COMMAND, TmuxDriver

pytestmark = pytest.mark.e2e

# New IDs pasted on top of the demo set: restartable (…00), running (…55), missing (…90),
# plus a duplicate and a token that is not an ID.
PASTE = "574376043897425800, 574376043897425855\n574376043897425890 574376043897425800 12345\n"


# xterm-256 colours without hue: black, white, the system greys and the grey ramp.
GREYS = {0, 7, 8, 15, 16, 231, *range(232, 256)}


def start(term: TmuxDriver, tmp: Path, no_color: bool) -> None:
    env = {"TERM": "xterm-256color", "GEELARK_TUI_CONFIG": str(tmp / "config.toml"),
           "GEELARK_TUI_DATA_DIR": str(tmp / "data"), "HOME": str(tmp)}
    if no_color:
        env["NO_COLOR"] = "1"
    assignments = " ".join(f"{k}={v}" for k, v in env.items())
    term.tmux("new-session", "-d", "-s", "app", "-x", "80", "-y", "24",
              f"env -u NO_COLOR {assignments} {COMMAND} --demo")


@pytest.mark.parametrize("no_color", [False, True], ids=["color", "no-color"])
def test_paste_restart_and_read_results(terminal: TmuxDriver, tmp_path: Path,
                                        no_color: bool) -> None:
    start(terminal, tmp_path, no_color)
    terminal.wait_for(lambda s: "DEMO" in s and "40 unique IDs" in s, "the demo entry screen")

    terminal.keys("F7")  # select all the pre-filled text, then delete it
    terminal.keys("BSpace")
    terminal.wait_for(lambda s: "No IDs yet" in s, "an empty entry")
    terminal.paste(PASTE)
    screen = terminal.wait_for(lambda s: " 3 unique IDs" in s, "counts after the paste")
    assert "1 duplicate" in screen and "1 token ignored" in screen

    terminal.keys("C-r")
    # The pre-flight (on by default) finds one failed task, one running, one missing.
    screen = terminal.wait_for(lambda s: "Restart 1 task?" in s, "the confirmation")
    assert "Now: 1 can be restarted, 1 is still waiting or running" in screen
    terminal.keys("Enter")
    # "Finished" alone may still be the progress screen's last line; the row count is the
    # results screen's status line
    screen = terminal.wait_for(lambda s: "Finished" in s and "3 of 3 rows" in s,
                               "the results screen", timeout=30)

    lines = screen.splitlines()
    assert len(lines) <= 24 and max(len(line) for line in lines) <= 80

    def row(task_id: str) -> str:
        return next(line for line in lines if task_id in line)

    # The demo's simulator is seeded with faults, so an outcome can be `unknown` here; every
    # row must still say, in words and a symbol, what happened.
    words = ("✔ restarted", "✘ rejected", "○ not sent", "? unknown", "» skipped")
    for task_id in ("574376043897425800", "574376043897425855", "574376043897425890"):
        assert any(word in row(task_id) for word in words), row(task_id)
    assert "3 of 3 rows" in screen
    assert "12345" not in "".join(row(i) for i in ("574376043897425800",))

    escapes = terminal.screen(escapes=True)
    if no_color:
        # Textual renders NO_COLOR as shades of grey: no hue anywhere, so meaning must be
        # (and is, above) carried by the symbols and words.
        colours = {int(c) for c in re.findall(r"\[(?:3|4)8;5;(\d+)m", escapes)}
        assert colours, "expected 256-colour greys in the capture"
        assert colours <= GREYS, colours - GREYS
        assert "38;2;" not in escapes and "48;2;" not in escapes
    else:
        colours = {int(c) for c in re.findall(r"\[(?:3|4)8;5;(\d+)m", escapes)}
        assert colours - GREYS or "38;2;" in escapes, "expected coloured rows"

    terminal.keys("C-q")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "app" not in terminal.tmux("list-sessions", check=False):
            break
        time.sleep(0.2)
    else:
        pytest.fail("the app did not quit on ctrl+q")


def test_full_demo_set_exits_cleanly_and_leaves_real_config_alone(
    terminal: TmuxDriver, tmp_path: Path
) -> None:
    """The pre-filled demo set shows every outcome; quitting exits 0; nothing is written to
    the real (here: temporary) per-user config dir."""
    env = {"TERM": "xterm-256color", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "XDG_DATA_HOME": str(tmp_path / ".local/share")}
    assignments = " ".join(f"{k}={v}" for k, v in env.items())
    terminal.tmux("new-session", "-d", "-s", "app", "-x", "80", "-y", "24",
                  f"env -u GEELARK_TUI_CONFIG {assignments} {COMMAND} --demo; "
                  "echo EXITED=$?; sleep 30")
    terminal.wait_for(lambda s: "40 unique IDs" in s, "the demo entry screen")
    terminal.keys("C-r")
    terminal.wait_for(lambda s: "Restart 29 tasks?" in s, "the confirmation (after the "
                                                          "pre-flight: 11 cannot be restarted)")
    terminal.keys("Enter")
    screen = terminal.wait_for(lambda s: "40 of 40 rows" in s, "the results", timeout=60)
    flat = re.sub(r"\s+", " ", screen)  # the summary bar may use non-breaking spaces
    for word in ("restarted", "rejected", "not sent", "skipped"):  # (no unknown: test_demo)
        assert word in flat, screen
    # The restarted tasks are followed live (every 5 s), running, then to their end: some
    # complete, a third fail again.
    terminal.wait_for(lambda s: "Following" in s and "running" in s, "following, live",
                      timeout=20)
    screen = terminal.wait_for(lambda s: "to their end" in s, "following to the end",
                               timeout=40)
    line = next(line for line in screen.splitlines() if "to their end" in line)
    assert "completed" in line and "failed again" in line, line
    terminal.keys("C-q")
    terminal.wait_for(lambda s: "EXITED=0" in s, "a clean exit")
    assert not (tmp_path / ".config" / "geelark-tui").exists()
    assert not (tmp_path / ".local" / "share" / "geelark-tui").exists()
