"""GeeLarkApp: screens, global keys, the command palette and the theme. Deliberately small:
each screen does its own work; the app only moves between them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING, Any, ClassVar, cast

from rich.console import Console, RenderableType
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from geelark_tui.configstore import save_config
from geelark_tui.context import AppContext
from geelark_tui.redact import Redactor
from geelark_tui.tui.base import PaletteCommand, PaletteMixin
from geelark_tui.tui.crash import ScrubbedStderr, crash_report
from geelark_tui.tui.screens.entry import EntryScreen

if TYPE_CHECKING:
    from textual.command import Provider

    from geelark_tui.session import RunSession
    from geelark_tui.tui.screens.progress import ProgressScreen

# Start-up cost: only the entry screen is imported up front; the other screens (and the
# command palette provider) when first used.

GRID_CSS = Path(__file__).parent / "widgets" / "results_grid.tcss"
THEME_SAVE_DELAY = 1.0  # the theme picker previews themes: save the one the user stays on
# Ending on a signal: the requests in flight get this long to be answered; then the app exits
# and what was in flight is `unknown`.
SIGNAL_GRACE = 3.0
UNWIND_WAIT = 1.5  # at exit: how long a cancelled run gets to settle before it is logged
HANGUP_DEADLINE = 7.0  # after a real hang-up the process ends within this, whatever happens
SECRET_INPUTS = frozenset({"token", "api-key"})  # the Settings fields (also when revealed)


def commands_provider() -> type[Provider]:
    from geelark_tui.tui.commands import GeeLarkCommands

    return GeeLarkCommands


class GeeLarkApp(App[int]):
    # The grid's own sheet when installed (it mirrors the grid's DEFAULT_CSS, so the app still
    # looks right from a wheel built without it).
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        "app.tcss", *([GRID_CSS] if GRID_CSS.exists() else [])]
    TITLE = "geelark-tui"
    COMMANDS = App.COMMANDS | {commands_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="app.help", tooltip="Keys, and what outcomes mean"),
        Binding("f2", "settings", "Settings", id="app.settings", show=False,
                tooltip="Credentials, API host and pacing"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False,
                tooltip="Quit (asks while a run is going on)"),
    ]

    def __init__(self, context: AppContext, *, prefill: str = "", blink: bool = True,
                 handle_signals: bool = False) -> None:
        super().__init__()
        self.context = context
        self.blink = blink
        self._prefill = prefill
        self._quit_after_run = False
        self._theme_timer: Timer | None = None
        self._started = False  # the theme from the config has been applied
        # Every credential this session knows: saved, from the environment, or typed.
        self._typed: set[str] = set()
        self.redactor = Redactor(lambda: self.context.config.secrets(), self._typed_secrets)
        context.scrub, context.secrets = self.redactor.scrub, self.redactor.secrets
        self._crash: BaseException | None = None
        self.error_console = Console(markup=False, highlight=False,
                                     file=cast(IO[str], ScrubbedStderr(self.redactor)))
        # Runs, signals and the way out.
        self._handle_signals = handle_signals  # the real app (launch.py); not Pilot tests
        self._signals_handled: list[int] = []
        self._runs: list[ProgressScreen] = []  # every run of the session
        self._settled: list[ProgressScreen] = []  # ... whose end the app has handled
        self._exit_code = 0  # 128 + N once signal N has asked the app to end
        self._end_reason: str | None = None
        self._ending: asyncio.Task[None] | None = None
        self._hurry = False  # a second signal: do not wait any more
        self._terminal_gone = False  # SIGHUP, and the terminal has really hung up
        self._exiting: asyncio.Task[None] | None = None
        self._signal_loop: asyncio.AbstractEventLoop | None = None
        self._previous_sighup: Any = None

    # -- start ------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return EntryScreen(self._prefill)

    def on_mount(self) -> None:
        theme = self.context.config.ui.theme
        if theme in self.available_themes:
            self.theme = theme
        else:
            self.notify(f"Theme {theme!r} is not available; using {self.theme}.",
                        severity="warning")
        self._started = True
        self.sub_title = "DEMO: simulated API" if self.context.demo else self.context.shown_host()
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """What needs the connection code (and httpx): after the first screen is up."""
        self.settings_changed()
        for warning in self.context.config.take_warnings():
            self.notify(warning, title="Config", severity="warning", timeout=12)
        if self.context.demo:
            return
        problem, complete = self.context.base_url_problem(), self.context.credentials().complete
        if problem or not complete:  # an unusable base URL is never swapped for another
            from geelark_tui.tui.screens.settings import SettingsScreen

            self.push_screen(SettingsScreen(first_run=not complete, problem=problem))

    def settings_changed(self) -> None:
        ctx = self.context
        self.sub_title = ("DEMO: simulated API" if ctx.demo
                          else f"{ctx.host()} · {ctx.credentials().label}")

    def watch_theme(self, theme: str) -> None:
        if not self._started or theme == self.context.config.ui.theme:
            return
        if self._theme_timer is not None:
            self._theme_timer.stop()
        self._theme_timer = self.set_timer(THEME_SAVE_DELAY, self._save_theme)

    def _save_theme(self) -> None:
        config = self.context.config
        if config.ui.theme != self.theme:
            config.ui = replace(config.ui, theme=self.theme)
            save_config(config)
            for warning in config.take_warnings():
                self.notify(warning, title="Config", severity="warning")

    # -- moving between screens -------------------------------------------------------------

    def start_run(self, session: RunSession) -> None:
        """Confirmed: show the run (the session records the set before its first request)."""
        from geelark_tui.tui.screens.progress import ProgressScreen
        from geelark_tui.tui.screens.results import ResultsScreen

        screen = ProgressScreen(session)
        self._runs.append(screen)
        if isinstance(self.screen, ResultsScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def on_progress_screen_finished(self, message: ProgressScreen.Finished) -> None:
        from geelark_tui.tui.screens.results import ResultsScreen

        outcome = message.outcome
        progress = message.screen
        self._settled.append(progress)
        # The log and the warnings quote servers and exceptions (the session has already
        # scrubbed the results and the stop reason).
        outcome.log = self.redactor.scrub_data(outcome.log)
        outcome.warnings[:] = self.redactor.scrub_data(outcome.warnings)
        if self._quit_after_run:
            self._leave()
            return
        while len(self.screen_stack) > 1 and self.screen is not progress:
            self.pop_screen()  # e.g. the stop dialog, still open when the run ended
        self.switch_screen(ResultsScreen(outcome))

    def new_set(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, EntryScreen):
            self.pop_screen()
        if isinstance(self.screen, EntryScreen):
            self.screen.set_text("")

    def active_run(self) -> ProgressScreen | None:
        from geelark_tui.tui.screens.progress import ProgressScreen

        for screen in self.screen_stack:
            if isinstance(screen, ProgressScreen) and screen.running:
                return screen
        return None

    # -- global actions ---------------------------------------------------------------------

    def action_help(self) -> None:
        from geelark_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        about = self.screen
        title = about.PALETTE_GROUP if isinstance(about, PaletteMixin) else "current"
        self.push_screen(HelpScreen(about, title or "current"))

    def action_settings(self) -> None:
        from geelark_tui.tui.screens.settings import SettingsScreen

        if any(isinstance(s, SettingsScreen) for s in self.screen_stack):
            return
        self.push_screen(SettingsScreen())

    async def action_quit(self) -> None:
        run = self.active_run()
        if run is None or self._quit_after_run:
            # Quit at once (also while stopping): what was in flight is logged `unknown` as
            # the app exits (see on_unmount).
            self._leave()
            return
        from geelark_tui.tui.screens.quit_confirm import QuitConfirmScreen

        if isinstance(self.screen, QuitConfirmScreen):
            return
        tracker = run.tracker
        done = tracker.settled if tracker else 0
        self.push_screen(QuitConfirmScreen(done, len(run.plan.to_send)), self._quit_answer)

    def _quit_answer(self, confirmed: bool | None) -> None:
        run = self.active_run()
        if not confirmed:
            return
        if run is None:
            self.exit(0)
            return
        self._quit_after_run = True
        run.stop()
        self.notify("Stopping: the app quits once the requests in flight are answered. "
                    "Press ctrl+q again to quit at once.", title="Quitting")

    def action_help_quit(self) -> None:
        """ctrl+c. In the app it is a key, not a signal (the terminal is in raw mode), and
        Textual only says which key quits. During a run it is taken as the quit it most
        likely means, with ctrl+q's question: stop and quit, or keep running. A run is never
        lost to a reflex; a second ctrl+c once stopping quits at once (still logged)."""
        if self.active_run() is not None:
            self.call_next(self.action_quit)
        else:
            super().action_help_quit()

    def palette_commands(self) -> Iterable[PaletteCommand]:
        from geelark_tui.tui.screens.results import ResultsScreen
        from geelark_tui.tui.screens.settings import SettingsScreen

        yield PaletteCommand("Help", "Keys, and what outcomes mean (f1)", self.action_help)
        if not any(isinstance(s, SettingsScreen) for s in self.screen_stack):
            yield PaletteCommand("Settings", "Credentials, API host and pacing (f2)",
                                 self.action_settings)
        if isinstance(self.screen, ResultsScreen):
            yield PaletteCommand("New set", "Back to an empty ID box", self.new_set)

    # -- secrets and crashes ----------------------------------------------------------------

    def _typed_secrets(self) -> set[str]:
        """Credentials typed into Settings (saved or not), remembered once seen."""
        with contextlib.suppress(Exception):  # also while the DOM is being torn down
            for screen in list(self.screen_stack):
                for field in screen.query(Input):
                    if (field.password or field.id in SECRET_INPUTS) and field.value.strip():
                        self._typed.add(field.value.strip())
        return self._typed

    # Textual prints an unhandled exception at exit as a rich Traceback(show_locals=True)
    # (App._fatal_error): every frame's local variables, which can hold the token (an
    # argument, a headers dict, config.api, an Input's value). The smallest surface to change
    # that: `_handle_exception` (the one entry point for errors in handlers, in workers with
    # exit_on_error, in compose ...) is extended only to remember the error, and
    # `_fatal_error` renders it with `crash_report`: no locals, secrets replaced before layout.
    # `error_console` (set in __init__) scrubs whatever else Textual prints at exit: panic()
    # renderables such as a CSS error, or the driver's own tracebacks. The two private names
    # are long-standing Textual internals (checked against 8.2.8): should a release rename
    # them, tests/test_secrets.py fails (it forces crashes and reads what is printed).

    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        self._typed_secrets()  # while the Settings inputs still exist
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        self.bell()
        self.panic(crash_report(self._crash, self.redactor))

    def panic(self, *renderables: RenderableType) -> None:
        self._typed_secrets()  # printed after the DOM is gone: remember what was typed
        super().panic(*renderables)

    # -- signals, and runs that did not end by themselves -------------------------------------

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
        if not self._terminal_gone and terminal_hung_up():
            # A dropped connection: nobody to restore the terminal for, and every write to it
            # fails. Write to /dev/null instead, and make sure the process ends.
            self._terminal_gone = True
            detach_from_terminal()
            self._drain_dead_writer()
            watchdog = threading.Timer(HANGUP_DEADLINE, os._exit, (128 + signum,))
            watchdog.daemon = True
            watchdog.start()
        if self._signal_loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: we are exiting
                self._signal_loop.call_soon_threadsafe(self.handle_signal, signum)

    def handle_signal(self, signum: int) -> None:
        """SIGTERM, SIGHUP (the SSH connection dropped) or SIGINT sent from outside: end the
        session without losing the run. The run stops sending; the requests in flight get
        `SIGNAL_GRACE` seconds to be answered; the run is logged (what was sent, what not);
        the app exits (restoring the terminal) with 128 + the signal number. A second signal
        exits at once; what was in flight is then logged `unknown`."""
        name = signal.Signals(signum).name
        self._exit_code = 128 + signum
        run = self.active_run()
        if self._ending is not None or run is None:
            self._hurry = self._ending is not None
            self._end_reason = self._end_reason or f"{name}: the app was ended"
            self._leave()
            return
        reason = f"{name}: the app was ended during the run"
        self._end_reason = reason
        self._ending = asyncio.create_task(self._end_run(run, reason))

    async def _end_run(self, run: ProgressScreen, reason: str) -> None:
        self._quit_after_run = True
        run.stop(reason)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SIGNAL_GRACE
        while run.outcome is None and not self._hurry and loop.time() < deadline:
            await asyncio.sleep(0.05)
        if run not in self._settled:  # else the run's end has already quit the app
            self._leave()

    def _leave(self) -> None:
        """Exit with the code chosen for this ending: through Textual, which restores the
        terminal; or, once the terminal has hung up, straight away after logging the runs
        (Textual's shutdown would wait on output nobody can read)."""
        if not self._terminal_gone:
            self.exit(self._exit_code, return_code=self._exit_code)
        elif self._exiting is None:
            self._exiting = asyncio.create_task(self._exit_now())

    async def _exit_now(self) -> None:
        for run in self._runs:
            if run not in self._settled:
                self.workers.cancel_node(run)
        try:
            await self._settle_unfinished_runs()
        finally:
            os._exit(self._exit_code)

    def _drain_dead_writer(self) -> None:
        """Textual's output thread dies on its first write to a hung-up terminal; each later
        write would then wait forever for room in its queue. Take its place. (Textual's
        internals, looked up defensively: if they change, the watchdog still ends the app.)"""
        writer = getattr(getattr(self, "_driver", None), "_writer_thread", None)
        queue: Any = getattr(writer, "_queue", None)
        if not isinstance(writer, threading.Thread) or not hasattr(queue, "get"):
            return

        def drain() -> None:
            while writer.is_alive():
                time.sleep(0.05)
            while True:
                queue.get()

        threading.Thread(target=drain, name="geelark-drain", daemon=True).start()

    async def on_unmount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self._signals_handled:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        if self._previous_sighup is not None:
            with contextlib.suppress(Exception):
                signal.signal(signal.SIGHUP, self._previous_sighup)
        await self._settle_unfinished_runs()
        with contextlib.suppress(Exception):  # closing connections must not block the exit
            await self.context.aclose()

    async def _settle_unfinished_runs(self) -> None:
        """The app is ending with a run still going (quit at once, a signal's grace over, a
        crash, a hung-up terminal): Textual has cancelled its worker. Let it unwind (the
        session marks what was in flight `unknown`, the rest `not_sent`, and logs it); a
        session that could not unwind in time is settled and logged here."""
        pending = [r for r in self._runs if r not in self._settled]
        if not pending:
            return
        workers = [w for w in self.workers if w.node in pending]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + UNWIND_WAIT
        while (any(not w.is_finished for w in workers) and not self._hurry
               and loop.time() < deadline):
            await asyncio.sleep(0.02)
        for run in pending:
            self._settled.append(run)
            run.session.abandon(self._end_reason or "the app was closed during the run")


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
    """Point stdin, stdout and stderr at /dev/null: writes to a hung-up terminal fail, and
    Textual's writer thread would die on the first one and then block the app."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            with contextlib.suppress(OSError):
                os.dup2(null, fd)
        os.close(null)
