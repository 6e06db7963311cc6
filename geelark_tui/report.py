"""Run results as a table, JSON or CSV: the headless output and the TUI's export share it."""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from geelark_tui.api.codes import describe, next_step, status_hint
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.ids import IgnoredToken
from geelark_tui.jsonout import PIECE, iter_document

FORMATS = ("table", "json", "csv")
CSV_COLUMNS = ("id", "outcome", "code", "meaning", "message", "hint")

# A word and a symbol per outcome, so nothing depends on colour alone.
OUTCOME_SYMBOLS: dict[Outcome, str] = {
    Outcome.RESTARTED: "✔",
    Outcome.REJECTED: "✘",
    Outcome.NOT_SENT: "○",
    Outcome.UNKNOWN: "?",
    Outcome.SKIPPED: "»",
}


def summarize(results: Iterable[IdResult], *, with_skipped: bool = False) -> dict[str, int]:
    """Counts per outcome. `skipped` only appears with pre-flight (the contract is additive)."""
    counts = Counter(r.outcome for r in results)
    summary = {"total": sum(counts.values()), **{o.value: counts[o] for o in Outcome}}
    if not with_skipped and not summary[Outcome.SKIPPED.value]:
        del summary[Outcome.SKIPPED.value]
    return summary


def tally(results: Iterable[IdResult]) -> Counter[tuple[Outcome, int | None]]:
    """How many results have each outcome and code: what the results screen's summary shows."""
    return Counter((r.outcome, r.code) for r in results)


def hint_for(result: IdResult, status: int | None = None) -> str:
    """What to do next about one result. `status` (a later lookup) overrides the task status
    the result carries; either makes 48001 and skips say what fits a completed task."""
    status = result.status if status is None else status
    if result.outcome is Outcome.RESTARTED:
        return "Nothing to do."
    if result.outcome is Outcome.NOT_SENT:
        return "Safe to re-submit once the cause is fixed."
    if result.outcome is Outcome.UNKNOWN:
        return "Check the task before re-submitting: it may have been restarted."
    if result.outcome is Outcome.SKIPPED:
        return status_hint(status) or ("Restart it once it has failed or been cancelled, "
                                       "or include it on purpose.")
    return next_step(result.code, status)


def _json_row(r: IdResult, with_status: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"id": r.id, "outcome": r.outcome.value, "code": r.code,
                           "message": r.message}
    if with_status:
        row["status"] = r.status
    return row


def iter_json(
    results: Sequence[IdResult], invalid: Sequence[IgnoredToken] = (), *,
    with_status: bool = False, **extra: Any,
) -> Iterator[str]:
    """The headless JSON document, a piece at a time (`jsonout`). `with_status` (pre-flight)
    adds `status` to each result and `skipped` to the summary: both additive to the contract."""
    document: dict[str, Any] = {
        "summary": summarize(results, with_skipped=with_status),
        "results": (_json_row(r, with_status) for r in results),
        "invalid": [{"token": t.token, "reason": t.reason} for t in invalid],
    }
    document.update(extra)
    return iter_document(document, streamed=frozenset({"results"}))


def to_json(results: Sequence[IdResult], invalid: Sequence[IgnoredToken] = (), *,
            with_status: bool = False, **extra: Any) -> str:
    return "".join(iter_json(results, invalid, with_status=with_status, **extra))


def iter_csv(results: Sequence[IdResult], *, with_status: bool = False) -> Iterator[str]:
    """The CSV, `PIECE` rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + (("status",) if with_status else ()))
    for n, r in enumerate(results, 1):
        meaning = describe(r.code).meaning if r.code is not None else ""
        row: list[object] = [r.id, r.outcome.value, "" if r.code is None else r.code,
                             meaning, r.message, hint_for(r)]
        if with_status:
            row.append("" if r.status is None else r.status)
        writer.writerow(row)
        if n % PIECE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def to_csv(results: Sequence[IdResult], *, with_status: bool = False) -> str:
    return "".join(iter_csv(results, with_status=with_status))


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
    parts = [f"{summary[o.value]} {o.value.replace('_', ' ')}" for o in Outcome
             if o.value in summary]
    return f"{summary['total']} IDs: " + ", ".join(parts)


def render_pieces(
    fmt: str, results: Sequence[IdResult], invalid: Sequence[IgnoredToken] = (), *,
    with_status: bool = False,
) -> Iterator[str]:
    """The output a piece at a time: a large result is never one string in memory."""
    if fmt == "json":
        yield from iter_json(results, invalid, with_status=with_status)
        yield "\n"
    elif fmt == "csv":
        yield from iter_csv(results, with_status=with_status)
    else:
        yield to_table(results, invalid)


def render(
    fmt: str, results: Sequence[IdResult], invalid: Sequence[IgnoredToken] = (), *,
    with_status: bool = False,
) -> str:
    return "".join(render_pieces(fmt, results, invalid, with_status=with_status))
