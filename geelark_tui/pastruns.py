"""Past runs from the run log (`history.read_runs`), to browse and reopen as a result set.

A run-log line keeps each ID's outcome and, since it was added, the API code that answered it
(``codes``); not the server's message. A reopened run therefore has one row per ID grouped by
outcome (the log does not keep the input order), its code when logged, and a message saying
where the row comes from. Fields are read defensively: a line written by a future version, or
edited by hand, gives what can be read, never an exception. No textual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.history import read_runs
from geelark_tui.tracker import outcome_word
from geelark_tui.words import OUTCOME_SYMBOLS

SHOWN_RUNS = 200  # the newest runs offered


def _when(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _ids(value: object) -> dict[str, list[str]]:
    if not isinstance(value, Mapping):
        return {}
    return {str(k): [str(i) for i in v] for k, v in value.items() if isinstance(v, list)}


@dataclass(frozen=True)
class PastRun:
    """One line of the run log."""

    started_at: datetime | None
    host: str
    interrupted: bool
    stop_reason: str | None
    ids: dict[str, list[str]]  # outcome -> IDs
    codes: dict[str, list[str]] = field(default_factory=dict)  # code -> IDs

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> PastRun:
        reason = record.get("stop_reason")
        return cls(_when(record.get("started_at")), str(record.get("api_host") or "?"),
                   bool(record.get("interrupted")), str(reason) if reason else None,
                   _ids(record.get("ids")), _ids(record.get("codes")))

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.ids.values())

    def when(self) -> str:
        """Local date and time, e.g. ``2026-01-05 09:30``."""
        if self.started_at is None:
            return "at an unknown time"
        return self.started_at.astimezone().strftime("%Y-%m-%d %H:%M")

    def counts_text(self) -> str:
        """``✔ 30  ✘ 8  ? 2`` in outcome order."""
        parts = [f"{OUTCOME_SYMBOLS[o]} {len(self.ids.get(o.value, [])):,}" for o in Outcome
                 if self.ids.get(o.value)]
        return "  ".join(parts) or "no IDs"

    def line(self) -> str:
        """One line for a list of runs."""
        ended = f" · stopped: {self.stop_reason}" if self.stop_reason else (
            " · interrupted" if self.interrupted else "")
        return (f"{self.when()} · {self.total:,} ID{'s' if self.total != 1 else ''} · "
                f"{self.counts_text()} · {self.host}{ended}")

    def results(self) -> list[IdResult]:
        """One row per logged ID, grouped by outcome; the code when the log kept it."""
        code_of = {i: int(code) for code, ids in self.codes.items() if code.lstrip("-").isdigit()
                   for i in ids}
        rows: list[IdResult] = []
        seen: set[str] = set()
        for outcome in Outcome:
            for task_id in self.ids.get(outcome.value, []):
                if task_id in seen:
                    continue
                seen.add(task_id)
                code = code_of.get(task_id, 0 if outcome is Outcome.RESTARTED else None)
                rows.append(IdResult(task_id, outcome, code,
                                     f"{outcome_word(outcome)} in the run of {self.when()} "
                                     "(from the run log, which keeps no server message)"))
        return rows


def past_runs(path: Path, limit: int = SHOWN_RUNS) -> list[PastRun]:
    """The newest ``limit`` runs of the log at ``path``, newest first."""
    runs = [PastRun.of(record) for record in read_runs(path)[-limit:]]
    runs.reverse()
    return runs
