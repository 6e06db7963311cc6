"""How the app's process ends: on a signal, on a hang-up, on a crash, and with which code.

- SIGTERM, SIGHUP, or SIGINT sent from outside: the run going on stops sending; the requests
  in flight get `SIGNAL_GRACE` seconds to be answered; the run is logged; the app exits,
  restoring the terminal, with 128 + the signal number. A second signal exits at once.
- A real hang-up (a dropped SSH connection): nobody to restore the terminal for, and every
  write to it fails. Output goes to /dev/null, the runs are logged, and the process ends
  within `HANGUP_DEADLINE` seconds whatever happens.
- A crash: the error is shown without local variables and without any credential, and the
  exit code is never 0.

`LifecycleApp` does all of this for `GeeLarkApp`, which tells it about its runs through two
hooks: `stop_run_for_exit` and `settle_unfinished_runs`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any, cast

from rich.console import Console, RenderableType
from textual.app import App

from geelark_tui.redact import Redactor
from geelark_tui.tui.crash import ScrubbedStderr, crash_report

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.worker import Worker

SIGNAL_GRACE = 3.0  # after a signal, the requests in flight get this long to be answered
UNWIND_WAIT = 1.5  # at exit: how long a cancelled run gets to settle before it is logged
HANGUP_DEADLINE = 7.0  # after a real hang-up the process ends within this, whatever happens
EXIT_CRASH = 1  # an unhandled error ended the app (Textual's code for it, and Python's)


class LifecycleApp(App[int]):
    def __init__(self, redactor: Redactor, *, handle_signals: bool = False) -> None:
        super().__init__()
        self.redactor = redactor
        # Whatever Textual prints at exit (a crash report, a CSS error) is scrubbed.
        self.error_console = Console(markup=False, highlight=False,
                                     file=cast(IO[str], ScrubbedStderr(redactor)))
        self.quit_after_run = False  # the app quits once the run going on has ended
        self.end_reason: str | None = None  # why the app is ending, for the run log
        self._crash: BaseException | None = None
        self._crashed = False
        self._handle_signals = handle_signals  # the real app (launch.py); not Pilot tests
        self._signals_handled: list[int] = []
        self._previous_sighup: Any = None
        self._signal_loop: asyncio.AbstractEventLoop | None = None
        self._exit_code = 0  # 128 + N once signal N has asked the app to end
        self._ending: asyncio.Task[None] | None = None
        self._hurry = asyncio.Event()  # a second signal: do not wait any more
        self._leaving = False
        self._terminal_gone = False  # SIGHUP, and the terminal has really hung up
        self._exiting: asyncio.Task[None] | None = None

    # -- what the app tells about its runs ---------------------------------------------------

    def stop_run_for_exit(self, reason: str) -> Sequence[Worker[Any]] | None:
        """A signal: stop the run going on (if any) for ``reason``. The workers whose end to
        wait for; None when no run is going on."""
        return None

    async def settle_unfinished_runs(self) -> None:
        """The app is ending: cancel the runs that did not end by themselves, let them
        unwind (`wait_for_workers`), and log them."""

    # -- the terminal ------------------------------------------------------------------------

    def get_driver_class(self) -> type[Driver]:
        driver = super().get_driver_class()
        if sys.platform == "win32":
            return driver
        from geelark_tui.tui.terminal import LenientLinuxDriver

        # Textual's own choice for Linux and macOS; not one chosen through TEXTUAL_DRIVER.
        return LenientLinuxDriver if driver is LenientLinuxDriver.__base__ else driver

    # -- crashes -----------------------------------------------------------------------------
    # Textual prints an unhandled exception at exit as a rich Traceback(show_locals=True)
    # (App._fatal_error): every frame's local variables, which can hold the token (an
    # argument, a headers dict, config.api, an Input's value). `_handle_exception` (the one
    # entry point for errors in handlers, in workers with exit_on_error, in compose ...) is
    # extended only to remember the error, and `_fatal_error` renders it with `crash_report`:
    # no locals, secrets replaced before layout. A panic (the driver's input thread failing,
    # say) ends the app too: Textual then exits 0, so `return_code` says it crashed.

    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        self.redactor.secrets()  # while the Settings inputs still exist
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        self.bell()
        self.panic(crash_report(self._crash, self.redactor))

    def panic(self, *renderables: RenderableType) -> None:
        self._crashed = True
        self.redactor.secrets()  # printed after the DOM is gone: remember what was typed
        super().panic(*renderables)

    @property
    def return_code(self) -> int | None:
        """As Textual's, except that an app ended by a panic never returns 0."""
        code = super().return_code
        return EXIT_CRASH if self._crashed and not code else code

    # -- signals -----------------------------------------------------------------------------

    def on_load(self) -> None:
        if not self._handle_signals:
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(sig, self.handle_signal, sig)
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # not the main thread, or not a Unix
            self._signals_handled.append(sig)
        # SIGHUP is caught by a Python-level handler instead: it runs at once, before anything
        # else writes to a terminal that may have hung up (the kernel follows SIGHUP with
        # SIGCONT, on which Textual's driver switches the terminal to application mode again).
        with contextlib.suppress(ValueError, OSError, AttributeError):
            self._previous_sighup = signal.signal(signal.SIGHUP, self._on_sighup)
            self._signal_loop = loop

    def _on_sighup(self, signum: int, frame: object) -> None:
        from geelark_tui.tui.terminal import detach_from_terminal, terminal_hung_up

        if not self._terminal_gone and terminal_hung_up():
            # A dropped connection: write to /dev/null instead, and make sure the process ends.
            self._terminal_gone = True
            detach_from_terminal()
            watchdog = threading.Timer(HANGUP_DEADLINE, os._exit, (128 + signum,))
            watchdog.daemon = True
            watchdog.start()
        if self._signal_loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: we are exiting
                self._signal_loop.call_soon_threadsafe(self.handle_signal, signum)

    def handle_signal(self, signum: int) -> None:
        """SIGTERM, SIGHUP (the SSH connection dropped) or SIGINT sent from outside: end the
        session without losing the run (see the module's docstring)."""
        name = signal.Signals(signum).name
        self._exit_code = 128 + signum
        if self._ending is None:
            reason = f"{name}: the app was ended during the run"
            workers = self.stop_run_for_exit(reason)
            if workers is not None:
                self.end_reason = reason
                self.quit_after_run = True
                self._ending = asyncio.create_task(self._end_run(workers))
                return
        else:
            self._hurry.set()
        self.end_reason = self.end_reason or f"{name}: the app was ended"
        self.leave()

    async def _end_run(self, workers: Sequence[Worker[Any]]) -> None:
        await self.wait_for_workers(workers, SIGNAL_GRACE)
        if not self._leaving:  # else the run's end has already quit the app
            self.leave()

    async def wait_for_workers(self, workers: Iterable[Worker[Any]], timeout: float) -> None:
        """Until all of ``workers`` have finished, a second signal says not to wait any more,
        or ``timeout`` seconds have passed."""
        waits = {asyncio.ensure_future(_finished(w)) for w in workers if not w.is_finished}
        if not waits or self._hurry.is_set():
            return
        hurry = asyncio.ensure_future(self._hurry.wait())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while waits and not hurry.done() and (left := deadline - loop.time()) > 0:
                done, _ = await asyncio.wait({*waits, hurry}, timeout=left,
                                             return_when=asyncio.FIRST_COMPLETED)
                waits -= done
        finally:
            hurry.cancel()

    # -- the way out -------------------------------------------------------------------------

    def leave(self) -> None:
        """Exit with the code chosen for this ending: through Textual, which restores the
        terminal; or, once the terminal has hung up, straight away after logging the runs
        (Textual's shutdown would wait on output nobody can read)."""
        self._leaving = True
        if not self._terminal_gone:
            self.exit(self._exit_code, return_code=self._exit_code)
        elif self._exiting is None:
            self._exiting = asyncio.create_task(self._exit_now())

    async def _exit_now(self) -> None:
        try:
            await self.settle_unfinished_runs()
        finally:
            os._exit(self._exit_code)

    async def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self._signals_handled:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        if self._previous_sighup is not None:
            with contextlib.suppress(Exception):
                signal.signal(signal.SIGHUP, self._previous_sighup)
        await self.settle_unfinished_runs()


async def _finished(worker: Worker[Any]) -> None:
    with contextlib.suppress(Exception):  # cancelled or failed: finished all the same
        await worker.wait()
