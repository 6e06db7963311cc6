"""Asked before quitting while a run is going on."""

from __future__ import annotations

from geelark_tui.tui.screens.yes_no import YesNoScreen


class QuitConfirmScreen(YesNoScreen):
    def __init__(self, done: int, total: int) -> None:
        super().__init__(
            "Quit while restarting?",
            f"{done:,} of {total:,} IDs have an outcome so far.\n"
            "Quitting stops the run: requests already sent are waited for, the rest are not "
            "sent. The run is written to the run log.",
            yes="Stop and quit", no="Keep running", dialog_id="quit",
        )
