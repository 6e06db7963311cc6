"""The terminal under the app: a driver that survives whatever the terminal sends and a
terminal that hangs up, and the two checks the hang-up handling needs.

Textual's `LinuxDriver` (checked against 8.2.8; `tests/tui/test_textual_internals.py` fails
if what is relied on here changes) has two ways of ending an app that has nothing wrong with
it:
- its input thread decodes stdin with a strict UTF-8 decoder: one invalid byte (a binary
  paste, `tmux send-keys -H 82`) raises `UnicodeDecodeError` and ends the app. Here invalid
  bytes become U+FFFD (and a bracketed paste of them is still one paste);
- its output thread dies on its first write to a terminal that has hung up (EIO), and every
  later write then waits forever for room in its queue. Here such writes are dropped.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import functools
import os
import select
import sys
import types
from typing import IO, TYPE_CHECKING, Any, cast

from textual.drivers import linux_driver
from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App


def lenient_decoder(encoding: str) -> Callable[..., codecs.IncrementalDecoder]:
    """`codecs.getincrementaldecoder`, except that undecodable bytes become U+FFFD."""
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def _with_lenient_decoder(method: Callable[..., None]) -> Callable[..., None]:
    """``method`` (Textual's input loop) as it is, except that the name
    ``getincrementaldecoder`` in it means `lenient_decoder`: the loop is reused, not copied."""
    function = cast(types.FunctionType, method)
    names = {**vars(linux_driver), "getincrementaldecoder": lenient_decoder}
    return types.FunctionType(function.__code__, names, function.__name__,
                              function.__defaults__, function.__closure__)


class TerminalOutput:
    """The file Textual's output thread writes to: the real one, until the terminal hangs up;
    from then on (the first EIO) writes are dropped instead of ending the thread."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.hung_up = False

    def _attempt(self, action: Callable[[], object]) -> None:
        if self.hung_up:
            return
        try:
            action()
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            self.hung_up = True

    def write(self, text: str) -> int:
        self._attempt(lambda: self._file.write(text))
        return len(text)

    def flush(self) -> None:
        self._attempt(self._file.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class LenientLinuxDriver(LinuxDriver):
    """Textual's driver for Linux and macOS terminals, for any byte in and a hang-up out."""

    run_input_thread = _with_lenient_decoder(LinuxDriver.run_input_thread)

    def __init__(self, app: App[Any], *, debug: bool = False, mouse: bool = True,
                 size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        # The file that `start_application_mode` hands to the output thread.
        self._file = cast(Any, TerminalOutput(cast(IO[str], self._file)))


def terminal_hung_up(fd: int | None = None) -> bool:
    """After SIGHUP: has the terminal really gone (a dropped SSH connection), or was the
    signal only sent (``kill -HUP``), with the terminal still there to be restored?"""
    if fd is None:
        stream = sys.__stdin__
        if stream is None:
            return True
        fd = stream.fileno()
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return any(event & (select.POLLHUP | select.POLLERR | select.POLLNVAL)
                   for _fd, event in poller.poll(0))
    except (OSError, ValueError):
        return True


def detach_from_terminal() -> None:
    """Point stdin, stdout and stderr at /dev/null: every write to a hung-up terminal fails,
    and nobody is there to read it."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            with contextlib.suppress(OSError):
                os.dup2(null, fd)
        os.close(null)
