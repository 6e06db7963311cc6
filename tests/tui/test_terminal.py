"""The driver under the app (tui/terminal.py): any byte the terminal sends is read, and a
terminal that hangs up does not take the output thread with it. The same through a real
terminal: tests/e2e/test_terminal_input.py and the hang-up in test_interrupts_tui.py."""

from __future__ import annotations

import contextlib
import os
import pty
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread
from textual.message import Message

from geelark_tui.tui.terminal import LenientLinuxDriver, TerminalOutput

from .helpers import make_app, make_config

# A key that is not UTF-8, then a bracketed paste with bytes that are not either (a lone
# continuation byte, 0xff, a sequence cut short), then a key that is.
TYPED = b"a\x82\x1b[200~x\xff y \xe2\x82\x1b[201~b"


def test_the_app_runs_on_the_lenient_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert make_app(make_config()).driver_class is LenientLinuxDriver


class Recording(LenientLinuxDriver):
    """The input loop as the app runs it; what it decodes is kept instead of posted."""

    def __init__(self, app: App[Any]) -> None:
        super().__init__(app)
        self.received: list[Message] = []

    def process_message(self, message: Message) -> None:
        self.received.append(message)


@pytest.fixture
def keep_signal_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def wait_until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.usefixtures("keep_signal_handlers")
async def test_bytes_that_are_not_utf8_are_read_not_fatal() -> None:
    read_end, write_end = os.pipe()
    driver = Recording(App())
    driver.fileno = read_end
    failures: list[BaseException] = []

    def read() -> None:
        try:
            driver.run_input_thread()
        except BaseException as exc:  # what used to end the app
            failures.append(exc)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    try:
        os.write(write_end, TYPED)

        def keys() -> list[str | None]:
            return [m.character for m in driver.received if isinstance(m, events.Key)]

        wait_until(lambda: failures or "b" in keys())
        assert not failures, failures
        assert keys() == ["a", "\ufffd", "b"]
        pastes = [m.text for m in driver.received if isinstance(m, events.Paste)]
        assert pastes == ["x\ufffd y \ufffd"]  # one paste, nothing around the bytes lost
    finally:
        driver.exit_event.set()
        thread.join(5)
        os.close(read_end)
        os.close(write_end)


def test_output_to_a_hung_up_terminal_is_dropped() -> None:
    """Textual's output thread dies on its first failed write, and every later write then
    waits forever for room in its queue. Through `TerminalOutput` it keeps going."""
    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "w")
    output = TerminalOutput(terminal)
    writer = WriterThread(output)  # type: ignore[arg-type]
    writer.start()
    os.close(master)  # the terminal hangs up
    done = threading.Event()

    def write_a_lot() -> None:
        for n in range(MAX_QUEUED_WRITES * 4):
            writer.write(f"frame {n}\n")
        done.set()

    threading.Thread(target=write_a_lot, daemon=True).start()
    try:
        assert done.wait(5), "writes blocked: the output thread died"
        assert writer.is_alive()
        assert output.hung_up
    finally:
        if writer.is_alive():  # else its queue may be full for good: do not wait on it
            writer.stop()
        with contextlib.suppress(OSError):  # what is still buffered cannot be written
            terminal.close()


def test_other_write_errors_are_not_hidden() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    pipe = os.fdopen(write_end, "w")
    output = TerminalOutput(pipe)
    previous = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        with pytest.raises(BrokenPipeError):
            output.write("x")
            output.flush()
        assert not output.hung_up
    finally:
        signal.signal(signal.SIGPIPE, previous)
        with pytest.raises(BrokenPipeError):
            pipe.close()
