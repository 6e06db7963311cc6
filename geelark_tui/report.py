"""Run results as a table, JSON or CSV: the headless output and the TUI's export share it."""

from __future__ import annotations

import io
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from geelark_tui.after import After, count_states
from geelark_tui.api.codes import describe, next_step, status_hint
from geelark_tui.api.models import (
    ACTIVE_STATUSES,
    RESTARTABLE_STATUSES,
    IdResult,
    Outcome,
    Task,
    TaskStatus,
)
from geelark_tui.jsonout import PIECE, iter_document
from geelark_tui.recentsets import in_slices
from geelark_tui.task_info import failure_text
from geelark_tui.words import OUTCOME_SYMBOLS, plural

if TYPE_CHECKING:
    from geelark_tui.ids import IgnoredToken

FORMATS = ("table", "json", "csv")
CSV_COLUMNS = ("id", "outcome", "code", "meaning", "message", "hint")



def summarize(results: Iterable[IdResult], *, with_skipped: bool = False) -> dict[str, int]:
    """Counts per outcome. `skipped` only appears with pre-flight (the contract is additive)."""
    counts: Counter[Outcome] = Counter()
    for part in in_slices(results):  # in C, a slice at a time (see `in_slices`)
        counts.update(map(attrgetter("outcome"), part))
    summary = {"total": counts.total(), **{o.value: counts[o] for o in Outcome}}
    if not with_skipped and not summary[Outcome.SKIPPED.value]:
        del summary[Outcome.SKIPPED.value]
    return summary


def tally(results: Iterable[IdResult]) -> Counter[tuple[Outcome, int | None]]:
    """How many results have each outcome and code: what the results screen's summary shows."""
    return Counter((r.outcome, r.code) for r in results)


def hint_for(result: IdResult, status: int | None = None, task: Task | None = None) -> str:
    """What to do next about one result, from its outcome, its code and the latest facts:
    `task` (a re-check, a follow, a lookup: the newest), else `status`, else the status the
    result carries (the pre-flight's). Never contradicts them: a restarted task that failed
    again says so, with its failure."""
    if task is not None:
        status = task.status
    elif status is None:
        status = result.status
    if result.outcome is Outcome.RESTARTED:
        return _after_restart(task) if task is not None else "Nothing to do."
    if result.outcome is Outcome.NOT_SENT:
        return "Safe to re-submit once the cause is fixed."
    if result.outcome is Outcome.UNKNOWN:
        if task is not None and task.status in RESTARTABLE_STATUSES:
            return "It is still failed or cancelled: not restarted, safe to re-submit."
        if task is not None and task.status == TaskStatus.COMPLETED:
            return "It has completed since: nothing to re-submit."
        if task is not None and task.status in ACTIVE_STATUSES:
            return "It is waiting or running now: nothing to re-submit unless it fails again."
        return "Check the task before re-submitting: it may have been restarted."
    if result.outcome is Outcome.SKIPPED:
        if status is None:
            return "Check the ID: a typo, another account, or older than the 7-day retention."
        return status_hint(status) or ("Restart it once it has failed or been cancelled, "
                                       "or include it on purpose.")
    return next_step(result.code, status)


def latest_of(after: Mapping[str, After]) -> dict[str, Task]:
    """What following found of each task, as the latest fact the hints follow."""
    return {i: Task(i, a.status, fail_code=a.fail_code, fail_desc=a.fail_desc)
            for i, a in after.items() if a.status is not None}


def _after_restart(task: Task) -> str:
    if task.status == TaskStatus.FAILED:
        return (f"Failed again: {failure_text(task)}. Fix the cause, then restart it again "
                "(each task has 5 restarts).")
    if task.status == TaskStatus.CANCELLED:
        return "Cancelled since the restart: restart it again if it should still run."
    if task.status == TaskStatus.COMPLETED:
        return "Nothing to do: it ran and completed."
    if task.status in ACTIVE_STATUSES:
        return "Nothing to do: it is waiting or running again."
    return f"Check the task: it shows {TaskStatus.label(task.status)}."


@dataclass(frozen=True)
class RunExtras:
    """What a run added to the contract's output, each only when it happened (additive):
    `status` per result (pre-flight), `after` per restarted result and in the summary
    (--follow), `cancelled_first` in the summary (--cancel-active)."""

    with_status: bool = False
    after: Mapping[str, After] | None = None
    cancelled_first: int | None = None
    # The latest fact about each task (a follow, a re-check): the hint follows it.
    latest: Mapping[str, Task] | None = None
    # Rows whose status a later fact changed (the app): their status before the run.
    before: Mapping[str, int | None] | None = None

    def hint(self, result: IdResult) -> str:
        return hint_for(result, task=self.latest.get(result.id) if self.latest else None)

    def status(self, result: IdResult) -> int | None:
        """The `status` column: the task's status before the run."""
        return self.before.get(result.id, result.status) if self.before else result.status


NO_EXTRAS = RunExtras()  # a plain run: the contract's output as it was first written


