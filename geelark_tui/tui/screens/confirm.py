"""Yes/no dialogs: the restart confirmation, and a generic one (stop, quit) to build on.

`YesNoScreen` returns a bool through `push_screen(screen, callback)`: `enter` confirms,
`escape` cancels. `RestartConfirmScreen` returns the run session to start (or None): with a
pre-flight it first has the session look every ID up with task/query (escape stops the
lookup), then says how many can be restarted and restarts only those unless the user includes
the rest on purpose (`a`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, ProgressBar, Static

from geelark_tui.api.codes import describe
from geelark_tui.tui import gc_policy
from geelark_tui.tui.base import AppModal
from geelark_tui.tui.widgets.id_stats import plural
from geelark_tui.tui.widgets.live_text import LiveText

if TYPE_CHECKING:
    from geelark_tui.plan import RunPlan
    from geelark_tui.preflight import Lookup
    from geelark_tui.session import RunSession

POLL_EVERY = 0.1  # seconds between repaints of the lookup's progress


class YesNoScreen(AppModal[bool]):
    """A question with the facts needed to answer it."""

    PALETTE_GROUP = "Dialog"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "answer(True)", "Confirm", id="ask.yes", priority=True,
                tooltip="Go ahead"),
        Binding("escape", "answer(False)", "Cancel", id="ask.no", tooltip="Go back"),
    ]

    def __init__(self, title: str, body: str, *, yes: str = "Yes", no: str = "Cancel",
                 warning: str = "", dialog_id: str = "ask") -> None:
        super().__init__(id=f"{dialog_id}-screen")
        self._title, self._body, self._warning = title, body, warning
        self._yes, self._no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="dialog-title", markup=False)
            yield Static(self._body, classes="dialog-body", markup=False)
            if self._warning:
                yield Static(self._warning, classes="dialog-warning", markup=False)
            yield from buttons(self._yes, self._no)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


def buttons(yes: str, no: str) -> ComposeResult:
    with Horizontal(classes="dialog-buttons"):
        ok = Button(f"{yes} (enter)", variant="primary", id="yes")
        cancel = Button(f"{no} (esc)", id="no")
        ok.can_focus = cancel.can_focus = False  # enter always confirms, escape cancels
        yield ok
        yield cancel


def plan_text(plan: RunPlan, demo: bool = False, *, preflight: bool = False) -> str:
    """The facts of a run: IDs, requests (lookups included), host, auth and pace."""
    s = plan.settings
    host = f"{plan.host} (DEMO: simulated API)" if demo else plan.host
    source = " from the environment" if plan.auth_source == "environment" else ""
    lookups = plural(plan.lookups, "lookup")
    if plan.lookup is not None and plan.lookup.stopped:
        requests = f"none: the pre-flight stopped after {plural(plan.lookup.requests, 'lookup')}"
    elif plan.lookup is not None:
        requests = (f"{plural(plan.requests, 'restart request')} of up to {s.batch_size} IDs"
                    f" (after {lookups})")
    elif preflight:
        requests = (f"{lookups}, then up to {plural(plan.requests, 'restart request')}"
                    f" of up to {s.batch_size} IDs")
    else:
        requests = f"{plural(plan.requests, 'restart request')} of up to {s.batch_size} IDs"
    return "\n".join([
        f"IDs:       {len(plan.ids):,}",
        f"Requests:  {requests}",
        f"API host:  {host}",
        f"Auth:      {plan.auth_label}{source}",
        f"Pace:      at most {s.per_minute} requests a minute, {s.concurrency} at a time",
    ])


def others_count(found: Lookup) -> int:
    """IDs a default run leaves out: waiting, running, completed, missing, undocumented
    (none to include on purpose after an account-level stop: nothing is sent then)."""
    return 0 if found.stopped else len(found.ids) - len(found.to_send(False))


def stopped_text(found: Lookup) -> str:
    """An account-level answer stopped the pre-flight: why, and what to do about it."""
    return (f"The API refused this account: {found.stop_reason}. Nothing will be restarted.\n"
            f"{describe(found.stop_code).hint}")


def preflight_text(plan: RunPlan) -> str:
    """What the pre-flight found, and what will therefore be sent."""
    found = plan.lookup
    if found is None:
        return ""
    lines = [f"Now: {found.groups_line()}."]
    if found.stopped:
        return "\n".join([*lines, stopped_text(found)])
    others = others_count(found)
    failed = found.groups()["lookup_failed"]
    if failed:
        reason = found.errors[0] if found.errors else "no answer"
        lines.append(f"Lookup failed for {plural(len(failed), 'ID')} ({reason}): they are "
                     "sent anyway, and the server decides.")
    if not others:
        return "\n".join(lines)
    if plan.include_all:
        lines.append(f"Restarting all {len(plan.ids):,}, the {others:,} that cannot be "
                     "restarted now included on purpose.")
    elif plan.to_send:
        lines.append(f"Restarting only the failed and cancelled: {others:,} skipped.")
    else:
        lines.append("None can be restarted now: only failed or cancelled tasks can be.")
    return "\n".join(lines)


class RestartConfirmScreen(AppModal["RunSession | None"]):
    """States the number of IDs and requests, the API host and the auth method; with a
    pre-flight, what each ID's task is doing now. Dismisses with the session to run."""

    PALETTE_GROUP = "Dialog"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "confirm", "Restart", id="ask.yes", priority=True,
                tooltip="Go ahead"),
        Binding("a", "include_all", "Include all", id="confirm.include_all",
                tooltip="Also restart the tasks that cannot be restarted now (on purpose)"),
        Binding("escape", "cancel", "Cancel", id="ask.no",
                tooltip="Go back (stops the lookup)"),
    ]

    def __init__(self, plan: RunPlan, *, demo: bool = False, preflight: bool = False) -> None:
        super().__init__(id="confirm-screen")
        self._plan = plan
        self._session: RunSession | None = None
        self.demo = demo
        # Look up first, unless the plan already carries a pre-flight.
        self.looking = preflight and plan.lookup is None
        self._preflight = preflight or plan.lookup is not None
        self._done = 0
        self._stopped = False
        self._confirmed = False

    @property
    def session(self) -> RunSession:
        if self._session is None:
            self._session = self.ctx.session(self._plan)
        return self._session

    @property
    def plan(self) -> RunPlan:
        return self._session.plan if self._session is not None else self._plan

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Static("", classes="dialog-title", id="confirm-title", markup=False)
            yield Static("", classes="dialog-body", id="confirm-body", markup=False)
            yield ProgressBar(total=max(len(self.plan.ids), 1), show_eta=False,
                              id="lookup-bar")
            yield LiveText(id="lookup-note")
            yield Static("", id="preflight", markup=False)
            include = Checkbox("", id="include-all", compact=True)
            include.can_focus = False  # `a` toggles it; enter always confirms
            yield include
            yield Static("", classes="dialog-warning", id="confirm-warning", markup=False)
            yield from buttons("Restart", "Cancel")

    def on_mount(self) -> None:
        self.show()
        gc_policy.hold_full_collections(self.session)  # the run starts here (or is cancelled)
        if self.looking:
            self.set_interval(POLL_EVERY, self._poll)
            self._look_up()

    def on_unmount(self) -> None:
        if not self._confirmed and self._session is not None:  # else the run holds on
            gc_policy.release_full_collections(self._session)
            gc_policy.collect_after_run()

    # -- the lookup -------------------------------------------------------------------------

    def _progress(self, done: int, total: int) -> None:
        self._done = done

    @work(exclusive=True, group="preflight", exit_on_error=False)
    async def _look_up(self) -> None:
        found = await self.session.look_up(on_progress=self._progress)
        if not self._stopped:
            self.found(found)

    def found(self, found: Lookup) -> None:
        """The pre-flight is in: show what it says."""
        self.looking = False
        self.show()

    def _poll(self) -> None:
        if not self.looking:
            return
        self.query_one("#lookup-bar", ProgressBar).update(progress=self._done)
        wait = self.ctx.pacer(self.plan.settings).wait_needed()
        note = (f"Waiting for the request budget: {wait:.0f} s" if wait >= 1 else
                f"{self._done:,} of {len(self.plan.ids):,} looked up")
        self.query_one("#lookup-note", LiveText).show(note)

    # -- painting ---------------------------------------------------------------------------

    def show(self) -> None:
        plan = self.plan
        n_send = len(plan.to_send)
        stopped = plan.lookup is not None and plan.lookup.stopped
        if self.looking:
            title = f"Looking up {plural(len(plan.ids), 'task')}…"
        elif stopped:
            title = "Pre-flight stopped: nothing can be restarted"
        elif n_send:
            title = f"Restart {plural(n_send, 'task')}?"
        else:
            title = "Nothing can be restarted now"
        self.query_one("#confirm-title", Static).update(title)
        self.query_one("#confirm-body", Static).update(
            plan_text(plan, self.demo, preflight=self._preflight))
        self.query_one("#preflight", Static).update(preflight_text(plan))
        others = others_count(plan.lookup) if plan.lookup is not None else 0
        include = self.query_one("#include-all", Checkbox)
        include.label = f"Include the {others:,} that cannot be restarted now (a)"
        with include.prevent(Checkbox.Changed):
            include.value = plan.include_all
        include.display = bool(others)
        warning = self._warning()
        box = self.query_one("#confirm-warning", Static)
        box.update(warning)
        box.display = bool(warning)
        self.set_class(self.looking, "-looking")
        self.set_class(plan.lookup is not None, "-looked-up")
        self.query_one("#yes", Button).disabled = self.looking or not n_send
        self.query_one("#yes", Button).display = not stopped
        self.refresh_bindings()

    def _warning(self) -> str:
        plan, parts = self.plan, []
        if self.looking:
            parts.append("Looking up each task's status first (escape stops).")
        if plan.unknown_resubmits:
            parts.append(f"{plural(plan.unknown_resubmits, 'ID')} had an unknown outcome: they "
                         "may have been restarted already, and every restart uses one of a "
                         "task's 5 retries.")
        if plan.include_all:
            parts.append("Waiting, running and completed tasks will most likely be refused "
                         "(48001), missing ones too (48002).")
        return "\n".join(parts)

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        found = self.plan.lookup
        if action == "include_all":
            return found is not None and bool(others_count(found))
        if action == "confirm":  # after an account-level stop there is nothing to confirm
            return found is None or not found.stopped
        return True

    def action_confirm(self) -> None:
        if self.plan.lookup is not None and self.plan.lookup.stopped:
            self.notify(stopped_text(self.plan.lookup), title="Pre-flight stopped",
                        severity="error")
            return
        if self.looking:
            self.notify("Still looking the tasks up: wait a moment, or press escape.",
                        title="Pre-flight")
            return
        if not self.plan.to_send:
            self.notify("None of these tasks can be restarted now. Press a to include them "
                        "anyway, or escape.", title="Nothing to restart", severity="warning")
            return
        self._confirmed = True
        self.dismiss(self.session)

    def action_include_all(self) -> None:
        include = self.query_one("#include-all", Checkbox)
        include.value = not include.value  # on_checkbox_changed does the rest

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "include-all":
            self.session.choose(include_all=event.value)
            self.show()

    def action_cancel(self) -> None:
        self._stopped = True
        if self._session is not None:
            self._session.stop("cancelled before the run")
        self.workers.cancel_group(self, "preflight")
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            self.action_confirm()
        else:
            self.action_cancel()
