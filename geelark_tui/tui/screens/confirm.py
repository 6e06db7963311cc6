"""The restart confirmation, and `ask_to_restart`, the one way every screen asks for a run.

`RestartConfirmScreen` returns the run session to start (or None): with a
pre-flight it first has the session look every ID up with task/query (escape stops the
lookup), then says how many can be restarted and restarts only those unless the user includes
the rest on purpose (`a`). Enter pressed while the lookup is still going is kept, and said
so: the run starts as soon as the lookup is in (unless it shows nothing can be restarted).
The text scrolls between the title and the buttons, so the buttons are never cut off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, ProgressBar, Static

from geelark_tui.tui import gc_policy
from geelark_tui.tui.base import AppModal, AppScreen
from geelark_tui.tui.screens.confirm_text import (
    left_out_count,
    plan_text,
    preflight_text,
    stopped_text,
)
from geelark_tui.tui.screens.yes_no import buttons
from geelark_tui.tui.widgets.key_footer import KeyFooter
from geelark_tui.tui.widgets.live_text import LiveText
from geelark_tui.tui.widgets.tick_box import TickBox
from geelark_tui.words import plural

if TYPE_CHECKING:
    from geelark_tui.ids import IgnoredToken
    from geelark_tui.plan import RunPlan
    from geelark_tui.preflight import Lookup
    from geelark_tui.session import RunSession
    from geelark_tui.tui.screens.results_actions import ResultActions

POLL_EVERY = 0.1  # seconds between repaints of the lookup's progress


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
            with VerticalScroll(id="confirm-text"):  # focused: the arrow keys scroll it
                yield Static("", classes="dialog-body", id="confirm-body", markup=False)
                yield ProgressBar(total=max(len(self.plan.ids), 1), show_eta=False,
                                  id="lookup-bar")
                yield LiveText(id="lookup-note")
                yield Static("", id="preflight", markup=False)
                for box_id in ("cancel-active", "include-all"):
                    box = TickBox("", id=box_id, compact=True)
                    box.can_focus = False  # `x` and `a` toggle them; enter always confirms
                    yield box
                yield Static("", classes="dialog-warning", id="confirm-warning", markup=False)
            yield from buttons("Restart", "Cancel")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.show()
        self.query_one("#confirm-text").focus()
        gc_policy.hold_full_collections(self.session)  # the run starts here (or is cancelled)
        if self.looking:
            self.set_interval(POLL_EVERY, self._poll)
            self.call_after_refresh(self._look_up)  # the dialog is laid out undisturbed first

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
        self.query_one("#lookup-note", LiveText).show(note)

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
        others = left_out_count(plan)
        include = self.query_one("#include-all", Checkbox)
        include.label = (f"Include the {others:,} that cannot be restarted now (a)" if others
                         else "Include all (a): nothing left out, the stuck ones cancelled")
        with include.prevent(Checkbox.Changed):
            include.value = plan.include_all
        include.display = bool(others) or plan.include_all
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
        # `display` on the widgets, not a class on the screen: a class restyles every widget
        # of the dialog (10-18 ms each here, two as the lookup comes in).
        self.query_one("#lookup-bar").display = self.looking
        self.query_one("#lookup-note").display = self.looking
        self.query_one("#preflight").display = plan.lookup is not None
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
            refused = ("Completed tasks" if plan.cancel_active and plan.active
                       else "Waiting, running and completed tasks")
            parts.append(f"{refused} will most likely be refused (48001), missing ones too "
                         "(48002).")
        return "\n".join(parts)

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        found = self.plan.lookup
        if action == "include_all":
            return found is not None and (bool(left_out_count(self.plan))
                                          or self.plan.include_all)
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
        self._confirmed = True
        self.dismiss(self.session)

    def on_paste(self, event: events.Paste) -> None:
        """A paste has no place here: say so rather than drop it."""
        event.stop()
        self.notify("This is the confirmation: escape goes back to the ID box, where a paste "
                    "adds IDs (the paste was not used).", title="Paste", severity="warning")

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