def _json_row(r: IdResult, extras: RunExtras) -> dict[str, Any]:
    row: dict[str, Any] = {"id": r.id, "outcome": r.outcome.value, "code": r.code,
                           "message": r.message}
    if extras.with_status:
        row["status"] = extras.status(r)
    if extras.after is not None and r.outcome is Outcome.RESTARTED:
        row["after"] = extras.after.get(r.id, After("unknown")).as_json()
    return row


def _summary(results: Sequence[IdResult], extras: RunExtras) -> dict[str, Any]:
    summary: dict[str, Any] = summarize(results, with_skipped=extras.with_status)
    if extras.cancelled_first is not None:
        summary["cancelled_first"] = extras.cancelled_first
    if extras.after is not None:
        summary["after"] = count_states(extras.after.get(r.id, After("unknown"))
                                        for r in results if r.outcome is Outcome.RESTARTED)
    return summary


def iter_json(
    results: Sequence[IdResult], invalid: Sequence[IgnoredToken] = (),
    extras: RunExtras = RunExtras(), **extra: Any,
) -> Iterator[str]:
    """The headless JSON document (the README's contract, with `extras`' additions), a piece
    at a time (`jsonout`): a large result is never one string in memory."""
    document: dict[str, Any] = {
        "summary": _summary(results, extras),
        "results": (_json_row(r, extras) for r in results),
        "invalid": [{"token": t.token, "reason": t.reason} for t in invalid],
    }
    document.update(extra)
    return iter_document(document, streamed=frozenset({"results"}))


def to_json(results: Sequence[IdResult], invalid: Sequence[IgnoredToken] = (),
            extras: RunExtras = RunExtras(), **extra: Any) -> str:
    return "".join(iter_json(results, invalid, extras, **extra))


def iter_csv(results: Sequence[IdResult], extras: RunExtras = RunExtras()) -> Iterator[str]:
    """The CSV, `PIECE` rows at a time."""
    import csv  # here, not at the top: only CSV output needs it (a headless start does not)

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + (("status",) if extras.with_status else ())
                    + (("after",) if extras.after is not None else ()))
    for n, r in enumerate(results, 1):
        meaning = describe(r.code).meaning if r.code is not None else ""
        row: list[object] = [r.id, r.outcome.value, "" if r.code is None else r.code,
                             meaning, r.message, extras.hint(r)]
        if extras.with_status:
            status = extras.status(r)
            row.append("" if status is None else status)
        if extras.after is not None:
            after = extras.after.get(r.id) if r.outcome is Outcome.RESTARTED else None
            row.append("" if after is None else after.state)
        writer.writerow(row)
        if n % PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def to_csv(results: Sequence[IdResult], extras: RunExtras = RunExtras()) -> str:
    return "".join(iter_csv(results, extras))


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def to_table(
    results: Sequence[IdResult], invalid: Sequence[IgnoredToken] = (), width: int | None = None
) -> str:
    """A plain table that fits the terminal (80 columns when not a terminal)."""
    width = width or min(shutil.get_terminal_size((80, 24)).columns, 160)
    id_width = max([len(r.id) for r in results] + [2])
    head = f"{'ID':<{id_width}}  {'OUTCOME':<11}  {'CODE':<5}  "
    message_width = max(width - len(head), 10)
    lines = [head + "MESSAGE"]
    for r in results:
        outcome = f"{OUTCOME_SYMBOLS[r.outcome]} {r.outcome.value}"
        code = "" if r.code is None else str(r.code)
        lines.append(
            _fit(f"{r.id:<{id_width}}  {outcome:<11}  {code:<5}  {_fit(r.message, message_width)}",
                 width)
        )
    lines.append("")
    lines.append(_fit(summary_sentence(summarize(results)), width))
    for token in invalid[:20]:
        lines.append(_fit(f"ignored {token.token!r}: {token.reason}", width))
    if len(invalid) > 20:
        lines.append(f"... and {len(invalid) - 20} more ignored tokens")
    return "\n".join(lines) + "\n"


def summary_sentence(summary: dict[str, int]) -> str:
    parts = [f"{summary[o.value]:,} {o.value.replace('_', ' ')}" for o in Outcome
             if o.value in summary]
    return f"{plural(summary['total'], 'ID')}: " + ", ".join(parts)


def render_pieces(
    fmt: str, results: Sequence[IdResult], invalid: Sequence[IgnoredToken] = (),
    extras: RunExtras = RunExtras(),
) -> Iterator[str]:
    """The output a piece at a time: a large result is never one string in memory."""
    if fmt == "json":
        yield from iter_json(results, invalid, extras)
        yield "\n"
    elif fmt == "csv":
        yield from iter_csv(results, extras)
    else:
        yield to_table(results, invalid)
        if extras.after is not None:
            counts = _summary(results, extras)["after"]
            yield "followed: " + ", ".join(f"{n} {state}" for state, n in counts.items()) + "\n"


def render(
    fmt: str, results: Sequence[IdResult], invalid: Sequence[IgnoredToken] = (),
    extras: RunExtras = RunExtras(),
) -> str:
    return "".join(render_pieces(fmt, results, invalid, extras))
