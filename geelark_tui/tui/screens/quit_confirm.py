"""Asked before quitting while a run is going on."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Static

from geelark_tui.tui.screens.yes_no import YesNoScreen

RECOUNT_EVERY = 0.5  # seconds: the run goes on behind the question


def quit_text(done: int, total: int, logged: bool) -> str:
    where = ("The run is written to the run log." if logged
             else "Demo runs are not written to the run log.")
    return (f"{done:,} of {total:,} IDs have an outcome so far.\n"
            "Quitting stops the run: requests already sent are waited for, the rest are not "
            f"sent. {where}")


class QuitConfirmScreen(YesNoScreen):
    """`count()`: the IDs with an outcome now, of how many (asked again while the question is
    open: the run goes on behind it)."""

    def __init__(self, count: Callable[[], tuple[int, int]], *, logged: bool = True) -> None:
        super().__init__("Quit while restarting?", quit_text(*count(), logged),
                         yes="Stop and quit", no="Keep running", dialog_id="quit")
        self._count, self._logged = count, logged

    def on_mount(self) -> None:
        self.set_interval(RECOUNT_EVERY, self._recount)

    def _recount(self) -> None:
        body = self.query_one(".dialog-body", Static)
        body.update(quit_text(*self._count(), self._logged))
