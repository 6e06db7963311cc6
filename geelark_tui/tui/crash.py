"""What the app prints when it crashes: a traceback without local variables, and without any
credential, even one quoted in an exception's message.

Textual's own crash report (``App._fatal_error``) is a rich ``Traceback(show_locals=True)``:
every frame's local variables, which can hold the token (a ``token`` argument, a headers dict,
``config.api``, the value of the Settings screen's inputs). `GeeLarkApp` renders crashes with
`crash_report` instead, and prints everything Textual prints at exit through `ScrubbedStderr`.
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any

from geelark_tui.redact import Redactor

if TYPE_CHECKING:
    from rich.console import RenderableType

# Start-up cost: rich.traceback pulls in pygments; it is imported only for a crash.

FOOTER = ("geelark-tui crashed. Local variables are not shown and credentials are hidden. "
          "A run that was going on is in the run log, as far as it got.")


def crash_report(error: BaseException | None, redactor: Redactor) -> RenderableType:
    """The traceback of ``error`` (or of the exception being handled), scrubbed."""
    import rich
    from rich.console import Group
    from rich.text import Text
    from rich.traceback import Traceback
    from textual.worker import WorkerFailed

    if isinstance(error, WorkerFailed):  # a worker's failure: show what the worker raised
        error = error.error
    if error is None or error.__traceback__ is None:
        handled = sys.exc_info()[1]
        error = handled if handled is not None else error
    if error is None:
        return Text(FOOTER)
    # The secrets are replaced in the extracted data, before anything is laid out: once
    # rendered, a long line may wrap in the middle of a secret, or colour split it.
    trace = Traceback.extract(type(error), error, error.__traceback__, show_locals=False)
    trace = redactor.scrub_data(trace)
    traceback = Traceback(trace, width=None, show_locals=False, suppress=[rich])
    return Group(traceback, Text(FOOTER, style="bold"))


class ScrubbedStderr:
    """A file for the app's ``error_console``: writes to (the current) ``sys.stderr`` with
    every secret replaced. Textual prints its exit messages and crash reports there."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor

    @property
    def _stream(self) -> IO[str]:
        return sys.stderr or sys.__stderr__  # type: ignore[return-value]

    def write(self, text: str) -> int:
        self._stream.write(self._redactor.scrub(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
