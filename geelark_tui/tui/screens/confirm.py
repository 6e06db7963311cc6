"""Yes/no dialogs: the restart confirmation, and a generic one (stop, quit) to build on.

They return a bool through `push_screen(screen, callback)`: `enter` confirms, `escape` cancels.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from geelark_tui.tui.base import AppModal
from geelark_tui.tui.context import RunPlan
from geelark_tui.tui.widgets.id_stats import plural


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
            with Horizontal(classes="dialog-buttons"):
                yes = Button(f"{self._yes} (enter)", variant="primary", id="yes")
                no = Button(f"{self._no} (esc)", id="no")
                yes.can_focus = no.can_focus = False  # enter always confirms, escape cancels
                yield yes
                yield no

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


def plan_text(plan: RunPlan, demo: bool = False) -> str:
    s = plan.settings
    host = f"{plan.host} (DEMO: simulated API)" if demo else plan.host
    source = " from the environment" if plan.auth_source == "environment" else ""
    return "\n".join([
        f"IDs:       {len(plan.ids):,}",
        f"Requests:  {plural(plan.requests, 'restart request')} of up to {s.batch_size} IDs",
        f"API host:  {host}",
        f"Auth:      {plan.auth_label}{source}",
        f"Pace:      at most {s.per_minute} requests a minute, {s.concurrency} at a time",
    ])


class RestartConfirmScreen(YesNoScreen):
    """States the number of IDs and requests, the API host and the auth method."""

    def __init__(self, plan: RunPlan, *, demo: bool = False) -> None:
        warning = ""
        if plan.unknown_resubmits:
            warning = (f"{plural(plan.unknown_resubmits, 'ID')} had an unknown outcome: they may "
                       "have been restarted already, and every restart uses one of a task's "
                       "5 retries.")
        super().__init__(f"Restart {plural(len(plan.ids), 'task')}?", plan_text(plan, demo),
                         yes="Restart", warning=warning, dialog_id="confirm")
        self.plan = plan
