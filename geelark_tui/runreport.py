"""RunReport: what one restart run did, ID by ID. Shared by the engine, its events and the
front ends, so it lives below all of them."""

from __future__ import annotations

from dataclasses import dataclass

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.exitcodes import EXIT_OK, EXIT_SOME_FAILED, EXIT_STOPPED


@dataclass(slots=True)
class RunReport:
    ids: tuple[str, ...]
    results: dict[str, IdResult]
    started_at: float  # wall-clock epoch seconds
    finished_at: float = 0.0
    stop_reason: str | None = None
    stop_code: int | None = None
    stopped_by_user: bool = False
    restart_requests: int = 0
    query_requests: int = 0

    def ordered(self) -> list[IdResult]:
        return [self.results[i] for i in self.ids]

    def counts(self) -> dict[Outcome, int]:
        counts = dict.fromkeys(Outcome, 0)
        for result in self.results.values():
            counts[result.outcome] += 1
        return counts

    @property
    def exit_code(self) -> int:
        if self.stop_reason is not None and not self.stopped_by_user:
            return EXIT_STOPPED
        restarted = sum(1 for r in self.results.values() if r.outcome is Outcome.RESTARTED)
        return EXIT_OK if restarted == len(self.ids) else EXIT_SOME_FAILED
