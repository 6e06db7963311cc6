"""SessionResult: how one run session ended, for the front ends to show, export and exit with
(the run session, `session.py`, makes it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from geelark_tui.after import After, count_states
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.exitcodes import EXIT_OK, EXIT_SOME_FAILED, EXIT_STOPPED
from geelark_tui.plan import RunPlan
from geelark_tui.preflight import Lookup
from geelark_tui.report import summarize
from geelark_tui.runreport import RunReport


@dataclass
class SessionResult:
    """How one session ended: what the front ends show, export and exit with."""

    plan: RunPlan
    results: list[IdResult]  # one per ID of the set, in input order
    report: RunReport
    stop_reason: str | None = None
    stopped_by_user: bool = False
    warnings: list[str] = field(default_factory=list)
    recent_key: str | None = None
    cancelled_first: int = 0  # tasks cancelled, then restarted
    after: dict[str, After] | None = None  # followed: each restarted task's end
    follow_stopped: str | None = None  # why following ended before every task had

    @property
    def lookup(self) -> Lookup | None:
        return self.plan.lookup

    @property
    def fatal(self) -> bool:
        """Stopped by authentication, configuration or an account-level answer."""
        return self.stop_reason is not None and not self.stopped_by_user

    def summary(self) -> dict[str, int]:
        return summarize(self.results, with_skipped=self.plan.lookup is not None)

    @property
    def lookup_requests(self) -> int:
        return self.report.query_requests + (self.plan.lookup.requests if self.plan.lookup else 0)

    def after_counts(self) -> dict[str, int] | None:
        return None if self.after is None else count_states(self.after.values())

    @property
    def exit_code(self) -> int:
        """3 when the API or the setup stopped it; else 0 when every ID was restarted (and,
        when followed, then completed); else 1."""
        if self.fatal:
            return EXIT_STOPPED
        restarted = [r.id for r in self.results if r.outcome is Outcome.RESTARTED]
        if len(restarted) != len(self.results):
            return EXIT_SOME_FAILED
        if self.after is not None and any(
                self.after.get(i, After("unknown")).state != "completed" for i in restarted):
            return EXIT_SOME_FAILED
        return EXIT_OK
