"""What the results screen shows and acts on: the row filter (outcome, code, STATUS, text) and
the scope of an action (the selection, else the rows shown, else every row). Plain logic for
the screen; the grid does the filtering."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from geelark_tui.api.codes import describe
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.tracker import outcome_word
from geelark_tui.words import plural

T = TypeVar("T")
NO_FILTER = object()


def code_name(code: int | None) -> str:
    return "no code" if code is None else f"{code} {describe(code).meaning}"


def next_in(cycle: Sequence[T], current: T) -> T:
    """The entry after ``current`` in ``cycle`` (the first when it is not there)."""
    at = cycle.index(current) if current in cycle else 0
    return cycle[(at + 1) % len(cycle)]


@dataclass
class RowFilter:
    """Each part narrows the rows shown; None (NO_FILTER for the code) leaves it open."""

    outcome: Outcome | None = None
    code: object = NO_FILTER  # an int code, None ("no code") or NO_FILTER
    status: str | None = None  # what the STATUS column says
    text: str = ""

    def words(self) -> str:
        parts = []
        if self.outcome is not None:
            parts.append(f"outcome {outcome_word(self.outcome)}")
        if self.code is not NO_FILTER:
            parts.append(code_name(self.code))  # type: ignore[arg-type]
        if self.status is not None:
            parts.append(f"status {self.status}")
        if self.text:
            parts.append(f'"{self.text}"')
        return ", ".join(parts)

    @property
    def active(self) -> bool:
        return bool(self.words())

    def grid_args(self) -> dict[str, object]:
        return {"outcomes": None if self.outcome is None else {self.outcome},
                "codes": None if self.code is NO_FILTER else {self.code},
                "statuses": None if self.status is None else {self.status},
                "text": self.text}


@dataclass(frozen=True)
class Scope:
    """The rows an action takes, and how to say which."""

    rows: list[IdResult]
    kind: str  # "selected", "shown" or "all"
    hidden: int = 0  # selected rows the filter hides

    def phrase(self, noun: str = "ID") -> str:
        """"the 3 selected IDs", "the 6 IDs shown", "all 9 IDs"."""
        n = len(self.rows)
        if self.kind == "selected":
            text = f"the {n:,} selected {noun if n == 1 else noun + 's'}"
            return text + (f" ({self.hidden:,} hidden by the filter)" if self.hidden else "")
        if self.kind == "shown":
            return f"the {plural(n, noun)} shown"
        return f"all {plural(n, noun)}" if n != 1 else f"the only {noun}"

    def which(self) -> str:
        """For a run's plan: "the selected rows", "the rows shown", "every row"."""
        return {"selected": "the selected rows", "shown": "the rows shown"}.get(
            self.kind, "every row")
