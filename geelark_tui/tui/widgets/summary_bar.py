"""SummaryBar: the count per outcome and per code, in words, coloured like the result rows.

Colours come from the row style names of `geelark_tui.api.codes.row_style` (the only place that
decides them) through the outcome component classes (`outcome_classes`) the results grid's rows
use too, styled once in ``app.tcss``; every entry also carries a symbol and words, so nothing
depends on colour.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from geelark_tui.api.codes import ROW_STYLES, describe, row_style
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.report import OUTCOME_SYMBOLS, tally
from geelark_tui.tui.widgets.outcome_classes import OUTCOME_CLASSES, outcome_class

MEANING_WIDTH = 36
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
    return f"{label}: {count}"


class SummaryBar(Widget):
    """Outcome totals on the first line; with ``codes=True`` the totals per code below."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(OUTCOME_CLASSES)

    def __init__(self, *, codes: bool = True, total: bool = True, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.show_codes = codes
        self.show_total = total
        self._outcomes: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
        self._codes: Counter[tuple[str, int | None]] = Counter()
        self._lines = -1  # line breaks at the last `show_counts`

    # -- data -------------------------------------------------------------------------------

    def show_counts(self, counts: Mapping[Outcome, int]) -> None:
        """Live counts (ten times a second): the screen is laid out again only when the
        number of lines changes."""
        self._outcomes = {o: counts.get(o, 0) for o in Outcome}
        lines = self._text(self.content_region.width).plain.count("\n")
        self.refresh(layout=lines != self._lines)
        self._lines = lines

    def show_results(self, results: Iterable[IdResult]) -> None:
        self.show_tally(tally(results))

    def show_tally(self, counted: Mapping[tuple[Outcome, int | None], int]) -> None:
        """Counts per (outcome, code), from `report.tally` (done off the event loop for a
        large run)."""
        outcomes: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
        codes: Counter[tuple[str, int | None]] = Counter()
        for (outcome, code), count in counted.items():
            outcomes[outcome] += count
            codes[(row_style(outcome.value, code), code)] += count
        self._outcomes, self._codes = outcomes, codes
        self.refresh(layout=True)

    @property
    def total(self) -> int:
        return sum(self._outcomes.values())

    def plain(self) -> str:
        return self.render().plain

    # -- drawing ----------------------------------------------------------------------------

    def _style(self, name: str) -> str:
        return str(self.get_component_rich_style(outcome_class(name)))

    def lines(self) -> list[list[tuple[str, str, str]]]:
        """(gap before it, text, row style name) per entry, per line: outcomes, then codes."""
        first: list[tuple[str, str, str]] = []
        for outcome, count in self._outcomes.items():
            if outcome in OPTIONAL and not count:
                continue
            first.append(("   ", outcome_label(outcome, count), outcome_style(outcome)))
        if self.show_total:
            first.append(("   ", f"of {self.total:,} ID{'s' if self.total != 1 else ''}", ""))
        lines = [first]
        if self.show_codes and self._codes:
            order = {name: n for n, name in enumerate(ROW_STYLES)}
            entries = sorted(self._codes.items(),
                             key=lambda kv: (order.get(kv[0][0], 99), kv[0][1] or 0))
            codes = [(" · ", code_label(code, count), style) for (style, code), count in entries]
            codes[0] = (" ", *codes[0][1:])
            lines.append([("", "by code:", ""), *codes])
        if first:
            first[0] = ("", *first[0][1:])
        return lines

    def render(self) -> Text:
        return self._text(self.content_region.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._text(width).plain.count("\n") + 1

    def _text(self, width: int) -> Text:
        """Lines break between entries only: an entry never splits over two lines (Rich would
        wrap at any space, the non-breaking ones included)."""
        width = width or 1_000_000
        text = Text(no_wrap=True, overflow="fold")
        for n, line in enumerate(self.lines()):
            if n:
                text.append("\n")
            if sum(len(gap) + cell_len(entry) for gap, entry, _ in line) > width:
                line = [(gap.replace("   ", "  "), entry, style) for gap, entry, style in line]
            column = 0
            for gap, entry, style in line:
                size = cell_len(entry)
                if column and column + len(gap) + size > width:
                    text.append("\n")
                    column, gap = 0, ""
                text.append(gap)
                text.append(entry, self._style(style) if style else "")
                column += len(gap) + size
        return text
