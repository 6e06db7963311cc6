"""SummaryBar: the count per outcome and per code, in words, coloured like the result rows.

Colours come from the row style names of `geelark_tui.api.codes.row_style` (the only place that
decides them) through component classes styled in ``app.tcss``; every entry also carries a
symbol and words, so nothing depends on colour.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from geelark_tui.api.codes import ROW_STYLES, describe, row_style
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.report import OUTCOME_SYMBOLS

MEANING_WIDTH = 36
NBSP = "\u00a0"  # inside an entry, so a long summary wraps between entries only
OPTIONAL = frozenset({Outcome.SKIPPED})  # shown only when some ID has it


def outcome_style(outcome: Outcome) -> str:
    """The row style an outcome's total is shown in (rejected rows vary by code)."""
    return row_style(outcome.value, None)


def outcome_label(outcome: Outcome, count: int) -> str:
    return f"{OUTCOME_SYMBOLS[outcome]} {count} {outcome.value.replace('_', ' ')}"


def short_meaning(code: int) -> str:
    """The code's meaning without its parenthesis, cut at a word to fit a summary entry."""
    meaning = re.sub(r" \([^)]*\)", "", describe(code).meaning)
    if len(meaning) > MEANING_WIDTH:
        meaning = meaning[: MEANING_WIDTH].rsplit(" ", 1)[0].rstrip(",:;") + "…"
    return meaning


def code_label(code: int | None, count: int) -> str:
    label = "no code" if code is None else f"{code} {short_meaning(code)}"
    return f"{label}: {count}".replace(" ", NBSP)


class SummaryBar(Widget):
    """Outcome totals on the first line; with ``codes=True`` the totals per code below."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {f"summary--{name}" for name in ROW_STYLES}

    def __init__(self, *, codes: bool = True, total: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.show_codes = codes
        self.show_total = total
        self._outcomes: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
        self._codes: Counter[tuple[str, int | None]] = Counter()

    # -- data -------------------------------------------------------------------------------

    def show_counts(self, counts: Mapping[Outcome, int]) -> None:
        self._outcomes = {o: counts.get(o, 0) for o in Outcome}
        self.refresh(layout=True)

    def show_results(self, results: Iterable[IdResult]) -> None:
        outcomes: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
        codes: Counter[tuple[str, int | None]] = Counter()
        for result in results:
            outcomes[result.outcome] += 1
            codes[(row_style(result.outcome.value, result.code), result.code)] += 1
        self._outcomes, self._codes = outcomes, codes
        self.refresh(layout=True)

    @property
    def total(self) -> int:
        return sum(self._outcomes.values())

    def plain(self) -> str:
        return self.render().plain.replace(NBSP, " ")

    # -- drawing ----------------------------------------------------------------------------

    def _style(self, name: str) -> str:
        return str(self.get_component_rich_style(f"summary--{name}"))

    def render(self) -> Text:
        text = Text(no_wrap=False, overflow="fold")
        first = True
        for outcome, count in self._outcomes.items():
            if outcome in OPTIONAL and not count:
                continue
            if not first:
                text.append("   ")
            first = False
            text.append(outcome_label(outcome, count).replace(" ", NBSP),
                        self._style(outcome_style(outcome)))
        if self.show_total:
            text.append(f"   of {self.total:,} ID{'s' if self.total != 1 else ''}")
        if self.show_codes and self._codes:
            text.append("\nby code: ")
            order = {name: n for n, name in enumerate(ROW_STYLES)}
            entries = sorted(self._codes.items(),
                             key=lambda kv: (order.get(kv[0][0], 99), kv[0][1] or 0))
            for n, ((style, code), count) in enumerate(entries):
                if n:
                    text.append(" · ")
                text.append(code_label(code, count), self._style(style))
        return text
