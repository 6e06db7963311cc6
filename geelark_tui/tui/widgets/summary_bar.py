"""SummaryBar: the count per outcome and per code, in words, coloured like the result rows.

Colours come from the row style names of `geelark_tui.api.codes.row_style` (the only place that
decides them) through the outcome component classes (`outcome_classes`) the results grid's rows
use too, styled once in ``app.tcss``; every entry also carries a symbol and words, so nothing
depends on colour.

On the results screen it is compact: at most `MAX_LINES` lines, the outcomes first, then the
codes behind what was not restarted, most frequent first. What does not fit is never cut
silently: the last entry says how many codes are left ("+3 more codes (g)": the code
filter cycles through them all).
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

from geelark_tui.api.codes import describe, row_style
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.report import tally
from geelark_tui.tracker import outcome_word
from geelark_tui.tui.widgets.outcome_classes import OUTCOME_CLASSES, outcome_class
from geelark_tui.words import OUTCOME_SYMBOLS

MEANING_WIDTH = 24
OPTIONAL = frozenset({Outcome.SKIPPED})  # shown only when some ID has it
MAX_LINES = 2
Segment = tuple[str, str]  # (text, row style name, "" for none)
Entry = tuple[str, list[Segment]]  # (gap before it on the same line, its segments)


def outcome_style(outcome: Outcome) -> str:
    """The row style an outcome's total is shown in (rejected rows vary by code)."""
    return row_style(outcome.value, None)


def outcome_label(outcome: Outcome, count: int) -> str:
    return f"{OUTCOME_SYMBOLS[outcome]} {count:,} {outcome_word(outcome)}"


def short_meaning(code: int) -> str:
    """The code's meaning without its parenthesis, cut at a word to fit a summary entry."""
    meaning = re.sub(r" \([^)]*\)", "", describe(code).meaning)
    if len(meaning) > MEANING_WIDTH:
        meaning = meaning[: MEANING_WIDTH].rsplit(" ", 1)[0].rstrip(",:;") + "…"
    return meaning


def code_label(code: int | None, count: int, meaning: bool = True) -> str:
    """``48002 task does not exist: 3`` (``48002: 3`` without the meaning); rows refused
    without a code say so."""
    if code is None:
        label = "rejected without a code"
    else:
        label = f"{code} {short_meaning(code)}" if meaning else str(code)
    return f"{label}: {count:,}"


def more_label(count: int) -> str:
    return f"+{count:,} more code{'s' if count != 1 else ''} (g)"


class SummaryBar(Widget):
    """Outcome totals; with ``codes=True`` the codes behind what was not restarted, and with
    ``zeros=False`` only the outcomes some ID has (restarted always)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(OUTCOME_CLASSES)

    def __init__(self, *, codes: bool = True, total: bool = True, zeros: bool = True,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.show_codes = codes
        self.show_total = total
        self.show_zeros = zeros
        self._outcomes: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
        self._codes: Counter[int | None] = Counter()
        self._code_styles: dict[int | None, str] = {}
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
        codes: Counter[int | None] = Counter()
        styles: dict[int | None, str] = {}
        for (outcome, code), count in counted.items():
            outcomes[outcome] += count
            if outcome is Outcome.RESTARTED:
                continue  # "0 success" says nothing the outcome does not
            if code is None and outcome is not Outcome.REJECTED:
                continue  # not sent, unknown, skipped: the outcome's count says it
            codes[code] += count
            styles.setdefault(code, row_style(outcome.value, code))
        self._outcomes, self._codes, self._code_styles = outcomes, codes, styles
        self.refresh(layout=True)

    @property
    def total(self) -> int:
        return sum(self._outcomes.values())

    def plain(self) -> str:
        return self.render().plain

    # -- drawing ----------------------------------------------------------------------------

    def _style(self, name: str) -> str:
        return str(self.get_component_rich_style(outcome_class(name)))

    def outcome_entries(self) -> list[Entry]:
        entries: list[Entry] = []
        for outcome, count in self._outcomes.items():
            hidden = outcome in OPTIONAL or (not self.show_zeros
                                             and outcome is not Outcome.RESTARTED)
            if hidden and not count:
                continue
            entries.append(("  ", [(outcome_label(outcome, count), outcome_style(outcome))]))
        if self.show_total:
            total = self.total
            entries.append(("  ", [(f"of {total:,} ID{'s' if total != 1 else ''}", "")]))
        return entries

    def code_segments(self, meaning: bool = True) -> list[Segment]:
        if not self.show_codes:
            return []
        ranked = sorted(self._codes.items(), key=lambda kv: (-kv[1], kv[0] or 0))
        return [(code_label(code, count, meaning), self._code_styles[code])
                for code, count in ranked]

    @staticmethod
    def _flow(entries: list[Entry], width: int) -> list[list[Entry]]:
        """Entries in lines of ``width`` cells; a line breaks between entries only, and
        always before an entry whose gap is a line break."""
        lines: list[list[Entry]] = [[]]
        column = 0
        for gap, segments in entries:
            size = sum(cell_len(text) for text, _ in segments)
            if column and (gap == "\n" or column + len(gap) + size > width):
                lines.append([])
                column = 0
            gap = gap if column else ""
            lines[-1].append((gap, segments))
            column += len(gap) + size
        return lines

    def layout_lines(self, width: int) -> list[list[Entry]]:
        """The entries of each line at ``width`` cells: outcomes, then on a line of their own
        "by code:" and the codes, in MAX_LINES lines in all (at least one for the codes):
        with their meanings when all fit so, else as numbers, as many as fit, "+N more"."""
        outcomes = self.outcome_entries()
        lines = self._flow(outcomes, width)
        budget = max(MAX_LINES, len(lines) + 1)
        named, numbers = self.code_segments(), self.code_segments(meaning=False)
        if not named:
            return lines
        for codes, least in ((named, len(named)), (numbers, 0)):
            for shown in range(len(codes), least - 1, -1):
                tail = [(more_label(len(codes) - shown), "")] if shown < len(codes) else []
                kept = [*codes[:shown], *tail]
                entries = [*outcomes, ("\n", [("by code: ", ""), kept[0]]),
                           *((" · ", [segment]) for segment in kept[1:])]
                lines = self._flow(entries, width)
                if len(lines) <= budget:
                    return lines
        return lines

    def render(self) -> Text:
        return self._text(self.content_region.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.layout_lines(width or 1_000_000))

    def _text(self, width: int) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, line in enumerate(self.layout_lines(width or 1_000_000)):
            if n:
                text.append("\n")
            for gap, segments in line:
                text.append(gap)
                for segment, style in segments:
                    text.append(segment, self._style(style) if style else "")
        return text
