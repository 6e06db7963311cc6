"""RecentSets: the recent ID sets from the config, most recent first, with their last counts.
Enter loads one; r renames it (e.g. to a ticket number), delete removes it from the list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from geelark_tui.recentsets import RecentSet
from geelark_tui.words import OUTCOME_SYMBOLS

NBSP = "\u00a0"


def counts_text(counts: dict[str, int] | None) -> str:
    """``last run: ✔ 30  ✘ 8  ? 2`` (symbols as in the grid and the summary bar)."""
    if not counts:
        return "not run yet"
    parts = [f"{symbol}{NBSP}{counts[o.value]:,}" for o, symbol in OUTCOME_SYMBOLS.items()
             if counts.get(o.value)]
    return "last run: " + ("  ".join(parts) if parts else "nothing")


class RecentSets(OptionList):
    """Enter (or a click) on a set posts `RecentSets.Chosen`; r and delete `RecentSets.Edit`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rename", "Rename", id="recent.rename",
                tooltip="In the recent list: rename the set (e.g. to a ticket number)"),
        Binding("delete,d", "delete", "Delete", id="recent.delete",
                tooltip="In the recent list: remove the set (asks first)"),
    ]

    class Chosen(Message):
        """Load this set."""

        def __init__(self, recent: RecentSet) -> None:
            super().__init__()
            self.recent = recent

    class Edit(Chosen):
        """Rename this set (``what`` "rename") or remove it from the list ("delete")."""

        def __init__(self, recent: RecentSet, what: str) -> None:
            super().__init__(recent)
            self.what = what

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._sets: dict[str, RecentSet] = {}

    def set_sets(self, sets: Sequence[RecentSet]) -> None:
        self._sets = {r.key: r for r in sets}
        self.clear_options()
        if not sets:
            self.add_option(Option("No recent sets yet.", disabled=True))
            return
        for n, recent in enumerate(sets):
            when = recent.saved_at.astimezone().strftime("%Y-%m-%d %H:%M")
            if recent.is_auto_named:  # "40 IDs from 5743… · 2026-01-05": say it in two lines
                lines = [f"{len(recent.ids):,} IDs from {recent.ids[0]}", f"{when}"]
            else:
                lines = [recent.name, f"{len(recent.ids):,} IDs · {when}"]
            lines.append(f"{counts_text(dict(recent.last_counts))}")
            prompt = Text("\n".join(lines), overflow="ellipsis", no_wrap=True)
            if n:
                self.add_option(None)
            self.add_option(Option(prompt, id=recent.key))

    @property
    def current(self) -> RecentSet | None:
        """The set under the cursor."""
        if self.highlighted is None:
            return None
        return self._sets.get(self.get_option_at_index(self.highlighted).id or "")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        recent = self._sets.get(event.option.id or "")
        if recent is not None:
            self.post_message(self.Chosen(recent))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rename", "delete"):
            return self.current is not None
        return True

    def action_rename(self) -> None:
        if self.current is not None:
            self.post_message(self.Edit(self.current, "rename"))

    def action_delete(self) -> None:
        if self.current is not None:
            self.post_message(self.Edit(self.current, "delete"))
