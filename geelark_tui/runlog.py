"""Write a finished run to the run log: the run session does, for both front ends.

One record per run (see `history.append_run`); never raises for an I/O problem, so a full
disk cannot lose results that are on screen. No textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from geelark_tui import history
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.report import summarize
from geelark_tui.runreport import RunReport


def log_run(report: RunReport, results: Sequence[IdResult], host: str, *,
            path: Path | None = None, secrets: Iterable[str] = (),
            after: Mapping[str, int] | None = None) -> str | None:
    """Append one run (default path: `history.run_log_path()`); a warning, or None if done."""
    ids: dict[Outcome, list[str]] = {o: [] for o in Outcome}
    by_code: dict[int, list[str]] = {}
    for result in results:
        ids[result.outcome].append(result.id)
        if result.code:  # 0 (success) and no code say nothing the outcome does not
            by_code.setdefault(result.code, []).append(result.id)
    by_outcome = {o.value: listed for o, listed in ids.items()}
    try:
        history.append_run(
            path or history.run_log_path(),
            started_at=report.started_at,
            finished_at=report.finished_at,
            api_host=host,
            counts=summarize(results),
            ids_by_outcome=by_outcome,
            interrupted=report.stop_reason is not None,
            stop_reason=report.stop_reason,
            secrets=secrets,
            after=after,
            ids_by_code=by_code,
        )
    except (OSError, ValueError) as exc:
        return f"could not write the run log: {exc}"
    return None
