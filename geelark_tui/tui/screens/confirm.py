"""Yes/no dialogs: the restart confirmation, and a generic one (stop, quit) to build on.

`YesNoScreen` returns a bool through `push_screen(screen, callback)`: `enter` confirms,
`escape` cancels. `RestartConfirmScreen` returns the run session to start (or None): with a
pre-flight it first has the session look every ID up with task/query (escape stops the
lookup), then says how many can be restarted and restarts only those unless the user includes
the rest on purpose (`a`). Enter pressed while the lookup is still going is kept, and said
so: the run starts as soon as the lookup is in (unless it shows nothing can be restarted).
The text scrolls between the title and the buttons, so the buttons are never cut off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Footer, ProgressBar, Static

from geelark_tui.api.codes import describe
from geelark_tui.tui.base import AppModal, AppScreen
from geelark_tui.tui.widgets.id_stats import plural
from geelark_tui.tui.widgets.tick_box import TickBox

if TYPE_CHECKING:
    from geelark_tui.ids import IgnoredToken
    from geelark_tui.plan import RunPlan
    from geelark_tui.preflight import Lookup
    from geelark_tui.session import RunSession
    from geelark_tui.tui.screens.results_actions import ResultActions

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
        yield Footer(compact=True)

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
        f"IDs:       {ids_line(plan)}",
        f"Requests:  {requests}",
        f"API host:  {host}",
        f"Auth:      {plan.auth_label}{source}",
        f"Pace:      at most {s.per_minute} requests a minute, {s.concurrency} at a time",
    ])


def ids_line(plan: RunPlan) -> str:
    """``9 · 1 duplicate dropped · 2 tokens ignored`` (the last chance to notice them), or
    ``3, the selected rows`` for a retry."""
    parts = [f"{len(plan.ids):,}" + (f", {plan.scope}" if plan.scope else "")]
    if plan.duplicates:
        parts.append(f"{plural(plan.duplicates, 'duplicate')} dropped")
    if plan.ignored:
        parts.append(f"{plural(plan.ignored, 'token')} ignored")
    return " · ".join(parts)


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
    elif plan.cancel_active and plan.active:
        rest = others - len(plan.active)
        lines.append(f"Cancelling the {len(plan.active):,} waiting or running first, then "
                     "restarting them with the failed and cancelled"
                     + (f": {rest:,} skipped." if rest else "."))
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
                tooltip="Go ahead (during the lookup: as soon as it is in)"),
        Binding("a", "include_all", "Include all", id="confirm.include_all",
                tooltip="Also restart the tasks that cannot be restarted now (on purpose)"),
        Binding("x", "cancel_active", "Cancel stuck", id="confirm.cancel_active",
                tooltip="Cancel the waiting and running tasks first, then restart them"),
        Binding("ctrl+t", "show_ignored", "Ignored", id="confirm.ignored",
                tooltip="List the tokens of the text that were not read as IDs"),
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
        self.confirm_pending = False  # enter was pressed during the lookup

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
            with VerticalScroll(id="confirm-text"):  # focused: the arrow keys scroll it
                yield Static("", classes="dialog-body", id="confirm-body", markup=False)
                yield ProgressBar(total=max(len(self.plan.ids), 1), show_eta=False,
                                  id="lookup-bar")
                yield Static("", id="lookup-note", markup=False)
                yield Static("", id="preflight", markup=False)
                for box_id in ("cancel-active", "include-all"):
                    box = TickBox("", id=box_id, compact=True)
                    box.can_focus = False  # `x` and `a` toggle them; enter always confirms
                    yield box
                yield Static("", classes="dialog-warning", id="confirm-warning", markup=False)
            yield from buttons("Restart", "Cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.show()
        self.query_one("#confirm-text").focus()
        if self.looking:
            self.set_interval(POLL_EVERY, self._poll)
            self._look_up()

    # -- the lookup -------------------------------------------------------------------------

    def _progress(self, done: int, total: int) -> None:
        self._done = done

    @work(exclusive=True, group="preflight", exit_on_error=False)
    async def _look_up(self) -> None:
        found = await self.session.look_up(on_progress=self._progress)
        if not self._stopped:
            self.found(found)

    def found(self, found: Lookup) -> None:
        """The pre-flight is in: show what it says; an enter pressed meanwhile starts the
        run now, unless the lookup shows there is nothing to restart."""
        self.looking = False
        self.show()
        if self.confirm_pending:
            self.confirm_pending = False
            self.action_confirm()

    def _poll(self) -> None:
        if not self.looking:
            return
        self.query_one("#lookup-bar", ProgressBar).update(progress=self._done)
        wait = self.ctx.pacer(self.plan.settings).wait_needed()
        note = (f"Waiting for the request budget: {wait:.0f} s" if wait >= 1 else
                f"{self._done:,} of {len(self.plan.ids):,} looked up")
        if self.confirm_pending:
            note += " · enter pressed: restarting as soon as the lookup is in"
        self.query_one("#lookup-note", Static).update(note)

    # -- painting ---------------------------------------------------------------------------

    def show(self) -> None:
        plan = self.plan
        n_send = len(plan.planned)
        stopped = plan.lookup is not None and plan.lookup.stopped
        if self.looking and self.confirm_pending:
            title = f"Restart once the lookup of {plural(len(plan.ids), 'task')} is in…"
        elif self.looking:
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
        stuck = len(plan.active)
        cancel = self.query_one("#cancel-active", Checkbox)
        cancel.label = f"Cancel the {stuck:,} waiting or running, restart them too (x)"
        with cancel.prevent(Checkbox.Changed):
            cancel.value = plan.cancel_active
        cancel.display = bool(stuck)
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
        if self.looking and self.confirm_pending:
            parts.append("Enter pressed: the restart starts as soon as the lookup is in, "
                         "with what it finds (escape cancels).")
        elif self.looking:
            parts.append("Looking up each task's status first (escape stops; enter now "
                         "restarts once it is in).")
        if plan.unknown_resubmits:
            one = plan.unknown_resubmits == 1
            parts.append(f"{plural(plan.unknown_resubmits, 'ID')} had an unknown outcome: "
                         f"{'it' if one else 'they'} may have been restarted already, and "
                         "every restart uses one of a task's 5 retries.")
        if plan.cancel_active and plan.active:
            parts.append(f"{plural(len(plan.active), 'waiting or running task')} will be "
                         "cancelled with task/cancel (in the same budget), then restarted with "
                         "the rest: what they are doing now is stopped.")
        if plan.include_all:
            parts.append("Waiting, running and completed tasks will most likely be refused "
                         "(48001), missing ones too (48002).")
        return "\n".join(parts)

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        found = self.plan.lookup
        if action == "include_all":
            return found is not None and bool(others_count(found))
        if action == "cancel_active":
            return bool(self.plan.active)
        if action == "confirm":  # after an account-level stop there is nothing to confirm
            return found is None or not found.stopped
        if action == "show_ignored":
            return bool(self.plan.ignored)
        return True

    def action_confirm(self) -> None:
        if self.plan.lookup is not None and self.plan.lookup.stopped:
            self.notify(stopped_text(self.plan.lookup), title="Pre-flight stopped",
                        severity="error")
            return
        if self.looking:
            self.confirm_pending = True
            self.show()
            self._poll()
            return
        if not self.plan.planned:
            self.notify("None of these tasks can be restarted now. Press a to include them "
                        "anyway, or escape.", title="Nothing to restart", severity="warning")
            return
        self.dismiss(self.session)

    def action_show_ignored(self) -> None:
        from geelark_tui.tui.screens.ignored import IgnoredScreen

        self.app.push_screen(IgnoredScreen(self.plan.invalid, self.plan.ignored))

    def action_include_all(self) -> None:
        include = self.query_one("#include-all", Checkbox)
        include.value = not include.value  # on_checkbox_changed does the rest

    def action_cancel_active(self) -> None:
        cancel = self.query_one("#cancel-active", Checkbox)
        cancel.value = not cancel.value

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id in ("include-all", "cancel-active"):
            if event.checkbox.id == "include-all":
                self.session.choose(include_all=event.value)
            else:
                self.session.choose(cancel_active=event.value)
            self.show()
            # Its warning is at the end: on a small screen, bring it into view.
            self.call_after_refresh(self.query_one("#confirm-text").scroll_end, animate=False)

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


def ask_to_restart(screen: AppScreen[Any], ids: tuple[str, ...],
                   invalid: tuple[IgnoredToken, ...] = (), *, duplicates: int = 0,
                   ignored_total: int = 0, unknown_resubmits: int = 0, scope: str = "",
                   set_key: str | None = None, into: ResultActions | None = None,
                   open_settings: bool = True, cancel_active: bool = False) -> None:
    """Plan a restart of `ids` from `screen` and ask first (with the pre-flight when it is
    on); a confirmed run starts (and its results go `into` that results screen, when given).
    When the connection is not ready, say why (and, with `open_settings`, open Settings).
    The other fields are `AppContext.plan`'s."""
    from geelark_tui.connection import ConnectionConfigError

    ctx = screen.ctx
    try:
        plan = ctx.plan(ids, invalid, duplicates=duplicates, ignored_total=ignored_total,
                        unknown_resubmits=unknown_resubmits, scope=scope, set_key=set_key,
                        cancel_active=cancel_active)
    except ConnectionConfigError as exc:
        screen.notify(str(exc), title="Not ready to connect", severity="error")
        if open_settings:
            screen.gapp.action_settings()
        return
    screen.app.push_screen(
        RestartConfirmScreen(plan, demo=ctx.demo, preflight=plan.preflight),
        lambda session: screen.gapp.start_run(session, into=into) if session else None)
