"""The results screen follows every restarted task to its end: the session polls task/query
(100 a request, in the shared per-minute budget, no task more often than every 5 s) and each
poll's facts update the rows in place: the STATUS column ("failed again"), the detail pane
and the next step. A live line counts them; `w` stops following, and starts it again.

Each run shown here (the first, and every retry) is followed by its own session; the line
counts every followed task once, by its latest state.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual import work

from geelark_tui.after import STATES, after_of
from geelark_tui.api.models import Outcome
from geelark_tui.packed_tasks import PackedTasks
from geelark_tui.preflight import Lookup
from geelark_tui.tui import gc_policy
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.screens.results_tasks import TaskLookups

if TYPE_CHECKING:
    from geelark_tui.events import FollowUpdate
    from geelark_tui.session import RunSession

FOLLOWED = "followed"  # the source of what following learnt (the detail pane says it)
# How the live line names each end state.
STATE_WORDS = {"completed": "completed", "failed": "failed again", "cancelled": "cancelled",
               "active": "running", "unknown": "not seen yet"}


class TaskFollowing(TaskLookups):
    """Following the restarted tasks of each run shown; `follow_line()` says how it goes."""

    def __init__(self, outcome: RunOutcome, *, id: str | None = None) -> None:
        super().__init__(outcome, id=id)
        self.followed: dict[str, str] = {}  # task ID -> its latest state (follow.STATES)
        self._states: Counter[str] = Counter()  # how many followed tasks are in each state
        self._sessions: list[RunSession] = []  # every run's session that has restarted tasks
        self._following: set[int] = set()  # ... the ones following now (by id())
        self._stopped = False
        self._stops = 0  # how many times `w` stopped following
        self._preparing = 0  # runs whose following is being set up (`_follow_first`)
        self._starting = 0  # the tasks the first run restarted, until they are followed

    def expect_following(self, outcome: RunOutcome) -> None:
        """Before the first paint: the live line is there from the start, so following
        does not lay the screen (100,000 rows) out again when it begins."""
        if outcome.session is not None and outcome.tally is not None:
            self._starting = sum(n for (state, _), n in outcome.tally.items()
                                 if state is Outcome.RESTARTED)

    # -- starting and stopping ------------------------------------------------------------

    def follow_run(self, outcome: RunOutcome) -> None:
        """Follow what `outcome`'s run restarted (a run's end: the first, or a retry)."""
        if outcome.session is not None:
            self._follow_first(outcome, outcome.session)

    @work(group="follow", exit_on_error=False, description="follow a run's restarted tasks")
    async def _follow_first(self, outcome: RunOutcome, session: RunSession) -> None:
        def restarted() -> dict[str, str]:  # 100,000 IDs: off the event loop
            return dict.fromkeys((r.id for r in outcome.results
                                  if r.outcome is Outcome.RESTARTED), "unknown")

        stops = self._stops
        self._preparing += 1
        try:
            states = await asyncio.to_thread(restarted)
        finally:
            self._preparing -= 1
            self._starting = 0
        if not states:
            self.follow_changed()
            return
        self._sessions.append(session)
        self._set_states(states)
        if self._stops != stops:  # `w` meanwhile: this run waits for `w` like the rest
            self.follow_changed()
            return
        self._stopped = False
        await self._follow_session(session)

    @work(group="follow", exit_on_error=False, description="follow the restarted tasks")
    async def _follow(self, session: RunSession) -> None:
        await self._follow_session(session)

    async def _follow_session(self, session: RunSession) -> None:
        self._following.add(id(session))
        self.follow_changed()
        gc_policy.hold_full_collections(session)  # following 100,000 tasks is a run too
        try:
            await session.follow(on_update=self._followed)
        finally:
            gc_policy.release_full_collections(session)
            self._following.discard(id(session))
            self.follow_changed()
            gc_policy.collect_after_run()

    def action_toggle_follow(self) -> None:
        """`w`: stop following; pressed again, follow what has not ended yet."""
        if self._following or self._preparing:
            self._stopped = True
            self._stops += 1
            for session in self._sessions:
                session.stop_following()
            self.notify("Stopped following: press w to follow again.", title="Follow")
            return
        waiting = [s for s in self._sessions if s.result is not None]
        if not waiting or not (self._states["active"] or self._states["unknown"]):
            self.notify("Nothing to follow: no restarted task is still waiting or running.",
                        title="Follow", severity="warning")
            return
        self._stopped = False
        for session in waiting:
            self._follow(session)

    # -- what a poll learnt ----------------------------------------------------------------

    def _followed(self, update: FollowUpdate) -> None:
        """One poll's facts (on the event loop, at most 100 tasks): the rows in place."""
        tasks = {t.id: t for t in update.tasks}
        self.absorb_facts(Lookup(tuple(tasks), tasks=PackedTasks(tasks)), FOLLOWED)
        self._set_states({task_id: after_of(task).state for task_id, task in tasks.items()})
        self.follow_changed()

    def _set_states(self, states: Mapping[str, str]) -> None:
        """The latest state of these tasks; the counts follow along (the live line is
        repainted after every poll: never a walk over every followed task)."""
        followed, counts = self.followed, self._states
        if not followed:  # the first run followed: 100,000 at once
            followed.update(states)
            counts.update(states.values())
            return
        for task_id, state in states.items():
            old = followed.get(task_id)
            if old is not None:
                counts[old] -= 1
            followed[task_id] = state
            counts[state] += 1

    def follow_changed(self) -> None:
        """Following progressed or ended: the screen repaints its live line."""

    def follow_line(self) -> str:
        """"Following 1,234 restarted (w stops): 800 completed · 200 failed again · 234
        running"."""
        if not self.followed:
            return f"Following {self._starting:,} restarted (w stops)" if self._starting else ""
        counts = {state: self._states[state] for state in STATES}
        parts = " · ".join(f"{n:,} {STATE_WORDS[s]}" for s, n in counts.items() if n)
        total = f"{len(self.followed):,} restarted"
        if self._following:  # the key before the counts: an 80-column line cuts its end
            return f"Following {total} (w stops): {parts}"
        ended = counts["active"] == counts["unknown"] == 0
        if ended:
            return f"Followed {total} to their end: {parts}"
        why = "stopped" if self._stopped else "time is up"
        return f"Followed {total} ({why}; w follows again): {parts}"
