"""ResultSet: one ticket = one set. Its rows (one per ID, in input order) and, for each row
touched again, every answer it got. Plain data, no widgets: the results screen shows it, and a
retry, a re-check or following a task update it in place.

A later answer for a row (a retry of some of its IDs) replaces the row, with one exception:
an answer that says the ID was not sent this time (`not_sent`, `skipped`) never hides an earlier
answer of the server (`restarted`, `rejected`, `unknown`). The row keeps that answer, takes the
newer task status, and the later answer joins its history. So a row restarted by the first run
and skipped by a retry (its task is running now) stays `restarted`, and a retry stopped before
it was sent never turns a known refusal into "not sent".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from geelark_tui.api.models import IdResult, Outcome

NOT_SENT_THIS_TIME = frozenset({Outcome.NOT_SENT, Outcome.SKIPPED})
FIRST_RUN = "first run"


@dataclass(frozen=True, slots=True)
class Answer:
    """One run's answer for one ID; ``run`` names the run ("first run", "retry 1")."""

    run: str
    result: IdResult


def settle(current: IdResult, later: IdResult) -> IdResult:
    """The row after a later answer (see the module's doc)."""
    if later.outcome in NOT_SENT_THIS_TIME and current.outcome not in NOT_SENT_THIS_TIME:
        if later.status is None or later.status == current.status:
            return current
        return replace(current, status=later.status)
    return later


class ResultSet:
    """The rows of one set and the answers behind them.

    ``rows`` is the list given (not copied): whoever made the set may keep reading it. Only
    rows answered more than once keep a history, so a set of 100,000 rows costs nothing more
    until a retry touches some of them.
    """

    def __init__(self, rows: list[IdResult], *, first_run: str = FIRST_RUN) -> None:
        self.rows = rows
        self.first_run = first_run
        self.runs = [first_run]  # every run merged into the set, in order
        self._index: dict[str, int] | None = None
        self._answers: dict[str, list[Answer]] = {}
        # A row's status as its run left it, once a later fact (`update`) changed it.
        self._run_statuses: dict[str, int | None] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def _positions(self) -> dict[str, int]:
        if self._index is None:
            self._index = {r.id: n for n, r in enumerate(self.rows)}
        return self._index

    def get(self, task_id: str) -> IdResult | None:
        position = self._positions().get(task_id)
        return None if position is None else self.rows[position]

    @property
    def retried(self) -> bool:
        """Some run after the first has answered for some rows."""
        return len(self.runs) > 1

    def history(self, task_id: str) -> tuple[Answer, ...]:
        """Every answer the row got, oldest first (one, unless a later run touched it)."""
        answers = self._answers.get(task_id)
        if answers is not None:
            return tuple(answers)
        row = self.get(task_id)
        return () if row is None else (Answer(self.first_run, row),)

    @property
    def statuses_before_run(self) -> Mapping[str, int | None]:
        """The task status before the run that gave each row its answer, for the rows a later
        fact changed since (the others' `status` is still that)."""
        return self._run_statuses

    def merge(self, results: Iterable[IdResult], run: str | None = None) -> list[IdResult]:
        """A later run of some of the set's IDs: each row settles on its later answer (see
        the module's doc), in place. IDs not in the set are added at the end. Returns the rows
        that changed, as they are now."""
        run = run or f"retry {len(self.runs)}"
        self.runs.append(run)
        positions, rows = self._positions(), self.rows
        changed: list[IdResult] = []
        for later in results:
            position = positions.get(later.id)
            if position is None:
                positions[later.id] = len(rows)
                rows.append(later)
                self._answers[later.id] = [Answer(run, later)]
                changed.append(later)
                continue
            current = rows[position]
            answers = self._answers.setdefault(later.id, [Answer(self.first_run, current)])
            answers.append(Answer(run, later))
            row = settle(current, later)
            if row is later:
                self._run_statuses.pop(later.id, None)  # this run's status is the row's now
            elif row.status != current.status:  # the answer stays the earlier run's
                self._run_statuses.setdefault(later.id, current.status)
            if row is not current:
                rows[position] = row
                changed.append(row)
        return changed

    def update(self, rows: Sequence[IdResult]) -> list[IdResult]:
        """Newer facts about some rows that are not answers of a run (e.g. the status a
        re-check found): the rows with the same IDs are replaced; returns those that changed."""
        positions, changed = self._positions(), []
        for row in rows:
            position = positions.get(row.id)
            if position is not None and self.rows[position] != row:
                self._run_statuses.setdefault(row.id, self.rows[position].status)
                self.rows[position] = row
                changed.append(row)
        return changed

    def with_statuses(self, statuses: dict[str, int | None]) -> list[IdResult]:
        """Give the rows of ``statuses`` (ID -> status now) their new status; returns the
        rows that changed."""
        changed = []
        for task_id, status in statuses.items():
            row = self.get(task_id)
            if row is not None and row.status != status:
                changed.append(replace(row, status=status))
        return self.update(changed)
