"""The results a run session hands to its front ends: one per ID of the set, in input order,
each with the status the pre-flight saw, its message scrubbed of credentials (each distinct
message once), and a task cancelled first saying so. No textual.

The run's own results are finalized as they are reported, a batch at a time (`reported`), so
the end of a 100,000-ID run (`all_results`, in a thread) has little left to do and one result
per ID is kept, not two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from itertools import compress, count, repeat
from operator import is_
from typing import cast

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.cancel import CANCELLED_FIRST
from geelark_tui.plan import RunPlan
from geelark_tui.recentsets import in_slices

AT_ONCE = 1_000  # a larger report (a stopped run's unsent IDs) is finalized at the end


class Finalizer:
    def __init__(self, scrub: Callable[[str], str] | None) -> None:
        self._scrub = scrub
        self._scrubbed: dict[str, str] = {}  # each distinct message, scrubbed once
        self._later: set[str] = set()  # IDs reported but not finalized yet

    def reported(self, plan: RunPlan, results: Sequence[IdResult],
                 recorded: MutableMapping[str, IdResult] | None) -> None:
        """The run reported `results` (and holds them in `recorded`): finalize them there."""
        if recorded is None or len(results) > AT_ONCE:
            self._later.update(r.id for r in results)
            return
        for result in results:
            final = self.finalize(plan, result)
            if final is not result and recorded.get(result.id) is result:
                recorded[result.id] = final

    def all_results(self, plan: RunPlan, reported: Mapping[str, IdResult],
                    others: Mapping[str, IdResult], missing: str) -> list[IdResult]:
        """One result per ID of `plan`: the run's (`reported`), else `others` (skipped by the
        pre-flight, a cancel's answer), else `not_sent` with the message `missing`."""
        final = not (self._scrub is not None and any(self._scrub(clean) != clean
                                                     for clean in self._scrubbed.values()))
        if not final:
            self._scrubbed.clear()  # a credential became known during the run: scrub again
        later, ids = self._later, plan.ids
        # In C, a slice at a time (see `in_slices`): what was reported, and where nothing was;
        # in the common case every ID was, finalized as it came (100,000 at once).
        results: list[IdResult | None] = []
        unreported: list[int] = []
        for part in in_slices(ids):
            got = list(map(reported.get, part))
            unreported.extend(compress(count(len(results)), map(is_, got, repeat(None))))
            results.extend(got)
        redo: Iterable[int] = unreported if final and not later else range(len(ids))
        for index in redo:
            task_id, result = ids[index], results[index]
            if result is None or not final or task_id in later:
                results[index] = self.finalize(plan, result or others.get(task_id)
                                               or IdResult(task_id, Outcome.NOT_SENT, None,
                                                           missing))
        return cast(list[IdResult], results)  # each None replaced above

    def finalize(self, plan: RunPlan, result: IdResult) -> IdResult:
        """Finalizing a finalized result changes nothing."""
        status = result.status
        found = plan.lookup
        if found is not None and result.id not in found.failed:
            status = found.status_of(result.id)
        message = self._clean(result.message)
        if result.id in plan.cancelled and not message.startswith(CANCELLED_FIRST):
            message = CANCELLED_FIRST + message
        if status != result.status or message != result.message:
            return IdResult(result.id, result.outcome, result.code, message, status)
        return result

    def _clean(self, message: str) -> str:
        if self._scrub is None:
            return message
        clean = self._scrubbed.get(message)
        if clean is None:
            clean = self._scrubbed[message] = self._scrub(message)
        return clean
