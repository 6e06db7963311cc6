"""The results grid's columns: what each says for a result, how wide each is, how rows sort.

Plain text in, plain text out: the grid (`results_grid.py`) adds the styles. Meanings and
hints come from `api.codes` and `report`, never from here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

from geelark_tui.api.codes import describe
from geelark_tui.api.models import IdResult, Outcome, TaskStatus
from geelark_tui.report import hint_for
from geelark_tui.tracker import outcome_word
from geelark_tui.tui.line_fit import fit
from geelark_tui.words import OUTCOME_SYMBOLS

SortColumn = Literal["input", "id", "outcome", "status", "code", "meaning"]
SORT_CYCLE: tuple[SortColumn, ...] = ("input", "id", "outcome", "status", "code", "meaning")
MARK_W, OUTCOME_W, CODE_W = 2, 12, 6  # each width includes the one-cell gap after the text
STATUS_W = 14  # the STATUS column, shown once a lookup has told the tasks' statuses
ID_MIN, ID_MAX = 6, 24
# MEANING is shown only when it and NEXT STEP both get this many cells; on a narrower line
# NEXT STEP takes the room (the detail pane says the meaning of the row under the cursor).
NEXT_STEP_MIN = 22
_OUTCOME_ORDER = {outcome: n for n, outcome in enumerate(Outcome)}
_NO_CODE = 1 << 62  # rows without a code sort after every code
_fold = lru_cache(maxsize=4096)(str.casefold)  # repeated meanings share one folded string
# A status in words, once per status: filtering or sorting 100,000 rows by STATUS asks often.
status_word = lru_cache(maxsize=64)(TaskStatus.label)


def meaning_of(result: IdResult) -> str:
    """The MEANING column: the code's meaning, or the message when there is no code."""
    return describe(result.code).meaning if result.code is not None else result.message


def status_label(result: IdResult) -> str:
    """The STATUS column: the task's status from the latest lookup, "—" when none said."""
    return "—" if result.status is None else status_word(result.status)


def outcome_label(result: IdResult) -> str:
    return f"{OUTCOME_SYMBOLS[result.outcome]} {outcome_word(result.outcome)}"


def status_sort_key(result: IdResult, text: str) -> tuple[int, str]:
    """STATUS sorts by the task status (waiting first, "—" last), then by what it says."""
    return (_NO_CODE if result.status is None else result.status, text)


SORT_KEYS: dict[str, Callable[[IdResult], Any]] = {
    # Numeric IDs compare as numbers (zero-padded to the longest valid ID) and before others.
    "id": lambda r: r.id.zfill(ID_MAX) if r.id.isdigit() else r.id,
    "outcome": lambda r: _OUTCOME_ORDER[r.outcome],
    "code": lambda r: _NO_CODE if r.code is None else r.code,
    "meaning": lambda r: _fold(meaning_of(r)),
}


def column_widths(width: int, longest_id: int, show_status: bool) -> tuple[int, int, int]:
    """Cells for ID, MEANING and NEXT STEP (0: hidden) in a line `width` cells wide."""
    id_w = max(ID_MIN, min(longest_id, ID_MAX)) + 1
    rest = width - MARK_W - id_w - OUTCOME_W - CODE_W - STATUS_W * show_status
    if rest < 2 * NEXT_STEP_MIN + 1:
        return id_w, 0, max(rest, 0)
    meaning_w = rest * 9 // 20
    return id_w, meaning_w, rest - meaning_w


def header_text(width: int, longest_id: int, show_status: bool, sort: SortColumn,
                reverse: bool) -> str:
    """The header line; the sort column is marked ▲ (▼ reversed)."""
    id_w, meaning_w, _ = column_widths(width, longest_id, show_status)

    def label(column: SortColumn, text: str) -> str:
        return text if sort != column else text + ("▼" if reverse else "▲")

    text = "▼ " if sort == "input" and reverse else "  "
    text += fit(label("id", "ID"), id_w - 1) + " " + fit(label("outcome", "OUTCOME"),
                                                          OUTCOME_W - 1) + " "
    if show_status:
        text += fit(label("status", "STATUS"), STATUS_W - 1) + " "
    text += fit(label("code", "CODE"), CODE_W - 1) + " "
    if meaning_w:
        text += fit(label("meaning", "MEANING"), meaning_w - 1) + " "
    return fit(text + "NEXT STEP", width)


def row_text(result: IdResult, width: int, longest_id: int, status: str | None,
             selected: bool, hint: str | None = None) -> str:
    """One result's line; ``status`` is the STATUS column's text (None: not shown), ``hint``
    the NEXT STEP's (default: from the result alone)."""
    id_w, meaning_w, hint_w = column_widths(width, longest_id, status is not None)
    code = "" if result.code is None else str(result.code)
    text = ("● " if selected else "  ") + fit(result.id, id_w - 1) + " "
    text += fit(outcome_label(result), OUTCOME_W - 1) + " "
    if status is not None:
        text += fit(status, STATUS_W - 1) + " "
    text += fit(code, CODE_W - 1) + " "
    if meaning_w:
        text += fit(meaning_of(result), meaning_w - 1) + " "
    return fit(text + fit(hint_for(result) if hint is None else hint, hint_w), width)
